"""The job page and its polled progress partial."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from salesdesk.core.jobs import job_create
from salesdesk.core.models import Job, JobStatus
from salesdesk.parties.tasks import organisations_export_start

pytestmark = pytest.mark.django_db


def job_url(job, name="web:job_detail") -> str:
    return reverse(name, kwargs={"job_id": job.pk})


@pytest.fixture
def running_job(agent):
    job = job_create(actor=agent, kind="test", title="Export organisations (CSV)")
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress=40, message="8 of 20 organisations"
    )
    job.refresh_from_db()
    return job


def test_job_page_shows_progress_and_polls_while_running(client_as, agent, running_job):
    html = client_as(agent).get(job_url(running_job)).content.decode()
    assert '<progress id="job-progress-bar" max="100" value="40"' in html
    assert "8 of 20 organisations" in html
    assert f'hx-get="{job_url(running_job, "web:job_progress")}"' in html
    assert 'hx-trigger="every 1s"' in html


def test_progress_partial_renders_alone(client_as, agent, running_job):
    response = client_as(agent).get(job_url(running_job, "web:job_progress"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'value="40"' in html and 'hx-trigger="every 1s"' in html


def test_finished_job_stops_polling_and_offers_the_download(client_as, agent, running_job):
    running_job.result_file.save("organisations.csv", ContentFile(b"id,name\n1,Acme\n"), save=False)
    Job.objects.filter(pk=running_job.pk).update(
        status=JobStatus.SUCCEEDED,
        progress=100,
        message="Done",
        result_file=running_job.result_file.name,
        finished_at=timezone.now(),
    )
    client = client_as(agent)
    html = client.get(job_url(running_job, "web:job_progress")).content.decode()
    assert "hx-trigger" not in html and 'value="100"' in html
    assert job_url(running_job, "web:job_download") in html
    download = client.get(job_url(running_job, "web:job_download"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"id,name\n1,Acme\n"
    assert "attachment" in download["Content-Disposition"]


def test_failed_job_shows_its_error(client_as, agent, running_job):
    Job.objects.filter(pk=running_job.pk).update(status=JobStatus.FAILED, error="kind: no such kind")
    html = client_as(agent).get(job_url(running_job)).content.decode()
    assert "The job failed." in html and "kind: no such kind" in html and "hx-trigger" not in html


def test_someone_elses_job_is_not_found(client_as, presales, running_job):
    client = client_as(presales)
    for name in ("web:job_detail", "web:job_progress", "web:job_download"):
        assert client.get(job_url(running_job, name)).status_code == 404
    assert "Export organisations" not in client.get(reverse("web:job_list")).content.decode()


def test_job_list_shows_own_jobs(client_as, agent, running_job):
    html = client_as(agent).get(reverse("web:job_list")).content.decode()
    assert "Export organisations (CSV)" in html and "1 job" in html


def test_export_end_to_end_with_the_immediate_backend(
    client_as, agent, world_a, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        job = organisations_export_start(actor=agent, kind="customer")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    client = client_as(agent)
    html = client.get(job_url(job)).content.decode()
    assert "Download the result" in html and "hx-trigger" not in html
    content = b"".join(client.get(job_url(job, "web:job_download")).streaming_content).decode()
    assert "Customer A" in content
