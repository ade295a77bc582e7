from django.contrib import admin

from salesdesk.parties.admin import AuditedAdminMixin

from .models import Estimate, EstimateVersion, ProjectActual


@admin.register(Estimate)
class EstimateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "opportunity", "owner", "status", "current_version", "currency")
    list_filter = ("status", "distribution")
    search_fields = ("title", "opportunity__name")
    list_select_related = ("opportunity", "owner")
    readonly_fields = ("version", "current_version", "status")


@admin.register(EstimateVersion)
class EstimateVersionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("estimate", "number", "status", "frozen", "signed_off_by", "signed_off_at")
    list_select_related = ("estimate", "signed_off_by")
    # A frozen version is evidence of what was approved: read-only here too.
    readonly_fields = (
        "estimate",
        "number",
        "frozen",
        "status",
        "snapshot",
        "result",
        "submitted_by",
        "submitted_at",
        "review_comments",
        "signed_off_by",
        "signed_off_at",
        "version",
    )


@admin.register(ProjectActual)
class ProjectActualAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("project", "task_type", "role", "estimated_effort", "actual_effort", "completed_on")
    list_filter = ("task_type", "role")
    readonly_fields = ("version",)
