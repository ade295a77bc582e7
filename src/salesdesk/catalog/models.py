"""The catalog: what the company sells (products and services) and what is known about it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from salesdesk.core.models import AuditedModel

from .choices import Lifecycle, OfferingKind, RuleKind


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
    # What to offer instead once this item is end-of-sale or end-of-life; the solution
    # checks propose it when they flag a retired item.
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
        help_text="The item that replaces this one.",
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.pk is not None and self.successor_id == self.pk:
            raise ValidationError({"successor": "a product cannot be its own successor"})


currency_code = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code such as EUR.")
spec_name_format = RegexValidator(
    r"^[a-z][a-z0-9_]*$", "Use lower-case letters, digits and underscores, e.g. max_concurrent_users."
)


class ProductSpec(AuditedModel):
    """One typed technical specification: ``max_concurrent_users 500 users``, ``cores 16``.

    A measurable value is a Decimal (so capacity rules can compare it); anything else
    (``sso "Azure AD, Okta"``) is text. Exactly one of the two is set.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="specs")
    name = models.CharField(max_length=60, validators=[spec_name_format])
    value_number = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    value_text = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=30, blank=True, help_text="e.g. users, req/s, GB.")

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "name"], name="catalog_spec_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} {self.display_value}".strip()

    @property
    def display_value(self) -> str:
        if self.value_number is not None:
            # 500.0000 → 500, 2.5000 → 2.5: people read specs, not storage precision.
            value = format(self.value_number.normalize(), "f")
        else:
            value = self.value_text
        return f"{value} {self.unit}".strip()

    def clean(self) -> None:
        has_number = self.value_number is not None
        has_text = bool(self.value_text.strip())
        if has_number == has_text:
            raise ValidationError(
                {"value_number": "give either a number or a text value, not both or neither"}
            )


class PriceListEntry(AuditedModel):
    """A list price of a product in one currency and unit, valid over a date range.

    Ranges of the same product, currency and unit never overlap (the service checks),
    so "the price on a day" has one answer. ``cost_price`` is internal: only staff
    see it, and it is kept out of the audit trail, which partners may read.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    list_price = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    cost_price = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, default="EUR", validators=[currency_code])
    unit = models.CharField(max_length=60, default="each", help_text="e.g. 'per device / year'.")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Last day; empty means open-ended.")

    audit_exclude = (*AuditedModel.audit_exclude, "cost_price")

    class Meta:
        ordering = ["currency", "unit", "-valid_from", "id"]
        verbose_name_plural = "price list entries"

    def __str__(self) -> str:
        return f"{self.product} {self.list_price} {self.currency} {self.unit}"

    def clean(self) -> None:
        if self.valid_to is not None and self.valid_from is not None and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "must be on or after valid from"})


class ProductOption(AuditedModel):
    """``option`` can be ordered with ``product`` (an add-on module, a licence upgrade)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="option_links")
    option = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="option_of_links")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["option__name", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "option"], name="catalog_option_unique")]

    def __str__(self) -> str:
        return f"{self.option} (option of {self.product})"

    def clean(self) -> None:
        if self.product_id is not None and self.product_id == self.option_id:
            raise ValidationError({"option": "a product cannot be an option of itself"})


class BundleItem(AuditedModel):
    """One component of a bundle: the bundle is a product made of ``quantity`` × ``component``."""

    bundle = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="bundle_items")
    component = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="in_bundles")
    quantity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["component__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "component"], name="catalog_bundle_unique_component")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.component} in {self.bundle}"

    def clean(self) -> None:
        if self.bundle_id is not None and self.bundle_id == self.component_id:
            raise ValidationError({"component": "a bundle cannot contain itself"})


class CompatibilityRule(AuditedModel):
    """A rule the solution-design checks apply when ``product`` is in a solution.

    - requires: ``other_product`` must be in the solution too;
    - excludes: ``other_product`` must not be in it;
    - capacity limit: the solution's figure for ``spec_name`` (e.g. max_concurrent_users)
      must not exceed ``limit_value``, optionally only together with ``other_product``.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=20, choices=RuleKind.choices)
    other_product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="rules_naming"
    )
    spec_name = models.CharField(max_length=60, blank=True, validators=[spec_name_format])
    limit_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    message = models.CharField(max_length=300, help_text="What the check tells the person designing.")

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        target = self.other_product or self.spec_name
        return f"{self.product} {self.get_kind_display().lower()} {target}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind in (RuleKind.REQUIRES, RuleKind.EXCLUDES):
            if self.other_product_id is None:
                errors["other_product"] = "name the other product"
            elif self.other_product_id == self.product_id:
                errors["other_product"] = "must be another product"
        elif self.kind == RuleKind.CAPACITY_LIMIT:
            if not self.spec_name:
                errors["spec_name"] = "name the specification the limit applies to"
            if self.limit_value is None:
                errors["limit_value"] = "give the limit"
        if errors:
            raise ValidationError(errors)
