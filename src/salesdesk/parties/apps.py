from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "salesdesk.parties"
    label = "parties"
    verbose_name = "Parties"

    def ready(self) -> None:
        from salesdesk.core.audit import timeline_register

        from .models import Contact, Organisation
        from .selectors import visible_contacts

        # Whoever may open an account's timeline sees the account's own events, and
        # those of the contacts they may see.
        timeline_register(Organisation, lambda user: None)
        timeline_register(Contact, visible_contacts)
