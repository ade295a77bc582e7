"""Request and response shapes of the parties API: one In, one Patch and one Out per record.

Patch schemas give every field a default of None but keep the non-nullable ones typed
without ``| None``: a field left out is not changed (``exclude_unset``), a field sent as
``null`` is refused by validation instead of reaching the database.
"""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from salesdesk.core.api import InputSchema, Ref

from .choices import CustomerTier, OrganisationKind, UserKind

# --- Organisations ------------------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    tier: str
    managed_by: Ref | None
    industry: str
    country: str
    website: str
    phone: str
    email: str
    notes: str
    is_active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class OrganisationIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: OrganisationKind = OrganisationKind.CUSTOMER
    tier: CustomerTier = CustomerTier.STANDARD
    managed_by_id: int | None = Field(None, description="The partner looking after this customer.")
    industry: str = ""
    country: str = Field("", description="ISO 3166 two-letter code, e.g. DE.")
    website: str = ""
    phone: str = ""
    email: str = ""
    notes: str = ""
    is_active: bool = True


class OrganisationPatch(InputSchema):
    name: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    kind: OrganisationKind = None  # type: ignore[assignment]
    tier: CustomerTier = None  # type: ignore[assignment]
    managed_by_id: int | None = None
    industry: str = None  # type: ignore[assignment]
    country: str = None  # type: ignore[assignment]
    website: str = None  # type: ignore[assignment]
    phone: str = None  # type: ignore[assignment]
    email: str = None  # type: ignore[assignment]
    notes: str = None  # type: ignore[assignment]
    is_active: bool = None  # type: ignore[assignment]


class OrganisationExportIn(InputSchema):
    q: str = ""
    kind: OrganisationKind | None = None
    tier: CustomerTier | None = None


# --- Contacts -------------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    organisation: Ref
    first_name: str
    last_name: str
    full_name: str
    job_title: str
    email: str
    phone: str
    notes: str
    is_active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ContactIn(InputSchema):
    organisation_id: int
    first_name: str = Field(..., min_length=1, max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    job_title: str = ""
    email: str = ""
    phone: str = ""
    notes: str = ""
    is_active: bool = True


class ContactPatch(InputSchema):
    organisation_id: int = None  # type: ignore[assignment]
    first_name: str = Field(None, min_length=1, max_length=100)  # type: ignore[assignment]
    last_name: str = Field(None, min_length=1, max_length=100)  # type: ignore[assignment]
    job_title: str = None  # type: ignore[assignment]
    email: str = None  # type: ignore[assignment]
    phone: str = None  # type: ignore[assignment]
    notes: str = None  # type: ignore[assignment]
    is_active: bool = None  # type: ignore[assignment]


# --- Users ------------------------------------------------------------------------------------------


class UserOut(Schema):
    id: int
    username: str
    name: str
    first_name: str
    last_name: str
    email: str
    job_title: str
    kind: str
    support_level: int | None
    role_label: str
    organisation: Ref | None
    is_active: bool

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class UserIn(InputSchema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., description="At least 10 characters, not a common password.")
    kind: UserKind
    support_level: int | None = Field(None, ge=1, le=6, description="1–6, support staff only.")
    organisation_id: int | None = Field(None, description="Partner and customer users: their organisation.")
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    job_title: str = ""


class RoleIn(InputSchema):
    kind: UserKind
    support_level: int | None = Field(None, ge=1, le=6, description="1–6, support staff only.")
