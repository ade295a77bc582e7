"""The requirements document of a baseline, as DOCX (python-docx) and PDF (Typst).

Both are built from one description (:func:`document_data`): title page with customer,
opportunity, version and date; a summary; the requirements grouped by type with priority,
acceptance criterion, targets and conclusion; the changes since the previous version; and
a sign-off block, filled in once the customer signed it off.

For the PDF no user text is ever pasted into Typst markup: the description goes to the
template as JSON (``sys.inputs``) and the template places every value as a string, which
Typst never interprets. ``typst_escape`` exists for the few places that build markup.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from django.conf import settings

from .choices import RequirementPriority, RequirementSource, RequirementType
from .models import RequirementBaseline
from .requirement_diff import diff_requirements
from .targets import Target, format_target

DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
TEMPLATE = Path(__file__).parent / "templates" / "deals" / "documents" / "requirements.typ"
PRIORITY_ORDER = [p.value for p in RequirementPriority]
PRIORITY_SHORT = {"must": "Must", "should": "Should", "could": "Could", "wont": "Won't"}
_TYPST_SPECIAL = set("\\#*_`$<>@[]=-+/~\"'{}")


def typst_escape(text: str) -> str:
    """``text`` as literal Typst markup: every character Typst could read as syntax escaped."""
    return "".join(f"\\{ch}" if ch in _TYPST_SPECIAL else ch for ch in text)


def _targets(requirement: dict[str, Any]) -> list[str]:
    return [format_target(Target.from_dict(t), display=True) for t in requirement.get("targets", [])]


def _long_date(iso: str) -> str:
    """ "2026-11-29" as "29 November 2026" (left as it is when it is not a date)."""
    try:
        return dt.date.fromisoformat(iso).strftime("%-d %B %Y")
    except (TypeError, ValueError):
        return iso


def _vendor() -> str:
    return str(getattr(settings, "SALESDESK_VENDOR_NAME", "") or "Salesdesk")


GROUP_DESCRIPTIONS = {
    RequirementType.FUNCTIONAL: "What the solution must let people do.",
    RequirementType.PERFORMANCE: "How fast the solution responds under the stated load.",
    RequirementType.CAPACITY: "How much the solution must hold and handle, now and as it grows.",
    RequirementType.AVAILABILITY: "How much of the time the solution must be up, and how it recovers.",
    RequirementType.SECURITY: "How the solution protects its users, data and operations.",
    RequirementType.COMPLIANCE: "The laws, standards and policies the solution must meet.",
    RequirementType.INTEGRATION: "The systems the solution exchanges data with, and how.",
}
CHANNEL_LABELS = {"portal": "portal", "call": "call", "meeting": "meeting", "email": "e-mail"}
CHANGED_FIELD_LABELS = {"targets": "targets", "acceptance": "acceptance", "conclusion": "conclusion"}


def _clarifications(requirement: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "question": c.get("question", ""),
            "answer": c.get("answer", ""),
            "channel": CHANNEL_LABELS.get(c.get("channel", ""), c.get("channel", "") or "answer"),
            "answered_on": _long_date(c.get("answered_on", "")) if c.get("answered_on") else "",
        }
        for c in requirement.get("clarifications", [])
    ]


def document_data(
    baseline: RequirementBaseline, previous: RequirementBaseline | None = None
) -> dict[str, Any]:
    """Everything the document shows, as plain JSON-safe values."""
    content = baseline.content
    requirements = sorted(content.get("requirements", []), key=lambda r: r["reference"])
    sources = dict(RequirementSource.choices)
    groups = []
    summary = []
    by_type: list[list[int]] = []
    for kind in RequirementType:
        members = [r for r in requirements if r["type"] == kind.value]
        if not members:
            continue
        members.sort(key=lambda r: (PRIORITY_ORDER.index(r["priority"]), r["reference"]))
        label = (
            "Functional requirements"
            if kind == RequirementType.FUNCTIONAL
            else f"Non-functional: {kind.label.lower()}"
        )
        rows = [
            {
                "reference": r["reference"],
                "statement": r["statement"],
                "priority": PRIORITY_SHORT[r["priority"]],
                "priority_key": r["priority"],
                "source": str(sources.get(r.get("source", ""), r.get("source", ""))),
                "acceptance": r.get("acceptance", ""),
                "conclusion": r.get("conclusion", ""),
                "targets": _targets(r),
                "clarifications": _clarifications(r),
            }
            for r in members
        ]
        groups.append(
            {
                "label": label,
                "description": GROUP_DESCRIPTIONS[kind],
                "has_targets": any(row["targets"] for row in rows),
                "requirements": rows,
            }
        )
        counts = [sum(1 for r in members if r["priority"] == p) for p in PRIORITY_ORDER]
        by_type.append(counts)
        summary.append(
            {
                "type": label,
                **dict(zip(PRIORITY_ORDER, counts, strict=True)),
                "counts": counts,
                "total": len(members),
            }
        )
    totals = [sum(row_counts[i] for row_counts in by_type) for i in range(len(PRIORITY_ORDER))]
    changes = None
    if previous is not None:
        diff = diff_requirements(previous.requirements, requirements)
        changes = {
            "since": previous.number,
            "added": [r["reference"] for r in diff.added],
            "removed": [r["reference"] for r in diff.removed],
            "changed": [{"reference": c.reference, "fields": sorted(c.fields)} for c in diff.changed],
        }
    if baseline.signed_off_at:
        status = f"Signed off by {baseline.signed_off_name} on {baseline.signed_off_at:%-d %b %Y}"
        signoff = {
            "signed": True,
            "name": baseline.signed_off_name,
            "at": f"{baseline.signed_off_at:%-d %b %Y %H:%M} UTC",
        }
    else:
        status = "Shared for sign-off" if baseline.shared_at else "Baselined, not yet shared"
        signoff = {"signed": False, "name": "", "at": ""}
    return {
        "vendor": content.get("vendor") or _vendor(),
        "title": content.get("title") or "Requirements",
        "customer": content.get("customer", ""),
        "opportunity": content.get("opportunity", ""),
        "version": baseline.number,
        "date": _long_date(content.get("date", "")),
        "prepared_by": content.get("prepared_by", "") or "—",
        "note": baseline.note,
        "status_line": status,
        "summary": summary,
        "summary_totals": [*totals, sum(totals)],
        "groups": groups,
        "changes": changes,
        "signoff": signoff,
        "signoff_section": len(groups) + 2,  # after "Summary" and one section per group
        "requirements": requirements,
    }


def render_pdf(data: dict[str, Any]) -> bytes:
    """The document as PDF, compiled by Typst (the ``typst`` package, no system install)."""
    import typst

    return bytes(
        typst.compile(
            TEMPLATE.read_bytes(),
            format="pdf",
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        )
    )


def render_png_pages(data: dict[str, Any], *, ppi: float = 100) -> list[bytes]:
    """The PDF's pages as PNG images (to look at a document without a PDF viewer)."""
    import typst

    pages = typst.compile(
        TEMPLATE.read_bytes(),
        format="png",
        ppi=ppi,
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
    )
    return [bytes(p) for p in pages] if isinstance(pages, list) else [bytes(pages)]


def _shade(cell: Any, hex_fill: str) -> None:
    """Fill a table cell (python-docx has no API for cell shading)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), hex_fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row: Any) -> None:
    """Repeat a table's first row at the top of every page it runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _keep_row_together(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    cant_split = OxmlElement("w:cantSplit")
    cant_split.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(cant_split)


def _field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC) in ``paragraph``; Word computes it when it shows the page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        run = OxmlElement("w:r")
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run.append(element)
        return run

    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run.append(instr)
    text_run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    text_run.append(text)
    for element in (char("begin"), instr_run, char("separate"), text_run, char("end")):
        paragraph._p.append(element)


def render_docx(data: dict[str, Any]) -> bytes:
    """The document as DOCX (python-docx), the same content and order as the PDF.

    Word styles carry the look (headings, "List Bullet", tables with a shaded, repeated
    header row), so a customer who edits a copy keeps a consistent document. Page numbers
    and the contents are Word fields, updated when the document is opened.
    """
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    accent_hex, soft_hex = "1F4E79", "EEF3F8"
    accent = RGBColor.from_string(accent_hex)
    muted = RGBColor(0x5B, 0x66, 0x72)
    white = RGBColor(0xFF, 0xFF, 0xFF)
    priority_colours = {
        "must": RGBColor(0x9B, 0x1C, 0x1C),
        "should": RGBColor(0xA3, 0x5D, 0x00),
        "could": RGBColor(0x1F, 0x6F, 0x43),
        "wont": muted,
    }

    document = docx.Document()
    document.core_properties.title = f"{data['title']} — {data['opportunity']}"
    document.core_properties.subject = f"Version {data['version']} for {data['customer']}"
    document.core_properties.author = data["vendor"]
    # Ask Word to refresh the contents and page fields when the document opens.
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    document.settings.element.append(update)

    styles = document.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(10)
    styles["Normal"].paragraph_format.space_after = Pt(4)
    for name, size in (("Heading 1", 15), ("Heading 2", 12)):
        styles[name].font.color.rgb = accent
        styles[name].font.size = Pt(size)
        styles[name].font.name = "Calibri"
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2.2)
    section.different_first_page_header_footer = True

    def run(
        paragraph: Any,
        text: str,
        *,
        size: float | None = None,
        bold: bool = False,
        italic: bool = False,
        color: Any = None,
    ) -> Any:
        r = paragraph.add_run(text)
        # Only what differs from the style: python-docx writes an element for every property
        # set, even to False, and setting them all doubled the rendering time.
        if bold:
            r.bold = True
        if italic:
            r.italic = True
        if size:
            r.font.size = Pt(size)
        if color is not None:
            r.font.color.rgb = color
        return r

    def header_row(table: Any, labels: tuple[str, ...]) -> None:
        row = table.rows[0]
        _repeat_header(row)
        for cell, label in zip(row.cells, labels, strict=True):
            _shade(cell, accent_hex)
            run(cell.paragraphs[0], label, bold=True, color=white, size=9)

    def widths(table: Any, centimetres: tuple[float, ...]) -> None:
        table.autofit = False
        for row in table.rows:
            for cell, width in zip(row.cells, centimetres, strict=True):
                cell.width = Cm(width)

    # Running header and footer (pages after the title page): who, what, page x of y.
    header = section.header.paragraphs[0]
    run(
        header,
        f"{data['customer']} · {data['opportunity']}\t\t{data['title']}, version {data['version']}",
        size=8,
        color=muted,
    )
    footer = section.footer.paragraphs[0]
    run(footer, f"{data['vendor']} · {data['status_line']}\t\tPage ", size=8, color=muted)
    _field(footer, "PAGE", "1")
    run(footer, " of ", size=8, color=muted)
    _field(footer, "NUMPAGES", "1")
    for r in footer.runs:
        r.font.size = Pt(8)

    # Title page.
    for _ in range(3):
        document.add_paragraph()
    run(document.add_paragraph(), data["vendor"].upper(), size=10, color=muted)
    run(document.add_paragraph(), data["title"], size=28, bold=True, color=accent)
    run(document.add_paragraph(), data["opportunity"], size=15)
    run(document.add_paragraph(), f"Prepared for {data['customer']}", size=12, color=muted)
    document.add_paragraph()
    facts = document.add_table(rows=0, cols=2)
    for label, value in (
        ("Customer", data["customer"]),
        ("Opportunity", data["opportunity"]),
        ("Version", str(data["version"])),
        ("Date", data["date"]),
        ("Prepared by", data["prepared_by"]),
        ("Requirements", str(len(data["requirements"]))),
        ("Status", data["status_line"]),
    ):
        cells = facts.add_row().cells
        run(cells[0].paragraphs[0], label, color=muted)
        run(cells[1].paragraphs[0], value, bold=label in ("Customer", "Status"))
    widths(facts, (4.2, 12.8))
    if data["note"]:
        p = document.add_paragraph()
        p.paragraph_format.space_before = Pt(12)
        run(p, "Note on this version: ", color=muted)
        run(p, data["note"])
    for _ in range(3):
        document.add_paragraph()
    box = document.add_table(rows=1, cols=1)
    box.alignment = WD_TABLE_ALIGNMENT.CENTER
    cell = box.rows[0].cells[0]
    _shade(cell, soft_hex)
    run(cell.paragraphs[0], "Sign-off", bold=True, color=accent, size=9)
    signoff = data["signoff"]
    if signoff["signed"]:
        text = (
            f"Signed off by {signoff['name']} ({data['customer']}) on {signoff['at']}, "
            f"version {data['version']}."
        )
    else:
        text = (
            f"Not yet signed off. {data['customer']} signs this version off in the portal; "
            f"the sign-off block is in section {data['signoff_section']}."
        )
    run(cell.add_paragraph(), text, size=9)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # Contents and reading guide.
    run(document.add_paragraph(), "Contents", size=15, bold=True, color=accent)
    _field(document.add_paragraph(), 'TOC \\o "1-1" \\h \\z \\u', "Open in Word to see the contents.")
    guide = document.add_paragraph()
    guide.paragraph_format.space_before = Pt(12)
    run(guide, "How to read this document", size=12, bold=True, color=accent)
    run(
        document.add_paragraph(),
        "Each requirement has an identifier that stays the same in every version, a statement, a type, "
        f"a priority and, where one applies, an acceptance criterion saying how {data['customer']} will "
        "tell that it is met. Targets are measurable: each names a metric, a comparison and a value "
        "(for example availability ≥ 99.9 %). A conclusion records what was decided when a question "
        "about the requirement was clarified; the question and its answer are shown beneath it.",
        size=9.5,
    )
    for key, label, meaning in (
        ("must", "Must", "needed for the solution to be acceptable;"),
        ("should", "Should", "important, but the solution is acceptable without it for a while;"),
        ("could", "Could", "desirable if time and budget allow;"),
        ("wont", "Won't", "agreed to be out of scope this time, recorded so it is not forgotten."),
    ):
        p = document.add_paragraph(style="List Bullet")
        run(p, f"{label}: ", bold=True, color=priority_colours[key], size=9.5)
        run(p, meaning, size=9.5)

    # Summary.
    document.add_heading("1. Summary", level=1)
    labels = ("Type", "Must", "Should", "Could", "Won't", "Total")
    summary = document.add_table(rows=1, cols=6)
    summary.style = "Table Grid"
    header_row(summary, labels)
    rows = [(row["type"], *row["counts"], row["total"]) for row in data["summary"]]
    rows.append(("All requirements", *data["summary_totals"]))
    for index, values in enumerate(rows):
        cells = summary.add_row().cells
        last = index == len(rows) - 1
        for position, (cell, value) in enumerate(zip(cells, values, strict=True)):
            text = "–" if value == 0 else str(value)
            run(cell.paragraphs[0], text, bold=last or position == 5)
            if position:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if index % 2 == 0 or last:
                _shade(cell, soft_hex)
    widths(summary, (7.0, 2.0, 2.0, 2.0, 2.0, 2.0))
    if data["changes"] is not None:
        changes = data["changes"]
        document.add_heading(f"Changes since version {changes['since']}", level=2)
        lines = [
            ("Added", ", ".join(changes["added"])),
            ("Removed", ", ".join(changes["removed"])),
            (
                "Changed",
                "; ".join(f"{c['reference']} ({', '.join(c['fields'])})" for c in changes["changed"]),
            ),
        ]
        for label, text in lines:
            if text:
                p = document.add_paragraph(style="List Bullet")
                run(p, f"{label}: ", bold=True)
                run(p, text)
        if not any(text for _label, text in lines):
            document.add_paragraph("No requirement changed.")

    # Requirements, one section per type.
    for number, group in enumerate(data["groups"], start=2):
        document.add_heading(f"{number}. {group['label']}", level=1)
        run(document.add_paragraph(), group["description"], size=9, color=muted)
        columns: tuple[str, ...] = (
            ("Id", "Requirement", "Priority", "Targets")
            if group["has_targets"]
            else ("Id", "Requirement", "Priority")
        )
        table = document.add_table(rows=1, cols=len(columns))
        table.style = "Table Grid"
        header_row(table, columns)
        for requirement in group["requirements"]:
            row = table.add_row()
            _keep_row_together(row)
            cells = row.cells
            run(cells[0].paragraphs[0], requirement["reference"], bold=True)
            run(cells[0].add_paragraph(), requirement["source"], size=7.5, color=muted)
            run(cells[1].paragraphs[0], requirement["statement"])
            if requirement["acceptance"]:
                p = cells[1].add_paragraph()
                run(p, "Acceptance: ", size=8.5, italic=True, color=muted)
                run(p, requirement["acceptance"], size=8.5, color=muted)
            for clarification in requirement["clarifications"]:
                p = cells[1].add_paragraph()
                p.paragraph_format.left_indent = Cm(0.3)
                run(p, "Question: ", size=8, italic=True, color=muted)
                run(p, clarification["question"], size=8, color=muted)
                p = cells[1].add_paragraph()
                p.paragraph_format.left_indent = Cm(0.3)
                when = f", {clarification['answered_on']}" if clarification["answered_on"] else ""
                run(p, f"Answer ({clarification['channel']}{when}): ", size=8, italic=True, color=muted)
                run(p, clarification["answer"], size=8, color=muted)
            if requirement["conclusion"]:
                p = cells[1].add_paragraph()
                run(p, "Conclusion: ", size=8.5, italic=True, color=accent)
                run(p, requirement["conclusion"], size=8.5, color=accent)
            run(
                cells[2].paragraphs[0],
                requirement["priority"],
                bold=True,
                size=9,
                color=priority_colours.get(requirement["priority_key"], muted),
            )
            if group["has_targets"]:
                cells[3].paragraphs[0].text = ""
                run(cells[3].paragraphs[0], "\n".join(requirement["targets"]) or "–", size=9)
        widths(table, (2.0, 10.2, 1.8, 3.0) if group["has_targets"] else (2.0, 13.2, 1.8))

    # Sign-off.
    document.add_heading(f"{data['signoff_section']}. Sign-off", level=1)
    document.add_paragraph(
        f"By signing, {data['customer']} confirms that version {data['version']} of this document "
        f"states its requirements for {data['opportunity']}. Changes after sign-off are made in a new "
        "version, which lists what changed."
    )
    block = document.add_table(rows=0, cols=2)
    block.style = "Table Grid"
    for label, value in (
        ("Name", signoff["name"]),
        ("Organisation", data["customer"]),
        ("Version", str(data["version"])),
        ("Date and time", signoff["at"]),
        ("Signature", "Signed off electronically in the customer portal" if signoff["signed"] else "\n\n"),
    ):
        row = block.add_row()
        _keep_row_together(row)
        run(row.cells[0].paragraphs[0], label, color=muted)
        row.cells[1].text = value
    widths(block, (4.2, 12.8))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def baseline_document(
    baseline: RequirementBaseline, fmt: str, previous: RequirementBaseline | None = None
) -> bytes:
    """The rendered document of ``baseline`` in ``fmt`` ("pdf" or "docx")."""
    data = document_data(baseline, previous)
    if fmt == "pdf":
        return render_pdf(data)
    if fmt == "docx":
        return render_docx(data)
    raise ValueError(f"unknown document format {fmt!r}")


def document_filename(baseline: RequirementBaseline, fmt: str) -> str:
    opportunity = baseline.content.get("opportunity", "requirements")
    slug = "".join(ch if ch.isalnum() else "-" for ch in opportunity.lower()).strip("-") or "requirements"
    while "--" in slug:
        slug = slug.replace("--", "-")
    return f"{slug}-requirements-v{baseline.number}.{fmt}"
