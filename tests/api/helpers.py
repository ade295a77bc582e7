"""Helpers for the API tests: a JSON client, the 404 body, walking a cursor-paginated list."""

from __future__ import annotations

from typing import Any

from django.test import Client


class Api:
    """A thin wrapper over the test client that speaks JSON."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get(self, path: str, data: dict | None = None, **headers: Any):
        return self.client.get(path, data or {}, headers=headers)

    def post(self, path: str, body: Any = None, **headers: Any):
        return self.client.post(
            path, body if body is not None else {}, content_type="application/json", headers=headers
        )

    def patch(self, path: str, body: Any, **headers: Any):
        return self.client.patch(path, body, content_type="application/json", headers=headers)

    def delete(self, path: str, **headers: Any):
        return self.client.delete(path, headers=headers)


NOT_FOUND = {"detail": "Not found.", "errors": []}


def walk(api: Api, path: str, params: dict | None = None) -> list[dict]:
    """Every row of a cursor-paginated list, following ``next`` to the end."""
    rows: list[dict] = []
    response = api.get(path, params)
    assert response.status_code == 200, response.content
    while True:
        body = response.json()
        rows.extend(body["results"])
        if not body["next"]:
            return rows
        response = api.client.get(body["next"])
        assert response.status_code == 200, response.content
