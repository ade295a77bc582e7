from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "salesdesk.service"
    label = "service"
    verbose_name = "Customer service"

    def ready(self) -> None:
        from salesdesk.core.audit import timeline_register

        from .models import Case, Interaction
        from .selectors import visible_cases, visible_interactions

        # A case's and an interaction's events show on an account's timeline only to those
        # who may see the record (a customer sees their cases, never internal call notes
        # of another account).
        timeline_register(Case, visible_cases)
        timeline_register(Interaction, visible_interactions)

        # An approved answer sent to a customer (knowledge suggestions) is a call or an
        # e-mail on the contact: logged here, in the same transaction.
        from salesdesk.knowledge import suggestions

        from .services import log_answer_sent

        if log_answer_sent not in suggestions.SEND_LISTENERS:
            suggestions.SEND_LISTENERS.append(log_answer_sent)
