"""Opportunities: the deals that presales work, estimates and proposals attach to."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from salesdesk.core.models import AuditedModel

from .choices import CLOSED_STAGES, OpportunityStage

currency_code = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code such as EUR.")


class Opportunity(AuditedModel):
    """A possible sale to a customer account, owned by a sales rep, maybe brought by a partner."""

    name = models.CharField(max_length=200)
    account = models.ForeignKey(
        "parties.Organisation",
        on_delete=models.PROTECT,
        related_name="opportunities",
        limit_choices_to={"kind": "customer"},
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="opportunities",
        help_text="The sales rep who owns the deal.",
    )
    partner = models.ForeignKey(
        "parties.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partner_opportunities",
        limit_choices_to={"kind": "partner"},
    )
    stage = models.CharField(
        max_length=20, choices=OpportunityStage.choices, default=OpportunityStage.QUALIFICATION, db_index=True
    )
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(max_length=3, default="EUR", validators=[currency_code])
    expected_close_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    lost_reason = models.CharField(max_length=300, blank=True)
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="opportunities")

    class Meta:
        ordering = ["expected_close_date", "id"]
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return self.name

    def audit_scope_organisation_id(self) -> int | None:
        return self.account_id

    @property
    def is_closed(self) -> bool:
        return self.stage in CLOSED_STAGES


# Presales requests, deal registrations and requirements live beside, by concept (imported
# so Django sees them).
from .presales_models import PresalesComment, PresalesRequest  # noqa: E402, F401
from .registration_models import DealRegistration, RegistrationStatus  # noqa: E402, F401
from .requirement_models import (  # noqa: E402, F401
    Requirement,
    RequirementBaseline,
    RequirementQuestion,
    RequirementSet,
)
