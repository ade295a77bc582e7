"""Parties: who Salesdesk's records belong to, and who may see them."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from salesdesk.core.models import AuditedModel, AuditedQuerySet, TimeStampedModel

from .choices import CustomerTier, OrganisationKind, SupportLevel, UserKind


class Organisation(AuditedModel):
    """A company: ourselves, a customer (an account) or a partner (reseller, distributor)."""

    name = models.CharField(max_length=200, db_index=True)
    kind = models.CharField(max_length=10, choices=OrganisationKind.choices, db_index=True)
    managed_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_customers",
        limit_choices_to={"kind": OrganisationKind.PARTNER},
        help_text="The partner that looks after this customer, if any.",
    )
    tier = models.CharField(
        max_length=10,
        choices=CustomerTier.choices,
        default=CustomerTier.STANDARD,
        help_text="Customer tier; service levels depend on it.",
    )
    industry = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 two-letter code, e.g. DE.")
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(managed_by__isnull=True) | Q(kind=OrganisationKind.CUSTOMER),
                name="only_customers_are_managed_by_partners",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_scope_organisation_id(self) -> int | None:
        return self.pk

    @property
    def is_customer(self) -> bool:
        return self.kind == OrganisationKind.CUSTOMER


class Contact(AuditedModel):
    """A person at an organisation we talk to (not necessarily a Salesdesk user)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contacts")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    job_title = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def audit_scope_organisation_id(self) -> int | None:
        return self.organisation_id

    @property
    def full_name(self) -> str:
        return str(self)


class Team(TimeStampedModel):
    """A group of staff (e.g. 'Service desk', 'Presales EMEA') for routing and boards."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProductSkill(TimeStampedModel):
    """A product or technology someone can support; used to route work later."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserQuerySet(AuditedQuerySet):
    """Users are audited like business records: no bulk writes that skip the audit trail."""


class AuditedUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's UserManager (create_user, create_superuser, natural keys) over UserQuerySet.

    Role, activation and password changes go through ``parties.services``, one user at a
    time; Django's own sign-in writes (``last_login``, password upgrades) save a single
    row and are unaffected.
    """

    def create_superuser(self, username, email=None, password=None, **extra_fields):  # type: ignore[no-untyped-def]
        # A superuser operates the instance: kind admin of our own organisation, no
        # support level (the default kind, support, would need one).
        extra_fields.setdefault("kind", UserKind.ADMIN)
        if "organisation" not in extra_fields and "organisation_id" not in extra_fields:
            extra_fields["organisation"] = Organisation.objects.filter(kind=OrganisationKind.OWN).first()
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: staff, sales rep, partner user, customer user or admin.

    Kind and level are read from the database on every request, so a change of role
    takes effect on the user's next request.
    """

    kind = models.CharField(max_length=12, choices=UserKind.choices, default=UserKind.SUPPORT, db_index=True)
    support_level = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text="1–6, support staff only.",
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="users", null=True)
    job_title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    skills = models.ManyToManyField(ProductSkill, blank=True, related_name="people")

    objects: ClassVar[AuditedUserManager] = AuditedUserManager()

    audit_exclude = ("password", "last_login", "date_joined")

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=UserKind.SUPPORT, support_level__gte=1, support_level__lte=6)
                    | (~Q(kind=UserKind.SUPPORT) & Q(support_level__isnull=True))
                ),
                name="support_level_only_for_support_staff",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_label(self) -> str:
        if self.kind == UserKind.SUPPORT and self.support_level:
            title = SupportLevel(self.support_level).label.split(" · ", 1)[1]
            return f"Level {self.support_level} · {title}"
        return self.get_kind_display()

    @property
    def is_external(self) -> bool:
        return self.kind in (UserKind.PARTNER, UserKind.CUSTOMER)
