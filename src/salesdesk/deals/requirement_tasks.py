"""Background jobs for requirements: large imports and large documents. Thin: the work is in
``requirement_io`` and ``requirement_documents``.

Small ones run in the request (a 200-row import or a 200-requirement document takes a
fraction of a second); above ``INLINE_IMPORT_ROWS`` rows or ``INLINE_DOCUMENT_REQUIREMENTS``
requirements the page and the API start a :class:`~salesdesk.core.models.Job` instead and
poll it. An import job either imports every good row in one transaction or nothing: a file
with problems fails the job with the problems named, and no requirement is written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django_tasks import task

from salesdesk.core.errors import ApplicationError
from salesdesk.core.jobs import job_create, job_enqueue, run_job
from salesdesk.core.models import Job
from salesdesk.core.permissions import require

from . import requirement_io
from .models import Opportunity, RequirementBaseline
from .requirement_documents import DOCUMENT_TYPES, baseline_document, document_filename
from .requirement_io import Progress

#: Files with more rows than this are imported in the background.
INLINE_IMPORT_ROWS = 200
#: Baselines with more requirements than this are rendered in the background.
INLINE_DOCUMENT_REQUIREMENTS = 300
PROBLEMS_LISTED = 20


def import_needs_job(records: list[Any]) -> bool:
    return len(records) > INLINE_IMPORT_ROWS


def document_needs_job(baseline: RequirementBaseline) -> bool:
    return len(baseline.requirements) > INLINE_DOCUMENT_REQUIREMENTS


def requirement_import_upload(
    *, actor: Any, opportunity: Opportunity, filename: str, content: bytes, skip_bad_rows: bool = False
) -> requirement_io.ImportReport | Job:
    """Import an uploaded file: a small one at once (the report), a large one in the background (the Job).

    The file is checked first either way (format, size, hostile archives, header), so a
    refused file is answered at once (ApplicationError on ``file``), never queued.
    """
    require(actor, "requirement.manage")
    fmt = requirement_io.detect_format(filename)
    records = requirement_io.read_records(content, fmt)
    if not import_needs_job(records):
        return requirement_io.import_records(
            records, actor=actor, opportunity=opportunity, skip_bad_rows=skip_bad_rows
        )
    return _queue_import(actor, opportunity, filename, fmt, content, len(records), skip_bad_rows)


def requirement_import_start(
    *, actor: Any, opportunity: Opportunity, filename: str, content: bytes, skip_bad_rows: bool = False
) -> Job:
    """Import an uploaded file in the background whatever its size; the job's result is the report."""
    require(actor, "requirement.manage")
    fmt = requirement_io.detect_format(filename)
    records = requirement_io.read_records(content, fmt)
    return _queue_import(actor, opportunity, filename, fmt, content, len(records), skip_bad_rows)


def _queue_import(
    actor: Any, opportunity: Opportunity, filename: str, fmt: str, content: bytes, rows: int, skip: bool
) -> Job:
    stored = default_storage.save(f"imports/requirements-{opportunity.pk}.{fmt}", ContentFile(content))
    job = job_create(
        actor=actor,
        kind="requirements.import",
        title=f"Import {rows:,} requirement rows ({fmt.upper()}) into {opportunity.name}"[:200],
        params={
            "opportunity_id": opportunity.pk,
            "path": stored,
            "format": fmt,
            "filename": filename[:200],
            "skip_bad_rows": skip,
        },
    )
    job_enqueue(job, requirement_import)
    return job


@task()
def requirement_import(job_id: int) -> Any:
    return run_job(job_id, _import)


@contextlib.contextmanager
def visible_progress(job_id: int, fallback: Progress) -> Iterator[Progress]:
    """A progress reporter whose updates others see while the import's transaction is open.

    The import writes every row in one transaction (all or nothing), and a progress update
    made on the same connection would only show when it commits. On PostgreSQL the updates
    go through a second connection in autocommit instead, so the page's bar moves while the
    rows are written. SQLite allows one writer at a time, so there the bar shows the
    reading and checking, then the writing phase as one step (2,000 rows: about 1–4 s).
    """
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        yield fallback
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    table = side.ops.quote_name(Job._meta.db_table)

    def report(percent: float, message: str = "") -> None:
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress = %s, message = %s WHERE id = %s",  # noqa: S608 - a model's table
                [max(0, min(100, round(percent))), message[:300], job_id],
            )

    try:
        yield report
    finally:
        side.close()


def _import(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    try:
        opportunity = Opportunity.objects.get(pk=params["opportunity_id"])
        progress(2, "Reading the file")
        with default_storage.open(params["path"], "rb") as handle:
            content = handle.read()
        records = requirement_io.read_records(content, params["format"])
        progress(10, f"{len(records):,} rows read; checking them")
        with visible_progress(job.pk, progress) as report_progress:
            report = requirement_io.import_records(
                records,
                actor=job.created_by,
                opportunity=opportunity,
                skip_bad_rows=params.get("skip_bad_rows", False),
                progress=report_progress,
            )
    finally:
        # The upload has served its purpose whatever happened; nothing keeps a customer's file.
        with contextlib.suppress(OSError):
            default_storage.delete(params["path"])
    if not report.imported:
        listed = "; ".join(str(p) for p in report.problems[:PROBLEMS_LISTED])
        more = len(report.problems) - PROBLEMS_LISTED
        raise ApplicationError(
            "file",
            f"{params.get('filename', 'the file')}: nothing imported, {len(report.problems)} problem(s): "
            + listed
            + (f"; and {more} more" if more > 0 else ""),
        )
    return report.as_dict()


def requirement_document_start(
    *, actor: Any, baseline: RequirementBaseline, fmt: str, previous: RequirementBaseline | None = None
) -> Job:
    """Render a version's document in the background; the job's file is the document."""
    if fmt not in DOCUMENT_TYPES:
        raise ApplicationError("format", "must be pdf or docx")
    job = job_create(
        actor=actor,
        kind="requirements.document",
        title=f"Requirements document v{baseline.number} ({fmt.upper()}), "
        f"{baseline.content.get('opportunity', '')}"[:200],
        params={
            "baseline_id": baseline.pk,
            "previous_id": previous.pk if previous else None,
            "format": fmt,
        },
    )
    job_enqueue(job, requirement_document)
    return job


@task()
def requirement_document(job_id: int) -> Any:
    return run_job(job_id, _render)


def _render(job: Job, progress: Any) -> dict[str, Any]:
    params = job.params
    baseline = RequirementBaseline.objects.get(pk=params["baseline_id"])
    previous = (
        RequirementBaseline.objects.filter(pk=params["previous_id"]).first()
        if params.get("previous_id")
        else None
    )
    fmt = params["format"]
    progress(10, f"Laying out {len(baseline.requirements):,} requirements as {fmt.upper()}")
    content = baseline_document(baseline, fmt, previous)
    progress(90, "Storing the document")
    job.result_file.save(document_filename(baseline, fmt), ContentFile(content), save=True)
    return {"format": fmt, "bytes": len(content), "requirements": len(baseline.requirements)}
