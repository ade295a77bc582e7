"""`salesdesk capacity …`: the JSON contracts, the tables, and one-line errors with exit code 2.

The commands are registered on a parser built here the way ``salesdesk.cli.build_parser``
does it (``command(name, handler, help)`` and a one-line usage error), so these tests run
before ``cli.py`` wires ``add_capacity_commands``; the last test runs the real
``salesdesk.cli.main`` once it does.
"""

from __future__ import annotations

import argparse
import json

import pytest

from salesdesk.cli_capacity import add_capacity_commands
from salesdesk.solutions.queueing import call_centre, mmc, staff


class UsageError(Exception):
    """Stands in for salesdesk.cli.UsageError: one line on stderr, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def build_parser() -> Parser:
    parser = Parser(prog="salesdesk")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name, handler, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    add_capacity_commands(command, UsageError)
    return parser


def run(capsys, *argv: str) -> tuple[int, str, list[str]]:
    try:
        options = build_parser().parse_args(list(argv))
        code = options.handler(options)
    except UsageError as exc:  # what salesdesk.cli.main does with it
        print(f"salesdesk capacity: error: {' '.join(str(exc).split())}", file=__import__("sys").stderr)
        code = 2
    captured = capsys.readouterr()
    return code, captured.out, [line for line in captured.err.splitlines() if line.strip()]


def run_json(capsys, *argv: str) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert (code, err) == (0, [])
    return json.loads(out)


def test_mmc_json_contract(capsys):
    figures = run_json(
        capsys, "capacity", "mmc", "--arrival-rate", "2", "--service-rate", "3", "--servers", "2"
    )
    assert list(figures) == ["utilization", "p0", "probability_wait", "lq", "l", "wq", "w"]
    exact = mmc(2, 3, 2)
    assert figures["utilization"] == pytest.approx(1 / 3)
    assert figures["wq"] == pytest.approx(exact.wq)
    assert figures["l"] == pytest.approx(exact.l)


def test_erlang_c_json_contract_and_default_target(capsys):
    args = ("capacity", "erlang-c", "--arrivals-per-hour", "200", "--service-time", "180", "--agents", "12")
    figures = run_json(capsys, *args)
    assert list(figures) == [
        "traffic_erlangs",
        "occupancy",
        "probability_wait",
        "average_speed_of_answer",
        "service_level",
        "wait_p90",
    ]
    assert figures["traffic_erlangs"] == 10
    assert figures["service_level"] == pytest.approx(
        call_centre(200, 180, 12, target_seconds=20).service_level
    )
    within_60 = run_json(capsys, *args, "--target-seconds", "60")
    assert within_60["service_level"] > figures["service_level"]


def test_staff_json_contract(capsys):
    figures = run_json(
        capsys,
        "capacity",
        "staff",
        "--arrivals-per-hour",
        "200",
        "--service-time",
        "180",
        "--target-seconds",
        "20",
        "--service-level",
        "0.8",
        "--shrinkage",
        "0.3",
    )
    assert list(figures) == [
        "agents",
        "agents_with_shrinkage",
        "service_level",
        "occupancy",
        "probability_wait",
        "average_speed_of_answer",
    ]
    expected = staff(200, 180, target_seconds=20, service_level=0.8, shrinkage=0.3)
    assert (figures["agents"], figures["agents_with_shrinkage"]) == (
        expected.agents,
        expected.agents_with_shrinkage,
    )
    assert figures["service_level"] >= 0.8


MODEL = {
    "arrival": {"distribution": "exponential", "rate": 2.0},
    "stations": [
        {"name": "web", "servers": 3, "service": {"distribution": "exponential", "mean": 1.2}},
        {"name": "db", "servers": 1, "service": {"distribution": "empirical", "values": [0.1, 0.2, 0.6]}},
    ],
    "duration": 2000,
    "warmup": 100,
    "replications": 3,
}


def test_simulate_json_contract(capsys, tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(MODEL))
    figures = run_json(capsys, "capacity", "simulate", str(path), "--seed", "4")
    assert list(figures) == ["stations", "response_time", "requests"]
    assert list(figures["stations"]) == ["web", "db"]
    for station in figures["stations"].values():
        assert list(station) == [
            "utilization",
            "mean_wait",
            "probability_wait",
            "wait_p90",
            "wait_p95",
            "ci95",
        ]
        assert list(station["ci95"]) == ["mean_wait", "utilization"]
        low, high = station["ci95"]["utilization"]
        assert low <= station["utilization"] <= high
    assert list(figures["response_time"]) == ["mean", "p50", "p90", "p95", "p99"]
    assert figures["requests"] > 3 * 2.0 * 1900 * 0.9
    again = run_json(capsys, "capacity", "simulate", str(path), "--seed", "4")
    assert again == figures


def test_simulate_reports_losses_only_for_stations_that_can_lose(capsys, tmp_path):
    lossy = {
        **MODEL,
        "stations": [
            {
                **MODEL["stations"][0],
                "patience": {"distribution": "exponential", "mean": 2.0},
                "queue_capacity": 2,
            },
            MODEL["stations"][1],
        ],
    }
    path = tmp_path / "model.json"
    path.write_text(json.dumps(lossy))
    figures = run_json(capsys, "capacity", "simulate", str(path), "--seed", "4")
    web, db = figures["stations"]["web"], figures["stations"]["db"]
    assert list(web)[-2:] == ["abandoned", "blocked"]
    assert 0 < web["abandoned"] < 0.5 and 0 < web["blocked"] < 0.5
    assert "abandoned" not in db and "blocked" not in db
    code, out, _ = run(capsys, "capacity", "simulate", str(path), "--seed", "4")
    assert code == 0 and "% abandoned" in out and "% blocked" in out


def test_tables_without_json(capsys, tmp_path):
    code, out, _ = run(
        capsys,
        "capacity",
        "erlang-c",
        "--arrivals-per-hour",
        "200",
        "--service-time",
        "180",
        "--agents",
        "11",
    )
    assert code == 0
    assert "68.21 %" in out and "answered within 20 s" in out
    path = tmp_path / "model.json"
    path.write_text(json.dumps(MODEL))
    code, out, _ = run(capsys, "capacity", "simulate", str(path))
    assert code == 0
    assert "web" in out and "response time: mean" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (
            ["mmc", "--arrival-rate", "-1", "--service-rate", "1", "--servers", "2"],
            "--arrival-rate: must not be negative",
        ),
        (
            ["mmc", "--arrival-rate", "1", "--service-rate", "1", "--servers", "0"],
            "--servers: must be at least 1",
        ),
        (["mmc", "--arrival-rate", "1", "--service-rate", "1", "--servers", "1.5"], "--servers"),
        (
            ["mmc", "--arrival-rate", "12.5", "--service-rate", "1", "--servers", "10"],
            "unstable: offered load 12.5 erlangs needs more than 10 servers (utilisation 125 %)",
        ),
        (["erlang-c", "--arrivals-per-hour", "200", "--service-time", "180", "--agents", "10"], "unstable"),
        (
            [
                "staff",
                "--arrivals-per-hour",
                "200",
                "--service-time",
                "180",
                "--target-seconds",
                "20",
                "--service-level",
                "80",
            ],
            "--service-level: must be at least 0 and below 1",
        ),
        (
            [
                "staff",
                "--arrivals-per-hour",
                "200",
                "--service-time",
                "0",
                "--target-seconds",
                "20",
                "--service-level",
                "0.8",
            ],
            "--service-time: must be positive",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, fragment):
    code, out, err = run(capsys, "capacity", *argv, "--json")
    assert code == 2
    assert out == ""
    assert len(err) == 1 and fragment in err[0]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "No such file or directory"),
        ("{not json", "invalid JSON: Expecting property name enclosed in double quotes (line 1, column 2)"),
        (
            json.dumps({**MODEL, "stations": [MODEL["stations"][0], MODEL["stations"][0]]}),
            "stations[1].name: duplicate",
        ),
        (
            json.dumps(
                {
                    **MODEL,
                    "stations": [
                        {**MODEL["stations"][0], "service": {"distribution": "exponential", "mean": -1}}
                    ],
                }
            ),
            "stations[0].service.mean: must be a positive number",
        ),
        (
            json.dumps({**MODEL, "arrival": {"distribution": "exponential", "rate": 5.0}}),
            "unstable: stations[0] (web)",
        ),
    ],
)
def test_bad_model_file_exits_2_with_one_line(capsys, tmp_path, content, fragment):
    path = tmp_path / "model.json"
    if content is not None:
        path.write_text(content)
    code, out, err = run(capsys, "capacity", "simulate", str(path), "--json")
    assert code == 2
    assert out == ""
    assert len(err) == 1 and fragment in err[0]


def test_the_real_command_line_once_wired(capsys):
    from salesdesk import cli

    if "capacity" not in cli.OWN_COMMANDS:
        pytest.skip("cli.py does not register `capacity` yet (add_capacity_commands)")
    code = cli.main(
        ["capacity", "mmc", "--arrival-rate", "2", "--service-rate", "3", "--servers", "1", "--json"]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["w"] == pytest.approx(1.0)
    code = cli.main(["capacity", "mmc", "--arrival-rate", "5", "--service-rate", "1", "--servers", "5"])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(err) == 1 and "unstable" in err[0]
