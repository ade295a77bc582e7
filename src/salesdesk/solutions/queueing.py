"""Analytic capacity models: M/M/1, M/M/c (Erlang C), Erlang B, M/G/c and open networks.

A pure engine: floats and frozen dataclasses in and out, no Django. Every result is finite;
an input the formulas cannot use raises :class:`CapacityError` (one line naming the
parameter), and a system whose offered load reaches its capacity raises
:class:`UnstableSystemError` with the numbers.

Notation (Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*, 4th ed.,
Wiley 2008, ch. 2): arrival rate λ, service rate per server μ, servers c, offered load
a = λ/μ (erlangs), utilisation ρ = a/c. Time is in whatever unit the rates use.

References
- Gross et al. (2008), §2.2 (M/M/1) and §2.3 (M/M/c): p0, Lq, L, Wq, W and the waiting-time
  distribution P(Wq > t) = C·e^(−(cμ−λ)t).
- Erlang B recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)) and C = B / (1 − ρ(1 − B)):
  Koole, *Call Center Optimization* (MG books, 2013), ch. 4; stable for thousands of servers.
- Allen–Cunneen approximation for G/G/c: A. O. Allen, *Probability, Statistics, and
  Queueing Theory*, 2nd ed., Academic Press 1990, §6.
- Departure variability in a tandem line: Whitt, "The Queueing Network Analyzer", Bell
  System Technical Journal 62 (1983); Hopp & Spearman, *Factory Physics*, eq. 8.10.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "CallCentreResult",
    "CapacityError",
    "NetworkResult",
    "QueueResult",
    "Staffing",
    "Station",
    "StationResult",
    "UnstableSystemError",
    "agents_with_shrinkage",
    "call_centre",
    "erlang_b",
    "erlang_c",
    "mgc",
    "mm1",
    "mmc",
    "open_network",
    "smallest_servers",
    "staff",
]

# Searches stop here: a target no number of servers up to this meets is refused, not looped on.
MAX_SERVERS = 1_000_000


class CapacityError(ValueError):
    """A capacity-model input the formulas cannot use; the message is one line naming the parameter."""


class UnstableSystemError(CapacityError):
    """The offered load reaches or exceeds the capacity: queues grow without bound."""


# --- input checks ---------------------------------------------------------------------------


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CapacityError(f"{name}: must be a number, not {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise CapacityError(f"{name}: must be a finite number, not {number}")
    return number


def _positive(name: str, value: object) -> float:
    number = _number(name, value)
    if number <= 0:
        raise CapacityError(f"{name}: must be positive, not {number:g}")
    return number


def _non_negative(name: str, value: object) -> float:
    number = _number(name, value)
    if number < 0:
        raise CapacityError(f"{name}: must not be negative, not {number:g}")
    return number


def _fraction(name: str, value: object, *, open_top: bool = False, allow_zero: bool = True) -> float:
    number = _number(name, value)
    too_high = number >= 1 if open_top else number > 1
    too_low = number < 0 if allow_zero else number <= 0
    if too_low or too_high:
        top = "below 1" if open_top else "at most 1"
        bottom = "at least 0" if allow_zero else "above 0"
        raise CapacityError(f"{name}: must be {bottom} and {top}, not {number:g}")
    return number


def _servers(name: str, value: object, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CapacityError(f"{name}: must be a whole number, not {type(value).__name__}")
    if isinstance(value, float) and not value.is_integer():
        raise CapacityError(f"{name}: must be a whole number, not {value:g}")
    count = int(value)
    if count < minimum:
        raise CapacityError(f"{name}: must be at least {minimum}, not {count}")
    if count > MAX_SERVERS:
        raise CapacityError(f"{name}: at most {MAX_SERVERS:,}, not {count:,}")
    return count


def _check_stable(traffic: float, servers: int) -> None:
    # A hair's tolerance: 200 calls/h × 180 s computed as λ/μ is 9.999999999999998 erlangs, and
    # 10 agents for 10 erlangs is unstable, not a queue of 10^15 calls.
    if traffic >= servers * (1 - 1e-12):
        raise UnstableSystemError(
            f"unstable: offered load {traffic:.4g} erlangs needs more than {servers} "
            f"server{'s' if servers != 1 else ''} (utilisation {100 * traffic / servers:.4g} %)"
        )


# --- Erlang B and C -----------------------------------------------------------------------


def erlang_b(traffic: float, servers: int) -> float:
    """Blocking probability of an M/M/c/c loss system (Erlang B), in [0, 1].

    Recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)) (Koole 2013, ch. 4): no factorials,
    so it is exact in floating point for any number of servers.
    """
    a = _non_negative("traffic", traffic)
    c = _servers("servers", servers, minimum=0)
    blocking = 1.0
    for k in range(1, c + 1):
        blocking = a * blocking / (k + a * blocking)
    return blocking


def erlang_c(traffic: float, servers: int) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C), in [0, 1).

    C(c, a) = B / (1 − ρ(1 − B)) with B the Erlang B value and ρ = a/c (Koole 2013, ch. 4),
    equal to Gross et al. (2008) eq. 2.32 without its factorials.
    """
    a = _non_negative("traffic", traffic)
    c = _servers("servers", servers)
    _check_stable(a, c)
    blocking = erlang_b(a, c)
    return blocking / (1 - (a / c) * (1 - blocking))


def _log_poisson_partial_sum(traffic: float, servers: int) -> float:
    """log Σ_{k=0..c} a^k / k!, summed in log space so a large load cannot overflow."""
    if traffic == 0:
        return 0.0
    log_term = 0.0
    total = 0.0
    log_a = math.log(traffic)
    for k in range(1, servers + 1):
        log_term += log_a - math.log(k)
        high, low = (total, log_term) if total >= log_term else (log_term, total)
        total = high + math.log1p(math.exp(low - high))
    return total


# --- single stations --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueResult:
    """Steady state of one multi-server FCFS station (times in the unit of the rates).

    ``wait_scv``-free by design: the waiting-time tail is modelled as P(Wq > t) = P(wait)·e^(−θt)
    with ``tail_rate`` θ; θ = cμ − λ is exact for M/M/c, an approximation for M/G/c.
    """

    arrival_rate: float
    service_rate: float
    servers: int
    traffic: float
    utilization: float
    p0: float
    probability_wait: float
    lq: float
    l: float  # noqa: E741 - the textbook's name for the mean number in the system
    wq: float
    w: float
    tail_rate: float
    service_scv: float = 1.0

    def probability_wait_exceeds(self, t: float) -> float:
        """P(Wq > t) = P(wait)·e^(−θt) (Gross et al. 2008, eq. 2.36 for M/M/c)."""
        t = _non_negative("t", t)
        return self.probability_wait * math.exp(-self.tail_rate * t)

    def service_level(self, t: float) -> float:
        """Share of arrivals that start service within ``t``: 1 − P(Wq > t)."""
        return 1.0 - self.probability_wait_exceeds(t)

    def wait_percentile(self, q: float) -> float:
        """The q-quantile of the waiting time: 0 when P(wait) ≤ 1 − q, else ln(P(wait)/(1 − q)) / θ."""
        q = _fraction("q", q, open_top=True)
        if self.probability_wait <= 1 - q:
            return 0.0
        return math.log(self.probability_wait / (1 - q)) / self.tail_rate

    def probability_response_exceeds(self, t: float) -> float:
        """P(W > t) for the time in system (wait + exponential service), Gross et al. (2008) §2.3.

        W = Wq + S with S ~ Exp(μ) independent of Wq; with θ = cμ − λ,
        P(W > t) = (1 − C)·e^(−μt) + C·(θe^(−μt) − μe^(−θt))/(θ − μ)  (θ ≠ μ),
        and C·(1 + μt)·e^(−μt) in the limit θ = μ. Needs exponential service.
        """
        t = _non_negative("t", t)
        self._require_exponential_service()
        return _response_tail(self.service_rate, self.tail_rate, self.probability_wait, t)

    def response_percentile(self, q: float) -> float:
        """The q-quantile of the time in system, solving P(W > t) = 1 − q by bisection."""
        q = _fraction("q", q, open_top=True)
        self._require_exponential_service()
        return _response_quantile(self.service_rate, self.tail_rate, self.probability_wait, q)

    def _require_exponential_service(self) -> None:
        if abs(self.service_scv - 1.0) > 1e-12:
            raise CapacityError(
                "service_scv: response-time percentiles need exponential service (scv 1); simulate instead"
            )


def _response_tail(mu: float, theta: float, waiting: float, t: float) -> float:
    """P(Wq + S > t) for P(wait) ``waiting``, wait tail rate θ and S ~ Exp(μ) (see QueueResult)."""
    no_wait = (1 - waiting) * math.exp(-mu * t)
    if abs(theta - mu) <= 1e-9 * mu:
        both = (1 + mu * t) * math.exp(-mu * t)
    else:
        both = (theta * math.exp(-mu * t) - mu * math.exp(-theta * t)) / (theta - mu)
    return min(1.0, max(0.0, no_wait + waiting * both))


def _response_quantile(mu: float, theta: float, waiting: float, q: float) -> float:
    """The q-quantile of Wq + S, by bisection on the monotone tail."""
    if q == 0:
        return 0.0
    low, high = 0.0, 1.0 / mu
    while _response_tail(mu, theta, waiting, high) > 1 - q:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if _response_tail(mu, theta, waiting, middle) > 1 - q:
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * high:
            break
    return (low + high) / 2


def mmc(arrival_rate: float, service_rate: float, servers: int) -> QueueResult:
    """M/M/c: Poisson arrivals, exponential service, c servers, FCFS (Gross et al. 2008, §2.3).

    a = λ/μ, ρ = a/c, p0 = [Σ_{n<c} aⁿ/n! + a^c/(c!(1 − ρ))]⁻¹, C = P(wait) (Erlang C),
    Lq = C·ρ/(1 − ρ), Wq = Lq/λ = C/(cμ − λ), W = Wq + 1/μ, L = λW (Little's law).
    Raises UnstableSystemError when a ≥ c.
    """
    lam = _non_negative("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    c = _servers("servers", servers)
    a = lam / mu
    if not math.isfinite(a):
        raise CapacityError(f"arrival_rate: λ/μ = {lam:g}/{mu:g} overflows")
    _check_stable(a, c)
    rho = a / c
    blocking = erlang_b(a, c)
    waiting = blocking / (1 - rho * (1 - blocking))
    # p0 = 1 / (S_c·[(1 − B) + B/(1 − ρ)]) with S_c = Σ_{k≤c} a^k/k! (a^c/c! = B·S_c).
    log_p0 = -_log_poisson_partial_sum(a, c) - math.log((1 - blocking) + blocking / (1 - rho))
    p0 = math.exp(log_p0)
    theta = c * mu - lam
    wq = waiting / theta
    lq = lam * wq
    w = wq + 1 / mu
    return QueueResult(
        arrival_rate=lam,
        service_rate=mu,
        servers=c,
        traffic=a,
        utilization=rho,
        p0=p0,
        probability_wait=waiting,
        lq=lq,
        l=lam * w,
        wq=wq,
        w=w,
        tail_rate=theta,
    )


def mm1(arrival_rate: float, service_rate: float) -> QueueResult:
    """M/M/1 (Gross et al. 2008, §2.2): ρ = λ/μ, p0 = 1 − ρ, L = ρ/(1 − ρ), W = 1/(μ − λ),
    Lq = ρ²/(1 − ρ), Wq = ρ/(μ − λ); the c = 1 case of :func:`mmc`."""
    return mmc(arrival_rate, service_rate, 1)


def mgc(
    arrival_rate: float,
    mean_service_time: float,
    servers: int,
    *,
    arrival_scv: float = 1.0,
    service_scv: float = 1.0,
) -> QueueResult:
    """G/G/c by the Allen–Cunneen approximation (Allen 1990, §6).

    Wq ≈ Wq(M/M/c) · (c_a² + c_s²)/2, with c_a², c_s² the squared coefficients of variation of
    the inter-arrival and service times (1 for exponential, 0 for deterministic). Exact for
    M/M/c and M/G/1 (Pollaczek–Khinchine); P(wait) is taken from Erlang C, and the wait tail
    is kept exponential with the approximate conditional mean Wq/P(wait).
    """
    lam = _non_negative("arrival_rate", arrival_rate)
    service_time = _positive("mean_service_time", mean_service_time)
    ca2 = _non_negative("arrival_scv", arrival_scv)
    cs2 = _non_negative("service_scv", service_scv)
    base = mmc(lam, 1 / service_time, servers)
    factor = (ca2 + cs2) / 2
    wq = base.wq * factor
    # A zero factor (D/D/c) means no wait at all: a finite tail rate keeps percentiles at 0.
    tail_rate = base.tail_rate / factor if factor > 0 else base.tail_rate
    probability_wait = base.probability_wait if factor > 0 else 0.0
    w = wq + service_time
    return QueueResult(
        arrival_rate=lam,
        service_rate=base.service_rate,
        servers=base.servers,
        traffic=base.traffic,
        utilization=base.utilization,
        p0=base.p0,
        probability_wait=probability_wait,
        lq=lam * wq,
        l=lam * w,
        wq=wq,
        w=w,
        tail_rate=tail_rate,
        service_scv=cs2,
    )


# --- open networks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Station:
    """One station of an open network: ``servers`` identical FCFS servers.

    ``visit_ratio`` is the mean number of visits per request (2.0: every request calls it twice);
    ``scv`` the squared coefficient of variation of its service time (1 exponential, 0 fixed).
    """

    name: str
    servers: int
    mean_service_time: float
    scv: float = 1.0
    visit_ratio: float = 1.0


@dataclass(frozen=True)
class StationResult:
    """Steady state of one station in a network; times are per visit."""

    name: str
    arrival_rate: float
    arrival_scv: float
    utilization: float
    probability_wait: float
    wq: float
    w: float
    lq: float
    l: float  # noqa: E741 - the textbook's name for the mean number at the station


@dataclass(frozen=True)
class NetworkResult:
    """A network's stations and its end-to-end mean response time R = Σ vᵢ·Wᵢ."""

    throughput: float
    stations: tuple[StationResult, ...]
    response_time: float


def open_network(
    arrival_rate: float, stations: Sequence[Station], *, arrival_scv: float = 1.0
) -> NetworkResult:
    """Open network of stations visited in order (a tandem line with visit ratios).

    Station i receives λᵢ = vᵢ·λ and is solved with :func:`mgc` (Allen–Cunneen). The
    variability of its departures feeds the next station by Whitt's QNA linking equation
    (Whitt 1983; Hopp & Spearman, eq. 8.10): c_d² = 1 + (1 − ρ²)(c_a² − 1) + ρ²(c_s² − 1)/√c.
    With exponential service everywhere and Poisson arrivals this is Jackson's product form
    (exact); otherwise an approximation. R = Σ vᵢ·Wᵢ (Little's law per request).
    """
    lam = _non_negative("arrival_rate", arrival_rate)
    ca2 = _non_negative("arrival_scv", arrival_scv)
    if not stations:
        raise CapacityError("stations: at least one station is needed")
    names = [station.name for station in stations]
    for index, name in enumerate(names):
        if not isinstance(name, str) or not name:
            raise CapacityError(f"stations[{index}].name: must be a non-empty string")
        if names.index(name) != index:
            raise CapacityError(f"stations[{index}].name: duplicate station name {name!r}")
    results: list[StationResult] = []
    response = 0.0
    for index, station in enumerate(stations):
        where = f"stations[{index}]"
        visits = _positive(f"{where}.visit_ratio", station.visit_ratio)
        servers = _servers(f"{where}.servers", station.servers)
        service_time = _positive(f"{where}.mean_service_time", station.mean_service_time)
        cs2 = _non_negative(f"{where}.scv", station.scv)
        station_rate = lam * visits
        try:
            solved = mgc(station_rate, service_time, servers, arrival_scv=ca2, service_scv=cs2)
        except UnstableSystemError as exc:
            raise UnstableSystemError(f"{where} ({station.name}): {exc}") from None
        results.append(
            StationResult(
                name=station.name,
                arrival_rate=station_rate,
                arrival_scv=ca2,
                utilization=solved.utilization,
                probability_wait=solved.probability_wait,
                wq=solved.wq,
                w=solved.w,
                lq=solved.lq,
                l=solved.l,
            )
        )
        response += visits * solved.w
        rho = solved.utilization
        ca2 = 1 + (1 - rho**2) * (ca2 - 1) + rho**2 * (cs2 - 1) / math.sqrt(servers)
    return NetworkResult(throughput=lam, stations=tuple(results), response_time=response)


# --- sizing: the smallest number of servers meeting a target ----------------------------------


def smallest_servers(
    arrival_rate: float,
    service_rate: float,
    *,
    service_level: float | None = None,
    within: float | None = None,
    response_percentile: tuple[float, float] | None = None,
    max_occupancy: float | None = None,
) -> QueueResult:
    """The M/M/c result with the fewest servers c meeting every target given.

    - ``service_level`` with ``within``: P(Wq ≤ within) ≥ service_level (Erlang C staffing,
      Koole 2013, ch. 4);
    - ``response_percentile=(q, t)``: the q-quantile of the time in system is ≤ t;
    - ``max_occupancy``: utilisation λ/(cμ) ≤ max_occupancy.
    All three improve monotonically with c, so the first c from ⌊a⌋ + 1 upwards that meets
    them is the answer. With no target the smallest stable c is returned.
    """
    lam = _non_negative("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    if (service_level is None) != (within is None):
        raise CapacityError("service_level: give both service_level and within (or neither)")
    level = None if service_level is None else _fraction("service_level", service_level, open_top=True)
    threshold = None if within is None else _non_negative("within", within)
    percentile: tuple[float, float] | None = None
    if response_percentile is not None:
        q, t = response_percentile
        percentile = (
            _fraction("response_percentile", q, open_top=True, allow_zero=False),
            _positive("response_percentile time", t),
        )
        if percentile[1] * mu <= -math.log(1 - percentile[0]) * (1 - 1e-12):
            # Even with no wait the service time alone exceeds t at quantile q.
            raise CapacityError(
                f"response_percentile: the service time alone has p{100 * percentile[0]:g} "
                f"{-math.log(1 - percentile[0]) / mu:.4g}, above the target {percentile[1]:g}"
            )
    occupancy = None if max_occupancy is None else _fraction("max_occupancy", max_occupancy, allow_zero=False)
    a = lam / mu
    if a >= MAX_SERVERS:
        raise CapacityError(f"arrival_rate: offered load {a:.4g} erlangs needs over {MAX_SERVERS:,} servers")
    c = math.floor(a) + 1
    if a >= c * (1 - 1e-12):  # a is an integer but for float noise: c = a is not stable
        c += 1
    if occupancy is not None:
        c = max(c, math.ceil(a / occupancy - 1e-9))
    # Erlang B once for the first candidate, then one recursion step per extra server: O(c) in all.
    blocking = erlang_b(a, min(c, MAX_SERVERS))
    while c <= MAX_SERVERS:
        waiting = blocking / (1 - (a / c) * (1 - blocking))
        theta = c * mu - lam
        meets = True
        if level is not None and threshold is not None:
            meets = 1 - waiting * math.exp(-theta * threshold) >= level
        if meets and percentile is not None:
            meets = _response_quantile(mu, theta, waiting, percentile[0]) <= percentile[1]
        if meets:
            return mmc(lam, mu, c)
        c += 1
        blocking = a * blocking / (c + a * blocking)
    raise CapacityError(f"servers: no count up to {MAX_SERVERS:,} meets the target")


# --- call centres (Erlang C in the units of workforce planning) -------------------------------


@dataclass(frozen=True)
class CallCentreResult:
    """Erlang C figures for one staffing level; times in seconds."""

    arrivals_per_hour: float
    service_time: float
    agents: int
    target_seconds: float
    traffic_erlangs: float
    occupancy: float
    probability_wait: float
    average_speed_of_answer: float
    service_level: float
    wait_p90: float


@dataclass(frozen=True)
class Staffing:
    """The fewest agents meeting a target, before and after shrinkage, and their figures."""

    agents: int
    agents_with_shrinkage: int
    shrinkage: float
    result: CallCentreResult


def _call_centre_result(
    queue: QueueResult, arrivals_per_hour: float, service_time: float, target: float
) -> CallCentreResult:
    return CallCentreResult(
        arrivals_per_hour=arrivals_per_hour,
        service_time=service_time,
        agents=queue.servers,
        target_seconds=target,
        # calls/h × AHT/3600 directly: λ/μ in per-second rates would print 9.999999999999998.
        traffic_erlangs=arrivals_per_hour * service_time / 3600,
        occupancy=queue.utilization,
        probability_wait=queue.probability_wait,
        average_speed_of_answer=queue.wq,
        service_level=queue.service_level(target),
        wait_p90=queue.wait_percentile(0.9),
    )


def call_centre(
    arrivals_per_hour: float, service_time: float, agents: int, *, target_seconds: float = 20.0
) -> CallCentreResult:
    """Erlang C for a contact centre: A = arrivals/h × AHT/3600 erlangs, occupancy A/N,
    P(wait) = C(N, A), ASA = C·AHT/(N − A), service level = 1 − C·e^(−(N − A)·T/AHT)
    (Koole 2013, ch. 4). ``target_seconds`` T defaults to 20 s (the "80/20" convention)."""
    per_hour = _non_negative("arrivals_per_hour", arrivals_per_hour)
    aht = _positive("service_time", service_time)
    target = _non_negative("target_seconds", target_seconds)
    queue = mmc(per_hour / 3600, 1 / aht, _servers("agents", agents))
    return _call_centre_result(queue, per_hour, aht, target)


def agents_with_shrinkage(agents: int, shrinkage: float) -> int:
    """Agents to roster so ``agents`` are on the phones: ⌈agents / (1 − shrinkage)⌉.

    Shrinkage is the share of paid time not spent taking calls (breaks, training, absence).
    A tiny tolerance keeps 14 / (1 − 0.3) = 20.000000000000004 at 20.
    """
    count = _servers("agents", agents, minimum=0)
    share = _fraction("shrinkage", shrinkage, open_top=True)
    return math.ceil(count / (1 - share) - 1e-9)


def staff(
    arrivals_per_hour: float,
    service_time: float,
    *,
    target_seconds: float,
    service_level: float,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
) -> Staffing:
    """The fewest agents answering ``service_level`` of calls within ``target_seconds``.

    Erlang C staffing (Koole 2013, ch. 4): the smallest N with 1 − C(N, A)·e^(−(N − A)·T/AHT)
    ≥ the target and, when given, occupancy A/N ≤ ``max_occupancy``; then
    ⌈N / (1 − shrinkage)⌉ agents to roster.
    """
    per_hour = _non_negative("arrivals_per_hour", arrivals_per_hour)
    aht = _positive("service_time", service_time)
    target = _non_negative("target_seconds", target_seconds)
    level = _fraction("service_level", service_level, open_top=True)
    share = _fraction("shrinkage", shrinkage, open_top=True)
    if per_hour * aht / 3600 >= MAX_SERVERS:
        raise CapacityError(
            f"arrivals_per_hour: {per_hour * aht / 3600:.4g} erlangs needs over {MAX_SERVERS:,} agents"
        )
    queue = smallest_servers(
        per_hour / 3600, 1 / aht, service_level=level, within=target, max_occupancy=max_occupancy
    )
    return Staffing(
        agents=queue.servers,
        agents_with_shrinkage=agents_with_shrinkage(queue.servers, share),
        shrinkage=share,
        result=_call_centre_result(queue, per_hour, aht, target),
    )
