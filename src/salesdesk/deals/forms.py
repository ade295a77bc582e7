"""Page forms for opportunities. Shapes only; the rules are in ``deals.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q

from salesdesk.catalog.choices import RETIRED_LIFECYCLES
from salesdesk.catalog.models import Product
from salesdesk.catalog.selectors import visible_products
from salesdesk.core.money import COMMON_CURRENCIES
from salesdesk.core.pages import ServiceForm
from salesdesk.core.roles import UserKind
from salesdesk.parties.models import Organisation, User
from salesdesk.parties.selectors import visible_customers, visible_partners, visible_users

from .choices import OpportunityStage
from .models import Opportunity


def owner_choices(user: Any):
    """People who may own an opportunity, among those the user can see."""
    return visible_users(user).filter(is_active=True, kind__in=[UserKind.SALES_REP, UserKind.SUPPORT])


def product_choices(user: Any, instance: Opportunity | None = None):
    """Catalog items on sale that the user can see, plus any retired ones the deal already has."""
    offered = ~Q(lifecycle__in=RETIRED_LIFECYCLES)
    if instance is not None:
        offered |= Q(pk__in=instance.products.values("pk"))
    return (
        visible_products(user)
        .select_related(None)
        .filter(offered)
        .only("id", "name", "sku", "lifecycle")
        .order_by("name", "id")
    )


def product_label(product: Product) -> str:
    label = f"{product.name} ({product.sku})"
    if product.lifecycle in RETIRED_LIFECYCLES:
        label += f" — {product.get_lifecycle_display().lower()}"
    return label


class OpportunityForm(ServiceForm):
    name = forms.CharField(max_length=200)
    account = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="Customer account")
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="— me —",
        help_text="The sales rep who owns the deal.",
    )
    partner = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, empty_label="— direct deal —"
    )
    stage = forms.ChoiceField(choices=OpportunityStage.choices, initial=OpportunityStage.QUALIFICATION)
    # Decimal all the way: the form never turns money into a float.
    amount = forms.DecimalField(max_digits=14, decimal_places=2, initial=Decimal("0"))
    # Not limited to three characters here, so a wrong code reaches the service and its
    # message ("Use a three-letter ISO 4217 code…") rather than a generic length error.
    currency = forms.CharField(
        max_length=10,
        initial="EUR",
        widget=forms.TextInput(attrs={"list": "currencies", "autocomplete": "off"}),
    )
    expected_close_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the customer is buying; deal registrations are checked against it.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    lost_reason = forms.CharField(max_length=300, required=False, help_text="Needed when the stage is Lost.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    error_field_aliases = {
        "account_id": "account",
        "owner_id": "owner",
        "partner_id": "partner",
        "product_ids": "products",
    }
    currencies = COMMON_CURRENCIES

    def __init__(self, *args: Any, user: Any, instance: Opportunity | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{
                        name: getattr(instance, name)
                        for name in (
                            "name",
                            "stage",
                            "amount",
                            "currency",
                            "expected_close_date",
                            "description",
                            "lost_reason",
                            "version",
                        )
                    },
                    "account": instance.account_id,
                    "owner": instance.owner_id,
                    "partner": instance.partner_id,
                    "products": [p.pk for p in instance.products.all()],
                },
            )
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["account"].queryset = visible_customers(user).select_related(None).only("id", "name")
        self.fields["partner"].queryset = visible_partners(user).select_related(None).only("id", "name")
        self.fields["owner"].queryset = owner_choices(user)
        self.fields["products"].queryset = product_choices(user, instance)
        self.fields["products"].label_from_instance = product_label
        if instance is None:
            del self.fields["version"]
        else:
            self.fields["owner"].required = True

    def service_data(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        data = {
            k: v
            for k, v in cleaned.items()
            if k not in ("account", "owner", "partner", "products", "version")
        }
        data["product_ids"] = [p.pk for p in cleaned.get("products") or []]
        data["account_id"] = cleaned["account"].pk
        data["partner_id"] = cleaned["partner"].pk if cleaned.get("partner") else None
        if cleaned.get("owner"):
            data["owner_id"] = cleaned["owner"].pk
        return data


class StageForm(ServiceForm):
    """The inline stage change on the opportunity page."""

    stage = forms.ChoiceField(choices=OpportunityStage.choices)
    lost_reason = forms.CharField(
        max_length=300,
        required=False,
        label="Why was it lost?",
        help_text="Needed when the stage is Lost.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("stage") == "lost":
            if not (cleaned.get("lost_reason") or "").strip():
                self.add_error("lost_reason", "Say why the deal was lost.")
        else:
            cleaned["lost_reason"] = ""  # a reason belongs to a lost deal only; ignore it otherwise
        return cleaned

    @property
    def asks_lost_reason(self) -> bool:
        """Whether the page shows the reason: the chosen (or, unbound, the current) stage is Lost."""
        stage = self.data.get("stage") if self.is_bound else self.initial.get("stage")
        return stage == "lost"

    def service_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"stage": self.cleaned_data["stage"]}
        if self.cleaned_data.get("lost_reason"):
            data["lost_reason"] = self.cleaned_data["lost_reason"]
        return data
