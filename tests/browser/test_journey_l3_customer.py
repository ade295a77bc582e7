"""JOURNEYS L3 and Customer on the demo data: Amara's workshop, Sam's answers and sign-off in the portal."""

import re

import pytest
from playwright.sync_api import expect

from salesdesk.deals.requirement_models import Requirement, RequirementBaseline, RequirementQuestion
from salesdesk.demo import demo_load
from salesdesk.parties.models import Contact

pytestmark = pytest.mark.django_db(transaction=True)

STATEMENT = "Depot dashboards load quickly over the warehouse Wi-Fi."
QUESTION = "On which Wi-Fi do the depot dashboards run: the scanner network or the office network?"
ANSWER = "The office network, 50 Mbit/s per depot."


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"demo-{username}-2026")
    page.get_by_role("button", name=re.compile("sign in|log in", re.I)).click()
    page.wait_for_url(f"{live_server.url}/")


def test_amara_runs_the_workshop_and_sam_signs_off_in_the_portal(page, browser, live_server):
    # given the demo data and Amara signed in; Sam signs in to the portal in his own browser
    demo_load()
    sam = Contact.objects.get(organisation__name="Northwind Logistics", first_name="Sam")
    customer = browser.new_context()
    portal = customer.new_page()
    portal.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, "amara")
        sign_in(portal, live_server, "sam")
        # when Amara opens the Northwind opportunity's requirements
        page.get_by_role("link", name="Opportunities", exact=True).click()
        page.get_by_role("link", name="Northwind logistics", exact=True).first.click()
        page.get_by_role("link", name="Open requirements").click()
        expect(page.get_by_role("heading", name="Requirements", exact=True)).to_be_visible()
        # she captures a requirement with a measurable target (Enter in the statement saves it)
        page.get_by_label("Type").select_option(label="Performance")
        page.get_by_label("Targets").fill("dashboard_load_seconds <= 3 s")
        page.get_by_label("Statement").fill(STATEMENT)
        page.get_by_label("Statement").press("Enter")
        requirement_row = page.locator("tr", has_text=STATEMENT)
        expect(requirement_row).to_contain_text("dashboard_load_seconds <= 3 s")
        expect(page.get_by_label("Statement")).to_be_focused()
        requirement = Requirement.objects.get(statement=STATEMENT)
        assert requirement.targets == [
            {"metric": "dashboard_load_seconds", "operator": "<=", "value": "3", "unit": "s"}
        ]
        # and asks Sam an open question about it
        requirement_row.get_by_text("Ask a question").click()
        requirement_row.get_by_label("Question").fill(QUESTION)
        requirement_row.get_by_label("Ask").select_option(str(sam.pk))
        requirement_row.get_by_role("button", name="Ask").click()
        expect(page.locator("body")).to_contain_text(f"Question raised on {requirement.reference}.")
        expect(page.locator("tr", has_text=STATEMENT)).to_contain_text("Open question")
        # then Sam finds it under "Questions for you" in the portal and answers every open one
        portal.get_by_role("link", name="Requirements", exact=True).click()
        questions = portal.locator("section", has=portal.get_by_role("heading", name="Questions for you"))
        mine = questions.locator("li", has_text=QUESTION)
        mine.get_by_label("Answer").fill(ANSWER)
        mine.get_by_role("button", name="Send answer").click()
        expect(portal.locator("body")).to_contain_text(f"Answer recorded on {requirement.reference}.")
        for _ in range(5):  # the demo leaves two more questions open for him
            remaining = questions.locator("li")
            if remaining.count() == 0:
                break
            remaining.first.get_by_label("Answer").fill("Yes, as discussed in the workshop.")
            remaining.first.get_by_role("button", name="Send answer").click()
            expect(portal.locator("body")).to_contain_text("Answer recorded on")
        expect(questions).to_contain_text("No open questions.")
        # Amara sees the answer, and records the conclusion on the requirement
        page.reload()
        row = page.locator("tr", has_text=STATEMENT)
        expect(row).to_contain_text(ANSWER)
        row.get_by_role("link", name="Edit").click()
        expect(page.get_by_label("Conclusion")).to_have_value(ANSWER)
        page.get_by_label("Conclusion").fill("Dashboards run on the office network (50 Mbit/s per depot).")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("body")).to_contain_text(f"{requirement.reference} saved.")
        # she baselines a new version and shares it with Sam
        page.get_by_label("Note on this version").fill("After the depot workshop")
        page.get_by_role("button", name="Baseline a new version").click()
        expect(page.locator("body")).to_contain_text("Version 2 baselined.")
        expect(page.get_by_role("heading", name="Changes since version 1")).to_be_visible()
        page.get_by_role("combobox", name="Share with").select_option(str(sam.pk))
        page.get_by_role("button", name="Share version 2").click()
        expect(page.locator("#signoff")).to_contain_text("waiting for sign-off")
        # and Sam reviews and signs off version 2 in the portal
        portal.get_by_role("link", name="Requirements", exact=True).click()
        portal.get_by_role("link", name="Review and sign off").click()
        expect(portal.get_by_role("heading", name=re.compile("version 2"))).to_be_visible()
        expect(portal.locator("main")).to_contain_text(STATEMENT)
        expect(portal.get_by_label("Your name")).to_have_value("Sam Patel")
        portal.get_by_label("I confirm these requirements for this version").check()
        portal.get_by_role("button", name="Sign off version 2").click()
        expect(portal.locator("#signoff")).to_contain_text("Signed off by Sam Patel")
    finally:
        customer.close()
    # the database holds the answered question, the conclusion and the signed-off version 2
    question = RequirementQuestion.objects.get(requirement=requirement)
    assert (question.status, question.answer, question.answered_by.username) == ("answered", ANSWER, "sam")
    requirement.refresh_from_db()
    assert requirement.conclusion == "Dashboards run on the office network (50 Mbit/s per depot)."
    baseline = RequirementBaseline.objects.get(requirement_set=requirement.requirement_set, number=2)
    assert (baseline.shared_with, baseline.signed_off_by.username, baseline.signed_off_name) == (
        sam,
        "sam",
        "Sam Patel",
    )
    assert any(r["statement"] == STATEMENT for r in baseline.requirements)
    # and nothing the pages needed was blocked by the Content-Security-Policy
    assert not [m for m in page.console_messages if "Content Security Policy" in m]
