"""Demo knowledge for Kestrel Systems (network, security, cloud): a few hundred answers and articles.

Generated deterministically from question templates × product facts, so it reads like a
real answer library yet stays small to keep here. Idempotent by ``external_id``:
loading twice changes nothing. Links go to catalog products found by SKU or name at load
time; a product the catalog demo does not have is simply not linked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import services
from .choices import Audience, KnowledgeStatus
from .models import Answer, Article

OWNERS = ("tomas", "amara", "jonas", "grace")


@dataclass(frozen=True)
class Family:
    """One product line and the facts its answers quote."""

    key: str
    names: tuple[str, ...]  # product names (also tried as SKUs) in the catalog
    facts: dict[str, str]
    questions: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...]  # (q, a, alternatives, tags)
    articles: tuple[tuple[str, str, str], ...] = field(default=())  # (kind, title, body)


def _gateway(model: str, throughput: str, tunnels: str, users: str, ports: str) -> dict[str, str]:
    return {
        "product": f"Edge Gateway {model}",
        "throughput": throughput,
        "tunnels": tunnels,
        "users": users,
        "ports": ports,
    }


GATEWAY_QUESTIONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Does the {product} support SSO with Azure AD?",
        "Yes. The {product} supports single sign-on with **Azure AD (Microsoft Entra ID)** over SAML 2.0 "
        "or OpenID Connect "
        "for the management console and the captive portal, from firmware 7.2 on.\n\n"
        "1. In Entra ID, add *Kestrel Edge Gateway* from the enterprise app gallery.\n"
        "2. Download the federation metadata XML and upload it under **System → Authentication → SAML**.\n"
        "3. Map the `groups` claim to gateway roles (admin, operator, read-only).\n\n"
        "Conditional access and MFA policies in Entra ID apply as usual. Up to {users} SSO users "
        "can be signed in at the same time.",
        (
            "Can I log in to the {product} with my Microsoft 365 account?",
            "Is Entra ID / Azure Active Directory single sign-on available on the {product}?",
            "Does {product} do SAML with Azure?",
        ),
        ("sso", "azure-ad", "saml", "authentication"),
    ),
    (
        "What is the maximum firewall throughput of the {product}?",
        "The {product} forwards up to **{throughput}** with the stateful firewall on (1518-byte UDP). "
        "With IPS and application control on, plan for about a third of that. For sizing, count "
        "peak concurrent sessions as well as bandwidth; the datasheet lists both.",
        ("How fast is the {product}?", "How many Gbit/s can the {product} handle?"),
        ("performance", "sizing", "throughput"),
    ),
    (
        "How many site-to-site VPN tunnels does the {product} support?",
        "Up to **{tunnels} IPsec site-to-site tunnels** (IKEv2, AES-256-GCM). Tunnels can be set up "
        "by hand or pushed from Kestrel Cloud Manager as a hub-and-spoke or full mesh.",
        ("What is the VPN tunnel limit of the {product}?", "Can the {product} connect 200 branch offices?"),
        ("vpn", "ipsec", "sizing"),
    ),
    (
        "Can two {product} units run as a high-availability pair?",
        "Yes. Two units of the same model and firmware form an active/passive cluster with stateful "
        "session sync over a dedicated HA link. Failover takes under one second; established VPN "
        "tunnels and firewall sessions survive it. Both units need their own licence.",
        ("Does the {product} support failover?", "Is HA clustering possible with the {product}?"),
        ("high-availability", "failover"),
    ),
    (
        "How do I update the firmware on the {product}?",
        "Download the signed image from the Kestrel support portal, then go to **System → Firmware**, "
        "upload it and choose *Install and reboot*. The gateway keeps the previous image, so you can "
        "roll back from the same page. In an HA pair, update the passive unit first. Plan for about "
        "five minutes of downtime on a single unit.",
        ("Firmware upgrade procedure for {product}?", "How do I patch the {product}?"),
        ("firmware", "maintenance"),
    ),
    (
        "Which interfaces and ports does the {product} have?",
        "The {product} has {ports}. All copper ports support 802.1Q VLAN tagging "
        "and link aggregation (LACP).",
        ("How many LAN ports are on the {product}?", "Does the {product} have SFP+ ports?"),
        ("hardware", "interfaces"),
    ),
    (
        "Does the {product} support SD-WAN?",
        "Yes. SD-WAN is part of the Advanced licence: the {product} measures latency, jitter and loss on "
        "every uplink and steers each application to the best link, with policy-based failover between "
        "fibre, DSL and 5G uplinks.",
        ("Can the {product} load-balance two internet lines?", "Is SD-WAN included with the {product}?"),
        ("sd-wan", "licensing"),
    ),
    (
        "Can the {product} send logs to our SIEM?",
        "Yes. The {product} sends firewall, VPN and admin logs over syslog (UDP, TCP or TLS) in CEF or "
        "JSON, to up to four collectors. Splunk, Microsoft Sentinel and QRadar parse the CEF format "
        "out of the box.",
        ("Does the {product} integrate with Splunk or Sentinel?", "Syslog export from {product}?"),
        ("logging", "siem", "integration"),
    ),
    (
        "Does the {product} support IPv6?",
        "Yes, dual-stack IPv4/IPv6 on every interface, including firewall policies, IPsec VPN, DHCPv6 "
        "and router advertisements. NAT64 is available from firmware 7.4.",
        ("Is the {product} IPv6 ready?",),
        ("ipv6", "networking"),
    ),
    (
        "Can we authenticate VPN users against RADIUS or LDAP on the {product}?",
        "Yes. The {product} authenticates remote-access VPN users against RADIUS (with MFA push through "
        "your RADIUS server), LDAP/Active Directory or Azure AD (SAML). Group membership maps to access "
        "policies.",
        ("Does {product} work with Active Directory for VPN logins?",),
        ("vpn", "radius", "ldap", "authentication"),
    ),
    (
        "What warranty comes with the {product}?",
        "Every {product} comes with a one-year hardware warranty (return to base). A Kestrel support "
        "contract extends it to next-business-day or four-hour advance replacement and adds firmware "
        "updates and 24/7 technical support.",
        ("How long is the {product} warranty?",),
        ("warranty", "support-contract"),
    ),
    (
        "Is there a REST API to automate the {product}?",
        "Yes. Every setting on the {product} is available through a documented REST API (OpenAPI 3) with "
        "token authentication. There is an Ansible collection and a Terraform provider for it as well.",
        ("Can we configure the {product} with Ansible or Terraform?",),
        ("api", "automation"),
    ),
)

GATEWAY_ARTICLES = (
    (
        "how_to",
        "Set up SAML single sign-on with Azure AD on the {product}",
        "## Before you start\n\nYou need firmware 7.2 or later and an Entra ID account that can add "
        "enterprise applications.\n\n## Steps\n\n1. Add *Kestrel Edge Gateway* from the gallery.\n"
        "2. Set the reply URL to `https://<gateway>/saml/acs`.\n3. Upload the metadata XML to the "
        "gateway.\n4. Map groups to roles and test with a read-only account first.\n\n"
        "## Checking\n\nThe audit log on the gateway shows each SAML sign-in with the user's UPN.",
    ),
    (
        "troubleshooting",
        "{product}: site-to-site VPN tunnel does not come up",
        "## Symptoms\n\nThe tunnel stays in *connecting*; the log shows `NO_PROPOSAL_CHOSEN` or "
        "`AUTHENTICATION_FAILED`.\n\n## Causes and fixes\n\n- **Proposal mismatch**: both ends must use "
        "the same IKE version, encryption and DH group.\n- **Pre-shared key**: re-enter it on both ends.\n"
        "- **NAT in the path**: enable NAT-T (UDP 4500).\n- **Clock skew** with certificates: set NTP.",
    ),
    (
        "technical_guidance",
        "Sizing the {product}: throughput, sessions and tunnels",
        "The {product} is rated at {throughput} firewall throughput and {tunnels} VPN tunnels. "
        "Plan with these rules of thumb:\n\n| Feature on | Usable throughput |\n|---|---|\n"
        "| Firewall only | 100 % |\n| + IPS | 40 % |\n| + TLS inspection | 20 % |\n\n"
        "Keep peak utilisation below 70 % to leave room for growth and failover.",
    ),
    (
        "product_note",
        "{product}: firmware 7.4 release notes",
        "Firmware 7.4 adds NAT64, SD-WAN application steering for Microsoft Teams and faster HA "
        "failover. Upgrade from 7.2 directly; older releases upgrade through 7.2 first.",
    ),
)


def _simple(
    key: str, names: tuple[str, ...], facts: dict[str, str], questions: tuple, articles: tuple = ()
) -> Family:
    return Family(key, names, facts, questions, articles)


SWITCH_QUESTIONS = (
    (
        "Does the {product} support PoE+ for our access points and phones?",
        "Yes. All {ports} copper ports on the {product} deliver PoE+ (802.3at, 30 W per port) with a total "
        "budget of {poe}. Ports can be prioritised so phones stay powered if the budget runs short.",
        ("How much PoE does the {product} provide?", "Can the {product} power Wi-Fi access points?"),
        ("poe", "hardware"),
    ),
    (
        "Can several {product} switches be stacked?",
        "Yes, up to eight {product} switches stack over the dedicated stacking ports into one logical "
        "switch with a single management IP and cross-stack link aggregation.",
        ("Is stacking supported on the {product}?",),
        ("stacking", "high-availability"),
    ),
    (
        "Which routing protocols does the {product} support?",
        "The {product} does static routing and RIP in the base licence; OSPFv2/v3 and VRRP come with the "
        "Layer 3 licence. BGP is available on the core models only.",
        ("Does the {product} do OSPF?", "Is the {product} a layer 3 switch?"),
        ("routing", "licensing"),
    ),
    (
        "How do we manage many {product} switches centrally?",
        "Register them in Kestrel Cloud Manager: zero-touch provisioning, configuration templates, "
        "firmware rollout by site and alerting. Local web UI and CLI stay available.",
        ("Can the {product} be managed from the cloud?",),
        ("management", "cloud"),
    ),
    (
        "Does the {product} support 802.1X port authentication?",
        "Yes. 802.1X and MAC authentication bypass, with dynamic VLAN assignment from RADIUS, on every "
        "access port of the {product}.",
        ("Network access control on the {product}?",),
        ("security", "802.1x", "radius"),
    ),
    (
        "What uplinks does the {product} have?",
        "The {product} has {uplinks} uplinks; optics are sold separately (Kestrel-coded or MSA-compliant).",
        ("Does the {product} have 10G uplinks?",),
        ("hardware", "interfaces"),
    ),
)

FIREWALL_QUESTIONS = (
    (
        "What threat protection does the {product} include?",
        "The {product} combines stateful firewall, intrusion prevention, anti-malware, URL filtering and "
        "application control. Signature updates arrive hourly with an active Threat Protection licence.",
        ("What security features does the {product} have?",),
        ("security", "ips", "licensing"),
    ),
    (
        "Can the {product} inspect TLS 1.3 traffic?",
        "Yes. The {product} decrypts and inspects TLS 1.3 and 1.2 with a certificate you deploy to your "
        "clients; banking and health categories are excluded by default for privacy.",
        ("Does the {product} do SSL inspection?",),
        ("tls", "inspection"),
    ),
    (
        "What is the IPS throughput of the {product}?",
        "{ips} with IPS and application control on, measured with an enterprise traffic mix.",
        ("How fast is the {product} with IPS on?",),
        ("performance", "sizing", "ips"),
    ),
    (
        "Is the {product} certified for regulated industries?",
        "The {product} holds Common Criteria EAL4+ and ICSA Labs firewall certification, and its "
        "cryptographic module is FIPS 140-3 validated.",
        ("Which certifications does the {product} have?",),
        ("compliance", "certification"),
    ),
    (
        "Can we migrate our rules from another vendor to the {product}?",
        "Yes. The free Kestrel migration tool converts rule bases from the major vendors; our "
        "professional services team can run the migration and a cut-over weekend for you.",
        ("Rule migration to {product}?",),
        ("migration", "services"),
    ),
)

SERVICE_QUESTIONS = (
    (
        "What is included in {product}?",
        "{product} includes {scope}. Service reports arrive monthly; a named service manager reviews "
        "them with you each quarter.",
        ("What do we get with {product}?", "Scope of {product}?"),
        ("managed-services", "scope"),
    ),
    (
        "What response times does {product} guarantee?",
        "{response}. Response times are measured from the moment the ticket is logged and reported monthly.",
        ("What is the SLA of {product}?",),
        ("sla", "support-contract"),
    ),
    (
        "How do we open a ticket under {product}?",
        "Through the Kestrel support portal, by e-mail to support@kestrel.example or by phone "
        "(+44 20 7946 0000). Have the serial number or contract number ready.",
        ("How do I contact support for {product}?",),
        ("support", "tickets"),
    ),
    (
        "Can {product} be renewed or upgraded mid-term?",
        "Yes. An upgrade takes effect on the next working day and is charged pro rata; renewals are "
        "offered 90 days before the end of the term.",
        ("Can we upgrade {product} during the contract?",),
        ("renewal", "licensing"),
    ),
)

LICENCE_QUESTIONS = (
    (
        "What happens when our {product} licence expires?",
        "The device keeps forwarding traffic with the last configuration, but signature updates, "
        "cloud management and support stop. Renew within 30 days to keep continuous coverage without "
        "a reinstatement fee.",
        ("Does the device stop working when the {product} licence runs out?",),
        ("licensing", "renewal"),
    ),
    (
        "Is the {product} licence transferable to a replacement unit?",
        "Yes, after an RMA replacement the {product} licence moves to the new serial number at no cost; "
        "support does it when it ships the replacement.",
        ("Can we move the {product} licence to another device?",),
        ("licensing", "rma"),
    ),
    (
        "Our order arrived without the {product} licence key. What now?",
        "Licence keys are sent by e-mail to the ordering contact, not in the box. Check the spam folder "
        "for a message from licensing@kestrel.example; otherwise open a ticket with the order number "
        "and we re-send it within one working day.",
        ("We did not receive the {product} licence.", "Where is my {product} licence key?"),
        ("licensing", "orders"),
    ),
)

VPN_QUESTIONS = (
    (
        "Which operating systems does {product} support?",
        "{product} runs on Windows 10/11, macOS 13 and later, Ubuntu 22.04/24.04, iOS and Android.",
        ("Is there a Mac client for {product}?", "Does {product} run on Linux?"),
        ("vpn", "clients"),
    ),
    (
        "Can {product} connect automatically before Windows sign-in?",
        "Yes: the *Always On* mode starts the tunnel before sign-in, so domain logon scripts and "
        "password changes work from home.",
        ("Always-on VPN with {product}?",),
        ("vpn", "windows"),
    ),
    (
        "Does {product} support split tunnelling?",
        "Yes, by destination network or by application. Microsoft 365 and Teams traffic can bypass the "
        "tunnel, which the admin sets centrally.",
        ("Can we send only company traffic through {product}?",),
        ("vpn", "split-tunnelling"),
    ),
)

CLOUD_QUESTIONS = (
    (
        "Where is the data of {product} hosted?",
        "{product} runs in Kestrel's EU data centres (Frankfurt and Dublin); configuration and logs never "
        "leave the EU. A UK region is available on request.",
        ("Is {product} GDPR compliant?", "Data residency of {product}?"),
        ("cloud", "gdpr", "data-residency"),
    ),
    (
        "What availability does {product} guarantee?",
        "99.9 % monthly availability, with service credits when we miss it. Devices keep working if the "
        "cloud is unreachable; only central changes wait.",
        ("What is the uptime SLA of {product}?",),
        ("cloud", "sla"),
    ),
    (
        "Does {product} support role-based access and SSO?",
        "Yes: roles per site or device group, and SSO with Azure AD, Okta or any SAML 2.0 identity "
        "provider, with MFA enforced by the provider.",
        ("Can our admins log in to {product} with Okta?",),
        ("cloud", "sso", "rbac"),
    ),
)

# Asked about every product line.
GENERIC_QUESTIONS = (
    (
        "What is the lead time for {product}?",
        "Stock items ship within five working days of order confirmation; larger projects (over 50 units) "
        "are scheduled with you. Partners see current stock in the partner portal.",
        ("How quickly can you deliver {product}?", "When will {product} arrive if we order today?"),
        ("orders", "delivery"),
    ),
    (
        "Where can I find the datasheet for {product}?",
        "The current datasheet for {product} is on the Kestrel website under *Products → Datasheets*, and "
        "in the partner portal with the installation guide and certificates.",
        ("Is there a spec sheet for {product}?",),
        ("documentation", "datasheet"),
    ),
    (
        "How long will {product} be supported?",
        "Kestrel announces end of sale at least 12 months ahead and supports a product for five years "
        "after its end of sale, with security fixes for the whole period.",
        ("What is the end-of-life policy for {product}?", "Will {product} be discontinued soon?"),
        ("lifecycle", "support"),
    ),
    (
        "Can we get a trial or demo of {product}?",
        "Yes. Partners can order a 60-day evaluation of {product} at no charge; customers can ask their "
        "partner or account manager, who will arrange it along with a remote walkthrough.",
        ("Is there a free trial of {product}?", "Can we test {product} before buying?"),
        ("trial", "presales"),
    ),
    (
        "Is training available for {product}?",
        "Kestrel Academy offers a one-day administrator course for {product} (online or in person) and "
        "free self-paced videos. Partners get two course places a year with their partner status.",
        ("Do you offer courses on {product}?",),
        ("training",),
    ),
    (
        "How do I get a quote for {product}?",
        "Ask your Kestrel partner or account manager with the quantity, the licence term (one, three or "
        "five years) and the support level you want; quotes usually come back within one working day.",
        ("What does {product} cost?", "Price of {product}?"),
        ("pricing", "quotes"),
    ),
    (
        "Can {product} be managed in Kestrel Cloud Manager?",
        "Yes. {product} appears in Kestrel Cloud Manager with inventory, health, configuration backups "
        "and alerts; a Cloud Manager licence is needed per device or per service.",
        ("Does {product} work with Cloud Manager?",),
        ("cloud", "management"),
    ),
    (
        "How do I return a faulty {product}?",
        "Open an RMA in the support portal with the serial number and a short description of the fault. "
        "Under a support contract the replacement ships before you return the faulty unit.",
        ("RMA process for {product}?", "Our {product} is broken, how do we replace it?"),
        ("rma", "support"),
    ),
)

GENERIC_ARTICLES = (
    (
        "how_to",
        "Getting started with {product}",
        "## First steps\n\n1. Register {product} in the support portal with its serial number or "
        "contract number.\n2. Add it to Kestrel Cloud Manager if you use it.\n3. Read the release notes "
        "of the current version.\n\n## Where to get help\n\nThe support portal, your partner, or "
        "support@kestrel.example.",
    ),
    (
        "troubleshooting",
        "{product}: collecting diagnostics for support",
        "Before you open a ticket about {product}, collect:\n\n- the serial or contract number;\n"
        "- the software version;\n- a diagnostics bundle (**System → Diagnostics → Download**);\n"
        "- the time the problem started and what changed.\n\nAttach them to the ticket; it saves a "
        "round trip.",
    ),
    (
        "product_note",
        "{product}: ordering and licensing notes",
        "{product} is ordered through Kestrel partners. Licences are per device (hardware) or per "
        "contract (services), for one, three or five years, co-termed on request.",
    ),
)

FAMILIES: tuple[Family, ...] = (
    *[
        Family(
            f"eg{facts['product'].split()[-1]}",
            (facts["product"], f"KS-EG-{facts['product'].split()[-1]}"),
            facts,
            GATEWAY_QUESTIONS,
            GATEWAY_ARTICLES,
        )
        for facts in (
            _gateway("200", "2 Gbit/s", "50", "250", "eight 1 GbE copper ports and two SFP ports"),
            _gateway(
                "400",
                "5 Gbit/s",
                "200",
                "500",
                "eight 1 GbE ports, four 2.5 GbE ports and two 10 GbE SFP+ ports",
            ),
            _gateway(
                "800",
                "20 Gbit/s",
                "1,000",
                "5,000",
                "sixteen 1 GbE ports, eight 10 GbE SFP+ and two 25 GbE SFP28 ports",
            ),
        )
    ],
    *[
        _simple(
            f"sw{n}",
            (f"Kestrel Switch {n}P", f"KS-SW-{n}P"),
            {"product": f"Kestrel Switch {n}P", "ports": str(n), "poe": poe, "uplinks": up},
            SWITCH_QUESTIONS,
        )
        for n, poe, up in (("24", "370 W", "four 10 GbE SFP+"), ("48", "740 W", "four 25 GbE SFP28"))
    ],
    _simple(
        "core",
        ("Kestrel Core Switch 9000", "KS-CS-9000"),
        {
            "product": "Kestrel Core Switch 9000",
            "ports": "48",
            "poe": "no PoE",
            "uplinks": "eight 100 GbE QSFP28",
        },
        SWITCH_QUESTIONS[1:],
    ),
    *[
        _simple(
            f"fw{n}",
            (f"Kestrel Firewall {n}", f"KS-FW-{n}"),
            {"product": f"Kestrel Firewall {n}", "ips": ips},
            FIREWALL_QUESTIONS,
        )
        for n, ips in (("1000", "3.5 Gbit/s"), ("3000", "12 Gbit/s"))
    ],
    _simple(
        "vpn",
        ("Kestrel SecureConnect VPN", "KS-VPN-CLIENT"),
        {"product": "Kestrel SecureConnect VPN"},
        VPN_QUESTIONS,
    ),
    _simple(
        "cloud", ("Kestrel Cloud Manager", "KS-CM"), {"product": "Kestrel Cloud Manager"}, CLOUD_QUESTIONS
    ),
    *[
        _simple(f"lic{n}", (name, sku), {"product": name}, LICENCE_QUESTIONS)
        for n, (name, sku) in enumerate(
            (
                ("Threat Protection licence", "KS-LIC-TP"),
                ("SD-WAN Advanced licence", "KS-LIC-SDWAN"),
                ("Cloud Manager licence", "KS-LIC-CM"),
            )
        )
    ],
    *[
        _simple(
            f"svc{n}", (name, sku), {"product": name, "scope": scope, "response": response}, SERVICE_QUESTIONS
        )
        for n, (name, sku, scope, response) in enumerate(
            (
                (
                    "Managed Network Service",
                    "KS-MS-NET",
                    "24/7 monitoring of your gateways and switches, configuration changes on request, "
                    "firmware "
                    "management and capacity reports",
                    "Priority 1 incidents: response within 30 minutes, around the clock",
                ),
                (
                    "Managed SOC Service",
                    "KS-MS-SOC",
                    "24/7 security monitoring of firewall and endpoint alerts by our SOC analysts, "
                    "threat hunting and incident response guidance",
                    "Critical security alerts: analyst response within 15 minutes, around the clock",
                ),
                (
                    "Support Contract Gold",
                    "KS-SUP-GOLD",
                    "24/7 phone support, next-business-day hardware replacement and all firmware updates",
                    "Priority 1: response within 1 hour, 24/7; priority 2: within 4 business hours",
                ),
                (
                    "Support Contract Platinum",
                    "KS-SUP-PLAT",
                    "24/7 phone support with a named engineer, four-hour hardware replacement "
                    "and all updates",
                    "Priority 1: response within 15 minutes and on-site within 4 hours",
                ),
            )
        )
    ],
)


@dataclass(frozen=True)
class DemoItem:
    external_id: str
    model: type
    data: dict[str, Any]
    status: str
    products: tuple[str, ...]


def demo_items(today: dt.date) -> list[DemoItem]:
    """Every demo item, in a fixed order; status, audience and freshness vary by position."""
    items: list[DemoItem] = []
    n = 0
    for family in FAMILIES:
        questions = (*family.questions, *GENERIC_QUESTIONS)
        articles = (*family.articles, *GENERIC_ARTICLES)
        for index, (question, answer, alternatives, tags) in enumerate(questions):
            n += 1
            facts = family.facts
            status, audience, review_by = _variation(n, today)
            if family.key == "eg400" and index == 0:  # Priya's journey: must be published for customers
                status, audience, review_by = (
                    KnowledgeStatus.PUBLISHED,
                    Audience.CUSTOMERS,
                    today + dt.timedelta(days=120),
                )
            items.append(
                DemoItem(
                    f"kb-ans-{family.key}-{index + 1:02d}",
                    Answer,
                    {
                        "title": question.format(**facts),
                        "body": answer.format(**facts),
                        "alternatives": [a.format(**facts) for a in alternatives],
                        "tags": list(tags),
                        "audience": audience,
                        "review_by": review_by,
                        "owner": OWNERS[n % len(OWNERS)],
                    },
                    status,
                    family.names,
                )
            )
        for index, (kind, title, body) in enumerate(articles):
            n += 1
            status, audience, review_by = _variation(n, today)
            items.append(
                DemoItem(
                    f"kb-art-{family.key}-{index + 1:02d}",
                    Article,
                    {
                        "kind": kind,
                        "title": title.format(**family.facts),
                        "body": body.format(**family.facts),
                        "tags": [kind.replace("_", "-"), family.key],
                        "audience": audience,
                        "review_by": review_by,
                        "owner": OWNERS[n % len(OWNERS)],
                    },
                    status,
                    family.names,
                )
            )
    return items


def _variation(n: int, today: dt.date) -> tuple[str, str, dt.date]:
    status = KnowledgeStatus.PUBLISHED
    if n % 17 == 0:
        status = KnowledgeStatus.DRAFT
    elif n % 23 == 0:
        status = KnowledgeStatus.IN_REVIEW
    audience = (Audience.CUSTOMERS, Audience.CUSTOMERS, Audience.PARTNERS, Audience.INTERNAL)[n % 4]
    # A few are overdue for review, so the freshness warnings have something to show.
    review_by = (
        today - dt.timedelta(days=3 + n % 20) if n % 19 == 0 else today + dt.timedelta(days=60 + n % 200)
    )
    return status, audience, review_by


def _products(names: tuple[str, ...]) -> list[int]:
    product = apps.get_model("catalog", "Product")
    q = Q(pk__in=[])
    for name in names:
        q |= Q(sku__iexact=name) | Q(name__iexact=name)
    return list(product.objects.filter(q).values_list("pk", flat=True))


@transaction.atomic
def load_knowledge_demo(*, today: dt.date | None = None) -> dict[str, int]:
    """Create or refresh the demo answers and articles; {"created": n, "updated": n, "total": n}."""
    today = today or timezone.localdate()
    owners = {u.username: u for u in services.owner_candidates().filter(username__in=OWNERS)}
    fallback = (
        next(iter(owners.values()), None) or services.owner_candidates().order_by("-support_level").first()
    )
    if fallback is None:
        return {"created": 0, "updated": 0, "total": 0}
    created = updated = 0
    for item in demo_items(today):
        data = dict(item.data)
        data["owner_id"] = (owners.get(data.pop("owner")) or fallback).pk
        data["product_ids"] = _products(item.products)
        data["external_id"] = item.external_id
        existing = item.model.objects.filter(external_id=item.external_id).exists()
        services.item_import(actor=None, model=item.model, data=data, status=item.status)
        if existing:
            updated += 1
        else:
            created += 1
    return {"created": created, "updated": updated, "total": created + updated}
