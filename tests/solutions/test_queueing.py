"""Analytic capacity models: published examples, independent cross-checks, properties, bad input."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from salesdesk.solutions.queueing import (
    CapacityError,
    Station,
    UnstableSystemError,
    agents_with_shrinkage,
    call_centre,
    erlang_b,
    erlang_c,
    mgc,
    mm1,
    mmc,
    open_network,
    smallest_servers,
    staff,
)

# --- published examples -----------------------------------------------------------------------


def test_call_centre_helper_worked_example():
    # Source: Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
    # (callcentrehelper.com/erlang-c-formula-example-121281.htm): 100 calls in 30 minutes
    # (200 per hour), 180 s average handling time, target 80 % answered within 20 s, 30 %
    # shrinkage. Printed: traffic 10 erlangs; P(wait) and service level for 11 to 14 agents
    # (68.2 %/39.0 %, 44.94 %/64.0 %, 28.53 %/79.6 %, 17.41 %/88.8 %); with 14 agents an
    # average speed of answer of 7.8 s, 82.6 % answered immediately and 71.4 % occupancy;
    # 14 agents meet the target, and 14 / (1 − 0.3) makes 20 to roster.
    printed = {11: (68.2, 39.0), 12: (44.94, 64.0), 13: (28.53, 79.6), 14: (17.41, 88.8)}
    for agents, (waiting, level) in printed.items():
        result = call_centre(200, 180, agents, target_seconds=20)
        assert result.traffic_erlangs == 10
        places = len(str(waiting).split(".")[1])
        assert round(100 * result.probability_wait, places) == waiting
        assert round(100 * result.service_level, 1) == level

    staffing = staff(200, 180, target_seconds=20, service_level=0.8, shrinkage=0.3)
    assert staffing.agents == 14
    assert staffing.agents_with_shrinkage == 20
    assert round(staffing.result.average_speed_of_answer, 1) == 7.8
    assert round(100 * (1 - staffing.result.probability_wait), 1) == 82.6
    assert round(100 * staffing.result.occupancy, 1) == 71.4


def test_mm1_matches_the_textbook_closed_forms():
    # Gross, Shortle, Thompson & Harris, Fundamentals of Queueing Theory (4th ed.), §2.2:
    # ρ = λ/μ, p0 = 1 − ρ, L = ρ/(1 − ρ), Lq = ρ²/(1 − ρ), W = 1/(μ − λ), Wq = ρ/(μ − λ).
    for lam, mu in [(2.0, 3.0), (0.5, 4.0), (9.9, 10.0)]:
        rho = lam / mu
        result = mm1(lam, mu)
        assert result.p0 == pytest.approx(1 - rho)
        assert result.l == pytest.approx(rho / (1 - rho))
        assert result.lq == pytest.approx(rho**2 / (1 - rho))
        assert result.w == pytest.approx(1 / (mu - lam))
        assert result.wq == pytest.approx(rho / (mu - lam))
        assert result.probability_wait == pytest.approx(rho)


def test_mm2_matches_its_closed_form():
    # Gross et al. §2.3 with c = 2: p0 = (1 − ρ)/(1 + ρ), C = 2ρ²/(1 + ρ), Lq = 2ρ³/(1 − ρ²).
    # λ = 150/s on two 100/s lines (a packet example of Wolfram's ErlangC page): C = 9/14 exactly.
    result = mmc(150, 100, 2)
    rho = 0.75
    assert result.probability_wait == pytest.approx(9 / 14, rel=1e-12)
    assert result.p0 == pytest.approx((1 - rho) / (1 + rho), rel=1e-12)
    assert result.lq == pytest.approx(2 * rho**3 / (1 - rho**2), rel=1e-12)


# --- independent cross-checks -----------------------------------------------------------------


def exact_erlang_c(a: int, c: int) -> Fraction:
    """Erlang C from its factorial definition (Gross et al. eq. 2.32), in exact rationals."""
    head = sum(Fraction(a**k, math.factorial(k)) for k in range(c))
    tail = Fraction(a**c, math.factorial(c)) * Fraction(c, c - a)
    return tail / (head + tail)


@pytest.mark.parametrize(("a", "c"), [(1, 2), (6, 10), (10, 11), (10, 14), (47, 60), (90, 100)])
def test_erlang_c_equals_the_factorial_definition(a, c):
    assert erlang_c(a, c) == pytest.approx(float(exact_erlang_c(a, c)), rel=1e-10)


@pytest.mark.parametrize(("a", "c"), [(6.0, 10), (50.5, 60), (900.0, 1000), (4000.0, 4100)])
def test_erlang_b_equals_the_truncated_poisson_ratio_for_hundreds_of_servers(a, c):
    # B(c, a) = P(N = c | N ≤ c) for N ~ Poisson(a): an independent computation by scipy.
    expected = math.exp(stats.poisson.logpmf(c, a) - stats.poisson.logcdf(c, a))
    assert erlang_b(a, c) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("lam", "mu", "c"), [(2.0, 1.0, 3), (9.0, 1.0, 10), (45.0, 0.5, 95)])
def test_mmc_p0_and_lq_equal_the_textbook_sums(lam, mu, c):
    a, rho = lam / mu, lam / (c * mu)
    p0 = 1 / (sum(a**n / math.factorial(n) for n in range(c)) + a**c / (math.factorial(c) * (1 - rho)))
    lq = p0 * a**c * rho / (math.factorial(c) * (1 - rho) ** 2)
    result = mmc(lam, mu, c)
    assert result.p0 == pytest.approx(p0, rel=1e-10)
    assert result.lq == pytest.approx(lq, rel=1e-10)
    assert result.l == pytest.approx(lq + a, rel=1e-10)


def test_response_time_tail_equals_the_convolution_of_wait_and_service():
    result = mmc(2.0, 1.0, 3)
    theta, mu, c = result.tail_rate, result.service_rate, result.probability_wait
    for t in (0.5, 2.0, 6.0):
        # P(Wq + S > t) = (1 − C)e^(−μt) + C·∫ θe^(−θx)·P(S > t − x) dx + C·e^(−θt)
        inner, _ = integrate.quad(lambda x, t=t: theta * math.exp(-theta * x) * math.exp(-mu * (t - x)), 0, t)
        expected = (1 - c) * math.exp(-mu * t) + c * (inner + math.exp(-theta * t))
        assert result.probability_response_exceeds(t) == pytest.approx(expected, rel=1e-9)
    p95 = result.response_percentile(0.95)
    assert result.probability_response_exceeds(p95) == pytest.approx(0.05, rel=1e-6)


def test_wait_percentile_inverts_the_wait_tail():
    result = call_centre(200, 180, 12)
    p90 = result.wait_p90
    queue = mmc(200 / 3600, 1 / 180, 12)
    assert queue.probability_wait_exceeds(p90) == pytest.approx(0.10, rel=1e-9)
    # Fewer than 10 % wait at all: the 90th percentile wait is zero.
    assert mmc(1, 1, 6).wait_percentile(0.9) == 0


def test_allen_cunneen_is_exact_for_mm_c_and_md1():
    assert mgc(2.0, 1.0, 3).wq == pytest.approx(mmc(2.0, 1.0, 3).wq)
    # M/D/1, Pollaczek–Khinchine: Wq = ρ·S/(2(1 − ρ)).
    lam, s = 0.8, 1.0
    assert mgc(lam, s, 1, service_scv=0.0).wq == pytest.approx(0.8 * s / (2 * 0.2))


def test_jackson_tandem_is_the_sum_of_its_stations():
    stations = [Station("web", 4, 0.03), Station("app", 2, 0.015, visit_ratio=2.0), Station("db", 1, 0.007)]
    network = open_network(40.0, stations)
    expected = mmc(40, 1 / 0.03, 4).w + 2 * mmc(80, 1 / 0.015, 2).w + mmc(40, 1 / 0.007, 1).w
    assert network.response_time == pytest.approx(expected)
    assert [s.arrival_scv for s in network.stations] == pytest.approx([1.0, 1.0, 1.0])
    assert network.stations[1].utilization == pytest.approx(80 * 0.015 / 2)


def test_deterministic_service_smooths_the_next_station():
    network = open_network(0.8, [Station("a", 1, 1.0, scv=0.0), Station("b", 1, 1.0)])
    assert network.stations[1].arrival_scv < 1
    assert network.stations[1].wq < mmc(0.8, 1.0, 1).wq


# --- properties -------------------------------------------------------------------------------

loads = st.floats(min_value=0.01, max_value=300.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(a=loads, extra=st.integers(min_value=1, max_value=40))
def test_more_servers_never_increase_the_waiting_probability(a, extra):
    c = math.floor(a) + extra
    assume(a < c * (1 - 1e-9))  # within float noise of c erlangs on c servers counts as unstable
    assert erlang_c(a, c + 1) <= erlang_c(a, c)
    assert mmc(a, 1.0, c + 1).wq <= mmc(a, 1.0, c).wq


@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(min_value=0.0, max_value=2000.0, allow_nan=False), c=st.integers(min_value=0, max_value=600)
)
def test_erlang_b_is_a_probability_that_falls_with_servers(a, c):
    value = erlang_b(a, c)
    assert 0.0 <= value <= 1.0
    assert erlang_b(a, c + 1) <= value


@settings(max_examples=40, deadline=None)
@given(
    per_hour=st.floats(min_value=10, max_value=3000),
    aht=st.floats(min_value=30, max_value=900),
    target=st.floats(min_value=5, max_value=120),
    level=st.floats(min_value=0.5, max_value=0.95),
)
def test_staffing_meets_the_target_and_one_agent_fewer_does_not(per_hour, aht, target, level):
    staffing = staff(per_hour, aht, target_seconds=target, service_level=level)
    assert staffing.result.service_level >= level
    fewer = staffing.agents - 1
    if fewer > per_hour * aht / 3600 * (1 + 1e-9):  # one fewer is still a stable system
        assert call_centre(per_hour, aht, fewer, target_seconds=target).service_level < level


@settings(max_examples=30, deadline=None)
@given(
    a=st.floats(min_value=0.5, max_value=50), q=st.sampled_from([0.5, 0.9, 0.95]), slack=st.floats(1.05, 3.0)
)
def test_response_percentile_staffing_meets_the_target_and_one_fewer_does_not(a, q, slack):
    target = slack * -math.log(1 - q)  # reachable: above the service time's own quantile
    result = smallest_servers(a, 1.0, response_percentile=(q, target), max_occupancy=0.95)
    assert result.response_percentile(q) <= target
    assert result.utilization <= 0.95
    fewer = result.servers - 1
    if fewer > a and a / fewer <= 0.95:
        assert mmc(a, 1.0, fewer).response_percentile(q) > target


@settings(max_examples=40, deadline=None)
@given(a=loads, extra=st.integers(min_value=1, max_value=20), mu=st.floats(min_value=0.01, max_value=100))
def test_littles_law_and_finite_results(a, extra, mu):
    assume(a < (math.floor(a) + extra) * (1 - 1e-9))
    result = mmc(a * mu, mu, math.floor(a) + extra)
    assert result.l == pytest.approx(result.arrival_rate * result.w)
    assert result.lq == pytest.approx(result.arrival_rate * result.wq)
    values = [result.p0, result.probability_wait, result.lq, result.l, result.wq, result.w]
    assert all(math.isfinite(v) and v >= 0 for v in values)


def test_shrinkage_rounds_up_without_float_noise():
    assert agents_with_shrinkage(14, 0.3) == 20  # 14 / 0.7 is 20.000000000000004 in floats
    assert agents_with_shrinkage(15, 0.3) == 22
    assert agents_with_shrinkage(10, 0.0) == 10


def test_max_occupancy_adds_agents():
    plain = staff(200, 180, target_seconds=20, service_level=0.8)
    capped = staff(200, 180, target_seconds=20, service_level=0.8, max_occupancy=0.7)
    assert capped.result.occupancy <= 0.7 < plain.result.occupancy
    assert capped.agents == math.ceil(10 / 0.7)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: mmc(-1, 1, 2), "arrival_rate"),
        (lambda: mmc(1, 0, 2), "service_rate"),
        (lambda: mmc(1, 1, 0), "servers"),
        (lambda: mmc(1, 1, 2.5), "servers"),
        (lambda: mmc(1, 1, True), "servers"),
        (lambda: mmc(float("nan"), 1, 2), "arrival_rate"),
        (lambda: mmc(1e308, 1e-308, 3), "arrival_rate"),  # λ/μ overflows
        (lambda: mmc(1, 1, 10**7), "servers"),  # beyond MAX_SERVERS: refused, not computed for minutes
        (lambda: staff(1e9, 180, target_seconds=20, service_level=0.8), "arrivals_per_hour"),
        (lambda: erlang_b(-2, 3), "traffic"),
        (lambda: call_centre(100, 180, 10, target_seconds=-1), "target_seconds"),
        (lambda: staff(100, 180, target_seconds=20, service_level=80), "service_level"),
        (lambda: staff(100, 180, target_seconds=20, service_level=0.8, shrinkage=1.0), "shrinkage"),
        (lambda: mgc(1, 1, 2, service_scv=-0.5), "service_scv"),
        (lambda: open_network(1, [Station("a", 2, 0.1), Station("a", 2, 0.1)]), "stations[1].name"),
        (lambda: open_network(1, [Station("a", 0, 0.1)]), "stations[0].servers"),
    ],
)
def test_bad_input_names_the_parameter_on_one_line(call, parameter):
    with pytest.raises(CapacityError) as raised:
        call()
    message = str(raised.value)
    assert message.startswith(parameter + ":")
    assert "\n" not in message


def test_an_unstable_system_says_so_with_the_numbers():
    with pytest.raises(UnstableSystemError) as raised:
        mmc(12.5, 1.0, 10)
    assert str(raised.value) == (
        "unstable: offered load 12.5 erlangs needs more than 10 servers (utilisation 125 %)"
    )
    with pytest.raises(UnstableSystemError, match=r"stations\[1\] \(db\): unstable"):
        open_network(10, [Station("web", 4, 0.1), Station("db", 1, 0.1)])
    with pytest.raises(UnstableSystemError):
        call_centre(200, 180, 10)  # exactly 10 erlangs on 10 agents
