"""Cases: opening with SLA due times, assignment and its conflicts, transitions and their rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from salesdesk.core.errors import ApplicationError, StaleWrite, StateConflict
from salesdesk.core.models import AuditEvent
from salesdesk.parties.models import ProductSkill
from salesdesk.service import selectors, services
from salesdesk.service.models import Case, Escalation

from .conftest import BERLIN, MONDAY_10

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def test_opening_copies_the_policy_and_computes_due_times(open_case, gold_policy):
    case = open_case(now=dt.datetime(2026, 11, 27, 17, 30, tzinfo=BERLIN))  # Friday 17:30
    # first response 60 business minutes: 30 min on Friday, 30 on Monday
    assert case.first_response_due_at == dt.datetime(2026, 11, 30, 8, 30, tzinfo=BERLIN)
    # resolution 8 h: 30 min Friday + 7.5 h Monday
    assert case.resolution_due_at == dt.datetime(2026, 11, 30, 15, 30, tzinfo=BERLIN)
    assert (case.sla_policy, case.sla_policy_version, case.resolution_minutes) == (gold_policy, 1, 480)
    assert case.reference == f"CS-{case.pk:06d}"
    assert case.status == "new" and case.tier == 1 and case.assignee is None


def test_a_policy_change_applies_to_new_cases_only(open_case, gold_policy, head):
    first = open_case()
    services.sla_policy_update(actor=head, policy=gold_policy, data={"resolution_minutes": 120})
    second = open_case()
    first.refresh_from_db()
    assert first.resolution_minutes == 480
    assert second.resolution_minutes == 120
    assert second.sla_policy_version == 2


def test_only_level_6_sets_sla_policy(specialist, head, calendar):
    with pytest.raises(PermissionDenied):
        services.sla_policy_create(
            actor=specialist,
            data={
                "customer_tier": "silver",
                "priority": "low",
                "first_response_minutes": 60,
                "resolution_minutes": 600,
                "calendar_id": calendar.pk,
            },
        )
    with pytest.raises(ApplicationError) as exc:
        services.sla_policy_create(
            actor=head,
            data={
                "customer_tier": "silver",
                "priority": "low",
                "first_response_minutes": 600,
                "resolution_minutes": 60,
                "calendar_id": calendar.pk,
            },
        )
    assert exc.value.errors[0].field == "first_response_minutes"


def test_a_calendar_with_a_bad_time_zone_is_refused(head):
    with pytest.raises(ApplicationError) as exc:
        services.calendar_create(actor=head, data={"name": "Moon", "time_zone": "Moon/Base"})
    assert exc.value.errors[0].field == "time_zone"


def test_a_complaint_with_an_email_contact_is_acknowledged(
    open_case, gold_world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case()
    assert case.acknowledged_at == MONDAY_10
    assert mail.outbox[-1].to == [gold_world.contact.email]
    assert case.reference in mail.outbox[-1].subject


def test_customer_opens_only_on_their_own_account(world_a, world_b):
    case = services.case_open(actor=world_a.customer_user, data={"subject": "Help", "tier": 3})
    assert case.account == world_a.customer
    assert case.tier == 1 and case.channel == "web_portal"
    with pytest.raises(ApplicationError) as exc:
        services.case_open(
            actor=world_a.customer_user, data={"subject": "x", "account_id": world_b.customer.pk}
        )
    assert exc.value.errors[0].field == "account_id"


def test_partner_opens_for_a_managed_customer_not_another(world_a, world_b):
    case = services.case_open(
        actor=world_a.partner_user, data={"subject": "For my customer", "account_id": world_a.customer.pk}
    )
    assert case.channel == "partner"
    with pytest.raises(ApplicationError):
        services.case_open(
            actor=world_a.partner_user, data={"subject": "x", "account_id": world_b.customer.pk}
        )
    with pytest.raises(ApplicationError) as exc:
        services.case_open(
            actor=world_a.partner_user,
            data={"subject": "x", "account_id": world_a.customer.pk, "contact_id": world_b.contact.pk},
        )
    assert exc.value.errors[0].field == "contact_id"
    assert Case.objects.count() == 1


def test_two_assignments_of_the_same_version_one_wins(open_case, bid_manager, specialist, staff_factory):
    case = open_case()
    other = staff_factory(2, username="other")
    services.case_assign(actor=bid_manager, case=case, assignee=specialist, expected_version=case.version)
    with pytest.raises(StaleWrite) as exc:
        services.case_assign(actor=bid_manager, case=case, assignee=other, expected_version=case.version)
    assert "changed since you read it" in exc.value.errors[0].message
    case.refresh_from_db()
    assert case.assignee == specialist


def test_two_people_taking_from_the_queue_one_wins(open_case, specialist, staff_factory):
    case = open_case()
    other = staff_factory(2, username="other")
    services.case_take(actor=specialist, case=case)
    with pytest.raises(StateConflict) as exc:
        services.case_take(actor=other, case=case)
    assert "already taken" in exc.value.errors[0].message
    assert Case.objects.get(pk=case.pk).assignee == specialist


def test_assignee_must_reach_the_tier(open_case, bid_manager, agent, specialist):
    case = open_case(tier=2)
    with pytest.raises(ApplicationError) as exc:
        services.case_assign(actor=bid_manager, case=case, assignee=agent)
    assert exc.value.errors[0].field == "assignee_id"
    with pytest.raises(PermissionDenied):
        services.case_assign(actor=specialist, case=case, assignee=agent)


def test_routing_picks_the_least_loaded_with_the_skill(open_case, bid_manager, staff_factory, world_a):
    from .catalog_helpers import product

    gateway = product("Edge Gateway 400")
    skill = ProductSkill.objects.create(name="Edge Gateway 400")
    # given the agent and an unskilled colleague (no open cases), and two skilled people, one busy
    unskilled, busy, free = (staff_factory(1, username=n) for n in ("unskilled", "busy", "free"))
    busy.skills.add(skill)
    free.skills.add(skill)
    services.case_assign(actor=bid_manager, case=open_case(), assignee=busy)
    case = open_case(product_id=gateway.pk)
    routed = services.case_route(actor=bid_manager, case=case)
    # then the free skilled person gets it, not the lower-id unskilled ones
    assert routed.assignee == free
    assert unskilled.pk < free.pk


def test_transitions_pause_and_resume_the_clock(open_case, specialist):
    case = open_case()
    due = case.resolution_due_at
    services.case_transition(actor=specialist, case=case, to_status="open", now=MONDAY_10)
    case = services.case_transition(
        actor=specialist, case=case, to_status="waiting_on_customer", now=MONDAY_10 + H
    )
    assert selectors.sla_state(case, MONDAY_10 + 3 * H).state == "paused"
    case = services.case_transition(actor=specialist, case=case, to_status="open", now=MONDAY_10 + 3 * H)
    # due Monday 18:00; two paused working hours move it to Tuesday 10:00
    assert due == dt.datetime(2026, 11, 30, 18, tzinfo=BERLIN)
    assert case.resolution_due_at == dt.datetime(2026, 12, 1, 10, tzinfo=BERLIN)
    assert case.pauses and case.paused_at is None


def test_resolve_needs_a_note_and_a_level_reaching_the_tier(open_case, specialist, staff_factory, agent):
    case = open_case(tier=3)
    with pytest.raises(ApplicationError) as exc:
        services.case_transition(actor=specialist, case=case, to_status="resolved")
    assert exc.value.errors[0].field == "resolution_note"
    with pytest.raises(ApplicationError) as exc:
        services.case_transition(actor=specialist, case=case, to_status="resolved", note="Fixed")
    assert "level 3" in exc.value.errors[0].message
    with pytest.raises(PermissionDenied):
        services.case_transition(actor=agent, case=case, to_status="resolved", note="Fixed")
    case.refresh_from_db()
    assert case.status == "new" and case.version == 1
    consultant = staff_factory(3)
    case = services.case_transition(actor=consultant, case=case, to_status="resolved", note="Fixed")
    assert case.status == "resolved" and case.resolution_note == "Fixed"


def test_closing_waits_for_the_quiet_period(open_case, specialist):
    case = open_case(case_type="query")
    services.case_transition(actor=specialist, case=case, to_status="resolved", note="Done", now=MONDAY_10)
    with pytest.raises(StateConflict):
        services.case_transition(actor=specialist, case=case, to_status="closed", now=MONDAY_10 + H)
    case = services.case_transition(
        actor=specialist, case=case, to_status="closed", now=MONDAY_10 + dt.timedelta(days=4)
    )
    assert case.status == "closed"
    with pytest.raises(StateConflict):
        services.case_transition(actor=specialist, case=case, to_status="open")


def test_a_complaint_closes_only_with_its_handling_recorded(open_case, specialist):
    case = open_case()
    services.case_transition(actor=specialist, case=case, to_status="resolved", note="Sent", now=MONDAY_10)
    later = MONDAY_10 + dt.timedelta(days=4)
    with pytest.raises(ApplicationError) as exc:
        services.case_transition(actor=specialist, case=case, to_status="closed", now=later)
    assert exc.value.errors[0].field == "investigation"
    services.case_update_complaint(
        actor=specialist,
        case=case,
        data={
            "investigation": "Order line lost licences",
            "response": "Licences sent",
            "root_cause": "ERP export bug",
            "corrective_action": "Export fixed",
        },
    )
    case = services.case_transition(actor=specialist, case=case, to_status="closed", now=later)
    assert case.status == "closed"


def test_escalation_moves_to_the_higher_queue_and_mails_it(
    open_case, agent, specialist, bid_manager, django_capture_on_commit_callbacks
):
    case = open_case()
    services.case_take(actor=agent, case=case)
    with pytest.raises(ApplicationError) as exc:
        services.case_escalate(actor=agent, case=case, to_tier=1, reason="x")
    assert exc.value.errors[0].field == "to_tier"
    with django_capture_on_commit_callbacks(execute=True):
        escalation = services.case_escalate(
            actor=agent, case=case, to_tier=2, reason="No licence answer fits"
        )
    case.refresh_from_db()
    assert (case.tier, case.assignee, escalation.from_tier) == (2, None, 1)
    assert mail.outbox[-1].to == ["tomas@acme.test"]
    assert case in selectors.case_queue(user=specialist, queue="tier")
    assert case not in selectors.case_queue(user=agent, queue="tier")


def test_partners_and_customers_cannot_escalate(open_case, gold_world):
    case = open_case()
    with pytest.raises(PermissionDenied):
        services.case_escalate(actor=gold_world.partner_user, case=case, to_tier=2, reason="x")
    assert not Escalation.objects.exists()


def test_at_risk_cases_are_escalated_once(open_case, specialist):
    case = open_case(case_type="query")  # due Monday 18:00 (8 h from 10:00)
    services.case_reply(actor=specialist, case=case, body="On it", now=MONDAY_10)
    assert services.escalate_at_risk(now=MONDAY_10 + H) == []
    escalated = services.escalate_at_risk(now=MONDAY_10 + 7 * H)  # 1 h left of 8: at risk (75 %)
    assert [e.case_id for e in escalated] == [case.pk]
    assert escalated[0].automatic
    assert services.escalate_at_risk(now=MONDAY_10 + 7 * H) == []
    case.refresh_from_db()
    assert case.tier == 2


def test_a_missed_first_response_escalates(open_case):
    case = open_case(case_type="query")
    [escalation] = services.escalate_at_risk(now=MONDAY_10 + 2 * H)
    assert escalation.case_id == case.pk and "first response" in escalation.reason


def test_sla_states(open_case, specialist):
    case = open_case(case_type="query")
    services.case_reply(actor=specialist, case=case, body="Looking into it", now=MONDAY_10)
    case.refresh_from_db()
    assert selectors.sla_state(case, MONDAY_10 + H).state == "on_track"
    at_risk = selectors.sla_state(case, MONDAY_10 + 7 * H)
    assert (at_risk.state, at_risk.label) == ("at_risk", "1 h 0 m left")
    assert selectors.sla_state(case, MONDAY_10 + 9 * H).state == "breached"
    case = services.case_transition(
        actor=specialist, case=case, to_status="resolved", note="ok", now=MONDAY_10 + H
    )
    assert selectors.sla_state(case, MONDAY_10 + 9 * H).state == "met"


def test_first_response_target_counts_before_the_first_reply(open_case):
    case = open_case(case_type="query")
    state = selectors.sla_state(case, MONDAY_10 + 2 * H)
    assert (state.state, state.target) == ("breached", "first_response")


def test_refused_transition_changes_nothing(open_case, specialist):
    case = open_case()
    events = AuditEvent.objects.count()
    with pytest.raises(StateConflict):
        services.case_transition(actor=specialist, case=case, to_status="closed")
    case.refresh_from_db()
    assert case.status == "new" and case.version == 1
    assert AuditEvent.objects.count() == events


def test_breaching_soon_queue_holds_at_risk_and_breached_cases(open_case, specialist):
    at_risk = open_case(case_type="query", subject="At risk")
    calm = open_case(case_type="query", priority="low", subject="Calm")  # no policy for gold/low: no SLA
    services.case_reply(actor=specialist, case=at_risk, body="On it", now=MONDAY_10)
    queue = selectors.case_queue(user=specialist, queue="breaching", now=MONDAY_10 + 7 * H)
    assert list(queue) == [at_risk]
    assert calm not in selectors.case_queue(user=specialist, queue="breaching", now=MONDAY_10 + 30 * H)
    assert selectors.case_queue(user=specialist, queue="breaching", now=MONDAY_10 + H).count() == 0


def test_staff_reopen_a_resolved_case(open_case, specialist):
    case = open_case(case_type="query")
    services.case_transition(actor=specialist, case=case, to_status="resolved", note="Done")
    case = services.case_transition(actor=specialist, case=case, to_status="open")
    assert case.status == "open" and case.resolved_at is None


def test_a_complaint_without_acknowledgement_cannot_close(open_case, specialist):
    case = open_case(contact_id=None)  # no contact to acknowledge by e-mail
    assert case.acknowledged_at is None
    services.case_update_complaint(
        actor=specialist,
        case=case,
        data={"investigation": "a", "response": "b", "root_cause": "c", "corrective_action": "d"},
    )
    services.case_transition(actor=specialist, case=case, to_status="resolved", note="ok", now=MONDAY_10)
    later = MONDAY_10 + dt.timedelta(days=4)
    with pytest.raises(ApplicationError) as exc:
        services.case_transition(actor=specialist, case=case, to_status="closed", now=later)
    assert exc.value.errors[0].field == "acknowledged_at"
    services.case_update_complaint(actor=specialist, case=case, data={"acknowledged": True})
    assert (
        services.case_transition(actor=specialist, case=case, to_status="closed", now=later).status
        == "closed"
    )
