"""`salesdesk escalate_at_risk`: the periodic job that escalates cases about to breach their SLA."""

from typing import Any

from django.core.management.base import BaseCommand

from salesdesk.service.services import escalate_at_risk


class Command(BaseCommand):
    help = "Escalate running cases at risk of breaching their SLA one tier up (once per SLA target)."

    def handle(self, *args: Any, **options: Any) -> None:
        escalations = escalate_at_risk()
        for escalation in escalations:
            self.stdout.write(
                f"{escalation.case.reference}: tier {escalation.from_tier} → {escalation.to_tier}"
            )
        self.stdout.write(f"Escalated {len(escalations)} case(s).")
