"""Every write to presales requests: ask, acknowledge, assign, start, deliver, decline, cancel, comment.

Who does what (``core.permissions``):

- ``presales.request`` — a sales rep, a partner user or any support staff asks for help on an
  opportunity they may see, and may cancel what they (or, for a partner, their organisation)
  asked for;
- ``presales.assign`` (level 5) — acknowledges, declines, assigns and reassigns, and may move
  any request along;
- ``presales.deliver`` (level 3) — the assignee starts and delivers their own work.

E-mail (sent after the transaction commits, through Django's e-mail backend): the assignee
hears when work is given to them; the requester when their request is acknowledged, assigned,
delivered (with the hand-over note) or declined (with the reason). Nobody is mailed about
their own action.

Each step is allowed only from the statuses in ``TRANSITIONS``; a request in another status
is a 409 naming ``status``. Callers find requests through the selectors first, so someone
else's request is a 404 before any of these run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError, StateConflict
from salesdesk.core.permissions import holds, require
from salesdesk.core.roles import UserKind
from salesdesk.parties.models import ProductSkill, User

from .choices import CLOSED_STAGES
from .models import Opportunity
from .presales_models import (
    OPEN_PRESALES_STATUSES,
    PresalesComment,
    PresalesKind,
    PresalesPriority,
    PresalesRequest,
    PresalesStatus,
)
from .presales_selectors import acknowledge_due, deliver_due, presales_calendar, presales_people

S = PresalesStatus
REQUEST_FIELDS = {"kind", "description", "due_date", "priority", "skill_ids", "estimated_hours"}
MAX_DESCRIPTION = 5000
MAX_REASON = 500
MAX_COMMENT = 5000
MAX_HOURS = Decimal("2000")

# step: (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "acknowledge": ((S.REQUESTED,), S.ACKNOWLEDGED),
    "start": ((S.ASSIGNED,), S.IN_PROGRESS),
    "deliver": ((S.IN_PROGRESS,), S.DELIVERED),
    "decline": ((S.REQUESTED, S.ACKNOWLEDGED), S.DECLINED),
    "cancel": (tuple(OPEN_PRESALES_STATUSES), S.CANCELLED),
}
ASSIGNABLE_FROM = (S.REQUESTED, S.ACKNOWLEDGED, S.ASSIGNED, S.IN_PROGRESS)


def _choice(field: str, value: Any, choices: type[Any]) -> str:
    text = str(getattr(value, "value", value) or "").strip().lower()
    if text not in choices.values:
        raise ApplicationError(field, f"must be one of {', '.join(choices.values)}")
    return text


def _date(field: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError as exc:
        raise ApplicationError(field, "must be a date such as 2027-01-31") from exc


def _hours(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ApplicationError("estimated_hours", "must be a number of hours such as 16") from exc
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        raise ApplicationError("estimated_hours", f"must be more than 0 and at most {MAX_HOURS}")
    return hours.quantize(Decimal("0.1"))


def _skills(value: Any) -> list[ProductSkill]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple | set):
        raise ApplicationError("skill_ids", "must be a list of skill ids")
    try:
        ids = sorted({int(v) for v in value})
    except (TypeError, ValueError) as exc:
        raise ApplicationError("skill_ids", "must be a list of skill ids") from exc
    if any(i < 1 or i > 2**63 - 1 for i in ids):
        raise ApplicationError("skill_ids", "contains an id that is not a skill")
    skills = list(ProductSkill.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {s.pk for s in skills})
    if missing:
        raise ApplicationError("skill_ids", f"no skill with id {missing[0]}")
    return skills


def _reason(value: Any) -> str:
    reason = str(value or "").strip()
    if not reason:
        raise ApplicationError("reason", "is required: say why")
    if len(reason) > MAX_REASON:
        raise ApplicationError("reason", f"is longer than {MAX_REASON} characters")
    return reason


def _lock(request: PresalesRequest) -> PresalesRequest:
    return PresalesRequest.objects.select_for_update().select_related("opportunity").get(pk=request.pk)


def _check_from(request: PresalesRequest, step: str, allowed: tuple[str, ...]) -> None:
    if request.status not in allowed:
        raise StateConflict(
            "status",
            f"a {request.get_status_display().lower()} request cannot be {_PAST[step]}",
        )


_PAST = {
    "acknowledge": "acknowledged",
    "assign": "assigned",
    "start": "started",
    "deliver": "delivered",
    "decline": "declined",
    "cancel": "cancelled",
}


# --- E-mail -------------------------------------------------------------------------------------


def request_url(request: PresalesRequest) -> str:
    """The link in the e-mails (``SALESDESK_BASE_URL`` + the request's page)."""
    base = str(getattr(settings, "SALESDESK_BASE_URL", "http://localhost:8000")).rstrip("/")
    return base + reverse("web:presales_detail", kwargs={"presales_request_id": request.pk})


def _mail(
    actor: Any, request: PresalesRequest, recipient: User | None, subject: str, template: str, **extra: Any
) -> None:
    """One notification to ``recipient`` once the transaction commits; none to the actor."""
    if recipient is None or not recipient.is_active or not recipient.email:
        return
    if recipient.pk == getattr(actor, "pk", None):
        return
    context = {
        "request": request,
        "recipient": recipient,
        "actor_name": assignee_label(actor),
        "link": request_url(request),
        **extra,
    }
    body = render_to_string(f"deals/presales/email/{template}.txt", context).strip() + "\n"
    # One line: a name with a line break in it must not break the header.
    line = " ".join(f"[{request.reference}] {subject}".split())
    address = recipient.email

    def send() -> None:
        send_mail(line, body, None, [address], fail_silently=True)

    transaction.on_commit(send)


def _tell_requester(actor: Any, request: PresalesRequest, step: str, **extra: Any) -> None:
    subjects = {
        "acknowledged": "Seen: your {kind} request for {opportunity}",
        "assigned": "Assigned to {assignee}: your {kind} request for {opportunity}",
        "delivered": "Delivered: your {kind} request for {opportunity}",
        "declined": "Declined: your {kind} request for {opportunity}",
    }
    subject = subjects[step].format(
        kind=request.get_kind_display().lower(),
        opportunity=request.opportunity.name,
        assignee=assignee_label(request.assignee),
    )
    _mail(actor, request, request.requested_by, subject, "requester", step=step, **extra)


def _is_requester_side(actor: Any, request: PresalesRequest) -> bool:
    """The requester, or (for a partner) a colleague of the requester's organisation."""
    if request.requested_by_id == actor.pk:
        return True
    return (
        getattr(actor, "kind", None) == UserKind.PARTNER
        and actor.organisation_id is not None
        and actor.organisation_id == request.requester_organisation_id
    )


@transaction.atomic
def presales_request_create(
    *, actor: Any, opportunity: Opportunity, data: dict[str, Any], now: dt.datetime | None = None
) -> PresalesRequest:
    """Ask for presales support on an open opportunity; the targets are set from the request time."""
    require(actor, "presales.request")
    unknown = sorted(set(data) - REQUEST_FIELDS)
    if unknown:
        raise ApplicationError(unknown[0], "is not a field of a presales request")
    if opportunity.stage in CLOSED_STAGES:
        raise StateConflict("opportunity_id", f"the opportunity is {opportunity.get_stage_display().lower()}")
    kind = _choice("kind", data.get("kind"), PresalesKind)
    description = str(data.get("description") or "").strip()
    if not description:
        raise ApplicationError("description", "is required: say what you need")
    if len(description) > MAX_DESCRIPTION:
        raise ApplicationError("description", f"is longer than {MAX_DESCRIPTION} characters")
    if data.get("due_date") in (None, ""):
        raise ApplicationError("due_date", "is required")
    due_date = _date("due_date", data["due_date"])
    now = now or timezone.now()
    calendar = presales_calendar()
    if due_date < now.astimezone(calendar.zone).date():
        raise ApplicationError("due_date", "is in the past")
    if due_date > now.date() + dt.timedelta(days=730):
        raise ApplicationError("due_date", "is more than two years away")
    priority = _choice("priority", data.get("priority") or PresalesPriority.NORMAL, PresalesPriority)
    skills = _skills(data.get("skill_ids"))
    hours = _hours(data.get("estimated_hours"))
    request = PresalesRequest.objects.create(
        opportunity=opportunity,
        kind=kind,
        description=description,
        due_date=due_date,
        priority=priority,
        estimated_hours=hours,
        requested_by=actor,
        requester_organisation_id=actor.organisation_id,
        requested_at=now,
        acknowledge_due_at=acknowledge_due(now, calendar),
        deliver_due_at=deliver_due(due_date, calendar),
    )
    request.skills.set(skills)
    audit.record_created(actor, request, detail={"skills": [s.name for s in skills]})
    return request


def _step(
    actor: Any,
    request: PresalesRequest,
    step: str,
    now: dt.datetime | None,
    **changes: Any,
) -> PresalesRequest:
    allowed, target = TRANSITIONS[step]
    _check_from(request, step, allowed)
    before = request.status
    request.status = target
    for name, value in changes.items():
        setattr(request, name, value)
    request.save(update_fields=["status", *changes])
    detail = {k: str(v) for k, v in changes.items() if k in ("close_reason", "delivery_note")}
    audit.record_step(actor, request, _PAST[step], {"status": [before, target]}, detail=detail)
    return request


@transaction.atomic
def presales_request_acknowledge(
    *, actor: Any, request: PresalesRequest, now: dt.datetime | None = None
) -> PresalesRequest:
    """Level 5 confirms the request was seen (stops the acknowledgement clock)."""
    require(actor, "presales.assign")
    request = _lock(request)
    request = _step(actor, request, "acknowledge", now, acknowledged_at=now or timezone.now())
    _tell_requester(actor, request, "acknowledged")
    return request


@transaction.atomic
def presales_request_assign(
    *,
    actor: Any,
    request: PresalesRequest,
    assignee_id: int,
    estimated_hours: Any = None,
    ignore_skills: bool = False,
    now: dt.datetime | None = None,
) -> PresalesRequest:
    """Level 5 gives the work to someone of the presales team who holds the needed skills.

    Assigning an unacknowledged request acknowledges it too; reassigning work in progress
    hands it over (it goes back to "assigned" until the new person starts). Someone lacking a
    needed skill is refused unless ``ignore_skills`` says the manager knows.
    """
    require(actor, "presales.assign")
    request = _lock(request)
    _check_from(request, "assign", ASSIGNABLE_FROM)
    try:
        wanted = int(assignee_id)
    except (TypeError, ValueError) as exc:
        raise ApplicationError("assignee_id", "must be a user id") from exc
    assignee = presales_people().filter(pk=wanted).first()
    if assignee is None:
        raise ApplicationError(
            "assignee_id", "is not an active member of the presales team (level 3 or above)"
        )
    if assignee.pk == request.assignee_id and request.status in (S.ASSIGNED, S.IN_PROGRESS):
        raise StateConflict("assignee_id", f"the request is already assigned to {assignee}")
    needed = {s.pk: s.name for s in request.skills.all()}
    missing = sorted(name for pk, name in needed.items() if pk not in {s.pk for s in assignee.skills.all()})
    if missing and not ignore_skills:
        raise ApplicationError("assignee_id", f"{assignee} lacks the needed skill(s): {', '.join(missing)}")
    now = now or timezone.now()
    before = audit.snapshot(request)
    previous = request.assignee
    hours = _hours(estimated_hours)
    fields = ["status", "assignee", "assigned_at", "started_at"]
    if request.acknowledged_at is None:
        request.acknowledged_at = now
        fields.append("acknowledged_at")
    if hours is not None:
        request.estimated_hours = hours
        fields.append("estimated_hours")
    request.assignee = assignee
    request.status = S.ASSIGNED
    request.assigned_at = now
    request.started_at = None
    request.save(update_fields=fields)
    changes = audit.diff(before, audit.snapshot(request))
    audit.record_step(
        actor,
        request,
        "reassigned" if previous is not None else "assigned",
        changes,
        detail={"assignee": str(assignee), "missing_skills": missing}
        if missing
        else {"assignee": str(assignee)},
    )
    handover = {"reassigned": previous is not None, "previous_name": assignee_label(previous)}
    _mail(
        actor,
        request,
        assignee,
        f"Assigned to you: {request.get_kind_display().lower()} for {request.opportunity.name}",
        "assigned_to_you",
        skills=sorted(needed.values()),
        missing_skills=missing,
        requester_name=assignee_label(request.requested_by),
        **handover,
    )
    _tell_requester(actor, request, "assigned", assignee_name=assignee_label(assignee), **handover)
    return request


def _may_work(actor: Any, request: PresalesRequest) -> bool:
    if holds(actor, "presales.assign"):
        return True
    return holds(actor, "presales.deliver") and request.assignee_id == actor.pk


@transaction.atomic
def presales_request_start(
    *, actor: Any, request: PresalesRequest, now: dt.datetime | None = None
) -> PresalesRequest:
    """The assignee (or level 5) starts the work."""
    require(actor, "presales.deliver")
    request = _lock(request)
    if not _may_work(actor, request):
        raise ApplicationError(
            "assignee", "only the assignee or a level-5 manager may start this work", status=403
        )
    return _step(actor, request, "start", now, started_at=now or timezone.now())


@transaction.atomic
def presales_request_deliver(
    *, actor: Any, request: PresalesRequest, note: str = "", now: dt.datetime | None = None
) -> PresalesRequest:
    """The assignee (or level 5) hands over the result; on time when before the delivery target."""
    require(actor, "presales.deliver")
    request = _lock(request)
    if not _may_work(actor, request):
        raise ApplicationError(
            "assignee", "only the assignee or a level-5 manager may deliver this work", status=403
        )
    note = str(note or "").strip()
    if len(note) > MAX_COMMENT:
        raise ApplicationError("note", f"is longer than {MAX_COMMENT} characters")
    request = _step(actor, request, "deliver", now, delivered_at=now or timezone.now(), delivery_note=note)
    _tell_requester(actor, request, "delivered")
    return request


@transaction.atomic
def presales_request_decline(
    *, actor: Any, request: PresalesRequest, reason: str, now: dt.datetime | None = None
) -> PresalesRequest:
    """Level 5 turns a request down before it is assigned, saying why."""
    require(actor, "presales.assign")
    reason = _reason(reason)
    request = _lock(request)
    request = _step(actor, request, "decline", now, closed_at=now or timezone.now(), close_reason=reason)
    _tell_requester(actor, request, "declined")
    return request


@transaction.atomic
def presales_request_cancel(
    *, actor: Any, request: PresalesRequest, reason: str, now: dt.datetime | None = None
) -> PresalesRequest:
    """The requester (or their partner organisation, or level 5) withdraws an open request."""
    require(actor, "presales.request")
    reason = _reason(reason)
    request = _lock(request)
    if not (_is_requester_side(actor, request) or holds(actor, "presales.assign")):
        raise ApplicationError(
            "requested_by", "only the requester or a level-5 manager may cancel", status=403
        )
    return _step(actor, request, "cancel", now, closed_at=now or timezone.now(), close_reason=reason)


STEPS = ("acknowledge", "start", "deliver", "decline", "cancel")


def presales_request_transition(
    *, actor: Any, request: PresalesRequest, action: str, reason: str = "", note: str = ""
) -> PresalesRequest:
    """Run one named step (``acknowledge``, ``start``, ``deliver``, ``decline``, ``cancel``)."""
    if action == "decline":
        return presales_request_decline(actor=actor, request=request, reason=reason)
    if action == "cancel":
        return presales_request_cancel(actor=actor, request=request, reason=reason)
    if action == "deliver":
        return presales_request_deliver(actor=actor, request=request, note=note)
    if action == "start":
        return presales_request_start(actor=actor, request=request)
    if action == "acknowledge":
        return presales_request_acknowledge(actor=actor, request=request)
    raise ApplicationError("action", f"must be one of {', '.join(STEPS)}")


def may_comment(actor: Any, request: PresalesRequest) -> bool:
    """Requester side, the assignee, and internal people who ask for or manage presales work."""
    if getattr(actor, "kind", None) == UserKind.PARTNER:
        return holds(actor, "presales.request") and _is_requester_side(actor, request)
    return holds(actor, "presales.request") or holds(actor, "presales.deliver")


@transaction.atomic
def presales_comment_add(*, actor: Any, request: PresalesRequest, text: str) -> PresalesComment:
    """A comment on the request's conversation (questions, progress, hand-over)."""
    require(actor, "presales.request")
    if not may_comment(actor, request):
        raise ApplicationError("text", "you may not comment on this request", status=403)
    text = str(text or "").strip()
    if not text:
        raise ApplicationError("text", "is required")
    if len(text) > MAX_COMMENT:
        raise ApplicationError("text", f"is longer than {MAX_COMMENT} characters")
    comment = PresalesComment.objects.create(request=request, author=actor, text=text)
    audit.record_step(actor, request, "commented", detail={"comment_id": comment.pk})
    return comment


def assignee_label(user: Any) -> str:
    return "" if user is None else (user.get_full_name() or user.username)
