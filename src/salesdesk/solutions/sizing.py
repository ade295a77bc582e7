"""Cheapest configuration of a multi-tier system that meets a response-time target every year.

A pure engine (no Django). Each tier is an M/M/c station (:func:`queueing.mmc`): requests
arrive at the peak rate λ_y = λ·(1 + g)^(y − 1) in contract year y, every request visits each
tier once with a mean service demand D (seconds), and a tier built from ``units`` of a
component has ``units × servers_per_unit`` servers.

Targets: utilisation ≤ U at every tier, and the end-to-end response time (sum of the tiers'
times in system) ≤ X as a mean, or as a 95th percentile. The p95 of the sum of independent
per-tier M/M/c sojourn times (each a mixture of exponentials, Gross et al. 2008, §2.3) is
computed by convolving their distributions on a fine grid.

Search: feasibility is monotone in load, so only the busiest year decides (growth ≥ 0: the
last). Per tier, options that cost more without being faster are dropped (Pareto front);
the remaining combinations are tried from the cheapest up, and the first that meets the
target is the answer (an exact multiple-choice knapsack by enumeration, small because fronts
are short).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from salesdesk.solutions.queueing import CapacityError, QueueResult, UnstableSystemError, mmc

__all__ = [
    "Component",
    "Objective",
    "SizingResult",
    "TierChoice",
    "Workload",
    "YearReport",
    "chain_response",
    "size_system",
]

GRID_POINTS = 1 << 12


@dataclass(frozen=True)
class Workload:
    """Peak arrival rate (requests/s), service demand per tier (s/request), yearly growth, years."""

    peak_arrival_rate: float
    service_demand: Mapping[str, float]
    growth_per_year: float = 0.0
    years: int = 1


@dataclass(frozen=True)
class Component:
    """A unit one can buy for a tier: its price and how many servers (cores, agents) it brings."""

    tier: str
    name: str
    price: float | Decimal
    servers_per_unit: int
    max_units: int


@dataclass(frozen=True)
class Objective:
    """Response time ≤ ``response_time`` seconds (``statistic`` "mean" or "p95"), utilisation ≤ max."""

    response_time: float
    statistic: str = "p95"
    max_utilization: float = 0.8


@dataclass(frozen=True)
class TierChoice:
    """How a tier is built: ``units`` of ``component``."""

    tier: str
    component: str
    units: int
    servers: int
    price: Decimal


@dataclass(frozen=True)
class YearReport:
    """One contract year: load, per-tier utilisation, response time and headroom.

    ``headroom`` is the factor by which the load could still grow before the first target
    breaks, minus one (0.25: 25 % more traffic fits).
    """

    year: int
    arrival_rate: float
    utilization: dict[str, float]
    response_time: float
    headroom: float


@dataclass(frozen=True)
class SizingResult:
    """The cheapest configuration, its total price, and how it fares year by year."""

    choices: tuple[TierChoice, ...]
    total_price: Decimal
    years: tuple[YearReport, ...]


def _sojourn_cdf(queue: QueueResult, t: np.ndarray) -> np.ndarray:
    """P(W ≤ t) for an M/M/c station, vectorised over ``t``."""
    mu, theta, c = queue.service_rate, queue.tail_rate, queue.probability_wait
    if abs(theta - mu) <= 1e-9 * mu:
        both = (1 + mu * t) * np.exp(-mu * t)
    else:
        both = (theta * np.exp(-mu * t) - mu * np.exp(-theta * t)) / (theta - mu)
    return np.asarray(1.0 - ((1 - c) * np.exp(-mu * t) + c * both))


def _p95(queues: Sequence[QueueResult]) -> float:
    """The 95th percentile of a sum of independent M/M/c sojourn times, by grid convolution."""
    if len(queues) == 1:
        return queues[0].response_percentile(0.95)
    horizon = sum(q.response_percentile(0.9999) for q in queues)
    step = horizon / GRID_POINTS
    edges = np.arange(GRID_POINTS + 1) * step
    size = 2 * GRID_POINTS * len(queues)
    spectrum = np.ones(size // 2 + 1, dtype=np.complex128)
    for queue in queues:
        cdf = _sojourn_cdf(queue, edges)
        mass = np.diff(cdf)
        # The cell's mass sits at its centre: mass[k] for the value (k + ½)·step.
        spectrum *= np.fft.rfft(mass, size)
    total = np.cumsum(np.fft.irfft(spectrum, size)[: len(queues) * GRID_POINTS])
    index = int(np.searchsorted(total, 0.95))
    return (index + len(queues) / 2) * step if index < len(total) else horizon


def chain_response(queues: Sequence[QueueResult], statistic: str) -> float:
    """The end-to-end response time in seconds of a request that passes every tier in turn.

    ``queues`` are the M/M/c tiers the request visits (independent sojourn times);
    ``statistic`` is ``"mean"`` (the sum of the tiers' mean sojourn times) or ``"p95"``
    (the 95th percentile of their sum, by grid convolution of the sojourn-time laws).
    Any other statistic raises :class:`CapacityError`.
    """
    if statistic == "mean":
        return sum(q.w for q in queues)
    if statistic == "p95":
        return _p95(queues)
    raise CapacityError(f"statistic: must be 'mean' or 'p95', not {statistic!r}")


def _check(workload: Workload, components: Sequence[Component], objective: Objective) -> list[str]:
    if isinstance(workload.peak_arrival_rate, bool) or not workload.peak_arrival_rate > 0:
        raise CapacityError("peak_arrival_rate: must be a positive number")
    if not math.isfinite(workload.growth_per_year) or workload.growth_per_year < 0:
        raise CapacityError("growth_per_year: must be a number ≥ 0")
    if isinstance(workload.years, bool) or not isinstance(workload.years, int) or workload.years < 1:
        raise CapacityError("years: must be a whole number ≥ 1")
    if not workload.service_demand:
        raise CapacityError("service_demand: at least one tier is needed")
    for tier, demand in workload.service_demand.items():
        if isinstance(demand, bool) or not isinstance(demand, int | float) or not demand > 0:
            raise CapacityError(f"service_demand[{tier}]: must be a positive number of seconds")
    if objective.statistic not in ("mean", "p95"):
        raise CapacityError(f"statistic: must be 'mean' or 'p95', not {objective.statistic!r}")
    if not objective.response_time > 0:
        raise CapacityError("response_time: must be a positive number of seconds")
    if not 0 < objective.max_utilization < 1:
        raise CapacityError("max_utilization: must be above 0 and below 1")
    for index, component in enumerate(components):
        where = f"components[{index}]"
        if component.tier not in workload.service_demand:
            raise CapacityError(f"{where}.tier: {component.tier!r} has no service demand in the workload")
        if Decimal(str(component.price)) < 0:
            raise CapacityError(f"{where}.price: must not be negative")
        for name in ("servers_per_unit", "max_units"):
            value = getattr(component, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise CapacityError(f"{where}.{name}: must be a whole number ≥ 1")
    tiers = list(workload.service_demand)
    for tier in tiers:
        if not any(c.tier == tier for c in components):
            raise CapacityError(f"components: none offered for tier {tier!r}")
    return tiers


def _feasible_options(
    tier: str, demand: float, rate: float, components: Sequence[Component], objective: Objective
) -> list[tuple[Decimal, float, Component, int, QueueResult]]:
    """(price, mean time, component, units, queue) meeting the utilisation cap at ``rate``, Pareto-pruned."""
    options = []
    for component in components:
        if component.tier != tier:
            continue
        for units in range(1, component.max_units + 1):
            servers = units * component.servers_per_unit
            if rate * demand / servers > objective.max_utilization:
                continue
            queue = mmc(rate, 1 / demand, servers)
            options.append((Decimal(str(component.price)) * units, queue.w, component, units, queue))
    options.sort(key=lambda option: (option[0], option[1]))
    front: list[tuple[Decimal, float, Component, int, QueueResult]] = []
    for option in options:
        if not front or option[1] < front[-1][1] - 1e-15:
            front.append(option)
    return front


def _headroom(queues: Sequence[QueueResult], objective: Objective) -> float:
    """How much more load (factor − 1) fits before a target breaks, by bisection on the load."""

    def meets(factor: float) -> bool:
        try:
            scaled = [mmc(q.arrival_rate * factor, q.service_rate, q.servers) for q in queues]
        except UnstableSystemError:
            return False
        if any(q.utilization > objective.max_utilization for q in scaled):
            return False
        return chain_response(scaled, objective.statistic) <= objective.response_time

    if not meets(1.0):
        return 0.0
    low, high = 1.0, 1.0 / max(q.utilization for q in queues)
    for _ in range(30):
        middle = (low + high) / 2
        low, high = (middle, high) if meets(middle) else (low, middle)
    return low - 1.0


def size_system(workload: Workload, components: Sequence[Component], objective: Objective) -> SizingResult:
    """The cheapest choice of component and unit count per tier meeting ``objective`` in every year.

    Raises CapacityError when no combination within the components' ``max_units`` does.
    """
    tiers = _check(workload, components, objective)
    rates = [workload.peak_arrival_rate * (1 + workload.growth_per_year) ** y for y in range(workload.years)]
    peak = max(rates)
    fronts = []
    for tier in tiers:
        front = _feasible_options(tier, workload.service_demand[tier], peak, components, objective)
        if not front:
            raise CapacityError(
                f"components: no option for tier {tier!r} keeps utilisation ≤ "
                f"{objective.max_utilization:g} at {peak:.4g} requests/s"
            )
        fronts.append(front)
    best = None
    for combination in sorted(itertools.product(*fronts), key=lambda combo: sum(o[0] for o in combo)):
        if objective.statistic == "p95" and any(
            o[4].response_percentile(0.95) > objective.response_time for o in combination
        ):
            continue  # the sum is at least each part: this one cannot meet the p95
        if chain_response([o[4] for o in combination], objective.statistic) <= objective.response_time:
            best = combination
            break
    if best is None:
        raise CapacityError(
            f"response_time: no configuration meets {objective.statistic} ≤ {objective.response_time:g} s "
            f"at {peak:.4g} requests/s; allow more units or faster components"
        )
    choices = tuple(
        TierChoice(
            tier=tier,
            component=option[2].name,
            units=option[3],
            servers=option[3] * option[2].servers_per_unit,
            price=option[0],
        )
        for tier, option in zip(tiers, best, strict=True)
    )
    reports = []
    for year, rate in enumerate(rates, start=1):
        queues = [mmc(rate, 1 / workload.service_demand[c.tier], c.servers) for c in choices]
        reports.append(
            YearReport(
                year=year,
                arrival_rate=rate,
                utilization={c.tier: q.utilization for c, q in zip(choices, queues, strict=True)},
                response_time=chain_response(queues, objective.statistic),
                headroom=_headroom(queues, objective),
            )
        )
    return SizingResult(
        choices=choices, total_price=sum((c.price for c in choices), Decimal(0)), years=tuple(reports)
    )
