"""Each kind of user lands on a home page about what needs their attention."""

import pytest
from django.urls import reverse

from salesdesk.deals.choices import OpportunityStage
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def home_html(client, user) -> str:
    response = client(user).get(reverse("web:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_support_staff_see_their_level_and_deals_needing_presales(client_as, presales, world_a, sales_rep):
    OpportunityFactory(
        name="Closing soon", account=world_a.customer, owner=sales_rep, stage=OpportunityStage.NEGOTIATION
    )
    html = home_html(client_as, presales)
    assert "Jonas Berg" in html
    assert presales.role_label in html  # "Level 4 · Presales engineer"
    assert "Presales engineer" in html
    assert "Acme Systems" in html
    assert "Deal A" in html  # qualification stage: needs presales
    assert "Closing soon" not in html  # negotiation: no longer a presales matter
    assert "Customer A" in html  # recently changed accounts


def test_support_home_has_empty_states(client_as, agent):
    html = home_html(client_as, agent)
    assert "No opportunity is waiting for presales." in html
    assert "No customer accounts yet." in html


def test_sales_rep_sees_their_open_opportunities_by_close_date(client_as, sales_rep, world_a, world_b):
    OpportunityFactory(
        name="Won already", account=world_a.customer, owner=sales_rep, stage=OpportunityStage.WON
    )
    html = home_html(client_as, sales_rep)
    assert "Sales rep" in html
    assert "Deal A" in html and "Deal B" in html
    assert "Won already" not in html
    assert "125,000.00 EUR" in html


def test_sales_rep_without_deals_sees_an_empty_state(client_as, sales_rep):
    assert "You have no open opportunities." in home_html(client_as, sales_rep)


def test_partner_sees_their_customers_and_deals_only(client_as, world_a, world_b):
    html = home_html(client_as, world_a.partner_user)
    assert "Partner user" in html and "Partner A" in html
    assert "Customer A" in html and "Deal A" in html
    assert "Customer B" not in html and "Deal B" not in html


def test_customer_sees_their_organisation_and_contacts(client_as, world_a, world_b):
    html = home_html(client_as, world_a.customer_user)
    assert "Customer user" in html
    assert "Customer A" in html and "SamA" in html
    assert "Customer B" not in html and "SamB" not in html
    assert "Deal A" not in html  # customers do not see opportunities


def test_customer_without_organisation_gets_an_explanation(client_as, customer_user_without_org):
    assert "not linked to an organisation" in home_html(client_as, customer_user_without_org)


def test_admin_sees_user_counts_recent_changes_and_admin_links(client_as, admin_user, world_a, agent):
    from salesdesk.parties import services

    services.organisation_update(actor=agent, organisation=world_a.customer, data={"industry": "Logistics"})
    html = home_html(client_as, admin_user)
    assert "Administrator" in html
    assert reverse("admin:index") in html
    assert reverse("web:user_list") in html
    assert "Recent changes" in html and "Customer A" in html
