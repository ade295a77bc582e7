from django.db import models


class CaseType(models.TextChoices):
    QUERY = "query", "Query"
    COMPLAINT = "complaint", "Complaint"
    PROBLEM = "problem", "Problem"
    REQUEST = "request", "Request"


class CaseChannel(models.TextChoices):
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"
    EMAIL = "email", "E-mail"
    WEB_PORTAL = "web_portal", "Web portal"
    PARTNER = "partner", "Partner"


class CasePriority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class CaseStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


ACTIVE_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.WAITING_ON_CUSTOMER)
# The SLA clock runs in these; waiting on the customer pauses it.
CLOCK_RUNNING_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN)


class InteractionKind(models.TextChoices):
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    EMAIL = "email", "E-mail"


class CallDirection(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class SlaState(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    BREACHED = "breached", "Breached"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    NONE = "none", "No SLA"


TIERS = (1, 2, 3, 4)
