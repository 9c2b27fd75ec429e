"""``planflow status``'s screen table of what needs attention: titles that fit the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from planflow.cli.screen import Column, fit_columns, fit_table, time_in_title
from planflow.i18n import _, format_date, get_language

__all__ = ["attention_table", "units_table"]


def _time(plan: Any, item: dict[str, Any]) -> str:
    """The task's meeting time, ``08:00–11:30``, or nothing."""
    time = plan.task(item["task"]).time
    return f"{time.start:%H:%M}–{time.end:%H:%M}" if time else ""


def attention_table(
    width: int, plan: Any, items: Sequence[dict[str, Any]], categories: dict[str, str]
) -> Any:
    """The rows of ``status``'s attention list as a table no wider than ``width``.

    Each row: the task's title (shortened to what the terminal leaves), its unit, its
    due date, its meeting time (before the title when there is no room for it), its
    state, and the occurrence's id (``planflow done`` takes it), which a narrow
    terminal leaves out first.
    """
    columns = [
        Column(_("Task"), rank=99, flexible=True),
        Column(_("Unit"), rank=90, cap=24, floor=8),
        Column(_("Due"), rank=100, keep=True),
        Column(_("time"), rank=60),
        Column(_("State"), rank=95, cap=36, floor=10),
        Column(_("Duty"), rank=30, cap=32),
    ]
    rows = []
    for item in items:
        task = plan.task(item["task"])
        title = task.title_en if get_language() == "en" and task.title_en else task.title
        what = _(categories[item["category"]])
        if item["blocked_by"]:
            names = ", ".join(item["blocked_by"])
            what += " (" + _("waits for {names}").format(names=names) + ")"
        due = format_date(date.fromisoformat(item["due"]))
        rows.append([title, item["unit"], due, _time(plan, item), what, item["occurrence"]])
    layout = fit_columns(width, columns, rows)
    time_in_title(layout, rows, time=3, title=0)
    return fit_table(layout, columns, rows)


def units_table(units: Sequence[dict[str, Any]], headers: Sequence[str], title: str) -> Any:
    """The counts per unit: unit ids kept whole, numbers to the right, headers wrapped."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column(headers[0], no_wrap=True)
    for header in headers[1:]:
        table.add_column(header, justify="right")
    for row in units:
        counts = ("overdue", "due_this_week", "blocked", "open", "done", "missed")
        table.add_row(row["unit"], *(str(row[c]) for c in counts))
    return table
