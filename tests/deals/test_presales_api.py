"""The presales API: list (filters, cursor pages), ask, detail, steps, assign, comments, workload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from salesdesk.deals import presales_services as services
from salesdesk.deals.models import PresalesComment, PresalesRequest

from .presales_fixtures import *  # noqa: F403 - the fixtures

pytestmark = pytest.mark.django_db


def body(opportunity, **data):
    return {
        "opportunity_id": opportunity.pk,
        "kind": "technical_qualification",
        "description": "Qualify the SSO integration",
        "due_date": (timezone.now() + dt.timedelta(days=10)).date().isoformat(),
        **data,
    }


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def make(actor, opportunity, **data):
    payload = body(opportunity, **data)
    payload.pop("opportunity_id")
    return services.presales_request_create(actor=actor, opportunity=opportunity, data=payload)


def test_a_partner_asks_through_the_api_and_sees_the_targets(client_as, world_a, sso_skill):
    response = post(
        client_as(world_a.partner_user),
        "/api/presales-requests",
        body(world_a.opportunity, skill_ids=[sso_skill.pk]),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "requested"
    assert data["skills"] == [{"id": sso_skill.pk, "name": "Identity and SSO"}]
    assert data["target"]["state"] in ("acknowledge_due", "acknowledge_overdue")
    assert data["target"]["label"].startswith("acknowledge")
    assert data["requested_by"]["id"] == world_a.partner_user.pk


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"due_date": "2020-01-01"}, "due_date"),
        ({"due_date": "soon"}, "due_date"),
        ({"skill_ids": [424242]}, "skill_ids"),
        ({"description": ""}, "description"),
        ({"estimated_hours": "-1"}, "estimated_hours"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client_as, sales_rep, world_a, data, field):
    response = post(client_as(sales_rep), "/api/presales-requests", body(world_a.opportunity, **data))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert not PresalesRequest.objects.exists()


def test_a_customer_cannot_ask_nor_list(client_as, world_a):
    client = client_as(world_a.customer_user)
    # the opportunity is not visible to a customer: 404 before anything else
    assert post(client, "/api/presales-requests", body(world_a.opportunity)).status_code == 404
    make(world_a.partner_user, world_a.opportunity)
    assert client.get("/api/presales-requests").json()["results"] == []


def test_partners_see_only_their_organisations_requests(client_as, sales_rep, world_a, world_b):
    mine = make(world_a.partner_user, world_a.opportunity)
    make(world_b.partner_user, world_b.opportunity)
    make(sales_rep, world_a.opportunity)  # the vendor's own request on A's deal: internal
    client = client_as(world_a.partner_teammate)
    listed = [r["id"] for r in client.get("/api/presales-requests").json()["results"]]
    assert listed == [mine.pk]
    others = PresalesRequest.objects.exclude(pk=mine.pk)
    for other in others:
        assert client.get(f"/api/presales-requests/{other.pk}").status_code == 404


def test_the_whole_flow_through_the_api(client_as, sales_rep, world_a, manager, engineer, sso_skill):
    rep, grace, jonas = client_as(sales_rep), client_as(manager), client_as(engineer)
    created = post(rep, "/api/presales-requests", body(world_a.opportunity, skill_ids=[sso_skill.pk])).json()
    url = f"/api/presales-requests/{created['id']}"
    candidates = grace.get(url + "/candidates").json()
    assert [c["person"]["id"] for c in candidates] == [engineer.pk]
    response = post(grace, url + "/assign", {"assignee_id": engineer.pk, "estimated_hours": "16"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "assigned" and response.json()["estimated_hours"] == "16.0"
    assert post(jonas, url + "/transitions", {"action": "start"}).json()["status"] == "in_progress"
    assert post(rep, url + "/comments", {"text": "Customer moved the meeting to 10:00"}).status_code == 201
    done = post(jonas, url + "/transitions", {"action": "deliver", "note": "Qualified: fits"}).json()
    assert done["status"] == "delivered"
    assert done["target"]["state"] == "delivered_on_time"
    assert [c["text"] for c in done["comments"]] == ["Customer moved the meeting to 10:00"]


def test_a_step_from_the_wrong_status_is_409_and_a_missing_reason_400(client_as, sales_rep, world_a, manager):
    request = make(sales_rep, world_a.opportunity)
    grace = client_as(manager)
    url = f"/api/presales-requests/{request.pk}/transitions"
    assert post(grace, url, {"action": "deliver"}).status_code == 409
    response = post(grace, url, {"action": "decline"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "reason"
    assert post(grace, url, {"action": "explode"}).status_code == 400
    request.refresh_from_db()
    assert request.status == "requested"


def test_assigning_needs_level_5_and_a_presales_person(client_as, sales_rep, world_a, manager, engineer):
    request = make(sales_rep, world_a.opportunity)
    url = f"/api/presales-requests/{request.pk}/assign"
    assert post(client_as(engineer), url, {"assignee_id": engineer.pk}).status_code == 403
    response = post(client_as(manager), url, {"assignee_id": world_a.partner_user.pk})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "assignee_id"
    request.refresh_from_db()
    assert request.assignee is None


def test_workload_is_for_level_5(client_as, sales_rep, world_a, manager, engineer, architect, gateway_skill):
    request = make(sales_rep, world_a.opportunity)
    services.presales_request_assign(
        actor=manager, request=request, assignee_id=architect.pk, estimated_hours=5
    )
    assert client_as(engineer).get("/api/presales-workload").status_code == 403
    rows = {r["person"]["id"]: r for r in client_as(manager).get("/api/presales-workload").json()}
    assert rows[architect.pk]["open_requests"] == 1
    assert rows[architect.pk]["estimated_hours"] == "5.0"
    assert rows[architect.pk]["skills"] == ["Edge Gateway"]
    assert rows[engineer.pk]["open_requests"] == 0
    assert rows[engineer.pk]["open_cases"] == 0
    assert not rows[architect.pk]["overloaded"]
    # a 36-hour request more puts Felix over a 40-hour week
    big = make(sales_rep, world_a.opportunity)
    services.presales_request_assign(actor=manager, request=big, assignee_id=architect.pk, estimated_hours=36)
    rows = {r["person"]["id"]: r for r in client_as(manager).get("/api/presales-workload").json()}
    assert rows[architect.pk]["load_hours"] == "41.0" and rows[architect.pk]["overloaded"]


def test_list_filters_and_cursor_pagination(client_as, sales_rep, world_a, manager, engineer, sso_skill):
    for _ in range(3):
        make(sales_rep, world_a.opportunity)
    with_skill = make(sales_rep, world_a.opportunity, kind="demo", skill_ids=[sso_skill.pk])
    services.presales_request_assign(actor=manager, request=with_skill, assignee_id=engineer.pk)
    client = client_as(manager)
    assert [
        r["id"] for r in client.get(f"/api/presales-requests?skill_id={sso_skill.pk}").json()["results"]
    ] == [with_skill.pk]
    assert len(client.get("/api/presales-requests?kind=demo").json()["results"]) == 1
    assert len(client.get("/api/presales-requests?status=requested").json()["results"]) == 3
    assert (
        client.get(f"/api/presales-requests?assignee_id={engineer.pk}").json()["results"][0]["id"]
        == with_skill.pk
    )
    assert client.get("/api/presales-requests?overdue=true").json()["results"] == []
    assert client.get("/api/presales-requests?status=bogus").status_code == 400
    first = client.get("/api/presales-requests?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 4


def test_the_list_costs_the_same_queries_for_more_rows(
    client_as, sales_rep, world_a, manager, engineer, sso_skill, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            request = make(sales_rep, world_a.opportunity, skill_ids=[sso_skill.pk])
            services.presales_request_assign(actor=manager, request=request, assignee_id=engineer.pk)

    client = client_as(manager)
    grow(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/api/presales-requests")
    grow(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/presales-requests")


def test_comments_by_a_customer_or_an_outsider_are_refused(client_as, world_a, world_b):
    request = make(world_a.partner_user, world_a.opportunity)
    url = f"/api/presales-requests/{request.pk}/comments"
    assert post(client_as(world_b.partner_user), url, {"text": "hi"}).status_code == 404
    assert post(client_as(world_a.customer_user), url, {"text": "hi"}).status_code == 404
    assert not PresalesComment.objects.exists()
