"""Presales requests: a sales rep or partner asks the presales team for help on an opportunity.

A request moves requested → acknowledged → assigned → in progress → delivered, or ends
declined / cancelled with a reason. Two internal targets run on the business calendar
(``presales_targets``): acknowledge within N business hours of the request, and deliver by
the close of business on the due date. Both instants are stored when the request is made,
so lists can filter "overdue" in the database.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from salesdesk.core.models import AuditedModel, TimeStampedModel


class PresalesKind(models.TextChoices):
    DEMO = "demo", "Demo"
    TECHNICAL_QUALIFICATION = "technical_qualification", "Technical qualification"
    REQUIREMENTS_WORKSHOP = "requirements_workshop", "Requirements workshop"
    RFP_RESPONSE = "rfp_response", "RFP response"
    SOLUTION_ESTIMATE = "solution_estimate", "Solution and estimate"


class PresalesStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


class PresalesPriority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


OPEN_PRESALES_STATUSES = (
    PresalesStatus.REQUESTED,
    PresalesStatus.ACKNOWLEDGED,
    PresalesStatus.ASSIGNED,
    PresalesStatus.IN_PROGRESS,
)
# What counts towards a person's workload: work that is theirs and not finished.
WORKLOAD_STATUSES = (PresalesStatus.ASSIGNED, PresalesStatus.IN_PROGRESS)
CLOSED_PRESALES_STATUSES = (PresalesStatus.DELIVERED, PresalesStatus.DECLINED, PresalesStatus.CANCELLED)


class PresalesRequest(AuditedModel):
    """One ask for presales support on an opportunity, with its targets and who works on it."""

    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.PROTECT, related_name="presales_requests"
    )
    kind = models.CharField(max_length=30, choices=PresalesKind.choices)
    description = models.TextField()
    due_date = models.DateField(help_text="The date the requester needs the work delivered by.")
    priority = models.CharField(
        max_length=10, choices=PresalesPriority.choices, default=PresalesPriority.NORMAL
    )
    skills = models.ManyToManyField("parties.ProductSkill", blank=True, related_name="presales_requests")
    status = models.CharField(
        max_length=20, choices=PresalesStatus.choices, default=PresalesStatus.REQUESTED, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="presales_requests_made"
    )
    requester_organisation = models.ForeignKey(
        "parties.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The requester's organisation: a partner sees its own organisation's requests.",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="presales_assignments",
    )
    estimated_hours = models.DecimalField(
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(2000)],
        help_text="Effort the work is expected to take; weights the assignee's workload.",
    )
    requested_at = models.DateTimeField(db_index=True)
    acknowledge_due_at = models.DateTimeField(db_index=True)
    deliver_due_at = models.DateTimeField(db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was declined or cancelled.")
    close_reason = models.CharField(max_length=500, blank=True)
    delivery_note = models.TextField(blank=True)

    class Meta:
        ordering = ["deliver_due_at", "id"]
        indexes = [models.Index(fields=["status", "deliver_due_at"], name="presales_status_due")]

    def __str__(self) -> str:
        return f"PR-{self.pk} {self.get_kind_display()} · {self.opportunity}"

    @property
    def reference(self) -> str:
        return f"PR-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PRESALES_STATUSES

    def audit_scope_organisation_id(self) -> int | None:
        return self.opportunity.account_id


class PresalesComment(TimeStampedModel):
    """A note on a request, seen by everyone who sees the request (requester, presales team)."""

    request = models.ForeignKey(PresalesRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on PR-{self.request_id}"
