"""Fixtures for the requirements tests: Amara (level 3) and a set with a shared baseline."""

from __future__ import annotations

import pytest

from salesdesk.deals import requirement_services as services


@pytest.fixture
def consultant(staff_factory):
    """Level 3 solutions consultant (Amara)."""
    return staff_factory(3, username="amara", first_name="Amara", last_name="Okafor")


@pytest.fixture
def specialist(staff_factory):
    """Level 2 support specialist (Tomás): may not capture requirements."""
    return staff_factory(2, username="tomas", first_name="Tomás", last_name="Silva")


def add(actor, opportunity, statement="The system must track parcels", **data):
    return services.requirement_add(
        actor=actor, opportunity=opportunity, data={"statement": statement, **data}
    )


@pytest.fixture
def shared_a(consultant, world_a):
    """World A's opportunity with two requirements, baselined as version 1 and shared with its contact."""
    add(consultant, world_a.opportunity, "Track every parcel", targets="peak_users = 2000")
    add(
        consultant,
        world_a.opportunity,
        "Respond fast",
        type="performance",
        targets="p95_response_seconds <= 2 s",
    )
    baseline = services.baseline_create(actor=consultant, opportunity=world_a.opportunity)
    return services.baseline_share(actor=consultant, baseline=baseline, contact_id=world_a.contact.pk)
