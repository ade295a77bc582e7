"""Background jobs: a real export runs through the database task backend and its worker."""

import csv
import io
import logging
import re

import pytest
from django.core.management import call_command

from salesdesk.core.errors import ApplicationError
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
    # given a job whose work refuses its input with an ApplicationError
    job = job_create(actor=agent, kind="test", title="Doomed")

    def work(job, progress):
        progress(40, "Reading rows")
        raise ApplicationError("amount", "row 12: 'abc' is not a number")

    # when it runs
    assert run_job(job.pk, work) is None
    # then the job failed with that message as it is, where it stopped
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.progress == 40
    assert job.error == ApplicationError("amount", "row 12: 'abc' is not a number").as_line()


@pytest.mark.django_db
def test_a_crashing_job_shows_an_error_id_not_a_traceback(agent, caplog):
    # given a job whose work hits a bug
    job = job_create(actor=agent, kind="test", title="Buggy")

    def work(job, progress):
        secret_path = "/srv/salesdesk/secret_module.py"
        raise KeyError(secret_path)

    # when it runs
    with caplog.at_level(logging.ERROR, logger="salesdesk.core.jobs"):
        assert run_job(job.pk, work) is None
    # then the person reads a short message with an error id, nothing of the code
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    match = re.fullmatch(
        r"Something went wrong while running this job \(error id ([0-9a-f]{8})\); "
        r"the administrator can find the details in the log",
        job.error,
    )
    assert match, job.error
    assert "Traceback" not in job.error
    assert "secret_module" not in job.error
    # and the log holds the traceback under that id
    [record] = [r for r in caplog.records if r.name == "salesdesk.core.jobs"]
    assert match.group(1) in record.getMessage()
    assert record.exc_info[0] is KeyError


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
