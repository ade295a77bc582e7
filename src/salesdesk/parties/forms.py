"""Page forms for organisations and contacts, and the small kit every page form uses.

Forms only check the shape of the input (types, required fields); the rules live in
the services, which raise ApplicationError. ``ServiceForm.add_service_error`` shows
those errors on the field they name, so a person sees the problem where they typed.

The kit (``ServiceForm``, ``paginate``, ``sort_param``) lives in the lowest app with
pages, because the layer contract lets ``deals`` and ``web`` import from ``parties``
but not the other way round.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from salesdesk.core.errors import ApplicationError

from .choices import CustomerTier, OrganisationKind
from .models import Contact, Organisation
from .selectors import visible_organisations, visible_partners


class ServiceForm(forms.Form):
    """A form whose data goes to a service; the service's errors come back onto its fields."""

    # Service error names that differ from the form's field names.
    error_field_aliases: dict[str, str] = {}

    def field_for_error(self, name: str) -> str | None:
        candidates = [self.error_field_aliases.get(name, name)]
        if name.endswith("_id"):
            candidates.append(name[:-3])
        for candidate in candidates:
            # A hidden field (the version guard) has nowhere to show its error: put it on top.
            if candidate in self.fields and not self.fields[candidate].widget.is_hidden:
                return candidate
        return None

    def add_service_error(self, exc: ApplicationError) -> None:
        """Show each of the service's errors on the field it names, else above the form."""
        if not exc.errors:
            self.add_error(None, exc.detail)
            return
        for error in exc.errors:
            field = self.field_for_error(error.field)
            if field is not None:
                self.add_error(field, error.message)
            elif error.field in ("__all__", "", None):
                self.add_error(None, error.message)
            else:
                self.add_error(None, f"{error.field.replace('_', ' ')}: {error.message}")


def paginate(request: HttpRequest, queryset: Any, per_page: int | None = None) -> Page:
    """The requested page of ``queryset`` (page number from ?page=, clamped to the last page)."""
    paginator = Paginator(queryset, per_page or settings.SALESDESK_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def sort_param(request: HttpRequest, allowed: dict[str, str], default: str) -> tuple[str, str]:
    """(name shown in the URL, ordering for the selector) from ?sort=, '-' prefix for descending."""
    value = request.GET.get("sort", default)
    name = value.lstrip("-")
    if name not in allowed:
        value, name = default, default.lstrip("-")
    descending = value.startswith("-")
    return value, ("-" if descending else "") + allowed[name]


def query_without_page(request: HttpRequest) -> str:
    """The current query string without ``page``, for pagination and sort links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def optional_id(value: str | None) -> int | None:
    """An id from a filter parameter; anything that is not a positive integer means 'no filter'."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


class OrganisationForm(ServiceForm):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=OrganisationKind.choices, initial=OrganisationKind.CUSTOMER)
    managed_by = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Managed by partner",
        empty_label="— none —",
        help_text="Only customers can be managed by a partner.",
    )
    tier = forms.ChoiceField(choices=CustomerTier.choices, initial=CustomerTier.STANDARD)
    industry = forms.CharField(max_length=100, required=False)
    country = forms.CharField(max_length=2, required=False, help_text="Two-letter code, e.g. DE.")
    website = forms.URLField(required=False, assume_scheme="https")
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    is_active = forms.BooleanField(required=False, initial=True, label="Active")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    error_field_aliases = {"managed_by_id": "managed_by"}

    def __init__(self, *args: Any, user: Any, instance: Organisation | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{
                        name: getattr(instance, name)
                        for name in (
                            "name",
                            "kind",
                            "tier",
                            "industry",
                            "country",
                            "website",
                            "phone",
                            "email",
                            "notes",
                            "is_active",
                            "version",
                        )
                    },
                    "managed_by": instance.managed_by_id,
                },
            )
        super().__init__(*args, **kwargs)
        partners = visible_partners(user)
        if instance is not None:
            partners = partners.exclude(pk=instance.pk)
        self.fields["managed_by"].queryset = partners
        if instance is None:
            del self.fields["version"]

    def clean_country(self) -> str:
        return self.cleaned_data["country"].strip().upper()

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("managed_by", "version")}
        partner = self.cleaned_data.get("managed_by")
        data["managed_by_id"] = partner.pk if partner else None
        return data


class ContactForm(ServiceForm):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    job_title = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    is_active = forms.BooleanField(required=False, initial=True, label="Active")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    error_field_aliases = {"organisation_id": "organisation"}

    def __init__(self, *args: Any, user: Any, instance: Contact | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{
                        name: getattr(instance, name)
                        for name in (
                            "first_name",
                            "last_name",
                            "job_title",
                            "email",
                            "phone",
                            "notes",
                            "is_active",
                            "version",
                        )
                    },
                    "organisation": instance.organisation_id,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = visible_organisations(user)
        if instance is None:
            del self.fields["version"]

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("organisation", "version")}
        data["organisation_id"] = self.cleaned_data["organisation"].pk
        return data
