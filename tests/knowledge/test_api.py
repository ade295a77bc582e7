"""The knowledge API: ETags, If-Match, workflow steps, versions and diffs, query counts."""

import pytest

from salesdesk.knowledge.models import Answer, Article

pytestmark = pytest.mark.django_db


def test_level_2_drafts_through_the_api(specialist, client_as, gateway):
    response = client_as(specialist).post(
        "/api/answers",
        {"title": "SSO?", "body": "Yes.", "product_ids": [gateway.pk], "alternatives": ["Entra?"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["products"] == [{"id": gateway.pk, "sku": "KS-EG-400", "name": "Edge Gateway 400",
                                 "lifecycle": "available"}]  # fmt: skip
    assert response["ETag"] == f'"{body["id"]}.1"'


def test_level_1_cannot_draft_through_the_api(agent, client_as):
    response = client_as(agent).post(
        "/api/articles", {"title": "T", "body": "B"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_etag_and_if_match(specialist, make_answer, client_as):
    answer = make_answer(status="draft")
    client = client_as(specialist)
    response = client.get(f"/api/answers/{answer.pk}")
    etag = response["ETag"]
    assert client.get(f"/api/answers/{answer.pk}", headers={"if-none-match": etag}).status_code == 304
    ok = client.patch(
        f"/api/answers/{answer.pk}", {"body": "Changed."}, content_type="application/json",
        headers={"if-match": etag},
    )  # fmt: skip
    assert ok.status_code == 200
    assert ok.json()["body"] == "Changed."
    stale = client.patch(
        f"/api/answers/{answer.pk}", {"body": "Lost update"}, content_type="application/json",
        headers={"if-match": etag},
    )  # fmt: skip
    assert stale.status_code == 412
    answer.refresh_from_db()
    assert answer.body == "Changed."


def test_workflow_steps_through_the_api(specialist, bid_manager, make_answer, client_as):
    answer = make_answer(status="draft")
    url = f"/api/answers/{answer.pk}"
    assert client_as(specialist).post(f"{url}/submit").json()["status"] == "in_review"
    assert client_as(specialist).post(f"{url}/publish").status_code == 403
    assert client_as(bid_manager).post(f"{url}/publish").json()["status"] == "published"
    assert client_as(bid_manager).post(f"{url}/publish").status_code == 409
    bad = client_as(bid_manager).post(f"{url}/return", {"comment": ""}, content_type="application/json")
    assert bad.status_code == 400
    back = client_as(bid_manager).post(
        f"{url}/return", {"comment": "Add steps"}, content_type="application/json"
    )
    assert back.json()["status"] == "draft"
    assert client_as(bid_manager).post(f"{url}/archive").json()["status"] == "archived"


def test_versions_and_diff_through_the_api(specialist, make_answer, client_as):
    answer = make_answer(status="draft", body="One.\nTwo.")
    client = client_as(specialist)
    client.patch(f"/api/answers/{answer.pk}", {"body": "One.\nThree."}, content_type="application/json")
    versions = client.get(f"/api/answers/{answer.pk}/versions").json()["results"]
    assert [v["number"] for v in versions] == [2, 1]
    diff = client.get(f"/api/answers/{answer.pk}/diff?from=1&to=2").json()
    assert diff["from_version"] == 1 and diff["to_version"] == 2
    assert "-Two." in diff["unified"] and "+Three." in diff["unified"]
    assert client.get(f"/api/answers/{answer.pk}/diff?from=1&to=9").status_code == 404
    assert client.get(f"/api/answers/{answer.pk}/diff?from=x").status_code == 400


def test_filters(specialist, make_answer, client_as, gateway):
    make_answer("Tagged?", tags=["vpn"], product_ids=[gateway.pk])
    make_answer("Other?", audience="internal")
    client = client_as(specialist)
    assert [r["title"] for r in client.get("/api/answers?tag=vpn").json()["results"]] == ["Tagged?"]
    assert [r["title"] for r in client.get(f"/api/answers?product_id={gateway.pk}").json()["results"]] == [
        "Tagged?"
    ]
    assert [r["title"] for r in client.get("/api/answers?audience=internal").json()["results"]] == ["Other?"]


def test_list_query_count_does_not_grow_with_rows(specialist, make_answer, client_as, gateway,
                                                  django_assert_max_num_queries):  # fmt: skip
    for n in range(12):
        make_answer(f"Question {n}?", product_ids=[gateway.pk])
    client = client_as(specialist)
    with django_assert_max_num_queries(8):
        response = client.get("/api/answers?page_size=50")
    assert len(response.json()["results"]) == 12
    with django_assert_max_num_queries(8):
        client.get("/api/articles?page_size=50")


def test_page_query_counts_do_not_grow_with_rows(specialist, make_answer, client_as, gateway,
                                                 django_assert_max_num_queries):  # fmt: skip
    for n in range(12):
        make_answer(f"Question {n}?", product_ids=[gateway.pk])
    client = client_as(specialist)
    with django_assert_max_num_queries(12):
        response = client.get("/knowledge/")
    assert response.status_code == 200
    assert "12 answers" in response.content.decode()
    with django_assert_max_num_queries(12):
        assert client.get("/knowledge/review/").status_code == 200


def test_pages_render_for_each_role(specialist, bid_manager, agent, make_answer, client_as):
    answer = make_answer(status="in_review")
    for user in (specialist, bid_manager, agent):
        client = client_as(user)
        assert client.get("/knowledge/").status_code == 200
        assert client.get("/knowledge/?type=articles").status_code == 200
    assert client_as(specialist).get(f"/knowledge/answers/{answer.pk}/").status_code == 200
    assert client_as(specialist).get(f"/knowledge/answers/{answer.pk}/versions/").status_code == 200
    assert client_as(specialist).get("/knowledge/answers/new/").status_code == 200
    assert client_as(agent).get("/knowledge/answers/new/").status_code == 403
    page = client_as(bid_manager).get(f"/knowledge/answers/{answer.pk}/").content.decode()
    assert "Publish" in page and "Return to draft" in page


def test_create_edit_and_publish_through_the_pages(specialist, bid_manager, client_as, gateway):
    client = client_as(specialist)
    response = client.post(
        "/knowledge/answers/new/",
        {"title": "Edge SSO?", "body": "Yes.", "tags": "sso, azure", "audience": "customers",
         "products": [gateway.pk], "alternatives": "Entra?\nAzure AD?"},
    )  # fmt: skip
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert answer.alternatives == ["Entra?", "Azure AD?"]
    response = client.post(
        f"/knowledge/answers/{answer.pk}/edit/",
        {"title": "Edge SSO?", "body": "Yes, SAML.", "audience": "customers", "version": answer.version},
    )
    assert response.status_code == 302
    client.post(f"/knowledge/answers/{answer.pk}/submit/")
    client_as(bid_manager).post(f"/knowledge/answers/{answer.pk}/publish/")
    answer.refresh_from_db()
    assert answer.status == "published"
    assert answer.versions.count() == 2
    refused = client_as(bid_manager).post(f"/knowledge/answers/{answer.pk}/return/", {"comment": ""})
    assert refused.status_code == 400
    answer.refresh_from_db()
    assert answer.status == "published"
