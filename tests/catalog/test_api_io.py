import io
import zipfile

import pytest

from salesdesk.catalog.io import catalog_export_xlsx, catalog_import
from salesdesk.catalog.models import PriceListEntry, Product
from salesdesk.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["partner_user", "customer_user"])
def test_cost_price_is_never_sent_to_partners_or_customers(who, world_a, gateway, client_as):
    client = client_as(getattr(world_a, who))
    prices = client.get(f"/api/products/{gateway.pk}/prices").json()
    detail = client.get(f"/api/products/{gateway.pk}")
    assert prices and all("cost_price" not in p for p in prices)
    assert "cost_price" not in detail.content.decode() and "2100" not in detail.content.decode()


def test_staff_see_the_cost_price(agent, gateway, client_as):
    prices = client_as(agent).get(f"/api/products/{gateway.pk}/prices").json()
    assert prices[0]["cost_price"] == "2100.00"


def test_patch_with_a_stale_etag_is_refused(manager, gateway, client_as):
    client = client_as(manager)
    etag = client.get(f"/api/products/{gateway.pk}")["ETag"]
    assert (
        client.patch(
            f"/api/products/{gateway.pk}",
            {"name": "EG 400"},
            content_type="application/json",
            headers={"If-Match": etag},
        ).status_code
        == 200
    )
    stale = client.patch(
        f"/api/products/{gateway.pk}",
        {"name": "Other"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert stale.status_code == 412
    gateway.refresh_from_db()
    assert gateway.name == "EG 400"


def test_product_list_pages_with_a_cursor(agent, category, client_as):
    for n in range(5):
        Product.objects.create(sku=f"P-{n}", name=f"P {n}", category=category)
    first = client_as(agent).get("/api/products?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]


CSV = (
    "sku,name,kind,category,lifecycle,summary,description,lead_time_days,specs\n"
    "EG-500,Edge Gateway 500,product,Edge gateways,available,Bigger,,10,cores=16 [cores]; sso=Azure AD\n"
)


def test_import_creates_then_updates_by_sku(manager, db):
    report = catalog_import(actor=manager, data=CSV.encode(), filename="p.csv")
    assert report.ok and report.products_created == 1
    again = catalog_import(
        actor=manager, data=CSV.replace("Bigger", "Even bigger").encode(), filename="p.csv"
    )
    assert again.products_updated == 1
    product = Product.objects.get(sku="EG-500")
    assert product.summary == "Even bigger" and product.specs.count() == 2


def test_a_bad_row_is_reported_and_nothing_is_written(manager, db):
    bad = CSV + "EG-600,,product,Edge gateways,sold_out,,,x,\n"
    report = catalog_import(actor=manager, data=bad.encode(), filename="p.csv")
    problems = {(p.row, p.column) for p in report.problems}
    assert problems == {(3, "name"), (3, "lifecycle"), (3, "lead_time_days")}
    assert not Product.objects.exists()


def test_overlapping_imported_prices_roll_everything_back(manager, gateway):
    prices = (
        "sku,currency,unit,list_price,cost_price,valid_from,valid_to\n"
        "EG-400,EUR,per device / year,5000,,2026-01-01,\n"
    )
    report = catalog_import(actor=manager, data=(prices).encode(), filename="prices.csv")
    assert report.problems[0].row == 2 and report.problems[0].column == "valid_from"
    assert PriceListEntry.objects.count() == 1


def test_export_round_trip(manager, gateway):
    data = catalog_export_xlsx(actor=manager, products=Product.objects.all())
    gateway.delete()
    report = catalog_import(actor=manager, data=data, filename="catalog.xlsx")
    assert report.ok, report.problems
    product = Product.objects.get(sku="EG-400")
    assert product.specs.get().value_number == 500
    assert str(product.prices.get().cost_price) == "2100.00"


def test_hostile_files_are_refused(manager, db):
    with pytest.raises(ApplicationError, match="not a zip"):
        catalog_import(actor=manager, data=b"<xml/>", filename="x.xlsx")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/big.xml", b"0" * (120 * 1024 * 1024))
    with pytest.raises(ApplicationError, match=r"zip bomb|unpacks"):
        catalog_import(actor=manager, data=bomb.getvalue(), filename="x.xlsx")
    with pytest.raises(ApplicationError, match="limit"):
        catalog_import(actor=manager, data=b"a" * (11 * 1024 * 1024), filename="x.csv")
    assert not Product.objects.exists()


SUCCESSORS = (
    "sku,name,kind,category,lifecycle,summary,description,lead_time_days,specs,successor\n"
    "EG-300,Edge Gateway 300,product,Edge gateways,end_of_sale,Old,,,,eg-310\n"
    "EG-310,Edge Gateway 310,product,Edge gateways,available,New,,,,\n"
)


def test_import_sets_a_successor_named_later_in_the_file_and_export_keeps_it(manager, db):
    report = catalog_import(actor=manager, data=SUCCESSORS.encode(), filename="p.csv")
    assert report.ok, report.problems
    assert Product.objects.get(sku="EG-300").successor == Product.objects.get(sku="EG-310")
    # the export carries it, and importing the export changes nothing
    data = catalog_export_xlsx(actor=manager, products=Product.objects.all())
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(data))["Products"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=False)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["EG-300"]["successor"] == "EG-310"
    assert catalog_import(actor=manager, data=data, filename="catalog.xlsx").ok


def test_an_unknown_or_own_successor_is_reported_with_its_row_and_nothing_is_written(manager, db):
    unknown = SUCCESSORS.replace("eg-310\n", "EG-999\n")
    report = catalog_import(actor=manager, data=unknown.encode(), filename="p.csv")
    assert [(p.row, p.column) for p in report.problems] == [(2, "successor")]
    assert "EG-999" in report.problems[0].problem
    assert not Product.objects.exists()
    own = SUCCESSORS.replace("eg-310\n", "EG-300\n")
    report = catalog_import(actor=manager, data=own.encode(), filename="p.csv")
    assert [(p.row, p.column) for p in report.problems] == [(2, "successor")]
