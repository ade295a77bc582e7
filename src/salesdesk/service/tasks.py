"""Background jobs of the service desk. Thin: the work is in ``services``.

``escalate_at_risk_task`` is what a scheduler (cron, a systemd timer, the worker host's
scheduler) enqueues every few minutes; ``salesdesk escalate_at_risk`` runs the same
service in the foreground.
"""

from __future__ import annotations

from django_tasks import task

from .services import escalate_at_risk


@task()
def escalate_at_risk_task() -> int:
    """Escalate the running cases about to breach their SLA; returns how many were escalated."""
    return len(escalate_at_risk())
