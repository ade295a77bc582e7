"""Demo presales requests (Grace's board): 25 requests on the open opportunities, in every status.

Requests are made and worked through the services, as the people who would do it, at
instants relative to ``now``: some are fresh, some wait past their acknowledgement target,
some run past their due date (overdue on the board), one was delivered late. Marco and
Hannah ask for their deals; Lena, Katrin and Pieter ask for the partner deals they bring.
Jonas, Felix and Amara carry the work, by skill, so Grace sees who is overloaded.

Idempotent: a request is looked up by its opportunity and description and left alone when
it exists.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from salesdesk.deals import presales_services as services
from salesdesk.deals.models import Opportunity, PresalesRequest
from salesdesk.parties.models import ProductSkill, User


@dataclass(frozen=True)
class DemoPresales:
    opportunity: str
    requester: str  # "owner" (the deal's sales rep) or "partner" (the partner's demo user)
    kind: str
    skills: tuple[str, ...]
    description: str
    asked_hours_ago: int  # wall-clock hours before now
    due_in_days: int  # calendar days after the request was made
    status: str
    assignee: str = ""
    hours: str = ""
    priority: str = "normal"
    late: bool = False  # delivered after the due date


PARTNER_USERS = {
    "Brightpath IT Solutions": "lena",
    "Meridian Distribution": "pieter",
    "Alpenblick Systemhaus": "katrin",
}
GW, SSO, WAN, BAK, HOST, WMS = (
    "Edge Gateway",
    "Identity and SSO",
    "SD-WAN",
    "Cloud backup",
    "Managed hosting",
    "Warehouse management",
)

REQUESTS: tuple[DemoPresales, ...] = (
    # Requested: two fresh, two past the acknowledgement target, one overdue outright.
    DemoPresales(
        "Northwind logistics",
        "owner",
        "requirements_workshop",
        (WMS, SSO),
        "Requirements workshop with Northwind's IT lead and depot managers (Amara's journey).",
        2,
        10,
        "requested",
        priority="high",
    ),
    DemoPresales(
        "Alderbank SSO rollout",
        "owner",
        "demo",
        (SSO,),
        "Demo SSO with Azure AD and the broker portal to Alderbank's security team.",
        5,
        12,
        "requested",
    ),
    DemoPresales(
        "Lakeside campus Wi-Fi refresh",
        "owner",
        "technical_qualification",
        (GW,),
        "Qualify whether the Edge Gateway 800 covers the halls' 6,000 concurrent devices.",
        60,
        14,
        "requested",
    ),
    DemoPresales(
        "Dunmore store network refresh",
        "partner",
        "rfp_response",
        (GW, WAN),
        "Answer the technical sections of Dunmore's RFP (lots 2 and 3).",
        80,
        12,
        "requested",
        priority="urgent",
    ),
    DemoPresales(
        "Oakridge Foods POS integration",
        "partner",
        "solution_estimate",
        (HOST,),
        "Sizing and estimate for hosting the POS integration layer.",
        24 * 9,
        6,
        "requested",
    ),
    # Acknowledged, waiting for someone.
    DemoPresales(
        "Moravia Bank branch SD-WAN",
        "owner",
        "technical_qualification",
        (WAN,),
        "Check LTE backup links against the bank's failover policy.",
        26,
        9,
        "acknowledged",
    ),
    DemoPresales(
        "Granite Peak edge gateways",
        "owner",
        "demo",
        (GW,),
        "Remote demo of the gateway fleet manager for 40 substations.",
        30,
        8,
        "acknowledged",
        priority="high",
    ),
    DemoPresales(
        "Isarwerk lab data backup",
        "partner",
        "requirements_workshop",
        (BAK,),
        "Workshop on GxP retention and restore validation with Isarwerk QA.",
        20,
        15,
        "acknowledged",
    ),
    # Assigned, not started.
    DemoPresales(
        "Northwind logistics",
        "owner",
        "solution_estimate",
        (WMS, GW),
        "Solution design and estimate for the 14-depot tracking platform (Jonas's journey).",
        48,
        20,
        "assigned",
        "jonas",
        "40",
        "high",
    ),
    DemoPresales(
        "Castell Health secure remote access",
        "owner",
        "rfp_response",
        (SSO,),
        "Answer the identity and access questions of Castell's tender.",
        40,
        10,
        "assigned",
        "amara",
        "16",
    ),
    DemoPresales(
        "Fairhaven council cloud migration",
        "owner",
        "solution_estimate",
        (HOST,),
        "Migration estimate for 120 council VMs to managed hosting.",
        70,
        14,
        "assigned",
        "felix",
        "32",
    ),
    DemoPresales(
        "Moravia Bank branch SD-WAN",
        "owner",
        "demo",
        (WAN,),
        "SD-WAN orchestration demo for the bank's network operations centre.",
        36,
        12,
        "assigned",
        "felix",
    ),
    DemoPresales(
        "Dunmore store network refresh",
        "partner",
        "demo",
        (GW,),
        "In-store demo of the gateway with Dunmore's retail IT.",
        28,
        9,
        "assigned",
        "jonas",
        "6",
    ),
    # In progress: two of them past their due date.
    DemoPresales(
        "Northwind logistics",
        "partner",
        "technical_qualification",
        (SSO,),
        "Confirm SSO with Northwind's Azure AD tenant and MFA policy.",
        24 * 6,
        3,
        "in_progress",
        "amara",
        "8",
        "high",
    ),
    DemoPresales(
        "Castell Health secure remote access",
        "owner",
        "solution_estimate",
        (SSO, HOST),
        "Zero-trust design and estimate with DSPT evidence.",
        24 * 12,
        7,
        "in_progress",
        "amara",
        "24",
    ),
    DemoPresales(
        "Isarwerk lab data backup",
        "partner",
        "solution_estimate",
        (BAK,),
        "Size 30 TB immutable backup and estimate validated restore tests.",
        24 * 4,
        10,
        "in_progress",
        "felix",
        "20",
    ),
    DemoPresales(
        "Granite Peak edge gateways",
        "owner",
        "rfp_response",
        (GW,),
        "Technical answers for Granite Peak's proposal, section 4.",
        24 * 3,
        8,
        "in_progress",
        "jonas",
        "12",
    ),
    DemoPresales(
        "Oakridge Foods POS integration",
        "partner",
        "technical_qualification",
        (WMS,),
        "Qualify the POS-to-warehouse stock sync latency.",
        24 * 5,
        2,
        "in_progress",
        "jonas",
    ),
    # Delivered: three on time, one late.
    DemoPresales(
        "Alderbank SSO rollout",
        "owner",
        "technical_qualification",
        (SSO,),
        "Check that the broker portal can use SAML with Alderbank's IdP.",
        24 * 20,
        5,
        "delivered",
        "amara",
        "6",
    ),
    DemoPresales(
        "Lakeside campus Wi-Fi refresh",
        "owner",
        "demo",
        (GW,),
        "Gateway demo for the university's estates and IT teams.",
        24 * 15,
        6,
        "delivered",
        "jonas",
        "4",
    ),
    DemoPresales(
        "Fairhaven council cloud migration",
        "owner",
        "requirements_workshop",
        (HOST,),
        "Hosting requirements workshop with the council's architects.",
        24 * 25,
        7,
        "delivered",
        "felix",
        "8",
    ),
    DemoPresales(
        "Granite Peak edge gateways",
        "owner",
        "technical_qualification",
        (GW,),
        "Qualify the gateways for substation temperature ranges.",
        24 * 18,
        4,
        "delivered",
        "jonas",
        "10",
        late=True,
    ),
    # Declined and cancelled, with their reasons.
    DemoPresales(
        "Oakridge Foods POS integration",
        "partner",
        "demo",
        (HOST,),
        "Second hosting demo for Oakridge's CFO.",
        24 * 8,
        5,
        "declined",
    ),
    DemoPresales(
        "Lakeside campus Wi-Fi refresh",
        "owner",
        "rfp_response",
        (GW,),
        "Answer the framework RFP for campus networking.",
        24 * 10,
        10,
        "declined",
    ),
    DemoPresales(
        "Moravia Bank branch SD-WAN",
        "owner",
        "requirements_workshop",
        (WAN,),
        "Workshop with branch operations on WAN requirements.",
        24 * 7,
        9,
        "cancelled",
    ),
)

REASONS = {
    "declined": "Not enough presales capacity for a repeat demo; share the recording instead.",
    "cancelled": "The customer postponed the workshop to next quarter.",
}


def load_presales_demo(*, users: dict[str, User], now: dt.datetime) -> Counter[str]:
    """Create the demo presales requests that are missing; returns what was created."""
    created: Counter[str] = Counter()
    grace = users["grace"]
    skills = {s.name: s for s in ProductSkill.objects.all()}
    for spec in REQUESTS:
        opportunity = (
            Opportunity.objects.filter(name=spec.opportunity).select_related("partner", "owner").first()
        )
        if opportunity is None or opportunity.is_closed:
            continue
        if PresalesRequest.objects.filter(opportunity=opportunity, description=spec.description).exists():
            continue
        requester = opportunity.owner
        if spec.requester == "partner" and opportunity.partner is not None:
            partner_user = users.get(PARTNER_USERS.get(opportunity.partner.name, ""))
            requester = partner_user or requester
        asked = now - dt.timedelta(hours=spec.asked_hours_ago)
        data = {
            "kind": spec.kind,
            "description": spec.description,
            "due_date": (asked + dt.timedelta(days=spec.due_in_days)).date(),
            "priority": spec.priority,
            "skill_ids": [skills[name].pk for name in spec.skills if name in skills],
        }
        request = services.presales_request_create(
            actor=requester, opportunity=opportunity, data=data, now=asked
        )
        _work(spec, request, requester, grace, users, asked, now)
        created["presales requests"] += 1
    return created


def _work(
    spec: DemoPresales,
    request: PresalesRequest,
    requester: User,
    grace: User,
    users: dict[str, User],
    asked: dt.datetime,
    now: dt.datetime,
) -> None:
    """Move the request to ``spec.status`` at believable instants between ``asked`` and ``now``."""
    step = min(dt.timedelta(hours=2), (now - asked) / 5)
    if spec.status == "requested":
        return
    if spec.status == "cancelled":
        services.presales_request_cancel(
            actor=requester, request=request, reason=REASONS["cancelled"], now=asked + step
        )
        return
    services.presales_request_acknowledge(actor=grace, request=request, now=asked + step)
    if spec.status == "declined":
        services.presales_request_decline(
            actor=grace, request=request, reason=REASONS["declined"], now=asked + 2 * step
        )
        return
    if spec.status == "acknowledged":
        return
    assignee = users[spec.assignee]
    services.presales_request_assign(
        actor=grace,
        request=request,
        assignee_id=assignee.pk,
        estimated_hours=Decimal(spec.hours) if spec.hours else None,
        now=asked + 2 * step,
    )
    if spec.status == "assigned":
        return
    services.presales_request_start(actor=assignee, request=request, now=asked + 3 * step)
    if spec.status == "in_progress":
        return
    request.refresh_from_db()
    delivered = request.deliver_due_at + dt.timedelta(hours=20) if spec.late else asked + 4 * step
    services.presales_request_deliver(
        actor=assignee,
        request=request,
        note="Delivered: slides, notes and the recording are on the opportunity's share.",
        now=min(delivered, now),
    )
