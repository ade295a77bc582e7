from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "salesdesk.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge"

    def ready(self) -> None:
        from salesdesk.catalog.services import CHANGE_LISTENERS, LIFECYCLE_LISTENERS

        from .search import index_product_and_linked
        from .services import on_product_lifecycle_change

        # A product going end-of-sale/end-of-life flags what we wrote about it. The catalog
        # calls its listeners explicitly after the change (no signals).
        if on_product_lifecycle_change not in LIFECYCLE_LISTENERS:
            LIFECYCLE_LISTENERS.append(on_product_lifecycle_change)
        # Every product change re-indexes the product (and the items naming it) for search.
        if index_product_and_linked not in CHANGE_LISTENERS:
            CHANGE_LISTENERS.append(index_product_and_linked)
