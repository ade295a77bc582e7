"""Fixtures for the deal-registration tests: a catalog, a sales manager and a known customer.

World A's and world B's partners (tests/conftest.py) register deals; Northwind Traders is a
customer no partner manages, with an open opportunity for the gateway.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from salesdesk.catalog.models import Category, Product
from salesdesk.deals import registration_services as services
from tests.factories import OpportunityFactory, OrganisationFactory


@pytest.fixture
def manager(staff_factory):
    """Level 5 sales-support manager (Mara): approves and rejects registrations."""
    return staff_factory(5, username="mara", first_name="Mara", last_name="Lindqvist")


@pytest.fixture
def catalog(db):
    category = Category.objects.create(name="Gateways")
    return {
        "gateway": Product.objects.create(sku="EG-400", name="Edge Gateway 400", category=category),
        "switch": Product.objects.create(sku="SW-24", name="Access Switch 24", category=category),
        "firewall": Product.objects.create(sku="FW-200", name="Firewall 200", category=category),
    }


@pytest.fixture
def northwind(sales_rep, catalog):
    """A customer with an open opportunity for the gateway (no partner)."""
    customer = OrganisationFactory(name="Northwind Traders GmbH")
    opportunity = OpportunityFactory(name="Northwind WAN refresh", account=customer, owner=sales_rep)
    opportunity.products.set([catalog["gateway"]])
    return customer, opportunity


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def register(user, catalog, *products: str, customer: str = "Northwind Traders", **data):
    return services.registration_create(
        actor=user,
        data={
            "customer_name": customer,
            "product_ids": [catalog[p].pk for p in (products or ("gateway",))],
            "amount": "50000",
            "currency": "EUR",
            "expected_close_date": in_days(60),
            **data,
        },
    )
