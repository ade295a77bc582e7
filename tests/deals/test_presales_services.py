"""Presales requests: every rule of asking, the status steps, assignment by skill and load, comments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from salesdesk.core.errors import ApplicationError, StateConflict
from salesdesk.core.models import AuditEvent
from salesdesk.deals import presales_services as services
from salesdesk.deals.models import PresalesComment, PresalesRequest
from salesdesk.deals.presales_selectors import suggest_assignees, team_workload
from salesdesk.deals.services import opportunity_update

from .presales_fixtures import *  # noqa: F403 - the fixtures
from .presales_fixtures import FRIDAY_2PM, ask

pytestmark = pytest.mark.django_db


# --- Asking ---------------------------------------------------------------------------------------


def test_a_sales_rep_asks_and_the_request_waits_for_acknowledgement(sales_rep, world_a, sso_skill):
    request = ask(sales_rep, world_a.opportunity, skill_ids=[sso_skill.pk], priority="high")
    assert request.status == "requested"
    assert request.requested_by == sales_rep
    assert [s.name for s in request.skills.all()] == ["Identity and SSO"]
    assert request.priority == "high"
    assert AuditEvent.objects.filter(object_id=str(request.pk), action="created").exists()


def test_a_partner_asks_on_its_own_deal_and_the_request_carries_its_organisation(world_a):
    request = ask(world_a.partner_user, world_a.opportunity, kind="rfp_response")
    assert request.requester_organisation == world_a.partner


def test_a_customer_may_not_ask(world_a):
    with pytest.raises(PermissionDenied):
        ask(world_a.customer_user, world_a.opportunity)
    assert not PresalesRequest.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "lunch"}, "kind"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"due_date": dt.date(2026, 12, 3)}, "due_date"),  # the day before "now"
        ({"due_date": dt.date(2030, 1, 1)}, "due_date"),
        ({"due_date": None}, "due_date"),
        ({"priority": "asap"}, "priority"),
        ({"skill_ids": [999999]}, "skill_ids"),
        ({"skill_ids": "1,2"}, "skill_ids"),
        ({"estimated_hours": "-3"}, "estimated_hours"),
        ({"estimated_hours": "lots"}, "estimated_hours"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_named_and_nothing_is_written(sales_rep, world_a, data, field):
    with pytest.raises(ApplicationError) as exc:
        ask(sales_rep, world_a.opportunity, **data)
    assert exc.value.errors[0].field == field
    assert not PresalesRequest.objects.exists()


def test_no_request_on_a_closed_opportunity(sales_rep, world_a, manager):
    lost = opportunity_update(
        actor=sales_rep, opportunity=world_a.opportunity, data={"stage": "lost", "lost_reason": "x"}
    )
    with pytest.raises(StateConflict) as exc:
        ask(sales_rep, lost)
    assert exc.value.status == 409
    assert exc.value.errors[0].field == "opportunity_id"


# --- The status steps ----------------------------------------------------------------------------


def test_the_whole_way_to_delivery(sales_rep, world_a, manager, engineer, sso_skill):
    request = ask(sales_rep, world_a.opportunity, skill_ids=[sso_skill.pk])
    later = FRIDAY_2PM + dt.timedelta(hours=1)
    request = services.presales_request_acknowledge(actor=manager, request=request, now=later)
    assert (request.status, request.acknowledged_at) == ("acknowledged", later)
    request = services.presales_request_assign(actor=manager, request=request, assignee_id=engineer.pk)
    assert (request.status, request.assignee) == ("assigned", engineer)
    request = services.presales_request_start(actor=engineer, request=request)
    assert request.status == "in_progress" and request.started_at is not None
    request = services.presales_request_deliver(
        actor=engineer, request=request, note="Demo held, slides sent"
    )
    assert request.status == "delivered"
    assert request.delivery_note == "Demo held, slides sent"
    steps = list(
        AuditEvent.objects.filter(object_id=str(request.pk), action="step")
        .order_by("id")
        .values_list("step", flat=True)
    )
    assert steps == ["acknowledged", "assigned", "started", "delivered"]


@pytest.mark.parametrize(
    ("status", "step"),
    [
        ("acknowledged", "acknowledge"),
        ("requested", "start"),
        ("requested", "deliver"),
        ("assigned", "decline"),
        ("delivered", "cancel"),
        ("cancelled", "acknowledge"),
    ],
)
def test_a_step_from_the_wrong_status_is_a_conflict_and_changes_nothing(
    sales_rep, world_a, manager, engineer, status, step
):
    request = ask(sales_rep, world_a.opportunity)
    if status != "requested":
        if status == "cancelled":
            services.presales_request_cancel(actor=sales_rep, request=request, reason="No longer needed")
        else:
            services.presales_request_acknowledge(actor=manager, request=request)
            if status in ("assigned", "delivered"):
                services.presales_request_assign(actor=manager, request=request, assignee_id=engineer.pk)
            if status == "delivered":
                services.presales_request_start(actor=engineer, request=request)
                services.presales_request_deliver(actor=engineer, request=request)
    request.refresh_from_db()
    version = request.version
    with pytest.raises(StateConflict) as exc:
        services.presales_request_transition(actor=manager, request=request, action=step, reason="because")
    assert exc.value.errors[0].field == "status"
    request.refresh_from_db()
    assert (request.status, request.version) == (status, version)


def test_only_level_5_acknowledges_assigns_and_declines(sales_rep, world_a, engineer):
    request = ask(sales_rep, world_a.opportunity)
    with pytest.raises(PermissionDenied):
        services.presales_request_acknowledge(actor=engineer, request=request)
    with pytest.raises(PermissionDenied):
        services.presales_request_assign(actor=sales_rep, request=request, assignee_id=engineer.pk)
    with pytest.raises(PermissionDenied):
        services.presales_request_decline(actor=engineer, request=request, reason="busy")
    request.refresh_from_db()
    assert request.status == "requested"


def test_only_the_assignee_or_level_5_starts_and_delivers(sales_rep, world_a, manager, engineer, architect):
    request = ask(sales_rep, world_a.opportunity)
    services.presales_request_assign(actor=manager, request=request, assignee_id=engineer.pk)
    with pytest.raises(ApplicationError) as exc:
        services.presales_request_start(actor=architect, request=request)
    assert exc.value.status == 403
    request = services.presales_request_start(actor=manager, request=request)
    assert request.status == "in_progress"


def test_declining_and_cancelling_need_a_reason(sales_rep, world_a, manager):
    request = ask(sales_rep, world_a.opportunity)
    with pytest.raises(ApplicationError) as exc:
        services.presales_request_decline(actor=manager, request=request, reason="  ")
    assert exc.value.errors[0].field == "reason"
    with pytest.raises(ApplicationError):
        services.presales_request_cancel(actor=sales_rep, request=request, reason="")
    request = services.presales_request_decline(
        actor=manager, request=request, reason="No capacity this quarter"
    )
    assert (request.status, request.close_reason) == ("declined", "No capacity this quarter")
    assert request.closed_at is not None


def test_a_partner_colleague_may_cancel_but_another_rep_may_not(world_a, own_org):
    from tests.factories import UserFactory

    request = ask(world_a.partner_user, world_a.opportunity)
    other_rep = UserFactory(kind="sales_rep", support_level=None, organisation=own_org, username="rep2")
    with pytest.raises(ApplicationError) as exc:
        services.presales_request_cancel(actor=other_rep, request=request, reason="mine now")
    assert exc.value.status == 403
    request = services.presales_request_cancel(
        actor=world_a.partner_teammate, request=request, reason="Deal paused"
    )
    assert request.status == "cancelled"


# --- Assignment by skill and load ----------------------------------------------------------------


def test_assigning_someone_without_the_needed_skills_is_refused_unless_told(
    sales_rep, world_a, manager, architect, sso_skill
):
    request = ask(sales_rep, world_a.opportunity, skill_ids=[sso_skill.pk])
    with pytest.raises(ApplicationError) as exc:
        services.presales_request_assign(actor=manager, request=request, assignee_id=architect.pk)
    assert exc.value.errors[0].field == "assignee_id"
    assert "Identity and SSO" in exc.value.errors[0].message
    request.refresh_from_db()
    assert request.assignee is None
    request = services.presales_request_assign(
        actor=manager, request=request, assignee_id=architect.pk, ignore_skills=True
    )
    assert request.assignee == architect


def test_only_active_presales_staff_can_be_assigned(sales_rep, world_a, manager, staff_factory):
    request = ask(sales_rep, world_a.opportunity)
    specialist = staff_factory(2, username="tomas")
    for who in (world_a.partner_user.pk, sales_rep.pk, specialist.pk, 10**12):
        with pytest.raises(ApplicationError) as exc:
            services.presales_request_assign(actor=manager, request=request, assignee_id=who)
        assert exc.value.errors[0].field == "assignee_id"


def test_assigning_acknowledges_and_reassigning_hands_over(sales_rep, world_a, manager, engineer, architect):
    request = ask(sales_rep, world_a.opportunity)
    request = services.presales_request_assign(
        actor=manager, request=request, assignee_id=engineer.pk, estimated_hours="12"
    )
    assert request.acknowledged_at is not None
    assert request.estimated_hours == Decimal("12.0")
    services.presales_request_start(actor=engineer, request=request)
    request = services.presales_request_assign(actor=manager, request=request, assignee_id=architect.pk)
    assert (request.status, request.assignee, request.started_at) == ("assigned", architect, None)
    assert AuditEvent.objects.filter(object_id=str(request.pk), step="reassigned").exists()
    with pytest.raises(StateConflict):
        services.presales_request_assign(actor=manager, request=request, assignee_id=architect.pk)


def test_the_suggestion_is_the_least_loaded_person_with_the_skills(
    sales_rep, world_a, manager, engineer, architect, gateway_skill, sso_skill
):
    # given Jonas carries one 30-hour request and Felix two unestimated ones (2 × 8 h default)
    first = ask(sales_rep, world_a.opportunity)
    services.presales_request_assign(
        actor=manager, request=first, assignee_id=engineer.pk, estimated_hours=30
    )
    for _ in range(2):
        services.presales_request_assign(
            actor=manager, request=ask(sales_rep, world_a.opportunity), assignee_id=architect.pk
        )
    # when a request needs the Edge Gateway skill, both qualify and Felix is lighter (16 h < 30 h)
    ranked = suggest_assignees({gateway_skill.pk})
    assert [w.person for w in ranked] == [architect, engineer]
    assert [w.load_hours for w in ranked] == [Decimal(16), Decimal(30)]
    # and when it needs SSO too, only Jonas holds both
    assert [w.person for w in suggest_assignees({gateway_skill.pk, sso_skill.pk})] == [engineer]


def test_workload_counts_open_requests_hours_and_open_cases(sales_rep, world_a, manager, engineer):
    from salesdesk.service import services as case_services

    request = ask(sales_rep, world_a.opportunity)
    services.presales_request_assign(
        actor=manager, request=request, assignee_id=engineer.pk, estimated_hours=6
    )
    delivered = ask(sales_rep, world_a.opportunity)
    services.presales_request_assign(
        actor=manager, request=delivered, assignee_id=engineer.pk, estimated_hours=50
    )
    services.presales_request_start(actor=engineer, request=delivered)
    services.presales_request_deliver(actor=engineer, request=delivered)
    case = case_services.case_open(
        actor=world_a.customer_user, data={"subject": "Help", "contact_id": world_a.contact.pk}
    )
    case_services.case_assign(actor=manager, case=case, assignee=engineer)
    row = next(w for w in team_workload() if w.person == engineer)
    # delivered work no longer counts
    assert (row.open_requests, row.estimated_hours, row.open_cases) == (1, Decimal(6), 1)


# --- Comments ------------------------------------------------------------------------------------


def test_requester_and_team_comment_but_an_empty_comment_is_refused(sales_rep, world_a, engineer):
    request = ask(world_a.partner_user, world_a.opportunity)
    services.presales_comment_add(actor=world_a.partner_user, request=request, text="The customer wants SSO")
    services.presales_comment_add(actor=engineer, request=request, text="Noted, we will cover it")
    with pytest.raises(ApplicationError) as exc:
        services.presales_comment_add(actor=sales_rep, request=request, text="   ")
    assert exc.value.errors[0].field == "text"
    assert list(PresalesComment.objects.values_list("text", flat=True)) == [
        "The customer wants SSO",
        "Noted, we will cover it",
    ]
