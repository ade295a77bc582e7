"""Background jobs of the parties app. Thin: the work is in services/selectors."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.files.base import ContentFile
from django_tasks import task

from salesdesk.core.jobs import job_create, job_enqueue, run_job
from salesdesk.core.models import Job
from salesdesk.core.permissions import require

from .selectors import organisation_search

EXPORT_COLUMNS = (
    "id",
    "name",
    "kind",
    "tier",
    "managed_by",
    "industry",
    "country",
    "website",
    "phone",
    "email",
)


def organisations_export_start(*, actor: Any, query: str = "", kind: str = "", tier: str = "") -> Job:
    """Start exporting the organisations the actor sees (with the list's filters) as CSV."""
    require(actor, "organisation.export")
    job = job_create(
        actor=actor,
        kind="organisations.export",
        title="Export organisations (CSV)",
        params={"query": query, "kind": kind, "tier": tier},
    )
    job_enqueue(job, organisations_export)
    return job


@task()
def organisations_export(job_id: int) -> Any:
    return run_job(job_id, _export)


def _export(job: Job, progress: Any) -> dict[str, Any]:
    actor = job.created_by
    qs = organisation_search(user=actor, **{k: job.params.get(k, "") for k in ("query", "kind", "tier")})
    total = qs.count()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for n, org in enumerate(qs.iterator(chunk_size=500), start=1):
        writer.writerow(
            [
                org.pk,
                org.name,
                org.kind,
                org.tier,
                org.managed_by.name if org.managed_by else "",
                org.industry,
                org.country,
                org.website,
                org.phone,
                org.email,
            ]
        )
        if n % 200 == 0 or n == total:
            progress(100 * n / max(total, 1), f"{n} of {total} organisations")
    job.result_file.save(f"organisations-{job.pk}.csv", ContentFile(buffer.getvalue().encode()), save=True)
    return {"rows": total}
