"""Scheduling engine (issue 7): critical path method, classic PERT, working calendar, resource load.

Pure (no Django): a ``plan.Plan`` (or plain arrays) in, dataclasses and NumPy arrays out.

Critical path method (Kelley & Walker 1959, "Critical-path planning and scheduling"; the
precedence-diagramming form with FS/SS/FF/SF links and lags as in the PMI *PMBOK Guide*,
6.5 "Develop Schedule"). Every link i → j with lag L (negative = lead) is one difference
constraint on the start times S::

    FS: S_j ≥ S_i + d_i + L          SS: S_j ≥ S_i + L
    FF: S_j ≥ S_i + d_i + L − d_j    SF: S_j ≥ S_i + L − d_j

i.e. ``S_j − S_i ≥ c_ij``, with ``c_ij`` computed once per link. Then, in topological order,

    forward:   ES_j = max(0, max_i ES_i + c_ij)      EF = ES + d     T = max EF
    backward:  LS_i = min(T − d_i, min_j LS_j − c_ij) LF = LS + d
    total float TF = LS − ES;  free float FF_i = min(T − EF_i, min_j ES_j − c_ij − ES_i)

so 0 ≤ FF ≤ TF for every task (the forward pass satisfies every constraint, and the
backward pass is its mirror image). No task starts before the project (time 0). A task is
critical when TF = 0; ``critical_path`` is the longest chain of critical tasks joined by
binding links (``ES_j − ES_i = c_ij``) from a task starting at 0 to one finishing at T.

Each pass is one flat sweep over the links sorted by the topological rank of their
successor (forward) or predecessor (backward), so one CPM costs O(tasks + links) with no
per-task dicts: 100,000 tasks and 150,000 links take well under a second
(``benchmarks/scheduling.py``).

Classic PERT (Malcolm, Roseboom, Clark & Fazar 1959, "Application of a technique for
research and development program evaluation"): per task ``te = (o + 4m + p) / 6`` and
``σ² = ((p − o) / 6)²``; the project's expected duration is the CPM length of the
expected-duration network, its variance the sum of σ² along the critical path (of several,
the one with the largest variance), and ``P(T ≤ D) = Φ((D − Te) / σ)`` (normal approximation
by the central limit theorem).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from statistics import NormalDist
from typing import Any

import numpy as np
from numpy.typing import NDArray

from salesdesk.estimates.plan import LINK_TYPES, Plan, PlanError, WorkCalendar, order_edges

FloatArray = NDArray[np.float64]

# Relative tolerance for "zero float" and "binding link": lags and three-point means are
# floats, so a chain that is exactly critical on paper can be off by a rounding error.
_TOLERANCE = 1e-9
# A calendar with this many non-working days in a row has, in practice, no working days left.
_MAX_GAP_DAYS = 3660
_LINK_CODES = {kind: code for code, kind in enumerate(LINK_TYPES)}  # FS 0, SS 1, FF 2, SF 3


# -- network ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Network:
    """A task network compiled for the passes: links as constraints ``S_j − S_i ≥ offset``.

    ``order`` is a topological order of the task positions. The link arrays are sorted by
    the topological rank of their successor, so one flat sweep over them is a forward pass
    (every link into i comes before any link out of i); swept in reverse-rank order of
    their predecessor (``backward``) they make the backward pass.
    """

    ids: tuple[str, ...]
    durations: tuple[float, ...]
    order: list[int]
    source: NDArray[np.int64]
    target: NDArray[np.int64]
    offset: FloatArray
    backward: NDArray[np.int64]
    lag: FloatArray
    from_finish: NDArray[np.bool_]
    to_finish: NDArray[np.bool_]

    def with_durations(self, durations: Sequence[float] | FloatArray) -> Network:
        """The same network with other durations (PERT means, Monte Carlo samples): no re-sorting.

        Only the link offsets ``c = [FS/FF] d_i + lag − [FF/SF] d_j`` change.
        """
        d = np.asarray(durations, dtype=np.float64)
        if d.shape != (len(self.ids),):
            raise ValueError("durations: one per task")
        offset = np.where(self.from_finish, d[self.source], 0.0) + self.lag
        offset -= np.where(self.to_finish, d[self.target], 0.0)
        return replace(self, durations=tuple(d.tolist()), offset=offset)

    @classmethod
    def build(
        cls,
        ids: Sequence[str],
        durations: Sequence[float],
        predecessors: Sequence[int],
        successors: Sequence[int],
        types: Sequence[str],
        lags: Sequence[float],
    ) -> Network:
        """Compile positions-based links (``predecessors[k] → successors[k]``) for ``critical_path_method``.

        ``types[k]`` is FS, SS, FF or SF and ``lags[k]`` in working days. A cycle raises
        ``PlanError`` naming its tasks. When every link points forward in the list (the
        usual way plans are written) the list order is the topological order.
        """
        n = len(ids)
        d = np.asarray(durations, dtype=np.float64)
        if d.shape != (n,):
            raise ValueError("durations: one per task")
        src = np.asarray(predecessors, dtype=np.int64)
        dst = np.asarray(successors, dtype=np.int64)
        lag = np.asarray(lags, dtype=np.float64)
        try:
            codes = np.fromiter((_LINK_CODES[t] for t in types), dtype=np.int8, count=len(types))
        except KeyError as err:
            raise PlanError(f"link type {err.args[0]!r}: use FS, SS, FF or SF") from None
        if not (src.shape == dst.shape == lag.shape == codes.shape):
            raise ValueError("predecessors, successors, types and lags: one per link")
        order = order_edges(ids, src, dst)
        rank = np.empty(n, dtype=np.int64)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(n, dtype=np.int64)
        forward = np.argsort(rank[dst], kind="stable")
        src, dst, lag, codes = src[forward], dst[forward], lag[forward], codes[forward]
        backward = np.argsort(-rank[src], kind="stable")
        from_finish = (codes == 0) | (codes == 2)  # FS, FF
        to_finish = (codes == 2) | (codes == 3)  # FF, SF
        offset = np.where(from_finish, d[src], 0.0) + lag - np.where(to_finish, d[dst], 0.0)
        return cls(
            ids=tuple(ids),
            durations=tuple(d.tolist()),
            order=order,
            source=src,
            target=dst,
            offset=offset,
            backward=backward,
            lag=lag,
            from_finish=from_finish,
            to_finish=to_finish,
        )

    @classmethod
    def from_plan(cls, plan: Plan, durations: Sequence[float] | None = None) -> Network:
        """The plan's network, with the tasks' durations or the given ones (e.g. PERT means, samples)."""
        index = plan.index()
        # one flat comprehension per field: far cheaper than appending to four lists per link
        links = [link for task in plan.tasks for link in task.predecessors]
        return cls.build(
            [t.id for t in plan.tasks],
            [t.duration for t in plan.tasks] if durations is None else durations,
            [index[link.predecessor] for link in links],
            [position for position, task in enumerate(plan.tasks) for _ in task.predecessors],
            [link.type for link in links],
            [link.lag for link in links],
        )


# -- critical path method --------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """Early and late times of every task (working days from the project start, time 0).

    Arrays are indexed by task position; ``critical_path`` holds positions in topological order.
    """

    ids: tuple[str, ...]
    duration: float
    durations: FloatArray
    early_start: FloatArray
    early_finish: FloatArray
    late_start: FloatArray
    late_finish: FloatArray
    total_float: FloatArray
    free_float: FloatArray
    critical: NDArray[np.bool_]
    critical_path: tuple[int, ...]


def critical_path_method(network: Network, path_weights: Sequence[float] | None = None) -> Schedule:
    """Forward and backward pass of the critical path method (Kelley & Walker 1959; PMBOK 6.5).

    See the module docstring for the formulas. Each pass is one sweep over the links in
    topological order. Of several critical chains, ``critical_path`` is the one with the
    largest sum of ``path_weights`` (default: durations), then the most tasks; ties go to the
    first found in topological order.
    """
    n = len(network.ids)
    src, dst, offset = network.source, network.target, network.offset
    d_arr = np.array(network.durations, dtype=np.float64)

    es = [0.0] * n  # no task starts before the project
    for i, j, c in zip(src.tolist(), dst.tolist(), offset.tolist(), strict=True):
        candidate = es[i] + c
        if candidate > es[j]:
            es[j] = candidate
    es_arr = np.array(es, dtype=np.float64)
    ef_arr = es_arr + d_arr
    project = float(ef_arr.max()) if n else 0.0

    ls = (project - d_arr).tolist()
    back = network.backward
    for i, j, c in zip(src[back].tolist(), dst[back].tolist(), offset[back].tolist(), strict=True):
        candidate = ls[j] - c
        if candidate < ls[i]:
            ls[i] = candidate
    ls_arr = np.array(ls, dtype=np.float64)

    tolerance = _TOLERANCE * max(1.0, abs(project))
    total = ls_arr - es_arr
    total[total < tolerance] = 0.0  # float noise; the math guarantees TF ≥ 0
    free = project - ef_arr
    slack = es_arr[dst] - offset - es_arr[src]
    np.minimum.at(free, src, slack)
    free[free < tolerance] = 0.0
    free = np.minimum(free, total)
    critical = total == 0.0

    weights = network.durations if path_weights is None else path_weights
    binding = critical[src] & critical[dst] & (slack <= tolerance)
    path = _longest_critical_chain(
        es_arr, ef_arr, project, critical, weights, src[binding].tolist(), dst[binding].tolist(), tolerance
    )
    return Schedule(
        ids=network.ids,
        duration=project,
        durations=d_arr,
        early_start=es_arr,
        early_finish=ef_arr,
        late_start=ls_arr,
        late_finish=ls_arr + d_arr,
        total_float=total,
        free_float=free,
        critical=critical,
        critical_path=path,
    )


def _longest_critical_chain(
    es: FloatArray,
    ef: FloatArray,
    project: float,
    critical: NDArray[np.bool_],
    weights: Sequence[float],
    sources: list[int],
    targets: list[int],
    tolerance: float,
) -> tuple[int, ...]:
    """Dynamic programme along binding links between critical tasks, in topological order.

    A chain starts at a critical task starting at 0 and ends at one finishing at T; the score
    is (sum of weights, number of tasks).
    """
    best: dict[int, tuple[float, int]] = {
        j: (float(weights[j]), 1) for j in np.flatnonzero(critical & (es <= tolerance)).tolist()
    }
    back: dict[int, int] = {}
    for i, j in zip(sources, targets, strict=True):
        if i not in best:
            continue
        candidate = (best[i][0] + weights[j], best[i][1] + 1)
        if j not in best or candidate > best[j]:
            best[j] = candidate
            back[j] = i
    ends = [j for j in best if ef[j] >= project - tolerance]
    if not ends:
        return ()
    end = max(ends, key=lambda j: best[j])  # max keeps the first of equals: deterministic
    chain = [end]
    while chain[-1] in back:
        chain.append(back[chain[-1]])
    return tuple(reversed(chain))


def schedule_plan(plan: Plan, durations: Sequence[float] | None = None) -> Schedule:
    """CPM of a plan with its tasks' durations (or the given ones, in task order)."""
    return critical_path_method(Network.from_plan(plan, durations))


# -- classic PERT ----------------------------------------------------------------------------


def pert_estimate(optimistic: float, most_likely: float, pessimistic: float) -> tuple[float, float]:
    """Beta-PERT mean and variance (Malcolm et al. 1959): ``(o + 4m + p)/6`` and ``((p − o)/6)²``."""
    return (optimistic + 4.0 * most_likely + pessimistic) / 6.0, ((pessimistic - optimistic) / 6.0) ** 2


def probability_by(expected: float, std_dev: float, deadline: float) -> float:
    """``P(T ≤ deadline) = Φ((deadline − expected) / σ)``; with σ = 0, 1 if the deadline is met else 0."""
    if std_dev <= 0.0:
        return 1.0 if deadline >= expected - _TOLERANCE * max(1.0, abs(expected)) else 0.0
    return NormalDist(expected, std_dev).cdf(deadline)


@dataclass(frozen=True)
class PertResult:
    """Classic PERT: per-task means and variances, and the project's along the critical path."""

    expected: FloatArray
    variance: FloatArray
    schedule: Schedule
    expected_duration: float
    project_variance: float
    std_dev: float
    critical_path: tuple[int, ...]

    def probability_by(self, deadline: float) -> float:
        """Chance of finishing within ``deadline`` working days (normal approximation)."""
        return probability_by(self.expected_duration, self.std_dev, deadline)


def pert(plan: Plan) -> PertResult:
    """Classic PERT of a plan (Malcolm et al. 1959).

    Tasks with three points use ``te = (o + 4m + p)/6`` and ``σ² = ((p − o)/6)²``; tasks with
    only a duration count as certain (σ² = 0). The critical path is that of the CPM on the
    expected durations; when several chains are critical, the one with the largest variance
    (the conservative choice), then the most tasks.
    """
    expected = np.empty(len(plan.tasks))
    variance = np.zeros(len(plan.tasks))
    for position, task in enumerate(plan.tasks):
        if task.optimistic is not None and task.most_likely is not None and task.pessimistic is not None:
            expected[position], variance[position] = pert_estimate(
                task.optimistic, task.most_likely, task.pessimistic
            )
        else:
            expected[position] = task.duration
    network = Network.from_plan(plan, expected.tolist())
    schedule = critical_path_method(network, path_weights=variance.tolist())
    path_variance = float(variance[list(schedule.critical_path)].sum()) if schedule.critical_path else 0.0
    return PertResult(
        expected=expected,
        variance=variance,
        schedule=schedule,
        expected_duration=schedule.duration,
        project_variance=path_variance,
        std_dev=math.sqrt(path_variance),
        critical_path=schedule.critical_path,
    )


# -- working calendar ------------------------------------------------------------------------


def country_holidays(country: str, years: Iterable[int], subdivision: str | None = None) -> frozenset[date]:
    """Public holidays of a country (ISO 3166 code, e.g. "DE", subdivision e.g. "BY") from ``holidays``."""
    import holidays

    try:
        table = holidays.country_holidays(country, subdiv=subdivision, years=list(years))
    except NotImplementedError:
        raise PlanError(f'calendar: no holiday list for country "{country}"') from None
    return frozenset(table.keys())


class WorkingCalendar:
    """Working-day offsets ↔ dates from a start date: working weekdays minus holidays and closures.

    Offset 0 is the first working day on or after ``start`` (a plan starting on a Saturday
    starts on Monday). Finish dates are inclusive: a task of d > 0 days over [s, s + d)
    runs from day ⌊s⌋ to day ⌈s + d⌉ − 1; a milestone (d = 0) at s sits on day ⌈s⌉ − 1, the
    last day of the work before it (day 0 at the project start).
    """

    def __init__(
        self,
        start: date,
        workdays: Iterable[int] = (0, 1, 2, 3, 4),
        holidays: Iterable[date] = (),
        closures: Iterable[tuple[date, date]] = (),
    ) -> None:
        self.start = start
        self.workdays = frozenset(workdays)
        if not self.workdays or not self.workdays <= set(range(7)):
            raise PlanError("calendar.workdays: name at least one working weekday (0 = Monday … 6 = Sunday)")
        closed = set(holidays)
        for first, last in closures:
            closed.update(first + timedelta(days=k) for k in range((last - first).days + 1))
        self.closed = frozenset(closed)
        self._days: list[date] = []
        self._next = start

    @classmethod
    def for_plan(cls, plan: Plan) -> WorkingCalendar | None:
        """The plan's calendar from its start date (every day works without one); None without a date."""
        if plan.start_date is None:
            return None
        calendar = plan.calendar or WorkCalendar(workdays=frozenset(range(7)), holidays=frozenset())
        return cls(plan.start_date, calendar.workdays, calendar.holidays)

    def day(self, offset: int) -> date:
        """The date of working day ``offset`` (0-based)."""
        if offset < 0:
            raise ValueError("offset: not negative")
        days = self._days
        while len(days) <= offset:
            gap = 0
            current = self._next
            while current.weekday() not in self.workdays or current in self.closed:
                gap += 1
                if gap > _MAX_GAP_DAYS:
                    raise PlanError(f"calendar: no working day in the ten years after {self._next}")
                current = self._step(current)
            days.append(current)
            self._next = self._step(current)
        return days[offset]

    @staticmethod
    def _step(day: date) -> date:
        try:
            return day + timedelta(days=1)
        except OverflowError:
            raise PlanError("calendar: the schedule runs past the year 9999") from None

    def offset_of(self, day: date) -> int:
        """Working days from the start up to and including ``day`` (a deadline date as a duration)."""
        if day < self.start:
            return 0
        count = 0
        while self.day(count) <= day:
            count += 1
        return count

    def task_dates(self, start: float, finish: float) -> tuple[date, date]:
        """Start and inclusive finish dates of a task over [start, finish) working days."""
        s, f = round(start, 9), round(finish, 9)
        if f <= s:
            milestone = self.day(max(math.ceil(s) - 1, 0))
            return milestone, milestone
        return self.day(math.floor(s)), self.day(max(math.ceil(f) - 1, math.floor(s)))


def schedule_dates(schedule: Schedule, calendar: WorkingCalendar) -> list[tuple[date, date]]:
    """Early start and inclusive finish dates of every task, by position."""
    return [
        calendar.task_dates(s, f)
        for s, f in zip(schedule.early_start.tolist(), schedule.early_finish.tolist(), strict=True)
    ]


# -- resources -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverAllocation:
    """A role asked for more units than its capacity over [start, finish) working days."""

    role: str
    start: float
    finish: float
    demand: float
    capacity: float
    tasks: tuple[str, ...]

    @property
    def first_day(self) -> int:
        """First working-day offset of the over-allocation."""
        return math.floor(round(self.start, 9))

    @property
    def last_day(self) -> int:
        """Last working-day offset (inclusive)."""
        return max(math.ceil(round(self.finish, 9)) - 1, self.first_day)


def over_allocations(
    schedule: Schedule,
    roles: Sequence[str | None],
    units: Sequence[float],
    capacity: Mapping[str, float],
) -> list[OverAllocation]:
    """Periods of the early schedule when a role's demand exceeds its capacity (sweep line).

    ``roles[i]``/``units[i]`` say what task i uses; roles without a capacity are unlimited.
    Back-to-back tasks do not overlap (a finish at t frees the units before a start at t).
    Adjacent over-allocated periods are merged, reporting the peak demand.
    """
    events: dict[str, list[tuple[float, int, float, int]]] = {}
    for i, (role, amount) in enumerate(zip(roles, units, strict=True)):
        if role is None or role not in capacity or amount <= 0.0 or schedule.durations[i] <= 0.0:
            continue
        start, finish = float(schedule.early_start[i]), float(schedule.early_finish[i])
        events.setdefault(role, []).extend([(start, 1, amount, i), (finish, 0, -amount, i)])
    warnings: list[OverAllocation] = []
    for role in sorted(events):
        limit = capacity[role]
        load = 0.0
        running: set[int] = set()
        current: dict[str, Any] | None = None
        role_events = sorted(events[role])
        for k, (time, _kind, delta, task) in enumerate(role_events):
            load += delta
            if delta > 0:
                running.add(task)
            else:
                running.discard(task)
            next_time = role_events[k + 1][0] if k + 1 < len(role_events) else time
            if next_time <= time:
                continue  # the load between equal times lasts no time
            if load > limit + 1e-9:
                if current is not None and current["finish"] == time:
                    current["finish"] = next_time
                    current["demand"] = max(current["demand"], load)
                    current["tasks"].update(running)
                else:
                    if current is not None:
                        warnings.append(_over(role, limit, current, schedule))
                    current = {"start": time, "finish": next_time, "demand": load, "tasks": set(running)}
            elif current is not None:
                warnings.append(_over(role, limit, current, schedule))
                current = None
        if current is not None:
            warnings.append(_over(role, limit, current, schedule))
    return warnings


def _over(role: str, limit: float, period: dict[str, Any], schedule: Schedule) -> OverAllocation:
    return OverAllocation(
        role=role,
        start=period["start"],
        finish=period["finish"],
        demand=period["demand"],
        capacity=limit,
        tasks=tuple(schedule.ids[i] for i in sorted(period["tasks"])),
    )


def plan_over_allocations(plan: Plan, schedule: Schedule) -> list[OverAllocation]:
    """Over-allocation warnings of a plan's early schedule, from its tasks' roles and ``resources``."""
    return over_allocations(
        schedule, [t.role for t in plan.tasks], [t.units for t in plan.tasks], plan.resources
    )
