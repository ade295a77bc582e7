"""Background jobs through the API: start an export, follow it, download its file — only one's own."""

from __future__ import annotations

import pytest

from salesdesk.core.models import Job, JobStatus

from .helpers import NOT_FOUND


@pytest.fixture
def run_tasks_inline(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_export_runs_in_the_background_and_its_file_can_be_downloaded(
    api_as, agent, world_a, world_b, run_tasks_inline, django_capture_on_commit_callbacks
):
    api = api_as(agent)
    # when an agent starts an export of customers
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/organisations/export", {"kind": "customer"})
    # then a job is accepted
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert response.json()["status"] == JobStatus.QUEUED
    # and once the worker ran it, it reports success and where the file is
    job = api.get(f"/api/jobs/{job_id}").json()
    assert (job["status"], job["progress"], job["result"], job["error"]) == (
        "succeeded",
        100,
        {"rows": 2},
        "",
    )
    assert job["result_url"] == f"/api/jobs/{job_id}/file"
    # and the file holds the two customers
    download = api.get(job["result_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    lines = b"".join(download.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,name,kind")
    assert sorted(line.split(",")[1] for line in lines[1:]) == ["Customer A", "Customer B"]


def test_someone_elses_job_and_file_are_404(
    api_as, agent, presales, world_a, run_tasks_inline, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = api_as(agent).post("/api/organisations/export", {}).json()["id"]
    api = api_as(presales)
    for url in (f"/api/jobs/{job_id}", f"/api/jobs/{job_id}/file"):
        response = api.get(url)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert api.get("/api/jobs").json()["results"] == []


def test_job_without_a_file_has_no_download(api_as, agent):
    job = Job.objects.create(kind="test", title="Nothing to download", created_by=agent)
    api = api_as(agent)
    assert api.get(f"/api/jobs/{job.pk}").json()["result_url"] is None
    assert api.get(f"/api/jobs/{job.pk}/file").status_code == 404


def test_customer_user_may_not_export(api_as, world_a):
    response = api_as(world_a.customer_user).post("/api/organisations/export", {})
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_partner_export_holds_only_what_the_partner_sees(
    api_as, world_a, world_b, run_tasks_inline, django_capture_on_commit_callbacks
):
    api = api_as(world_a.partner_user)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = api.post("/api/organisations/export", {}).json()["id"]
    download = api.get(f"/api/jobs/{job_id}/file")
    assert download.status_code == 200
    lines = b"".join(download.streaming_content).decode().splitlines()
    assert sorted(line.split(",")[1] for line in lines[1:]) == ["Customer A", "Partner A"]


def test_jobs_list_shows_own_jobs_newest_first(api_as, agent, presales):
    older = Job.objects.create(kind="test", title="older", created_by=agent)
    newer = Job.objects.create(kind="test", title="newer", created_by=agent)
    Job.objects.create(kind="test", title="not mine", created_by=presales)
    rows = api_as(agent).get("/api/jobs").json()["results"]
    assert [r["id"] for r in rows] == [newer.pk, older.pk]


def test_admin_follows_every_job(api_as, agent, admin_user):
    job = Job.objects.create(kind="test", title="agent's", created_by=agent)
    assert api_as(admin_user).get(f"/api/jobs/{job.pk}").status_code == 200
