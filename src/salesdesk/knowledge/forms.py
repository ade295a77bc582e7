"""Page forms for answers and articles. Shapes only; the rules are in ``knowledge.services``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.apps import apps

from salesdesk.core.pages import ServiceForm

from .choices import ArticleKind, Audience
from .models import Answer, KnowledgeItem
from .services import owner_candidates


class ItemForm(ServiceForm):
    error_field_aliases = {"product_ids": "products", "owner_id": "owner"}

    title = forms.CharField(max_length=300)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), help_text="Markdown.")
    tags = forms.CharField(required=False, max_length=1000, help_text="Separate with commas.")
    audience = forms.ChoiceField(
        choices=Audience.choices, initial=Audience.INTERNAL, help_text="Who may read it once published."
    )
    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="— me —")
    review_by = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When the owner checks it again; in 6 months when left empty.",
    )
    products = forms.ModelMultipleChoiceField(queryset=None, required=False)
    external_id = forms.CharField(required=False, max_length=100, label="External ID")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, model: type[KnowledgeItem], instance: KnowledgeItem | None = None, **kwargs: Any
    ) -> None:
        self.model = model
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            initial = {
                name: getattr(instance, name)
                for name in ("title", "body", "audience", "review_by", "version")
            }
            initial["tags"] = ", ".join(instance.tags)
            initial["owner"] = instance.owner_id
            initial["external_id"] = instance.external_id or ""
            initial["products"] = [p.pk for p in instance.products.all()]  # type: ignore[attr-defined]
            if model is Answer:
                initial["alternatives"] = "\n".join(instance.alternatives)  # type: ignore[attr-defined]
            else:
                initial["kind"] = instance.kind  # type: ignore[attr-defined]
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        product = apps.get_model("catalog", "Product")
        self.fields["products"].queryset = product.objects.only("id", "sku", "name").order_by("name")
        self.fields["owner"].queryset = owner_candidates().only("id", "username", "first_name", "last_name")
        if model is Answer:
            self.fields["title"].label = "Question"
            self.fields["body"].label = "Answer"
            self.fields[
                "body"
            ].help_text = "What we tell the customer. It is a draft until a reviewer publishes it."
            self.fields["alternatives"] = forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                label="Also asked as",
                help_text="Other ways customers ask this question, one per line.",
            )
        else:
            self.fields["kind"] = forms.ChoiceField(choices=ArticleKind.choices)
        if instance is None:
            del self.fields["version"]

    def service_data(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        data: dict[str, Any] = {
            "title": cleaned["title"],
            "body": cleaned["body"],
            "tags": cleaned.get("tags") or "",
            "audience": cleaned["audience"],
            "external_id": cleaned.get("external_id") or None,
            "product_ids": [p.pk for p in cleaned.get("products") or []],
        }
        if cleaned.get("review_by"):
            data["review_by"] = cleaned["review_by"]
        if cleaned.get("owner"):
            data["owner_id"] = cleaned["owner"].pk
        if "alternatives" in cleaned:
            data["alternatives"] = cleaned["alternatives"] or ""
        if "kind" in cleaned:
            data["kind"] = cleaned["kind"]
        return data


class ReturnForm(ServiceForm):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What needs to change?")


class FlagForm(ServiceForm):
    reason = forms.CharField(max_length=300, label="Why does it need review?")


class ReviewedForm(ServiceForm):
    review_by = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Next review",
        help_text="In 6 months when left empty.",
    )

    def clean_review_by(self) -> dt.date | None:
        return self.cleaned_data.get("review_by")
