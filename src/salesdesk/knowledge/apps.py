from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "salesdesk.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge"

    def ready(self) -> None:
        from salesdesk.catalog.services import LIFECYCLE_LISTENERS

        from .services import on_product_lifecycle_change

        # A product going end-of-sale/end-of-life flags what we wrote about it. The catalog
        # calls its listeners explicitly after the change (no signals).
        if on_product_lifecycle_change not in LIFECYCLE_LISTENERS:
            LIFECYCLE_LISTENERS.append(on_product_lifecycle_change)
