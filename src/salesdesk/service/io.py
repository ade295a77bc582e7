"""Import cases from CSV: every row or none, each problem named by row and column.

Columns (header row, any order): ``account`` (name or id), ``subject`` (required),
``description``, ``case_type``, ``priority``, ``channel``, ``tier``, ``contact_email``,
``product_sku``. Each row is opened through ``services.case_open`` as the importing user,
so the rules, the visibility checks, the SLA and the audit trail are the same as on a page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from salesdesk.catalog.selectors import visible_products
from salesdesk.core.errors import ApplicationError
from salesdesk.parties.selectors import visible_contacts, visible_customers

from . import services

COLUMNS = (
    "account",
    "subject",
    "description",
    "case_type",
    "priority",
    "channel",
    "tier",
    "contact_email",
    "product_sku",
)
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)  # references of the cases opened
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _row_data(actor: Any, row: dict[str, str]) -> dict[str, Any]:
    account_ref = (row.get("account") or "").strip()
    accounts = visible_customers(actor)
    account = (
        accounts.filter(pk=int(account_ref)).first()
        if account_ref.isdigit()
        else accounts.filter(name__iexact=account_ref).first()
    )
    if account is None:
        raise ApplicationError("account", f"no customer account '{account_ref}'")
    data: dict[str, Any] = {"account_id": account.pk, "subject": (row.get("subject") or "").strip()}
    for name in ("description", "case_type", "priority", "channel"):
        if (row.get(name) or "").strip():
            data[name] = row[name].strip()
    if (row.get("tier") or "").strip():
        if not row["tier"].strip().isdigit():
            raise ApplicationError("tier", "must be a whole number from 1 to 4")
        data["tier"] = int(row["tier"])
    if (row.get("contact_email") or "").strip():
        contact = visible_contacts(actor).filter(
            organisation=account, email__iexact=row["contact_email"].strip()
        )
        if not contact.exists():
            raise ApplicationError("contact_email", f"no contact with this e-mail at {account}")
        data["contact_id"] = contact.first().pk  # type: ignore[union-attr]
    if (row.get("product_sku") or "").strip():
        product = visible_products(actor).filter(sku__iexact=row["product_sku"].strip()).first()
        if product is None:
            raise ApplicationError("product_sku", f"no product with SKU '{row['product_sku'].strip()}'")
        data["product_id"] = product.pk
    return data


def cases_import(*, actor: Any, data: bytes) -> ImportReport:
    """Open one case per CSV row; when any row is bad, nothing is imported and every problem is listed."""
    report = ImportReport()
    if len(data) > MAX_FILE_BYTES:
        report.problems.append(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        return report
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.problems.append("the file is not UTF-8 text")
        return report
    reader = csv.DictReader(io.StringIO(text))
    missing = {"account", "subject"} - set(reader.fieldnames or ())
    if missing:
        report.problems.append(f"missing column(s): {', '.join(sorted(missing))}")
        return report
    unknown = sorted(set(reader.fieldnames or ()) - set(COLUMNS))
    if unknown:
        report.problems.append(f"unknown column(s): {', '.join(unknown)}")
        return report
    with transaction.atomic():
        for number, row in enumerate(reader, start=2):
            try:
                with transaction.atomic():
                    case = services.case_open(actor=actor, data=_row_data(actor, row))
            except ApplicationError as exc:
                report.problems.extend(f"row {number}: {e.field}: {e.message}" for e in exc.errors)
            else:
                report.created.append(case.reference)
        if report.problems:
            transaction.set_rollback(True)
            report.created = []
    return report
