"""Solution designs on an opportunity: versions, components, services, fit-gap, product gaps.

A design holds numbered versions. The newest is worked on; starting the next version copies
its content (components, services, assumptions, fit-gap, workload) and freezes the one
before, so what a customer or a proposal saw never changes. A version is also frozen when
it is made final or referenced as evidence (a proposal, a feasibility report).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from salesdesk.core.models import AuditedModel

from .choices import Coverage, ProductGapStatus, SolutionStatus

currency_code = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code such as EUR.")


class SolutionDesign(AuditedModel):
    """A solution devised for an opportunity (level 4), in versions."""

    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.PROTECT, related_name="solution_designs"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    required_by = models.DateField(
        null=True, blank=True, help_text="When the customer needs the solution in service (lead-time check)."
    )
    current_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title

    def audit_scope_organisation_id(self) -> int | None:
        return self.opportunity.account_id if self.opportunity_id else None


class SolutionVersion(AuditedModel):
    """Version ``number`` of a design; frozen versions never change their content."""

    design = models.ForeignKey(SolutionDesign, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=12, choices=SolutionStatus.choices, default=SolutionStatus.DRAFT, db_index=True
    )
    frozen = models.BooleanField(default=False)
    frozen_reason = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    assumptions = models.JSONField(default=list, blank=True, help_text="A list of sentences.")
    workload = models.JSONField(default=dict, blank=True, help_text="The capacity model's workload.")
    sizing_result = models.JSONField(default=dict, blank=True, help_text="The last sizing result.")
    checks_result = models.JSONField(default=dict, blank=True, help_text="Checks as they were when frozen.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)

    audit_exclude = (*AuditedModel.audit_exclude, "sizing_result", "checks_result")

    class Meta:
        ordering = ["design", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["design", "number"], name="solutions_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.design} v{self.number}"

    def audit_scope_organisation_id(self) -> int | None:
        return self.design.audit_scope_organisation_id()

    @property
    def is_editable(self) -> bool:
        return not self.frozen


class VersionLine(AuditedModel):
    """Shared by every row that belongs to one version."""

    # Not "version": every audited row has a ``version`` counter (its ETag).
    solution_version = models.ForeignKey(SolutionVersion, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    def audit_scope_organisation_id(self) -> int | None:
        return self.solution_version.audit_scope_organisation_id()


class SolutionComponent(VersionLine):
    """A catalog item in the solution, with its quantity and configuration."""

    solution_version = models.ForeignKey(SolutionVersion, on_delete=models.CASCADE, related_name="components")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    configuration = models.JSONField(default=dict, blank=True, help_text='Settings, e.g. {"memory_gb": 256}.')
    notes = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["solution_version", "position", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product}"


class SolutionServiceLine(VersionLine):
    """A service in the solution: a catalog service product or a line of free text."""

    solution_version = models.ForeignKey(
        SolutionVersion, on_delete=models.CASCADE, related_name="service_lines"
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=300, blank=True)
    quantity = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit = models.CharField(max_length=60, blank=True, help_text="e.g. days, per month.")

    class Meta:
        ordering = ["solution_version", "id"]

    def __str__(self) -> str:
        return self.description or str(self.product)


class FitGapEntry(VersionLine):
    """How the version meets one requirement, and with which components.

    The requirement's reference and statement are copied, so a frozen version reads the
    same after the requirement changes or is removed.
    """

    solution_version = models.ForeignKey(SolutionVersion, on_delete=models.CASCADE, related_name="fit_gap")
    requirement = models.ForeignKey(
        "deals.Requirement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requirement_reference = models.CharField(max_length=16)
    requirement_statement = models.TextField(blank=True)
    coverage = models.CharField(max_length=12, choices=Coverage.choices)
    components = models.ManyToManyField(SolutionComponent, blank=True, related_name="fit_gap_entries")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["solution_version", "requirement_reference", "id"]
        verbose_name_plural = "fit-gap entries"
        constraints = [
            models.UniqueConstraint(
                fields=["solution_version", "requirement_reference"],
                name="solutions_fit_gap_unique_requirement",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requirement_reference}: {self.get_coverage_display()}"


class ProductGap(AuditedModel):
    """A requirement the catalog cannot meet, raised so that level 6 can start development work."""

    design = models.ForeignKey(SolutionDesign, on_delete=models.CASCADE, related_name="product_gaps")
    solution_version = models.ForeignKey(
        SolutionVersion, on_delete=models.CASCADE, related_name="product_gaps"
    )
    requirement = models.ForeignKey(
        "deals.Requirement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requirement_reference = models.CharField(max_length=16, blank=True)
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField()
    revenue_at_stake = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(max_length=3, default="EUR", validators=[currency_code])
    status = models.CharField(
        max_length=10, choices=ProductGapStatus.choices, default=ProductGapStatus.OPEN, db_index=True
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        ref = f"{self.requirement_reference}: " if self.requirement_reference else ""
        return f"Product gap {ref}{self.description[:80]}"

    def audit_scope_organisation_id(self) -> int | None:
        return self.design.audit_scope_organisation_id()
