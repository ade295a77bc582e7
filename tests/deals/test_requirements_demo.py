"""The demo makes Amara's and Sam's journeys possible: Northwind's requirements, v1 signed off, v2 draft.

The full loader is walked by tests/test_demo.py; here the requirements part runs on the
test personas alone, which is much faster.
"""

import pytest

from salesdesk.core.roles import UserKind
from salesdesk.deals import requirement_services as services
from salesdesk.deals.models import Requirement, RequirementBaseline, RequirementQuestion, RequirementSet
from salesdesk.demo.requirements import load_requirements_demo

from ..factories import ContactFactory, OpportunityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(consultant, world_a, world_b, sales_rep):
    world_a.opportunity.name = "Northwind logistics"
    world_a.opportunity.save(update_fields=["name"])
    ContactFactory(organisation=world_a.customer, first_name="Sam", last_name="Patel")
    sam = UserFactory(
        kind=UserKind.CUSTOMER, support_level=None, organisation=world_a.customer, username="sam",
        first_name="Sam", last_name="Patel",
    )  # fmt: skip
    for name in (
        "Castell Health secure remote access",
        "Isarwerk lab data backup",
        "Moravia Bank branch SD-WAN",
    ):
        OpportunityFactory(name=name, account=world_b.customer, owner=sales_rep)
    return {"amara": consultant, "sam": sam}


def test_northwind_has_a_signed_off_v1_and_a_changed_draft_and_loading_again_adds_nothing(demo_world):
    created = load_requirements_demo(users=demo_world)
    assert created["requirements"] >= 30
    counts = (
        Requirement.objects.count(),
        RequirementQuestion.objects.count(),
        RequirementBaseline.objects.count(),
    )
    northwind = RequirementSet.objects.get(opportunity__name="Northwind logistics")
    assert 28 <= northwind.requirements.count() <= 32
    v1 = northwind.baselines.get(number=1)
    assert v1.signed_off_by.username == "sam" and v1.signed_off_name == "Sam Patel"
    assert not northwind.baselines.filter(number=2).exists()
    diff = services.draft_diff(northwind)
    assert diff.added and diff.removed and diff.changed
    targets = {(t["metric"], t["operator"], t["value"]) for r in v1.requirements for t in r["targets"]}
    assert {
        ("peak_users", "=", "2000"),
        ("p95_response_seconds", "<=", "2"),
        ("availability", ">=", "99.9"),
    } <= targets
    assert (
        RequirementQuestion.objects.filter(requirement__requirement_set=northwind, status="open").count() == 2
    )
    assert (
        RequirementQuestion.objects.filter(requirement__requirement_set=northwind, status="answered").count()
        == 4
    )
    # other opportunities hold sets in other states: shared, baselined only, draft
    assert RequirementBaseline.objects.filter(shared_at__isnull=False, signed_off_at__isnull=True).exists()
    assert RequirementBaseline.objects.filter(shared_at__isnull=True).exists()
    assert RequirementSet.objects.filter(baselines__isnull=True).exists()
    assert sum(load_requirements_demo(users=demo_world).values()) == 0
    assert (
        Requirement.objects.count(),
        RequirementQuestion.objects.count(),
        RequirementBaseline.objects.count(),
    ) == counts
