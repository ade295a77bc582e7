"""Requirements: capture, clarification, baselines, sharing and the customer's sign-off."""

import pytest
from django.core.exceptions import PermissionDenied

from salesdesk.core.errors import ApplicationError, StateConflict
from salesdesk.deals import requirement_services as services
from salesdesk.deals import selectors
from salesdesk.deals.models import Requirement, RequirementBaseline, RequirementQuestion

from .conftest import add

pytestmark = pytest.mark.django_db


def test_a_consultant_captures_requirements_with_references_and_parsed_targets(consultant, world_a):
    first = add(
        consultant, world_a.opportunity, targets="peak_users = 2,000 users; p95_response_seconds ≤ 2 s"
    )
    second = add(
        consultant, world_a.opportunity, "Keep running", type="availability", targets="availability >= 99.9 %"
    )
    assert (first.reference, second.reference) == ("REQ-001", "REQ-002")
    assert first.targets == [
        {"metric": "peak_users", "operator": "=", "value": "2000", "unit": "users"},
        {"metric": "p95_response_seconds", "operator": "<=", "value": "2", "unit": "s"},
    ]
    own = add(consultant, world_a.opportunity, "Named", reference="req-012")
    assert own.reference == "REQ-012"
    assert add(consultant, world_a.opportunity, "Next").reference == "REQ-013"


def test_a_reference_is_unique_within_the_set_but_not_across_sets(consultant, world_a, world_b):
    add(consultant, world_a.opportunity, reference="REQ-001")
    with pytest.raises(ApplicationError) as exc:
        add(consultant, world_a.opportunity, reference="req-001")
    assert exc.value.errors[0].field == "reference"
    assert add(consultant, world_b.opportunity, reference="REQ-001").reference == "REQ-001"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"targets": "peak_users = 2k users"}, "targets", "cannot read a number in '2k users'"),
        ({"type": "fast"}, "type", "must be one of"),
        ({"priority": "urgent"}, "priority", "must be one of"),
        ({"reference": "REQ 1"}, "reference", "REQ-012"),
        ({"statement": "  "}, "statement", "is required"),
    ],
)
def test_bad_values_are_named_and_nothing_is_written(consultant, world_a, data, field, message):
    with pytest.raises(ApplicationError) as exc:
        services.requirement_add(
            actor=consultant, opportunity=world_a.opportunity, data={"statement": "x", **data}
        )
    assert exc.value.errors[0].field == field
    assert message in exc.value.errors[0].message
    assert not Requirement.objects.exists()


def test_below_level_3_nobody_captures_requirements(specialist, sales_rep, world_a):
    for actor in (specialist, sales_rep, world_a.partner_user, world_a.customer_user):
        with pytest.raises(PermissionDenied):
            add(actor, world_a.opportunity)
    assert not Requirement.objects.exists()


def test_an_open_question_blocks_the_baseline_and_its_answer_becomes_the_conclusion(consultant, world_a):
    requirement = add(consultant, world_a.opportunity, "Support the depots")
    question = services.question_raise(
        actor=consultant, requirement=requirement, text="How many depots?", contact_id=world_a.contact.pk
    )
    # when Amara tries to baseline with the question open, it is refused naming the requirement
    with pytest.raises(StateConflict) as exc:
        services.baseline_create(actor=consultant, opportunity=world_a.opportunity)
    assert "REQ-001 still has an open question" in exc.value.errors[0].message
    assert not RequirementBaseline.objects.exists()
    # the customer answers in the portal
    services.question_answer(actor=world_a.customer_user, question=question, answer="14 depots")
    question.refresh_from_db()
    requirement.refresh_from_db()
    assert (question.status, question.channel, question.answered_by) == (
        "answered",
        "portal",
        world_a.customer_user,
    )
    assert requirement.conclusion == "14 depots"
    assert services.baseline_create(actor=consultant, opportunity=world_a.opportunity).number == 1


def test_staff_log_an_answer_from_a_call_with_the_decision(consultant, world_a):
    requirement = add(consultant, world_a.opportunity)
    question = services.question_raise(actor=consultant, requirement=requirement, text="Peak season?")
    services.question_answer(
        actor=consultant,
        question=question,
        answer="December, 3x",
        decision="Size for 3x in December",
        channel="call",
    )
    requirement.refresh_from_db()
    assert requirement.conclusion == "Size for 3x in December"
    with pytest.raises(StateConflict):
        services.question_answer(actor=consultant, question=question, answer="again")


def test_a_question_goes_only_to_a_contact_of_the_customer_and_only_its_customer_answers(
    consultant, world_a, world_b
):
    requirement = add(consultant, world_a.opportunity)
    with pytest.raises(ApplicationError) as exc:
        services.question_raise(
            actor=consultant, requirement=requirement, text="?", contact_id=world_b.contact.pk
        )
    assert exc.value.errors[0].field == "contact_id"
    question = services.question_raise(actor=consultant, requirement=requirement, text="?")
    with pytest.raises(ApplicationError):
        services.question_answer(actor=world_b.customer_user, question=question, answer="not mine")
    with pytest.raises(PermissionDenied):
        services.question_answer(actor=world_a.partner_user, question=question, answer="x")
    question.refresh_from_db()
    assert question.status == "open"


def test_baselines_are_numbered_snapshots_and_a_new_version_shows_its_diff(consultant, world_a):
    one = add(consultant, world_a.opportunity, "Track parcels")
    two = add(consultant, world_a.opportunity, "Print labels")
    v1 = services.baseline_create(actor=consultant, opportunity=world_a.opportunity)
    with pytest.raises(StateConflict) as exc:
        services.baseline_create(actor=consultant, opportunity=world_a.opportunity)
    assert "nothing changed since version 1" in exc.value.errors[0].message
    services.requirement_update(actor=consultant, requirement=one, data={"priority": "should"})
    services.requirement_remove(actor=consultant, requirement=two)
    add(consultant, world_a.opportunity, "Scan at the gate")
    v2 = services.baseline_create(actor=consultant, opportunity=world_a.opportunity)
    v1.refresh_from_db()
    assert [r["statement"] for r in v1.requirements] == ["Track parcels", "Print labels"]
    assert v1.requirements[0]["priority"] == "must"
    assert v2.number == 2
    diff = services.diff_requirements(v1.requirements, v2.requirements)
    assert [r["reference"] for r in diff.added] == ["REQ-003"]
    assert [r["reference"] for r in diff.removed] == ["REQ-002"]
    assert [(c.reference, c.fields) for c in diff.changed] == [("REQ-001", {"priority": ("must", "should")})]


def test_an_empty_set_cannot_be_baselined(consultant, world_a):
    with pytest.raises(ApplicationError) as exc:
        services.baseline_create(actor=consultant, opportunity=world_a.opportunity)
    assert exc.value.errors[0].field == "requirements"


def test_the_customer_signs_off_a_shared_version_once(shared_a, world_a):
    signed = services.baseline_signoff(actor=world_a.customer_user, baseline=shared_a, name="Sam Patel")
    assert signed.signed_off_name == "Sam Patel"
    assert signed.signed_off_by == world_a.customer_user
    assert signed.signed_off_at is not None
    with pytest.raises(StateConflict) as exc:
        services.baseline_signoff(actor=world_a.customer_user, baseline=shared_a, name="Sam again")
    assert "already signed off by Sam Patel" in exc.value.errors[0].message


def test_an_unshared_version_cannot_be_signed_off_and_the_customer_cannot_even_see_it(consultant, world_a):
    add(consultant, world_a.opportunity)
    baseline = services.baseline_create(actor=consultant, opportunity=world_a.opportunity)
    assert not selectors.visible_baselines(world_a.customer_user).exists()
    with pytest.raises(StateConflict):
        services.baseline_signoff(actor=world_a.customer_user, baseline=baseline)
    baseline.refresh_from_db()
    assert baseline.signed_off_at is None


def test_staff_partners_and_other_customers_cannot_sign_off(shared_a, consultant, world_a, world_b):
    for actor in (consultant, world_a.partner_user):
        with pytest.raises(PermissionDenied):
            services.baseline_signoff(actor=actor, baseline=shared_a)
    with pytest.raises(StateConflict):
        services.baseline_signoff(actor=world_b.customer_user, baseline=shared_a)
    shared_a.refresh_from_db()
    assert shared_a.signed_off_at is None


def test_a_version_is_shared_with_a_contact_of_the_customer_once(consultant, world_a, world_b, shared_a):
    with pytest.raises(StateConflict):
        services.baseline_share(actor=consultant, baseline=shared_a, contact_id=world_a.contact.pk)
    add(consultant, world_a.opportunity, "More")
    v2 = services.baseline_create(actor=consultant, opportunity=world_a.opportunity)
    with pytest.raises(ApplicationError) as exc:
        services.baseline_share(actor=consultant, baseline=v2, contact_id=world_b.contact.pk)
    assert exc.value.errors[0].field == "contact_id"


def test_visibility_follows_the_opportunity_and_customers_see_only_shared_versions(
    shared_a, consultant, agent, world_a, world_b
):
    add(consultant, world_b.opportunity, "B's requirement")
    b1 = services.baseline_create(actor=consultant, opportunity=world_b.opportunity)
    services.baseline_share(actor=consultant, baseline=b1, contact_id=world_b.contact.pk)
    assert set(selectors.visible_baselines(agent)) == {shared_a, b1}
    assert list(selectors.visible_baselines(world_a.partner_user)) == [shared_a]
    assert list(selectors.visible_baselines(world_a.customer_user)) == [shared_a]
    assert list(selectors.visible_baselines(world_b.customer_user)) == [b1]
    assert not selectors.visible_requirements(world_a.customer_user).exists()
    assert {r.statement for r in selectors.visible_requirements(world_a.partner_user)} == {
        "Track every parcel",
        "Respond fast",
    }


def test_every_step_is_in_the_audit_trail(shared_a, world_a):
    from salesdesk.core.audit import events_for

    services.baseline_signoff(actor=world_a.customer_user, baseline=shared_a, name="Sam")
    steps = [e.step for e in events_for(shared_a)]
    assert steps == ["signed off version 1", "shared version 1", "baselined version 1"]


def test_removing_a_requirement_removes_its_questions(consultant, world_a):
    requirement = add(consultant, world_a.opportunity)
    services.question_raise(actor=consultant, requirement=requirement, text="?")
    services.requirement_remove(actor=consultant, requirement=requirement)
    assert not RequirementQuestion.objects.exists()


def test_the_customer_timeline_shows_shared_versions_but_not_the_draft(shared_a, world_a):
    from salesdesk.core.audit import organisation_timeline

    events = list(organisation_timeline(user=world_a.customer_user, organisation_id=world_a.customer.pk))
    assert "shared version 1" in {e.step for e in events}
    assert not [e for e in events if e.content_type.model in ("requirement", "requirementset")]
