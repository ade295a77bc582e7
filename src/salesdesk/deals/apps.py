from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "salesdesk.deals"
    label = "deals"
    verbose_name = "Deals"

    def ready(self) -> None:
        from salesdesk.core.audit import timeline_register

        from .models import Opportunity
        from .selectors import visible_opportunities

        # A deal's events show on an account's timeline only to those who may see the deal:
        # a customer user never sees the opportunities on their own account.
        timeline_register(Opportunity, visible_opportunities)
