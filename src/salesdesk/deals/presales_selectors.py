"""Reads of presales requests, the targets they run against, and the presales team's workload.

Visibility: internal staff see every request (as they see every opportunity); a partner
user sees the requests their own organisation made, on the deals it brings; a customer
sees none. A request outside these is a 404.

Targets run on the presales business calendar (``SALESDESK_PRESALES_CALENDAR``) with the
same engine as service SLAs (``salesdesk.service.business_hours``): acknowledge within
``SALESDESK_PRESALES_ACKNOWLEDGE_HOURS`` business hours of the request; deliver by the
close of business on the due date (the last working day on or before it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from salesdesk.core.permissions import holds
from salesdesk.core.roles import INTERNAL_KINDS, UserKind
from salesdesk.parties.models import ProductSkill, User
from salesdesk.service import business_hours
from salesdesk.service.selectors import open_case_load

from .presales_models import (
    OPEN_PRESALES_STATUSES,
    WORKLOAD_STATUSES,
    PresalesComment,
    PresalesRequest,
    PresalesStatus,
)
from .selectors import visible_opportunities

TENTH = Decimal("0.1")
MINUTE = dt.timedelta(minutes=1)
REQUEST_RELATED = (
    "opportunity",
    "opportunity__account",
    "requested_by",
    "assignee",
    "requester_organisation",
)


# --- The calendar and the targets --------------------------------------------------------------


def presales_calendar() -> business_hours.Calendar:
    """The business calendar presales targets count on, from settings (raises CalendarError if unusable)."""
    spec = dict(settings.SALESDESK_PRESALES_CALENDAR)
    opens = dt.time.fromisoformat(str(spec.get("opens_at", "08:00")))
    closes = dt.time.fromisoformat(str(spec.get("closes_at", "18:00")))
    return business_hours.Calendar(
        time_zone=str(spec.get("time_zone", "UTC")),
        hours={int(d) - 1: (opens, closes) for d in str(spec.get("working_days", "12345"))},
        holiday_country=str(spec.get("holiday_country", "")),
        holiday_subdivision=str(spec.get("holiday_subdivision", "")),
    )


def acknowledge_due(
    requested_at: dt.datetime, calendar: business_hours.Calendar | None = None
) -> dt.datetime:
    """``requested_at`` plus the acknowledgement target in business hours."""
    hours = float(settings.SALESDESK_PRESALES_ACKNOWLEDGE_HOURS)
    return business_hours.add_business_time(
        requested_at, dt.timedelta(hours=hours), calendar or presales_calendar()
    )


def deliver_due(due_date: dt.date, calendar: business_hours.Calendar | None = None) -> dt.datetime:
    """Close of business on ``due_date``, or on the last working day before it when it is closed."""
    calendar = calendar or presales_calendar()
    midnight_after = dt.datetime.combine(due_date + dt.timedelta(days=1), dt.time(0), tzinfo=calendar.zone)
    for _start, end in business_hours.working_segments_before(midnight_after, calendar):
        return end
    raise business_hours.CalendarError("the calendar has no working time")  # pragma: no cover


class TargetState:
    ACKNOWLEDGE_DUE = "acknowledge_due"
    ACKNOWLEDGE_OVERDUE = "acknowledge_overdue"
    ON_TRACK = "on_track"
    OVERDUE = "overdue"
    DELIVERED_ON_TIME = "delivered_on_time"
    DELIVERED_LATE = "delivered_late"
    CLOSED = "closed"


@dataclass(frozen=True)
class PresalesTarget:
    """Where a request stands against its targets at one instant."""

    state: str
    due_at: dt.datetime | None
    time_left: dt.timedelta | None  # business time; negative once overdue

    @property
    def is_overdue(self) -> bool:
        return self.state in (TargetState.ACKNOWLEDGE_OVERDUE, TargetState.OVERDUE)

    @property
    def label(self) -> str:
        left = self.time_left
        if self.state == TargetState.ACKNOWLEDGE_DUE and left is not None:
            return f"acknowledge due · {business_hours.format_duration(left)} left"
        # Past a target with no working time since (a weekend): "overdue", not "0 m over".
        if self.state == TargetState.ACKNOWLEDGE_OVERDUE and left is not None:
            over = f" · {business_hours.format_duration(-left)} over" if left <= -MINUTE else ""
            return f"acknowledge overdue{over}"
        if self.state == TargetState.OVERDUE and left is not None:
            over = f" · {business_hours.format_duration(-left)} over" if left <= -MINUTE else ""
            return f"overdue{over}"
        if self.state == TargetState.ON_TRACK and left is not None:
            return f"on track · {business_hours.format_duration(left)} left"
        return {
            TargetState.DELIVERED_ON_TIME: "delivered on time",
            TargetState.DELIVERED_LATE: "delivered late",
            TargetState.CLOSED: "closed",
        }.get(self.state, self.state)


def target_state(
    request: PresalesRequest,
    now: dt.datetime | None = None,
    calendar: business_hours.Calendar | None = None,
) -> PresalesTarget:
    """The target that matters now: acknowledgement while requested, then delivery by the due date."""
    now = now or timezone.now()
    if request.status == PresalesStatus.DELIVERED:
        late = request.delivered_at is not None and request.delivered_at > request.deliver_due_at
        state = TargetState.DELIVERED_LATE if late else TargetState.DELIVERED_ON_TIME
        return PresalesTarget(state, request.deliver_due_at, None)
    if request.status in (PresalesStatus.DECLINED, PresalesStatus.CANCELLED):
        return PresalesTarget(TargetState.CLOSED, None, None)
    calendar = calendar or presales_calendar()
    # Delivery overdue outranks a pending acknowledgement: it is the later, bigger miss.
    if now > request.deliver_due_at:
        left = business_hours.business_time_between(now, request.deliver_due_at, calendar)
        return PresalesTarget(TargetState.OVERDUE, request.deliver_due_at, left)
    if request.status == PresalesStatus.REQUESTED:
        left = business_hours.business_time_between(now, request.acknowledge_due_at, calendar)
        state = (
            TargetState.ACKNOWLEDGE_OVERDUE
            if now >= request.acknowledge_due_at
            else TargetState.ACKNOWLEDGE_DUE
        )
        return PresalesTarget(state, request.acknowledge_due_at, left)
    left = business_hours.business_time_between(now, request.deliver_due_at, calendar)
    return PresalesTarget(TargetState.ON_TRACK, request.deliver_due_at, left)


def overdue_q(now: dt.datetime) -> Q:
    """Open requests past a target: delivery due passed, or still unacknowledged past its target."""
    return Q(status__in=OPEN_PRESALES_STATUSES, deliver_due_at__lt=now) | Q(
        status=PresalesStatus.REQUESTED, acknowledge_due_at__lte=now
    )


# --- Visibility ---------------------------------------------------------------------------------


def visible_presales_requests(user: Any) -> QuerySet[PresalesRequest]:
    """Staff see every request; a partner user their organisation's on its deals; customers none."""
    qs = PresalesRequest.objects.select_related(*REQUEST_RELATED).prefetch_related(
        Prefetch("skills", queryset=ProductSkill.objects.order_by("name"))
    )
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.kind in INTERNAL_KINDS and holds(user, "opportunity.view"):
        return qs
    if user.kind == UserKind.PARTNER and user.organisation_id and holds(user, "presales.request"):
        return qs.filter(
            requester_organisation_id=user.organisation_id,
            opportunity__in=visible_opportunities(user).order_by().values("pk"),
        )
    return qs.none()


def presales_request_get_for_user(*, user: Any, presales_request_id: int) -> PresalesRequest:
    return get_object_or_404(visible_presales_requests(user), pk=presales_request_id)


def comments_of(request: PresalesRequest) -> QuerySet[PresalesComment]:
    """The comments of a request the caller already may see, oldest first."""
    return (
        PresalesComment.objects.filter(request=request).select_related("author").order_by("created_at", "id")
    )


def presales_request_search(
    *,
    user: Any,
    status: str = "",
    kind: str = "",
    skill_id: int | None = None,
    assignee_id: int | None = None,
    opportunity_id: int | None = None,
    overdue: bool = False,
    mine: bool = False,
    open_only: bool = False,
    now: dt.datetime | None = None,
) -> QuerySet[PresalesRequest]:
    """Visible requests, filtered; ``mine`` means made by the user or assigned to them."""
    qs = visible_presales_requests(user)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if skill_id:
        qs = qs.filter(skills__id=skill_id)
    if assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    if opportunity_id:
        qs = qs.filter(opportunity_id=opportunity_id)
    if overdue:
        qs = qs.filter(overdue_q(now or timezone.now()))
    if open_only:
        qs = qs.filter(status__in=OPEN_PRESALES_STATUSES)
    if mine:
        qs = qs.filter(Q(requested_by=user) | Q(assignee=user))
    return qs.distinct() if skill_id else qs


def presales_summary(*, user: Any, opportunity_id: int) -> dict[str, int]:
    """Counts for the opportunity page's Presales card."""
    qs = visible_presales_requests(user).filter(opportunity_id=opportunity_id).order_by()
    return {
        "total": qs.count(),
        "open": qs.filter(status__in=OPEN_PRESALES_STATUSES).count(),
    }


# --- Workload and suggestions --------------------------------------------------------------------


@dataclass
class Workload:
    """One person of the presales team and what they carry now."""

    person: User
    skill_ids: frozenset[int]
    open_requests: int
    estimated_hours: Decimal  # recorded estimates only
    unestimated: int  # open requests without an estimate
    open_cases: int | None  # None when the service desk does not report it

    @property
    def load_hours(self) -> Decimal:
        """Workload weighted by effort: recorded hours, plus the default for each unestimated request."""
        default = Decimal(str(settings.SALESDESK_PRESALES_DEFAULT_HOURS))
        return (self.estimated_hours + default * self.unestimated).quantize(TENTH)

    @property
    def is_overloaded(self) -> bool:
        """More weighted hours than one working week (``SALESDESK_PRESALES_CAPACITY_HOURS``)."""
        return self.load_hours > Decimal(str(settings.SALESDESK_PRESALES_CAPACITY_HOURS))

    def holds_skills(self, skill_ids: set[int] | frozenset[int]) -> bool:
        return set(skill_ids) <= self.skill_ids


def presales_people() -> QuerySet[User]:
    """Who may be assigned presales work: active support staff who hold ``presales.deliver``."""
    from salesdesk.core.permissions import CAPABILITIES

    level = CAPABILITIES["presales.deliver"].level or 99
    return cast(
        "QuerySet[User]",
        User.objects.filter(is_active=True, kind=UserKind.SUPPORT, support_level__gte=level)
        .prefetch_related("skills")
        .order_by("first_name", "last_name", "username"),
    )


def team_workload() -> list[Workload]:
    """Everyone who may take presales work, with open requests, their hours and open cases."""
    people = list(presales_people())
    rows = (
        PresalesRequest.objects.filter(status__in=WORKLOAD_STATUSES, assignee__in=[p.pk for p in people])
        .values("assignee_id")
        .annotate(
            n=Count("id"),
            hours=Sum("estimated_hours"),
            unestimated=Count("id", filter=Q(estimated_hours__isnull=True)),
        )
    )
    by_person: dict[int, dict[str, Any]] = {row["assignee_id"]: dict(row) for row in rows}
    cases = open_case_load()
    result = []
    for person in people:
        row: dict[str, Any] = by_person.get(person.pk, {})
        result.append(
            Workload(
                person=person,
                skill_ids=frozenset(s.pk for s in person.skills.all()),
                open_requests=int(row.get("n", 0)),
                estimated_hours=Decimal(row.get("hours") or 0).quantize(TENTH),
                unestimated=int(row.get("unestimated", 0)),
                open_cases=cases.get(person.pk, 0),
            )
        )
    return result


def suggest_assignees(
    skill_ids: set[int] | frozenset[int], workload: list[Workload] | None = None
) -> list[Workload]:
    """People holding every needed skill, least loaded first (weighted hours, then cases, then name)."""
    people = workload if workload is not None else team_workload()
    fit = [w for w in people if w.holds_skills(skill_ids)]
    return sorted(
        fit,
        key=lambda w: (w.load_hours, w.open_requests, w.open_cases or 0, str(w.person).lower(), w.person.pk),
    )
