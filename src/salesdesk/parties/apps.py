from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "salesdesk.parties"
    label = "parties"
    verbose_name = "Parties"
