"""Page forms of the catalog. Shapes only; the rules are in ``catalog.services``."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from salesdesk.core.pages import ServiceForm

from .choices import Lifecycle, OfferingKind
from .models import Category, Product


class ProductForm(ServiceForm):
    sku = forms.CharField(max_length=60, label="SKU")
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=OfferingKind.choices, initial=OfferingKind.PRODUCT)
    category = forms.ModelChoiceField(queryset=Category.objects.none())
    summary = forms.CharField(
        max_length=300, required=False, help_text="One line for lists and search results."
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    lead_time_days = forms.IntegerField(
        min_value=0, required=False, help_text="Typical days from order to delivery."
    )
    successor = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        required=False,
        help_text="The item that replaces this one once it is end-of-sale.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    error_field_aliases = {"category_id": "category", "successor_id": "successor"}

    def __init__(self, *args: Any, instance: Product | None = None, **kwargs: Any) -> None:
        if instance is not None:
            initial = {
                name: getattr(instance, name)
                for name in ("sku", "name", "kind", "summary", "description", "lead_time_days", "version")
            }
            kwargs.setdefault(
                "initial",
                {**initial, "category": instance.category_id, "successor": instance.successor_id},
            )
        super().__init__(*args, **kwargs)
        self.instance = instance
        category_field = cast(forms.ModelChoiceField, self.fields["category"])
        category_field.queryset = Category.objects.only("id", "name")
        successors = Product.objects.only("id", "name", "sku").order_by("name", "id")
        if instance is not None:
            successors = successors.exclude(pk=instance.pk)
        cast(forms.ModelChoiceField, self.fields["successor"]).queryset = successors
        if instance is None:
            del self.fields["version"]

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        return data


class LifecycleForm(ServiceForm):
    lifecycle = forms.ChoiceField(choices=Lifecycle.choices)
    note = forms.CharField(
        max_length=300, required=False, help_text="Why, e.g. 'successor: Edge Gateway 500'."
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SpecForm(ServiceForm):
    """Add a specification, or change the one of that name."""

    name = forms.CharField(max_length=60, help_text="Lower case with underscores, e.g. max_concurrent_users.")
    value = forms.CharField(max_length=200, help_text="A number (500, 2.5) or text (SAML 2.0, OIDC).")
    unit = forms.CharField(max_length=30, required=False, help_text="e.g. users, req/s, GB.")

    error_field_aliases = {"value_number": "value", "value_text": "value"}

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class PriceForm(ServiceForm):
    """Add a price list entry."""

    list_price = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    cost_price = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, help_text="Internal: staff only."
    )
    currency = forms.CharField(max_length=3, initial="EUR")
    unit = forms.CharField(max_length=60, initial="each", help_text="e.g. 'per device / year'.")
    valid_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), required=False, help_text="Empty means open-ended."
    )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ImportForm(ServiceForm):
    file = forms.FileField(
        help_text="A .xlsx workbook (Products and Prices sheets) or a .csv file, up to 10 MB."
    )
