"""The capability table, cell by cell: every capability × every kind of user and level.

The expected table below is written out by hand from DESIGN §1, independently of
``core.permissions``; a change to either without the other fails here.
"""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from salesdesk.core.permissions import CAPABILITIES, capabilities_of, holds, require

# capability: (lowest support level, or "-" for none) + the other kinds holding it
# S = sales rep, P = partner user, C = customer user, A = admin
EXPECTED = """
catalog.view              1 S P C
catalog.cost_view         1 S
catalog.export            1 S
knowledge.view            1 S P C
interaction.log           1 S P
organisation.view         1 S P C
organisation.create       1 S
organisation.edit         1 S
contact.view              1 S P C
contact.edit              1 S P
opportunity.view          1 S P
case.open                 1 S P C
case.escalate             1
job.view                  1 S P C A
audit.view                1 S P C A
organisation.export       1 S P
solution.view             1 S
case.resolve              2
knowledge.draft           2
solution.propose_simple   2
requirement.manage        3
requirement.baseline      3
bid.contribute            3
solution.design           4
capacity.model            4
estimate.edit             4
opportunity.edit          4 S
estimate.signoff          5
bid.technical_signoff     5
presales.assign           5
knowledge.publish         5
metrics.define            5
deal.approve              5
catalog.edit              5
policy.set                6
proposal.approve          6
initiative.open           6
product_gap.triage        6
opportunity.create        4 S
presales.request          1 S P
presales.deliver          3
proposal.view             3 S P C
proposal.send             - S
deal.register             - P
case.reply                1 S P C
requirement.signoff       - C
proposal.accept           - C
service.rate              - C
user.manage               - A
token.manage              1 S P C A
"""

KIND_LETTERS = {"S": "sales_rep", "P": "partner", "C": "customer", "A": "admin"}


def _expected() -> dict[str, tuple[int | None, set[str]]]:
    table = {}
    for line in EXPECTED.strip().splitlines():
        name, level, *kinds = line.split()
        table[name] = (None if level == "-" else int(level), {KIND_LETTERS[k] for k in kinds})
    return table


TABLE = _expected()


def person(kind: str, level: int | None = None, active: bool = True) -> SimpleNamespace:
    return SimpleNamespace(kind=kind, support_level=level, is_active=active, is_authenticated=True)


PERSONAS = [(f"support L{n}", person("support", n)) for n in range(1, 7)] + [
    (kind, person(kind)) for kind in ("sales_rep", "partner", "customer", "admin")
]


def test_the_table_lists_exactly_the_capabilities_in_code():
    assert set(TABLE) == set(CAPABILITIES)


@pytest.mark.parametrize("capability", sorted(TABLE))
@pytest.mark.parametrize(("label", "user"), PERSONAS, ids=[p[0] for p in PERSONAS])
def test_cell(capability, label, user):
    level, kinds = TABLE[capability]
    if user.kind == "support":
        expected = level is not None and user.support_level >= level
    else:
        expected = user.kind in kinds
    assert holds(user, capability) is expected, f"{label} / {capability}"


def test_higher_levels_include_lower_ones():
    for n in range(1, 6):
        lower = set(capabilities_of(person("support", n)))
        higher = set(capabilities_of(person("support", n + 1)))
        assert lower < higher


def test_admin_holds_no_business_approval():
    admin = person("admin")
    for capability in (
        "estimate.signoff",
        "proposal.approve",
        "policy.set",
        "deal.approve",
        "knowledge.publish",
    ):
        assert not holds(admin, capability)


@pytest.mark.parametrize(
    "user",
    [
        None,
        SimpleNamespace(is_authenticated=False, is_active=True, kind="support", support_level=6),
        person("support", 6, active=False),
        person("support", None),
        person("stranger"),
    ],
)
def test_nobody_else_holds_anything(user):
    assert not any(holds(user, name) for name in CAPABILITIES)


def test_require_raises_permission_denied_with_a_readable_reason():
    with pytest.raises(PermissionDenied, match="set service policy"):
        require(person("support", 5), "policy.set")
    require(person("support", 6), "policy.set")


def test_unknown_capability_is_a_programming_error():
    with pytest.raises(KeyError):
        holds(person("support", 6), "case.teleport")
