"""Demo cases: a calendar, SLA policies per tier and priority, cases in every state, interactions.

Idempotent like the rest of the demo: the calendar by name, a policy by tier and
priority, a case by its subject on its account; all created through the services,
acting as the people of JOURNEYS.md. The cases are opened relative to ``now`` so the
escalated complaint in Tomás's tier-2 queue always shows a running SLA clock.

Beside those, ``_generated_cases`` adds GENERATED_PER_STATE cases per state from templates
(fixed seed, spread over the customer accounts and the last GENERATED_DAYS days), worked
through the same services (calls, escalations, replies, waits, resolutions, closures) so
their audit timelines and SLA due times are real. A generated case left in a tier's queue
falls due after Priya's complaint (or is taken), so that one stays first for Tomás.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

from salesdesk.catalog.models import Product
from salesdesk.parties.models import Contact, Organisation, User
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
    created["cases"] += _generated_cases(users, now)
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


# Generated volume: "a few hundred cases in every state with realistic timelines". Fixed
# seed and templates, so a second load plans the same subjects and finds them all present.
GENERATED_PER_STATE = {"new": 60, "open": 70, "waiting_on_customer": 60, "resolved": 60, "closed": 80}
GENERATED_DAYS = 60
SEED = 20261129

# (case type, subject, first reply, resolution note); {p} is a product, {s} a site.
TEMPLATES: tuple[tuple[str, str, str, str], ...] = (
    (
        "query",
        "How do I export the VPN audit log from the {p} at {s}?",
        "You find the export under Monitoring → Logs → Export; CSV and syslog are both possible.",
        "Sent the export steps and the syslog settings.",
    ),
    (
        "query",
        "Which firmware should the {p} at {s} run?",
        "The recommended release is 4.2; the release notes are attached to this reply.",
        "Recommended firmware 4.2 confirmed, release notes sent.",
    ),
    (
        "query",
        "Does our licence for the {p} cover the {s} site?",
        "Your licence is per device; the unit at that site is covered until the renewal date.",
        "Licence coverage confirmed from the contract.",
    ),
    (
        "problem",
        "{p} at {s} drops VPN tunnels every few hours",
        "Could you send us the tunnel log from the last drop and the current configuration backup?",
        "Dead-peer detection timers were too short; adjusted and stable for 48 hours.",
    ),
    (
        "problem",
        "{p} at {s} reboots under load",
        "Please send the crash dump from System → Diagnostics so we can check it.",
        "Known memory leak in 4.1.3; upgraded to 4.2, no reboots since.",
    ),
    (
        "problem",
        "Users at {s} cannot log in through SSO after the {p} update",
        "Could you check whether the SAML certificate on the identity provider was renewed?",
        "The IdP certificate had been renewed; the new one was uploaded to the console.",
    ),
    (
        "problem",
        "Slow throughput on the {p} at {s}",
        "Can you tell us which inspection profiles are enabled and share a traffic report?",
        "TLS inspection on bulk backup traffic; an exception was added and throughput is back.",
    ),
    (
        "request",
        "Please add an administrator for the {p} at {s}",
        "We have prepared the account; please confirm the person's e-mail address.",
        "Administrator added and the welcome e-mail sent.",
    ),
    (
        "request",
        "RMA for a faulty {p} at {s}",
        "We need the serial number and a photo of the status LEDs to raise the RMA.",
        "Replacement unit shipped with next-day delivery; the faulty unit is collected.",
    ),
    (
        "request",
        "Extend the evaluation of the {p} for {s}",
        "The evaluation can run another 30 days; we extend it once you confirm.",
        "Evaluation extended by 30 days.",
    ),
    (
        "complaint",
        "Replacement {p} for {s} arrived two days late",
        "We are sorry for the delay; we are checking with the courier and will report back.",
        "Courier handover was missed; a credit note was issued and the process changed.",
    ),
    (
        "complaint",
        "Invoice for the {p} at {s} does not match the quote",
        "Thank you for telling us; we are comparing the invoice with the quote now.",
        "The wrong price list was used; a corrected invoice was sent.",
    ),
)
SITES = (
    "head office",
    "the main warehouse",
    "the Leeds branch",
    "the Dublin office",
    "the data centre",
    "the Munich plant",
    "the distribution centre",
    "the call centre",
    "the training centre",
    "the north depot",
    "the south depot",
    "the lab",
)
GENERIC_PRODUCTS = ("edge gateway", "access switch", "firewall", "wireless controller", "backup appliance")
CUSTOMER_FOLLOW_UPS = (
    "Thanks, the log is attached.",
    "We tried that, the problem is still there.",
    "Confirmed, that works for us.",
    "Any news on this?",
)


def _generated_plan(
    accounts: list[Organisation], products: list[tuple[int, str]], now: dt.datetime
) -> list[dict[str, Any]]:
    """The generated cases, deterministic for a given set of accounts and products."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    names = [name for _pk, name in products] or list(GENERIC_PRODUCTS)
    ids = {name: pk for pk, name in products}
    weights = [1.0 / (1 + i) ** 0.5 for i in range(len(accounts))]
    seen: set[tuple[int, str]] = set()
    plan = []
    for state, count in GENERATED_PER_STATE.items():
        made = 0
        while made < count:
            account = rng.choices(accounts, weights)[0]
            kind, subject, reply, note = TEMPLATES[rng.randrange(len(TEMPLATES))]
            product = names[rng.randrange(len(names))]
            subject = subject.format(p=product, s=SITES[rng.randrange(len(SITES))])
            subject = subject[0].upper() + subject[1:]
            if (account.pk, subject) in seen:
                continue
            seen.add((account.pk, subject))
            made += 1
            # New cases arrived in the last day; the others are spread over GENERATED_DAYS,
            # the active ones recent, the closed ones old enough to have passed the quiet period.
            if state == "new":
                age = rng.uniform(0.2, 24)
            elif state in ("open", "waiting_on_customer"):
                age = rng.uniform(2, 24 * 14)
            elif state == "resolved":
                age = rng.uniform(24, 24 * 10)
            else:
                age = rng.uniform(24 * 8, 24 * GENERATED_DAYS)
            plan.append(
                {
                    "account": account,
                    "subject": subject,
                    "case_type": kind,
                    "reply": reply,
                    "note": note,
                    "state": state,
                    "at": now - dt.timedelta(hours=age),
                    "priority": rng.choices(["low", "normal", "high", "urgent"], [20, 55, 20, 5])[0],
                    "channel": rng.choice(["phone", "phone", "email", "email", "web_portal"]),
                    "product_id": ids.get(product),
                    "escalate": rng.random() < 0.3,
                    "deep": rng.random() < 0.25,
                    "follow_up": CUSTOMER_FOLLOW_UPS[rng.randrange(len(CUSTOMER_FOLLOW_UPS))],
                    "minutes": [rng.randint(5, 90), rng.randint(30, 600), rng.randint(60, 2400)],
                }
            )
    return plan


def _generated_cases(users: dict[str, User], now: dt.datetime) -> int:
    """A few hundred cases in every state, opened, worked and closed through the services."""
    accounts = list(Organisation.objects.filter(kind="customer").order_by("name"))
    if not accounts:
        return 0
    products = list(Product.objects.order_by("sku").values_list("id", "name")[:40])
    plan = _generated_plan(accounts, products, now)
    existing = set(
        Case.objects.filter(subject__in=[p["subject"] for p in plan]).values_list("account_id", "subject")
    )
    todo = [p for p in plan if (p["account"].pk, p["subject"]) not in existing]
    if not todo:
        return 0
    opener = users["priya"]
    # Who works each tier: the demo's support people of exactly that level.
    workers: dict[int, list[User]] = {}
    for user in sorted(users.values(), key=lambda u: u.username):
        if user.kind == "support" and user.support_level:
            workers.setdefault(user.support_level, []).append(user)
    contacts: dict[int, Any] = {}
    for contact in Contact.objects.filter(organisation__in=accounts).order_by("organisation_id", "id"):
        contacts.setdefault(contact.organisation_id, contact)
    # Priya's escalated complaint stays first in the tier-2 queue: a generated case left
    # waiting in a tier's queue must fall due after it.
    journey = Case.objects.filter(subject="Order arrived without licences", tier=2).first()
    journey_due = journey.resolution_due_at if journey is not None else now + dt.timedelta(days=7)
    for index, spec in enumerate(todo):
        _generated_case(spec, index, opener, workers, contacts, journey_due, now)
    return len(todo)


def _generated_case(
    spec: dict[str, Any],
    index: int,
    opener: User,
    workers: dict[int, list[User]],
    contacts: dict[int, Any],
    journey_due: dt.datetime | None,
    now: dt.datetime,
) -> None:
    account = spec["account"]
    contact = contacts.get(account.pk)
    at = spec["at"]
    minutes = spec["minutes"]
    data: dict[str, Any] = {
        "subject": spec["subject"],
        "description": f"{spec['subject']}. Reported by {contact or 'the customer'}.",
        "case_type": spec["case_type"],
        "priority": spec["priority"],
        "channel": spec["channel"],
        "account_id": account.pk,
    }
    if contact is not None:
        data["contact_id"] = contact.pk
    if spec["product_id"]:
        data["product_id"] = spec["product_id"]
    call = None
    if spec["channel"] == "phone":
        call = services.log_interaction(
            actor=opener,
            kind="call",
            contact=contact,
            account=account,
            direction="inbound",
            duration_minutes=3 + index % 12,
            notes=spec["subject"],
            occurred_at=at,
        )
    case = services.case_open(actor=opener, data=data, interaction=call, now=at)
    state = spec["state"]
    tier = 1
    if spec["escalate"] and (spec["case_type"] != "query" or state != "new"):
        tier = 3 if spec["deep"] and workers.get(3) else 2
        if not workers.get(tier):
            tier = 1
    if tier > 1:
        services.case_escalate(
            actor=opener,
            case=case,
            to_tier=tier,
            reason="Needs a specialist: the first-line checks did not find the cause.",
        )
        case.refresh_from_db()
    if state == "new":
        # Waiting in a tier's queue; behind Priya's complaint, or taken if it would overtake it.
        due = case.resolution_due_at
        if tier > 1 and (due is None or journey_due is None or due <= journey_due):
            services.case_take(actor=workers[tier][index % len(workers[tier])], case=case)
        return
    worker = workers.get(tier, [opener])[index % len(workers.get(tier, [opener]))]
    case = services.case_take(actor=worker, case=case)
    replied = at + dt.timedelta(minutes=minutes[0])
    case = services.case_transition(actor=worker, case=case, to_status="open", now=replied)
    services.case_reply(actor=worker, case=case, body=spec["reply"], now=replied)
    if state == "open":
        return
    last = replied
    if state == "waiting_on_customer" or index % 2 == 0:
        asked = min(replied + dt.timedelta(minutes=minutes[1]), now - dt.timedelta(minutes=10))
        case = services.case_transition(actor=worker, case=case, to_status="waiting_on_customer", now=asked)
        if state == "waiting_on_customer":
            return
        last = asked + dt.timedelta(minutes=minutes[1])
        case = services.case_transition(actor=worker, case=case, to_status="open", now=last)
        services.case_reply(
            actor=worker, case=case, body=f"Customer replied: {spec['follow_up']}", is_public=False, now=last
        )
    resolved_at = last + dt.timedelta(minutes=minutes[2])
    latest = now - (
        services._quiet_period() + dt.timedelta(hours=2) if state == "closed" else dt.timedelta(hours=1)
    )
    resolved_at = max(min(resolved_at, latest), last)
    # Resolving needs level 2 or the case's tier: Tomás (or whoever comes next) resolves tier 1.
    resolver = worker
    if (worker.support_level or 0) < max(2, tier):
        resolver = min(
            (u for level, people in workers.items() if level >= max(2, tier) for u in people),
            key=lambda u: (u.support_level, u.username),
        )
    case = services.case_transition(
        actor=resolver, case=case, to_status="resolved", note=spec["note"], now=resolved_at
    )
    worker = resolver
    if state == "closed":
        if case.is_complaint:
            case = services.case_update_complaint(
                actor=worker,
                case=case,
                data={
                    "acknowledged": True,
                    "investigation": "Checked the order, delivery and billing records.",
                    "response": spec["reply"],
                    "root_cause": spec["note"],
                    "corrective_action": "Process checklist updated and the team briefed.",
                },
            )
        services.case_transition(
            actor=worker, case=case, to_status="closed", now=resolved_at + services._quiet_period()
        )
