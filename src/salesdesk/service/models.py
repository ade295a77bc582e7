"""Cases (queries, complaints, problems, requests), their SLA, escalations and interactions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.lookups import In

from salesdesk.core.models import AuditedModel, TimeStampedModel
from salesdesk.parties.choices import CustomerTier

from . import business_hours
from .choices import (
    ACTIVE_STATUSES,
    CLOCK_RUNNING_STATUSES,
    CallDirection,
    CaseChannel,
    CasePriority,
    CaseStatus,
    CaseType,
    InteractionKind,
)

weekday_digits = RegexValidator(r"^[1-7]{0,7}$", "List ISO weekdays as digits, 1 = Monday … 7 = Sunday.")
REFERENCE = re.compile(r"^\s*CS-?0*(\d{1,18})\s*$", re.IGNORECASE)


class BusinessCalendar(AuditedModel):
    """Working days and hours, public holidays and closures: the clock SLAs run on."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="Europe/Berlin")
    working_days = models.CharField(
        max_length=7, default="12345", validators=[weekday_digits], help_text="ISO weekdays, e.g. 12345."
    )
    opens_at = models.TimeField(default=dt.time(8))
    closes_at = models.TimeField(default=dt.time(18))
    holiday_country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 code, e.g. DE.")
    holiday_subdivision = models.CharField(max_length=10, blank=True, help_text="e.g. BY for Bavaria.")
    closures = models.JSONField(default=list, blank=True, help_text="Extra closure dates, YYYY-MM-DD.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def as_engine(self) -> business_hours.Calendar:
        """The pure engine's calendar (raises CalendarError when the settings cannot work)."""
        return business_hours.Calendar(
            time_zone=self.time_zone,
            hours={int(d) - 1: (self.opens_at, self.closes_at) for d in self.working_days},
            holiday_country=self.holiday_country,
            holiday_subdivision=self.holiday_subdivision,
            closures=frozenset(dt.date.fromisoformat(str(d)) for d in self.closures or ()),
        )


class SlaPolicy(AuditedModel):
    """Targets for one customer tier and priority, in business minutes on a calendar.

    A case copies the targets when it is opened, so a change here applies to new cases only.
    """

    customer_tier = models.CharField(max_length=10, choices=CustomerTier.choices)
    priority = models.CharField(max_length=10, choices=CasePriority.choices)
    first_response_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    resolution_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    at_risk_percent = models.PositiveSmallIntegerField(
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="A case is at risk once this share of a target's time is used up.",
    )
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="policies")

    class Meta:
        ordering = ["customer_tier", "priority"]
        verbose_name_plural = "SLA policies"
        constraints = [
            models.UniqueConstraint(fields=["customer_tier", "priority"], name="one_sla_per_tier_priority")
        ]

    def __str__(self) -> str:
        return f"{self.get_customer_tier_display()} · {self.get_priority_display()}"


class Case(AuditedModel):
    """A customer's query, complaint, problem or request, worked in tiers 1–4 against an SLA."""

    case_type = models.CharField(max_length=10, choices=CaseType.choices, default=CaseType.QUERY)
    channel = models.CharField(max_length=12, choices=CaseChannel.choices, default=CaseChannel.PHONE)
    priority = models.CharField(
        max_length=10, choices=CasePriority.choices, default=CasePriority.NORMAL, db_index=True
    )
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW, db_index=True
    )
    tier = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(4)], db_index=True
    )
    account = models.ForeignKey(
        "parties.Organisation",
        on_delete=models.PROTECT,
        related_name="cases",
        limit_choices_to={"kind": "customer"},
    )
    contact = models.ForeignKey(
        "parties.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    opportunity = models.ForeignKey(
        "deals.Opportunity", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
        help_text="Empty: the case waits in its tier's queue.",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The SLA as it was when the case was opened (the policy may change later).
    sla_policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    sla_policy_version = models.PositiveIntegerField(null=True, blank=True)
    sla_calendar = models.ForeignKey(
        BusinessCalendar, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    at_risk_percent = models.PositiveSmallIntegerField(default=80)
    opened_at = models.DateTimeField(db_index=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # When the target that counts now (first response until answered, then resolution) enters
    # its at-risk share: from here on sla_state is at_risk or breached while the clock runs.
    # Kept by the services with the due times, so "breaching soon" is an indexed range query.
    at_risk_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    # Closed intervals [[from, to], …] (ISO text) while waiting on the customer, and the open one.
    pauses = models.JSONField(default=list, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    # Complaint handling (ISO 10002: acknowledge, investigate, respond, correct).
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    investigation = models.TextField(blank=True)
    response = models.TextField(blank=True)
    root_cause = models.TextField(blank=True)
    corrective_action = models.TextField(blank=True)
    # Satisfaction, given once from the signed link in the resolution e-mail.
    satisfaction_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfaction_comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "tier", "assignee"]),
            # The queues, keyset-paginated on (resolution_due_at, id) or (at_risk_at, id); partial
            # indexes over the few active cases, not the many closed ones.
            models.Index(
                fields=["assignee", "resolution_due_at", "id"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="case_active_assignee_due",
            ),
            models.Index(
                fields=["tier", "resolution_due_at", "id"],
                condition=Q(status__in=ACTIVE_STATUSES, assignee__isnull=True),
                name="case_active_tier_queue_due",
            ),
            models.Index(
                fields=["account", "resolution_due_at", "id"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="case_active_account_due",
            ),
            models.Index(
                fields=["resolution_due_at", "id"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="case_active_due",
            ),
            models.Index(
                fields=["at_risk_at", "id"],
                condition=Q(status__in=CLOCK_RUNNING_STATUSES),
                name="case_running_at_risk",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(tier__gte=1, tier__lte=4), name="case_tier_1_to_4"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return f"CS-{self.pk or 0:06d}"

    @staticmethod
    def id_from_reference(text: str) -> int | None:
        match = REFERENCE.match(text or "")
        return int(match.group(1)) if match else None

    def audit_scope_organisation_id(self) -> int | None:
        return self.account_id

    @property
    def is_complaint(self) -> bool:
        return self.case_type == CaseType.COMPLAINT

    def pause_intervals(self, now: dt.datetime | None = None) -> list[tuple[dt.datetime, dt.datetime]]:
        """The SLA pauses as datetimes; the running pause (if any) ends at ``now``."""
        intervals = [(dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b)) for a, b in self.pauses]
        if self.paused_at is not None and now is not None and now > self.paused_at:
            intervals.append((self.paused_at, now))
        return intervals


SAFE_LITERAL = re.compile(r"^[a-z_]+$")


class StatusIn(In):
    """``status__is_one_of=(…)``: an IN list written into the SQL, not bound as parameters.

    SQLite uses a partial index only when the query's WHERE clause contains the index's
    condition term for term *as written*; a bound ``IN (?, ?, ?)`` never matches the
    ``IN ('new', 'open', 'waiting_on_customer')`` of the queue indexes, so the queues
    would scan every closed case instead. Only status codes (lower-case words) are allowed.
    """

    lookup_name = "is_one_of"

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        values = [str(v) for v in self.rhs]
        if not values or not all(SAFE_LITERAL.match(v) for v in values):
            raise ValueError(f"status__is_one_of takes status codes, not {values!r}")
        return "(" + ", ".join(f"'{v}'" for v in values) + ")", ()


Case._meta.get_field("status").register_lookup(StatusIn)


class CaseComment(TimeStampedModel):
    """A reply on a case: public (the customer sees it) or an internal note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    is_public = models.BooleanField(default=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case.reference} comment #{self.pk}"

    def audit_scope_organisation_id(self) -> int | None:
        return self.case.account_id


def attachment_path(instance: CaseAttachment, filename: str) -> str:
    return f"cases/{instance.case_id}/{instance.stored_name}"


class CaseAttachment(TimeStampedModel):
    """A file on a case (a log, a photo). Served only through a view that checks visibility."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=200, help_text="The safe name shown and downloaded.")
    stored_name = models.CharField(max_length=250)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    is_public = models.BooleanField(default=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename

    def audit_scope_organisation_id(self) -> int | None:
        return self.case.account_id


class Escalation(TimeStampedModel):
    """A case handed to a higher tier (SSUP L1 'seeks assistance')."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    from_tier = models.PositiveSmallIntegerField()
    to_tier = models.PositiveSmallIntegerField()
    reason = models.TextField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    automatic = models.BooleanField(default=False, help_text="Raised by the at-risk job, not a person.")
    sla_target = models.CharField(
        max_length=20, blank=True, help_text="The SLA target that triggered an automatic escalation."
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case.reference}: tier {self.from_tier} → {self.to_tier}"

    def audit_scope_organisation_id(self) -> int | None:
        return self.case.account_id


class Interaction(AuditedModel):
    """A call, meeting or e-mail with a customer, linked to a contact, account, case or deal."""

    kind = models.CharField(max_length=10, choices=InteractionKind.choices)
    occurred_at = models.DateTimeField(db_index=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="interactions")
    contact = models.ForeignKey(
        "parties.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="interactions"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="interactions"
    )
    opportunity = models.ForeignKey(
        "deals.Opportunity", null=True, blank=True, on_delete=models.PROTECT, related_name="interactions"
    )
    # Call.
    direction = models.CharField(max_length=10, choices=CallDirection.choices, blank=True)
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    # Meeting.
    attendees = models.CharField(max_length=500, blank=True)
    place = models.CharField(max_length=200, blank=True)
    # E-mail.
    subject = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        what = self.subject or self.outcome or self.place or self.notes[:60]
        return f"{self.get_kind_display()}: {what}".rstrip(": ")

    def audit_scope_organisation_id(self) -> int | None:
        return self.account_id


__all__: list[Any] = [
    "BusinessCalendar",
    "Case",
    "CaseAttachment",
    "CaseComment",
    "Escalation",
    "Interaction",
    "SlaPolicy",
]
