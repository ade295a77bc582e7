"""The catalog: what the company sells (products and services) and what is known about it."""

from __future__ import annotations

from django.db import models

from salesdesk.core.models import AuditedModel

from .choices import Lifecycle, OfferingKind


class Category(AuditedModel):
    """A group of products or services, e.g. 'Edge gateways' or 'Managed services'."""

    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Product(AuditedModel):
    """A product or a service in the catalog (``kind`` tells which)."""

    sku = models.CharField("SKU", max_length=60, unique=True, help_text="The vendor's article number.")
    name = models.CharField(max_length=200, db_index=True)
    kind = models.CharField(max_length=10, choices=OfferingKind.choices, default=OfferingKind.PRODUCT)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    lifecycle = models.CharField(
        max_length=12, choices=Lifecycle.choices, default=Lifecycle.AVAILABLE, db_index=True
    )
    summary = models.CharField(max_length=300, blank=True, help_text="One line for lists and search results.")
    description = models.TextField(blank=True)
    lead_time_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Typical days from order to delivery."
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
