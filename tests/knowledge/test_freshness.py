"""Freshness: review-by dates, flags, the 'needs review' lists and product retirement."""

import datetime as dt

import pytest
from django.utils import timezone

from salesdesk.catalog import services as catalog_services
from salesdesk.core.errors import ApplicationError
from salesdesk.core.models import AuditEvent
from salesdesk.knowledge import selectors, services

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_an_item_past_its_review_date_is_stale(make_answer):
    answer = make_answer(review_by=TODAY - dt.timedelta(days=1))
    assert answer.is_stale
    assert "review was due" in answer.stale_reason
    assert not make_answer("Fresh?", review_by=TODAY + dt.timedelta(days=1)).is_stale


def test_owners_see_their_stale_items_and_level_5_sees_all(make_answer, specialist, bid_manager, presales):
    mine = make_answer("Mine?", review_by=TODAY - dt.timedelta(days=3))
    theirs = make_answer("Theirs?", owner_id=presales.pk, review_by=TODAY - dt.timedelta(days=3))
    make_answer("Fresh?")
    assert list(selectors.stale_items_for(user=specialist)["answer"]) == [mine]
    assert set(selectors.stale_items_for(user=bid_manager, everyone=True)["answer"]) == {mine, theirs}
    # level 2 cannot widen the list to everyone
    assert list(selectors.stale_items_for(user=specialist, everyone=True)["answer"]) == [mine]


def test_review_page_lists_my_stale_items(make_answer, specialist, client_as):
    make_answer("Overdue question?", review_by=TODAY - dt.timedelta(days=3))
    body = client_as(specialist).get("/knowledge/review/").content.decode()
    assert "Overdue question?" in body


def test_stale_item_shows_a_warning_on_its_page(make_answer, agent, client_as):
    answer = make_answer(review_by=TODAY - dt.timedelta(days=3))
    body = client_as(agent).get(f"/knowledge/answers/{answer.pk}/").content.decode()
    assert "Needs review:" in body


def test_marking_reviewed_clears_the_flag_and_moves_the_date(make_answer, specialist):
    answer = make_answer(review_by=TODAY - dt.timedelta(days=3))
    services.item_flag(actor=specialist, item=answer, reason="Customer says it changed")
    services.item_confirm_reviewed(actor=specialist, item=answer)
    answer.refresh_from_db()
    assert not answer.is_stale
    assert answer.review_by > TODAY
    with pytest.raises(ApplicationError):
        services.item_confirm_reviewed(actor=specialist, item=answer, review_by=TODAY)


def test_product_going_end_of_sale_flags_linked_items(make_answer, gateway, bid_manager):
    linked = make_answer(product_ids=[gateway.pk])
    draft = make_answer("Draft linked?", status="draft", product_ids=[gateway.pk])
    archived = make_answer("Old linked?", status="archived", product_ids=[gateway.pk])
    unrelated = make_answer("Unrelated?")
    # when the catalog moves the product (its listeners are called explicitly)
    catalog_services.product_set_lifecycle(actor=bid_manager, product=gateway, lifecycle="end_of_sale")
    for item in (linked, draft, archived, unrelated):
        item.refresh_from_db()
    assert linked.needs_review and draft.needs_review
    assert linked.review_reason == "Edge Gateway 400 is now end-of-sale"
    assert not archived.needs_review
    assert not unrelated.needs_review
    assert AuditEvent.objects.filter(object_id=str(linked.pk), step="flagged for review").exists()
    assert linked in selectors.stale_items_for(user=linked.owner)["answer"]


def test_listener_ignores_moves_that_do_not_retire(make_answer, gateway):
    answer = make_answer(product_ids=[gateway.pk])
    services.on_product_lifecycle_change(gateway, "planned", "available", None)
    answer.refresh_from_db()
    assert not answer.needs_review
