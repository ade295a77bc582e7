"""`salesdesk cases import` (all rows or none) and the at-risk escalation command."""

from __future__ import annotations

import argparse
import datetime as dt

import pytest
from django.core.management import call_command

from salesdesk.cli_cases import add_cases_commands
from salesdesk.service.io import cases_import
from salesdesk.service.models import Case

pytestmark = pytest.mark.django_db


class UsageError(Exception):
    pass


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()

    def command(name, handler, help_text):
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(handler=handler)
        return p

    add_cases_commands(command, UsageError)
    options = parser.parse_args(argv)
    return options.handler(options)


def test_import_opens_every_row(agent, gold_world, gold_policy):
    csv = (
        "account,subject,priority,case_type,contact_email\n"
        f"{gold_world.customer.name},VPN drops,high,problem,{gold_world.contact.email}\n"
        f"{gold_world.customer.pk},Licence question,normal,query,\n"
    ).encode()
    report = cases_import(actor=agent, data=csv)
    assert report.ok and len(report.created) == 2
    assert Case.objects.get(subject="VPN drops").resolution_due_at is not None


def test_one_bad_row_imports_nothing_and_names_row_and_column(agent, gold_world, world_b):
    csv = (
        "account,subject,priority\n"
        f"{gold_world.customer.name},Fine,normal\n"
        "Nobody Ltd,Bad account,normal\n"
        f"{gold_world.customer.name},Bad priority,someday\n"
    ).encode()
    report = cases_import(actor=agent, data=csv)
    assert not report.ok and report.created == []
    assert report.problems[0] == "row 3: account: no customer account 'Nobody Ltd'"
    assert report.problems[1].startswith("row 4: priority")
    assert not Case.objects.exists()


def test_partner_cannot_import_into_another_partners_customer(gold_world, world_b):
    report = cases_import(
        actor=gold_world.partner_user, data=f"account,subject\n{world_b.customer.name},x\n".encode()
    )
    assert not report.ok and not Case.objects.exists()


def test_cli_import_and_exit_codes(tmp_path, agent, gold_world, capsys):
    good = tmp_path / "cases.csv"
    good.write_text(f"account,subject\n{gold_world.customer.name},From CLI\n")
    assert run(["cases", "import", str(good), "--as", "priya"]) == 0
    assert "Opened 1 case(s)" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("subject\nNo account column\n")
    assert run(["cases", "import", str(bad), "--as", "priya"]) == 2
    assert "missing column(s): account" in capsys.readouterr().err
    with pytest.raises(UsageError):
        run(["cases", "import", str(tmp_path / "missing.csv")])


def test_escalate_at_risk_command(open_case, capsys):
    # opened weeks ago and never answered: its first response is long overdue
    open_case(case_type="query", now=dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC))
    call_command("escalate_at_risk")
    assert "Escalated 1 case(s)." in capsys.readouterr().out
    assert Case.objects.get().tier == 2
    assert run(["cases", "escalate-at-risk"]) == 0
    assert "Escalated 0 case(s)." in capsys.readouterr().out


def test_the_escalation_task_runs_the_service(open_case, settings):
    from salesdesk.service.tasks import escalate_at_risk_task

    open_case(case_type="query", now=dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC))
    assert escalate_at_risk_task.call() == 1
