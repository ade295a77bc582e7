"""`salesdesk registrations list|register|approve|reject` through the real command line entry point."""

from __future__ import annotations

import json

import pytest

from salesdesk.cli import main
from salesdesk.deals.models import DealRegistration

from . import registration_fixtures as fx
from .registration_fixtures import in_days, register

# Shared fixtures (tests/deals/conftest.py belongs to the requirements tests).
catalog, manager, northwind = fx.catalog, fx.manager, fx.northwind

pytestmark = pytest.mark.django_db


def run(capsys, *argv: str) -> tuple[int, str, list[str]]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err.splitlines()


def test_register_prints_the_check_without_other_partners_deals(capsys, world_a, catalog, northwind):
    code, out, err = run(
        capsys, "registrations", "register", "--as", "partner_a", "--customer", "Northwind Traders",
        "--product", "EG-400", "--close-date", in_days(10).isoformat(), "--amount", "9000", "--json",
    )  # fmt: skip
    assert code == 0, err
    body = json.loads(out)
    assert body["in_conflict"] is True and body["conflicts"] is None
    assert body["products"] == ["EG-400"]


def test_bad_input_exits_2_with_one_line(capsys, world_a, catalog):
    cases = [
        (["--product", "NOPE-1", "--close-date", in_days(5).isoformat()], "--product"),
        (["--product", "EG-400", "--close-date", "tomorrow"], "expected_close_date"),
        (["--product", "EG-400", "--close-date", in_days(5).isoformat(), "--currency", "euros"], "currency"),
    ]
    for extra, names in cases:
        code, _out, err = run(
            capsys, "registrations", "register", "--as", "partner_a", "--customer", "Tailspin", *extra
        )
        assert code == 2 and len(err) == 1 and names in err[0], (extra, err)
    code, _out, err = run(capsys, "registrations", "approve", "999", "--reason", "x", "--as", "partner_a")
    assert code == 2 and len(err) == 1 and "--as" in err[0]
    assert not DealRegistration.objects.exists()


def test_the_manager_lists_approves_and_rejects(capsys, world_a, world_b, manager, catalog, northwind):
    _customer, opportunity = northwind
    first = register(world_a.partner_user, catalog)
    second = register(world_b.partner_user, catalog, customer="Northwind Traders AG")
    code, out, _err = run(capsys, "registrations", "list", "--conflicts")
    assert code == 0 and out.count("IN CONFLICT") == 2 and "Northwind WAN refresh" in out
    code, out, err = run(
        capsys, "registrations", "approve", str(first.pk), "--opportunity", str(opportunity.pk),
        "--reason", "Partner A sourced it", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["protected_until"] == in_days(90).isoformat()
    # the competing one is blocked: approving it exits 2 with the reason on one line
    code, _out, err = run(
        capsys, "registrations", "approve", str(second.pk), "--new-account", "--reason", "x"
    )
    assert code == 2 and len(err) == 1 and "blocked until" in err[0]
    code, out, _err = run(
        capsys, "registrations", "reject", str(second.pk), "--reason", "Protected for another partner"
    )
    assert code == 0 and "rejected" in out
    # a partner lists only their own, without conflict details
    code, out, _err = run(capsys, "registrations", "list", "--as", "partner_b", "--json")
    [mine] = json.loads(out)
    assert mine["id"] == second.pk and mine["conflicts"] is None and mine["status"] == "rejected"
