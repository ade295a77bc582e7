"""Network simulation: exact against SimPy request by request, right against queueing theory."""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdesk.solutions.queueing import CapacityError, UnstableSystemError, erlang_b, mgc, mmc, open_network
from salesdesk.solutions.queueing import Station as AnalyticStation
from salesdesk.solutions.simulation import (
    Distribution,
    NetworkModel,
    SimulationStation,
    fcfs_start_times,
    fcfs_with_losses,
    model_from_dict,
    simulate,
)


def simpy_start_times(arrivals: np.ndarray, services: np.ndarray, servers: int) -> np.ndarray:
    """The reference: an event-driven FCFS station in SimPy, fed the same arrivals and services."""
    env = simpy.Environment()
    resource = simpy.Resource(env, capacity=servers)
    starts = np.zeros(len(arrivals))

    def request(i: int):
        with resource.request() as turn:
            yield turn
            starts[i] = env.now
            yield env.timeout(services[i])

    def source():
        for i, at in enumerate(arrivals):
            yield env.timeout(at - env.now)
            env.process(request(i))

    env.process(source())
    env.run()
    return starts


@pytest.mark.parametrize("servers", [1, 2, 3, 5])
def test_start_times_equal_an_event_driven_model_request_by_request(servers):
    rng = np.random.default_rng(servers)
    arrivals = np.cumsum(rng.exponential(1.0, 3000))
    services = rng.lognormal(math.log(0.9 * servers) - 0.5, 1.0, 3000)  # ρ ≈ 0.9, heavy-ish tail
    ours = fcfs_start_times(arrivals, services, servers)
    reference = simpy_start_times(arrivals, services, servers)
    assert np.max(np.abs(ours - reference)) < 1e-9
    assert np.mean(ours > arrivals) > 0.2  # the comparison covered real queueing


def naive_start_times(arrivals, services, servers):
    """FCFS by definition: each request takes the server that frees first, after it arrives."""
    free = [0.0] * servers
    starts = []
    for arrival, service in zip(arrivals, services, strict=True):
        k = min(range(servers), key=free.__getitem__)
        start = max(arrival, free[k])
        free[k] = start + service
        starts.append(start)
    return np.array(starts)


times = st.lists(st.floats(min_value=0.0, max_value=10.0, allow_nan=False), min_size=1, max_size=60)


@settings(max_examples=80, deadline=None)
@given(gaps=times, services=times, servers=st.integers(min_value=1, max_value=6))
def test_start_times_follow_fcfs_and_more_servers_never_delay_anyone(gaps, services, servers):
    n = min(len(gaps), len(services))
    arrivals = np.cumsum(np.array(gaps[:n]))
    work = np.array(services[:n])
    starts = fcfs_start_times(arrivals, work, servers)
    assert np.allclose(starts, naive_start_times(arrivals, work, servers), rtol=0, atol=1e-9)
    assert np.all(starts >= arrivals) and np.all(np.diff(starts) >= -1e-12)  # no one overtakes
    assert np.all(fcfs_start_times(arrivals, work, servers + 1) <= starts + 1e-9)


def mmc_model(**overrides) -> NetworkModel:
    fields = {
        "arrival_rate": 2.0,
        "stations": (SimulationStation("agents", 3, Distribution.exponential(1.2)),),
        "duration": 20_000.0,
        "warmup": 500.0,
        "replications": 8,
    } | overrides
    return NetworkModel(**fields)


def test_mmc_simulation_agrees_with_erlang_c_within_its_confidence_interval():
    # Fixed seed: a deterministic test. Analytic figures from Gross et al. §2.3 (queueing.mmc).
    exact = mmc(2.0, 1 / 1.2, 3)
    station = simulate(mmc_model(), seed=2026).stations[0]
    low, high = station.ci95_mean_wait
    assert low <= exact.wq <= high
    low, high = station.ci95_utilization
    assert low <= exact.utilization <= high
    assert station.probability_wait == pytest.approx(exact.probability_wait, abs=0.02)
    assert station.wait_p90 == pytest.approx(exact.wait_percentile(0.90), rel=0.06)
    assert station.wait_p95 == pytest.approx(exact.wait_percentile(0.95), rel=0.06)


def test_tandem_network_response_time_agrees_with_jackson():
    model = NetworkModel(
        arrival_rate=4.0,
        stations=(
            SimulationStation("web", 2, Distribution.exponential(0.4)),
            SimulationStation("db", 1, Distribution.exponential(0.18)),
        ),
        duration=10_000.0,
        warmup=200.0,
        replications=6,
    )
    result = simulate(model, seed=7)
    exact = open_network(4.0, [AnalyticStation("web", 2, 0.4), AnalyticStation("db", 1, 0.18)])
    low, high = result.response_time.ci95_mean
    assert low <= exact.response_time <= high
    for simulated, analytic in zip(result.stations, exact.stations, strict=True):
        assert simulated.ci95_mean_wait[0] <= analytic.wq <= simulated.ci95_mean_wait[1]
    percentiles = [result.response_time.p50, result.response_time.p90, result.response_time.p95]
    assert percentiles == sorted(percentiles) and percentiles[-1] <= result.response_time.p99


def test_deterministic_service_agrees_with_pollaczek_khinchine():
    model = mmc_model(
        arrival_rate=0.8,
        stations=(SimulationStation("press", 1, Distribution.deterministic(1.0)),),
        duration=30_000.0,
    )
    station = simulate(model, seed=11).stations[0]
    expected = mgc(0.8, 1.0, 1, service_scv=0.0).wq  # M/D/1: exact, ρ·S/(2(1 − ρ)) = 2
    assert station.ci95_mean_wait[0] <= expected <= station.ci95_mean_wait[1]


def test_same_seed_same_figures_other_seed_other_figures():
    model = mmc_model(duration=2_000.0, warmup=0.0, replications=3)
    assert simulate(model, seed=5) == simulate(model, seed=5)
    assert simulate(model, seed=5).stations[0].mean_wait != simulate(model, seed=6).stations[0].mean_wait


def test_replications_are_independent_streams():
    result = simulate(mmc_model(duration=2_000.0, warmup=0.0, replications=4), seed=1)
    means = result.per_replication_mean_wait["agents"]
    assert len(set(means)) == 4


def test_warm_up_requests_are_not_measured():
    cold = simulate(mmc_model(duration=4_000.0, warmup=0.0, replications=2), seed=3)
    warm = simulate(mmc_model(duration=4_000.0, warmup=2_000.0, replications=2), seed=3)
    # Same streams: the warm run measures the requests of the second half only (≈ 2·2000·2).
    assert warm.requests < cold.requests
    assert abs(warm.requests - 2 * 2.0 * 2_000) < 5 * math.sqrt(2 * 2.0 * 2_000)


def test_lognormal_and_empirical_sampling():
    rng = np.random.default_rng(0)
    draws = Distribution.lognormal(2.0, cv=1.5).sample(rng, 400_000)
    assert draws.mean() == pytest.approx(2.0, rel=0.02)
    assert draws.std() / draws.mean() == pytest.approx(1.5, rel=0.05)
    values = (0.5, 1.0, 4.0)
    picked = Distribution.empirical(values).sample(rng, 10_000)
    assert set(np.unique(picked)) == set(values)
    assert Distribution.lognormal(1.0, sigma=0.5).scv == pytest.approx(math.expm1(0.25))


def simpy_with_losses(arrivals, services, patience, servers, places):
    """The reference for losses: SimPy with reneging (patience) and a bounded queue."""
    env = simpy.Environment()
    resource = simpy.Resource(env, capacity=servers)
    outcomes = np.full(len(arrivals), -1)
    starts = np.zeros(len(arrivals))

    def request(i: int):
        if resource.count == servers and len(resource.queue) >= places:
            outcomes[i] = 2
            return
        with resource.request() as turn:
            got = yield turn | env.timeout(patience[i])
            if turn not in got:
                outcomes[i] = 1
                return
            outcomes[i], starts[i] = 0, env.now
            yield env.timeout(services[i])

    def source():
        for i, at in enumerate(arrivals):
            yield env.timeout(at - env.now)
            env.process(request(i))

    env.process(source())
    env.run()
    return starts, outcomes


@pytest.mark.parametrize(("servers", "places"), [(1, 2), (3, 4), (2, 1000)])
def test_losses_equal_an_event_driven_model_request_by_request(servers, places):
    rng = np.random.default_rng(100 + servers)
    n = 3000
    arrivals = np.cumsum(rng.exponential(1.0, n))
    services = rng.exponential(1.1 * servers, n)  # overloaded: losses are needed
    patience = rng.exponential(3.0, n)
    starts, outcomes = fcfs_with_losses(arrivals, services, servers, patience=patience, queue_capacity=places)
    ref_starts, ref_outcomes = simpy_with_losses(arrivals, services, patience, servers, places)
    assert np.array_equal(outcomes, ref_outcomes)
    served = outcomes == 0
    assert np.max(np.abs(starts[served] - ref_starts[served])) < 1e-9
    assert np.sum(outcomes == 1) > 50  # real abandonment happened
    if places < 1000:
        assert np.sum(outcomes == 2) > 10  # and real blocking


def test_priorities_are_refused_by_name():
    station = SimulationStation("a", 1, Distribution.exponential(0.1), priorities=True)
    with pytest.raises(CapacityError, match=r"stations\[0\]\.priorities: .*not supported"):
        simulate(mmc_model(stations=(station,)))
    with pytest.raises(CapacityError, match=r"stations\[0\]\.priority: priority classes are not supported"):
        model_from_dict(variant("stations.0.priority", 2))


def birth_death(arrival_rate: float, death_rates: list[float]) -> np.ndarray:
    """Stationary distribution of a birth-death chain with constant births (states 0..len)."""
    weights = [1.0]
    for death in death_rates:
        weights.append(weights[-1] * arrival_rate / death)
    weights = np.array(weights)
    return weights / weights.sum()


def test_finite_queue_blocking_agrees_with_mmck():
    # M/M/2/K with 3 waiting places, offered 2 erlangs on 2 servers (stable only thanks to losses).
    station = SimulationStation("line", 2, Distribution.exponential(1.0), queue_capacity=3)
    result = simulate(mmc_model(arrival_rate=2.0, stations=(station,), duration=10_000.0), seed=8)
    pi = birth_death(2.0, [min(n, 2) * 1.0 for n in range(1, 6)])
    assert result.stations[0].blocked == pytest.approx(pi[-1], abs=0.01)
    assert result.stations[0].utilization == pytest.approx((1 - pi[-1]) * 2.0 / 2, abs=0.01)
    assert result.stations[0].abandoned == 0


def test_no_waiting_room_is_erlang_b():
    station = SimulationStation("trunks", 5, Distribution.lognormal(1.0, cv=2.0), queue_capacity=0)
    result = simulate(mmc_model(arrival_rate=3.0, stations=(station,), duration=10_000.0), seed=9)
    # Erlang B is insensitive to the service distribution (only its mean counts).
    assert result.stations[0].blocked == pytest.approx(erlang_b(3.0, 5), abs=0.01)
    assert result.stations[0].mean_wait == 0 and result.stations[0].probability_wait == 0


def test_abandonment_agrees_with_erlang_a():
    # M/M/c+M (Erlang A): 3 agents, 3.3 erlangs offered, exponential patience of mean 2.
    station = SimulationStation(
        "agents", 3, Distribution.exponential(1.0), patience=Distribution.exponential(2.0)
    )
    result = simulate(mmc_model(arrival_rate=3.3, stations=(station,), duration=10_000.0), seed=10)
    states = 200
    pi = birth_death(3.3, [min(n, 3) * 1.0 + max(n - 3, 0) * 0.5 for n in range(1, states)])
    abandon = sum(p * max(n - 3, 0) * 0.5 for n, p in enumerate(pi)) / 3.3
    assert result.stations[0].abandoned == pytest.approx(abandon, abs=0.01)
    assert result.stations[0].blocked == 0
    served_load = 3.3 * (1 - abandon)
    assert result.stations[0].utilization == pytest.approx(served_load / 3, abs=0.01)


@settings(max_examples=50, deadline=None)
@given(gaps=times, services=times, servers=st.integers(min_value=1, max_value=4))
def test_without_losses_the_lossy_pass_equals_the_fast_one(gaps, services, servers):
    n = min(len(gaps), len(services))
    arrivals = np.cumsum(np.array(gaps[:n]))
    work = np.array(services[:n])
    starts, outcomes = fcfs_with_losses(
        arrivals, work, servers, patience=np.full(n, np.inf), queue_capacity=n
    )
    assert np.all(outcomes == 0)
    assert np.allclose(starts, fcfs_start_times(arrivals, work, servers), rtol=0, atol=1e-9)


def test_losses_drop_requests_before_the_next_station():
    stations = (
        SimulationStation("front", 1, Distribution.exponential(1.0), queue_capacity=0),
        SimulationStation("back", 1, Distribution.exponential(0.5)),
    )
    result = simulate(mmc_model(arrival_rate=1.0, stations=stations, duration=5_000.0), seed=12)
    front, back = result.stations
    assert front.blocked == pytest.approx(0.5, abs=0.02)  # Erlang B(1, 1) = 1/2
    # The back station only sees the half that got through: utilisation ≈ 0.5 × 1.0 × 0.5.
    assert back.utilization == pytest.approx(0.25, abs=0.02)


def test_an_unstable_station_is_refused():
    station = SimulationStation("db", 2, Distribution.exponential(1.5))
    with pytest.raises(UnstableSystemError, match=r"unstable: stations\[0\] \(db\) .*150 %"):
        simulate(mmc_model(stations=(station,)))


GOOD = {
    "arrival": {"distribution": "exponential", "rate": 2.0},
    "stations": [
        {"name": "web", "servers": 3, "service": {"distribution": "exponential", "mean": 1.2}},
        {"name": "db", "servers": 1, "service": {"distribution": "lognormal", "mean": 0.2, "cv": 1.5}},
    ],
    "duration": 1000,
    "warmup": 100,
    "replications": 3,
}


def variant(path: str, value: object) -> dict:
    """GOOD with the value at a dotted path replaced (``...`` deletes the key)."""
    import copy

    data = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    target: object = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]  # type: ignore[index]
    key = int(last) if last.isdigit() else last
    if value is ...:
        del target[key]  # type: ignore[attr-defined]
    else:
        target[key] = value  # type: ignore[index]
    return data


def test_a_good_model_document_builds():
    model = model_from_dict(GOOD)
    assert [s.name for s in model.stations] == ["web", "db"]
    assert model.stations[1].service.scv == pytest.approx(1.5**2)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "model: must be an object"),
        (variant("arrival", ...), "arrival: missing"),
        (variant("arrival.distribution", "weibull"), "arrival.distribution: only 'exponential'"),
        (variant("arrival.rate", -1), "arrival.rate: must be a positive number"),
        (variant("arrival.rate", "fast"), "arrival.rate: must be a positive number"),
        (variant("stations", []), "stations: must be a non-empty list"),
        (variant("stations.1.name", "web"), "stations[1].name: duplicate station name 'web'"),
        (variant("stations.0.servers", 0), "stations[0].servers: must be a whole number"),
        (variant("stations.0.servers", 2.5), "stations[0].servers: must be a whole number"),
        (variant("stations.1.service.mean", 0), "stations[1].service.mean: must be a positive number"),
        (variant("stations.1.service.mean", ...), "stations[1].service.mean: missing"),
        (
            variant("stations.0.service.distribution", "gamma"),
            "stations[0].service.distribution: must be one of",
        ),
        (variant("stations.1.service.sigma", 0.5), "stations[1].service: lognormal needs exactly one of"),
        (
            variant("stations.0.service", {"distribution": "empirical", "values": []}),
            "stations[0].service.values",
        ),
        (
            variant("stations.0.service", {"distribution": "empirical", "values": [1, -2]}),
            "stations[0].service.values[1]: must be a number ≥ 0",
        ),
        (variant("stations.0.queue_capacity", -1), "stations[0].queue_capacity: must be a whole number ≥ 0"),
        (
            variant("stations.0.patience", {"distribution": "exponential"}),
            "stations[0].patience.mean: missing",
        ),
        (variant("stations.0.colour", "red"), "stations[0].colour: unknown key"),
        (variant("duration", ...), "duration: missing"),
        (variant("warmup", 1000), "warmup: must be shorter than duration"),
        (variant("replications", 1), "replications: must be a whole number ≥ 2"),
        (variant("duration", 1e9), "duration: rate × duration × replications"),
    ],
)
def test_bad_model_documents_name_the_json_path(data, message):
    with pytest.raises(CapacityError) as raised:
        model_from_dict(data)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)
