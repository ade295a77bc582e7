"""The JSON contracts of the capacity models (issue 6), shared by the CLI and the API.

``salesdesk capacity mmc|erlang-c|staff|simulate --json`` and ``POST /api/capacity/…`` answer
with the same objects, built here from the pure engines ``queueing`` and ``simulation``. No
Django. A bad or unstable input raises the engines' ``CapacityError`` whose message starts with
the parameter's name ("arrival_rate: must not be negative"); ``error_parts`` splits it so the
CLI can name its option and the API the body field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .queueing import (
    CallCentreResult,
    CapacityError,
    QueueResult,
    Staffing,
    UnstableSystemError,
    call_centre,
    mmc,
    staff,
)
from .simulation import NetworkModel, SimulationResult, model_from_dict, simulate

DEFAULT_TARGET_SECONDS = 20.0  # the "80 % within 20 s" convention of contact centres
# The engines call the call-centre target "within"; the contracts call it "target_seconds".
PARAMETER_ALIASES = {"within": "target_seconds"}


def error_parts(exc: CapacityError) -> tuple[str | None, str]:
    """``(parameter, problem)`` of an engine error; parameter None when the message names none
    (an unstable system: the problem is the whole message, starting with "unstable")."""
    parameter, separator, problem = str(exc).partition(":")
    if not separator or not parameter or " " in parameter or isinstance(exc, UnstableSystemError):
        return None, str(exc)
    return PARAMETER_ALIASES.get(parameter, parameter), problem.strip()


def all_finite(value: Any) -> bool:
    """True when every number in a contract object is finite (JSON has no NaN or infinity)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Mapping):
        return all(all_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(all_finite(v) for v in value)
    return True


# -- M/M/c -----------------------------------------------------------------------------------


def mmc_result(arrival_rate: float, service_rate: float, servers: int) -> QueueResult:
    return mmc(arrival_rate, service_rate, servers)


def mmc_figures(result: QueueResult) -> dict[str, float]:
    """``{"utilization", "p0", "probability_wait", "lq", "l", "wq", "w"}`` in the rates' unit."""
    return {
        "utilization": result.utilization,
        "p0": result.p0,
        "probability_wait": result.probability_wait,
        "lq": result.lq,
        "l": result.l,
        "wq": result.wq,
        "w": result.w,
    }


# -- Erlang C and staffing ---------------------------------------------------------------------


def erlang_c_result(
    arrivals_per_hour: float,
    service_time: float,
    agents: int,
    target_seconds: float = DEFAULT_TARGET_SECONDS,
) -> CallCentreResult:
    return call_centre(arrivals_per_hour, service_time, agents, target_seconds=target_seconds)


def erlang_c_figures(result: CallCentreResult) -> dict[str, float]:
    """The contact-centre figures; times in seconds, service level = share answered within T."""
    return {
        "traffic_erlangs": result.traffic_erlangs,
        "occupancy": result.occupancy,
        "probability_wait": result.probability_wait,
        "average_speed_of_answer": result.average_speed_of_answer,
        "service_level": result.service_level,
        "wait_p90": result.wait_p90,
    }


def staff_result(
    arrivals_per_hour: float,
    service_time: float,
    *,
    target_seconds: float,
    service_level: float,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
) -> Staffing:
    return staff(
        arrivals_per_hour,
        service_time,
        target_seconds=target_seconds,
        service_level=service_level,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
    )


def staff_figures(staffing: Staffing) -> dict[str, Any]:
    figures = erlang_c_figures(staffing.result)
    return {
        "agents": staffing.agents,
        "agents_with_shrinkage": staffing.agents_with_shrinkage,
        "service_level": figures["service_level"],
        "occupancy": figures["occupancy"],
        "probability_wait": figures["probability_wait"],
        "average_speed_of_answer": figures["average_speed_of_answer"],
    }


# -- network simulation ----------------------------------------------------------------------


def network_model(data: object) -> NetworkModel:
    """MODEL.json as a checked model (``CapacityError`` naming the key otherwise)."""
    return model_from_dict(data)


def expected_requests(model: NetworkModel) -> float:
    """About how many requests a run simulates (arrival rate × duration × replications)."""
    return model.arrival_rate * model.duration * model.replications


def losses(statistics: Any, station: Any) -> dict[str, float]:
    """The loss shares of a station that can lose requests (keys only where the model has the feature)."""
    out = {}
    if station.patience is not None:
        out["abandoned"] = statistics.abandoned
    if station.queue_capacity is not None:
        out["blocked"] = statistics.blocked
    return out


def simulation_result(model: NetworkModel, seed: int | None = None) -> SimulationResult:
    return simulate(model, seed=seed)


def simulation_figures(model: NetworkModel, result: SimulationResult) -> dict[str, Any]:
    """Per station: utilisation, waits (service excluded) with 95 % intervals; response time."""
    response = result.response_time
    return {
        "stations": {
            s.name: {
                "utilization": s.utilization,
                "mean_wait": s.mean_wait,
                "probability_wait": s.probability_wait,
                "wait_p90": s.wait_p90,
                "wait_p95": s.wait_p95,
                "ci95": {
                    "mean_wait": list(s.ci95_mean_wait),
                    "utilization": list(s.ci95_utilization),
                },
            }
            | losses(s, model.stations[index])
            for index, s in enumerate(result.stations)
        },
        "response_time": {
            "mean": response.mean,
            "p50": response.p50,
            "p90": response.p90,
            "p95": response.p95,
            "p99": response.p99,
        },
        "requests": result.requests,
    }
