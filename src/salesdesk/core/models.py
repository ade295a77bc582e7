"""Base models and the shared records: audit events, API tokens, idempotency keys, jobs."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .errors import BulkWriteRefused


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditedQuerySet(models.QuerySet):
    """Refuses bulk writes, which would change rows without an audit record.

    Use ``salesdesk.core.audit.bulk_update`` instead: it saves row by row and records
    each change. Django's own per-row ``save()`` and ``delete()`` do not go through
    these methods, so they keep working.
    """

    def update(self, **kwargs: Any) -> int:
        raise BulkWriteRefused(
            f"{self.model.__name__} is audited: use salesdesk.core.audit.bulk_update, not QuerySet.update"
        )

    def delete(self) -> tuple[int, dict[str, int]]:
        raise BulkWriteRefused(f"{self.model.__name__} is audited: delete through its service, row by row")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise BulkWriteRefused(f"{self.model.__name__} is audited: bulk_update bypasses the audit trail")

    def bulk_create(self, *args: Any, **kwargs: Any) -> list:
        raise BulkWriteRefused(f"{self.model.__name__} is audited: bulk_create bypasses the audit trail")

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise BulkWriteRefused(f"{self.model.__name__} is audited: write through its service")


AuditedManager = models.Manager.from_queryset(AuditedQuerySet)


class AuditedModel(TimeStampedModel):
    """A business record: every write goes through a service and leaves an audit event.

    ``version`` goes up by one on every save; the API's ETag is built from it, so a
    stale ``If-Match`` is detected without comparing timestamps.
    """

    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AuditedManager()

    # Fields never shown in an audit diff (secrets, noise).
    audit_exclude: tuple[str, ...] = ("created_at", "updated_at", "version", "password", "last_login")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        super().save(*args, **kwargs)

    @property
    def etag(self) -> str:
        return f'"{self.pk}.{self.version}"'

    def audit_scope_organisation_id(self) -> int | None:
        """The organisation whose timeline shows this record's events (the account)."""
        return None


class AuditAction(models.TextChoices):
    CREATED = "created", "created"
    UPDATED = "updated", "updated"
    DELETED = "deleted", "deleted"
    STEP = "step", "workflow step"


class AuditEvent(models.Model):
    """One change to one business record: who, when, what, old → new."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, help_text="Who acted, kept when the user is gone.")
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    step = models.CharField(max_length=60, blank=True, help_text="The workflow step, e.g. 'escalated'.")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [old, new]}")
    detail = models.JSONField(default=dict, blank=True)
    scope_organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.step or self.action} {self.object_repr}"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is stored; it is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True, help_text="Shown in lists to tell tokens apart.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The stored response to a POST sent with an Idempotency-Key, for safe retries.

    Written *before* the request runs (``status_code`` empty: still in progress), so a
    concurrent retry with the same key is refused instead of running a second time.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)  # None: in progress
    content_type = models.CharField(max_length=100, blank=True)
    headers = models.JSONField(default=dict, blank=True)  # Cache-Control, ETag, Location of the response
    body = models.BinaryField(default=b"", blank=True)
    # The response revealed a secret (a new API token): only its status is kept, and a
    # retry is refused with 409 rather than showing the secret again.
    withheld = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """A background job a person is waiting for: progress 0–100 %, message, result or error.

    Imports, simulations and document rendering reuse it: a service creates the Job,
    enqueues a task with the job's id, and the task reports progress through
    ``salesdesk.core.jobs``.
    """

    kind = models.CharField(max_length=60, help_text="What the job does, e.g. 'organisations.export'.")
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    result_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    organisation_id = models.BigIntegerField(
        null=True, blank=True, help_text="Owner organisation, for visibility."
    )
    task_result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
