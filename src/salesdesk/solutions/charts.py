"""SVG charts of a sizing result: the response-time "hockey stick" and utilisation against load.

Pure functions (no Django) from the JSON-safe result of :func:`salesdesk.solutions.workload.run_sizing`
to an SVG string. The same string is shown on the sizing page and embedded in the feasibility
report (Typst reads SVG), so the charts carry their own fonts, sizes and colours, no CSS and
no script (they pass the strict Content-Security-Policy). Each has a ``<title>`` and a
``<desc>`` that state the figures in words for screen readers; every text is escaped.

- :func:`response_time_chart`: the end-to-end response time (p95 or mean, as the target) of
  the chosen configuration against the peak load, the requirement's line, the load at which the
  target breaks, and each contract year's operating point on the curve.
- :func:`utilisation_chart`: each tier's utilisation against the load, the utilisation cap and
  the contract years' loads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

__all__ = ["nice_ticks", "response_time_chart", "utilisation_chart"]

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
INK = "#1d2733"
MUTED = "#5b6672"
GRID = "#e3e8ee"
ACCENT = "#1f4e79"
TARGET = "#b3261e"
LIMIT = "#c77c02"
TIER_COLOURS = ("#1f4e79", "#2e8540", "#8e44ad", "#c77c02", "#00838f", "#6d4c41", "#ad1457", "#546e7a")
MARGIN = {"left": 64, "right": 18, "top": 38, "bottom": 62}


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2, 2.5 or 5 × 10ⁿ (Heckbert's "nice numbers")."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low]
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9) * step
    ticks = []
    value = first
    while value <= high + step * 1e-6:
        ticks.append(round(value, 12))
        value += step
    if ticks[-1] < high - step * 1e-6:
        ticks.append(round(value, 12))  # the last tick covers ``high``
    return ticks


def _number(value: float) -> str:
    """A tick label: 0, 0.25, 1.5, 20, 1,200 — no float noise."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.4g}"
    return f"{value:.3g}"


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.3g} s"


def _rate(value: float) -> str:
    return f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"


class _Frame:
    """The plot area and the mapping from data to SVG coordinates."""

    def __init__(self, width: int, height: int, x_max: float, y_max: float) -> None:
        self.width, self.height = width, height
        self.left, self.top = MARGIN["left"], MARGIN["top"]
        self.right = width - MARGIN["right"]
        self.bottom = height - MARGIN["bottom"]
        self.x_ticks = nice_ticks(0.0, x_max)
        self.y_ticks = nice_ticks(0.0, y_max)
        self.x_max = max(self.x_ticks[-1], x_max)
        self.y_max = max(self.y_ticks[-1], y_max)

    def x(self, value: float) -> float:
        return self.left + value / self.x_max * (self.right - self.left)

    def y(self, value: float) -> float:
        return self.bottom - value / self.y_max * (self.bottom - self.top)

    def axes(self, x_label: str, y_label: str, y_format: Any = _number) -> list[str]:
        parts = []
        for tick in self.y_ticks:
            y = self.y(tick)
            parts.append(
                f'<line x1="{self.left}" y1="{y:.1f}" x2="{self.right}" y2="{y:.1f}" stroke="{GRID}" '
                'stroke-width="1"/>'
                f'<text x="{self.left - 6}" y="{y + 3.5:.1f}" font-size="11" text-anchor="end" '
                f'fill="{MUTED}">'
                f"{escape(y_format(tick))}</text>"
            )
        for tick in self.x_ticks:
            x = self.x(tick)
            parts.append(
                f'<line x1="{x:.1f}" y1="{self.bottom}" x2="{x:.1f}" y2="{self.bottom + 4}" '
                f'stroke="{MUTED}"/>'
                f'<text x="{x:.1f}" y="{self.bottom + 17}" font-size="11" text-anchor="middle" '
                f'fill="{MUTED}">'
                f"{escape(_number(tick))}</text>"
            )
        parts.append(
            f'<line x1="{self.left}" y1="{self.bottom}" x2="{self.right}" y2="{self.bottom}" '
            f'stroke="{MUTED}"/>'
            f'<line x1="{self.left}" y1="{self.top}" x2="{self.left}" y2="{self.bottom}" stroke="{MUTED}"/>'
            f'<text x="{(self.left + self.right) / 2:.1f}" y="{self.bottom + 36}" font-size="12" '
            f'text-anchor="middle" fill="{INK}">{escape(x_label)}</text>'
            f'<text x="14" y="{(self.top + self.bottom) / 2:.1f}" font-size="12" text-anchor="middle" '
            f'fill="{INK}" '
            f'transform="rotate(-90 14 {(self.top + self.bottom) / 2:.1f})">{escape(y_label)}</text>'
        )
        return parts


def _svg(
    width: int,
    height: int,
    title: str,
    description: str,
    body: Sequence[str],
    chart_id: str,
    *,
    responsive: bool = False,
) -> str:
    # A page scales the chart to its column (width 100 %, the viewBox keeps the shape); a
    # document gets the size in user units.
    size = 'width="100%"' if responsive else f'width="{width}" height="{height}"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'{size} font-family="{FONT}" aria-labelledby="{chart_id}-title '
        f'{chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc '
        f'id="{chart_id}-desc">{escape(description)}</desc>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
        f'<text x="{MARGIN["left"]}" y="22" font-size="14" font-weight="bold" '
        f'fill="{INK}">{escape(title)}</text>'
        f"{''.join(body)}</svg>"
    )


def _clipped_path(points: Sequence[tuple[float, float]], frame: _Frame) -> str:
    """A polyline of (x, y) data points, cut where it leaves the top of the plot (the stick's blade)."""
    coords: list[str] = []
    previous: tuple[float, float] | None = None
    for x, y in points:
        if y > frame.y_max:
            if previous is not None:
                px, py = previous
                # Where the segment crosses y_max, so the line reaches the top edge.
                cut = px + (x - px) * (frame.y_max - py) / (y - py) if y != py else x
                coords.append(f"{frame.x(cut):.1f},{frame.y(frame.y_max):.1f}")
            break
        coords.append(f"{frame.x(x):.1f},{frame.y(y):.1f}")
        previous = (x, y)
    return " ".join(coords)


def _year_labels(positions: Sequence[tuple[int, float, float]]) -> list[tuple[str, float, float]]:
    """(text, x, y) labels for year markers at (year, x, y); markers too close to label apart share
    one label ("Y1–Y3"), centred on them, so no two labels overlap."""

    def text(group: list[tuple[int, float, float]]) -> str:
        years = sorted(p[0] for p in group)
        return f"Y{years[0]}" if len(years) == 1 else f"Y{years[0]}–Y{years[-1]}"

    def centre(group: list[tuple[int, float, float]]) -> float:
        return sum(p[1] for p in group) / len(group)

    groups: list[list[tuple[int, float, float]]] = []
    for position in sorted(positions, key=lambda p: p[1]):
        # About 7 px per character at 11 px bold; the next label needs half its own width too.
        if groups and position[1] - centre(groups[-1]) < 3.5 * len(text(groups[-1])) + 14:
            groups[-1].append(position)
        else:
            groups.append([position])
    return [(text(g), centre(g), min(p[2] for p in g)) for g in groups]


def _years(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(result.get("years") or [])


def response_time_chart(
    result: Mapping[str, Any], *, width: int = 640, height: int = 340, responsive: bool = False
) -> str:
    """The hockey stick: response time against peak load, with the target and the contract years.

    Empty string when the result has no configuration (sizing failed).
    """
    curve = result.get("curve") or []
    if not result.get("ok") or not curve:
        return ""
    objective = result["objective"]
    statistic = "p95" if objective["statistic"] == "p95" else "mean"
    target = float(objective["response_time"])
    capacity = result.get("capacity") or {}
    years = _years(result)
    points = [(float(p["arrival_rate"]), float(p["response_time"])) for p in curve]
    x_max = max(points[-1][0], float(capacity.get("saturation_rate", 0.0)))
    y_max = max(
        2.0 * target, 1.15 * max((float(y["response_time"]) for y in years), default=0.0), 1.2 * points[0][1]
    )
    frame = _Frame(width, height, x_max, y_max)
    label = f"{statistic} response time"
    body = frame.axes("Peak load (requests per second)", f"{label} (s)")
    # The bottleneck's saturation: the asymptote the stick bends towards.
    saturation = float(capacity.get("saturation_rate", 0.0))
    if 0 < saturation <= frame.x_max:
        sx = frame.x(saturation)
        body.append(
            f'<line x1="{sx:.1f}" y1="{frame.top}" x2="{sx:.1f}" y2="{frame.bottom}" stroke="{MUTED}" '
            f'stroke-dasharray="2 3"><title>Saturation: {escape(_rate(saturation))} requests/s</title></line>'
            f'<text x="{sx:.1f}" y="{frame.top - 5}" font-size="10" text-anchor="end" fill="{MUTED}">'
            f"saturation {escape(_rate(saturation))}/s</text>"
        )
    ty = frame.y(target)
    body.append(
        f'<line x1="{frame.left}" y1="{ty:.1f}" x2="{frame.right}" y2="{ty:.1f}" stroke="{TARGET}" '
        f'stroke-width="1.5" stroke-dasharray="6 4" class="target"/>'
        f'<text x="{frame.left + 6}" y="{ty - 5:.1f}" font-size="11" fill="{TARGET}">'
        f"Requirement: {escape(statistic)} ≤ {escape(_seconds(target))}</text>"
    )
    body.append(
        f'<polyline points="{_clipped_path(points, frame)}" fill="none" stroke="{ACCENT}" stroke-width="2.2" '
        f'stroke-linejoin="round" class="curve"/>'
    )
    breaks = float(capacity.get("target_rate", 0.0))
    if 0 < breaks <= frame.x_max:
        bx = frame.x(breaks)
        anchor = "end" if bx > (frame.left + frame.right) / 2 else "start"
        dx = -5 if anchor == "end" else 5
        body.append(
            f'<line x1="{bx:.1f}" y1="{ty:.1f}" x2="{bx:.1f}" y2="{frame.bottom}" stroke="{TARGET}" '
            f'stroke-width="1" stroke-dasharray="3 3"/>'
            f'<text x="{bx + dx:.1f}" y="{frame.bottom - 6}" font-size="10.5" text-anchor="{anchor}" '
            f'fill="{TARGET}">target breaks at {escape(_rate(breaks))}/s</text>'
        )
    markers: list[tuple[int, float, float]] = []
    for year in years:
        x, y = float(year["arrival_rate"]), float(year["response_time"])
        if y > frame.y_max:
            continue
        cx, cy = frame.x(x), frame.y(y)
        markers.append((int(year["year"]), cx, cy - 9))
        note = (
            f"Year {year['year']}: {_rate(x)} requests/s, {statistic} {_seconds(y)}, "
            f"headroom {float(year['headroom']) * 100:.0f} %"
        )
        colour = ACCENT if year.get("meets", True) else TARGET
        body.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="#ffffff" stroke="{colour}" stroke-width="2" '
            f'class="year"><title>{escape(note)}</title></circle>'
        )
    for text, x, y in _year_labels(markers):
        body.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" font-weight="bold" text-anchor="middle" '
            f'fill="{INK}">{text}</text>'
        )
    title = f"Response time ({statistic}) against load"
    described = "; ".join(
        f"year {y['year']} at {_rate(float(y['arrival_rate']))} requests/s: "
        f"{_seconds(float(y['response_time']))}"
        for y in years
    )
    description = (
        f"The {label} of the proposed configuration rises slowly with load, then steeply as the busiest tier "
        f"nears saturation at {_rate(saturation)} requests/s. The requirement is {statistic} ≤ "
        f"{_seconds(target)}; "
        f"it holds up to {_rate(breaks)} requests/s. {described.capitalize()}."
    )
    return _svg(width, height, title, description, body, "response-chart", responsive=responsive)


def utilisation_chart(
    result: Mapping[str, Any], *, width: int = 640, height: int = 340, responsive: bool = False
) -> str:
    """Each tier's utilisation against peak load, the cap, and the contract years' loads."""
    curve = result.get("curve") or []
    if not result.get("ok") or not curve:
        return ""
    cap = float(result["objective"]["max_utilization"])
    years = _years(result)
    tiers = list(curve[0]["utilization"])
    x_max = float(curve[-1]["arrival_rate"])
    frame = _Frame(width, height, x_max, 1.0)
    body = frame.axes("Peak load (requests per second)", "Utilisation", y_format=lambda v: f"{v * 100:.0f} %")
    for year in years:
        x = frame.x(float(year["arrival_rate"]))
        body.append(
            f'<line x1="{x:.1f}" y1="{frame.top}" x2="{x:.1f}" y2="{frame.bottom}" stroke="{MUTED}" '
            f'stroke-width="1" stroke-dasharray="2 3"/>'
        )
    for text, x, y in _year_labels(
        [(int(y["year"]), frame.x(float(y["arrival_rate"])), frame.top - 3) for y in years]
    ):
        body.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" font-weight="bold" text-anchor="middle" '
            f'fill="{INK}">{text}</text>'
        )
    cy = frame.y(cap)
    body.append(
        f'<line x1="{frame.left}" y1="{cy:.1f}" x2="{frame.right}" y2="{cy:.1f}" stroke="{TARGET}" '
        f'stroke-width="1.5" stroke-dasharray="6 4" class="target"/>'
        f'<text x="{frame.left + 6}" y="{cy - 5:.1f}" font-size="11" fill="{TARGET}">'
        f"Cap: {cap * 100:.0f} % utilisation</text>"
    )
    legend_x = frame.left
    for index, tier in enumerate(tiers):
        colour = TIER_COLOURS[index % len(TIER_COLOURS)]
        points = [(float(p["arrival_rate"]), float(p["utilization"][tier])) for p in curve]
        coords = " ".join(f"{frame.x(x):.1f},{frame.y(min(y, 1.0)):.1f}" for x, y in points if y <= 1.0)
        at_years = ", ".join(
            f"year {y['year']} {float(y['utilization'].get(tier, 0.0)) * 100:.0f} %" for y in years
        )
        body.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.2" class="tier">'
            f"<title>{escape(f'{tier}: {at_years}')}</title></polyline>"
        )
        for year in years:
            u = float(year["utilization"].get(tier, 0.0))
            body.append(
                f'<circle cx="{frame.x(float(year["arrival_rate"])):.1f}" cy="{frame.y(min(u, 1.0)):.1f}" '
                'r="3.5" '
                f'fill="{colour}"><title>{escape(tier)}, year {int(year["year"])}: {u * 100:.1f} '
                "%</title></circle>"
            )
        label = tier if len(tier) <= 18 else tier[:17] + "…"
        body.append(
            f'<rect x="{legend_x}" y="{height - 16}" width="12" height="4" fill="{colour}"/>'
            f'<text x="{legend_x + 16}" y="{height - 11}" font-size="11" fill="{INK}">{escape(label)}</text>'
        )
        legend_x += 28 + 7 * len(label)
    busiest = max(tiers, key=lambda t: float(curve[-1]["utilization"][t]))
    description = (
        f"Utilisation grows in proportion to load; {busiest} is the busiest tier. The cap is "
        f"{cap * 100:.0f} %. "
        + " ".join(
            f"Year {y['year']}: "
            + ", ".join(f"{t} {float(y['utilization'].get(t, 0.0)) * 100:.0f} %" for t in tiers)
            + "."
            for y in years
        )
    )
    return _svg(
        width,
        height,
        "Utilisation per tier against load",
        description,
        body,
        "utilisation-chart",
        responsive=responsive,
    )
