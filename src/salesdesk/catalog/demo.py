"""Kestrel Systems' demo catalog: ``load_catalog_demo(actor=grace)``.

Deterministic and idempotent like the rest of the demo (``salesdesk.demo``): categories
are looked up by name, products by SKU, options, bundle items and rules by what they
link, and only what is missing is created. A product that exists is left alone (its
specifications, prices and lifecycle included), so a second run creates nothing and
never overwrites what people changed since. Everything goes through the catalog
services acting as ``actor`` (a level-5 user, who holds ``catalog.edit``), so every
product's timeline shows how it was entered, and retired items show the lifecycle step
naming their successor.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from django.db import transaction

from . import services
from .choices import RETIRED_LIFECYCLES, Lifecycle
from .demo_data import (
    BUNDLES,
    CATEGORIES,
    COST_RATIOS,
    LAUNCH_FROM,
    OPTIONS,
    PREVIOUS_PRICE_LIST,
    PRICE_LIST_FROM,
    PRODUCTS,
    RULES,
    DemoProduct,
    DemoRule,
)
from .models import BundleItem, Category, CompatibilityRule, Product, ProductOption

CENT = Decimal("0.01")


@transaction.atomic
def load_catalog_demo(*, actor: Any) -> Counter[str]:
    """Create whatever of the demo catalog is missing; the counts of what was created, by record type."""
    created: Counter[str] = Counter()
    categories = {name: _category(name, description, actor, created) for name, description in CATEGORIES}
    products: dict[str, Product] = {}
    for index, item in enumerate(PRODUCTS):
        products[item.sku] = _product(item, index, categories, products, actor, created)
    for product_sku, option_sku, note in OPTIONS:
        product, option = products[product_sku], products[option_sku]
        if not ProductOption.objects.filter(product=product, option=option).exists():
            services.option_add(actor=actor, product=product, option=option, note=note)
            created["options"] += 1
    for bundle_sku, components in BUNDLES.items():
        for component_sku, quantity in components:
            bundle, component = products[bundle_sku], products[component_sku]
            if not BundleItem.objects.filter(bundle=bundle, component=component).exists():
                services.bundle_item_set(actor=actor, bundle=bundle, component=component, quantity=quantity)
                created["bundle_items"] += 1
    for rule in RULES:
        _rule(rule, products, actor, created)
    return created


def _category(name: str, description: str, actor: Any, created: Counter[str]) -> Category:
    category = Category.objects.filter(name=name).first()
    if category is not None:
        return category
    created["categories"] += 1
    return services.category_create(actor=actor, name=name, description=description)


def _product(
    item: DemoProduct,
    index: int,
    categories: dict[str, Category],
    products: dict[str, Product],
    actor: Any,
    created: Counter[str],
) -> Product:
    product = Product.objects.filter(sku=item.sku).first()
    if product is not None:
        return product
    planned = item.lifecycle == Lifecycle.PLANNED
    data: dict[str, Any] = {
        "sku": item.sku,
        "name": item.name,
        "kind": item.kind,
        "category": categories[item.category],
        "summary": item.summary,
        "description": item.description,
        "lead_time_days": item.lead_time_days,
        # Retired items were sold once: they start available and are moved on below.
        "lifecycle": Lifecycle.PLANNED if planned else Lifecycle.AVAILABLE,
    }
    if item.successor:
        data["successor"] = products[item.successor]  # listed earlier in PRODUCTS
    product = services.product_create(actor=actor, data=data)
    created["products"] += 1
    for name, value, unit in item.specs:
        services.spec_set(actor=actor, product=product, data={"name": name, "value": value, "unit": unit})
        created["specs"] += 1
    for price in _prices(item, index):
        services.price_create(actor=actor, product=product, data=price)
        created["prices"] += 1
    if item.lifecycle in RETIRED_LIFECYCLES:
        note = f"successor: {products[item.successor].name}" if item.successor else "discontinued"
        product = services.product_set_lifecycle(
            actor=actor, product=product, lifecycle=item.lifecycle, note=note
        )
    return product


def _prices(item: DemoProduct, index: int) -> list[dict[str, Any]]:
    """The item's price list entries: cost at 55–70 % of list, last year's price where it differed."""
    ratio = Decimal(COST_RATIOS[index % len(COST_RATIOS)])

    def entry(list_price: str, **dates: Any) -> dict[str, Any]:
        amount = Decimal(list_price)
        return {
            "list_price": amount,
            "cost_price": (amount * ratio).quantize(CENT),
            "currency": "EUR",
            "unit": item.unit,
            **dates,
        }

    if item.lifecycle == Lifecycle.PLANNED:
        return [entry(item.list_price, valid_from=LAUNCH_FROM)]
    prices = []
    if item.previous_price:
        start, end = PREVIOUS_PRICE_LIST
        prices.append(entry(item.previous_price, valid_from=start, valid_to=end))
    prices.append(entry(item.list_price, valid_from=PRICE_LIST_FROM))
    return prices


def _rule(rule: DemoRule, products: dict[str, Product], actor: Any, created: Counter[str]) -> None:
    product = products[rule.product]
    other = products[rule.other] if rule.other else None
    if CompatibilityRule.objects.filter(
        product=product, kind=rule.kind, other_product=other, spec_name=rule.spec_name
    ).exists():
        return
    data: dict[str, Any] = {"kind": rule.kind, "message": rule.message, "other_product": other}
    if rule.spec_name:
        data["spec_name"] = rule.spec_name
        data["limit_value"] = Decimal(rule.limit)
    services.rule_create(actor=actor, product=product, data=data)
    created["rules"] += 1
