"""Backup and restore: a restore brings back exactly the rows there were at backup time.

Runs on the database engine the suite runs on (SQLite by default, PostgreSQL when
DATABASE_URL points at it). ``transaction=True``: a backup must see committed data,
and a restore replaces tables, which a test transaction would hide.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.db import connection

from salesdesk.cli import main
from salesdesk.core.backup import PG_CUSTOM_MAGIC, SQLITE_MAGIC
from salesdesk.core.models import AuditEvent, Job
from salesdesk.deals.models import Opportunity
from salesdesk.parties.models import Contact, Organisation, User

from ..factories import ContactFactory, OrganisationFactory

MODELS = (Organisation, Contact, User, Opportunity, AuditEvent, Job)

pytestmark = pytest.mark.django_db(transaction=True)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def run(capsys, *argv: str) -> tuple[int, str, list[str]]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, [line for line in captured.err.splitlines() if line.strip()]


@pytest.fixture
def backup_file(tmp_path) -> Path:
    return tmp_path / "salesdesk.backup"


def test_restore_brings_back_the_rows_at_backup_time(capsys, backup_file, world_a, world_b, agent):
    # given a database with two worlds, backed up
    at_backup = counts()
    assert at_backup["Organisation"] >= 5
    code, out, err = run(capsys, "backup", str(backup_file))
    assert (code, err) == (0, [])
    assert "Backed up" in out and backup_file.exists()
    # when rows are added and deleted afterwards
    OrganisationFactory(name="Added after the backup")
    ContactFactory(organisation=world_a.customer)
    deleted_contact_id = world_b.contact.pk
    world_b.contact.delete()
    assert counts() != at_backup
    # and the backup is restored
    code, out, err = run(capsys, "restore", str(backup_file), "--yes")
    assert (code, err) == (0, [])
    # then every table holds what it held at backup time
    assert counts() == at_backup
    assert not Organisation.objects.filter(name="Added after the backup").exists()
    assert Contact.objects.filter(pk=deleted_contact_id).exists()
    # and the restored users can still sign in
    assert User.objects.get(username="priya").check_password("correct-horse-battery-42")


def test_backup_refuses_to_overwrite_without_force(capsys, backup_file, world_a):
    assert run(capsys, "backup", str(backup_file))[0] == 0
    first = backup_file.read_bytes()
    code, _out, err = run(capsys, "backup", str(backup_file))
    assert code == 2 and len(err) == 1 and "--force" in err[0]
    assert backup_file.read_bytes() == first
    assert run(capsys, "backup", str(backup_file), "--force")[0] == 0


def test_backup_into_a_folder_writes_a_dated_file(capsys, tmp_path, world_a):
    assert run(capsys, "backup", str(tmp_path))[0] == 0
    written = list(tmp_path.glob("salesdesk-*"))
    assert len(written) == 1
    assert not list(tmp_path.glob("*.part"))  # no temporary file left behind


@pytest.mark.parametrize("content", [b"", b"hello, this is not a backup\n", b"PGDMP-but-truncated"])
def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(capsys, tmp_path, world_a, content):
    bogus = tmp_path / "bogus.backup"
    bogus.write_bytes(content)
    before = counts()
    code, _out, err = run(capsys, "restore", str(bogus), "--yes")
    assert code == 2
    assert len(err) == 1 and "bogus.backup" in err[0]
    assert counts() == before


def test_restore_refuses_an_sqlite_file_of_another_application(capsys, tmp_path, world_a):
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    before = counts()
    code, _out, err = run(capsys, "restore", str(other), "--yes")
    assert code == 2 and len(err) == 1
    assert "not a Salesdesk backup" in err[0] or "PostgreSQL" in err[0]
    assert counts() == before


def test_restore_of_a_missing_file_is_one_line(capsys, tmp_path):
    code, _out, err = run(capsys, "restore", str(tmp_path / "missing.backup"), "--yes")
    assert code == 2 and len(err) == 1 and "does not exist" in err[0]


def test_restore_asks_for_confirmation_when_not_interactive(capsys, backup_file, world_a):
    assert run(capsys, "backup", str(backup_file))[0] == 0
    OrganisationFactory(name="Kept")
    code, _out, err = run(capsys, "restore", str(backup_file))
    assert code == 2 and "--yes" in err[0]
    assert Organisation.objects.filter(name="Kept").exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backup file format")
def test_sqlite_backup_is_one_self_contained_sqlite_file(capsys, backup_file, world_a):
    assert run(capsys, "backup", str(backup_file))[0] == 0
    assert backup_file.read_bytes()[:16] == SQLITE_MAGIC
    with sqlite3.connect(backup_file) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert (
            db.execute("SELECT count(*) FROM parties_organisation").fetchone()[0]
            == Organisation.objects.count()
        )


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL=postgres://…")
def test_postgresql_backup_is_a_pg_dump_archive_and_refuses_sqlite_files(
    capsys, backup_file, tmp_path, world_a
):
    assert run(capsys, "backup", str(backup_file))[0] == 0
    assert backup_file.read_bytes()[:5] == PG_CUSTOM_MAGIC
    sqlite_file = tmp_path / "x.sqlite3"
    with sqlite3.connect(sqlite_file) as db:
        db.execute("CREATE TABLE t (id INTEGER)")
    code, _out, err = run(capsys, "restore", str(sqlite_file), "--yes")
    assert code == 2 and "runs on PostgreSQL" in err[0]
