"""The feasibility rules, one by one, on plain data (no database): pass, warn and fail with numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from salesdesk.solutions.checks import (
    CheckInputs,
    ComponentInfo,
    RequirementFit,
    RuleInfo,
    TargetInfo,
    check_capacity,
    check_compatibility,
    check_lead_times,
    check_lifecycle,
    check_skills,
    practicality_score,
    run_checks,
)

D = Decimal


def server(quantity=1, users="2000", **kwargs):
    return ComponentInfo(
        sku="AS440",
        name="App Server 440",
        quantity=quantity,
        group="Application servers",
        specs={"max_concurrent_users": D(users), "throughput": D("4800")},
        spec_units={"max_concurrent_users": "users", "throughput": "req/s"},
        **kwargs,
    )


USERS = TargetInfo("REQ-002", "peak_users", "=", D("2000"), "users")


def test_requires_fails_when_the_other_product_is_missing_and_passes_when_present():
    licence = ComponentInfo(sku="LIC", name="Enterprise licence")
    rule = RuleInfo("LIC", "requires", "The licence runs on an App Server 440.", "AS440", "App Server 440")
    [missing] = check_compatibility(CheckInputs(components=(licence,), rules=(rule,)))
    assert (missing.status, missing.reason) == ("fail", "The licence runs on an App Server 440.")
    [present] = check_compatibility(CheckInputs(components=(licence, server()), rules=(rule,)))
    assert (present.status, present.numbers["present"]) == ("pass", True)


def test_excludes_fails_only_when_both_are_in():
    gateway = ComponentInfo(sku="EG400", name="Edge Gateway 400")
    old = ComponentInfo(sku="EG100", name="Edge Gateway 100")
    rule = RuleInfo("EG400", "excludes", "Do not mix them.", "EG100", "Edge Gateway 100")
    [clash] = check_compatibility(CheckInputs(components=(gateway, old), rules=(rule,)))
    assert (clash.status, clash.reason) == ("fail", "Do not mix them.")
    [fine] = check_compatibility(CheckInputs(components=(gateway,), rules=(rule,)))
    assert (fine.status, fine.reason) == ("pass", "Edge Gateway 100 is not in the solution.")


def test_a_capacity_limit_is_the_load_per_unit_against_the_limit():
    rule = RuleInfo(
        "AS440",
        "capacity_limit",
        "At most 2,000 users each.",
        spec_name="max_concurrent_users",
        limit=D(2000),
    )
    inputs = CheckInputs(
        components=(server(quantity=1),),
        rules=(rule,),
        targets=(USERS,),
        growth_per_year=D("0.2"),
        contract_years=3,
    )
    [over] = check_compatibility(inputs)
    # 2,000 × 1.2² = 2,880 users on one server
    assert over.status == "fail"
    assert (over.numbers["need"], over.numbers["per_unit"], over.numbers["limit"]) == (
        D("2880.00"),
        D("2880.00"),
        D(2000),
    )
    inputs = CheckInputs(
        components=(server(quantity=2),),
        rules=(rule,),
        targets=(USERS,),
        growth_per_year=D("0.2"),
        contract_years=3,
    )
    [within] = check_compatibility(inputs)
    assert (within.status, within.numbers["per_unit"]) == ("pass", D("1440.00"))


def test_capacity_compounds_growth_over_the_contract_years():
    inputs = CheckInputs(
        components=(server(quantity=1),), targets=(USERS,), growth_per_year=D("0.2"), contract_years=3
    )
    [check] = check_capacity(inputs)
    assert check.status == "fail"
    assert check.numbers["need_last_year"] == D("2880.00")
    assert check.numbers["capacity"] == D("2000")
    assert "= 2,000 falls short of the need of 2,880 in year 3" in check.reason


def test_capacity_with_little_headroom_warns_and_with_enough_passes():
    tight = CheckInputs(components=(server(quantity=1, users="2100"),), targets=(USERS,))
    [warn] = check_capacity(tight)
    assert (warn.status, warn.numbers["headroom_percent"]) == ("warn", D("5.0"))
    roomy = CheckInputs(components=(server(quantity=2),), targets=(USERS,))
    [ok] = check_capacity(roomy)
    assert (ok.status, ok.numbers["capacity"], ok.numbers["headroom_percent"]) == (
        "pass",
        D("4000"),
        D("100.0"),
    )


def test_capacity_compares_only_the_same_unit_and_warns_when_nothing_states_it():
    gateway = ComponentInfo(
        sku="EG",
        name="Gateway",
        group="Edge",
        specs={"throughput": D("5000")},
        spec_units={"throughput": "Mbit/s"},
    )
    api = TargetInfo("REQ-009", "api_requests_per_second", ">=", D("200"), "req/s")
    [check] = check_capacity(CheckInputs(components=(gateway,), targets=(api,)))
    assert check.status == "warn"
    assert "cannot be checked" in check.reason
    [check] = check_capacity(CheckInputs(components=(gateway, server()), targets=(api,)))
    assert (check.status, check.numbers["capacity"]) == ("pass", D("4800"))


def test_storage_grows_like_the_rest():
    array = ComponentInfo(
        sku="ST12",
        name="Storage Array 12",
        group="Storage",
        specs={"usable_capacity_tb": D(48)},
        spec_units={"usable_capacity_tb": "TB"},
    )
    data = TargetInfo("REQ-002", "protected_tb", "=", D(30), "TB")
    [check] = check_capacity(
        CheckInputs(components=(array,), targets=(data,), growth_per_year=D("0.15"), contract_years=5)
    )
    # 30 × 1.15⁴ = 52.47 TB in year 5
    assert (check.status, check.numbers["need_last_year"]) == ("fail", D("52.47"))


def test_lifecycle_fails_retired_items_naming_the_successor_and_warns_planned_ones():
    eos = ComponentInfo(
        sku="AS110", name="App Server 110", lifecycle="end_of_sale", successor="App Server 220"
    )
    eol = ComponentInfo(sku="AP5", name="AP 5", lifecycle="end_of_life")
    planned = ComponentInfo(sku="X", name="Next gen", lifecycle="planned")
    results = check_lifecycle(CheckInputs(components=(eos, eol, planned, server())))
    assert [r.status for r in results] == ["fail", "fail", "warn", "pass"]
    assert results[0].reason == "App Server 110 is end of sale. Offer App Server 220 instead."
    assert "No successor" in results[1].reason


def test_lead_time_against_the_required_date():
    today = dt.date(2026, 1, 1)
    close = dt.date(2026, 3, 1)
    late = check_lead_times(
        CheckInputs(
            components=(server(lead_time_days=21),),
            expected_close_date=close,
            required_by=dt.date(2026, 3, 15),
            today=today,
        )
    )[0]
    assert late.status == "fail"
    assert (late.numbers["arrives"], late.numbers["slack_days"]) == (dt.date(2026, 3, 22), -7)
    tight = check_lead_times(
        CheckInputs(
            components=(server(lead_time_days=14),),
            expected_close_date=close,
            required_by=dt.date(2026, 3, 18),
            today=today,
        )
    )[0]
    assert (tight.status, tight.numbers["slack_days"]) == ("warn", 3)
    fine = check_lead_times(
        CheckInputs(
            components=(server(lead_time_days=14),),
            expected_close_date=close,
            required_by=dt.date(2026, 4, 30),
            today=today,
        )
    )[0]
    assert (fine.status, fine.numbers["slack_days"]) == ("pass", 46)


def test_lead_time_unknown_warns_and_a_past_close_date_orders_from_today():
    today = dt.date(2026, 6, 1)
    [unknown] = check_lead_times(CheckInputs(components=(server(),), today=today))
    assert unknown.status == "warn"
    [past] = check_lead_times(
        CheckInputs(
            components=(server(lead_time_days=10),), expected_close_date=dt.date(2026, 1, 1), today=today
        )
    )
    assert (past.status, past.numbers["order_date"], past.numbers["arrives"]) == (
        "pass",
        today,
        dt.date(2026, 6, 11),
    )
    service = ComponentInfo(sku="PS", name="Workshop", kind="service")
    assert check_lead_times(CheckInputs(components=(service,), today=today)) == []


def test_skills_two_people_pass_one_warns_nobody_fails():
    results = check_skills(
        CheckInputs(
            components=(
                server(skills=("App Server",), skill_holders=("Jonas Berg", "Priya Raman")),
                ComponentInfo(
                    sku="EG", name="Edge Gateway", skills=("Edge Gateway",), skill_holders=("Jonas Berg",)
                ),
                ComponentInfo(sku="FW", name="Firewall", skills=("Firewalls",)),
                ComponentInfo(sku="Z", name="Odd box"),
            )
        )
    )
    assert [r.status for r in results] == ["pass", "warn", "fail", "warn"]
    assert results[0].numbers["people"] == 2
    assert "single point of knowledge" in results[1].reason
    assert "No skill" in results[3].reason


def test_practicality_score_parts_and_weights():
    inputs = CheckInputs(
        components=(server(), ComponentInfo(sku="EG", name="Edge")),
        requirements=(
            RequirementFit("REQ-1", "must", "full"),
            RequirementFit("REQ-2", "must", "gap"),
            RequirementFit("REQ-3", "should", "workaround"),
            RequirementFit("REQ-4", "could", ""),
        ),
    )
    checks = run_checks(inputs).checks
    score = practicality_score(inputs, checks)
    # fit: (3×1 + 3×0 + 2×0.6 + 1×0) / 9 = 46.67 %
    assert score.part("fit").value == 47
    failures = sum(1 for c in checks if c.status == "fail")
    warnings = sum(1 for c in checks if c.status == "warn")
    assert score.part("risk").value == max(0, 100 - 20 * failures - 5 * warnings)
    # effort: 100 − 4 × 1 extra item − 8 × 1 workaround − 10 × 1 gap
    assert score.part("effort").value == 78
    expected = D("46.6667") * D("0.40") + D(score.part("risk").value) * D("0.35") + D(78) * D("0.25")
    assert abs(score.total - expected) <= 1
    assert "must ×3" in score.part("fit").explanation


def test_the_report_takes_the_worst_verdict_and_is_json_safe():
    report = run_checks(CheckInputs(components=(server(lifecycle="end_of_sale"),)))
    assert report.status == "fail"
    data = report.as_dict()
    assert data["failures"] == report.failures >= 1
    assert isinstance(data["score"]["total"], int)
    import json

    json.dumps(data)  # Decimals and dates became strings


def test_a_retired_catalog_service_fails_the_lifecycle_check_too():
    silver = ComponentInfo(
        sku="SUP-SILVER",
        name="Support Contract Silver",
        kind="service",
        lifecycle="end_of_sale",
        successor="Gold",
    )
    [check] = check_lifecycle(CheckInputs(services=(silver,)))
    assert (check.status, check.reason) == (
        "fail",
        "Support Contract Silver is end of sale. Offer Gold instead.",
    )
    assert check_lead_times(CheckInputs(services=(silver,), today=dt.date(2026, 1, 1))) == []
