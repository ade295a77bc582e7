"""The feasibility report of a large solution version, rendered in the background.

A report of a few dozen requirements and checks renders in about a second, inside the
request. Above ``INLINE_REPORT_ROWS`` fit-gap rows plus checks the page starts a
:class:`~salesdesk.core.models.Job` instead; the job page shows its progress and offers
the PDF when it is done (``web:job_download``). Thin: the work is in :mod:`.report`.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django_tasks import task

from salesdesk.core.jobs import job_create, job_enqueue, run_job
from salesdesk.core.models import Job
from salesdesk.core.permissions import require

from . import report, selectors

#: Reports with more fit-gap rows plus checks than this are rendered in the background.
INLINE_REPORT_ROWS = 250


def report_needs_job(version: Any) -> bool:
    """Whether the report of ``version`` is large enough to render in the background."""
    rows = len(selectors.requirements_for_version(version)) + selectors.components_of(version).count()
    return rows > INLINE_REPORT_ROWS


def report_start(*, actor: Any, version: Any, prepared_by: str) -> Job:
    """Queue the rendering of the report; the job's file is the PDF."""
    require(actor, "solution.view")
    design = version.design
    job = job_create(
        actor=actor,
        kind="solutions.report",
        title=f"Feasibility report: {design.title} v{version.number}"[:200],
        params={"version_id": version.pk, "prepared_by": prepared_by[:200]},
    )
    job_enqueue(job, feasibility_report)
    return job


@task()
def feasibility_report(job_id: int) -> Any:
    return run_job(job_id, _render)


def _render(job: Job, progress: Any) -> dict[str, Any]:
    from .models import SolutionVersion

    version = SolutionVersion.objects.select_related("design__opportunity__account").get(
        pk=job.params["version_id"]
    )
    progress(10, "Collecting the fit-gap, checks and sizing")
    feasibility = report.report_for_version(version, prepared_by=job.params.get("prepared_by", ""))
    progress(
        40, f"Laying out {len(feasibility.fit_gap):,} requirements and {len(feasibility.checks):,} checks"
    )
    content = report.render_pdf(feasibility)
    progress(90, "Storing the report")
    job.result_file.save(report.report_filename(feasibility), ContentFile(content), save=True)
    return {
        "bytes": len(content),
        "requirements": len(feasibility.fit_gap),
        "checks": len(feasibility.checks),
    }
