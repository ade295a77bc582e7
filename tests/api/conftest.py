"""Helpers for the API tests: JSON calls, token clients, counting rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from salesdesk.core.tokens import token_create

from .helpers import Api


@pytest.fixture
def api_as(client_as) -> Callable[..., Api]:
    """An API client signed in (session) as the given user."""

    def make(user, **kwargs: Any) -> Api:
        return Api(client_as(user, **kwargs))

    return make


@pytest.fixture
def token_for(db) -> Callable[[Any], str]:
    """A fresh API token secret for the given user."""

    def make(user, name: str = "script") -> str:
        return token_create(actor=user, name=name)[1]

    return make


@pytest.fixture
def api_with_token(db) -> Callable[[str], Api]:
    """An API client with no session that sends ``Authorization: Bearer <secret>``."""

    def make(secret: str) -> Api:
        return Api(Client(headers={"Authorization": f"Bearer {secret}"}))

    return make


@pytest.fixture
def anonymous_api(db) -> Api:
    return Api(Client())
