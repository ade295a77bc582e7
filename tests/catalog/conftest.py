import datetime as dt
from decimal import Decimal

import pytest

from salesdesk.catalog.models import Category, PriceListEntry, Product, ProductSpec


@pytest.fixture
def manager(staff_factory):
    """Level 5 bid manager: maintains the catalog."""
    return staff_factory(5, username="mara", first_name="Mara", last_name="Voss")


@pytest.fixture
def category(db):
    return Category.objects.create(name="Edge gateways")


@pytest.fixture
def gateway(category):
    product = Product.objects.create(
        sku="EG-400", name="Edge Gateway 400", category=category, summary="SSO gateway"
    )
    ProductSpec.objects.create(product=product, name="max_concurrent_users", value_number=500, unit="users")
    PriceListEntry.objects.create(
        product=product,
        list_price=Decimal("4900.00"),
        cost_price=Decimal("2100.00"),
        unit="per device / year",
        valid_from=dt.date(2020, 1, 1),
    )
    return product
