"""Scheduling engine (issue 7): CPM with FS/SS/FF/SF links and lags, PERT, calendar, resources."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdesk.estimates.plan import LINK_TYPES, PlanError, parse_plan
from salesdesk.estimates.scheduling import (
    Network,
    WorkingCalendar,
    country_holidays,
    critical_path_method,
    over_allocations,
    pert,
    pert_estimate,
    plan_over_allocations,
    probability_by,
    schedule_dates,
    schedule_plan,
)

# -- published worked example ----------------------------------------------------------------

# Hillier & Lieberman, "Introduction to Operations Research" (chapter "Project Management
# with PERT/CPM"): the Reliable Construction Co. project. Three-point estimates (o, m, p)
# in weeks and immediate predecessors as printed; the means (o + 4m + p)/6 are the
# printed activity durations.
RELIABLE = {
    "A": (1, 2, 3, []),  # excavate
    "B": (2, 3.5, 8, ["A"]),  # lay the foundation
    "C": (6, 9, 18, ["B"]),  # put up the rough wall
    "D": (4, 5.5, 10, ["C"]),  # put up the roof
    "E": (1, 4.5, 5, ["C"]),  # install the exterior plumbing
    "F": (4, 4, 10, ["E"]),  # install the interior plumbing
    "G": (5, 6.5, 11, ["D"]),  # put up the exterior siding
    "H": (5, 8, 17, ["E", "G"]),  # do the exterior painting
    "I": (3, 7.5, 9, ["C"]),  # do the electrical work
    "J": (3, 9, 9, ["F", "I"]),  # put up the wallboard
    "K": (4, 4, 4, ["J"]),  # install the flooring
    "L": (1, 5.5, 7, ["J"]),  # do the interior painting
    "M": (1, 2, 3, ["H"]),  # install the exterior fixtures
    "N": (5, 5.5, 9, ["K", "L"]),  # install the interior fixtures
}
# Printed: duration (mean) and the earliest start, latest start and slack of each activity.
RELIABLE_TIMES = {
    #    d   ES  LS  slack
    "A": (2, 0, 0, 0),
    "B": (4, 2, 2, 0),
    "C": (10, 6, 6, 0),
    "D": (6, 16, 20, 4),
    "E": (4, 16, 16, 0),
    "F": (5, 20, 20, 0),
    "G": (7, 22, 26, 4),
    "H": (9, 29, 33, 4),
    "I": (7, 16, 18, 2),
    "J": (8, 25, 25, 0),
    "K": (4, 33, 34, 1),
    "L": (5, 33, 33, 0),
    "M": (2, 38, 42, 4),
    "N": (6, 38, 38, 0),
}


def reliable_plan(*, three_points: bool) -> Any:
    tasks = []
    for task_id, (o, m, p, predecessors) in RELIABLE.items():
        task: dict[str, Any] = {"id": task_id, "predecessors": predecessors}
        if three_points:
            task.update(optimistic=o, most_likely=m, pessimistic=p)
        else:
            task["duration"] = RELIABLE_TIMES[task_id][0]
        tasks.append(task)
    return parse_plan({"tasks": tasks})


def test_cpm_reproduces_the_published_reliable_construction_schedule():
    # given the printed activity durations and precedences
    plan = reliable_plan(three_points=False)

    # when it is scheduled
    schedule = schedule_plan(plan)

    # then the project takes the printed 44 weeks along A B C E F J L N, with the printed times
    assert schedule.duration == 44
    assert [schedule.ids[i] for i in schedule.critical_path] == ["A", "B", "C", "E", "F", "J", "L", "N"]
    for i, task_id in enumerate(schedule.ids):
        d, es, ls, slack = RELIABLE_TIMES[task_id]
        assert (schedule.early_start[i], schedule.early_finish[i]) == (es, es + d), task_id
        assert (schedule.late_start[i], schedule.late_finish[i]) == (ls, ls + d), task_id
        assert schedule.total_float[i] == slack, task_id
        assert bool(schedule.critical[i]) == (slack == 0), task_id
    # free float, by hand from the printed early times: D and G only push their successor
    # (G, H) later, I waits 2 weeks for J, K 1 week for N, M 4 weeks for the end.
    free = dict(zip(schedule.ids, schedule.free_float.tolist(), strict=True))
    assert {k: v for k, v in free.items() if v} == {"I": 2, "K": 1, "M": 4}


def test_pert_reproduces_the_published_reliable_construction_probability():
    # given the printed three-point estimates
    plan = reliable_plan(three_points=True)

    # when PERT is applied
    result = pert(plan)

    # then: the printed means, 44 weeks expected, variance 9 (σ = 3) along the mean critical
    # path, and P(T ≤ 47 weeks) = Φ(1) ≈ 0.8413
    assert dict(zip(result.schedule.ids, result.expected.tolist(), strict=True)) == {
        k: v[0] for k, v in RELIABLE_TIMES.items()
    }
    assert result.variance[plan.index()["C"]] == pytest.approx(4.0)
    assert result.variance[plan.index()["K"]] == 0.0
    assert result.expected_duration == pytest.approx(44.0)
    assert result.project_variance == pytest.approx(9.0)
    assert result.std_dev == pytest.approx(3.0)
    assert result.probability_by(47) == pytest.approx(0.8413, abs=5e-5)
    assert [plan.tasks[i].id for i in result.critical_path] == ["A", "B", "C", "E", "F", "J", "L", "N"]


def test_pert_estimate_formula():
    assert pert_estimate(2, 3.5, 8) == (4.0, 1.0)
    assert pert_estimate(4, 4, 4) == (4.0, 0.0)


def test_probability_with_no_spread_is_certain_either_way():
    assert probability_by(10, 0.0, 10) == 1.0
    assert probability_by(10, 0.0, 9.5) == 0.0
    assert probability_by(10, 2.0, 10) == pytest.approx(0.5)


def test_pert_takes_the_riskier_of_two_equally_long_critical_paths():
    plan = parse_plan(
        {
            "tasks": [
                {"id": "sure", "optimistic": 10, "most_likely": 10, "pessimistic": 10},
                {"id": "risky", "optimistic": 7, "most_likely": 10, "pessimistic": 13},
                {"id": "end", "duration": 0, "predecessors": ["sure", "risky"]},
            ]
        }
    )

    result = pert(plan)

    assert [plan.tasks[i].id for i in result.critical_path] == ["risky", "end"]
    assert result.project_variance == pytest.approx(1.0)


# -- link types and lags, by hand -------------------------------------------------------------


def two_tasks(da: float, db: float, link: dict[str, Any]) -> Any:
    return schedule_plan(
        parse_plan(
            {"tasks": [{"id": "A", "duration": da}, {"id": "B", "duration": db, "predecessors": [link]}]}
        )
    )


@pytest.mark.parametrize(
    ("da", "db", "link", "es_b", "duration", "float_a"),
    [
        (5, 3, {"id": "A"}, 5, 8, 0),  # FS: B starts when A finishes
        (5, 3, {"id": "A", "lag": 2}, 7, 10, 0),  # FS +2: two days' wait
        (5, 3, {"id": "A", "lag": -2}, 3, 6, 0),  # FS −2: a lead of two days
        (5, 3, {"id": "A", "type": "SS", "lag": 2}, 2, 5, 0),  # SS +2: B starts 2 after A starts
        (4, 2, {"id": "A", "type": "FF", "lag": 1}, 3, 5, 0),  # FF +1: B finishes 1 after A
        (3, 2, {"id": "A", "type": "SF", "lag": 4}, 2, 4, 0),  # SF +4: B finishes 4 after A starts
        (2, 3, {"id": "A", "lag": -5}, 0, 3, 1),  # a lead longer than A: B cannot start before day 0
        (6, 2, {"id": "A", "type": "SS"}, 0, 6, 0),  # SS: B runs beside A and has 4 days' float
    ],
)
def test_each_link_type_and_lag(da, db, link, es_b, duration, float_a):
    schedule = two_tasks(da, db, link)

    assert schedule.early_start.tolist() == [0, es_b]
    assert schedule.duration == duration
    assert schedule.total_float[0] == float_a
    assert schedule.total_float[1] == duration - es_b - db


def test_start_to_finish_link_makes_the_predecessor_critical_through_its_start():
    # A (3) SF+4 B (2): B must finish 4 days after A starts, so B runs 2–4 and the project
    # ends at 4; A's start drives B's finish, so A has no float though it ends at 3.
    schedule = two_tasks(3, 2, {"id": "A", "type": "SF", "lag": 4})

    assert schedule.late_start.tolist() == [0, 2]
    assert schedule.critical.tolist() == [True, True]
    assert schedule.free_float.tolist() == [0, 0]
    assert [schedule.ids[i] for i in schedule.critical_path] == ["A", "B"]


def test_a_long_chain_schedules_without_recursion_limits():
    n = 50_000
    network = Network.build(
        [f"T{i}" for i in range(n)],
        [1.0] * n,
        list(range(n - 1)),
        list(range(1, n)),
        ["FS"] * (n - 1),
        [0.0] * (n - 1),
    )

    schedule = critical_path_method(network)

    assert schedule.duration == n
    assert len(schedule.critical_path) == n


def test_a_cycle_in_raw_links_is_named():
    with pytest.raises(PlanError, match=r"^dependency cycle: B -> C -> B$"):
        Network.build(["A", "B", "C"], [1, 1, 1], [0, 1, 2], [1, 2, 1], ["FS"] * 3, [0] * 3)


# -- properties ------------------------------------------------------------------------------


@st.composite
def raw_networks(draw: Any, max_tasks: int = 9) -> tuple[list[int], list[tuple[int, int, str, int]]]:
    """Durations and forward links (i < j) with any type and a lag in −3…3."""
    n = draw(st.integers(1, max_tasks))
    durations = draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))
    links = []
    for j in range(1, n):
        for i in draw(st.lists(st.integers(0, j - 1), max_size=3, unique=True)):
            links.append((i, j, draw(st.sampled_from(LINK_TYPES)), draw(st.integers(-3, 3))))
    return durations, links


def to_plan(
    durations: list[int], links: list[tuple[int, int, str, int]], order: list[int] | None = None
) -> Any:
    order = order if order is not None else list(range(len(durations)))
    tasks = {i: {"id": f"T{i}", "duration": d, "predecessors": []} for i, d in enumerate(durations)}
    for i, j, kind, lag in links:
        tasks[j]["predecessors"].append({"id": f"T{i}", "type": kind, "lag": lag})
    return parse_plan({"tasks": [tasks[i] for i in order]})


def brute_force(durations: list[int], links: list[tuple[int, int, str, int]]) -> tuple[dict, dict, float]:
    """Early and late starts by relaxing every constraint n times (Bellman–Ford), link type by link type."""
    n = len(durations)
    es = dict.fromkeys(range(n), 0.0)
    for _ in range(n):
        for i, j, kind, lag in links:
            pred = es[i] + (durations[i] if kind in ("FS", "FF") else 0)
            es[j] = max(es[j], pred + lag - (durations[j] if kind in ("FF", "SF") else 0))
    end = max(es[k] + durations[k] for k in range(n))
    ls = {k: end - durations[k] for k in range(n)}
    for _ in range(n):
        for i, j, kind, lag in links:
            succ = ls[j] + (durations[j] if kind in ("FF", "SF") else 0)
            ls[i] = min(ls[i], succ - lag - (durations[i] if kind in ("FS", "FF") else 0))
    return es, ls, end


@settings(deadline=None)
@given(raw_networks())
def test_cpm_agrees_with_brute_force_relaxation(network):
    durations, links = network
    schedule = schedule_plan(to_plan(durations, links))

    es, ls, end = brute_force(durations, links)

    assert schedule.duration == end
    assert schedule.early_start.tolist() == [es[k] for k in range(len(durations))]
    assert schedule.late_start.tolist() == [ls[k] for k in range(len(durations))]


@settings(deadline=None)
@given(raw_networks())
def test_floats_are_never_negative_and_critical_means_zero_total_float(network):
    schedule = schedule_plan(to_plan(*network))

    assert (schedule.total_float >= 0).all()
    assert (schedule.free_float >= 0).all()
    assert (schedule.free_float <= schedule.total_float).all()
    assert ((schedule.total_float == 0) == schedule.critical).all()
    assert schedule.critical.any()


@settings(deadline=None)
@given(raw_networks())
def test_the_critical_path_runs_from_the_start_to_the_end_through_critical_tasks(network):
    durations, links = network
    schedule = schedule_plan(to_plan(durations, links))
    path = list(schedule.critical_path)

    assert path
    assert schedule.early_start[path[0]] == 0
    assert schedule.early_finish[path[-1]] == schedule.duration
    assert all(schedule.critical[k] for k in path)
    linked = {(i, j) for i, j, _, _ in links}
    assert all((i, j) in linked for i, j in itertools.pairwise(path))


@settings(deadline=None)
@given(raw_networks(), st.data())
def test_adding_a_task_never_shortens_the_project(network, data):
    durations, links = network
    before = schedule_plan(to_plan(durations, links)).duration

    # insert a task at position p, linked from earlier tasks and to later ones (stays acyclic)
    n = len(durations)
    p = data.draw(st.integers(0, n))
    shift = {k: k + (k >= p) for k in range(n)}
    moved = [(shift[i], shift[j], kind, lag) for i, j, kind, lag in links]
    new_duration = data.draw(st.integers(0, 10))
    extra = []
    if p > 0:
        for i in data.draw(st.lists(st.integers(0, p - 1), max_size=2, unique=True)):
            extra.append((shift[i], p, data.draw(st.sampled_from(LINK_TYPES)), data.draw(st.integers(-3, 3))))
    if p < n:
        for j in data.draw(st.lists(st.integers(p, n - 1), max_size=2, unique=True)):
            extra.append((p, shift[j], data.draw(st.sampled_from(LINK_TYPES)), data.draw(st.integers(-3, 3))))
    after = schedule_plan(to_plan([*durations[:p], new_duration, *durations[p:]], moved + extra)).duration

    assert after >= before


@settings(deadline=None)
@given(raw_networks())
def test_zero_variance_three_points_give_the_deterministic_cpm(network):
    durations, links = network
    plan = to_plan(durations, links)
    certain = parse_plan(
        {
            "tasks": [
                {
                    "id": t.id,
                    "optimistic": t.duration,
                    "most_likely": t.duration,
                    "pessimistic": t.duration,
                    "predecessors": [
                        {"id": k.predecessor, "type": k.type, "lag": k.lag} for k in t.predecessors
                    ],
                }
                for t in plan.tasks
            ]
        }
    )
    schedule = schedule_plan(plan)

    result = pert(certain)

    assert result.expected_duration == schedule.duration
    assert result.project_variance == 0.0
    assert result.schedule.early_start.tolist() == schedule.early_start.tolist()
    assert result.probability_by(schedule.duration) == 1.0


@settings(deadline=None)
@given(raw_networks(), st.randoms(use_true_random=False))
def test_the_order_tasks_are_listed_in_does_not_change_the_schedule(network, rnd):
    durations, links = network
    order = list(range(len(durations)))
    rnd.shuffle(order)

    listed = schedule_plan(to_plan(durations, links))
    shuffled = schedule_plan(to_plan(durations, links, order))

    by_id = dict(
        zip(
            shuffled.ids,
            zip(shuffled.early_start.tolist(), shuffled.late_start.tolist(), strict=True),
            strict=True,
        )
    )
    assert shuffled.duration == listed.duration
    for k, task_id in enumerate(listed.ids):
        assert by_id[task_id] == (listed.early_start[k], listed.late_start[k])


# -- calendar --------------------------------------------------------------------------------

FRIDAY = date(2026, 12, 4)
SATURDAY = date(2026, 12, 5)
MONDAY = date(2026, 12, 7)


def test_the_test_dates_fall_on_the_weekdays_they_are_named_after():
    assert (FRIDAY.weekday(), SATURDAY.weekday(), MONDAY.weekday(), date(2026, 12, 25).weekday()) == (
        4,
        5,
        0,
        4,
    )


def test_a_one_day_task_at_the_start_starts_and_finishes_on_the_first_working_day():
    calendar = WorkingCalendar(FRIDAY)

    assert calendar.task_dates(0, 1) == (FRIDAY, FRIDAY)


def test_weekends_are_skipped():
    calendar = WorkingCalendar(FRIDAY)

    # three days from Friday: Friday, Monday, Tuesday
    assert calendar.task_dates(0, 3) == (FRIDAY, date(2026, 12, 8))
    assert calendar.task_dates(1, 2) == (MONDAY, MONDAY)


def test_a_start_on_a_non_working_day_moves_to_the_next_working_day():
    calendar = WorkingCalendar(SATURDAY)

    assert calendar.day(0) == MONDAY
    assert calendar.task_dates(0, 1) == (MONDAY, MONDAY)


def test_holidays_and_closures_are_skipped():
    # Christmas Day 2026 is a Friday; the office is also closed 28–31 December
    calendar = WorkingCalendar(
        date(2026, 12, 21), holidays=[date(2026, 12, 25)], closures=[(date(2026, 12, 28), date(2026, 12, 31))]
    )

    # Mon 21 – Thu 24 are four days; the fifth is Friday 1 January 2027
    assert calendar.task_dates(0, 5) == (date(2026, 12, 21), date(2027, 1, 1))


def test_milestones_sit_on_the_last_day_of_the_work_before_them():
    calendar = WorkingCalendar(FRIDAY)

    assert calendar.task_dates(0, 0) == (FRIDAY, FRIDAY)
    assert calendar.task_dates(3, 3) == (date(2026, 12, 8), date(2026, 12, 8))


def test_fractional_days_finish_on_the_day_the_work_ends():
    calendar = WorkingCalendar(FRIDAY)

    assert calendar.task_dates(0, 1.5) == (FRIDAY, MONDAY)
    assert calendar.task_dates(0.5, 1.0) == (FRIDAY, FRIDAY)


def test_offset_of_a_deadline_counts_working_days_up_to_and_including_it():
    calendar = WorkingCalendar(FRIDAY)

    assert calendar.offset_of(FRIDAY) == 1
    assert calendar.offset_of(date(2026, 12, 6)) == 1  # the weekend adds nothing
    assert calendar.offset_of(MONDAY) == 2
    assert calendar.offset_of(date(2026, 12, 1)) == 0


def test_a_calendar_with_no_working_day_left_is_an_error_not_a_hang():
    calendar = WorkingCalendar(
        MONDAY, workdays=[0], holidays=[MONDAY + timedelta(weeks=k) for k in range(600)]
    )

    with pytest.raises(PlanError, match="no working day in the ten years after"):
        calendar.day(0)


def test_country_holidays_come_from_the_holidays_package():
    german = country_holidays("DE", [2026])

    assert {date(2026, 10, 3), date(2026, 12, 25), date(2026, 12, 26)} <= german
    assert date(2026, 12, 24) not in german
    with pytest.raises(PlanError, match='no holiday list for country "XX"'):
        country_holidays("XX", [2026])


def test_plan_dates_use_the_plan_calendar():
    plan = parse_plan(
        {
            "start_date": "2026-12-04",
            "calendar": {"workdays": ["mon", "tue", "wed", "thu", "fri"], "holidays": ["2026-12-08"]},
            "tasks": [{"id": "A", "duration": 3}, {"id": "B", "duration": 1, "predecessors": ["A"]}],
        }
    )
    calendar = WorkingCalendar.for_plan(plan)
    assert calendar is not None

    dates = schedule_dates(schedule_plan(plan), calendar)

    # Fri 4, Mon 7, (Tue 8 is a holiday) Wed 9; B on Thu 10
    assert dates == [(FRIDAY, date(2026, 12, 9)), (date(2026, 12, 10), date(2026, 12, 10))]


def test_without_a_calendar_every_day_works():
    plan = parse_plan({"start_date": "2026-12-04", "tasks": [{"id": "A", "duration": 3}]})
    calendar = WorkingCalendar.for_plan(plan)
    assert calendar is not None

    assert schedule_dates(schedule_plan(plan), calendar) == [(FRIDAY, date(2026, 12, 6))]
    assert WorkingCalendar.for_plan(parse_plan({"tasks": [{"id": "A", "duration": 3}]})) is None


@settings(deadline=None)
@given(
    raw_networks(),
    st.sets(st.integers(0, 6), min_size=1),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.sets(st.integers(0, 60), max_size=20),
)
def test_start_and_finish_dates_are_working_days_in_order(network, workdays, start, holiday_offsets):
    holidays = {start + timedelta(days=k) for k in holiday_offsets}
    calendar = WorkingCalendar(start, workdays, holidays)
    schedule = schedule_plan(to_plan(*network))

    for first, last in schedule_dates(schedule, calendar):
        for day in (first, last):
            assert day.weekday() in workdays
            assert day not in holidays
            assert day >= start
        assert first <= last


# -- resources -------------------------------------------------------------------------------


def resource_plan() -> Any:
    return parse_plan(
        {
            "resources": {"engineer": 2, "architect": 1},
            "tasks": [
                {"id": "A", "duration": 4, "role": "engineer"},
                {"id": "B", "duration": 2, "role": "engineer", "units": 1.5},
                {"id": "C", "duration": 3, "role": "architect"},
                {"id": "D", "duration": 2, "role": "architect", "predecessors": ["C"]},
                {"id": "E", "duration": 5, "role": "designer", "units": 9},
            ],
        }
    )


def test_over_allocation_is_reported_by_role_day_range_and_demand():
    plan = resource_plan()

    warnings = plan_over_allocations(plan, schedule_plan(plan))

    # engineers: A (1) and B (1.5) overlap on days 0–1: 2.5 > 2. Architects work back to
    # back (C then D): no overlap. Designers have no capacity given: unlimited.
    assert len(warnings) == 1
    w = warnings[0]
    assert (w.role, w.start, w.finish, w.first_day, w.last_day) == ("engineer", 0, 2, 0, 1)
    assert (w.demand, w.capacity, w.tasks) == (2.5, 2, ("A", "B"))


def test_adjacent_over_allocations_merge_with_the_peak_demand():
    plan = parse_plan(
        {
            "resources": {"engineer": 1},
            "tasks": [
                {"id": "A", "duration": 6, "role": "engineer"},
                {"id": "B", "duration": 2, "role": "engineer"},
                {
                    "id": "C",
                    "duration": 2,
                    "role": "engineer",
                    "predecessors": [{"id": "A", "type": "SS", "lag": 1}],
                },
                {
                    "id": "D",
                    "duration": 1,
                    "role": "engineer",
                    "predecessors": [{"id": "A", "type": "SS", "lag": 5}],
                },
            ],
        }
    )
    schedule = schedule_plan(plan)

    warnings = over_allocations(
        schedule, [t.role for t in plan.tasks], [t.units for t in plan.tasks], plan.resources
    )

    # 0–1: A+B = 2; 1–2: A+B+C = 3; 2–3: A+C = 2; 3–5: A alone; 5–6: A+D = 2
    assert [(w.start, w.finish, w.demand, w.tasks) for w in warnings] == [
        (0, 3, 3, ("A", "B", "C")),
        (5, 6, 2, ("A", "D")),
    ]


@settings(deadline=None)
@given(raw_networks(), st.data())
def test_a_network_with_new_durations_schedules_like_one_built_with_them(network, data):
    durations, links = network
    plan = to_plan(durations, links)
    other = data.draw(st.lists(st.integers(0, 10), min_size=len(durations), max_size=len(durations)))

    reused = critical_path_method(Network.from_plan(plan).with_durations(other))
    rebuilt = critical_path_method(Network.from_plan(plan, other))

    assert reused.early_start.tolist() == rebuilt.early_start.tolist()
    assert reused.late_start.tolist() == rebuilt.late_start.tolist()
    assert reused.critical_path == rebuilt.critical_path
