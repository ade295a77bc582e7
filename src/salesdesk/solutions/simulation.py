"""Discrete-event simulation of open networks of FCFS multi-server stations, fast and exact.

A pure engine (NumPy, no Django). Requests arrive as a Poisson stream and visit every
station once, in order; each station has ``servers`` identical servers serving in
first-come-first-served order with any service-time distribution (exponential,
deterministic, lognormal, empirical).

Speed without approximation. The simulation is not event-driven: for FCFS stations the
start times follow from the arrival and service times alone.
- One server: Lindley's recursion D_n = max(A_n, D_{n−1}) + S_n is a max-plus recursion with
  the closed form D = C + maximum.accumulate(A − C_prev), C = cumsum(S) (Baccelli, Cohen,
  Olsder & Quadrat, *Synchronization and Linearity*, Wiley 1992, ch. 7), one NumPy pass.
- c servers: the Kiefer–Wolfowitz recursion (Kiefer & Wolfowitz, "On the theory of queues
  with many servers", Trans. AMS 78, 1955): the n-th arrival starts at max(A_n, earliest
  free server) and makes that server free at start + S_n. A C-implemented heap of the other
  c − 1 free times (``heapq.heappushpop``) keeps the loop to a few operations per request.
Both give the same start times an event-driven FCFS model gives (the tests compare them
with SimPy request by request).

Losses stay exact in the same single pass (:func:`fcfs_with_losses`, a plain Python loop,
used only at stations that need it): a request arriving to a full queue (``queue_capacity``
waiting places) is blocked, and one whose server would free up later than its patience
abandons. Priority classes break first-come-first-served and are refused (CapacityError
naming the feature); they would need an event-driven model.

Statistics: requests arriving before ``warmup`` are simulated but not measured; every
request arriving before ``duration`` is followed to completion. Utilisation is the busy
time of the servers inside [warmup, duration] over c·(duration − warmup). Replications use
independent streams from ``numpy.random.SeedSequence(seed).spawn``; a 95 % confidence
interval across replications uses Student's t (Law, *Simulation Modeling and Analysis*,
5th ed., 2015, §9.4, the method of independent replications).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from salesdesk.solutions.queueing import CapacityError, UnstableSystemError

__all__ = [
    "DISTRIBUTIONS",
    "Distribution",
    "NetworkModel",
    "ResponseStatistics",
    "SimulationResult",
    "SimulationStation",
    "StationStatistics",
    "fcfs_start_times",
    "fcfs_with_losses",
    "model_from_dict",
    "simulate",
]

DISTRIBUTIONS = ("exponential", "deterministic", "lognormal", "empirical")
MAX_SERVERS = 100_000  # a heap per station; far beyond any tier we size
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Distribution:
    """A distribution of non-negative times (seconds): build it with one of the classmethods."""

    kind: str
    mean: float
    sigma: float = 0.0  # lognormal: the standard deviation of log(X)
    values: tuple[float, ...] = ()  # empirical: the observed values, sampled with replacement

    @classmethod
    def exponential(cls, mean: float) -> Distribution:
        """Exponential with the given mean (squared coefficient of variation 1)."""
        return cls("exponential", _positive("mean", mean))

    @classmethod
    def deterministic(cls, value: float) -> Distribution:
        """Always ``value`` (squared coefficient of variation 0)."""
        return cls("deterministic", _positive("mean", value))

    @classmethod
    def lognormal(cls, mean: float, *, cv: float | None = None, sigma: float | None = None) -> Distribution:
        """Lognormal with the given mean and either its coefficient of variation or the sigma of log(X).

        σ² = ln(1 + cv²), μ = ln(mean) − σ²/2, so that E[X] = mean exactly.
        """
        m = _positive("mean", mean)
        if (cv is None) == (sigma is None):
            raise CapacityError("lognormal: give exactly one of cv and sigma")
        s = math.sqrt(math.log1p(_positive("cv", cv) ** 2)) if cv is not None else _positive("sigma", sigma)
        return cls("lognormal", m, sigma=s)

    @classmethod
    def empirical(cls, values: Sequence[float]) -> Distribution:
        """The observed ``values``, sampled with replacement; the mean is theirs."""
        if len(values) == 0:
            raise CapacityError("values: at least one value is needed")
        checked = tuple(_non_negative(f"values[{i}]", v) for i, v in enumerate(values))
        mean = math.fsum(checked) / len(checked)
        if mean <= 0:
            raise CapacityError("values: at least one value must be positive")
        return cls("empirical", mean, values=checked)

    @property
    def scv(self) -> float:
        """Squared coefficient of variation Var[X]/E[X]², for analytic approximations."""
        if self.kind == "exponential":
            return 1.0
        if self.kind == "deterministic":
            return 0.0
        if self.kind == "lognormal":
            return math.expm1(self.sigma**2)
        values = np.asarray(self.values)
        return float(values.var() / values.mean() ** 2)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` independent draws."""
        if self.kind == "exponential":
            return rng.exponential(self.mean, size)
        if self.kind == "deterministic":
            return np.full(size, self.mean)
        if self.kind == "lognormal":
            return rng.lognormal(math.log(self.mean) - self.sigma**2 / 2, self.sigma, size)
        if self.kind == "empirical":
            return np.asarray(self.values, dtype=np.float64)[rng.integers(0, len(self.values), size)]
        raise CapacityError(
            f"distribution: unknown kind {self.kind!r}; use one of {', '.join(DISTRIBUTIONS)}"
        )


@dataclass(frozen=True)
class SimulationStation:
    """A station: ``servers`` FCFS servers with the given service-time distribution.

    ``queue_capacity`` limits the waiting places (None: unlimited; 0: no queue, Erlang B);
    ``patience`` is how long a request waits before it abandons (None: forever).
    ``priorities`` is not supported: setting it makes :func:`simulate` refuse the model.
    """

    name: str
    servers: int
    service: Distribution
    priorities: bool = False
    queue_capacity: int | None = None
    patience: Distribution | None = None


@dataclass(frozen=True)
class NetworkModel:
    """Poisson arrivals at ``arrival_rate`` per second through ``stations`` in order."""

    arrival_rate: float
    stations: tuple[SimulationStation, ...]
    duration: float
    warmup: float = 0.0
    replications: int = 5


@dataclass(frozen=True)
class StationStatistics:
    """Measured figures of one station; ci95 = (low, high) over replications.

    Waits exclude service and count the requests the station served (abandoned and blocked
    requests are counted in ``abandoned`` and ``blocked``, shares of those that reached it).
    """

    name: str
    utilization: float
    mean_wait: float
    probability_wait: float
    wait_p90: float
    wait_p95: float
    ci95_mean_wait: tuple[float, float]
    ci95_utilization: tuple[float, float]
    abandoned: float = 0.0  # share of the requests reaching the station that gave up waiting
    blocked: float = 0.0  # share turned away because the queue was full


@dataclass(frozen=True)
class ResponseStatistics:
    """End-to-end response time (arrival to leaving the last station), including service."""

    mean: float
    p50: float
    p90: float
    p95: float
    p99: float
    ci95_mean: tuple[float, float]


@dataclass(frozen=True)
class SimulationResult:
    """Figures pooled over the replications.

    ``requests`` counts the measured requests (arriving after the warm-up, all replications);
    the response time covers those that got through every station.
    """

    stations: tuple[StationStatistics, ...]
    response_time: ResponseStatistics
    requests: int
    replications: int
    per_replication_mean_wait: dict[str, tuple[float, ...]] = field(default_factory=dict)


def _positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CapacityError(f"{name}: must be a positive number")
    if value <= 0:
        raise CapacityError(f"{name}: must be a positive number, not {value:g}")
    return float(value)


def _non_negative(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CapacityError(f"{name}: must be a number ≥ 0")
    if value < 0:
        raise CapacityError(f"{name}: must be a number ≥ 0, not {value:g}")
    return float(value)


def fcfs_start_times(arrivals: FloatArray, services: FloatArray, servers: int) -> FloatArray:
    """Service start times at an FCFS station with ``servers`` servers, arrivals sorted ascending.

    c = 1: B = max(A, D_prev) in closed form, B_n = C_{n−1} + max_{k≤n}(A_k − C_{k−1}) with
    C = cumsum(S) (max-plus Lindley recursion). c > 1: Kiefer–Wolfowitz, one heap step per
    request: start = max(A_n, earliest free), then that server is free at start + S_n.
    """
    if servers < 1:
        raise CapacityError(f"servers: must be at least 1, not {servers}")
    n = len(arrivals)
    if n == 0:
        return np.empty(0)
    if servers == 1:
        before = np.empty(n)
        before[0] = 0.0
        np.cumsum(services[:-1], out=before[1:])
        single = before + np.maximum.accumulate(arrivals - before)
        # before + (A − before) may miss A by an ulp: snap such requests to "no wait".
        tolerance = 8 * np.finfo(np.float64).eps * np.maximum(np.abs(before), np.abs(arrivals))
        return np.where(single - arrivals <= tolerance, arrivals, single)
    # The earliest free time is kept outside the heap; the heap holds the other c − 1.
    others = [0.0] * (servers - 1)
    pushpop = heapq.heappushpop
    starts: list[float] = []
    record = starts.append
    earliest = 0.0
    for arrival, service in zip(arrivals.tolist(), services.tolist(), strict=True):
        start = arrival if arrival > earliest else earliest
        record(start)
        earliest = pushpop(others, start + service)
    return np.asarray(starts, dtype=np.float64)


def _check_model(model: NetworkModel) -> None:
    _positive("arrival.rate", model.arrival_rate)
    duration = _positive("duration", model.duration)
    warmup = _non_negative("warmup", model.warmup)
    if warmup >= duration:
        raise CapacityError(f"warmup: must be shorter than duration ({warmup:g} ≥ {duration:g})")
    replications = model.replications
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 2:
        raise CapacityError("replications: must be a whole number ≥ 2 (confidence intervals need two)")
    if not model.stations:
        raise CapacityError("stations: at least one station is needed")
    seen: set[str] = set()
    for index, station in enumerate(model.stations):
        where = f"stations[{index}]"
        if not isinstance(station.name, str) or not station.name:
            raise CapacityError(f"{where}.name: must be a non-empty string")
        if station.name in seen:
            raise CapacityError(f"{where}.name: duplicate station name {station.name!r}")
        seen.add(station.name)
        if station.priorities:
            raise CapacityError(
                f"{where}.priorities: priority classes are not supported by the fast simulator"
            )
        capacity = station.queue_capacity
        if capacity is not None and (
            isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0
        ):
            raise CapacityError(f"{where}.queue_capacity: must be a whole number ≥ 0 (waiting places)")
        patience = station.patience
        if patience is not None and (
            not isinstance(patience, Distribution)
            or patience.kind not in DISTRIBUTIONS
            or not patience.mean > 0
        ):
            raise CapacityError(f"{where}.patience: must be a distribution with a positive mean")
        servers = station.servers
        if isinstance(servers, bool) or not isinstance(servers, int) or not 1 <= servers <= MAX_SERVERS:
            raise CapacityError(f"{where}.servers: must be a whole number from 1 to {MAX_SERVERS:,}")
        service = station.service
        if not isinstance(service, Distribution) or service.kind not in DISTRIBUTIONS:
            raise CapacityError(f"{where}.service: must be one of {', '.join(DISTRIBUTIONS)}")
        if not (math.isfinite(service.mean) and service.mean > 0):
            raise CapacityError(f"{where}.service.mean: must be a positive number")
        load = model.arrival_rate * station.service.mean
        # A station that loses requests is always stable. Others are checked at the full
        # arrival rate, even behind a lossy station (conservative).
        if capacity is None and patience is None and load >= servers:
            raise UnstableSystemError(
                f"unstable: {where} ({station.name}) has offered load {load:.4g} erlangs on {servers} "
                f"server{'s' if servers != 1 else ''} (utilisation {100 * load / servers:.4g} %)"
            )


def _poisson_arrivals(rng: np.random.Generator, rate: float, duration: float) -> FloatArray:
    """Arrival times of a Poisson process on [0, duration): cumulated exponential gaps."""
    if rate < 1e-300:  # 1/rate would overflow
        raise CapacityError("arrival.rate: too small to simulate")
    expected = rate * duration
    size = int(expected + 6 * math.sqrt(expected) + 16)
    times = np.cumsum(rng.exponential(1 / rate, size))
    while times[-1] < duration:  # rare: draw more gaps
        more = np.cumsum(rng.exponential(1 / rate, size)) + times[-1]
        times = np.concatenate([times, more])
    return times[: np.searchsorted(times, duration)]


SERVED, ABANDONED, BLOCKED = 0, 1, 2


def fcfs_with_losses(
    arrivals: FloatArray,
    services: FloatArray,
    servers: int,
    *,
    patience: FloatArray | None = None,
    queue_capacity: int | None = None,
) -> tuple[FloatArray, NDArray[np.int8]]:
    """Start times and outcomes (SERVED, ABANDONED, BLOCKED) at an FCFS station that loses requests.

    Still exact and sequential in arrival order, one step per request: a request finding all
    servers busy and ``queue_capacity`` others waiting is blocked; one whose server would
    free up later than its ``patience`` abandons (it never takes a server, but holds its
    waiting place until it leaves). Served requests start at max(A_n, earliest free server),
    as in :func:`fcfs_start_times`. Start times of lost requests are their leaving times.
    """
    if servers < 1:
        raise CapacityError(f"servers: must be at least 1, not {servers}")
    n = len(arrivals)
    starts = np.empty(n)
    outcomes = np.zeros(n, dtype=np.int8)
    free = [0.0] * servers  # a heap of the times each server becomes free
    leaving_queue: list[float] = []  # a heap of the times waiting requests leave the queue
    limits = [math.inf] * n if patience is None else patience.tolist()
    places = math.inf if queue_capacity is None else queue_capacity
    for i, (arrival, service, limit) in enumerate(
        zip(arrivals.tolist(), services.tolist(), limits, strict=True)
    ):
        while leaving_queue and leaving_queue[0] <= arrival:
            heapq.heappop(leaving_queue)
        earliest = free[0]
        if earliest > arrival and len(leaving_queue) >= places:
            starts[i] = arrival
            outcomes[i] = BLOCKED
            continue
        if earliest - arrival > limit:
            starts[i] = arrival + limit
            outcomes[i] = ABANDONED
            heapq.heappush(leaving_queue, arrival + limit)
            continue
        start = arrival if arrival > earliest else earliest
        starts[i] = start
        heapq.heapreplace(free, start + service)
        if start > arrival:
            heapq.heappush(leaving_queue, start)
    return starts, outcomes


@dataclass
class _Replication:
    waits: list[FloatArray]  # per station: waits of the measured requests it served
    busy: list[float]
    arrived: list[int]  # per station: measured requests that reached it
    abandoned: list[int]
    blocked: list[int]
    measured: int
    response: FloatArray  # measured requests that left the last station


def _replicate(model: NetworkModel, seed: np.random.SeedSequence) -> _Replication:
    # One stream per source (arrivals, then per station service and patience), so changing a
    # station leaves the other stations' draws unchanged.
    streams = [np.random.default_rng(s) for s in seed.spawn(1 + 2 * len(model.stations))]
    born = _poisson_arrivals(streams[0], model.arrival_rate, model.duration)
    measured = born >= model.warmup
    arrivals = born
    ids: NDArray[np.intp] = np.arange(len(born))  # birth index of each request, in arrival order here
    result = _Replication([], [], [], [], [], int(measured.sum()), np.empty(0))
    for index, station in enumerate(model.stations):
        services = station.service.sample(streams[1 + 2 * index], len(arrivals))
        here = measured[ids]
        lossy = station.patience is not None or station.queue_capacity is not None
        if lossy:
            patience = None
            if station.patience is not None:
                patience = station.patience.sample(streams[2 + 2 * index], len(arrivals))
            starts, outcomes = fcfs_with_losses(
                arrivals, services, station.servers, patience=patience, queue_capacity=station.queue_capacity
            )
            served = outcomes == SERVED
            result.abandoned.append(int(np.sum((outcomes == ABANDONED) & here)))
            result.blocked.append(int(np.sum((outcomes == BLOCKED) & here)))
            ids, arrivals, starts, services = ids[served], arrivals[served], starts[served], services[served]
            result.arrived.append(int(here.sum()))
            here = here[served]
        else:
            starts = fcfs_start_times(arrivals, services, station.servers)
            result.abandoned.append(0)
            result.blocked.append(0)
            result.arrived.append(int(here.sum()))
        ends = starts + services
        # Busy time inside the measurement window.
        window = np.clip(ends, model.warmup, model.duration) - np.clip(starts, model.warmup, model.duration)
        result.busy.append(float(window.sum()))
        result.waits.append((starts - arrivals)[here])
        # With several servers requests may leave out of order: the next station sees them by time.
        if station.servers > 1:
            resort = np.argsort(ends, kind="stable")
            ids, ends = ids[resort], ends[resort]
        arrivals = ends
    result.response = (arrivals - born[ids])[measured[ids]]
    return result


def _ci95(values: Sequence[float]) -> tuple[float, float]:
    from scipy.special import stdtrit  # Student t quantile; lighter to import than scipy.stats

    sample = np.asarray(values, dtype=np.float64)
    mean = float(sample.mean())
    half = float(stdtrit(len(sample) - 1, 0.975) * sample.std(ddof=1) / math.sqrt(len(sample)))
    return (mean - half, mean + half)


def simulate(model: NetworkModel, *, seed: int | None = None) -> SimulationResult:
    """Simulate ``model.replications`` independent runs and pool their statistics.

    Means and utilisations are averages over replications, with Student-t 95 % intervals;
    percentiles are taken over all measured requests of all replications (pooled).
    """
    _check_model(model)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise CapacityError("seed: must be a whole number ≥ 0")
    runs = [_replicate(model, s) for s in np.random.SeedSequence(seed).spawn(model.replications)]
    window = model.duration - model.warmup
    stations: list[StationStatistics] = []
    per_replication: dict[str, tuple[float, ...]] = {}
    for index, station in enumerate(model.stations):
        means = [float(r.waits[index].mean()) if len(r.waits[index]) else 0.0 for r in runs]
        utilisations = [r.busy[index] / (station.servers * window) for r in runs]
        pooled = np.concatenate([r.waits[index] for r in runs])
        if len(pooled) == 0:
            raise CapacityError("duration: no request arrived after the warm-up; simulate longer")
        p90, p95 = np.quantile(pooled, [0.90, 0.95])
        per_replication[station.name] = tuple(means)
        arrived = sum(r.arrived[index] for r in runs)
        stations.append(
            StationStatistics(
                name=station.name,
                utilization=float(np.mean(utilisations)),
                mean_wait=float(np.mean(means)),
                probability_wait=float(np.mean(pooled > 0)),
                wait_p90=float(p90),
                wait_p95=float(p95),
                ci95_mean_wait=_ci95(means),
                ci95_utilization=_ci95(utilisations),
                abandoned=sum(r.abandoned[index] for r in runs) / arrived if arrived else 0.0,
                blocked=sum(r.blocked[index] for r in runs) / arrived if arrived else 0.0,
            )
        )
    response = np.concatenate([r.response for r in runs])
    if len(response) == 0:
        raise CapacityError("stations: no measured request got through every station; check the losses")
    p50, p90, p95, p99 = np.quantile(response, [0.5, 0.9, 0.95, 0.99])
    response_means = [float(r.response.mean()) if len(r.response) else 0.0 for r in runs]
    return SimulationResult(
        stations=tuple(stations),
        response_time=ResponseStatistics(
            mean=float(np.mean(response_means)),
            p50=float(p50),
            p90=float(p90),
            p95=float(p95),
            p99=float(p99),
            ci95_mean=_ci95(response_means),
        ),
        requests=sum(r.measured for r in runs),
        replications=model.replications,
        per_replication_mean_wait=per_replication,
    )


# --- models from JSON (the CLI's MODEL.json, later the API) -----------------------------------

MAX_REQUESTS_PER_REPLICATION = 10_000_000
MAX_REQUESTS = 50_000_000
_UNSUPPORTED = {
    "priority": "priority classes are",
    "priorities": "priority classes are",
    "preemption": "priority classes are",
}
_SERVICE_KEYS = {
    "exponential": ({"mean"}, set()),
    "deterministic": ({"mean"}, set()),
    "lognormal": ({"mean"}, {"cv", "sigma"}),
    "empirical": ({"values"}, set()),
}


def _object(path: str, value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise CapacityError(f"{path}: must be an object")
    return value


def _keys(path: str, data: dict[str, object], required: set[str], optional: set[str]) -> None:
    prefix = f"{path}." if path else ""
    for key in data:
        if key in _UNSUPPORTED:
            raise CapacityError(f"{prefix}{key}: {_UNSUPPORTED[key]} not supported by the fast simulator")
        if key not in required | optional:
            raise CapacityError(
                f"{prefix}{key}: unknown key (expected {', '.join(sorted(required | optional))})"
            )
    for key in sorted(required):
        if key not in data:
            raise CapacityError(f"{prefix}{key}: missing")


def _json_positive(path: str, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise CapacityError(f"{path}: must be a positive number")
    return float(value)


def _json_whole(path: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise CapacityError(f"{path}: must be a whole number ≥ {minimum}")
    return value


def _service_from_dict(path: str, value: object) -> Distribution:
    data = _object(path, value)
    kind = data.get("distribution")
    if kind not in _SERVICE_KEYS:
        raise CapacityError(f"{path}.distribution: must be one of {', '.join(DISTRIBUTIONS)}, not {kind!r}")
    required, one_of = _SERVICE_KEYS[str(kind)]
    _keys(path, data, required | {"distribution"}, one_of)
    if kind == "empirical":
        values = data["values"]
        if not isinstance(values, list) or not values:
            raise CapacityError(f"{path}.values: must be a non-empty list of numbers")
        for index, item in enumerate(values):
            if (
                isinstance(item, bool)
                or not isinstance(item, int | float)
                or not math.isfinite(item)
                or item < 0
            ):
                raise CapacityError(f"{path}.values[{index}]: must be a number ≥ 0")
        if not any(item > 0 for item in values):
            raise CapacityError(f"{path}.values: at least one value must be positive")
        return Distribution.empirical([float(item) for item in values])
    mean = _json_positive(f"{path}.mean", data["mean"])
    if kind == "exponential":
        return Distribution.exponential(mean)
    if kind == "deterministic":
        return Distribution.deterministic(mean)
    given = [key for key in ("cv", "sigma") if key in data]
    if len(given) != 1:
        raise CapacityError(f"{path}: lognormal needs exactly one of cv and sigma")
    spread = _json_positive(f"{path}.{given[0]}", data[given[0]])
    if given[0] == "cv":
        return Distribution.lognormal(mean, cv=spread)
    return Distribution.lognormal(mean, sigma=spread)


def model_from_dict(data: object) -> NetworkModel:
    """A :class:`NetworkModel` from the MODEL.json structure, every field checked.

    ``{"arrival": {"distribution": "exponential", "rate": per_second}, "stations": [{"name",
    "servers", "service": {"distribution", "mean" | "values", "cv" | "sigma"}}], "duration",
    "warmup" (default 0), "replications" (default 5)}``. A problem raises CapacityError whose
    one-line message starts with its JSON path, e.g. ``stations[1].service.mean: must be a
    positive number``.
    """
    top = _object("model", data)
    _keys("", top, {"arrival", "stations", "duration"}, {"warmup", "replications"})
    arrival = _object("arrival", top["arrival"])
    _keys("arrival", arrival, {"distribution", "rate"}, set())
    if arrival["distribution"] != "exponential":
        raise CapacityError(
            f"arrival.distribution: only 'exponential' (Poisson) arrivals are supported, "
            f"not {arrival['distribution']!r}"
        )
    rate = _json_positive("arrival.rate", arrival["rate"])
    stations_data = top["stations"]
    if not isinstance(stations_data, list) or not stations_data:
        raise CapacityError("stations: must be a non-empty list")
    stations: list[SimulationStation] = []
    names: set[str] = set()
    for index, raw in enumerate(stations_data):
        where = f"stations[{index}]"
        station = _object(where, raw)
        _keys(where, station, {"name", "servers", "service"}, {"queue_capacity", "patience"})
        name = station["name"]
        if not isinstance(name, str) or not name.strip():
            raise CapacityError(f"{where}.name: must be a non-empty string")
        if name in names:
            raise CapacityError(f"{where}.name: duplicate station name {name!r}")
        names.add(name)
        servers = _json_whole(f"{where}.servers", station["servers"], 1)
        if servers > MAX_SERVERS:
            raise CapacityError(f"{where}.servers: must be a whole number from 1 to {MAX_SERVERS:,}")
        capacity = station.get("queue_capacity")
        if capacity is not None:
            capacity = _json_whole(f"{where}.queue_capacity", capacity, 0)
        patience = None
        if "patience" in station:
            patience = _service_from_dict(f"{where}.patience", station["patience"])
        stations.append(
            SimulationStation(
                name,
                servers,
                _service_from_dict(f"{where}.service", station["service"]),
                queue_capacity=capacity,
                patience=patience,
            )
        )
    duration = _json_positive("duration", top["duration"])
    warmup_raw = top.get("warmup", 0)
    if (
        isinstance(warmup_raw, bool)
        or not isinstance(warmup_raw, int | float)
        or not math.isfinite(warmup_raw)
    ):
        raise CapacityError("warmup: must be a number ≥ 0")
    if warmup_raw < 0:
        raise CapacityError("warmup: must be a number ≥ 0")
    if warmup_raw >= duration:
        raise CapacityError(f"warmup: must be shorter than duration ({warmup_raw:g} ≥ {duration:g})")
    replications = _json_whole("replications", top.get("replications", 5), 2)
    per_replication = rate * duration
    if per_replication > MAX_REQUESTS_PER_REPLICATION or per_replication * replications > MAX_REQUESTS:
        raise CapacityError(
            f"duration: rate × duration × replications is {per_replication * replications:,.0f} requests; "
            f"at most {MAX_REQUESTS_PER_REPLICATION:,} per replication and {MAX_REQUESTS:,} in all"
        )
    return NetworkModel(
        arrival_rate=rate,
        stations=tuple(stations),
        duration=duration,
        warmup=float(warmup_raw),
        replications=replications,
    )
