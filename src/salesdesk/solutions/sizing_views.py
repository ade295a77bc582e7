"""The sizing page of a solution version, and its feasibility report (PDF).

Sizing: the workload form (peak load, service demand per tier, which catalog items may build
each tier, targets the requirements leave out), "Size", then the cheapest configuration at
catalog list prices, the figures per contract year with headroom, and the charts. The
workload is kept on the version (``services.save_workload``), the result too
(``services.record_sizing``); the engine is :func:`salesdesk.solutions.workload.run_sizing`.

Thin: the selectors read (404 for a version the user may not see), the services write
(capability ``capacity.model``, audit), the pure modules compute.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from salesdesk.core.errors import ApplicationError
from salesdesk.core.pages import ServiceForm
from salesdesk.core.permissions import holds

from . import charts, report, report_tasks, selectors, sizing_runs
from .workload import (
    DEFAULT_MAX_UNITS,
    MAX_TIERS,
    MAX_UNITS,
    MAX_YEARS,
    CatalogItem,
    WorkloadError,
    requirement_targets,
)

BLANK_TIERS = 2


class WorkloadForm(ServiceForm):
    """The figures of the workload; empty ones come from the requirements' targets."""

    peak_arrival_rate = forms.FloatField(
        label="Peak load (requests per second)",
        required=False,
        min_value=0,
        help_text="Leave empty to derive it from peak users × requests per user, or a throughput target.",
    )
    peak_users = forms.IntegerField(
        label="Peak concurrent users",
        required=False,
        min_value=1,
        help_text="Leave empty to use the requirements' peak_users target.",
    )
    requests_per_user_per_minute = forms.FloatField(
        label="Requests per user per minute", required=False, min_value=0
    )
    growth_percent = forms.DecimalField(
        label="Growth per year (%)",
        required=False,
        min_value=0,
        max_value=1000,
        decimal_places=2,
        help_text="Leave empty to use the growth_per_year target (no growth without one).",
    )
    years = forms.IntegerField(
        label="Contract years",
        required=False,
        min_value=1,
        max_value=MAX_YEARS,
        help_text="Leave empty to use a contract_years target, else 3.",
    )
    response_time = forms.FloatField(
        label="Response-time target (seconds)",
        required=False,
        min_value=0,
        help_text="Leave empty to use the p95_response_seconds target.",
    )
    statistic = forms.ChoiceField(
        label="Response-time statistic",
        choices=[("p95", "95th percentile"), ("mean", "mean")],
        initial="p95",
        help_text=(
            "What the target above limits: the 95th percentile (95 of 100 requests are at least "
            "this fast) or the mean response time."
        ),
    )
    max_utilization_percent = forms.IntegerField(
        label="Utilisation cap per tier (%)", min_value=10, max_value=95, initial=80
    )

    error_field_aliases = {"growth_per_year": "growth_percent", "max_utilization": "max_utilization_percent"}

    def workload(self) -> dict[str, Any]:
        data = self.cleaned_data
        growth = data.get("growth_percent")
        return {
            "peak_arrival_rate": data.get("peak_arrival_rate"),
            "peak_users": data.get("peak_users"),
            "requests_per_user_per_minute": data.get("requests_per_user_per_minute"),
            "growth_per_year": None if growth is None else float(growth / 100),
            "years": data.get("years"),
            "response_time": data.get("response_time"),
            "statistic": data.get("statistic") or "p95",
            "max_utilization": (data.get("max_utilization_percent") or 80) / 100,
        }


class TierForm(forms.Form):
    """One tier: its name, the server time one request needs, and what may build it."""

    name = forms.CharField(label="Tier", max_length=40, required=False)
    service_demand_ms = forms.FloatField(label="Service demand (ms per request)", required=False, min_value=0)
    skus = forms.MultipleChoiceField(
        label="Catalog items that may build it", required=False, widget=forms.CheckboxSelectMultiple
    )
    max_units = forms.IntegerField(
        label="At most units", required=False, min_value=1, max_value=MAX_UNITS, initial=DEFAULT_MAX_UNITS
    )

    def __init__(self, *args: Any, sku_choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        skus = self.fields["skus"]
        assert isinstance(skus, forms.MultipleChoiceField)
        skus.choices = sku_choices or []

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not (data.get("name") or data.get("service_demand_ms") or data.get("skus"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank():
            return data
        if not data.get("name"):
            self.add_error("name", "Name the tier, e.g. web or database.")
        if not data.get("service_demand_ms"):
            self.add_error("service_demand_ms", "Give the milliseconds of server time one request needs.")
        if not data.get("skus"):
            self.add_error("skus", "Tick at least one catalog item.")
        return data


TierFormSet = forms.formset_factory(TierForm, extra=0, max_num=MAX_TIERS, absolute_max=MAX_TIERS)


def _sku_choices(catalog: dict[str, CatalogItem], in_solution: set[str]) -> list[tuple[str, str]]:
    choices = []
    for sku, item in sorted(catalog.items(), key=lambda kv: (kv[0] not in in_solution, kv[1].name)):
        cores = item.specs.get("cores")
        detail = f"{item.currency} {item.price:,.2f}" + (f", {cores.normalize():f} cores" if cores else "")
        tag = "" if sku in in_solution else " — alternative"
        choices.append((sku, f"{item.name} ({sku}; {detail}){tag}"))
    return choices


def _initial(workload: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    growth = workload.get("growth_per_year")
    cap = workload.get("max_utilization")
    initial = {
        "peak_arrival_rate": workload.get("peak_arrival_rate"),
        "peak_users": int(workload["peak_users"]) if workload.get("peak_users") else None,
        "requests_per_user_per_minute": workload.get("requests_per_user_per_minute"),
        "growth_percent": None
        if growth is None
        else format(round(Decimal(str(growth)) * 100, 2).normalize(), "f"),
        "years": workload.get("years"),
        "response_time": workload.get("response_time"),
        "statistic": workload.get("statistic") or "p95",
        "max_utilization_percent": round(float(cap) * 100) if cap else 80,
    }
    tiers = [
        {
            "name": t.get("name", ""),
            "service_demand_ms": round(float(t.get("service_demand", 0)) * 1000, 6),
            "skus": t.get("skus", []),
            "max_units": t.get("max_units", DEFAULT_MAX_UNITS),
        }
        for t in workload.get("tiers") or []
    ]
    return initial, tiers


def _tier_formset(data: Any, initial: list[dict[str, Any]], choices: list[tuple[str, str]]) -> Any:
    formset_class = forms.formset_factory(
        TierForm,
        extra=BLANK_TIERS if len(initial) < MAX_TIERS else 0,
        max_num=MAX_TIERS,
        absolute_max=MAX_TIERS,
    )
    return formset_class(data, initial=initial or None, prefix="tiers", form_kwargs={"sku_choices": choices})


def _apply_error(exc: WorkloadError | ApplicationError, form: WorkloadForm, tiers: Any) -> None:
    """Show a workload or service error on the field it names (tiers[1].skus → tier 2's items)."""
    errors = (
        [(exc.field, exc.message)]
        if isinstance(exc, WorkloadError)
        else [(e.field, e.message) for e in exc.errors] or [("", exc.detail)]
    )
    for name, message in errors:
        if name.startswith("tiers[") and "]" in name:
            index = int(name[6 : name.index("]")])
            field = name.partition("].")[2] or None
            field = {"service_demand": "service_demand_ms"}.get(field or "", field)
            forms_list = [f for f in tiers.forms if not f.is_blank()]
            if index < len(forms_list) and field in forms_list[index].fields:
                forms_list[index].add_error(field, message)
                continue
            form.add_error(None, f"Tier {index + 1}: {message}")
            continue
        target = form.field_for_error(name) if name else None
        if target is not None:
            form.add_error(target, message)
        else:
            form.add_error(None, f"{name.replace('_', ' ')}: {message}" if name else message)


def _result_context(result: dict[str, Any]) -> dict[str, Any]:
    if not result:
        return {"result": None}
    section = report.sizing_section(result)
    return {
        "result": result,
        "section": section,
        "response_chart": mark_safe(charts.response_time_chart(result, responsive=True)),  # noqa: S308 - every label escaped
        "utilisation_chart": mark_safe(charts.utilisation_chart(result, responsive=True)),  # noqa: S308
    }


def _summary(result: dict[str, Any]) -> str:
    if not result.get("ok"):
        return f"No configuration meets the targets: {result.get('error')}"
    years = result["years"]
    meets = all(y["meets"] for y in years)
    headroom = years[-1]["headroom"] * 100
    return (
        f"Sized: {result['currency']} {Decimal(result['total_price']):,.2f} at list prices; "
        f"{'meets' if meets else 'misses'} the targets in all {len(years)} contract years "
        f"({headroom:.0f} % headroom in year {years[-1]['year']})."
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_sizing(request: HttpRequest, design_id: int, version_number: int) -> HttpResponse:
    """The sizing page: the workload form, the last result, its charts."""
    version = selectors.version_get_for_user(
        user=request.user, design_id=design_id, version_number=version_number
    )
    design = version.design
    can_size = holds(request.user, "capacity.model") and version.is_editable
    catalog = sizing_runs.sizing_catalog(version)
    in_solution = set(selectors.component_catalog_items(version))
    choices = _sku_choices(catalog, in_solution)
    requirements = selectors.requirements_for_version(version)
    targets = requirement_targets(requirements)
    initial, tier_initial = _initial(version.workload or {})
    status = 200
    if request.method == "POST":
        if not holds(request.user, "capacity.model"):
            raise PermissionDenied("Sizing needs the capacity.model capability (a level-4 engineer).")
        if not version.is_editable:
            messages.error(
                request, f"Version {version.number} is frozen: start a new version to change its workload."
            )
            return redirect(
                reverse(
                    "web:solutions:sizing", kwargs={"design_id": design.pk, "version_number": version.number}
                )
            )
        form = WorkloadForm(request.POST)
        tiers = _tier_formset(request.POST, tier_initial, choices)
        if form.is_valid() and tiers.is_valid():
            workload = form.workload()
            workload["tiers"] = [
                {
                    "name": f.cleaned_data["name"],
                    "service_demand": f.cleaned_data["service_demand_ms"] / 1000,
                    "skus": f.cleaned_data["skus"],
                    "max_units": f.cleaned_data.get("max_units") or DEFAULT_MAX_UNITS,
                }
                for f in tiers.forms
                if not f.is_blank()
            ]
            try:
                result = sizing_runs.version_size(actor=request.user, version=version, workload=workload)
            except ApplicationError as exc:
                _apply_error(exc, form, tiers)
            else:
                (messages.success if result.get("ok") else messages.warning)(request, _summary(result))
                return redirect(
                    reverse(
                        "web:solutions:sizing",
                        kwargs={"design_id": design.pk, "version_number": version.number},
                    )
                )
        status = 400
    else:
        form = WorkloadForm(initial=initial)
        tiers = _tier_formset(None, tier_initial, choices)
    context = {
        "design": design,
        "version": version,
        "opportunity": design.opportunity,
        "form": form,
        "tiers": tiers,
        "targets": targets.as_list(),
        "can_size": can_size,
        "has_components": bool(in_solution),
        **_result_context(version.sizing_result or {}),
    }
    return render(request, "solutions/sizing.html", context, status=status)


@login_required
@require_GET
def version_report(request: HttpRequest, design_id: int, version_number: int) -> HttpResponse:
    """The feasibility report of a version as a PDF download."""
    version = selectors.version_get_for_user(
        user=request.user, design_id=design_id, version_number=version_number
    )
    user: Any = request.user
    prepared_by = user.get_full_name() or user.get_username()
    if report_tasks.report_needs_job(version):
        job = report_tasks.report_start(actor=user, version=version, prepared_by=prepared_by)
        messages.info(
            request, "This report is large: it is being prepared; download it from this page when done."
        )
        return redirect(reverse("web:job_detail", kwargs={"job_id": job.pk}))
    feasibility = report.report_for_version(version, prepared_by=prepared_by)
    response = HttpResponse(report.render_pdf(feasibility), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.report_filename(feasibility)}"'
    return response


def _by_id(view: Any) -> Any:
    @login_required
    def by_id(request: HttpRequest, version_id: int) -> HttpResponse:
        version = selectors.version_get_by_id_for_user(user=request.user, version_id=version_id)
        return view(request, design_id=version.design_id, version_number=version.number)

    by_id.__name__ = f"{view.__name__}_by_id"
    return by_id


urlpatterns = [
    path("<int:design_id>/v<int:version_number>/sizing/", version_sizing, name="sizing"),
    path("<int:design_id>/v<int:version_number>/report.pdf", version_report, name="report"),
    # The same pages by version id (the API and the notes of other pages link this way).
    path("versions/<int:version_id>/sizing/", _by_id(version_sizing), name="version-sizing"),
    path("versions/<int:version_id>/report.pdf", _by_id(version_report), name="version-report"),
]
