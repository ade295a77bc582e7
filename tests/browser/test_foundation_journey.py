"""Signing in and working an opportunity in a real browser: htmx, CSRF and CSP together."""

import re

import pytest
from playwright.sync_api import expect

from salesdesk.core import audit
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in|log in", re.I)).click()
    page.wait_for_url(f"{live_server.url}/")


def test_presales_engineer_moves_a_deal_on_without_a_page_reload(page, live_server, presales, world_a):
    # given Jonas, a level 4 presales engineer, signed in
    sign_in(page, live_server, presales)
    expect(page.locator("body")).to_contain_text("Jonas")
    expect(page.locator("body")).to_contain_text("Level 4")
    # when he opens the opportunity and changes its stage inline
    page.goto(f"{live_server.url}/opportunities/{world_a.opportunity.pk}/")
    page.evaluate("window.__marker = 'same page'")
    page.locator("#stage-block select").select_option("proposal")
    page.locator("#stage-block").get_by_role("button", name=re.compile("change stage", re.I)).click()
    # then the stage block updates in place (htmx, with the CSRF token) and the history shows the step
    expect(page.locator("#stage-block")).to_contain_text("Stage saved")
    expect(page.locator("body")).to_contain_text("moved to Proposal")
    assert page.evaluate("window.__marker") == "same page"
    world_a.opportunity.refresh_from_db()
    assert world_a.opportunity.stage == "proposal"
    assert audit.events_for(world_a.opportunity).first().step == "moved to Proposal"
    # and nothing the page needed was blocked by the Content-Security-Policy
    assert not [m for m in page.console_messages if "Content Security Policy" in m]
    page.screenshot(path="test-results/opportunity-detail.png", full_page=True)


def test_a_partner_user_sees_only_their_own_world(page, live_server, world_a, world_b):
    sign_in(page, live_server, world_a.partner_user)
    page.goto(f"{live_server.url}/organisations/")
    expect(page.locator("main")).to_contain_text("Customer A")
    expect(page.locator("main")).not_to_contain_text("Customer B")
    response = page.goto(f"{live_server.url}/organisations/{world_b.customer.pk}/")
    assert response.status == 404


def test_api_docs_render_offline_under_the_csp(page, live_server, agent):
    # given a signed-in user opening the interactive API docs (served from local files only)
    sign_in(page, live_server, agent)
    external = []
    page.on(
        "request",
        lambda request: (
            external.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:")
            else None
        ),
    )
    page.goto(f"{live_server.url}/api/docs")
    # then Swagger UI draws the operations, nothing came from elsewhere and the CSP blocked nothing
    expect(page.locator(".swagger-ui")).to_contain_text("/api/organisations")
    assert external == []
    assert not [m for m in page.console_messages if "Content Security Policy" in m]
