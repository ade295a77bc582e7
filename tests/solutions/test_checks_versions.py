"""Checks of a stored version: the catalog, the requirements and the skills are read into the rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salesdesk.solutions import services
from salesdesk.solutions.selectors import check_inputs, version_checks

from .test_designs_support import *  # noqa: F403 - fixtures
from .test_designs_support import add_component

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 29)


def test_inputs_come_from_catalog_requirements_and_skills(presales, agent, draft, catalog, skills):
    add_component(presales, draft, catalog.as440, 2)
    add_component(presales, draft, catalog.licence)
    inputs = check_inputs(draft, today=TODAY)
    server = next(c for c in inputs.components if c.sku == "KS-AS440")
    assert server.specs == {"max_concurrent_users": Decimal("2000"), "throughput": Decimal("4800")}
    assert server.group == "Application servers"
    assert server.skills == ("App Server",)
    assert set(server.skill_holders) == {presales.get_full_name(), agent.get_full_name()}
    # growth from the requirement "growth_per_year = 20 %", three contract years by default
    assert (inputs.growth_per_year, inputs.contract_years) == (Decimal("0.2"), 3)
    assert {t.metric for t in inputs.targets} >= {"peak_users", "api_requests_per_second"}
    assert {(r.kind, r.other_sku) for r in inputs.rules} >= {("requires", "KS-AS440")}


def test_the_workload_overrides_growth_and_years(presales, draft, catalog):
    services.save_workload(
        presales,
        draft,
        {
            "growth_per_year": 0.1,
            "years": 5,
            "tiers": [{"name": "app", "service_demand": 0.05, "skus": ["KS-AS440"]}],
        },
    )
    draft.refresh_from_db()
    inputs = check_inputs(draft, today=TODAY)
    assert (inputs.growth_per_year, inputs.contract_years) == (Decimal("0.1"), 5)


def test_a_version_with_two_servers_meets_year_three_and_its_licence_rule(presales, draft, catalog, skills):
    add_component(presales, draft, catalog.as440, 2)
    add_component(presales, draft, catalog.licence)
    report = version_checks(draft, today=TODAY)
    [users] = [c for c in report.by_rule("capacity") if c.numbers["requirement"] == "REQ-001"]
    # 2 × 2,000 = 4,000 users against 2,000 × 1.2² = 2,880 in year 3
    assert (users.status, users.numbers["capacity"], users.numbers["need_last_year"]) == (
        "pass",
        Decimal("4000"),
        Decimal("2880.00"),
    )
    requires = [c for c in report.by_rule("compatibility") if "requires" in c.subject]
    assert [c.status for c in requires] == ["pass"]
    skills_checks = {c.subject: c.status for c in report.by_rule("skills")}
    assert skills_checks["App Server 440"] == "pass"


def test_one_server_fails_capacity_and_the_limit_rule(presales, draft, catalog):
    add_component(presales, draft, catalog.as440, 1)
    report = version_checks(draft, today=TODAY)
    assert report.status == "fail"
    limit = [c for c in report.by_rule("compatibility") if "limit" in c.subject]
    assert limit[0].status == "fail" and limit[0].numbers["per_unit"] == Decimal("2880.00")


def test_lead_time_uses_the_designs_required_date(presales, draft, catalog, world_a):
    world_a.opportunity.expected_close_date = TODAY + dt.timedelta(days=10)
    world_a.opportunity.save(update_fields=["expected_close_date"])
    services.design_update(
        actor=presales, design=draft.design, data={"required_by": TODAY + dt.timedelta(days=20)}
    )
    add_component(presales, draft, catalog.as880)  # 21 days
    draft.refresh_from_db()
    [lead] = version_checks(draft, today=TODAY).by_rule("lead_time")
    assert (lead.status, lead.numbers["slack_days"]) == ("fail", -11)


def test_an_end_of_sale_service_line_is_flagged(presales, draft, catalog):
    catalog.sso.lifecycle = "end_of_sale"
    catalog.sso.save()
    services.service_line_add(actor=presales, version=draft, data={"product_id": catalog.sso.pk})
    [check] = version_checks(draft, today=TODAY).by_rule("lifecycle")
    assert (check.subject, check.status) == ("SSO integration package", "fail")
