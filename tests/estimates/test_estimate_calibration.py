"""Calibration maths against a hand-computed example (Conte, Dunsmore & Shen 1986)."""

from __future__ import annotations

import pytest

from salesdesk.estimates.calibration import Actual, accuracy, calibration_report, mre


def test_mre_is_relative_to_the_actual():
    assert mre(8, 10) == pytest.approx(0.2)
    assert mre(12, 10) == pytest.approx(0.2)
    with pytest.raises(ValueError):
        mre(1, 0)


def test_hand_computed_example():
    # estimated → actual: 10 → 12, 10 → 13, 20 → 20, 5 → 4
    #   ratios a/e: 1.2, 1.3, 1.0, 0.8 → mean 1.075 → bias +7.5 %, factor 1.075
    #   MRE |a−e|/a: 2/12 = .1667, 3/13 = .2308, 0, 1/4 = .25 → MMRE .16186, PRED(25) = 4/4
    #   after ×1.075: 10.75 vs 12 → .10417, 10.75 vs 13 → .17308, 21.5 vs 20 → .075, 5.375 vs 4 → .34375
    #   → MMRE .17400, PRED(25) = 3/4
    rows = [Actual("integration", "dev", e, a) for e, a in ((10, 12), (10, 13), (20, 20), (5, 4))]
    result = accuracy(rows)
    assert result.count == 4
    assert result.bias == pytest.approx(0.075)
    assert result.factor == pytest.approx(1.075)
    assert result.mmre == pytest.approx((2 / 12 + 3 / 13 + 0 + 1 / 4) / 4)
    assert result.pred25 == 1.0
    assert result.mmre_after == pytest.approx((1.25 / 12 + 2.25 / 13 + 1.5 / 20 + 1.375 / 4) / 4)
    assert result.pred25_after == 0.75


def test_report_groups_by_role_and_task_type():
    rows = [
        Actual("integration", "dev", 10, 11.8),
        Actual("integration", "pm", 10, 11.8),
        Actual("design", "pm", 10, 10),
    ]
    report = calibration_report(rows)
    assert set(report.by_task_type) == {"design", "integration"}
    assert report.by_task_type["integration"].bias == pytest.approx(0.18)
    assert report.by_role["pm"].count == 2
    assert calibration_report([]).overall is None
