"""Admin for operators: calendars and SLA policies editable (audited), cases and interactions read-only.

A case moves only through ``service.services`` (its rules, SLA clock and audit); the admin
shows it for support questions but never changes it.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from salesdesk.parties.admin import AuditedAdminMixin

from .models import BusinessCalendar, Case, Interaction, SlaPolicy


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "time_zone", "working_days", "opens_at", "closes_at", "holiday_country")
    readonly_fields = ("version",)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "customer_tier",
        "priority",
        "first_response_minutes",
        "resolution_minutes",
        "at_risk_percent",
        "calendar",
    )
    list_filter = ("customer_tier", "priority")
    readonly_fields = ("version",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "account", "case_type", "priority", "status", "tier", "assignee", "opened_at")
    list_filter = ("status", "case_type", "priority", "tier")
    search_fields = ("subject", "account__name")
    list_select_related = ("account", "assignee")


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "account", "contact", "logged_by", "occurred_at")
    list_filter = ("kind",)
    list_select_related = ("account", "contact", "logged_by")
