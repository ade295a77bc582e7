"""Audience scoping: partners and customers only ever read published items for their audience.

Lists, counts, detail pages and the API all go through ``visible_answers``/``visible_articles``.
"""

import pytest

from salesdesk.knowledge.selectors import visible_answers

pytestmark = pytest.mark.django_db


def _titles(qs):
    return {a.title for a in qs}


def test_customer_sees_only_published_customer_answers(library, world_a):
    assert _titles(visible_answers(world_a.customer_user)) == {library["customers"].title}


def test_partner_sees_published_partner_and_customer_answers(library, world_a):
    assert _titles(visible_answers(world_a.partner_user)) == {
        library["partners"].title,
        library["customers"].title,
    }


def test_level_1_and_sales_rep_see_every_published_answer(library, agent, sales_rep):
    published = {library[k].title for k in ("internal", "partners", "customers")}
    assert _titles(visible_answers(agent)) == published
    assert _titles(visible_answers(sales_rep)) == published


def test_level_2_sees_drafts_reviews_and_archive(library, specialist):
    assert _titles(visible_answers(specialist)) == {a.title for a in library.values()}


def test_admin_sees_no_knowledge(library, admin_user):
    assert not visible_answers(admin_user).exists()


@pytest.mark.parametrize("key", ["internal", "draft", "review", "archived", "partners"])
def test_customer_gets_404_for_hidden_answers_on_pages_and_api(library, world_a, client_as, key):
    client = client_as(world_a.customer_user)
    answer = library[key]
    assert client.get(f"/knowledge/answers/{answer.pk}/").status_code == 404
    response = client.get(f"/api/answers/{answer.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}


@pytest.mark.parametrize("key", ["internal", "draft", "review", "archived"])
def test_partner_gets_404_for_internal_and_unpublished(library, world_a, client_as, key):
    client = client_as(world_a.partner_user)
    assert client.get(f"/knowledge/answers/{library[key].pk}/").status_code == 404
    assert client.get(f"/api/answers/{library[key].pk}").status_code == 404


def test_customer_list_page_counts_only_visible(library, world_a, client_as):
    response = client_as(world_a.customer_user).get("/knowledge/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 answer" in body
    assert library["customers"].title in body
    for key in ("internal", "partners", "draft", "review", "archived"):
        assert library[key].title not in body


def test_partner_api_list_holds_only_their_audiences(library, world_a, client_as):
    response = client_as(world_a.partner_user).get("/api/answers?page_size=100")
    titles = {r["title"] for r in response.json()["results"]}
    assert titles == {library["partners"].title, library["customers"].title}
    # a status filter cannot reveal drafts
    response = client_as(world_a.partner_user).get("/api/answers?status=draft")
    assert response.json()["results"] == []


def test_partner_filter_by_stale_counts_only_visible(library, world_a, client_as, specialist):
    from salesdesk.knowledge import services

    for key in ("internal", "draft", "partners"):
        services.item_flag(actor=specialist, item=library[key], reason="check")
    response = client_as(world_a.partner_user).get("/api/answers?stale=true")
    assert [r["title"] for r in response.json()["results"]] == [library["partners"].title]


def test_versions_and_history_are_for_staff(library, world_a, client_as, agent):
    answer = library["customers"]
    client = client_as(world_a.customer_user)
    assert client.get(f"/api/answers/{answer.pk}").status_code == 200
    assert client.get(f"/api/answers/{answer.pk}/versions").status_code == 403
    assert client.get(f"/api/answers/{answer.pk}/diff").status_code == 403
    assert client.get(f"/api/answers/{answer.pk}/history").status_code == 403
    assert client.get(f"/knowledge/answers/{answer.pk}/versions/").status_code == 403
    assert client_as(agent).get(f"/api/answers/{answer.pk}/versions").status_code == 200


def test_customer_detail_page_hides_internal_details(library, world_a, client_as):
    body = client_as(world_a.customer_user).get(f"/knowledge/answers/{library['customers'].pk}/").content
    assert b"Yes, over SAML 2.0." in body
    assert b'id="timeline"' not in body
    assert b">Publish<" not in body
    assert b"Versions" not in body
