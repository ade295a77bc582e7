from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "salesdesk.deals"
    label = "deals"
    verbose_name = "Deals"
