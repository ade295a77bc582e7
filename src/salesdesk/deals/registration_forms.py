"""Page forms for deal registrations. Shapes only; the rules are in ``registration_services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from salesdesk.catalog.models import Product
from salesdesk.catalog.selectors import visible_products
from salesdesk.core.money import COMMON_CURRENCIES
from salesdesk.core.pages import ServiceForm
from salesdesk.parties.models import Organisation, User
from salesdesk.parties.selectors import visible_customers

from .choices import OPEN_STAGES
from .forms import owner_choices
from .models import Opportunity
from .registration_models import DealRegistration


class RegistrationForm(ServiceForm):
    # The customer: either one of the partner's known customers, or a name typed in.
    account = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Customer: one of your customers",
        empty_label="— not in this list: type the name below —",
        help_text="Pick the customer if it is in the list; otherwise leave this and type the company's name.",
    )
    customer_name = forms.CharField(
        max_length=200,
        required=False,
        label="Customer company name",
        help_text="Needed when the customer is not in the list above, e.g. Northwind Traders GmbH.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    title = forms.CharField(
        max_length=200, required=False, label="Deal", help_text="A few words, e.g. SD-WAN for 40 stores."
    )
    contact_name = forms.CharField(max_length=200, required=False, label="Customer contact")
    contact_email = forms.EmailField(required=False, label="Contact e-mail")
    contact_phone = forms.CharField(max_length=40, required=False, label="Contact phone")
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, initial=Decimal("0"), label="Expected value"
    )
    currency = forms.CharField(
        max_length=10,
        initial="EUR",
        widget=forms.TextInput(attrs={"list": "currencies", "autocomplete": "off"}),
    )
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="What the customer is buying; at least one.",
    )
    expected_close_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label="Expected close date"
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    error_field_aliases = {"account_id": "account", "product_ids": "products"}
    currencies = COMMON_CURRENCIES

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = visible_customers(user).select_related(None).only("id", "name")
        self.fields["products"].queryset = (
            visible_products(user).select_related(None).only("id", "name", "sku").order_by("name")
        )
        self.fields["products"].label_from_instance = lambda p: f"{p.name} ({p.sku})"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        account = cleaned.get("account")
        if not (cleaned.get("customer_name") or "").strip():
            if account is not None:
                cleaned["customer_name"] = account.name
            elif "account" not in self.errors:
                self.add_error(
                    "customer_name", "Pick one of your customers above or type the company's name."
                )
        return cleaned

    def service_data(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        data = {k: v for k, v in cleaned.items() if k not in ("account", "products")}
        data["account_id"] = cleaned["account"].pk if cleaned.get("account") else None
        data["product_ids"] = [p.pk for p in cleaned["products"]]
        return data


class ApproveForm(ServiceForm):
    """The sales manager's approval: which account, a new or an existing opportunity, why."""

    account = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Customer account",
        empty_label="— choose —",
    )
    new_account = forms.BooleanField(
        required=False, label="Create a new customer account from the registered name"
    )
    opportunity = forms.ModelChoiceField(
        queryset=Opportunity.objects.none(),
        required=False,
        label="Link an existing opportunity",
        empty_label="— create a new opportunity —",
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Owner of a new opportunity", empty_label="— me —"
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text="Required when the registration conflicts.",
    )

    error_field_aliases = {"account_id": "account", "opportunity_id": "opportunity", "owner_id": "owner"}

    def __init__(self, *args: Any, user: Any, registration: DealRegistration, **kwargs: Any) -> None:
        found = [c for c in registration.conflicts if c.get("kind") == "opportunity"]
        matched_account = registration.account_id or next((c.get("account_id") for c in found), None)
        kwargs.setdefault("initial", {"account": matched_account})
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = visible_customers(user).select_related(None).only("id", "name")
        self.fields["account"].widget.attrs["autocomplete"] = "off"
        # The open deals the check found (the ones a manager would link), newest first.
        self.fields["opportunity"].queryset = Opportunity.objects.filter(
            pk__in=[c["id"] for c in found], stage__in=OPEN_STAGES
        ).select_related("account")
        self.fields["opportunity"].label_from_instance = lambda o: f"{o.name} · {o.account.name}"
        self.fields["owner"].queryset = owner_choices(user)

    def service_data(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        return {
            "reason": cleaned.get("reason", ""),
            "account_id": cleaned["account"].pk if cleaned.get("account") else None,
            "new_account": bool(cleaned.get("new_account")),
            "opportunity_id": cleaned["opportunity"].pk if cleaned.get("opportunity") else None,
            "owner_id": cleaned["owner"].pk if cleaned.get("owner") else None,
        }


class RejectForm(ServiceForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, help_text="The partner reads this."
    )
