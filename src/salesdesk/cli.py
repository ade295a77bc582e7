"""The `salesdesk` command: run, operate and script an instance.

Its own subcommands (serve, demo, createuser, backup, restore, jobs,
export-organisations, kb, search, capacity, plan, estimate, cases,
requirements) are thin: each parses its arguments
and calls one function of the application (a service, ``core.backup``, ``salesdesk.demo``,
an engine). `worker`, `migrate` and `check` run Django's commands of those names
(`worker` is django-tasks-db's ``db_worker``), and any other word runs the Django
management command of that name, so `salesdesk shell` and `salesdesk makemigrations`
work as with ``manage.py``.

A mistake the user can fix (unknown flag, missing argument, unknown user, a refused
backup file, an ApplicationError from a service) prints one line on stderr and exits
with code 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import getpass
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

EXIT_USAGE = 2
PROG = "salesdesk"

# Our names for Django commands; their flags pass through untouched.
DJANGO_ALIASES = {
    "worker": (
        "db_worker",
        "run background jobs (django-tasks-db worker; --batch, --interval, --queue-name …)",
    ),
    "migrate": ("migrate", "create or update the database tables"),
    "check": ("check", "check the configuration (add --deploy before going live)"),
}


class UsageError(Exception):
    """A mistake in the command line: reported on one line, exit code 2."""

    def __init__(self, message: str, *, prog: str | None = None) -> None:
        super().__init__(message)
        self.prog = prog


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that reports a bad command line on one line instead of usage + exit."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        raise UsageError(message, prog=self.prog)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        _setup_django()
        if args and args[0] in DJANGO_ALIASES:
            return _run_django_command(DJANGO_ALIASES[args[0]][0], args[1:], shown_as=args[0])
        if args and not args[0].startswith("-") and args[0] not in OWN_COMMANDS:
            return _run_django_command(args[0], args[1:])
        options = build_parser().parse_args(args)
        if not getattr(options, "handler", None):
            build_parser().print_help()
            return 0
        return options.handler(options)
    except SystemExit as exc:  # --help, or a Django command that exits on its own
        if isinstance(exc.code, str):
            _fail(exc.code)
            return 1
        return exc.code or 0
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except Exception as exc:
        message = _user_error_message(exc)
        if message is None:
            raise
        _fail(message, prog=getattr(exc, "prog", None) or _prog_of(args))
        return EXIT_USAGE


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.config.settings")
    from django.apps import apps

    if not apps.ready:
        import django

        try:
            django.setup()
        except ValueError as exc:  # settings could not parse an environment variable (DATABASE_URL …)
            raise UsageError(f"configuration: {exc}", prog=PROG) from exc


def _user_error_message(exc: Exception) -> str | None:
    """The one line to show for an error the user can fix, or None for a real bug."""
    from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied
    from django.core.management import CommandError
    from django.db import OperationalError

    from salesdesk.core.errors import ApplicationError

    if isinstance(exc, UsageError):
        return str(exc)
    if isinstance(exc, ApplicationError):
        return exc.as_line()
    if isinstance(exc, PermissionDenied):
        return str(exc) or "permission denied"
    if isinstance(exc, CommandError):
        return str(exc).removeprefix("Error: ")
    if isinstance(exc, ObjectDoesNotExist):
        return str(exc)
    if isinstance(exc, ImproperlyConfigured):  # a bad environment variable, e.g. DATABASE_URL
        return f"configuration: {exc}"
    if isinstance(exc, OperationalError):  # database down, wrong password, missing database
        return f"database: {exc}"
    if isinstance(exc, OSError):  # a path that does not exist, no permission, disk full
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return None


def _prog_of(args: list[str]) -> str:
    return f"{PROG} {args[0]}" if args and not args[0].startswith("-") else PROG


def _fail(message: str, *, prog: str = PROG) -> None:
    # One line, whatever the message held: scripts read the first line of stderr.
    print(f"{prog}: error: {' '.join(str(message).split())}", file=sys.stderr)


# --- Django's commands ------------------------------------------------------------------------


def _run_django_command(name: str, argv: list[str], *, shown_as: str | None = None) -> int:
    """Run Django management command ``name`` with ``argv``; a bad argument is one line, exit 2."""
    from django.core.management import BaseCommand, ManagementUtility, get_commands, load_command_class
    from django.core.management.base import SystemCheckError, handle_default_options

    if name in ("help", "version"):
        ManagementUtility([PROG, name, *argv]).execute()
        return 0
    commands = get_commands()
    if name not in commands:
        close = difflib.get_close_matches(name, [*commands, *OWN_COMMANDS, *DJANGO_ALIASES], n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise UsageError(f"unknown command '{name}'{hint} (see '{PROG} --help' and '{PROG} help')", prog=PROG)
    app = commands[name]
    command = app if isinstance(app, BaseCommand) else load_command_class(app, name)
    if type(command).run_from_argv is not BaseCommand.run_from_argv:
        # A command with its own start-up (Django's `test`): let it run as it expects.
        command.run_from_argv([PROG, name, *argv])
        return 0
    # Not marking the command as "called from the command line" makes its parser raise
    # CommandError for a bad argument (one line) instead of printing usage and exiting.
    parser = command.create_parser(PROG, shown_as or name)
    options = parser.parse_args(argv)
    cmd_options = vars(options)
    positional = cmd_options.pop("args", ())
    handle_default_options(options)
    try:
        command.execute(*positional, **cmd_options)
    except SystemCheckError as exc:
        # The check report is the output the person asked for: print all of it.
        print(str(exc), file=sys.stderr)
        return 1
    return 0


# --- Our own commands ------------------------------------------------------------------------


def cmd_serve(options: argparse.Namespace) -> int:
    """Serve the application with waitress (static files via WhiteNoise)."""
    import signal

    from waitress import create_server

    from salesdesk.config.wsgi import application

    _warn_unapplied_migrations()
    try:
        server = create_server(
            application, host=options.host, port=options.port, threads=options.threads, ident="Salesdesk"
        )
    except OSError as exc:  # address in use, no permission for the port, unknown host
        raise UsageError(f"cannot listen on {options.host}:{options.port}: {exc.strerror or exc}") from None
    # SIGTERM (systemd, docker stop) ends the server like Ctrl+C: waitress shuts down
    # cleanly and the worker started beside it is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    worker = None
    if options.with_worker:
        worker = subprocess.Popen([sys.executable, "-m", "salesdesk.cli", "worker"])
    shown_host = "127.0.0.1" if options.host in ("0.0.0.0", "::") else options.host  # noqa: S104
    print(f"Salesdesk is running at http://{shown_host}:{options.port}/  (Ctrl+C to stop)", flush=True)
    if worker is not None:
        print(f"Background worker started (pid {worker.pid}).", flush=True)
    try:
        server.run()
    finally:
        server.close()
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
    return 0


def _warn_unapplied_migrations() -> None:
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        print(
            f"Warning: {len(plan)} database migration(s) not applied; run '{PROG} migrate'.", file=sys.stderr
        )


def cmd_demo(options: argparse.Namespace) -> int:
    """Load the demo data (idempotent) and print the demo logins."""
    from salesdesk.demo import demo_load, logins_table

    result = demo_load()
    if result.total:
        made = ", ".join(f"{count} {what}" for what, count in sorted(result.created.items()) if count)
        print(f"Demo data loaded: {made}.")
    else:
        print("Demo data already loaded; nothing to add.")
    if not options.quiet:
        print_logins(logins_table())
    return 0


def print_logins(rows: list[tuple[str, str, str, str, str]]) -> None:
    print("\nDemo logins (DEMO ONLY — never use these passwords on an instance with real data):\n")
    width_user = max(len(r[0]) for r in rows)
    width_password = max(len(r[1]) for r in rows)
    width_name = max(len(r[2]) for r in rows)
    for username, password, name, role, _try in rows:
        print(f"  {username:<{width_user}}  {password:<{width_password}}  {name:<{width_name}}  {role}")
    print()


def cmd_createuser(options: argparse.Namespace) -> int:
    """Create a user through the same service the admin pages use (actor: the operator)."""
    from salesdesk.parties.models import Organisation
    from salesdesk.parties.services import user_create

    password = _read_password(options)
    organisation_id = options.organisation
    if organisation_id is None and options.kind == "admin":
        # user_create places support staff and sales reps in our own organisation by
        # default, but not admins, whose organisation is required too.
        organisation_id = Organisation.objects.filter(kind="own").values_list("pk", flat=True).first()
    user = user_create(
        actor=None,
        username=options.username,
        password=password,
        kind=options.kind,
        support_level=options.level,
        organisation_id=organisation_id,
        first_name=options.first_name,
        last_name=options.last_name,
        email=options.email,
        job_title=options.job_title,
    )
    where = f", {user.organisation}" if user.organisation_id else ""
    print(f"Created user {user.username} ({user.role_label}{where}).")
    return 0


def _read_password(options: argparse.Namespace) -> str:
    if options.password_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise UsageError("--password-stdin: no password on standard input")
        return line.rstrip("\r\n")
    if options.password is not None:
        return options.password
    if not sys.stdin.isatty():
        raise UsageError("give the password with --password-stdin (or --password)")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise UsageError("the two passwords differ")
    return first


def cmd_backup(options: argparse.Namespace) -> int:
    """Write a consistent copy of the database while the application runs."""
    from django.utils import timezone

    from salesdesk.core.backup import backup_database, default_file_name, engine_of

    target = Path(options.path)
    if target.is_dir():
        target = target / default_file_name(engine_of(), timezone.now().strftime("%Y%m%d-%H%M%S"))
    info = backup_database(target, overwrite=options.force)
    print(f"Backed up the {_engine_name(info.engine)} database to {info.path} ({_size(info.size_bytes)}).")
    return 0


def cmd_restore(options: argparse.Namespace) -> int:
    """Replace every record in the database with a backup's."""
    from salesdesk.core.backup import check_backup_file, engine_of, restore_database

    source = Path(options.path)
    check_backup_file(source, engine_of())  # refuse a wrong file before asking anything
    if not options.yes:
        if not sys.stdin.isatty():
            raise UsageError("this replaces all data; add --yes to confirm")
        answer = input(f"Replace ALL data in this instance's database with {source}? Type 'yes': ")
        if answer.strip().lower() != "yes":
            print("Restore cancelled; nothing changed.")
            return 1
    info = restore_database(source)
    print(
        f"Restored the {_engine_name(info.engine)} database from {info.path}. "
        f"Run '{PROG} migrate' if the backup came from an older version."
    )
    return 0


def _engine_name(engine: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(engine, engine)


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(size)


def cmd_jobs(options: argparse.Namespace) -> int:
    """List the most recent background jobs, newest first."""
    from salesdesk.core.models import Job

    jobs_qs = Job.objects.select_related("created_by").order_by("-created_at", "-id")
    if options.status:  # filter first, then take the newest: --limit counts jobs of that status
        jobs_qs = jobs_qs.filter(status=options.status)
    jobs = list(jobs_qs[: options.limit])
    if not jobs:
        print("No jobs yet.")
        return 0
    print(f"{'ID':>6}  {'STATUS':<10} {'PROGRESS':>8}  {'CREATED (UTC)':<16}  {'BY':<12} TITLE")
    for job in jobs:
        by = job.created_by.username if job.created_by else "-"
        line = (
            f"{job.pk:>6}  {job.status:<10} {job.progress:>7}%  {job.created_at:%Y-%m-%d %H:%M}  "
            f"{by:<12} {job.title}"
        )
        if job.error:
            line += f"  [{job.error.splitlines()[0]}]"
        print(line)
    return 0


def cmd_export_organisations(options: argparse.Namespace) -> int:
    """Start the organisations CSV export as a user and wait for it with a progress bar."""
    from salesdesk.parties.tasks import organisations_export_start

    out = Path(options.out)
    _check_writable(out)  # before the job runs, not after
    actor = _export_actor(options.as_user)
    job = organisations_export_start(actor=actor, query=options.query, kind=options.kind, tier=options.tier)
    job = _follow_job(job.pk, timeout=options.timeout)
    if not job.is_finished:
        print(
            f"{PROG} export-organisations: job {job.pk} not finished after {options.timeout:g} s "
            f"(status {job.status}); it goes on in the background, see '{PROG} jobs'",
            file=sys.stderr,
        )
        return 1
    if job.status != "succeeded":
        first_line = (job.error or "failed").splitlines()[0]
        print(f"{PROG}: job {job.pk} failed: {first_line}", file=sys.stderr)
        return 1
    with job.result_file.open("rb") as source:
        out.write_bytes(source.read())
    rows = (job.result or {}).get("rows", "?")
    print(f"Exported {rows} organisations to {out} (job {job.pk}, as {actor.username}).")
    return 0


def _check_writable(out: Path) -> None:
    """A usage error now, when ``out`` cannot be written, rather than after a long job."""
    if out.is_dir():
        raise UsageError(f"--out: {out} is a folder; name a file")
    folder = out.parent
    if not folder.is_dir():
        raise UsageError(f"--out: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"--out: folder {folder} is not writable")


def _export_actor(username: str | None) -> Any:
    from salesdesk.core.permissions import holds
    from salesdesk.parties.models import User

    if username:
        user = User.objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            raise UsageError(f"--as: no active user '{username}'")
        if not holds(user, "organisation.export"):
            raise UsageError(f"--as: {username} may not export organisations")
        return user
    # No one named: the first staff member who may export (admins hold no business rights).
    for user in User.objects.filter(is_active=True, kind__in=["support", "sales_rep"]).order_by("pk"):
        if holds(user, "organisation.export"):
            return user
    raise UsageError("no staff user may export; name one with --as USERNAME")


def _follow_job(job_id: int, *, timeout: float, interval: float = 0.5) -> Any:
    """Poll a job until it finishes (or ``timeout`` passes), drawing a rich progress bar on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from salesdesk.core.models import Job, JobStatus

    console = Console(stderr=True)
    started = time.monotonic()
    hinted = False
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[message]}"),
        console=console,
        transient=False,
    ) as progress:
        bar = progress.add_task(f"Job {job_id}", total=100, message="")
        while True:
            job = Job.objects.get(pk=job_id)
            progress.update(bar, completed=job.progress, message=job.message)
            if job.is_finished:
                return job
            waited = time.monotonic() - started
            if job.status == JobStatus.QUEUED and waited > 5 and not hinted:
                progress.console.print(
                    f"Job {job_id} is queued: is a worker running? Start one with '{PROG} worker'."
                )
                hinted = True
            if timeout and waited > timeout:
                return job
            time.sleep(interval)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("salesdesk")
    except PackageNotFoundError:
        return "unknown"


Handler = Callable[[argparse.Namespace], int]


def _kind(value: str) -> str:
    from salesdesk.core.roles import UserKind

    value = value.strip().lower().replace("-", "_")
    if value not in UserKind.values:
        raise argparse.ArgumentTypeError(f"invalid kind '{value}' (choose from {', '.join(UserKind.values)})")
    return value


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        description="Salesdesk: a self-hosted sales-support workbench.",
        epilog=(
            f"Any other Django management command also works ('{PROG} shell', "
            f"'{PROG} createsuperuser', '{PROG} makemigrations' …); '{PROG} help' lists them."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, handler: Handler, help_text: str) -> Parser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command("serve", cmd_serve, "serve the web application and API (waitress)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--threads", type=int, default=8, help="worker threads (default: 8)")
    p.add_argument(
        "--with-worker", action="store_true", help="also run a background worker beside the server"
    )

    for alias, (_target, help_text) in DJANGO_ALIASES.items():
        sub.add_parser(alias, help=help_text, add_help=False)

    p = command("demo", cmd_demo, "load the demo data (idempotent) and print the demo logins")
    p.add_argument("--quiet", action="store_true", help="do not print the logins")

    p = command("createuser", cmd_createuser, "create a user who can sign in")
    p.add_argument("username")
    p.add_argument("--kind", required=True, type=_kind, help="support, sales_rep, partner, customer or admin")
    p.add_argument(
        "--level", type=int, choices=range(1, 7), metavar="1-6", help="support level (support staff)"
    )
    p.add_argument(
        "--organisation",
        type=int,
        metavar="ID",
        help="organisation id (partner and customer users; staff default to our own)",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    group.add_argument(
        "--password", help="the password (visible to other users of this machine: prefer stdin)"
    )
    p.add_argument("--first-name", default="")
    p.add_argument("--last-name", default="")
    p.add_argument("--email", default="")
    p.add_argument("--job-title", default="")

    p = command("backup", cmd_backup, "write a consistent backup of the database (safe while running)")
    p.add_argument("path", help="backup file to write, or a folder to write a dated file into")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")

    p = command("restore", cmd_restore, "replace all data with a backup made by 'salesdesk backup'")
    p.add_argument("path", help="backup file")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    p = command("jobs", cmd_jobs, "list recent background jobs")
    p.add_argument("--limit", type=int, default=20, help="how many (default: 20)")
    p.add_argument("--status", choices=["queued", "running", "succeeded", "failed"])

    p = command(
        "export-organisations",
        cmd_export_organisations,
        "export organisations to CSV as a background job, with a progress bar",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="CSV file to write")
    p.add_argument(
        "--as",
        dest="as_user",
        metavar="USERNAME",
        help="export what this user sees (default: the first staff user)",
    )
    p.add_argument("--query", default="", help="only names, industries or e-mails containing this")
    p.add_argument("--kind", default="", choices=["", "own", "customer", "partner"])
    p.add_argument("--tier", default="", help="only this customer tier")
    p.add_argument("--timeout", type=float, default=600, help="give up waiting after this many seconds")

    from salesdesk.cli_kb import add_kb_commands, add_search_command

    add_kb_commands(command, UsageError)
    add_search_command(command, UsageError)

    from salesdesk.cli_capacity import add_capacity_commands
    from salesdesk.cli_cases import add_cases_commands
    from salesdesk.cli_estimate import add_estimate_commands
    from salesdesk.cli_plan import add_plan_commands
    from salesdesk.cli_presales import add_presales_commands
    from salesdesk.cli_registrations import add_registrations_commands
    from salesdesk.cli_requirements import add_requirements_commands

    add_capacity_commands(command, UsageError)
    add_plan_commands(command, UsageError)
    add_estimate_commands(command, UsageError)
    add_cases_commands(command, UsageError)
    add_requirements_commands(command, UsageError)
    add_presales_commands(command, UsageError)
    add_registrations_commands(command, UsageError)
    return parser


OWN_COMMANDS = (
    "serve", "demo", "createuser", "backup", "restore", "jobs", "export-organisations", "kb", "search",
    "capacity", "plan", "estimate", "cases", "requirements",
    "registrations",
    "presales",
)  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
