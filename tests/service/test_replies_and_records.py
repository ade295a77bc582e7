"""Replies, attachments, interactions, satisfaction and who sees which case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from salesdesk.core.audit import organisation_timeline
from salesdesk.core.errors import ApplicationError, StateConflict
from salesdesk.service import selectors, services
from salesdesk.service.models import Case, CaseAttachment, Interaction

from .conftest import MONDAY_10

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def test_customer_reply_resumes_a_waiting_case(open_case, specialist, gold_world):
    case = open_case()
    services.case_transition(actor=specialist, case=case, to_status="waiting_on_customer", now=MONDAY_10)
    services.case_reply(
        actor=gold_world.customer_user, case=case, body="Here are the logs", now=MONDAY_10 + H
    )
    case.refresh_from_db()
    assert case.status == "open" and case.paused_at is None and len(case.pauses) == 1


def test_customer_reply_reopens_a_resolved_case(open_case, specialist, gold_world):
    case = open_case()
    services.case_transition(actor=specialist, case=case, to_status="resolved", note="Sent")
    services.case_reply(actor=gold_world.customer_user, case=case, body="Still broken")
    case.refresh_from_db()
    assert case.status == "open" and case.resolved_at is None


def test_customer_reply_to_a_closed_case_opens_a_linked_one(open_case, specialist, gold_world):
    case = open_case(case_type="query")
    services.case_transition(actor=specialist, case=case, to_status="resolved", note="ok", now=MONDAY_10)
    services.case_transition(
        actor=specialist, case=case, to_status="closed", now=MONDAY_10 + dt.timedelta(days=4)
    )
    comment = services.case_reply(actor=gold_world.customer_user, case=case, body="It is back")
    assert comment.case != case
    assert comment.case.follow_up_of == case and comment.case.status == "new"
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_internal_notes_stay_internal(open_case, specialist, gold_world):
    case = open_case()
    services.case_reply(actor=specialist, case=case, body="Customer is upset", is_public=False)
    services.case_reply(actor=specialist, case=case, body="We are on it")
    case.refresh_from_db()
    assert [c.body for c in selectors.visible_comments(gold_world.customer_user)] == ["We are on it"]
    assert selectors.visible_comments(specialist).count() == 2
    # a staff's first public reply is the first response
    assert case.first_responded_at is not None


def test_attachments_are_checked_and_stored_safely(open_case, gold_world):
    case = open_case()
    user = gold_world.customer_user
    attachment = services.attachment_add(
        actor=user, case=case, upload=SimpleUploadedFile("../../etc/app server.log", b"boom")
    )
    assert attachment.filename == "app_server.log"
    assert attachment.content_type == "text/plain"
    assert ".." not in attachment.file.name and attachment.file.name.endswith(".log")
    with pytest.raises(ApplicationError) as exc:
        services.attachment_add(actor=user, case=case, upload=SimpleUploadedFile("evil.html", b"<script>"))
    assert exc.value.errors[0].field == "file"


def test_attachment_size_limit(open_case, gold_world, settings):
    settings.SALESDESK_CASE_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ApplicationError, match="larger than"):
        services.attachment_add(
            actor=gold_world.customer_user, case=open_case(), upload=SimpleUploadedFile("a.txt", b"x" * 11)
        )
    assert not CaseAttachment.objects.exists()


def test_log_interaction_links_and_checks(agent, gold_world, world_b, open_case):
    case = open_case()
    call = services.log_interaction(
        actor=agent,
        kind="call",
        contact=gold_world.contact,
        case=case,
        direction="inbound",
        duration_minutes=5,
    )
    assert call.account == gold_world.customer
    case.refresh_from_db()
    assert case.first_responded_at == call.occurred_at
    with pytest.raises(ApplicationError) as exc:
        services.log_interaction(actor=agent, kind="call")
    assert exc.value.errors[0].field == "contact_id"
    with pytest.raises(ApplicationError) as exc:
        services.log_interaction(
            actor=agent, kind="email", contact=gold_world.contact, account=world_b.customer
        )
    assert exc.value.errors[0].field == "account_id"
    with pytest.raises(ApplicationError):
        services.log_interaction(actor=gold_world.partner_user, kind="call", contact=world_b.contact)
    with pytest.raises(PermissionDenied):
        services.log_interaction(actor=gold_world.customer_user, kind="call", contact=gold_world.contact)
    assert Interaction.objects.count() == 1


def test_open_a_case_from_a_call(agent, gold_world, gold_policy):
    call = services.log_interaction(actor=agent, kind="call", contact=gold_world.contact, notes="No licences")
    case = services.case_open(
        actor=agent,
        data={"account_id": gold_world.customer.pk, "subject": "No licences", "case_type": "complaint"},
        interaction=call,
    )
    call.refresh_from_db()
    assert call.case == case


def test_rating_once_from_a_signed_link(open_case, specialist):
    case = open_case()
    services.case_transition(actor=specialist, case=case, to_status="resolved", note="Sent")
    token = services.rating_token(case)
    rated = services.case_rate(token=token, score=5, comment="Great")
    assert (rated.satisfaction_score, rated.satisfaction_comment) == (5, "Great")
    with pytest.raises(StateConflict):
        services.case_rate(token=token, score=1)
    with pytest.raises(ApplicationError) as exc:
        services.case_rate(token=token + "x", score=5)
    assert exc.value.errors[0].field == "token"


def test_an_expired_or_early_rating_link_is_refused(open_case, settings):
    case = open_case()
    token = services.rating_token(case)
    with pytest.raises(StateConflict, match="not resolved"):
        services.case_rate(token=token, score=4)
    settings.SALESDESK_RATING_LINK_DAYS = 0
    with pytest.raises(ApplicationError, match="expired"):
        services.case_rate(token=token, score=4)
    assert Case.objects.get(pk=case.pk).rated_at is None


def test_visibility_customer_partner_staff(open_case, agent, world_b, gold_world):
    case = open_case()
    assert selectors.case_get_for_user(user=gold_world.customer_user, case_id=case.pk) == case
    assert selectors.case_get_for_user(user=gold_world.partner_user, case_id=case.pk) == case
    assert selectors.case_get_for_user(user=agent, case_id=case.pk) == case
    for outsider in (world_b.customer_user, world_b.partner_user):
        with pytest.raises(Http404):
            selectors.case_get_for_user(user=outsider, case_id=case.pk)


def test_account_timeline_shows_cases_not_call_notes_to_customers(open_case, agent, gold_world):
    case = open_case()
    services.log_interaction(actor=agent, kind="call", contact=gold_world.contact, notes="internal")
    events = organisation_timeline(user=gold_world.customer_user, organisation_id=gold_world.customer.pk)
    kinds = {e.content_type.model for e in events}
    assert "case" in kinds and "interaction" not in kinds
    staff_kinds = {
        e.content_type.model
        for e in organisation_timeline(user=agent, organisation_id=gold_world.customer.pk)
    }
    assert {"case", "interaction"} <= staff_kinds
    assert case.reference


def test_escalation_reason_stays_off_the_customers_timeline(open_case, agent, gold_world):
    case = open_case()
    services.case_escalate(actor=agent, case=case, to_tier=2, reason="Customer keeps shouting")
    customer_events = organisation_timeline(
        user=gold_world.customer_user, organisation_id=gold_world.customer.pk
    )
    assert "Customer keeps shouting" not in str([(e.changes, e.detail) for e in customer_events])
    assert any(e.step == "escalated" for e in customer_events)
    staff_events = organisation_timeline(user=agent, organisation_id=gold_world.customer.pk)
    assert "Customer keeps shouting" in str([(e.changes, e.detail) for e in staff_events])


def test_an_internal_file_is_hidden_from_the_customer(open_case, specialist, gold_world):
    case = open_case()
    services.attachment_add(
        actor=specialist, case=case, upload=SimpleUploadedFile("notes.txt", b"internal"), is_public=False
    )
    services.attachment_add(
        actor=gold_world.customer_user,
        case=case,
        upload=SimpleUploadedFile("mine.txt", b"x"),
        is_public=False,
    )
    assert [a.filename for a in selectors.visible_attachments(gold_world.customer_user)] == ["mine.txt"]
    assert selectors.visible_attachments(specialist).count() == 2
    events = organisation_timeline(user=gold_world.customer_user, organisation_id=gold_world.customer.pk)
    assert "notes.txt" not in str([e.detail for e in events])


def test_partners_see_their_own_call_notes_not_the_vendors(agent, gold_world):
    vendor_call = services.log_interaction(
        actor=agent, kind="call", contact=gold_world.contact, notes="vendor"
    )
    own_call = services.log_interaction(
        actor=gold_world.partner_user, kind="call", contact=gold_world.contact, notes="partner"
    )
    assert list(selectors.visible_interactions(gold_world.partner_user)) == [own_call]
    assert set(selectors.visible_interactions(agent)) == {vendor_call, own_call}
    assert list(selectors.visible_interactions(gold_world.partner_teammate)) == [own_call]
