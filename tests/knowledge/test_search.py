"""Keyword search over catalog and knowledge: ranking, typos, hostile queries, scoping, sync.

Runs on SQLite (FTS5) and, with DATABASE_URL pointing at PostgreSQL, on tsvector search.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from salesdesk.catalog import services as catalog_services
from salesdesk.catalog.selectors import visible_products
from salesdesk.knowledge import search, services
from salesdesk.knowledge.models import SearchDocument
from salesdesk.knowledge.selectors import visible_answers, visible_articles

pytestmark = pytest.mark.django_db

HOSTILE = [
    '"',
    "*",
    "NEAR(",
    "'; DROP TABLE knowledge_answer; --",
    "x" * 5000,
    "🚀🔥",
    "a OR b NOT c",
    "",
    "  ",
]


@pytest.fixture
def kb(bid_manager, make_answer, specialist):
    """A small knowledge base: three products, four answers, one article."""
    category = catalog_services.category_create(actor=bid_manager, name="Network")

    def product(sku, name, summary, lifecycle="available"):
        return catalog_services.product_create(
            actor=bid_manager,
            data={
                "sku": sku,
                "name": name,
                "category_id": category.pk,
                "summary": summary,
                "lifecycle": lifecycle,
            },
        )

    gateway = product("KS-EG-400", "Edge Gateway 400", "Branch gateway with VPN and SSO")
    switch = product("KS-CS-9000", "Core Switch 9000", "Data-centre switch, 48 ports")
    firewall = product("KS-CF-1", "Cloud Firewall", "Firewall as a service")
    roadmap = product("KS-QX-1", "Quantum Router", "Next year's router", lifecycle="planned")
    sso = make_answer(
        "Does the Edge Gateway 400 support SSO with Azure AD?",
        body="Yes. The Edge Gateway 400 supports single sign-on over SAML 2.0 with Azure AD and Okta.",
        alternatives=["Can staff log in to the gateway with Microsoft Entra ID?"],
        tags=["sso", "identity"],
        product_ids=[gateway.pk],
    )
    reset = make_answer(
        "How do I reset the admin password on the Edge Gateway 400?",
        body="Hold the reset button for ten seconds, then sign in with the default password from the label.",
        product_ids=[gateway.pk],
    )
    throughput = make_answer(
        "What is the maximum throughput of the Core Switch 9000?",
        body="1.2 Tbit/s switching capacity, line rate on all 48 ports.",
        product_ids=[switch.pk],
    )
    ipv6 = make_answer(
        "Is IPv6 supported by the Cloud Firewall?",
        body="Yes, dual stack IPv4 and IPv6.",
        audience="partners",
        product_ids=[firewall.pk],
    )
    article = services.article_create(
        actor=specialist,
        data={
            "title": "Configuring SAML single sign-on",
            "body": "Step by step: SAML with Azure AD.",
            "audience": "customers",
        },
    )
    services.item_submit(actor=specialist, item=article)
    services.item_publish(actor=bid_manager, item=article)
    return {
        "gateway": gateway,
        "switch": switch,
        "firewall": firewall,
        "roadmap": roadmap,
        "sso": sso,
        "reset": reset,
        "throughput": throughput,
        "ipv6": ipv6,
        "article": article,
    }


def keys(result):
    return [(h.kind, h.id) for h in result.hits]


def test_a_question_phrased_differently_finds_the_right_answer_first(kb, agent):
    # given the fixture library, when Priya types the customer's words
    result = search.search(user=agent, query="Can users authenticate through Azure AD on the gateway 400?")
    # then the SSO answer comes first
    assert keys(result)[0] == ("answer", kb["sso"].pk)
    assert "<mark>" in result.hits[0].snippet


def test_the_journey_question_puts_the_approved_answer_on_top(kb, agent):
    result = search.search(user=agent, query="Does the Edge Gateway 400 support SSO with Azure AD?")
    top = result.hits[0]
    assert (top.kind, top.id, top.status, top.stale) == ("answer", kb["sso"].pk, "published", False)


@pytest.mark.parametrize("query", ["throughput of the core switch", "core switch 9000 capacity"])
def test_other_topics_find_their_answer(kb, agent, query):
    result = search.search(user=agent, query=query, kind="answer")
    assert keys(result)[0] == ("answer", kb["throughput"].pk)


def test_a_misspelt_product_name_still_finds_the_product(kb, agent):
    # when the name is misspelt
    products = search.search(user=agent, query="edge gatway 400", kind="product")
    everything = search.search(user=agent, query="edge gatway 400")
    # then the product is found first among products, and the top results are about it
    assert keys(products)[0] == ("product", kb["gateway"].pk)
    assert ("product", kb["gateway"].pk) in keys(everything)[:3]
    assert all(
        kb["gateway"].pk in SearchDocument.objects.get(kind=h.kind, object_id=h.id).product_id_set()
        for h in everything.hits[:3]
    )


def test_a_sku_finds_its_product(kb, agent):
    assert keys(search.search(user=agent, query="KS-CS-9000"))[0] == ("product", kb["switch"].pk)


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_error(kb, agent, query):
    result = search.search(user=agent, query=query)
    assert result.total >= 0
    assert all(h.score >= 0 for h in result.hits)


def test_empty_and_punctuation_only_queries_give_nothing(kb, agent):
    for query in ["", "   ", "?!*", '"()"']:
        result = search.search(user=agent, query=query)
        assert (result.total, result.hits) == (0, [])


def test_filters_type_product_and_freshness(kb, agent, specialist):
    # given the reset answer flagged for review
    services.item_flag(actor=specialist, item=kb["reset"], reason="new firmware")
    query = "edge gateway 400"
    # then each filter keeps only what it names
    assert {h.kind for h in search.search(user=agent, query=query, kind="answer").hits} == {"answer"}
    for_switch = search.search(user=agent, query="maximum", product_id=kb["switch"].pk)
    assert keys(for_switch) == [("answer", kb["throughput"].pk)]
    stale = search.search(user=agent, query=query, freshness="stale")
    assert keys(stale) == [("answer", kb["reset"].pk)] and stale.hits[0].stale
    fresh = search.search(user=agent, query=query, freshness="fresh")
    assert ("answer", kb["reset"].pk) not in keys(fresh)


def test_an_overdue_review_date_makes_a_result_stale(kb, agent):
    SearchDocument.objects.filter(kind="answer", object_id=kb["sso"].pk).update(
        review_by=timezone.localdate() - dt.timedelta(days=1)
    )
    hit = next(h for h in search.search(user=agent, query="sso azure").hits if h.id == kb["sso"].pk)
    assert hit.stale


# --- Scoping --------------------------------------------------------------------------------------


def _all_matches(user):
    return {
        (h.kind, h.id)
        for h in search.search(
            user=user, query="edge gateway core switch cloud firewall quantum ipv6 sso saml reset", limit=100
        ).hits
    }


def test_partners_and_customers_see_only_published_content_for_their_audience(kb, world_a, make_answer):
    # given a draft for customers and an internal published answer about the same product
    draft = make_answer("Edge Gateway 400 SSO draft?", status="draft", audience="customers")
    internal = make_answer("Edge Gateway 400 SSO internal pricing?", audience="internal")
    query = "edge gateway 400 sso ipv6 firewall"
    customer = search.search(user=world_a.customer_user, query=query, limit=100)
    partner = search.search(user=world_a.partner_user, query=query, limit=100)
    # then neither result nor count includes them; partners also see partner answers
    for result in (customer, partner):
        assert ("answer", draft.pk) not in keys(result)
        assert ("answer", internal.pk) not in keys(result)
        assert result.total == len(result.hits)
    assert ("answer", kb["ipv6"].pk) in keys(partner)
    assert ("answer", kb["ipv6"].pk) not in keys(customer)
    assert ("product", kb["roadmap"].pk) not in _all_matches(world_a.customer_user)


@pytest.mark.parametrize("persona", ["agent", "specialist", "partner", "customer", "sales_rep"])
def test_visible_documents_equal_the_selectors(
    kb, persona, agent, specialist, world_a, sales_rep, make_answer
):
    make_answer("Draft owned by the specialist?", status="draft", audience="customers")
    user = {
        "agent": agent,
        "specialist": specialist,
        "partner": world_a.partner_user,
        "customer": world_a.customer_user,
        "sales_rep": sales_rep,
    }[persona]
    docs = search.visible_documents(user)
    assert set(docs.filter(kind="answer").values_list("object_id", flat=True)) == set(
        visible_answers(user).values_list("id", flat=True)
    )
    assert set(docs.filter(kind="article").values_list("object_id", flat=True)) == set(
        visible_articles(user).values_list("id", flat=True)
    )
    assert set(docs.filter(kind="product").values_list("object_id", flat=True)) == set(
        visible_products(user).values_list("id", flat=True)
    )


# --- The index stays in sync ------------------------------------------------------------------------


def test_editing_publishing_and_archiving_keep_the_index_in_sync(kb, specialist, bid_manager, world_a):
    customer = world_a.customer_user
    answer = services.answer_create(
        actor=specialist,
        data={"title": "Does the Edge Gateway 400 do LDAP?", "body": "Yes.", "audience": "customers"},
    )
    # a draft is indexed but invisible to customers
    assert SearchDocument.objects.get(kind="answer", object_id=answer.pk).status == "draft"
    assert ("answer", answer.pk) not in keys(search.search(user=customer, query="ldap"))
    # published: found
    services.item_submit(actor=specialist, item=answer)
    services.item_publish(actor=bid_manager, item=answer)
    assert keys(search.search(user=customer, query="ldap")) == [("answer", answer.pk)]
    # edited: the new words are found, the old ones no longer
    services.item_update(
        actor=bid_manager, item=answer, data={"title": "Does the Edge Gateway 400 do RADIUS?"}
    )
    assert keys(search.search(user=customer, query="radius")) == [("answer", answer.pk)]
    assert keys(search.search(user=customer, query="ldap")) == []
    # archived: gone for customers
    services.item_archive(actor=bid_manager, item=answer)
    assert keys(search.search(user=customer, query="radius")) == []


def test_product_changes_reindex_the_product_and_what_links_to_it(kb, bid_manager, agent):
    catalog_services.product_update(
        actor=bid_manager, product=kb["gateway"], data={"name": "Edge Gateway 450"}
    )
    catalog_services.spec_set(
        actor=bid_manager, product=kb["gateway"], data={"name": "cores", "value": "16", "unit": "cores"}
    )
    assert ("product", kb["gateway"].pk) in keys(search.search(user=agent, query="gateway 450 cores"))
    doc = SearchDocument.objects.get(kind="answer", object_id=kb["sso"].pk)
    assert "Edge Gateway 450" in doc.extra


def test_rebuild_index_recreates_every_document_with_progress(kb, agent):
    before = sorted(SearchDocument.objects.values_list("kind", "object_id"))
    SearchDocument.objects.all().delete()
    reported = []
    count = search.rebuild_index(progress=lambda p, m="": reported.append(p))
    assert count == len(before) == 9  # four products, four answers, one article
    assert sorted(SearchDocument.objects.values_list("kind", "object_id")) == before
    assert reported[-1] == 100
    assert keys(search.search(user=agent, query="Does the Edge Gateway 400 support SSO with Azure AD?"))[
        0
    ] == (
        "answer",
        kb["sso"].pk,
    )


def test_remove_object_drops_its_document(kb, agent):
    search.remove_object(kb["throughput"])
    assert ("answer", kb["throughput"].pk) not in keys(
        search.search(user=agent, query="core switch throughput")
    )


def test_the_index_job_rebuilds_with_progress(
    kb, specialist, agent, settings, django_capture_on_commit_callbacks
):
    from salesdesk.knowledge.tasks import search_index_start

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    SearchDocument.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        job = search_index_start(actor=specialist)
    job.refresh_from_db()
    assert (job.status, job.progress, job.result["documents"]) == ("succeeded", 100, 9)
    assert keys(search.search(user=agent, query="core switch 9000 throughput"))[0] == (
        "answer",
        kb["throughput"].pk,
    )


def test_agents_may_not_start_the_index_job(agent):
    from django.core.exceptions import PermissionDenied

    from salesdesk.knowledge.tasks import search_index_start

    with pytest.raises(PermissionDenied):
        search_index_start(actor=agent)


@given(query=st.text(max_size=400))
@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_no_text_makes_the_database_query_fail(kb, agent, caplog, query):
    # whatever is typed, the database accepts the full-text query (none is refused and logged)
    caplog.clear()
    result = search.search(user=agent, query=query)
    assert result.total >= 0
    assert "full-text query refused" not in caplog.text


# --- Large indexes: the common-terms plan --------------------------------------------------------


def test_a_small_index_matches_any_word():
    assert search.match_expressions(["edge", "gatway"], {"gatway": "gateway"}, "sqlite") == [
        '("edge" OR ("gatway"* OR "gateway"))'
    ]


def test_rare_words_find_candidates_and_common_words_only_score():
    counts = {"kestrel": 5000, "sso": 12, "lite": 4000}
    plan = search.match_expressions(
        ["kestrel", "sso", "lite"], {}, "sqlite", lambda word, prefix: counts[word], common_from=1000
    )
    assert plan == ['("sso" OR ("sso" AND ("kestrel" OR "lite"*)))']
    postgres = search.match_expressions(
        ["kestrel", "sso", "lite"], {}, "postgresql", lambda word, prefix: counts[word], common_from=1000
    )
    assert postgres == ["('sso' | ('sso' & ('kestrel' | 'lite':*)))"]


def test_common_words_alone_need_all_of_them_then_relax_the_least_frequent_first():
    counts = {"kestrel": 9000, "gateway": 3000, "throughput": 1500, "zzz": 0}
    plan = search.match_expressions(
        ["kestrel", "gateway", "throughput", "zzz"], {}, "sqlite", lambda w, p: counts[w], common_from=1000
    )
    # the unknown word matches nothing and is left out of the AND; the last resort is any word
    assert plan == [
        '("throughput" AND "gateway" AND "kestrel")',
        '("gateway" AND "kestrel")',
        '("kestrel" OR "gateway" OR "throughput" OR "zzz"*)',
    ]


def test_the_common_terms_plan_ranks_like_the_small_index_plan(kb, agent, monkeypatch):
    # given an index treated as large, where any word in 30 % of the documents is common
    question = "Does the Edge Gateway 400 support SSO with Azure AD?"
    small = [h.id for h in search.search(user=agent, query=question, mode="keyword").hits]
    monkeypatch.setattr(search, "COMMON_MIN_DOCUMENTS", 1)
    monkeypatch.setattr(search, "COMMON_SHARE", 0.3)
    search._frequencies.clear()
    search._documents_count.clear()
    try:
        large = search.search(user=agent, query=question, mode="keyword")
        # then the best answer is the same, on SQLite and PostgreSQL alike
        assert large.hits[0].id == small[0] == kb["sso"].pk
        # and a query made of common words only still finds what holds them all
        gateway = search.search(user=agent, query="edge gateway", mode="keyword")
        assert gateway.hits and all("gateway" in h.title.lower() for h in gateway.hits[:2])
    finally:
        search._frequencies.clear()
        search._documents_count.clear()
