"""The agenda as the task table officials keep in Excel: xlsx, csv or Markdown.

One row per occurrence, in time order: start and due dates (real dates in xlsx,
``YYYY-MM-DD`` in csv), meeting time, clause, title, lead unit, role, coordinating
units and what the occurrence waits for. Headings are in the language in use.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from planflow.i18n import _, format_date, get_language
from planflow.timeline.occurrences import Occurrence, Timeline

__all__ = ["agenda_csv", "agenda_markdown", "agenda_rows", "agenda_xlsx", "unit_cell"]


def _headings() -> list[str]:
    return [
        _("Start"),
        _("Due"),
        _("time"),
        _("Clause"),
        _("Task"),
        _("lead unit"),
        _("Role"),
        _("Coordinating"),
        _("waits for"),
    ]


def unit_cell(timeline: Timeline, occ: Occurrence) -> str:
    """The unit owning ``occ``, with the unit it took the duty over from, if any."""
    duty = timeline.duty(occ.task)
    if not duty.handed_from:
        return occ.unit
    return _("{unit} (taken over from {previous})").format(unit=occ.unit, previous=duty.handed_from)


def agenda_rows(timeline: Timeline, rows: Sequence[tuple[Occurrence, str]]) -> list[list[Any]]:
    """One list of cells per ``(occurrence, role)``: dates stay ``date`` objects."""
    out = []
    for occ, role in rows:
        duty = timeline.duty(occ.task)
        task = duty.task
        coordinators = timeline.coordinators_of(occ)
        out.append(
            [
                occ.start,
                occ.due,
                f"{task.time.start:%H:%M}–{task.time.end:%H:%M}" if task.time else "",
                task.ref,
                task.title_en if get_language() == "en" and task.title_en else task.title,
                unit_cell(timeline, occ),
                _("coordinates") if role == "coordinator" else _("leads"),
                ", ".join(coordinators),
                ", ".join(f"{t}#{i}" for t, i in occ.waits_for),
            ]
        )
    return out


def agenda_csv(timeline: Timeline, rows: Sequence[tuple[Occurrence, str]]) -> bytes:
    """CSV, UTF-8 with BOM (Excel), ISO dates (every spreadsheet reads them as dates)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_headings())
    for cells in agenda_rows(timeline, rows):
        writer.writerow([c.isoformat() if n < 2 else c for n, c in enumerate(cells)])
    return buffer.getvalue().encode("utf-8-sig")


def agenda_markdown(timeline: Timeline, rows: Sequence[tuple[Occurrence, str]]) -> str:
    """A Markdown table, dates written as the language writes them."""
    lines = ["| " + " | ".join(_headings()) + " |", "|" + "---|" * len(_headings())]
    for cells in agenda_rows(timeline, rows):
        shown = [format_date(c) if n < 2 else str(c) for n, c in enumerate(cells)]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in shown) + " |")
    return "\n".join(lines) + "\n"


def agenda_xlsx(timeline: Timeline, rows: Sequence[tuple[Occurrence, str]]) -> bytes:
    """A workbook with the table: real dates, widths, frozen header, print set-up."""
    from planflow.reports.sheets import new_workbook, write_table

    wb = new_workbook()
    ws = wb.worksheets[0]
    ws.title = _("Agenda")
    widths = (12, 12, 12, 10, 60, 14, 12, 30, 24)
    write_table(ws, _headings(), agenda_rows(timeline, rows), widths, date_columns=(1, 2))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
