"""`salesdesk requirements …`: import requirements into an opportunity, render a version's document.

``requirements import OPPORTUNITY_ID FILE`` reads a CSV, XLSX or DOCX file (the columns
of ``deals.requirement_io.COLUMNS``, or a DOCX numbered list). A file with bad rows
imports nothing (each problem is printed with its row or paragraph and column) unless
``--skip-bad-rows`` is given. ``requirements document OPPORTUNITY_ID FILE`` writes the
latest (or ``--version N``) baselined document as PDF or DOCX, by the file's extension.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from salesdesk.cli_kb import _actor


def _opportunity(actor: Any, opportunity_id: int, usage_error: type[Exception]) -> Any:
    from salesdesk.deals.selectors import visible_opportunities

    opportunity = visible_opportunities(actor).filter(pk=opportunity_id).first()
    if opportunity is None:
        raise usage_error(f"OPPORTUNITY_ID: no opportunity {opportunity_id} that {actor.username} may see")
    return opportunity


def cmd_requirements_import(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    from salesdesk.deals.requirement_io import import_file

    actor = _actor(options.as_user, "requirement.manage", usage_error)
    opportunity = _opportunity(actor, options.opportunity_id, usage_error)
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(transient=True, console=Console(stderr=True)) as bar:
            task = bar.add_task("Importing", total=100)

            def progress(percent: float, message: str = "") -> None:
                bar.update(task, completed=percent, description=message or "Importing")

            report = import_file(
                options.path,
                actor=actor,
                opportunity=opportunity,
                skip_bad_rows=options.skip_bad_rows,
                progress=progress,
            )
    else:
        report = import_file(
            options.path, actor=actor, opportunity=opportunity, skip_bad_rows=options.skip_bad_rows
        )
    for problem in report.problems:
        print(f"{options.path}: {problem}", file=sys.stderr)
    if not report.imported:
        print(
            f"Nothing imported: {len(report.problems)} problem(s); fix them or use --skip-bad-rows.",
            file=sys.stderr,
        )
        return 2
    print(
        f"Imported {report.created} requirement(s) into '{opportunity}'"
        + (f", skipped {report.skipped} bad row(s)" if report.skipped else "")
        + "."
    )
    return 0


def cmd_requirements_document(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    from salesdesk.deals.models import RequirementBaseline
    from salesdesk.deals.requirement_documents import baseline_document
    from salesdesk.deals.selectors import baseline_previous

    path = Path(options.path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "docx"):
        raise usage_error("FILE: name it .pdf or .docx")
    actor = _actor(options.as_user, "opportunity.view", usage_error)
    opportunity = _opportunity(actor, options.opportunity_id, usage_error)
    baselines = RequirementBaseline.objects.filter(requirement_set__opportunity=opportunity).order_by(
        "-number"
    )
    baseline = baselines.filter(number=options.version).first() if options.version else baselines.first()
    if baseline is None:
        raise usage_error(
            "no baselined version" + (f" {options.version}" if options.version else "") + " to render"
        )
    path.write_bytes(baseline_document(baseline, fmt, baseline_previous(baseline)))
    print(f"Wrote version {baseline.number} of '{opportunity}' requirements to {path}.")
    return 0


def add_requirements_commands(
    command: Callable[..., argparse.ArgumentParser], usage_error: type[Exception]
) -> None:
    """Register `requirements import` and `requirements document` under the `requirements` command."""
    group = command("requirements", None, "import requirements and render requirement documents")
    sub = group.add_subparsers(title="requirements commands", metavar="REQUIREMENTS_COMMAND", required=True)

    p = sub.add_parser(
        "import", help="import requirements from CSV, XLSX or DOCX", description="import requirements"
    )
    p.set_defaults(handler=lambda options: cmd_requirements_import(options, usage_error))
    p.add_argument("opportunity_id", metavar="OPPORTUNITY_ID", type=int)
    p.add_argument("path", metavar="FILE", help="a .csv, .xlsx or .docx file")
    p.add_argument("--skip-bad-rows", action="store_true", help="import the good rows, report the bad")
    p.add_argument("--as", dest="as_user", metavar="USERNAME", help="act as this user (level 3 or above)")

    p = sub.add_parser(
        "document",
        help="write a baselined version as PDF or DOCX",
        description="render a requirements document",
    )
    p.set_defaults(handler=lambda options: cmd_requirements_document(options, usage_error))
    p.add_argument("opportunity_id", metavar="OPPORTUNITY_ID", type=int)
    p.add_argument("path", metavar="FILE", help="a .pdf or .docx file to write")
    p.add_argument("--version", type=int, help="the version number (default: the latest)")
    p.add_argument("--as", dest="as_user", metavar="USERNAME", help="act as this user")
