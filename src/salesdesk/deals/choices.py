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


class RequirementType(models.TextChoices):
    FUNCTIONAL = "functional", "Functional"
    PERFORMANCE = "performance", "Performance"
    CAPACITY = "capacity", "Capacity"
    AVAILABILITY = "availability", "Availability"
    SECURITY = "security", "Security"
    COMPLIANCE = "compliance", "Compliance"
    INTEGRATION = "integration", "Integration"


class RequirementPriority(models.TextChoices):
    """MoSCoW."""

    MUST = "must", "Must have"
    SHOULD = "should", "Should have"
    COULD = "could", "Could have"
    WONT = "wont", "Won't have (this time)"


class RequirementSource(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    RFP = "rfp", "RFP"
    EMAIL = "email", "E-mail"
    CALL = "call", "Call"


class QuestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"


class AnswerChannel(models.TextChoices):
    """How an answer reached us: typed by the customer in the portal, or logged by staff."""

    PORTAL = "portal", "Portal"
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    EMAIL = "email", "E-mail"
