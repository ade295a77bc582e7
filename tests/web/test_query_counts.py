"""Pages that gather many records must not issue a query per record, for staff and outsiders alike.

The account timeline takes a different query for external users (only the events of
records they may see), so both kinds of user are measured.
"""

import pytest
from django.urls import reverse

from salesdesk.deals import services as deal_services
from salesdesk.parties import services as party_services

from ..factories import ContactFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def _grow(world, presales, n: int) -> None:
    """n more contacts and deals on world's customer, each with audit events on its timeline."""
    for i in range(n):
        contact = ContactFactory(organisation=world.customer, first_name=f"Extra{i}")
        party_services.contact_update(actor=presales, contact=contact, data={"job_title": f"Role {i}"})
        opportunity = OpportunityFactory(
            account=world.customer, partner=world.partner, name=f"Extra deal {i}"
        )
        deal_services.opportunity_update(actor=presales, opportunity=opportunity, data={"stage": "discovery"})


@pytest.mark.parametrize("who", ["presales", "partner_user", "customer_user"])
def test_account_page_queries_do_not_grow_with_its_timeline(
    who, world_a, presales, client_as, count_queries, django_assert_max_num_queries
):
    user = presales if who == "presales" else getattr(world_a, who)
    client = client_as(user)
    url = reverse("web:organisation_detail", kwargs={"organisation_id": world_a.customer.pk})
    _grow(world_a, presales, 2)
    baseline = count_queries(lambda: client.get(url))
    _grow(world_a, presales, 15)
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    assert response.status_code == 200
    assert "Extra14" in response.content.decode()


@pytest.mark.parametrize("who", ["presales", "sales_rep", "partner_user", "customer_user"])
def test_home_page_queries_do_not_grow_with_records(
    who, world_a, presales, sales_rep, client_as, count_queries, django_assert_max_num_queries
):
    user = {"presales": presales, "sales_rep": sales_rep}.get(who) or getattr(world_a, who)
    client = client_as(user)
    _grow(world_a, presales, 2)
    baseline = count_queries(lambda: client.get("/"))
    _grow(world_a, presales, 15)
    with django_assert_max_num_queries(baseline):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("who", ["presales", "partner_user"])
def test_opportunity_list_queries_do_not_grow_with_deals_or_their_products(
    who, world_a, presales, client_as, count_queries, django_assert_max_num_queries
):
    from salesdesk.catalog.models import Category, Product

    category = Category.objects.create(name="Counted")
    products = [
        Product.objects.create(sku=f"CQ-{i}", name=f"Counted product {i}", category=category)
        for i in range(4)
    ]
    user = presales if who == "presales" else getattr(world_a, who)
    client = client_as(user)
    url = reverse("web:opportunity_list")
    _grow(world_a, presales, 2)
    world_a.opportunity.products.set(products[:1])
    baseline = count_queries(lambda: client.get(url))
    _grow(world_a, presales, 15)
    for opportunity in world_a.customer.opportunities.all():
        opportunity.products.set(products)
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    assert response.status_code == 200
    assert "Counted product 0, Counted product 1, Counted product 2" in response.content.decode()
