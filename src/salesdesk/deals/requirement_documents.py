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

from .choices import RequirementPriority, RequirementType
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


def document_data(
    baseline: RequirementBaseline, previous: RequirementBaseline | None = None
) -> dict[str, Any]:
    """Everything the document shows, as plain JSON-safe values."""
    content = baseline.content
    requirements = sorted(content.get("requirements", []), key=lambda r: r["reference"])
    groups = []
    summary = []
    for kind in RequirementType:
        members = [r for r in requirements if r["type"] == kind.value]
        if not members:
            continue
        members.sort(key=lambda r: (PRIORITY_ORDER.index(r["priority"]), r["reference"]))
        label = kind.label if kind == RequirementType.FUNCTIONAL else f"Non-functional: {kind.label.lower()}"
        groups.append(
            {
                "label": label,
                "requirements": [
                    {
                        "reference": r["reference"],
                        "statement": r["statement"],
                        "priority": PRIORITY_SHORT[r["priority"]],
                        "acceptance": r.get("acceptance", ""),
                        "conclusion": r.get("conclusion", ""),
                        "targets": _targets(r),
                    }
                    for r in members
                ],
            }
        )
        counts = {p: sum(1 for r in members if r["priority"] == p) for p in PRIORITY_ORDER}
        summary.append({"type": label, **counts, "total": len(members)})
    changes = None
    if previous is not None:
        diff = diff_requirements(previous.requirements, requirements)
        changes = {
            "since": previous.number,
            "added": [r["reference"] for r in diff.added],
            "removed": [r["reference"] for r in diff.removed],
            "changed": [c.reference for c in diff.changed],
        }
    if baseline.signed_off_at:
        status = f"Signed off by {baseline.signed_off_name} on {baseline.signed_off_at:%d %b %Y}"
        signoff = {
            "signed": True,
            "name": baseline.signed_off_name,
            "at": f"{baseline.signed_off_at:%d %b %Y %H:%M} UTC",
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
        "groups": groups,
        "changes": changes,
        "signoff": signoff,
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


def render_docx(data: dict[str, Any]) -> bytes:
    """The document as DOCX (python-docx), the same content as the PDF."""
    import docx
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt, RGBColor

    accent = RGBColor(0x1F, 0x4E, 0x79)
    muted = RGBColor(0x5B, 0x66, 0x72)
    document = docx.Document()
    document.core_properties.title = f"{data['title']} — {data['opportunity']}"
    document.core_properties.author = data["vendor"]
    styles = document.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(10)

    def run(
        paragraph: Any, text: str, *, size: float | None = None, bold: bool = False, color: Any = None
    ) -> Any:
        r = paragraph.add_run(text)
        r.bold = bold
        if size:
            r.font.size = Pt(size)
        if color is not None:
            r.font.color.rgb = color
        return r

    # Title page.
    for _ in range(4):
        document.add_paragraph()
    run(document.add_paragraph(), data["vendor"].upper(), size=10, color=muted)
    run(document.add_paragraph(), data["title"], size=26, bold=True, color=accent)
    run(document.add_paragraph(), data["opportunity"], size=15)
    facts = document.add_table(rows=0, cols=2)
    for label, value in (
        ("Customer", data["customer"]),
        ("Opportunity", data["opportunity"]),
        ("Version", str(data["version"])),
        ("Date", data["date"]),
        ("Prepared by", data["prepared_by"]),
        ("Status", data["status_line"]),
        ("Requirements", str(len(data["requirements"]))),
    ):
        cells = facts.add_row().cells
        run(cells[0].paragraphs[0], label, color=muted)
        run(cells[1].paragraphs[0], value, bold=label == "Customer")
    if data["note"]:
        run(document.add_paragraph(), f"Note on this version: {data['note']}", color=muted)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    document.add_heading("Summary", level=1)
    summary = document.add_table(rows=1, cols=6)
    summary.style = "Light List Accent 1"
    for cell, text in zip(
        summary.rows[0].cells, ("Type", "Must", "Should", "Could", "Won't", "Total"), strict=True
    ):
        cell.text = text
    for row in data["summary"]:
        cells = summary.add_row().cells
        for cell, value in zip(
            cells,
            (row["type"], row["must"], row["should"], row["could"], row["wont"], row["total"]),
            strict=True,
        ):
            cell.text = str(value)
    if data["changes"] is not None:
        changes = data["changes"]
        document.add_heading(f"Changes since version {changes['since']}", level=2)
        for label, key in (("Added", "added"), ("Removed", "removed"), ("Changed", "changed")):
            if changes[key]:
                p = document.add_paragraph(style="List Bullet")
                run(p, f"{label}: ", bold=True)
                run(p, ", ".join(changes[key]))
        if not (changes["added"] or changes["removed"] or changes["changed"]):
            document.add_paragraph("No requirement changed.")

    for group in data["groups"]:
        document.add_heading(group["label"], level=1)
        table = document.add_table(rows=1, cols=4)
        table.style = "Light Grid Accent 1"
        for cell, text in zip(table.rows[0].cells, ("Id", "Requirement", "Priority", "Targets"), strict=True):
            cell.text = text
        for requirement in group["requirements"]:
            cells = table.add_row().cells
            run(cells[0].paragraphs[0], requirement["reference"], bold=True)
            cells[1].paragraphs[0].add_run(requirement["statement"])
            if requirement["acceptance"]:
                p = cells[1].add_paragraph()
                run(p, "Acceptance: ", size=8.5, bold=True, color=muted)
                run(p, requirement["acceptance"], size=8.5, color=muted)
            if requirement["conclusion"]:
                p = cells[1].add_paragraph()
                run(p, "Conclusion: ", size=8.5, bold=True, color=accent)
                run(p, requirement["conclusion"], size=8.5, color=accent)
            cells[2].text = requirement["priority"]
            cells[3].text = "\n".join(requirement["targets"])

    document.add_heading("Sign-off", level=1)
    document.add_paragraph(
        f"By signing, {data['customer']} confirms that version {data['version']} of this document "
        f"states its requirements for {data['opportunity']}."
    )
    block = document.add_table(rows=0, cols=2)
    block.style = "Table Grid"
    signoff = data["signoff"]
    for label, value in (
        ("Name", signoff["name"]),
        ("Organisation", data["customer"]),
        ("Version", str(data["version"])),
        ("Date and time", signoff["at"]),
        ("Signature", "Signed off in the Salesdesk portal" if signoff["signed"] else "\n\n"),
    ):
        cells = block.add_row().cells
        run(cells[0].paragraphs[0], label, color=muted)
        cells[1].text = value
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
