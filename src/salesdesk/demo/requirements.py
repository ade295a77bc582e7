# ruff: noqa: E501 - the demo tables read best one requirement per line
"""Demo requirements (Amara's and Sam's journeys): Northwind's workshop, questions, v1 signed off, a v2 draft.

Idempotent like the rest of the loader: an opportunity whose requirement set already
exists is left alone. Everything goes through the services, as the people who would do it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from salesdesk.deals import requirement_services as services
from salesdesk.deals.models import Opportunity, RequirementSet
from salesdesk.parties.models import Contact, User

# (statement, type, priority, source, acceptance, targets)
NORTHWIND: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Track every parcel from goods-in to dispatch across all 14 depots.", "functional", "must", "workshop",
     "A parcel scanned at goods-in shows its location within 5 seconds on any depot screen.", ""),
    ("Support the peak-season workforce on hand-held scanners and desktops.", "capacity", "must", "rfp",
     "Load test with 2,000 simulated users for one hour.", "peak_users = 2000 users"),
    ("Keep scan-to-screen response fast at peak.", "performance", "must", "rfp",
     "95th percentile measured over the peak-hour load test.", "p95_response_seconds <= 2 s"),
    ("The tracking service is available around the clock.", "availability", "must", "rfp",
     "Measured monthly, excluding agreed maintenance windows.", "availability >= 99.9 %"),
    ("Allow for business growth over the contract term.", "capacity", "should", "workshop",
     "Capacity plan shows headroom for year 3 volumes.", "growth_per_year = 20 %"),
    ("Single sign-on with the customer's Azure AD for all staff.", "security", "must", "workshop",
     "A depot user signs in with their Azure AD account and MFA.", ""),
    ("Role-based access: depot staff see only their depot.", "security", "must", "workshop",
     "A Leeds depot user cannot open a Bristol consignment.", ""),
    ("Encrypt data in transit and at rest.", "security", "must", "rfp",
     "TLS 1.2+ on every interface; AES-256 at rest.", "tls_version >= 1.2"),
    ("Keep an audit trail of every status change for seven years.", "compliance", "must", "rfp",
     "An auditor retrieves the history of a 2019 consignment.", "retention_years >= 7 years"),
    ("Process personal data under UK GDPR with data kept in the UK.", "compliance", "must", "rfp",
     "Data processing agreement signed; hosting region is UK.", ""),
    ("Integrate with the SAP warehouse management system in both directions.", "integration", "must", "workshop",
     "Goods-in and dispatch events reach SAP within one minute.", "sync_delay_seconds <= 60 s"),
    ("Receive carrier tracking events from the three national carriers.", "integration", "should", "email",
     "Events from each carrier appear on the parcel timeline.", "carriers >= 3"),
    ("Print shipping labels on the existing Zebra printers.", "functional", "must", "workshop",
     "A label prints in under 3 seconds at a packing bench.", "label_print_seconds <= 3 s"),
    ("Work offline on scanners for up to one hour and resynchronise.", "availability", "should", "workshop",
     "Scans taken during a Wi-Fi outage appear after reconnecting.", "offline_minutes >= 60 min"),
    ("Show a live depot dashboard of throughput and exceptions.", "functional", "should", "workshop",
     "Dashboard refreshes at least every 30 seconds.", "refresh_seconds <= 30 s"),
    ("Handle peak parcel volumes in the run-up to Christmas.", "capacity", "must", "call",
     "Sustained load test at peak throughput for four hours.", "parcels_per_hour = 45,000"),
    ("Recover the service after a site loss.", "availability", "must", "rfp",
     "Annual disaster-recovery test meets both objectives.", "rto_hours <= 4 h; rpo_minutes <= 15 min"),
    ("Search any consignment by reference, postcode or customer.", "functional", "must", "workshop",
     "Search returns in under a second for 3 years of data.", "search_seconds <= 1 s"),
    ("Export daily performance reports to the finance data lake.", "integration", "could", "email",
     "A CSV lands in the data lake by 06:00 every day.", ""),
    ("Notify customers by e-mail and SMS when a parcel is out for delivery.", "functional", "should", "workshop",
     "Notification sent within 5 minutes of the status change.", "notify_minutes <= 5 min"),
    ("Capture proof of delivery with signature and photo.", "functional", "must", "workshop",
     "Driver app stores signature and photo with the delivery event.", ""),
    ("Vulnerability scans and an annual penetration test.", "security", "must", "rfp",
     "No open critical findings at go-live.", "critical_findings = 0"),
    ("Provide an API for the customer portal team.", "integration", "should", "call",
     "Documented REST API with OAuth 2 client credentials.", "api_requests_per_second >= 200 req/s"),
    ("Support English and Polish on scanners.", "functional", "could", "workshop",
     "A depot user switches language on the scanner.", "languages >= 2"),
    ("Keep returns in the same flow as outbound parcels.", "functional", "should", "workshop",
     "A return is booked in and tracked like any parcel.", ""),
    ("Back up all data daily and keep 35 days of backups.", "availability", "must", "rfp",
     "Restore test from a 30-day-old backup succeeds.", "backup_retention_days >= 35 days"),
    ("Meet the ISO 27001 controls the customer is certified against.", "compliance", "should", "rfp",
     "Statement of applicability mapped to the service.", ""),
    ("A bulk rescan of a whole cage completes quickly.", "performance", "could", "workshop",
     "A cage of 400 parcels is rescanned in one pass.", "cage_rescan_seconds <= 30 s"),
)  # fmt: skip

# Questions asked in the workshop; all answered before version 1.
NORTHWIND_ANSWERED = (
    (1, "How many users are on shift at the busiest hour?", "Sam", "About 2,000 across all depots.", ""),
    (3, "Does 99.9 % include the planned Sunday maintenance window?", "Sam",
     "No: maintenance windows are excluded, with 5 days' notice.", ""),
    (10, "Which SAP module and version is in use?", "call", "SAP EWM on S/4HANA 2022.",
     "Integrate with SAP EWM on S/4HANA 2022 through its OData API."),
    (15, "How many parcels per hour at the Christmas peak?", "call", "45,000 per hour across the network.", ""),
)  # fmt: skip

# Draft changes after v1 was signed off (shown as the diff of the draft against v1).
NORTHWIND_V2_NEW = (
    ("Track reusable pallets and roll cages as assets.", "functional", "should", "email",
     "Each cage shows its last scan location.", "tracked_assets >= 5,000"),
    ("Run the scanner app on the new Android 14 hand-helds.", "functional", "must", "call",
     "The app is certified on the Zebra TC58.", ""),
)  # fmt: skip
NORTHWIND_V2_OPEN = (
    (28, "Which Android MDM do you use to roll out apps to the new hand-helds?"),
    (4, "Is year-3 growth still 20 %, or higher after the Manchester depot opens?"),
)

OTHER_SETS: dict[str, tuple[str, tuple[tuple[str, str, str, str, str, str], ...]]] = {
    # opportunity name: (state, requirements)
    "Castell Health secure remote access": (
        "shared",
        (
            ("Clinicians reach clinical systems from home without a VPN client.", "functional", "must", "rfp", "", ""),
            ("Every sign-in uses MFA with NHS smartcards or app.", "security", "must", "rfp", "", ""),
            ("Evidence for the NHS DSPT submission.", "compliance", "must", "rfp", "", ""),
            ("Support 1,500 concurrent remote sessions.", "capacity", "must", "rfp", "", "concurrent_sessions = 1500"),
            ("Session set-up in under 5 seconds.", "performance", "should", "workshop", "", "login_seconds <= 5 s"),
            ("Available 99.95 % in clinical hours.", "availability", "must", "rfp", "", "availability >= 99.95 %"),
        ),
    ),
    "Isarwerk lab data backup": (
        "draft",
        (
            ("Immutable backups of GxP lab systems.", "compliance", "must", "rfp", "", ""),
            ("Protect 30 TB of lab data, growing 15 % a year.", "capacity", "must", "rfp", "",
             "protected_tb = 30 TB; growth_per_year = 15 %"),
            ("Validated restore test every quarter.", "compliance", "must", "workshop", "", ""),
            ("Restore a single instrument's data within 2 hours.", "performance", "should", "workshop", "",
             "restore_hours <= 2 h"),
        ),
    ),
    "Moravia Bank branch SD-WAN": (
        "baselined",
        (
            ("Connect 85 branches over SD-WAN.", "capacity", "must", "rfp", "", "branches = 85"),
            ("Encrypted LTE backup link at every branch.", "availability", "must", "rfp", "", ""),
            ("Branch failover in under 30 seconds.", "availability", "must", "workshop", "",
             "failover_seconds <= 30 s"),
            ("Central policy management with audit log.", "security", "should", "workshop", "", ""),
        ),
    ),
}  # fmt: skip


def _add(amara: User, opportunity: Opportunity, spec: tuple[str, str, str, str, str, str]) -> Any:
    statement, kind, priority, source, acceptance, targets = spec
    return services.requirement_add(
        actor=amara,
        opportunity=opportunity,
        data={
            "statement": statement,
            "type": kind,
            "priority": priority,
            "source": source,
            "acceptance": acceptance,
            "targets": targets,
        },
    )


def _contact(opportunity: Opportunity, first_name: str = "") -> Contact | None:
    contacts = Contact.objects.filter(organisation_id=opportunity.account_id).order_by("id")
    if first_name:
        return contacts.filter(first_name=first_name).first() or contacts.first()
    return contacts.first()


def _northwind(opportunity: Opportunity, amara: User, sam: User | None, created: Counter[str]) -> None:
    requirements = [_add(amara, opportunity, spec) for spec in NORTHWIND]
    created["requirements"] += len(requirements)
    sam_contact = _contact(opportunity, "Sam")
    for index, text, who, answer, decision in NORTHWIND_ANSWERED:
        question = services.question_raise(
            actor=amara,
            requirement=requirements[index],
            text=text,
            contact_id=sam_contact.pk if sam_contact else None,
        )
        created["requirement questions"] += 1
        if who == "Sam" and sam is not None:
            services.question_answer(actor=sam, question=question, answer=answer)
        else:
            services.question_answer(
                actor=amara, question=question, answer=answer, decision=decision, channel="call"
            )
    v1 = services.baseline_create(
        actor=amara, opportunity=opportunity, note="Agreed in the requirements workshop"
    )
    created["requirement versions"] += 1
    if sam_contact is not None:
        services.baseline_share(actor=amara, baseline=v1, contact_id=sam_contact.pk)
        if sam is not None:
            services.baseline_signoff(actor=sam, baseline=v1, name=sam.get_full_name() or sam.username)
    # After sign-off: the draft moves on (v2 is not baselined: two questions are still open).
    for spec in NORTHWIND_V2_NEW:
        _add(amara, opportunity, spec)
        created["requirements"] += 1
    services.requirement_update(
        actor=amara, requirement=requirements[2], data={"targets": "p95_response_seconds <= 1.5 s"}
    )
    services.requirement_remove(actor=amara, requirement=requirements[23])
    for index, text in NORTHWIND_V2_OPEN:
        services.question_raise(
            actor=amara,
            requirement=requirements[index] if index < len(requirements) else requirements[-1],
            text=text,
            contact_id=sam_contact.pk if sam_contact else None,
        )
        created["requirement questions"] += 1


def load_requirements_demo(*, users: dict[str, User]) -> Counter[str]:
    """Requirement sets for Northwind (v1 signed off by Sam, v2 draft) and three other deals."""
    created: Counter[str] = Counter()
    amara = users.get("amara")
    if amara is None:
        return created
    northwind = Opportunity.objects.filter(name="Northwind logistics").first()
    if northwind is not None and not RequirementSet.objects.filter(opportunity=northwind).exists():
        _northwind(northwind, amara, users.get("sam"), created)
    for name, (state, specs) in OTHER_SETS.items():
        opportunity = Opportunity.objects.filter(name=name).first()
        if opportunity is None or RequirementSet.objects.filter(opportunity=opportunity).exists():
            continue
        added = [_add(amara, opportunity, spec) for spec in specs]
        created["requirements"] += len(added)
        if state == "draft":
            services.question_raise(
                actor=amara, requirement=added[1], text="Which systems count as GxP in scope?",
                contact_id=getattr(_contact(opportunity), "pk", None),
            )  # fmt: skip
            created["requirement questions"] += 1
            continue
        baseline = services.baseline_create(actor=amara, opportunity=opportunity)
        created["requirement versions"] += 1
        contact = _contact(opportunity)
        if state == "shared" and contact is not None:
            services.baseline_share(actor=amara, baseline=baseline, contact_id=contact.pk)
    return created
