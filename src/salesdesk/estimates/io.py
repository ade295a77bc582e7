"""Exports of an estimate's plan: CSV, XLSX (openpyxl) and MS Project XML (MSPDI).

All three are built from ``planning.schedule_of`` (the CPM of the most-likely plan), so
they agree with the Gantt chart. MSPDI follows Microsoft's Project XML schema
(``http://schemas.microsoft.com/project``): ``Project/Tasks/Task`` with UID, ID, Name,
Start, Finish, Duration as ``PT{hours}H{minutes}M0S`` (8-hour working days) and
``PredecessorLink`` (PredecessorUID, Type 0 = FF, 1 = FS, 2 = SF, 3 = SS, LinkLag in
tenths of a minute).
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any
from xml.etree import ElementTree as ET

from openpyxl import Workbook

from .planning import schedule_of

COLUMNS = (
    "code",
    "phase",
    "name",
    "role",
    "duration",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float",
    "critical",
    "start_date",
    "finish_date",
    "predecessors",
)
MSPDI_NAMESPACE = "http://schemas.microsoft.com/project"
MSPDI_LINK_TYPES = {"FF": 0, "FS": 1, "SF": 2, "SS": 3}
HOURS_PER_DAY = 8


def _cell(value: Any) -> Any:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _predecessors(task: dict[str, Any]) -> str:
    parts = []
    for dep in task["predecessors"]:
        lag = float(dep.get("lag", 0) or 0)
        text = f"{dep['task']}{dep.get('type', 'FS')}"
        if lag:
            text += f"{lag:+g}d"
        parts.append(text)
    return "; ".join(parts)


def plan_rows(estimate: Any) -> list[list[Any]]:
    schedule = schedule_of(estimate)
    rows = []
    for task in schedule["tasks"]:
        row = {**task, "predecessors": _predecessors(task), "critical": "yes" if task["critical"] else "no"}
        rows.append([_cell(row[c]) for c in COLUMNS])
    return rows


def plan_csv(estimate: Any) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(plan_rows(estimate))
    return out.getvalue().encode("utf-8-sig")


def plan_xlsx(estimate: Any) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(list(COLUMNS))
    for row in plan_rows(estimate):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _duration(days: float) -> str:
    minutes = round(days * HOURS_PER_DAY * 60)
    return f"PT{minutes // 60}H{minutes % 60}M0S"


def plan_mspdi(estimate: Any) -> bytes:
    """The plan as MS Project XML (MSPDI), importable by MS Project, ProjectLibre and GanttProject."""
    schedule = schedule_of(estimate)
    ET.register_namespace("", MSPDI_NAMESPACE)

    def sub(parent: ET.Element, tag: str, text: Any) -> ET.Element:
        element = ET.SubElement(parent, f"{{{MSPDI_NAMESPACE}}}{tag}")
        element.text = str(text)
        return element

    project = ET.Element(f"{{{MSPDI_NAMESPACE}}}Project")
    sub(project, "SaveVersion", 14)
    sub(project, "Name", estimate.title)
    sub(project, "Title", estimate.title)
    if schedule["start_date"]:
        sub(project, "StartDate", f"{schedule['start_date']}T08:00:00")
    sub(project, "MinutesPerDay", HOURS_PER_DAY * 60)
    sub(project, "CurrencyCode", estimate.currency)
    tasks = ET.SubElement(project, f"{{{MSPDI_NAMESPACE}}}Tasks")
    uids = {task["code"]: n for n, task in enumerate(schedule["tasks"], start=1)}
    for task in schedule["tasks"]:
        element = ET.SubElement(tasks, f"{{{MSPDI_NAMESPACE}}}Task")
        sub(element, "UID", uids[task["code"]])
        sub(element, "ID", uids[task["code"]])
        sub(element, "Name", f"{task['code']} {task['name']}")
        sub(element, "OutlineLevel", 1)
        if task["start_date"]:
            sub(element, "Start", f"{task['start_date']}T08:00:00")
            sub(element, "Finish", f"{task['finish_date']}T{'08' if task['milestone'] else '17'}:00:00")
        sub(element, "Duration", _duration(task["duration"]))
        sub(element, "DurationFormat", 7)  # days
        sub(element, "Milestone", 1 if task["milestone"] else 0)
        sub(element, "Critical", 1 if task["critical"] else 0)
        for dep in task["predecessors"]:
            link = ET.SubElement(element, f"{{{MSPDI_NAMESPACE}}}PredecessorLink")
            sub(link, "PredecessorUID", uids[dep["task"]])
            sub(link, "Type", MSPDI_LINK_TYPES[dep.get("type", "FS")])
            lag_days = float(dep.get("lag", 0) or 0)
            sub(link, "LinkLag", math.floor(lag_days * HOURS_PER_DAY * 60 * 10 + 0.5))
            sub(link, "LagFormat", 7)
    ET.indent(project)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(
        project, encoding="unicode"
    ).encode("utf-8")


EXPORTS = {
    "csv": (plan_csv, "text/csv; charset=utf-8", "csv"),
    "xlsx": (plan_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "mspdi": (plan_mspdi, "application/xml", "xml"),
}
