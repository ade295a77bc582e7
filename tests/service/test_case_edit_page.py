"""The case page's Edit form: staff correct a case; stale edits, closed cases and outsiders are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from salesdesk.core.models import AuditEvent
from salesdesk.service.models import Case, SlaPolicy

from ..factories import ContactFactory, OpportunityFactory
from .catalog_helpers import product
from .conftest import BERLIN

pytestmark = pytest.mark.django_db


def _form(case, **changes):
    """The edit form as the page fills it for ``case``, with ``changes`` typed over it."""
    values = {
        "subject": case.subject,
        "description": case.description,
        "priority": case.priority,
        "product": case.product_id or "",
        "contact": case.contact_id or "",
        "opportunity": case.opportunity_id or "",
        "version": case.version,
    }
    values.update(changes)
    return values


def test_staff_see_an_edit_link_and_save_changes(client_as, agent, open_case, gold_world):
    case = open_case()
    client = client_as(agent)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/cases/{case.pk}/edit/"' in page
    form_page = client.get(f"/cases/{case.pk}/edit/")
    assert form_page.status_code == 200
    html = form_page.content.decode()
    assert 'value="Order arrived without licences"' in html and 'name="version"' in html
    gateway = product("Edge gateway")
    response = client.post(
        f"/cases/{case.pk}/edit/",
        _form(
            case,
            subject="Licences missing on order 1042",
            description="Two of five licences",
            product=gateway.pk,
            opportunity=gold_world.opportunity.pk,
        ),
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.subject == "Licences missing on order 1042"
    assert (case.description, case.product, case.opportunity) == (
        "Two of five licences",
        gateway,
        gold_world.opportunity,
    )
    assert case.contact == gold_world.contact and case.version == 2
    shown = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"{case.reference} was saved." in shown and "Licences missing on order 1042" in shown
    assert "Edge gateway" in shown and gold_world.opportunity.name in shown
    event = AuditEvent.objects.filter(object_id=str(case.pk), action="updated").latest("id")
    assert event.actor == agent and "subject" in event.changes


def test_clearing_a_link_and_choices_only_from_the_cases_account(client_as, agent, open_case, world_b):
    case = open_case()
    client = client_as(agent)
    html = client.get(f"/cases/{case.pk}/edit/").content.decode()
    assert world_b.contact.first_name not in html and world_b.opportunity.name not in html
    response = client.post(f"/cases/{case.pk}/edit/", _form(case, contact=""))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.contact is None
    # Another account's contact or opportunity is not a choice: the form says so, nothing changes.
    refused = client.post(
        f"/cases/{case.pk}/edit/",
        _form(case, contact=world_b.contact.pk, opportunity=world_b.opportunity.pk),
    )
    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert "contact" in errors and "opportunity" in errors
    assert Case.objects.get(pk=case.pk).version == case.version


def test_field_errors_show_on_the_form(client_as, agent, open_case):
    case = open_case()
    client = client_as(agent)
    blank = client.post(f"/cases/{case.pk}/edit/", _form(case, subject="   "))
    assert blank.status_code == 400
    assert blank.context["form"].errors["subject"]
    assert 'aria-invalid="true"' in blank.content.decode()
    bad = client.post(f"/cases/{case.pk}/edit/", _form(case, priority="whenever"))
    assert bad.status_code == 400 and "priority" in bad.context["form"].errors
    missing = client.post(f"/cases/{case.pk}/edit/", _form(case, product=987654))
    assert missing.status_code == 400 and "product" in missing.context["form"].errors
    assert Case.objects.get(pk=case.pk).subject == "Order arrived without licences"


def test_a_stale_edit_is_refused_with_a_clear_error(client_as, agent, specialist, open_case):
    case = open_case()
    opened = _form(case)  # Priya opens the form at version 1 …
    # … Tomás saves first.
    first = client_as(specialist).post(f"/cases/{case.pk}/edit/", _form(case, subject="Tomás's subject"))
    assert first.status_code == 302
    stale = client_as(agent).post(f"/cases/{case.pk}/edit/", {**opened, "subject": "Priya's subject"})
    assert stale.status_code == 400
    html = stale.content.decode()
    assert "changed by someone else since you opened it" in html and "Reload the page" in html
    # Priya's typing is still in the form, but nothing of it was written.
    assert 'value="Priya&#x27;s subject"' in html
    case.refresh_from_db()
    assert (case.subject, case.version) == ("Tomás's subject", 2)


def test_a_new_priority_retargets_the_sla_and_the_page_says_so(client_as, agent, open_case, calendar):
    SlaPolicy.objects.create(
        customer_tier="gold",
        priority="urgent",
        first_response_minutes=30,
        resolution_minutes=4 * 60,
        at_risk_percent=50,
        calendar=calendar,
    )
    case = open_case()  # Monday 10:00 Berlin, high: first response 11:00, resolution 18:00
    client = client_as(agent)
    response = client.post(f"/cases/{case.pk}/edit/", _form(case, priority="urgent"), follow=True)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.first_response_due_at == dt.datetime(2026, 11, 30, 10, 30, tzinfo=BERLIN)
    assert case.resolution_due_at == dt.datetime(2026, 11, 30, 14, tzinfo=BERLIN)
    html = response.content.decode()
    # Shown in the site's time zone (UTC by default: 10:30 and 14:00 Berlin are 09:30 and 13:00).
    first, resolution = (
        date_format(timezone.localtime(value), "j M Y, H:i")
        for value in (case.first_response_due_at, case.resolution_due_at)
    )
    assert "the SLA due times were re-targeted" in html
    assert f"first response due {first}, resolution due {resolution}" in html
    assert resolution in html.split("Resolution due", 1)[1]


def test_a_new_priority_without_a_policy_keeps_the_due_times_and_says_so(client_as, agent, open_case):
    case = open_case()
    due = case.resolution_due_at
    response = client_as(agent).post(f"/cases/{case.pk}/edit/", _form(case, priority="low"), follow=True)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.priority == "low" and case.resolution_due_at == due
    html = response.content.decode()
    assert "the SLA due times stay as they were" in html and "re-targeted" not in html


def test_a_closed_case_offers_no_form_and_a_post_shows_the_refusal(client_as, agent, open_case):
    case = open_case()
    Case._base_manager.filter(pk=case.pk).update(status="closed")
    client = client_as(agent)
    assert f'href="/cases/{case.pk}/edit/"' not in client.get(f"/cases/{case.pk}/").content.decode()
    page = client.get(f"/cases/{case.pk}/edit/")
    assert page.status_code == 200
    assert "a closed case cannot be changed" in page.content.decode()
    assert 'name="subject"' not in page.content.decode()
    refused = client.post(f"/cases/{case.pk}/edit/", _form(case, subject="Later"))
    assert refused.status_code == 400
    assert "a closed case cannot be changed; a reply opens a follow-up" in refused.content.decode()
    assert Case.objects.get(pk=case.pk).subject == "Order arrived without licences"


def test_customers_partners_and_other_staff_cannot_edit(client_as, open_case, gold_world, world_b, sales_rep):
    case = open_case()
    url = f"/cases/{case.pk}/edit/"
    # Customers and partners see the case but are not offered the form: 403, like the API's PATCH.
    for user in (gold_world.customer_user, gold_world.partner_user):
        client = client_as(user)
        assert client.get(f"/cases/{case.pk}/").status_code == 200
        assert url not in client.get(f"/cases/{case.pk}/").content.decode()
        assert client.get(url).status_code == 403
        assert client.post(url, _form(case, subject="Mine now")).status_code == 403
    # Internal staff outside the service desk do not edit cases either.
    assert client_as(sales_rep).post(url, _form(case, subject="Sales now")).status_code == 403
    # Another organisation's users do not learn that the case exists.
    assert client_as(world_b.customer_user).get(url).status_code == 404
    assert client_as(world_b.partner_user).post(url, _form(case, subject="x")).status_code == 404
    assert Case.objects.get(pk=case.pk).subject == "Order arrived without licences"


def test_a_contact_added_to_the_account_can_be_chosen(client_as, agent, open_case, gold_world):
    case = open_case()
    newcomer = ContactFactory(organisation=gold_world.customer, first_name="Nadia")
    other_deal = OpportunityFactory(name="Renewal A", account=gold_world.customer)
    response = client_as(agent).post(
        f"/cases/{case.pk}/edit/", _form(case, contact=newcomer.pk, opportunity=other_deal.pk)
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.contact, case.opportunity) == (newcomer, other_deal)
