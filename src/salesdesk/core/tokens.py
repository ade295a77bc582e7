"""Personal API tokens: created (secret shown once), used, revoked."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import audit
from .errors import ApplicationError
from .models import ApiToken
from .permissions import require

TOKEN_PREFIX = "sd_"
# last_used_at is written at most this often, so a busy script does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def token_create(*, actor: Any, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor. Returns the record and the secret, which is never stored."""
    require(actor, "token.manage")
    name = (name or "").strip()
    if not name:
        raise ApplicationError("name", "give the token a name so you can tell it apart later")
    if len(name) > 100:
        raise ApplicationError("name", "must be at most 100 characters")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=secret[:10], digest=ApiToken.digest_of(secret)
    )
    audit.record_step(actor, actor, "API token created", detail={"token": str(token)})
    return token, secret


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens (admins may revoke anyone's)."""
    require(actor, "token.manage")
    if token.user_id != actor.pk and not getattr(actor, "is_superuser", False):
        raise ApplicationError("token", "not found", status=404)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record_step(actor, token.user, "API token revoked", detail={"token": str(token)})
    return token


def token_authenticate(secret: str) -> Any | None:
    """The active user a token secret belongs to, or None (unknown, revoked, user inactive)."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def visible_tokens(user: Any):
    """A user's own tokens, newest first."""
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)
