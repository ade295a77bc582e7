"""Timeline values read as people write them: names without ids, times in the site's zone."""

from django.test import override_settings

from salesdesk.web.templatetags.web_tags import audit_value


def test_a_related_record_shows_by_name():
    assert audit_value("Northwind Logistics (#5)") == "Northwind Logistics"
    assert audit_value(["Edge Gateway 400 (#3)", "Switch 48P (#9)"]) == "Edge Gateway 400, Switch 48P"


@override_settings(TIME_ZONE="Europe/Berlin", USE_TZ=True)
def test_a_moment_shows_in_the_site_time_zone():
    assert audit_value("2026-11-30T01:41:09.816915+00:00") == "30 Nov 2026, 02:41"


def test_other_values_are_unchanged():
    assert audit_value("") == "—"
    assert audit_value(True) == "yes"
    assert audit_value("2026-11-30") == "2026-11-30"
    assert audit_value("Ticket (#12) reopened") == "Ticket (#12) reopened"
