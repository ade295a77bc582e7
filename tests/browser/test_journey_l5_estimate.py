"""JOURNEYS L5 step 2 on the demo data: Grace returns Jonas's estimate, calibrates it, signs it off."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from salesdesk.demo import demo_load
from salesdesk.estimates.models import Estimate, EstimateRisk, EstimateTask, EstimateVersion

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Northwind WMS rollout — delivery estimate"
COMMENT = "R3: the client SMEs are not booked yet; raise its probability to 0.4."


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"demo-{username}-2026")
    page.get_by_role("button", name=re.compile("sign in|log in", re.I)).click()
    page.wait_for_url(f"{live_server.url}/")


def open_estimate(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Estimates").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()


def test_grace_returns_calibrates_and_signs_off_the_estimate(page, browser, live_server):
    # given the demo data: Jonas's Northwind estimate, version 3 in draft, and he submits it
    demo_load()
    estimate = Estimate.objects.get(title=TITLE)
    integration_before = {
        t.pk: t.most_likely for t in EstimateTask.objects.filter(estimate=estimate, task_type="integration")
    }
    jonas_context = browser.new_context()
    jonas = jonas_context.new_page()
    jonas.set_default_timeout(10_000)
    try:
        sign_in(jonas, live_server, "jonas")
        open_estimate(jonas)
        jonas.get_by_role("button", name="Submit for review").click()
        expect(jonas.locator("main")).to_contain_text("Submitted")
        # when Grace opens it and returns it with a comment on one risk
        sign_in(page, live_server, "grace")
        open_estimate(page)
        expect(page.locator("main")).to_contain_text("Version 3 · Submitted")
        review = page.locator("#review")
        review.get_by_label("Comments").fill(COMMENT)
        review.get_by_role("button", name="Return with comments").click()
        expect(page.locator("main")).to_contain_text("Returned")
        # the calibration report shows integration work under-estimated by 18 %, and she applies its factor
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Estimates").click()
        page.get_by_role("link", name="Calibration report").click()
        integration = page.locator("tr", has=page.get_by_role("cell", name="integration", exact=True)).first
        expect(integration).to_contain_text("18 %")
        expect(integration).to_contain_text("×1.179")
        # in one click on the integration row: its factor is filled in, she only picks the estimate
        apply = page.get_by_role("form", name="Apply a factor to integration tasks")
        expect(apply.get_by_label("Factor")).to_have_value("1.179")
        apply.get_by_label("Estimate").select_option(str(estimate.pk))
        apply.get_by_role("button", name="Apply to integration tasks").click()
        count = len(integration_before)
        expect(page.locator("body")).to_contain_text(
            f"Factor ×1.179 applied to {count} integration task{'' if count == 1 else 's'} of “{TITLE}”. "
            "This started version 4 (v3 was returned for review comments)."
        )
        expect(page.locator("main")).to_contain_text("Version 4 · Draft")
        # Jonas reads her comment on the estimate page itself, although version 4 has started,
        # changes the risk and submits again
        jonas.reload()
        review_note = jonas.locator("#return-comments")
        expect(review_note).to_contain_text("Returned v3 by Grace")
        expect(review_note).to_contain_text("still to address in this draft, v4")
        expect(review_note).to_contain_text(COMMENT)
        jonas.locator("tr", has=jonas.get_by_role("cell", name="R3", exact=True)).get_by_role(
            "link", name="Edit"
        ).click()
        jonas.get_by_role("spinbutton", name="Probability", exact=True).fill("0.4")
        jonas.get_by_role("button", name=re.compile("^Save")).click()
        jonas.get_by_role("button", name="Submit for review").click()
        expect(jonas.locator("main")).to_contain_text("Submitted")
        # and Grace signs off the new version
        open_estimate(page)
        expect(page.locator("main")).to_contain_text("Submitted")
        page.locator("#review").get_by_role("button", name="Sign off").click()
        expect(page.locator("main")).to_contain_text("Signed off")
    finally:
        jonas_context.close()
    # the database holds the returned version with her comment and the signed-off new one
    estimate.refresh_from_db()
    assert estimate.status == "signed_off"
    returned = EstimateVersion.objects.get(estimate=estimate, number=3)
    assert (returned.status, returned.review_comments) == ("returned", COMMENT)
    signed = EstimateVersion.objects.get(estimate=estimate, number=estimate.current_version)
    assert signed.number > 3 and signed.signed_off_by.username == "grace"
    assert EstimateRisk.objects.get(estimate=estimate, code="R3").probability == Decimal("0.4")
    for task in EstimateTask.objects.filter(pk__in=integration_before):
        assert abs(task.most_likely - integration_before[task.pk] * Decimal("1.179")) < Decimal("0.01")
    # and nothing the pages needed was blocked by the Content-Security-Policy
    assert not [m for m in page.console_messages if "Content Security Policy" in m]
