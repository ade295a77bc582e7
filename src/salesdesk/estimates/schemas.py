"""Request and response shapes of the estimates API. Money and effort travel as decimal strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from salesdesk.core.api import DbId, InputSchema, Ref

CURRENCY_PATTERN = r"^[A-Za-z]{3}$"
CODE_PATTERN = r"^[A-Za-z0-9_.-]{1,20}$"
Days = Decimal
DistributionName = Literal["triangular", "pert"]
LinkType = Literal["FS", "SS", "FF", "SF"]
MitigationName = Literal["none", "planned", "in_progress", "done"]


class Dependency(InputSchema):
    task: str = Field(..., pattern=CODE_PATTERN, description="Code of the predecessor task.")
    type: LinkType = "FS"
    lag: float = Field(0, ge=-365, le=365, description="Working days; negative is a lead.")


class EstimateIn(InputSchema):
    opportunity_id: DbId
    title: str = Field(..., min_length=1, max_length=200)
    currency: str | None = Field(
        None, pattern=CURRENCY_PATTERN, description="The opportunity's when left out."
    )
    distribution: DistributionName = "pert"
    confidence_level: int = Field(80, ge=50, le=99)
    start_date: dt.date | None = None
    holiday_country: str = Field("", max_length=2)
    target_date: dt.date | None = None
    target_budget: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)


class EstimatePatch(InputSchema):
    title: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    currency: str = Field(None, pattern=CURRENCY_PATTERN)  # type: ignore[assignment]
    distribution: DistributionName = None  # type: ignore[assignment]
    confidence_level: int = Field(None, ge=50, le=99)  # type: ignore[assignment]
    start_date: dt.date | None = None
    holiday_country: str = Field(None, max_length=2)  # type: ignore[assignment]
    target_date: dt.date | None = None
    target_budget: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)


class EstimateOut(Schema):
    id: int
    title: str
    opportunity: Ref
    owner: Ref
    currency: str
    distribution: str
    confidence_level: int
    status: str
    current_version: int
    start_date: dt.date | None
    holiday_country: str
    target_date: dt.date | None
    target_budget: Decimal | None
    usable_in_proposal: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class TaskIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=20, description="Letters, digits, . _ -")
    name: str = Field(..., min_length=1, max_length=200)
    phase: str = Field("", max_length=100)
    role: str = Field("", max_length=60)
    task_type: str = Field("", max_length=60)
    position: int | None = Field(None, ge=0, le=100000)
    optimistic: Days = Field(Decimal("0"), ge=0, max_digits=9, decimal_places=2)
    most_likely: Days = Field(Decimal("0"), ge=0, max_digits=9, decimal_places=2)
    pessimistic: Days = Field(Decimal("0"), ge=0, max_digits=9, decimal_places=2)
    dependencies: list[Dependency] = Field(default_factory=list, max_length=200)
    milestone: bool = False
    units: Decimal = Field(
        Decimal("1"), ge=0, max_digits=6, decimal_places=2, description="People of its role it occupies."
    )


class TaskPatch(InputSchema):
    code: str = Field(None, min_length=1, max_length=20)  # type: ignore[assignment]
    name: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    phase: str = Field(None, max_length=100)  # type: ignore[assignment]
    role: str = Field(None, max_length=60)  # type: ignore[assignment]
    task_type: str = Field(None, max_length=60)  # type: ignore[assignment]
    position: int = Field(None, ge=0, le=100000)  # type: ignore[assignment]
    optimistic: Days = Field(None, ge=0, max_digits=9, decimal_places=2)  # type: ignore[assignment]
    most_likely: Days = Field(None, ge=0, max_digits=9, decimal_places=2)  # type: ignore[assignment]
    pessimistic: Days = Field(None, ge=0, max_digits=9, decimal_places=2)  # type: ignore[assignment]
    dependencies: list[Dependency] = Field(None, max_length=200)  # type: ignore[assignment]
    milestone: bool = None  # type: ignore[assignment]
    units: Decimal = Field(None, ge=0, max_digits=6, decimal_places=2)  # type: ignore[assignment]


class TaskOut(Schema):
    id: int
    code: str
    position: int
    phase: str
    name: str
    role: str
    task_type: str
    optimistic: Decimal
    most_likely: Decimal
    pessimistic: Decimal
    dependencies: list[dict[str, Any]]
    milestone: bool
    units: Decimal
    version: int


class RateIn(InputSchema):
    role: str = Field(..., min_length=1, max_length=60)
    cost_rate: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)
    sell_rate: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, pattern=CURRENCY_PATTERN)
    capacity: Decimal | None = Field(
        None, ge=0, max_digits=6, decimal_places=2, description="People available at once; null = no limit."
    )


class RatePatch(InputSchema):
    role: str = Field(None, min_length=1, max_length=60)  # type: ignore[assignment]
    cost_rate: Decimal = Field(None, ge=0, max_digits=14, decimal_places=2)  # type: ignore[assignment]
    sell_rate: Decimal = Field(None, ge=0, max_digits=14, decimal_places=2)  # type: ignore[assignment]
    currency: str = Field(None, pattern=CURRENCY_PATTERN)  # type: ignore[assignment]
    capacity: Decimal | None = Field(None, ge=0, max_digits=6, decimal_places=2)


class RateOut(Schema):
    id: int
    role: str
    cost_rate: Decimal
    sell_rate: Decimal
    currency: str
    capacity: Decimal | None
    version: int


class ItemIn(InputSchema):
    description: str = Field(..., min_length=1, max_length=200)
    product_id: DbId | None = None
    quantity: Decimal = Field(Decimal("1"), ge=0, max_digits=12, decimal_places=2)
    unit_cost: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2, description="Most likely.")
    unit_cost_low: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    unit_cost_high: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)


class ItemPatch(InputSchema):
    description: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    product_id: DbId | None = None
    quantity: Decimal = Field(None, ge=0, max_digits=12, decimal_places=2)  # type: ignore[assignment]
    unit_cost: Decimal = Field(None, ge=0, max_digits=14, decimal_places=2)  # type: ignore[assignment]
    unit_cost_low: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    unit_cost_high: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)


class ItemOut(Schema):
    id: int
    description: str
    product_id: int | None
    quantity: Decimal
    unit_cost: Decimal
    unit_cost_low: Decimal | None
    unit_cost_high: Decimal | None
    total: Decimal
    version: int


class RiskIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=20, description="Letters, digits, . _ -")
    description: str = Field(..., min_length=1, max_length=300)
    probability: Decimal = Field(..., ge=0, max_digits=6, decimal_places=3, description="0–1")
    cost_low: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    cost_most_likely: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    cost_high: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    days_low: Decimal = Field(Decimal("0"), ge=0, max_digits=9, decimal_places=2)
    days_most_likely: Decimal = Field(Decimal("0"), ge=0, max_digits=9, decimal_places=2)
    days_high: Decimal = Field(Decimal("0"), ge=0, max_digits=9, decimal_places=2)
    tasks: list[str] = Field(default_factory=list, max_length=200)
    owner_id: DbId | None = None
    mitigation: str = Field("", max_length=5000)
    mitigation_cost: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    mitigation_status: MitigationName = "none"
    mitigated_probability: Decimal | None = Field(None, ge=0, le=1, max_digits=4, decimal_places=3)
    mitigated_cost_low: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    mitigated_cost_most_likely: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    mitigated_cost_high: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    mitigated_days_low: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    mitigated_days_most_likely: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    mitigated_days_high: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    status: Literal["open", "closed"] = "open"


class RiskPatch(InputSchema):
    code: str = Field(None, min_length=1, max_length=20)  # type: ignore[assignment]
    description: str = Field(None, min_length=1, max_length=300)  # type: ignore[assignment]
    probability: Decimal = Field(None, ge=0, max_digits=6, decimal_places=3)  # type: ignore[assignment]
    cost_low: Decimal = Field(None, ge=0, max_digits=14, decimal_places=2)  # type: ignore[assignment]
    cost_most_likely: Decimal = Field(None, ge=0, max_digits=14, decimal_places=2)  # type: ignore[assignment]
    cost_high: Decimal = Field(None, ge=0, max_digits=14, decimal_places=2)  # type: ignore[assignment]
    days_low: Decimal = Field(None, ge=0, max_digits=9, decimal_places=2)  # type: ignore[assignment]
    days_most_likely: Decimal = Field(None, ge=0, max_digits=9, decimal_places=2)  # type: ignore[assignment]
    days_high: Decimal = Field(None, ge=0, max_digits=9, decimal_places=2)  # type: ignore[assignment]
    tasks: list[str] = Field(None, max_length=200)  # type: ignore[assignment]
    owner_id: DbId | None = None
    mitigation: str = Field(None, max_length=5000)  # type: ignore[assignment]
    mitigation_cost: Decimal = Field(None, ge=0, max_digits=14, decimal_places=2)  # type: ignore[assignment]
    mitigation_status: MitigationName = None  # type: ignore[assignment]
    mitigated_probability: Decimal | None = Field(None, ge=0, le=1, max_digits=4, decimal_places=3)
    mitigated_cost_low: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    mitigated_cost_most_likely: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    mitigated_cost_high: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    mitigated_days_low: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    mitigated_days_most_likely: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    mitigated_days_high: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    status: Literal["open", "closed"] = None  # type: ignore[assignment]


class RiskOut(Schema):
    id: int
    code: str
    description: str
    probability: Decimal
    cost_low: Decimal
    cost_most_likely: Decimal
    cost_high: Decimal
    days_low: Decimal
    days_most_likely: Decimal
    days_high: Decimal
    tasks: list[str]
    owner_id: int | None
    mitigation: str
    mitigation_cost: Decimal
    mitigation_status: str
    mitigated_probability: Decimal | None
    mitigated_cost_low: Decimal | None
    mitigated_cost_most_likely: Decimal | None
    mitigated_cost_high: Decimal | None
    mitigated_days_low: Decimal | None
    mitigated_days_most_likely: Decimal | None
    mitigated_days_high: Decimal | None
    status: str
    version: int


class EstimateDetailOut(EstimateOut):
    tasks: list[TaskOut]
    rates: list[RateOut]
    items: list[ItemOut]
    risks: list[RiskOut]
    result: dict[str, Any]


class SimulationIn(InputSchema):
    iterations: int = Field(5000, ge=100, le=200_000)
    seed: int = Field(0, ge=0, le=2**32 - 1)


class JobRef(Schema):
    job_id: int
    status: str


class ReviewIn(InputSchema):
    comments: str = Field("", max_length=5000)


class VersionOut(Schema):
    number: int
    frozen: bool
    status: str
    submitted_by: Ref | None
    submitted_at: dt.datetime | None
    review_comments: str
    signed_off_by: Ref | None
    signed_off_at: dt.datetime | None
    result: dict[str, Any]


class VersionDetailOut(VersionOut):
    content: dict[str, Any]


class DiffOut(Schema):
    from_version: int
    to_version: int
    changes: list[dict[str, Any]]


class ActualIn(InputSchema):
    project: str = Field(..., min_length=1, max_length=200)
    task_type: str = Field(..., min_length=1, max_length=60)
    role: str = Field(..., min_length=1, max_length=60)
    estimated_effort: Decimal = Field(..., gt=0, max_digits=9, decimal_places=2)
    actual_effort: Decimal = Field(..., gt=0, max_digits=9, decimal_places=2)
    estimated_cost: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    actual_cost: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    estimated_duration: Decimal = Field(Decimal("0"), ge=0, max_digits=9, decimal_places=2)
    actual_duration: Decimal = Field(Decimal("0"), ge=0, max_digits=9, decimal_places=2)
    completed_on: dt.date | None = None


class ActualOut(Schema):
    id: int
    project: str
    task_type: str
    role: str
    estimated_effort: Decimal
    actual_effort: Decimal
    estimated_cost: Decimal
    actual_cost: Decimal
    estimated_duration: Decimal
    actual_duration: Decimal
    completed_on: dt.date | None


class CalibrationOut(Schema):
    overall: dict[str, float] | None
    by_role: dict[str, dict[str, float]]
    by_task_type: dict[str, dict[str, float]]
