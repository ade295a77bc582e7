"""Reading uploaded tables (CSV, XLSX, JSON Lines) safely: one place for hostile-file checks.

Every app that imports spreadsheets reads them through this module, so the defences live
once: a size limit, an XLSX archive inspection *before* any XML is parsed, a row cap, and
cell values turned into plain text. It knows nothing of any app's columns or rules; each
app passes its own limits and checks the header and rows itself.

Defences, in the order they run:

1. ``check_size``: the file's bytes against a limit (callers check before reading too).
2. ``check_xlsx_archive`` (run by ``read_xlsx`` first): the bytes must be a zip holding
   ``xl/workbook.xml``, with few members, a bounded total uncompressed size and no member
   compressed suspiciously well (zip bombs: a few KB that inflate to GBs). Every ``.xml``
   and ``.rels`` part is then streamed (bounded by the sizes just checked) and refused if
   it declares a DTD or entities (billion laughs, external entities) or holds NUL bytes
   (an XML part not in UTF-8 could hide a declaration from that scan).
3. openpyxl opens the workbook ``read_only`` (streams rows), ``data_only`` (cached
   values, never formulas) and without external links. With defusedxml installed (a
   project dependency) openpyxl parses XML through it: a second wall behind step 2.
4. ``max_rows`` caps the rows read, blank ones included (a sheet can claim a million
   empty rows), so a small file cannot make an import run for minutes.

Refusals raise ``ApplicationError("file", message)`` where the message reads after the
file's name ("x.xlsx is not an XLSX workbook ...").

Rows are numbered as a spreadsheet shows them: the header is row 1, and a quoted CSV
cell spanning several lines is still one row. Blank rows are skipped but keep their
number counted, so a problem reported for "row 7" is on row 7 of the person's sheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from salesdesk.core.errors import ApplicationError

#: (header, [(row number, {column: text})]): header lower-cased and stripped; every row
#: has a key for every header column ("" where the row is shorter than the header).
Table = tuple[list[str], list[tuple[int, dict[str, str]]]]

MB = 1024 * 1024
DEFAULT_MAX_FILE_BYTES = 10 * MB
DEFAULT_MAX_ROWS = 20_000
DEFAULT_MAX_MEMBERS = 500  # a workbook written by Excel or openpyxl has a few dozen parts
DEFAULT_MAX_UNCOMPRESSED_BYTES = 100 * MB
DEFAULT_MAX_COMPRESSION_RATIO = 100  # sheets of text compress ~5–20×; bombs 1000× and more
# Small parts may compress very well (an empty sheet); the ratio is only judged above this.
RATIO_CHECKED_ABOVE_BYTES = 1_000_000

_SCAN_CHUNK = 64 * 1024
_HOSTILE_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_OVERLAP = max(len(m) for m in _HOSTILE_MARKERS) - 1


def _refuse(message: str) -> ApplicationError:
    return ApplicationError("file", message)


def _size_text(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


# --- Checks -------------------------------------------------------------------------------------


def check_size(size: int, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> None:
    """Refuse a file of ``size`` bytes (``len(data)`` or a stat size) above ``max_bytes``."""
    if size > max_bytes:
        raise _refuse(f"is {_size_text(size)}; the limit is {_size_text(max_bytes)}")


def check_xlsx_archive(
    data: bytes,
    *,
    max_members: int = DEFAULT_MAX_MEMBERS,
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
    max_compression_ratio: float = DEFAULT_MAX_COMPRESSION_RATIO,
) -> None:
    """Refuse anything but a modest, well-formed XLSX zip before any of its XML is parsed.

    Reads only the zip's directory, then streams the ``.xml``/``.rels`` parts once; the
    sizes it trusts while streaming are the ones it has just bounded (zipfile stops at
    a member's declared size and checks its CRC).
    """
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _refuse("is not an XLSX workbook (it is not a zip file)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > max_members:
                raise _refuse(f"holds {len(members)} parts; a workbook has far fewer, refused as hostile")
            if "xl/workbook.xml" not in {m.filename for m in members}:
                raise _refuse("is a zip file but not an XLSX workbook (no xl/workbook.xml)")
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > RATIO_CHECKED_ABOVE_BYTES and ratio > max_compression_ratio:
                    raise _refuse(
                        f"part {member.filename} is compressed {ratio:.0f}×; refused as a possible zip bomb"
                    )
            total = sum(m.file_size for m in members)
            if total > max_uncompressed_bytes:
                raise _refuse(
                    f"unpacks to {_size_text(total)} (the limit is {_size_text(max_uncompressed_bytes)}); "
                    "refused as a possible zip bomb"
                )
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels")):
                    _scan_xml_part(archive, member)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression.
        raise _refuse("is a damaged or unsupported zip file") from exc


def _scan_xml_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Refuse a part declaring a DTD or entities, or not in UTF-8 (NUL bytes), anywhere in it."""
    tail = b""
    with archive.open(member) as handle:
        while chunk := handle.read(_SCAN_CHUNK):
            if b"\x00" in chunk:
                raise _refuse(f"part {member.filename} is not UTF-8 XML; refused as hostile")
            window = (tail + chunk).upper()
            if any(marker in window for marker in _HOSTILE_MARKERS):
                raise _refuse(f"part {member.filename} declares a DTD or XML entities; refused as hostile")
            tail = window[-_OVERLAP:]


# --- Cells --------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as the text a person typed: dates ISO (time dropped), 12.0 → "12", None → ""."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Spreadsheets store every number as a float; repr is the shortest exact decimal.
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


def _table(rows: Iterator[list[str]], *, max_rows: int, where: str = "") -> Table:
    """Header and numbered, non-blank rows; at most ``max_rows`` rows after the header."""
    first = next(rows, None)
    if first is None:
        return [], []
    header = [h.strip().lower() for h in first]
    body = []
    for number, row in enumerate(rows, start=2):
        if number > max_rows + 1:
            raise _refuse(f"{where}has more than {max_rows:,} rows; split it")
        if not any(cell.strip() for cell in row):
            continue
        body.append((number, {column: row[i] if i < len(row) else "" for i, column in enumerate(header)}))
    return header, body


# --- Readers ------------------------------------------------------------------------------------


def _utf8(data: bytes, advice: str = "") -> str:
    try:
        return data.decode("utf-8-sig")  # Excel writes a BOM in front of "CSV UTF-8"
    except UnicodeDecodeError as exc:
        raise _refuse(f"is not UTF-8 text (byte {exc.start}){advice}") from exc


def read_csv(data: bytes, *, max_rows: int = DEFAULT_MAX_ROWS) -> Table:
    """The CSV file's header and rows; UTF-8 (with or without BOM), comma-separated.

    An empty file gives an empty header and no rows: what that means is the caller's call.
    """
    reader = csv.reader(io.StringIO(_utf8(data, "; save the CSV as UTF-8"), newline=""))
    try:
        return _table(reader, max_rows=max_rows)
    except csv.Error as exc:
        raise _refuse(f"is not a readable CSV file (line {reader.line_num}): {exc}") from exc


def read_xlsx(
    data: bytes,
    *,
    sheets: Iterable[str] | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_members: int = DEFAULT_MAX_MEMBERS,
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
    max_compression_ratio: float = DEFAULT_MAX_COMPRESSION_RATIO,
) -> dict[str, Table]:
    """{sheet title, stripped and lower-cased: table} after ``check_xlsx_archive`` passed.

    ``sheets`` names the sheets wanted (any case); those absent are simply not in the
    result. Without ``sheets``, the first worksheet is read.
    """
    check_xlsx_archive(
        data,
        max_members=max_members,
        max_uncompressed_bytes=max_uncompressed_bytes,
        max_compression_ratio=max_compression_ratio,
    )
    import openpyxl  # imported here: only imports need it, and it is slow to load

    wanted = {s.strip().lower() for s in sheets} if sheets is not None else None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl and defusedxml raise many kinds; all mean "unreadable"
        raise _refuse(f"could not be read as an XLSX workbook ({type(exc).__name__})") from exc
    tables: dict[str, Table] = {}
    try:
        worksheets = workbook.worksheets if wanted is not None else workbook.worksheets[:1]
        if not worksheets:
            raise _refuse("has no worksheet")
        for sheet in worksheets:
            title = sheet.title.strip().lower()
            if wanted is not None and title not in wanted:
                continue
            rows = ([cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
            tables[title] = _table(rows, max_rows=max_rows, where=f"sheet {sheet.title} ")
    except ApplicationError:
        raise
    except Exception as exc:
        raise _refuse(f"could not be read as an XLSX workbook ({type(exc).__name__})") from exc
    finally:
        workbook.close()
    return tables


@dataclass(frozen=True)
class JsonLine:
    """One non-blank line of a JSON Lines file: its object, or why it is not one."""

    number: int  # 1 for the first line of the file
    record: dict[str, Any]  # keys lower-cased, as headers are; empty when ``problem`` is set
    problem: str = ""


def read_jsonl(data: bytes, *, max_rows: int = DEFAULT_MAX_ROWS) -> list[JsonLine]:
    """Every non-blank line of a JSON Lines file; a bad line is reported, not raised.

    Lines are split at ``\\n`` only (``\\r\\n`` is fine): JSON text may hold U+2028 and
    friends, which ``str.splitlines`` would wrongly treat as line breaks.
    """
    lines = _utf8(data).split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the file's final newline ends the last line, it does not start one
    if len(lines) > max_rows:
        raise _refuse(f"has more than {max_rows:,} lines; split it")
    result = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            result.append(JsonLine(number, {}, f"is not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        except RecursionError:
            result.append(JsonLine(number, {}, "is not valid JSON (nested too deeply)"))
            continue
        except ValueError as exc:  # e.g. an integer with more digits than Python converts
            result.append(JsonLine(number, {}, f"is not valid JSON ({exc})"))
            continue
        if not isinstance(value, dict):
            result.append(JsonLine(number, {}, "must be a JSON object"))
            continue
        result.append(JsonLine(number, {str(k).lower(): v for k, v in value.items()}))
    return result
