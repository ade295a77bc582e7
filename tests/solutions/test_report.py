"""The feasibility report: what a customer's architect reads in the PDF, and the verdict it gives."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader

from salesdesk.solutions.report import (
    CheckLine,
    FeasibilityReport,
    FitGapLine,
    ScoreLine,
    charts_for,
    render_pdf,
    render_png,
    report_filename,
    sizing_section,
    verdict,
)
from salesdesk.solutions.workload import catalog_items, run_sizing

CATALOG = catalog_items(
    [
        {"sku": "WEB-S", "name": "Web small", "price": "1000.00", "specs": {"cores": 2}},
        {"sku": "WEB-L", "name": "Web large", "price": "1700.00", "specs": {"cores": 4}},
        {"sku": "DB-2", "name": "DB pair", "price": "5500.00", "specs": {"cores": 2}},
    ]
)
WORKLOAD = {
    "peak_arrival_rate": 40,
    "growth_per_year": 0.2,
    "years": 3,
    "response_time": 0.25,
    "tiers": [
        {"name": "web", "service_demand": 0.05, "skus": ["WEB-S", "WEB-L"], "max_units": 8},
        {"name": "db", "service_demand": 0.02, "skus": ["DB-2"], "max_units": 2},
    ],
}


@pytest.fixture(scope="module")
def result():
    return run_sizing(WORKLOAD, [], CATALOG)


@pytest.fixture
def feasibility(result):
    return FeasibilityReport(
        title="Feasibility report",
        customer="Northwind Health",
        opportunity="Patient portal renewal",
        solution="Portal on the App Server range",
        version=2,
        date="30 November 2026",
        prepared_by="Jonas Berg",
        status="Draft",
        fit_gap=(
            FitGapLine("FR-1", "Patients book appointments online", "Must", "full", "Web large"),
            FitGapLine(
                "NFR-1", "Pages load fast at peak", "Must", "full", "Web large", targets="p95 ≤ 0.25 s"
            ),
            FitGapLine("FR-7", "Offline mode on tablets", "Could", "gap", note="Product gap raised"),
        ),
        must_total=2,
        must_full=2,
        checks=(
            CheckLine("compatibility", "Web large requires DB pair", "pass", "DB pair is in the solution."),
            CheckLine("lifecycle", "DB pair", "pass", "Available."),
        ),
        sizing=sizing_section(result),
        charts=charts_for(result),
        assumptions=("Peak hour is Monday 10:00–11:00.",),
        score_total=81,
        score_parts=(ScoreLine("fit", 90, "40 %", "All must-haves fully met."),),
    )


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_pdf_carries_every_section_with_its_figures(feasibility):
    content = render_pdf(feasibility)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for expected in (
        "Feasibility report",
        "Northwind Health",
        "Patient portal renewal",
        "Verdict Feasible • All 2 must-have requirements are fully met.",  # on the title page
        "2 of 2 must-have requirements are fully met",
        "Offline mode on tablets",
        "DB pair is in the solution.",
        "Practicality score: 81",
        "Sized configuration EUR 7,200.00",
        "Per contract year",
        "57.6",  # year 3's peak load
        "Figure 1",
        "Figure 2",
        "Peak hour is Monday 10:00–11:00.",
        "Erlang C",
    ):
        assert expected in text, expected
    assert len(PdfReader(io.BytesIO(content)).pages) >= 3


def test_what_people_typed_is_never_read_as_typst(feasibility):
    hostile = '#set text(size: 90pt) ] $x^2$ <end> @fig #pagebreak() "quoted" \\ *bold*'
    report = replace(feasibility, customer=hostile, assumptions=(hostile,))
    text = pdf_text(render_pdf(report))
    assert "#set text(size: 90pt)" in text
    assert "$x^2$" in text and "#pagebreak()" in text


def test_the_pages_render_as_pictures(feasibility):
    pages = render_png(feasibility, ppi=30)
    assert len(pages) >= 3
    assert all(page.startswith(b"\x89PNG") for page in pages)


@pytest.mark.parametrize(
    ("change", "level"),
    [
        ({}, "feasible"),
        ({"checks": (CheckLine("lifecycle", "DB pair", "warn", "End of sale in 2027."),)}, "conditional"),
        ({"checks": (CheckLine("capacity", "users", "fail", "2,880 users > 2,000."),)}, "not_feasible"),
        ({"fit_gap": (FitGapLine("FR-1", "Book online", "Must", "gap"),), "must_total": 1}, "not_feasible"),
        (
            {"fit_gap": (FitGapLine("FR-1", "Book online", "Must", "partial"),), "must_total": 1},
            "conditional",
        ),
        ({"sizing": None, "charts": ()}, "conditional"),
    ],
)
def test_the_verdict_follows_the_evidence(feasibility, change, level):
    assert verdict(replace(feasibility, **change))[0] == level


def test_a_feasible_verdict_gives_its_reasons(feasibility):
    level, headline, reasons = verdict(feasibility)
    assert (level, headline) == ("feasible", "Feasible")
    assert "All 2 must-have requirements are fully met." in reasons
    assert any("5 % headroom in year 3" in r for r in reasons)


def test_failed_sizing_is_reported_as_a_blocker():
    failed = run_sizing({**WORKLOAD, "peak_arrival_rate": 400}, [], CATALOG)
    report = FeasibilityReport(
        title="Feasibility report",
        customer="C",
        opportunity="O",
        version=1,
        date="1 December 2026",
        sizing=sizing_section(failed),
        charts=charts_for(failed),
    )
    assert report.charts == ()
    level, _, reasons = verdict(report)
    assert level == "not_feasible" and reasons[0].startswith("Sizing: no option for tier 'web'")
    assert "No configuration of the offered catalog items meets the targets" in pdf_text(render_pdf(report))


def test_not_sized_says_so():
    report = FeasibilityReport(title="Feasibility report", customer="C", opportunity="O", version=1, date="d")
    assert "This version has not been sized yet." in pdf_text(render_pdf(report))


def test_filename_names_the_opportunity_and_version(feasibility):
    assert report_filename(feasibility) == "patient-portal-renewal-feasibility-v2.pdf"
    assert report_filename(replace(feasibility, opportunity="«Ünïcode» / deal!!", version=3)) == (
        "ünïcode-deal-feasibility-v3.pdf"
    )
