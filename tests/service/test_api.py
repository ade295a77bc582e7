"""The cases API: SLA fields, errors naming fields, 404 for foreign records, ETags, uploads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from salesdesk.service import services
from salesdesk.service.models import Case, SlaPolicy

pytestmark = pytest.mark.django_db


def test_open_and_read_a_case_with_its_sla(client_as, agent, gold_world, gold_policy):
    client = client_as(agent)
    response = client.post(
        "/api/cases",
        {
            "subject": "No licences",
            "account_id": gold_world.customer.pk,
            "contact_id": gold_world.contact.pk,
            "priority": "high",
            "case_type": "complaint",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("CS-")
    assert body["first_response_due_at"] and body["resolution_due_at"]
    assert body["sla_state"] in {"on_track", "at_risk", "breached"}
    assert "time_left" in body and "time_left_minutes" in body
    detail = client.get(f"/api/cases/{body['id']}")
    assert detail.status_code == 200 and detail["ETag"] == f'"{body["id"]}.1"'


def test_bad_input_names_the_field(client_as, agent, gold_world, open_case):
    client = client_as(agent)
    response = client.post("/api/cases", {"subject": ""}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "subject"
    case = open_case()
    response = client.post(
        f"/api/cases/{case.pk}/escalations", {"to_tier": 9, "reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "to_tier"


def test_transition_rules_come_back_as_4xx(client_as, specialist, open_case):
    case = open_case()
    client = client_as(specialist)
    response = client.post(
        f"/api/cases/{case.pk}/transitions", {"status": "resolved"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "resolution_note"
    response = client.post(
        f"/api/cases/{case.pk}/transitions", {"status": "closed"}, content_type="application/json"
    )
    assert response.status_code == 409


def test_a_stale_if_match_is_refused(client_as, bid_manager, specialist, open_case):
    case = open_case()
    client = client_as(bid_manager)
    etag = client.get(f"/api/cases/{case.pk}")["ETag"]
    services.case_take(actor=specialist, case=case)
    response = client.post(
        f"/api/cases/{case.pk}/assignment",
        {"assignee_id": bid_manager.pk},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert response.status_code == 412
    assert Case.objects.get(pk=case.pk).assignee == specialist


def test_another_organisations_case_is_not_found(client_as, world_b, open_case):
    case = open_case()
    for user in (world_b.customer_user, world_b.partner_user):
        client = client_as(user)
        assert client.get(f"/api/cases/{case.pk}").status_code == 404
        response = client.post(
            f"/api/cases/{case.pk}/comments", {"body": "hi"}, content_type="application/json"
        )
        assert response.status_code == 404
        assert client.get("/api/cases").json()["results"] == []


def test_customer_follows_replies_and_attaches(client_as, gold_world, open_case):
    case = open_case()
    client = client_as(gold_world.customer_user)
    assert client.get("/api/cases").json()["results"][0]["id"] == case.pk
    assert (
        client.post(
            f"/api/cases/{case.pk}/comments", {"body": "Any news?"}, content_type="application/json"
        ).status_code
        == 201
    )
    upload = SimpleUploadedFile("trace.log", b"stack trace", content_type="text/plain")
    response = client.post(f"/api/cases/{case.pk}/attachments", {"file": upload})
    assert response.status_code == 201, response.content
    download = client.get(f"/api/attachments/{response.json()['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"stack trace"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    missing = client.post(f"/api/cases/{case.pk}/attachments")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "file"


def test_customer_does_not_see_the_opportunity_on_a_case(client_as, agent, gold_world, gold_policy):
    case = services.case_open(
        actor=agent,
        data={
            "subject": "x",
            "account_id": gold_world.customer.pk,
            "opportunity_id": gold_world.opportunity.pk,
        },
    )
    assert client_as(gold_world.customer_user).get(f"/api/cases/{case.pk}").json()["opportunity"] is None
    assert (
        client_as(agent).get(f"/api/cases/{case.pk}").json()["opportunity"]["id"] == gold_world.opportunity.pk
    )


def test_log_an_interaction(client_as, agent, gold_world):
    response = client_as(agent).post(
        "/api/interactions",
        {
            "kind": "call",
            "contact_id": gold_world.contact.pk,
            "direction": "inbound",
            "notes": "SSO question",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["account"]["id"] == gold_world.customer.pk
    assert client_as(gold_world.customer_user).get("/api/interactions").json()["results"] == []


def test_sla_policies_read_by_staff_written_by_level_6(client_as, agent, head, calendar, gold_world):
    body = {
        "customer_tier": "gold",
        "priority": "urgent",
        "first_response_minutes": 30,
        "resolution_minutes": 240,
        "calendar_id": calendar.pk,
    }
    assert (
        client_as(agent).post("/api/sla-policies", body, content_type="application/json").status_code == 403
    )
    response = client_as(head).post("/api/sla-policies", body, content_type="application/json")
    assert response.status_code == 201
    assert len(client_as(agent).get("/api/sla-policies").json()) == 1
    assert client_as(gold_world.customer_user).get("/api/sla-policies").json() == []
    policy = SlaPolicy.objects.get()
    patched = client_as(head).patch(
        f"/api/sla-policies/{policy.pk}", {"resolution_minutes": 20}, content_type="application/json"
    )
    assert patched.status_code == 400 and patched.json()["errors"][0]["field"] == "first_response_minutes"


def test_rating_without_signing_in(client, open_case, specialist):
    case = open_case()
    services.case_transition(actor=specialist, case=case, to_status="resolved", note="ok")
    token = services.rating_token(case)
    response = client.post("/api/ratings", {"token": token, "score": 5}, content_type="application/json")
    assert response.status_code == 201
    again = client.post("/api/ratings", {"token": token, "score": 1}, content_type="application/json")
    assert again.status_code == 409
    bad = client.post("/api/ratings", {"token": "nope", "score": 3}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "token"


def test_case_list_query_count_does_not_grow(client_as, agent, open_case, django_assert_max_num_queries):
    for _ in range(3):
        open_case()
    client = client_as(agent)
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/cases").json()["results"]) == 3
    for _ in range(5):
        open_case()
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/cases?queue=tier").json()["results"]) == 8


def test_a_foreign_id_in_a_body_is_not_found_and_named(client_as, gold_world, world_b):
    response = client_as(gold_world.partner_user).post(
        "/api/cases",
        {"subject": "x", "account_id": world_b.customer.pk},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["errors"] == [{"field": "account_id", "message": "no such customer account"}]
    response = client_as(gold_world.partner_user).post(
        "/api/interactions",
        {"kind": "call", "contact_id": world_b.contact.pk},
        content_type="application/json",
    )
    assert response.status_code == 404 and response.json()["errors"][0]["field"] == "contact_id"
    assert not Case.objects.exists()


def test_escalation_reasons_are_for_staff(client_as, agent, gold_world, open_case):
    case = open_case()
    services.case_escalate(actor=agent, case=case, to_tier=2, reason="Internal reason")
    assert client_as(agent).get(f"/api/cases/{case.pk}/escalations").json()[0]["reason"] == "Internal reason"
    assert client_as(gold_world.customer_user).get(f"/api/cases/{case.pk}/escalations").json() == []


def test_a_partner_sees_only_its_own_deal_on_a_case(client_as, agent, gold_world, gold_policy, sales_rep):
    from salesdesk.deals.models import Opportunity

    direct = Opportunity.objects.create(name="Direct deal", account=gold_world.customer, owner=sales_rep)
    own = services.case_open(
        actor=agent,
        data={
            "subject": "a",
            "account_id": gold_world.customer.pk,
            "opportunity_id": gold_world.opportunity.pk,
        },
    )
    other = services.case_open(
        actor=agent, data={"subject": "b", "account_id": gold_world.customer.pk, "opportunity_id": direct.pk}
    )
    client = client_as(gold_world.partner_user)
    assert client.get(f"/api/cases/{own.pk}").json()["opportunity"]["id"] == gold_world.opportunity.pk
    assert client.get(f"/api/cases/{other.pk}").json()["opportunity"] is None
