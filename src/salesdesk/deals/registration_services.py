"""Every write to deal registrations: register (with the conflict check), approve, reject, re-check.

A partner user (``deal.register``) registers a deal for their organisation. A sales manager
(``deal.approve``, support level 5 — "assign and manage all sales-support work") approves it,
creating or linking the opportunity, setting its partner and protecting it for that partner
for ``SALESDESK_DEAL_REGISTRATION_PROTECTION_DAYS`` days; or rejects it with a reason.
Callers find the registration through ``registration_selectors`` first (another partner's
registration is a 404 before any of these run).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from salesdesk.catalog.models import Product
from salesdesk.catalog.selectors import visible_products
from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError, StateConflict
from salesdesk.core.permissions import require
from salesdesk.core.roles import UserKind
from salesdesk.core.validation import clean_or_raise
from salesdesk.parties.choices import OrganisationKind
from salesdesk.parties.models import Organisation
from salesdesk.parties.selectors import visible_customers
from salesdesk.parties.services import organisation_create

from . import services as opportunity_services
from .choices import OPEN_STAGES
from .conflicts import normalise_company_name
from .models import Opportunity
from .registration_models import DealRegistration, RegistrationStatus
from .registration_selectors import ConflictReport, registration_conflicts
from .selectors import visible_opportunities

REGISTRATION_FIELDS = {
    "title",
    "customer_name",
    "account_id",
    "contact_name",
    "contact_email",
    "contact_phone",
    "amount",
    "currency",
    "product_ids",
    "expected_close_date",
    "notes",
}
MAX_PRODUCTS = 50
MAX_TEXT = 5000


def protection_days() -> int:
    return int(getattr(settings, "SALESDESK_DEAL_REGISTRATION_PROTECTION_DAYS", 90))


def _text(data: dict[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApplicationError(name, "must be text")
    value = value.strip()
    if required and not value:
        raise ApplicationError(name, "is required")
    if len(value) > limit:
        raise ApplicationError(name, f"is longer than {limit} characters")
    return value


def _products(actor: Any, value: Any) -> list[Product]:
    if not isinstance(value, list | tuple) or not value:
        raise ApplicationError("product_ids", "name at least one product")
    if len(value) > MAX_PRODUCTS:
        raise ApplicationError("product_ids", f"name at most {MAX_PRODUCTS} products")
    ids: list[int] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise ApplicationError("product_ids", f"{item!r} is not a product id")
        try:
            ids.append(int(item))
        except ValueError as exc:
            raise ApplicationError("product_ids", f"{item!r} is not a product id") from exc
    found = {p.pk: p for p in visible_products(actor).filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ApplicationError("product_ids", f"no such product: {missing[0]}")
    return [found[i] for i in dict.fromkeys(ids)]


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation as exc:
        raise ApplicationError("amount", "must be a number such as 125000.00") from exc
    if not amount.is_finite() or amount < 0:
        raise ApplicationError("amount", "must be zero or more")
    return amount


def _close_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ApplicationError("expected_close_date", "must be a date such as 2027-03-31") from exc
    if not isinstance(value, dt.date):
        raise ApplicationError("expected_close_date", "is required")
    if value < timezone.localdate():
        raise ApplicationError("expected_close_date", "is in the past")
    return value


def _store_report(registration: DealRegistration, report: ConflictReport) -> None:
    """Keep the check's result on the registration, with product names for the reader."""
    names = dict(registration.products.values_list("id", "name"))
    stored = []
    for match in report.matches:
        row = match.as_dict()
        row["product_names"] = [names.get(pk, f"#{pk}") for pk in match.products]
        stored.append(row)
    registration.conflicts = stored
    registration.in_conflict = report.in_conflict
    registration.blocked_until = report.blocked_until
    registration.checked_at = timezone.now()


def _check(registration: DealRegistration) -> ConflictReport:
    return registration_conflicts(
        customer_key=registration.customer_key,
        account_id=registration.account_id,
        product_ids=list(registration.products.values_list("id", flat=True)),
        partner_id=registration.partner_id,
        exclude_registration_id=registration.pk,
        today=timezone.localdate(),
    )


@transaction.atomic
def registration_create(*, actor: Any, data: dict[str, Any]) -> DealRegistration:
    """Register a deal for the actor's partner organisation and check it for conflicts."""
    require(actor, "deal.register")
    if actor.kind != UserKind.PARTNER or not actor.organisation_id:
        raise ApplicationError(None, "only a partner organisation's user can register a deal")
    unknown = sorted(set(data) - REGISTRATION_FIELDS)
    if unknown:
        raise ApplicationError(unknown[0], "is not a field of a deal registration")
    customer_name = _text(data, "customer_name", 200, required=True)
    key = normalise_company_name(customer_name)
    if not key:
        raise ApplicationError("customer_name", "must contain letters or digits")
    account = None
    if data.get("account_id") is not None:
        # A partner may name a customer they manage; any other id does not exist for them.
        account = visible_customers(actor).filter(pk=data["account_id"]).first()
        if account is None:
            raise ApplicationError("account_id", "no such customer account")
    products = _products(actor, data.get("product_ids"))
    registration = DealRegistration(
        partner_id=actor.organisation_id,
        registered_by=actor,
        title=_text(data, "title", 200),
        customer_name=customer_name,
        customer_key=key,
        account=account,
        contact_name=_text(data, "contact_name", 200),
        contact_email=_text(data, "contact_email", 254),
        contact_phone=_text(data, "contact_phone", 40),
        amount=_amount(data.get("amount")),
        currency=_text(data, "currency", 10).upper() or "EUR",
        expected_close_date=_close_date(data.get("expected_close_date")),
        notes=_text(data, "notes", MAX_TEXT),
    )
    clean_or_raise(registration, exclude=["products", "customer_key"])
    registration.save()
    registration.products.set(products)
    report = _check(registration)
    if account is None and report.best_account_id is not None and report.best_account_score >= 100:
        # The very same name (after normalisation) as one existing customer: that is the account.
        registration.account_id = report.best_account_id
    _store_report(registration, report)
    registration.save(update_fields=["account", "conflicts", "in_conflict", "blocked_until", "checked_at"])
    audit.record_created(actor, registration)
    audit.record_step(
        actor,
        registration,
        "conflict check",
        detail={"conflicts": len(report.matches), "blocked_until": _iso(report.blocked_until)},
    )
    return registration


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _pending(registration: DealRegistration) -> DealRegistration:
    locked = DealRegistration.objects.select_for_update().get(pk=registration.pk)
    if locked.status != RegistrationStatus.PENDING:
        raise StateConflict("status", f"the registration is already {locked.get_status_display().lower()}")
    return locked


@transaction.atomic
def registration_recheck(*, actor: Any, registration: DealRegistration) -> DealRegistration:
    """Run the conflict check again on a pending registration (deals may have changed since)."""
    require(actor, "deal.approve")
    registration = _pending(registration)
    _recheck(actor, registration)
    return registration


def _recheck(actor: Any, registration: DealRegistration) -> ConflictReport:
    before = audit.snapshot(registration)
    report = _check(registration)
    _store_report(registration, report)
    registration.save(update_fields=["conflicts", "in_conflict", "blocked_until", "checked_at"])
    audit.record_step(
        actor,
        registration,
        "conflict check",
        audit.diff(before, audit.snapshot(registration)),
        detail={"conflicts": len(report.matches), "blocked_until": _iso(report.blocked_until)},
    )
    return report


def _account_for_approval(
    actor: Any, registration: DealRegistration, account_id: int | None, new_account: bool
) -> Organisation:
    if new_account:
        return organisation_create(
            actor=actor,
            data={
                "name": registration.customer_name,
                "kind": OrganisationKind.CUSTOMER,
                "managed_by_id": registration.partner_id,
            },
        )
    if account_id is not None:
        account = visible_customers(actor).filter(pk=account_id).first()
        if account is None:
            raise ApplicationError("account_id", "no such customer account")
        return account
    if registration.account is not None:
        return registration.account
    raise ApplicationError(
        "account_id",
        "the customer matches no account: choose one, or create a new account (new_account)",
    )


@transaction.atomic
def registration_approve(
    *,
    actor: Any,
    registration: DealRegistration,
    reason: str = "",
    opportunity_id: int | None = None,
    account_id: int | None = None,
    new_account: bool = False,
    owner_id: int | None = None,
) -> DealRegistration:
    """Approve: create (or link) the opportunity, set its partner and protect it for the partner.

    The check runs again first. A registration that conflicts needs a reason; one that
    conflicts with a deal protected for another partner cannot be approved until that
    protection ends (409).
    """
    require(actor, "deal.approve")
    registration = _pending(registration)
    reason = (reason or "").strip()
    if len(reason) > MAX_TEXT:
        raise ApplicationError("reason", f"is longer than {MAX_TEXT} characters")
    report = _recheck(actor, registration)
    linked: Opportunity | None = None
    if opportunity_id is not None:
        linked = (
            visible_opportunities(actor)
            .select_for_update(of=("self",))
            .filter(pk=opportunity_id, stage__in=OPEN_STAGES)
            .first()
        )
        if linked is None:
            raise ApplicationError("opportunity_id", "no such open opportunity")
    blocking = [m for m in report.matches if m.blocking and (linked is None or m.id != linked.pk)]
    if linked is not None:
        holder = (
            DealRegistration.objects.filter(
                opportunity=linked,
                status=RegistrationStatus.APPROVED,
                protected_until__gte=timezone.localdate(),
            )
            .exclude(partner_id=registration.partner_id)
            .order_by("-protected_until")
            .first()
        )
        if holder is not None:
            raise StateConflict(
                "opportunity_id",
                f"the opportunity is protected for another partner until {holder.protected_until}",
            )
    if blocking:
        raise StateConflict(
            "status",
            f"blocked until {report.blocked_until}: a conflicting opportunity is protected "
            "for another partner; reject it or wait",
        )
    if report.in_conflict and not reason:
        raise ApplicationError("reason", "say why you approve a registration that conflicts")
    if linked is None:
        account = _account_for_approval(actor, registration, account_id, new_account)
        data: dict[str, Any] = {
            # Not the partner's name: the opportunity may later be linked to another
            # partner's registration, who must not learn whose deal it was.
            "name": registration.title
            or f"{registration.customer_name} (deal registration {registration.pk})",
            "account_id": account.pk,
            "partner_id": registration.partner_id,
            "amount": registration.amount,
            "currency": registration.currency,
            "expected_close_date": registration.expected_close_date,
            "description": registration.notes,
            "products": list(registration.products.all()),
        }
        if owner_id is not None:
            data["owner_id"] = owner_id
        opportunity = opportunity_services.opportunity_create(actor=actor, data=data)
    else:
        account = linked.account
        products = {*linked.products.all(), *registration.products.all()}
        opportunity = opportunity_services.opportunity_update(
            actor=actor,
            opportunity=linked,
            data={"partner_id": registration.partner_id, "products": sorted(products, key=lambda p: p.pk)},
        )
    before = audit.snapshot(registration)
    registration.status = RegistrationStatus.APPROVED
    registration.account = account
    registration.opportunity = opportunity
    registration.decided_by = actor
    registration.decided_at = timezone.now()
    registration.decision_reason = reason
    registration.protected_until = timezone.localdate() + dt.timedelta(days=protection_days())
    registration.save(
        update_fields=[
            "status",
            "account",
            "opportunity",
            "decided_by",
            "decided_at",
            "decision_reason",
            "protected_until",
        ]
    )
    audit.record_step(
        actor,
        registration,
        "approved",
        audit.diff(before, audit.snapshot(registration)),
        detail={"opportunity_id": opportunity.pk, "linked": linked is not None},
    )
    audit.record_step(
        actor,
        opportunity,
        "protected for partner",
        detail={
            "registration_id": registration.pk,
            "partner": str(registration.partner),
            "protected_until": _iso(registration.protected_until),
        },
    )
    return registration


@transaction.atomic
def registration_reject(*, actor: Any, registration: DealRegistration, reason: str) -> DealRegistration:
    """Reject a pending registration; the reason is required and shown to the partner."""
    require(actor, "deal.approve")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("reason", "say why the registration is rejected")
    if len(reason) > MAX_TEXT:
        raise ApplicationError("reason", f"is longer than {MAX_TEXT} characters")
    registration = _pending(registration)
    before = audit.snapshot(registration)
    registration.status = RegistrationStatus.REJECTED
    registration.decided_by = actor
    registration.decided_at = timezone.now()
    registration.decision_reason = reason
    registration.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit.record_step(actor, registration, "rejected", audit.diff(before, audit.snapshot(registration)))
    return registration


def protection_of(opportunity: Opportunity, *, today: dt.date | None = None) -> DealRegistration | None:
    """The approved registration protecting ``opportunity`` today, if any."""
    return (
        DealRegistration.objects.select_related("partner")
        .filter(
            opportunity=opportunity,
            status=RegistrationStatus.APPROVED,
            protected_until__gte=today or timezone.localdate(),
        )
        .order_by("-protected_until")
        .first()
    )
