"""JOURNEYS L2 on the demo data: Tomás works Priya's escalated complaint, drafts a knowledge answer
from it as he resolves it; the customer rates it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from salesdesk.core.audit import events_for
from salesdesk.demo import demo_load
from salesdesk.knowledge.models import Answer
from salesdesk.parties.models import Contact
from salesdesk.service.models import Case, Interaction

pytestmark = pytest.mark.django_db(transaction=True)

COMPLAINT = "Order arrived without licences"


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"demo-{username}-2026")
    page.get_by_role("button", name=re.compile("sign in|log in", re.I)).click()
    page.wait_for_url(f"{live_server.url}/")


def test_tomas_resolves_the_escalated_complaint_and_the_customer_rates_it(page, browser, live_server):
    # given the demo data (Priya's complaint escalated to tier 2) and Tomás signed in
    demo_load()
    sam = Contact.objects.get(organisation__name="Northwind Logistics", first_name="Sam")
    sign_in(page, live_server, "tomas")
    mail.outbox.clear()
    # when he signs in, his home page shows the escalated complaint first, flagged, with its SLA clock
    first = (
        page.locator("main section", has=page.get_by_role("heading", name=re.compile("My work")))
        .locator("tbody tr")
        .first
    )
    expect(first).to_contain_text(COMPLAINT)
    expect(first).to_contain_text("Escalated to tier 2")
    expect(first).to_contain_text(re.compile(r"\d+ h \d+ m left"))
    # (the Cases page opens on his tier's queue too, the complaint first)
    page.get_by_role("link", name="Cases", exact=True).click()
    expect(page.get_by_role("link", name="My tier's queue")).to_have_attribute("aria-current", "page")
    expect(page.locator("main table tbody tr").first).to_contain_text(COMPLAINT)
    page.go_back()
    first.get_by_role("link", name=re.compile("CS-")).first.click()
    expect(page.get_by_role("heading", name=re.compile(COMPLAINT))).to_be_visible()
    page.get_by_role("button", name="Take it").click()
    expect(page.locator("body")).to_contain_text("is yours")
    # he phones the customer and logs the call on the case
    log = page.locator("section", has=page.get_by_role("heading", name="Log a call, meeting or e-mail"))
    log.get_by_label("Kind").select_option(label="Call")
    log.get_by_label("Contact").select_option(str(sam.pk))
    log.get_by_label("Direction").select_option(label="Outbound")
    log.get_by_label("Minutes").fill("12")
    log.get_by_label("Outcome").fill("Licence keys re-sent")
    log.get_by_label("Notes").fill(
        "The licence job failed for order 4711; keys re-issued while on the phone."
    )
    log.get_by_role("button", name="Log").click()
    expect(page.locator("body")).to_contain_text("Interaction logged.")
    expect(page.locator("main")).to_contain_text("Tomás Silva logged a call with Sam Patel (12 min)")
    # he records the complaint handling
    handling = page.locator("section", has=page.get_by_role("heading", name="Complaint handling"))
    handling.get_by_label("Acknowledged to the customer").check()
    handling.get_by_label("Investigation").fill("Order system shows the licence job failed for order 4711.")
    handling.get_by_label("Response").fill("Keys re-issued and sent; apology for the delay.")
    handling.get_by_label("Root cause").fill("Licence server timed out during the nightly order run.")
    handling.get_by_label("Corrective action").fill("Licence job now retries and alerts the order desk.")
    handling.get_by_role("button", name="Save").click()
    expect(page.locator("body")).to_contain_text("Complaint handling saved.")
    # and resolves the case with a note for the customer, going on to draft a knowledge answer
    page.get_by_label("Resolution note").fill("Your licence keys were re-issued and e-mailed to you.")
    page.get_by_role("button", name="Resolve and draft an answer").click()
    expect(page.locator("body")).to_contain_text("is now resolved")
    # the draft comes filled in from the case; he makes it useful for the next customer
    expect(page.get_by_role("heading", name=re.compile("Draft a knowledge answer from CS-"))).to_be_visible()
    expect(page.get_by_label("Question")).to_have_value(COMPLAINT)
    expect(page.get_by_role("textbox", name="Answer", exact=True)).to_have_value(
        "Your licence keys were re-issued and e-mailed to you."
    )
    page.get_by_label("Question").fill("What if an order arrives without licence keys?")
    page.get_by_role("textbox", name="Answer", exact=True).fill(
        "The licence job may have failed for the order. Support re-issues the keys, which arrive "
        "by e-mail within minutes."
    )
    page.get_by_role("button", name="Save draft answer").click()
    expect(page.locator("body")).to_contain_text("was saved as a draft from CS-")
    drafted = page.locator(
        "section", has=page.get_by_role("heading", name="Knowledge answers from this case")
    )
    expect(drafted.get_by_role("link", name="What if an order arrives without licence keys?")).to_be_visible()
    case = Case.objects.get(subject=COMPLAINT, account=sam.organisation)
    assert (case.status, case.assignee.username) == ("resolved", "tomas")
    assert case.root_cause.startswith("Licence server timed out")
    assert case.corrective_action.startswith("Licence job now retries")
    assert case.acknowledged_at is not None and case.resolved_at is not None
    answer = Answer.objects.get(title="What if an order arrives without licence keys?")
    assert (answer.status, answer.owner.username) == ("draft", "tomas")
    assert [p.sku for p in answer.products.all()] == ["KS-EG-400"]
    assert events_for(case).filter(step="knowledge answer drafted", detail__answer_id=answer.pk).exists()
    call = Interaction.objects.get(case=case, logged_by__username="tomas")
    assert (call.kind, call.direction, call.duration_minutes) == ("call", "outbound", 12)
    # the customer gets the resolution e-mail with a signed rating link ...
    resolved = [m for m in mail.outbox if m.subject.startswith(f"[{case.reference}] Resolved")]
    assert len(resolved) == 1 and resolved[0].to == [sam.email]
    link = re.search(r"https?://\S+/cases/rate/\?t=\S+", resolved[0].body).group(0)
    # ... and rates the service 5/5 from it, without signing in
    customer = browser.new_context()
    try:
        rating_page = customer.new_page()
        rating_page.goto(live_server.url + link[link.index("/cases/rate/") :])
        expect(rating_page.get_by_role("heading", name="How did we do?")).to_be_visible()
        rating_page.get_by_label("5", exact=True).check()
        rating_page.get_by_label("Comment").fill("Quick and friendly, thank you.")
        rating_page.get_by_role("button", name="Send rating").click()
        expect(rating_page.get_by_role("heading", name="Thank you")).to_be_visible()
    finally:
        customer.close()
    case.refresh_from_db()
    assert (case.satisfaction_score, case.satisfaction_comment) == (5, "Quick and friendly, thank you.")
    # and Tomás sees the rating on the case
    page.reload()
    expect(page.locator("main")).to_contain_text("5/5")
    # and nothing the pages needed was blocked by the Content-Security-Policy
    assert not [m for m in page.console_messages if "Content Security Policy" in m]
