"""Page forms of the estimates app. Shapes only; the rules are in ``estimates.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from salesdesk.core.pages import ServiceForm

from .choices import Distribution, RiskStatus

DAYS = {"max_digits": 9, "decimal_places": 2, "min_value": Decimal("0")}
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


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

    def clean_dependencies(self) -> list[dict[str, Any]]:
        return parse_dependencies(self.cleaned_data.get("dependencies") or "")

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class RateForm(ServiceForm):
    role = forms.CharField(max_length=60)
    cost_rate = forms.DecimalField(**MONEY)  # type: ignore[arg-type]
    sell_rate = forms.DecimalField(**MONEY)  # type: ignore[arg-type]

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ItemForm(ServiceForm):
    description = forms.CharField(max_length=200)
    quantity = forms.DecimalField(initial=1, **{**MONEY, "max_digits": 12})  # type: ignore[arg-type]
    unit_cost = forms.DecimalField(**MONEY)  # type: ignore[arg-type]

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


class CalibrationApplyForm(ServiceForm):
    task_type = forms.CharField(max_length=60)
    factor = forms.FloatField(min_value=0.2, max_value=5)
