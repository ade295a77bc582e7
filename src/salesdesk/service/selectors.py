"""Reads of cases, interactions and SLA policies, limited to what the asking user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from salesdesk.core import audit
from salesdesk.core.permissions import holds
from salesdesk.core.roles import INTERNAL_KINDS, UserKind

from . import business_hours
from .choices import ACTIVE_STATUSES, CLOCK_RUNNING_STATUSES, CaseStatus, CaseType, SlaState
from .models import BusinessCalendar, Case, CaseAttachment, CaseComment, Escalation, Interaction, SlaPolicy

CASE_RELATED = ("account", "contact", "product", "assignee", "opportunity", "sla_calendar")


def _external_case_q(user: Any, path: str = "") -> Q:
    """Which accounts' cases an external user sees: a customer their own, a partner its customers'."""
    prefix = f"{path}__" if path else ""
    org_id = getattr(user, "organisation_id", None)
    if org_id is None:
        return Q(pk__in=[])
    if user.kind == UserKind.CUSTOMER:
        return Q(**{f"{prefix}account_id": org_id})
    if user.kind == UserKind.PARTNER:
        # A partner's own organisation has no cases; the customers it manages do.
        return Q(**{f"{prefix}account__managed_by_id": org_id})
    return Q(pk__in=[])


def visible_cases(user: Any) -> QuerySet[Case]:
    """Staff see every case; a customer user their organisation's; a partner user its customers'."""
    qs = Case.objects.select_related(*CASE_RELATED)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.kind in INTERNAL_KINDS:
        return qs
    return qs.filter(_external_case_q(user))


def case_get_for_user(*, user: Any, case_id: int) -> Case:
    return get_object_or_404(visible_cases(user), pk=case_id)


def visible_comments(user: Any) -> QuerySet[CaseComment]:
    """Comments on visible cases; external users never see internal notes."""
    qs = CaseComment.objects.select_related("author").filter(case__in=visible_cases(user).values("pk"))
    if getattr(user, "kind", None) not in INTERNAL_KINDS:
        qs = qs.filter(is_public=True)
    return qs


def visible_escalations(user: Any) -> QuerySet[Escalation]:
    """Escalations of visible cases, for internal staff; partners and customers see none."""
    qs = Escalation.objects.select_related("raised_by").filter(case__in=visible_cases(user).values("pk"))
    if getattr(user, "kind", None) not in INTERNAL_KINDS:
        return qs.none()
    return qs


def visible_attachments(user: Any) -> QuerySet[CaseAttachment]:
    qs = CaseAttachment.objects.select_related("uploaded_by").filter(
        case__in=visible_cases(user).values("pk")
    )
    if getattr(user, "kind", None) not in INTERNAL_KINDS:
        qs = qs.filter(is_public=True)
    return qs


def attachment_get_for_user(*, user: Any, attachment_id: int) -> CaseAttachment:
    return get_object_or_404(visible_attachments(user), pk=attachment_id)


def visible_interactions(user: Any) -> QuerySet[Interaction]:
    """Staff see every interaction; a partner user those its own people logged with its customers.

    Customer users see none, and partners none of the vendor's: call and meeting notes are
    working notes of whoever made them.
    """
    qs = Interaction.objects.select_related("account", "contact", "case", "opportunity", "logged_by")
    if not holds(user, "interaction.log"):
        return qs.none()
    if user.kind in INTERNAL_KINDS:
        return qs
    if user.kind == UserKind.PARTNER and user.organisation_id:
        return qs.filter(
            account__managed_by_id=user.organisation_id, logged_by__organisation_id=user.organisation_id
        )
    return qs.none()


def interaction_get_for_user(*, user: Any, interaction_id: int) -> Interaction:
    return get_object_or_404(visible_interactions(user), pk=interaction_id)


def visible_sla_policies(user: Any) -> QuerySet[SlaPolicy]:
    """Internal staff read the SLA policies; external users do not."""
    qs = SlaPolicy.objects.select_related("calendar")
    if getattr(user, "is_authenticated", False) and user.is_active and user.kind in INTERNAL_KINDS:
        return qs
    return qs.none()


def sla_policy_get_for_user(*, user: Any, policy_id: int) -> SlaPolicy:
    return get_object_or_404(visible_sla_policies(user), pk=policy_id)


def visible_calendars(user: Any) -> QuerySet[BusinessCalendar]:
    """Internal staff read the business calendars; external users do not."""
    if getattr(user, "is_authenticated", False) and user.is_active and user.kind in INTERNAL_KINDS:
        return BusinessCalendar.objects.all()
    return BusinessCalendar.objects.none()


def calendar_get_for_user(*, user: Any, calendar_id: int) -> BusinessCalendar:
    return get_object_or_404(visible_calendars(user), pk=calendar_id)


QUEUES = {
    "mine": "My work",
    "tier": "My tier's queue",
    "breaching": "Breaching soon",
    "waiting": "Waiting on customer",
    "complaints": "Complaints",
    "all": "All open",
}


def case_queue(*, user: Any, queue: str, now: dt.datetime | None = None) -> QuerySet[Case]:
    """The cases of one queue tab, most urgent (earliest resolution due) first."""
    now = now or timezone.now()
    # status__is_one_of: the literal IN list of the partial indexes, so SQLite uses them too.
    qs = visible_cases(user).filter(status__is_one_of=ACTIVE_STATUSES)
    if queue == "mine":
        qs = qs.filter(assignee_id=user.pk)
    elif queue == "tier":
        qs = qs.filter(assignee__isnull=True, tier=getattr(user, "support_level", None) or 0)
    elif queue == "breaching":
        # at_risk_at is when the target that counts enters its at-risk share; a running case
        # past it is at risk or breached (sla_state agrees). The earliest at risk come first.
        return qs.filter(status__is_one_of=CLOCK_RUNNING_STATUSES, at_risk_at__lte=now).order_by(
            "at_risk_at", "id"
        )
    elif queue == "waiting":
        qs = qs.filter(status=CaseStatus.WAITING_ON_CUSTOMER)
    elif queue == "complaints":
        qs = qs.filter(case_type=CaseType.COMPLAINT)
    return qs.order_by("resolution_due_at", "id")


def _escalated_here() -> Exists:
    """Whether the case was escalated into the tier it sits at now (someone asked for help)."""
    return Exists(Escalation.objects.filter(case_id=OuterRef("pk"), to_tier=OuterRef("tier")))


def _urgency(case: Case) -> tuple[int, bool, dt.datetime, int]:
    # An escalation waiting in the tier queue comes first: nobody works it yet, and both the
    # colleague who asked for help and the customer wait. Then the earliest at risk.
    waiting = case.assignee_id is None and bool(getattr(case, "escalated", False))
    never = dt.datetime.max.replace(tzinfo=dt.UTC)
    return (0 if waiting else 1, case.at_risk_at is None, case.at_risk_at or never, case.pk)


def urgent_work(*, user: Any, limit: int = 10) -> list[Case]:
    """My work and my tier's queue in one list, the most urgent first (two queries at any size).

    First the cases escalated into the user's tier that nobody has taken, then every other
    case by the moment it is (or was) at risk. Each case carries ``escalated`` (it came up
    from a lower tier to this one) and ``in_queue`` (it waits in the tier queue, unassigned).
    """
    found: dict[int, Case] = {}
    for queue in ("mine", "tier"):
        qs = case_queue(user=user, queue=queue).select_related(None)
        for case in qs.select_related("account", "sla_calendar").annotate(escalated=_escalated_here())[
            :limit
        ]:
            case.in_queue = case.assignee_id is None  # type: ignore[attr-defined]
            found[case.pk] = case
    return sorted(found.values(), key=_urgency)[:limit]


def most_urgent_queue(*, user: Any) -> str:
    """The queue tab the Cases page opens on: the one holding the most urgent case, else my work."""
    work = urgent_work(user=user, limit=10)
    if work and getattr(work[0], "in_queue", False):
        return "tier"
    return "mine"


def case_search(
    *,
    user: Any,
    query: str = "",
    status: str = "",
    case_type: str = "",
    priority: str = "",
    tier: int | None = None,
    account_id: int | None = None,
    assignee_id: int | None = None,
    open_only: bool = False,
) -> QuerySet[Case]:
    qs = visible_cases(user)
    query = query.replace("\x00", "")
    if query:
        ref = Case.id_from_reference(query)
        q = Q(subject__icontains=query) | Q(account__name__icontains=query)
        if ref is not None:
            q |= Q(pk=ref)
        qs = qs.filter(q)
    if status:
        qs = qs.filter(status=status)
    if case_type:
        qs = qs.filter(case_type=case_type)
    if priority:
        qs = qs.filter(priority=priority)
    if tier:
        qs = qs.filter(tier=tier)
    if account_id:
        qs = qs.filter(account_id=account_id)
    if assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    if open_only:
        qs = qs.filter(status__is_one_of=ACTIVE_STATUSES)
    return qs


def open_case_load() -> dict[int, int]:
    """Active cases per assignee, for routing and the board."""
    rows = (
        Case.objects.filter(status__in=ACTIVE_STATUSES, assignee__isnull=False)
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


@dataclass(frozen=True)
class SlaStatus:
    """Where a case stands against its SLA at one instant."""

    state: str
    target: str  # "first_response", "resolution" or ""
    due_at: dt.datetime | None
    time_left: dt.timedelta | None  # business time; negative once breached

    @property
    def label(self) -> str:
        if self.time_left is None:
            return SlaState(self.state).label
        if self.time_left < dt.timedelta(0):
            return f"{business_hours.format_duration(-self.time_left)} over"
        return f"{business_hours.format_duration(self.time_left)} left"


def _current_target(case: Case) -> tuple[str, dt.datetime, int]:
    """The SLA target that counts now: first response (until answered, if due first), else resolution."""
    assert case.resolution_due_at is not None
    if (
        case.first_responded_at is None
        and case.first_response_due_at is not None
        and case.first_response_due_at < case.resolution_due_at
    ):
        return "first_response", case.first_response_due_at, case.first_response_minutes or 0
    return "resolution", case.resolution_due_at, case.resolution_minutes or 0


def _at_risk_share(case: Case, minutes: int) -> dt.timedelta:
    """The business time left at which a target becomes at risk."""
    return dt.timedelta(minutes=minutes) * (100 - case.at_risk_percent) / 100


def at_risk_moment(case: Case) -> dt.datetime | None:
    """The instant from which ``sla_state`` says at_risk (or breached) while the clock runs.

    Business time left only shrinks as time passes, so this is the earliest instant with
    at most the at-risk share of the current target left (``subtract_business_time``).
    Pauses lie before the present and do not count. None without an SLA.
    """
    if case.sla_calendar is None or case.resolution_due_at is None:
        return None
    _target, due, minutes = _current_target(case)
    return business_hours.subtract_business_time(
        due, _at_risk_share(case, minutes), case.sla_calendar.as_engine()
    )


def sla_state(case: Case, now: dt.datetime | None = None) -> SlaStatus:
    """on_track / at_risk / breached / paused / met for the target that matters now, with time left.

    Before the first response that target counts (if it is due first); after it, the
    resolution target. Time left is business time on the case's calendar, pauses excluded.
    """
    now = now or timezone.now()
    if case.sla_calendar is None or case.resolution_due_at is None:
        return SlaStatus(SlaState.NONE, "", None, None)
    if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        met = case.resolved_at is not None and case.resolved_at <= case.resolution_due_at
        return SlaStatus(
            SlaState.MET if met else SlaState.BREACHED, "resolution", case.resolution_due_at, None
        )
    calendar = case.sla_calendar.as_engine()
    pauses = case.pause_intervals(now)
    target, due, minutes = _current_target(case)
    if case.status == CaseStatus.WAITING_ON_CUSTOMER:
        # The clock stopped when the case started waiting: the time left is frozen there.
        stopped = case.paused_at or now
        left = business_hours.business_time_between(stopped, due, calendar, case.pause_intervals())
        return SlaStatus(SlaState.PAUSED, target, due, left)
    left = business_hours.business_time_between(now, due, calendar, pauses)
    if now >= due:
        return SlaStatus(SlaState.BREACHED, target, due, left)
    threshold = _at_risk_share(case, minutes)
    state = SlaState.AT_RISK if left <= threshold else SlaState.ON_TRACK
    return SlaStatus(state, target, due, left)


ANSWER_DRAFTED_STEP = "knowledge answer drafted"


def answer_draft_prefill(*, user: Any, case: Case) -> dict[str, Any]:
    """A knowledge answer's first draft from a case: its question, answer and product.

    The question is the case's subject (its description's first line becomes another way it
    is asked); the answer is the resolution note, else the last reply staff sent the customer.
    """
    body = case.resolution_note.strip()
    if not body:
        last = (
            visible_comments(user)
            .filter(case=case, is_public=True, author__kind=UserKind.SUPPORT)
            .order_by("-created_at", "-id")
            .first()
        )
        body = last.body.strip() if last is not None else ""
    first_line = next((line.strip() for line in case.description.splitlines() if line.strip()), "")
    alternatives = [first_line[:300]] if first_line and first_line != case.subject else []
    return {
        "title": case.subject,
        "body": body,
        "alternatives": alternatives,
        "product_ids": [case.product_id] if case.product_id else [],
    }


def answers_drafted_from(*, user: Any, case: Case) -> QuerySet[Any]:
    """The knowledge answers drafted from a case that the user may read (from the case's audit)."""
    from salesdesk.knowledge.selectors import visible_answers

    ids = [
        event.detail.get("answer_id")
        for event in audit.events_for(case)
        .filter(step=ANSWER_DRAFTED_STEP)
        .select_related(None)
        .only("detail")
    ]
    return visible_answers(user).filter(pk__in=[i for i in ids if isinstance(i, int)]).order_by("id")
