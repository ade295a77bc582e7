"""Lifecycle draft → in review → published → archived, by level, with every version kept."""

import pytest
from django.core.exceptions import PermissionDenied

from salesdesk.core.errors import ApplicationError, StaleWrite, StateConflict
from salesdesk.core.models import AuditEvent
from salesdesk.knowledge import selectors, services
from salesdesk.knowledge.models import Answer, AnswerVersion, Article

pytestmark = pytest.mark.django_db


def test_level_1_cannot_draft(agent):
    with pytest.raises(PermissionDenied):
        services.answer_create(actor=agent, data={"title": "Q?", "body": "A."})
    assert not Answer.objects.exists()


def test_level_2_drafts_an_answer_they_own_with_version_1(specialist, gateway):
    answer = services.answer_create(
        actor=specialist,
        data={
            "title": "Does the Edge Gateway 400 support SSO with Azure AD?",
            "body": "Yes, **SAML 2.0**.",
            "alternatives": ["Can I log in with Entra ID?", "  ", "Can I log in with Entra ID?"],
            "tags": ["SSO", "azure-ad", "sso"],
            "product_ids": [gateway.pk],
            "audience": "customers",
        },
    )
    assert answer.status == "draft"
    assert answer.owner == specialist
    assert answer.alternatives == ["Can I log in with Entra ID?"]
    assert answer.tags == ["sso", "azure-ad"]
    assert answer.review_by is not None
    assert "<strong>SAML 2.0</strong>" in answer.body_html
    assert list(answer.products.all()) == [gateway]
    assert [v.number for v in answer.versions.all()] == [1]
    event = AuditEvent.objects.get(object_id=str(answer.pk), action="created")
    assert event.changes["products"] == [None, ["KS-EG-400"]]


def test_level_2_cannot_publish_and_a_refused_step_changes_nothing(specialist, make_answer):
    answer = make_answer(status="in_review")
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.item_publish(actor=specialist, item=answer)
    answer.refresh_from_db()
    assert answer.status == "in_review"
    assert AuditEvent.objects.count() == events


def test_full_lifecycle_by_level(specialist, bid_manager, make_answer):
    answer = make_answer(status="draft")
    services.item_submit(actor=specialist, item=answer)
    services.item_publish(actor=bid_manager, item=answer)
    answer.refresh_from_db()
    assert answer.status == "published"
    assert answer.published_at is not None
    services.item_return(actor=bid_manager, item=answer, comment="Mention firmware 7.2.")
    answer.refresh_from_db()
    assert answer.status == "draft"
    step = AuditEvent.objects.filter(object_id=str(answer.pk), step="returned to draft").get()
    assert step.detail == {"comment": "Mention firmware 7.2."}
    services.item_archive(actor=bid_manager, item=answer)
    answer.refresh_from_db()
    assert answer.status == "archived"


def test_publishing_a_draft_directly_is_a_conflict(bid_manager, make_answer):
    answer = make_answer(status="draft")
    with pytest.raises(StateConflict):
        services.item_publish(actor=bid_manager, item=answer)
    answer.refresh_from_db()
    assert answer.status == "draft"


def test_return_needs_a_comment(bid_manager, make_answer):
    answer = make_answer(status="in_review")
    with pytest.raises(ApplicationError) as exc:
        services.item_return(actor=bid_manager, item=answer, comment="  ")
    assert exc.value.errors[0].field == "comment"
    answer.refresh_from_db()
    assert answer.status == "in_review"


def test_archived_items_cannot_be_edited(specialist, make_answer):
    answer = make_answer(status="archived")
    with pytest.raises(StateConflict):
        services.item_update(actor=specialist, item=answer, data={"body": "New"})


def test_a_level_2_edit_of_a_published_answer_returns_it_to_draft(specialist, make_answer):
    answer = make_answer()
    services.item_update(actor=specialist, item=answer, data={"body": "Yes, over SAML 2.0 and OIDC."})
    answer.refresh_from_db()
    assert answer.status == "draft"
    assert answer.versions.count() == 2


def test_a_level_5_edit_keeps_it_published(bid_manager, make_answer):
    answer = make_answer()
    services.item_update(actor=bid_manager, item=answer, data={"body": "Yes, over SAML 2.0 and OIDC."})
    answer.refresh_from_db()
    assert answer.status == "published"


def test_only_content_changes_make_versions(specialist, make_answer):
    answer = make_answer(status="draft")
    services.item_update(actor=specialist, item=answer, data={"tags": ["sso"]})
    assert answer.versions.count() == 1
    services.item_update(actor=specialist, item=answer, data={"alternatives": ["Entra ID login?"]})
    services.item_update(actor=specialist, item=answer, data={"body": "Yes."})
    assert list(answer.versions.values_list("number", flat=True)) == [3, 2, 1]
    assert AnswerVersion.objects.get(answer=answer, number=3).author == specialist


def test_diff_between_versions(specialist, make_answer):
    answer = make_answer(status="draft", body="Line one.\nLine two.")
    services.item_update(actor=specialist, item=answer, data={"body": "Line one.\nLine 2."})
    diff = selectors.version_diff(answer, 1, 2)
    assert "-Line two." in diff["unified"]
    assert "+Line 2." in diff["unified"]
    assert ("del", "-Line two.") in diff["lines"]
    assert ("add", "+Line 2.") in diff["lines"]
    # by default: the latest against the one before it
    assert selectors.version_diff(answer, None, None)["from_version"] == 1


def test_stale_version_is_refused(specialist, make_answer):
    answer = make_answer(status="draft")
    with pytest.raises(StaleWrite):
        services.item_update(actor=specialist, item=answer, data={"body": "x"}, expected_version=99)
    answer.refresh_from_db()
    assert answer.body == "Yes, over SAML 2.0."


def test_unknown_product_and_owner_are_named(specialist, agent):
    with pytest.raises(ApplicationError) as exc:
        services.article_create(actor=specialist, data={"title": "T", "body": "B", "product_ids": [999]})
    assert exc.value.errors[0].field == "product_ids"
    with pytest.raises(ApplicationError) as exc:
        services.article_create(actor=specialist, data={"title": "T", "body": "B", "kind": "poem"})
    assert exc.value.errors[0].field == "kind"
    assert not Article.objects.exists()


def test_sales_rep_and_partner_cannot_draft(sales_rep, world_a):
    for user in (sales_rep, world_a.partner_user, world_a.customer_user):
        with pytest.raises(PermissionDenied):
            services.article_create(actor=user, data={"title": "T", "body": "B"})
