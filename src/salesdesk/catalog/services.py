"""Every write to the catalog: capability check, validation naming the field, audit record.

Changes to a product's specifications, prices, options, bundle contents and rules are
recorded as workflow steps on the product itself, so the product's history tells the
whole story (including removed rows) in one timeline. Cost prices never enter the
audit trail: partners and customers may read a product's history.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError, StateConflict
from salesdesk.core.permissions import require
from salesdesk.core.validation import apply_changes, check_version, clean_or_raise

from .choices import Lifecycle
from .models import (
    BundleItem,
    Category,
    CompatibilityRule,
    PriceListEntry,
    Product,
    ProductOption,
    ProductSpec,
)

PRODUCT_FIELDS = {
    "sku",
    "name",
    "kind",
    "category",
    "summary",
    "description",
    "lead_time_days",
    "successor",
}
SPEC_FIELDS = {"name", "value_number", "value_text", "unit"}
PRICE_FIELDS = {"list_price", "cost_price", "currency", "unit", "valid_from", "valid_to"}
RULE_FIELDS = {"kind", "other_product", "spec_name", "limit_value", "message"}

# Called after every lifecycle change, inside its transaction: (product, old, new, actor).
# The knowledge app appends its "flag the items linked to this product" step here; an
# explicit list rather than a signal, so the call is visible and ordered.
LifecycleListener = Callable[[Product, str, str, Any], None]
LIFECYCLE_LISTENERS: list[LifecycleListener] = []

# Called with the product after every change to it or its specifications, inside the
# transaction: the knowledge app's search index appends its "re-index this product" here.
CHANGE_LISTENERS: list[Callable[[Product], None]] = []


def _changed(product: Product) -> None:
    for listener in list(CHANGE_LISTENERS):
        listener(product)


# Which lifecycle moves make sense; anything else is a state conflict (409).
LIFECYCLE_MOVES: dict[str, set[str]] = {
    Lifecycle.PLANNED: {Lifecycle.AVAILABLE, Lifecycle.END_OF_LIFE},
    Lifecycle.AVAILABLE: {Lifecycle.END_OF_SALE, Lifecycle.END_OF_LIFE},
    Lifecycle.END_OF_SALE: {Lifecycle.AVAILABLE, Lifecycle.END_OF_LIFE},
    Lifecycle.END_OF_LIFE: set(),
}


def _product_ref(value: Any, field: str) -> Product:
    if isinstance(value, Product):
        return value
    product = Product.objects.filter(pk=value).first() if value else None
    if product is None:
        raise ApplicationError(field, "no such product")
    return product


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    """Swap *_id references for records; the catalog is shared, so any existing id is fine."""
    data = dict(data)
    if "category_id" in data:
        category = Category.objects.filter(pk=data.pop("category_id")).first()
        if category is None:
            raise ApplicationError("category_id", "no such category")
        data["category"] = category
    if "other_product_id" in data:
        other = data.pop("other_product_id")
        data["other_product"] = _product_ref(other, "other_product_id") if other else None
    if "successor_id" in data:
        successor = data.pop("successor_id")
        data["successor"] = _product_ref(successor, "successor_id") if successor else None
    for name in ("currency",):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip().upper()
    for name in ("sku", "name", "unit", "spec_name"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    return data


def _unknown(data: dict[str, Any], allowed: set[str], what: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ApplicationError(unknown[0], f"is not a field of {what}")


# --- Categories ----------------------------------------------------------------------------


@transaction.atomic
def category_create(*, actor: Any, name: str, description: str = "") -> Category:
    """Add a category of products or services."""
    require(actor, "catalog.edit")
    category = Category(name=name.strip(), description=description.strip())
    clean_or_raise(category)
    category.save()
    audit.record_created(actor, category)
    return category


@transaction.atomic
def category_update(
    *, actor: Any, category: Category, data: dict[str, Any], expected_version: int | None = None
) -> Category:
    """Rename or describe a category."""
    require(actor, "catalog.edit")
    category = Category.objects.select_for_update().get(pk=category.pk)
    check_version(category, expected_version)
    before = audit.snapshot(category)
    changed = apply_changes(category, data, allowed={"name", "description"})
    if changed:
        clean_or_raise(category)
        category.save(update_fields=changed)
        audit.record_updated(actor, category, before)
    return category


# --- Products ------------------------------------------------------------------------------


@transaction.atomic
def product_create(*, actor: Any, data: dict[str, Any]) -> Product:
    """Add a product or service to the catalog. New items start as planned unless said otherwise."""
    require(actor, "catalog.edit")
    data = _resolve(data)
    lifecycle = data.pop("lifecycle", Lifecycle.PLANNED)
    _unknown(data, PRODUCT_FIELDS, "a product")
    if "category" not in data:
        raise ApplicationError("category_id", "is required")
    product = Product(**data, lifecycle=lifecycle)
    clean_or_raise(product)
    product.save()
    audit.record_created(actor, product)
    _changed(product)
    return product


@transaction.atomic
def product_update(
    *, actor: Any, product: Product, data: dict[str, Any], expected_version: int | None = None
) -> Product:
    """Change a product's descriptive fields. The lifecycle changes through product_set_lifecycle."""
    require(actor, "catalog.edit")
    product = Product.objects.select_for_update().get(pk=product.pk)
    check_version(product, expected_version)
    data = _resolve(data)
    if "lifecycle" in data:
        raise ApplicationError("lifecycle", "change it with the lifecycle step, which records why")
    before = audit.snapshot(product)
    changed = apply_changes(product, data, allowed=PRODUCT_FIELDS)
    if changed:
        clean_or_raise(product)
        product.save(update_fields=changed)
        audit.record_updated(actor, product, before)
        _changed(product)
    return product


@transaction.atomic
def product_set_lifecycle(
    *,
    actor: Any,
    product: Product,
    lifecycle: str,
    note: str = "",
    expected_version: int | None = None,
) -> Product:
    """Move a product to another lifecycle stage, as a workflow step, then tell the listeners.

    End of life is final. Listeners (see LIFECYCLE_LISTENERS) run inside the same
    transaction, so a failing listener undoes the change.
    """
    require(actor, "catalog.edit")
    product = Product.objects.select_for_update().get(pk=product.pk)
    check_version(product, expected_version)
    if lifecycle not in Lifecycle.values:
        raise ApplicationError("lifecycle", f"must be one of {', '.join(Lifecycle.values)}")
    old = product.lifecycle
    if lifecycle == old:
        return product
    if lifecycle not in LIFECYCLE_MOVES[old]:
        raise StateConflict(
            "lifecycle",
            f"a product that is {Lifecycle(old).label.lower()} "
            f"cannot move to {Lifecycle(lifecycle).label.lower()}",
        )
    before = audit.snapshot(product)
    product.lifecycle = lifecycle
    product.save(update_fields=["lifecycle"])
    audit.record_step(
        actor,
        product,
        f"moved to {product.get_lifecycle_display()}",
        audit.diff(before, audit.snapshot(product)),
        detail={"note": note} if note else None,
    )
    for listener in list(LIFECYCLE_LISTENERS):
        listener(product, old, lifecycle, actor)
    _changed(product)
    return product


# --- Specifications ------------------------------------------------------------------------


def _spec_value(data: dict[str, Any]) -> dict[str, Any]:
    """Accept ``value`` (number or text) as well as the typed fields."""
    data = dict(data)
    if "value" in data:
        value = data.pop("value")
        data["value_number"], data["value_text"] = None, ""
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            data["value_number"] = Decimal(value)
        elif isinstance(value, float):
            data["value_number"] = Decimal(str(value))
        elif value is not None:
            text = str(value).strip()
            try:
                data["value_number"] = Decimal(text.replace(",", ""))
            except ArithmeticError:
                data["value_text"] = text
            else:
                if not data["value_number"].is_finite():
                    data["value_number"], data["value_text"] = None, text
    if data.get("value_text") is None:
        data["value_text"] = ""
    return data


@transaction.atomic
def spec_set(*, actor: Any, product: Product, data: dict[str, Any]) -> ProductSpec:
    """Add a specification to a product, or change it when the product has one of that name."""
    require(actor, "catalog.edit")
    data = _resolve(_spec_value(data))
    _unknown(data, SPEC_FIELDS, "a specification")
    if not data.get("name"):
        raise ApplicationError("name", "is required")
    spec = ProductSpec.objects.select_for_update().filter(product=product, name=data["name"]).first()
    if spec is None:
        spec = ProductSpec(product=product, **data)
        clean_or_raise(spec)
        spec.save()
        audit.record_step(actor, product, "specification added", {spec.name: [None, spec.display_value]})
        _changed(product)
        return spec
    old = spec.display_value
    changed = apply_changes(spec, data, allowed=SPEC_FIELDS)
    if changed:
        clean_or_raise(spec)
        spec.save(update_fields=changed)
        audit.record_step(actor, product, "specification changed", {spec.name: [old, spec.display_value]})
        _changed(product)
    return spec


@transaction.atomic
def spec_update(
    *, actor: Any, spec: ProductSpec, data: dict[str, Any], expected_version: int | None = None
) -> ProductSpec:
    """Change one specification (its name, value or unit)."""
    require(actor, "catalog.edit")
    spec = ProductSpec.objects.select_for_update().select_related("product").get(pk=spec.pk)
    check_version(spec, expected_version)
    old = str(spec)
    changed = apply_changes(spec, _resolve(_spec_value(data)), allowed=SPEC_FIELDS)
    if changed:
        clean_or_raise(spec)
        spec.save(update_fields=changed)
        audit.record_step(actor, spec.product, "specification changed", {spec.name: [old, str(spec)]})
        _changed(spec.product)
    return spec


@transaction.atomic
def spec_delete(*, actor: Any, spec: ProductSpec) -> None:
    """Remove a specification from its product."""
    require(actor, "catalog.edit")
    audit.record_step(actor, spec.product, "specification removed", {spec.name: [spec.display_value, None]})
    spec.delete()
    _changed(spec.product)


# --- Prices --------------------------------------------------------------------------------


def _check_no_overlap(price: PriceListEntry) -> None:
    """Two entries of one product, currency and unit must not both be valid on any day."""
    others = PriceListEntry.objects.filter(
        product_id=price.product_id, currency=price.currency, unit=price.unit
    ).exclude(pk=price.pk)
    # [a_from, a_to] and [b_from, b_to] overlap when a_from <= b_to and b_from <= a_to (open end = ∞).
    others = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=price.valid_from))
    if price.valid_to is not None:
        others = others.filter(valid_from__lte=price.valid_to)
    clash = others.order_by("valid_from").first()
    if clash is not None:
        until = clash.valid_to.isoformat() if clash.valid_to else "open-ended"
        raise ApplicationError(
            "valid_from",
            f"overlaps the {clash.currency} price '{clash.unit}' "
            f"valid {clash.valid_from.isoformat()} – {until}",
        )


def _price_line(price: PriceListEntry) -> str:
    until = price.valid_to.isoformat() if price.valid_to else "…"
    return f"{price.list_price} {price.currency} {price.unit} ({price.valid_from.isoformat()} – {until})"


@transaction.atomic
def price_create(*, actor: Any, product: Product, data: dict[str, Any]) -> PriceListEntry:
    """Add a price list entry; refused when it overlaps another of the same currency and unit."""
    require(actor, "catalog.edit")
    data = _resolve(data)
    _unknown(data, PRICE_FIELDS, "a price list entry")
    # Lock the product so two concurrent writers cannot both pass the overlap check.
    Product.objects.select_for_update().filter(pk=product.pk).first()
    price = PriceListEntry(product=product, **data)
    clean_or_raise(price)
    _check_no_overlap(price)
    price.save()
    audit.record_step(actor, product, "price added", {"price": [None, _price_line(price)]})
    return price


@transaction.atomic
def price_update(
    *, actor: Any, price: PriceListEntry, data: dict[str, Any], expected_version: int | None = None
) -> PriceListEntry:
    """Change a price list entry (e.g. end it on a date); the overlap rule holds after the change."""
    require(actor, "catalog.edit")
    Product.objects.select_for_update().filter(pk=price.product_id).first()
    price = PriceListEntry.objects.select_related("product").get(pk=price.pk)
    check_version(price, expected_version)
    old = _price_line(price)
    changed = apply_changes(price, _resolve(data), allowed=PRICE_FIELDS)
    if changed:
        clean_or_raise(price)
        _check_no_overlap(price)
        price.save(update_fields=changed)
        new = _price_line(price)
        if new != old:
            audit.record_step(actor, price.product, "price changed", {"price": [old, new]})
        else:  # only the cost changed: say so, without the figures.
            audit.record_step(actor, price.product, "cost price changed", {"price": [old, new]})
    return price


@transaction.atomic
def price_delete(*, actor: Any, price: PriceListEntry) -> None:
    """Remove a price list entry (one entered by mistake; end a valid one with valid_to instead)."""
    require(actor, "catalog.edit")
    audit.record_step(actor, price.product, "price removed", {"price": [_price_line(price), None]})
    price.delete()


# --- Options and bundles -------------------------------------------------------------------


@transaction.atomic
def option_add(*, actor: Any, product: Product, option: Product, note: str = "") -> ProductOption:
    """Offer ``option`` as an add-on of ``product``."""
    require(actor, "catalog.edit")
    link = ProductOption(product=product, option=option, note=note.strip())
    clean_or_raise(link)
    link.save()
    audit.record_step(actor, product, "option added", {"option": [None, f"{option.sku} {option.name}"]})
    return link


@transaction.atomic
def option_remove(*, actor: Any, link: ProductOption) -> None:
    """Stop offering an option with a product."""
    require(actor, "catalog.edit")
    audit.record_step(actor, link.product, "option removed", {"option": [str(link.option), None]})
    link.delete()


def _contains(bundle: Product, component: Product) -> bool:
    """Whether ``bundle`` already contains ``component``, at any depth (to refuse cycles)."""
    seen: set[int] = set()
    frontier = {component.pk}
    while frontier:
        if bundle.pk in frontier:
            return True
        seen |= frontier
        frontier = (
            set(BundleItem.objects.filter(bundle_id__in=frontier).values_list("component_id", flat=True))
            - seen
        )
    return False


@transaction.atomic
def bundle_item_set(*, actor: Any, bundle: Product, component: Product, quantity: int) -> BundleItem:
    """Put ``quantity`` × ``component`` into ``bundle`` (or change the quantity)."""
    require(actor, "catalog.edit")
    if _contains(bundle, component):
        raise ApplicationError("component", "would make the bundle contain itself")
    item = BundleItem.objects.filter(bundle=bundle, component=component).first()
    old = item.quantity if item else None
    if item is None:
        item = BundleItem(bundle=bundle, component=component, quantity=quantity)
    else:
        item.quantity = quantity
    clean_or_raise(item)
    item.save()
    if old != quantity:
        audit.record_step(actor, bundle, "bundle contents changed", {component.sku: [old, quantity]})
    return item


@transaction.atomic
def bundle_item_remove(*, actor: Any, item: BundleItem) -> None:
    """Take a component out of a bundle."""
    require(actor, "catalog.edit")
    audit.record_step(
        actor, item.bundle, "bundle contents changed", {item.component.sku: [item.quantity, None]}
    )
    item.delete()


# --- Compatibility rules -------------------------------------------------------------------


def _rule_line(rule: CompatibilityRule) -> str:
    target = rule.other_product.sku if rule.other_product is not None else ""
    if rule.spec_name:
        limit = format(rule.limit_value.normalize(), "f") if rule.limit_value is not None else "?"
        target = f"{target} {rule.spec_name} ≤ {limit}"
    return f"{rule.get_kind_display()} {target.strip()}: {rule.message}"


@transaction.atomic
def rule_create(*, actor: Any, product: Product, data: dict[str, Any]) -> CompatibilityRule:
    """Add a compatibility rule the solution-design checks will apply to ``product``."""
    require(actor, "catalog.edit")
    data = _resolve(data)
    _unknown(data, RULE_FIELDS, "a compatibility rule")
    rule = CompatibilityRule(product=product, **data)
    clean_or_raise(rule)
    rule.save()
    audit.record_step(actor, product, "rule added", {"rule": [None, _rule_line(rule)]})
    return rule


@transaction.atomic
def rule_update(
    *, actor: Any, rule: CompatibilityRule, data: dict[str, Any], expected_version: int | None = None
) -> CompatibilityRule:
    """Change a compatibility rule."""
    require(actor, "catalog.edit")
    rule = (
        CompatibilityRule.objects.select_for_update()
        .select_related("product", "other_product")
        .get(pk=rule.pk)
    )
    check_version(rule, expected_version)
    old = _rule_line(rule)
    changed = apply_changes(rule, _resolve(data), allowed=RULE_FIELDS)
    if changed:
        clean_or_raise(rule)
        rule.save(update_fields=changed)
        audit.record_step(actor, rule.product, "rule changed", {"rule": [old, _rule_line(rule)]})
    return rule


@transaction.atomic
def rule_delete(*, actor: Any, rule: CompatibilityRule) -> None:
    """Remove a compatibility rule."""
    require(actor, "catalog.edit")
    audit.record_step(actor, rule.product, "rule removed", {"rule": [_rule_line(rule), None]})
    rule.delete()
