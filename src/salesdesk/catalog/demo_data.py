"""Kestrel Systems' catalog as plain data: categories, products and services, options,
bundles and compatibility rules. ``catalog.demo`` turns it into records.

Prices are in EUR, list prices as the price list shows them; cost prices are derived
(55–70 % of list, see ``COST_RATIOS``). A successor is always listed before the item
it replaces, so the loader can link it when it creates the older item.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .choices import Lifecycle, OfferingKind, RuleKind

# The current price list starts on 1 January 2026; a few items also carry last year's
# price, so their price history is not a single line.
PRICE_LIST_FROM = dt.date(2026, 1, 1)
PREVIOUS_PRICE_LIST = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
# Planned items are priced from their launch date.
LAUNCH_FROM = dt.date(2027, 3, 1)
# Cost as a share of list price, cycled over the items in order: deterministic, 55–70 %.
COST_RATIOS = ("0.55", "0.62", "0.58", "0.70", "0.66", "0.60")

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("Edge gateways", "Branch and campus gateways: routing, VPN and single sign-on at the edge"),
    ("Switches", "Access and core Ethernet switches"),
    ("Firewalls", "Next-generation firewalls and threat prevention"),
    ("Wireless", "Wi-Fi access points and controllers"),
    ("Application servers", "Servers sized for business applications"),
    ("Storage", "Storage arrays and expansion shelves"),
    ("Cloud services", "Services run from Kestrel's cloud, billed monthly"),
    ("Licences", "Feature licences and subscriptions for Kestrel hardware"),
    ("Managed services", "Operations of the customer's estate by Kestrel's NOC and SOC"),
    ("Support contracts", "Hardware replacement, software updates and technical support"),
    ("Professional services", "Design, deployment, migration and training by Kestrel engineers"),
)

Spec = tuple[str, "int | str", str]  # name, value (a number or text), unit


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    category: str
    summary: str
    list_price: str  # EUR
    unit: str = "each"
    specs: tuple[Spec, ...] = ()
    kind: str = OfferingKind.PRODUCT
    lifecycle: str = Lifecycle.AVAILABLE
    successor: str = ""  # SKU of the item that replaces this one
    previous_price: str = ""  # last year's list price, if it differed
    lead_time_days: int | None = None
    description: str = ""


S = OfferingKind.SERVICE
EOS, EOL, PLANNED = Lifecycle.END_OF_SALE, Lifecycle.END_OF_LIFE, Lifecycle.PLANNED
_per_year, _per_month = "per device / year", "per device / month"

# The tables below are aligned by hand for reading; the formatter leaves them alone.
# fmt: off
PRODUCTS: tuple[DemoProduct, ...] = (
    # --- Edge gateways ---------------------------------------------------------------------
    DemoProduct(
        "KS-EG-200", "Edge Gateway 200", "Edge gateways",
        "Branch gateway for up to 250 users: routing, VPN, SAML single sign-on",
        "1450.00", specs=(("throughput", 2000, "Mbit/s"), ("max_vpn_tunnels", 50, "tunnels"),
                          ("max_concurrent_users", 250, "users"), ("sso_protocols", "SAML 2.0", ""),
                          ("rack_units", 1, "U")),
        lead_time_days=5,
    ),
    DemoProduct(
        "KS-EG-400", "Edge Gateway 400", "Edge gateways",
        "Campus gateway for up to 500 users with SSO to Azure AD (Entra ID) via SAML 2.0 or OIDC",
        "4900.00", previous_price="4700.00", lead_time_days=10,
        specs=(("sso_protocols", "SAML 2.0, OIDC", ""),
               ("sso_identity_providers", "Azure AD (Entra ID), Okta, Ping Identity, ADFS", ""),
               ("throughput", 5000, "Mbit/s"), ("max_vpn_tunnels", 200, "tunnels"),
               ("max_concurrent_users", 500, "users"), ("rack_units", 1, "U"), ("power_draw", 120, "W")),
        description=(
            "The Edge Gateway 400 terminates site-to-site and remote-access VPNs and signs users "
            "in against the customer's identity provider. Azure AD (Entra ID) works through SAML 2.0 "
            "or OpenID Connect; a pair of gateways runs active/standby with the HA licence."
        ),
    ),
    DemoProduct(
        "KS-EG-800", "Edge Gateway 800", "Edge gateways",
        "Data-centre gateway: 20 Gbit/s, 5,000 concurrent users, SAML/OIDC SSO",
        "11800.00", lead_time_days=15,
        specs=(("throughput", 20000, "Mbit/s"), ("max_vpn_tunnels", 1000, "tunnels"),
               ("max_concurrent_users", 5000, "users"), ("sso_protocols", "SAML 2.0, OIDC", ""),
               ("rack_units", 1, "U")),
    ),
    DemoProduct(
        "KS-EG-300", "Edge Gateway 300", "Edge gateways",
        "Previous-generation campus gateway (no OIDC); replaced by the Edge Gateway 400",
        "3900.00", lifecycle=EOL, successor="KS-EG-400",
        specs=(("throughput", 1000, "Mbit/s"), ("max_concurrent_users", 250, "users"),
               ("sso_protocols", "SAML 2.0", "")),
    ),
    DemoProduct(
        "KS-EG-1000", "Edge Gateway 1000", "Edge gateways",
        "Next data-centre gateway: 40 Gbit/s with post-quantum VPN (roadmap)",
        "18500.00", lifecycle=PLANNED,
        specs=(("throughput", 40000, "Mbit/s"), ("max_concurrent_users", 10000, "users")),
    ),
    DemoProduct("KS-RK1U", "Rack mount kit 1U", "Edge gateways",
                "19-inch rails for 1U gateways and firewalls", "95.00", lead_time_days=3),
    DemoProduct("KS-PSU-EG", "Redundant power supply (gateways)", "Edge gateways",
                "Hot-swap second power supply for the Edge Gateway 400 and 800", "340.00",
                specs=(("power_rating", 250, "W"),)),
    # --- Switches --------------------------------------------------------------------------
    DemoProduct(
        "KS-SW-48P", "Kestrel Switch 48P", "Switches",
        "48-port PoE+ access switch with 4 × 25G uplinks", "3650.00", lead_time_days=7,
        specs=(("ports", 48, "ports"), ("uplinks", "4 × 25G SFP28", ""), ("poe_budget", 740, "W"),
               ("switching_capacity", 496, "Gbit/s"), ("rack_units", 1, "U")),
    ),
    DemoProduct(
        "KS-SW-24P", "Kestrel Switch 24P", "Switches",
        "24-port PoE+ access switch with 4 × 10G uplinks", "1980.00", lead_time_days=7,
        specs=(("ports", 24, "ports"), ("uplinks", "4 × 10G SFP+", ""), ("poe_budget", 370, "W"),
               ("switching_capacity", 128, "Gbit/s")),
    ),
    DemoProduct(
        "KS-SW-48", "Kestrel Switch 48", "Switches",
        "48-port PoE access switch with 4 × 10G uplinks; end of sale, order the Switch 48P",
        "3200.00", lifecycle=EOS, successor="KS-SW-48P",
        specs=(("ports", 48, "ports"), ("uplinks", "4 × 10G SFP+", ""), ("poe_budget", 370, "W"),
               ("switching_capacity", 176, "Gbit/s")),
    ),
    DemoProduct(
        "KS-SW-8", "Kestrel Switch 8", "Switches",
        "8-port desktop switch; end of life", "420.00", lifecycle=EOL, successor="KS-SW-24P",
        specs=(("ports", 8, "ports"),),
    ),
    DemoProduct(
        "KS-CS-9000", "Kestrel Core Switch 9000", "Switches",
        "48 × 25G core switch with eight 100G QSFP28 uplinks", "21400.00", lead_time_days=21,
        specs=(("ports", 48, "ports"), ("uplinks", "8 × 100G QSFP28", ""),
               ("switching_capacity", 4000, "Gbit/s"), ("rack_units", 1, "U")),
    ),
    DemoProduct("KS-SFP10-SR", "10G SFP+ SR transceiver", "Switches",
                "Multimode 10GBASE-SR optic, 300 m", "120.00"),
    DemoProduct("KS-PSU-SW", "Redundant power supply (switches)", "Switches",
                "Second 1,000 W power supply for the Switch 24P and 48P", "460.00",
                specs=(("power_rating", 1000, "W"),)),
    # --- Firewalls -------------------------------------------------------------------------
    DemoProduct(
        "KS-FW-1000", "Kestrel Firewall 1000", "Firewalls",
        "Next-generation firewall for mid-size sites", "6200.00", previous_price="5950.00",
        lead_time_days=10,
        specs=(("firewall_throughput", 10, "Gbit/s"), ("threat_prevention_throughput", "3.5", "Gbit/s"),
               ("max_sessions", 1000000, "sessions")),
    ),
    DemoProduct(
        "KS-FW-3000", "Kestrel Firewall 3000", "Firewalls",
        "Next-generation firewall for campuses and data centres", "15900.00", lead_time_days=14,
        specs=(("firewall_throughput", 30, "Gbit/s"), ("threat_prevention_throughput", 12, "Gbit/s"),
               ("max_sessions", 4000000, "sessions")),
    ),
    DemoProduct(
        "KS-FW-500", "Kestrel Firewall 500", "Firewalls",
        "Previous mid-size firewall; end of sale, order the Firewall 1000", "5400.00",
        lifecycle=EOS, successor="KS-FW-1000",
        specs=(("firewall_throughput", 4, "Gbit/s"), ("max_sessions", 500000, "sessions")),
    ),
    DemoProduct(
        "KS-FW-6000", "Kestrel Firewall 6000", "Firewalls",
        "High-end firewall with 100G interfaces (roadmap)", "38000.00", lifecycle=PLANNED,
        specs=(("firewall_throughput", 80, "Gbit/s"),),
    ),
    # --- Wireless --------------------------------------------------------------------------
    DemoProduct("KS-AP6", "Kestrel AP 6", "Wireless", "Wi-Fi 6 indoor access point, 4×4 MU-MIMO",
                "690.00", specs=(("wifi_standard", "802.11ax (Wi-Fi 6)", ""),
                                 ("max_clients", 256, "clients"))),
    DemoProduct("KS-AP6E", "Kestrel AP 6E", "Wireless", "Wi-Fi 6E tri-band indoor access point",
                "890.00", specs=(("wifi_standard", "802.11ax 6 GHz (Wi-Fi 6E)", ""),
                                 ("max_clients", 512, "clients"))),
    DemoProduct("KS-AP6-OUT", "Kestrel AP 6 Outdoor", "Wireless", "IP67 outdoor Wi-Fi 6 access point",
                "1150.00", specs=(("ip_rating", "IP67", ""), ("max_clients", 256, "clients"))),
    DemoProduct("KS-AP5", "Kestrel AP 5", "Wireless", "Wi-Fi 5 access point; end of life",
                "420.00", lifecycle=EOL, successor="KS-AP6",
                specs=(("wifi_standard", "802.11ac (Wi-Fi 5)", ""),)),
    DemoProduct("KS-WLC200", "Kestrel Wireless Controller 200", "Wireless",
                "On-premises controller for up to 200 access points", "5600.00",
                specs=(("max_access_points", 200, "access points"), ("max_clients", 10000, "clients"))),
    # --- Application servers ---------------------------------------------------------------
    DemoProduct(
        "KS-AS220", "Kestrel App Server 220", "Application servers",
        "1U application server for up to 500 concurrent users", "8900.00", lead_time_days=14,
        specs=(("max_concurrent_users", 500, "users"), ("throughput", 1200, "req/s"), ("cores", 16, "cores"),
               ("memory_gb", 128, "GB"), ("storage_tb", "3.84", "TB")),
    ),
    DemoProduct(
        "KS-AS440", "Kestrel App Server 440", "Application servers",
        "2U application server for up to 2,000 concurrent users", "16400.00", lead_time_days=14,
        specs=(("max_concurrent_users", 2000, "users"), ("throughput", 4800, "req/s"), ("cores", 32, "cores"),
               ("memory_gb", 256, "GB"), ("storage_tb", "7.68", "TB")),
    ),
    DemoProduct(
        "KS-AS880", "Kestrel App Server 880", "Application servers",
        "2U dual-socket server for up to 6,000 concurrent users", "31800.00", lead_time_days=21,
        specs=(("max_concurrent_users", 6000, "users"), ("throughput", 12000, "req/s"),
               ("cores", 64, "cores"), ("memory_gb", 512, "GB"), ("storage_tb", "15.36", "TB")),
    ),
    DemoProduct(
        "KS-AS110", "Kestrel App Server 110", "Application servers",
        "Entry server for up to 200 users; end of sale, order the App Server 220", "5200.00",
        lifecycle=EOS, successor="KS-AS220",
        specs=(("max_concurrent_users", 200, "users"), ("throughput", 450, "req/s"), ("cores", 8, "cores"),
               ("memory_gb", 64, "GB"), ("storage_tb", "1.92", "TB")),
    ),
    DemoProduct("KS-MEM64", "64 GB memory upgrade", "Application servers",
                "Two 32 GB DDR5 RDIMMs for the App Server range", "780.00", specs=(("memory_gb", 64, "GB"),)),
    # --- Storage ---------------------------------------------------------------------------
    DemoProduct("KS-ST12", "Kestrel Storage Array 12", "Storage", "All-flash array, 48 TB usable",
                "24500.00", lead_time_days=21,
                specs=(("usable_capacity_tb", 48, "TB"), ("iops", 150000, "IOPS"))),
    DemoProduct("KS-ST24", "Kestrel Storage Array 24", "Storage", "All-flash array, 180 TB usable",
                "61000.00", lead_time_days=28,
                specs=(("usable_capacity_tb", 180, "TB"), ("iops", 400000, "IOPS"))),
    DemoProduct("KS-ST-SHELF", "Expansion shelf 24 × 7.68 TB", "Storage",
                "Adds 120 TB usable to a Storage Array 12", "18900.00",
                specs=(("usable_capacity_tb", 120, "TB"),)),
    # --- Cloud services --------------------------------------------------------------------
    DemoProduct("KS-CL-BKP", "Kestrel Cloud Backup", "Cloud services",
                "Off-site backup with 90-day retention",
                "38.00", unit="per TB / month", kind=S,
                specs=(("retention_days", 90, "days"), ("rpo_hours", 24, "hours"))),
    DemoProduct("KS-CL-DR", "Kestrel Cloud Disaster Recovery", "Cloud services",
                "Fail-over of protected VMs to Kestrel's cloud", "45.00", unit="per VM / month", kind=S,
                specs=(("rto_hours", 4, "hours"), ("rpo_minutes", 15, "minutes"))),
    DemoProduct("KS-CL-IDB", "Kestrel Cloud Identity Bridge", "Cloud services",
                "Hosted SSO broker between Azure AD, Okta and Kestrel devices", "2.40",
                unit="per user / month", kind=S,
                specs=(("sso_protocols", "SAML 2.0, OIDC, SCIM 2.0", ""),)),
    DemoProduct("KS-CM", "Kestrel Cloud Manager", "Cloud services",
                "Cloud management: zero-touch provisioning, templates, monitoring and alerting",
                "6.50", unit=_per_month, kind=S, specs=(("max_devices", 10000, "devices"),)),
    # --- Licences --------------------------------------------------------------------------
    DemoProduct("KS-LIC-HA400", "HA licence for Edge Gateway 400", "Licences",
                "Active/standby high availability for a pair of Edge Gateway 400", "1200.00",
                unit="per pair"),
    DemoProduct("KS-LIC-TP", "Threat Protection licence", "Licences",
                "IPS, URL filtering, sandboxing and threat feeds for gateways and firewalls", "890.00",
                unit=_per_year),
    DemoProduct("KS-LIC-SDWAN", "SD-WAN Advanced licence", "Licences",
                "Application-aware path selection and zero-touch branch provisioning", "640.00",
                unit=_per_year),
    DemoProduct("KS-LIC-CM", "Cloud Manager licence", "Licences",
                "Adds a device to Kestrel Cloud Manager", "120.00", unit=_per_year),
    DemoProduct("KS-VPN-CLIENT", "Kestrel SecureConnect VPN", "Licences",
                "Remote-access VPN client with SSO sign-in, for Edge Gateways", "24.00",
                unit="per user / year", specs=(("platforms", "Windows, macOS, iOS, Android, Linux", ""),)),
    DemoProduct("KS-LIC-AP", "Access point licence", "Licences",
                "Lets the Wireless Controller 200 manage one more access point", "85.00",
                unit="per access point"),
    DemoProduct("KS-LIC-ASENT", "App Server Enterprise licence", "Licences",
                "Clustering and live migration for the App Server range", "2400.00",
                unit="per server / year"),
    # --- Managed services ------------------------------------------------------------------
    DemoProduct("KS-MS-NET", "Managed Network Service", "Managed services",
                "24/7 monitoring, patching and changes by the Kestrel NOC", "29.00", unit=_per_month, kind=S),
    DemoProduct("KS-MS-SOC", "Managed SOC Service", "Managed services",
                "Log analysis and incident response by the Kestrel SOC", "1450.00",
                unit="per site / month", kind=S),
    DemoProduct("KS-MS-WIFI", "Managed Wi-Fi", "Managed services",
                "Wi-Fi operations, RF tuning and reporting", "9.00", unit="per access point / month", kind=S),
    # --- Support contracts -----------------------------------------------------------------
    DemoProduct("KS-SUP-GOLD", "Support Contract Gold", "Support contracts",
                "24/7 phone support, next-business-day hardware replacement, firmware updates",
                "390.00", unit=_per_year, kind=S, specs=(("replacement_time", "next business day", ""),)),
    DemoProduct("KS-SUP-PLAT", "Support Contract Platinum", "Support contracts",
                "24/7 support with a named engineer and four-hour hardware replacement", "890.00",
                unit=_per_year, kind=S, specs=(("replacement_time", 4, "hours"),)),
    DemoProduct("KS-SUP-SILVER", "Support Contract Silver", "Support contracts",
                "Office-hours support and return-to-base repair; end of sale", "190.00",
                unit=_per_year, kind=S, lifecycle=EOS, successor="KS-SUP-GOLD"),
    # --- Professional services -------------------------------------------------------------
    DemoProduct("KS-PS-DAY", "Deployment engineer day", "Professional services",
                "On-site or remote installation and configuration", "1250.00", unit="per day", kind=S),
    DemoProduct("KS-PS-SSO", "SSO integration package", "Professional services",
                "Connect Edge Gateways to Azure AD or Okta (SAML/OIDC), tested with the customer",
                "3800.00", unit="fixed price", kind=S, specs=(("duration_days", 3, "days"),)),
    DemoProduct("KS-PS-ASSESS", "Network assessment", "Professional services",
                "Survey, design review and written recommendations", "6500.00", unit="fixed price",
                kind=S, specs=(("duration_days", 5, "days"),)),
    DemoProduct("KS-PS-FWMIG", "Firewall migration service", "Professional services",
                "Rule-base conversion and cut-over from a third-party firewall", "5400.00",
                unit="per firewall", kind=S),
    DemoProduct("KS-PS-TRAIN", "Administrator training", "Professional services",
                "Two-day course for the customer's administrators", "1100.00", unit="per participant",
                kind=S),
    # --- Bundles (their components are above) ----------------------------------------------
    DemoProduct("KS-BND-BRANCH", "Branch Office Starter Bundle", "Edge gateways",
                "Gateway, switch and two access points for a small branch", "3990.00"),
    DemoProduct("KS-BND-EG400HA", "Edge Gateway 400 HA Pair", "Edge gateways",
                "Two Edge Gateway 400 with the HA licence and redundant power", "11200.00"),
    DemoProduct("KS-BND-SECSITE", "Secure Site Bundle", "Firewalls",
                "Firewall 1000 with a year of Threat Protection and Gold support", "7900.00"),
)

# (product SKU, option SKU, note)
OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("KS-EG-400", "KS-RK1U", "needed for a 19-inch rack"),
    ("KS-EG-400", "KS-PSU-EG", "recommended for HA pairs"),
    ("KS-EG-400", "KS-LIC-HA400", "active/standby with a second gateway"),
    ("KS-EG-400", "KS-LIC-TP", ""),
    ("KS-EG-800", "KS-RK1U", ""),
    ("KS-EG-800", "KS-PSU-EG", ""),
    ("KS-SW-48P", "KS-PSU-SW", "doubles the PoE budget"),
    ("KS-SW-48P", "KS-SFP10-SR", ""),
    ("KS-SW-24P", "KS-SFP10-SR", ""),
    ("KS-FW-1000", "KS-LIC-TP", ""),
    ("KS-FW-1000", "KS-RK1U", ""),
    ("KS-WLC200", "KS-LIC-AP", "one per managed access point"),
    ("KS-AS220", "KS-MEM64", ""),
    ("KS-AS440", "KS-MEM64", ""),
    ("KS-AS440", "KS-LIC-ASENT", ""),
    ("KS-ST12", "KS-ST-SHELF", "up to two shelves"),
)

# bundle SKU -> ((component SKU, quantity), ...)
BUNDLES: dict[str, tuple[tuple[str, int], ...]] = {
    "KS-BND-BRANCH": (("KS-EG-200", 1), ("KS-SW-24P", 1), ("KS-AP6", 2)),
    "KS-BND-EG400HA": (("KS-EG-400", 2), ("KS-LIC-HA400", 1), ("KS-PSU-EG", 2)),
    "KS-BND-SECSITE": (("KS-FW-1000", 1), ("KS-LIC-TP", 1), ("KS-SUP-GOLD", 1)),
}


@dataclass(frozen=True)
class DemoRule:
    product: str
    kind: str
    message: str
    other: str = ""
    spec_name: str = ""
    limit: str = ""


R = RuleKind
RULES: tuple[DemoRule, ...] = (
    DemoRule("KS-LIC-HA400", R.REQUIRES, "The HA licence pairs two gateways: add a second Edge Gateway 400.",
             other="KS-EG-400"),
    DemoRule("KS-LIC-CM", R.REQUIRES, "Cloud Manager licences need a Kestrel Cloud Manager subscription.",
             other="KS-CM"),
    DemoRule("KS-LIC-AP", R.REQUIRES, "Access point licences are installed on a Wireless Controller 200.",
             other="KS-WLC200"),
    DemoRule("KS-MS-WIFI", R.REQUIRES, "Managed Wi-Fi runs through a Wireless Controller 200.",
             other="KS-WLC200"),
    DemoRule("KS-ST-SHELF", R.REQUIRES, "The expansion shelf attaches to a Storage Array 12.",
             other="KS-ST12"),
    DemoRule("KS-EG-200", R.EXCLUDES, "The Edge Gateway 200 has no HA mode: use the Edge Gateway 400.",
             other="KS-LIC-HA400"),
    DemoRule("KS-AP5", R.EXCLUDES, "The Wireless Controller 200 does not manage Wi-Fi 5 access points.",
             other="KS-WLC200"),
    DemoRule("KS-FW-500", R.EXCLUDES, "The Firewall 500 cannot run SD-WAN Advanced: use the Firewall 1000.",
             other="KS-LIC-SDWAN"),
    DemoRule("KS-EG-400", R.CAPACITY_LIMIT, "An Edge Gateway 400 serves at most 500 concurrent users.",
             spec_name="max_concurrent_users", limit="500"),
    DemoRule("KS-AS220", R.CAPACITY_LIMIT, "An App Server 220 serves at most 500 concurrent users.",
             spec_name="max_concurrent_users", limit="500"),
    DemoRule("KS-AS220", R.CAPACITY_LIMIT, "An App Server 220 handles at most 1,200 requests per second.",
             spec_name="throughput", limit="1200"),
    DemoRule("KS-AS440", R.CAPACITY_LIMIT, "An App Server 440 serves at most 2,000 concurrent users.",
             spec_name="max_concurrent_users", limit="2000"),
    DemoRule("KS-AS880", R.CAPACITY_LIMIT, "An App Server 880 serves at most 6,000 concurrent users.",
             spec_name="max_concurrent_users", limit="6000"),
    DemoRule("KS-WLC200", R.CAPACITY_LIMIT, "A Wireless Controller 200 manages at most 200 access points.",
             spec_name="max_access_points", limit="200"),
)
# fmt: on
