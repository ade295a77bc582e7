"""Forms of the shared pages: API tokens and user roles."""

from __future__ import annotations

from typing import Any

from django import forms

from salesdesk.core.pages import ServiceForm
from salesdesk.core.roles import SupportLevel, UserKind


class TokenForm(ServiceForm):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'CRM sync script'.")


class UserRoleForm(ServiceForm):
    kind = forms.ChoiceField(choices=UserKind.choices)
    support_level = forms.TypedChoiceField(
        choices=[("", "— none (not support staff) —"), *SupportLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Support staff only: 1 to 6.",
    )

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault("initial", {"kind": instance.kind, "support_level": instance.support_level})
        super().__init__(*args, **kwargs)
