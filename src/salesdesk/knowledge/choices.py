"""Choices and constants of the knowledge base."""

from django.db import models


class ArticleKind(models.TextChoices):
    HOW_TO = "how_to", "How-to"
    TROUBLESHOOTING = "troubleshooting", "Troubleshooting"
    TECHNICAL_GUIDANCE = "technical_guidance", "Technical guidance"
    PRODUCT_NOTE = "product_note", "Product note"


class Audience(models.TextChoices):
    """Who may read a published item. Wider audiences include the narrower staff audience."""

    INTERNAL = "internal", "Internal"
    PARTNERS = "partners", "Partners"
    CUSTOMERS = "customers", "Customers"


class KnowledgeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


# Partners read what is written for partners and for customers; customers only the latter.
PARTNER_AUDIENCES = (Audience.PARTNERS, Audience.CUSTOMERS)
CUSTOMER_AUDIENCES = (Audience.CUSTOMERS,)

# A confirmed item is good for this long before it is due for review again.
REVIEW_INTERVAL_DAYS = 180

# Product lifecycles after which what we wrote about a product must be checked.
RETIRED_PRODUCT_LIFECYCLES = ("end_of_sale", "end_of_life")
