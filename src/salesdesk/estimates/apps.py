from django.apps import AppConfig


class EstimatesConfig(AppConfig):
    name = "salesdesk.estimates"
    label = "estimates"
    verbose_name = "Estimates"
