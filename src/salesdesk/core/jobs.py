"""Background jobs people wait for: start one, report progress, finish with a result or an error.

A service creates a :class:`Job` and enqueues a Django task (``django_tasks``) with the
job's id; the task calls :func:`job_progress` as it goes and :func:`run_job` records the
outcome. Pages poll the job with htmx; the CLI draws a rich progress bar. On the
database backend ``salesdesk worker`` runs the tasks; with the immediate backend they
run inline.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .errors import ApplicationError
from .models import Job, JobStatus
from .permissions import holds, require

log = logging.getLogger(__name__)


def job_create(*, actor: Any, kind: str, title: str, params: dict | None = None) -> Job:
    """A queued job owned by ``actor`` (who alone sees it, besides admins)."""
    require(actor, "job.view")
    return Job.objects.create(
        kind=kind,
        title=title,
        params=params or {},
        created_by=actor,
        organisation_id=getattr(actor, "organisation_id", None),
    )


def job_enqueue(job: Job, task: Any) -> None:
    """Enqueue ``task(job_id)`` once the surrounding transaction commits."""

    def enqueue() -> None:
        result = task.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(getattr(result, "id", "")))

    transaction.on_commit(enqueue)


def job_progress(job_id: int, percent: float, message: str = "") -> None:
    """Report progress (0–100) from inside a task; committed at once so pollers see it."""
    percent = max(0, min(100, round(percent)))
    Job.objects.filter(pk=job_id).update(progress=percent, message=message[:300])


def run_job(job_id: int, work: Callable[[Job, Callable[[float, str], None]], Any]) -> Any:
    """Run ``work(job, progress)`` for a queued job and record its result or error.

    ``work`` returns a JSON-able result (or sets ``job.result_file``). An
    ApplicationError is recorded on the job as it is; any other exception as a short
    message with an error id (the traceback is in the log under that id), so a person
    sees that it failed instead of a job stuck at 40 %.
    """
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), message="Started"
    )

    def progress(percent: float, message: str = "") -> None:
        job_progress(job_id, percent, message)

    try:
        result = work(job, progress)
    except ApplicationError as exc:
        _finish(job_id, JobStatus.FAILED, error=exc.as_line())
        return None
    except Exception:
        # A bug, not a mistake in the input: the traceback goes to the log, never to the
        # person (pages and API show job.error), who gets an id to quote instead.
        error_id = secrets.token_hex(4)
        log.exception("job %s (%s) failed, error id %s", job_id, job.kind, error_id)
        _finish(job_id, JobStatus.FAILED, error=unexpected_error_message(error_id))
        return None
    job.refresh_from_db(fields=["result_file"])
    _finish(job_id, JobStatus.SUCCEEDED, result=result)
    return result


def unexpected_error_message(error_id: str) -> str:
    return (
        f"Something went wrong while running this job (error id {error_id}); "
        "the administrator can find the details in the log"
    )


def _finish(job_id: int, status: str, *, result: Any = None, error: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=status,
        result=result,
        error=error,
        finished_at=timezone.now(),
        progress=100 if status == JobStatus.SUCCEEDED else Job.objects.get(pk=job_id).progress,
        message="Done" if status == JobStatus.SUCCEEDED else "Failed",
    )


def visible_jobs(user: Any) -> QuerySet[Job]:
    """A user's own jobs; admins see every job."""
    if not holds(user, "job.view"):
        return Job.objects.none()
    qs = Job.objects.select_related("created_by")
    if getattr(user, "is_superuser", False):
        return qs
    return qs.filter(created_by=user)


def job_get_for_user(*, user: Any, job_id: int) -> Job:
    return get_object_or_404(visible_jobs(user), pk=job_id)
