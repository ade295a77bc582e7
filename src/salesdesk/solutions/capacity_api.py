"""API for the capacity models: the same JSON contracts as ``salesdesk capacity … --json``.

Stateless: nothing is stored, so the only check is the capability ("capacity.model", support
level 4 and up); anyone else gets a 403. The figures come from ``solutions.contracts``, which the
CLI uses too. A bad input is a 400 naming the body field; an unstable system (load at or above
capacity) is a 422 that says "unstable", never an infinite or NaN figure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninja import Field, Router
from pydantic import FiniteFloat

from salesdesk.core.api import AuthedRequest, InputSchema
from salesdesk.core.errors import ApplicationError
from salesdesk.core.permissions import require

from . import contracts
from .queueing import CapacityError, UnstableSystemError

router = Router(tags=["capacity"])

# One synchronous request simulates at most this many requests (about 3 s of CPU here); a larger
# model runs with the CLI (`salesdesk capacity simulate MODEL.json`), which allows 50 million.
MAX_API_REQUESTS = 2_000_000


class MmcIn(InputSchema):
    arrival_rate: FiniteFloat = Field(description="Arrivals per time unit (λ)")
    service_rate: FiniteFloat = Field(description="Services per server per time unit (μ)")
    servers: int = Field(description="Number of servers (c), at least 1")


class ErlangCIn(InputSchema):
    arrivals_per_hour: FiniteFloat = Field(description="Calls per hour")
    service_time: FiniteFloat = Field(description="Average handling time, seconds")
    agents: int = Field(description="Agents taking calls")
    target_seconds: FiniteFloat = Field(
        contracts.DEFAULT_TARGET_SECONDS, description="Service level = share answered within T seconds"
    )


class StaffIn(InputSchema):
    arrivals_per_hour: FiniteFloat = Field(description="Calls per hour")
    service_time: FiniteFloat = Field(description="Average handling time, seconds")
    target_seconds: FiniteFloat = Field(description="Answer within T seconds")
    service_level: FiniteFloat = Field(description="Share to answer within T, e.g. 0.8")
    max_occupancy: FiniteFloat | None = Field(None, description="Highest agent occupancy, e.g. 0.85")
    shrinkage: FiniteFloat = Field(0.0, description="Share of paid time off the phones, e.g. 0.3")


class SimulateIn(InputSchema):
    arrival: dict[str, Any] = Field(description='{"distribution": "exponential", "rate": PER_SECOND}')
    stations: list[Any] = Field(
        description='[{"name", "servers", "service": {"distribution", "mean", …}}], visited in order'
    )
    duration: FiniteFloat = Field(description="Simulated seconds per replication")
    warmup: FiniteFloat = Field(0.0, description="Seconds discarded at the start of each replication")
    replications: int = Field(5, description="Independent replications (at least 2)")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="Random seed: same seed, same figures")


def _figures(compute: Callable[[], dict[str, Any]], unstable_field: str) -> dict[str, Any]:
    """Run an engine; its CapacityError becomes a 400 naming the field (422 when unstable)."""
    try:
        figures = compute()
    except UnstableSystemError as exc:
        raise ApplicationError(unstable_field, str(exc), status=422) from None
    except CapacityError as exc:
        field, problem = contracts.error_parts(exc)
        raise ApplicationError(field, problem) from None
    if not contracts.all_finite(figures):  # the engines refuse such inputs; belt and braces
        raise ApplicationError(
            unstable_field, "unstable: the model gives no finite figures for this input", status=422
        )
    return figures


@router.post(
    "/capacity/mmc",
    response=dict[str, float],
    summary="M/M/c queue: utilisation, P(wait), queue lengths and waits, in the time unit of the rates",
)
def capacity_mmc(request: AuthedRequest, payload: MmcIn) -> Any:
    require(request.auth, "capacity.model")
    return _figures(
        lambda: contracts.mmc_figures(
            contracts.mmc_result(payload.arrival_rate, payload.service_rate, payload.servers)
        ),
        "servers",
    )


@router.post(
    "/capacity/erlang-c",
    response=dict[str, float],
    summary="Contact-centre figures for a number of agents (Erlang C); times in seconds",
)
def capacity_erlang_c(request: AuthedRequest, payload: ErlangCIn) -> Any:
    require(request.auth, "capacity.model")
    return _figures(
        lambda: contracts.erlang_c_figures(
            contracts.erlang_c_result(
                payload.arrivals_per_hour,
                payload.service_time,
                payload.agents,
                target_seconds=payload.target_seconds,
            )
        ),
        "agents",
    )


@router.post(
    "/capacity/staff",
    response=dict[str, Any],
    summary="The fewest agents meeting a service level (Erlang C), with shrinkage",
)
def capacity_staff(request: AuthedRequest, payload: StaffIn) -> Any:
    require(request.auth, "capacity.model")
    return _figures(
        lambda: contracts.staff_figures(
            contracts.staff_result(
                payload.arrivals_per_hour,
                payload.service_time,
                target_seconds=payload.target_seconds,
                service_level=payload.service_level,
                max_occupancy=payload.max_occupancy,
                shrinkage=payload.shrinkage,
            )
        ),
        "max_occupancy",
    )


@router.post(
    "/capacity/simulate",
    response=dict[str, Any],
    summary="Simulate a network of FCFS stations (MODEL.json): waits, utilisation, response time",
)
def capacity_simulate(request: AuthedRequest, payload: SimulateIn) -> Any:
    require(request.auth, "capacity.model")
    data = payload.model_dump(exclude={"seed"})
    try:
        model = contracts.network_model(data)
    except UnstableSystemError as exc:
        raise ApplicationError("stations", str(exc), status=422) from None
    except CapacityError as exc:
        field, problem = contracts.error_parts(exc)
        raise ApplicationError(field, problem) from None
    requests = contracts.expected_requests(model)
    if requests > MAX_API_REQUESTS:
        raise ApplicationError(
            "duration",
            f"rate × duration × replications is {requests:,.0f} requests; the API simulates at most "
            f"{MAX_API_REQUESTS:,} in one request — shorten the duration or run "
            "`salesdesk capacity simulate MODEL.json` for larger models",
        )
    return _figures(
        lambda: contracts.simulation_figures(model, contracts.simulation_result(model, seed=payload.seed)),
        "stations",
    )
