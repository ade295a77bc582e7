"""Background jobs of the estimates app: large Monte Carlo runs. Thin: the work is in ``planning``."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from salesdesk.core.jobs import job_create, job_enqueue, run_job
from salesdesk.core.models import Job
from salesdesk.core.permissions import require

from . import planning


def estimate_simulation_start(*, actor: Any, estimate: Any, iterations: int, seed: int) -> Job:
    """Queue a Monte Carlo run; the job reports progress and stores the summary on the draft."""
    require(actor, "estimate.edit")
    job = job_create(
        actor=actor,
        kind="estimates.simulate",
        title=f"Monte Carlo: {estimate.title} ({iterations:,} iterations)",
        params={"estimate_id": estimate.pk, "iterations": iterations, "seed": seed},
    )
    job_enqueue(job, estimate_simulation)
    return job


@task()
def estimate_simulation(job_id: int) -> Any:
    return run_job(job_id, _simulate)


def _simulate(job: Job, progress: Any) -> dict[str, Any]:
    from . import services
    from .models import Estimate

    estimate = Estimate.objects.get(pk=job.params["estimate_id"])
    summary = planning.run_simulation(
        estimate, iterations=job.params["iterations"], seed=job.params["seed"], progress=progress
    )
    stored = services.store_result(actor=job.created_by, estimate_id=estimate.pk, summary=summary)
    return {k: stored.get(k) for k in ("p50_cost", "p80_cost", "p90_cost", "contingency_cost", "p80_finish")}
