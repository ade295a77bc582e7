"""Estimate calibration from project actuals (issue 7). Pure: no Django.

For each finished task with estimated effort e and actual effort a (Conte, Dunsmore & Shen,
*Software Engineering Metrics and Models*, 1986):

    magnitude of relative error   MRE = |a − e| / a
    MMRE                          = mean MRE
    PRED(25)                      = share of tasks with MRE ≤ 0.25
    bias                          = mean(a / e) − 1     (> 0: the team under-estimates)

The suggested calibration factor is k = mean(a / e) = 1 + bias: multiplying future
estimates by k removes the average bias. ``after`` shows what MMRE and PRED(25) would
have been had every past estimate been multiplied by k.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Actual:
    """One finished task: what it was estimated to take and what it took (effort, e.g. days)."""

    task_type: str
    role: str
    estimated: float
    actual: float


@dataclass(frozen=True)
class Accuracy:
    """How accurate a group of estimates was, and how a calibration factor would have changed it."""

    count: int
    bias: float
    mmre: float
    pred25: float
    factor: float
    mmre_after: float
    pred25_after: float

    def as_dict(self) -> dict[str, float]:
        return {
            "count": self.count,
            "bias": self.bias,
            "mmre": self.mmre,
            "pred25": self.pred25,
            "factor": self.factor,
            "mmre_after": self.mmre_after,
            "pred25_after": self.pred25_after,
        }


def mre(estimated: float, actual: float) -> float:
    """Magnitude of relative error |a − e| / a (actual must be positive)."""
    if actual <= 0:
        raise ValueError("actual: must be positive")
    return abs(actual - estimated) / actual


def _mmre_pred(pairs: Sequence[tuple[float, float]], factor: float = 1.0) -> tuple[float, float]:
    errors = [mre(e * factor, a) for e, a in pairs]
    return sum(errors) / len(errors), sum(1 for x in errors if x <= 0.25 + 1e-12) / len(errors)


def accuracy(records: Sequence[Actual]) -> Accuracy:
    """Bias, MMRE, PRED(25) and the calibration factor of ``records`` (at least one)."""
    if not records:
        raise ValueError("records: need at least one actual")
    for r in records:
        if r.estimated <= 0 or r.actual <= 0:
            raise ValueError("estimated and actual effort must be positive")
    pairs = [(r.estimated, r.actual) for r in records]
    factor = sum(a / e for e, a in pairs) / len(pairs)
    mmre, pred = _mmre_pred(pairs)
    mmre_after, pred_after = _mmre_pred(pairs, factor)
    return Accuracy(len(pairs), factor - 1.0, mmre, pred, factor, mmre_after, pred_after)


def _grouped(records: Iterable[Actual], key: Callable[[Actual], str]) -> dict[str, Accuracy]:
    groups: dict[str, list[Actual]] = {}
    for r in records:
        groups.setdefault(key(r), []).append(r)
    return {name: accuracy(rows) for name, rows in sorted(groups.items())}


@dataclass(frozen=True)
class CalibrationReport:
    overall: Accuracy | None
    by_role: dict[str, Accuracy]
    by_task_type: dict[str, Accuracy]


def calibration_report(records: Sequence[Actual]) -> CalibrationReport:
    """Accuracy overall, by role and by task type."""
    if not records:
        return CalibrationReport(None, {}, {})
    return CalibrationReport(
        accuracy(records),
        _grouped(records, lambda r: r.role),
        _grouped(records, lambda r: r.task_type),
    )
