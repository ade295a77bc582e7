"""PATCH /api/cases/{id}: edit a case with If-Match, errors naming the field, re-targeting the SLA."""

from __future__ import annotations

import datetime as dt

import pytest

from salesdesk.core.models import AuditEvent
from salesdesk.service import services
from salesdesk.service.models import Case, SlaPolicy

from .conftest import BERLIN

pytestmark = pytest.mark.django_db


def _patch(client, case_id, body, **headers):
    return client.patch(f"/api/cases/{case_id}", body, content_type="application/json", headers=headers)


def test_staff_edit_a_case_with_if_match(client_as, agent, open_case):
    case = open_case()
    client = client_as(agent)
    etag = client.get(f"/api/cases/{case.pk}")["ETag"]
    response = _patch(
        client, case.pk, {"subject": "Licences missing", "description": "Two of five"}, **{"If-Match": etag}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["subject"], body["description"], body["version"]) == ("Licences missing", "Two of five", 2)
    assert response["ETag"] == f'"{case.pk}.2"'
    # The old ETag is stale now: 412, nothing written.
    stale = _patch(client, case.pk, {"subject": "Overwritten"}, **{"If-Match": etag})
    assert stale.status_code == 412
    assert Case.objects.get(pk=case.pk).subject == "Licences missing"
    event = AuditEvent.objects.filter(object_id=str(case.pk), action="updated").latest("id")
    assert event.changes["subject"] == ["Order arrived without licences", "Licences missing"]


def test_bad_values_are_4xx_naming_the_field(client_as, agent, open_case, world_b):
    case = open_case()
    client = client_as(agent)
    empty = _patch(client, case.pk, {"subject": ""})
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "subject"
    blank = _patch(client, case.pk, {"subject": "   "})
    assert blank.status_code == 400 and blank.json()["errors"][0]["field"] == "subject"
    priority = _patch(client, case.pk, {"priority": "whenever"})
    assert priority.status_code == 400 and priority.json()["errors"][0]["field"] == "priority"
    cleared_subject = _patch(client, case.pk, {"subject": None})
    assert cleared_subject.status_code == 400 and cleared_subject.json()["errors"][0]["field"] == "subject"
    # Another customer's contact: it exists, but not on this account.
    other = _patch(client, case.pk, {"contact_id": world_b.contact.pk})
    assert other.status_code == 400 and other.json()["errors"][0]["field"] == "contact_id"
    missing = _patch(client, case.pk, {"product_id": 987654})
    assert missing.status_code == 404 and missing.json()["errors"][0]["field"] == "product_id"
    assert Case.objects.get(pk=case.pk).version == 1


def test_links_are_set_and_cleared(client_as, agent, open_case, gold_world):
    case = open_case()
    client = client_as(agent)
    cleared = _patch(client, case.pk, {"contact_id": None})
    assert cleared.status_code == 200 and cleared.json()["contact"] is None
    again = _patch(
        client, case.pk, {"contact_id": gold_world.contact.pk, "opportunity_id": gold_world.opportunity.pk}
    )
    assert again.status_code == 200
    assert again.json()["contact"]["id"] == gold_world.contact.pk
    assert again.json()["opportunity"]["id"] == gold_world.opportunity.pk


def test_customers_and_partners_cannot_edit_and_foreign_cases_are_not_found(
    client_as, open_case, gold_world, world_b, agent
):
    case = open_case()
    assert _patch(client_as(gold_world.customer_user), case.pk, {"subject": "Mine now"}).status_code == 403
    assert _patch(client_as(gold_world.partner_user), case.pk, {"subject": "Ours now"}).status_code == 403
    assert _patch(client_as(world_b.customer_user), case.pk, {"subject": "x"}).status_code == 404
    assert Case.objects.get(pk=case.pk).subject == "Order arrived without licences"


def test_a_new_priority_retargets_the_sla_and_a_closed_case_is_not_edited(
    client_as, agent, open_case, calendar
):
    SlaPolicy.objects.create(
        customer_tier="gold",
        priority="urgent",
        first_response_minutes=30,
        resolution_minutes=4 * 60,
        at_risk_percent=50,
        calendar=calendar,
    )
    case = open_case()  # Monday 10:00, high: resolution due 18:00
    response = _patch(client_as(agent), case.pk, {"priority": "urgent"})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.resolution_due_at == dt.datetime(2026, 11, 30, 14, tzinfo=BERLIN)
    assert case.first_response_due_at == dt.datetime(2026, 11, 30, 10, 30, tzinfo=BERLIN)
    assert case.at_risk_at == dt.datetime(2026, 11, 30, 10, 15, tzinfo=BERLIN)
    assert (case.resolution_minutes, case.at_risk_percent) == (240, 50)
    # A closed case stays as it was closed.
    Case._base_manager.filter(pk=case.pk).update(status="closed")
    closed = _patch(client_as(agent), case.pk, {"subject": "Later"})
    assert closed.status_code == 409 and closed.json()["errors"][0]["field"] == "status"


def test_the_service_refuses_fields_it_does_not_edit(agent, open_case):
    from salesdesk.core.errors import ApplicationError

    case = open_case()
    with pytest.raises(ApplicationError) as refused:
        services.case_update(actor=agent, case=case, data={"status": "closed"})
    assert refused.value.errors[0].field == "status"
