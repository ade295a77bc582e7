"""JOURNEYS L4 step 2 on the demo data: Jonas sizes the Northwind design and gets the report."""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from salesdesk.demo import demo_load
from salesdesk.solutions.models import SolutionDesign

pytestmark = pytest.mark.django_db(transaction=True)


def test_jonas_sizes_the_application_tier_and_downloads_the_report(page, live_server):
    # given the demo data: Jonas's Northwind design, whose version 2 carries a workload
    demo_load()
    design = SolutionDesign.objects.get(title="Northwind parcel tracking platform")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("jonas")
    page.get_by_label("Password").fill("demo-jonas-2026")
    page.get_by_role("button", name=re.compile("sign in|log in", re.I)).click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/solutions/{design.pk}/v2/")
    page.get_by_role("link", name="Sizing", exact=True).click()
    # the page shows what the requirements ask, and the workload he saved
    main = page.locator("main")
    expect(main).to_contain_text("p95_response_seconds <= 1.5 s")
    expect(main).to_contain_text("growth_per_year = 20 %")
    expect(page.locator("#id_tiers-1-name")).to_have_value("app")
    # when he sizes it
    page.get_by_role("button", name="Save workload and size").click()
    # then the cheapest configuration meets the target in every contract year, with the hockey stick
    expect(main).to_contain_text("meets the targets in all 3 contract years")
    expect(page.locator("#configuration")).to_contain_text(re.compile(r"Kestrel App Server \d+"))
    chart = page.get_by_role("img", name="Response time (p95) against load")
    expect(chart).to_be_visible()
    expect(chart).to_contain_text("Requirement: p95 ≤ 1.5 s")
    # and the feasibility report downloads as a PDF carrying the evidence
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download feasibility report (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "northwind-logistics-feasibility-v2.pdf"
    content = Path(download.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Northwind parcel tracking platform" in text
    assert "Per contract year" in text
    assert page.console_messages == []
