"""The requirements document renders as DOCX and PDF, with user text kept literal."""

import io
import re

import docx
import pytest

from salesdesk.deals import requirement_services as services
from salesdesk.deals.requirement_documents import (
    baseline_document,
    document_data,
    document_filename,
    typst_escape,
)

from .conftest import add

pytestmark = pytest.mark.django_db

HOSTILE = 'Handle #set page(width: 1cm) [x] $y$ <z> @ref \\ *bold* _it_ "quoted" // not a comment'


@pytest.fixture
def two_versions(consultant, world_a):
    add(consultant, world_a.opportunity, HOSTILE, acceptance="Load test", targets="peak_users = 2000 users")
    add(consultant, world_a.opportunity, "Stay up", type="availability", targets="availability >= 99.9 %")
    v1 = services.baseline_create(
        actor=consultant, opportunity=world_a.opportunity, note="After the workshop"
    )
    services.baseline_share(actor=consultant, baseline=v1, contact_id=world_a.contact.pk)
    services.baseline_signoff(actor=world_a.customer_user, baseline=v1, name="Sam Patel")
    add(consultant, world_a.opportunity, "Print labels")
    v2 = services.baseline_create(actor=consultant, opportunity=world_a.opportunity)
    return v1, v2


def test_the_docx_opens_with_title_requirements_by_type_and_sign_off(two_versions, world_a):
    v1, _v2 = two_versions
    v1.refresh_from_db()
    document = docx.Document(io.BytesIO(baseline_document(v1, "docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Requirements" in text and world_a.opportunity.name in text
    assert world_a.customer.name in cells and "1" in cells  # title page facts: customer, version
    assert any(c.startswith(HOSTILE) for c in cells)
    assert "peak_users = 2,000 users" in cells and "availability ≥ 99.9 %" in cells
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Summary", "Functional", "Non-functional: availability", "Sign-off"]
    assert "Sam Patel" in cells  # the sign-off block is filled in


def test_the_pdf_renders_with_pages_and_hostile_text_does_not_break_it(two_versions):
    _v1, v2 = two_versions
    pdf = baseline_document(v2, "pdf", previous=_v1)
    assert pdf.startswith(b"%PDF")
    pages = [int(n) for n in re.findall(rb"/Count (\d+)", pdf)]
    assert pages and max(pages) >= 2


def test_version_2_lists_what_changed(two_versions):
    v1, v2 = two_versions
    data = document_data(v2, v1)
    assert data["changes"] == {"since": 1, "added": ["REQ-003"], "removed": [], "changed": []}
    assert document_filename(v2, "pdf").endswith("-requirements-v2.pdf")


def test_typst_escape_makes_markup_literal():
    assert typst_escape("#a [b] $c$ *d*") == r"\#a \[b\] \$c\$ \*d\*"
