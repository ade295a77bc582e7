from django.contrib import admin

from salesdesk.parties.admin import AuditedAdminMixin

from .models import ProductGap, SolutionDesign, SolutionVersion


@admin.register(SolutionDesign)
class SolutionDesignAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "opportunity", "owner", "current_version", "required_by")
    search_fields = ("title", "opportunity__name")
    list_select_related = ("opportunity", "owner")
    readonly_fields = ("version", "current_version")


@admin.register(SolutionVersion)
class SolutionVersionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("design", "number", "status", "frozen", "finalised_by", "finalised_at")
    list_filter = ("status", "frozen")
    list_select_related = ("design", "finalised_by")
    # A frozen version is evidence of what was designed and checked: read-only here too.
    readonly_fields = (
        "design",
        "number",
        "status",
        "frozen",
        "frozen_reason",
        "assumptions",
        "workload",
        "sizing_result",
        "checks_result",
        "created_by",
        "finalised_by",
        "finalised_at",
        "version",
    )


@admin.register(ProductGap)
class ProductGapAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "requirement_reference",
        "description",
        "design",
        "revenue_at_stake",
        "currency",
        "status",
    )
    list_filter = ("status",)
    list_select_related = ("design",)
    readonly_fields = ("version", "design", "solution_version", "requirement", "raised_by", "decided_by")
