"""Import and export of the catalog (products with their specifications, and prices) as CSV or XLSX.

One layout for both formats:

- products: ``sku, name, kind, category, lifecycle, summary, description, lead_time_days, specs,
  successor`` (the SKU of the product that replaces it; may name a product later in the file)
  where ``specs`` reads ``cores=16 [cores]; throughput=1200 [req/s]; sso=Azure AD``
  (unit in brackets, entries separated by ``;``);
- prices: ``sku, currency, unit, list_price, cost_price, valid_from, valid_to``.

An XLSX workbook holds a "Products" and/or a "Prices" sheet; a CSV file holds one of
the two, told apart by its header. The same SKU re-imported updates the product, and a
price with the same SKU, currency, unit and valid-from date updates that entry, so a
file can be imported again and again.

Every row is checked and applied inside one transaction; if any row has a problem the
transaction is rolled back and the report lists every problem by sheet, row and column.
Files are read by ``salesdesk.core.spreadsheets``, which refuses them before parsing
when they are too large, are not a real XLSX (zip) file, would unpack to far more than
they weigh (zip bombs) or declare XML entities; the limits below are this app's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from salesdesk.core import spreadsheets
from salesdesk.core.errors import ApplicationError
from salesdesk.core.money import parse_amount, validate_currency
from salesdesk.core.permissions import require

from . import services
from .choices import Lifecycle, OfferingKind
from .models import Category, PriceListEntry, Product, ProductSpec
from .selectors import sees_cost

PRODUCT_COLUMNS = (
    "sku",
    "name",
    "kind",
    "category",
    "lifecycle",
    "summary",
    "description",
    "lead_time_days",
    "specs",
    "successor",
)
PRICE_COLUMNS = ("sku", "currency", "unit", "list_price", "cost_price", "valid_from", "valid_to")
REQUIRED_PRODUCT_COLUMNS = ("sku", "name", "category")
REQUIRED_PRICE_COLUMNS = ("sku", "currency", "list_price", "valid_from")

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 500
MAX_ROWS = 20_000

_SPEC_ENTRY = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*=\s*(.*?)\s*(?:\[(.*?)\])?\s*$")


@dataclass(frozen=True)
class ImportProblem:
    sheet: str
    row: int  # as the person sees it in their spreadsheet: the header is row 1
    column: str
    problem: str

    def as_line(self) -> str:
        return f"{self.sheet} row {self.row}, column {self.column}: {self.problem}"


@dataclass
class ImportReport:
    products_created: int = 0
    products_updated: int = 0
    prices_created: int = 0
    prices_updated: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- Reading files ---------------------------------------------------------------------------


def read_tables(data: bytes, filename: str) -> dict[str, spreadsheets.Table]:
    """{"products"|"prices": (header, [(row number, {column: text})])} from a CSV or XLSX file."""
    spreadsheets.check_size(len(data), max_bytes=MAX_FILE_BYTES)
    name = filename.lower()
    if name.endswith(".csv"):
        header, body = spreadsheets.read_csv(data, max_rows=MAX_ROWS)
        kind = "prices" if "list_price" in header else "products"
        return {kind: (header, body)}
    if not name.endswith(".xlsx"):
        raise ApplicationError("file", "must be a .csv or .xlsx file")
    tables = spreadsheets.read_xlsx(
        data,
        sheets=("products", "prices"),
        max_rows=MAX_ROWS,
        max_members=MAX_ZIP_MEMBERS,
        max_uncompressed_bytes=MAX_UNCOMPRESSED_BYTES,
        max_compression_ratio=MAX_COMPRESSION_RATIO,
    )
    if not tables:
        raise ApplicationError("file", "has neither a 'Products' nor a 'Prices' sheet")
    return tables


# --- Checking rows ---------------------------------------------------------------------------


def parse_specs(text: str) -> list[dict[str, Any]]:
    """``cores=16 [cores]; sso=Azure AD`` → [{"name", "value", "unit"}]; ValueError naming the bad entry."""
    specs = []
    for entry in (e for e in text.split(";") if e.strip()):
        match = _SPEC_ENTRY.match(entry)
        if match is None or not match.group(2):
            raise ValueError(f"'{entry.strip()}' is not name=value [unit]")
        specs.append({"name": match.group(1), "value": match.group(2), "unit": match.group(3) or ""})
    return specs


def format_specs(specs: list[ProductSpec]) -> str:
    parts = []
    for spec in specs:
        value = (
            format(spec.value_number.normalize(), "f") if spec.value_number is not None else spec.value_text
        )
        parts.append(f"{spec.name}={value}" + (f" [{spec.unit}]" if spec.unit else ""))
    return "; ".join(parts)


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip()[:10])


def _missing_columns(sheet: str, header: list[str], required: tuple[str, ...]) -> list[ImportProblem]:
    return [ImportProblem(sheet, 1, c, "column is missing") for c in required if c not in header]


def _check_product_row(number: int, row: dict[str, str], problems: list[ImportProblem]) -> dict | None:
    def bad(column: str, problem: str) -> None:
        problems.append(ImportProblem("Products", number, column, problem))

    start = len(problems)
    parsed: dict[str, Any] = {"row": number}
    for column, limit in (("sku", 60), ("name", 200), ("category", 120), ("summary", 300)):
        value = row.get(column, "").strip()
        if column in REQUIRED_PRODUCT_COLUMNS and not value:
            bad(column, "is required")
        elif len(value) > limit:
            bad(column, f"is longer than {limit} characters")
        parsed[column] = value
    parsed["description"] = row.get("description", "")
    kind = row.get("kind", "").strip().lower() or OfferingKind.PRODUCT
    if kind not in OfferingKind.values:
        bad("kind", f"must be one of {', '.join(OfferingKind.values)}")
    parsed["kind"] = kind
    lifecycle = row.get("lifecycle", "").strip().lower().replace(" ", "_").replace("-", "_")
    if lifecycle and lifecycle not in Lifecycle.values:
        bad("lifecycle", f"must be one of {', '.join(Lifecycle.values)}")
    parsed["lifecycle"] = lifecycle
    lead = row.get("lead_time_days", "").strip()
    parsed["lead_time_days"] = None
    if lead:
        if not lead.isdigit():
            bad("lead_time_days", "must be a whole number of days")
        else:
            parsed["lead_time_days"] = int(lead)
    try:
        parsed["specs"] = parse_specs(row.get("specs", ""))
    except ValueError as exc:
        bad("specs", str(exc))
    parsed["successor"] = row.get("successor", "").strip()
    parsed["successor_given"] = "successor" in row
    if parsed["successor"] and parsed["successor"].lower() == parsed["sku"].lower():
        bad("successor", "a product cannot be its own successor")
    return parsed if len(problems) == start else None


def _check_price_row(number: int, row: dict[str, str], problems: list[ImportProblem]) -> dict | None:
    def bad(column: str, problem: str) -> None:
        problems.append(ImportProblem("Prices", number, column, problem))

    start = len(problems)
    parsed: dict[str, Any] = {"row": number, "sku": row.get("sku", "").strip()}
    if not parsed["sku"]:
        bad("sku", "is required")
    try:
        parsed["currency"] = validate_currency(row.get("currency", ""))
    except ValueError as exc:
        bad("currency", str(exc))
    parsed["unit"] = row.get("unit", "").strip() or "each"
    for column, required in (("list_price", True), ("cost_price", False)):
        text = row.get(column, "").strip()
        if not text:
            if required:
                bad(column, "is required")
            parsed[column] = None
            continue
        try:
            amount = parse_amount(text)
        except (ValueError, InvalidOperation):
            bad(column, f"'{text}' is not an amount")
            continue
        if amount < 0:
            bad(column, "must not be negative")
        parsed[column] = amount.quantize(Decimal("0.01"))
    for column, required in (("valid_from", True), ("valid_to", False)):
        text = row.get(column, "").strip()
        parsed[column] = None
        if not text:
            if required:
                bad(column, "is required")
            continue
        try:
            parsed[column] = _date(text)
        except ValueError:
            bad(column, f"'{text}' is not a date (use YYYY-MM-DD)")
    return parsed if len(problems) == start else None


# --- Applying --------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def _apply_product(actor: Any, row: dict, report: ImportReport, categories: dict[str, Category]) -> None:
    category = categories.get(row["category"].lower())
    if category is None:
        category = Category.objects.filter(name__iexact=row["category"]).first() or services.category_create(
            actor=actor, name=row["category"]
        )
        categories[row["category"].lower()] = category
    data = {
        "name": row["name"],
        "kind": row["kind"],
        "category": category,
        "summary": row["summary"],
        "description": row["description"],
        "lead_time_days": row["lead_time_days"],
    }
    product = Product.objects.filter(sku=row["sku"]).first()
    if product is None:
        product = services.product_create(
            actor=actor,
            data={"sku": row["sku"], **data, "lifecycle": row["lifecycle"] or Lifecycle.PLANNED},
        )
        report.products_created += 1
    else:
        services.product_update(actor=actor, product=product, data=data)
        if row["lifecycle"] and row["lifecycle"] != product.lifecycle:
            product = services.product_set_lifecycle(
                actor=actor, product=product, lifecycle=row["lifecycle"], note="catalog import"
            )
        report.products_updated += 1
    for spec in row["specs"]:
        services.spec_set(actor=actor, product=product, data=spec)


def _apply_successor(actor: Any, row: dict) -> None:
    product = Product.objects.get(sku=row["sku"])
    if not row["successor"]:
        if product.successor_id is not None and row.get("successor_given"):
            services.product_update(actor=actor, product=product, data={"successor_id": None})
        return
    successor = Product.objects.filter(sku__iexact=row["successor"]).first()
    if successor is None:
        raise ApplicationError("successor", f"no product has SKU {row['successor']}")
    if product.successor_id != successor.pk:
        services.product_update(actor=actor, product=product, data={"successor_id": successor.pk})


def _apply_price(actor: Any, row: dict, report: ImportReport, with_cost: bool) -> None:
    product = Product.objects.filter(sku=row["sku"]).first()
    if product is None:
        raise ApplicationError("sku", f"no product has SKU {row['sku']}")
    data = {k: row[k] for k in ("list_price", "currency", "unit", "valid_from", "valid_to")}
    if with_cost and row.get("cost_price") is not None:
        data["cost_price"] = row["cost_price"]
    existing = PriceListEntry.objects.filter(
        product=product, currency=row["currency"], unit=row["unit"], valid_from=row["valid_from"]
    ).first()
    if existing is None:
        services.price_create(actor=actor, product=product, data=data)
        report.prices_created += 1
    else:
        services.price_update(actor=actor, price=existing, data=data)
        report.prices_updated += 1


def catalog_import(*, actor: Any, data: bytes, filename: str) -> ImportReport:
    """Import products (with specs) and prices from a CSV or XLSX file: all rows or none.

    Returns a report; when it lists problems nothing was written. A file that cannot be
    read at all raises ApplicationError("file", …).
    """
    require(actor, "catalog.edit")
    tables = read_tables(data, filename)
    report = ImportReport()
    products, prices = [], []
    if "products" in tables:
        header, body = tables["products"]
        report.problems += _missing_columns("Products", header, REQUIRED_PRODUCT_COLUMNS)
        if not report.problems:
            seen: dict[str, int] = {}
            for number, row in body:
                parsed = _check_product_row(number, row, report.problems)
                if parsed is None:
                    continue
                if parsed["sku"] in seen:
                    report.problems.append(
                        ImportProblem("Products", number, "sku", f"repeats row {seen[parsed['sku']]}")
                    )
                    continue
                seen[parsed["sku"]] = number
                products.append(parsed)
    if "prices" in tables:
        header, body = tables["prices"]
        missing = _missing_columns("Prices", header, REQUIRED_PRICE_COLUMNS)
        report.problems += missing
        if not missing:
            for number, row in body:
                parsed = _check_price_row(number, row, report.problems)
                if parsed is not None:
                    prices.append(parsed)
    if report.problems:
        return report
    # Every row has the right shape; now the rules (unique names, overlapping prices …)
    # are the services'. Apply all, collect every refusal, and undo everything if any.
    with_cost = sees_cost(actor)
    try:
        with transaction.atomic():
            categories: dict[str, Category] = {}
            for row in products:
                try:
                    with transaction.atomic():
                        _apply_product(actor, row, report, categories)
                except ApplicationError as exc:
                    for error in exc.errors or []:
                        column = _column_for(error.field, PRODUCT_COLUMNS, "specs")
                        report.problems.append(ImportProblem("Products", row["row"], column, error.message))
            # Successors second: a row may name a product that a later row creates.
            for row in products:
                if not (row["successor"] or row["successor_given"]):
                    continue
                try:
                    with transaction.atomic():
                        _apply_successor(actor, row)
                except ApplicationError as exc:
                    for error in exc.errors or []:
                        column = _column_for(error.field, PRODUCT_COLUMNS, "successor")
                        report.problems.append(ImportProblem("Products", row["row"], column, error.message))
            for row in prices:
                try:
                    with transaction.atomic():
                        _apply_price(actor, row, report, with_cost)
                except ApplicationError as exc:
                    for error in exc.errors or []:
                        column = _column_for(error.field, PRICE_COLUMNS, "valid_from")
                        report.problems.append(ImportProblem("Prices", row["row"], column, error.message))
            if report.problems:
                raise _Rollback
    except _Rollback:
        report.products_created = report.products_updated = 0
        report.prices_created = report.prices_updated = 0
    return report


def _column_for(field_name: str, columns: tuple[str, ...], fallback: str) -> str:
    name = field_name.removesuffix("_id")
    if name in columns:
        return name
    if name in ("value_number", "value_text", "unit") and "specs" in columns:
        return "specs"
    return fallback


# --- Exporting -------------------------------------------------------------------------------


def export_rows(*, actor: Any, products: Any) -> tuple[list[list[Any]], list[list[Any]]]:
    """(product rows, price rows) for ``products``; cost prices only for staff."""
    require(actor, "catalog.export")
    with_cost = sees_cost(actor)
    product_rows, price_rows = [], []
    for product in products.select_related("successor").prefetch_related("specs", "prices"):
        product_rows.append(
            [
                product.sku,
                product.name,
                product.kind,
                product.category.name,
                product.lifecycle,
                product.summary,
                product.description,
                "" if product.lead_time_days is None else product.lead_time_days,
                format_specs(list(product.specs.all())),
                product.successor.sku if product.successor_id else "",
            ]
        )
        for price in product.prices.all():
            price_rows.append(
                [
                    product.sku,
                    price.currency,
                    price.unit,
                    price.list_price,
                    price.cost_price if with_cost and price.cost_price is not None else "",
                    price.valid_from,
                    price.valid_to or "",
                ]
            )
    return product_rows, price_rows


def catalog_export_xlsx(*, actor: Any, products: Any) -> bytes:
    """An XLSX workbook with a Products and a Prices sheet, re-importable as it is."""
    import openpyxl

    product_rows, price_rows = export_rows(actor=actor, products=products)
    workbook = openpyxl.Workbook(write_only=True)
    for title, columns, rows in (
        ("Products", PRODUCT_COLUMNS, product_rows),
        ("Prices", PRICE_COLUMNS, price_rows),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(list(columns))
        for row in rows:
            # Text, not numbers, for prices: a spreadsheet would round them through floats.
            sheet.append([str(v) if isinstance(v, Decimal) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def catalog_export_csv(*, actor: Any, products: Any, table: str = "products") -> bytes:
    """One table ("products" or "prices") as UTF-8 CSV, re-importable as it is."""
    product_rows, price_rows = export_rows(actor=actor, products=products)
    columns, rows = (PRODUCT_COLUMNS, product_rows) if table == "products" else (PRICE_COLUMNS, price_rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in row])
    return buffer.getvalue().encode()
