"""Request and response shapes of the catalog API.

Money and spec values travel as decimal strings, never floats. ``cost_price`` is only
ever present in answers to staff: for partners and customers the key is left out, not
sent as null (see ``api._price_rows``).
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from salesdesk.core.api import InputSchema, Ref

from .choices import Lifecycle, OfferingKind, RuleKind

CURRENCY_PATTERN = r"^[A-Za-z]{3}$"
SPEC_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"


class CategoryOut(Schema):
    id: int
    name: str
    description: str
    version: int


class CategoryIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=300)


class CategoryPatch(InputSchema):
    name: str = Field(None, min_length=1, max_length=120)  # type: ignore[assignment]
    description: str = Field(None, max_length=300)  # type: ignore[assignment]


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    kind: str
    category: Ref
    lifecycle: str
    summary: str
    lead_time_days: int | None
    successor_id: int | None = Field(None, description="The item that replaces this one, if any.")
    version: int
    updated_at: dt.datetime


class SpecOut(Schema):
    id: int
    name: str
    value: str = Field(..., description='A decimal number as a string ("500"), or text.')
    numeric: bool
    unit: str
    version: int

    @staticmethod
    def resolve_value(obj: Any) -> str:
        if obj.value_number is not None:
            return format(obj.value_number.normalize(), "f")
        return obj.value_text

    @staticmethod
    def resolve_numeric(obj: Any) -> bool:
        return obj.value_number is not None


class PriceOut(Schema):
    id: int
    list_price: Decimal
    cost_price: Decimal | None = Field(None, description="Staff only; absent for partners and customers.")
    currency: str
    unit: str
    valid_from: dt.date
    valid_to: dt.date | None
    version: int


class ProductDetailOut(ProductOut):
    description: str
    created_at: dt.datetime
    specs: list[SpecOut]
    prices: list[PriceOut]


class ProductIn(InputSchema):
    sku: str = Field(..., min_length=1, max_length=60)
    name: str = Field(..., min_length=1, max_length=200)
    kind: OfferingKind = OfferingKind.PRODUCT
    category_id: int
    lifecycle: Lifecycle = Lifecycle.PLANNED
    summary: str = Field("", max_length=300)
    description: str = ""
    lead_time_days: int | None = Field(None, ge=0)
    successor_id: int | None = None


class ProductPatch(InputSchema):
    sku: str = Field(None, min_length=1, max_length=60)  # type: ignore[assignment]
    name: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    kind: OfferingKind = None  # type: ignore[assignment]
    category_id: int = None  # type: ignore[assignment]
    summary: str = Field(None, max_length=300)  # type: ignore[assignment]
    description: str = None  # type: ignore[assignment]
    lead_time_days: int | None = Field(None, ge=0)
    successor_id: int | None = None


class LifecycleIn(InputSchema):
    lifecycle: Lifecycle
    note: str = Field("", max_length=300)


class SpecIn(InputSchema):
    name: str = Field(..., pattern=SPEC_NAME_PATTERN, max_length=60)
    value: str = Field(..., min_length=1, max_length=200, description="A number (500, 2.5) or text.")
    unit: str = Field("", max_length=30)


class SpecPatch(InputSchema):
    name: str = Field(None, pattern=SPEC_NAME_PATTERN, max_length=60)  # type: ignore[assignment]
    value: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    unit: str = Field(None, max_length=30)  # type: ignore[assignment]


class PriceIn(InputSchema):
    list_price: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)
    cost_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str = Field("EUR", pattern=CURRENCY_PATTERN)
    unit: str = Field("each", min_length=1, max_length=60)
    valid_from: dt.date
    valid_to: dt.date | None = None


class PricePatch(InputSchema):
    list_price: Decimal = Field(None, ge=0, max_digits=14, decimal_places=2)  # type: ignore[assignment]
    cost_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str = Field(None, pattern=CURRENCY_PATTERN)  # type: ignore[assignment]
    unit: str = Field(None, min_length=1, max_length=60)  # type: ignore[assignment]
    valid_from: dt.date = None  # type: ignore[assignment]
    valid_to: dt.date | None = None


class RuleOut(Schema):
    id: int
    product: Ref
    kind: str
    other_product: Ref | None
    spec_name: str
    limit_value: Decimal | None
    message: str
    version: int


class RuleIn(InputSchema):
    kind: RuleKind
    other_product_id: int | None = None
    spec_name: str = Field("", max_length=60)
    limit_value: Decimal | None = Field(None, max_digits=18, decimal_places=4)
    message: str = Field(..., min_length=1, max_length=300)


class RulePatch(InputSchema):
    kind: RuleKind = None  # type: ignore[assignment]
    other_product_id: int | None = None
    spec_name: str = Field(None, max_length=60)  # type: ignore[assignment]
    limit_value: Decimal | None = Field(None, max_digits=18, decimal_places=4)
    message: str = Field(None, min_length=1, max_length=300)  # type: ignore[assignment]


class ImportProblemOut(Schema):
    sheet: str
    row: int
    column: str
    problem: str


class ImportReportOut(Schema):
    ok: bool
    products_created: int
    products_updated: int
    prices_created: int
    prices_updated: int
    problems: list[ImportProblemOut]
