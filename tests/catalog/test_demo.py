"""The demo catalog: realistic, idempotent, and entered through the services."""

from __future__ import annotations

import pytest

from salesdesk.catalog import services
from salesdesk.catalog.choices import Lifecycle
from salesdesk.catalog.demo import load_catalog_demo
from salesdesk.catalog.models import (
    BundleItem,
    Category,
    CompatibilityRule,
    PriceListEntry,
    Product,
    ProductOption,
    ProductSpec,
)
from salesdesk.core.audit import events_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def grace(staff_factory):
    return staff_factory(5, username="grace", first_name="Grace", last_name="Adeyemi")


def _counts() -> dict[str, int]:
    models = (Category, Product, ProductSpec, PriceListEntry, ProductOption, BundleItem, CompatibilityRule)
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_catalog_loads_once(grace):
    # when the loader runs twice
    first = load_catalog_demo(actor=grace)
    after_first = _counts()
    second = load_catalog_demo(actor=grace)
    # then the first run created a realistic catalog and the second nothing
    assert first["categories"] == 11 and first["products"] >= 45
    assert (
        first["specs"] and first["prices"] and first["options"] and first["bundle_items"] and first["rules"]
    )
    assert sum(second.values()) == 0
    assert _counts() == after_first
    assert after_first["Product"] == first["products"]


def test_the_demo_has_the_edge_gateway_400_with_sso_via_saml(grace):
    load_catalog_demo(actor=grace)
    gateway = Product.objects.get(name="Edge Gateway 400")
    specs = {spec.name: spec for spec in gateway.specs.all()}
    assert "SAML 2.0" in specs["sso_protocols"].value_text
    assert "Azure AD" in specs["sso_identity_providers"].value_text
    assert specs["max_concurrent_users"].value_number == 500
    assert gateway.lifecycle == Lifecycle.AVAILABLE
    # entered through the services, so its timeline is not empty
    assert any(event.step == "specification added" for event in events_for(gateway))


def test_the_demo_has_an_end_of_sale_switch_with_an_available_successor(grace):
    load_catalog_demo(actor=grace)
    switch = Product.objects.get(category__name="Switches", lifecycle=Lifecycle.END_OF_SALE)
    assert switch.successor is not None and switch.successor.lifecycle == Lifecycle.AVAILABLE
    assert switch.successor.category.name == "Switches"
    step = next(e for e in events_for(switch) if e.step == "moved to End of sale")
    assert step.detail == {"note": f"successor: {switch.successor.name}"}


def test_demo_prices_and_rules_are_believable(grace):
    load_catalog_demo(actor=grace)
    for price in PriceListEntry.objects.all():
        assert price.currency == "EUR"
        assert 0.55 <= float(price.cost_price / price.list_price) <= 0.70
    server = Product.objects.get(sku="KS-AS220")
    assert {s.name for s in server.specs.all()} >= {
        "max_concurrent_users",
        "throughput",
        "cores",
        "memory_gb",
        "storage_tb",
    }
    assert CompatibilityRule.objects.filter(product=server, kind="capacity_limit").exists()
    ha = Product.objects.get(sku="KS-LIC-HA400")
    assert ha.rules.get(kind="requires").other_product.name == "Edge Gateway 400"
    assert Product.objects.filter(lifecycle=Lifecycle.PLANNED).exists()
    assert Product.objects.filter(lifecycle=Lifecycle.END_OF_LIFE).exists()
    assert Product.objects.filter(bundle_items__isnull=False).distinct().count() >= 2


def test_the_demo_keeps_what_people_changed(grace):
    load_catalog_demo(actor=grace)
    gateway = Product.objects.get(sku="KS-EG-400")
    gateway.summary = "Changed by a person"
    gateway.save(update_fields=["summary"])
    services.spec_delete(actor=grace, spec=gateway.specs.get(name="rack_units"))
    load_catalog_demo(actor=grace)
    gateway.refresh_from_db()
    assert gateway.summary == "Changed by a person"
    assert not gateway.specs.filter(name="rack_units").exists()
