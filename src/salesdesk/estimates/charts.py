"""Server-rendered SVG charts of an estimate: Gantt (critical path, today line), S-curve, histogram,
tornado. Plain strings, every label escaped; no JavaScript, so they work under the strict CSP.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

ROW = 22
LABEL = 220
WIDTH = 760


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    # Every text that came from a person (task names, codes) is escaped where it is inserted.
    return mark_safe(  # noqa: S308
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def gantt(schedule: dict[str, Any], today: dt.date | None = None) -> SafeString:
    """Bars at early start/finish; critical tasks drawn solid red and named in the title; today's line."""
    tasks = schedule["tasks"]
    total = max(float(schedule["duration"]), 1.0)
    scale = (WIDTH - LABEL - 10) / total
    height = ROW * len(tasks) + 30
    body = []
    for i, task in enumerate(tasks):
        y = 20 + i * ROW
        critical = task["critical"]
        label = f"{task['code']} {task['name']}"[:40]
        body.append(f'<text x="4" y="{y + 14}" font-size="11">{escape(label)}</text>')
        x = LABEL + task["early_start"] * scale
        width = max(task["duration"] * scale, 2)
        note = f"{task['code']}: day {task['early_start']:g}–{task['early_finish']:g}"
        if task.get("start_date"):
            note += f" ({task['start_date']} – {task['finish_date']})"
        if critical:
            note += ", critical"
        else:
            note += f", float {task['total_float']:g} days"
        if task["milestone"]:
            body.append(
                f'<polygon points="{x},{y + 4} {x + 6},{y + 10} {x},{y + 16} {x - 6},{y + 10}" '
                f'class="{"critical" if critical else "task"}" fill="{"#b3261e" if critical else "#345"}">'
                f"<title>{escape(note)}</title></polygon>"
            )
        else:
            body.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="{ROW - 8}" rx="2" '
                f'class="{"critical" if critical else "task"}" fill="{"#b3261e" if critical else "#5b7db1"}">'
                f"<title>{escape(note)}</title></rect>"
            )
    for day in range(0, int(total) + 1, max(1, int(total) // 10 or 1)):
        x = LABEL + day * scale
        body.append(f'<text x="{x:.1f}" y="12" font-size="9" fill="#555">{day}</text>')
    if today and schedule.get("start_date"):
        start = dt.date.fromisoformat(schedule["start_date"])
        # Calendar days → working days roughly (5 of 7); exact dates are on each bar's tooltip.
        offset = (today - start).days * 5 / 7
        if 0 <= offset <= total:
            x = LABEL + offset * scale
            body.append(
                f'<line x1="{x:.1f}" y1="14" x2="{x:.1f}" y2="{height}" stroke="#0a7" stroke-width="2" '
                f'class="today"><title>Today, {today.isoformat()}</title></line>'
            )
    title = "Gantt chart; critical path: " + " → ".join(schedule["critical_path"])
    return _svg(WIDTH, height, title, body)


def s_curve(points: list[list[float]], label: str) -> SafeString:
    """Cumulative probability against the value (cost or days)."""
    if not points:
        return mark_safe("")
    lo, hi = points[0][0], points[-1][0]
    span = (hi - lo) or 1.0
    w, h, pad = 480, 220, 40
    coords = " ".join(
        f"{pad + (v - lo) / span * (w - 2 * pad):.1f},{h - pad - p * (h - 2 * pad):.1f}" for v, p in points
    )
    body = [
        f'<polyline points="{coords}" fill="none" stroke="#5b7db1" stroke-width="2"/>',
        f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>',
        f'<text x="{pad}" y="{h - 10}" font-size="10">{lo:,.0f}</text>',
        f'<text x="{w - pad}" y="{h - 10}" font-size="10" text-anchor="end">{hi:,.0f}</text>',
        f'<text x="{pad - 4}" y="{pad}" font-size="10" text-anchor="end">100%</text>',
    ]
    for p in (0.5, 0.8):
        y = h - pad - p * (h - 2 * pad)
        body.append(
            f'<line x1="{pad}" y1="{y:.1f}" x2="{w - pad}" y2="{y:.1f}" stroke="#ccc" stroke-dasharray="4"/>'
            f'<text x="{pad - 4}" y="{y + 3:.1f}" font-size="10" text-anchor="end">P{int(p * 100)}</text>'
        )
    return _svg(w, h, f"S-curve of {label}", body)


def histogram(hist: dict[str, list[float]], label: str) -> SafeString:
    counts, edges = hist.get("counts") or [], hist.get("edges") or []
    if not counts:
        return mark_safe("")
    w, h, pad = 480, 220, 30
    top = max(counts) or 1
    bar = (w - 2 * pad) / len(counts)
    body = []
    for i, count in enumerate(counts):
        height = count / top * (h - 2 * pad)
        body.append(
            f'<rect x="{pad + i * bar:.1f}" y="{h - pad - height:.1f}" '
            f'width="{bar - 1:.1f}" height="{height:.1f}" '
            f'fill="#5b7db1"><title>{edges[i]:,.0f} – {edges[i + 1]:,.0f}: {count}</title></rect>'
        )
    body.append(f'<text x="{pad}" y="{h - 8}" font-size="10">{edges[0]:,.0f}</text>')
    body.append(f'<text x="{w - pad}" y="{h - 8}" font-size="10" text-anchor="end">{edges[-1]:,.0f}</text>')
    return _svg(w, h, f"Histogram of {label}", body)


def tornado(rows: list[list[Any]]) -> SafeString:
    """Bars of each input's rank correlation with the finish, largest first."""
    if not rows:
        return mark_safe("")
    w, pad = 640, 260
    h = ROW * len(rows) + 10
    mid = pad + (w - pad) / 2
    half = (w - pad) / 2 - 10
    body = [f'<line x1="{mid}" y1="0" x2="{mid}" y2="{h}" stroke="#999"/>']
    for i, (key, name, value) in enumerate(rows):
        y = 5 + i * ROW
        length = abs(value) * half
        x = mid if value >= 0 else mid - length
        body.append(f'<text x="4" y="{y + 13}" font-size="11">{escape(f"{key} {name}"[:44])}</text>')
        body.append(
            f'<rect x="{x:.1f}" y="{y + 2}" width="{length:.1f}" height="{ROW - 6}" fill="#c77c02">'
            f"<title>{escape(str(key))}: ρ = {value:+.2f}</title></rect>"
        )
    return _svg(w, h, "Tornado: what drives the finish date", body)
