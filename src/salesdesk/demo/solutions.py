"""Demo solution designs (Jonas's journey): one per opportunity with requirements, in two versions.

Northwind's version 1 used the end-of-sale Switch 48, which the checks flag; version 2 swaps
it for the Switch 48P. Its fit-gap has two partial fits and one gap (offline scanning),
raised as a product gap for Robert to decide; version 2 carries a workload so sizing runs.
Idempotent like the rest of the loader: an opportunity that already has a design is left alone.
Everything goes through the services, as Jonas would do it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from salesdesk.catalog.models import Product
from salesdesk.deals.models import Opportunity
from salesdesk.deals.selectors import requirements_of
from salesdesk.parties.models import User
from salesdesk.solutions import services
from salesdesk.solutions.models import SolutionDesign

# opportunity: (title, components [(sku, qty, config)], services [(sku or "", description, qty, unit)],
#   assumptions, swap for version 2 (old sku, new sku),
#   coverage by statement start {prefix: (coverage, note)},
#   components per requirement type, workload or None)
DESIGNS: dict[str, dict[str, Any]] = {
    "Northwind logistics": {
        "title": "Northwind parcel tracking platform",
        "required_in_days": 150,
        "components": (
            ("KS-EG-800", 2, {"ha": "active/standby"}),
            ("KS-SW-48", 14, {"per_depot": 1}),
            ("KS-AS440", 2, {"memory_gb": 256}),
            ("KS-LIC-ASENT", 2, {}),
            ("KS-ST12", 1, {}),
        ),
        "services": (
            ("KS-PS-SSO", "", 1, "package"),
            ("KS-PS-DAY", "Depot roll-out", 20, "days"),
            ("", "Hypercare for the first peak season", 1, "season"),
        ),
        "assumptions": (
            "Hosting in Kestrel's UK data centre (London, with Manchester for disaster recovery).",
            "Northwind provides Azure AD (Entra ID) with conditional access for MFA.",
            "SAP EWM exposes its OData API to the integration layer.",
            "Depot Wi-Fi is in place; one switch per depot.",
        ),
        "swap": ("KS-SW-48", "KS-SW-48P"),
        "coverage": {
            "Single sign-on": ("partial", "SAML 2.0 to Azure AD; MFA is Azure AD's conditional access."),
            "Integrate with the SAP": (
                "partial",
                "OData integration for goods-in and dispatch; returns later.",
            ),
            "Work offline": ("gap", "The scanner app needs a network; no offline store."),
        },
        "by_type": {
            "security": ("KS-EG-800",),
            "availability": ("KS-AS440", "KS-ST12"),
            "compliance": ("KS-ST12",),
            "integration": ("KS-AS440",),
        },
        "default_components": ("KS-AS440",),
        "gap": ("Work offline", "Offline store-and-forward mode for the scanner app", "KS-AS440"),
        "workload": {
            "requests_per_user_per_minute": 1.5,
            "tiers": [
                {"name": "gateway", "service_demand": 0.002, "skus": ["KS-EG-800"], "max_units": 4},
                {"name": "app", "service_demand": 0.08, "skus": ["KS-AS440"], "max_units": 8},
            ],
        },
    },
    "Castell Health secure remote access": {
        "title": "Castell clinician remote access",
        "required_in_days": 90,
        "components": (("KS-EG-400", 2, {}), ("KS-LIC-HA400", 1, {})),
        "services": (("KS-CL-IDB", "", 1500, "users / month"), ("KS-PS-SSO", "", 1, "package")),
        "assumptions": ("NHS smartcard middleware is provided by Castell.",),
        "swap": ("KS-EG-400", "KS-EG-800"),
        "coverage": {"Clinicians reach": ("partial", "Browser access through the gateway portal.")},
        "by_type": {},
        "default_components": ("KS-EG-400",),
        "gap": None,
        "workload": None,
    },
    "Isarwerk lab data backup": {
        "title": "Isarwerk immutable lab backup",
        "required_in_days": 120,
        "components": (("KS-ST12", 1, {}), ("KS-ST-SHELF", 1, {})),
        "services": (("KS-CL-BKP", "", 30, "TB / month"),),
        "assumptions": ("Lab instruments export to a network share the backup reads.",),
        "swap": None,
        "coverage": {},
        "by_type": {},
        "default_components": ("KS-ST12",),
        "gap": None,
        "workload": None,
    },
    "Moravia Bank branch SD-WAN": {
        "title": "Moravia branch SD-WAN",
        "required_in_days": 180,
        "components": (("KS-EG-200", 85, {}), ("KS-LIC-SDWAN", 85, {})),
        "services": (("KS-PS-DAY", "Branch cut-overs", 43, "days"),),
        "assumptions": ("Each branch has a fixed line and an LTE router for the backup link.",),
        "swap": None,
        "coverage": {
            "Encrypted LTE backup": (
                "workaround",
                "LTE through the customer's router; tunnel on the gateway.",
            )
        },
        "by_type": {},
        "default_components": ("KS-EG-200",),
        "gap": None,
        "workload": None,
    },
}


def _coverage(spec: dict[str, Any], statement: str) -> tuple[str, str]:
    for prefix, (coverage, note) in spec["coverage"].items():
        if statement.startswith(prefix):
            return coverage, note
    return "full", ""


def _build(jonas: User, opportunity: Opportunity, spec: dict[str, Any], today: dt.date) -> int:
    """Version 1 with components, services, assumptions and fit-gap; then version 2. Returns versions made."""
    products = {p.sku: p for p in Product.objects.all()}
    design = services.design_create(
        actor=jonas,
        opportunity_id=opportunity.pk,
        data={"title": spec["title"], "required_by": today + dt.timedelta(days=spec["required_in_days"])},
    )
    version = design.versions.get()
    components = {}
    for sku, quantity, configuration in spec["components"]:
        if sku in products:
            components[sku] = services.component_add(
                actor=jonas,
                version=version,
                data={"product_id": products[sku].pk, "quantity": quantity, "configuration": configuration},
            )
    for sku, description, quantity, unit in spec["services"]:
        data: dict[str, Any] = {"description": description, "quantity": quantity, "unit": unit}
        if sku:
            if sku not in products:
                continue
            data["product_id"] = products[sku].pk
        services.service_line_add(actor=jonas, version=version, data=data)
    services.version_update(actor=jonas, version=version, data={"assumptions": list(spec["assumptions"])})
    requirement_set = getattr(opportunity, "requirement_set", None)
    for requirement in requirements_of(requirement_set):
        if requirement.priority == "wont":
            continue
        coverage, note = _coverage(spec, requirement.statement)
        skus = spec["by_type"].get(requirement.type, spec["default_components"])
        ids = [components[s].pk for s in skus if s in components] if coverage != "gap" else []
        if coverage != "gap" and not ids:
            continue
        services.fit_gap_set(
            actor=jonas,
            version=version,
            requirement_id=requirement.pk,
            coverage=coverage,
            component_ids=ids,
            note=note,
        )
    made = 1
    if spec["swap"] or spec["workload"]:
        version = services.version_new(actor=jonas, design=design)
        made += 1
        if spec["swap"] and spec["swap"][1] in products:
            old, new = spec["swap"]
            component = version.components.filter(product__sku=old).first()
            if component is not None:
                services.component_update(
                    actor=jonas, component=component, data={"product_id": products[new].pk}
                )
        if spec["workload"]:
            services.save_workload(jonas, version, spec["workload"])
    if spec["gap"]:
        prefix, description, sku = spec["gap"]
        for requirement in requirements_of(requirement_set):
            if requirement.statement.startswith(prefix):
                services.product_gap_raise(
                    actor=jonas,
                    version=version,
                    requirement_id=requirement.pk,
                    description=description,
                    product_id=products[sku].pk if sku in products else None,
                )
    return made


def load_solutions_demo(*, users: dict[str, User], today: dt.date) -> Counter[str]:
    """A design in two versions for each demo opportunity with requirements; what was created."""
    created: Counter[str] = Counter()
    jonas = users.get("jonas")
    if jonas is None:
        return created
    for name, spec in DESIGNS.items():
        opportunity = Opportunity.objects.filter(name=name).first()
        if opportunity is None or SolutionDesign.objects.filter(opportunity=opportunity).exists():
            continue
        if not hasattr(opportunity, "requirement_set"):
            continue
        created["solution versions"] += _build(jonas, opportunity, spec, today)
        created["solution designs"] += 1
    return created
