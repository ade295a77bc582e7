"""Solution designs through the services: capability, versions and freezing, fit-gap, product gaps."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from salesdesk.core.audit import events_for
from salesdesk.core.errors import ApplicationError, StateConflict
from salesdesk.solutions import services
from salesdesk.solutions.models import (
    FitGapEntry,
    ProductGap,
    SolutionComponent,
    SolutionDesign,
    SolutionVersion,
)
from salesdesk.solutions.selectors import fit_gap_matrix, visible_designs

from .test_designs_support import *  # noqa: F403 - fixtures
from .test_designs_support import add_component

pytestmark = pytest.mark.django_db


def test_a_presales_engineer_starts_a_design_with_a_first_draft_version(presales, world_a, requirements):
    design = services.design_create(
        actor=presales, opportunity_id=world_a.opportunity.pk, data={"title": "  Tracking platform "}
    )
    version = design.versions.get()
    assert (design.title, design.current_version, version.number, version.status, version.frozen) == (
        "Tracking platform",
        1,
        1,
        "draft",
        False,
    )
    assert [e.step or e.action for e in events_for(design)] == ["created"]


def test_a_consultant_below_level_4_cannot_design(consultant, world_a):
    with pytest.raises(PermissionDenied):
        services.design_create(actor=consultant, opportunity_id=world_a.opportunity.pk, data={"title": "X"})
    assert not SolutionDesign.objects.exists()


def test_a_design_needs_a_title(presales, world_a):
    with pytest.raises(ApplicationError) as error:
        services.design_create(actor=presales, opportunity_id=world_a.opportunity.pk, data={"title": " "})
    assert error.value.errors[0].field == "title"


def test_a_partner_sees_no_design_even_on_their_own_deal(design, world_a):
    assert not visible_designs(world_a.partner_user).exists()
    assert not visible_designs(world_a.customer_user).exists()


def test_staff_of_any_level_and_sales_reps_may_read_designs(design, agent, sales_rep):
    assert list(visible_designs(agent)) == [design]
    assert list(visible_designs(sales_rep)) == [design]


def test_unknown_opportunity_is_not_found(presales, db):
    with pytest.raises(Http404):
        services.design_create(actor=presales, opportunity_id=999999, data={"title": "X"})


def test_a_new_version_copies_the_content_and_freezes_the_old_one(presales, draft, catalog, requirements):
    server = add_component(presales, draft, catalog.as440, 2, configuration={"memory_gb": 256})
    services.service_line_add(actor=presales, version=draft, data={"description": "Workshop", "quantity": 2})
    services.version_update(
        actor=presales, version=draft, data={"assumptions": ["UK hosting", " ", "TLS 1.2"]}
    )
    services.fit_gap_set(
        actor=presales,
        version=draft,
        requirement_id=requirements[0].pk,
        coverage="full",
        component_ids=[server.pk],
    )
    # when Jonas starts version 2
    v2 = services.version_new(actor=presales, design=draft.design)
    # then version 2 holds a copy of everything, pointing at its own components
    draft.refresh_from_db()
    assert (draft.status, draft.frozen, v2.number, v2.status) == ("superseded", True, 2, "draft")
    assert draft.frozen_reason == "superseded by version 2"
    assert draft.checks_result["checks"], "the checks are kept with the frozen version"
    copy = v2.components.get()
    assert (copy.product_id, copy.quantity, copy.configuration) == (catalog.as440.pk, 2, {"memory_gb": 256})
    assert copy.pk != server.pk
    assert v2.assumptions == ["UK hosting", "TLS 1.2"]
    assert v2.service_lines.get().description == "Workshop"
    entry = v2.fit_gap.get()
    assert list(entry.components.all()) == [copy]
    assert SolutionDesign.objects.get().current_version == 2


def test_a_frozen_version_refuses_every_change(presales, draft, catalog, requirements):
    server = add_component(presales, draft, catalog.as440)
    services.version_new(actor=presales, design=draft.design)
    before = (SolutionComponent.objects.count(), FitGapEntry.objects.count())
    for attempt in (
        lambda: add_component(presales, draft, catalog.as880),
        lambda: services.component_update(actor=presales, component=server, data={"quantity": 5}),
        lambda: services.component_remove(actor=presales, component=server),
        lambda: services.version_update(actor=presales, version=draft, data={"notes": "x"}),
        lambda: services.fit_gap_set(
            actor=presales, version=draft, requirement_id=requirements[2].pk, coverage="gap"
        ),
        lambda: services.save_workload(presales, draft, {"tiers": []}),
    ):
        with pytest.raises(StateConflict):
            attempt()
    server.refresh_from_db()
    assert server.quantity == 1
    assert (SolutionComponent.objects.count(), FitGapEntry.objects.count()) == before


def test_making_a_version_final_freezes_it_and_keeps_its_checks(presales, draft, catalog):
    add_component(presales, draft, catalog.as110)
    version = services.version_finalise(actor=presales, version=draft)
    assert (version.status, version.frozen, version.finalised_by) == ("final", True, presales)
    assert version.checks_result["status"] == "fail"  # the end-of-sale server
    with pytest.raises(StateConflict):
        services.version_finalise(actor=presales, version=version)


def test_referencing_a_version_freezes_it(presales, draft):
    services.version_reference(actor=presales, version=draft, by="proposal P-7")
    draft.refresh_from_db()
    assert (draft.frozen, draft.status, draft.frozen_reason) == (True, "draft", "referenced by proposal P-7")


def test_a_component_must_be_a_visible_catalog_product(presales, draft, world_a):
    with pytest.raises(Http404):
        services.component_add(actor=presales, version=draft, data={"product_id": 999999})
    with pytest.raises(ApplicationError) as error:
        services.component_add(actor=presales, version=draft, data={})
    assert error.value.errors[0].field == "product_id"


def test_a_service_line_needs_a_description_or_a_catalog_service(presales, draft, catalog):
    with pytest.raises(ApplicationError) as error:
        services.service_line_add(actor=presales, version=draft, data={"description": "  "})
    assert error.value.errors[0].field == "description"
    with pytest.raises(ApplicationError) as error:
        services.service_line_add(actor=presales, version=draft, data={"product_id": catalog.as440.pk})
    assert error.value.errors[0].field == "product_id"
    line = services.service_line_add(actor=presales, version=draft, data={"product_id": catalog.sso.pk})
    assert str(line) == "SSO integration package"


def test_the_matrix_lists_every_requirement_and_counts_fully_met_must_haves(
    presales, draft, catalog, requirements
):
    server = add_component(presales, draft, catalog.as440)
    services.fit_gap_set(
        actor=presales,
        version=draft,
        requirement_id=requirements[0].pk,
        coverage="full",
        component_ids=[server.pk],
    )
    services.fit_gap_set(
        actor=presales,
        version=draft,
        requirement_id=requirements[2].pk,
        coverage="partial",
        component_ids=[server.pk],
        note="Azure AD through SAML only",
    )
    services.fit_gap_set(actor=presales, version=draft, requirement_id=requirements[4].pk, coverage="gap")
    matrix = fit_gap_matrix(draft)
    assert [r.reference for r in matrix.rows] == [r.reference for r in requirements]
    assert [r.coverage for r in matrix.rows] == ["full", "", "partial", "", "gap"]
    assert matrix.rows[2].component_names == ["App Server 440"]
    assert (matrix.must_total, matrix.must_full, matrix.summary) == (3, 1, "1/3 must-haves fully met")
    assert matrix.counts == {"full": 1, "partial": 1, "workaround": 0, "gap": 1, "unassessed": 2}


def test_setting_a_row_again_changes_it_in_place(presales, draft, catalog, requirements):
    server = add_component(presales, draft, catalog.as440)
    services.fit_gap_set(actor=presales, version=draft, requirement_id=requirements[0].pk, coverage="gap")
    entry = services.fit_gap_set(
        actor=presales,
        version=draft,
        requirement_id=requirements[0].pk,
        coverage="full",
        component_ids=[server.pk],
    )
    assert FitGapEntry.objects.count() == 1
    assert entry.coverage == "full"
    assert events_for(entry).first().changes["components"] == [[], ["App Server 440"]]


@pytest.mark.parametrize(
    ("coverage", "with_component", "field"),
    [("gap", True, "component_ids"), ("full", False, "component_ids"), ("best", False, "coverage")],
)
def test_coverage_and_components_must_agree(
    presales, draft, catalog, requirements, coverage, with_component, field
):
    server = add_component(presales, draft, catalog.as440)
    with pytest.raises(ApplicationError) as error:
        services.fit_gap_set(
            actor=presales,
            version=draft,
            requirement_id=requirements[0].pk,
            coverage=coverage,
            component_ids=[server.pk] if with_component else [],
        )
    assert error.value.errors[0].field == field
    assert not FitGapEntry.objects.exists()


def test_a_requirement_of_another_opportunity_is_refused(presales, draft, world_b, consultant):
    from salesdesk.deals import requirement_services

    other = requirement_services.requirement_add(
        actor=consultant, opportunity=world_b.opportunity, data={"statement": "B's need"}
    )
    with pytest.raises(ApplicationError) as error:
        services.fit_gap_set(actor=presales, version=draft, requirement_id=other.pk, coverage="gap")
    assert error.value.errors[0].field == "requirement_id"


def test_a_gap_is_raised_as_a_product_gap_with_the_deal_amount_at_stake(
    presales, draft, requirements, world_a
):
    services.fit_gap_set(actor=presales, version=draft, requirement_id=requirements[4].pk, coverage="gap")
    gap = services.product_gap_raise(
        actor=presales,
        version=draft,
        requirement_id=requirements[4].pk,
        description="Offline mode for scanners",
    )
    assert (gap.status, gap.revenue_at_stake, gap.currency, gap.requirement_reference) == (
        "open",
        world_a.opportunity.amount,
        "EUR",
        requirements[4].reference,
    )
    # raising it twice is refused
    with pytest.raises(StateConflict):
        services.product_gap_raise(
            actor=presales, version=draft, requirement_id=requirements[4].pk, description="again"
        )
    assert ProductGap.objects.count() == 1


def test_only_a_gap_row_can_be_raised_and_an_entered_amount_wins(presales, draft, catalog, requirements):
    server = add_component(presales, draft, catalog.as440)
    services.fit_gap_set(
        actor=presales,
        version=draft,
        requirement_id=requirements[0].pk,
        coverage="full",
        component_ids=[server.pk],
    )
    with pytest.raises(ApplicationError) as error:
        services.product_gap_raise(
            actor=presales, version=draft, requirement_id=requirements[0].pk, description="x"
        )
    assert error.value.errors[0].field == "requirement_id"
    services.fit_gap_set(actor=presales, version=draft, requirement_id=requirements[4].pk, coverage="gap")
    gap = services.product_gap_raise(
        actor=presales,
        version=draft,
        requirement_id=requirements[4].pk,
        description="Offline",
        revenue_at_stake="40000",
    )
    assert gap.revenue_at_stake == Decimal("40000.00")


def test_level_6_decides_product_gaps_and_a_decline_needs_a_reason(presales, head, draft, requirements):
    services.fit_gap_set(actor=presales, version=draft, requirement_id=requirements[4].pk, coverage="gap")
    gap = services.product_gap_raise(
        actor=presales, version=draft, requirement_id=requirements[4].pk, description="Offline"
    )
    with pytest.raises(PermissionDenied):
        services.product_gap_decide(actor=presales, gap=gap, status="planned")
    with pytest.raises(ApplicationError) as error:
        services.product_gap_decide(actor=head, gap=gap, status="declined")
    assert error.value.errors[0].field == "note"
    gap = services.product_gap_decide(actor=head, gap=gap, status="planned", note="Q3 roadmap")
    assert (gap.status, gap.decided_by, gap.decision_note) == ("planned", head, "Q3 roadmap")
    assert events_for(gap).first().step == "planned"


def test_workload_is_validated_and_kept_and_sizing_recorded(presales, draft):
    with pytest.raises(ApplicationError):
        services.save_workload(presales, draft, {"tiers": "not a list"})
    version = services.save_workload(
        presales,
        draft,
        {"tiers": [{"name": "app", "service_demand": 0.05, "skus": ["KS-AS440"]}], "peak_arrival_rate": 40},
    )
    assert version.workload["tiers"][0]["name"] == "app"
    version = services.record_sizing(presales, version, {"ok": True, "total_price": "7200.00"})
    assert version.sizing_result["ok"] is True
    services.version_new(actor=presales, design=version.design)
    with pytest.raises(StateConflict):
        services.record_sizing(presales, SolutionVersion.objects.get(number=1), {"ok": True})


def test_only_capacity_modellers_keep_a_workload(consultant, draft):
    with pytest.raises(PermissionDenied):
        services.save_workload(consultant, draft, {"tiers": []})


def test_a_component_that_alone_meets_a_requirement_cannot_be_removed(presales, draft, catalog, requirements):
    server = add_component(presales, draft, catalog.as440)
    services.fit_gap_set(
        actor=presales,
        version=draft,
        requirement_id=requirements[0].pk,
        coverage="full",
        component_ids=[server.pk],
    )
    with pytest.raises(ApplicationError) as error:
        services.component_remove(actor=presales, component=server)
    assert "met by App Server 440 alone" in error.value.errors[0].message
    assert SolutionComponent.objects.filter(pk=server.pk).exists()
    services.fit_gap_set(actor=presales, version=draft, requirement_id=requirements[0].pk, coverage="gap")
    services.component_remove(actor=presales, component=server)
    assert not SolutionComponent.objects.exists()
