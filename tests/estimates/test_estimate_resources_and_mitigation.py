"""Over-allocation warnings on the plan (page and API), simulated mitigations, non-labour ranges.

The conftest estimate runs B (engineer, 8 days) and C (engineer, 4 days) in parallel after A
(3 days), starting Monday 5 January 2026: with one engineer, working days 4–7 (8–13 January)
need two.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from salesdesk.core.errors import ApplicationError
from salesdesk.estimates import planning, services
from salesdesk.estimates.models import EstimateRisk, NonLabourItem, RateCardLine

pytestmark = pytest.mark.django_db


def _limit_engineers(actor, estimate, capacity: str | None) -> None:
    rate = RateCardLine.objects.get(estimate=estimate, role="engineer")
    services.line_update(
        actor=actor, line=rate, data={"capacity": None if capacity is None else Decimal(capacity)}
    )


# -- over-allocation -------------------------------------------------------------------------------


def test_plan_names_the_over_allocated_role_days_and_excess(presales, estimate):
    _limit_engineers(presales, estimate, "1")
    (warning,) = planning.schedule_of(estimate)["over_allocations"]
    assert warning == {
        "role": "engineer",
        "first_day": 3,
        "last_day": 6,
        "days": 4,
        "start_date": "2026-01-08",
        "finish_date": "2026-01-13",
        "demand": 2.0,
        "capacity": 1.0,
        "over_by": 1.0,
        "tasks": ["B", "C"],
    }


def test_no_warning_without_a_capacity_or_with_enough_people(presales, estimate):
    assert planning.schedule_of(estimate)["over_allocations"] == []  # no capacity: no limit
    _limit_engineers(presales, estimate, "2")
    assert planning.schedule_of(estimate)["over_allocations"] == []


def test_half_time_units_fit_one_engineer(presales, estimate):
    _limit_engineers(presales, estimate, "1")
    for task in estimate.tasks.filter(code__in=["B", "C"]):
        services.line_update(actor=presales, line=task, data={"units": Decimal("0.5")})
    assert planning.schedule_of(estimate)["over_allocations"] == []


def test_plan_page_shows_the_over_allocation(presales, estimate, client_as):
    _limit_engineers(presales, estimate, "1")
    html = client_as(presales).get(f"/estimates/{estimate.pk}/").content.decode()
    assert "Over-allocated roles" in html
    section = html[html.index('id="over-allocations"') :]
    section = section[: section.index("</table>")]
    for text in ("engineer", "day 4–7", "4 days", "2026-01-08", "2026-01-13", "B, C"):
        assert text in section, text
    # needed 2.0, capacity 1.0, over by 1.0
    assert section.count(">2.0<") == 1 and section.count(">1.0<") == 2


def test_plan_page_without_over_allocation_shows_no_warning(presales, estimate, client_as):
    html = client_as(presales).get(f"/estimates/{estimate.pk}/").content.decode()
    assert "Over-allocated roles" not in html


def test_api_plan_response_carries_the_warnings(presales, estimate, client_as):
    client = client_as(presales)
    rate = RateCardLine.objects.get(estimate=estimate, role="engineer")
    response = client.patch(
        f"/api/estimates/{estimate.pk}/rates/{rate.pk}",
        data=json.dumps({"capacity": "1"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert Decimal(response.json()["capacity"]) == 1
    plan = client.get(f"/api/estimates/{estimate.pk}/plan").json()
    assert [(w["role"], w["first_day"], w["last_day"], w["over_by"]) for w in plan["over_allocations"]] == [
        ("engineer", 3, 6, 1.0)
    ]


def test_capacity_and_units_are_checked(presales, estimate, client_as):
    rate = RateCardLine.objects.get(estimate=estimate, role="engineer")
    response = client_as(presales).patch(
        f"/api/estimates/{estimate.pk}/rates/{rate.pk}",
        data=json.dumps({"capacity": "-1"}),
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert "capacity" in json.dumps(response.json())


# -- mitigation ------------------------------------------------------------------------------------


def _certain_risk(actor, estimate, **fields) -> EstimateRisk:
    """A risk that always happens on D: 10,000 of cost and 5 days, unless mitigated."""
    return services.line_add(
        actor=actor,
        estimate=estimate,
        model=EstimateRisk,
        data={
            "code": "R2",
            "description": "Data centre move",
            "probability": Decimal("1"),
            "cost_low": Decimal("10000"),
            "cost_most_likely": Decimal("10000"),
            "cost_high": Decimal("10000"),
            "days_low": Decimal("5"),
            "days_most_likely": Decimal("5"),
            "days_high": Decimal("5"),
            "tasks": ["D"],
            "mitigation": "Move before the project starts",
            "mitigation_cost": Decimal("3000"),
            **fields,
        },
    )


def _without_r1(actor, estimate) -> None:
    services.line_remove(actor=actor, line=EstimateRisk.objects.get(estimate=estimate, code="R1"))


def test_unplanned_mitigation_is_not_simulated(presales, estimate):
    _without_r1(presales, estimate)
    before = planning.run_simulation(estimate, iterations=2000, seed=1)
    _certain_risk(presales, estimate, mitigated_probability=Decimal("0"))
    plain = planning.run_simulation(estimate, iterations=2000, seed=1)
    # labour 8,400 most likely; the risk always happens: 10,000 plus 5 days of D's pm at 600
    assert plain["mitigation_cost"] == "0.00"
    assert plain["base_cost"] == before["base_cost"] == "8400.00"
    assert Decimal(plain["p50_cost"]) - Decimal(before["p50_cost"]) == Decimal("13000.00")
    assert plain["p50_duration"] == pytest.approx(before["p50_duration"] + 5, abs=0.01)


@pytest.mark.parametrize("status", ["planned", "in_progress", "done"])
def test_planned_mitigation_uses_its_probability_and_adds_its_cost(presales, estimate, status):
    _without_r1(presales, estimate)
    before = planning.run_simulation(estimate, iterations=2000, seed=1)
    _certain_risk(presales, estimate, mitigated_probability=Decimal("0"), mitigation_status=status)
    after = planning.run_simulation(estimate, iterations=2000, seed=1)
    assert after["mitigation_cost"] == "3000.00"
    assert after["base_cost"] == "11400.00"  # the mitigation is part of the plan's cost
    # the risk no longer happens: same durations, every iteration 3,000 dearer
    assert after["p80_duration"] == before["p80_duration"]
    assert Decimal(after["p80_cost"]) - Decimal(before["p80_cost"]) == Decimal("3000.00")


def test_planned_mitigation_uses_its_reduced_impacts(presales, estimate):
    _without_r1(presales, estimate)
    unmitigated = planning.run_simulation(estimate, iterations=2000, seed=1)
    _certain_risk(
        presales,
        estimate,
        mitigation_status="planned",
        mitigated_cost_low=Decimal("1000"),
        mitigated_cost_most_likely=Decimal("1000"),
        mitigated_cost_high=Decimal("1000"),
        mitigated_days_low=Decimal("1"),
        mitigated_days_most_likely=Decimal("1"),
        mitigated_days_high=Decimal("1"),
    )
    mitigated = planning.run_simulation(estimate, iterations=2000, seed=1)
    # probability stays 1: every iteration pays 3,000 mitigation + 1,000 residual impact, D one day late
    assert Decimal(mitigated["p50_cost"]) - Decimal(unmitigated["p50_cost"]) == pytest.approx(
        Decimal("4000") + 1 * 600, abs=Decimal("0.01")
    )
    assert mitigated["p50_duration"] == pytest.approx(unmitigated["p50_duration"] + 1, abs=0.01)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"mitigated_cost_low": Decimal("1")}, "mitigated_cost_most_likely"),
        (
            {
                "mitigated_days_low": Decimal("3"),
                "mitigated_days_most_likely": Decimal("2"),
                "mitigated_days_high": Decimal("4"),
            },
            "mitigated_days_most_likely",
        ),
    ],
)
def test_incomplete_or_inverted_mitigated_ranges_are_refused(presales, estimate, fields, field):
    with pytest.raises(ApplicationError) as caught:
        _certain_risk(presales, estimate, mitigation_status="planned", **fields)
    assert caught.value.errors[0].field == field


def test_risk_form_sets_the_mitigation(presales, estimate, client_as):
    risk = EstimateRisk.objects.get(estimate=estimate, code="R1")
    client = client_as(presales)
    form = {
        "code": "R1",
        "description": risk.description,
        "probability": "0.3",
        "cost_low": "1000",
        "cost_most_likely": "2000",
        "cost_high": "5000",
        "days_low": "1",
        "days_most_likely": "2",
        "days_high": "4",
        "tasks": "C",
        "mitigation": "Spike first",
        "mitigation_cost": "800",
        "mitigation_status": "in_progress",
        "mitigated_probability": "0.1",
        "status": "open",
    }
    response = client.post(f"/estimates/{estimate.pk}/risks/{risk.pk}/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    risk.refresh_from_db()
    assert (risk.mitigation_status, risk.mitigated_probability) == ("in_progress", Decimal("0.100"))
    html = client.get(f"/estimates/{estimate.pk}/").content.decode()
    assert "In progress" in html and "simulated: p 0.1" in html
    assert "planned mitigation 800.00" in html


# -- non-labour ranges -----------------------------------------------------------------------------


def _item(actor, estimate, **fields) -> NonLabourItem:
    return services.line_add(
        actor=actor,
        estimate=estimate,
        model=NonLabourItem,
        data={"description": "Licences", "quantity": Decimal("10"), "unit_cost": Decimal("100"), **fields},
    )


def test_a_certain_item_adds_exactly_its_cost(presales, estimate):
    before = planning.run_simulation(estimate, iterations=2000, seed=4)
    _item(presales, estimate)
    after = planning.run_simulation(estimate, iterations=2000, seed=4)
    assert after["non_labour_cost"] == "1000.00"
    for key in ("base_cost", "p50_cost", "p80_cost", "p90_cost"):
        assert Decimal(after[key]) - Decimal(before[key]) == Decimal("1000.00"), key


def test_an_item_range_enters_the_cost_simulation(presales, estimate):
    before = planning.run_simulation(estimate, iterations=20_000, seed=4)
    _item(presales, estimate, unit_cost_low=Decimal("80"), unit_cost_high=Decimal("400"))
    after = planning.run_simulation(estimate, iterations=20_000, seed=4)
    assert (after["non_labour_low"], after["non_labour_cost"], after["non_labour_high"]) == (
        "800.00",
        "1000.00",
        "4000.00",
    )
    # beta-PERT mean of 10 × (80, 100, 400): 10 × (80 + 400 + 400) / 6 ≈ 1,467 on top of the labour
    added = Decimal(after["mean_cost"]) - Decimal(before["mean_cost"])
    assert added == pytest.approx(Decimal("1466.67"), abs=Decimal("40"))
    # the spread widens: P90 − P10 of cost grows
    assert Decimal(after["p90_cost"]) - Decimal(before["p90_cost"]) > Decimal("1467")
    # durations are untouched (items cost money, not time)
    assert after["p80_duration"] == before["p80_duration"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"unit_cost_low": Decimal("120")}, "unit_cost_low"),
        ({"unit_cost_high": Decimal("90")}, "unit_cost_high"),
    ],
)
def test_an_item_range_must_surround_the_unit_cost(presales, estimate, fields, field):
    with pytest.raises(ApplicationError) as caught:
        _item(presales, estimate, **fields)
    assert caught.value.errors[0].field == field


def test_item_range_through_the_api(presales, estimate, client_as):
    response = client_as(presales).post(
        f"/api/estimates/{estimate.pk}/items",
        data=json.dumps(
            {"description": "Servers", "quantity": "2", "unit_cost": "5000", "unit_cost_high": "4000"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "unit_cost_high" in json.dumps(response.json())
