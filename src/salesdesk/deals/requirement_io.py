"""Import requirements from a customer's spreadsheet (CSV, XLSX) or Word document (DOCX).

A table with the columns ``id, statement, type, priority, acceptance, source, targets``
(``statement`` is required; ``conclusion`` is accepted too). In a DOCX the first table
whose header has ``statement`` is read; a document without one is read as a numbered
list of statements (``1. The system must …`` or Word's numbered-list style).

Every row is checked before anything is written; the report names the row and column
(or the paragraph). An ``id`` must look like ``REQ-012`` and be new: used twice in the
file or already in the set, it is refused. A file with problems imports nothing unless
``skip_bad_rows`` is set; what is imported is written in one transaction.

Hostile or huge files are refused before parsing, each refusal naming the file and the
part or row at fault (``ApplicationError("file", ...)``):

- every format: at most ``MAX_FILE_BYTES`` (10 MB) and ``MAX_ROWS`` (2,000) rows;
- CSV: UTF-8 only (the byte that is not is named), a readable CSV (the line is named);
- XLSX, through ``core.spreadsheets``: a zip with ``xl/workbook.xml``, at most 500 parts,
  ``MAX_XLSX_UNCOMPRESSED`` (50 MB) unpacked, no part above 1 MB compressed more than 100×
  (zip bombs), no DTD or entity declaration and no non-UTF-8 XML part; openpyxl then
  streams it read-only, values only, through defusedxml;
- DOCX, checked here: a zip with ``word/document.xml``, at most ``MAX_DOCX_MEMBERS``
  parts, ``MAX_DOCX_UNCOMPRESSED`` (50 MB) unpacked, the body at most ``MAX_DOCX_BODY``
  (20 MB: python-docx holds it as a tree), the same ratio, DTD and UTF-8 rules; python-docx
  (lxml without entity resolution) opens it only then.

A zip's directory can lie about sizes; ``zipfile`` never inflates a part beyond the size
it declares (and fails its CRC check), so the limits hold for the bytes actually read.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesdesk.core import spreadsheets
from salesdesk.core.errors import ApplicationError
from salesdesk.core.permissions import require

from . import requirement_services as services
from .choices import RequirementPriority, RequirementSource, RequirementType
from .models import Opportunity, RequirementSet
from .requirement_models import reference_format
from .targets import TargetError, parse_targets

COLUMNS = ("id", "statement", "type", "priority", "acceptance", "source", "targets", "conclusion")
FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".docx": "docx"}
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 2_000
MAX_DOCX_MEMBERS = 300
MAX_DOCX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_DOCX_RATIO = 100
# The body python-docx parses into a tree (~10x its size in memory); 2,000 table rows take ~5 MB.
MAX_DOCX_BODY = 20 * 1024 * 1024
# Spreadsheet parts are streamed, not held as a tree: the shared default is looser, this is enough.
MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024
_RATIO_CHECKED_ABOVE = 1_000_000

_TYPE_WORDS = {
    **{t.value: t.value for t in RequirementType},
    **{t.label.lower(): t.value for t in RequirementType},
    "non-functional": "",  # needs its kind: "non-functional: performance"
    "nfr": "",
    "fr": RequirementType.FUNCTIONAL,
    "f": RequirementType.FUNCTIONAL,
}
_PRIORITY_WORDS = {
    "must": "must", "m": "must", "must have": "must",
    "should": "should", "s": "should", "should have": "should",
    "could": "could", "c": "could", "could have": "could",
    "won't": "wont", "wont": "wont", "w": "wont", "won't have": "wont", "will not": "wont",
}  # fmt: skip
_SOURCE_WORDS = {
    "workshop": "workshop", "rfp": "rfp", "tender": "rfp", "e-mail": "email", "email": "email",
    "mail": "email", "call": "call", "phone": "call", "phone call": "call",
}  # fmt: skip
Progress = Callable[[float, str], None]
_NUMBERED = re.compile(r"^\s*(?:\(?\d{1,4}[.)]|[a-z][.)])\s+(?P<text>\S.*)$", re.IGNORECASE)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def _refuse(message: str) -> ApplicationError:
    return ApplicationError("file", message)


@dataclass(frozen=True)
class RowProblem:
    where: str  # "row 4" or "paragraph 7"
    column: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}, {self.column}: {self.problem}"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    imported: bool = False
    references: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "skipped": self.skipped,
            "imported": self.imported,
            "references": self.references,
            "problems": [{"where": p.where, "column": p.column, "problem": p.problem} for p in self.problems],
        }


def detect_format(name: str | Path) -> str:
    suffix = Path(str(name)).suffix.lower()
    if suffix not in FORMATS:
        raise _refuse(f"cannot tell the format of {Path(str(name)).name!r}; use a .csv, .xlsx or .docx file")
    return FORMATS[suffix]


# --- Reading ------------------------------------------------------------------------------------


def check_docx_archive(data: bytes) -> None:
    """Refuse anything but a modest DOCX zip before python-docx parses a byte of it."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _refuse("is not a DOCX document (it is not a zip file)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_DOCX_MEMBERS:
                raise _refuse(f"holds {len(members)} parts; a document has far fewer, refused as hostile")
            if "word/document.xml" not in {m.filename for m in members}:
                raise _refuse("is a zip file but not a DOCX document (no word/document.xml)")
            total = sum(m.file_size for m in members)
            if total > MAX_DOCX_UNCOMPRESSED:
                raise _refuse(
                    f"unpacks to {_mb(total)} (the limit is {_mb(MAX_DOCX_UNCOMPRESSED)}); "
                    "refused as a possible zip bomb"
                )
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > _RATIO_CHECKED_ABOVE and ratio > MAX_DOCX_RATIO:
                    raise _refuse(
                        f"part {member.filename} is compressed {ratio:.0f}×; refused as a possible zip bomb"
                    )
            body = next(m for m in members if m.filename == "word/document.xml")
            if body.file_size > MAX_DOCX_BODY:
                raise _refuse(
                    f"part word/document.xml unpacks to {_mb(body.file_size)} (the limit is "
                    f"{_mb(MAX_DOCX_BODY)}); split the document"
                )
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels")):
                    content = archive.read(member).upper()  # bounded: sizes checked above
                    if b"\x00" in content:
                        # UTF-16 or UTF-32 XML could hide a declaration from the scan below.
                        raise _refuse(f"part {member.filename} is not UTF-8 XML; refused as hostile")
                    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
                        raise _refuse(
                            f"part {member.filename} declares a DTD or XML entities; refused as hostile"
                        )
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise _refuse("is a damaged or unsupported zip file") from exc


def _header_key(text: str) -> str:
    key = text.strip().lower().replace("requirement ", "").replace("acceptance criterion", "acceptance")
    return {"ref": "id", "reference": "id", "req id": "id", "acceptance criteria": "acceptance"}.get(key, key)


def _docx_records(data: bytes) -> list[tuple[str, dict[str, str]]]:
    check_docx_archive(data)
    import docx  # python-docx; imported here, only imports need it

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx and lxml raise many kinds; all mean "unreadable"
        raise _refuse(f"could not be read as a DOCX document ({type(exc).__name__})") from exc
    for table in document.tables:
        rows = table.rows
        if not rows:
            continue
        header = [_header_key(c.text) for c in rows[0].cells]
        if "statement" not in header:
            continue
        if len(rows) > MAX_ROWS + 1:
            raise _refuse(f"has a table of more than {MAX_ROWS:,} rows; split it")
        records = []
        for number, row in enumerate(rows[1:], start=2):
            cells = [c.text.strip() for c in row.cells]
            if not any(cells):
                continue
            records.append(
                (
                    f"table row {number}",
                    {h: cells[i] if i < len(cells) else "" for i, h in enumerate(header) if h},
                )
            )
        return records
    records = []
    for number, paragraph in enumerate(document.paragraphs, start=1):
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        match = _NUMBERED.match(text)
        if match:
            records.append((f"paragraph {number}", {"statement": match["text"].strip()}))
        elif "list number" in style.lower():
            records.append((f"paragraph {number}", {"statement": text}))
        if len(records) > MAX_ROWS:
            raise _refuse(f"has more than {MAX_ROWS:,} numbered statements; split it")
    if not records:
        raise _refuse("has neither a table with a 'statement' column nor a numbered list of statements")
    return records


def read_records(content: bytes, fmt: str) -> list[tuple[str, dict[str, str]]]:
    """(where, raw record) pairs from a file's bytes; hostile or unreadable files refused."""
    spreadsheets.check_size(len(content), max_bytes=MAX_FILE_BYTES)
    if fmt == "docx":
        return _docx_records(content)
    if fmt == "csv":
        header, rows = spreadsheets.read_csv(content, max_rows=MAX_ROWS)
    elif fmt == "xlsx":
        tables = spreadsheets.read_xlsx(
            content, max_rows=MAX_ROWS, max_uncompressed_bytes=MAX_XLSX_UNCOMPRESSED
        )
        header, rows = next(iter(tables.values()))
    else:
        raise _refuse(f"unknown format {fmt!r}; use csv, xlsx or docx")
    header = [_header_key(h) for h in header]
    if not header:
        raise _refuse("is empty")
    if "statement" not in header:
        raise _refuse(f"has no column 'statement'; the columns are: {', '.join(COLUMNS)}")
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise _refuse(f"has an unknown column {unknown[0]!r}; the columns are: {', '.join(COLUMNS)}")
    return [(f"row {number}", {_header_key(k): v for k, v in row.items()}) for number, row in rows]


# --- Validating and importing -------------------------------------------------------------------


def _type(text: str) -> str | None:
    key = text.strip().lower()
    if not key:
        return RequirementType.FUNCTIONAL
    if _TYPE_WORDS.get(key):
        return _TYPE_WORDS[key]
    # "non-functional: performance", "NFR - security", "non-functional (capacity)"
    match = re.match(r"^(?:non[- ]?functional|nfr)\s*[:\-(/]\s*([a-z ]+?)\)?$", key)
    if match and match.group(1).strip() in RequirementType.values:
        return match.group(1).strip()
    return None


def validate_records(
    records: list[tuple[str, dict[str, str]]], *, requirement_set: RequirementSet | None
) -> tuple[list[tuple[str, dict[str, Any]]], list[RowProblem]]:
    """Check every record; the good ones ready for the service, and every problem found."""
    existing = (
        {r.upper() for r in requirement_set.requirements.values_list("reference", flat=True)}
        if requirement_set is not None
        else set()
    )
    seen: dict[str, str] = {}
    good: list[tuple[str, dict[str, Any]]] = []
    problems: list[RowProblem] = []
    for where, raw in records:
        row: list[RowProblem] = []

        def bad(column: str, problem: str, where: str = where, row: list[RowProblem] = row) -> None:
            row.append(RowProblem(where, column, problem))

        data: dict[str, Any] = {}
        reference = (raw.get("id") or "").strip().upper()
        if reference:
            if not reference_format.regex.match(reference):
                bad("id", f"{reference!r} is not a requirement id such as REQ-012")
            elif reference in seen:
                bad("id", f"{reference} is already used on {seen[reference]}")
            elif reference in existing:
                bad("id", f"{reference} already exists in this requirement set")
            seen.setdefault(reference, where)
            data["reference"] = reference
        statement = (raw.get("statement") or "").strip()
        if not statement:
            bad("statement", "is required")
        elif len(statement) > services.MAX_STATEMENT:
            bad("statement", f"is longer than {services.MAX_STATEMENT} characters")
        data["statement"] = statement
        kind = _type(raw.get("type") or "")
        if kind is None:
            bad("type", f"{raw.get('type')!r} is not a type; use one of {', '.join(RequirementType.values)}")
        data["type"] = kind
        priority = (raw.get("priority") or "").strip().lower().replace("’", "'")
        if priority and priority not in _PRIORITY_WORDS:
            bad("priority", f"{raw.get('priority')!r} is not a MoSCoW priority (must, should, could, won't)")
        data["priority"] = _PRIORITY_WORDS.get(priority, RequirementPriority.MUST)
        source = (raw.get("source") or "").strip().lower()
        if source and source not in _SOURCE_WORDS:
            bad("source", f"{raw.get('source')!r} is not a source; use workshop, RFP, e-mail or call")
        data["source"] = _SOURCE_WORDS.get(source, RequirementSource.WORKSHOP)
        data["acceptance"] = (raw.get("acceptance") or "").strip()
        data["conclusion"] = (raw.get("conclusion") or "").strip()
        try:
            data["targets"] = [t.as_dict() for t in parse_targets(raw.get("targets") or "")]
        except TargetError as exc:
            bad("targets", exc.message)
        if row:
            problems.extend(row)
        else:
            good.append((where, data))
    return good, problems


def import_records(
    records: list[tuple[str, dict[str, str]]],
    *,
    actor: Any,
    opportunity: Opportunity,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate, then add every good row in one transaction (nothing when any row is bad).

    ``progress(percent, message)``, when given, hears about validation (up to 20 %) and the
    rows written (20–100 %).
    """
    require(actor, "requirement.manage")
    requirement_set = RequirementSet.objects.filter(opportunity=opportunity).first()
    good, problems = validate_records(records, requirement_set=requirement_set)
    report = ImportReport(rows=len(records), problems=problems)
    if not records:
        report.problems.append(RowProblem("file", "-", "holds no requirements"))
        return report
    if problems and not skip_bad_rows:
        return report
    report.skipped = len({p.where for p in problems})
    if progress is not None:
        progress(20, f"{len(good):,} rows checked; writing them")

    def written(count: int) -> None:
        if progress is not None:
            progress(20 + 80 * count / max(len(good), 1), f"{count:,} of {len(good):,} requirements written")

    try:
        created = services.requirements_import(
            actor=actor, opportunity=opportunity, rows=good, progress=written
        )
    except ApplicationError as exc:
        error = exc.errors[0] if exc.errors else None
        message = error.message if error else exc.detail
        where, _sep, problem = message.partition(": ")
        report.problems.append(RowProblem(where, error.field if error else "-", problem or message))
        return report
    report.created = len(created)
    report.references = [r.reference for r in created]
    report.imported = True
    return report


def import_bytes(
    content: bytes,
    *,
    name: str,
    actor: Any,
    opportunity: Opportunity,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import an uploaded file (format from its name)."""
    require(actor, "requirement.manage")
    return import_records(
        read_records(content, detect_format(name)),
        actor=actor,
        opportunity=opportunity,
        skip_bad_rows=skip_bad_rows,
        progress=progress,
    )


def import_file(
    path: str | Path,
    *,
    actor: Any,
    opportunity: Opportunity,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a file from disk (the CLI)."""
    path = Path(path)
    detect_format(path)  # an unknown extension is refused before the file is read
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _refuse(f"cannot be read: {exc.strerror}") from exc
    spreadsheets.check_size(size, max_bytes=MAX_FILE_BYTES)
    return import_bytes(
        path.read_bytes(),
        name=path.name,
        actor=actor,
        opportunity=opportunity,
        skip_bad_rows=skip_bad_rows,
        progress=progress,
    )
