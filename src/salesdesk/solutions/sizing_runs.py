"""Sizing a solution version: the catalog items it may use, and one call that sizes and records.

:func:`version_size` is what the sizing page (and the API or CLI) call: it keeps the
workload on the draft (``services.save_workload``), runs the pure engine
(:func:`salesdesk.solutions.workload.run_sizing`) on the opportunity's requirements and the
catalog, and keeps the result (``services.record_sizing``). Both services check the
``capacity.model`` capability and write the audit trail; a workload mistake comes back as
an ApplicationError naming the field (``tiers[1].service_demand``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from salesdesk.core.errors import ApplicationError

from . import selectors, services
from .workload import CatalogItem, WorkloadError, catalog_items, run_sizing


def sizing_catalog(version: Any) -> dict[str, CatalogItem]:
    """The version's components, plus the available items of the same catalog categories.

    The alternatives let the search pick a smaller or larger model of the same range
    (App Server S / M / L) without the engineer adding each to the solution first.
    """
    from salesdesk.catalog.models import PriceListEntry, Product
    from salesdesk.catalog.selectors import spec_values_for

    rows = list(selectors.component_catalog_items(version).values())
    components = list(selectors.components_of(version))
    categories = {c.product.category_id for c in components}
    known = {row["sku"] for row in rows}
    currency = version.design.opportunity.currency
    alternatives = list(
        Product.objects.filter(category_id__in=categories, lifecycle="available", kind="product")
        .exclude(sku__in=known)
        .order_by("name")[:40]
    )
    if alternatives:
        ids = [p.pk for p in alternatives]
        specs = spec_values_for(ids)
        today = timezone.localdate()
        prices: dict[tuple[int, str], Decimal] = {}
        for entry in (
            PriceListEntry.objects.filter(product_id__in=ids, valid_from__lte=today)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
            .order_by("-valid_from", "id")
        ):
            prices.setdefault((entry.product_id, entry.currency), entry.list_price)
        for product in alternatives:
            price = prices.get((product.pk, currency))
            item_currency = currency
            if price is None:
                price, item_currency = prices.get((product.pk, "EUR")), "EUR"
            if price is None:
                continue  # no list price: it cannot take part in a price comparison
            rows.append(
                {
                    "sku": product.sku,
                    "name": product.name,
                    "price": price,
                    "currency": item_currency,
                    "specs": {
                        n: s.value_number
                        for n, s in specs.get(product.pk, {}).items()
                        if s.value_number is not None
                    },
                    "lifecycle": product.lifecycle,
                }
            )
    return catalog_items(rows)


@transaction.atomic
def version_size(*, actor: Any, version: Any, workload: dict[str, Any] | None = None) -> dict[str, Any]:
    """Size ``version`` (with ``workload`` saved first, or the one it keeps) and record the result.

    Returns the result; ``result["ok"]`` is False when no configuration of the offered items
    meets the targets (recorded too, so the page and the report say why).
    """
    if workload is not None:
        version = services.save_workload(actor, version, workload)
    if not version.workload:
        raise ApplicationError(
            "workload", "enter the workload first: peak load, tiers and their catalog items"
        )
    try:
        result = run_sizing(
            version.workload, selectors.requirements_for_version(version), sizing_catalog(version)
        )
    except WorkloadError as exc:
        raise ApplicationError(exc.field, exc.message) from exc
    services.record_sizing(actor, version, result)
    return result
