"""Registration pages: the partner's form and list, the manager's queue, approve and reject."""

from __future__ import annotations

import pytest

from salesdesk.deals.models import DealRegistration

from . import registration_fixtures as fx
from .registration_fixtures import in_days, register

# Shared fixtures (tests/deals/conftest.py belongs to the requirements tests).
catalog, manager, northwind = fx.catalog, fx.manager, fx.northwind

pytestmark = pytest.mark.django_db

LIST = "/registrations/"


def test_a_partner_registers_from_the_form(client_as, world_a, catalog, northwind):
    client = client_as(world_a.partner_user)
    page = client.get(LIST + "new/")
    assert page.status_code == 200 and "Register a deal" in page.content.decode()
    response = client.post(
        LIST + "new/",
        {
            "customer_name": "Northwind Traders",
            "products": [catalog["gateway"].pk],
            "amount": "12000",
            "currency": "EUR",
            "expected_close_date": in_days(20).isoformat(),
        },
        follow=True,
    )
    html = response.content.decode()
    registration = DealRegistration.objects.get()
    assert response.redirect_chain[-1][0] == f"{LIST}{registration.pk}/"
    assert "may conflict with a deal already known to us" in html
    # the partner never sees the deal it conflicts with
    assert "Northwind WAN refresh" not in html and "Approve" not in html


def test_form_errors_are_shown_on_their_fields(client_as, world_a, catalog):
    client = client_as(world_a.partner_user)
    response = client.post(
        LIST + "new/",
        {
            "customer_name": "",
            "amount": "x",
            "currency": "EURO",
            "expected_close_date": in_days(-2).isoformat(),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_customer_name-errors"' in html and 'id="id_products-errors"' in html
    assert not DealRegistration.objects.exists()
    # the service's own rules come back onto the field too
    response = client.post(
        LIST + "new/",
        {
            "customer_name": "Tailspin",
            "products": [catalog["switch"].pk],
            "amount": "1",
            "currency": "EUR",
            "expected_close_date": in_days(-2).isoformat(),
        },
    )
    assert response.status_code == 400
    assert 'id="id_expected_close_date-errors"' in response.content.decode()


def test_my_registrations_lists_only_mine(client_as, world_a, world_b, catalog):
    empty = client_as(world_a.partner_user).get(LIST)
    assert "You have not registered a deal yet." in empty.content.decode()
    register(world_a.partner_user, catalog, customer="Alpine Ski House")
    register(world_b.partner_user, catalog, customer="Blue Yonder Airlines")
    html = client_as(world_a.partner_user).get(LIST).content.decode()
    assert "My registrations" in html and "Alpine Ski House" in html
    assert "Blue Yonder Airlines" not in html


def test_the_manager_queue_marks_conflicts(
    client_as, world_a, manager, catalog, northwind, django_assert_max_num_queries
):
    register(world_a.partner_user, catalog, customer="Northwind Traders")
    register(world_a.partner_user, catalog, "firewall", customer="Tailspin Toys")
    client = client_as(manager)
    client.get(LIST)
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    html = response.content.decode()
    assert "Deal registrations" in html and "2 registrations" in html
    assert html.count("In conflict</span>") == 1
    assert "Partner A" in html
    only_conflicts = client.get(LIST + "?conflict=1").content.decode()
    assert "Northwind Traders" in only_conflicts and "Tailspin Toys" not in only_conflicts


def test_the_manager_approves_from_the_page(client_as, world_a, manager, catalog, northwind):
    customer, opportunity = northwind
    registration = register(world_a.partner_user, catalog)
    client = client_as(manager)
    detail = client.get(f"{LIST}{registration.pk}/").content.decode()
    assert "Northwind WAN refresh" in detail and "Edge Gateway 400" in detail
    # a conflict needs a reason: the form says so
    response = client.post(f"{LIST}{registration.pk}/approve/", {"opportunity": opportunity.pk})
    assert response.status_code == 400 and 'id="id_reason-errors"' in response.content.decode()
    response = client.post(
        f"{LIST}{registration.pk}/approve/",
        {"opportunity": opportunity.pk, "account": customer.pk, "reason": "Partner sourced"},
        follow=True,
    )
    assert "is protected for Partner A until" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "approved" and registration.opportunity == opportunity


def test_the_manager_rejects_with_a_reason(client_as, world_a, manager, catalog):
    registration = register(world_a.partner_user, catalog, customer="Tailspin Toys")
    client = client_as(manager)
    response = client.post(f"{LIST}{registration.pk}/reject/", {"reason": ""})
    assert response.status_code == 400
    client.post(f"{LIST}{registration.pk}/reject/", {"reason": "Already in direct talks"})
    html = client_as(world_a.partner_user).get(f"{LIST}{registration.pk}/").content.decode()
    assert "Rejected" in html and "Already in direct talks" in html


def test_pages_refuse_people_without_the_capability(client_as, world_a, world_b, catalog, sales_rep):
    registration = register(world_b.partner_user, catalog)
    assert client_as(world_a.customer_user).get(LIST).status_code == 403
    assert client_as(sales_rep).get(LIST + "new/").status_code == 403
    assert client_as(world_a.partner_user).get(f"{LIST}{registration.pk}/").status_code == 404
    response = client_as(world_b.partner_user).post(f"{LIST}{registration.pk}/approve/", {"reason": "me"})
    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_the_opportunity_page_shows_the_partners_protection(client_as, world_a, manager, catalog, northwind):
    customer, opportunity = northwind
    page = client_as(manager).get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert "protected until" not in page
    registration = register(world_a.partner_user, catalog)
    client = client_as(manager)
    client.post(
        f"{LIST}{registration.pk}/approve/",
        {"opportunity": opportunity.pk, "account": customer.pk, "reason": "Partner sourced"},
    )
    registration.refresh_from_db()
    page = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert f"registered, protected until {registration.protected_until:%-d %b %Y}" in page


def test_the_form_asks_for_one_of_your_customers_or_a_typed_name(client_as, world_a, catalog):
    client = client_as(world_a.partner_user)
    html = client.get(LIST + "new/").content.decode()
    assert "Customer: one of your customers" in html and "Customer company name" in html
    assert "Or one of your customers" not in html
    base = {
        "products": [catalog["gateway"].pk],
        "amount": "1000",
        "currency": "EUR",
        "expected_close_date": in_days(20).isoformat(),
    }
    # neither picked nor typed: one message on the name field, nothing registered
    response = client.post(LIST + "new/", {**base, "customer_name": ""})
    assert response.status_code == 400
    assert "Pick one of your customers above or type the company" in response.content.decode()
    assert not DealRegistration.objects.exists()
    # picking a customer is enough: the registration carries its name
    response = client.post(LIST + "new/", {**base, "account": world_a.customer.pk, "customer_name": ""})
    assert response.status_code == 302
    registration = DealRegistration.objects.get()
    assert registration.customer_name == world_a.customer.name
    assert registration.account_id == world_a.customer.pk
