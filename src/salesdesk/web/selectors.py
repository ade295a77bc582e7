"""Reads that compose several apps for the pages (``web`` sits on top and may import them all)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from salesdesk.core.models import AuditEvent
from salesdesk.core.permissions import holds


def recent_audit_events(*, user: Any, limit: int = 15) -> QuerySet[AuditEvent]:
    """The latest changes anywhere, for the administrator's home page."""
    if not holds(user, "user.manage"):
        return AuditEvent.objects.none()
    return AuditEvent.objects.select_related("content_type")[:limit]
