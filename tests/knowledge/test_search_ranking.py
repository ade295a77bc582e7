"""The pure ranking engine: clean-up of hostile text, typo tolerance, highlighting, scoring."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from salesdesk.knowledge import ranking

HOSTILE = [
    '"',
    "*",
    "NEAR(",
    "'; DROP TABLE knowledge_answer; --",
    "x" * 5000,
    "🚀🔥 ?",
    "a OR b AND NOT c",
    "^$()",
]


@given(st.text(max_size=3000))
@settings(max_examples=200, deadline=None)
def test_cleaning_any_text_never_raises_and_keeps_only_words(text):
    # given any text at all, when it is normalised and split into terms
    normalised = ranking.normalise(text)
    terms = ranking.tokens(text)
    # then only letters and digits remain, within the caps
    assert len(normalised) <= ranking.MAX_QUERY_CHARS
    assert len(terms) <= ranking.MAX_TERMS
    assert all(re.fullmatch(r"[^\W_]+", t) for t in terms)
    ranking.is_question(text)
    ranking.strip_email(text)


@given(st.text(max_size=500), st.lists(st.text(max_size=20), max_size=5))
@settings(max_examples=200, deadline=None)
def test_highlight_output_is_always_html_safe(text, terms):
    # given any text and any terms, when highlighted
    html = ranking.highlight(text, ranking.tokens(" ".join(terms)))
    # then the only tags are our <mark> pairs, and nothing else can open a tag
    bare = html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare and ">" not in bare
    assert html.count("<mark>") == html.count("</mark>")


def test_hostile_queries_reduce_to_plain_words():
    assert ranking.tokens('"') == []
    assert ranking.tokens("*") == []
    assert ranking.tokens("NEAR(") == ["near"]
    assert ranking.tokens("'; DROP TABLE knowledge_answer; --") == ["drop", "table", "knowledge", "answer"]
    assert ranking.tokens("🚀🔥 ?") == []
    assert len(ranking.normalise("x" * 5000)) == ranking.MAX_QUERY_CHARS


def test_question_words_and_stopwords():
    assert ranking.tokens("Does the Edge Gateway 400 support SSO with Azure AD?") == [
        "edge",
        "gateway",
        "400",
        "support",
        "sso",
        "azure",
        "ad",
    ]
    assert ranking.is_question("Does the Edge Gateway 400 support SSO with Azure AD?")
    assert ranking.is_question("sso azure?")
    assert not ranking.is_question("edge gateway 400")
    # a query of stopwords only still searches for something
    assert ranking.tokens("Is it?") == ["is", "it"]


def test_a_misspelt_product_word_gains_the_right_word():
    vocabulary = {"edge", "gateway", "400", "core", "switch", "9000"}
    assert ranking.correct_terms(["edge", "gatway", "400"], vocabulary) == [
        "edge",
        "gatway",
        "400",
        "gateway",
    ]
    # short words and numbers are left alone: "40" is not "400"
    assert ranking.correct_terms(["40", "ssh"], vocabulary) == ["40", "ssh"]


def test_products_named_exactly_or_with_a_typo():
    products = {1: "Edge Gateway 400", 2: "Core Switch 9000", 3: "Cloud Firewall"}
    assert ranking.match_products("Does the Edge Gateway 400 support SSO?", products) == {1: 1.0}
    fuzzy = ranking.match_products("edge gatway 400", products)
    assert set(fuzzy) == {1} and 0.5 <= fuzzy[1] < 1.0
    assert ranking.match_products("pricing of support contracts", products) == {}


def test_highlight_marks_matched_words_and_escapes_the_rest():
    html = ranking.highlight("Yes: the <b>Edge</b> Gateway supports SSO & SAML.", ["gateway", "sso"])
    assert (
        html == "Yes: the &lt;b&gt;Edge&lt;/b&gt; <mark>Gateway</mark> supports <mark>SSO</mark> &amp; SAML."
    )


def test_min_max_normalisation():
    assert ranking.min_max([2.0, 4.0, 3.0]) == [0.0, 1.0, 0.5]
    assert ranking.min_max([7.0]) == [1.0]
    assert ranking.min_max([]) == []


def test_rank_prefers_answers_to_questions_and_named_products():
    # given an answer and an article with the same keyword score
    answer = ranking.Candidate(key="answer:1", kind="answer", keyword=1.0, text="sso azure")
    article = ranking.Candidate(key="article:1", kind="article", keyword=1.0, text="sso azure")
    # when the query reads as a question, then the answer comes first
    ranked = ranking.rank([article, answer], terms=["sso", "azure"], question=True)
    assert [c.key for c in ranked] == ["answer:1", "article:1"]
    # and an item linked to the product the query names beats one that is not
    linked = ranking.Candidate(key="b", kind="article", keyword=1.0, text="sso", product_ids=frozenset({7}))
    other = ranking.Candidate(key="a", kind="article", keyword=1.0, text="sso")
    ranked = ranking.rank([other, linked], terms=["sso"], named_products={7: 1.0})
    assert [c.key for c in ranked] == ["b", "a"]
    assert 0 <= ranked[-1].score <= ranked[0].score <= 1


def test_stale_and_unpublished_items_rank_lower_than_fresh_published_ones():
    fresh = ranking.Candidate(key="b", kind="answer", keyword=1.0, text="vpn")
    stale = ranking.Candidate(key="a", kind="answer", keyword=1.0, text="vpn", stale=True, published=False)
    assert [c.key for c in ranking.rank([stale, fresh], terms=["vpn"])] == ["b", "a"]


def test_match_score_is_high_for_a_rephrased_question_and_low_for_another_topic():
    phrasings = ["Does the Edge Gateway 400 support SSO with Azure AD?", "Can I sign in with Entra ID?"]
    body = "Yes, over SAML 2.0 with Azure AD and Okta."
    assert ranking.match_score("edge gateway 400 azure ad sso?", phrasings, body) == 100
    assert ranking.match_score("What does the Core Switch cost per year?", phrasings, body) < 50
    assert ranking.match_score("", phrasings, body) == 0


def test_strip_email_keeps_the_customers_words():
    mail = (
        "Hi team,\n"
        "does the Edge Gateway 400 support SSO with Azure AD?\n"
        "\n"
        "Best regards,\nSam\nACME Corp\n"
        "> On Monday you wrote:\n> old text"
    )
    assert ranking.strip_email(mail) == "Hi team, does the Edge Gateway 400 support SSO with Azure AD?"
    assert ranking.strip_email("On Mon, 1 Jan, Ann wrote:\n> quoted\nreal question") == "real question"
