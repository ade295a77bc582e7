"""The search page, the home page's question box, GET /api/search and `salesdesk search`."""

# ruff: noqa: F811 — the `kb` fixture comes from test_search and is used as a parameter.
from __future__ import annotations

import json

import pytest

from salesdesk.cli import main
from salesdesk.knowledge import services

from .test_search import HOSTILE, kb  # noqa: F401  (the fixture knowledge base)

pytestmark = pytest.mark.django_db


def test_the_search_page_ranks_and_highlights(kb, agent, client_as):
    response = client_as(agent).get(
        "/knowledge/search/", {"q": "Does the Edge Gateway 400 support SSO with Azure AD?"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    first = body.index(f"/knowledge/answers/{kb['sso'].pk}/")
    assert first < body.index(f"/knowledge/answers/{kb['reset'].pk}/")
    assert "<mark>" in body


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_answer_200_on_the_page_and_the_api(kb, agent, client_as, query):
    client = client_as(agent)
    assert client.get("/knowledge/search/", {"q": query}).status_code == 200
    response = client.get("/api/search", {"q": query})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_empty_and_no_result_states(kb, agent, client_as):
    client = client_as(agent)
    assert "Type a product, a question or a few words." in client.get("/knowledge/search/").content.decode()
    page = client.get("/knowledge/search/", {"q": "zebra unicorn"}).content.decode()
    assert "Nothing matches your search." in page


def test_stale_results_carry_a_warning(kb, agent, specialist, client_as):
    services.item_flag(actor=specialist, item=kb["reset"], reason="new firmware")
    page = client_as(agent).get("/knowledge/search/", {"q": "reset admin password"}).content.decode()
    assert "Needs review" in page


def test_the_page_paginates(kb, agent, client_as, make_answer):
    for n in range(25):
        make_answer(f"Gateway question number {n}?", body="About the gateway.")
    client = client_as(agent)
    first = client.get("/knowledge/search/", {"q": "gateway"}).content.decode()
    second = client.get("/knowledge/search/", {"q": "gateway", "page": 2}).content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second


def test_query_count_does_not_grow_with_results(
    kb, agent, client_as, make_answer, django_assert_max_num_queries
):
    client = client_as(agent)
    client.get("/knowledge/search/", {"q": "gateway"})
    # (a level-1 agent's own unpublished items are two small id lookups before the search)
    with django_assert_max_num_queries(14) as few:
        client.get("/knowledge/search/", {"q": "gateway"})
    for n in range(15):
        make_answer(f"Gateway question number {n}?", body="About the gateway.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/knowledge/search/", {"q": "gateway"})


def test_partners_and_customers_see_scoped_results_and_counts_on_the_page(
    kb, world_a, client_as, make_answer
):
    hidden = make_answer("Edge Gateway 400 Zanzibar margin?", audience="internal")
    query = "edge gateway 400 zanzibar"
    for user in (world_a.partner_user, world_a.customer_user):
        page = client_as(user).get("/knowledge/search/", {"q": query}).content.decode()
        assert f"/knowledge/answers/{hidden.pk}/" not in page
        assert "Zanzibar margin" not in page
        # the count is of what they may see: the published customer answers and the product
        visible = page.count('class="search-result"')
        assert f"{visible} result" in page
        api = client_as(user).get("/api/search", {"q": query}).json()
        assert all(r["id"] != hidden.pk or r["kind"] != "answer" for r in api["results"])


def test_the_api_returns_ranked_results_with_their_fields(kb, agent, client_as):
    response = client_as(agent).get("/api/search", {"q": "edge gatway 400", "type": "product", "limit": 5})
    results = response.json()["results"]
    assert results[0] == {
        "kind": "product",
        "id": kb["gateway"].pk,
        "external_id": "KS-EG-400",
        "title": "Edge Gateway 400",
        "snippet": results[0]["snippet"],
        "score": results[0]["score"],
        "stale": False,
    }
    assert 0 < results[0]["score"] <= 1


def test_the_home_page_has_the_question_box_for_staff(agent, world_a, client_as):
    assert 'action="/knowledge/suggest/"' in client_as(agent).get("/").content.decode()
    assert 'action="/knowledge/suggest/"' not in client_as(world_a.customer_user).get("/").content.decode()


def test_the_cli_searches_with_the_same_ranking(kb, bid_manager, agent, capsys):
    query = "Does the Edge Gateway 400 support SSO with Azure AD?"
    assert main(["search", query, "--json", "--limit", "3"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert len(results) == 3
    assert results[0] == {
        "kind": "answer",
        "id": kb["sso"].pk,
        "external_id": "",
        "title": query,
        "score": results[0]["score"],
    }
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


@pytest.mark.parametrize("query", ["", "?!*", '"'])
def test_the_cli_gives_empty_results_for_empty_queries(db, query, capsys):
    assert main(["search", query, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"results": []}


def test_kb_index_rebuilds_the_index(kb, capsys):
    assert main(["kb", "index"]) == 0
    assert "Indexed 9 " in capsys.readouterr().out


def test_the_api_takes_a_mode_and_says_which_ran(kb, agent, client_as):
    client = client_as(agent)
    query = "Does the Edge Gateway 400 support SSO with Azure AD?"
    keyword = client.get("/api/search", {"q": query, "mode": "keyword"}).json()
    assert keyword["mode"] == "keyword"
    assert keyword["results"][0]["id"] == kb["sso"].pk
    assert keyword["total"] >= len(keyword["results"])
    # Without stored embeddings, hybrid falls back to keyword search and says so.
    hybrid = client.get("/api/search", {"q": query}).json()
    assert hybrid["mode"] == "keyword"
    assert [r["id"] for r in hybrid["results"]] == [r["id"] for r in keyword["results"]]


def test_the_api_refuses_an_unknown_mode_naming_the_field(kb, agent, client_as):
    response = client_as(agent).get("/api/search", {"q": "gateway", "mode": "magic"})
    assert response.status_code in (400, 422)
    assert "mode" in json.dumps(response.json())


def test_the_api_pages_with_offset_and_filters_on_freshness(kb, agent, client_as, make_answer):
    client = client_as(agent)
    everything = client.get("/api/search", {"q": "gateway", "limit": 50}).json()
    assert everything["total"] >= 2
    second = client.get("/api/search", {"q": "gateway", "limit": 1, "offset": 1}).json()
    assert second["results"][0]["id"] == everything["results"][1]["id"]
    # given one gateway answer overdue for review
    overdue = make_answer("Which gateway firmware is current?", review_by="2020-01-01")
    stale = client.get("/api/search", {"q": "gateway", "freshness": "stale", "limit": 50}).json()
    assert [hit["id"] for hit in stale["results"]] == [overdue.pk]
    assert stale["results"][0]["stale"] is True
    fresh = client.get("/api/search", {"q": "gateway", "freshness": "fresh", "limit": 50}).json()
    assert overdue.pk not in [hit["id"] for hit in fresh["results"] if hit["kind"] == "answer"]
