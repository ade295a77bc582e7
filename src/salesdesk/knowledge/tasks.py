"""Background jobs of the knowledge app: import and export files, rebuild the search index.

Thin: the work is in ``io``, ``search`` and ``embeddings``."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tasks import task

from salesdesk.core.errors import ApplicationError
from salesdesk.core.jobs import job_create, job_enqueue, run_job
from salesdesk.core.models import Job
from salesdesk.core.permissions import require

from . import embeddings, search
from . import io as kb_io


def knowledge_import_start(*, actor: Any, filename: str, content: bytes, skip_bad_rows: bool = False) -> Job:
    """Store an uploaded file and start importing it; the job's result is the import report."""
    require(actor, "knowledge.draft")
    fmt = kb_io.detect_format(filename)
    if len(content) > kb_io.MAX_FILE_BYTES:
        raise ApplicationError("file", f"is larger than {kb_io.MAX_FILE_BYTES // 1024 // 1024} MB")
    stored = default_storage.save(f"imports/knowledge-{fmt}.{fmt}", ContentFile(content))
    job = job_create(
        actor=actor,
        kind="knowledge.import",
        title=f"Import knowledge ({fmt.upper()})",
        params={"path": stored, "format": fmt, "skip_bad_rows": skip_bad_rows},
    )
    job_enqueue(job, knowledge_import)
    return job


@task()
def knowledge_import(job_id: int) -> Any:
    return run_job(job_id, _import)


def _import(job: Job, progress: Any) -> dict[str, Any]:
    with default_storage.open(job.params["path"], "rb") as handle:
        content = handle.read()
    records = kb_io.read_records(content, job.params["format"])
    report = kb_io.import_records(
        records, actor=job.created_by, skip_bad_rows=job.params.get("skip_bad_rows", False), progress=progress
    )
    if report.problems and not report.imported:
        raise ApplicationError(
            "file",
            f"{len(report.problems)} problem(s), nothing imported: "
            + "; ".join(str(p) for p in report.problems[:20]),
        )
    return report.as_dict()


def knowledge_export_start(*, actor: Any, fmt: str = "csv") -> Job:
    """Start exporting every answer and article the actor may read."""
    require(actor, "knowledge.view")
    fmt = kb_io.detect_format("", fmt)
    job = job_create(
        actor=actor,
        kind="knowledge.export",
        title=f"Export knowledge ({fmt.upper()})",
        params={"format": fmt},
    )
    job_enqueue(job, knowledge_export)
    return job


@task()
def knowledge_export(job_id: int) -> Any:
    return run_job(job_id, _export)


def _export(job: Job, progress: Any) -> dict[str, Any]:
    fmt = job.params["format"]
    content, count = kb_io.export_bytes(actor=job.created_by, fmt=fmt)
    progress(90, f"{count} items written")
    job.result_file.save(f"knowledge-{job.pk}.{fmt}", ContentFile(content), save=True)
    return {"items": count}


def search_index_start(*, actor: Any) -> Job:
    """Start rebuilding the search index (level 2+): keyword, then, with the ``semantic`` extra,
    the embeddings of new and changed documents; progress is reported on the job."""
    require(actor, "knowledge.draft")
    job = job_create(actor=actor, kind="knowledge.index", title="Rebuild the search index")
    job_enqueue(job, search_index)
    return job


@task()
def search_index(job_id: int) -> Any:
    return run_job(job_id, _index)


def _index(job: Job, progress: Any) -> dict[str, Any]:
    """Keyword index 0–30 %, embeddings 30–100 % (keyword only: 0–100 %)."""
    semantic = embeddings.available()
    share = 30 if semantic else 100
    documents = search.rebuild_index(progress=lambda p, message="": progress(p * share / 100, message))
    embedded = 0
    if semantic:
        embedded = embeddings.compute_embeddings(
            progress=lambda p, message="": progress(share + p * (100 - share) / 100, message)
        )
    return {"documents": documents, "embedded": embedded, "semantic": semantic}
