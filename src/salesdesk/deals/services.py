"""Every write to opportunities: capability check, references checked for visibility, audit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from salesdesk.catalog.choices import RETIRED_LIFECYCLES
from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError
from salesdesk.core.permissions import require
from salesdesk.core.roles import UserKind
from salesdesk.core.validation import apply_changes, check_version, clean_or_raise
from salesdesk.parties.choices import OrganisationKind
from salesdesk.parties.selectors import visible_organisations, visible_users

from .choices import CLOSED_STAGES
from .models import Opportunity

OPPORTUNITY_FIELDS = {
    "name",
    "account",
    "owner",
    "partner",
    "stage",
    "amount",
    "currency",
    "expected_close_date",
    "description",
    "lost_reason",
}
# Products are a many-to-many: set after the row is saved, recorded as names in the audit.
PRODUCT_FIELDS = {"products", "product_ids"}


def _resolve_refs(actor: Any, data: dict[str, Any], *, has: Opportunity | None = None) -> dict[str, Any]:
    """Swap *_id references for records, refusing any the actor cannot see.

    ``product_ids`` must name catalog items the actor can see that are still on sale;
    a retired item the opportunity ``has`` already may stay.
    """
    data = dict(data)
    if "account_id" in data:
        account = (
            visible_organisations(actor)
            .filter(pk=data.pop("account_id"), kind=OrganisationKind.CUSTOMER)
            .first()
        )
        if account is None:
            raise ApplicationError("account_id", "no such customer account")
        data["account"] = account
    if "partner_id" in data:
        partner_id = data.pop("partner_id")
        partner = None
        if partner_id is not None:
            partner = (
                visible_organisations(actor).filter(pk=partner_id, kind=OrganisationKind.PARTNER).first()
            )
            if partner is None:
                raise ApplicationError("partner_id", "no such partner organisation")
        data["partner"] = partner
    if "owner_id" in data:
        owner = visible_users(actor).filter(pk=data.pop("owner_id"), is_active=True).first()
        if owner is None or owner.kind not in (UserKind.SALES_REP, UserKind.SUPPORT):
            raise ApplicationError("owner_id", "must be an active sales rep or staff member")
        data["owner"] = owner
    if "currency" in data and isinstance(data["currency"], str):
        data["currency"] = data["currency"].strip().upper()
    if "product_ids" in data:
        from salesdesk.catalog.selectors import visible_products

        ids = list(dict.fromkeys(data.pop("product_ids") or []))
        found = {p.pk: p for p in visible_products(actor).filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise ApplicationError("product_ids", f"no such product: {missing[0]}")
        kept = set(has.products.values_list("pk", flat=True)) if has is not None else set()
        retired = [found[i] for i in ids if found[i].lifecycle in RETIRED_LIFECYCLES and i not in kept]
        if retired:
            raise ApplicationError(
                "product_ids",
                f"{retired[0].name} is {retired[0].get_lifecycle_display().lower()}; it cannot be added",
            )
        data["products"] = [found[i] for i in ids]
    return data


def _set_products(opportunity: Opportunity, products: list[Any] | None) -> dict[str, list[Any]]:
    """Set the opportunity's products; the change as {"products": [old, new]} names, or {}."""
    if products is None:
        return {}
    old = sorted(opportunity.products.all(), key=lambda p: p.pk)
    new = sorted(set(products), key=lambda p: p.pk)
    if [p.pk for p in old] == [p.pk for p in new]:
        return {}
    opportunity.products.set(new)
    return {"products": [[str(p) for p in old], [str(p) for p in new]]}


def _closing(opportunity: Opportunity) -> None:
    if opportunity.stage in CLOSED_STAGES and opportunity.closed_at is None:
        opportunity.closed_at = timezone.now()
    elif opportunity.stage not in CLOSED_STAGES:
        opportunity.closed_at = None
    if opportunity.stage == "lost" and not opportunity.lost_reason:
        raise ApplicationError("lost_reason", "say why the deal was lost")


@transaction.atomic
def opportunity_create(*, actor: Any, data: dict[str, Any]) -> Opportunity:
    """Open an opportunity on a customer account; the actor owns it unless an owner is named."""
    require(actor, "opportunity.create")
    data = _resolve_refs(actor, data)
    unknown = sorted(set(data) - OPPORTUNITY_FIELDS - PRODUCT_FIELDS)
    if unknown:
        raise ApplicationError(unknown[0], "is not a field of an opportunity")
    if "account" not in data:
        raise ApplicationError("account_id", "is required")
    data.setdefault("owner", actor)
    products = data.pop("products", None)
    opportunity = Opportunity(**data)
    clean_or_raise(opportunity)
    _closing(opportunity)
    opportunity.save()
    audit.record_created(actor, opportunity, detail=_set_products(opportunity, products))
    return opportunity


@transaction.atomic
def opportunity_update(
    *, actor: Any, opportunity: Opportunity, data: dict[str, Any], expected_version: int | None = None
) -> Opportunity:
    """Change an opportunity. A stage change is recorded as a workflow step as well."""
    require(actor, "opportunity.edit")
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    check_version(opportunity, expected_version)
    before = audit.snapshot(opportunity)
    data = _resolve_refs(actor, data, has=opportunity)
    products = data.pop("products", None)
    changed = apply_changes(opportunity, data, allowed=OPPORTUNITY_FIELDS)
    product_change = _set_products(opportunity, products)
    if not changed and not product_change:
        return opportunity
    clean_or_raise(opportunity)
    _closing(opportunity)
    opportunity.save(update_fields=[*changed, "closed_at"])
    changes = {**audit.diff(before, audit.snapshot(opportunity)), **product_change}
    if "stage" in changed:
        audit.record_step(actor, opportunity, f"moved to {opportunity.get_stage_display()}", changes)
    else:
        audit.record(actor, opportunity, "updated", changes)
    return opportunity
