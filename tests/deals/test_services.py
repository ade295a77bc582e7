"""Opportunities: who may create and change them, references checked, money as Decimal."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from salesdesk.core.errors import ApplicationError
from salesdesk.deals import selectors, services
from salesdesk.deals.models import Opportunity

pytestmark = pytest.mark.django_db


def test_sales_rep_opens_an_opportunity_they_own(sales_rep, world_a):
    opp = services.opportunity_create(
        actor=sales_rep,
        data={
            "name": "Northwind logistics",
            "account_id": world_a.customer.pk,
            "amount": Decimal("480000"),
            "currency": "eur",
            "partner_id": world_a.partner.pk,
        },
    )
    assert opp.owner == sales_rep
    assert opp.currency == "EUR"
    assert opp.amount == Decimal("480000.00")


def test_level_1_agent_cannot_create_or_edit_opportunities(agent, world_a):
    with pytest.raises(PermissionDenied):
        services.opportunity_create(actor=agent, data={"name": "x", "account_id": world_a.customer.pk})
    with pytest.raises(PermissionDenied):
        services.opportunity_update(actor=agent, opportunity=world_a.opportunity, data={"stage": "won"})


def test_account_must_be_a_customer(sales_rep, world_a):
    with pytest.raises(ApplicationError) as exc:
        services.opportunity_create(actor=sales_rep, data={"name": "x", "account_id": world_a.partner.pk})
    assert exc.value.errors[0].field == "account_id"
    assert not Opportunity.objects.filter(name="x").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"currency": "EURO"}, "currency"),
        ({"amount": Decimal("-1")}, "amount"),
        ({"stage": "dreaming"}, "stage"),
        ({"stage": "lost"}, "lost_reason"),
    ],
)
def test_bad_values_are_named(presales, world_a, data, field):
    with pytest.raises(ApplicationError) as exc:
        services.opportunity_update(actor=presales, opportunity=world_a.opportunity, data=data)
    assert exc.value.errors[0].field == field
    world_a.opportunity.refresh_from_db()
    assert world_a.opportunity.version == 1


def test_closing_stamps_the_close_time_and_reopening_clears_it(presales, world_a):
    opp = services.opportunity_update(actor=presales, opportunity=world_a.opportunity, data={"stage": "won"})
    assert opp.closed_at is not None
    opp = services.opportunity_update(actor=presales, opportunity=opp, data={"stage": "negotiation"})
    assert opp.closed_at is None


def test_partners_see_only_their_own_deals_and_customers_none(world_a, world_b, agent):
    assert list(selectors.visible_opportunities(world_a.partner_user)) == [world_a.opportunity]
    assert not selectors.visible_opportunities(world_a.customer_user).exists()
    assert set(selectors.visible_opportunities(agent)) == {world_a.opportunity, world_b.opportunity}
