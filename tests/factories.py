"""factory_boy factories for the foundation's models.

Factories write rows directly (tests need fixtures fast); services are what the
tests exercise. Passwords are one known value so client logins work.
"""

from __future__ import annotations

from decimal import Decimal

import factory

from salesdesk.core.roles import UserKind
from salesdesk.deals.models import Opportunity
from salesdesk.parties.choices import OrganisationKind
from salesdesk.parties.models import Contact, Organisation, User

PASSWORD = "correct-horse-battery-42"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Customer {n} Ltd")
    kind = OrganisationKind.CUSTOMER


class OwnOrganisationFactory(OrganisationFactory):
    name = "Acme Systems"
    kind = OrganisationKind.OWN

    class Meta:
        model = Organisation
        django_get_or_create = ("name",)


class PartnerFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Partner {n} GmbH")
    kind = OrganisationKind.PARTNER


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Sequence(lambda n: f"Alex{n}")
    last_name = "Smith"
    email = factory.LazyAttribute(lambda o: f"{o.first_name.lower()}@example.com")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    kind = UserKind.SUPPORT
    support_level = 1
    organisation = factory.SubFactory(OwnOrganisationFactory)

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"Deal {n}")
    account = factory.SubFactory(OrganisationFactory)
    owner = factory.SubFactory(UserFactory, kind=UserKind.SALES_REP, support_level=None)
    amount = Decimal("125000.00")
    currency = "EUR"
