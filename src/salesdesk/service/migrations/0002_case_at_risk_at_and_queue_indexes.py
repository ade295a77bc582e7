"""The at-risk moment on each case (filled for existing cases) and the partial indexes of the queues."""

import datetime as dt

from django.db import migrations, models

from salesdesk.service import business_hours

RUNNING = ("new", "open")


def fill_at_risk_at(apps, schema_editor):
    """at_risk_at for every case whose clock runs, exactly as the services compute it now."""
    Case = apps.get_model("service", "Case")
    engines = {}
    cases = Case._base_manager.filter(
        status__in=RUNNING, sla_calendar__isnull=False, resolution_due_at__isnull=False
    ).select_related("sla_calendar")
    batch = []
    for case in cases.iterator(chunk_size=2000):
        cal = case.sla_calendar
        if cal.pk not in engines:
            engines[cal.pk] = business_hours.Calendar(
                time_zone=cal.time_zone,
                hours={int(d) - 1: (cal.opens_at, cal.closes_at) for d in cal.working_days},
                holiday_country=cal.holiday_country,
                holiday_subdivision=cal.holiday_subdivision,
                closures=frozenset(dt.date.fromisoformat(str(d)) for d in cal.closures or ()),
            )
        due, minutes = case.resolution_due_at, case.resolution_minutes or 0
        if (
            case.first_responded_at is None
            and case.first_response_due_at is not None
            and case.first_response_due_at < case.resolution_due_at
        ):
            due, minutes = case.first_response_due_at, case.first_response_minutes or 0
        share = dt.timedelta(minutes=minutes) * (100 - case.at_risk_percent) / 100
        case.at_risk_at = business_hours.subtract_business_time(due, share, engines[cal.pk])
        batch.append(case)
        if len(batch) >= 2000:
            Case._base_manager.bulk_update(batch, ["at_risk_at"])
            batch = []
    if batch:
        Case._base_manager.bulk_update(batch, ["at_risk_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="at_risk_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_at_risk_at, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", ("new", "open", "waiting_on_customer"))),
                fields=["assignee", "resolution_due_at", "id"],
                name="case_active_assignee_due",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    ("assignee__isnull", True), ("status__in", ("new", "open", "waiting_on_customer"))
                ),
                fields=["tier", "resolution_due_at", "id"],
                name="case_active_tier_queue_due",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", ("new", "open", "waiting_on_customer"))),
                fields=["account", "resolution_due_at", "id"],
                name="case_active_account_due",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", ("new", "open", "waiting_on_customer"))),
                fields=["resolution_due_at", "id"],
                name="case_active_due",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", ("new", "open"))),
                fields=["at_risk_at", "id"],
                name="case_running_at_risk",
            ),
        ),
    ]
