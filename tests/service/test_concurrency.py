"""Two people assign the same case at the same moment: exactly one wins (PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from salesdesk.core.errors import ApplicationError
from salesdesk.service import services
from salesdesk.service.models import Case


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL=postgres://…")
def test_concurrent_assignments_one_wins(transactional_db, open_case, bid_manager, specialist, staff_factory):
    case = open_case()
    other = staff_factory(2, username="other")
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def assign(name, assignee):
        try:
            barrier.wait()
            services.case_assign(actor=bid_manager, case=case, assignee=assignee, expected_version=1)
            outcomes[name] = "won"
        except ApplicationError as exc:
            outcomes[name] = f"{exc.status}: {exc.as_line()}"
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(n, a)) for n, a in (("a", specialist), ("b", other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(v == "won" for v in outcomes.values()) == [False, True], outcomes
    loser = next(v for v in outcomes.values() if v != "won")
    assert loser.startswith("412") and "changed since you read it" in loser
    assert Case.objects.get(pk=case.pk).version == 2


def test_take_after_assignment_is_refused_with_who_has_it(open_case, bid_manager, specialist, staff_factory):
    # the same race, serialised: the later request sees the earlier one's result
    case = open_case()
    services.case_assign(actor=bid_manager, case=case, assignee=specialist)
    with pytest.raises(ApplicationError) as exc:
        services.case_take(actor=staff_factory(2, username="late"), case=case)
    assert exc.value.status == 409 and str(specialist) in exc.value.errors[0].message
