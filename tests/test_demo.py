"""The demo data: every persona of JOURNEYS.md exists with the right role, every printed
login works, and loading twice adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from salesdesk.cli import main
from salesdesk.core import audit
from salesdesk.core.models import AuditEvent
from salesdesk.core.permissions import holds
from salesdesk.core.roles import UserKind
from salesdesk.deals.choices import OpportunityStage
from salesdesk.deals.models import Opportunity
from salesdesk.demo import DEMO_LOGINS, OWN_ORGANISATION, demo_load
from salesdesk.parties.choices import CustomerTier, OrganisationKind
from salesdesk.parties.models import Contact, Organisation, ProductSkill, Team, User

pytestmark = pytest.mark.django_db

# (username, first name, kind, level) of every persona JOURNEYS.md walks.
JOURNEY_PERSONAS = [
    ("priya", "Priya", UserKind.SUPPORT, 1),
    ("tomas", "Tomás", UserKind.SUPPORT, 2),
    ("amara", "Amara", UserKind.SUPPORT, 3),
    ("jonas", "Jonas", UserKind.SUPPORT, 4),
    ("grace", "Grace", UserKind.SUPPORT, 5),
    ("robert", "Robert", UserKind.SUPPORT, 6),
    ("lena", "Lena", UserKind.PARTNER, None),
    ("sam", "Sam", UserKind.CUSTOMER, None),
]


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Sixteen Argon2 hashes per load make the tests slow; the passwords are what matters here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def row_counts() -> dict[str, int]:
    models = (Organisation, Contact, User, Opportunity, Team, ProductSkill, AuditEvent)
    counts = {model.__name__: model.objects.count() for model in models}
    counts["team memberships"] = User.teams.through.objects.count()
    counts["skills held"] = User.skills.through.objects.count()
    counts["opportunity products"] = Opportunity.products.through.objects.count()
    return counts


def test_loading_twice_creates_nothing_new():
    first = demo_load()
    after_first = row_counts()
    second = demo_load()
    assert first.total > 0
    assert second.total == 0
    assert row_counts() == after_first


def test_every_journey_persona_exists_with_the_right_kind_and_level():
    demo_load()
    for username, first_name, kind, level in JOURNEY_PERSONAS:
        user = User.objects.get(username=username)
        assert (user.first_name, user.kind, user.support_level) == (first_name, kind, level), username
        assert user.is_active
    lena, sam = User.objects.get(username="lena"), User.objects.get(username="sam")
    assert lena.organisation.kind == OrganisationKind.PARTNER
    assert sam.organisation.name == "Northwind Logistics"
    assert sam.job_title == "IT lead"
    admin = User.objects.get(username="admin")
    assert admin.kind == UserKind.ADMIN and admin.is_superuser
    assert User.objects.filter(kind=UserKind.SALES_REP).count() >= 2
    # staff work for our own organisation
    assert {
        u.organisation.kind for u in User.objects.filter(kind__in=[UserKind.SUPPORT, UserKind.SALES_REP])
    } == {OrganisationKind.OWN}


def test_the_organisations_make_the_partner_and_customer_journeys_possible():
    demo_load()
    assert Organisation.objects.get(kind=OrganisationKind.OWN).name == OWN_ORGANISATION
    assert Organisation.objects.filter(kind=OrganisationKind.PARTNER).count() == 3
    customers = Organisation.objects.filter(kind=OrganisationKind.CUSTOMER)
    assert customers.count() == 20
    assert {CustomerTier.GOLD, CustomerTier.SILVER, CustomerTier.STANDARD} <= set(
        customers.values_list("tier", flat=True)
    )
    northwind = customers.get(name="Northwind Logistics")
    lena = User.objects.get(username="lena")
    # Lena's partner manages Northwind, and some customers are managed by other partners
    assert northwind.tier == CustomerTier.GOLD
    assert northwind.managed_by == lena.organisation
    assert customers.exclude(managed_by=None).exclude(managed_by=lena.organisation).exists()
    assert customers.filter(managed_by=None).exists()
    # every customer has contacts; Sam is Northwind's IT lead
    assert not customers.filter(contacts=None).exists()
    assert Contact.objects.get(organisation=northwind, first_name="Sam").job_title == "IT lead"


def test_opportunities_cover_every_stage_and_include_northwind_logistics():
    demo_load()
    assert set(Opportunity.objects.values_list("stage", flat=True)) == set(OpportunityStage.values)
    northwind_deal = Opportunity.objects.get(name="Northwind logistics")
    assert northwind_deal.account.name == "Northwind Logistics"
    assert northwind_deal.owner.kind == UserKind.SALES_REP
    assert northwind_deal.stage not in (OpportunityStage.WON, OpportunityStage.LOST)
    for lost in Opportunity.objects.filter(stage=OpportunityStage.LOST):
        assert lost.lost_reason and lost.closed_at
    # the timeline shows the deal's history, not an empty page
    steps = list(
        audit.events_for(Opportunity.objects.filter(stage=OpportunityStage.WON).first()).values_list(
            "step", flat=True
        )
    )
    assert "moved to Won" in steps
    assert audit.events_for_organisation(northwind_deal.account_id).count() >= 3


def test_teams_and_skills_are_staffed():
    demo_load()
    assert Team.objects.get(name="Service desk").members.filter(username="priya").exists()
    assert ProductSkill.objects.filter(people__username="jonas").exists()


def test_every_printed_demo_login_signs_in_and_has_its_capabilities(capsys):
    code = main(["demo"])
    out = capsys.readouterr().out
    assert code == 0
    request = RequestFactory().post("/login/")
    for login in DEMO_LOGINS:
        assert login.username in out and login.password in out
        user = authenticate(request, username=login.username, password=login.password)
        assert user is not None, login.username
        assert user.username == login.username
    assert authenticate(request, username="priya", password="not-her-password") is None
    robert = User.objects.get(username="robert")
    assert holds(robert, "proposal.approve") and not holds(
        User.objects.get(username="grace"), "proposal.approve"
    )


def test_the_demo_command_says_when_there_is_nothing_to_add(capsys):
    demo_load()
    assert main(["demo", "--quiet"]) == 0
    assert capsys.readouterr().out == "Demo data already loaded; nothing to add.\n"


def test_the_readme_lists_every_demo_login_with_its_password():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for login in DEMO_LOGINS:
        assert f"| `{login.username}` | `{login.password}` |" in readme, login.username


def test_the_demo_deals_name_their_products_from_the_catalog():
    demo_load()
    with_products = Opportunity.objects.exclude(products=None).distinct()
    # all but Northwind (Lena's possible conflict) and Quayside (nothing the catalog sells)
    assert set(Opportunity.objects.exclude(pk__in=with_products).values_list("name", flat=True)) == {
        "Northwind logistics",
        "Quayside port access control",
    }
    assert all(p.sku.startswith("KS-") for o in with_products for p in o.products.all())
    castell = Opportunity.objects.get(name="Castell Health secure remote access")
    assert "Edge Gateway 400" in {p.name for p in castell.products.all()}
