"""Requirements on an opportunity: the set, its requirements, clarification questions, baselines.

The set is the living draft a consultant edits in a workshop. A baseline freezes it: an
immutable, numbered snapshot (``content``) that is rendered as a document, shared with the
customer's contact and signed off by a customer user. Later changes go into the draft and
become the next baseline, whose diff against the previous one is shown to everyone.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from salesdesk.core.models import AuditedModel

from .choices import (
    AnswerChannel,
    QuestionStatus,
    RequirementPriority,
    RequirementSource,
    RequirementType,
)

reference_format = RegexValidator(
    r"^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,5}$", "Use a reference such as REQ-012 (letters, a dash, digits)."
)


class RequirementSet(AuditedModel):
    """The requirements of one opportunity (one set per opportunity)."""

    opportunity = models.OneToOneField(
        "deals.Opportunity", on_delete=models.PROTECT, related_name="requirement_set"
    )
    title = models.CharField(max_length=200, default="Requirements")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.title} · {self.opportunity}"

    def audit_scope_organisation_id(self) -> int | None:
        return self.opportunity.account_id


class Requirement(AuditedModel):
    """One requirement: what is needed, how to tell it is met, and what was concluded."""

    requirement_set = models.ForeignKey(RequirementSet, on_delete=models.CASCADE, related_name="requirements")
    reference = models.CharField(max_length=16, validators=[reference_format], help_text="e.g. REQ-012")
    statement = models.TextField()
    type = models.CharField(
        max_length=20, choices=RequirementType.choices, default=RequirementType.FUNCTIONAL
    )
    priority = models.CharField(
        max_length=10, choices=RequirementPriority.choices, default=RequirementPriority.MUST
    )
    acceptance = models.TextField(blank=True, help_text="How the customer will tell it is met.")
    source = models.CharField(
        max_length=10, choices=RequirementSource.choices, default=RequirementSource.WORKSHOP
    )
    conclusion = models.TextField(blank=True, help_text="What was decided in clarification.")
    targets = models.JSONField(default=list, blank=True, help_text="[{metric, operator, value, unit}]")

    class Meta:
        ordering = ["requirement_set", "reference", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requirement_set", "reference"], name="requirement_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.statement[:80]}"

    def audit_scope_organisation_id(self) -> int | None:
        return self.requirement_set.opportunity.account_id

    def as_content(self) -> dict[str, Any]:
        """What a baseline keeps of this requirement (and what a diff compares)."""
        return {
            "reference": self.reference,
            "statement": self.statement,
            "type": self.type,
            "priority": self.priority,
            "acceptance": self.acceptance,
            "source": self.source,
            "conclusion": self.conclusion,
            "targets": list(self.targets),
        }


class RequirementQuestion(AuditedModel):
    """An open point on a requirement, asked of the customer's contact, answered, decided."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField()
    asked_of = models.ForeignKey(
        "parties.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN, db_index=True
    )
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=AnswerChannel.choices, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Question on {self.requirement.reference}: {self.text[:60]}"

    def audit_scope_organisation_id(self) -> int | None:
        return self.requirement.requirement_set.opportunity.account_id


class RequirementBaseline(AuditedModel):
    """Version ``number`` of a set, frozen: ``content`` never changes after it is written.

    Only sharing and sign-off are recorded on it afterwards (who, when, which contact).
    """

    requirement_set = models.ForeignKey(RequirementSet, on_delete=models.PROTECT, related_name="baselines")
    number = models.PositiveIntegerField()
    content = models.JSONField(help_text="{title, customer, opportunity, requirements: [...]}")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_with = models.ForeignKey(
        "parties.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(null=True, blank=True, db_index=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_name = models.CharField(max_length=200, blank=True, help_text="The name the signer typed.")
    signed_off_at = models.DateTimeField(null=True, blank=True)

    audit_exclude = (*AuditedModel.audit_exclude, "content")

    class Meta:
        ordering = ["requirement_set", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["requirement_set", "number"], name="requirement_baseline_unique")
        ]

    def __str__(self) -> str:
        return f"Requirements v{self.number} · {self.requirement_set.opportunity}"

    def audit_scope_organisation_id(self) -> int | None:
        return self.requirement_set.opportunity.account_id

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    @property
    def requirements(self) -> list[dict[str, Any]]:
        return list(self.content.get("requirements", []))
