"""Importing requirements (CSV, XLSX, DOCX): bad rows named, nothing half-imported, hostile files refused."""

import io
import struct
import zipfile

import docx
import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from salesdesk.core.errors import ApplicationError
from salesdesk.deals import requirement_io
from salesdesk.deals.models import Requirement

from .conftest import add

pytestmark = pytest.mark.django_db

HEADER = "id,statement,type,priority,acceptance,source,targets\n"


def csv_bytes(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def run(consultant, opportunity, content: bytes, name: str = "reqs.csv", **kwargs):
    return requirement_io.import_bytes(
        content, name=name, actor=consultant, opportunity=opportunity, **kwargs
    )


def test_a_csv_table_is_imported_with_types_priorities_sources_and_targets(consultant, world_a):
    report = run(
        consultant,
        world_a.opportunity,
        csv_bytes(
            'REQ-001,Track parcels,functional,Must,Scan shows position,workshop,"peak_users = 2,000"',
            "REQ-002,Answer fast,Non-functional: performance,S,Load test,RFP,p95_response_seconds <= 2 s",
            ",Stay up,availability,could have,,e-mail,availability >= 99.9 %",
        ),
    )
    assert report.imported and report.created == 3
    rows = {r.reference: r for r in Requirement.objects.all()}
    assert set(rows) == {"REQ-001", "REQ-002", "REQ-003"}
    assert (rows["REQ-002"].type, rows["REQ-002"].priority, rows["REQ-002"].source) == (
        "performance",
        "should",
        "rfp",
    )
    assert rows["REQ-001"].targets[0]["value"] == "2000"
    assert (rows["REQ-003"].priority, rows["REQ-003"].source) == ("could", "email")


def test_bad_rows_are_named_and_nothing_is_imported(consultant, world_a):
    report = run(
        consultant,
        world_a.opportunity,
        csv_bytes(
            "REQ-001,Good row,functional,must,,workshop,",
            "REQ-001,Same id again,functional,must,,workshop,",
            "REQ 9,Bad id,functional,must,,workshop,",
            "REQ-004,,functional,must,,workshop,",
            "REQ-005,Bad target,capacity,must,,workshop,peak_users = 2k users",
            "REQ-006,Bad type,fast,urgent,,fax,",
        ),
    )
    assert not report.imported
    found = {(p.where, p.column) for p in report.problems}
    assert found >= {
        ("row 3", "id"),
        ("row 4", "id"),
        ("row 5", "statement"),
        ("row 6", "targets"),
        ("row 7", "type"),
        ("row 7", "priority"),
        ("row 7", "source"),
    }
    assert "REQ-001 is already used on row 2" in [p.problem for p in report.problems]
    assert "cannot read a number in '2k users'" in [p.problem for p in report.problems]
    assert not Requirement.objects.exists()


def test_skip_bad_rows_imports_the_good_ones(consultant, world_a):
    report = run(
        consultant,
        world_a.opportunity,
        csv_bytes("REQ-001,Good,functional,must,,,", "REQ-002,Bad,functional,must,,,x = y"),
        skip_bad_rows=True,
    )
    assert report.imported and report.created == 1 and report.skipped == 1
    assert list(Requirement.objects.values_list("reference", flat=True)) == ["REQ-001"]


def test_an_id_already_in_the_set_is_refused(consultant, world_a):
    add(consultant, world_a.opportunity, reference="REQ-001")
    report = run(consultant, world_a.opportunity, csv_bytes("req-001,Again,functional,must,,,"))
    assert not report.imported
    assert report.problems[0].problem == "REQ-001 already exists in this requirement set"
    assert Requirement.objects.count() == 1


def test_an_unknown_column_or_a_missing_statement_column_refuses_the_file(consultant, world_a):
    with pytest.raises(ApplicationError, match="unknown column 'colour'"):
        run(consultant, world_a.opportunity, b"id,statement,colour\nREQ-1,x,red\n")
    with pytest.raises(ApplicationError, match="no column 'statement'"):
        run(consultant, world_a.opportunity, b"id,text\nREQ-1,x\n")


def test_an_xlsx_sheet_is_imported(consultant, world_a):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ID", "Statement", "Type", "Priority", "Acceptance", "Source", "Targets"])
    sheet.append(["REQ-010", "Import from the sheet", "capacity", "must", "", "rfp", "peak_users = 2000"])
    out = io.BytesIO()
    workbook.save(out)
    report = run(consultant, world_a.opportunity, out.getvalue(), name="customer.xlsx")
    assert report.imported
    assert Requirement.objects.get().reference == "REQ-010"


def docx_bytes(build) -> bytes:
    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_table_is_imported(consultant, world_a):
    def build(document):
        table = document.add_table(rows=1, cols=4)
        for cell, text in zip(table.rows[0].cells, ["Id", "Statement", "Priority", "Targets"], strict=True):
            cell.text = text
        cells = table.add_row().cells
        for cell, text in zip(
            cells, ["REQ-001", "From Word", "should", "availability >= 99.9 %"], strict=True
        ):
            cell.text = text

    report = run(consultant, world_a.opportunity, docx_bytes(build), name="rfp.docx")
    assert report.imported
    requirement = Requirement.objects.get()
    assert (requirement.statement, requirement.priority) == ("From Word", "should")


def test_a_docx_numbered_list_is_imported_and_bad_paragraphs_are_named(consultant, world_a):
    def build(document):
        document.add_paragraph("Our needs")
        document.add_paragraph("1. Track every parcel")
        document.add_paragraph("Print labels", style="List Number")

    report = run(consultant, world_a.opportunity, docx_bytes(build), name="notes.docx")
    assert report.imported and report.created == 2
    assert list(Requirement.objects.order_by("reference").values_list("reference", "statement")) == [
        ("REQ-001", "Track every parcel"),
        ("REQ-002", "Print labels"),
    ]


def test_a_docx_without_table_or_list_is_refused(consultant, world_a):
    with pytest.raises(ApplicationError, match="numbered list"):
        run(consultant, world_a.opportunity, docx_bytes(lambda d: d.add_paragraph("Hello")), name="x.docx")


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_docx_is_refused_before_parsing(consultant, world_a):
    bomb = _zip({"word/document.xml": b"<w:document/>", "word/media/padding.xml": b"\0" * (4 * 1024 * 1024)})
    assert len(bomb) < 20_000
    with pytest.raises(ApplicationError, match="zip bomb"):
        run(consultant, world_a.opportunity, bomb, name="bomb.docx")


def test_a_docx_declaring_entities_is_refused(consultant, world_a):
    hostile = _zip(
        {
            "word/document.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
            b"<w:document>&a;</w:document>"
        }
    )
    with pytest.raises(ApplicationError, match="DTD or XML entities"):
        run(consultant, world_a.opportunity, hostile, name="evil.docx")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"not a zip", "x.docx", "not a zip file"),
        (_zip({"hello.txt": b"hi"}), "x.docx", "no word/document.xml"),
        (
            _zip({f"word/p{i}.xml": b"<a/>" for i in range(301)} | {"word/document.xml": b"<a/>"}),
            "x.docx",
            "parts",
        ),
        (b"x" * (requirement_io.MAX_FILE_BYTES + 1), "big.csv", "the limit is"),
        (b"statement\nx\n", "reqs.pdf", "cannot tell the format"),
    ],
)
def test_hostile_huge_or_wrong_files_are_refused(consultant, world_a, content, name, message):
    with pytest.raises(ApplicationError) as exc:
        run(consultant, world_a.opportunity, content, name=name)
    assert exc.value.errors[0].field == "file"
    assert message in exc.value.errors[0].message
    assert not Requirement.objects.exists()


def test_importing_needs_level_3(specialist, world_a):
    with pytest.raises(PermissionDenied):
        run(specialist, world_a.opportunity, csv_bytes("REQ-001,x,functional,must,,,"))


# --- Hostile or huge files: every limit refuses with the place named, and nothing is imported ----------


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _with_part(archive_bytes: bytes, name: str, data: bytes) -> bytes:
    """The archive with one part replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(archive_bytes))
    members = {m.filename: source.read(m) for m in source.infolist()}
    members[name] = data
    return _zip(members)


def _lying_sizes(archive_bytes: bytes, name: str, declared: int) -> bytes:
    """The archive with ``name``'s uncompressed size understated in both zip headers."""
    raw = bytearray(archive_bytes)
    encoded = name.encode()
    local = raw.find(b"PK\x03\x04" + b"")
    while raw[local + 30 : local + 30 + len(encoded)] != encoded:
        local = raw.find(b"PK\x03\x04", local + 4)
    raw[local + 22 : local + 26] = struct.pack("<I", declared)
    central = raw.find(b"PK\x01\x02")
    while raw[central + 46 : central + 46 + len(encoded)] != encoded:
        central = raw.find(b"PK\x01\x02", central + 4)
    raw[central + 24 : central + 28] = struct.pack("<I", declared)
    return bytes(raw)


SHEET = ["id", "statement"]


def _docx_table(rows: int) -> bytes:
    def build(document):
        table = document.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Id", "Statement"
        for n in range(rows):
            cells = table.add_row().cells
            cells[1].text = f"Statement {n}"

    return docx_bytes(build)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        # XLSX: a zip bomb (one sheet part inflating 1,000x), entities, foreign encodings, junk.
        (
            _with_part(xlsx_bytes([SHEET]), "xl/worksheets/sheet1.xml", b" " * (8 * 1024 * 1024)),
            "bomb.xlsx",
            "part xl/worksheets/sheet1.xml is compressed",
        ),
        (
            _with_part(
                xlsx_bytes([SHEET]),
                "xl/sharedStrings.xml",
                b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]><sst>&lol;</sst>',
            ),
            "laughs.xlsx",
            "part xl/sharedStrings.xml declares a DTD or XML entities",
        ),
        (
            _with_part(
                xlsx_bytes([SHEET]),
                "xl/workbook.xml",
                '<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16"),
            ),
            "utf16.xlsx",
            "part xl/workbook.xml is not UTF-8 XML",
        ),
        (
            _with_part(xlsx_bytes([SHEET]), "xl/workbook.xml", b"<workbook><unclosed>"),
            "broken.xlsx",
            "could not be read as an XLSX workbook",
        ),
        (_zip({"hello.txt": b"hi"}), "x.xlsx", "not an XLSX workbook (no xl/workbook.xml)"),
        (b"PK\x03\x04 cut short", "cut.xlsx", "is not an XLSX workbook"),
        # DOCX: entities hidden in UTF-16, a body too big to hold as a tree, junk XML, lying sizes.
        (
            _zip(
                {
                    "word/document.xml": '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x><w/>'.encode(
                        "utf-16"
                    )
                }
            ),
            "utf16.docx",
            "part word/document.xml is not UTF-8 XML",
        ),
        (
            _with_part(
                docx_bytes(lambda d: d.add_paragraph("1. x")), "word/document.xml", b"<w:document><oops"
            ),
            "junk.docx",
            "could not be read as a DOCX document",
        ),
        (
            _lying_sizes(
                _zip({"word/document.xml": b"<w:document>" + b"a" * 500_000 + b"</w:document>"}),
                "word/document.xml",
                1_000,
            ),
            "liar.docx",
            "damaged or unsupported zip file",
        ),
        # CSV: not UTF-8, unreadable quoting, empty.
        (
            HEADER.encode() + b"REQ-001,Caf\xe9 au lait,functional,must,,,\n",
            "latin1.csv",
            f"is not UTF-8 text (byte {len(HEADER) + len('REQ-001,Caf')})",
        ),
        (b"", "empty.csv", "is empty"),
    ],
    ids=[
        "xlsx-bomb",
        "xlsx-entities",
        "xlsx-utf16",
        "xlsx-junk",
        "xlsx-not-a-workbook",
        "xlsx-truncated",
        "docx-utf16",
        "docx-junk",
        "docx-lying-sizes",
        "csv-latin1",
        "csv-empty",
    ],
)
def test_hostile_spreadsheets_and_documents_are_refused_naming_the_place(
    consultant, world_a, content, name, message
):
    with pytest.raises(ApplicationError) as exc:
        run(consultant, world_a.opportunity, content, name=name)
    assert exc.value.errors[0].field == "file"
    assert message in exc.value.errors[0].message
    assert not Requirement.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (csv_bytes(*[f",Statement {n},,,,," for n in range(2_001)]), "many.csv", "more than 2,000 rows"),
        (
            xlsx_bytes([SHEET] + [["", f"Statement {n}"] for n in range(2_001)]),
            "many.xlsx",
            "more than 2,000 rows",
        ),
        (_docx_table(2_001), "many-rows.docx", "has a table of more than 2,000 rows"),
        (
            docx_bytes(lambda d: [d.add_paragraph(f"{n}. Statement") for n in range(1, 2_003)]),
            "many-items.docx",
            "more than 2,000 numbered statements",
        ),
    ],
    ids=["csv", "xlsx", "docx-table", "docx-list"],
)
def test_files_with_more_rows_than_the_limit_are_refused(consultant, world_a, content, name, message):
    with pytest.raises(ApplicationError, match=message):
        run(consultant, world_a.opportunity, content, name=name)
    assert not Requirement.objects.exists()


def test_exactly_the_row_limit_is_imported_in_one_go(consultant, world_a):
    report = run(
        consultant,
        world_a.opportunity,
        xlsx_bytes([SHEET] + [["", f"Statement {n}"] for n in range(requirement_io.MAX_ROWS)]),
        name="full.xlsx",
    )
    assert report.imported and report.created == requirement_io.MAX_ROWS
    assert Requirement.objects.filter(reference="REQ-2000").exists()


def test_the_api_names_the_file_and_the_part_of_a_hostile_upload(consultant, world_a, client_as):
    upload = io.BytesIO(_with_part(xlsx_bytes([SHEET]), "xl/worksheets/sheet1.xml", b" " * (8 * 1024 * 1024)))
    upload.name = "bomb.xlsx"
    response = client_as(consultant).post(
        f"/api/opportunities/{world_a.opportunity.pk}/requirements/import", {"file": upload}
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "file" and "xl/worksheets/sheet1.xml" in error["message"]
    assert not Requirement.objects.exists()


def test_a_docx_body_too_big_to_hold_as_a_tree_is_refused(consultant, world_a, monkeypatch):
    monkeypatch.setattr(requirement_io, "MAX_DOCX_BODY", 1024 * 1024)
    words = [f"word{n}" for n in range(5_000)]
    text = " ".join(words[(n * 7919) % len(words)] for n in range(200_000)).encode()
    body = b"<w:document><w:p><w:r><w:t>" + text + b"</w:t></w:r></w:p></w:document>"
    with pytest.raises(ApplicationError) as exc:
        run(consultant, world_a.opportunity, _zip({"word/document.xml": body}), name="long.docx")
    assert exc.value.errors[0].message.startswith(
        "part word/document.xml unpacks to 1.7 MB (the limit is 1 MB); split the document"
    )
