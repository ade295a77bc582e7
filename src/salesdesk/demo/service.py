"""Demo cases: a calendar, SLA policies per tier and priority, cases in every state, interactions.

Idempotent like the rest of the demo: the calendar by name, a policy by tier and
priority, a case by its subject on its account; all created through the services,
acting as the people of JOURNEYS.md. The cases are opened relative to ``now`` so the
escalated complaint in Tomás's tier-2 queue always shows a running SLA clock.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from salesdesk.catalog.models import Product
from salesdesk.parties.models import Organisation, User
from salesdesk.service import services
from salesdesk.service.models import BusinessCalendar, Case, SlaPolicy

CALENDAR = "Kestrel service desk (UK)"

# (first response, resolution) in business minutes, per customer tier and priority.
SLA_TARGETS: dict[str, dict[str, tuple[int, int]]] = {
    "platinum": {"urgent": (15, 240), "high": (30, 480), "normal": (60, 960), "low": (120, 1920)},
    "gold": {"urgent": (30, 360), "high": (60, 600), "normal": (120, 1200), "low": (240, 2400)},
    "silver": {"urgent": (60, 600), "high": (120, 960), "normal": (240, 1920), "low": (480, 3000)},
    "standard": {"urgent": (120, 960), "high": (240, 1920), "normal": (480, 3000), "low": (960, 4800)},
}


def load_service_demo(*, users: dict[str, User], now: dt.datetime) -> Counter[str]:
    """Create what is missing of the service-desk demo; returns what was created."""
    created: Counter[str] = Counter()
    robert = users["robert"]
    calendar = BusinessCalendar.objects.filter(name=CALENDAR).first()
    if calendar is None:
        calendar = services.calendar_create(
            actor=robert,
            data={
                "name": CALENDAR,
                "time_zone": "Europe/London",
                "holiday_country": "GB",
                "holiday_subdivision": "ENG",
            },
        )
        created["calendars"] += 1
    for tier, targets in SLA_TARGETS.items():
        for priority, (first, resolution) in targets.items():
            if not SlaPolicy.objects.filter(customer_tier=tier, priority=priority).exists():
                services.sla_policy_create(
                    actor=robert,
                    data={
                        "customer_tier": tier,
                        "priority": priority,
                        "first_response_minutes": first,
                        "resolution_minutes": resolution,
                        "at_risk_percent": 75,
                        "calendar_id": calendar.pk,
                    },
                )
                created["SLA policies"] += 1
    for spec in _cases(now):
        created["cases"] += _case(spec, users, now)
    return created


def _account(name: str) -> Organisation:
    return Organisation.objects.get(name=name, kind="customer")


def _cases(now: dt.datetime) -> list[dict[str, Any]]:
    hour = dt.timedelta(hours=1)
    return [
        {  # JOURNEYS L1 → L2: Priya opens a complaint from a call and escalates it to Tomás's tier.
            "account": "Northwind Logistics",
            "by": "priya",
            "at": now - hour,
            "subject": "Order arrived without licences",
            "case_type": "complaint",
            "priority": "high",
            "channel": "phone",
            "product": "KS-EG-400",
            "call": "Order 4711 arrived without licence keys.",
            "escalate": (2, "No answer in the library fits; licences need checking in the order system."),
        },
        {
            "account": "Alderbank Insurance",
            "by": "priya",
            "at": now - 2 * hour,
            "priority": "normal",
            "subject": "How do I export the VPN audit log?",
            "case_type": "query",
            "channel": "email",
        },
        {
            "account": "Castell Health Trust",
            "by": "priya",
            "at": now - 3 * hour,
            "priority": "urgent",
            "subject": "Branch office cannot reach the data centre",
            "case_type": "problem",
            "product": "KS-EG-800",
            "take": "tomas",
            "to": ["open"],
        },
        {
            "account": "Granite Peak Energy",
            "by": "tomas",
            "at": now - 26 * hour,
            "priority": "normal",
            "subject": "Backup restore test fails with a timeout",
            "case_type": "problem",
            "take": "tomas",
            "to": ["open", "waiting_on_customer"],
            "reply": "Could you send us the restore job's log file?",
        },
        {
            "account": "Dunmore Retail Group",
            "by": "lena",
            "at": now - 30 * hour,
            "priority": "normal",
            "subject": "Add two more SSO administrators",
            "case_type": "request",
            "channel": "partner",
            "take": "tomas",
            "to": ["open", "resolved"],
            "note": "Both administrators added in the tenant.",
        },
        {
            "account": "Moravia Bank",
            "by": "priya",
            "at": now - 7 * 24 * hour,
            "priority": "high",
            "subject": "Firmware update question",
            "case_type": "query",
            "take": "tomas",
            "to": ["open", "resolved", "closed"],
            "note": "Firmware 4.2 is safe to install; release notes sent.",
            "resolved_at": now - 6 * 24 * hour,
        },
        {
            "account": "Northwind Logistics",
            "by": "sam",
            "at": now - 4 * hour,
            "priority": "high",
            "subject": "Warehouse scanners lose their connection",
            "case_type": "problem",
            "reply_by_customer": "It happens every morning at shift change.",
        },
    ]


def _case(spec: dict[str, Any], users: dict[str, User], now: dt.datetime) -> int:
    account = _account(spec["account"])
    if Case.objects.filter(account=account, subject=spec["subject"]).exists():
        return 0
    actor = users[spec["by"]]
    contact = account.contacts.order_by("id").first()
    data: dict[str, Any] = {
        "subject": spec["subject"],
        "case_type": spec["case_type"],
        "priority": spec["priority"],
    }
    if actor.kind != "customer":
        data["account_id"] = account.pk
    if contact is not None:
        data["contact_id"] = contact.pk
    if actor.kind == "support":
        data["channel"] = spec.get("channel", "phone")
    if spec.get("product"):
        product = Product.objects.filter(sku=spec["product"]).first()
        if product is not None:
            data["product_id"] = product.pk
    call = None
    if spec.get("call"):
        call = services.log_interaction(
            actor=actor,
            kind="call",
            contact=contact,
            account=account,
            direction="inbound",
            duration_minutes=6,
            notes=spec["call"],
            occurred_at=spec["at"],
        )
    case = services.case_open(actor=actor, data=data, interaction=call, now=spec["at"])
    if spec.get("escalate"):
        to_tier, reason = spec["escalate"]
        services.case_escalate(actor=actor, case=case, to_tier=to_tier, reason=reason)
    if spec.get("take"):
        case = services.case_take(actor=users[spec["take"]], case=case)
    worker = users.get(spec.get("take", "tomas"), users["tomas"])
    when = spec["at"] + dt.timedelta(minutes=20)
    for status in spec.get("to", []):
        if status == "closed":
            when = now
        elif status == "resolved":
            when = spec.get("resolved_at", when)
        case = services.case_transition(
            actor=worker, case=case, to_status=status, note=spec.get("note", ""), now=when
        )
        if status == "waiting_on_customer" and spec.get("reply"):
            services.case_reply(actor=worker, case=case, body=spec["reply"], now=when)
    if spec.get("reply_by_customer"):
        services.case_reply(actor=actor, case=case, body=spec["reply_by_customer"])
    return 1
