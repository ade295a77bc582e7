"""Page forms for requirements. Shapes only; the rules are in ``deals.requirement_services``."""

from __future__ import annotations

from typing import Any

from django import forms

from salesdesk.core.pages import ServiceForm
from salesdesk.parties.models import Contact

from .choices import AnswerChannel, RequirementPriority, RequirementSource, RequirementType

TEXT_FIELDS = ("reference", "statement", "type", "priority", "acceptance", "source", "targets", "conclusion")


class RequirementForm(ServiceForm):
    """The workshop's quick-capture form: the statement first, everything else optional."""

    statement = forms.CharField(
        max_length=5000,
        # One line, so Enter saves: a workshop types requirement after requirement.
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": "The system must …"}),
    )
    reference = forms.CharField(max_length=16, required=False, help_text="Left empty: the next REQ-nnn.")
    type = forms.ChoiceField(choices=RequirementType.choices, initial=RequirementType.FUNCTIONAL)
    priority = forms.ChoiceField(choices=RequirementPriority.choices, initial=RequirementPriority.MUST)
    source = forms.ChoiceField(choices=RequirementSource.choices, initial=RequirementSource.WORKSHOP)
    acceptance = forms.CharField(max_length=5000, required=False, label="Acceptance criterion")
    targets = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "peak_users = 2000; p95_response_seconds <= 2 s"}
        ),
        help_text="metric = value, one per line or separated by ';' (=, <=, >=, ≤, ≥).",
    )
    conclusion = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["version"]
            del self.fields["conclusion"]

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k in TEXT_FIELDS}
        if not data.get("reference") and "version" not in self.fields:
            data.pop("reference", None)
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV or XLSX (columns id, statement, type, priority, acceptance, source, targets) "
        "or DOCX (such a table, or a numbered list of statements)."
    )
    skip_bad_rows = forms.BooleanField(required=False, label="Import the good rows, skip the bad ones")


class QuestionForm(ServiceForm):
    text = forms.CharField(max_length=5000, label="Question", widget=forms.Textarea(attrs={"rows": 2}))
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False, label="Ask")
    error_field_aliases = {"contact_id": "contact"}

    def __init__(self, *args: Any, account_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(organisation_id=account_id).order_by(
            "last_name", "first_name"
        )


class AnswerForm(ServiceForm):
    answer = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    decision = forms.CharField(
        max_length=5000,
        required=False,
        help_text="The conclusion recorded on the requirement; the answer if empty.",
    )
    channel = forms.ChoiceField(
        choices=[(c.value, c.label) for c in AnswerChannel if c != AnswerChannel.PORTAL], required=False
    )

    def __init__(self, *args: Any, customer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if customer:
            del self.fields["decision"]
            del self.fields["channel"]


class BaselineForm(ServiceForm):
    note = forms.CharField(max_length=300, required=False, label="Note on this version")


class ShareForm(ServiceForm):
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), label="Share with")
    error_field_aliases = {"contact_id": "contact"}

    def __init__(self, *args: Any, account_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(organisation_id=account_id).order_by(
            "last_name", "first_name"
        )


class SignoffForm(ServiceForm):
    name = forms.CharField(
        max_length=200, label="Your name", help_text="Recorded with the time and the version."
    )
    confirm = forms.BooleanField(label="I confirm these requirements for this version")
