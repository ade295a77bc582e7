"""Sizing from requirements: a workload, the requirements' targets and catalog data → a sized system.

A pure module (no Django). It reads three kinds of plain data:

- the **workload** a presales engineer enters on a solution version (JSON, see
  :data:`WORKLOAD_KEYS` and :func:`validate_workload`): peak load, the service demand of one
  request on each tier (seconds of one server's time, e.g. one CPU core), which catalog items
  may build each tier, the contract years;
- the **requirements' measurable targets** (:class:`salesdesk.deals.targets.Target` as dicts):
  ``peak_users``, ``throughput``, ``p95_response_seconds ≤ 2``, ``growth_per_year = 20 %``,
  ``availability ≥ 99.9 %``, ``contract_years``; a figure the workload leaves out is taken
  from them, and every figure says where it came from;
- **catalog items** (:class:`CatalogItem`): SKU, name, list price and numeric specs; a unit
  brings as many servers as its ``cores`` spec (or the tier's ``servers_spec``).

:func:`run_sizing` turns them into :func:`salesdesk.solutions.sizing.size_system`'s inputs, runs
it and returns a JSON-safe result with the cheapest configuration, the figures per contract
year, the load at which each target breaks, and the curves the charts draw
(:mod:`salesdesk.solutions.charts`). Problems are :class:`WorkloadError` naming the field.

The load model is the one of :mod:`salesdesk.solutions.sizing`: Poisson arrivals at the peak
rate, every request visits every tier once, M/M/c per tier, growth compounding yearly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from salesdesk.solutions.queueing import CapacityError, QueueResult, UnstableSystemError, mmc
from salesdesk.solutions.sizing import (
    Component,
    Objective,
    SizingResult,
    Workload,
    chain_response,
    size_system,
)

__all__ = [
    "DEFAULT_MAX_UNITS",
    "DEFAULT_YEARS",
    "WORKLOAD_KEYS",
    "CatalogItem",
    "RequirementTargets",
    "SizingInputs",
    "TargetFigure",
    "WorkloadError",
    "catalog_items",
    "requirement_targets",
    "run_sizing",
    "sizing_inputs",
    "validate_workload",
]

DEFAULT_YEARS = 3
DEFAULT_MAX_UNITS = 16
DEFAULT_MAX_UTILIZATION = 0.8
MAX_YEARS = 10
MAX_TIERS = 8
MAX_SKUS_PER_TIER = 12
MAX_UNITS = 200
CURVE_POINTS = 64
# availability ≥ this share asks for no single point of failure (N+1) on every tier.
REDUNDANCY_AVAILABILITY = 0.999

WORKLOAD_KEYS = (
    "peak_arrival_rate",
    "peak_users",
    "requests_per_user_per_minute",
    "growth_per_year",
    "years",
    "response_time",
    "statistic",
    "max_utilization",
    "tiers",
)
TIER_KEYS = ("name", "service_demand", "skus", "max_units", "servers_spec")

# Requirement metrics read as each figure (lower-case, as parse_target stores them).
USERS_METRICS = ("peak_users", "peak_concurrent_users", "concurrent_users", "users")
THROUGHPUT_METRICS = (
    "throughput",
    "peak_throughput",
    "requests_per_second",
    "peak_requests_per_second",
    "transactions_per_second",
)
P95_METRICS = ("p95_response_seconds", "p95_response_time", "response_time_p95", "p95_response_ms")
MEAN_METRICS = (
    "mean_response_seconds",
    "average_response_seconds",
    "response_time",
    "response_seconds",
    "mean_response_ms",
)
GROWTH_METRICS = ("growth_per_year", "annual_growth", "user_growth_per_year", "yearly_growth")
AVAILABILITY_METRICS = ("availability",)
YEARS_METRICS = ("contract_years", "contract_term_years")


FIGURE_LABELS = {
    "peak_users": "Peak users",
    "throughput": "Throughput (requests/s)",
    "p95_response": "95th percentile response time (s)",
    "mean_response": "Mean response time (s)",
    "growth_per_year": "Growth per year",
    "availability": "Availability",
    "contract_years": "Contract years",
}


class WorkloadError(ValueError):
    """A workload that cannot be sized; ``field`` names the input (``tiers[1].service_demand``)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class CatalogItem:
    """What sizing needs of a catalog product: its SKU, name, list price and numeric specs."""

    sku: str
    name: str
    price: Decimal
    specs: Mapping[str, Decimal] = field(default_factory=dict)
    currency: str = "EUR"
    lifecycle: str = "available"


@dataclass(frozen=True)
class TargetFigure:
    """One figure read from a requirement: the value in base units and where it came from."""

    value: float
    reference: str
    text: str


@dataclass(frozen=True)
class RequirementTargets:
    """The sizing figures the requirements state (the most demanding one where several do)."""

    peak_users: TargetFigure | None = None
    throughput: TargetFigure | None = None
    p95_response: TargetFigure | None = None
    mean_response: TargetFigure | None = None
    growth_per_year: TargetFigure | None = None
    availability: TargetFigure | None = None
    contract_years: TargetFigure | None = None

    def as_list(self) -> list[dict[str, Any]]:
        """[{figure, label, value, reference, text}] for the figures found, in a stable order."""
        rows = []
        for name in (
            "peak_users",
            "throughput",
            "p95_response",
            "mean_response",
            "growth_per_year",
            "availability",
            "contract_years",
        ):
            figure = getattr(self, name)
            if figure is not None:
                rows.append(
                    {
                        "figure": name,
                        "label": FIGURE_LABELS[name],
                        "value": figure.value,
                        "reference": figure.reference,
                        "text": figure.text,
                    }
                )
        return rows


@dataclass(frozen=True)
class SizingInputs:
    """What :func:`sizing.size_system` needs, with the sentences that say where each figure came from."""

    workload: Workload
    components: list[Component]
    objective: Objective
    assumptions: list[str]
    skus: dict[str, CatalogItem]
    redundancy: bool


# --- reading the requirements' targets -----------------------------------------------------------


def _number(value: object) -> float | None:
    try:
        number = float(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if math.isfinite(number) else None


def _seconds(value: float, unit: str, metric: str) -> float:
    unit = unit.strip().lower()
    if metric.endswith("_ms") or unit in ("ms", "millisecond", "milliseconds"):
        return value / 1000
    if unit in ("min", "minute", "minutes"):
        return value * 60
    return value


def _share(value: float, unit: str) -> float:
    """20 % or 20 → 0.2; 0.2 stays 0.2."""
    return value / 100 if unit.strip() == "%" or value > 1 else value


def _per_second(value: float, unit: str) -> float:
    unit = unit.strip().lower().replace(" ", "")
    if unit.endswith(("/min", "perminute", "/minute")):
        return value / 60
    if unit.endswith(("/h", "/hour", "perhour", "/hr")):
        return value / 3600
    return value


def requirement_targets(requirements: Iterable[Mapping[str, Any]]) -> RequirementTargets:
    """The sizing figures in ``requirements`` (dicts with "reference" and "targets", as
    ``Target.as_dict()``); where several requirements state one figure the most demanding wins
    (most users, shortest response, fastest growth, highest availability, longest contract).
    """
    found: dict[str, TargetFigure] = {}

    def offer(name: str, value: float, reference: str, text: str, *, lowest: bool = False) -> None:
        current = found.get(name)
        if current is None or (value < current.value if lowest else value > current.value):
            found[name] = TargetFigure(value=value, reference=reference, text=text)

    for requirement in requirements:
        reference = str(requirement.get("reference", ""))
        for target in requirement.get("targets") or []:
            metric = str(target.get("metric", "")).lower()
            value = _number(target.get("value"))
            unit = str(target.get("unit", "") or "")
            if value is None or value < 0:
                continue
            operator = str(target.get("operator", "="))
            text = f"{metric} {operator} {target.get('value')} {unit}".strip()
            if metric in USERS_METRICS:
                offer("peak_users", value, reference, text)
            elif metric in THROUGHPUT_METRICS:
                offer("throughput", _per_second(value, unit), reference, text)
            elif metric in P95_METRICS and value > 0:
                offer("p95_response", _seconds(value, unit, metric), reference, text, lowest=True)
            elif metric in MEAN_METRICS and value > 0:
                offer("mean_response", _seconds(value, unit, metric), reference, text, lowest=True)
            elif metric in GROWTH_METRICS:
                offer("growth_per_year", _share(value, unit), reference, text)
            elif metric in AVAILABILITY_METRICS:
                offer("availability", _share(value, unit), reference, text)
            elif metric in YEARS_METRICS and value >= 1:
                offer("contract_years", value, reference, text)
    return RequirementTargets(**found)


# --- the workload JSON ---------------------------------------------------------------------------------


def _optional_number(
    data: Mapping[str, Any],
    key: str,
    *,
    minimum: float = 0.0,
    strict: bool = True,
    maximum: float | None = None,
    where: str = "",
) -> float | None:
    raw = data.get(key)
    name = f"{where}.{key}" if where else key
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise WorkloadError(name, "must be a number")
    value = _number(raw)
    if value is None:
        raise WorkloadError(name, "must be a number")
    if (strict and not value > minimum) or (not strict and value < minimum):
        raise WorkloadError(name, f"must be {'above' if strict else 'at least'} {minimum:g}")
    if maximum is not None and value > maximum:
        raise WorkloadError(name, f"must be at most {maximum:g}")
    return value


def _whole(raw: object, where: str, *, minimum: int, maximum: int) -> int:
    if isinstance(raw, bool):
        raise WorkloadError(where, "must be a whole number")
    value = _number(raw)
    if value is None or value != int(value):
        raise WorkloadError(where, "must be a whole number")
    if not minimum <= value <= maximum:
        raise WorkloadError(where, f"must be between {minimum} and {maximum}")
    return int(value)


def validate_workload(data: Mapping[str, Any]) -> dict[str, Any]:
    """A cleaned copy of a workload (numbers as numbers, defaults filled); WorkloadError names the field.

    Figures the requirements can give (peak users, response time, growth, years) may be left
    out; :func:`sizing_inputs` says which are missing once it knows the targets.
    """
    if not isinstance(data, Mapping):
        raise WorkloadError("workload", "must be an object")
    unknown = sorted(set(data) - set(WORKLOAD_KEYS))
    if unknown:
        raise WorkloadError(
            unknown[0], f"is not a workload field (expected one of {', '.join(WORKLOAD_KEYS)})"
        )
    clean: dict[str, Any] = {
        "peak_arrival_rate": _optional_number(data, "peak_arrival_rate"),
        "peak_users": _optional_number(data, "peak_users"),
        "requests_per_user_per_minute": _optional_number(data, "requests_per_user_per_minute"),
        "growth_per_year": _optional_number(data, "growth_per_year", strict=False, maximum=10.0),
        "response_time": _optional_number(data, "response_time"),
    }
    years = data.get("years")
    clean["years"] = None if years in (None, "") else _whole(years, "years", minimum=1, maximum=MAX_YEARS)
    statistic = data.get("statistic") or "p95"
    if statistic not in ("p95", "mean"):
        raise WorkloadError("statistic", "must be 'p95' or 'mean'")
    clean["statistic"] = statistic
    cap = _optional_number(data, "max_utilization")
    if cap is not None and not cap < 1:
        raise WorkloadError("max_utilization", "must be above 0 and below 1 (0.8 is 80 %)")
    clean["max_utilization"] = cap if cap is not None else DEFAULT_MAX_UTILIZATION
    tiers = data.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        raise WorkloadError("tiers", "give at least one tier with its service demand and catalog items")
    if len(tiers) > MAX_TIERS:
        raise WorkloadError("tiers", f"at most {MAX_TIERS} tiers")
    clean_tiers = []
    names: set[str] = set()
    for index, tier in enumerate(tiers):
        where = f"tiers[{index}]"
        if not isinstance(tier, Mapping):
            raise WorkloadError(where, "must be an object")
        extra = sorted(set(tier) - set(TIER_KEYS))
        if extra:
            raise WorkloadError(f"{where}.{extra[0]}", "is not a tier field")
        name = str(tier.get("name") or "").strip()
        if not name:
            raise WorkloadError(f"{where}.name", "give the tier a name, e.g. web or database")
        if len(name) > 40:
            raise WorkloadError(f"{where}.name", "at most 40 characters")
        if name in names:
            raise WorkloadError(f"{where}.name", f"{name!r} is used twice")
        names.add(name)
        demand = _optional_number(tier, "service_demand", where=where)
        if demand is None:
            raise WorkloadError(
                f"{where}.service_demand", "give the seconds of server time one request needs"
            )
        if demand > 3600:
            raise WorkloadError(f"{where}.service_demand", "must be at most 3600 seconds")
        skus = tier.get("skus")
        if isinstance(skus, str):
            skus = [s for s in (part.strip() for part in skus.replace(";", ",").split(",")) if s]
        if not isinstance(skus, list) or not skus or not all(isinstance(s, str) and s.strip() for s in skus):
            raise WorkloadError(
                f"{where}.skus", "name at least one catalog item (SKU) that can build this tier"
            )
        if len(skus) > MAX_SKUS_PER_TIER:
            raise WorkloadError(f"{where}.skus", f"at most {MAX_SKUS_PER_TIER} catalog items per tier")
        max_units = tier.get("max_units")
        clean_tiers.append(
            {
                "name": name,
                "service_demand": demand,
                "skus": list(dict.fromkeys(s.strip() for s in skus)),
                "max_units": DEFAULT_MAX_UNITS
                if max_units in (None, "")
                else _whole(max_units, f"{where}.max_units", minimum=1, maximum=MAX_UNITS),
                "servers_spec": str(tier.get("servers_spec") or "cores"),
            }
        )
    clean["tiers"] = clean_tiers
    return clean


# --- from workload + targets + catalog to the engine's inputs ---------------------------------------


def _percent(share: float) -> str:
    return f"{share * 100:.4g} %"


def sizing_inputs(
    workload: Mapping[str, Any], targets: RequirementTargets, catalog: Mapping[str, CatalogItem]
) -> SizingInputs:
    """The engine's Workload, Components and Objective, and sentences saying where each figure came from."""
    data = validate_workload(workload)
    notes: list[str] = []

    def source(figure: TargetFigure) -> str:
        return (
            f"requirement {figure.reference} ({figure.text})" if figure.reference else f"target {figure.text}"
        )

    # Load: given, or users × requests per user, or the throughput target; the higher of a
    # derived figure and a throughput target, because the requirement asks for that much.
    users = data["peak_users"]
    users_from = "the workload"
    if users is None and targets.peak_users is not None:
        users, users_from = targets.peak_users.value, source(targets.peak_users)
    rate = data["peak_arrival_rate"]
    if rate is not None:
        notes.append(f"Peak load {rate:.4g} requests/s in year 1, as entered.")
    elif users is not None and data["requests_per_user_per_minute"] is not None:
        rate = users * data["requests_per_user_per_minute"] / 60
        notes.append(
            f"Peak load {rate:.4g} requests/s in year 1: {users:,.0f} concurrent users (from {users_from}) "
            f"× {data['requests_per_user_per_minute']:g} requests per user per minute."
        )
    if targets.throughput is not None and (rate is None or targets.throughput.value > rate):
        if rate is not None:
            notes.append(
                f"Raised to {targets.throughput.value:.4g} requests/s, the throughput "
                f"{source(targets.throughput)} asks for."
            )
        else:
            notes.append(
                f"Peak load {targets.throughput.value:.4g} requests/s from {source(targets.throughput)}."
            )
        rate = targets.throughput.value
    if rate is None:
        if users is not None:
            raise WorkloadError(
                "requests_per_user_per_minute",
                f"give how many requests one of the {users:,.0f} peak users sends per minute",
            )
        raise WorkloadError(
            "peak_arrival_rate",
            "give the peak requests per second, or peak users with requests per user per minute "
            "(no peak_users or throughput target found in the requirements)",
        )

    growth = data["growth_per_year"]
    if growth is not None:
        notes.append(f"Growth {_percent(growth)} a year, as entered.")
    elif targets.growth_per_year is not None:
        growth = targets.growth_per_year.value
        notes.append(f"Growth {_percent(growth)} a year from {source(targets.growth_per_year)}.")
    else:
        growth = 0.0
        notes.append("No growth assumed: neither the workload nor the requirements give a growth_per_year.")

    years = data["years"]
    if years is None and targets.contract_years is not None:
        years = max(1, min(MAX_YEARS, round(targets.contract_years.value)))
        notes.append(f"{years} contract years from {source(targets.contract_years)}.")
    elif years is None:
        years = DEFAULT_YEARS
        notes.append(f"{years} contract years (the default; no contract_years target).")
    else:
        notes.append(f"{years} contract years, as entered.")

    statistic = data["statistic"]
    response = data["response_time"]
    if response is not None:
        notes.append(f"Target: {statistic} response time ≤ {response:g} s, as entered.")
    else:
        figure = targets.p95_response if statistic == "p95" else targets.mean_response
        other = targets.mean_response if statistic == "p95" else targets.p95_response
        if figure is None and other is not None:
            figure, statistic = other, ("mean" if statistic == "p95" else "p95")
        if figure is None:
            raise WorkloadError(
                "response_time",
                "give the response-time target in seconds (no p95_response_seconds or "
                "mean_response_seconds target found in the requirements)",
            )
        response = figure.value
        notes.append(f"Target: {statistic} response time ≤ {response:g} s from {source(figure)}.")
    notes.append(
        f"Every tier stays at or below {_percent(data['max_utilization'])} utilisation, so that peaks "
        "within the peak hour and failures have room."
    )

    redundancy = targets.availability is not None and targets.availability.value >= REDUNDANCY_AVAILABILITY
    if redundancy and targets.availability is not None:
        notes.append(
            f"Availability {_percent(targets.availability.value)} ({source(targets.availability)}): every "
            "tier "
            "needs at least two units, so that losing one does not stop the service."
        )

    components: list[Component] = []
    used: dict[str, CatalogItem] = {}
    demands: dict[str, float] = {}
    for index, tier in enumerate(data["tiers"]):
        demands[tier["name"]] = tier["service_demand"]
        if redundancy and tier["max_units"] < 2:
            raise WorkloadError(
                f"tiers[{index}].max_units", "the availability target needs at least two units per tier"
            )
        for sku in tier["skus"]:
            item = catalog.get(sku)
            if item is None:
                raise WorkloadError(
                    f"tiers[{index}].skus", f"{sku!r} is not a catalog item of this solution or the catalog"
                )
            spec = item.specs.get(tier["servers_spec"])
            servers = int(spec) if spec is not None and int(spec) >= 1 else 1
            used[sku] = item
            components.append(
                Component(
                    tier=tier["name"],
                    name=sku,
                    price=Decimal(item.price),
                    servers_per_unit=servers,
                    max_units=tier["max_units"],
                )
            )
        notes.append(
            f"Tier {tier['name']}: {tier['service_demand'] * 1000:.4g} ms of one server's time per request; "
            f"built from {', '.join(tier['skus'])} (servers per unit from the {tier['servers_spec']!r} spec, "
            f"else 1), at most {tier['max_units']} units."
        )
    notes.append(
        "Model: requests arrive at random (Poisson) at the peak rate and visit every tier once; each tier "
        "is an M/M/c queue (Erlang C); the p95 of the end-to-end time is that of the sum of the tiers' times."
    )
    return SizingInputs(
        workload=Workload(
            peak_arrival_rate=rate, service_demand=demands, growth_per_year=growth, years=years
        ),
        components=components,
        objective=Objective(
            response_time=response, statistic=statistic, max_utilization=data["max_utilization"]
        ),
        assumptions=notes,
        skus=used,
        redundancy=redundancy,
    )


# --- running it --------------------------------------------------------------------------------------------


def _queues(rate: float, demands: Mapping[str, float], servers: Mapping[str, int]) -> list[QueueResult]:
    return [mmc(rate, 1 / demands[tier], servers[tier]) for tier in demands]


def _response_at(
    rate: float, demands: Mapping[str, float], servers: Mapping[str, int], statistic: str
) -> float:
    return chain_response(_queues(rate, demands, servers), statistic)


def _rate_meeting_target(
    demands: Mapping[str, float], servers: Mapping[str, int], objective: Objective, saturation: float
) -> float:
    """The highest arrival rate at which the response-time target still holds (bisection)."""
    low, high = 0.0, saturation * (1 - 1e-9)
    try:
        if _response_at(high * 0.999, demands, servers, objective.statistic) <= objective.response_time:
            return high * 0.999
    except UnstableSystemError:  # pragma: no cover - below saturation by construction
        pass
    for _ in range(50):
        middle = (low + high) / 2
        if middle <= 0:
            break
        ok = _response_at(middle, demands, servers, objective.statistic) <= objective.response_time
        low, high = (middle, high) if ok else (low, middle)
    return low


def _curve(
    demands: Mapping[str, float], servers: Mapping[str, int], statistic: str, saturation: float
) -> list[dict[str, Any]]:
    """Response time and utilisation per tier from light load to 99.8 % of the bottleneck's capacity."""
    points = []
    for index in range(CURVE_POINTS):
        # Denser near saturation, where the hockey stick bends.
        fraction = 0.02 + 0.978 * (1 - (1 - index / (CURVE_POINTS - 1)) ** 2.5)
        rate = saturation * fraction
        points.append(
            {
                "arrival_rate": rate,
                "response_time": _response_at(rate, demands, servers, statistic),
                "utilization": {tier: rate * demands[tier] / servers[tier] for tier in demands},
            }
        )
    return points


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _result(inputs: SizingInputs, sized: SizingResult, targets: RequirementTargets) -> dict[str, Any]:
    objective = inputs.objective
    demands = dict(inputs.workload.service_demand)
    servers = {choice.tier: choice.servers for choice in sized.choices}
    saturation = min(servers[tier] / demands[tier] for tier in demands)
    target_rate = _rate_meeting_target(demands, servers, objective, saturation)
    utilisation_rate = objective.max_utilization * saturation
    currency = next((item.currency for item in inputs.skus.values()), "EUR")
    single_points = [choice.tier for choice in sized.choices if choice.units < 2]
    choices = []
    for choice in sized.choices:
        item = inputs.skus[choice.component]
        choices.append(
            {
                "tier": choice.tier,
                "sku": item.sku,
                "name": item.name,
                "units": choice.units,
                "servers": choice.servers,
                "servers_per_unit": choice.servers // choice.units,
                "unit_price": _money(Decimal(item.price)),
                "price": _money(choice.price),
                "lifecycle": item.lifecycle,
            }
        )
    years = [
        {
            "year": report.year,
            "arrival_rate": report.arrival_rate,
            "utilization": report.utilization,
            "response_time": report.response_time,
            "headroom": report.headroom,
            "meets": report.response_time <= objective.response_time
            and all(u <= objective.max_utilization + 1e-12 for u in report.utilization.values()),
        }
        for report in sized.years
    ]
    return {
        "ok": True,
        "error": None,
        "error_field": None,
        "currency": currency,
        "objective": {
            "statistic": objective.statistic,
            "response_time": objective.response_time,
            "max_utilization": objective.max_utilization,
        },
        "inputs": {
            "peak_arrival_rate": inputs.workload.peak_arrival_rate,
            "growth_per_year": inputs.workload.growth_per_year,
            "years": inputs.workload.years,
            "service_demand": demands,
        },
        "choices": choices,
        "total_price": _money(sized.total_price),
        "years": years,
        "capacity": {
            "saturation_rate": saturation,
            "target_rate": target_rate,
            "utilization_rate": utilisation_rate,
            "limit_rate": min(target_rate, utilisation_rate),
        },
        "curve": _curve(demands, servers, objective.statistic, saturation),
        "assumptions": list(inputs.assumptions),
        "targets": targets.as_list(),
        "redundancy": {
            "required": inputs.redundancy,
            "single_points_of_failure": single_points,
            "met": not (inputs.redundancy and single_points),
        },
    }


def _with_redundancy(inputs: SizingInputs) -> list[Component]:
    """The same components, but never a single unit: one option per count n = 2 … max_units.

    ``sizing.size_system`` counts units from one; offering "n units of SKU" as one unit of a
    component ``SKU×n`` (n times the price and the servers, at most one) keeps its exact search
    while leaving out the single unit.
    """
    components: list[Component] = []
    for component in inputs.components:
        for count in range(2, component.max_units + 1):
            components.append(
                Component(
                    tier=component.tier,
                    name=f"{component.name}\u00d7{count}",
                    price=Decimal(str(component.price)) * count,
                    servers_per_unit=component.servers_per_unit * count,
                    max_units=1,
                )
            )
    return components


def _ungroup(sized: SizingResult) -> SizingResult:
    """Turn "SKU×6, one unit" back into "SKU, 6 units"."""
    from dataclasses import replace

    choices = []
    for choice in sized.choices:
        sku, _, group = choice.component.rpartition("\u00d7")
        if sku and group.isdigit():
            choices.append(replace(choice, component=sku, units=choice.units * int(group)))
        else:
            choices.append(choice)
    return replace(sized, choices=tuple(choices))


def run_sizing(
    workload: Mapping[str, Any],
    requirements: Iterable[Mapping[str, Any]] | RequirementTargets,
    catalog: Mapping[str, CatalogItem],
) -> dict[str, Any]:
    """Size the system and return a JSON-safe result (stored on the solution version).

    A workload mistake raises WorkloadError (the form shows it on the field). A workload that
    is valid but cannot be met by the catalog items within their unit limits returns
    ``{"ok": False, "error": "...", ...}`` with the inputs and assumptions, so the page and the
    report can say why.
    """
    targets = (
        requirements if isinstance(requirements, RequirementTargets) else requirement_targets(requirements)
    )
    inputs = sizing_inputs(workload, targets, catalog)
    components = _with_redundancy(inputs) if inputs.redundancy else inputs.components
    try:
        sized = size_system(inputs.workload, components, inputs.objective)
    except CapacityError as exc:
        message = str(exc)
        field_name, _, text = message.partition(": ")
        return {
            "ok": False,
            "error": text or message,
            "error_field": field_name if text else None,
            "objective": {
                "statistic": inputs.objective.statistic,
                "response_time": inputs.objective.response_time,
                "max_utilization": inputs.objective.max_utilization,
            },
            "inputs": {
                "peak_arrival_rate": inputs.workload.peak_arrival_rate,
                "growth_per_year": inputs.workload.growth_per_year,
                "years": inputs.workload.years,
                "service_demand": dict(inputs.workload.service_demand),
            },
            "assumptions": list(inputs.assumptions),
            "targets": targets.as_list(),
        }
    if inputs.redundancy:
        sized = _ungroup(sized)
    return _result(inputs, sized, targets)


def catalog_items(rows: Sequence[Mapping[str, Any]]) -> dict[str, CatalogItem]:
    """CatalogItems keyed by SKU from plain dicts {sku, name, price, specs, currency, lifecycle}."""
    items = {}
    for row in rows:
        specs = {
            str(k): Decimal(str(v)) for k, v in (row.get("specs") or {}).items() if _number(v) is not None
        }
        items[str(row["sku"])] = CatalogItem(
            sku=str(row["sku"]),
            name=str(row.get("name") or row["sku"]),
            price=Decimal(str(row.get("price") or "0")),
            specs=specs,
            currency=str(row.get("currency") or "EUR"),
            lifecycle=str(row.get("lifecycle") or "available"),
        )
    return items
