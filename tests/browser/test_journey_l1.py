"""JOURNEYS L1 on the demo data: Priya answers a caller's question and logs it on the contact."""

import re

import pytest
from playwright.sync_api import expect

from salesdesk.core import audit
from salesdesk.demo import demo_load
from salesdesk.knowledge.models import AnswerUsage
from salesdesk.parties.models import Contact

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = "Does the Edge Gateway 400 support SSO with Azure AD?"


def test_priya_answers_a_caller_from_her_home_page(page, live_server):
    # given the demo data, as `make run` loads it, and Priya signed in with her demo login
    demo_load()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password").fill("demo-priya-2026")
    page.get_by_role("button", name=re.compile("sign in|log in", re.I)).click()
    page.wait_for_url(f"{live_server.url}/")
    # when she types the caller's question into the box on her home page
    page.locator("main textarea").first.fill(QUESTION)
    page.get_by_role("button", name="Suggest answers").click()
    # then the approved answer comes first, with its source and freshness
    expect(page.locator("main")).to_contain_text(QUESTION)
    expect(page.locator("main")).to_contain_text("Edge Gateway 400 (KS-EG-400)")
    expect(page.locator("main")).to_contain_text("Review by")
    # and "sent to customer" logs the answer on the caller's contact record
    contact = Contact.objects.get(organisation__name="Northwind Logistics", first_name="Sam")
    form = page.locator("form", has=page.get_by_role("button", name="Sent to customer")).first
    form.locator("select[name=contact_id]").select_option(str(contact.pk))
    form.get_by_role("button", name="Sent to customer").click()
    expect(page.locator("body")).to_contain_text(f"Logged on {contact}: answer sent.")
    usage = AnswerUsage.objects.get()
    assert (usage.answer.title, usage.contact, usage.user.username) == (QUESTION, contact, "priya")
    assert audit.events_for(contact).first().step.startswith("answer sent")
