"""The stage form asks "Why was it lost?" only while Lost is chosen (deals/stage.js, CSP-clean)."""

import re

import pytest
from playwright.sync_api import expect

from .test_foundation_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_lost_reason_appears_for_lost_only_and_survives_the_htmx_swap(
    page, live_server, presales, world_a
):
    sign_in(page, live_server, presales)
    page.goto(f"{live_server.url}/opportunities/{world_a.opportunity.pk}/")
    block = page.locator("#stage-block")
    reason = block.get_by_label("Why was it lost?")
    expect(reason).to_be_hidden()
    block.locator("select").select_option("lost")
    expect(reason).to_be_visible()
    expect(reason).to_be_focused()
    block.locator("select").select_option("won")
    expect(reason).to_be_hidden()
    # Lost without a reason: the answer swaps in with the field shown and its error
    block.locator("select").select_option("lost")
    block.get_by_role("button", name=re.compile("change stage", re.I)).click()
    expect(block).to_contain_text("Say why the deal was lost.")
    expect(reason).to_be_visible()
    # the swapped-in form still toggles, and a reason moves the deal to Lost
    block.locator("select").select_option("proposal")
    expect(reason).to_be_hidden()
    block.locator("select").select_option("lost")
    reason.fill("Price")
    block.get_by_role("button", name=re.compile("change stage", re.I)).click()
    expect(block).to_contain_text("lost because: Price")
    world_a.opportunity.refresh_from_db()
    assert world_a.opportunity.stage == "lost" and world_a.opportunity.lost_reason == "Price"
    assert not [m for m in page.console_messages if "Content Security Policy" in m]
