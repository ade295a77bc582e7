"""Every write to cases, interactions and SLA policies: capability, visibility, rules, audit.

Each function takes the acting user, checks the capability table, runs in one
transaction, writes the audit record and sends mail only once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from salesdesk.catalog.selectors import visible_products
from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError, StateConflict
from salesdesk.core.permissions import require
from salesdesk.core.roles import INTERNAL_KINDS, UserKind
from salesdesk.core.validation import apply_changes, check_version, clean_or_raise
from salesdesk.deals.selectors import visible_opportunities
from salesdesk.parties.choices import OrganisationKind
from salesdesk.parties.models import Contact, Organisation, ProductSkill, User
from salesdesk.parties.selectors import visible_contacts, visible_customers

from . import business_hours
from .choices import (
    ACTIVE_STATUSES,
    CLOCK_RUNNING_STATUSES,
    CallDirection,
    CaseChannel,
    CasePriority,
    CaseStatus,
    CaseType,
    InteractionKind,
    SlaState,
)
from .models import (
    BusinessCalendar,
    Case,
    CaseAttachment,
    CaseComment,
    Escalation,
    Interaction,
    SlaPolicy,
)
from .selectors import (
    ANSWER_DRAFTED_STEP,
    answer_draft_prefill,
    at_risk_moment,
    sla_state,
    visible_cases,
)

RATING_SALT = "salesdesk.service.rating"


class UnknownReference(ApplicationError):
    """An id in the request body names no record the user may see: 404, as a foreign id in the URL
    would be, with the field named. The message is the same whether the record exists or not."""

    status = 404


COMPLAINT_FIELDS = ("investigation", "response", "root_cause", "corrective_action")

# Allowed attachment types, decided from the file name's extension (never the browser's claim).
ATTACHMENT_TYPES = {
    "text/plain",
    "text/csv",
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "application/zip",
    "application/gzip",
    "application/json",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
EXTRA_TYPES = {".log": "text/plain"}


def _quiet_period() -> dt.timedelta:
    """How long a resolved case stays resolved before it may be closed (customers may still reply)."""
    return dt.timedelta(hours=float(getattr(settings, "SALESDESK_CASE_CLOSE_QUIET_HOURS", 72)))


def _attachment_limit() -> int:
    return int(getattr(settings, "SALESDESK_CASE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def _rating_max_age() -> int:
    return int(getattr(settings, "SALESDESK_RATING_LINK_DAYS", 30)) * 24 * 3600


def _base_url() -> str:
    return str(getattr(settings, "SALESDESK_BASE_URL", "http://localhost:8000")).rstrip("/")


def _mail_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return

    def send() -> None:
        send_mail(subject, body, None, recipients, fail_silently=True)

    transaction.on_commit(send)


def _require_support(actor: Any, capability: str) -> None:
    """The capability, held by support staff: the case workflow is theirs to move."""
    require(actor, capability)
    if actor.kind != UserKind.SUPPORT:
        raise PermissionDenied("You may not do this: only support staff work cases.")


def _locked(case: Case, expected_version: int | None = None) -> Case:
    """The case re-read under a row lock, refused if the caller's version is stale."""
    fresh = Case.objects.select_for_update().get(pk=case.pk)
    check_version(fresh, expected_version)
    return fresh


# --- Calendars and SLA policies (level 6) -------------------------------------------------

CALENDAR_FIELDS = {
    "name",
    "time_zone",
    "working_days",
    "opens_at",
    "closes_at",
    "holiday_country",
    "holiday_subdivision",
    "closures",
}
POLICY_FIELDS = {
    "customer_tier",
    "priority",
    "first_response_minutes",
    "resolution_minutes",
    "at_risk_percent",
    "calendar",
}


def _check_calendar(calendar: BusinessCalendar) -> None:
    clean_or_raise(calendar)
    try:
        engine = calendar.as_engine()
    except ValueError as exc:  # CalendarError, a bad closure date
        field = (
            "time_zone" if "zone" in str(exc) else "holiday_country" if "holiday" in str(exc) else "closures"
        )
        raise ApplicationError(field, str(exc)) from exc
    if not engine.hours:
        raise ApplicationError("working_days", "name at least one working day")


@transaction.atomic
def calendar_create(*, actor: Any, data: dict[str, Any]) -> BusinessCalendar:
    """A new business calendar for SLA policies (level 6, service policy)."""
    require(actor, "policy.set")
    unknown = sorted(set(data) - CALENDAR_FIELDS)
    if unknown:
        raise ApplicationError(unknown[0], "is not a field of a calendar")
    calendar = BusinessCalendar(**data)
    _check_calendar(calendar)
    calendar.save()
    audit.record_created(actor, calendar)
    return calendar


@transaction.atomic
def calendar_update(
    *, actor: Any, calendar: BusinessCalendar, data: dict[str, Any], expected_version: int | None = None
) -> BusinessCalendar:
    """Change a calendar. Open cases keep their due times; the next SLA computation uses the change."""
    require(actor, "policy.set")
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    check_version(calendar, expected_version)
    before = audit.snapshot(calendar)
    changed = apply_changes(calendar, data, allowed=CALENDAR_FIELDS)
    if changed:
        _check_calendar(calendar)
        calendar.save(update_fields=changed)
        audit.record_updated(actor, calendar, before)
    return calendar


def _resolve_calendar(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "calendar_id" in data:
        calendar = BusinessCalendar.objects.filter(pk=data.pop("calendar_id")).first()
        if calendar is None:
            raise UnknownReference("calendar_id", "no such calendar")
        data["calendar"] = calendar
    return data


@transaction.atomic
def sla_policy_create(*, actor: Any, data: dict[str, Any]) -> SlaPolicy:
    """Targets for a customer tier and priority (level 6)."""
    require(actor, "policy.set")
    data = _resolve_calendar(data)
    unknown = sorted(set(data) - POLICY_FIELDS)
    if unknown:
        raise ApplicationError(unknown[0], "is not a field of an SLA policy")
    if "calendar" not in data:
        raise ApplicationError("calendar_id", "is required")
    policy = SlaPolicy(**data)
    clean_or_raise(policy)
    _check_targets(policy)
    policy.save()
    audit.record_created(actor, policy)
    return policy


def _check_targets(policy: SlaPolicy) -> None:
    if policy.first_response_minutes > policy.resolution_minutes:
        raise ApplicationError("first_response_minutes", "must not be longer than the resolution target")


@transaction.atomic
def sla_policy_update(
    *, actor: Any, policy: SlaPolicy, data: dict[str, Any], expected_version: int | None = None
) -> SlaPolicy:
    """Change a policy; cases already open keep the targets they were opened with (new version)."""
    require(actor, "policy.set")
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    check_version(policy, expected_version)
    before = audit.snapshot(policy)
    changed = apply_changes(policy, _resolve_calendar(data), allowed=POLICY_FIELDS)
    if changed:
        clean_or_raise(policy)
        _check_targets(policy)
        policy.save(update_fields=changed)
        audit.record_updated(actor, policy, before)
    return policy


def sla_policy_for(*, account: Organisation, priority: str) -> SlaPolicy | None:
    """The policy for the account's tier and the priority; None (no SLA) when there is none."""
    return (
        SlaPolicy.objects.select_related("calendar")
        .filter(customer_tier=account.tier, priority=priority)
        .first()
    )


# --- Opening a case -----------------------------------------------------------------------

CASE_FIELDS = {
    "case_type",
    "channel",
    "priority",
    "tier",
    "account",
    "contact",
    "product",
    "opportunity",
    "subject",
    "description",
}


def _resolve_case_refs(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Swap *_id references for records, refusing any the actor cannot see (named in the error)."""
    data = dict(data)
    if actor.kind == UserKind.CUSTOMER:
        # A customer opens cases for their own organisation, whatever the request says.
        requested = data.pop("account_id", None)
        if requested is not None and requested != actor.organisation_id:
            raise UnknownReference("account_id", "no such customer account")
        data["account_id"] = actor.organisation_id
    if "account_id" in data:
        account = visible_customers(actor).filter(pk=data.pop("account_id")).first()
        if account is None:
            raise UnknownReference("account_id", "no such customer account")
        data["account"] = account
    if data.get("contact_id") is not None:
        contact = visible_contacts(actor).filter(pk=data.pop("contact_id")).first()
        if contact is None:
            raise UnknownReference("contact_id", "no such contact")
        data["contact"] = contact
    data.pop("contact_id", None)
    if data.get("product_id") is not None:
        product = visible_products(actor).filter(pk=data.pop("product_id")).first()
        if product is None:
            raise UnknownReference("product_id", "no such product")
        data["product"] = product
    data.pop("product_id", None)
    if data.get("opportunity_id") is not None:
        opportunity = visible_opportunities(actor).filter(pk=data.pop("opportunity_id")).first()
        if opportunity is None:
            raise UnknownReference("opportunity_id", "no such opportunity")
        data["opportunity"] = opportunity
    data.pop("opportunity_id", None)
    return data


def _apply_sla(case: Case, policy: SlaPolicy | None) -> None:
    """Copy the policy's targets onto the case and compute its due times from ``opened_at``."""
    if policy is None:
        return
    case.sla_policy = policy
    case.sla_policy_version = policy.version
    case.sla_calendar = policy.calendar
    case.first_response_minutes = policy.first_response_minutes
    case.resolution_minutes = policy.resolution_minutes
    case.at_risk_percent = policy.at_risk_percent
    _compute_due(case)


def _compute_due(case: Case) -> None:
    if case.sla_calendar is None or case.resolution_minutes is None:
        case.at_risk_at = at_risk_moment(case)
        return
    calendar = case.sla_calendar.as_engine()
    if case.first_response_minutes is not None:
        case.first_response_due_at = business_hours.add_business_time(
            case.opened_at, dt.timedelta(minutes=case.first_response_minutes), calendar
        )
    case.resolution_due_at = business_hours.add_business_time(
        case.opened_at, dt.timedelta(minutes=case.resolution_minutes), calendar, case.pause_intervals()
    )
    case.at_risk_at = at_risk_moment(case)


@transaction.atomic
def case_open(
    *,
    actor: Any,
    data: dict[str, Any],
    interaction: Interaction | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Open a case on a customer account; the SLA targets of its tier and priority are copied onto it.

    ``data`` holds the case fields with references as ``account_id``, ``contact_id``,
    ``product_id``, ``opportunity_id``. ``interaction`` (a call being logged) is linked to
    the new case: "open a case from this call". A complaint with a contact e-mail is
    acknowledged at once by e-mail.
    """
    require(actor, "case.open")
    data = _resolve_case_refs(actor, data)
    unknown = sorted(set(data) - CASE_FIELDS)
    if unknown:
        raise ApplicationError(unknown[0], "is not a field of a case")
    if "account" not in data:
        raise ApplicationError("account_id", "is required")
    account: Organisation = data["account"]
    if account.kind != OrganisationKind.CUSTOMER:
        raise ApplicationError("account_id", "must be a customer account")
    contact: Contact | None = data.get("contact")
    if contact is not None and contact.organisation_id != account.pk:
        raise ApplicationError("contact_id", "is not a contact of this account")
    opportunity = data.get("opportunity")
    if opportunity is not None and opportunity.account_id != account.pk:
        raise ApplicationError("opportunity_id", "is not an opportunity of this account")
    if actor.kind in (UserKind.CUSTOMER, UserKind.PARTNER):
        data["tier"] = 1  # external users do not choose the tier
        data.setdefault(
            "channel", CaseChannel.WEB_PORTAL if actor.kind == UserKind.CUSTOMER else CaseChannel.PARTNER
        )
    now = now or timezone.now()
    case = Case(**data, opened_by=actor, opened_at=now, status=CaseStatus.NEW)
    clean_or_raise(case, exclude=["sla_policy", "sla_calendar"])
    _apply_sla(case, sla_policy_for(account=account, priority=case.priority))
    acknowledge = case.is_complaint and contact is not None and bool(contact.email)
    if acknowledge:
        case.acknowledged_at = now
    case.save()
    audit.record_created(actor, case)
    if interaction is not None:
        if interaction.account_id != account.pk:
            raise ApplicationError("interaction_id", "was logged on another account")
        before = audit.snapshot(interaction)
        interaction.case = case
        interaction.save(update_fields=["case"])
        audit.record_updated(actor, interaction, before)
    if acknowledge:
        _send_acknowledgement(case)
    return case


EDITABLE_FIELDS = {"subject", "description", "priority", "product", "contact", "opportunity"}
EDITABLE_LINKS = ("product_id", "contact_id", "opportunity_id")


@transaction.atomic
def case_update(
    *,
    actor: Any,
    case: Case,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Case:
    """Edit an open case: subject, description, priority, and its product, contact or opportunity.

    Support staff only; a closed case is not edited. Links are given as ``*_id`` (``None``
    clears one) and must be records the actor may see, of the case's account. A new priority
    on an active case re-targets its SLA with the current policy for that priority (due times
    counted from the opening, pauses kept); the old and new targets are in the audit record.
    """
    _require_support(actor, "case.reply")
    case = _locked(case, expected_version)
    if case.status == CaseStatus.CLOSED:
        raise StateConflict("status", "a closed case cannot be changed; a reply opens a follow-up")
    data = dict(data)
    unknown = sorted(set(data) - {"subject", "description", "priority", *EDITABLE_LINKS})
    if unknown:
        raise ApplicationError(unknown[0], "cannot be changed here")
    for link in EDITABLE_LINKS:
        if link in data and data[link] is None:
            data[link[:-3]] = data.pop(link)
    data = _resolve_case_refs(actor, data)
    if "subject" in data:
        data["subject"] = str(data["subject"]).strip()
        if not data["subject"]:
            raise ApplicationError("subject", "must not be empty")
    contact: Contact | None = data.get("contact")
    if contact is not None and contact.organisation_id != case.account_id:
        raise ApplicationError("contact_id", "is not a contact of this account")
    opportunity = data.get("opportunity")
    if opportunity is not None and opportunity.account_id != case.account_id:
        raise ApplicationError("opportunity_id", "is not an opportunity of this account")
    before = audit.snapshot(case)
    changed = apply_changes(case, data, allowed=EDITABLE_FIELDS)
    if not changed:
        return case
    clean_or_raise(case, exclude=["sla_policy", "sla_calendar"])
    if "priority" in changed and case.status in ACTIVE_STATUSES:
        policy = sla_policy_for(account=case.account, priority=case.priority)
        if policy is not None:
            _apply_sla(case, policy)
            changed += [
                "sla_policy",
                "sla_policy_version",
                "sla_calendar",
                "first_response_minutes",
                "resolution_minutes",
                "at_risk_percent",
                "first_response_due_at",
                "resolution_due_at",
                "at_risk_at",
            ]
    case.save(update_fields=changed)
    audit.record_updated(actor, case, before)
    return case


def _send_acknowledgement(case: Case) -> None:
    """The complaint's acknowledgement e-mail to its contact, with the portal link."""
    if case.contact is not None and case.contact.email:
        _mail_on_commit(
            f"[{case.reference}] We have received your complaint",
            f'Dear {case.contact},\n\nwe have received your complaint "{case.subject}" and are '
            f"looking into it. You can follow it here: {_base_url()}/cases/{case.pk}/\n\n"
            "Your customer service team",
            [case.contact.email],
        )


# --- Assignment and routing ---------------------------------------------------------------


def _check_assignee(case: Case, assignee: User) -> None:
    if not assignee.is_active or assignee.kind != UserKind.SUPPORT:
        raise ApplicationError("assignee_id", "must be an active member of the support staff")
    if (assignee.support_level or 0) < case.tier:
        raise ApplicationError(
            "assignee_id", f"works at level {assignee.support_level}; this case needs tier {case.tier}"
        )


@transaction.atomic
def case_assign(
    *, actor: Any, case: Case, assignee: User | None, expected_version: int | None = None
) -> Case:
    """Give a case to someone (level 5, who manages the work) or put it back in its tier's queue.

    The row is locked and the version compared, so of two people assigning the same
    version at once exactly one wins; the other gets a 412 saying the case changed.
    """
    if assignee is not None and assignee.pk == actor.pk:
        return case_take(actor=actor, case=case, expected_version=expected_version)
    require(actor, "presales.assign")
    case = _locked(case, expected_version)
    if case.status not in ACTIVE_STATUSES:
        raise StateConflict("status", f"a {case.get_status_display().lower()} case is not assigned")
    if assignee is not None:
        _check_assignee(case, assignee)
    if case.assignee_id == (assignee.pk if assignee else None):
        return case
    before = audit.snapshot(case)
    case.assignee = assignee
    case.save(update_fields=["assignee"])
    audit.record_step(
        actor, case, "assigned" if assignee else "returned to queue", audit.diff(before, audit.snapshot(case))
    )
    return case


@transaction.atomic
def case_take(*, actor: Any, case: Case, expected_version: int | None = None) -> Case:
    """Take an unassigned case from the tier queue. Of two people taking it at once, one wins."""
    _require_support(actor, "case.reply")
    case = _locked(case, expected_version)
    if case.assignee_id is not None and case.assignee_id != actor.pk:
        raise StateConflict("assignee_id", f"{case.assignee} has already taken this case")
    if case.status not in ACTIVE_STATUSES:
        raise StateConflict("status", f"a {case.get_status_display().lower()} case cannot be taken")
    _check_assignee(case, actor)
    if case.assignee_id == actor.pk:
        return case
    case.assignee = actor
    case.save(update_fields=["assignee"])
    audit.record_step(actor, case, "taken", {"assignee": [None, str(actor)]})
    return case


def product_skills(case: Case) -> list[int]:
    """Skills that cover the case's product: a skill named in the product's or its category's name.

    ("Edge Gateway" covers "Edge Gateway 400" and the category "Edge gateways".)
    """
    if case.product is None:
        return []
    names = (case.product.name.lower(), case.product.category.name.lower())
    return [
        skill.pk
        for skill in ProductSkill.objects.only("id", "name")
        if any(skill.name.lower() in name for name in names)
    ]


def routing_candidates(case: Case) -> list[User]:
    """Active support staff at the case's tier with its product's skill, least loaded first."""
    people = User.objects.filter(is_active=True, kind=UserKind.SUPPORT, support_level=case.tier)
    if case.product is not None:
        people = people.filter(skills__in=product_skills(case))
    load = Count("assigned_cases", filter=Q(assigned_cases__status__in=ACTIVE_STATUSES), distinct=True)
    return list(people.distinct().annotate(load=load).order_by("load", "id"))


@transaction.atomic
def case_route(*, actor: Any, case: Case, expected_version: int | None = None) -> Case:
    """Assign a queued case to the least-loaded person at its tier who has the product skill.

    Nobody suitable: the case stays in the queue, and the error says so.
    """
    require(actor, "presales.assign")
    case = _locked(case, expected_version)
    if case.assignee_id is not None:
        raise StateConflict("assignee_id", f"{case.assignee} already has this case")
    candidates = routing_candidates(case)
    if not candidates:
        raise StateConflict("assignee_id", f"nobody at level {case.tier} has the skill for this case")
    case.assignee = candidates[0]
    case.save(update_fields=["assignee"])
    audit.record_step(actor, case, "routed", {"assignee": [None, str(case.assignee)]})
    return case


# --- Status transitions -------------------------------------------------------------------

TRANSITIONS: dict[str, set[str]] = {
    CaseStatus.NEW: {CaseStatus.OPEN, CaseStatus.WAITING_ON_CUSTOMER, CaseStatus.RESOLVED},
    CaseStatus.OPEN: {CaseStatus.WAITING_ON_CUSTOMER, CaseStatus.RESOLVED},
    CaseStatus.WAITING_ON_CUSTOMER: {CaseStatus.OPEN, CaseStatus.RESOLVED},
    CaseStatus.RESOLVED: {CaseStatus.CLOSED, CaseStatus.OPEN},
    CaseStatus.CLOSED: set(),
}


def allowed_transitions(case: Case) -> list[str]:
    """The statuses a case may move to from its current one (the rules still apply)."""
    return [s for s in CaseStatus.values if s in TRANSITIONS[case.status]]


def _pause(case: Case, now: dt.datetime) -> None:
    if case.paused_at is None:
        case.paused_at = now


def _resume(case: Case, now: dt.datetime) -> None:
    """Close the running pause and move the resolution due time out by the paused working time."""
    if case.paused_at is None:
        return
    if now > case.paused_at:
        case.pauses = [*case.pauses, [case.paused_at.isoformat(), now.isoformat()]]
    case.paused_at = None
    _compute_due(case)


@transaction.atomic
def case_transition(
    *,
    actor: Any,
    case: Case,
    to_status: str,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Move a case: new → open → waiting on customer → resolved → closed, and reopen.

    Rules: waiting on the customer pauses the SLA clock and going back resumes it;
    resolving needs a resolution note and a resolver whose support level reaches the
    case's tier; closing needs the quiet period after resolution to have passed and, for
    a complaint, acknowledgement, investigation, response, root cause and corrective
    action; a resolved case may be reopened, a closed one not (a reply opens a follow-up).
    """
    if to_status not in CaseStatus.values:
        raise ApplicationError("status", f"must be one of {', '.join(CaseStatus.values)}")
    _require_support(
        actor, "case.resolve" if to_status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) else "case.reply"
    )
    case = _locked(case, expected_version)
    now = now or timezone.now()
    if to_status not in TRANSITIONS[case.status]:
        raise StateConflict(
            "status",
            f"a {case.get_status_display().lower()} case cannot become {CaseStatus(to_status).label.lower()}",
        )
    before = audit.snapshot(case)
    fields = ["status", "pauses", "paused_at", "resolution_due_at", "first_response_due_at", "at_risk_at"]
    if to_status == CaseStatus.RESOLVED:
        note = note.strip() or case.resolution_note.strip()
        if not note:
            raise ApplicationError("resolution_note", "say how the case was resolved")
        if (actor.support_level or 0) < case.tier:
            raise ApplicationError(
                "status", f"a tier {case.tier} case needs a resolver at level {case.tier} or above"
            )
        _resume(case, now)
        case.resolution_note = note
        case.resolved_at = now
        if case.first_responded_at is None:
            case.first_responded_at = now
            case.at_risk_at = at_risk_moment(case)
        fields += ["resolution_note", "resolved_at", "first_responded_at"]
    elif to_status == CaseStatus.CLOSED:
        quiet = _quiet_period()
        if case.resolved_at is None or now - case.resolved_at < quiet:
            raise StateConflict(
                "status",
                f"a case can be closed {business_hours.format_duration(quiet)} after it was resolved",
            )
        if case.is_complaint:
            missing = [f for f in COMPLAINT_FIELDS if not getattr(case, f).strip()]
            if case.acknowledged_at is None:
                missing.insert(0, "acknowledged_at")
            if missing:
                raise ApplicationError(
                    errors=[],
                    field=missing[0],
                    message="a complaint is closed only after acknowledgement, investigation, response, "
                    f"root cause and corrective action are recorded (missing: {', '.join(missing)})",
                )
        case.closed_at = now
        fields.append("closed_at")
    elif to_status == CaseStatus.WAITING_ON_CUSTOMER:
        _pause(case, now)
    elif to_status == CaseStatus.OPEN:
        if case.status == CaseStatus.RESOLVED:
            case.resolved_at = None
            fields.append("resolved_at")
        _resume(case, now)
    case.status = to_status
    case.save(update_fields=fields)
    audit.record_step(
        actor,
        case,
        f"moved to {case.get_status_display()}"
        if before["status"] != CaseStatus.RESOLVED or to_status != CaseStatus.OPEN
        else "reopened",
        audit.diff(before, audit.snapshot(case)),
    )
    if to_status == CaseStatus.RESOLVED:
        _send_resolution(case)
    return case


def rating_token(case: Case) -> str:
    """A signed link token that lets the case's contact rate it once, without signing in."""
    return signing.dumps({"case": case.pk}, salt=RATING_SALT)


def rating_url(case: Case) -> str:
    """The link in the resolution e-mail (``SALESDESK_BASE_URL`` + the rating page)."""
    return f"{_base_url()}/cases/rate/?t={rating_token(case)}"


def _send_resolution(case: Case) -> None:
    if case.contact is None or not case.contact.email:
        return
    _mail_on_commit(
        f"[{case.reference}] Resolved: {case.subject}",
        f'Dear {case.contact},\n\nyour case "{case.subject}" is resolved:\n\n{case.resolution_note}\n\n'
        f"Reply in the portal if it is not. How did we do? Rate us (1–5): {rating_url(case)}\n\n"
        "Your customer service team",
        [case.contact.email],
    )


@transaction.atomic
def case_update_complaint(
    *, actor: Any, case: Case, data: dict[str, Any], expected_version: int | None = None
) -> Case:
    """Record a complaint's handling: acknowledged (true), investigation, response, root cause,
    corrective action."""
    _require_support(actor, "case.reply")
    case = _locked(case, expected_version)
    if not case.is_complaint:
        raise StateConflict("case_type", "only a complaint records investigation and corrective action")
    if case.status == CaseStatus.CLOSED:
        raise StateConflict("status", "a closed complaint cannot be changed")
    data = dict(data)
    acknowledge = bool(data.pop("acknowledged", False))
    before = audit.snapshot(case)
    changed = apply_changes(case, data, allowed=set(COMPLAINT_FIELDS))
    if acknowledge and case.acknowledged_at is None:
        case.acknowledged_at = timezone.now()
        changed.append("acknowledged_at")
    if changed:
        case.save(update_fields=changed)
        audit.record_updated(actor, case, before, step="complaint handling recorded")
    return case


# --- Escalation ---------------------------------------------------------------------------


@transaction.atomic
def case_draft_answer(*, actor: Any, case: Case, data: dict[str, Any] | None = None) -> Any:
    """Draft a knowledge answer from a case (level 2+), linked back to the case.

    What ``data`` leaves out comes from the case (``selectors.answer_draft_prefill``): the
    subject as the question, the resolution note or the last reply to the customer as the
    answer, the case's product. The answer is a draft in the knowledge base, owned by the
    actor, for review as usual; the case records the step with the answer's id.
    """
    from salesdesk.knowledge.services import answer_create

    require(actor, "knowledge.draft")
    if actor.kind not in INTERNAL_KINDS or not visible_cases(actor).filter(pk=case.pk).exists():
        raise PermissionDenied("You may not do this: only staff draft answers from cases.")
    values = {**answer_draft_prefill(user=actor, case=case), **(data or {})}
    if not str(values.get("body") or "").strip():
        raise ApplicationError(
            "body", "write the answer: the case has no resolution note or reply to start from"
        )
    answer = answer_create(actor=actor, data=values)
    audit.record_step(actor, case, ANSWER_DRAFTED_STEP, detail={"answer_id": answer.pk})
    return answer


def _escalate(
    actor: Any, case: Case, to_tier: int, reason: str, automatic: bool, sla_target: str = ""
) -> Escalation:
    escalation = Escalation.objects.create(
        case=case,
        from_tier=case.tier,
        to_tier=to_tier,
        reason=reason,
        raised_by=actor,
        automatic=automatic,
        sla_target=sla_target,
    )
    before = audit.snapshot(case)
    case.tier = to_tier
    case.assignee = None
    case.save(update_fields=["tier", "assignee"])
    audit.record_step(
        actor,
        case,
        "escalated automatically" if automatic else "escalated",
        audit.diff(before, audit.snapshot(case)),
        {"to_tier": to_tier},
    )
    # The reason is the team's own words: recorded on the escalation, whose events only
    # staff see on the account timeline (the case's step above is visible to the customer).
    audit.record_created(actor, escalation)
    recipients = list(
        User.objects.filter(is_active=True, kind=UserKind.SUPPORT, support_level=to_tier)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    _mail_on_commit(
        f"[{case.reference}] Escalated to tier {to_tier}: {case.subject}",
        f"{case.reference} ({case.account}) was escalated to the tier {to_tier} queue.\n\n"
        f"Reason: {reason}\n\n{_base_url()}/cases/{case.pk}/",
        recipients,
    )
    return escalation


@transaction.atomic
def case_escalate(
    *, actor: Any, case: Case, to_tier: int, reason: str, expected_version: int | None = None
) -> Escalation:
    """Hand a case to a higher tier with a reason: it leaves its assignee for that tier's queue,
    and the people of that tier are told by e-mail (SSUP L1 'seeks assistance')."""
    _require_support(actor, "case.escalate")
    case = _locked(case, expected_version)
    if case.status not in ACTIVE_STATUSES:
        raise StateConflict("status", f"a {case.get_status_display().lower()} case is not escalated")
    if not 1 <= to_tier <= 4:
        raise ApplicationError("to_tier", "must be a tier from 1 to 4")
    if to_tier <= case.tier:
        raise ApplicationError("to_tier", f"must be higher than the case's current tier ({case.tier})")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("reason", "say why the case needs a higher tier")
    return _escalate(actor, case, to_tier, reason, automatic=False)


def escalate_at_risk(*, now: dt.datetime | None = None) -> list[Escalation]:
    """Escalate every running case that is at risk of breaching (or has breached) one tier up.

    Run by the periodic job (``salesdesk escalate_at_risk``). A case is escalated
    automatically at most once per SLA target (first response, resolution), so running
    the job again changes nothing and a case never climbs every tier on its own.
    """
    now = now or timezone.now()
    escalations = []
    candidates = (
        Case.objects.select_related("sla_calendar", "account")
        .filter(status__in=CLOCK_RUNNING_STATUSES, tier__lt=4, at_risk_at__lte=now)
        .order_by("at_risk_at", "id")
    )
    for case in candidates:
        state = sla_state(case, now)
        if state.state not in (SlaState.AT_RISK, SlaState.BREACHED):
            continue
        if case.escalations.filter(automatic=True, sla_target=state.target).exists():
            continue
        with transaction.atomic():
            locked = Case.objects.select_for_update().select_related("account").get(pk=case.pk)
            if locked.tier != case.tier or locked.status not in CLOCK_RUNNING_STATUSES:
                continue
            escalations.append(
                _escalate(
                    None,
                    locked,
                    locked.tier + 1,
                    f"SLA {state.target.replace('_', ' ')} target {state.label} (automatic)",
                    automatic=True,
                    sla_target=state.target,
                )
            )
    return escalations


# --- Replies and attachments --------------------------------------------------------------


def _follow_up(actor: Any, closed: Case, now: dt.datetime) -> Case:
    """A new case linked to a closed one, for a customer who wrote again."""
    case = Case(
        case_type=closed.case_type,
        channel=closed.channel,
        priority=closed.priority,
        account=closed.account,
        contact=closed.contact,
        product=closed.product,
        opportunity=closed.opportunity,
        follow_up_of=closed,
        subject=f"Follow-up: {closed.subject}"[:200],
        opened_by=actor,
        opened_at=now,
    )
    _apply_sla(case, sla_policy_for(account=closed.account, priority=closed.priority))
    case.save()
    audit.record_created(actor, case, step=f"follow-up of {closed.reference}")
    return case


@transaction.atomic
def case_reply(
    *, actor: Any, case: Case, body: str, is_public: bool = True, now: dt.datetime | None = None
) -> CaseComment:
    """Add a reply (public) or an internal note to a case.

    A staff member's first public reply is the case's first response. A customer's (or
    partner's) reply resumes a case waiting on them, reopens a resolved case, and on a
    closed case opens a new, linked case — the returned comment's ``case`` says which.
    """
    require(actor, "case.reply")
    body = body.strip()
    if not body:
        raise ApplicationError("body", "write something")
    case = _locked(case)
    now = now or timezone.now()
    external = actor.kind not in INTERNAL_KINDS
    if external:
        is_public = True
        if case.status == CaseStatus.CLOSED:
            case = _follow_up(actor, case, now)
        elif case.status in (CaseStatus.WAITING_ON_CUSTOMER, CaseStatus.RESOLVED):
            before = audit.snapshot(case)
            reopened = case.status == CaseStatus.RESOLVED
            _resume(case, now)
            case.status = CaseStatus.OPEN
            case.resolved_at = None
            case.save(
                update_fields=[
                    "status",
                    "resolved_at",
                    "pauses",
                    "paused_at",
                    "resolution_due_at",
                    "first_response_due_at",
                    "at_risk_at",
                ]
            )
            audit.record_step(
                actor,
                case,
                "reopened by reply" if reopened else "customer replied",
                audit.diff(before, audit.snapshot(case)),
            )
    elif is_public and case.first_responded_at is None:
        case.first_responded_at = now
        case.at_risk_at = at_risk_moment(case)  # the resolution target counts from now on
        case.save(update_fields=["first_responded_at", "at_risk_at"])
    comment = CaseComment.objects.create(case=case, author=actor, body=body, is_public=is_public)
    audit.record_step(
        actor, comment, "replied" if is_public else "internal note", detail={"case": case.reference}
    )
    if not external and is_public and case.contact is not None and case.contact.email:
        _mail_on_commit(
            f"[{case.reference}] {case.subject}",
            f"{body}\n\nReply in the portal: {_base_url()}/cases/{case.pk}/",
            [case.contact.email],
        )
    return comment


def safe_filename(name: str) -> str:
    """The file's own name without any path, reduced to safe characters (never empty)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    safe = get_valid_filename(base.replace("\x00", "")) if base.strip(" .") else ""
    return (safe or "file")[-150:]


@transaction.atomic
def attachment_add(
    *, actor: Any, case: Case, upload: UploadedFile[Any], is_public: bool = True
) -> CaseAttachment:
    """Attach a file to a case: size limit, allowed types (by extension), a safe stored name."""
    require(actor, "case.reply")
    if actor.kind not in INTERNAL_KINDS:
        is_public = True
    limit = _attachment_limit()
    if upload.size is None or upload.size > limit:
        raise ApplicationError("file", f"is larger than the limit of {limit // (1024 * 1024)} MB")
    if upload.size == 0:
        raise ApplicationError("file", "is empty")
    filename = safe_filename(upload.name or "")
    extension = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    content_type = EXTRA_TYPES.get(extension) or mimetypes.guess_type(filename)[0] or ""
    if content_type not in ATTACHMENT_TYPES:
        raise ApplicationError(
            "file", "this type of file is not accepted (text, log, CSV, PDF, images, ZIP, Office documents)"
        )
    case = _locked(case)
    if case.status == CaseStatus.CLOSED:
        raise StateConflict("status", "a closed case takes no more files; reply to open a follow-up")
    attachment = CaseAttachment(
        case=case,
        uploaded_by=actor,
        filename=filename,
        stored_name=f"{uuid.uuid4().hex}{extension}",
        content_type=content_type,
        size=upload.size,
        is_public=is_public,
    )
    attachment.file.save(attachment.stored_name, upload, save=False)
    attachment.save()
    if is_public:
        audit.record_step(actor, case, "file attached", detail={"file": filename, "size": upload.size})
    else:
        # An internal file: its event stays off the customer's view of the account timeline.
        audit.record_step(actor, attachment, "internal file attached", detail={"case": case.reference})
    return attachment


# --- Interactions -------------------------------------------------------------------------

INTERACTION_DETAILS = {"direction", "duration_minutes", "outcome", "attendees", "place", "subject"}


@transaction.atomic
def log_answer_sent(actor: Any, answer: Any, contact: Contact, question: str, channel: str) -> Interaction:
    """Log an approved answer sent to a contact (knowledge suggestions) as a call or an e-mail."""
    return log_interaction(
        actor=actor,
        kind=InteractionKind.CALL if channel == "phone" else InteractionKind.EMAIL,
        contact=contact,
        direction=CallDirection.OUTBOUND if channel == "phone" else "",
        subject=answer.title[:200],
        notes=f"Answered with the approved answer “{answer.title}” (#{answer.pk}, {channel}).\n"
        f"Question: {question[:1000]}",
    )


@transaction.atomic
def log_interaction(
    *,
    actor: Any,
    kind: str,
    contact: Contact | None = None,
    account: Organisation | None = None,
    case: Case | None = None,
    opportunity: Any = None,
    notes: str = "",
    occurred_at: dt.datetime | None = None,
    direction: str = "",
    duration_minutes: int | None = None,
    outcome: str = "",
    attendees: str = "",
    place: str = "",
    subject: str = "",
) -> Interaction:
    """Log a call, meeting or e-mail, linked to at least one of contact, account, case, opportunity.

    Every linked record must be visible to the actor and belong to the same account (the
    account is taken from the others when not given). A staff call or e-mail on a case is
    the case's first response when there was none.
    """
    require(actor, "interaction.log")
    if kind not in InteractionKind.values:
        raise ApplicationError("kind", f"must be one of {', '.join(InteractionKind.values)}")
    if direction and direction not in CallDirection.values:
        raise ApplicationError("direction", f"must be one of {', '.join(CallDirection.values)}")
    links: dict[str, Any] = {"contact": contact, "account": account, "case": case, "opportunity": opportunity}
    if not any(links.values()):
        raise ApplicationError(
            "contact_id", "link the interaction to a contact, account, case or opportunity"
        )
    checks: dict[str, Callable[[Any], Any]] = {
        "contact": visible_contacts,
        "account": visible_customers,
        "case": visible_cases,
        "opportunity": visible_opportunities,
    }
    accounts: set[int] = set()
    for name, record in links.items():
        if record is None:
            continue
        if not checks[name](actor).filter(pk=record.pk).exists():
            raise UnknownReference(f"{name}_id", f"no such {name}")
        accounts.add(
            record.pk
            if name == "account"
            else record.organisation_id
            if name == "contact"
            else record.account_id
        )
    if len(accounts) != 1:
        raise ApplicationError("account_id", "the linked records belong to different accounts")
    account_id = accounts.pop()
    interaction = Interaction(
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        logged_by=actor,
        account_id=account_id,
        contact=contact,
        case=case,
        opportunity=opportunity,
        notes=notes,
        direction=direction,
        duration_minutes=duration_minutes,
        outcome=outcome,
        attendees=attendees,
        place=place,
        subject=subject,
    )
    clean_or_raise(interaction, exclude=["account", "logged_by"])
    interaction.save()
    audit.record_created(actor, interaction)
    if (
        case is not None
        and actor.kind in INTERNAL_KINDS
        and kind in (InteractionKind.CALL, InteractionKind.EMAIL)
    ):
        locked = _locked(case)
        if locked.first_responded_at is None:
            locked.first_responded_at = interaction.occurred_at
            locked.at_risk_at = at_risk_moment(locked)
            locked.save(update_fields=["first_responded_at", "at_risk_at"])
            audit.record_step(actor, locked, "first response", detail={"interaction": interaction.pk})
    return interaction


# --- Satisfaction -------------------------------------------------------------------------


def case_from_rating_token(token: str) -> Case:
    """The case a rating link is for; ApplicationError('token') when forged or expired."""
    try:
        payload = signing.loads(token, salt=RATING_SALT, max_age=_rating_max_age())
    except signing.SignatureExpired as exc:
        raise ApplicationError("token", "this rating link has expired") from exc
    except signing.BadSignature as exc:
        raise ApplicationError("token", "this rating link is not valid") from exc
    case = Case.objects.select_related("account").filter(pk=payload.get("case")).first()
    if case is None:
        raise ApplicationError("token", "this rating link is not valid")
    return case


@transaction.atomic
def case_rate(*, token: str, score: int, comment: str = "") -> Case:
    """Rate the service on a resolved case, once, from the signed link in the resolution e-mail."""
    case = case_from_rating_token(token)
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ApplicationError("score", "must be a whole number from 1 to 5")
    case = _locked(case)
    if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        raise StateConflict("token", "the case is not resolved yet")
    if case.rated_at is not None:
        raise StateConflict("token", "this case has already been rated — thank you")
    case.satisfaction_score = score
    case.satisfaction_comment = comment.strip()[:2000]
    case.rated_at = timezone.now()
    case.save(update_fields=["satisfaction_score", "satisfaction_comment", "rated_at"])
    audit.record_step(None, case, "rated", detail={"score": score})
    return case


__all__ = [
    "CasePriority",
    "CaseType",
    "allowed_transitions",
    "attachment_add",
    "calendar_create",
    "calendar_update",
    "case_assign",
    "case_escalate",
    "case_open",
    "case_rate",
    "case_reply",
    "case_route",
    "case_take",
    "case_transition",
    "case_update_complaint",
    "escalate_at_risk",
    "log_interaction",
    "rating_token",
    "sla_policy_create",
    "sla_policy_update",
]
