from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "salesdesk.deals"
    label = "deals"
    verbose_name = "Deals"

    def ready(self) -> None:
        from salesdesk.core.audit import timeline_register

        from .models import Opportunity, Requirement, RequirementBaseline, RequirementQuestion, RequirementSet
        from .selectors import (
            PARTNER_EVENTS,
            visible_baselines,
            visible_opportunities,
            visible_questions,
            visible_requirement_sets,
            visible_requirements,
        )

        # A deal's events show on an account's timeline only to those who may see the deal:
        # a customer user never sees the opportunities on their own account.
        timeline_register(Opportunity, visible_opportunities, hidden=PARTNER_EVENTS)
        # Requirements follow their opportunity; a customer sees the events of the versions
        # shared with them and of the questions asked of them, nothing of the draft.
        timeline_register(RequirementSet, visible_requirement_sets)
        timeline_register(Requirement, visible_requirements)
        timeline_register(RequirementQuestion, visible_questions)
        timeline_register(RequirementBaseline, visible_baselines)
        # A partner sees the events of its own registrations and presales requests, never
        # another partner's; a customer sees neither.
        from .presales_models import PresalesRequest
        from .presales_selectors import visible_presales_requests
        from .registration_models import DealRegistration
        from .registration_selectors import visible_registrations

        timeline_register(PresalesRequest, visible_presales_requests)
        timeline_register(DealRegistration, visible_registrations)
