"""An answer may link any number of products; indexing it must never overflow a column."""

import pytest

from salesdesk.catalog import services as catalog_services
from salesdesk.knowledge import search
from salesdesk.knowledge.search_models import SearchDocument

pytestmark = pytest.mark.django_db


def test_an_answer_linked_to_hundreds_of_products_is_indexed(bid_manager, make_answer):
    # given an answer about a whole product family of 400 products (their ids take well over 1,000 characters)
    category = catalog_services.category_create(actor=bid_manager, name="Family")
    products = [
        catalog_services.product_create(
            actor=bid_manager,
            data={"sku": f"FAM-{n:04d}", "name": f"Family member {n}", "category_id": category.pk},
        )
        for n in range(400)
    ]
    answer = make_answer("Which family members support IPv6?", product_ids=[p.pk for p in products])
    # when it is indexed, then every product id is kept
    document = search.index_object(answer)
    document.refresh_from_db()
    assert len(document.product_ids) > 1000
    assert SearchDocument.objects.get(pk=document.pk).product_id_set() == {p.pk for p in products}
