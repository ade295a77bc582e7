"""Catalog records for tests of other apps (one product in one category)."""

from salesdesk.catalog.models import Category, Product


def product(name: str, sku: str | None = None) -> Product:
    category, _ = Category.objects.get_or_create(name="Gateways")
    return Product.objects.create(
        sku=sku or name.upper().replace(" ", "-")[:60], name=name, category=category
    )
