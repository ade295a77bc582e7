"""Page forms for presales requests. Shapes only; the rules are in ``deals.presales_services``."""

from __future__ import annotations

from typing import Any

from django import forms

from salesdesk.core.pages import ServiceForm
from salesdesk.parties.models import ProductSkill

from .choices import OPEN_STAGES
from .models import Opportunity
from .presales_models import PresalesKind, PresalesPriority, PresalesStatus
from .selectors import visible_opportunities


class PresalesRequestForm(ServiceForm):
    """Ask the presales team for help on an opportunity."""

    error_field_aliases = {"skill_ids": "skills", "opportunity_id": "opportunity"}

    opportunity: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Opportunity.objects.none(), empty_label="Choose an opportunity"
    )
    kind = forms.ChoiceField(choices=PresalesKind.choices, label="What you need")
    description = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "Who attends, what to show, what the customer cares about"}
        ),
    )
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Needed by")
    priority = forms.ChoiceField(
        choices=PresalesPriority.choices, initial=PresalesPriority.NORMAL, required=False
    )
    skills = forms.ModelMultipleChoiceField(
        queryset=ProductSkill.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Skills needed",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["opportunity"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = visible_opportunities(user).filter(stage__in=OPEN_STAGES).order_by("name")

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "description": data["description"],
            "due_date": data["due_date"],
            "priority": data.get("priority") or PresalesPriority.NORMAL,
            "skill_ids": [s.pk for s in data.get("skills") or []],
        }


class AssignForm(ServiceForm):
    error_field_aliases = {"assignee_id": "assignee"}

    assignee = forms.TypedChoiceField(coerce=int, choices=())
    estimated_hours = forms.DecimalField(
        required=False, min_value=0, max_value=2000, decimal_places=1, label="Estimated hours"
    )
    ignore_skills = forms.BooleanField(required=False, label="Assign even without the needed skills")

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = choices


class StepForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a, a) for a in ("acknowledge", "start", "deliver", "decline", "cancel")]
    )
    reason = forms.CharField(max_length=500, required=False)
    note = forms.CharField(max_length=5000, required=False)


class CommentForm(ServiceForm):
    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label="Comment")


class PresalesFilterForm(forms.Form):
    """The filters of the list and the board (GET)."""

    status = forms.ChoiceField(choices=[("", "Any status"), *PresalesStatus.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *PresalesKind.choices], required=False)
    skill = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, choices=())
    assignee = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, choices=())
    overdue = forms.BooleanField(required=False, label="Overdue only")
    mine = forms.BooleanField(required=False, label="Mine only")

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        skill = self.fields["skill"]
        assignee = self.fields["assignee"]
        assert isinstance(skill, forms.TypedChoiceField) and isinstance(assignee, forms.TypedChoiceField)
        skill.choices = [("", "Any skill"), *ProductSkill.objects.order_by("name").values_list("pk", "name")]
        assignee.choices = [("", "Anyone"), *people]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data.get("status") or "",
            "kind": data.get("kind") or "",
            "skill_id": data.get("skill"),
            "assignee_id": data.get("assignee"),
            "overdue": bool(data.get("overdue")),
            "mine": bool(data.get("mine")),
        }
