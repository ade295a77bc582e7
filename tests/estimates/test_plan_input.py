"""PLAN.json input (issue 7): what a good plan becomes, and the one line every bad plan gets."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from salesdesk.estimates.plan import Link, PlanError, load_plan, parse_plan, topological_order


def good_plan() -> dict[str, Any]:
    return {
        "start_date": "2026-12-01",
        "calendar": {"workdays": ["mon", "tue", "wed", "thu", "fri"], "holidays": ["2026-12-25"]},
        "tasks": [
            {"id": "A", "name": "Discovery", "duration": 2, "cost_per_day": 800, "fixed_cost": 100},
            {
                "id": "B",
                "name": "Build",
                "optimistic": 3,
                "most_likely": 5,
                "pessimistic": 10,
                "predecessors": ["A"],
            },
            {
                "id": "C",
                "name": "Docs",
                "duration": 1,
                "predecessors": [{"id": "A", "type": "ss", "lag": -1}, {"id": "B", "type": "FF"}],
            },
        ],
        "risks": [
            {"id": "R1", "name": "Late hardware", "probability": 0.3, "impact_days": 4, "tasks": ["B"]},
        ],
    }


def test_a_good_plan_becomes_typed_tasks_links_risks_and_calendar():
    plan = parse_plan(good_plan())

    assert [t.id for t in plan.tasks] == ["A", "B", "C"]
    a, b, c = plan.tasks
    assert (a.duration, a.optimistic, a.cost_per_day, a.fixed_cost) == (2.0, None, 800.0, 100.0)
    # without a duration, the most likely estimate is the duration
    assert (b.duration, b.optimistic, b.most_likely, b.pessimistic) == (5.0, 3.0, 5.0, 10.0)
    assert b.predecessors == (Link("A", "FS", 0.0),)
    assert c.predecessors == (Link("A", "SS", -1.0), Link("B", "FF", 0.0))
    assert plan.risks[0].probability == 0.3
    assert plan.risks[0].impact_cost == 0.0
    assert plan.risks[0].tasks == ("B",)
    assert plan.start_date == date(2026, 12, 1)
    assert plan.calendar is not None
    assert plan.calendar.workdays == frozenset({0, 1, 2, 3, 4})
    assert plan.calendar.holidays == frozenset({date(2026, 12, 25)})
    assert plan.index() == {"A": 0, "B": 1, "C": 2}


def test_start_date_calendar_and_risks_are_optional():
    plan = parse_plan({"tasks": [{"id": "A", "duration": 1}]})

    assert (plan.start_date, plan.calendar, plan.risks) == (None, None, ())
    assert plan.tasks[0].name == "A"


def test_closures_become_non_working_dates():
    data = good_plan()
    data["calendar"]["closures"] = [{"start": "2026-12-24", "end": "2026-12-31"}]

    calendar = parse_plan(data).calendar

    assert calendar is not None
    assert {date(2026, 12, d) for d in range(24, 32)} <= calendar.holidays


def _with(change) -> dict[str, Any]:
    data = copy.deepcopy(good_plan())
    change(data)
    return data


def _task(data: dict[str, Any], task_id: str) -> dict[str, Any]:
    return next(t for t in data["tasks"] if t["id"] == task_id)


BAD = [
    (
        "inverted pessimistic",
        lambda d: _task(d, "B").update(pessimistic=3, optimistic=1),
        'task "B": pessimistic (3) is less than most_likely (5)',
    ),
    (
        "inverted optimistic",
        lambda d: _task(d, "B").update(optimistic=6),
        'task "B": most_likely (5) is less than optimistic (6)',
    ),
    (
        "negative three point",
        lambda d: _task(d, "B").update(optimistic=-1),
        'task "B": optimistic (-1) is negative',
    ),
    ("negative duration", lambda d: _task(d, "A").update(duration=-2), 'task "A": duration (-2) is negative'),
    (
        "partial three points",
        lambda d: _task(d, "B").pop("pessimistic"),
        'task "B": three-point estimate without pessimistic; give all three or none',
    ),
    (
        "no duration",
        lambda d: _task(d, "A").pop("duration"),
        'task "A": needs a duration or optimistic, most_likely and pessimistic',
    ),
    (
        "unknown predecessor",
        lambda d: _task(d, "B").update(predecessors=["Z"]),
        'task "B": unknown predecessor "Z"',
    ),
    (
        "duplicate id",
        lambda d: d["tasks"].append({"id": "A", "duration": 1}),
        'task "A": duplicate id (tasks[0] and tasks[3])',
    ),
    ("self dependency", lambda d: _task(d, "A").update(predecessors=["A"]), 'task "A": depends on itself'),
    (
        "cycle",
        lambda d: _task(d, "A").update(predecessors=["C"]),
        "dependency cycle: A -> C -> A",  # C waits for A (SS): A and C alone close a cycle
    ),
    (
        "probability above 1",
        lambda d: d["risks"][0].update(probability=1.5),
        'risk "R1": probability (1.5) is outside 0–1',
    ),
    (
        "probability below 0",
        lambda d: d["risks"][0].update(probability=-0.1),
        'risk "R1": probability (-0.1) is outside 0–1',
    ),
    ("unknown risk task", lambda d: d["risks"][0].update(tasks=["Q"]), 'risk "R1": unknown task "Q"'),
    (
        "duration as text",
        lambda d: _task(d, "A").update(duration="2d"),
        'task "A": duration must be a number, not a string',
    ),
    (
        "duration as boolean",
        lambda d: _task(d, "A").update(duration=True),
        'task "A": duration must be a number, not a boolean',
    ),
    ("id as number", lambda d: d["tasks"][0].update(id=7), "tasks[0]: id must be a string, not a number"),
    ("task not an object", lambda d: d["tasks"].append("D"), "tasks[3]: must be an object, not a string"),
    (
        "predecessors not a list",
        lambda d: _task(d, "B").update(predecessors="A"),
        'task "B": predecessors must be a list, not a string',
    ),
    (
        "bad link type",
        lambda d: _task(d, "B").update(predecessors=[{"id": "A", "type": "XX"}]),
        'task "B": link from \'A\' has type "XX"; use FS, SS, FF or SF',
    ),
    (
        "bad lag",
        lambda d: _task(d, "B").update(predecessors=[{"id": "A", "lag": "1"}]),
        "task \"B\": lag of the link from 'A' must be a number, not a string",
    ),
    (
        "bad start date",
        lambda d: d.update(start_date="2026-02-30"),
        'start_date: "2026-02-30" is not a valid date',
    ),
    (
        "start date format",
        lambda d: d.update(start_date="01/12/2026"),
        'start_date: "01/12/2026" is not a date YYYY-MM-DD',
    ),
    (
        "bad holiday",
        lambda d: d["calendar"].update(holidays=["2026-12-25", "Xmas"]),
        'calendar.holidays[1]: "Xmas" is not a date YYYY-MM-DD',
    ),
    (
        "unknown weekday",
        lambda d: d["calendar"].update(workdays=["mon", "fry"]),
        'calendar.workdays[1]: unknown weekday "fry" (use mon, tue, … sun)',
    ),
    (
        "empty workdays",
        lambda d: d["calendar"].update(workdays=[]),
        "calendar.workdays: is empty; name at least one working weekday",
    ),
    ("no tasks", lambda d: d.update(tasks=[]), "plan: tasks is empty"),
    ("tasks missing", lambda d: d.pop("tasks"), 'plan: has no "tasks"'),
    (
        "non-finite number",
        lambda d: _task(d, "A").update(duration=float("inf")),
        'task "A": duration must be a finite number, not inf',
    ),
    (
        "risk without tasks",
        lambda d: d["risks"][0].update(tasks=[]),
        'risk "R1": tasks is empty; name the task(s) the risk delays',
    ),
]


@pytest.mark.parametrize(("change", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_plan_gets_one_line_naming_the_task_and_the_problem(change, message):
    with pytest.raises(PlanError) as raised:
        parse_plan(_with(change))

    assert str(raised.value) == message
    assert "\n" not in str(raised.value)


def test_a_plan_that_is_not_an_object_is_refused():
    with pytest.raises(PlanError, match=r"^plan: must be a JSON object, not a list$"):
        parse_plan([])


def test_the_cycle_named_is_a_real_cycle_among_other_tasks():
    data = {
        "tasks": [
            {"id": "start", "duration": 1},
            {"id": "X", "duration": 1, "predecessors": ["start", "Z"]},
            {"id": "Y", "duration": 1, "predecessors": ["X"]},
            {"id": "Z", "duration": 1, "predecessors": ["Y"]},
            {"id": "after", "duration": 1, "predecessors": ["Z"]},
        ]
    }

    with pytest.raises(PlanError, match=r"^dependency cycle: X -> Y -> Z -> X$"):
        parse_plan(data)


def test_topological_order_puts_predecessors_first_even_when_listed_later():
    plan = parse_plan(
        {
            "tasks": [
                {"id": "C", "duration": 1, "predecessors": ["B"]},
                {"id": "B", "duration": 1, "predecessors": ["A"]},
                {"id": "A", "duration": 1},
            ]
        }
    )

    assert [plan.tasks[i].id for i in topological_order(plan)] == ["A", "B", "C"]


def test_load_plan_reads_a_file(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(good_plan()), encoding="utf-8")

    assert [t.id for t in load_plan(path).tasks] == ["A", "B", "C"]


def test_load_plan_reports_invalid_json_with_its_position(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{"tasks": [\n  {"id": "A",}\n]}', encoding="utf-8")

    with pytest.raises(PlanError) as raised:
        load_plan(path)

    assert str(raised.value).startswith(f"{path}: invalid JSON at line 2 column")
    assert "\n" not in str(raised.value)


def test_load_plan_reports_a_missing_file(tmp_path):
    path = tmp_path / "missing.json"

    with pytest.raises(PlanError, match=r"missing\.json: cannot read \(No such file or directory\)$"):
        load_plan(path)
