"""``planflow agenda``'s screen table: titles, not only ids, shortened to the terminal."""

from __future__ import annotations

from typing import Any

from planflow.cli.screen import Column, fit_columns, fit_table, time_in_title
from planflow.i18n import _, format_date, get_language
from planflow.reports.agenda import unit_cell

__all__ = ["print_agenda"]


def _agenda_cells(timeline: Any, occ: Any, role: str) -> list[str]:
    """One agenda row: due date, meeting time, clause, title, unit, role, what it waits for."""
    task = timeline.duty(occ.task).task
    waits = ", ".join(f"{t}#{i}" for t, i in occ.waits_for[:2])
    if len(occ.waits_for) > 2:
        waits += f" +{len(occ.waits_for) - 2}"
    return [
        format_date(occ.due),
        f"{task.time.start:%H:%M}–{task.time.end:%H:%M}" if task.time else "",
        task.ref,
        task.title_en if get_language() == "en" and task.title_en else task.title,
        unit_cell(timeline, occ),
        _("coordinates") if role == "coordinator" else _("leads"),
        waits,
    ]


def print_agenda(console: Any, timeline: Any, rows: list[tuple[Any, str]]) -> None:
    """Print ``rows`` (occurrence, role) as one table per month, fitting ``console``'s width.

    The title is shortened to what the terminal leaves; on a narrow terminal what the
    occurrence waits for, then its clause are left out (``--json`` keeps them), and
    the meeting time moves before the title.
    """
    columns = [
        Column(_("due"), rank=100, keep=True),
        Column(_("time"), rank=60),
        Column(_("clause"), rank=50, cap=12),
        Column(_("task"), rank=99, flexible=True),
        Column(_("unit"), rank=90, cap=24, floor=8),
        Column(_("role"), rank=80, keep=True),
        Column(_("waits for"), rank=40, cap=24),
    ]
    months: dict[tuple[int, int], list[list[str]]] = {}
    for occ, role in rows:
        key = (occ.start.year, occ.start.month)
        months.setdefault(key, []).append(_agenda_cells(timeline, occ, role))
    # one layout for every month, so that the columns line up down the page
    every = [c for cells in months.values() for c in cells]
    layout = fit_columns(console.width, columns, every)
    time_in_title(layout, every, time=1, title=3)
    for (year, month), cells in months.items():
        title = _("Month {month}/{year}").format(month=month, year=year)
        console.print(fit_table(layout, columns, cells, title=title, title_justify="left"))
    if not months:
        console.print(_("no occurrences match"))
