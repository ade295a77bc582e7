"""A project plan read from PLAN.json (issue 7): tasks, links, risks and a working calendar.

Pure (no Django). ``parse_plan`` checks everything a scheduler or a Monte Carlo run relies
on, so the engines never see a bad plan: every problem becomes one ``PlanError`` line that
names the task, risk or JSON path and the problem, e.g.
``task "B": pessimistic (3) is less than most_likely (5)``.

PLAN.json::

    {"start_date": "YYYY-MM-DD",                                   # optional
     "calendar": {"workdays": ["mon", ...], "holidays": ["YYYY-MM-DD", ...],
                  "closures": [{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}]},  # optional
     "resources": {"ROLE": capacity, ...},                         # optional
     "tasks": [{"id", "name", "duration", "optimistic", "most_likely", "pessimistic",
                "predecessors": ["ID" | {"id", "type": "FS|SS|FF|SF", "lag"}],
                "cost_per_day", "fixed_cost", "role", "units"}],
     "risks": [{"id", "name", "probability", "impact_days", "impact_cost", "tasks": ["ID"]}]}

Without a calendar every day is a working day. ``closures`` (inclusive date ranges) are
folded into ``WorkCalendar.holidays``. Keys this module does not know are ignored, so other
engines may read extra keys from the same file.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeGuard

import numpy as np
from numpy.typing import NDArray

LINK_TYPES = ("FS", "SS", "FF", "SF")
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_FULL_WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A closure longer than this is almost surely a typo in a year; it would also make the
# holiday set needlessly large.
_MAX_CLOSURE_DAYS = 3660


class PlanError(ValueError):
    """One line that names the task (or risk / JSON path) and the problem."""


@dataclass(frozen=True)
class Link:
    """A dependency on ``predecessor``: FS, SS, FF or SF, with a lag in working days (negative = lead)."""

    predecessor: str
    type: str
    lag: float = 0.0


@dataclass(frozen=True)
class Task:
    """One task. ``duration`` is the given duration, else ``most_likely``; all in working days.

    ``role`` and ``units`` say which resource role the task uses and how many units of it
    (e.g. 0.5 = half a person) for the resource over-allocation check.
    """

    id: str
    name: str
    duration: float
    optimistic: float | None
    most_likely: float | None
    pessimistic: float | None
    predecessors: tuple[Link, ...]
    cost_per_day: float = 0.0
    fixed_cost: float = 0.0
    role: str | None = None
    units: float = 1.0

    @property
    def has_three_points(self) -> bool:
        """Whether optimistic, most likely and pessimistic estimates are given (always all three)."""
        return self.most_likely is not None


@dataclass(frozen=True)
class Risk:
    """A risk event: with ``probability`` it adds ``impact_days`` to each of ``tasks`` and ``impact_cost``."""

    id: str
    name: str
    probability: float
    impact_days: float
    impact_cost: float
    tasks: tuple[str, ...]


@dataclass(frozen=True)
class WorkCalendar:
    """Working weekdays (0 = Monday) and non-working dates (holidays and closures)."""

    workdays: frozenset[int]
    holidays: frozenset[date]


@dataclass(frozen=True)
class Plan:
    """A checked plan: unique task ids, known predecessors, no cycles, sound estimates."""

    tasks: tuple[Task, ...]
    risks: tuple[Risk, ...]
    start_date: date | None
    calendar: WorkCalendar | None
    resources: Mapping[str, float] = field(default_factory=dict)

    def index(self) -> dict[str, int]:
        """Task id -> position in ``tasks``."""
        return {task.id: position for position, task in enumerate(self.tasks)}


# -- parsing ---------------------------------------------------------------------------------


def _num(value: float) -> str:
    """A number as a person wrote it: 3 not 3.0."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _type_name(value: object) -> str:
    return {
        type(None): "null",
        bool: "a boolean",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), "a number" if isinstance(value, int | float) else type(value).__name__)


def _number(where: str, key: str, value: object, *, minimum: float | None = 0.0) -> float:
    # Exact types: bool is an int in Python, but `true` is never a duration.
    if type(value) is not float and type(value) is not int:
        raise PlanError(f"{where}: {key} must be a number, not {_type_name(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise PlanError(f"{where}: {key} must be a finite number, not {value}")
    if minimum is not None and number < minimum:
        raise PlanError(f"{where}: {key} ({_num(number)}) is negative")
    return number


def _quote(text: str) -> str:
    """A name in double quotes, JSON-escaped only when it needs to be (the common case is cheap)."""
    return f'"{text}"' if text.isprintable() and '"' not in text and "\\" not in text else json.dumps(text)


def _is_text(value: object) -> TypeGuard[str]:
    return type(value) is str and bool(value) and not value.isspace()


def _is_number(value: object) -> TypeGuard[int | float]:
    return (type(value) is float or type(value) is int) and math.isfinite(value)


def _string(where: str, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise PlanError(f"{where}: {key} must be a string, not {_type_name(value)}")
    if not value.strip():
        raise PlanError(f"{where}: {key} is empty")
    return value


def _list(where: str, key: str, value: object) -> list[object]:
    if not isinstance(value, list):
        raise PlanError(f"{where}: {key} must be a list, not {_type_name(value)}")
    return value


def _date(where: str, value: object) -> date:
    if not isinstance(value, str):
        raise PlanError(f"{where}: a date must be a string YYYY-MM-DD, not {_type_name(value)}")
    if not _ISO_DATE.fullmatch(value):
        raise PlanError(f'{where}: "{value}" is not a date YYYY-MM-DD')
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PlanError(f'{where}: "{value}" is not a valid date') from None


def _parse_calendar(value: object) -> WorkCalendar:
    if not isinstance(value, dict):
        raise PlanError(f"calendar: must be an object, not {_type_name(value)}")
    workdays: set[int] = set()
    raw_days = _list("calendar", "workdays", value.get("workdays", ["mon", "tue", "wed", "thu", "fri"]))
    for i, day in enumerate(raw_days):
        if not isinstance(day, str):
            raise PlanError(f"calendar.workdays[{i}]: must be a weekday name, not {_type_name(day)}")
        key = day.strip().lower()
        number = WEEKDAYS.get(key, _FULL_WEEKDAYS.get(key))
        if number is None:
            raise PlanError(f'calendar.workdays[{i}]: unknown weekday "{day}" (use mon, tue, … sun)')
        workdays.add(number)
    if not workdays:
        raise PlanError("calendar.workdays: is empty; name at least one working weekday")
    holidays = {
        _date(f"calendar.holidays[{i}]", day)
        for i, day in enumerate(_list("calendar", "holidays", value.get("holidays", [])))
    }
    for i, closure in enumerate(_list("calendar", "closures", value.get("closures", []))):
        where = f"calendar.closures[{i}]"
        if not isinstance(closure, dict):
            raise PlanError(f'{where}: must be an object {{"start", "end"}}, not {_type_name(closure)}')
        if "start" not in closure or "end" not in closure:
            raise PlanError(f'{where}: needs "start" and "end" dates')
        first, last = _date(f"{where}.start", closure["start"]), _date(f"{where}.end", closure["end"])
        if last < first:
            raise PlanError(f"{where}: end ({last}) is before start ({first})")
        if (last - first).days > _MAX_CLOSURE_DAYS:
            raise PlanError(f"{where}: longer than ten years ({first} to {last})")
        holidays.update(first + timedelta(days=d) for d in range((last - first).days + 1))
    return WorkCalendar(workdays=frozenset(workdays), holidays=frozenset(holidays))


def _parse_link(where: str, i: int, value: object) -> Link:
    if _is_text(value):
        return Link(predecessor=value, type="FS")
    if isinstance(value, str):
        _string(where, f"predecessors[{i}]", value)
    if not isinstance(value, dict):
        raise PlanError(
            f"{where}: predecessors[{i}] must be a task id or an object "
            f'{{"id", "type", "lag"}}, not {_type_name(value)}'
        )
    if "id" not in value:
        raise PlanError(f'{where}: predecessors[{i}] has no "id"')
    predecessor = value["id"]
    if not _is_text(predecessor):
        _string(where, f"predecessors[{i}].id", predecessor)
    kind = value.get("type", "FS")
    if not isinstance(kind, str) or kind.upper() not in LINK_TYPES:
        raise PlanError(
            f"{where}: link from {predecessor!r} has type {json.dumps(kind)}; use FS, SS, FF or SF"
        )
    lag = value.get("lag", 0)
    if not _is_number(lag):
        _number(where, f"lag of the link from {predecessor!r}", lag, minimum=None)
    return Link(predecessor=predecessor, type=kind.upper(), lag=float(lag))


def _parse_task(position: int, value: object) -> Task:
    if not isinstance(value, dict):
        raise PlanError(f"tasks[{position}]: must be an object, not {_type_name(value)}")
    if "id" not in value:
        raise PlanError(f'tasks[{position}]: has no "id"')
    task_id = _string(f"tasks[{position}]", "id", value["id"])
    where = f"task {_quote(task_id)}"
    name = _string(where, "name", value["name"]) if "name" in value else task_id

    points = {k: value.get(k) for k in ("optimistic", "most_likely", "pessimistic")}
    given = [k for k, v in points.items() if v is not None]
    o = m = p = None
    if given:
        if len(given) < 3:
            missing = ", ".join(k for k in points if points[k] is None)
            raise PlanError(f"{where}: three-point estimate without {missing}; give all three or none")
        o = _number(where, "optimistic", points["optimistic"])
        m = _number(where, "most_likely", points["most_likely"])
        p = _number(where, "pessimistic", points["pessimistic"])
        if m < o:
            raise PlanError(f"{where}: most_likely ({_num(m)}) is less than optimistic ({_num(o)})")
        if p < m:
            raise PlanError(f"{where}: pessimistic ({_num(p)}) is less than most_likely ({_num(m)})")
    if value.get("duration") is not None:
        duration = _number(where, "duration", value["duration"])
    elif m is not None:
        duration = m
    else:
        raise PlanError(f"{where}: needs a duration or optimistic, most_likely and pessimistic")

    links = tuple(
        _parse_link(where, i, link)
        for i, link in enumerate(_list(where, "predecessors", value.get("predecessors", [])))
    )
    for link in links:
        if link.predecessor == task_id:
            raise PlanError(f"{where}: depends on itself")
    role = value.get("role")
    if role is not None:
        role = _string(where, "role", role)
    units = _number(where, "units", value.get("units", 1.0))
    return Task(
        id=task_id,
        name=name,
        duration=duration,
        optimistic=o,
        most_likely=m,
        pessimistic=p,
        predecessors=links,
        cost_per_day=_number(where, "cost_per_day", value.get("cost_per_day", 0.0)),
        fixed_cost=_number(where, "fixed_cost", value.get("fixed_cost", 0.0)),
        role=role,
        units=units,
    )


def _parse_risk(position: int, value: object, task_ids: Mapping[str, int]) -> Risk:
    if not isinstance(value, dict):
        raise PlanError(f"risks[{position}]: must be an object, not {_type_name(value)}")
    if "id" not in value:
        raise PlanError(f'risks[{position}]: has no "id"')
    risk_id = _string(f"risks[{position}]", "id", value["id"])
    where = f"risk {_quote(risk_id)}"
    name = _string(where, "name", value["name"]) if "name" in value else risk_id
    if "probability" not in value:
        raise PlanError(f"{where}: has no probability")
    probability = _number(where, "probability", value["probability"], minimum=None)
    if not 0.0 <= probability <= 1.0:
        raise PlanError(f"{where}: probability ({_num(probability)}) is outside 0–1")
    if "impact_days" not in value:
        raise PlanError(f"{where}: has no impact_days")
    impact_days = _number(where, "impact_days", value["impact_days"])
    impact_cost = _number(where, "impact_cost", value.get("impact_cost", 0.0))
    tasks = tuple(
        _string(where, f"tasks[{i}]", t) for i, t in enumerate(_list(where, "tasks", value.get("tasks")))
    )
    if not tasks:
        raise PlanError(f"{where}: tasks is empty; name the task(s) the risk delays")
    for t in tasks:
        if t not in task_ids:
            raise PlanError(f"{where}: unknown task {json.dumps(t)}")
    return Risk(
        id=risk_id,
        name=name,
        probability=probability,
        impact_days=impact_days,
        impact_cost=impact_cost,
        tasks=tasks,
    )


def parse_plan(data: object) -> Plan:
    """Check and convert decoded PLAN.json; the first problem raises a one-line ``PlanError``.

    Checks: types, non-negative and finite numbers, three points with o ≤ m ≤ p, a duration
    or three points, unique task ids, known predecessors, no self-dependency, no dependency
    cycle, risk probability in 0–1, risks naming known tasks, dates YYYY-MM-DD, known
    weekdays and at least one working weekday.
    """
    if not isinstance(data, dict):
        raise PlanError(f"plan: must be a JSON object, not {_type_name(data)}")
    start_date = _date("start_date", data["start_date"]) if data.get("start_date") is not None else None
    calendar = _parse_calendar(data["calendar"]) if data.get("calendar") is not None else None

    resources: dict[str, float] = {}
    raw_resources = data.get("resources", {})
    if not isinstance(raw_resources, dict):
        raise PlanError(f"resources: must be an object {{role: capacity}}, not {_type_name(raw_resources)}")
    for role, capacity in raw_resources.items():
        resources[role] = _number(f"resources.{role}", "capacity", capacity)

    if "tasks" not in data:
        raise PlanError('plan: has no "tasks"')
    raw_tasks = _list("plan", "tasks", data["tasks"])
    if not raw_tasks:
        raise PlanError("plan: tasks is empty")
    tasks = tuple(_parse_task(i, t) for i, t in enumerate(raw_tasks))
    ids: dict[str, int] = {}
    for position, task in enumerate(tasks):
        if task.id in ids:
            raise PlanError(
                f"task {json.dumps(task.id)}: duplicate id (tasks[{ids[task.id]}] and tasks[{position}])"
            )
        ids[task.id] = position
    for task in tasks:
        for link in task.predecessors:
            if link.predecessor not in ids:
                raise PlanError(
                    f"task {json.dumps(task.id)}: unknown predecessor {json.dumps(link.predecessor)}"
                )

    risks = tuple(_parse_risk(i, r, ids) for i, r in enumerate(_list("plan", "risks", data.get("risks", []))))
    seen: set[str] = set()
    for risk in risks:
        if risk.id in seen:
            raise PlanError(f"risk {json.dumps(risk.id)}: duplicate id")
        seen.add(risk.id)

    plan = Plan(tasks=tasks, risks=risks, start_date=start_date, calendar=calendar, resources=resources)
    topological_order(plan)  # a cycle raises here, naming its tasks
    return plan


def load_plan(path: str | os.PathLike[str]) -> Plan:
    """Read and check a PLAN.json file; an unreadable file or invalid JSON is a ``PlanError`` too."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise PlanError(f"{os.fspath(path)}: cannot read ({reason})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise PlanError(
            f"{os.fspath(path)}: invalid JSON at line {err.lineno} column {err.colno} ({err.msg})"
        ) from None
    return parse_plan(data)


# -- order -----------------------------------------------------------------------------------


def order_edges(
    ids: Sequence[str],
    sources: Sequence[int] | NDArray[np.int64],
    targets: Sequence[int] | NDArray[np.int64],
) -> list[int]:
    """Kahn's (1962) topological order of ``len(ids)`` nodes joined by edges ``sources[k] -> targets[k]``.

    When every edge points forward in the list (the usual way plans are written) the list
    order is returned as is. Otherwise ties go by position (a first-in first-out queue
    seeded in position order), so the order is deterministic. A cycle raises
    ``PlanError("dependency cycle: A -> B -> C -> A")``. O(nodes + edges), over flat
    successor lists (compressed sparse rows), not a list per node.
    """
    n = len(ids)
    src = np.asarray(sources, dtype=np.int64)
    dst = np.asarray(targets, dtype=np.int64)
    if bool(np.all(src < dst)):
        return list(range(n))
    successors = dst[np.argsort(src, kind="stable")].tolist()
    bounds = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=bounds[1:])
    ptr = bounds.tolist()
    indegree = np.bincount(dst, minlength=n).tolist()
    order = [i for i in range(n) if indegree[i] == 0]
    head = 0
    while head < len(order):
        i = order[head]
        head += 1
        for t in successors[ptr[i] : ptr[i + 1]]:
            indegree[t] -= 1
            if indegree[t] == 0:
                order.append(t)
    if len(order) < n:
        cycle = _find_cycle(indegree, src.tolist(), dst.tolist())
        raise PlanError("dependency cycle: " + " -> ".join(ids[i] for i in cycle))
    return order


def _find_cycle(indegree: list[int], sources: Sequence[int], targets: Sequence[int]) -> list[int]:
    """A cycle among the nodes Kahn could not order, first node repeated at the end.

    Every such node still has a predecessor among them, so walking predecessors from any of
    them must come back to a node already seen.
    """
    left = {i for i, d in enumerate(indegree) if d > 0}
    predecessor_of: dict[int, int] = {}
    for s, t in zip(sources, targets, strict=True):
        if s in left and t in left and t not in predecessor_of:
            predecessor_of[t] = s
    walk: list[int] = []
    seen: dict[int, int] = {}
    node = min(left)
    while node not in seen:
        seen[node] = len(walk)
        walk.append(node)
        node = predecessor_of[node]
    cycle = list(reversed(walk[seen[node] :]))  # predecessor walk reversed = dependency direction
    first = cycle.index(min(cycle))
    cycle = cycle[first:] + cycle[:first]
    return [*cycle, cycle[0]]


def topological_order(plan: Plan) -> list[int]:
    """Task positions with every predecessor before its successors (Kahn 1962; ties by position).

    A cycle raises ``PlanError`` naming the tasks in it, e.g. "dependency cycle: A -> B -> C -> A".
    """
    index = plan.index()
    sources: list[int] = []
    targets: list[int] = []
    for position, task in enumerate(plan.tasks):
        for link in task.predecessors:
            if link.predecessor not in index:
                raise PlanError(
                    f"task {json.dumps(task.id)}: unknown predecessor {json.dumps(link.predecessor)}"
                )
            sources.append(index[link.predecessor])
            targets.append(position)
    return order_edges([t.id for t in plan.tasks], sources, targets)
