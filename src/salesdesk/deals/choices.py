from django.db import models


class OpportunityStage(models.TextChoices):
    QUALIFICATION = "qualification", "Qualification"
    DISCOVERY = "discovery", "Discovery"
    SOLUTION = "solution", "Solution design"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    WON = "won", "Won"
    LOST = "lost", "Lost"


OPEN_STAGES = (
    OpportunityStage.QUALIFICATION,
    OpportunityStage.DISCOVERY,
    OpportunityStage.SOLUTION,
    OpportunityStage.PROPOSAL,
    OpportunityStage.NEGOTIATION,
)
CLOSED_STAGES = (OpportunityStage.WON, OpportunityStage.LOST)
