"""Large imports and documents run as background jobs with progress; small ones answer at once."""

import io

import pypdf
import pytest
from django.core.files.storage import default_storage

from salesdesk.core.errors import ApplicationError
from salesdesk.core.models import Job
from salesdesk.deals import requirement_services as services
from salesdesk.deals import requirement_tasks
from salesdesk.deals.models import Requirement

from .conftest import add

pytestmark = pytest.mark.django_db

HEADER = "id,statement,type,priority,acceptance,source,targets\n"


def csv_file(rows: int, *, bad_row: int | None = None, name: str = "customer.csv") -> io.BytesIO:
    lines = [
        f"REQ-{n:03d},Statement {n},performance,must,Load test,rfp,"
        + ("p95 <= 2k" if n == bad_row else "p95_response_seconds <= 2 s")
        for n in range(1, rows + 1)
    ]
    upload = io.BytesIO((HEADER + "\n".join(lines) + "\n").encode())
    upload.name = name
    return upload


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def small_threshold(monkeypatch):
    """Anything above 3 rows or 1 requirement is "large", so the tests stay small."""
    monkeypatch.setattr(requirement_tasks, "INLINE_IMPORT_ROWS", 3)
    monkeypatch.setattr(requirement_tasks, "INLINE_DOCUMENT_REQUIREMENTS", 1)


def workbench(opportunity) -> str:
    return f"/opportunities/{opportunity.pk}/requirements/"


def test_a_small_file_is_imported_at_once(consultant, world_a, client_as, small_threshold):
    response = client_as(consultant).post(
        f"{workbench(world_a.opportunity)}import/", {"file": csv_file(3)}, follow=True
    )
    assert "Imported 3 requirement(s) from customer.csv." in response.content.decode()
    assert Requirement.objects.count() == 3
    assert not Job.objects.exists()


def test_a_large_file_is_imported_by_a_job_the_page_follows(
    consultant, world_a, client_as, small_threshold, immediate_tasks, django_capture_on_commit_callbacks
):
    client = client_as(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{workbench(world_a.opportunity)}import/", {"file": csv_file(5)})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"?import_job={job.pk}#import")
    job.refresh_from_db()
    assert (job.kind, job.status, job.progress) == ("requirements.import", "succeeded", 100)
    assert job.result["created"] == 5 and job.result["references"][0] == "REQ-001"
    assert Requirement.objects.count() == 5
    assert not default_storage.exists(job.params["path"])  # the customer's file is not kept
    page = client.get(response["Location"]).content.decode()
    assert "Imported 5 requirements." in page and 'value="100"' in page
    assert "hx-trigger" not in page.split('id="import-job"')[1].split(">")[0]  # finished: no more polling


def test_a_queued_import_shows_a_progress_bar_that_polls_itself(
    consultant, world_a, client_as, small_threshold
):
    client = client_as(consultant)
    response = client.post(f"{workbench(world_a.opportunity)}import/", {"file": csv_file(5)})
    job = Job.objects.get()
    assert job.status == "queued" and not Requirement.objects.exists()
    progress_url = f"{workbench(world_a.opportunity)}import/jobs/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="{progress_url}"' in page and 'hx-trigger="every 1s"' in page and "<progress" in page
    assert client.get(progress_url).status_code == 200


def test_a_large_file_with_a_bad_row_fails_the_job_and_imports_nothing(
    consultant, world_a, client_as, small_threshold, immediate_tasks, django_capture_on_commit_callbacks
):
    client = client_as(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{workbench(world_a.opportunity)}import/", {"file": csv_file(6, bad_row=5)})
    job = Job.objects.get()
    assert job.status == "failed"
    assert "nothing imported" in job.error and "row 6, targets: cannot read a number in '2k'" in job.error
    assert not Requirement.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was imported." in page and "row 6, targets" in page


def test_a_hostile_large_file_is_refused_at_once_and_never_queued(
    consultant, world_a, client_as, small_threshold
):
    bomb = io.BytesIO(b"PK\x03\x04 not really a zip")
    bomb.name = "rfp.xlsx"
    response = client_as(consultant).post(
        f"{workbench(world_a.opportunity)}import/", {"file": bomb}, follow=True
    )
    assert "rfp.xlsx is not an XLSX workbook" in response.content.decode()
    assert not Job.objects.exists()


def test_someone_elses_import_progress_is_not_found(
    consultant, staff_factory, world_a, client_as, small_threshold
):
    client_as(consultant).post(f"{workbench(world_a.opportunity)}import/", {"file": csv_file(5)})
    job = Job.objects.get()
    colleague = staff_factory(3, username="other-consultant")
    url = f"{workbench(world_a.opportunity)}import/jobs/{job.pk}/"
    assert client_as(colleague).get(url).status_code == 404
    assert (
        client_as(consultant).get(f"{workbench(world_a.opportunity)}import/jobs/{job.pk + 99}/").status_code
        == 404
    )


def test_the_write_step_is_all_or_nothing(consultant, world_a):
    # given a set that already holds REQ-003 (added after the file was checked, say)
    add(consultant, world_a.opportunity, "Already here", reference="REQ-003")
    rows = [(f"row {n + 1}", {"reference": f"REQ-00{n}", "statement": f"Row {n}"}) for n in (1, 2, 3, 4)]
    # when the import writes its rows
    with pytest.raises(ApplicationError) as exc:
        services.requirements_import(actor=consultant, opportunity=world_a.opportunity, rows=rows)
    # then the row at fault is named and none of the rows before it was kept
    assert exc.value.errors[0].field == "reference"
    assert exc.value.errors[0].message == "row 4: REQ-003 is already used in this set"
    assert list(Requirement.objects.values_list("reference", flat=True)) == ["REQ-003"]


def test_the_import_job_api_answers_202_and_the_job_carries_the_report(
    consultant, world_a, client_as, immediate_tasks, django_capture_on_commit_callbacks
):
    client = client_as(consultant)
    url = f"/api/opportunities/{world_a.opportunity.pk}/requirements/import-jobs"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": csv_file(2)})
    assert response.status_code == 202, response.content
    job = client.get(f"/api/jobs/{response.json()['id']}").json()
    assert (job["kind"], job["status"], job["progress"]) == ("requirements.import", "succeeded", 100)
    assert job["result"]["created"] == 2 and job["result"]["references"] == ["REQ-001", "REQ-002"]


def test_the_import_job_api_refuses_bad_files_at_once_and_hides_other_organisations(
    consultant, world_a, world_b, client_as
):
    client = client_as(consultant)
    url = f"/api/opportunities/{world_a.opportunity.pk}/requirements/import-jobs"
    response = client.post(url, {"file": csv_file(2, name="notes.txt")})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert "cannot tell the format" in response.json()["errors"][0]["message"]
    missing = client.post(url, {})
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "file"
    foreign = client_as(world_a.customer_user).post(
        f"/api/opportunities/{world_b.opportunity.pk}/requirements/import-jobs", {"file": csv_file(2)}
    )
    assert foreign.status_code == 404
    assert not Job.objects.exists()


def test_a_large_document_is_prepared_by_a_job_with_a_download(
    shared_a, world_a, client_as, small_threshold, immediate_tasks, django_capture_on_commit_callbacks
):
    client = client_as(world_a.customer_user)
    detail = f"/requirements/documents/{shared_a.pk}/"
    page = client.get(detail).content.decode()
    assert "Prepare the PDF" in page and f'action="{detail}job/"' in page
    refused = client.post(f"{detail}job/", {"format": "odt"}, follow=True)
    assert "format: must be pdf or docx" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{detail}job/", {"format": "pdf"})
    job = Job.objects.get()
    assert response["Location"] == f"{detail}?document_job={job.pk}"
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["format"] == "pdf"
    page = client.get(response["Location"]).content.decode()
    assert "Download the result" in page
    download = client.get(f"/jobs/{job.pk}/download/")
    content = b"".join(download.streaming_content)
    assert pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text().count(world_a.customer.name) >= 1


def test_the_document_job_api(
    shared_a, consultant, world_b, client_as, immediate_tasks, django_capture_on_commit_callbacks
):
    client = client_as(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/requirement-baselines/{shared_a.pk}/document-jobs",
            {"format": "docx"},
            content_type="application/json",
        )
    assert response.status_code == 202, response.content
    job = client.get(f"/api/jobs/{response.json()['id']}").json()
    assert job["status"] == "succeeded" and job["result_url"]
    file = client.get(job["result_url"])
    assert file["Content-Disposition"].endswith('-requirements-v1.docx"')
    bad = client.post(
        f"/api/requirement-baselines/{shared_a.pk}/document-jobs",
        {"format": "odt"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"].endswith("format")
    foreign = client_as(world_b.customer_user).post(
        f"/api/requirement-baselines/{shared_a.pk}/document-jobs", {}, content_type="application/json"
    )
    assert foreign.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_import_progress_is_visible_to_others_while_the_rows_are_written(consultant):
    from django.db import connection, connections, transaction

    from salesdesk.core.jobs import job_create

    if connection.vendor == "sqlite":
        pytest.skip("SQLite has one writer at a time: the bar shows the write phase as one step")
    job = job_create(actor=consultant, kind="requirements.import", title="Import")
    seen = []
    # the import's one transaction, still open
    with transaction.atomic(), requirement_tasks.visible_progress(job.pk, fallback=None) as report:
        report(55, "1,100 of 2,000 requirements written")
        other = connections.create_connection("default")  # the page polling the job
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT progress, message FROM core_job WHERE id = %s", [job.pk])
                seen.append(cursor.fetchone())
        finally:
            other.close()
    assert seen == [(55, "1,100 of 2,000 requirements written")]
