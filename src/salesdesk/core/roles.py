"""Who a user is: the kinds of user and the six support levels (SFIA 'Sales support', SSUP)."""

from django.db import models


class UserKind(models.TextChoices):
    SUPPORT = "support", "Support staff"
    SALES_REP = "sales_rep", "Sales rep"
    PARTNER = "partner", "Partner user"
    CUSTOMER = "customer", "Customer user"
    ADMIN = "admin", "Administrator"


class SupportLevel(models.IntegerChoices):
    AGENT = 1, "1 · Support agent"
    SPECIALIST = 2, "2 · Support specialist"
    CONSULTANT = 3, "3 · Solutions consultant"
    PRESALES = 4, "4 · Presales engineer"
    BID_MANAGER = 5, "5 · Bid manager"
    HEAD = 6, "6 · Head of customer service"


# Kinds that work for the vendor itself (own organisation) and may see every customer.
INTERNAL_KINDS = frozenset({UserKind.SUPPORT, UserKind.SALES_REP, UserKind.ADMIN})
EXTERNAL_KINDS = frozenset({UserKind.PARTNER, UserKind.CUSTOMER})
