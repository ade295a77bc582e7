"""Choices of the estimates app."""

from django.db import models


class EstimateStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    SIGNED_OFF = "signed_off", "Signed off"
    RETURNED = "returned", "Returned with comments"


class Distribution(models.TextChoices):
    TRIANGULAR = "triangular", "Triangular"
    PERT = "pert", "Beta-PERT"


class DependencyType(models.TextChoices):
    FS = "FS", "Finish to start"
    SS = "SS", "Start to start"
    FF = "FF", "Finish to finish"
    SF = "SF", "Start to finish"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class MitigationStatus(models.TextChoices):
    """Whether a risk's mitigation is part of the plan. A planned, in-progress or done mitigation
    is simulated: its cost is added to every iteration and the risk takes its mitigated
    probability and impacts (where given)."""

    NONE = "none", "No mitigation planned"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


ACTIVE_MITIGATION = (MitigationStatus.PLANNED, MitigationStatus.IN_PROGRESS, MitigationStatus.DONE)


# Monte Carlo runs up to this many iterations × tasks answer at once; bigger ones run as a job.
INLINE_SIMULATION_ELEMENTS = 400_000
DEFAULT_ITERATIONS = 5_000
MAX_ITERATIONS = 200_000
