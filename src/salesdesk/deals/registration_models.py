"""Deal registration: a partner tells us about a deal they bring, and asks for it to be theirs.

A partner user registers the customer (by name: matched to an existing customer account or
new), the expected value, products and close date. Salesdesk checks it against open
opportunities and other registrations (``deals.conflicts``) and stores what it found on the
registration; a sales manager (``deal.approve``) approves it — creating or linking the
opportunity and protecting it for the partner until ``protected_until`` — or rejects it
with a reason.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from salesdesk.core.models import AuditedModel

from .models import currency_code


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class DealRegistration(AuditedModel):
    """One partner's registration of one deal, with the conflicts found when it was checked."""

    partner = models.ForeignKey(
        "parties.Organisation",
        on_delete=models.PROTECT,
        related_name="deal_registrations",
        limit_choices_to={"kind": "partner"},
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200, blank=True, help_text="What the deal is, in a few words.")
    customer_name = models.CharField(
        max_length=200, help_text="The customer company, as the partner wrote it."
    )
    customer_key = models.CharField(
        max_length=200, db_index=True, editable=False, help_text="customer_name normalised for matching."
    )
    account = models.ForeignKey(
        "parties.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "customer"},
        help_text="The existing customer account this is for; none yet when the customer is new.",
    )
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(max_length=3, default="EUR", validators=[currency_code])
    products = models.ManyToManyField("catalog.Product", related_name="+")
    expected_close_date = models.DateField()
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING, db_index=True
    )
    in_conflict = models.BooleanField(default=False, db_index=True)
    # A conflicting opportunity is protected for another partner until this date: the
    # registration cannot be approved before then.
    blocked_until = models.DateField(null=True, blank=True)
    conflicts = models.JSONField(
        default=list, blank=True, help_text="[{kind, id, label, customer, score, products, partner, …}]"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    opportunity = models.ForeignKey(
        "deals.Opportunity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    protected_until = models.DateField(null=True, blank=True, db_index=True)

    audit_exclude = (*AuditedModel.audit_exclude, "conflicts", "customer_key")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "customer_key"], name="registration_status_key"),
            models.Index(fields=["opportunity", "status"], name="registration_opportunity"),
        ]

    def __str__(self) -> str:
        return f"Registration #{self.pk} · {self.customer_name}"

    def audit_scope_organisation_id(self) -> int | None:
        # Before approval the customer may not exist yet: the partner's timeline holds it.
        return self.account_id or self.partner_id

    @property
    def is_pending(self) -> bool:
        return self.status == RegistrationStatus.PENDING
