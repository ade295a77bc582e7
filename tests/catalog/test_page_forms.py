"""Adding and removing specifications and prices on the product page (catalog.edit only)."""

from __future__ import annotations

import pytest

from salesdesk.catalog.models import PriceListEntry, ProductSpec
from salesdesk.core.audit import events_for

pytestmark = pytest.mark.django_db


def _url(product, *rest: object) -> str:
    return "/catalog/" + "/".join(str(part) for part in (product.pk, *rest)) + "/"


def test_a_manager_adds_a_text_specification(manager, gateway, client_as):
    response = client_as(manager).post(
        _url(gateway, "specs"),
        {"spec-name": "sso_protocols", "spec-value": "SAML 2.0, OIDC", "spec-unit": ""},
    )
    assert response.status_code == 302 and response["Location"] == _url(gateway)
    spec = gateway.specs.get(name="sso_protocols")
    assert spec.value_text == "SAML 2.0, OIDC" and spec.value_number is None
    assert events_for(gateway)[0].step == "specification added"


def test_a_numeric_specification_of_the_same_name_is_changed(manager, gateway, client_as):
    client_as(manager).post(
        _url(gateway, "specs"),
        {"spec-name": "max_concurrent_users", "spec-value": "750", "spec-unit": "users"},
    )
    assert gateway.specs.get(name="max_concurrent_users").value_number == 750
    assert gateway.specs.count() == 1


def test_a_bad_specification_name_is_shown_on_the_name_field(manager, gateway, client_as):
    # when the name is not lower case with underscores
    response = client_as(manager).post(
        _url(gateway, "specs"), {"spec-name": "Max Users", "spec-value": "10", "spec-unit": ""}
    )
    # then the page comes back with the error on that field, the form open, and nothing added
    assert response.status_code == 400
    form = response.context["spec_form"]
    assert list(form.errors) == ["name"]
    assert "lower-case letters" in response.content.decode()
    assert gateway.specs.count() == 1


def test_a_missing_value_is_shown_on_the_value_field(manager, gateway, client_as):
    response = client_as(manager).post(_url(gateway, "specs"), {"spec-name": "cores", "spec-value": ""})
    assert response.status_code == 400 and list(response.context["spec_form"].errors) == ["value"]


def test_a_manager_removes_a_specification(manager, gateway, client_as):
    spec = gateway.specs.get()
    response = client_as(manager).post(_url(gateway, "specs", spec.pk, "remove"))
    assert response.status_code == 302
    assert not ProductSpec.objects.exists()
    assert events_for(gateway)[0].step == "specification removed"


def test_a_manager_adds_a_price(manager, gateway, client_as):
    response = client_as(manager).post(
        _url(gateway, "prices"),
        {
            "price-list_price": "990.00",
            "price-cost_price": "610.00",
            "price-currency": "eur",
            "price-unit": "rack kit",
            "price-valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 302
    price = gateway.prices.get(unit="rack kit")
    assert str(price.list_price) == "990.00" and str(price.cost_price) == "610.00"
    assert price.currency == "EUR"
    # the cost price stays out of the timeline
    assert "610" not in str(events_for(gateway)[0].changes)


def test_an_overlapping_price_is_shown_on_valid_from(manager, gateway, client_as):
    # given an open-ended price from 2020 per device / year
    # when another one for the same unit starts in 2026
    response = client_as(manager).post(
        _url(gateway, "prices"),
        {
            "price-list_price": "5100",
            "price-currency": "EUR",
            "price-unit": "per device / year",
            "price-valid_from": "2026-01-01",
        },
    )
    # then it is refused on the valid-from field and nothing was added
    assert response.status_code == 400
    assert list(response.context["price_form"].errors) == ["valid_from"]
    assert "overlaps" in response.content.decode()
    assert PriceListEntry.objects.count() == 1


def test_an_end_before_the_start_is_shown_on_valid_to(manager, gateway, client_as):
    response = client_as(manager).post(
        _url(gateway, "prices"),
        {
            "price-list_price": "10",
            "price-currency": "EUR",
            "price-unit": "each",
            "price-valid_from": "2026-02-01",
            "price-valid_to": "2026-01-01",
        },
    )
    assert response.status_code == 400 and list(response.context["price_form"].errors) == ["valid_to"]
    assert PriceListEntry.objects.count() == 1


def test_a_manager_removes_a_price(manager, gateway, client_as):
    price = gateway.prices.get()
    assert client_as(manager).post(_url(gateway, "prices", price.pk, "remove")).status_code == 302
    assert not PriceListEntry.objects.exists()
    assert events_for(gateway)[0].step == "price removed"


@pytest.mark.parametrize("who", ["presales", "partner"])
def test_people_without_catalog_edit_cannot_change_specs_or_prices(
    who, presales, world_a, gateway, client_as
):
    user = presales if who == "presales" else world_a.partner_user
    client = client_as(user)
    spec, price = gateway.specs.get(), gateway.prices.get()
    responses = [
        client.post(_url(gateway, "specs"), {"spec-name": "cores", "spec-value": "8"}),
        client.post(_url(gateway, "specs", spec.pk, "remove")),
        client.post(_url(gateway, "prices"), {"price-list_price": "1", "price-valid_from": "2030-01-01"}),
        client.post(_url(gateway, "prices", price.pk, "remove")),
    ]
    assert [r.status_code for r in responses] == [403] * 4
    assert list(gateway.specs.all()) == [spec] and list(gateway.prices.all()) == [price]


def test_a_spec_of_another_product_cannot_be_removed_through_this_one(manager, gateway, category, client_as):
    from salesdesk.catalog.models import Product

    other = Product.objects.create(sku="X-1", name="Other", category=category)
    foreign = ProductSpec.objects.create(product=other, name="cores", value_number=4)
    response = client_as(manager).post(_url(gateway, "specs", foreign.pk, "remove"))
    assert response.status_code == 404
    assert ProductSpec.objects.filter(pk=foreign.pk).exists()


def test_the_add_forms_are_shown_to_managers_only(manager, agent, gateway, client_as):
    assert "Add a price" in client_as(manager).get(_url(gateway)).content.decode()
    assert "Add a price" not in client_as(agent).get(_url(gateway)).content.decode()
