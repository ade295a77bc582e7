"""JOURNEYS L1 step 3 on the demo data: Priya opens a complaint from a call and escalates it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from salesdesk.demo import demo_load
from salesdesk.parties.models import Contact, User
from salesdesk.service.models import Case, Escalation, Interaction

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = "Order 5120 arrived without licences"


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"demo-{username}-2026")
    page.get_by_role("button", name=re.compile("sign in|log in", re.I)).click()
    page.wait_for_url(f"{live_server.url}/")


def test_priya_opens_a_complaint_from_a_call_and_escalates_it(page, live_server):
    # given the demo data and Priya signed in
    demo_load()
    sam = Contact.objects.get(organisation__name="Northwind Logistics", first_name="Sam")
    sign_in(page, live_server, "priya")
    mail.outbox.clear()
    # when she finds the caller's account and logs the call, ticking "open a case from this call"
    page.keyboard.press("/")
    expect(page.get_by_label("Search organisations")).to_be_focused()
    page.keyboard.type("Northwind")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Northwind Logistics", exact=True).first.click()
    log = page.locator("form", has=page.get_by_label("Open a case from this call"))
    log.get_by_label("Kind").select_option(label="Call")
    log.get_by_label("Contact").select_option(str(sam.pk))
    log.get_by_label("Notes").fill("Order 5120 arrived without licence keys; customer is upset.")
    log.get_by_label("Open a case from this call").check()
    log.get_by_role("button", name="Log").click()
    # then the new-case form says the call will be linked, with the account and caller filled in
    expect(page.get_by_role("heading", name="New case")).to_be_visible()
    expect(page.locator("main")).to_contain_text("it will be linked to the case")
    expect(page.get_by_label("Customer account")).to_have_value(str(sam.organisation_id))
    expect(page.get_by_label("Contact")).to_have_value(str(sam.pk))
    # when she opens it as a high-priority complaint
    page.get_by_label("Type").select_option(label="Complaint")
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_label("Subject").fill(SUBJECT)
    page.get_by_role("button", name="Open case").click()
    expect(page.get_by_role("heading", name=re.compile(SUBJECT))).to_be_visible()
    expect(page.locator("main")).to_contain_text("logged a call with")
    # and escalates it to level 2 with a reason
    escalate = page.locator("section", has=page.get_by_role("heading", name="Escalate"))
    escalate.get_by_label("Escalate to").select_option(label="Tier 2")
    escalate.get_by_label("Reason").fill("No answer fits; licences need checking in the order system.")
    escalate.get_by_role("button", name="Escalate").click()
    expect(page.locator("body")).to_contain_text("went to the tier 2 queue")
    expect(page.locator("main")).to_contain_text("escalated from tier 1 to 2")
    # the database holds the complaint with the call attached, the escalation and its reason
    case = Case.objects.get(subject=SUBJECT)
    assert (case.case_type, case.tier, case.contact, case.opened_by.username) == (
        "complaint",
        2,
        sam,
        "priya",
    )
    assert case.acknowledged_at is not None
    call = Interaction.objects.get(case=case)
    assert (call.kind, call.contact, call.logged_by.username) == ("call", sam, "priya")
    escalation = Escalation.objects.get(case=case)
    assert (escalation.from_tier, escalation.to_tier) == (1, 2)
    assert escalation.reason.startswith("No answer fits")
    # and the caller got an acknowledgement e-mail with a link to the case
    acknowledgements = [
        m for m in mail.outbox if m.subject.startswith(f"[{case.reference}] We have received")
    ]
    assert len(acknowledgements) == 1
    assert acknowledgements[0].to == [sam.email]
    assert f"/cases/{case.pk}/" in acknowledgements[0].body
    # while the level 2 people were told of the escalation
    escalated = [m for m in mail.outbox if m.subject.startswith(f"[{case.reference}] Escalated to tier 2")]
    assert len(escalated) == 1 and sam.email not in escalated[0].to
    assert User.objects.get(username="tomas").email in escalated[0].to
    # and nothing the pages needed was blocked by the Content-Security-Policy
    assert not [m for m in page.console_messages if "Content Security Policy" in m]
