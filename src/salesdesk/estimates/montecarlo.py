"""Schedule and cost risk by Monte Carlo simulation over a dependency network (issue 7).

A pure engine: NumPy arrays and dataclasses in, a :class:`SimulationResult` out; no Django.

The model (Vose, *Risk Analysis: A Quantitative Guide*, 3rd ed., Wiley 2008, on project schedule
and cost risk):

* Each task's duration is drawn from a three-point estimate (o, m, p):

  - triangular: mean (o + m + p)/3, variance (o² + m² + p² − om − op − mp)/18;
  - beta-PERT with shape λ = 4 (Malcolm, Roseboom, Clark & Fazar, "Application of a technique
    for research and development program evaluation", *Operations Research* 7(5), 1959;
    Vose 2008): o + (p − o)·Beta(α, β) with α = 1 + 4(m − o)/(p − o), β = 1 + 4(p − m)/(p − o),
    mean (o + 4m + p)/6. When o = p the duration is the constant o.

* Each risk occurs in an iteration with its probability (one Bernoulli draw per iteration);
  when it occurs, one draw of its impact in days (a three-point range; equal points mean a fixed
  value) is added to the duration of every linked task, and one draw of its impact cost is added
  once to the iteration's cost.

* The schedule is evaluated through the network on every iteration (critical path method,
  Kelley & Walker 1959; PERT network simulation, Van Slyke, "Monte Carlo methods and the PERT
  problem", *Operations Research* 11(5), 1963), so merge bias shows: the forward pass in
  topological order gives each task's earliest start,

      ES_j = max(0, max over links i→j of  FS: EF_i + lag,  SS: ES_i + lag,
                                           FF: EF_i + lag − d_j,  SF: ES_i + lag − d_j),

  with EF = ES + d; the project duration is T = max EF. The backward pass gives the latest
  finish LF_i = min(T, min over links i→j of  FS: LS_j − lag,  SS: LS_j − lag + d_i,
  FF: LF_j − lag,  SF: LF_j − lag + d_i) with LS = LF − d, and the total float LF − EF. A task's
  criticality index is the share of iterations in which its total float is zero (within a
  rounding tolerance of 1e-9·(1 + T)).

* Cost per iteration = Σ_tasks (d · cost_per_day + fixed_cost) + Σ_risks occurred impact_cost
  + Σ_items one draw of the item's cost (non-labour items as three-point ranges, drawn with the
  same distribution as the tasks, each from its own stream; equal points mean a fixed cost).

Correlation between task durations uses a Gaussian copula (Vose 2008; Nelsen, *An
Introduction to Copulas*, 2006): correlated standard normal scores z are mapped to durations
through each task's inverse distribution function. A requested *rank* (Spearman) correlation
ρ_s is met exactly in expectation by using the normal correlation ρ = 2·sin(π·ρ_s/6) (Pearson
1907), because ranks do not change under the monotone marginal maps. We chose the copula over
Iman & Conover ("A distribution-free approach to inducing rank correlation among input
variables", *Communications in Statistics B* 11(3), 1982) because the copula treats every
iteration on its own: iterations can be processed in chunks with bounded memory and the result
does not depend on the chunk size, whereas Iman–Conover re-orders whole sample columns (a sort
per task over all iterations). A group with one coefficient uses a one-factor model
z = √ρ·f + √(1 − ρ)·ε (O(k) per iteration, any group size); a full matrix uses its Cholesky
factor.

Every duration is drawn by inversion, x = F⁻¹(u), so independent and correlated tasks share one
path. The triangular F⁻¹ is closed-form. The beta-PERT F⁻¹ has no closed form and the exact
``scipy.special.betaincinv`` costs ≈ 2 µs a value (too slow for 10⁸ draws), so it is read from
a table: exact beta quantiles at u = 0, 1/1024, …, 1 for shapes (m − o)/(p − o) = 0, 1/64, …, 1
(built once per process), interpolated linearly in the shape (once per task) and in u (per
draw). The table is exact at its nodes, and the sampled distribution function stays within
10⁻³ of the exact one everywhere (Kolmogorov distance; ``tests/estimates/test_montecarlo.py``);
values differ noticeably only in the outermost 1/1024 of a tail. ``Generator.beta`` would be
exact but is about twice as slow here and cannot take correlated normal scores. The per-draw
lookup runs in float32 (float32 uniforms, a complex64 copy of the table, results stored as
float64; a constant estimate is set exactly): about 7 significant digits, far below the table's
own error, for half the random bits and memory traffic. A chunk's blocks are drawn row piece by
row piece, each block from its own generator, so a piece of table rows is read from cache once
per chunk — the same numbers as block by block.

Reproducibility: iterations are grouped in blocks of :data:`BLOCK` and block b draws from its
own generators, ``SeedSequence(seed, spawn_key=(b, part))`` for part 0 (task durations), 1
(correlation scores), 2 (risks) and 3 (non-labour items). Chunks are whole blocks, so the same
seed gives the same iterations — and the same percentiles, criticality and sensitivity —
whatever the chunk size.

Sensitivity (the tornado) is Spearman's rank correlation of each task's sampled duration
(before risk impacts, which are attributed to the risk's own bar) and of each risk's occurrence
(0/1, ties averaged) with the project duration. Ranks need every value of a column at once, and
10⁵ iterations × 5,000 tasks would not fit the memory bound, so it is computed over the first
``n_s`` iterations with n_s·tasks ≤ :data:`SENSITIVITY_ELEMENTS` (at least
:data:`SENSITIVITY_MIN_SAMPLE` iterations, at most all): a fixed, seeded sample whose standard
error is about 1/√n_s (≈ 0.014 for 1,000 tasks). Percentiles are exact: the 1-D duration and
cost totals of all iterations are kept.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

if TYPE_CHECKING:
    from salesdesk.estimates.plan import Plan

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
Distribution = Literal["triangular", "pert"]
Progress = Callable[[int, int], None]

LINK_TYPES: dict[str, int] = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}
FS, SS, FF, SF = 0, 1, 2, 3
BLOCK = 512
"""Iterations per random-number block (the unit of reproducibility)."""
CHUNK_ELEMENTS = 4_000_000
"""Default bound on iterations × tasks held at once (three float64 arrays of this size) …"""
MIN_CHUNK_BLOCKS = 4
"""… but a chunk has at least this many blocks (2,048 iterations) however many tasks there are."""
SENSITIVITY_ELEMENTS = 4_000_000
SENSITIVITY_MIN_SAMPLE = 2_000
MAX_ITERATIONS = 10_000_000
PERCENTILES = (10, 50, 80, 90, 95)
_CELLS = 1024  # beta-PERT quantile tables: 1,025 probabilities 0, 1/1024, …, 1
_SHAPE_STEPS = 64  # … for the mode's relative position (m − o)/(p − o) = 0, 1/64, …, 1
_standard_table: FloatArray | None = None
_Z_RANGE = 6.0  # normal-score tables: z = −6 … 6 in 1,024 cells (|z| > 6 has probability 2·10⁻⁹)
_standard_normal_table: FloatArray | None = None
_PIECE = 16_384  # draws transformed at once: ≈ 128 KiB a temporary, so they stay in the L2 cache
_PIECE32 = 8_192  # float32 beta-PERT draws transformed at once (buffers of 32–64 KiB)


# --- model -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorrelationGroup:
    """Tasks whose durations are rank-correlated.

    Either one ``coefficient`` (the same Spearman correlation between every pair, in [0, 1]) or a
    full k×k ``matrix`` of Spearman correlations (symmetric, unit diagonal, in [−1, 1]).
    """

    tasks: tuple[int, ...]
    coefficient: float = 0.0
    matrix: FloatArray | None = None


@dataclass(frozen=True, eq=False)
class MonteCarloModel:
    """A plan as arrays: n tasks, m links, r risks.

    ``optimistic``/``most_likely``/``pessimistic`` (n,) in working days; ``link_pred``,
    ``link_succ`` (m,) task indexes, ``link_type`` (m,) codes of :data:`LINK_TYPES`, ``link_lag``
    (m,) days; ``risk_probability`` (r,); ``risk_days`` and ``risk_cost`` (r, 3) low/most
    likely/high; ``risk_tasks`` (r,) tuples of linked task indexes; ``cost_per_day`` and
    ``fixed_cost`` (n,); ``item_cost`` (k, 3) low/most likely/high cost of each non-labour
    item. Validated on construction (ValueError naming the field).
    """

    task_ids: tuple[str, ...]
    optimistic: FloatArray
    most_likely: FloatArray
    pessimistic: FloatArray
    link_pred: IntArray = field(default_factory=lambda: np.zeros(0, np.intp))
    link_succ: IntArray = field(default_factory=lambda: np.zeros(0, np.intp))
    link_type: IntArray = field(default_factory=lambda: np.zeros(0, np.intp))
    link_lag: FloatArray = field(default_factory=lambda: np.zeros(0))
    cost_per_day: FloatArray | None = None
    fixed_cost: FloatArray | None = None
    risk_ids: tuple[str, ...] = ()
    risk_probability: FloatArray = field(default_factory=lambda: np.zeros(0))
    risk_days: FloatArray = field(default_factory=lambda: np.zeros((0, 3)))
    risk_cost: FloatArray = field(default_factory=lambda: np.zeros((0, 3)))
    risk_tasks: tuple[tuple[int, ...], ...] = ()
    correlation: tuple[CorrelationGroup, ...] = ()
    item_cost: FloatArray = field(default_factory=lambda: np.zeros((0, 3)))

    def __post_init__(self) -> None:
        n = len(self.task_ids)
        if n == 0:
            raise ValueError("tasks: a plan needs at least one task")
        if len(set(self.task_ids)) != n:
            raise ValueError("task_ids: ids must be unique")
        for name in ("optimistic", "most_likely", "pessimistic", "cost_per_day", "fixed_cost"):
            value = getattr(self, name)
            if value is None:
                value = np.zeros(n)
            array = np.asarray(value, dtype=np.float64)
            if array.shape != (n,):
                raise ValueError(f"{name}: expected {n} values, got shape {array.shape}")
            if not np.all(np.isfinite(array)):
                raise ValueError(f"{name}: every value must be a finite number")
            object.__setattr__(self, name, array)
        o, m, p = self.optimistic, self.most_likely, self.pessimistic
        bad = np.flatnonzero((o < 0) | (o > m) | (m > p))
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"task {self.task_ids[i]}: need 0 ≤ optimistic ≤ most likely ≤ pessimistic, "
                f"got {o[i]:g}, {m[i]:g}, {p[i]:g}"
            )
        self._validate_links(n)
        self._validate_risks(n)
        items = np.asarray(self.item_cost, dtype=np.float64).reshape(-1, 3)
        bad_items = np.flatnonzero(
            ~np.all(np.isfinite(items), axis=1) | (items[:, 0] > items[:, 1]) | (items[:, 1] > items[:, 2])
        )
        if bad_items.size:
            raise ValueError(f"item_cost: item {int(bad_items[0]) + 1} needs finite low ≤ most likely ≤ high")
        object.__setattr__(self, "item_cost", items)
        self._validate_correlation(n)

    def _validate_links(self, n: int) -> None:
        pred = np.asarray(self.link_pred, dtype=np.intp).reshape(-1)
        succ = np.asarray(self.link_succ, dtype=np.intp).reshape(-1)
        kind = np.asarray(self.link_type, dtype=np.intp).reshape(-1)
        lag = np.asarray(self.link_lag, dtype=np.float64).reshape(-1)
        if not (pred.size == succ.size == kind.size == lag.size):
            raise ValueError("links: link_pred, link_succ, link_type and link_lag differ in length")
        if pred.size and (pred.min() < 0 or succ.min() < 0 or pred.max() >= n or succ.max() >= n):
            raise ValueError("links: a task index is out of range")
        if np.any(pred == succ):
            raise ValueError(f"links: task {self.task_ids[int(pred[pred == succ][0])]} depends on itself")
        if kind.size and (kind.min() < 0 or kind.max() > 3):
            raise ValueError("link_type: codes must be 0–3 (FS, SS, FF, SF)")
        if not np.all(np.isfinite(lag)):
            raise ValueError("link_lag: every lag must be a finite number")
        for name, value in (("link_pred", pred), ("link_succ", succ), ("link_type", kind), ("link_lag", lag)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_order", _topological_order(n, pred, succ, self.task_ids))

    def _validate_risks(self, n: int) -> None:
        r = len(self.risk_ids)
        prob = np.asarray(self.risk_probability, dtype=np.float64).reshape(-1)
        days = np.asarray(self.risk_days, dtype=np.float64).reshape(-1, 3) if r else np.zeros((0, 3))
        cost = np.asarray(self.risk_cost, dtype=np.float64).reshape(-1, 3) if r else np.zeros((0, 3))
        if not (prob.size == days.shape[0] == cost.shape[0] == len(self.risk_tasks) == r):
            raise ValueError(
                "risks: risk_ids, risk_probability, risk_days, risk_cost and risk_tasks differ in length"
            )
        if len(set(self.risk_ids)) != r:
            raise ValueError("risk_ids: ids must be unique")
        for k in range(r):
            rid = self.risk_ids[k]
            if not (0.0 <= prob[k] <= 1.0):
                raise ValueError(f"risk {rid}: probability must be between 0 and 1, got {prob[k]:g}")
            for label, triple in (("impact days", days[k]), ("impact cost", cost[k])):
                if not np.all(np.isfinite(triple)) or not (triple[0] <= triple[1] <= triple[2]):
                    raise ValueError(f"risk {rid}: {label} must be finite with low ≤ most likely ≤ high")
            if days[k, 0] < 0:
                raise ValueError(f"risk {rid}: impact days must not be negative")
            if any(not (0 <= t < n) for t in self.risk_tasks[k]):
                raise ValueError(f"risk {rid}: a linked task index is out of range")
        object.__setattr__(self, "risk_probability", prob)
        object.__setattr__(self, "risk_days", days)
        object.__setattr__(self, "risk_cost", cost)

    def _validate_correlation(self, n: int) -> None:
        seen: set[int] = set()
        for g, group in enumerate(self.correlation):
            if len(group.tasks) < 2:
                raise ValueError(f"correlation group {g}: needs at least two tasks")
            if any(not (0 <= t < n) for t in group.tasks):
                raise ValueError(f"correlation group {g}: a task index is out of range")
            if seen & set(group.tasks) or len(set(group.tasks)) != len(group.tasks):
                raise ValueError(f"correlation group {g}: a task may belong to one group only, once")
            seen |= set(group.tasks)
            if group.matrix is None:
                if not (0.0 <= group.coefficient <= 1.0):
                    raise ValueError(
                        f"correlation group {g}: coefficient must be between 0 and 1 "
                        "(use a matrix for negative correlation)"
                    )
            else:
                _cholesky(group, g)

    @property
    def order(self) -> IntArray:
        """Task indexes in a topological order of the links."""
        order: IntArray = object.__getattribute__(self, "_order")
        return order


def _topological_order(n: int, pred: IntArray, succ: IntArray, ids: Sequence[str]) -> IntArray:
    """Kahn's algorithm; a cycle is a ValueError naming a task on it."""
    indegree = np.bincount(succ, minlength=n)
    outgoing: list[list[int]] = [[] for _ in range(n)]
    for i, j in zip(pred.tolist(), succ.tolist(), strict=True):
        outgoing[i].append(j)
    ready = [i for i in range(n) if indegree[i] == 0]
    order: list[int] = []
    while ready:
        i = ready.pop()
        order.append(i)
        for j in outgoing[i]:
            indegree[j] -= 1
            if indegree[j] == 0:
                ready.append(j)
    if len(order) < n:
        stuck = int(np.flatnonzero(indegree > 0)[0])
        raise ValueError(f"links: task {ids[stuck]} is on a dependency cycle")
    return np.asarray(order, dtype=np.intp)


def _cholesky(group: CorrelationGroup, g: int) -> FloatArray:
    """Cholesky factor of the normal correlation 2·sin(π·R/6) that yields Spearman matrix R."""
    k = len(group.tasks)
    spearman = np.asarray(group.matrix, dtype=np.float64)
    if spearman.shape != (k, k):
        raise ValueError(f"correlation group {g}: matrix must be {k}×{k}")
    if (
        not np.all(np.isfinite(spearman))
        or not np.allclose(spearman, spearman.T)
        or not np.allclose(np.diag(spearman), 1.0)
        or np.abs(spearman).max() > 1.0
    ):
        raise ValueError(f"correlation group {g}: matrix must be symmetric, in [−1, 1], with a unit diagonal")
    pearson = 2.0 * np.sin(np.pi * spearman / 6.0)
    try:
        lower = np.asarray(np.linalg.cholesky(pearson), dtype=np.float64)
    except np.linalg.LinAlgError:
        raise ValueError(f"correlation group {g}: matrix is not positive definite") from None
    return lower


def model_from_plan(
    plan: Plan, *, correlation: Sequence[tuple[Sequence[str], float]] = ()
) -> MonteCarloModel:
    """The arrays of a parsed ``estimates.plan.Plan``.

    A task without a three-point estimate has the fixed duration ``duration``; a risk's impact
    days and cost are fixed values (the plan format has no ranges for them). ``correlation``
    lists groups of task ids, each with one Spearman coefficient in [0, 1].
    """
    index = plan.index()
    tasks = plan.tasks
    o, m, p = [], [], []
    for task in tasks:
        points = (task.optimistic, task.most_likely, task.pessimistic)
        if any(v is None for v in points):
            o.append(task.duration)
            m.append(task.duration)
            p.append(task.duration)
        else:
            o.append(float(task.optimistic))  # type: ignore[arg-type]
            m.append(float(task.most_likely))  # type: ignore[arg-type]
            p.append(float(task.pessimistic))  # type: ignore[arg-type]
    pred, succ, kind, lag = [], [], [], []
    for j, task in enumerate(tasks):
        for link in task.predecessors:
            pred.append(index[link.predecessor])
            succ.append(j)
            kind.append(LINK_TYPES[link.type])
            lag.append(float(link.lag))
    groups = []
    for ids, coefficient in correlation:
        unknown = [t for t in ids if t not in index]
        if unknown:
            raise ValueError(f"correlation: unknown task {unknown[0]}")
        groups.append(CorrelationGroup(tuple(index[t] for t in ids), coefficient=float(coefficient)))
    risks = plan.risks
    return MonteCarloModel(
        task_ids=tuple(t.id for t in tasks),
        optimistic=np.asarray(o, dtype=np.float64),
        most_likely=np.asarray(m, dtype=np.float64),
        pessimistic=np.asarray(p, dtype=np.float64),
        link_pred=np.asarray(pred, dtype=np.intp),
        link_succ=np.asarray(succ, dtype=np.intp),
        link_type=np.asarray(kind, dtype=np.intp),
        link_lag=np.asarray(lag, dtype=np.float64),
        cost_per_day=np.asarray([t.cost_per_day for t in tasks], dtype=np.float64),
        fixed_cost=np.asarray([t.fixed_cost for t in tasks], dtype=np.float64),
        risk_ids=tuple(r.id for r in risks),
        risk_probability=np.asarray([r.probability for r in risks], dtype=np.float64),
        risk_days=np.asarray([[r.impact_days] * 3 for r in risks], dtype=np.float64).reshape(-1, 3),
        risk_cost=np.asarray([[r.impact_cost] * 3 for r in risks], dtype=np.float64).reshape(-1, 3),
        risk_tasks=tuple(tuple(index[t] for t in r.tasks) for r in risks),
        correlation=tuple(groups),
    )


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Mean, standard deviation (ddof = 1) and percentiles (linear interpolation) of a total."""

    mean: float
    std: float
    p10: float
    p50: float
    p80: float
    p90: float
    p95: float

    @classmethod
    def of(cls, values: FloatArray) -> Summary:
        """Summarise a 1-D array of iteration totals."""
        q = np.percentile(values, PERCENTILES)
        std = float(np.std(values, ddof=1)) if values.size > 1 else 0.0
        return cls(float(np.mean(values)), std, *(float(v) for v in q))

    def as_dict(self) -> dict[str, float]:
        """The figures as a plain dict (JSON)."""
        return {
            "mean": self.mean,
            "std": self.std,
            "p10": self.p10,
            "p50": self.p50,
            "p80": self.p80,
            "p90": self.p90,
            "p95": self.p95,
        }


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """What a simulation found. ``durations``/``costs`` hold every iteration's total (exact
    percentiles); ``criticality`` and ``sensitivity`` are keyed by task id (and risk id)."""

    iterations: int
    seed: int
    distribution: Distribution
    durations: FloatArray
    costs: FloatArray | None
    duration: Summary
    cost: Summary | None
    base_duration: float
    base_cost: float
    criticality: dict[str, float]
    sensitivity: dict[str, float]
    sensitivity_sample: int

    def probability_by(self, deadline: float) -> float:
        """Share of iterations finishing within ``deadline`` days."""
        return float(np.count_nonzero(self.durations <= deadline)) / self.iterations

    def probability_within(self, budget: float) -> float:
        """Share of iterations whose cost is at most ``budget`` (0 when cost was not computed)."""
        if self.costs is None:
            raise ValueError("budget: the simulation ran without cost")
        return float(np.count_nonzero(self.costs <= budget)) / self.iterations

    def contingency(self, confidence: float = 0.8) -> tuple[float, float | None]:
        """Schedule and cost reserve: the ``confidence`` percentile minus the deterministic
        most-likely plan (no risks). Cost is None when cost was not computed."""
        if not (0.0 < confidence < 1.0):
            raise ValueError("confidence: must be between 0 and 1")
        days = float(np.percentile(self.durations, 100 * confidence)) - self.base_duration
        money = None
        if self.costs is not None:
            money = float(np.percentile(self.costs, 100 * confidence)) - self.base_cost
        return days, money


def s_curve(values: FloatArray, points: int = 101) -> tuple[FloatArray, FloatArray]:
    """The cumulative distribution as ``points`` (value, probability) pairs: the value at
    probabilities 0, 1/(points − 1), …, 1 (the sorted totals, downsampled)."""
    if points < 2:
        raise ValueError("points: need at least 2")
    probability = np.linspace(0.0, 1.0, points)
    return np.quantile(values, probability), probability


# --- sampling ----------------------------------------------------------------------------------


class _ThreePoint:
    """k three-point estimates with their inverse distribution function, applied row-wise."""

    def __init__(
        self, distribution: Distribution, low: FloatArray, mode: FloatArray, high: FloatArray
    ) -> None:
        self.distribution = distribution
        self.low = low.reshape(-1, 1)
        self.mode = mode.reshape(-1, 1)
        self.high = high.reshape(-1, 1)
        # beta-PERT draws read a complex64 copy of the quantile table (the complex128 one is not kept)
        self.tables32: NDArray[np.complex64] | None = (
            _pert_tables(low, mode, high).astype(np.complex64) if distribution == "pert" else None
        )
        self.normal_tables32: NDArray[np.complex64] | None = None
        self.constant = np.flatnonzero(self.low[:, 0] == self.high[:, 0])

    def subset(self, rows: IntArray) -> _ThreePoint:
        part = object.__new__(_ThreePoint)
        part.distribution = self.distribution
        part.low, part.mode, part.high = self.low[rows], self.mode[rows], self.high[rows]
        part.tables32 = None if self.tables32 is None else self.tables32[rows]
        part.normal_tables32 = None
        part.constant = np.flatnonzero(part.low[:, 0] == part.high[:, 0])
        return part

    def _rows(self, u: FloatArray, start: int, stop: int) -> FloatArray:
        return _triangular_ppf(u, self.low[start:stop], self.mode[start:stop], self.high[start:stop])

    def ppf(self, u: FloatArray) -> FloatArray:
        """Durations at probabilities u (k, b), a few rows at a time (temporaries stay in cache)."""
        out = np.empty_like(u)
        if self.tables32 is not None:  # beta-PERT: the float32 path of :meth:`draw`
            return self._draw32(None, u.astype(np.float32), u.shape[1], out)
        step = max(1, _PIECE // max(1, u.shape[1]))
        for start in range(0, u.shape[0], step):
            stop = min(start + step, u.shape[0])
            out[start:stop] = self._rows(u[start:stop], start, stop)
        return out

    def ppf_normal(self, z: FloatArray, out: FloatArray) -> FloatArray:
        """Durations at standard normal scores z (k, b): F⁻¹(Φ(z)), into ``out``.

        beta-PERT reads a second table indexed by the score itself (exact quantiles at
        Φ(z) for z = −6, −6 + 12/1024, …, 6, interpolated like the u table), which saves
        computing Φ per draw; a score beyond ±6 takes the end value."""
        if self.tables32 is None:
            out[...] = self.ppf(special.ndtr(z))
            return out
        if self.normal_tables32 is None:
            self.normal_tables32 = _pert_tables(
                self.low, self.mode, self.high, _standard_pert_normal_quantiles()
            ).astype(np.complex64)
        position = np.empty(z.shape, dtype=np.float32)
        np.add(z, _Z_RANGE, out=position, casting="same_kind")
        position *= np.float32(0.5 / _Z_RANGE)
        np.clip(position, 0.0, 1.0, out=position)
        return self._draw32(None, position, z.shape[1], out, tables=self.normal_tables32)

    def draw(self, rng: np.random.Generator, size: int, out: FloatArray | None = None) -> FloatArray:
        """Independent draws (k, size), into ``out`` if given: the same numbers as
        ``ppf_uniforms(uniforms(rng, k, size), out)`` (float32 uniforms for beta-PERT)."""
        k = self.low.shape[0]
        if out is None:
            out = np.empty((k, size))
        if self.tables32 is not None:
            return self._draw32(rng, None, size, out)
        step = max(1, _PIECE // max(1, size))
        for start in range(0, k, step):
            stop = min(start + step, k)
            out[start:stop] = self._rows(rng.random((stop - start, size)), start, stop)
        return out

    def uniforms(self, rng: np.random.Generator, rows: int, size: int) -> NDArray[np.floating]:
        """The uniforms :meth:`draw` would use for ``rows`` estimates (float32 for beta-PERT)."""
        if self.tables32 is not None:
            return rng.random((rows, size), dtype=np.float32)
        return rng.random((rows, size))

    def ppf_uniforms(self, u: NDArray[np.floating], out: FloatArray) -> FloatArray:
        """Durations at the probabilities ``u`` from :meth:`uniforms` (same numbers as ``draw``)."""
        if self.tables32 is not None:
            return self._draw32(None, np.asarray(u, dtype=np.float32), u.shape[1], out)
        out[...] = self.ppf(np.asarray(u, dtype=np.float64))
        return out

    def _draw32(
        self,
        rng: np.random.Generator | list[np.random.Generator] | None,
        uniform: NDArray[np.float32] | None,
        size: int,
        out: FloatArray,
        skip: NDArray[np.bool_] | None = None,
        tables: NDArray[np.complex64] | None = None,
    ) -> FloatArray:
        """beta-PERT draws in float32: uniforms, cell fractions and a complex64 (value + i·slope)
        table, a few rows at a time in preallocated buffers (they stay in the L1/L2 cache).

        A float32 uniform is below 1 − 2⁻²⁴, so u·1024 < 1024 and its cell needs no clamp; the
        fraction u·1024 − cell is exact in float32. Constant estimates are set exactly. Pieces of
        rows that are all in ``skip`` only consume their uniforms (their values are replaced).
        ``tables`` replaces the u tables (the normal-score tables of :meth:`ppf_normal`)."""
        if tables is None:
            tables = self.tables32
        assert tables is not None
        k = tables.shape[0]
        rngs = [rng] if isinstance(rng, np.random.Generator) else rng
        widths = [size]
        if rngs is not None and len(rngs) > 1:
            widths = [min(BLOCK, size - a) for a in range(0, size, BLOCK)]
        width = max(widths)
        step = max(1, min(k, _PIECE32 // max(1, width)))
        pos = np.empty((step, width), dtype=np.float32)
        whole = np.empty((step, width), dtype=np.float32)
        cell = np.empty((step, width), dtype=np.intp)
        found = np.empty((step, width), dtype=np.complex64)
        # a piece's cells are counted from its first row (exact in float32: < 2²⁴)
        base = (np.arange(step, dtype=np.float32) * np.float32(_CELLS))[:, None]
        scale = np.float32(_CELLS)
        for start in range(0, k, step):
            stop = min(start + step, k)
            h = stop - start
            column = 0
            flat = tables[start:stop].reshape(-1)
            if skip is not None and rngs is not None and bool(skip[start:stop].all()):
                for j, b in enumerate(widths):
                    rngs[j].random((h, b), dtype=np.float32)  # keep each block's stream in step
                continue
            # every block's generator in turn for the same rows: the table rows stay in cache
            for j, b in enumerate(widths):
                p, w, c, f = pos[:h, :b], whole[:h, :b], cell[:h, :b], found[:h, :b]
                if uniform is None:
                    assert rngs is not None
                    if b == width:  # generated in place (a contiguous buffer)
                        p = pos[:h]
                        rngs[j].random(out=p, dtype=np.float32)
                    else:
                        p = rngs[j].random((h, b), dtype=np.float32)
                else:
                    np.copyto(p, uniform[start:stop])
                p *= scale
                np.floor(p, out=w)  # (np.modf is several times slower)
                if uniform is not None:  # u may be 1 (a normal score's probability)
                    np.minimum(w, scale - 1, out=w)
                p -= w
                w += base[:h]
                c[...] = w
                np.take(flat, c, out=f, mode="clip")  # mode="raise" would buffer `out`
                p *= f.imag
                p += f.real
                out[start:stop, column : column + b] = p
                column += b
        if self.constant.size:
            out[self.constant] = self.low[self.constant]
        return out


def _triangular_ppf(u: FloatArray, o: FloatArray, m: FloatArray, p: FloatArray) -> FloatArray:
    """Inverse of the triangular distribution function, row-wise.

    F⁻¹(u) = o + √(u(p − o)(m − o)) for u < (m − o)/(p − o), else p − √((1 − u)(p − o)(p − m)).
    """
    width = p - o
    cut = np.divide(m - o, width, out=np.zeros_like(width), where=width > 0)
    low = np.sqrt(u * (width * (m - o)))
    low += o
    high = np.sqrt((1.0 - u) * (width * (p - m)))
    np.subtract(p, high, out=high)
    result: FloatArray = np.where(u < cut, low, high)
    return result


def _standard_pert_quantiles() -> FloatArray:
    """Exact quantiles of Beta(1 + 4s, 5 − 4s) at u = 0, 1/1024, …, 1 for s = 0, 1/64, …, 1."""
    global _standard_table
    if _standard_table is None:
        shape = np.linspace(0.0, 1.0, _SHAPE_STEPS + 1)[:, None]
        u = np.linspace(0.0, 1.0, _CELLS + 1)[None, :]
        _standard_table = np.asarray(
            special.betaincinv(1.0 + 4.0 * shape, 5.0 - 4.0 * shape, u), dtype=np.float64
        )
    return _standard_table


def _standard_pert_normal_quantiles() -> FloatArray:
    """Exact quantiles of Beta(1 + 4s, 5 − 4s) at u = Φ(z), z = −6, −6 + 12/1024, …, 6, for
    s = 0, 1/64, …, 1 (the normal-score tables of correlated tasks)."""
    global _standard_normal_table
    if _standard_normal_table is None:
        shape = np.linspace(0.0, 1.0, _SHAPE_STEPS + 1)[:, None]
        u = special.ndtr(np.linspace(-_Z_RANGE, _Z_RANGE, _CELLS + 1))[None, :]
        _standard_normal_table = np.asarray(
            special.betaincinv(1.0 + 4.0 * shape, 5.0 - 4.0 * shape, u), dtype=np.float64
        )
    return _standard_normal_table


def _pert_tables(
    o: FloatArray, m: FloatArray, p: FloatArray, table: FloatArray | None = None
) -> NDArray[np.complex128]:
    """Each estimate's beta-PERT quantile function on the u grid, in days (k, 1024).

    Cell c holds its left value and its slope as one complex number (value + i·slope), so a
    draw reads both with a single gather.
    """
    o, m, p = o.reshape(-1), m.reshape(-1), p.reshape(-1)
    width = p - o
    shape = np.divide(m - o, width, out=np.full_like(width, 0.5), where=width > 0)
    position = shape * _SHAPE_STEPS
    row = np.minimum(position.astype(np.intp), _SHAPE_STEPS - 1)
    weight = (position - row)[:, None]
    if table is None:
        table = _standard_pert_quantiles()
    standard = (1.0 - weight) * table[row] + weight * table[row + 1]
    values = o[:, None] + width[:, None] * standard
    result: NDArray[np.complex128] = values[:, :-1] + 1j * np.diff(values, axis=1)
    return result


def _table_ppf(u: FloatArray, tables: NDArray[np.complex128]) -> FloatArray:
    """Linear interpolation of each row's quantile table at probabilities u (k, b)."""
    position = u * _CELLS
    cell = position.astype(np.intp)
    np.minimum(cell, _CELLS - 1, out=cell)
    position -= cell
    cell += (np.arange(tables.shape[0], dtype=np.intp) * _CELLS)[:, None]
    found = np.take(tables, cell)
    position *= found.imag
    position += found.real
    return position


@dataclass
class _Block:
    durations: FloatArray  # (n, B) before risk impacts
    occurred: NDArray[np.bool_]  # (r, B)
    risk_days: FloatArray  # (r, B)
    risk_cost: FloatArray  # (r, B)


@dataclass
class _Inputs:
    tasks: _ThreePoint
    risk_days: _ThreePoint
    risk_cost: _ThreePoint
    items: _ThreePoint
    # one-factor groups, all at once: member rows, their group, √(1 − ρ) and √ρ per row
    factor_members: IntArray
    factor_group: IntArray
    factor_own: FloatArray
    factor_shared: FloatArray
    factor_marginals: _ThreePoint
    factor_groups: int
    matrix_groups: list[tuple[IntArray, FloatArray, _ThreePoint]]
    independent: IntArray | None  # rows drawn from their own uniform (None: every row)
    independent_marginals: _ThreePoint


def _inputs(model: MonteCarloModel, distribution: Distribution) -> _Inputs:
    tasks = _ThreePoint(distribution, model.optimistic, model.most_likely, model.pessimistic)
    days, cost = model.risk_days, model.risk_cost
    members: list[int] = []
    group_of: list[int] = []
    rho_of: list[float] = []
    matrix_groups = []
    factor_groups = 0
    for g, group in enumerate(model.correlation):
        rows = np.asarray(group.tasks, dtype=np.intp)
        if group.matrix is None:
            members += rows.tolist()
            group_of += [factor_groups] * rows.size
            rho_of += [2.0 * math.sin(math.pi * group.coefficient / 6.0)] * rows.size
            factor_groups += 1
        else:
            matrix_groups.append((rows, _cholesky(group, g), tasks.subset(rows)))
    member_rows = np.asarray(members, dtype=np.intp)
    rho = np.asarray(rho_of, dtype=np.float64)
    correlated = np.zeros(len(model.task_ids), dtype=np.bool_)
    correlated[member_rows] = True
    for rows, _, _ in matrix_groups:
        correlated[rows] = True
    independent = np.flatnonzero(~correlated) if correlated.any() else None
    return _Inputs(
        tasks,
        _ThreePoint(distribution, days[:, 0], days[:, 1], days[:, 2]),
        _ThreePoint(distribution, cost[:, 0], cost[:, 1], cost[:, 2]),
        _ThreePoint(distribution, *(np.ascontiguousarray(model.item_cost[:, c]) for c in range(3))),
        member_rows,
        np.asarray(group_of, dtype=np.intp),
        np.sqrt(1.0 - rho)[:, None],
        np.sqrt(rho)[:, None],
        tasks.subset(member_rows),
        factor_groups,
        matrix_groups,
        independent,
        tasks if independent is None else tasks.subset(independent),
    )


def _stream(seed: int, block: int, part: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block, part))))


def _draw_block(
    model: MonteCarloModel,
    inputs: _Inputs,
    seed: int,
    block: int,
    size: int,
    out: FloatArray,
    drawn: bool = False,
) -> _Block:
    """Draw one block: task durations into ``out`` (n, size) (unless ``drawn``: already there,
    from :func:`_draw_tasks`), risk draws returned."""
    # Separate streams for task durations, correlation scores and risks: appending a task, or
    # adding a risk, leaves the other draws of the same seed unchanged (comparable runs).
    if drawn:
        durations = out
    elif inputs.independent is None:
        durations = inputs.tasks.draw(_stream(seed, block, 0), size, out)
    else:  # a correlated task's own uniform is drawn (same stream for every model) but not used
        uniform = inputs.tasks.uniforms(_stream(seed, block, 0), len(model.task_ids), size)
        durations = out
        marginals = inputs.independent_marginals
        values = marginals.ppf_uniforms(
            uniform[inputs.independent], np.empty((inputs.independent.size, size))
        )
        durations[inputs.independent] = values
    if inputs.factor_groups or inputs.matrix_groups:  # (after ``drawn``: these rows are redrawn)
        scores = _stream(seed, block, 1)
        if inputs.factor_groups:
            z = scores.standard_normal((inputs.factor_members.size, size))
            z *= inputs.factor_own
            shared = scores.standard_normal((inputs.factor_groups, size))[inputs.factor_group]
            shared *= inputs.factor_shared
            z += shared
            durations[inputs.factor_members] = inputs.factor_marginals.ppf_normal(z, z)
        for rows, lower, marginals in inputs.matrix_groups:
            z = np.einsum("ij,jk->ik", lower, scores.standard_normal((rows.size, size)))
            durations[rows] = marginals.ppf_normal(z, z)
    r = len(model.risk_ids)
    risks = _stream(seed, block, 2)
    occurred = risks.random((r, size)) < model.risk_probability[:, None]
    days = inputs.risk_days.draw(risks, size)
    cost = inputs.risk_cost.draw(risks, size)
    return _Block(durations, occurred, days, cost)


def _draw_tasks(inputs: _Inputs, seed: int, first_block: int, out: FloatArray) -> bool:
    """All blocks' task durations of a chunk at once (n, size) for beta-PERT — the same numbers as
    block by block (correlated rows are then replaced by each block); False otherwise."""
    if inputs.tasks.tables32 is None:
        return False
    # Correlated tasks' own uniforms are drawn (and looked up) too, then overwritten by the block.
    blocks = -(-out.shape[1] // BLOCK)
    rngs = [_stream(seed, first_block + j, 0) for j in range(blocks)]
    skip = None
    if inputs.independent is not None:
        skip = np.ones(out.shape[0], dtype=np.bool_)
        skip[inputs.independent] = False
    inputs.tasks._draw32(rngs, None, out.shape[1], out, skip)
    return True


def sample_durations(
    model: MonteCarloModel, *, iterations: int, seed: int = 0, distribution: Distribution = "pert"
) -> FloatArray:
    """The task durations (n, iterations) that :func:`simulate` with the same seed draws, before
    risk impacts (for inspection and tests; holds everything in memory)."""
    inputs = _inputs(model, distribution)
    out = np.empty((len(model.task_ids), iterations))
    for block, start in enumerate(range(0, iterations, BLOCK)):
        size = min(BLOCK, iterations - start)
        _draw_block(model, inputs, seed, block, size, out[:, start : start + size])
    return out


# --- schedule ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Network:
    order: list[int]
    incoming: list[list[tuple[int, int, float]]]
    outgoing: list[list[tuple[int, int, float]]]
    starts_from_link: list[bool]
    finishes_from_link: list[bool]


def _network(model: MonteCarloModel) -> _Network:
    n = len(model.task_ids)
    incoming: list[list[tuple[int, int, float]]] = [[] for _ in range(n)]
    outgoing: list[list[tuple[int, int, float]]] = [[] for _ in range(n)]
    for i, j, t, lag in zip(
        model.link_pred.tolist(),
        model.link_succ.tolist(),
        model.link_type.tolist(),
        model.link_lag.tolist(),
        strict=True,
    ):
        incoming[j].append((i, t, lag))
        outgoing[i].append((j, t, lag))
    # A FS/SS link with lag ≥ 0 already keeps ES ≥ 0, and a FS/FF link with lag ≥ 0 already keeps
    # LF ≤ T: put one first and start from its bound instead of from the clamp (one pass saved).
    for links in incoming:
        links.sort(key=lambda link: not (link[1] in (FS, SS) and link[2] >= 0))
    for links in outgoing:
        links.sort(key=lambda link: not (link[1] in (FS, FF) and link[2] >= 0))
    starts = [bool(links) and links[0][1] in (FS, SS) and links[0][2] >= 0 for links in incoming]
    finishes = [bool(links) and links[0][1] in (FS, FF) and links[0][2] >= 0 for links in outgoing]
    return _Network(model.order.tolist(), incoming, outgoing, starts, finishes)


def _forward(net: _Network, d: FloatArray, es: FloatArray, ef: FloatArray, tmp: FloatArray) -> None:
    """Earliest start and finish of every task, per iteration (columns)."""
    for j in net.order:
        es_j = es[j]
        links = net.incoming[j]
        if net.starts_from_link[j]:
            i, t, lag = links[0]
            source = ef[i] if t == FS else es[i]
            if lag:
                np.add(source, lag, out=es_j)
                links = links[1:]
            elif len(links) > 1 and links[1][1] in (FS, SS) and not links[1][2]:
                i2, t2, _ = links[1]  # two plain links: one call, no copy
                np.maximum(source, ef[i2] if t2 == FS else es[i2], out=es_j)
                links = links[2:]
            else:
                np.copyto(es_j, source)
                links = links[1:]
        else:
            es_j.fill(0.0)
        for i, t, lag in links:
            source = ef[i] if t in (FS, FF) else es[i]
            if t in (FF, SF):
                np.subtract(source, d[j], out=tmp)
                if lag:
                    tmp += lag
                np.maximum(es_j, tmp, out=es_j)
            elif lag:
                np.add(source, lag, out=tmp)
                np.maximum(es_j, tmp, out=es_j)
            else:
                np.maximum(es_j, source, out=es_j)
        np.add(es_j, d[j], out=ef[j])


def _backward_criticality(
    net: _Network,
    d: FloatArray,
    ef: FloatArray,
    lf: FloatArray,
    finish: FloatArray,
    tmp: FloatArray,
    counts: IntArray,
) -> None:
    """Latest finishes and, per task, the number of iterations with zero total float.

    ``lf`` receives the latest finishes; ``d`` is overwritten, row by row once a task is done
    (its own duration is no longer needed), with its latest start LS = LF − d (what its
    predecessors' FS and SS links need); ``ef`` is overwritten with the total floats LF − EF,
    counted for all tasks at once at the end (no per-task calls).
    """
    tolerance = 1e-9 * (1.0 + float(finish.max()))
    ls = d
    for i in reversed(net.order):
        lf_i = lf[i]
        links = net.outgoing[i]
        if net.finishes_from_link[i]:
            j, t, lag = links[0]
            source = ls[j] if t == FS else lf[j]
            if lag:
                np.subtract(source, lag, out=lf_i)
                links = links[1:]
            elif len(links) > 1 and links[1][1] in (FS, FF) and not links[1][2]:
                j2, t2, _ = links[1]  # two plain links: one call, no copy
                np.minimum(source, ls[j2] if t2 == FS else lf[j2], out=lf_i)
                links = links[2:]
            else:
                np.copyto(lf_i, source)
                links = links[1:]
        else:
            np.copyto(lf_i, finish)
        for j, t, lag in links:
            source = ls[j] if t in (FS, SS) else lf[j]
            if t in (SS, SF):
                np.add(source, d[i], out=tmp)
                if lag:
                    tmp -= lag
                np.minimum(lf_i, tmp, out=lf_i)
            elif lag:
                np.subtract(source, lag, out=tmp)
                np.minimum(lf_i, tmp, out=lf_i)
            else:
                np.minimum(lf_i, source, out=lf_i)
        np.subtract(lf_i, d[i], out=ls[i])
    np.subtract(lf, ef, out=ef)
    counts += np.count_nonzero(ef <= tolerance, axis=1)


def deterministic_duration(model: MonteCarloModel, durations: FloatArray | None = None) -> float:
    """Project duration of one deterministic CPM forward pass (default: most-likely durations)."""
    d = np.asarray(model.most_likely if durations is None else durations, dtype=np.float64)[:, None]
    es = np.empty_like(d)
    ef = np.empty_like(d)
    _forward(_network(model), d, es, ef, np.empty(1))
    return float(ef.max())


# --- simulation --------------------------------------------------------------------------------


def simulate(
    model: MonteCarloModel,
    *,
    iterations: int = 10_000,
    seed: int = 0,
    distribution: Distribution = "pert",
    with_cost: bool = True,
    with_sensitivity: bool = True,
    correlate: bool = True,
    chunk_elements: int = CHUNK_ELEMENTS,
    progress: Progress | None = None,
) -> SimulationResult:
    """Run ``iterations`` Monte Carlo iterations of ``model`` (see the module docstring).

    Iterations are processed in chunks of whole :data:`BLOCK`-iteration blocks with about
    ``chunk_elements`` iterations × tasks each, but at least :data:`MIN_CHUNK_BLOCKS` blocks
    (peak memory ≈ 3 × 8 bytes × chunk iterations × tasks, plus 8 bytes × tasks × the
    sensitivity sample, plus 16 bytes per iteration for the kept totals);
    ``progress(done, total)`` is called after each chunk. ``correlate=False``
    ignores the model's correlation groups. Same seed → same result, whatever the chunk size.
    """
    if not (1 <= iterations <= MAX_ITERATIONS):
        raise ValueError(f"iterations: must be between 1 and {MAX_ITERATIONS:,}")
    if distribution not in ("pert", "triangular"):
        raise ValueError("distribution: must be 'pert' or 'triangular'")
    if chunk_elements < 1:
        raise ValueError("chunk_elements: must be positive")
    if not correlate and model.correlation:
        model = _without_correlation(model)
    n = len(model.task_ids)
    r = len(model.risk_ids)
    net = _network(model)
    inputs = _inputs(model, distribution)
    # Below a few blocks per chunk the per-task NumPy calls of the passes cost more than they compute.
    blocks_per_chunk = max(MIN_CHUNK_BLOCKS, chunk_elements // (n * BLOCK))
    chunk = blocks_per_chunk * BLOCK
    sample = 0
    if with_sensitivity:
        sample = min(iterations, max(SENSITIVITY_MIN_SAMPLE, SENSITIVITY_ELEMENTS // n))
    kept = np.empty((n, sample))  # float64: float32 rounding would create ties (slow exact ranks)
    kept_risk = np.empty((r, sample), dtype=np.bool_)
    durations = np.empty(iterations)
    costs = np.empty(iterations) if with_cost else None
    counts = np.zeros(n, dtype=np.intp)
    width = min(chunk, iterations)
    d_all = np.empty((n, width))
    es_all = np.empty((n, width))
    ef_all = np.empty((n, width))
    tmp_all = np.empty(width)
    risk_members = [np.asarray(t, dtype=np.intp) for t in model.risk_tasks]
    items = int(model.item_cost.shape[0])
    done = 0
    block = 0
    while done < iterations:
        size = min(chunk, iterations - done)
        d, es, ef, tmp = d_all[:, :size], es_all[:, :size], ef_all[:, :size], tmp_all[:size]
        extra_cost = np.zeros(size)
        ready = _draw_tasks(inputs, seed, block, d)
        for start in range(0, size, BLOCK):
            b = min(BLOCK, size - start)
            columns = slice(start, start + b)
            drawn = _draw_block(model, inputs, seed, block, b, d[:, columns], ready)
            if costs is not None and items:
                extra_cost[columns] += inputs.items.draw(_stream(seed, block, 3), b).sum(axis=0)
            block += 1
            absolute = done + start
            if absolute < sample:
                upto = min(b, sample - absolute)
                kept[:, absolute : absolute + upto] = drawn.durations[:, :upto]
                kept_risk[:, absolute : absolute + upto] = drawn.occurred[:, :upto]
            for k in range(r):
                if risk_members[k].size:
                    d[risk_members[k], columns] += np.where(drawn.occurred[k], drawn.risk_days[k], 0.0)
                extra_cost[columns] += np.where(drawn.occurred[k], drawn.risk_cost[k], 0.0)
        _forward(net, d, es, ef, tmp)
        finish = ef.max(axis=0)
        durations[done : done + size] = finish
        if costs is not None:
            assert model.cost_per_day is not None and model.fixed_cost is not None
            costs[done : done + size] = np.einsum("i,ij->j", model.cost_per_day, d) + (
                float(model.fixed_cost.sum()) + extra_cost
            )
        _backward_criticality(net, d, ef, es, finish, tmp, counts)
        done += size
        if progress is not None:
            progress(done, iterations)
    del d, es, ef, tmp, d_all, es_all, ef_all, tmp_all  # the ranks below need the room
    sensitivity = _sensitivity(model, kept, kept_risk, durations[:sample]) if with_sensitivity else {}
    assert model.cost_per_day is not None and model.fixed_cost is not None
    return SimulationResult(
        iterations=iterations,
        seed=seed,
        distribution=distribution,
        durations=durations,
        costs=costs,
        duration=Summary.of(durations),
        cost=Summary.of(costs) if costs is not None else None,
        base_duration=deterministic_duration(model),
        base_cost=float(
            model.cost_per_day @ model.most_likely + model.fixed_cost.sum() + model.item_cost[:, 1].sum()
        ),
        criticality={
            tid: float(c) / iterations for tid, c in zip(model.task_ids, counts.tolist(), strict=True)
        },
        sensitivity=sensitivity,
        sensitivity_sample=sample,
    )


def _without_correlation(model: MonteCarloModel) -> MonteCarloModel:
    return replace(model, correlation=())


def spearman_rows(columns: NDArray[np.bool_] | FloatArray, target: FloatArray) -> FloatArray:
    """Spearman rank correlation of each row of ``columns`` with ``target`` (ties averaged);
    a constant row (or target) gives 0, never NaN."""
    if columns.shape[0] == 0 or columns.shape[1] < 2:
        return np.zeros(columns.shape[0])
    target_ranks = _ranks(np.asarray(target)[None, :])[0]
    target_ranks -= target_ranks.mean()
    target_norm = float(target_ranks @ target_ranks)
    result = np.zeros(columns.shape[0])
    step = max(1, _PIECE * 16 // columns.shape[1])  # rows ranked at once: bounded temporaries
    for start in range(0, columns.shape[0], step):
        ranks = _ranks(columns[start : start + step])
        ranks -= ranks.mean(axis=1, keepdims=True)
        numerator = np.einsum("ij,j->i", ranks, target_ranks)
        denominator = np.sqrt(np.einsum("ij,ij->i", ranks, ranks) * target_norm)
        np.divide(numerator, denominator, out=result[start : start + step], where=denominator > 1e-12)
    clipped: FloatArray = np.clip(result, -1.0, 1.0)
    return clipped


def _ranks(columns: NDArray[np.bool_] | FloatArray) -> FloatArray:
    """Row-wise ranks, ties averaged: a quicksort ordering, and ``scipy.stats.rankdata`` only for
    the rows that hold ties (constant or 0/1 rows; sampled durations rarely tie)."""
    order = np.argsort(columns, axis=1)
    ordered = np.take_along_axis(columns, order, axis=1)
    ranks = np.empty(columns.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, np.arange(1.0, columns.shape[1] + 1.0)[None, :], axis=1)
    tied = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
    if tied.size:
        ranks[tied] = stats.rankdata(columns[tied], axis=1)
    return ranks


def _sensitivity(
    model: MonteCarloModel, kept: FloatArray, kept_risk: NDArray[np.bool_], totals: FloatArray
) -> dict[str, float]:
    out = dict(zip(model.task_ids, spearman_rows(kept, totals).tolist(), strict=True))
    out.update(zip(model.risk_ids, spearman_rows(kept_risk, totals).tolist(), strict=True))
    return out


def tornado(result: SimulationResult, limit: int = 10) -> list[tuple[str, float]]:
    """The ``limit`` inputs with the largest absolute rank correlation, largest first."""
    ranked = sorted(result.sensitivity.items(), key=lambda item: -abs(item[1]))
    return ranked[:limit]


def spearman(x: FloatArray, y: FloatArray) -> float:
    """Spearman rank correlation of two 1-D arrays (0 for a constant array)."""
    return float(spearman_rows(np.asarray(x, dtype=np.float64)[None, :], np.asarray(y, dtype=np.float64))[0])


__all__ = [
    "BLOCK",
    "LINK_TYPES",
    "MAX_ITERATIONS",
    "CorrelationGroup",
    "MonteCarloModel",
    "SimulationResult",
    "Summary",
    "deterministic_duration",
    "model_from_plan",
    "s_curve",
    "sample_durations",
    "simulate",
    "spearman",
    "spearman_rows",
    "tornado",
]
