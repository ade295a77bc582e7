"""Page forms of the solutions app. Shapes only; the rules are in ``solutions.services``."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms

from salesdesk.core.pages import ServiceForm

from .choices import Coverage, ProductGapStatus


class DesignForm(ServiceForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=20000)
    required_by = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When the customer needs it in service; the lead-time check uses it.",
    )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def _product_label(product: Any) -> str:
    lifecycle = "" if product.lifecycle == "available" else f" · {product.get_lifecycle_display().lower()}"
    return f"{product.name} ({product.sku}){lifecycle}"


class ComponentForm(ServiceForm):
    product = forms.ModelChoiceField(queryset=None, help_text="A catalog item.")  # type: ignore[arg-type]
    quantity = forms.IntegerField(min_value=1, max_value=1_000_000, initial=1)
    configuration = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text='Settings as JSON, e.g. {"memory_gb": 256}.',
    )
    notes = forms.CharField(required=False, max_length=500)

    def __init__(self, *args: Any, products: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        field.queryset = products  # type: ignore[attr-defined]
        field.label_from_instance = _product_label  # type: ignore[attr-defined]

    def clean_configuration(self) -> dict[str, Any]:
        text = (self.cleaned_data.get("configuration") or "").strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"is not valid JSON ({exc.msg} at character {exc.pos})") from None
        if not isinstance(value, dict):
            raise forms.ValidationError('must be an object such as {"memory_gb": 256}')
        return value

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        product = data.pop("product")
        data["product_id"] = product.pk
        return data


class ServiceLineForm(ServiceForm):
    product = forms.ModelChoiceField(
        queryset=None,  # type: ignore[arg-type]
        required=False,
        label="Catalog service",
        help_text="Or leave empty and describe the service.",
    )
    description = forms.CharField(required=False, max_length=300)
    quantity = forms.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2, initial=1)
    unit = forms.CharField(required=False, max_length=60, help_text="e.g. days, per month.")

    def __init__(self, *args: Any, services: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = services  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        product = data.pop("product")
        data["product_id"] = product.pk if product else None
        return data


class AssumptionsForm(ServiceForm):
    assumptions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One assumption per line.",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=20000)

    def service_data(self) -> dict[str, Any]:
        return {
            "assumptions": (self.cleaned_data.get("assumptions") or "").splitlines(),
            "notes": self.cleaned_data.get("notes") or "",
        }


class FitGapForm(ServiceForm):
    coverage = forms.ChoiceField(choices=Coverage.choices)
    components = forms.ModelMultipleChoiceField(
        queryset=None,  # type: ignore[arg-type]
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The components that meet it (none for a gap).",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    error_field_aliases = {"component_ids": "components"}

    def __init__(self, *args: Any, components: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["components"]
        field.queryset = components  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: f"{c.quantity} × {c.product.name}"  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        return {
            "coverage": self.cleaned_data["coverage"],
            "component_ids": [c.pk for c in self.cleaned_data.get("components") or []],
            "note": self.cleaned_data.get("note") or "",
        }


class ProductGapForm(ServiceForm):
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="What the product lacks"
    )
    product = forms.ModelChoiceField(
        queryset=None,  # type: ignore[arg-type]
        required=False,
        help_text="The product that should gain it, if one.",
    )
    revenue_at_stake = forms.DecimalField(
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        help_text="Leave empty for the opportunity's amount.",
    )

    def __init__(self, *args: Any, products: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        product = self.cleaned_data.get("product")
        return {
            "description": self.cleaned_data["description"],
            "product_id": product.pk if product else None,
            "revenue_at_stake": self.cleaned_data.get("revenue_at_stake"),
        }


class ProductGapDecisionForm(ServiceForm):
    status = forms.ChoiceField(
        choices=[(c.value, c.label) for c in ProductGapStatus if c != ProductGapStatus.OPEN], label="Decision"
    )
    note = forms.CharField(required=False, max_length=5000, help_text="Needed to decline.")
