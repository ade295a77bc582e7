"""Operating the instance: users, teams and skills. Changes go through the audit trail.

Who may do what (kind, support level, organisation, active or not) is never edited
here: those changes go through ``parties.services`` — which check the role rules,
refuse a change to one's own role, and end sessions and tokens on deactivation — via
the users pages of the web app, the admin actions below, or ``salesdesk createuser``.
"""

from collections.abc import Sequence
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from salesdesk.core import audit
from salesdesk.core.errors import ApplicationError

from . import services
from .models import Contact, Organisation, ProductSkill, Team, User

# Fields that decide what a user may do: read-only in the admin, changed by the services.
USER_ROLE_FIELDS = (
    "kind",
    "support_level",
    "organisation",
    "is_active",
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
)


class AuditedAdminMixin:
    """Admin edits leave the same audit events as the services do; bulk delete is off."""

    actions: Sequence[Any] | None = None

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
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email", "job_title", "phone")}),
        ("Work", {"fields": ("teams", "skills")}),
        ("Role and access", {"fields": ("role_and_access", *USER_ROLE_FIELDS)}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("role_and_access", *USER_ROLE_FIELDS, "last_login", "date_joined")
    filter_horizontal = ("teams", "skills")
    actions = ["deactivate_users", "reactivate_users"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # A user is created with a valid role by services.user_create: the users page or
        # `salesdesk createuser`, never a bare admin form.
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Deactivate instead: it ends sessions and tokens, and the history keeps its people.
        return False

    @admin.display(description="Change role or access")
    def role_and_access(self, obj: User) -> str:
        if obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}">Change kind and level, deactivate or reactivate on the user\'s page</a>',
            reverse("web:user_detail", args=[obj.pk]),
        )

    def _each_through_service(self, request, queryset, service, done: str) -> None:  # type: ignore[no-untyped-def]
        count = 0
        for user in queryset:
            try:
                service(actor=request.user, user=user)
            except (ApplicationError, PermissionDenied) as exc:
                text = exc.as_line() if isinstance(exc, ApplicationError) else str(exc)
                self.message_user(request, f"{user}: {text}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} user(s) {done}.", messages.SUCCESS)

    @admin.action(description="Deactivate selected users (ends their sessions and API tokens)")
    def deactivate_users(self, request, queryset):  # type: ignore[no-untyped-def]
        self._each_through_service(request, queryset, services.user_deactivate, "deactivated")

    @admin.action(description="Reactivate selected users (old API tokens stay revoked)")
    def reactivate_users(self, request, queryset):  # type: ignore[no-untyped-def]
        self._each_through_service(request, queryset, services.user_reactivate, "reactivated")


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "tier", "managed_by", "country", "is_active")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ("kind", "tier", "is_active")
    search_fields = ("name",)
    readonly_fields = ("version",)

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Users, contacts and deals depend on an organisation's kind: it is set when the
        # organisation is created and corrected only through services.organisation_update.
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "kind") if obj is not None else fields


@admin.register(Contact)
class ContactAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("first_name", "last_name", "organisation", "email", "is_active")
    search_fields = ("first_name", "last_name", "email")
    list_select_related = ("organisation",)


admin.site.register(Team)
admin.site.register(ProductSkill)
admin.site.site_header = "Salesdesk administration"
