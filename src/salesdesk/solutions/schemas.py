"""Request and response shapes of the solutions API. Money and quantities travel as decimal strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from salesdesk.core.api import DbId, InputSchema, Ref

CoverageName = Literal["full", "partial", "workaround", "gap"]
DecisionName = Literal["accepted", "planned", "declined"]


class DesignIn(InputSchema):
    opportunity_id: DbId
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    required_by: dt.date | None = Field(None, description="When the customer needs it in service.")


class DesignPatch(InputSchema):
    title: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    description: str = Field(None, max_length=20000)  # type: ignore[assignment]
    required_by: dt.date | None = None


class DesignOut(Schema):
    id: int
    title: str
    description: str
    opportunity: Ref
    owner: Ref
    required_by: dt.date | None
    current_version: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class VersionOut(Schema):
    id: int
    number: int
    status: str
    frozen: bool
    frozen_reason: str
    notes: str
    assumptions: list[str]
    created_by: Ref | None
    finalised_by: Ref | None
    finalised_at: dt.datetime | None
    version: int
    created_at: dt.datetime


class VersionPatch(InputSchema):
    notes: str = Field(None, max_length=20000)  # type: ignore[assignment]
    assumptions: list[str] = Field(None, max_length=100)  # type: ignore[assignment]


class ComponentIn(InputSchema):
    product_id: DbId
    quantity: int = Field(1, ge=1, le=1_000_000)
    configuration: dict[str, Any] = Field(default_factory=dict)
    notes: str = Field("", max_length=500)
    position: int | None = Field(None, ge=0, le=100000)


class ComponentPatch(InputSchema):
    product_id: DbId = None  # type: ignore[assignment]
    quantity: int = Field(None, ge=1, le=1_000_000)  # type: ignore[assignment]
    configuration: dict[str, Any] = None  # type: ignore[assignment]
    notes: str = Field(None, max_length=500)  # type: ignore[assignment]
    position: int = Field(None, ge=0, le=100000)  # type: ignore[assignment]


class ProductRef(Schema):
    id: int
    sku: str
    name: str
    lifecycle: str


class ComponentOut(Schema):
    id: int
    product: ProductRef
    quantity: int
    configuration: dict[str, Any]
    notes: str
    position: int
    version: int


class ServiceLineIn(InputSchema):
    product_id: DbId | None = None
    description: str = Field("", max_length=300)
    quantity: Decimal = Field(Decimal("1"), gt=0, max_digits=12, decimal_places=2)
    unit: str = Field("", max_length=60)


class ServiceLinePatch(InputSchema):
    product_id: DbId | None = None
    description: str = Field(None, max_length=300)  # type: ignore[assignment]
    quantity: Decimal = Field(None, gt=0, max_digits=12, decimal_places=2)  # type: ignore[assignment]
    unit: str = Field(None, max_length=60)  # type: ignore[assignment]


class ServiceLineOut(Schema):
    id: int
    product: ProductRef | None
    description: str
    quantity: Decimal
    unit: str
    version: int


class FitGapIn(InputSchema):
    coverage: CoverageName
    component_ids: list[DbId] = Field(default_factory=list, max_length=200)
    note: str = Field("", max_length=5000)


class FitGapRowOut(Schema):
    requirement_id: int | None
    reference: str
    statement: str
    priority: str
    targets: list[dict[str, str]]
    coverage: str
    components: list[str]
    component_ids: list[int]
    note: str


class FitGapOut(Schema):
    summary: str
    must_total: int
    must_full: int
    counts: dict[str, int]
    rows: list[FitGapRowOut]


class VersionDetailOut(VersionOut):
    design_id: int
    components: list[ComponentOut]
    services: list[ServiceLineOut]
    workload: dict[str, Any]
    sizing_result: dict[str, Any]
    fit_gap: FitGapOut


class WorkloadIn(InputSchema):
    workload: dict[str, Any] = Field(
        default_factory=dict, description="Peak arrival rate, tiers with service demand, growth, years."
    )


class CheckOut(Schema):
    rule: str
    subject: str
    status: str
    reason: str
    numbers: dict[str, Any]


class ScorePartOut(Schema):
    name: str
    value: int
    weight: str
    explanation: str


class ScoreOut(Schema):
    total: int
    parts: list[ScorePartOut]


class ChecksOut(Schema):
    status: str
    passed: int
    warnings: int
    failures: int
    checks: list[CheckOut]
    score: ScoreOut
    computed: Literal["now", "when frozen"]


class ProductGapIn(InputSchema):
    requirement_id: DbId
    description: str = Field(..., min_length=1, max_length=5000)
    product_id: DbId | None = None
    revenue_at_stake: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2, description="The opportunity's amount when left out."
    )


class ProductGapDecisionIn(InputSchema):
    status: DecisionName
    note: str = Field("", max_length=5000)


class ProductGapOut(Schema):
    id: int
    design: Ref
    version_number: int
    opportunity: Ref
    requirement_id: int | None
    requirement_reference: str
    product: ProductRef | None
    description: str
    revenue_at_stake: Decimal
    currency: str
    status: str
    raised_by: Ref | None
    decision_note: str
    decided_by: Ref | None
    decided_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_version_number(obj: Any) -> int:
        return int(obj.solution_version.number)

    @staticmethod
    def resolve_opportunity(obj: Any) -> Any:
        return obj.design.opportunity
