"""Request and response shapes of the service-desk API (cases, interactions, SLA policies).

Patch schemas follow ``parties.schemas``: a field left out is not changed, ``null`` on a
non-nullable field is refused by validation.
"""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from salesdesk.core.api import DbId, InputSchema, Ref
from salesdesk.core.permissions import holds
from salesdesk.core.roles import INTERNAL_KINDS
from salesdesk.knowledge.choices import Audience
from salesdesk.parties.choices import CustomerTier

from .choices import CallDirection, CaseChannel, CasePriority, CaseStatus, CaseType, InteractionKind
from .selectors import sla_state


def _sla(obj: Any) -> Any:
    """The case's SLA state, computed once per response (four fields read it)."""
    cached = getattr(obj, "_sla_status", None)
    if cached is None:
        cached = obj._sla_status = sla_state(obj)
    return cached


def _request_user(context: Any) -> Any:
    request = (context or {}).get("request")
    return getattr(request, "auth", None) or getattr(request, "user", None)


class CaseOut(Schema):
    id: int
    reference: str
    case_type: str
    channel: str
    priority: str
    status: str
    tier: int
    account: Ref
    contact: Ref | None
    product: Ref | None
    opportunity: Ref | None = Field(None, description="Shown to those who may see opportunities.")
    follow_up_of_id: int | None
    subject: str
    description: str
    assignee: Ref | None
    opened_at: dt.datetime
    first_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    first_responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    resolution_note: str
    sla_state: str = Field(..., description="on_track, at_risk, breached, paused, met or none.")
    sla_target: str = Field(..., description="The target that matters now: first_response or resolution.")
    time_left_minutes: int | None = Field(..., description="Business minutes left; negative once breached.")
    time_left: str = Field(..., description='For people: "2 h 10 m left".')
    acknowledged_at: dt.datetime | None
    investigation: str
    response: str
    root_cause: str
    corrective_action: str
    satisfaction_score: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_opportunity(obj: Any, context: Any) -> Any:
        # The same rule as deals.selectors.visible_opportunities, on the row already loaded:
        # staff see the deal; a partner only its own organisation's deals; a customer none.
        user = _request_user(context)
        if obj.opportunity_id is None or not holds(user, "opportunity.view"):
            return None
        if user.kind in INTERNAL_KINDS or obj.opportunity.partner_id == user.organisation_id:
            return obj.opportunity
        return None

    @staticmethod
    def resolve_sla_state(obj: Any) -> str:
        return str(_sla(obj).state)

    @staticmethod
    def resolve_sla_target(obj: Any) -> str:
        return str(_sla(obj).target)

    @staticmethod
    def resolve_time_left_minutes(obj: Any) -> int | None:
        left = _sla(obj).time_left
        return None if left is None else int(left.total_seconds() // 60)

    @staticmethod
    def resolve_time_left(obj: Any) -> str:
        return str(_sla(obj).label)


class CaseIn(InputSchema):
    subject: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    account_id: DbId | None = Field(
        None, description="The customer account; a customer user's own by default."
    )
    contact_id: DbId | None = None
    product_id: DbId | None = None
    opportunity_id: DbId | None = None
    interaction_id: DbId | None = Field(None, description="A logged call this case is opened from.")
    case_type: CaseType = CaseType.QUERY
    channel: CaseChannel | None = None
    priority: CasePriority = CasePriority.NORMAL
    tier: int = Field(1, ge=1, le=4)


class CasePatch(InputSchema):
    """What may change on a case once opened; a field left out is not changed, ``null`` clears a link."""

    subject: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    description: str = Field(None, max_length=20000)  # type: ignore[assignment]
    priority: CasePriority = Field(  # type: ignore[assignment]
        None, description="A new priority re-targets an active case with the current policy for it."
    )
    product_id: DbId | None = None
    contact_id: DbId | None = None
    opportunity_id: DbId | None = None


class TransitionIn(InputSchema):
    status: CaseStatus
    note: str = Field("", description="The resolution note, when resolving.")


class AssignmentIn(InputSchema):
    assignee_id: DbId | None = Field(..., description="The person; null puts the case back in its queue.")


class EscalationIn(InputSchema):
    to_tier: int = Field(..., ge=2, le=4)
    reason: str = Field(..., min_length=1, max_length=2000)


class CaseAnswerDraftIn(InputSchema):
    """A knowledge answer drafted from a case; every field left out is taken from the case."""

    title: str = Field(  # type: ignore[assignment]
        None, min_length=1, max_length=300, description="The question; the case's subject."
    )
    body: str = Field(  # type: ignore[assignment]
        None,
        min_length=1,
        max_length=100_000,
        description="Markdown; the resolution note, else the last reply to the customer.",
    )
    # Left out: the description's first line as another phrasing, and the case's product.
    alternatives: list[str] = None  # type: ignore[assignment]
    product_ids: list[int] = None  # type: ignore[assignment]
    tags: list[str] = []
    audience: Audience = Field(Audience.INTERNAL, description="Who may read it once published.")


class EscalationOut(Schema):
    id: int
    from_tier: int
    to_tier: int
    reason: str
    raised_by: Ref | None
    automatic: bool
    created_at: dt.datetime


class ComplaintPatch(InputSchema):
    acknowledged: bool = None  # type: ignore[assignment]
    investigation: str = None  # type: ignore[assignment]
    response: str = None  # type: ignore[assignment]
    root_cause: str = None  # type: ignore[assignment]
    corrective_action: str = None  # type: ignore[assignment]


class CommentIn(InputSchema):
    body: str = Field(..., min_length=1, max_length=20000)
    is_public: bool = True


class CommentOut(Schema):
    id: int
    case_id: int
    author: Ref
    body: str
    is_public: bool
    created_at: dt.datetime


class AttachmentOut(Schema):
    id: int
    case_id: int
    filename: str
    content_type: str
    size: int
    is_public: bool
    uploaded_by: Ref
    created_at: dt.datetime


class InteractionIn(InputSchema):
    kind: InteractionKind
    contact_id: DbId | None = None
    account_id: DbId | None = None
    case_id: DbId | None = None
    opportunity_id: DbId | None = None
    occurred_at: dt.datetime | None = None
    notes: str = Field("", max_length=20000)
    direction: CallDirection | None = None
    duration_minutes: int | None = Field(None, ge=0, le=24 * 60)
    outcome: str = Field("", max_length=200)
    attendees: str = Field("", max_length=500)
    place: str = Field("", max_length=200)
    subject: str = Field("", max_length=200)


class InteractionOut(Schema):
    id: int
    kind: str
    occurred_at: dt.datetime
    logged_by: Ref
    account: Ref
    contact: Ref | None
    case_id: int | None
    opportunity_id: int | None
    direction: str
    duration_minutes: int | None
    outcome: str
    attendees: str
    place: str
    subject: str
    notes: str
    version: int
    created_at: dt.datetime


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str
    working_days: str
    opens_at: dt.time
    closes_at: dt.time
    holiday_country: str
    holiday_subdivision: str
    closures: list[dt.date]
    version: int


class CalendarIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    time_zone: str = Field("Europe/Berlin", max_length=64)
    working_days: str = Field("12345", max_length=7, description="ISO weekdays as digits, 1 = Monday.")
    opens_at: dt.time = dt.time(8)
    closes_at: dt.time = dt.time(18)
    holiday_country: str = Field("", max_length=2)
    holiday_subdivision: str = Field("", max_length=10)
    closures: list[dt.date] = Field(default_factory=list)


class CalendarPatch(InputSchema):
    name: str = Field(None, min_length=1, max_length=100)  # type: ignore[assignment]
    time_zone: str = Field(None, max_length=64)  # type: ignore[assignment]
    working_days: str = Field(None, max_length=7)  # type: ignore[assignment]
    opens_at: dt.time = None  # type: ignore[assignment]
    closes_at: dt.time = None  # type: ignore[assignment]
    holiday_country: str = Field(None, max_length=2)  # type: ignore[assignment]
    holiday_subdivision: str = Field(None, max_length=10)  # type: ignore[assignment]
    closures: list[dt.date] = None  # type: ignore[assignment]


class SlaPolicyOut(Schema):
    id: int
    customer_tier: str
    priority: str
    first_response_minutes: int
    resolution_minutes: int
    at_risk_percent: int
    calendar: Ref
    version: int
    updated_at: dt.datetime


class SlaPolicyIn(InputSchema):
    customer_tier: CustomerTier
    priority: CasePriority
    first_response_minutes: int = Field(..., ge=1, le=525600)
    resolution_minutes: int = Field(..., ge=1, le=525600)
    at_risk_percent: int = Field(80, ge=1, le=99)
    calendar_id: DbId


class SlaPolicyPatch(InputSchema):
    first_response_minutes: int = Field(None, ge=1, le=525600)  # type: ignore[assignment]
    resolution_minutes: int = Field(None, ge=1, le=525600)  # type: ignore[assignment]
    at_risk_percent: int = Field(None, ge=1, le=99)  # type: ignore[assignment]
    calendar_id: DbId = None  # type: ignore[assignment]


class RatingIn(InputSchema):
    token: str = Field(..., min_length=1, max_length=500)
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)


class RatingOut(Schema):
    reference: str
    satisfaction_score: int
