"""Back up and restore the whole database, while the application runs.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent
snapshot page by page, so readers and writers carry on during a backup; a restore
runs the same API the other way, into the live database, so other processes see
the old data or the new, never a half-written file.

PostgreSQL: ``pg_dump -Fc`` (one consistent snapshot in the custom format) and
``pg_restore --clean --if-exists --no-owner --single-transaction``. The password goes
to the client tools through ``PGPASSWORD`` in their environment, never on the command
line, where other users of the machine could read it.

Both kinds of file are checked before a restore touches anything: a file that is not
a backup of this database engine is refused with one clear line.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connections

from .errors import ApplicationError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
# A table every migrated Salesdesk database has: tells our backups from other SQLite files.
MARKER_TABLE = "django_migrations"
MARKER_APP = "core"


@dataclass(frozen=True)
class BackupInfo:
    """What a backup or restore did, for the command line to report."""

    engine: str
    path: Path
    size_bytes: int


def engine_of(using: str = "default") -> str:
    """'sqlite' or 'postgresql'; any other engine is refused."""
    vendor = connections[using].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise ApplicationError("database", f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def default_file_name(engine: str, stamp: str) -> str:
    return f"salesdesk-{stamp}.{'sqlite3' if engine == 'sqlite' else 'pgdump'}"


def backup_database(
    path: str | os.PathLike[str], *, using: str = "default", overwrite: bool = False
) -> BackupInfo:
    """Write a consistent copy of the database to ``path`` (written to a temp file, then renamed)."""
    target = Path(path)
    if target.exists() and not overwrite:
        raise ApplicationError("path", f"{target} already exists; choose another name or add --force")
    if not target.parent.is_dir():
        raise ApplicationError("path", f"folder {target.parent} does not exist")
    engine = engine_of(using)
    # A crash half-way must not leave a truncated file under the backup's name.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if engine == "sqlite":
            _sqlite_backup(using, tmp)
        else:
            _pg_dump(using, tmp)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return BackupInfo(engine=engine, path=target, size_bytes=target.stat().st_size)


def restore_database(path: str | os.PathLike[str], *, using: str = "default") -> BackupInfo:
    """Replace every record in the database with the contents of the backup at ``path``."""
    source = Path(path)
    engine = engine_of(using)
    check_backup_file(source, engine)
    if engine == "sqlite":
        _sqlite_restore(using, source)
    else:
        _pg_restore(using, source)
    return BackupInfo(engine=engine, path=source, size_bytes=source.stat().st_size)


def check_backup_file(path: Path, engine: str) -> None:
    """Refuse, with one line, anything that is not a readable backup for ``engine``."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise ApplicationError("path", f"{path} does not exist") from None
    except IsADirectoryError:
        raise ApplicationError("path", f"{path} is a folder, not a backup file") from None
    except OSError as exc:
        raise ApplicationError("path", f"cannot read {path}: {exc.strerror or exc}") from None
    kind = "sqlite" if head == SQLITE_MAGIC else "postgresql" if head.startswith(PG_CUSTOM_MAGIC) else None
    if kind is None:
        raise ApplicationError("path", f"{path} is not a Salesdesk backup (neither SQLite nor pg_dump -Fc)")
    if kind != engine:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise ApplicationError(
            "path", f"{path} is a {names[kind]} backup, but this instance runs on {names[engine]}"
        )
    if kind == "sqlite":
        _check_sqlite_backup(path)
    else:
        _check_pg_backup(path)


# --- SQLite -------------------------------------------------------------------------------


def _raw_sqlite(using: str) -> sqlite3.Connection:
    """Django's own connection: works for files and for in-memory (test) databases alike."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise ApplicationError("database", "cannot back up or restore inside a transaction")
    connection.ensure_connection()
    return connection.connection


def _sqlite_backup(using: str, target: Path) -> None:
    destination = sqlite3.connect(target)
    try:
        _raw_sqlite(using).backup(destination)
        # The copy inherits WAL mode; a backup is a single self-contained file.
        destination.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise ApplicationError("database", f"backup failed: {exc}") from exc
    finally:
        destination.close()


def _check_sqlite_backup(path: Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            ok = db.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise ApplicationError("path", f"{path} is damaged ({ok})")
            has_marker = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (MARKER_TABLE,)
            ).fetchone()
            if (
                not has_marker
                or not db.execute(
                    "SELECT 1 FROM django_migrations WHERE app=? LIMIT 1", (MARKER_APP,)
                ).fetchone()
            ):
                raise ApplicationError("path", f"{path} is an SQLite file, but not a Salesdesk backup")
    except sqlite3.DatabaseError as exc:
        raise ApplicationError("path", f"{path} is not a readable SQLite backup ({exc})") from None


def _sqlite_restore(using: str, source: Path) -> None:
    target = _raw_sqlite(using)
    try:
        with contextlib.closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as backup:
            # Copies every page under one write lock: other connections see old or new data.
            backup.backup(target)
    except sqlite3.Error as exc:
        raise ApplicationError("path", f"restore failed: {exc}") from exc
    _clear_caches()


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ApplicationError("database", f"{name} is not installed (Debian: apt install postgresql-client)")
    return found


def _pg_connection_args(using: str) -> tuple[list[str], dict[str, str], str]:
    """Command-line flags, environment and database name for the PostgreSQL client tools."""
    settings_dict: dict[str, Any] = connections[using].settings_dict
    args: list[str] = ["--no-password"]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    return args, env, str(settings_dict["NAME"])


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        lines = [line for line in completed.stderr.splitlines() if line.strip()]
        reason = lines[0] if lines else f"exit code {completed.returncode}"
        raise ApplicationError("database", f"{what} failed: {reason}")


def _pg_dump(using: str, target: Path) -> None:
    args, env, name = _pg_connection_args(using)
    _run(
        [_pg_tool("pg_dump"), *args, "--format=custom", "--file", str(target), "--dbname", name],
        env,
        "pg_dump",
    )


def _check_pg_backup(path: Path) -> None:
    completed = subprocess.run(  # noqa: S603 - fixed program, the path is one argument
        [_pg_tool("pg_restore"), "--list", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise ApplicationError("path", f"{path} is not a readable pg_dump archive")
    tables = [line.split() for line in completed.stdout.splitlines() if " TABLE " in line]
    if not any(len(words) > 5 and words[5] == MARKER_TABLE for words in tables):
        raise ApplicationError("path", f"{path} is a PostgreSQL dump, but not of a Salesdesk database")


def _pg_restore(using: str, source: Path) -> None:
    # pg_restore drops and recreates tables: Django's own sessions must not hold locks on them.
    connections.close_all()
    args, env, name = _pg_connection_args(using)
    _run(
        [
            _pg_tool("pg_restore"),
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            name,
            str(source),
        ],
        env,
        "pg_restore",
    )
    _clear_caches()


def _clear_caches() -> None:
    """Forget cached rows (content types) that may describe the data before the restore."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
