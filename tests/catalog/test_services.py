import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from salesdesk.catalog import services
from salesdesk.catalog.models import CompatibilityRule, PriceListEntry, Product
from salesdesk.catalog.selectors import compatibility_rules_for, visible_products
from salesdesk.core.audit import events_for
from salesdesk.core.errors import ApplicationError, StateConflict

pytestmark = pytest.mark.django_db


def test_a_level_4_engineer_cannot_change_the_catalog(presales, gateway):
    with pytest.raises(PermissionDenied):
        services.product_update(actor=presales, product=gateway, data={"name": "X"})
    gateway.refresh_from_db()
    assert gateway.name == "Edge Gateway 400"


def test_create_names_the_bad_field(manager, category):
    with pytest.raises(ApplicationError) as exc:
        services.product_create(actor=manager, data={"sku": "", "name": "X", "category_id": category.pk})
    assert [e.field for e in exc.value.errors] == ["sku"]
    assert not Product.objects.exists()


def test_overlapping_prices_are_refused(manager, gateway):
    # given an open-ended price from 2020 in EUR per device / year
    # when another entry for the same currency and unit starts in 2026
    with pytest.raises(ApplicationError) as exc:
        services.price_create(
            actor=manager,
            product=gateway,
            data={
                "list_price": Decimal("5100"),
                "currency": "eur",
                "unit": "per device / year",
                "valid_from": dt.date(2026, 1, 1),
            },
        )
    # then it is refused, naming the field, and nothing was added
    assert exc.value.errors[0].field == "valid_from"
    assert "overlaps" in exc.value.errors[0].message
    assert PriceListEntry.objects.count() == 1


def test_a_price_following_a_closed_one_is_accepted(manager, gateway):
    old = gateway.prices.get()
    services.price_update(actor=manager, price=old, data={"valid_to": dt.date(2025, 12, 31)})
    services.price_create(
        actor=manager,
        product=gateway,
        data={
            "list_price": Decimal("5100"),
            "currency": "EUR",
            "unit": "per device / year",
            "valid_from": dt.date(2026, 1, 1),
        },
    )
    assert gateway.prices.count() == 2


def test_cost_price_stays_out_of_the_audit_trail(manager, gateway):
    price = gateway.prices.get()
    services.price_update(actor=manager, price=price, data={"cost_price": Decimal("1999.00")})
    text = str([(e.changes, e.detail) for e in events_for(gateway)])
    assert "1999" not in text and "2100" not in text


def test_lifecycle_change_is_a_step_and_listeners_hear_it(manager, gateway, monkeypatch):
    heard = []
    monkeypatch.setattr(
        services, "LIFECYCLE_LISTENERS", [lambda p, old, new, actor: heard.append((p.pk, old, new, actor))]
    )
    services.product_set_lifecycle(
        actor=manager, product=gateway, lifecycle="end_of_sale", note="successor EG-500"
    )
    gateway.refresh_from_db()
    assert gateway.lifecycle == "end_of_sale"
    event = events_for(gateway).first()
    assert event.action == "step" and event.step == "moved to End of sale"
    assert event.changes == {"lifecycle": ["available", "end_of_sale"]}
    assert heard == [(gateway.pk, "available", "end_of_sale", manager)]


def test_end_of_life_is_final(manager, gateway):
    services.product_set_lifecycle(actor=manager, product=gateway, lifecycle="end_of_life")
    with pytest.raises(StateConflict):
        services.product_set_lifecycle(actor=manager, product=gateway, lifecycle="available")
    gateway.refresh_from_db()
    assert gateway.lifecycle == "end_of_life"


def test_a_failing_listener_undoes_the_change(manager, gateway, monkeypatch):
    def boom(*args):
        raise ApplicationError("lifecycle", "listener refused")

    monkeypatch.setattr(services, "LIFECYCLE_LISTENERS", [boom])
    with pytest.raises(ApplicationError):
        services.product_set_lifecycle(actor=manager, product=gateway, lifecycle="end_of_sale")
    gateway.refresh_from_db()
    assert gateway.lifecycle == "available"


def test_specs_are_typed_and_unique_per_name(manager, gateway):
    spec = services.spec_set(
        actor=manager, product=gateway, data={"name": "throughput", "value": "1200", "unit": "req/s"}
    )
    assert spec.value_number == Decimal("1200")
    text = services.spec_set(actor=manager, product=gateway, data={"name": "sso", "value": "Azure AD"})
    assert text.value_number is None and text.value_text == "Azure AD"
    services.spec_set(
        actor=manager, product=gateway, data={"name": "throughput", "value": "1500", "unit": "req/s"}
    )
    assert gateway.specs.get(name="throughput").value_number == Decimal("1500")


def test_rules_for_a_set_of_products_find_exclusions_both_ways(manager, gateway, category):
    other = Product.objects.create(sku="SW-1", name="Switch", category=category)
    services.rule_create(
        actor=manager,
        product=other,
        data={"kind": "excludes", "other_product_id": gateway.pk, "message": "not together"},
    )
    services.rule_create(
        actor=manager,
        product=gateway,
        data={
            "kind": "capacity_limit",
            "spec_name": "max_concurrent_users",
            "limit_value": Decimal("500"),
            "message": "500 users max",
        },
    )
    kinds = sorted(r.kind for r in compatibility_rules_for([gateway.pk]))
    assert kinds == ["capacity_limit", "excludes"]


def test_a_rule_without_its_target_is_refused(manager, gateway):
    with pytest.raises(ApplicationError) as exc:
        services.rule_create(actor=manager, product=gateway, data={"kind": "requires", "message": "x"})
    assert exc.value.errors[0].field == "other_product"
    assert not CompatibilityRule.objects.exists()


def test_partners_do_not_see_planned_products(world_a, gateway, category):
    Product.objects.create(sku="EG-900", name="Secret roadmap", category=category, lifecycle="planned")
    assert list(visible_products(world_a.partner_user).values_list("sku", flat=True)) == ["EG-400"]
