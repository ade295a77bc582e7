"""Page forms of the estimates app. Shapes only; the rules are in ``estimates.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from salesdesk.core.pages import ServiceForm

from .choices import Distribution, MitigationStatus, RiskStatus

DAYS = {"max_digits": 9, "decimal_places": 2, "min_value": Decimal("0")}
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}
OPTIONAL_MONEY: dict[str, Any] = {**MONEY, "help_text": "Empty: the unit cost is certain."}


class EstimateForm(ServiceForm):
    title = forms.CharField(max_length=200)
    currency = forms.CharField(max_length=3, initial="EUR")
    distribution = forms.ChoiceField(choices=Distribution.choices, initial=Distribution.PERT)
    confidence_level = forms.IntegerField(
        min_value=50, max_value=99, initial=80, help_text="Percentile for contingency."
    )
    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    holiday_country = forms.CharField(
        max_length=2, required=False, help_text="e.g. DE: its public holidays are skipped."
    )
    target_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    target_budget = forms.DecimalField(required=False, **MONEY)  # type: ignore[arg-type]

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def parse_dependencies(text: str) -> list[dict[str, Any]]:
    """'A, B SS, C FS+2' → [{task: A, type: FS, lag: 0}, …]; the service checks the codes."""
    out = []
    for part in [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]:
        bits = part.split()
        code, kind, lag = bits[0], "FS", 0.0
        if len(bits) > 1:
            spec = bits[1].upper()
            kind = spec[:2]
            if len(spec) > 2:
                try:
                    lag = float(spec[2:].rstrip("D"))
                except ValueError:
                    raise forms.ValidationError(f"{part}: write a lag as FS+2 or SS-1") from None
        out.append({"task": code, "type": kind, "lag": lag})
    return out


class TaskForm(ServiceForm):
    code = forms.CharField(max_length=20)
    phase = forms.CharField(max_length=100, required=False)
    name = forms.CharField(max_length=200)
    role = forms.CharField(max_length=60, required=False)
    task_type = forms.CharField(max_length=60, required=False, label="Type")
    optimistic = forms.DecimalField(**DAYS)  # type: ignore[arg-type]
    most_likely = forms.DecimalField(**DAYS)  # type: ignore[arg-type]
    pessimistic = forms.DecimalField(**DAYS)  # type: ignore[arg-type]
    dependencies = forms.CharField(
        required=False, help_text="Predecessors, e.g. 'T1, T2 SS, T3 FS+2' (type FS/SS/FF/SF, lag in days)."
    )
    milestone = forms.BooleanField(required=False)
    units = forms.DecimalField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        initial=1,
        required=False,
        help_text="People of its role it occupies while it runs (checks the role's capacity).",
    )

    def clean_dependencies(self) -> list[dict[str, Any]]:
        return parse_dependencies(self.cleaned_data.get("dependencies") or "")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("units") is None:
            data["units"] = Decimal("1")
        return data


class RateForm(ServiceForm):
    role = forms.CharField(max_length=60)
    cost_rate = forms.DecimalField(**MONEY)  # type: ignore[arg-type]
    sell_rate = forms.DecimalField(**MONEY)  # type: ignore[arg-type]
    capacity = forms.DecimalField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        help_text="People available in this role at once; empty means no limit.",
    )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ItemForm(ServiceForm):
    description = forms.CharField(max_length=200)
    quantity = forms.DecimalField(initial=1, **{**MONEY, "max_digits": 12})  # type: ignore[arg-type]
    unit_cost = forms.DecimalField(label="Unit cost (most likely)", **MONEY)  # type: ignore[arg-type]
    unit_cost_low = forms.DecimalField(required=False, label="Unit cost, low", **OPTIONAL_MONEY)
    unit_cost_high = forms.DecimalField(required=False, label="Unit cost, high", **OPTIONAL_MONEY)

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class RiskForm(ServiceForm):
    code = forms.CharField(max_length=20)
    description = forms.CharField(max_length=300)
    probability = forms.DecimalField(
        max_digits=4, decimal_places=3, min_value=0, max_value=1, help_text="0–1"
    )
    cost_low = forms.DecimalField(**MONEY)  # type: ignore[arg-type]
    cost_most_likely = forms.DecimalField(**MONEY)  # type: ignore[arg-type]
    cost_high = forms.DecimalField(**MONEY)  # type: ignore[arg-type]
    days_low = forms.DecimalField(**DAYS)  # type: ignore[arg-type]
    days_most_likely = forms.DecimalField(**DAYS)  # type: ignore[arg-type]
    days_high = forms.DecimalField(**DAYS)  # type: ignore[arg-type]
    tasks = forms.CharField(required=False, help_text="Codes of the tasks it delays, comma-separated.")
    mitigation = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    mitigation_cost = forms.DecimalField(required=False, **MONEY)  # type: ignore[arg-type]
    mitigation_status = forms.ChoiceField(
        choices=MitigationStatus.choices,
        initial=MitigationStatus.NONE,
        help_text="Planned, in progress or done: the simulation adds the mitigation cost and uses "
        "the mitigated figures below (where given).",
    )
    mitigated_probability = forms.DecimalField(
        max_digits=4,
        decimal_places=3,
        min_value=0,
        max_value=1,
        required=False,
        help_text="Empty: unchanged.",
    )
    mitigated_cost_low = forms.DecimalField(required=False, **MONEY)  # type: ignore[arg-type]
    mitigated_cost_most_likely = forms.DecimalField(required=False, **MONEY)  # type: ignore[arg-type]
    mitigated_cost_high = forms.DecimalField(required=False, **MONEY)  # type: ignore[arg-type]
    mitigated_days_low = forms.DecimalField(required=False, **DAYS)  # type: ignore[arg-type]
    mitigated_days_most_likely = forms.DecimalField(required=False, **DAYS)  # type: ignore[arg-type]
    mitigated_days_high = forms.DecimalField(required=False, **DAYS)  # type: ignore[arg-type]
    status = forms.ChoiceField(choices=RiskStatus.choices, initial=RiskStatus.OPEN)

    def clean_tasks(self) -> list[str]:
        return [c.strip() for c in (self.cleaned_data.get("tasks") or "").split(",") if c.strip()]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("mitigation_cost") is None:
            data["mitigation_cost"] = Decimal("0")
        return data


class SimulationForm(ServiceForm):
    iterations = forms.IntegerField(min_value=100, max_value=200_000, initial=5000)
    seed = forms.IntegerField(min_value=0, max_value=2**32 - 1, initial=0)


class ReviewForm(ServiceForm):
    action = forms.ChoiceField(
        choices=[
            ("submit", "Submit"),
            ("sign_off", "Sign off"),
            ("return", "Return"),
            ("revise", "New version"),
        ]
    )
    comments = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ActualForm(ServiceForm):
    project = forms.CharField(max_length=200)
    task_type = forms.CharField(max_length=60)
    role = forms.CharField(max_length=60)
    estimated_effort = forms.DecimalField(max_digits=9, decimal_places=2, min_value=Decimal("0.01"))
    actual_effort = forms.DecimalField(max_digits=9, decimal_places=2, min_value=Decimal("0.01"))
    completed_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class EstimateChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} — {obj.opportunity} (v{obj.current_version}, {obj.get_status_display()})"


class CalibrationApplyForm(ServiceForm):
    """Multiply one task type of a draft estimate by a factor. ``fixed`` (a row of the report's
    suggestions) keeps the task type in a hidden field; ``estimates`` are those the user may change."""

    estimate = EstimateChoiceField(queryset=None, empty_label="Choose a draft estimate")
    task_type = forms.CharField(max_length=60, label="Task type")
    factor = forms.FloatField(min_value=0.2, max_value=5, widget=forms.NumberInput(attrs={"step": "0.001"}))
    suggestion = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, estimates: Any, fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["estimate"]
        field.queryset = estimates  # type: ignore[attr-defined]
        if fixed:
            self.fields["task_type"].widget = forms.HiddenInput()

    def service_data(self) -> dict[str, Any]:
        return {
            "estimate": self.cleaned_data["estimate"],
            "task_type": self.cleaned_data["task_type"],
            "factor": self.cleaned_data["factor"],
        }
