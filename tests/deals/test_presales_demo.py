"""The demo's presales requests: Grace's board has work in every status, some overdue, by skill."""

from __future__ import annotations

import pytest

from salesdesk.deals.models import PresalesRequest
from salesdesk.deals.presales_models import PresalesStatus
from salesdesk.deals.presales_selectors import presales_request_search, team_workload
from salesdesk.demo import demo_load
from salesdesk.parties.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_fills_the_board_and_a_second_load_adds_nothing():
    demo_load()
    requests = list(PresalesRequest.objects.prefetch_related("skills").select_related("assignee"))
    assert len(requests) == 25
    assert {r.status for r in requests} == set(PresalesStatus.values)
    grace = User.objects.get(username="grace")
    overdue = list(presales_request_search(user=grace, overdue=True))
    assert len(overdue) >= 3
    assert any(r.status == "requested" for r in overdue) and any(r.status == "in_progress" for r in overdue)
    # every assignee holds the skills their request needs
    for r in requests:
        if r.assignee is not None:
            assert {s.pk for s in r.skills.all()} <= set(r.assignee.skills.values_list("pk", flat=True)), r
    loads = {w.person.username: w.open_requests for w in team_workload()}
    assert loads["jonas"] >= 3 and loads["amara"] >= 2 and loads["felix"] >= 2
    # a partner follows their own organisation's requests only
    lena = User.objects.get(username="lena")
    assert {r.requester_organisation_id for r in presales_request_search(user=lena)} == {lena.organisation_id}
    demo_load()
    assert PresalesRequest.objects.count() == 25
