"""The `salesdesk` command: exit codes, one-line errors, and the commands that wrap services.

Commands run in-process through ``salesdesk.cli.main`` (fast, output captured by
capsys); one smoke test runs the installed console script.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from salesdesk.cli import main
from salesdesk.core.models import Job, JobStatus
from salesdesk.core.roles import UserKind
from salesdesk.parties.models import User

from ..factories import PASSWORD, OrganisationFactory

NEW_PASSWORD = "a-long-enough-passphrase-77"


def run(capsys, *argv: str) -> tuple[int, str, list[str]]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, [line for line in captured.err.splitlines() if line.strip()]


def assert_usage_error(result: tuple[int, str, list[str]], *fragments: str) -> None:
    code, _out, err = result
    assert code == 2
    assert len(err) == 1, err
    assert err[0].startswith("salesdesk")
    for fragment in fragments:
        assert fragment in err[0]
    assert "Traceback" not in err[0]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--no-such-flag"], "unrecognized arguments"),
        (["backup"], "the following arguments are required: path"),
        (["restore"], "the following arguments are required: path"),
        (["jobs", "--limit", "many"], "invalid int value"),
        (["createuser", "nina"], "--kind"),
        (["createuser", "nina", "--kind", "wizard", "--password", NEW_PASSWORD], "invalid kind 'wizard'"),
        (["createuser", "nina", "--kind", "support", "--level", "7", "--password", NEW_PASSWORD], "--level"),
        (["export-organisations"], "--out"),
        (["migrate", "--no-such-flag"], "unrecognized arguments: --no-such-flag"),
        (["worker", "--interval", "soon"], "interval"),
        (["no-such-command"], "unknown command 'no-such-command'"),
    ],
)
def test_a_bad_command_line_is_one_line_on_stderr_and_exit_code_2(capsys, argv, fragment):
    assert_usage_error(run(capsys, *argv), fragment)


def test_help_lists_the_commands_and_exits_0(capsys):
    code, out, err = run(capsys, "--help")
    assert code == 0
    for name in (
        "serve",
        "worker",
        "migrate",
        "demo",
        "createuser",
        "backup",
        "restore",
        "check",
        "jobs",
        "export-organisations",
    ):
        assert name in out
    assert err == []


def test_check_passes_on_the_shipped_settings(capsys):
    code, out, _err = run(capsys, "check")
    assert code == 0
    assert "no issues" in out


@pytest.mark.django_db
def test_other_django_commands_pass_through(capsys):
    code, out, _err = run(capsys, "showmigrations", "parties")
    assert code == 0
    assert "0001_initial" in out


@pytest.mark.django_db
def test_createuser_creates_a_support_user_who_can_sign_in(capsys, own_org):
    code, out, err = run(
        capsys,
        "createuser",
        "nina",
        "--kind",
        "support",
        "--level",
        "2",
        "--password",
        NEW_PASSWORD,
        "--first-name",
        "Nina",
    )
    assert (code, err) == (0, [])
    assert "Created user nina" in out
    nina = User.objects.get(username="nina")
    assert (nina.kind, nina.support_level, nina.organisation) == (UserKind.SUPPORT, 2, own_org)
    assert nina.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_createuser_reads_the_password_from_stdin(capsys, monkeypatch, own_org):
    monkeypatch.setattr(sys, "stdin", io.StringIO(NEW_PASSWORD + "\n"))
    code, _out, err = run(capsys, "createuser", "opsadmin", "--kind", "admin", "--password-stdin")
    assert (code, err) == (0, [])
    admin = User.objects.get(username="opsadmin")
    assert admin.is_superuser and admin.kind == UserKind.ADMIN
    assert admin.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_createuser_refuses_a_level_for_a_sales_rep_and_creates_nothing(capsys, own_org):
    result = run(
        capsys, "createuser", "rep2", "--kind", "sales_rep", "--level", "3", "--password", NEW_PASSWORD
    )
    assert_usage_error(result, "support_level")
    assert not User.objects.filter(username="rep2").exists()


@pytest.mark.django_db
def test_createuser_refuses_a_support_user_without_level(capsys, own_org):
    assert_usage_error(
        run(capsys, "createuser", "x1", "--kind", "support", "--password", NEW_PASSWORD), "support_level"
    )
    assert not User.objects.filter(username="x1").exists()


@pytest.mark.django_db
def test_createuser_refuses_a_weak_password_and_a_taken_name(capsys, agent):
    assert_usage_error(
        run(capsys, "createuser", "x2", "--kind", "support", "--level", "1", "--password", "short"),
        "password",
    )
    assert_usage_error(
        run(capsys, "createuser", "priya", "--kind", "support", "--level", "1", "--password", NEW_PASSWORD),
        "already taken",
    )
    assert not User.objects.filter(username="x2").exists()


@pytest.mark.django_db
def test_createuser_puts_a_customer_user_in_their_organisation(capsys, own_org):
    customer = OrganisationFactory(name="Northwind Logistics")
    code, _out, err = run(
        capsys,
        "createuser",
        "sam2",
        "--kind",
        "customer",
        "--organisation",
        str(customer.pk),
        "--password",
        NEW_PASSWORD,
    )
    assert (code, err) == (0, [])
    assert User.objects.get(username="sam2").organisation == customer
    assert_usage_error(
        run(
            capsys,
            "createuser",
            "sam3",
            "--kind",
            "customer",
            "--organisation",
            "999999",
            "--password",
            NEW_PASSWORD,
        ),
        "organisation",
    )


@pytest.mark.django_db
def test_createuser_without_a_password_source_is_refused(capsys, monkeypatch, own_org):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert_usage_error(
        run(capsys, "createuser", "x3", "--kind", "support", "--level", "1"), "--password-stdin"
    )


@pytest.mark.django_db
def test_jobs_lists_recent_jobs_newest_first(capsys, agent):
    Job.objects.create(
        kind="organisations.export",
        title="Export organisations (CSV)",
        created_by=agent,
        status=JobStatus.SUCCEEDED,
        progress=100,
    )
    Job.objects.create(kind="demo", title="Second job", created_by=agent)
    code, out, _err = run(capsys, "jobs")
    assert code == 0
    lines = out.splitlines()
    assert "Second job" in lines[1] and "queued" in lines[1]
    assert "Export organisations" in lines[2] and "succeeded" in lines[2] and "priya" in lines[2]


@pytest.mark.django_db
def test_jobs_says_so_when_there_are_none(capsys):
    assert run(capsys, "jobs")[:2] == (0, "No jobs yet.\n")


@pytest.mark.django_db(transaction=True)
def test_export_organisations_writes_the_csv_the_user_sees(capsys, settings, tmp_path, agent, world_a):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    out = tmp_path / "organisations.csv"
    code, stdout, _err = run(capsys, "export-organisations", "--out", str(out), "--as", "priya")
    assert code == 0
    assert "Exported 3 organisations" in stdout
    rows = out.read_text().splitlines()
    assert rows[0].startswith("id,name,kind,tier")
    assert sorted(row.split(",")[1] for row in rows[1:]) == ["Acme Systems", "Customer A", "Partner A"]
    job = Job.objects.get()
    assert (job.status, job.progress, job.created_by) == (JobStatus.SUCCEEDED, 100, agent)


@pytest.mark.django_db
def test_export_organisations_refuses_an_unknown_user_and_one_who_may_not_export(capsys, tmp_path, world_a):
    out = tmp_path / "o.csv"
    assert_usage_error(
        run(capsys, "export-organisations", "--out", str(out), "--as", "nobody", "--timeout", "5"), "nobody"
    )
    assert_usage_error(
        run(capsys, "export-organisations", "--out", str(out), "--as", "customer_a", "--timeout", "5"),
        "may not export",
    )
    assert not Job.objects.exists()
    assert not out.exists()


@pytest.mark.django_db
def test_export_organisations_gives_up_waiting_without_a_worker(
    capsys, settings, tmp_path, agent, django_capture_on_commit_callbacks
):
    # The database backend only queues the job; with no worker it stays queued.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        code, _out, err = run(
            capsys, "export-organisations", "--out", str(tmp_path / "o.csv"), "--timeout", "0.2"
        )
    assert code == 1
    assert "not finished" in err[-1]
    assert Job.objects.get().status == JobStatus.QUEUED


def test_the_installed_console_script_runs():
    script = shutil.which("salesdesk", path=str(Path(sys.executable).parent)) or shutil.which("salesdesk")
    assert script, "the salesdesk console script is not installed (pip install -e .)"
    completed = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    assert "createuser" in completed.stdout


def test_password_constant_is_not_the_one_used_here():
    # The factories' password must not be what these tests create users with, or the
    # check_password asserts above would pass for the wrong reason.
    assert PASSWORD != NEW_PASSWORD


@pytest.mark.django_db
def test_serve_on_a_port_in_use_is_one_line_and_exit_code_2(capsys, monkeypatch):
    import socket

    from salesdesk import cli

    # The unapplied-migrations warning depends on the developer's own database; not tested here.
    monkeypatch.setattr(cli, "_warn_unapplied_migrations", lambda: None)

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert_usage_error(run(capsys, "serve", "--port", str(port)), f"cannot listen on 127.0.0.1:{port}")


@pytest.mark.django_db
def test_jobs_status_filters_before_taking_the_newest(capsys, agent):
    # given an old failed job and, after it, more succeeded jobs than --limit shows
    Job.objects.create(kind="demo", title="Old failure", created_by=agent, status=JobStatus.FAILED)
    for n in range(3):
        Job.objects.create(kind="demo", title=f"Fine {n}", created_by=agent, status=JobStatus.SUCCEEDED)
    # when listing the failed jobs with a limit smaller than the newer ones
    code, out, _err = run(capsys, "jobs", "--status", "failed", "--limit", "2")
    # then the failed job is listed, and only it
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert "Old failure" in lines[1] and "failed" in lines[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("where", "fragment"),
    [("missing/x.csv", "does not exist"), ("", "is a folder")],
)
def test_export_organisations_checks_the_output_before_starting_a_job(
    capsys, tmp_path, agent, where, fragment
):
    # given an output path that cannot be written
    out = tmp_path / where if where else tmp_path
    # when exporting to it
    result = run(capsys, "export-organisations", "--out", str(out), "--as", "priya", "--timeout", "5")
    # then one line says why, exit 2, and no job was started
    assert_usage_error(result, "--out", fragment)
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_export_organisations_that_cannot_write_is_one_line(capsys, settings, tmp_path, agent, monkeypatch):
    # given the file cannot be written once the job is done (say the disk is full)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    out = tmp_path / "o.csv"
    write_bytes = Path.write_bytes

    def disk_full(self, data):
        if self == out:
            raise OSError(28, "No space left on device", str(self))
        return write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    # when exporting
    result = run(capsys, "export-organisations", "--out", str(out), "--as", "priya", "--timeout", "5")
    # then (after the progress bar) one line names the file and the reason, exit 2
    code, _out, err = result
    assert code == 2
    assert err[-1] == f"salesdesk export-organisations: error: {out}: No space left on device"


def test_backup_to_a_folder_where_no_file_can_be_made_is_one_line(capsys, db):
    # /proc exists but no file can be created in it
    assert_usage_error(run(capsys, "backup", "/proc/salesdesk-backup"), "/proc/")
