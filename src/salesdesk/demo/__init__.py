"""Demo data: a believable vendor of IT products and services, its partners, customers and people.

``salesdesk demo`` (and ``make run``) loads it so that every journey of JOURNEYS.md can be
walked right after the first start. Kestrel Systems sells network, security and cloud
products and the services around them, directly and through three partners.

The loader is deterministic (no randomness) and idempotent: every record is looked up
by its natural key (username, organisation name, contact e-mail, opportunity name on
its account) and only created when missing, so running it twice creates nothing new
and never overwrites what people changed since. Records are created through the
services, acting as the person who would enter them, so timelines are not empty; only
our own organisation, which nobody can enter before it exists, is written directly
(with its audit record).

The passwords are for the demo only. Never load this into an instance holding real data.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from salesdesk.catalog.demo import load_catalog_demo
from salesdesk.core import audit
from salesdesk.core.validation import clean_or_raise
from salesdesk.deals.choices import OPEN_STAGES, OpportunityStage
from salesdesk.deals.models import Opportunity
from salesdesk.deals.services import opportunity_create, opportunity_update
from salesdesk.knowledge.demo import load_knowledge_demo
from salesdesk.parties.choices import OrganisationKind, UserKind
from salesdesk.parties.models import Contact, Organisation, ProductSkill, Team, User
from salesdesk.parties.services import contact_create, organisation_create, user_create

from .data import (  # noqa: F401 - re-exported for callers and tests
    CONTACT_ROLES,
    CUSTOMERS,
    DEMO_LOGINS,
    DOMAIN_SUFFIX,
    FIRST_NAMES,
    LAST_NAMES,
    NORTHWIND_CONTACTS,
    OPPORTUNITIES,
    OWN_ORGANISATION,
    PARTNERS,
    SKILLS,
    TEAMS,
    DemoCustomer,
    DemoLogin,
    DemoOpportunity,
    DemoPartner,
    _contacts_for,
    _domain,
    _email,
)
from .estimates import load_estimates_demo
from .presales import load_presales_demo
from .registrations import load_registrations_demo
from .requirements import load_requirements_demo
from .service import load_service_demo
from .solutions import load_solutions_demo


@dataclass
class DemoResult:
    """What one run created, by record type (all zero on a second run)."""

    created: Counter[str]

    @property
    def total(self) -> int:
        return sum(self.created.values())


def demo_load(*, today: dt.date | None = None) -> DemoResult:
    """Create whatever of the demo data is missing. Safe to run any number of times.

    The e-mails the services send while loading (case acknowledgements, escalations) go
    nowhere: the demo contacts are fictitious, and a configured SMTP server must not get them.
    """
    # The override encloses the transaction: mail is sent when it commits.
    locmem = "django.core.mail.backends.locmem.EmailBackend"
    with override_settings(EMAIL_BACKEND=locmem), transaction.atomic():
        return _demo_load(today=today)


def _demo_load(*, today: dt.date | None) -> DemoResult:
    today = today or timezone.localdate()
    created: Counter[str] = Counter()
    own = _own_organisation(created)
    users = {login.username: _user(login, own, created) for login in DEMO_LOGINS if not login.organisation}
    entering = users["marco"]  # a sales rep enters accounts and contacts (organisation.create)
    partners = {p.name: _partner(p, entering, created) for p in PARTNERS}
    customers = {}
    for index, customer in enumerate(CUSTOMERS):
        owner = users[customer.owner]
        org = _customer(customer, partners, owner, created)
        customers[customer.name] = org
        for first, last, role in _contacts_for(index, customer):
            _contact(org, first, last, role, owner, created)
    for login in DEMO_LOGINS:
        if login.organisation:
            org = partners.get(login.organisation) or customers[login.organisation]
            users[login.username] = _user(login, org, created)
    owners = {c.name: users[c.owner] for c in CUSTOMERS}
    for opportunity in OPPORTUNITIES:
        _opportunity(opportunity, customers[opportunity.account], owners[opportunity.account], today, created)
    _groups(Team, TEAMS, "teams", users, created)
    _groups(ProductSkill, SKILLS, "skills", users, created)
    # The catalog first: the knowledge items link to its products by SKU.
    created.update({f"catalog {k}": v for k, v in load_catalog_demo(actor=users["grace"]).items()})
    created["knowledge items"] += load_knowledge_demo(today=today)["created"]
    created.update(load_service_demo(users=users, now=timezone.now()))
    created.update(load_requirements_demo(users=users))
    created.update(load_estimates_demo(users=users, today=today))
    created.update(load_solutions_demo(users=users, today=today))
    created.update(load_registrations_demo(users=users, today=today))
    created.update(load_presales_demo(users=users, now=timezone.now()))
    return DemoResult(created=created)


def _own_organisation(created: Counter[str]) -> Organisation:
    # There is only ever one organisation of kind 'own': reuse it whatever its name.
    own = Organisation.objects.filter(kind=OrganisationKind.OWN).first()
    if own is not None:
        return own
    own = Organisation(
        name=OWN_ORGANISATION,
        kind=OrganisationKind.OWN,
        industry="IT products and services",
        country="GB",
        website=f"https://{_domain(OWN_ORGANISATION)}",
        email=f"hello@{_domain(OWN_ORGANISATION)}",
        phone="+44 20 7946 0000",
    )
    clean_or_raise(own)
    own.save()
    audit.record_created(None, own)
    created["organisations"] += 1
    return own


def _user(login: DemoLogin, organisation: Organisation, created: Counter[str]) -> User:
    user = User.objects.filter(username__iexact=login.username).first()
    if user is not None:
        return user
    created["users"] += 1
    domain = _domain(organisation.name)
    return user_create(
        actor=None,
        username=login.username,
        password=login.password,
        kind=login.kind,
        support_level=login.level,
        organisation_id=organisation.pk,
        first_name=login.first_name,
        last_name=login.last_name,
        email=_email(login.first_name, login.last_name, organisation.name)
        if login.kind != UserKind.ADMIN
        else f"admin@{domain}",
        job_title=login.job_title,
    )


def _partner(partner: DemoPartner, actor: User, created: Counter[str]) -> Organisation:
    org = Organisation.objects.filter(name=partner.name, kind=OrganisationKind.PARTNER).first()
    if org is not None:
        return org
    created["organisations"] += 1
    return organisation_create(
        actor=actor,
        data={
            "name": partner.name,
            "kind": OrganisationKind.PARTNER,
            "industry": partner.industry,
            "country": partner.country,
            "website": f"https://{_domain(partner.name)}",
            "email": f"partners@{_domain(partner.name)}",
            "notes": partner.notes,
        },
    )


def _customer(
    customer: DemoCustomer, partners: dict[str, Organisation], actor: User, created: Counter[str]
) -> Organisation:
    org = Organisation.objects.filter(name=customer.name, kind=OrganisationKind.CUSTOMER).first()
    if org is not None:
        return org
    created["organisations"] += 1
    data: dict[str, Any] = {
        "name": customer.name,
        "kind": OrganisationKind.CUSTOMER,
        "tier": customer.tier,
        "industry": customer.industry,
        "country": customer.country,
        "website": f"https://{_domain(customer.name)}",
        "email": f"info@{_domain(customer.name)}",
    }
    if customer.partner:
        data["managed_by_id"] = partners[customer.partner].pk
    return organisation_create(actor=actor, data=data)


def _contact(
    org: Organisation, first: str, last: str, role: str, actor: User, created: Counter[str]
) -> Contact:
    email = _email(first, last, org.name)
    contact = Contact.objects.filter(organisation=org, email=email).first()
    if contact is not None:
        return contact
    created["contacts"] += 1
    return contact_create(
        actor=actor,
        data={
            "organisation_id": org.pk,
            "first_name": first,
            "last_name": last,
            "job_title": role,
            "email": email,
        },
    )


def _opportunity(
    spec: DemoOpportunity, account: Organisation, owner: User, today: dt.date, created: Counter[str]
) -> Opportunity:
    opportunity = Opportunity.objects.filter(account=account, name=spec.name).first()
    if opportunity is not None:
        return opportunity
    created["opportunities"] += 1
    opportunity = opportunity_create(
        actor=owner,
        data={
            "name": spec.name,
            "account_id": account.pk,
            "partner_id": account.managed_by_id,
            "amount": Decimal(spec.amount),
            "currency": _currency(account.country),
            "expected_close_date": today + dt.timedelta(days=spec.close_in_days),
            "description": spec.description,
        },
    )
    # Walk the stages one by one, so the timeline reads like the deal's real history.
    path = list(OPEN_STAGES[1:])
    if spec.stage in OPEN_STAGES:
        path = path[: OPEN_STAGES.index(spec.stage)]
    elif spec.stage == OpportunityStage.LOST:
        path = path[:2]
    for stage in [*path, *([spec.stage] if spec.stage not in OPEN_STAGES else [])]:
        data: dict[str, Any] = {"stage": stage}
        if stage == OpportunityStage.LOST:
            data["lost_reason"] = spec.lost_reason
        opportunity = opportunity_update(actor=owner, opportunity=opportunity, data=data)
    return opportunity


def _currency(country: str) -> str:
    return {"GB": "GBP", "US": "USD"}.get(country, "EUR")


def _groups(
    model: type[Team] | type[ProductSkill],
    specs: tuple[tuple[str, str, tuple[str, ...]], ...],
    label: str,
    users: dict[str, User],
    created: Counter[str],
) -> None:
    relation = "teams" if model is Team else "skills"
    for name, description, members in specs:
        group, was_created = model.objects.get_or_create(name=name, defaults={"description": description})
        created[label] += int(was_created)
        for username in members:
            # add() skips links that exist, so a second run adds nothing.
            getattr(users[username], relation).add(group)


def logins_table() -> list[tuple[str, str, str, str, str]]:
    """(username, password, name, role, what to try) for every demo login, for printing."""
    return [
        (
            login.username,
            login.password,
            f"{login.first_name} {login.last_name}",
            login.role + (f" · {login.organisation}" if login.organisation else ""),
            login.try_this,
        )
        for login in DEMO_LOGINS
    ]
