"""Estimates on an opportunity: work breakdown, rate card, non-labour items, risks, versions.

The rows of an estimate (tasks, rates, items, risks) are its working copy. A version is
the estimate as it was submitted or signed off: its ``snapshot`` holds every row, so a
signed-off version stays exactly as Grace approved it while a newer draft changes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from salesdesk.core.models import AuditedModel

from .choices import (
    ACTIVE_MITIGATION,
    DependencyType,
    Distribution,
    EstimateStatus,
    MitigationStatus,
    RiskStatus,
)

currency_code = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code such as EUR.")
task_code = RegexValidator(r"^[A-Za-z0-9_.-]{1,20}$", "Use letters, digits, '.', '_' or '-' (at most 20).")
ZERO = Decimal("0")
non_negative = MinValueValidator(ZERO)


def money_field(**kwargs: Any) -> models.DecimalField:
    return models.DecimalField(
        max_digits=14, decimal_places=2, default=ZERO, validators=[non_negative], **kwargs
    )


def days_field(**kwargs: Any) -> models.DecimalField:
    return models.DecimalField(
        max_digits=9, decimal_places=2, default=ZERO, validators=[non_negative], **kwargs
    )


def optional_money_field(**kwargs: Any) -> models.DecimalField:
    return models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[non_negative], **kwargs
    )


def optional_days_field(**kwargs: Any) -> models.DecimalField:
    return models.DecimalField(
        max_digits=9, decimal_places=2, null=True, blank=True, validators=[non_negative], **kwargs
    )


class Estimate(AuditedModel):
    """Cost, effort and risk estimate for an opportunity, with its initial project plan."""

    opportunity = models.ForeignKey("deals.Opportunity", on_delete=models.PROTECT, related_name="estimates")
    title = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, default="EUR", validators=[currency_code])
    distribution = models.CharField(max_length=12, choices=Distribution.choices, default=Distribution.PERT)
    confidence_level = models.PositiveSmallIntegerField(
        default=80,
        validators=[MinValueValidator(50), MaxValueValidator(99)],
        help_text="Percentile the contingency is sized for (P80 by default).",
    )
    status = models.CharField(
        max_length=12, choices=EstimateStatus.choices, default=EstimateStatus.DRAFT, db_index=True
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="estimates")
    start_date = models.DateField(null=True, blank=True, help_text="Planned project start.")
    holiday_country = models.CharField(
        max_length=2, blank=True, help_text="ISO country code whose public holidays the plan skips."
    )
    target_date = models.DateField(null=True, blank=True, help_text="Date to meet (probability shown).")
    target_budget = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[non_negative]
    )
    current_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title

    def audit_scope_organisation_id(self) -> int | None:
        return self.opportunity.account_id if self.opportunity_id else None

    @property
    def usable_in_proposal(self) -> bool:
        """Only a signed-off estimate may be priced into a proposal."""
        return self.status == EstimateStatus.SIGNED_OFF


class EstimateVersion(AuditedModel):
    """One version of an estimate: the draft being worked on, or a frozen submitted/signed-off one."""

    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    frozen = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=EstimateStatus.choices, default=EstimateStatus.DRAFT)
    snapshot = models.JSONField(default=dict, blank=True, help_text="The whole estimate when frozen.")
    result = models.JSONField(default=dict, blank=True, help_text="Summary of the last simulation.")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    review_comments = models.TextField(blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["estimate", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["estimate", "number"], name="estimates_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.estimate} v{self.number}"

    def audit_scope_organisation_id(self) -> int | None:
        return self.estimate.audit_scope_organisation_id()


class EstimateLine(AuditedModel):
    """Shared by every row of an estimate's working copy."""

    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    def audit_scope_organisation_id(self) -> int | None:
        return self.estimate.audit_scope_organisation_id()


class EstimateTask(EstimateLine):
    """One task of the work breakdown, with a three-point effort estimate in person-days."""

    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField(max_length=20, validators=[task_code], help_text="Short id, e.g. 'T12'.")
    position = models.PositiveIntegerField(default=0)
    phase = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=60, blank=True, help_text="Rate-card role doing the work.")
    task_type = models.CharField(max_length=60, blank=True, help_text="For calibration, e.g. 'integration'.")
    optimistic = days_field()
    most_likely = days_field()
    pessimistic = days_field()
    dependencies = models.JSONField(
        default=list, blank=True, help_text='[{"task": "T1", "type": "FS", "lag": 0}, …]'
    )
    milestone = models.BooleanField(default=False)
    units = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[non_negative],
        help_text="People of its role it occupies while it runs (for the over-allocation check; "
        "the duration is still the effort estimate).",
    )

    class Meta:
        ordering = ["estimate", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["estimate", "code"], name="estimates_task_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RateCardLine(EstimateLine):
    """What a role costs us and what we sell it for, per person-day."""

    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="rates")
    role = models.CharField(max_length=60)
    cost_rate = money_field()
    sell_rate = money_field()
    currency = models.CharField(max_length=3, default="EUR", validators=[currency_code])
    capacity = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[non_negative],
        help_text="People available in this role at once; empty means no limit.",
    )

    class Meta:
        ordering = ["estimate", "role"]
        constraints = [
            models.UniqueConstraint(fields=["estimate", "role"], name="estimates_rate_unique_role")
        ]

    def __str__(self) -> str:
        return self.role


class NonLabourItem(EstimateLine):
    """Hardware, licences, travel: a quantity at a unit cost, maybe a catalog product."""

    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(max_length=200)
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("1"), validators=[non_negative]
    )
    unit_cost = money_field(help_text="Most likely unit cost.")
    unit_cost_low = optional_money_field(help_text="Lowest unit cost; empty means the unit cost is certain.")
    unit_cost_high = optional_money_field(
        help_text="Highest unit cost; empty means the unit cost is certain."
    )

    class Meta:
        ordering = ["estimate", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def total(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))

    @property
    def unit_cost_range(self) -> tuple[Decimal, Decimal, Decimal]:
        """Low / most likely / high unit cost (an empty end is the most likely cost)."""
        low = self.unit_cost if self.unit_cost_low is None else self.unit_cost_low
        high = self.unit_cost if self.unit_cost_high is None else self.unit_cost_high
        return low, self.unit_cost, high

    @property
    def is_range(self) -> bool:
        low, _, high = self.unit_cost_range
        return low != high


class EstimateRisk(EstimateLine):
    """A risk event with a probability and low / most likely / high cost and schedule impacts."""

    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="risks")
    code = models.CharField(max_length=20, validators=[task_code])
    description = models.CharField(max_length=300)
    probability = models.DecimalField(
        max_digits=4, decimal_places=3, validators=[non_negative, MaxValueValidator(Decimal("1"))]
    )
    cost_low = money_field()
    cost_most_likely = money_field()
    cost_high = money_field()
    days_low = days_field()
    days_most_likely = days_field()
    days_high = days_field()
    tasks = models.JSONField(default=list, blank=True, help_text="Codes of the tasks it delays.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mitigation = models.TextField(blank=True)
    mitigation_cost = money_field()
    mitigation_status = models.CharField(
        max_length=12,
        choices=MitigationStatus.choices,
        default=MitigationStatus.NONE,
        help_text="A planned, in-progress or done mitigation is simulated: its cost is added and "
        "the mitigated probability and impacts (where given) replace the unmitigated ones.",
    )
    mitigated_probability = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[non_negative, MaxValueValidator(Decimal("1"))],
        help_text="Probability once mitigated; empty means unchanged.",
    )
    mitigated_cost_low = optional_money_field()
    mitigated_cost_most_likely = optional_money_field()
    mitigated_cost_high = optional_money_field()
    mitigated_days_low = optional_days_field()
    mitigated_days_most_likely = optional_days_field()
    mitigated_days_high = optional_days_field()
    status = models.CharField(max_length=8, choices=RiskStatus.choices, default=RiskStatus.OPEN)

    class Meta:
        ordering = ["estimate", "code"]
        constraints = [
            models.UniqueConstraint(fields=["estimate", "code"], name="estimates_risk_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    @property
    def mitigation_active(self) -> bool:
        """Whether the mitigation is part of the plan (planned, in progress or done)."""
        return self.mitigation_status in ACTIVE_MITIGATION

    def simulated(self) -> tuple[Decimal, tuple[Decimal, Decimal, Decimal], tuple[Decimal, Decimal, Decimal]]:
        """Probability, cost impact and schedule impact the simulation uses: the mitigated ones
        where the mitigation is active and they are given, else the unmitigated ones."""
        probability = self.probability
        cost = (self.cost_low, self.cost_most_likely, self.cost_high)
        days = (self.days_low, self.days_most_likely, self.days_high)
        if self.mitigation_active:
            if self.mitigated_probability is not None:
                probability = self.mitigated_probability
            mitigated_cost = (
                self.mitigated_cost_low,
                self.mitigated_cost_most_likely,
                self.mitigated_cost_high,
            )
            if all(v is not None for v in mitigated_cost):
                cost = mitigated_cost  # type: ignore[assignment]
            mitigated_days = (
                self.mitigated_days_low,
                self.mitigated_days_most_likely,
                self.mitigated_days_high,
            )
            if all(v is not None for v in mitigated_days):
                days = mitigated_days  # type: ignore[assignment]
        return probability, cost, days


class ProjectActual(AuditedModel):
    """What a finished project's task really took, against what was estimated (for calibration)."""

    project = models.CharField(max_length=200)
    task_type = models.CharField(max_length=60)
    role = models.CharField(max_length=60)
    estimated_effort = models.DecimalField(
        max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    actual_effort = models.DecimalField(
        max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    estimated_cost = money_field()
    actual_cost = money_field()
    estimated_duration = days_field()
    actual_duration = days_field()
    completed_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-completed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.project}: {self.task_type} ({self.role})"


__all__ = [
    "DependencyType",
    "Estimate",
    "EstimateRisk",
    "EstimateTask",
    "EstimateVersion",
    "NonLabourItem",
    "ProjectActual",
    "RateCardLine",
]
