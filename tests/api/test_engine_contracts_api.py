"""The API offers the CLI's JSON contracts (issues 6 and 7): /api/capacity/* and /api/plans/*.

Each answer is compared with ``salesdesk … --json`` run in-process on the same input, so the
two cannot drift apart. Bad input is a 4xx naming the field (an unstable system says so), never
a 500 or a NaN; only support staff from level 4 may call them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from salesdesk import cli
from salesdesk.estimates.plan_api import MAX_SYNC_WORK

pytestmark = pytest.mark.django_db


def cli_json(capsys, *argv: str) -> Any:
    capsys.readouterr()
    assert cli.main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def written(tmp_path: Path, data: Any, name: str = "input.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def assert_field_error(response, field: str, *words: str, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert [e["field"] for e in body["errors"]] == [field], body
    for word in words:
        assert word in body["errors"][0]["message"], body
    return body


@pytest.fixture
def engineer(api_as, presales):
    return api_as(presales)


# -- capacity -------------------------------------------------------------------------------

MODEL = {
    "arrival": {"distribution": "exponential", "rate": 20.0},
    "stations": [
        {"name": "web", "servers": 2, "service": {"distribution": "exponential", "mean": 0.05}},
        {"name": "db", "servers": 1, "service": {"distribution": "deterministic", "mean": 0.02}},
    ],
    "duration": 600,
    "warmup": 60,
    "replications": 3,
}


def test_mmc_answers_what_the_cli_answers(engineer, capsys):
    expected = cli_json(
        capsys, "capacity", "mmc", "--arrival-rate", "4", "--service-rate", "1.5", "--servers", "3", "--json"
    )
    response = engineer.post("/api/capacity/mmc", {"arrival_rate": 4, "service_rate": 1.5, "servers": 3})
    assert response.status_code == 200, response.content
    assert response.json() == expected
    assert set(expected) == {"utilization", "p0", "probability_wait", "lq", "l", "wq", "w"}


def test_erlang_c_answers_what_the_cli_answers(engineer, capsys):
    expected = cli_json(
        capsys,
        "capacity", "erlang-c", "--arrivals-per-hour", "360", "--service-time", "240",
        "--agents", "30", "--target-seconds", "15", "--json",
    )  # fmt: skip
    response = engineer.post(
        "/api/capacity/erlang-c",
        {"arrivals_per_hour": 360, "service_time": 240, "agents": 30, "target_seconds": 15},
    )
    assert response.json() == expected
    # the CLI's default target (20 s) is the API's default too
    default = cli_json(
        capsys, "capacity", "erlang-c", "--arrivals-per-hour", "360", "--service-time", "240",
        "--agents", "30", "--json",
    )  # fmt: skip
    response = engineer.post(
        "/api/capacity/erlang-c", {"arrivals_per_hour": 360, "service_time": 240, "agents": 30}
    )
    assert response.json() == default
    assert default["service_level"] != expected["service_level"]


def test_staff_answers_what_the_cli_answers(engineer, capsys):
    expected = cli_json(
        capsys,
        "capacity", "staff", "--arrivals-per-hour", "360", "--service-time", "240", "--target-seconds",
        "20", "--service-level", "0.8", "--max-occupancy", "0.85", "--shrinkage", "0.3", "--json",
    )  # fmt: skip
    response = engineer.post(
        "/api/capacity/staff",
        {
            "arrivals_per_hour": 360,
            "service_time": 240,
            "target_seconds": 20,
            "service_level": 0.8,
            "max_occupancy": 0.85,
            "shrinkage": 0.3,
        },
    )
    assert response.json() == expected
    assert expected["agents_with_shrinkage"] > expected["agents"] >= 25


def test_simulate_answers_what_the_cli_answers_for_the_same_seed(engineer, capsys, tmp_path):
    expected = cli_json(capsys, "capacity", "simulate", written(tmp_path, MODEL), "--seed", "7", "--json")
    response = engineer.post("/api/capacity/simulate", {**MODEL, "seed": 7})
    assert response.status_code == 200, response.content
    assert response.json() == expected
    assert set(expected["stations"]) == {"web", "db"}


@pytest.mark.parametrize(
    ("path", "body", "field", "words"),
    [
        ("mmc", {"arrival_rate": -1, "service_rate": 1, "servers": 2}, "arrival_rate", ["negative"]),
        ("mmc", {"arrival_rate": 1, "service_rate": 1, "servers": 0}, "servers", ["at least 1"]),
        ("mmc", {"arrival_rate": 1, "service_rate": -2, "servers": 1}, "service_rate", []),
        ("mmc", {"arrival_rate": 1, "service_rate": 1}, "servers", []),
        ("erlang-c", {"arrivals_per_hour": 100, "service_time": -5, "agents": 3}, "service_time", []),
        (
            "staff",
            {"arrivals_per_hour": 100, "service_time": 60, "target_seconds": 20, "service_level": 1.5},
            "service_level",
            [],
        ),
        ("simulate", {**MODEL, "replications": 1}, "replications", ["2"]),
        ("simulate", {**MODEL, "warmup": 900}, "warmup", ["shorter than duration"]),
    ],
)
def test_bad_capacity_input_is_a_400_naming_the_field(engineer, path, body, field, words):
    assert_field_error(engineer.post(f"/api/capacity/{path}", body), field, *words)


def test_an_unstable_system_is_reported_as_unstable_not_as_infinity(engineer, capsys):
    response = engineer.post("/api/capacity/mmc", {"arrival_rate": 5, "service_rate": 1, "servers": 4})
    body = assert_field_error(response, "servers", "unstable", status=422)
    assert "inf" not in response.content.decode().lower().replace("information", "")
    assert cli.main(["capacity", "mmc", "--arrival-rate", "5", "--service-rate", "1", "--servers", "4"]) == 2
    assert body["detail"].startswith("unstable:")
    response = engineer.post(
        "/api/capacity/erlang-c", {"arrivals_per_hour": 200, "service_time": 180, "agents": 10}
    )
    assert_field_error(response, "agents", "unstable", status=422)
    overloaded = {**MODEL, "arrival": {"distribution": "exponential", "rate": 100.0}}
    assert_field_error(
        engineer.post("/api/capacity/simulate", overloaded), "stations", "unstable", status=422
    )


def test_nan_and_infinity_in_the_body_are_refused(engineer):
    raw = '{"arrival_rate": NaN, "service_rate": 1, "servers": 2}'
    response = engineer.client.post("/api/capacity/mmc", raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "arrival_rate"
    raw = '{"arrival_rate": 1, "service_rate": Infinity, "servers": 2}'
    response = engineer.client.post("/api/capacity/mmc", raw, content_type="application/json")
    assert response.status_code == 400


def test_a_huge_simulation_is_refused_with_the_way_to_run_it(engineer):
    huge = {**MODEL, "duration": 50_000, "warmup": 0}  # 3 million requests
    assert_field_error(
        engineer.post("/api/capacity/simulate", huge), "duration", "salesdesk capacity simulate"
    )


# -- plans ----------------------------------------------------------------------------------

PLAN = {
    "start_date": "2026-12-04",
    "calendar": {"workdays": ["mon", "tue", "wed", "thu", "fri"], "holidays": ["2026-12-08"]},
    "resources": {"engineer": 1},
    "tasks": [
        {"id": "A", "name": "Design", "duration": 3, "role": "engineer", "cost": 3000},
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
            "optimistic": 1,
            "most_likely": 2,
            "pessimistic": 3,
            "role": "engineer",
            "predecessors": [{"id": "A", "type": "SS", "lag": 1}],
        },
    ],
}


def test_schedule_answers_what_the_cli_answers(engineer, capsys, tmp_path):
    expected = cli_json(capsys, "plan", "schedule", written(tmp_path, PLAN), "--json")
    response = engineer.post("/api/plans/schedule", PLAN)
    assert response.status_code == 200, response.content
    assert response.json() == expected
    assert expected["tasks"]["A"]["start_date"] == "2026-12-04"


@pytest.mark.parametrize("deadline", [None, 9, "9", "2026-12-18"])
def test_pert_answers_what_the_cli_answers(engineer, capsys, tmp_path, deadline):
    argv = ["plan", "pert", written(tmp_path, PLAN), "--json"]
    body = dict(PLAN)
    if deadline is not None:
        argv += ["--deadline", str(deadline)]
        body["deadline"] = deadline
    expected = cli_json(capsys, *argv)
    response = engineer.post("/api/plans/pert", body)
    assert response.status_code == 200, response.content
    assert response.json() == expected
    assert (expected["probability_by_deadline"] is None) == (deadline is None)


def test_simulate_plan_answers_what_the_cli_answers(engineer, capsys, tmp_path):
    plan = {**PLAN, "correlation": [{"tasks": ["B", "C"], "coefficient": 0.5}]}
    expected = cli_json(
        capsys,
        "estimate", "simulate", written(tmp_path, plan), "--iterations", "2000", "--seed", "3",
        "--distribution", "triangular", "--deadline", "2026-12-18", "--budget", "5000", "--json",
    )  # fmt: skip
    body = {
        **plan,
        "iterations": 2000,
        "seed": 3,
        "distribution": "triangular",
        "deadline": "2026-12-18",
        "budget": 5000,
    }
    response = engineer.post("/api/plans/simulate", body)
    assert response.status_code == 200, response.content
    assert response.json() == expected
    assert expected["iterations"] == 2000
    # the CLI's defaults (10,000 iterations, seed 1, beta-PERT) are the API's
    default = cli_json(capsys, "estimate", "simulate", written(tmp_path, PLAN), "--json")
    assert engineer.post("/api/plans/simulate", PLAN).json() == default


@pytest.mark.parametrize(
    ("path", "body", "field", "words"),
    [
        ("schedule", {"tasks": []}, "tasks", ["empty"]),
        ("schedule", {"resources": {}}, "tasks", ['no "tasks"']),
        ("schedule", {"tasks": [{"id": "A", "duration": -1}]}, "tasks", ["negative"]),
        (
            "schedule",
            {
                "tasks": [
                    {"id": "A", "duration": 1, "predecessors": ["B"]},
                    {"id": "B", "duration": 1, "predecessors": ["A"]},
                ]
            },
            "tasks",
            ["cycle"],
        ),
        ("pert", {**PLAN, "deadline": "someday"}, "deadline", ["working days"]),
        ("pert", {**PLAN, "deadline": "2026-02-30"}, "deadline", ["not a valid date"]),
        ("pert", {"tasks": PLAN["tasks"], "deadline": "2026-12-18"}, "deadline", ["start_date"]),
        ("simulate", {**PLAN, "iterations": 0}, "iterations", ["between 1"]),
        ("simulate", {**PLAN, "iterations": "many"}, "iterations", ["whole number"]),
        ("simulate", {**PLAN, "seed": -1}, "seed", ["non-negative"]),
        ("simulate", {**PLAN, "distribution": "normal"}, "distribution", ["triangular"]),
        ("simulate", {**PLAN, "budget": "lots"}, "budget", ["number"]),
        ("simulate", {**PLAN, "correlation": {"tasks": ["A"]}}, "correlation", ["list"]),
    ],
)
def test_bad_plan_input_is_a_400_naming_the_field(engineer, path, body, field, words):
    assert_field_error(engineer.post(f"/api/plans/{path}", body), field, *words)


def test_a_large_simulation_points_at_the_estimate_job_endpoint(engineer):
    tasks = [{"id": f"T{i}", "optimistic": 1, "most_likely": 2, "pessimistic": 3} for i in range(200)]
    iterations = MAX_SYNC_WORK // 200 + 1
    body = assert_field_error(
        engineer.post("/api/plans/simulate", {"tasks": tasks, "iterations": iterations}), "iterations"
    )
    message = body["errors"][0]["message"]
    assert "/api/estimates/{estimate_id}/simulation" in message and "background job" in message


# -- who may call ---------------------------------------------------------------------------

ROUTES = [
    ("/api/capacity/mmc", {"arrival_rate": 1, "service_rate": 2, "servers": 1}),
    ("/api/capacity/erlang-c", {"arrivals_per_hour": 10, "service_time": 60, "agents": 2}),
    (
        "/api/capacity/staff",
        {"arrivals_per_hour": 10, "service_time": 60, "target_seconds": 20, "service_level": 0.8},
    ),
    ("/api/capacity/simulate", {**MODEL, "duration": 60, "warmup": 0}),
    ("/api/plans/schedule", PLAN),
    ("/api/plans/pert", PLAN),
    ("/api/plans/simulate", {**PLAN, "iterations": 100}),
]


@pytest.mark.parametrize(("path", "body"), ROUTES, ids=[p for p, _ in ROUTES])
def test_only_level_four_staff_may_call(path, body, api_as, staff_factory, sales_rep, world_a, anonymous_api):
    assert api_as(staff_factory(4)).post(path, body).status_code == 200
    for user in (staff_factory(3), sales_rep, world_a.partner_user, world_a.customer_user):
        response = api_as(user).post(path, body)
        assert response.status_code == 403, (user.kind, response.content)
        assert response.json()["detail"]
    assert anonymous_api.post(path, body).status_code == 401


def test_a_token_works_like_the_session(token_for, api_with_token, presales):
    api = api_with_token(token_for(presales))
    response = api.post("/api/capacity/mmc", {"arrival_rate": 1, "service_rate": 2, "servers": 1})
    assert response.status_code == 200
    assert response.json()["utilization"] == pytest.approx(0.5)
