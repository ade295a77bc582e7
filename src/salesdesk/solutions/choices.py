"""Choices of the solutions app."""

from django.db import models


class SolutionStatus(models.TextChoices):
    """Where a version stands: the draft is worked on; final and superseded are frozen."""

    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"
    SUPERSEDED = "superseded", "Superseded"


class Coverage(models.TextChoices):
    """How well the solution meets one requirement (the fit-gap matrix)."""

    FULL = "full", "Full fit"
    PARTIAL = "partial", "Partial fit"
    WORKAROUND = "workaround", "Workaround"
    GAP = "gap", "Gap"


class ProductGapStatus(models.TextChoices):
    """What level 6 decided about a product gap."""

    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    PLANNED = "planned", "Planned"
    DECLINED = "declined", "Declined"


class CheckStatus(models.TextChoices):
    PASS = "pass", "Pass"
    WARN = "warn", "Warning"
    FAIL = "fail", "Fail"


MAX_ASSUMPTIONS = 100
MAX_ASSUMPTION_LENGTH = 500
MAX_CONFIGURATION_BYTES = 20_000
