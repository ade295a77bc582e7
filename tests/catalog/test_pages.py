"""The catalog's pages: list, detail, forms, lifecycle step, import and export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesdesk.catalog.choices import Lifecycle
from salesdesk.catalog.models import BundleItem, Category, PriceListEntry, Product, ProductSpec
from salesdesk.core.audit import events_for

pytestmark = pytest.mark.django_db

LIST = "/catalog/"


def _products(category: Category, count: int, start: int = 0) -> list[Product]:
    return [
        Product.objects.create(
            sku=f"SW-{n:03}", name=f"Switch {n:03}", category=category, summary=f"Switch number {n}"
        )
        for n in range(start, start + count)
    ]


# --- List --------------------------------------------------------------------------------


def test_the_list_searches_by_name_sku_and_summary(agent, gateway, category, client_as):
    _products(category, 3)
    client = client_as(agent)
    # when searching for a SKU fragment
    html = client.get(LIST, {"q": "eg-4"}).content.decode()
    # then only the gateway is listed
    assert "Edge Gateway 400" in html and "Switch 000" not in html
    html = client.get(LIST, {"q": "number 2"}).content.decode()
    assert "Switch 002" in html and "Switch 001" not in html


def test_the_list_filters_by_category_kind_and_lifecycle(agent, gateway, client_as):
    switches = Category.objects.create(name="Switches")
    old = Product.objects.create(
        sku="SW-OLD", name="Old Switch", category=switches, lifecycle=Lifecycle.END_OF_SALE
    )
    Product.objects.create(sku="PS-1", name="Deployment day", category=switches, kind="service")
    client = client_as(agent)
    by_category = client.get(LIST, {"category": switches.pk}).content.decode()
    assert "Old Switch" in by_category and "Edge Gateway 400" not in by_category
    by_lifecycle = client.get(LIST, {"lifecycle": "end_of_sale"}).content.decode()
    assert old.name in by_lifecycle and "Deployment day" not in by_lifecycle
    by_kind = client.get(LIST, {"kind": "service"}).content.decode()
    assert "Deployment day" in by_kind and "Old Switch" not in by_kind
    # nonsense filter values mean "no filter", not an error
    assert client.get(LIST, {"category": "x", "kind": "nope", "lifecycle": "'"}).status_code == 200


def test_the_list_pages(agent, category, client_as):
    _products(category, 30)
    client = client_as(agent)
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    assert "Switch 000" in first and "Switch 024" in first and "Switch 025" not in first
    assert "Switch 025" in second and "Switch 029" in second and "Switch 000" not in second


def test_the_empty_list_says_so(agent, gateway, client_as):
    client = client_as(agent)
    assert "No product matches these filters." in client.get(LIST, {"q": "zzz"}).content.decode()
    for product in Product.objects.all():
        product.delete()
    assert "The catalog is empty." in client.get(LIST).content.decode()


def test_partners_do_not_see_planned_items_in_the_list(world_a, gateway, category, client_as):
    Product.objects.create(sku="EG-900", name="Edge Gateway 900", category=category, lifecycle="planned")
    html = client_as(world_a.partner_user).get(LIST).content.decode()
    assert "Edge Gateway 400" in html and "Edge Gateway 900" not in html


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_page_does_not_query_per_product(agent, category, client_as, django_assert_max_num_queries):
    # given 5 products (some bundles), the number of queries the list needs
    products = _products(category, 5)
    BundleItem.objects.create(bundle=products[0], component=products[1], quantity=2)
    client = client_as(agent)
    baseline = _count_queries(client, LIST)
    # when the catalog grows to 30 (a full page of 25 rows and more categories)
    more = _products(Category.objects.create(name="Firewalls"), 25, start=5)
    BundleItem.objects.create(bundle=more[0], component=more[1], quantity=1)
    # then the page needs no more queries
    with django_assert_max_num_queries(baseline):
        assert client.get(LIST).status_code == 200


def test_the_product_api_does_not_query_per_product(
    agent, category, client_as, django_assert_max_num_queries
):
    _products(category, 5)
    client = client_as(agent)
    baseline = _count_queries(client, "/api/products")
    _products(Category.objects.create(name="Firewalls"), 25, start=5)
    with django_assert_max_num_queries(baseline):
        response = client.get("/api/products?page_size=50")
    assert len(response.json()["results"]) == 30


def test_the_detail_page_does_not_query_per_spec_or_price(
    manager, gateway, client_as, django_assert_max_num_queries
):
    client = client_as(manager)
    url = f"{LIST}{gateway.pk}/"
    baseline = _count_queries(client, url)
    for n in range(20):
        ProductSpec.objects.create(product=gateway, name=f"spec_{n}", value_number=n, unit="u")
        PriceListEntry.objects.create(
            product=gateway,
            list_price=Decimal(100 + n),
            cost_price=Decimal(60 + n),
            unit=f"unit {n}",
            valid_from=dt.date(2020, 1, 1),
        )
    with django_assert_max_num_queries(baseline):
        html = client.get(url).content.decode()
    assert "spec_19" in html and "unit 19" in html


# --- Detail ------------------------------------------------------------------------------


def test_staff_see_specs_prices_and_the_cost_price(agent, gateway, client_as):
    html = client_as(agent).get(f"{LIST}{gateway.pk}/").content.decode()
    assert "max_concurrent_users" in html and "500" in html and "users" in html
    assert "4,900.00" in html or "4900" in html
    assert "Cost price" in html and ("2,100.00" in html or "2100" in html)


@pytest.mark.parametrize("who", ["partner_user", "customer_user"])
def test_the_cost_price_is_not_in_the_page_for_partners_or_customers(who, world_a, gateway, client_as):
    response = client_as(getattr(world_a, who)).get(f"{LIST}{gateway.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "max_concurrent_users" in html and ("4,900.00" in html or "4900" in html)
    assert "Cost price" not in html and "2,100" not in html and "2100" not in html
    # and they get no edit forms
    assert "Add a price" not in html and "Change lifecycle" not in html


def test_a_planned_product_does_not_exist_for_partners(world_a, category, client_as):
    planned = Product.objects.create(
        sku="EG-900", name="Edge Gateway 900", category=category, lifecycle="planned"
    )
    assert client_as(world_a.partner_user).get(f"{LIST}{planned.pk}/").status_code == 404


def test_the_detail_page_names_the_successor(agent, gateway, category, client_as):
    old = Product.objects.create(
        sku="EG-300", name="Edge Gateway 300", category=category, lifecycle="end_of_sale", successor=gateway
    )
    html = client_as(agent).get(f"{LIST}{old.pk}/").content.decode()
    assert "Successor" in html and f'href="{LIST}{gateway.pk}/"' in html


# --- Create and edit ---------------------------------------------------------------------


def test_a_manager_adds_a_product(manager, category, client_as):
    response = client_as(manager).post(
        f"{LIST}new/",
        {"sku": "EG-500", "name": "Edge Gateway 500", "kind": "product", "category": category.pk},
    )
    product = Product.objects.get(sku="EG-500")
    assert response.status_code == 302 and response["Location"] == f"{LIST}{product.pk}/"
    assert product.lifecycle == Lifecycle.PLANNED
    assert [e.action for e in events_for(product)] == ["created"]


def test_a_duplicate_sku_is_shown_on_the_sku_field(manager, gateway, category, client_as):
    # when a second product is added with the gateway's SKU
    response = client_as(manager).post(
        f"{LIST}new/", {"sku": "EG-400", "name": "Copy", "kind": "product", "category": category.pk}
    )
    # then the form comes back with the error on the SKU field, and nothing was added
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"sku"}
    assert "SKU" in response.content.decode()
    assert Product.objects.count() == 1


def test_editing_a_product_saves_it(manager, gateway, category, client_as):
    response = client_as(manager).post(
        f"{LIST}{gateway.pk}/edit/",
        {
            "sku": "EG-400",
            "name": "Edge Gateway 400 v2",
            "kind": "product",
            "category": category.pk,
            "version": gateway.version,
        },
    )
    assert response.status_code == 302
    gateway.refresh_from_db()
    assert gateway.name == "Edge Gateway 400 v2"


def test_an_edit_of_a_stale_version_changes_nothing(manager, gateway, category, client_as):
    response = client_as(manager).post(
        f"{LIST}{gateway.pk}/edit/",
        {"sku": "EG-400", "name": "Late", "kind": "product", "category": category.pk, "version": 99},
    )
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    gateway.refresh_from_db()
    assert gateway.name == "Edge Gateway 400"


def test_a_level_4_engineer_gets_no_forms(presales, gateway, category, client_as):
    client = client_as(presales)
    assert client.get(f"{LIST}new/").status_code == 403
    assert client.get(f"{LIST}{gateway.pk}/edit/").status_code == 403
    assert "Change lifecycle" not in client.get(f"{LIST}{gateway.pk}/").content.decode()


# --- Lifecycle ---------------------------------------------------------------------------


def test_a_lifecycle_change_is_recorded_on_the_timeline(manager, gateway, client_as):
    client = client_as(manager)
    response = client.post(
        f"{LIST}{gateway.pk}/lifecycle/",
        {"lifecycle": "end_of_sale", "note": "successor: Edge Gateway 500", "version": gateway.version},
    )
    assert response.status_code == 302
    gateway.refresh_from_db()
    assert gateway.lifecycle == Lifecycle.END_OF_SALE
    html = client.get(f"{LIST}{gateway.pk}/").content.decode()
    assert "moved to End of sale" in html and "successor: Edge Gateway 500" in html


def test_an_impossible_lifecycle_move_is_refused_on_the_field(manager, gateway, client_as):
    gateway.lifecycle = Lifecycle.END_OF_LIFE
    gateway.save(update_fields=["lifecycle"])
    response = client_as(manager).post(f"{LIST}{gateway.pk}/lifecycle/", {"lifecycle": "available"})
    assert response.status_code == 400
    assert "lifecycle" in response.context["lifecycle_form"].errors
    gateway.refresh_from_db()
    assert gateway.lifecycle == Lifecycle.END_OF_LIFE


# --- Import and export -------------------------------------------------------------------

GOOD = (
    "sku,name,kind,category,lifecycle,summary,description,lead_time_days,specs\n"
    "EG-500,Edge Gateway 500,product,Edge gateways,available,Bigger,,10,cores=16 [cores]\n"
)


def _upload(text: str, name: str = "catalog.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_the_import_page_imports_a_good_file(manager, db, client_as):
    response = client_as(manager).post(f"{LIST}import/", {"file": _upload(GOOD)})
    assert response.status_code == 302
    assert Product.objects.get(sku="EG-500").specs.get().value_number == 16


def test_the_import_page_reports_a_bad_row_and_writes_nothing(manager, db, client_as):
    # given a file whose third row has no name and a nonsense lead time
    bad = GOOD + "EG-600,,product,Edge gateways,available,,,soon,\n"
    # when it is uploaded
    response = client_as(manager).post(f"{LIST}import/", {"file": _upload(bad)})
    # then the page lists row, column and problem, and nothing was imported
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in html
    problems = {(p.row, p.column) for p in response.context["report"].problems}
    assert problems == {(3, "name"), (3, "lead_time_days")}
    assert "<td>lead_time_days</td>" in html and "must be a whole number of days" in html
    assert not Product.objects.exists()


def test_an_unreadable_file_is_refused_on_the_file_field(manager, db, client_as):
    response = client_as(manager).post(f"{LIST}import/", {"file": _upload("x", name="catalog.pdf")})
    assert response.status_code == 400 and "file" in response.context["form"].errors
    assert not Product.objects.exists()


def test_partners_cannot_import(world_a, db, client_as):
    response = client_as(world_a.partner_user).post(f"{LIST}import/", {"file": _upload(GOOD)})
    assert response.status_code == 403
    assert not Product.objects.exists()


def test_the_export_downloads_the_filtered_catalog(agent, gateway, category, client_as):
    Product.objects.create(sku="SW-1", name="Switch 1", category=Category.objects.create(name="Switches"))
    response = client_as(agent).get(f"{LIST}export/", {"category": category.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="catalog.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    skus = [row[0] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert skus == ["EG-400"]


def test_customers_cannot_export(world_a, gateway, client_as):
    assert client_as(world_a.customer_user).get(f"{LIST}export/").status_code == 403
