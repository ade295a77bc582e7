"""Reads of the catalog, limited to what the asking user may see.

The catalog is shared reference data: every signed-in user who holds ``catalog.view``
reads the same products. Two things stay internal: the roadmap (planned items) and
cost prices (``catalog.cost_view``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from salesdesk.core.permissions import holds
from salesdesk.core.roles import INTERNAL_KINDS

from .choices import PUBLIC_LIFECYCLES, RuleKind
from .models import (
    BundleItem,
    Category,
    CompatibilityRule,
    PriceListEntry,
    Product,
    ProductOption,
    ProductSpec,
)


def sees_cost(user: Any) -> bool:
    """Whether ``user`` may see cost prices (internal staff only)."""
    return holds(user, "catalog.cost_view")


def visible_products(user: Any) -> QuerySet[Product]:
    """Staff see the whole catalog; partners and customers all but the planned items."""
    qs = Product.objects.select_related("category")
    if not holds(user, "catalog.view"):
        return qs.none()
    if user.kind in INTERNAL_KINDS:
        return qs
    return qs.filter(lifecycle__in=PUBLIC_LIFECYCLES)


def visible_categories(user: Any) -> QuerySet[Category]:
    if not holds(user, "catalog.view"):
        return Category.objects.none()
    return Category.objects.all()


def product_get_for_user(*, user: Any, product_id: int) -> Product:
    return get_object_or_404(visible_products(user), pk=product_id)


def category_get_for_user(*, user: Any, category_id: int) -> Category:
    return get_object_or_404(visible_categories(user), pk=category_id)


def product_search(
    *,
    user: Any,
    query: str = "",
    category_id: int | None = None,
    kind: str = "",
    lifecycle: str = "",
    ordering: str = "name",
) -> QuerySet[Product]:
    """Products matching a name, SKU or summary fragment and the list's filters."""
    qs = visible_products(user).annotate(
        is_bundle=Exists(BundleItem.objects.filter(bundle_id=OuterRef("pk")))
    )
    query = query.strip()[:200]
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(sku__icontains=query) | Q(summary__icontains=query))
    if category_id:
        qs = qs.filter(category_id=category_id)
    if kind:
        qs = qs.filter(kind=kind)
    if lifecycle:
        qs = qs.filter(lifecycle=lifecycle)
    return qs.order_by(ordering, "id")


def product_specs(product: Product) -> QuerySet[ProductSpec]:
    return ProductSpec.objects.filter(product=product).order_by("name", "id")


def product_prices(*, user: Any, product: Product, on: dt.date | None = None) -> QuerySet[PriceListEntry]:
    """A product's price list entries (``on`` a day: only those valid that day).

    Cost prices are deferred for people who may not see them, so they are not even loaded.
    """
    qs = PriceListEntry.objects.filter(product=product)
    if on is not None:
        qs = qs.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    if not sees_cost(user):
        qs = qs.defer("cost_price")
    return qs.order_by("currency", "unit", "-valid_from", "id")


def current_prices(*, user: Any, product: Product) -> QuerySet[PriceListEntry]:
    return product_prices(user=user, product=product, on=timezone.localdate())


def price_on(*, product: Product, currency: str, unit: str, on: dt.date) -> PriceListEntry | None:
    """The single price list entry valid on a day (the overlap rule makes it unique)."""
    return (
        PriceListEntry.objects.filter(product=product, currency=currency, unit=unit, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .first()
    )


def product_options(*, user: Any, product: Product) -> QuerySet[ProductOption]:
    """Options of ``product`` the user may see."""
    return (
        ProductOption.objects.filter(product=product, option__in=visible_products(user))
        .select_related("option", "option__category")
        .order_by("option__name", "id")
    )


def product_option_of(*, user: Any, product: Product) -> QuerySet[Product]:
    """Products ``product`` is an option of."""
    return visible_products(user).filter(option_links__option=product).order_by("name", "id")


def bundle_contents(*, user: Any, product: Product) -> QuerySet[BundleItem]:
    return (
        BundleItem.objects.filter(bundle=product, component__in=visible_products(user))
        .select_related("component", "component__category")
        .order_by("component__name", "id")
    )


def product_rules(*, user: Any, product: Product) -> QuerySet[CompatibilityRule]:
    """The rules on ``product``, and exclusions other products declare against it."""
    return (
        CompatibilityRule.objects.filter(
            Q(product=product) | Q(kind=RuleKind.EXCLUDES, other_product=product),
            product__in=visible_products(user),
        )
        .select_related("product", "other_product")
        .order_by("kind", "id")
    )


def compatibility_rules_for(product_ids: Iterable[int]) -> QuerySet[CompatibilityRule]:
    """Every rule that applies to a set of products (a solution's bill of materials).

    The rules declared on the products, plus the exclusions other products declare
    against them, so "A excludes B" is found whichever of the two is in the set. Not
    scoped to a user: the solution checks run for whoever may design the solution.
    """
    ids = list({int(pk) for pk in product_ids})
    return (
        CompatibilityRule.objects.filter(
            Q(product_id__in=ids) | Q(kind=RuleKind.EXCLUDES, other_product_id__in=ids)
        )
        .select_related("product", "other_product")
        .order_by("product_id", "kind", "id")
    )


def spec_values_for(product_ids: Iterable[int]) -> dict[int, dict[str, ProductSpec]]:
    """{product id: {spec name: spec}} for a set of products, in one query."""
    result: dict[int, dict[str, ProductSpec]] = {}
    for spec in ProductSpec.objects.filter(product_id__in=list(product_ids)):
        result.setdefault(spec.product_id, {})[spec.name] = spec
    return result


def product_detail_queryset(user: Any) -> QuerySet[Product]:
    """Products with everything their API detail shows, prefetched."""
    price_qs = PriceListEntry.objects.order_by("currency", "unit", "-valid_from", "id")
    if not sees_cost(user):
        price_qs = price_qs.defer("cost_price")
    return visible_products(user).prefetch_related(
        Prefetch("specs", queryset=ProductSpec.objects.order_by("name", "id")),
        Prefetch("prices", queryset=price_qs),
    )


def spec_get_for_user(*, user: Any, product: Product, spec_id: int) -> ProductSpec:
    return get_object_or_404(ProductSpec.objects.filter(product=product), pk=spec_id)


def price_get_for_user(*, user: Any, product: Product, price_id: int) -> PriceListEntry:
    return get_object_or_404(product_prices(user=user, product=product), pk=price_id)


def rule_get_for_user(*, user: Any, product: Product, rule_id: int) -> CompatibilityRule:
    return get_object_or_404(
        CompatibilityRule.objects.filter(product=product).select_related("product", "other_product"),
        pk=rule_id,
    )
