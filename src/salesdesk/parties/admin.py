"""Operating the instance: users, teams and skills. Changes go through the audit trail."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from salesdesk.core import audit

from .models import Contact, Organisation, ProductSkill, Team, User


class AuditedAdminMixin:
    """Admin edits leave the same audit events as the services do; bulk delete is off."""

    actions = None

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        if change:
            audit.record_updated(request.user, obj, before, detail={"via": "admin"})
        else:
            audit.record_created(request.user, obj, detail={"via": "admin"})

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        audit.record_deleted(request.user, obj, detail={"via": "admin"})
        super().delete_model(request, obj)  # type: ignore[misc]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "kind",
        "support_level",
        "organisation",
        "is_active",
    )
    list_filter = ("kind", "support_level", "is_active", "teams")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            "Salesdesk",
            {"fields": ("kind", "support_level", "organisation", "job_title", "phone", "teams", "skills")},
        ),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Salesdesk", {"fields": ("kind", "support_level", "organisation")}),
    )
    filter_horizontal = ("teams", "skills", "groups", "user_permissions")


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "tier", "managed_by", "country", "is_active")
    list_filter = ("kind", "tier", "is_active")
    search_fields = ("name",)
    readonly_fields = ("version",)


@admin.register(Contact)
class ContactAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("first_name", "last_name", "organisation", "email", "is_active")
    search_fields = ("first_name", "last_name", "email")
    list_select_related = ("organisation",)


admin.site.register(Team)
admin.site.register(ProductSkill)
admin.site.site_header = "Salesdesk administration"
