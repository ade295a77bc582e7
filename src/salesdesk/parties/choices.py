from django.db import models

from salesdesk.core.roles import SupportLevel, UserKind  # re-exported: one source of truth

__all__ = ["CustomerTier", "OrganisationKind", "SupportLevel", "UserKind"]


class OrganisationKind(models.TextChoices):
    OWN = "own", "Our company"
    CUSTOMER = "customer", "Customer"
    PARTNER = "partner", "Partner"


class CustomerTier(models.TextChoices):
    STANDARD = "standard", "Standard"
    SILVER = "silver", "Silver"
    GOLD = "gold", "Gold"
    PLATINUM = "platinum", "Platinum"
