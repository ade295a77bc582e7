"""Monte Carlo schedule and cost risk (``estimates.montecarlo``): closed forms, properties, bad input.

Published answers used here:
- triangular(a, c, b): mean (a + b + c)/3, variance (a² + b² + c² − ab − ac − bc)/18
  (Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions* vol. 2, 2nd ed., 1995;
  Vose, *Risk Analysis*, 3rd ed., 2008), so a serial chain — whose duration is
  the sum — has the sum of means and of variances;
- beta-PERT(o, m, p) with λ = 4: mean μ = (o + 4m + p)/6 and variance (μ − o)(p − μ)/7
  (Vose 2008; Malcolm et al. 1959 for the mean; the variance is the Beta variance with α + β = 6);
- the Gaussian copula's rank correlation ρ_s = (6/π)·arcsin(ρ/2) (Pearson 1907).
"""

from __future__ import annotations

import math
from dataclasses import replace as replace_model

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import special

from salesdesk.estimates import montecarlo as mc
from salesdesk.estimates.montecarlo import (
    BLOCK,
    MIN_CHUNK_BLOCKS,
    CorrelationGroup,
    MonteCarloModel,
    deterministic_duration,
    model_from_plan,
    s_curve,
    sample_durations,
    simulate,
    spearman,
    tornado,
)

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def chain(o, m, p, **kwargs) -> MonteCarloModel:
    n = len(o)
    return MonteCarloModel(
        task_ids=tuple(f"T{i}" for i in range(n)),
        optimistic=np.asarray(o, dtype=float),
        most_likely=np.asarray(m, dtype=float),
        pessimistic=np.asarray(p, dtype=float),
        link_pred=np.arange(n - 1),
        link_succ=np.arange(1, n),
        link_type=np.zeros(n - 1, dtype=int),
        link_lag=np.zeros(n - 1),
        **kwargs,
    )


def network(durations, links, **kwargs) -> MonteCarloModel:
    """Fixed durations (o = m = p) and links as (pred, succ, type code, lag)."""
    d = np.asarray(durations, dtype=float)
    return MonteCarloModel(
        task_ids=tuple(f"T{i}" for i in range(d.size)),
        optimistic=d,
        most_likely=d,
        pessimistic=d,
        link_pred=np.asarray([link[0] for link in links], dtype=np.intp),
        link_succ=np.asarray([link[1] for link in links], dtype=np.intp),
        link_type=np.asarray([link[2] for link in links], dtype=np.intp),
        link_lag=np.asarray([link[3] for link in links], dtype=float),
        **kwargs,
    )


@st.composite
def dags(draw, max_tasks: int = 12, fixed: bool = False):
    """A random acyclic network: links only from a lower to a higher index (any type, any lag)."""
    n = draw(st.integers(1, max_tasks))
    o = np.asarray(draw(st.lists(st.floats(0, 10), min_size=n, max_size=n)))
    if fixed:
        m = p = o
    else:
        m = o + np.asarray(draw(st.lists(st.floats(0, 10), min_size=n, max_size=n)))
        p = m + np.asarray(draw(st.lists(st.floats(0, 10), min_size=n, max_size=n)))
    pairs = [(i, j) for j in range(n) for i in range(j)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2 * n)) if pairs else []
    types = [draw(st.integers(0, 3)) for _ in chosen]
    lags = [draw(st.sampled_from([0.0, 0.0, 1.5, -2.0, 3.0])) for _ in chosen]
    return MonteCarloModel(
        task_ids=tuple(f"T{i}" for i in range(n)),
        optimistic=o,
        most_likely=m,
        pessimistic=p,
        link_pred=np.asarray([i for i, _ in chosen], dtype=np.intp),
        link_succ=np.asarray([j for _, j in chosen], dtype=np.intp),
        link_type=np.asarray(types, dtype=np.intp),
        link_lag=np.asarray(lags, dtype=float),
    )


# --- published closed forms --------------------------------------------------------------------


def test_serial_chain_of_triangulars_has_the_closed_form_mean_and_variance():
    # given a chain of three triangular tasks
    a, c, b = np.array([2.0, 5.0, 1.0]), np.array([4.0, 6.0, 3.0]), np.array([9.0, 12.0, 4.0])
    model = chain(a, c, b)
    mean = float(((a + b + c) / 3).sum())
    variance = float(((a**2 + b**2 + c**2 - a * b - a * c - b * c) / 18).sum())
    # when it is simulated
    n = 60_000
    result = simulate(model, iterations=n, seed=7, distribution="triangular")
    # then the mean is within 4 standard errors and the variance within 4 % (≈ 7 standard errors)
    assert abs(result.duration.mean - mean) < 4 * math.sqrt(variance / n)
    assert result.duration.std**2 == pytest.approx(variance, rel=0.04)


def test_serial_chain_of_pert_tasks_has_the_closed_form_mean_and_variance():
    o, m, p = np.array([1.0, 2.0, 0.0, 3.0]), np.array([2.0, 7.0, 1.0, 3.0]), np.array([6.0, 8.0, 10.0, 3.0])
    mu = (o + 4 * m + p) / 6
    variance = float(((mu - o) * (p - mu) / 7).sum())
    n = 60_000
    result = simulate(chain(o, m, p), iterations=n, seed=11, distribution="pert")
    assert abs(result.duration.mean - float(mu.sum())) < 4 * math.sqrt(variance / n)
    assert result.duration.std**2 == pytest.approx(variance, rel=0.04)


def test_pert_inverse_table_is_within_a_thousandth_of_the_exact_beta_distribution():
    # the drawn value's exact distribution function, at the probability it was drawn for
    rng = np.random.default_rng(3)
    mode = np.concatenate([[0.0, 1.0, 0.5, 1 / 64], rng.random(120)])
    zeros, ones = np.zeros_like(mode), np.ones_like(mode)
    u = rng.random((mode.size, 1_000))
    x = mc._table_ppf(u.copy(), mc._pert_tables(zeros, mode, ones))
    alpha, beta = (1 + 4 * mode)[:, None], (5 - 4 * mode)[:, None]
    assert np.abs(special.betainc(alpha, beta, x) - u).max() < 1e-3
    # and away from the outermost 1/1024 of each tail the values themselves are close
    inner = (u > 1 / 512) & (u < 1 - 1 / 512)
    assert np.abs(x - special.betaincinv(alpha, beta, u))[inner].max() < 2e-3


def test_correlated_tasks_normal_score_table_is_within_a_thousandth_of_the_exact_beta():
    # correlated beta-PERT tasks are read from a table indexed by the normal score z, not by Φ(z)
    rng = np.random.default_rng(4)
    mode = np.concatenate([[0.0, 1.0, 0.5, 1 / 64], rng.random(60)])
    marginals = mc._ThreePoint("pert", np.zeros_like(mode), mode, np.ones_like(mode))
    z = rng.standard_normal((mode.size, 2_000))
    z[:, :4] = [-7.0, -6.0, 6.0, 7.5]  # beyond the table: its end values
    x = marginals.ppf_normal(z.copy(), np.empty_like(z))
    alpha, beta = (1 + 4 * mode)[:, None], (5 - 4 * mode)[:, None]
    assert np.abs(special.betainc(alpha, beta, x) - special.ndtr(z)).max() < 1e-3
    assert np.all((x >= 0) & (x <= 1))
    # and away from the u table's outermost cells both paths give nearly the same values
    u = special.ndtr(z)
    inner = (u > 1 / 512) & (u < 1 - 1 / 512)
    assert np.abs(x - marginals.ppf(u))[inner].max() < 2e-3


@pytest.mark.parametrize(("coefficient", "tolerance"), [(0.5, 0.008), (0.9, 0.004)])
def test_group_coefficient_gives_the_requested_rank_correlation(coefficient, tolerance):
    # the tolerance is below the gap (≈ 0.017 and 0.009) between a rank and a normal correlation,
    # so using the coefficient as the normal correlation directly would fail
    model = chain([1, 2, 0], [2, 3, 5], [6, 9, 7], correlation=(CorrelationGroup((0, 1, 2), coefficient),))
    for distribution in ("pert", "triangular"):
        d = sample_durations(model, iterations=100_000, seed=5, distribution=distribution)
        for i, j in ((0, 1), (0, 2), (1, 2)):
            assert spearman(d[i], d[j]) == pytest.approx(coefficient, abs=tolerance)


def test_matrix_gives_the_requested_rank_correlations_including_negative():
    matrix = np.array([[1.0, -0.5, 0.2], [-0.5, 1.0, 0.4], [0.2, 0.4, 1.0]])
    model = chain([0, 0, 0], [1, 2, 3], [4, 4, 4], correlation=(CorrelationGroup((0, 1, 2), matrix=matrix),))
    d = sample_durations(model, iterations=20_000, seed=9)
    for i, j in ((0, 1), (0, 2), (1, 2)):
        assert spearman(d[i], d[j]) == pytest.approx(matrix[i, j], abs=0.03)


def test_uncorrelated_tasks_stay_uncorrelated_and_correlation_keeps_the_marginals():
    plain = chain([1, 1], [2, 2], [5, 5])
    tied = chain([1, 1], [2, 2], [5, 5], correlation=(CorrelationGroup((0, 1), 0.9),))
    a = sample_durations(plain, iterations=20_000, seed=1)
    b = sample_durations(tied, iterations=20_000, seed=1)
    assert abs(spearman(a[0], a[1])) < 0.03
    # same marginal: beta-PERT mean 7/3 either way
    assert b.mean(axis=1) == pytest.approx([7 / 3, 7 / 3], abs=0.02)
    # and the correlation widens the spread of the chain (a variance a reviewer can see)
    assert (
        simulate(tied, iterations=20_000, seed=1).duration.std
        > simulate(plain, iterations=20_000, seed=1).duration.std * 1.2
    )


# --- properties --------------------------------------------------------------------------------


@SETTINGS
@given(dags(), st.sampled_from(["pert", "triangular"]), st.integers(0, 2**32 - 1))
def test_percentiles_are_monotone_and_bounded(model, distribution, seed):
    result = simulate(model, iterations=300, seed=seed, distribution=distribution)
    for summary in (result.duration, result.cost):
        assert summary is not None
        values = [summary.p10, summary.p50, summary.p80, summary.p90, summary.p95]
        assert values == sorted(values)
    assert result.durations.min() <= result.duration.p10 and result.duration.p95 <= result.durations.max()
    assert all(0.0 <= share <= 1.0 for share in result.criticality.values())
    # at least one task is critical in every iteration: the one finishing last
    assert max(result.criticality.values()) > 0
    assert all(-1.0 <= v <= 1.0 and math.isfinite(v) for v in result.sensitivity.values())


@SETTINGS
@given(dags(fixed=True))
def test_zero_variance_gives_the_deterministic_cpm_duration_exactly(model):
    from salesdesk.estimates.scheduling import Network, critical_path_method

    codes = ["FS", "SS", "FF", "SF"]
    reference = critical_path_method(
        Network.build(
            list(model.task_ids),
            model.most_likely.tolist(),
            model.link_pred.tolist(),
            model.link_succ.tolist(),
            [codes[t] for t in model.link_type.tolist()],
            model.link_lag.tolist(),
        )
    )
    result = simulate(model, iterations=BLOCK + 3, seed=1)
    assert np.all(result.durations == pytest.approx(reference.duration, abs=1e-9))
    assert result.base_duration == pytest.approx(reference.duration, abs=1e-9)
    # criticality is all or nothing, and matches the CPM's critical tasks
    critical = [result.criticality[t] for t in model.task_ids]
    assert critical == [1.0 if c else 0.0 for c in reference.critical.tolist()]


@SETTINGS
@given(dags(), st.integers(0, 100), st.sampled_from(["pert", "triangular"]), st.data())
def test_adding_a_task_never_shortens_any_iteration(model, seed, distribution, data):
    n = len(model.task_ids)
    preds = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=3))
    kind = data.draw(st.integers(0, 3))
    lag = data.draw(st.sampled_from([0.0, 2.0, -1.0]))
    bigger = MonteCarloModel(
        task_ids=(*model.task_ids, "NEW"),
        optimistic=np.append(model.optimistic, 1.0),
        most_likely=np.append(model.most_likely, 3.0),
        pessimistic=np.append(model.pessimistic, 8.0),
        link_pred=np.append(model.link_pred, preds).astype(np.intp),
        link_succ=np.append(model.link_succ, [n] * len(preds)).astype(np.intp),
        link_type=np.append(model.link_type, [kind] * len(preds)).astype(np.intp),
        link_lag=np.append(model.link_lag, [lag] * len(preds)),
    )
    before = simulate(model, iterations=200, seed=seed, distribution=distribution)
    after = simulate(bigger, iterations=200, seed=seed, distribution=distribution)
    assert np.all(after.durations >= before.durations - 1e-9)


@SETTINGS
@given(dags(), st.integers(0, 2**32 - 1))
def test_same_seed_same_result_and_chunking_changes_nothing(model, seed):
    # the smallest chunk (MIN_CHUNK_BLOCKS blocks) against one chunk for all iterations
    iterations = 2 * MIN_CHUNK_BLOCKS * BLOCK + 17
    one = simulate(model, iterations=iterations, seed=seed, chunk_elements=10**9)
    again = simulate(model, iterations=iterations, seed=seed, chunk_elements=10**9)
    chunked = simulate(model, iterations=iterations, seed=seed, chunk_elements=1)
    for other in (again, chunked):
        assert np.array_equal(one.durations, other.durations)
        assert one.costs is not None and other.costs is not None
        assert np.allclose(one.costs, other.costs, rtol=1e-12)
        assert one.duration == other.duration
        assert one.criticality == other.criticality
        assert one.sensitivity == other.sensitivity


def test_different_seeds_give_different_iterations():
    model = chain([1, 2], [2, 3], [5, 9])
    assert not np.array_equal(
        simulate(model, iterations=100, seed=1).durations, simulate(model, iterations=100, seed=2).durations
    )


@SETTINGS
@given(
    st.lists(st.tuples(st.floats(0, 5), st.floats(0, 5), st.floats(0, 5)), min_size=1, max_size=6),
    st.floats(0.5, 20),
    st.floats(0, 1000),
    st.data(),
)
def test_a_certain_risk_adds_exactly_its_impact_on_a_serial_chain(estimates, days, cost, data):
    o = np.array([e[0] for e in estimates])
    m = o + [e[1] for e in estimates]
    p = m + [e[2] for e in estimates]
    linked = data.draw(st.integers(0, len(o) - 1))
    plain = chain(o, m, p)
    risky = chain(
        o,
        m,
        p,
        risk_ids=("R1",),
        risk_probability=np.array([1.0]),
        risk_days=np.array([[days, days, days]]),
        risk_cost=np.array([[cost, cost, cost]]),
        risk_tasks=((linked,),),
    )
    without = simulate(plain, iterations=300, seed=4)
    with_risk = simulate(risky, iterations=300, seed=4)
    assert with_risk.durations == pytest.approx(without.durations + days, abs=1e-9)
    assert without.costs is not None and with_risk.costs is not None
    assert with_risk.costs == pytest.approx(without.costs + cost, abs=1e-6)
    assert with_risk.sensitivity["R1"] == 0.0  # always occurs: a constant column


def test_a_single_chain_is_always_critical():
    result = simulate(chain([1, 2, 3], [2, 4, 5], [9, 5, 8]), iterations=2_000, seed=1)
    assert result.criticality == {"T0": 1.0, "T1": 1.0, "T2": 1.0}


def test_merge_bias_two_parallel_paths_take_longer_on_average_than_one():
    # given one path A → B, and the same path twice in parallel into a zero-length finish
    o, m, p = [2.0, 2.0], [4.0, 4.0], [12.0, 12.0]
    one = chain(o, m, p)
    two = MonteCarloModel(
        task_ids=("A1", "B1", "A2", "B2", "END"),
        optimistic=np.array([*o, *o, 0.0]),
        most_likely=np.array([*m, *m, 0.0]),
        pessimistic=np.array([*p, *p, 0.0]),
        link_pred=np.array([0, 2, 1, 3]),
        link_succ=np.array([1, 3, 4, 4]),
        link_type=np.zeros(4, dtype=int),
        link_lag=np.zeros(4),
    )
    single = simulate(one, iterations=20_000, seed=3)
    merged = simulate(two, iterations=20_000, seed=3)
    # then the merged mean is above one path's by a clear margin (E max of two iid ≈ μ + 0.56σ)
    assert merged.duration.mean > single.duration.mean + 0.4 * single.duration.std
    # the deterministic plan does not see it: both are 8 days
    assert merged.base_duration == single.base_duration == 8.0
    # and each path is critical in about half the iterations
    assert merged.criticality["A1"] == pytest.approx(0.5, abs=0.03)
    assert merged.criticality["END"] == 1.0


def test_non_labour_item_ranges_enter_the_cost_but_not_the_schedule():
    plain = chain([2, 3], [4, 5], [9, 8], cost_per_day=np.array([100.0, 10.0]))
    fixed_item = replace_model(plain, item_cost=np.array([[500.0, 500.0, 500.0]]))
    ranged = replace_model(plain, item_cost=np.array([[500.0, 500.0, 500.0], [100.0, 200.0, 900.0]]))
    for distribution, mean in (("pert", (100 + 800 + 900) / 6), ("triangular", (100 + 200 + 900) / 3)):
        a = simulate(plain, iterations=40_000, seed=8, distribution=distribution)
        b = simulate(fixed_item, iterations=40_000, seed=8, distribution=distribution)
        c = simulate(ranged, iterations=40_000, seed=8, distribution=distribution)
        assert a.costs is not None and b.costs is not None and c.costs is not None
        # a certain item adds exactly its cost to every iteration; durations are the same draws
        np.testing.assert_allclose(b.costs - a.costs, 500.0)
        np.testing.assert_array_equal(c.durations, a.durations)
        extra = c.costs - b.costs
        assert extra.min() >= 100.0 - 1e-6 and extra.max() <= 900.0 + 1e-6
        assert extra.mean() == pytest.approx(mean, rel=0.01)
        assert c.base_cost == a.base_cost + 700.0  # most likely: 500 + 200


def test_link_types_and_lags_follow_the_precedence_rules():
    # A (4 days) then B (2 days), each link type with a lag
    assert deterministic_duration(network([4, 2], [(0, 1, 0, 1.0)])) == 7.0
    assert deterministic_duration(network([4, 2], [(0, 1, 1, 1.0)])) == 4.0  # B: 1–3, A ends at 4
    assert deterministic_duration(network([4, 2], [(0, 1, 2, 1.0)])) == 5.0  # B ends at A's end + 1
    assert deterministic_duration(network([4, 2], [(0, 1, 3, 5.0)])) == 5.0  # B ends ≥ A's start + 5
    # a second link into the same task: C waits for A's finish and for B's start + 5
    assert deterministic_duration(network([4, 1, 2], [(0, 2, 0, 0.0), (1, 2, 1, 5.0)])) == 7.0
    # … for B's start + 7 (SF: C ends by then at the earliest), for B's finish + 7 (FF)
    assert deterministic_duration(network([4, 1, 2], [(0, 2, 0, 0.0), (1, 2, 3, 7.0)])) == 7.0
    assert deterministic_duration(network([4, 1, 2], [(0, 2, 0, 0.0), (1, 2, 2, 7.0)])) == 8.0
    # a lead cannot start a task before the project: ES ≥ 0
    assert deterministic_duration(network([4, 2], [(0, 1, 2, -10.0)])) == 4.0


def test_cost_is_duration_times_rate_plus_fixed_plus_risk_cost():
    model = chain(
        [2, 3],
        [2, 3],
        [2, 3],
        cost_per_day=np.array([100.0, 10.0]),
        fixed_cost=np.array([5.0, 7.0]),
        risk_ids=("R",),
        risk_probability=np.array([0.5]),
        risk_days=np.array([[1.0, 1.0, 1.0]]),
        risk_cost=np.array([[1000.0, 1000.0, 1000.0]]),
        risk_tasks=((0,),),
    )
    result = simulate(model, iterations=4_000, seed=2)
    base = 2 * 100 + 3 * 10 + 12
    assert result.base_cost == base
    assert result.costs is not None
    assert set(np.round(result.costs, 9).tolist()) == {base, base + 100 + 1000}
    assert set(np.round(result.durations, 9).tolist()) == {5.0, 6.0}
    share = result.probability_within(base)
    assert share == pytest.approx(0.5, abs=0.03)
    assert result.probability_by(5.0) == share  # risk occurrence drives both
    assert result.sensitivity["R"] == pytest.approx(1.0)
    assert result.sensitivity["T0"] == result.sensitivity["T1"] == 0.0  # fixed durations


def test_sensitivity_ranks_the_dominant_task_first():
    model = chain([1, 1, 0], [2, 2, 20], [3, 3, 60])
    result = simulate(model, iterations=5_000, seed=8)
    assert tornado(result, limit=1)[0][0] == "T2"
    assert result.sensitivity["T2"] > 0.9
    assert 0 < result.sensitivity["T0"] < 0.2


def test_contingency_s_curve_and_probabilities():
    model = chain([1, 2], [2, 3], [6, 9], cost_per_day=np.array([10.0, 20.0]))
    result = simulate(model, iterations=10_000, seed=6)
    days, money = result.contingency()
    assert days == pytest.approx(result.duration.p80 - 5.0)
    assert money == pytest.approx(result.cost.p80 - 80.0)  # type: ignore[union-attr]
    assert days > 0 and money is not None and money > 0
    values, probability = s_curve(result.durations)
    assert values.size == probability.size == 101
    assert np.all(np.diff(values) >= 0) and probability[0] == 0 and probability[-1] == 1
    assert values[50] == pytest.approx(result.duration.p50)
    assert result.probability_by(result.duration.p50) == pytest.approx(0.5, abs=0.001)
    assert result.probability_by(0) == 0.0 and result.probability_by(1e9) == 1.0


def test_progress_is_reported_per_chunk_up_to_the_total():
    calls: list[tuple[int, int]] = []
    total = 20 * BLOCK + 1
    # one task: 8 blocks of iterations per chunk
    simulate(
        chain([1], [2], [3]),
        iterations=total,
        seed=1,
        chunk_elements=8 * BLOCK,
        progress=lambda *a: calls.append(a),
    )
    assert calls == [(8 * BLOCK, total), (16 * BLOCK, total), (total, total)]


def test_switches_without_cost_sensitivity_or_correlation():
    model = chain([1, 1], [2, 2], [4, 4], correlation=(CorrelationGroup((0, 1), 0.9),))
    lean = simulate(model, iterations=1_000, seed=1, with_cost=False, with_sensitivity=False, correlate=False)
    assert lean.costs is None and lean.cost is None and lean.sensitivity == {}
    with pytest.raises(ValueError, match="budget"):
        lean.probability_within(10)
    full = simulate(model, iterations=1_000, seed=1)
    assert not np.array_equal(lean.durations, full.durations)


def test_model_from_plan_reads_tasks_links_costs_and_risks():
    from salesdesk.estimates.plan import parse_plan

    plan = parse_plan(
        {
            "tasks": [
                {"id": "A", "optimistic": 1, "most_likely": 2, "pessimistic": 4, "cost_per_day": 100},
                {
                    "id": "B",
                    "duration": 3,
                    "fixed_cost": 50,
                    "predecessors": [{"id": "A", "type": "SS", "lag": 1}],
                },
            ],
            "risks": [{"id": "R", "probability": 1, "impact_days": 2, "impact_cost": 10, "tasks": ["B"]}],
        }
    )
    model = model_from_plan(plan, correlation=[(["A", "B"], 0.5)])
    assert model.task_ids == ("A", "B")
    assert model.pessimistic.tolist() == [4.0, 3.0] and model.optimistic.tolist() == [1.0, 3.0]
    assert (model.link_pred.tolist(), model.link_type.tolist(), model.link_lag.tolist()) == ([0], [1], [1.0])
    assert model.risk_days.tolist() == [[2.0, 2.0, 2.0]] and model.risk_tasks == ((1,),)
    result = simulate(model, iterations=500, seed=1)
    assert result.duration.p10 >= 6.0  # B: 3 + 2 days of risk, starting a day after A starts
    with pytest.raises(ValueError, match="unknown task X"):
        model_from_plan(plan, correlation=[(["A", "X"], 0.5)])


# --- bad input ---------------------------------------------------------------------------------


def base_kwargs(**changes):
    kwargs = {
        "task_ids": ("A", "B"),
        "optimistic": np.array([1.0, 1.0]),
        "most_likely": np.array([2.0, 2.0]),
        "pessimistic": np.array([3.0, 3.0]),
        "link_pred": np.array([0]),
        "link_succ": np.array([1]),
        "link_type": np.array([0]),
        "link_lag": np.array([0.0]),
    }
    return kwargs | changes


RISK = {
    "risk_ids": ("R",),
    "risk_probability": np.array([0.5]),
    "risk_days": np.array([[1.0, 2.0, 3.0]]),
    "risk_cost": np.array([[0.0, 0.0, 0.0]]),
    "risk_tasks": ((0,),),
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"task_ids": ()}, "at least one task"),
        ({"task_ids": ("A", "A")}, "unique"),
        ({"optimistic": np.array([1.0])}, "optimistic: expected 2"),
        ({"pessimistic": np.array([3.0, np.nan])}, "finite"),
        ({"optimistic": np.array([-1.0, 1.0])}, "task A: need 0 ≤ optimistic"),
        ({"most_likely": np.array([2.0, 4.0])}, "task B: need"),
        ({"optimistic": np.array([2.5, 1.0])}, "task A: need"),
        ({"cost_per_day": np.array([1.0, np.inf])}, "cost_per_day"),
        ({"link_succ": np.array([5])}, "out of range"),
        ({"link_succ": np.array([0])}, "task A depends on itself"),
        ({"link_type": np.array([4])}, "link_type"),
        ({"link_lag": np.array([np.nan])}, "link_lag"),
        ({"link_lag": np.array([0.0, 1.0])}, "differ in length"),
        (
            {
                "link_pred": np.array([0, 1]),
                "link_succ": np.array([1, 0]),
                "link_type": np.array([0, 0]),
                "link_lag": np.array([0.0, 0.0]),
            },
            "cycle",
        ),
        (RISK | {"risk_probability": np.array([1.5])}, "risk R: probability"),
        (RISK | {"risk_days": np.array([[3.0, 2.0, 1.0]])}, "risk R: impact days"),
        (RISK | {"risk_days": np.array([[-1.0, 0.0, 1.0]])}, "must not be negative"),
        (RISK | {"risk_cost": np.array([[0.0, np.nan, 1.0]])}, "risk R: impact cost"),
        (RISK | {"risk_tasks": ((7,),)}, "linked task index"),
        ({"item_cost": np.array([[3.0, 2.0, 4.0]])}, "item_cost: item 1"),
        ({"item_cost": np.array([[0.0, 1.0, 2.0], [1.0, np.inf, 2.0]])}, "item_cost: item 2"),
        (RISK | {"risk_ids": ("R", "S")}, "differ in length"),
        ({"correlation": (CorrelationGroup((0,), 0.5),)}, "at least two"),
        ({"correlation": (CorrelationGroup((0, 9), 0.5),)}, "out of range"),
        ({"correlation": (CorrelationGroup((0, 1), 0.5), CorrelationGroup((1, 0), 0.5))}, "one group only"),
        ({"correlation": (CorrelationGroup((0, 1), -0.2),)}, "between 0 and 1"),
        ({"correlation": (CorrelationGroup((0, 1), matrix=np.eye(3)),)}, "2×2"),
        ({"correlation": (CorrelationGroup((0, 1), matrix=np.array([[1, 0.5], [0.4, 1]])),)}, "symmetric"),
        (
            {
                "task_ids": ("A", "B", "C"),
                "optimistic": np.ones(3),
                "most_likely": np.ones(3),
                "pessimistic": np.ones(3),
                "correlation": (
                    CorrelationGroup(
                        (0, 1, 2), matrix=np.array([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]])
                    ),
                ),
            },
            "not positive definite",
        ),
    ],
)
def test_bad_models_are_refused_with_the_field_named(changes, message):
    with pytest.raises(ValueError, match=message):
        MonteCarloModel(**base_kwargs(**changes))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"iterations": 0}, "iterations"),
        ({"iterations": 10_000_001}, "iterations"),
        ({"distribution": "normal"}, "distribution"),
        ({"chunk_elements": 0}, "chunk_elements"),
    ],
)
def test_bad_simulation_options_are_refused(kwargs, message):
    model = MonteCarloModel(**base_kwargs())
    with pytest.raises(ValueError, match=message):
        simulate(model, **kwargs)


def test_bad_confidence_and_s_curve_points_are_refused():
    result = simulate(MonteCarloModel(**base_kwargs()), iterations=10, seed=1)
    with pytest.raises(ValueError, match="confidence"):
        result.contingency(1.0)
    with pytest.raises(ValueError, match="points"):
        s_curve(result.durations, points=1)
