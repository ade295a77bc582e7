"""`salesdesk estimate simulate` (issue 7): the exact JSON contract, the summary, one-line errors."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

import pytest

from salesdesk.cli_estimate import add_estimate_commands


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

    add_estimate_commands(command, UsageError)
    options = parser.parse_args(list(args))
    return options.handler(options)


PLAN = {
    "tasks": [
        {
            "id": "A",
            "name": "Design",
            "optimistic": 2,
            "most_likely": 3,
            "pessimistic": 6,
            "cost_per_day": 800,
        },
        {
            "id": "B",
            "name": "Build",
            "optimistic": 4,
            "most_likely": 6,
            "pessimistic": 15,
            "cost_per_day": 600,
            "predecessors": ["A"],
        },
        {
            "id": "C",
            "name": "Docs",
            "duration": 2,
            "fixed_cost": 500,
            "predecessors": [{"id": "A", "type": "SS"}],
        },
    ],
    "risks": [
        {
            "id": "R1",
            "name": "Late hardware",
            "probability": 0.3,
            "impact_days": 4,
            "impact_cost": 2000,
            "tasks": ["B"],
        }
    ],
}
KEYS = ["mean", "std", "p10", "p50", "p80", "p90", "p95"]


@pytest.fixture
def plan_file(tmp_path):
    def write(data: object = PLAN) -> str:
        path = tmp_path / "PLAN.json"
        path.write_text(json.dumps(data))
        return str(path)

    return write


def simulate_json(capsys, *args: str) -> dict[str, Any]:
    assert run("estimate", "simulate", *args, "--json") == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_exactly_the_contract(capsys, plan_file):
    out = simulate_json(capsys, plan_file(), "--iterations", "2000")
    assert list(out) == [
        "iterations",
        "duration",
        "cost",
        "probability_by_deadline",
        "probability_within_budget",
        "criticality",
        "sensitivity",
    ]
    assert out["iterations"] == 2000
    for total in ("duration", "cost"):
        assert list(out[total]) == KEYS
        assert all(isinstance(v, float) and math.isfinite(v) for v in out[total].values())
        percentiles = [out[total][k] for k in KEYS[2:]]
        assert percentiles == sorted(percentiles)
    assert out["probability_by_deadline"] is None and out["probability_within_budget"] is None
    assert (
        out["criticality"]["A"] == 1.0 and out["criticality"]["B"] == 1.0 and out["criticality"]["C"] == 0.0
    )
    assert set(out["sensitivity"]) == {"A", "B", "C", "R1"}
    assert out["sensitivity"]["C"] == 0.0  # a fixed duration: a constant column
    assert out["sensitivity"]["B"] > out["sensitivity"]["A"] > 0
    # B's mean (o+4m+p)/6 = 7.17 and A's 3.33, plus 30 % of 4 days: about 11.7 days
    assert out["duration"]["mean"] == pytest.approx(3 + 1 / 3 + 7 + 1 / 6 + 1.2, abs=0.25)


def test_probabilities_when_a_deadline_and_budget_are_given(capsys, plan_file):
    out = simulate_json(capsys, plan_file(), "--deadline", "11", "--budget", "1e9")
    assert 0.0 < out["probability_by_deadline"] < 1.0
    assert out["probability_within_budget"] == 1.0
    assert out["iterations"] == 10_000  # the default
    out = simulate_json(capsys, plan_file(), "--deadline", "0", "--budget", "0", "--iterations", "50")
    assert out["probability_by_deadline"] == 0.0 and out["probability_within_budget"] == 0.0


def test_deadline_as_a_date_counts_the_plan_calendar(capsys, plan_file):
    # Mon 2 March 2026, Monday–Friday, Friday 6 March a holiday: working day 11 ends on Tue 17 March
    dated = {
        **PLAN,
        "start_date": "2026-03-02",
        "calendar": {"workdays": ["mon", "tue", "wed", "thu", "fri"], "holidays": ["2026-03-06"]},
    }
    path = plan_file(dated)
    by_days = simulate_json(capsys, path, "--deadline", "11")
    by_date = simulate_json(capsys, path, "--deadline", "2026-03-17")
    assert 0.0 < by_date["probability_by_deadline"] < 1.0
    assert by_date == by_days  # the same JSON contract, the same figures
    # the weekend after a Friday deadline adds no working days
    assert simulate_json(capsys, path, "--deadline", "2026-03-14") == simulate_json(
        capsys, path, "--deadline", "2026-03-13"
    )
    assert simulate_json(capsys, path, "--deadline", "2026-03-01")["probability_by_deadline"] == 0.0
    assert run("estimate", "simulate", path, "--iterations", "500", "--deadline", "2026-03-17") == 0
    assert "Probability of finishing within 11 working days (by 2026-03-17):" in capsys.readouterr().out
    # without a calendar every day counts: 11 days from 2 March end on 12 March
    every_day = plan_file({**PLAN, "start_date": "2026-03-02"})
    assert simulate_json(capsys, every_day, "--deadline", "2026-03-12") == simulate_json(
        capsys, every_day, "--deadline", "11"
    )


def test_same_seed_same_figures_and_another_seed_others(capsys, plan_file):
    path = plan_file()
    first = simulate_json(capsys, path, "--iterations", "1000", "--seed", "5")
    again = simulate_json(capsys, path, "--iterations", "1000", "--seed", "5")
    other = simulate_json(capsys, path, "--iterations", "1000", "--seed", "6")
    assert first == again
    assert first["duration"] != other["duration"]


def test_triangular_is_wider_than_pert(capsys, plan_file):
    path = plan_file()
    pert = simulate_json(capsys, path, "--iterations", "20000")
    triangular = simulate_json(capsys, path, "--iterations", "20000", "--distribution", "triangular")
    # triangular means (o+m+p)/3 exceed the PERT means for right-skewed estimates
    assert triangular["duration"]["mean"] > pert["duration"]["mean"] + 0.5


def test_a_fixed_plan_has_zero_spread_and_no_nan(capsys, plan_file):
    data = {"tasks": [{"id": "A", "duration": 3}, {"id": "B", "duration": 2, "predecessors": ["A"]}]}
    out = simulate_json(capsys, plan_file(data), "--iterations", "1")
    assert out["duration"] == dict.fromkeys(KEYS, 5.0) | {"std": 0.0}
    assert out["sensitivity"] == {"A": 0.0, "B": 0.0}


def test_correlation_groups_from_the_plan_widen_the_spread(capsys, plan_file):
    chain = [
        {
            "id": f"T{i}",
            "optimistic": 1,
            "most_likely": 2,
            "pessimistic": 5,
            "predecessors": [f"T{i - 1}"] if i else [],
        }
        for i in range(6)
    ]
    plain = simulate_json(capsys, plan_file({"tasks": chain}), "--iterations", "5000")
    tied = simulate_json(
        capsys,
        plan_file({"tasks": chain, "correlation": [{"tasks": [t["id"] for t in chain], "coefficient": 0.8}]}),
        "--iterations",
        "5000",
    )
    assert tied["duration"]["std"] > 1.5 * plain["duration"]["std"]


def test_readable_summary(capsys, plan_file):
    assert (
        run(
            "estimate", "simulate", plan_file(), "--iterations", "500", "--deadline", "12", "--budget", "9000"
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "3 task(s), 1 risk(s); 500 iterations, beta-PERT, seed 1" in out
    assert "duration (days)" in out and "P80" in out
    assert "Deterministic plan (most likely, no risks): 9.0 days" in out
    assert "Probability of finishing within 12 working days:" in out
    assert "Probability of costing at most 9,000:" in out
    assert "Sensitivity" in out and "R1" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--iterations", "0"], "--iterations: between 1 and 10,000,000"),
        (["--iterations", "10000001"], "--iterations: between 1 and 10,000,000"),
        (["--seed", "-1"], "--seed"),
        (["--deadline", "nan"], "--deadline: a finite number"),
        (["--deadline", "2026-02-30"], "--deadline: 2026-02-30 is not a valid date"),
        (["--deadline", "soon"], "--deadline: a number of working days or a date YYYY-MM-DD"),
        (["--deadline", "2026-03-01"], "--deadline: a date needs the plan's start_date"),
        (["--budget", "inf"], "--budget: a finite number"),
        (["--distribution", "normal"], "invalid choice"),
        (["--iterations", "many"], "invalid int value"),
    ],
)
def test_bad_options_are_one_line_usage_errors(plan_file, args, message):
    with pytest.raises(UsageError, match=message) as caught:
        run("estimate", "simulate", plan_file(), *args)
    assert "\n" not in str(caught.value)


ONE = [{"id": "A", "duration": 1}]
TWO = [*ONE, {"id": "B", "duration": 1}]
CYCLE = [{"id": "A", "duration": 1, "predecessors": ["B"]}, {"id": "B", "duration": 1, "predecessors": ["A"]}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tasks": CYCLE}, "cycle"),
        ({"tasks": [{"id": "A", "optimistic": 3, "most_likely": 2, "pessimistic": 4}]}, 'task "A"'),
        ({"tasks": ONE, "risks": [{"id": "R", "probability": 2, "impact_days": 1}]}, "probability"),
        ({"tasks": ONE, "correlation": [{"tasks": ["A", "Z"], "coefficient": 0.5}]}, "unknown task Z"),
        ({"tasks": TWO, "correlation": [{"tasks": ["A", "B"], "coefficient": 2}]}, "between 0 and 1"),
        ({"tasks": TWO, "correlation": [{"tasks": ["A", "B"], "coefficient": "x"}]}, "coefficient must be"),
        ({"tasks": ONE, "correlation": [{"tasks": "A", "coefficient": 0.5}]}, "correlation\\[0\\]: tasks"),
        ({"tasks": ONE, "correlation": {"tasks": ["A"]}}, "correlation: must be a list"),
    ],
)
def test_bad_plans_are_one_line_usage_errors(plan_file, data, message):
    with pytest.raises(UsageError, match=message) as caught:
        run("estimate", "simulate", plan_file(data))
    assert "\n" not in str(caught.value)


def test_unreadable_and_invalid_files_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="cannot read"):
        run("estimate", "simulate", str(tmp_path / "missing.json"))
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(UsageError, match="invalid JSON"):
        run("estimate", "simulate", str(broken))


def test_through_the_salesdesk_command_when_wired(capsys, plan_file):
    from salesdesk import cli

    if "estimate" not in cli.OWN_COMMANDS:
        pytest.skip("`estimate` is not wired into salesdesk.cli yet")
    assert cli.main(["estimate", "simulate", plan_file(), "--iterations", "100", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["iterations"] == 100
    assert cli.main(["estimate", "simulate", plan_file(), "--iterations", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--iterations: between 1 and 10,000,000" in err[0]
