"""The main menu marks the section the page belongs to (aria-current), by app, not by name."""

import re

import pytest

pytestmark = pytest.mark.django_db


def current_entries(html: str) -> list[str]:
    return re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', html)


def test_product_gaps_belong_to_solutions_not_to_the_catalog(client_as, staff_factory):
    client = client_as(staff_factory(6))
    assert current_entries(client.get("/solutions/product-gaps/").content.decode()) == ["Solutions"]
    assert current_entries(client.get("/catalog/").content.decode()) == ["Catalog"]
