"""Sizing from requirements: targets read, workload checked, cheapest configuration, headroom."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdesk.solutions.queueing import mmc
from salesdesk.solutions.sizing import chain_response
from salesdesk.solutions.workload import (
    WorkloadError,
    catalog_items,
    requirement_targets,
    run_sizing,
    validate_workload,
)

CATALOG = catalog_items(
    [
        {"sku": "WEB-S", "name": "Web small", "price": "1000.00", "specs": {"cores": 2}},
        {"sku": "WEB-L", "name": "Web large", "price": "1700.00", "specs": {"cores": 4}},
        {"sku": "DB-1", "name": "DB single", "price": "3000.00", "specs": {}},
        {"sku": "DB-2", "name": "DB pair", "price": "5500.00", "specs": {"cores": 2}},
    ]
)


def workload(**overrides):
    base = {
        "peak_arrival_rate": 40,
        "growth_per_year": 0.2,
        "years": 3,
        "response_time": 0.25,
        "tiers": [
            {"name": "web", "service_demand": 0.05, "skus": ["WEB-S", "WEB-L"], "max_units": 8},
            {"name": "db", "service_demand": 0.02, "skus": ["DB-1", "DB-2"], "max_units": 2},
        ],
    }
    base.update(overrides)
    return base


def requirement(reference, *targets, priority="must"):
    return {
        "reference": reference,
        "priority": priority,
        "targets": [{"metric": m, "operator": o, "value": v, "unit": u} for m, o, v, u in targets],
    }


# --- the requirements' targets ------------------------------------------------------------------


def test_targets_are_read_in_base_units_with_their_source():
    targets = requirement_targets(
        [
            requirement("NFR-1", ("peak_users", "=", "2000", "users")),
            requirement(
                "NFR-2", ("p95_response_seconds", "<=", "2", "s"), ("availability", ">=", "99.9", "%")
            ),
            requirement("NFR-3", ("growth_per_year", "=", "20", "%"), ("throughput", ">=", "600", "req/min")),
        ]
    )
    assert targets.peak_users.value == 2000 and targets.peak_users.reference == "NFR-1"
    assert targets.p95_response.value == 2.0
    assert targets.availability.value == pytest.approx(0.999)
    assert targets.growth_per_year.value == pytest.approx(0.2)
    assert targets.throughput.value == pytest.approx(10.0)  # 600 per minute


def test_the_most_demanding_target_wins():
    targets = requirement_targets(
        [
            requirement("A", ("p95_response_ms", "<=", "800", "ms"), ("peak_users", "=", "500", "")),
            requirement("B", ("p95_response_seconds", "<=", "2", "s"), ("peak_users", "=", "1500", "")),
        ]
    )
    assert targets.p95_response.value == pytest.approx(0.8)
    assert targets.p95_response.reference == "A"
    assert targets.peak_users.value == 1500


# --- the cheapest configuration ------------------------------------------------------------------


def test_the_documented_example_costs_7200_and_meets_the_target_every_year():
    # docs/capacity-models.md "Sizing a contract": 1× web-large and 1× db-pair.
    result = run_sizing(workload(), [], CATALOG)
    assert result["ok"] is True
    assert result["total_price"] == "7200.00"
    assert [(c["tier"], c["sku"], c["units"], c["servers"]) for c in result["choices"]] == [
        ("web", "WEB-L", 1, 4),
        ("db", "DB-2", 1, 2),
    ]
    assert [round(y["arrival_rate"], 6) for y in result["years"]] == [40.0, 48.0, 57.6]
    assert all(y["meets"] for y in result["years"])
    assert [round(y["headroom"] * 100) for y in result["years"]] == [51, 26, 5]
    json.dumps(result)  # stored as it is in a JSON field


def test_cheapest_is_cheapest_by_brute_force():
    # Every combination of item and unit count, checked with the same M/M/c model.
    data = workload(peak_arrival_rate=55, growth_per_year=0.1, response_time=0.2)
    result = run_sizing(data, [], CATALOG)
    peak = 55 * 1.1**2
    best = None
    for web_sku, web_units, db_sku, db_units in itertools.product(
        ["WEB-S", "WEB-L"], range(1, 9), ["DB-1", "DB-2"], range(1, 3)
    ):
        servers = {
            "web": web_units * int(CATALOG[web_sku].specs.get("cores", 1)),
            "db": db_units * int(CATALOG[db_sku].specs.get("cores", 1)),
        }
        demand = {"web": 0.05, "db": 0.02}
        if any(peak * demand[t] / servers[t] > 0.8 for t in servers):
            continue
        queues = [mmc(peak, 1 / demand[t], servers[t]) for t in ("web", "db")]
        if chain_response(queues, "p95") > 0.2:
            continue
        price = CATALOG[web_sku].price * web_units + CATALOG[db_sku].price * db_units
        best = price if best is None else min(best, price)
    assert Decimal(result["total_price"]) == best


def test_headroom_and_the_breaking_load_are_where_the_target_breaks():
    result = run_sizing(workload(), [], CATALOG)
    servers = {c["tier"]: c["servers"] for c in result["choices"]}
    demand = {"web": 0.05, "db": 0.02}

    def p95(rate):
        return chain_response([mmc(rate, 1 / demand[t], servers[t]) for t in ("web", "db")], "p95")

    breaking = result["capacity"]["target_rate"]
    assert p95(breaking * 0.995) <= 0.25 < p95(breaking * 1.005)
    year3 = result["years"][2]
    assert year3["arrival_rate"] * (1 + year3["headroom"]) == pytest.approx(breaking, rel=1e-3)


def test_the_curve_is_a_hockey_stick():
    result = run_sizing(workload(), [], CATALOG)
    times = [p["response_time"] for p in result["curve"]]
    assert times == sorted(times)
    assert times[-1] > 3 * times[0]  # it bends up steeply towards saturation
    assert result["curve"][-1]["arrival_rate"] < result["capacity"]["saturation_rate"]


def test_an_availability_target_means_no_single_unit_anywhere():
    plain = run_sizing(workload(), [], CATALOG)
    redundant = run_sizing(workload(), [requirement("NFR-9", ("availability", ">=", "99.95", "%"))], CATALOG)
    assert all(c["units"] >= 2 for c in redundant["choices"])
    assert redundant["redundancy"] == {"required": True, "single_points_of_failure": [], "met": True}
    assert Decimal(redundant["total_price"]) > Decimal(plain["total_price"])
    # Two small web servers and two single-core databases: 2 × 1000 + 2 × 3000.
    assert redundant["total_price"] == "8000.00"
    assert any("NFR-9" in a for a in redundant["assumptions"])


# --- figures from the requirements -------------------------------------------------------------------


def test_load_growth_and_target_come_from_the_requirements_when_left_out():
    data = workload(peak_arrival_rate=None, growth_per_year=None, years=None, response_time=None)
    data["peak_users"] = None
    data["requests_per_user_per_minute"] = 1.2
    reqs = [
        requirement("NFR-1", ("peak_users", "=", "2000", "users")),
        requirement("NFR-2", ("p95_response_seconds", "<=", "0.25", "s")),
        requirement("NFR-3", ("growth_per_year", "=", "20", "%"), priority="should"),
        requirement("NFR-4", ("contract_years", "=", "4", "years")),
    ]
    result = run_sizing(data, reqs, CATALOG)
    assert result["inputs"]["peak_arrival_rate"] == pytest.approx(40.0)  # 2000 × 1.2 / 60
    assert result["inputs"]["growth_per_year"] == pytest.approx(0.2)
    assert result["inputs"]["years"] == 4
    assert result["objective"] == {"statistic": "p95", "response_time": 0.25, "max_utilization": 0.8}
    text = " ".join(result["assumptions"])
    assert "requirement NFR-1" in text and "requirement NFR-2" in text and "requirement NFR-3" in text


def test_a_throughput_target_raises_a_lower_derived_load():
    data = workload(peak_arrival_rate=None, peak_users=100, requests_per_user_per_minute=6)  # 10 req/s
    result = run_sizing(data, [requirement("NFR-5", ("throughput", ">=", "30", "req/s"))], CATALOG)
    assert result["inputs"]["peak_arrival_rate"] == 30
    assert any("Raised to 30 requests/s" in a for a in result["assumptions"])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"peak_arrival_rate": None}, "peak_arrival_rate"),
        ({"peak_arrival_rate": None, "peak_users": 500}, "requests_per_user_per_minute"),
        ({"response_time": None}, "response_time"),
    ],
)
def test_a_figure_neither_entered_nor_in_the_requirements_is_asked_for(overrides, field):
    with pytest.raises(WorkloadError) as raised:
        run_sizing(workload(**overrides), [], CATALOG)
    assert raised.value.field == field


def test_unmeetable_targets_say_why_instead_of_failing():
    result = run_sizing(workload(peak_arrival_rate=400), [], CATALOG)
    assert result["ok"] is False
    assert "utilisation" in result["error"] and "web" in result["error"]
    assert result["assumptions"]


# --- the workload is checked field by field --------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"tiers": []}, "tiers"),
        ({"nonsense": 1}, "nonsense"),
        ({"peak_arrival_rate": -3}, "peak_arrival_rate"),
        ({"peak_arrival_rate": True}, "peak_arrival_rate"),
        ({"years": 2.5}, "years"),
        ({"years": 11}, "years"),
        ({"statistic": "p99"}, "statistic"),
        ({"max_utilization": 1.0}, "max_utilization"),
        ({"tiers": [{"name": "web", "service_demand": 0, "skus": ["WEB-S"]}]}, "tiers[0].service_demand"),
        ({"tiers": [{"name": "", "service_demand": 0.1, "skus": ["WEB-S"]}]}, "tiers[0].name"),
        ({"tiers": [{"name": "web", "service_demand": 0.1, "skus": []}]}, "tiers[0].skus"),
        (
            {"tiers": [{"name": "a", "service_demand": 0.1, "skus": ["X"]}] * 2},
            "tiers[1].name",
        ),
        (
            {"tiers": [{"name": "web", "service_demand": 0.1, "skus": ["WEB-S"], "max_units": 0}]},
            "tiers[0].max_units",
        ),
    ],
)
def test_bad_workloads_name_the_field(data, field):
    with pytest.raises(WorkloadError) as raised:
        validate_workload(workload(**data))
    assert raised.value.field == field
    assert "\n" not in raised.value.message


def test_a_sku_not_offered_is_named():
    data = workload(tiers=[{"name": "web", "service_demand": 0.05, "skus": ["WEB-XL"]}])
    with pytest.raises(WorkloadError, match="WEB-XL") as raised:
        run_sizing(data, [], CATALOG)
    assert raised.value.field == "tiers[0].skus"


def test_validation_is_idempotent():
    once = validate_workload(workload())
    assert validate_workload(once) == once


@settings(max_examples=25, deadline=None)
@given(
    rate=st.floats(min_value=1, max_value=60),
    growth=st.floats(min_value=0, max_value=0.3),
    target=st.floats(min_value=0.15, max_value=1.0),
)
def test_every_year_of_a_found_configuration_meets_the_targets(rate, growth, target):
    result = run_sizing(
        workload(peak_arrival_rate=rate, growth_per_year=growth, response_time=target), [], CATALOG
    )
    if result["ok"]:
        for year in result["years"]:
            assert year["response_time"] <= target * (1 + 1e-9)
            assert max(year["utilization"].values()) <= 0.8 + 1e-9
            assert year["headroom"] >= 0
