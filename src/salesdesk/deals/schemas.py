"""Request and response shapes of the opportunities API.

Money travels as a string (``"125000.00"``) with a three-letter currency, so no client
ever rounds an amount through a float. Patch schemas: see ``parties.schemas``.
"""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from salesdesk.core.api import InputSchema, Ref

from .choices import OpportunityStage

CURRENCY_PATTERN = r"^[A-Za-z]{3}$"
MAX_PRODUCTS = 50


class OpportunityOut(Schema):
    id: int
    name: str
    account: Ref
    owner: Ref
    partner: Ref | None
    stage: str
    amount: Decimal = Field(..., description='A decimal number as a string, e.g. "125000.00".')
    currency: str
    expected_close_date: dt.date | None
    description: str
    closed_at: dt.datetime | None
    lost_reason: str
    products: list[Ref] = Field(..., description="Catalog items the customer is buying, by name.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class OpportunityIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    account_id: int = Field(..., description="The customer account.")
    owner_id: int | None = Field(None, description="The sales rep who owns the deal; you, when left out.")
    partner_id: int | None = Field(None, description="The partner who brought the deal, if any.")
    stage: OpportunityStage = OpportunityStage.QUALIFICATION
    amount: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    currency: str = Field("EUR", pattern=CURRENCY_PATTERN, description="ISO 4217, e.g. EUR.")
    expected_close_date: dt.date | None = None
    description: str = ""
    lost_reason: str = Field("", max_length=300)
    product_ids: list[int] = Field(
        [],
        max_length=MAX_PRODUCTS,
        description="Catalog items the customer is buying; items on sale only (not end of sale/life).",
    )


class OpportunityPatch(InputSchema):
    name: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    account_id: int = None  # type: ignore[assignment]
    owner_id: int = None  # type: ignore[assignment]
    partner_id: int | None = None
    stage: OpportunityStage = None  # type: ignore[assignment]
    amount: Decimal = Field(None, ge=0, max_digits=14, decimal_places=2)  # type: ignore[assignment]
    currency: str = Field(None, pattern=CURRENCY_PATTERN)  # type: ignore[assignment]
    expected_close_date: dt.date | None = None
    description: str = None  # type: ignore[assignment]
    lost_reason: str = Field(None, max_length=300)  # type: ignore[assignment]
    product_ids: list[int] = Field(  # type: ignore[assignment]
        None, max_length=MAX_PRODUCTS, description="Replaces the list; [] removes every product."
    )
