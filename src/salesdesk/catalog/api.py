"""API of the catalog app."""

from ninja import Router

router = Router(tags=["catalog"])
