"""Import and export of the answer library and articles: CSV, XLSX and JSON Lines.

One row (or JSON object) per item, with exactly these columns/keys::

    kind, external_id, title, body, alternatives, tags, products, audience, status, owner, review_by

``kind`` is ``answer`` or ``article`` (an article's own kind may follow a colon:
``article:troubleshooting``; plain ``article`` is a how-to). ``title`` is an answer's
question. In CSV and XLSX, ``alternatives`` holds one phrasing per line, ``tags`` and
``products`` (SKUs) are comma-separated; in JSON Lines they may be arrays. ``owner`` is a
username, ``review_by`` an ISO date (YYYY-MM-DD).

Every row is validated before anything is written; the report names row, column and
problem. A file with errors imports nothing unless ``skip_bad_rows`` is set. Re-importing
an ``external_id`` updates that item instead of adding another.

Files are read by ``salesdesk.core.spreadsheets``, which refuses hostile ones before
parsing: oversized files, XLSX whose members would inflate past a limit (zip bombs) and
XML with a DTD or entity declarations (openpyxl parses through defusedxml as well, a
second wall). The limits below are this app's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import transaction

from salesdesk.core import spreadsheets
from salesdesk.core.errors import ApplicationError
from salesdesk.core.permissions import holds, require

from . import services
from .choices import ArticleKind, Audience, KnowledgeStatus
from .models import Answer, Article, KnowledgeItem
from .selectors import visible_answers, visible_articles

COLUMNS = (
    "kind",
    "external_id",
    "title",
    "body",
    "alternatives",
    "tags",
    "products",
    "audience",
    "status",
    "owner",
    "review_by",
)
REQUIRED_COLUMNS = ("kind", "title", "body")
FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_XLSX_RATIO = 100  # a sheet of text compresses ~5–20×; bombs compress 1000× and more
MAX_XLSX_MEMBERS = 500


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.problem}"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    imported: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "imported": self.imported,
            "problems": [{"row": p.row, "column": p.column, "problem": p.problem} for p in self.problems],
        }


@dataclass
class _Row:
    number: int
    model: type[KnowledgeItem]
    data: dict[str, Any]
    status: str


def _refuse(message: str) -> ApplicationError:
    return ApplicationError("file", message)


def detect_format(name: str | Path, fmt: str | None = None) -> str:
    if fmt:
        fmt = fmt.lower().lstrip(".")
        if fmt in ("csv", "xlsx", "jsonl"):
            return fmt
        raise _refuse(f"unknown format {fmt!r}; use csv, xlsx or jsonl")
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        raise _refuse(f"cannot tell the format of {Path(name).name!r}; name it .csv, .xlsx or .jsonl")
    return FORMATS[suffix]


# --- Reading ------------------------------------------------------------------------------------


def _check_header(header: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise _refuse(f"has no column {missing[0]!r}; the columns are: {', '.join(COLUMNS)}")
    unknown = [c for c in header if c and c not in COLUMNS]
    if unknown:
        raise _refuse(f"has an unknown column {unknown[0]!r}; the columns are: {', '.join(COLUMNS)}")


def read_records(content: bytes, fmt: str) -> list[tuple[int, dict[str, Any]]]:
    """(row number, raw record) pairs from a file's bytes; hostile or unreadable files refused.

    A JSON Lines line that is not an object comes back as ``{"__error__": problem}``, so
    validation reports it by line like any other row problem.
    """
    spreadsheets.check_size(len(content), max_bytes=MAX_FILE_BYTES)
    if fmt == "jsonl":
        return [
            (line.number, {"__error__": line.problem} if line.problem else line.record)
            for line in spreadsheets.read_jsonl(content, max_rows=MAX_ROWS)
        ]
    if fmt == "csv":
        header, rows = spreadsheets.read_csv(content, max_rows=MAX_ROWS)
    else:
        tables = spreadsheets.read_xlsx(
            content,
            max_rows=MAX_ROWS,
            max_members=MAX_XLSX_MEMBERS,
            max_uncompressed_bytes=MAX_XLSX_UNCOMPRESSED,
            max_compression_ratio=MAX_XLSX_RATIO,
        )
        header, rows = next(iter(tables.values()))
    if not header:
        raise _refuse("is empty")
    _check_header(header)
    return rows


# --- Validating ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


def _list(value: Any, *, lines: bool) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [_text(v) for v in value if _text(v)]
    text = _text(value)
    parts = text.splitlines() if lines else text.replace(";", ",").split(",")
    return [p.strip() for p in parts if p.strip()]


def validate_records(
    records: list[tuple[int, dict[str, Any]]], *, actor: Any
) -> tuple[list[_Row], list[RowProblem]]:
    """Check every record; the good rows ready for the service, and every problem found."""
    from django.contrib.auth import get_user_model

    product_model = apps.get_model("catalog", "Product")
    skus = {sku.lower(): pk for pk, sku in product_model.objects.values_list("pk", "sku")}
    owners = {u.username.lower(): u.pk for u in services.owner_candidates().only("pk", "username")}
    may_publish = actor is None or holds(actor, "knowledge.publish")
    default_owner = (
        actor.pk if actor is not None and services.owner_candidates().filter(pk=actor.pk).exists() else None
    )
    seen: dict[str, int] = {}
    good: list[_Row] = []
    problems: list[RowProblem] = []
    for number, raw in records:
        row_problems: list[RowProblem] = []

        def bad(column: str, problem: str, number: int = number, row_problems: list = row_problems) -> None:
            row_problems.append(RowProblem(number, column, problem))

        if "__error__" in raw:
            problems.append(RowProblem(number, "-", raw["__error__"]))
            continue
        unknown = sorted(set(raw) - set(COLUMNS))
        if unknown:
            bad(unknown[0], "is not a column; the columns are: " + ", ".join(COLUMNS))
        kind_text = _text(raw.get("kind")).lower()
        kind, _, article_kind = kind_text.partition(":")
        model: type[KnowledgeItem] = Answer
        data: dict[str, Any] = {}
        if kind == "answer" and not article_kind:
            model = Answer
            data["alternatives"] = _list(raw.get("alternatives"), lines=True)
        elif kind == "article":
            model = Article
            article_kind = article_kind or ArticleKind.HOW_TO
            if article_kind not in ArticleKind.values:
                bad(
                    "kind",
                    f"unknown article kind {article_kind!r}; use one of {', '.join(ArticleKind.values)}",
                )
            data["kind"] = article_kind
            if _list(raw.get("alternatives"), lines=True):
                bad("alternatives", "only answers have alternative phrasings")
        else:
            bad("kind", "must be 'answer' or 'article'" if kind_text else "is required")
        title = _text(raw.get("title"))
        if not title:
            bad("title", "is required")
        elif len(title) > 300:
            bad("title", f"is {len(title)} characters long; at most 300")
        data["title"] = title
        body = _text(raw.get("body"))
        if not body:
            bad("body", "is required")
        data["body"] = body
        external_id = _text(raw.get("external_id"))
        if len(external_id) > 100:
            bad("external_id", "is longer than 100 characters")
        elif external_id:
            key = external_id.lower()
            if key in seen:
                bad("external_id", f"{external_id!r} is already used on row {seen[key]}")
            seen[key] = number
            data["external_id"] = external_id
        try:
            data["tags"] = services.clean_tags(_list(raw.get("tags"), lines=False))
        except ApplicationError as exc:
            bad("tags", exc.errors[0].message)
        if "alternatives" in data:
            try:
                data["alternatives"] = services.clean_alternatives(data["alternatives"])
            except ApplicationError as exc:
                bad("alternatives", exc.errors[0].message)
        product_ids = []
        for sku in _list(raw.get("products"), lines=False):
            if sku.lower() in skus:
                product_ids.append(skus[sku.lower()])
            else:
                bad("products", f"no product with SKU {sku!r}")
        data["product_ids"] = product_ids
        audience = _text(raw.get("audience")).lower() or Audience.INTERNAL
        if audience not in Audience.values:
            bad("audience", f"must be one of {', '.join(Audience.values)}")
        data["audience"] = audience
        status = _text(raw.get("status")).lower().replace(" ", "_") or KnowledgeStatus.DRAFT
        if status not in KnowledgeStatus.values:
            bad("status", f"must be one of {', '.join(KnowledgeStatus.values)}")
        elif status in (KnowledgeStatus.PUBLISHED, KnowledgeStatus.ARCHIVED) and not may_publish:
            bad("status", f"importing as {status} needs level 5 (knowledge.publish)")
        owner = _text(raw.get("owner")).lower()
        if owner:
            if owner in owners:
                data["owner_id"] = owners[owner]
            else:
                exists = get_user_model().objects.filter(username__iexact=owner).exists()
                bad("owner", f"{owner!r} is not " + ("active support staff" if exists else "a user"))
        elif default_owner:
            data["owner_id"] = default_owner
        else:
            bad("owner", "is required")
        review_by = _text(raw.get("review_by"))
        if review_by:
            try:
                data["review_by"] = dt.date.fromisoformat(review_by[:10])
            except ValueError:
                bad("review_by", f"{review_by!r} is not a date (YYYY-MM-DD)")
        if row_problems:
            problems.extend(row_problems)
        else:
            good.append(_Row(number, model, data, status))
    return good, problems


def import_records(
    records: list[tuple[int, dict[str, Any]]],
    *,
    actor: Any,
    skip_bad_rows: bool = False,
    progress: Any = None,
) -> ImportReport:
    """Validate, then write every good row in one transaction (or nothing, see module doc)."""
    if actor is not None:
        require(actor, "knowledge.draft")
    good, problems = validate_records(records, actor=actor)
    report = ImportReport(rows=len(records), problems=problems)
    if problems and not skip_bad_rows:
        return report
    report.skipped = len({p.row for p in problems})
    with transaction.atomic():
        for n, row in enumerate(good, start=1):
            try:
                _item, created = services.item_import(
                    actor=actor, model=row.model, data=row.data, status=row.status
                )
            except ApplicationError as exc:
                # A rule only the service knows (e.g. a model constraint): name the row.
                transaction.set_rollback(True)
                error = exc.errors[0] if exc.errors else None
                report.problems.append(
                    RowProblem(
                        row.number, error.field if error else "-", error.message if error else exc.detail
                    )
                )
                report.created = report.updated = 0
                return report
            if created:
                report.created += 1
            else:
                report.updated += 1
            if progress and (n % 50 == 0 or n == len(good)):
                progress(100 * n / len(good), f"{n} of {len(good)} rows")
    report.imported = True
    return report


def import_file(
    path: str | Path, *, actor: Any, skip_bad_rows: bool = False, fmt: str | None = None, progress: Any = None
) -> ImportReport:
    """Import a CSV, XLSX or JSON Lines file (format from ``fmt`` or the file's extension)."""
    path = Path(path)
    kind = detect_format(path, fmt)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _refuse(f"cannot be read: {exc.strerror}") from exc
    spreadsheets.check_size(size, max_bytes=MAX_FILE_BYTES)
    return import_records(
        read_records(path.read_bytes(), kind), actor=actor, skip_bad_rows=skip_bad_rows, progress=progress
    )


# --- Writing ------------------------------------------------------------------------------------


def export_records(*, actor: Any) -> list[dict[str, Any]]:
    """Every answer and article ``actor`` may read, as records with the import's keys (lists as lists)."""
    require(actor, "knowledge.view")
    records = []
    for qs, kind in ((visible_answers(actor), "answer"), (visible_articles(actor), "article")):
        for item in qs.order_by("id"):
            records.append(
                {
                    "kind": kind if kind == "answer" else f"article:{item.kind}",
                    "external_id": item.external_id or "",
                    "title": item.title,
                    "body": item.body,
                    "alternatives": list(getattr(item, "alternatives", []) or []),
                    "tags": list(item.tags),
                    "products": sorted(p.sku for p in item.products.all()),
                    "audience": item.audience,
                    "status": item.status,
                    "owner": item.owner.username,
                    "review_by": item.review_by.isoformat() if item.review_by else "",
                }
            )
    return records


def _flat(record: dict[str, Any]) -> list[str]:
    flat = dict(record)
    flat["alternatives"] = "\n".join(record["alternatives"])
    flat["tags"] = ", ".join(record["tags"])
    flat["products"] = ", ".join(record["products"])
    return [_safe_cell(str(flat[c])) for c in COLUMNS]


def _safe_cell(value: str) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheet programs (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_bytes(*, actor: Any, fmt: str) -> tuple[bytes, int]:
    """The file's bytes in ``fmt`` (csv, xlsx, jsonl) and the number of items."""
    records = export_records(actor=actor)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        writer.writerows(_flat(r) for r in records)
        return buffer.getvalue().encode("utf-8"), len(records)
    if fmt == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("knowledge")
        sheet.append(list(COLUMNS))
        for record in records:
            sheet.append(_flat(record))
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue(), len(records)
    if fmt == "jsonl":
        lines = [json.dumps(r, ensure_ascii=False) for r in records]
        return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"), len(records)
    raise _refuse(f"unknown format {fmt!r}; use csv, xlsx or jsonl")


def export_file(path: str | Path, *, actor: Any, fmt: str | None = None) -> int:
    """Write what ``actor`` may read to ``path``; returns the number of items written."""
    path = Path(path)
    content, count = export_bytes(actor=actor, fmt=detect_format(path, fmt))
    path.write_bytes(content)
    return count
