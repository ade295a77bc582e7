"""Request and response shapes of the deal-registration API.

A partner reads their own registrations without the conflict details (``conflicts`` is
null for them: another partner's identity and deals are never shown to a partner); they see
``in_conflict`` only. Sales managers get the full list of matches.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from salesdesk.core.api import InputSchema, Ref
from salesdesk.core.permissions import holds

from .schemas import CURRENCY_PATTERN


class ProductRef(Schema):
    id: int
    sku: str
    name: str


class ConflictOut(Schema):
    kind: str = Field(..., description="opportunity or registration")
    id: int
    label: str
    customer: str
    score: float = Field(..., description="How alike the customer names are, 0–100 (85 or more matches).")
    products: list[int] = Field(..., description="The overlapping products' ids.")
    product_names: list[str]
    products_unknown: bool = Field(..., description="The existing deal lists no products.")
    partner_id: int | None
    partner: str
    status: str
    protected_until: dt.date | None
    blocking: bool = Field(..., description="Protected for another partner: blocks approval until then.")
    account_id: int | None = Field(None, description="The matched customer account, if any.")


class RegistrationOut(Schema):
    id: int
    title: str
    customer_name: str
    account: Ref | None
    partner: Ref
    contact_name: str
    contact_email: str
    contact_phone: str
    amount: Decimal = Field(..., description='A decimal number as a string, e.g. "50000.00".')
    currency: str
    products: list[ProductRef]
    expected_close_date: dt.date
    notes: str
    status: str
    in_conflict: bool
    blocked_until: dt.date | None = Field(
        ..., description="Blocked by a deal protected for another partner until (sales managers only)."
    )
    conflicts: list[ConflictOut] | None = Field(
        ..., description="The matches found (sales managers only; null for partners)."
    )
    checked_at: dt.datetime | None
    decision_reason: str
    decided_at: dt.datetime | None
    opportunity_id: int | None
    protected_until: dt.date | None
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_products(obj: Any) -> list[Any]:
        return list(obj.products.all())

    @staticmethod
    def resolve_account(obj: Any, context: Any) -> Any:
        # A partner sees the account only if it is theirs to see (a customer they manage).
        user = context["request"].auth if context else None
        if obj.account_id is None or user is None:
            return None
        if holds(user, "deal.approve") or getattr(obj.account, "managed_by_id", None) == user.organisation_id:
            return obj.account
        return None

    @staticmethod
    def resolve_conflicts(obj: Any, context: Any) -> list[dict[str, Any]] | None:
        user = context["request"].auth if context else None
        if user is None or not holds(user, "deal.approve"):
            return None
        return list(obj.conflicts or [])

    @staticmethod
    def resolve_blocked_until(obj: Any, context: Any) -> dt.date | None:
        # When another partner's protection ends is that partner's business: a partner
        # learns only that a conflict exists (``in_conflict``), as on the page.
        user = context["request"].auth if context else None
        if user is None or not holds(user, "deal.approve"):
            return None
        return obj.blocked_until  # type: ignore[no-any-return]


class RegistrationIn(InputSchema):
    customer_name: str = Field(..., min_length=1, max_length=200, description="The customer company.")
    account_id: int | None = Field(None, description="A customer account you manage, if it is one.")
    title: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=200)
    contact_email: str = Field("", max_length=254)
    contact_phone: str = Field("", max_length=40)
    amount: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    currency: str = Field("EUR", pattern=CURRENCY_PATTERN, description="ISO 4217, e.g. EUR.")
    product_ids: list[int] = Field(..., min_length=1, max_length=50)
    expected_close_date: dt.date
    notes: str = Field("", max_length=5000)


class RegistrationApproveIn(InputSchema):
    reason: str = Field("", max_length=5000, description="Required when the registration conflicts.")
    opportunity_id: int | None = Field(
        None, description="Link this open opportunity instead of creating one."
    )
    account_id: int | None = Field(None, description="The customer account (default: the matched one).")
    new_account: bool = Field(False, description="Create a customer account from the registered name.")
    owner_id: int | None = Field(None, description="The opportunity's owner (default: you).")


class RegistrationRejectIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=5000)
