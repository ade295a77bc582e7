"""The demo company's people, partners, customers and deals, as plain data.

The loader (``salesdesk.demo``) turns this into records; keeping the data apart keeps
both readable.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesdesk.deals.choices import OpportunityStage
from salesdesk.parties.choices import CustomerTier, UserKind

OWN_ORGANISATION = "Kestrel Systems"
DOMAIN_SUFFIX = "example"  # RFC 2606: no demo e-mail ever reaches a real mailbox


def _domain(name: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower().replace("&", "and"))
    return "-".join(part for part in slug.split("-") if part) + f".{DOMAIN_SUFFIX}"


# --- People who sign in ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    """One demo login: who it is, their password, and what to try first."""

    username: str
    first_name: str
    last_name: str
    kind: str
    level: int | None
    job_title: str
    organisation: str  # name; "" means our own organisation
    try_this: str

    @property
    def password(self) -> str:
        # Memorable, different per person, long enough for the password validators.
        return f"demo-{self.username}-2026"

    @property
    def role(self) -> str:
        if self.kind == UserKind.SUPPORT:
            return f"support L{self.level}"
        return UserKind(self.kind).label.lower()


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        "priya",
        "Priya",
        "Raman",
        UserKind.SUPPORT,
        1,
        "Support agent",
        "",
        "Answer a caller's product question; open a complaint case and escalate it to L2",
    ),
    DemoLogin(
        "tomas",
        "Tomás",
        "Silva",
        UserKind.SUPPORT,
        2,
        "Support specialist",
        "",
        "Work the escalated complaint in your queue and resolve it",
    ),
    DemoLogin(
        "amara",
        "Amara",
        "Okafor",
        UserKind.SUPPORT,
        3,
        "Solutions consultant",
        "",
        "Capture requirements on the 'Northwind logistics' opportunity",
    ),
    DemoLogin(
        "jonas",
        "Jonas",
        "Berg",
        UserKind.SUPPORT,
        4,
        "Presales engineer",
        "",
        "Design a solution and build an estimate for Northwind",
    ),
    DemoLogin(
        "felix",
        "Felix",
        "Braun",
        UserKind.SUPPORT,
        4,
        "Solution architect",
        "",
        "A second presales engineer, for Grace to balance work between",
    ),
    DemoLogin(
        "grace",
        "Grace",
        "Lindqvist",
        UserKind.SUPPORT,
        5,
        "Bid manager",
        "",
        "Review the presales board; approve Lena's deal registration; sign off estimates",
    ),
    DemoLogin(
        "robert",
        "Robert",
        "Hughes",
        UserKind.SUPPORT,
        6,
        "Head of customer service",
        "",
        "Set the SLA policy for gold customers and approval thresholds",
    ),
    DemoLogin(
        "marco",
        "Marco",
        "Rossi",
        UserKind.SALES_REP,
        None,
        "Account executive",
        "",
        "Own the Northwind deal; ask for presales support",
    ),
    DemoLogin(
        "hannah",
        "Hannah",
        "Weber",
        UserKind.SALES_REP,
        None,
        "Account executive",
        "",
        "Move one of your opportunities to the next stage",
    ),
    DemoLogin(
        "david",
        "David",
        "Chen",
        UserKind.SALES_REP,
        None,
        "Sales manager",
        "",
        "Take the Fairhaven deal through negotiation; send approved proposals",
    ),
    DemoLogin(
        "lena",
        "Lena",
        "Fischer",
        UserKind.PARTNER,
        None,
        "Reseller account manager",
        "Brightpath IT Solutions",
        "Register a deal for Northwind; see only Brightpath's customers",
    ),
    DemoLogin(
        "pieter",
        "Pieter",
        "de Vries",
        UserKind.PARTNER,
        None,
        "Channel manager",
        "Meridian Distribution",
        "See Meridian's customers; never Brightpath's",
    ),
    DemoLogin(
        "katrin",
        "Katrin",
        "Huber",
        UserKind.PARTNER,
        None,
        "Account manager",
        "Alpenblick Systemhaus",
        "See Alpenblick's customers and deals",
    ),
    DemoLogin(
        "sam",
        "Sam",
        "Patel",
        UserKind.CUSTOMER,
        None,
        "IT lead",
        "Northwind Logistics",
        "Open a case in the portal; sign off requirements",
    ),
    DemoLogin(
        "ingrid",
        "Ingrid",
        "Solberg",
        UserKind.CUSTOMER,
        None,
        "Head of IT",
        "Bluefjord Seafood",
        "Open a case; see nothing of Northwind",
    ),
    DemoLogin(
        "admin",
        "Alex",
        "Morgan",
        UserKind.ADMIN,
        None,
        "IT operations",
        "",
        "Manage users and back up the instance (no business approvals)",
    ),
)


# --- Organisations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPartner:
    name: str
    country: str
    industry: str
    notes: str


PARTNERS: tuple[DemoPartner, ...] = (
    DemoPartner(
        "Brightpath IT Solutions",
        "GB",
        "IT reseller",
        "Value-added reseller for the UK and Ireland; strong in logistics and retail.",
    ),
    DemoPartner(
        "Meridian Distribution",
        "NL",
        "IT distributor",
        "Distributor for the Benelux and the Nordics; resells through smaller integrators.",
    ),
    DemoPartner(
        "Alpenblick Systemhaus",
        "AT",
        "IT reseller",
        "Systemhaus for Germany and Austria; manufacturing and pharma accounts.",
    ),
)


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    industry: str
    country: str
    tier: str
    partner: str  # "" when we serve the customer directly
    owner: str  # the sales rep's username


G, S_, STD = CustomerTier.GOLD, CustomerTier.SILVER, CustomerTier.STANDARD
BRIGHTPATH, MERIDIAN, ALPENBLICK = (p.name for p in PARTNERS)

CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer("Northwind Logistics", "Logistics", "GB", G, BRIGHTPATH, "marco"),
    DemoCustomer("Alderbank Insurance", "Insurance", "DE", G, "", "hannah"),
    DemoCustomer("Bluefjord Seafood", "Food production", "NO", STD, MERIDIAN, "david"),
    DemoCustomer("Castell Health Trust", "Healthcare", "GB", G, "", "marco"),
    DemoCustomer("Dunmore Retail Group", "Retail", "IE", S_, BRIGHTPATH, "marco"),
    DemoCustomer("Elbe Maschinenbau", "Manufacturing", "DE", S_, ALPENBLICK, "hannah"),
    DemoCustomer("Fairhaven City Council", "Public sector", "GB", S_, "", "david"),
    DemoCustomer("Granite Peak Energy", "Energy", "US", G, "", "david"),
    DemoCustomer("Hollis & Grant Solicitors", "Legal services", "GB", STD, BRIGHTPATH, "marco"),
    DemoCustomer("Isarwerk Pharma", "Pharmaceuticals", "DE", G, ALPENBLICK, "hannah"),
    DemoCustomer("Juniper Hotels", "Hospitality", "ES", STD, MERIDIAN, "david"),
    DemoCustomer("Kilnworth Ceramics", "Manufacturing", "GB", STD, "", "marco"),
    DemoCustomer("Lakeside University", "Education", "IE", S_, "", "hannah"),
    DemoCustomer("Moravia Bank", "Banking", "CZ", G, "", "hannah"),
    DemoCustomer("Oakridge Foods", "Food retail", "NL", S_, MERIDIAN, "david"),
    DemoCustomer("Pellham Media", "Media", "GB", STD, BRIGHTPATH, "marco"),
    DemoCustomer("Quayside Ports Authority", "Transport", "BE", S_, MERIDIAN, "david"),
    DemoCustomer("Rhein Stahl Recycling", "Recycling", "DE", STD, ALPENBLICK, "hannah"),
    DemoCustomer("Solent Marine Engineering", "Engineering", "GB", STD, "", "marco"),
    DemoCustomer("Tessaro Moda", "Fashion retail", "IT", S_, "", "hannah"),
)

# Contacts at Northwind are the ones JOURNEYS.md names; the others follow a pattern.
NORTHWIND_CONTACTS = (
    ("Sam", "Patel", "IT lead"),
    ("Olivia", "Grant", "Head of procurement"),
    ("Kwame", "Mensah", "Warehouse operations manager"),
)
FIRST_NAMES = (
    "Anna",
    "Ben",
    "Chloé",
    "Dmitri",
    "Emma",
    "Farid",
    "Greta",
    "Hugo",
    "Isabel",
    "Jakub",
    "Keiko",
    "Luca",
    "Maja",
    "Nils",
    "Oona",
    "Pavel",
    "Rosa",
    "Stefan",
    "Tara",
    "Umar",
)
LAST_NAMES = (
    "Andersen",
    "Baker",
    "Costa",
    "Dvořák",
    "Evans",
    "Fontaine",
    "García",
    "Hansen",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Novak",
    "O'Brien",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Thomsen",
)
CONTACT_ROLES = ("IT director", "Procurement manager", "Infrastructure architect")


def _contacts_for(index: int, customer: DemoCustomer) -> list[tuple[str, str, str]]:
    if customer.name == "Northwind Logistics":
        return list(NORTHWIND_CONTACTS)
    people = []
    for n, role in enumerate(CONTACT_ROLES[: 2 + index % 2]):
        first = FIRST_NAMES[(index + 7 * n) % len(FIRST_NAMES)]
        last = LAST_NAMES[(3 * index + 11 * n) % len(LAST_NAMES)]
        people.append((first, last, role))
    for login in DEMO_LOGINS:
        if login.kind == UserKind.CUSTOMER and login.organisation == customer.name:
            people[0] = (login.first_name, login.last_name, login.job_title)
    return people


def _email(first: str, last: str, organisation: str) -> str:
    local = "".join(ch for ch in f"{first}.{last}".lower() if ch.isascii() and (ch.isalnum() or ch == "."))
    return f"{local}@{_domain(organisation)}"


# --- Opportunities --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoOpportunity:
    name: str
    account: str
    stage: str
    amount: str
    close_in_days: int  # from the day the demo is loaded; negative for closed deals
    description: str
    lost_reason: str = ""


ST = OpportunityStage
OPPORTUNITIES: tuple[DemoOpportunity, ...] = (
    DemoOpportunity(
        "Northwind logistics",
        "Northwind Logistics",
        ST.DISCOVERY,
        "1250000",
        120,
        "Replace the warehouse tracking platform across 14 depots: 2,000 peak users, "
        "p95 response ≤ 2 s, 99.9 % availability, SSO with Azure AD.",
    ),
    DemoOpportunity(
        "Alderbank SSO rollout",
        "Alderbank Insurance",
        ST.QUALIFICATION,
        "85000",
        150,
        "Single sign-on for 1,200 staff and broker portal users.",
    ),
    DemoOpportunity(
        "Lakeside campus Wi-Fi refresh",
        "Lakeside University",
        ST.QUALIFICATION,
        "240000",
        200,
        "Replace 600 access points in halls and lecture theatres before the autumn term.",
    ),
    DemoOpportunity(
        "Moravia Bank branch SD-WAN",
        "Moravia Bank",
        ST.DISCOVERY,
        "420000",
        180,
        "SD-WAN for 85 branches, with encrypted backup links over LTE.",
    ),
    DemoOpportunity(
        "Castell Health secure remote access",
        "Castell Health Trust",
        ST.SOLUTION,
        "310000",
        90,
        "Zero-trust remote access for clinicians; NHS DSPT evidence required.",
    ),
    DemoOpportunity(
        "Isarwerk lab data backup",
        "Isarwerk Pharma",
        ST.SOLUTION,
        "180000",
        75,
        "Immutable cloud backup for GxP lab systems, 30 TB, validated restore tests.",
    ),
    DemoOpportunity(
        "Granite Peak edge gateways",
        "Granite Peak Energy",
        ST.PROPOSAL,
        "640000",
        45,
        "Edge Gateway 400 at 120 substations with central management.",
    ),
    DemoOpportunity(
        "Dunmore store network refresh",
        "Dunmore Retail Group",
        ST.PROPOSAL,
        "155000",
        60,
        "Switches and Wi-Fi for 38 stores, installed overnight by the partner.",
    ),
    DemoOpportunity(
        "Fairhaven council cloud migration",
        "Fairhaven City Council",
        ST.NEGOTIATION,
        "520000",
        30,
        "Move 140 virtual machines to managed cloud hosting with a 3-year service.",
    ),
    DemoOpportunity(
        "Oakridge Foods POS integration",
        "Oakridge Foods",
        ST.NEGOTIATION,
        "95000",
        21,
        "Integrate point-of-sale data with the new stock system.",
    ),
    DemoOpportunity(
        "Elbe Maschinenbau factory monitoring",
        "Elbe Maschinenbau",
        ST.WON,
        "210000",
        -40,
        "Sensor gateways and dashboards for two production halls.",
    ),
    DemoOpportunity(
        "Tessaro e-commerce hosting",
        "Tessaro Moda",
        ST.WON,
        "75000",
        -75,
        "Managed hosting for the web shop, with peak scaling for sale seasons.",
    ),
    DemoOpportunity(
        "Quayside port access control",
        "Quayside Ports Authority",
        ST.LOST,
        "330000",
        -20,
        "Badge and gate access control for three terminals.",
        lost_reason="A competitor offered native integration with the port's existing badge system.",
    ),
    DemoOpportunity(
        "Juniper Hotels guest Wi-Fi",
        "Juniper Hotels",
        ST.LOST,
        "120000",
        -60,
        "Guest Wi-Fi with captive portal for 22 hotels.",
        lost_reason="Budget moved to the next financial year.",
    ),
)

# --- Teams and product skills ----------------------------------------------------------------------

TEAMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Service desk", "First and second line: calls, e-mails, cases.", ("priya", "tomas")),
    ("Solutions consulting", "Requirements workshops and bid answers.", ("amara",)),
    ("Presales EMEA", "Solution design, feasibility, estimates and plans.", ("jonas", "felix", "grace")),
    ("Customer service leadership", "Service policy, approvals, improvement.", ("grace", "robert")),
)
SKILLS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Edge Gateway", "Edge Gateway 400/800 appliances and their management.", ("priya", "tomas", "jonas")),
    ("Identity and SSO", "Single sign-on with Azure AD, Okta and LDAP.", ("tomas", "amara", "jonas")),
    ("SD-WAN", "Branch networking and WAN optimisation.", ("felix", "jonas")),
    ("Cloud backup", "Immutable backup and restore services.", ("tomas", "felix")),
    ("Managed hosting", "Managed cloud hosting and migrations.", ("amara", "felix", "grace")),
    ("Warehouse management", "Warehouse tracking platforms and integrations.", ("amara", "jonas")),
)


# --- The loader --------------------------------------------------------------------------------------
