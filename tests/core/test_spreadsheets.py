"""The shared spreadsheet reader: hostile files refused before parsing, rows numbered as shown."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from salesdesk.core import spreadsheets
from salesdesk.core.errors import ApplicationError

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
)


def _workbook(*sheets: tuple[str, list[list]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _replace_part(xlsx: bytes, member: str, content: bytes) -> bytes:
    """The workbook with one part's content replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != member:
                target.writestr(item, source.read(item.filename))
        target.writestr(member, content)
    return out.getvalue()


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.fixture
def openpyxl_must_not_open(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a file the archive check should have refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


# --- Size ---------------------------------------------------------------------------------------


def test_size_above_the_limit_is_refused_with_both_sizes():
    spreadsheets.check_size(10 * 1024 * 1024, max_bytes=10 * 1024 * 1024)
    with pytest.raises(ApplicationError) as refused:
        spreadsheets.check_size(11 * 1024 * 1024, max_bytes=10 * 1024 * 1024)
    assert refused.value.errors[0].field == "file"
    assert refused.value.errors[0].message == "is 11 MB; the limit is 10 MB"


# --- XLSX archive -------------------------------------------------------------------------------


def test_zip_bomb_is_refused_before_openpyxl_opens_it(openpyxl_must_not_open):
    # given a few KB that inflate to 8 MB: one highly compressible part named like a sheet
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"0" * (8 * 1024 * 1024)})
    assert len(bomb) < 64 * 1024
    # when it is read, then it is refused by its compression ratio
    with pytest.raises(ApplicationError, match=r"part xl/worksheets/sheet1.xml is compressed \d+×.*zip bomb"):
        spreadsheets.read_xlsx(bomb)


def test_total_uncompressed_size_is_limited_even_at_a_plausible_ratio():
    archive = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"0" * (3 * 1024 * 1024)})
    with pytest.raises(ApplicationError, match=r"unpacks to 3 MB \(the limit is 1 MB\)"):
        spreadsheets.check_xlsx_archive(
            archive, max_uncompressed_bytes=1024 * 1024, max_compression_ratio=10**9
        )


def test_billion_laughs_part_in_a_real_workbook_is_refused(openpyxl_must_not_open):
    # given a workbook saved by openpyxl, its sheet replaced by an entity expansion attack
    workbook = _replace_part(_workbook(("Sheet", [["a"]])), "xl/worksheets/sheet1.xml", BILLION_LAUGHS)
    with pytest.raises(
        ApplicationError, match=r"part xl/worksheets/sheet1\.xml declares a DTD or XML entities"
    ):
        spreadsheets.read_xlsx(workbook)


def test_declaration_hidden_deep_in_a_part_or_in_a_rels_part_is_found():
    padded = b'<?xml version="1.0"?><!--' + b"x" * 200_000 + b"-->" + BILLION_LAUGHS[21:]
    workbook = _workbook(("Sheet", [["a"]]))
    with pytest.raises(ApplicationError, match="DTD or XML entities"):
        spreadsheets.check_xlsx_archive(_replace_part(workbook, "xl/worksheets/sheet1.xml", padded))
    rels = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Relationships>&x;</Relationships>'
    with pytest.raises(ApplicationError, match=r"part _rels/\.rels declares a DTD"):
        spreadsheets.check_xlsx_archive(_replace_part(workbook, "_rels/.rels", rels))


def test_part_not_in_utf8_is_refused_since_the_scan_could_not_see_into_it():
    utf16 = (
        BILLION_LAUGHS.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")
    )
    workbook = _replace_part(_workbook(("Sheet", [["a"]])), "xl/worksheets/sheet1.xml", utf16)
    with pytest.raises(ApplicationError, match=r"part xl/worksheets/sheet1\.xml is not UTF-8 XML"):
        spreadsheets.check_xlsx_archive(workbook)


def test_too_many_members_are_refused(openpyxl_must_not_open):
    parts = {"xl/workbook.xml": b"<workbook/>"} | {f"xl/media/{n}.xml": b"<a/>" for n in range(600)}
    with pytest.raises(ApplicationError, match="holds 601 parts"):
        spreadsheets.read_xlsx(_zip(parts))
    spreadsheets.check_xlsx_archive(_zip(parts), max_members=601)


def test_bytes_that_are_not_a_zip_or_not_a_workbook_are_refused():
    with pytest.raises(ApplicationError, match=r"is not an XLSX workbook \(it is not a zip file\)"):
        spreadsheets.read_xlsx(b"sku,name\nA,B\n")
    with pytest.raises(ApplicationError, match="is a zip file but not an XLSX workbook"):
        spreadsheets.read_xlsx(_zip({"word/document.xml": b"<document/>"}))


# --- XLSX reading -------------------------------------------------------------------------------


def test_xlsx_reads_the_chosen_sheets_with_normalised_cells_and_sheet_row_numbers():
    data = _workbook(
        ("Notes", [["ignored"]]),
        (
            " Products ",
            [
                [" SKU ", "Price", "Since", "Count"],
                ["EG-400", 1299.5, dt.datetime(2027, 6, 30, 14, 5), 12.0],
                [None, None, None, None],
                ["EG-500", 7, dt.date(2028, 1, 2), None],
            ],
        ),
    )
    tables = spreadsheets.read_xlsx(data, sheets=["PRODUCTS", "prices"])
    assert tables == {
        "products": (
            ["sku", "price", "since", "count"],
            [
                (2, {"sku": "EG-400", "price": "1299.5", "since": "2027-06-30", "count": "12"}),
                (4, {"sku": "EG-500", "price": "7", "since": "2028-01-02", "count": ""}),
            ],
        )
    }


def test_xlsx_without_chosen_sheets_reads_the_first():
    data = _workbook(("Knowledge", [["kind"], ["answer"]]), ("Other", [["x"], ["y"]]))
    assert spreadsheets.read_xlsx(data) == {"knowledge": (["kind"], [(2, {"kind": "answer"})])}


def test_xlsx_row_cap_names_the_sheet():
    data = _workbook(("Prices", [["sku"]] + [[f"S-{n}"] for n in range(4)]))
    assert len(spreadsheets.read_xlsx(data, max_rows=4)["prices"][1]) == 4
    with pytest.raises(ApplicationError, match="sheet Prices has more than 3 rows; split it"):
        spreadsheets.read_xlsx(data, max_rows=3)


# --- Cells --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (12.0, "12"),
        (0.1, "0.1"),
        (1299.95, "1299.95"),
        (-3.0, "-3"),
        (7, "7"),
        (dt.datetime(2027, 6, 30, 23, 59), "2027-06-30"),
        (dt.date(2027, 6, 30), "2027-06-30"),
        ("  padded  ", "padded"),
        (True, "True"),
    ],
)
def test_cell_text(value, text):
    assert spreadsheets.cell_text(value) == text


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_rows_are_numbered_as_the_spreadsheet_shows_them():
    # given a header, a cell spanning two lines, and blank lines between rows
    data = '\ufeffSKU,Notes\nA-1,"first line\nsecond line"\n\n,\nA-2,plain\r\nA-3\n'.encode()
    header, rows = spreadsheets.read_csv(data)
    # then the BOM is gone, blank rows are skipped but counted, short rows are padded
    assert header == ["sku", "notes"]
    assert rows == [
        (2, {"sku": "A-1", "notes": "first line\nsecond line"}),
        (5, {"sku": "A-2", "notes": "plain"}),
        (6, {"sku": "A-3", "notes": ""}),
    ]


def test_empty_csv_gives_no_header():
    assert spreadsheets.read_csv(b"") == ([], [])


def test_csv_not_in_utf8_is_refused_with_the_byte():
    with pytest.raises(ApplicationError, match=r"is not UTF-8 text \(byte 14\); save the CSV as UTF-8"):
        spreadsheets.read_csv("sku,name\nA,Caf\u00e9\n".encode("latin-1"))


def test_csv_row_cap_counts_blank_rows_too():
    data = b"sku\nA\nB\n\nC\n"
    assert [n for n, _ in spreadsheets.read_csv(data, max_rows=4)[1]] == [2, 3, 5]
    with pytest.raises(ApplicationError, match="has more than 3 rows; split it"):
        spreadsheets.read_csv(data, max_rows=3)


def test_unreadable_csv_gets_a_clear_message():
    data = b"sku,notes\nA," + b"x" * 200_000 + b"\n"
    with pytest.raises(ApplicationError, match=r"is not a readable CSV file \(line 2\): field larger"):
        spreadsheets.read_csv(data)


# --- JSON Lines ---------------------------------------------------------------------------------


def test_jsonl_reports_bad_lines_by_number_and_keeps_the_good_ones():
    data = (
        '{"Kind": "answer", "title": "Line\u2028separator inside"}\r\n'
        "\n"
        "{not json\n"
        "[1]\n" + "[" * 100_000 + "]" * 100_000 + "\n"
    ).encode()
    lines = spreadsheets.read_jsonl(data)
    assert [(line.number, line.record, line.problem[:30]) for line in lines] == [
        (1, {"kind": "answer", "title": "Line\u2028separator inside"}, ""),
        (3, {}, "is not valid JSON (Expecting p"),
        (4, {}, "must be a JSON object"),
        (5, {}, "is not valid JSON (nested too "),
    ]


def test_jsonl_line_cap():
    assert len(spreadsheets.read_jsonl(b"{}\n{}\n")) == 2
    with pytest.raises(ApplicationError, match="has more than 1 lines; split it"):
        spreadsheets.read_jsonl(b"{}\n{}\n", max_rows=1)
