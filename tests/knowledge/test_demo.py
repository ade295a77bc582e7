"""The demo knowledge base: a few hundred items, linked to catalog products, loadable twice."""

import pytest

from salesdesk.catalog.models import Category, Product
from salesdesk.knowledge.demo import load_knowledge_demo
from salesdesk.knowledge.models import Answer, Article
from salesdesk.knowledge.selectors import visible_answers

pytestmark = pytest.mark.django_db


def test_demo_loads_idempotently_and_links_products(specialist, bid_manager, world_a):
    category = Category.objects.create(name="Edge gateways")
    gateway = Product.objects.create(sku="KS-EG-400", name="Edge Gateway 400", category=category)
    first = load_knowledge_demo()
    assert first["created"] >= 250
    count = Answer.objects.count() + Article.objects.count()
    versions = sum(Answer.objects.values_list("version", flat=True))
    second = load_knowledge_demo()
    assert second["created"] == 0
    assert Answer.objects.count() + Article.objects.count() == count
    assert sum(Answer.objects.values_list("version", flat=True)) == versions  # nothing rewritten
    sso = Answer.objects.get(title="Does the Edge Gateway 400 support SSO with Azure AD?")
    assert list(sso.products.all()) == [gateway]
    # Sam (customer) finds it; drafts and internal answers stay hidden from him
    assert sso in visible_answers(world_a.customer_user)
    assert Answer.objects.filter(status="draft").exists()
    assert Answer.objects.filter(review_by__isnull=False).exists()
    assert not visible_answers(world_a.customer_user).exclude(status="published").exists()


def test_demo_links_to_the_catalog_demo(bid_manager, specialist):
    from salesdesk.catalog.demo import load_catalog_demo

    load_catalog_demo(actor=bid_manager)
    load_knowledge_demo()
    sso = Answer.objects.get(title="Does the Edge Gateway 400 support SSO with Azure AD?")
    assert [p.sku for p in sso.products.all()] == ["KS-EG-400"]
    unlinked = Answer.objects.filter(products__isnull=True).count()
    assert unlinked == 0
