"""JOURNEYS L5 step 1 in a real browser on the demo data: Grace's board shows every presales
request, who has it and who is overloaded; she reassigns two, the second from the keyboard."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from salesdesk.deals.models import PresalesRequest
from salesdesk.demo import demo_load
from salesdesk.parties.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"demo-{username}-2026")
    page.get_by_role("button", name=re.compile("sign in|log in", re.I)).click()
    page.wait_for_url(f"{live_server.url}/")


def test_grace_reassigns_two_requests_from_her_board(page, live_server):
    # given the demo data, Grace signs in and opens Presales
    demo_load()
    sign_in(page, live_server, "grace")
    page.get_by_role("link", name="Presales", exact=True).click()
    expect(page.get_by_role("heading", name="Presales board")).to_be_visible()
    # then she sees every open request by status, overdue work marked, and the workload panel
    for column in ("Requested", "Acknowledged", "Assigned", "In progress", "Delivered"):
        expect(page.get_by_role("heading", name=re.compile(f"^{column}"))).to_be_visible()
    expect(page.locator(".presales-card.is-overdue").first).to_be_visible()
    workload = page.get_by_role("region", name="Workload")
    expect(workload.get_by_role("link", name="Jonas Berg")).to_be_visible()
    if os.environ.get("SALESDESK_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["SALESDESK_SCREENSHOTS"], "presales-board.png"), full_page=True
        )

    # when she reassigns Felix's Fairhaven estimate to Amara (who also holds Managed hosting)
    fairhaven = PresalesRequest.objects.get(description__startswith="Migration estimate")
    card = page.locator("[data-board-card]", has_text=fairhaven.reference)
    card.get_by_label(re.compile("Reassign")).select_option(value=str(User.objects.get(username="amara").pk))
    card.get_by_role("button", name="Reassign").click()
    expect(page.get_by_text(f"{fairhaven.reference} assigned to Amara")).to_be_visible()

    # and the second from the keyboard: focus the card, "a" for the picker, choose, Tab, Enter
    moravia = PresalesRequest.objects.get(description__startswith="SD-WAN orchestration demo")
    card = page.locator("[data-board-card]", has_text=moravia.reference)
    card.focus()
    page.keyboard.press("a")
    picker = card.locator("[data-assign-select]")
    expect(picker).to_be_focused()
    picker.select_option(value=str(User.objects.get(username="jonas").pk))
    page.keyboard.press("Tab")
    expect(card.get_by_role("button", name="Reassign")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"{moravia.reference} assigned to Jonas Berg.")).to_be_visible()

    # then both have their new people
    fairhaven.refresh_from_db()
    moravia.refresh_from_db()
    assert (fairhaven.assignee.username, moravia.assignee.username) == ("amara", "jonas")
    assert not page.console_messages


def test_lena_follows_her_request_and_comments(page, live_server):
    # given the demo data, Lena (partner) opens Presales: her own organisation's requests
    demo_load()
    sign_in(page, live_server, "lena")
    page.get_by_role("link", name="Presales", exact=True).click()
    expect(page.get_by_role("heading", name="Presales requests")).to_be_visible()
    request = PresalesRequest.objects.get(description__startswith="Confirm SSO with Northwind")
    others = PresalesRequest.objects.exclude(requester_organisation__name="Brightpath IT Solutions")
    expect(page.get_by_text(others.first().description)).to_have_count(0)
    # when she opens her Northwind SSO qualification
    page.get_by_role("link", name=re.compile(f"^{request.reference} ")).click()
    expect(page.get_by_role("heading", name="Status timeline")).to_be_visible()
    expect(page.get_by_text("In progress", exact=True).first).to_be_visible()
    # and asks a question in the comments
    page.get_by_role("textbox", name="Comment").fill("Northwind's IT lead can join on Thursday.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Northwind's IT lead can join on Thursday.")).to_be_visible()
    if os.environ.get("SALESDESK_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["SALESDESK_SCREENSHOTS"], "presales-detail.png"), full_page=True
        )
    # then she has no manager's controls
    expect(page.get_by_role("button", name=re.compile("Assign|Reassign|Acknowledge"))).to_have_count(0)
    assert not page.console_messages
