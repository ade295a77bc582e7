"""The demo solution design walks JOURNEYS L4 Jonas steps 1–2 (fit-gap, checks, a swap, sizing input)."""

from __future__ import annotations

import datetime as dt

import pytest

from salesdesk.catalog.demo import load_catalog_demo
from salesdesk.demo.requirements import load_requirements_demo
from salesdesk.demo.solutions import load_solutions_demo
from salesdesk.solutions.models import ProductGap, SolutionDesign
from salesdesk.solutions.selectors import fit_gap_matrix, version_checks

from ..factories import OpportunityFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def demo(staff_factory, presales):
    grace = staff_factory(5, username="grace")
    amara = staff_factory(3, username="amara")
    load_catalog_demo(actor=grace)
    OpportunityFactory(name="Northwind logistics", expected_close_date=TODAY + dt.timedelta(days=30))
    load_requirements_demo(users={"amara": amara})
    return load_solutions_demo(users={"jonas": presales}, today=TODAY)


def test_northwind_has_two_versions_two_partial_fits_one_gap_and_a_product_gap(demo):
    assert demo == {"solution designs": 1, "solution versions": 2}
    design = SolutionDesign.objects.get()
    v1, v2 = design.versions.get(number=1), design.versions.get(number=2)
    assert (v1.status, v1.frozen, v2.status, design.current_version) == ("superseded", True, "draft", 2)
    counts = fit_gap_matrix(v2).counts
    assert (counts["partial"], counts["gap"], counts["unassessed"]) == (2, 1, 0)
    gap = ProductGap.objects.get()
    assert (gap.status, gap.revenue_at_stake) == ("open", design.opportunity.amount)
    assert v2.workload["tiers"][1]["skus"] == ["KS-AS440"]


def test_the_end_of_sale_switch_fails_in_version_1_and_is_swapped_in_version_2(demo):
    design = SolutionDesign.objects.get()
    v1_lifecycle = [
        c for c in design.versions.get(number=1).checks_result["checks"] if c["rule"] == "lifecycle"
    ]
    assert any(c["status"] == "fail" and "Kestrel Switch 48P" in c["reason"] for c in v1_lifecycle)
    report = version_checks(design.versions.get(number=2), today=TODAY)
    assert not [c for c in report.by_rule("lifecycle") if c.status == "fail"]
    # 2 × App Server 440 carry 2,000 users growing 20 % a year: 2,880 in year 3
    capacity = [c for c in report.by_rule("capacity") if c.numbers.get("group") == "Application servers"]
    assert capacity and capacity[0].status == "pass"
    assert str(capacity[0].numbers["need_last_year"]) == "2880.00"


def test_loading_twice_creates_nothing_new(demo, presales):
    assert load_solutions_demo(users={"jonas": presales}, today=TODAY) == {}


def test_the_demo_workload_sizes_with_the_versions_components(demo):
    from salesdesk.solutions.selectors import component_catalog_items, requirements_for_version
    from salesdesk.solutions.workload import catalog_items, run_sizing

    v2 = SolutionDesign.objects.get().versions.get(number=2)
    result = run_sizing(
        v2.workload, requirements_for_version(v2), catalog_items(list(component_catalog_items(v2).values()))
    )
    assert result["ok"], result.get("error")
    assert len(result["years"]) == 3 and all(y["meets"] for y in result["years"])
