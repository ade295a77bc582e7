"""`salesdesk plan schedule|pert` (issue 7): exact JSON contracts, tables, one-line errors."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest

from salesdesk.cli_plan import add_plan_commands


class UsageError(Exception):
    """Stands in for cli.UsageError: the CLI prints it on one line and exits 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # type: ignore[override]
        raise UsageError(message)


def run(*args: str) -> int:
    # the same wiring as cli.build_parser: command(name, handler, help) -> parser
    parser = Parser(prog="salesdesk")
    sub = parser.add_subparsers()

    def command(name, handler, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    add_plan_commands(command, UsageError)
    options = parser.parse_args(list(args))
    return options.handler(options)


PLAN = {
    "start_date": "2026-12-04",
    "calendar": {"workdays": ["mon", "tue", "wed", "thu", "fri"], "holidays": ["2026-12-08"]},
    "resources": {"engineer": 1},
    "tasks": [
        {"id": "A", "name": "Design", "duration": 3, "role": "engineer"},
        {
            "id": "B",
            "name": "Build",
            "optimistic": 2,
            "most_likely": 4,
            "pessimistic": 12,
            "predecessors": ["A"],
        },
        {
            "id": "C",
            "name": "Docs",
            "duration": 2,
            "role": "engineer",
            "predecessors": [{"id": "A", "type": "SS", "lag": 1}],
        },
    ],
}


@pytest.fixture
def plan_file(tmp_path):
    def write(data: Any = PLAN) -> str:
        path = tmp_path / "plan.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return str(path)

    return write


def test_schedule_json_has_exactly_the_contract_keys_and_values(plan_file, capsys):
    assert run("plan", "schedule", plan_file(), "--json") == 0

    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["duration", "critical_path", "tasks"]
    assert out["duration"] == 7.0
    assert out["critical_path"] == ["A", "B"]
    assert list(out["tasks"]) == ["A", "B", "C"]
    assert out["tasks"]["C"] == {
        "early_start": 1.0,
        "early_finish": 3.0,
        "late_start": 5.0,
        "late_finish": 7.0,
        "total_float": 4.0,
        "free_float": 4.0,
        "critical": False,
        "start_date": "2026-12-07",
        "finish_date": "2026-12-09",  # Mon 7, (Tue 8 holiday) Wed 9
    }
    assert out["tasks"]["A"]["start_date"] == "2026-12-04"
    assert out["tasks"]["B"]["finish_date"] == "2026-12-15"


def test_schedule_json_has_null_dates_without_a_start_date(plan_file, capsys):
    data = {k: v for k, v in PLAN.items() if k != "start_date"}

    run("plan", "schedule", plan_file(data), "--json")

    tasks = json.loads(capsys.readouterr().out)["tasks"]
    assert {(t["start_date"], t["finish_date"]) for t in tasks.values()} == {(None, None)}


def test_schedule_warns_about_over_allocation_on_stderr_and_keeps_stdout_json(plan_file, capsys):
    run("plan", "schedule", plan_file(), "--json")

    captured = capsys.readouterr()
    json.loads(captured.out)
    assert captured.err == (
        'warning: role "engineer" over-allocated on days 1–2 (2026-12-07 to 2026-12-09): '
        "demand 2 > capacity 1 (tasks A, C)\n"
    )


def test_schedule_table_is_readable(plan_file, capsys):
    assert run("plan", "schedule", plan_file()) == 0

    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "ES", "EF", "LS", "LF", "TF", "FF", "CRIT", "START", "FINISH"]
    assert lines[1].split() == ["A", "0", "3", "0", "3", "0", "0", "*", "2026-12-04", "2026-12-09"]
    assert "Duration: 7 working days, finishing 2026-12-15" in out
    assert "Critical path: A -> B" in out


def test_pert_json_has_exactly_the_contract_keys(plan_file, capsys):
    assert run("plan", "pert", plan_file(), "--json") == 0

    out = json.loads(capsys.readouterr().out)
    assert list(out) == [
        "expected_duration",
        "variance",
        "std_dev",
        "critical_path",
        "probability_by_deadline",
        "tasks",
    ]
    # B: (2 + 16 + 12)/6 = 5, ((12 − 2)/6)² = 25/9
    assert out["expected_duration"] == 8.0
    assert out["variance"] == 2.777778
    assert out["std_dev"] == 1.666667
    assert out["critical_path"] == ["A", "B"]
    assert out["probability_by_deadline"] is None
    assert out["tasks"]["B"] == {"expected": 5.0, "variance": 2.777778}
    assert out["tasks"]["A"] == {"expected": 3.0, "variance": 0.0}


@pytest.mark.parametrize(
    ("deadline", "probability"),
    [
        ("8", 0.5),  # the expected duration itself
        ("9.666667", 0.841345),  # one σ later: Φ(1)
        ("2026-12-16", 0.5),  # Fri 4 … Wed 16 without the weekend and Tue 8: 8 working days
        ("2026-12-17", 0.725747),  # 9 working days: Φ((9 − 8)/(5/3)) = Φ(0.6)
    ],
)
def test_pert_probability_by_deadline_in_days_or_as_a_date(plan_file, capsys, deadline, probability):
    run("plan", "pert", plan_file(), "--deadline", deadline, "--json")

    out = json.loads(capsys.readouterr().out)
    assert out["probability_by_deadline"] == pytest.approx(probability, abs=1e-6)


def test_pert_table_names_the_probability(plan_file, capsys):
    run("plan", "pert", plan_file(), "--deadline", "8")

    out = capsys.readouterr().out
    assert "Expected duration: 8 working days (variance 2.77778, std dev 1.66667)" in out
    assert "Probability of finishing within 8 working days: 50.0%" in out


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"tasks": [{"id": "B", "optimistic": 1, "most_likely": 5, "pessimistic": 3}]},
            'task "B": pessimistic (3) is less than most_likely (5)',
        ),
        (
            {
                "tasks": [
                    {"id": "A", "duration": 1, "predecessors": ["B"]},
                    {"id": "B", "duration": 1, "predecessors": ["A"]},
                ]
            },
            "dependency cycle: A -> B -> A",
        ),
    ],
)
@pytest.mark.parametrize("subcommand", ["schedule", "pert"])
def test_a_bad_plan_is_a_one_line_usage_error(plan_file, capsys, data, message, subcommand):
    with pytest.raises(UsageError) as raised:
        run("plan", subcommand, plan_file(data), "--json")

    assert str(raised.value) == message
    assert capsys.readouterr().out == ""


def test_invalid_json_is_a_one_line_usage_error(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(UsageError) as raised:
        run("plan", "schedule", str(path))

    assert str(raised.value).startswith(f"{path}: invalid JSON at line 1 column 2")
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("deadline", "message"),
    [
        ("soon", "--deadline: a number of working days or a date YYYY-MM-DD"),
        ("nan", "--deadline: a finite number of working days"),
        ("2026-02-30", "--deadline: 2026-02-30 is not a valid date"),
    ],
)
def test_a_bad_deadline_is_a_one_line_usage_error(plan_file, deadline, message):
    with pytest.raises(UsageError) as raised:
        run("plan", "pert", plan_file(), "--deadline", deadline)

    assert str(raised.value) == message


def test_a_deadline_date_needs_a_start_date(plan_file):
    data = {k: v for k, v in PLAN.items() if k != "start_date"}

    with pytest.raises(UsageError, match=r"^--deadline: a date needs the plan's start_date"):
        run("plan", "pert", plan_file(data), "--deadline", "2026-12-16")


def test_plan_needs_a_subcommand():
    with pytest.raises(UsageError):
        run("plan")
