"""A plan → the task table offices keep (xlsx with a sheet of units, or csv).

``planflow import`` reads the table back into the same tasks: the columns carry
the task ids, windows in forms the plan reader reads, and frequencies as the
Vietnamese shorthand when one means exactly the task's rule (else the RRULE).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from planflow.plan import forms
from planflow.plan.errors import PlanError
from planflow.plan.model import Group, Plan, Task
from planflow.plan.rules.shorthands import SHORTHANDS

__all__ = ["TASK_HEADERS", "UNIT_HEADERS", "task_rows", "unit_rows", "write_csv", "write_xlsx"]

TASK_HEADERS = (
    "STT",
    "Mục",
    "Mã",
    "Nội dung",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian thực hiện",
    "Tần suất",
    "Ghi chú",
)
UNIT_HEADERS = ("Mã", "Tên", "Tên tiếng Anh", "Tên khác", "Thành viên")

# the Vietnamese shorthand of a rule, where one exists (first spelling listed wins)
_SHORT: dict[str, str] = {}
for _phrase, _rule in SHORTHANDS.items():
    if any(ord(c) > 127 for c in _phrase):
        _SHORT.setdefault(_rule, _phrase)


def _window(task: Task, year: int) -> str:
    window = task.window
    try:
        again = forms.parse_window(window.label, year)
    except (PlanError, ValueError):
        again = None
    if again is not None and (again.start, again.end, again.continuous) == (
        window.start,
        window.end,
        window.continuous,
    ):
        return window.label
    return f"{window.start.isoformat()}..{window.end.isoformat()}"


def task_rows(plan: Plan) -> list[list[Any]]:
    """One row per task, in :data:`TASK_HEADERS` order; units by their names."""
    names = {u.id: u.name for u in plan.units}
    rows = []
    for number, task in enumerate(plan.tasks, 1):
        rule = task.recurrence or ""
        rows.append(
            [
                number,
                task.ref,
                task.id,
                task.title,
                names[task.lead],
                "; ".join(names[c] for c in task.coordinators),
                _window(task, plan.year),
                _SHORT.get(rule, rule),
                task.notes,
            ]
        )
    return rows


def unit_rows(plan: Plan) -> list[list[str]]:
    """One row per unit and group, in :data:`UNIT_HEADERS` order."""
    return [
        [
            u.id,
            u.name,
            u.name_en,
            "; ".join(u.aliases),
            "; ".join(u.members) if isinstance(u, Group) else "",
        ]
        for u in plan.units
    ]


def write_xlsx(plan: Plan, path: str | Path) -> None:
    """The table as a workbook: sheet ``Nhiệm vụ`` (tasks) and sheet ``Đơn vị`` (units)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    tasks = book.active
    assert tasks is not None  # a new workbook has one sheet
    tasks.title = "Nhiệm vụ"
    tasks.append([plan.title])
    tasks.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TASK_HEADERS))
    tasks["A1"].font = Font(bold=True, size=13)
    tasks.append(list(TASK_HEADERS))
    for values in task_rows(plan):
        tasks.append(values)
    for cell in tasks[2]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHI", (5, 10, 22, 60, 30, 40, 22, 18, 30), strict=True):
        tasks.column_dimensions[column].width = width
    for cells in tasks.iter_rows(min_row=3):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    units = book.create_sheet("Đơn vị")
    units.append(list(UNIT_HEADERS))
    for unit_row in unit_rows(plan):
        units.append(unit_row)
    book.save(path)


def write_csv(plan: Plan) -> str:
    """The task table as CSV text (UTF-8 with the byte-order mark Excel needs, added by
    the caller when writing a file)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TASK_HEADERS)
    writer.writerows(task_rows(plan))
    return out.getvalue()
