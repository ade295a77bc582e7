from django.db import models


class OfferingKind(models.TextChoices):
    PRODUCT = "product", "Product"
    SERVICE = "service", "Service"


class Lifecycle(models.TextChoices):
    PLANNED = "planned", "Planned"
    AVAILABLE = "available", "Available"
    END_OF_SALE = "end_of_sale", "End of sale"
    END_OF_LIFE = "end_of_life", "End of life"


# Items that can no longer be sold: their knowledge is flagged for review, checks warn.
RETIRED_LIFECYCLES = (Lifecycle.END_OF_SALE, Lifecycle.END_OF_LIFE)


class RuleKind(models.TextChoices):
    """What a compatibility rule says about a product in a solution."""

    REQUIRES = "requires", "Requires"
    EXCLUDES = "excludes", "Excludes"
    CAPACITY_LIMIT = "capacity_limit", "Capacity limit"


# What partners and customers may see: the roadmap (planned items) stays internal.
PUBLIC_LIFECYCLES = (Lifecycle.AVAILABLE, Lifecycle.END_OF_SALE, Lifecycle.END_OF_LIFE)
