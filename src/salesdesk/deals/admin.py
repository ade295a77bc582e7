from django.contrib import admin

from salesdesk.parties.admin import AuditedAdminMixin

from .models import Opportunity


@admin.register(Opportunity)
class OpportunityAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "account",
        "owner",
        "partner",
        "stage",
        "amount",
        "currency",
        "expected_close_date",
    )
    list_filter = ("stage", "currency")
    search_fields = ("name", "account__name")
    list_select_related = ("account", "owner", "partner")
    readonly_fields = ("version", "closed_at")
