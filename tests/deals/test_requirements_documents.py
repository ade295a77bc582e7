"""The requirements document renders as DOCX and PDF a customer can read, with user text kept literal."""

import io
import re

import docx
import pypdf
import pytest

from salesdesk.deals import requirement_services as services
from salesdesk.deals.models import RequirementQuestion
from salesdesk.deals.requirement_documents import (
    baseline_document,
    document_data,
    document_filename,
    render_png_pages,
    typst_escape,
)

from .conftest import add

pytestmark = pytest.mark.django_db

HOSTILE = 'Handle #set page(width: 1cm) [x] $y$ <z> @ref \\ *bold* _it_ "quoted" // not a comment'


@pytest.fixture
def two_versions(consultant, world_a):
    first = add(
        consultant, world_a.opportunity, HOSTILE, acceptance="Load test", targets="peak_users = 2000 users"
    )
    add(consultant, world_a.opportunity, "Stay up", type="availability", targets="availability >= 99.9 %")
    question = services.question_raise(
        actor=consultant, requirement=first, text="Measured at the depot or the data centre?"
    )
    services.question_answer(
        actor=world_a.customer_user, question=question, answer="At the depot, over its own link."
    )
    v1 = services.baseline_create(
        actor=consultant, opportunity=world_a.opportunity, note="After the workshop"
    )
    services.baseline_share(actor=consultant, baseline=v1, contact_id=world_a.contact.pk)
    services.baseline_signoff(actor=world_a.customer_user, baseline=v1, name="Sam Patel")
    add(consultant, world_a.opportunity, "Print labels", priority="could")
    v2 = services.baseline_create(actor=consultant, opportunity=world_a.opportunity)
    v1.refresh_from_db()
    return v1, v2


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def test_the_baseline_keeps_each_question_and_answer_beside_the_requirement(two_versions):
    v1, _v2 = two_versions
    first = next(r for r in v1.requirements if r["reference"] == "REQ-001")
    assert first["clarifications"] == [
        {
            "question": "Measured at the depot or the data centre?",
            "answer": "At the depot, over its own link.",
            "channel": "portal",
            "answered_on": RequirementQuestion.objects.get().answered_at.date().isoformat(),
        }
    ]
    assert first["conclusion"] == "At the depot, over its own link."


def test_the_docx_has_numbered_sections_by_type_styled_tables_page_numbers_and_sign_off(
    two_versions, world_a
):
    v1, _v2 = two_versions
    document = docx.Document(io.BytesIO(baseline_document(v1, "docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Requirements" in text and world_a.opportunity.name in text
    assert f"Prepared for {world_a.customer.name}" in text
    assert world_a.customer.name in cells and "1" in cells  # title page facts: customer, version
    assert any(c.startswith(HOSTILE) for c in cells)
    assert "peak_users = 2,000 users" in cells and "availability ≥ 99.9 %" in cells
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "1. Summary",
        "2. Functional requirements",
        "3. Non-functional: availability",
        "4. Sign-off",
    ]
    assert "Sam Patel" in cells  # the sign-off block is filled in
    clarified = next(c for c in cells if c.startswith(HOSTILE))
    assert "Question: Measured at the depot or the data centre?" in clarified
    assert "Answer (portal, " in clarified and "Conclusion: At the depot, over its own link." in clarified
    # Requirement tables repeat their shaded header row on every page.
    requirement_table = next(t for t in document.tables if t.rows[0].cells[0].text == "Id")
    assert requirement_table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
    assert requirement_table.rows[0].cells[0]._tc.xpath("./w:tcPr/w:shd")
    # The footer numbers the pages ("Page 3 of 9") with Word's fields.
    footer = document.sections[0].footer.paragraphs[0]
    instructions = [i.text.strip() for i in footer._p.xpath(".//w:instrText")]
    assert instructions == ["PAGE", "NUMPAGES"] and "Page" in footer.text


def test_the_pdf_reads_as_a_document_for_the_customer(two_versions, world_a):
    v1, v2 = two_versions
    pages = pdf_pages(baseline_document(v2, "pdf", previous=v1))
    title = pages[0]
    for fact in (
        world_a.customer.name,
        world_a.opportunity.name,
        "Version 2",
        "Prepared by",
        "Not yet signed off",
    ):
        assert fact in title
    # Every page is numbered "Page n of N".
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    body = "\n".join(pages[1:])
    assert "Contents" in body and "How to read this document" in body
    positions = [
        body.index(h) for h in ("Summary", "Functional requirements", "Non-functional: availability")
    ]
    assert positions == sorted(positions)
    assert "Changes since version 1" in body and "Added: REQ-003" in body
    # User text is printed as typed, never read as Typst markup.
    assert "#set page(width: 1cm) [x] $y$" in " ".join(body.split())
    assert "Measured at the depot or the data centre?" in body
    assert "peak_users = 2,000 users" in body and "availability ≥ 99.9 %" in body
    assert body.rindex("Sign-off") > body.index("REQ-003")


def test_a_signed_off_version_shows_who_signed_and_when(two_versions):
    v1, _v2 = two_versions
    pages = pdf_pages(baseline_document(v1, "pdf"))
    assert "Signed off by Sam Patel" in pages[0]
    assert "Signed off electronically in the customer portal" in pages[-1]
    assert f"{v1.signed_off_at:%-d %b %Y %H:%M} UTC" in pages[-1]


def test_version_2_lists_what_changed_and_counts_priorities(two_versions):
    v1, v2 = two_versions
    data = document_data(v2, v1)
    assert data["changes"] == {"since": 1, "added": ["REQ-003"], "removed": [], "changed": []}
    assert data["summary_totals"] == [2, 0, 1, 0, 3]  # must, should, could, won't, total
    assert [g["has_targets"] for g in data["groups"]] == [True, True]
    assert document_filename(v2, "pdf").endswith("-requirements-v2.pdf")


def test_the_pdf_pages_can_be_looked_at_as_images(two_versions):
    v1, _v2 = two_versions
    pages = render_png_pages(document_data(v1), ppi=30)
    assert len(pages) >= 2 and all(p.startswith(b"\x89PNG") for p in pages)


def test_typst_escape_makes_markup_literal():
    assert typst_escape("#a [b] $c$ *d*") == r"\#a \[b\] \$c\$ \*d\*"
    assert re.fullmatch(r"(\\.|[^\\])*", typst_escape("a\\b"))
