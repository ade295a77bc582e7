"""Page forms for organisations and contacts (the shared kit is in ``core.pages``)."""

from __future__ import annotations

from typing import Any

from django import forms

from salesdesk.core.pages import ServiceForm

from .choices import CustomerTier, OrganisationKind
from .models import Contact, Organisation
from .selectors import visible_organisations, visible_partners


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
