"""`salesdesk presales list|request|assign`: exit 2 and one line on bad input, --json for scripts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from salesdesk.cli import main
from salesdesk.deals.models import PresalesRequest

from .presales_fixtures import *  # noqa: F403 - the fixtures

pytestmark = pytest.mark.django_db


def due(days: int = 7) -> str:
    return (timezone.now() + dt.timedelta(days=days)).date().isoformat()


def ask(opportunity, *extra: str) -> int:
    return main(
        [
            "presales", "request", str(opportunity.pk), "--kind", "demo",
            "--description", "Demo the gateway", "--due", due(), "--as", "rep", *extra,
        ]
    )  # fmt: skip


def test_request_then_assign_to_the_suggested_person_then_list(
    capsys, sales_rep, world_a, manager, engineer, architect
):
    assert ask(world_a.opportunity, "--skills", "identity and sso", "--json") == 0
    created = json.loads(capsys.readouterr().out)
    assert created["status"] == "requested" and created["skills"] == ["Identity and SSO"]
    assert main(["presales", "assign", str(created["id"]), "--as", "grace", "--hours", "10"]) == 0
    assert "assigned to jonas" in capsys.readouterr().out  # only Jonas holds SSO
    assert main(["presales", "list", "--as", "grace", "--json", "--assignee", "jonas"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["reference"], r["status"], r["estimated_hours"]) for r in rows] == [
        (created["reference"], "assigned", "10.0")
    ]
    assert main(["presales", "list", "--as", "grace"]) == 0
    assert created["reference"] in capsys.readouterr().out


REQUEST = ["presales", "request", "{opp}", "--description", "x", "--as", "rep"]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["presales", "request", "999999", "--kind", "demo", "--description", "x", "--due", "2027-01-01"],
         "OPPORTUNITY_ID: no opportunity 999999"),
        ([*REQUEST, "--kind", "demo", "--due", "someday"], "due_date: must be a date"),
        ([*REQUEST, "--kind", "demo", "--due", "2027-01-01", "--skills", "Juggling"],
         "--skills: no skill named 'Juggling'"),
        ([*REQUEST, "--kind", "picnic", "--due", "2027-01-01"], "--kind"),
        (["presales", "assign", "1", "--as", "rep"], "--as: rep may not do this"),
        (["presales", "list", "--skill", "Juggling", "--as", "grace"], "--skill: no skill named 'Juggling'"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_code_2(capsys, sales_rep, world_a, manager, argv, fragment):
    argv = [a.replace("{opp}", str(world_a.opportunity.pk)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert len(err.strip().splitlines()) == 1
    assert not PresalesRequest.objects.exists()


def test_assigning_without_the_skills_needs_ignore_skills(
    capsys, sales_rep, world_a, manager, architect, sso_skill
):
    assert ask(world_a.opportunity, "--skills", "Identity and SSO") == 0
    request = PresalesRequest.objects.get()
    capsys.readouterr()
    assert main(["presales", "assign", str(request.pk), "felix", "--as", "grace"]) == 2
    assert "lacks the needed skill(s): Identity and SSO" in capsys.readouterr().err
    assert main(["presales", "assign", str(request.pk), "felix", "--ignore-skills", "--as", "grace"]) == 0
    request.refresh_from_db()
    assert request.assignee == architect
