"""``planflow agenda``'s screen table: titles, not only ids, shortened to the terminal."""

from __future__ import annotations

from typing import Any

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
    """Print ``rows`` (occurrence, role) as one table per month, fitting ``console``'s width."""
    from rich.table import Table

    headers = [
        _("due"),
        _("time"),
        _("clause"),
        _("task"),
        _("lead unit"),
        _("role"),
        _("waits for"),
    ]
    cells = [(occ, _agenda_cells(timeline, occ, role)) for occ, role in rows]
    widths = [max([len(h), *(len(c[n]) for _, c in cells)]) for n, h in enumerate(headers)]
    widths[6] = min(widths[6], 24)
    # the title gives way: it gets what the other columns leave of the terminal's width
    # (each column takes 3 more characters of borders and padding, plus 1 for the edge)
    widths[3] = max(12, console.width - sum(w for n, w in enumerate(widths) if n != 3) - 22)
    month = None
    table: Table | None = None
    for occ, row in cells:
        key = occ.start.strftime("%Y-%m")
        if key != month:
            if table is not None:
                console.print(table)
            month = key
            title = _("Month {month}/{year}").format(month=occ.start.month, year=occ.start.year)
            table = Table(title=title, title_justify="left")
            for n, header in enumerate(headers):
                table.add_column(
                    header,
                    no_wrap=n != 6,
                    overflow="ellipsis" if n == 3 else "fold",
                    max_width=widths[n],
                    min_width=min(widths[n], 12) if n == 3 else None,
                )
        assert table is not None
        table.add_row(*row)
    if table is not None:
        console.print(table)
    else:
        console.print(_("no occurrences match"))
