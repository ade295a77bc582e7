"""Knowledge fixtures: people at each level, a product, and items in each state and audience."""

from __future__ import annotations

import pytest

from salesdesk.catalog.models import Category, Product
from salesdesk.knowledge import services
from salesdesk.knowledge.models import Answer


@pytest.fixture
def specialist(staff_factory):
    """Level 2 support specialist (Tomás): drafts and submits."""
    return staff_factory(2, username="tomas", first_name="Tomás", last_name="Silva")


@pytest.fixture
def bid_manager(staff_factory):
    """Level 5 bid manager (Grace): publishes, returns, archives."""
    return staff_factory(5, username="grace", first_name="Grace", last_name="Lindqvist")


@pytest.fixture
def gateway(db):
    category = Category.objects.create(name="Edge gateways")
    return Product.objects.create(sku="KS-EG-400", name="Edge Gateway 400", category=category)


@pytest.fixture
def make_answer(specialist, bid_manager):
    """An answer in the given status and audience, made through the services."""

    def make(title="Does the Edge Gateway 400 support SSO with Azure AD?", *, status="published",
             audience="customers", body="Yes, over SAML 2.0.", **data) -> Answer:  # fmt: skip
        answer = services.answer_create(
            actor=specialist, data={"title": title, "body": body, "audience": audience, **data}
        )
        if status in ("in_review", "published", "archived"):
            services.item_submit(actor=specialist, item=answer)
        if status in ("published", "archived"):
            services.item_publish(actor=bid_manager, item=answer)
        if status == "archived":
            services.item_archive(actor=bid_manager, item=answer)
        answer.refresh_from_db()
        return answer

    return make


@pytest.fixture
def library(make_answer, specialist):
    """One answer per audience and status that matters for scoping."""
    return {
        "internal": make_answer("Internal pricing rule?", audience="internal"),
        "partners": make_answer("Partner discount tiers?", audience="partners"),
        "customers": make_answer("Does it support IPv6?", audience="customers"),
        "draft": make_answer("Draft customer answer?", audience="customers", status="draft"),
        "review": make_answer("In review customer answer?", audience="customers", status="in_review"),
        "archived": make_answer("Archived customer answer?", audience="customers", status="archived"),
    }
