"""Sizing: the cheapest configuration meeting the target in every contract year."""

from __future__ import annotations

import itertools
from decimal import Decimal

import numpy as np
import pytest

from salesdesk.solutions.queueing import CapacityError, mmc
from salesdesk.solutions.sizing import Component, Objective, Workload, chain_response, size_system

WORKLOAD = Workload(
    peak_arrival_rate=40.0, service_demand={"web": 0.05, "db": 0.02}, growth_per_year=0.2, years=3
)
COMPONENTS = [
    Component("web", "web-small", Decimal("1000.00"), servers_per_unit=2, max_units=8),
    Component("web", "web-large", Decimal("1700.00"), servers_per_unit=4, max_units=4),
    Component("db", "db-single", Decimal("3000.00"), servers_per_unit=1, max_units=1),
    Component("db", "db-pair", Decimal("5500.00"), servers_per_unit=2, max_units=2),
]


def brute_force_cheapest(workload, components, objective):
    """Every combination of (component, units) per tier, checked in the busiest year (mean target)."""
    rate = workload.peak_arrival_rate * (1 + workload.growth_per_year) ** (workload.years - 1)
    per_tier = []
    for tier, demand in workload.service_demand.items():
        options = []
        for c in components:
            if c.tier != tier:
                continue
            for units in range(1, c.max_units + 1):
                servers = units * c.servers_per_unit
                if rate * demand / servers <= objective.max_utilization:
                    options.append((c.price * units, mmc(rate, 1 / demand, servers).w))
        per_tier.append(options)
    feasible = [
        sum(price for price, _ in combo)
        for combo in itertools.product(*per_tier)
        if sum(w for _, w in combo) <= objective.response_time
    ]
    return min(feasible)


@pytest.mark.parametrize("target", [0.09, 0.1, 0.12, 0.2])
def test_mean_target_gives_the_brute_force_cheapest_price(target):
    objective = Objective(response_time=target, statistic="mean", max_utilization=0.85)
    result = size_system(WORKLOAD, COMPONENTS, objective)
    assert result.total_price == brute_force_cheapest(WORKLOAD, COMPONENTS, objective)
    assert isinstance(result.total_price, Decimal)


def test_every_year_meets_the_target_and_reports_headroom():
    objective = Objective(response_time=0.1, statistic="mean", max_utilization=0.8)
    result = size_system(WORKLOAD, COMPONENTS, objective)
    assert [y.year for y in result.years] == [1, 2, 3]
    assert [y.arrival_rate for y in result.years] == pytest.approx([40.0, 48.0, 57.6])
    for year in result.years:
        assert year.response_time <= 0.1
        assert max(year.utilization.values()) <= 0.8
        assert year.headroom >= 0
    assert result.years[0].headroom > result.years[-1].headroom
    # Headroom is where the first target breaks: growing the last year by it reaches a limit.
    last = result.years[-1]
    factor = 1 + last.headroom
    queues = [
        mmc(last.arrival_rate * factor, 1 / WORKLOAD.service_demand[c.tier], c.servers)
        for c in result.choices
    ]
    at_limit = (
        sum(q.w for q in queues) >= 0.1 * (1 - 1e-6) or max(q.utilization for q in queues) >= 0.8 - 1e-6
    )
    assert at_limit


def test_p95_target_is_met_by_the_simulated_sum_of_tiers():
    objective = Objective(response_time=0.25, statistic="p95", max_utilization=0.9)
    result = size_system(WORKLOAD, COMPONENTS, objective)
    last = result.years[-1]
    # Monte Carlo of the end-to-end time: per tier, wait (with P(wait)) plus exponential service.
    rng = np.random.default_rng(0)
    total = np.zeros(400_000)
    for choice in result.choices:
        queue = mmc(last.arrival_rate, 1 / WORKLOAD.service_demand[choice.tier], choice.servers)
        waits = rng.random(total.size) < queue.probability_wait
        total += np.where(waits, rng.exponential(1 / queue.tail_rate, total.size), 0.0)
        total += rng.exponential(1 / queue.service_rate, total.size)
    assert np.quantile(total, 0.95) == pytest.approx(last.response_time, rel=0.02)
    assert last.response_time <= 0.25
    # And a looser target never costs more.
    looser = size_system(
        WORKLOAD, COMPONENTS, Objective(response_time=0.5, statistic="p95", max_utilization=0.9)
    )
    assert looser.total_price <= result.total_price


def test_an_impossible_target_is_refused_with_a_reason():
    with pytest.raises(CapacityError, match=r"response_time: no configuration meets mean ≤ 0\.06 s"):
        size_system(WORKLOAD, COMPONENTS, Objective(response_time=0.06, statistic="mean"))
    few = [c for c in COMPONENTS if c.name != "db-pair"]
    with pytest.raises(CapacityError, match="no option for tier 'db'"):
        size_system(Workload(60.0, {"web": 0.05, "db": 0.02}, 0.0, 1), few, Objective(0.5, "mean", 0.8))


@pytest.mark.parametrize(
    ("workload", "components", "objective", "message"),
    [
        (Workload(0, {"web": 0.1}), COMPONENTS[:1], Objective(1.0), "peak_arrival_rate"),
        (Workload(1, {"web": -0.1}), COMPONENTS[:1], Objective(1.0), r"service_demand\[web\]"),
        (Workload(1, {"web": 0.1}, years=0), COMPONENTS[:1], Objective(1.0), "years"),
        (Workload(1, {"web": 0.1}), COMPONENTS[:1], Objective(1.0, "p99"), "statistic"),
        (Workload(1, {"web": 0.1}), [Component("web", "x", 1, 0, 1)], Objective(1.0), r"components\[0\]"),
        (Workload(1, {"web": 0.1, "db": 0.1}), COMPONENTS[:1], Objective(1.0), "none offered for tier 'db'"),
    ],
)
def test_bad_sizing_input_is_named(workload, components, objective, message):
    with pytest.raises(CapacityError, match=message):
        size_system(workload, components, objective)


def test_chain_response_mean_is_the_sum_and_p95_lies_between_the_slowest_tier_and_the_sum():
    queues = [mmc(40.0, 1 / 0.05, 4), mmc(40.0, 1 / 0.02, 2)]
    assert chain_response(queues, "mean") == pytest.approx(sum(q.w for q in queues))
    p95 = chain_response(queues, "p95")
    slowest = max(q.response_percentile(0.95) for q in queues)
    assert slowest < p95 < sum(q.response_percentile(0.95) for q in queues)
    assert chain_response(queues[:1], "p95") == pytest.approx(queues[0].response_percentile(0.95))


def test_chain_response_names_an_unknown_statistic():
    with pytest.raises(CapacityError, match="statistic"):
        chain_response([mmc(10.0, 20.0, 1)], "median")
