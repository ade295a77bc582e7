from django.apps import AppConfig


class SolutionsConfig(AppConfig):
    name = "salesdesk.solutions"
    label = "solutions"
    verbose_name = "Solutions"

    def ready(self) -> None:
        from salesdesk.core.audit import timeline_register

        from .models import ProductGap, SolutionDesign, SolutionVersion
        from .selectors import visible_designs, visible_product_gaps, visible_versions

        # Solution designs are internal (they name our gaps and costs): external users'
        # timelines never show their events, because the selectors give them nothing.
        timeline_register(SolutionDesign, visible_designs)
        timeline_register(SolutionVersion, visible_versions)
        timeline_register(ProductGap, visible_product_gaps)
