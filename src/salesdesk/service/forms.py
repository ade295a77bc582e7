"""Page forms for cases and interactions. Shapes only; the rules are in ``service.services``."""

from __future__ import annotations

from typing import Any

from django import forms

from salesdesk.catalog.selectors import visible_products
from salesdesk.core.errors import ApplicationError, StaleWrite
from salesdesk.core.pages import ServiceForm
from salesdesk.core.roles import INTERNAL_KINDS, UserKind
from salesdesk.deals.selectors import visible_opportunities
from salesdesk.parties.models import Contact, Organisation, User
from salesdesk.parties.selectors import visible_contacts, visible_customers, visible_users

from .choices import CallDirection, CaseChannel, CasePriority, CaseStatus, CaseType, InteractionKind
from .models import Case


class CaseForm(ServiceForm):
    account = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="Customer account")
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False)
    case_type = forms.ChoiceField(choices=CaseType.choices, label="Type", initial=CaseType.QUERY)
    channel = forms.ChoiceField(choices=CaseChannel.choices, initial=CaseChannel.PHONE)
    priority = forms.ChoiceField(choices=CasePriority.choices, initial=CasePriority.NORMAL)
    product = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)
    subject = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    interaction = forms.IntegerField(widget=forms.HiddenInput, required=False)

    error_field_aliases = {"account_id": "account", "contact_id": "contact", "product_id": "product"}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = visible_customers(user).select_related(None).only("id", "name")
        self.fields["contact"].queryset = visible_contacts(user).select_related("organisation")
        self.fields["product"].queryset = visible_products(user).select_related(None).only("id", "name")
        if user.kind == UserKind.CUSTOMER:
            # A customer's cases are their own organisation's; no choice to make.
            del self.fields["account"]
        if user.kind not in INTERNAL_KINDS:
            del self.fields["channel"]

    def service_data(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        data = {k: v for k, v in cleaned.items() if k not in ("account", "contact", "product", "interaction")}
        if cleaned.get("account"):
            data["account_id"] = cleaned["account"].pk
        if cleaned.get("contact"):
            data["contact_id"] = cleaned["contact"].pk
        if cleaned.get("product"):
            data["product_id"] = cleaned["product"].pk
        return data


STALE_CASE_EDIT = (
    "This case was changed by someone else since you opened it, so your changes were not saved. "
    "Reload the page to see the case as it is now, then make your changes again."
)


class CaseEditForm(ServiceForm):
    """Edit an open case (support staff): its words, priority and links within its account.

    The hidden ``version`` is the case as the page showed it; the service refuses the edit
    when the case changed since then.
    """

    subject = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    priority = forms.ChoiceField(
        choices=CasePriority.choices,
        help_text="A new priority re-targets the SLA due times with the policy for that priority.",
    )
    product = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.none(), required=False, help_text="A contact of the case's account."
    )
    opportunity = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        help_text="An opportunity of the case's account.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    error_field_aliases = {
        "contact_id": "contact",
        "product_id": "product",
        "opportunity_id": "opportunity",
    }
    LINKS = ("product", "contact", "opportunity")

    def __init__(self, *args: Any, user: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "subject": case.subject,
                "description": case.description,
                "priority": case.priority,
                "product": case.product_id,
                "contact": case.contact_id,
                "opportunity": case.opportunity_id,
                "version": case.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["product"].queryset = visible_products(user).select_related(None).only("id", "name")
        self.fields["contact"].queryset = visible_contacts(user).filter(organisation_id=case.account_id)
        self.fields["opportunity"].queryset = (
            visible_opportunities(user).filter(account_id=case.account_id).select_related(None)
        )

    def service_data(self) -> dict[str, Any]:
        """Only what the person changed, so an untouched link is never re-checked or rewritten."""
        cleaned = self.cleaned_data
        data: dict[str, Any] = {}
        for name in ("subject", "description", "priority"):
            if cleaned[name] != getattr(self.case, name):
                data[name] = cleaned[name]
        for name in self.LINKS:
            chosen = cleaned.get(name)
            chosen_id = chosen.pk if chosen is not None else None
            if chosen_id != getattr(self.case, f"{name}_id"):
                data[f"{name}_id"] = chosen_id
        return data

    def add_service_error(self, exc: ApplicationError) -> None:
        if isinstance(exc, StaleWrite):
            self.add_error(None, STALE_CASE_EDIT)
            return
        super().add_service_error(exc)


class ReplyForm(ServiceForm):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Reply", max_length=20000)
    is_public = forms.BooleanField(
        required=False, initial=True, label="Visible to the customer (untick for an internal note)"
    )


class TransitionForm(ServiceForm):
    status = forms.ChoiceField(choices=CaseStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Resolution note",
        help_text="Needed when you resolve the case; the customer receives it.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    error_field_aliases = {"resolution_note": "note"}


TOP_TIER = 4


class EscalateForm(ServiceForm):
    """Escalate to a tier above the case's own; a case at the top tier offers none."""

    to_tier = forms.TypedChoiceField(choices=[], coerce=int, label="Escalate to")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, tier: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_tier"].choices = [(t, f"Tier {t}") for t in range(tier + 1, TOP_TIER + 1)]


class ComplaintForm(ServiceForm):
    acknowledged = forms.BooleanField(required=False, label="Acknowledged to the customer")
    investigation = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    response = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    root_cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    corrective_action = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class InteractionForm(ServiceForm):
    """The quick log on a case or an account page."""

    kind = forms.ChoiceField(choices=InteractionKind.choices, initial=InteractionKind.CALL)
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False)
    direction = forms.ChoiceField(choices=[("", "—"), *CallDirection.choices], required=False)
    duration_minutes = forms.IntegerField(min_value=0, max_value=24 * 60, required=False, label="Minutes")
    subject = forms.CharField(max_length=200, required=False, label="Subject (e-mail)")
    place = forms.CharField(max_length=200, required=False, label="Place (meeting)")
    attendees = forms.CharField(max_length=500, required=False, label="Attendees (meeting)")
    outcome = forms.CharField(max_length=200, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    open_case = forms.BooleanField(required=False, label="Open a case from this call")

    error_field_aliases = {"contact_id": "contact"}

    def __init__(self, *args: Any, user: Any, account: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contacts = visible_contacts(user)
        if account is not None:
            contacts = contacts.filter(organisation=account)
        self.fields["contact"].queryset = contacts


class BulkAssignForm(forms.Form):
    cases = forms.ModelMultipleChoiceField(queryset=User.objects.none())
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="— queue —")

    def __init__(self, *args: Any, user: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        self.fields["assignee"].queryset = visible_users(user).filter(is_active=True, kind=UserKind.SUPPORT)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in range(5, 0, -1)], coerce=int, widget=forms.RadioSelect, label="Score"
    )
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)


class AttachmentForm(forms.Form):
    file = forms.FileField()


class SlaPolicyForm(ServiceForm):
    """One policy's targets (level 6); the tier and priority it is for are fixed once made."""

    first_response_minutes = forms.IntegerField(
        min_value=1, max_value=525600, label="First response (business minutes)"
    )
    resolution_minutes = forms.IntegerField(
        min_value=1, max_value=525600, label="Resolution (business minutes)"
    )
    at_risk_percent = forms.IntegerField(
        min_value=1, max_value=99, label="At risk from (% of the target used)"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
