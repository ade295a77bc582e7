"""`salesdesk cases …`: import cases from CSV and run the at-risk escalation by hand.

``add_cases_commands(command, usage_error)`` registers them; ``salesdesk.cli`` wires it in
beside ``add_kb_commands``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from salesdesk.cli_kb import _actor


def cmd_cases_import(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    """Open a case per CSV row as ``--as`` (default: the most senior staff member); all rows or none."""
    from salesdesk.service.io import cases_import

    path = Path(options.path)
    if not path.is_file():
        raise usage_error(f"{options.path}: no such file")
    actor = _actor(options.as_user, "case.open", usage_error)
    report = cases_import(actor=actor, data=path.read_bytes())
    for problem in report.problems:
        print(f"{options.path}: {problem}", file=sys.stderr)
    if not report.ok:
        print(f"Nothing imported: {len(report.problems)} problem(s).", file=sys.stderr)
        return 2
    print(f"Opened {len(report.created)} case(s): {', '.join(report.created) or '—'}.")
    return 0


def cmd_cases_escalate(options: argparse.Namespace, usage_error: type[Exception]) -> int:
    """Escalate the running cases at risk of breaching their SLA (the periodic job, run now)."""
    from salesdesk.service.services import escalate_at_risk

    escalations = escalate_at_risk()
    for escalation in escalations:
        print(f"{escalation.case.reference}: tier {escalation.from_tier} → {escalation.to_tier}")
    print(f"Escalated {len(escalations)} case(s).")
    return 0


def add_cases_commands(command: Callable[..., argparse.ArgumentParser], usage_error: type[Exception]) -> None:
    """Register `cases import FILE` and `cases escalate-at-risk` under the `cases` command."""
    cases = command("cases", None, "import cases and run the SLA at-risk escalation")
    sub = cases.add_subparsers(title="cases commands", metavar="CASES_COMMAND", required=True)
    p = sub.add_parser("import", help="open cases from a CSV file (every row or none)")
    p.set_defaults(handler=lambda options: cmd_cases_import(options, usage_error))
    p.add_argument("path", metavar="FILE", help="a .csv file with account and subject columns")
    p.add_argument("--as", dest="as_user", metavar="USERNAME", help="act as this user")
    p = sub.add_parser("escalate-at-risk", help="escalate running cases about to breach their SLA")
    p.set_defaults(handler=lambda options: cmd_cases_escalate(options, usage_error))
