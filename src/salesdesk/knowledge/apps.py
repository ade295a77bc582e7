from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "salesdesk.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge"
