"""Background jobs: a real export runs through the database task backend and its worker."""

import csv
import io

import pytest
from django.core.management import call_command

from salesdesk.core.jobs import job_create, job_progress, run_job, visible_jobs
from salesdesk.core.models import Job, JobStatus
from salesdesk.parties.tasks import organisations_export_start


@pytest.mark.django_db(transaction=True)
def test_export_job_runs_in_the_db_worker_and_reports_progress(
    world_a, world_b, django_capture_on_commit_callbacks
):
    # given a partner user who starts an export of the organisations they see
    with django_capture_on_commit_callbacks(execute=True):
        job = organisations_export_start(actor=world_a.partner_user)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert job.task_result_id
    # when the worker runs the queue once
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    # then the job succeeded with a CSV of exactly what the partner may see
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.progress == 100
    assert job.result == {"rows": 2}
    rows = list(csv.reader(io.StringIO(job.result_file.read().decode())))
    assert {r[1] for r in rows[1:]} == {"Partner A", "Customer A"}


@pytest.mark.django_db
def test_a_failing_job_records_a_readable_error(agent):
    job = job_create(actor=agent, kind="test", title="Doomed")

    def work(job, progress):
        progress(40, "Reading rows")
        raise ValueError("row 12: amount 'abc' is not a number")

    assert run_job(job.pk, work) is None
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.progress == 40
    assert "row 12: amount 'abc' is not a number" in job.error


@pytest.mark.django_db
def test_progress_is_clamped_and_visible_only_to_its_owner(agent, presales, admin_user):
    job = job_create(actor=agent, kind="test", title="Mine")
    job_progress(job.pk, 180, "x" * 500)
    job.refresh_from_db()
    assert job.progress == 100
    assert len(job.message) == 300
    assert list(visible_jobs(agent)) == [job]
    assert not visible_jobs(presales).exists()
    assert list(visible_jobs(admin_user)) == [job]
    assert Job.objects.count() == 1
