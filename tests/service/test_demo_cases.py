"""The service-desk demo: cases in every state, Tomás's escalated complaint with a clock, idempotent.

The whole demo (catalog, knowledge) takes long to load; tests/test_demo.py loads it. Here
only the people and accounts the service demo needs are created, then its loader runs.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from salesdesk.core.roles import UserKind
from salesdesk.demo.service import load_service_demo
from salesdesk.service import selectors
from salesdesk.service.models import Case, Interaction, SlaPolicy

from ..factories import ContactFactory, OrganisationFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCOUNTS = (
    "Northwind Logistics",
    "Alderbank Insurance",
    "Castell Health Trust",
    "Granite Peak Energy",
    "Dunmore Retail Group",
    "Moravia Bank",
)


@pytest.fixture
def demo_people(staff_factory):
    partner = PartnerFactory(name="Brightpath")
    for name in ACCOUNTS:
        managed = partner if name in ("Northwind Logistics", "Dunmore Retail Group") else None
        account = OrganisationFactory(name=name, tier="gold", managed_by=managed)
        ContactFactory(organisation=account)
    users = {n: staff_factory(level, username=n) for n, level in (("priya", 1), ("tomas", 2), ("robert", 6))}
    users["lena"] = UserFactory(
        kind=UserKind.PARTNER, support_level=None, organisation=partner, username="lena"
    )
    users["sam"] = UserFactory(
        kind=UserKind.CUSTOMER,
        support_level=None,
        organisation=OrganisationFactory._meta.model.objects.get(name="Northwind Logistics"),
        username="sam",
    )
    return users


def test_demo_cases_cover_every_state_and_the_l2_journey(demo_people):
    load_service_demo(users=demo_people, now=timezone.now())
    assert set(Case.objects.values_list("status", flat=True)) == {
        "new",
        "open",
        "waiting_on_customer",
        "resolved",
        "closed",
    }
    assert SlaPolicy.objects.filter(customer_tier="gold").count() == 4
    first = selectors.case_queue(user=demo_people["tomas"], queue="tier").first()
    assert first is not None and first.case_type == "complaint" and first.tier == 2
    assert selectors.sla_state(first).state in {"on_track", "at_risk", "breached"}
    assert Interaction.objects.filter(case=first, kind="call").exists()
    cases = Case.objects.count()
    # loading again adds nothing
    assert load_service_demo(users=demo_people, now=timezone.now())["cases"] == 0
    assert Case.objects.count() == cases
