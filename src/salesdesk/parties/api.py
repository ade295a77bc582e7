"""API for organisations, contacts and users."""

from ninja import Router

router = Router(tags=["parties"])
