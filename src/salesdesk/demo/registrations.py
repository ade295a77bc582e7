# ruff: noqa: E501 - the demo table reads best one registration per entry
"""Demo deal registrations (Lena's and Grace's journeys): pending, approved, rejected, in conflict.

The demo opportunities get their products from the demo catalog first, so the list and the
pages show what each deal is about and the conflict check has something to overlap with
(Northwind's deal is left without, for Lena's journey). Everything goes through the services, as the people who would do it; a
registration already present (same partner, same customer name) is left alone.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from salesdesk.catalog.models import Product
from salesdesk.deals import registration_services as services
from salesdesk.deals.models import DealRegistration, Opportunity
from salesdesk.deals.services import opportunity_update
from salesdesk.parties.models import User

# Which products the demo deals are about (by opportunity name and SKU). "Northwind logistics"
# has none on purpose: Lena's registration finds it as a possible conflict with unknown products.
# Quayside's badge and gate access control is not something the catalog sells.
OPPORTUNITY_PRODUCTS = {
    "Granite Peak edge gateways": ("KS-EG-400",),
    "Dunmore store network refresh": ("KS-SW-24P", "KS-AP6"),
    "Moravia Bank branch SD-WAN": ("KS-EG-800", "KS-FW-1000"),
    "Lakeside campus Wi-Fi refresh": ("KS-AP6", "KS-WLC200"),
    "Alderbank SSO rollout": ("KS-CL-IDB", "KS-PS-SSO"),
    "Castell Health secure remote access": ("KS-EG-400", "KS-LIC-HA400", "KS-VPN-CLIENT"),
    "Isarwerk lab data backup": ("KS-ST12", "KS-CL-BKP"),
    "Fairhaven council cloud migration": ("KS-CM", "KS-CL-DR", "KS-PS-DAY"),
    "Oakridge Foods POS integration": ("KS-AS220", "KS-PS-DAY"),
    "Elbe Maschinenbau factory monitoring": ("KS-EG-200", "KS-LIC-CM"),
    "Tessaro e-commerce hosting": ("KS-AS440", "KS-SUP-GOLD"),
    "Juniper Hotels guest Wi-Fi": ("KS-AP6", "KS-WLC200", "KS-MS-WIFI"),
}


@dataclass(frozen=True)
class DemoRegistration:
    partner_user: str
    customer_name: str
    title: str
    skus: tuple[str, ...]
    amount: str
    close_in_days: int
    contact: str
    # "approve" (with the reason), "reject" (with the reason) or "" to leave pending.
    decision: str = ""
    reason: str = ""


REGISTRATIONS: tuple[DemoRegistration, ...] = (
    # Approved first, so the competing registration below finds its deal protected.
    DemoRegistration("katrin", "Rhein Stahl Recycling GmbH", "Firewalls for the Duisburg yard", ("KS-FW-1000",),
                     "64000", 75, "Jens Becker", "approve", "Alpenblick found the deal and runs the pilot."),
    DemoRegistration("pieter", "Juniper Hotels S.L.", "Guest Wi-Fi for 12 hotels", ("KS-AP6", "KS-WLC200"),
                     "88000", 110, "Lucía Ortega", "reject", "Juniper Hotels buys direct from us this year."),
    DemoRegistration("lena", "Pellham Media Ltd", "Studio network upgrade", ("KS-SW-24P",),
                     "42000", 60, "Oliver Hart"),
    # Lena's journey: Northwind's open deal lists no products, so it is a possible conflict.
    DemoRegistration("lena", "Northwind Logistics Limited", "Depot scanners and gateways", ("KS-EG-400",),
                     "310000", 120, "Sam Patel"),
    # A direct deal for the same customer and product.
    DemoRegistration("pieter", "Granite Peak Energy, Inc.", "Substation gateways (Benelux sites)",
                     ("KS-EG-400",), "150000", 50, "Mia Jansen"),
    # Competes with Alpenblick's approved, protected registration: blocked.
    DemoRegistration("pieter", "Rhein-Stahl Recycling", "Firewall refresh", ("KS-FW-1000",),
                     "58000", 80, "Jens Becker"),
)  # fmt: skip


def load_registrations_demo(*, users: dict[str, User], today: dt.date) -> Counter[str]:
    """Create what is missing of the registration demo; returns what was created."""
    created: Counter[str] = Counter()
    grace = users.get("grace")
    if grace is None:
        return created
    products = {p.sku: p for p in Product.objects.filter(sku__startswith="KS-")}
    for name, skus in OPPORTUNITY_PRODUCTS.items():
        opportunity = Opportunity.objects.filter(name=name).first()
        wanted = [products[s] for s in skus if s in products]
        if opportunity is not None and wanted and not opportunity.products.exists():
            opportunity_update(actor=grace, opportunity=opportunity, data={"products": wanted})
            created["opportunity product lists"] += 1
    for demo in REGISTRATIONS:
        partner_user = users.get(demo.partner_user)
        if partner_user is None or any(s not in products for s in demo.skus):
            continue
        if DealRegistration.objects.filter(
            partner_id=partner_user.organisation_id, customer_name=demo.customer_name
        ).exists():
            continue
        registration = services.registration_create(
            actor=partner_user,
            data={
                "customer_name": demo.customer_name,
                "title": demo.title,
                "product_ids": [products[s].pk for s in demo.skus],
                "amount": demo.amount,
                "currency": "EUR",
                "expected_close_date": today + dt.timedelta(days=demo.close_in_days),
                "contact_name": demo.contact,
            },
        )
        created["deal registrations"] += 1
        if demo.decision == "approve":
            services.registration_approve(
                actor=grace,
                registration=registration,
                reason=demo.reason,
                new_account=registration.account_id is None,
            )
        elif demo.decision == "reject":
            services.registration_reject(actor=grace, registration=registration, reason=demo.reason)
    return created
