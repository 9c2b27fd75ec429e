"""The ``xlsx`` reporter: a workbook with a summary sheet and one sheet per unit.

When indicators were measured in the period, an "Indicators" sheet gives their
verdicts with the firmness the plan gives them (values as numbers).

Dates are real dates (shown ``dd/mm/yyyy``), counts are numbers; every sheet has
its column widths, a frozen header, its header rows repeated on each printed page,
a print area and an A4 landscape page fitted to the width.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from planflow.hooks.specs import Artifact, ReportContext, Reporter, hookimpl
from planflow.i18n import _
from planflow.reports.context import report_data
from planflow.reports.data import COUNT_KEYS, ReportData
from planflow.reports.labels import (
    count_headings,
    firmness_name,
    heading,
    indicator_verdict,
    role_name,
    state_name,
    task_title,
)
from planflow.reports.sheets import new_workbook, sheet_title, write_table
from planflow.reports.svg import units_in

__all__ = ["XlsxReporter", "render_xlsx"]


def render_xlsx(data: ReportData) -> bytes:
    """The workbook's bytes, in the language in use."""
    wb = new_workbook()
    summary = wb.worksheets[0]
    taken: set[str] = set()
    summary.title = sheet_title(_("Summary"), taken)
    subtitle = f"{data.plan.title} — {data.period.label()}"
    counts = count_headings()
    rows: list[list[Any]] = [
        [t.ref, task_title(data, t.task), t.lead, *(getattr(t.counts, k) for k in COUNT_KEYS)]
        for t in data.tasks
    ]
    rows.append(["", _("Total"), "", *(getattr(data.totals, k) for k in COUNT_KEYS)])
    write_table(
        summary,
        [_("Clause"), _("Task"), _("Lead"), *counts],
        rows,
        [10, 60, 12, *[11] * len(counts)],
        title=heading("title"),
        subtitle=subtitle,
    )
    units = wb.create_sheet(sheet_title(_("Units"), taken))
    write_table(
        units,
        [_("Unit"), _("Name"), *counts, _("Coordinates")],
        [
            [u.unit, u.name, *(getattr(u.counts, k) for k in COUNT_KEYS), u.coordinated]
            for u in data.units
        ],
        [12, 45, *[11] * len(counts), 12],
        title=heading("units"),
        subtitle=subtitle,
    )
    if data.indicators:
        write_table(
            wb.create_sheet(sheet_title(_("Indicators"), taken)),
            [
                _("Indicator"),
                _("Unit"),
                _("Checkpoint"),
                _("Goal"),
                _("Firmness"),
                _("Value"),
                _("Verdict"),
            ],
            [
                [
                    r.text,
                    r.unit,
                    r.checkpoint,
                    r.goal,
                    firmness_name(r.firmness),
                    r.value,
                    indicator_verdict(r.state, r.failed, r.firmness),
                ]
                for r in data.indicators
            ],
            [55, 12, 12, 12, 16, 10, 24],
            date_columns=(3,),
            title=heading("indicators"),
            subtitle=subtitle,
        )
    for unit in units_in(data):
        items = [
            i for i in data.items if i.in_period and (i.unit == unit or unit in i.coordinators)
        ]
        if not items:
            continue
        ws = wb.create_sheet(sheet_title(unit, taken))
        name = data.plan.unit(unit).name
        write_table(
            ws,
            [
                _("Clause"),
                _("Task"),
                _("Role"),
                _("Occurrence"),
                _("Start"),
                _("Due"),
                _("State"),
                _("Completed"),
                _("Working days late"),
            ],
            [
                [
                    i.ref,
                    task_title(data, i.task),
                    role_name("lead" if i.unit == unit else "coordinator"),
                    i.key,
                    i.start,
                    i.due,
                    state_name(i.state),
                    i.completed,
                    i.days_late,
                ]
                for i in items
            ],
            [10, 55, 12, 22, 12, 12, 16, 12, 10],
            date_columns=(5, 6, 8),
            title=name,
            subtitle=subtitle,
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


class XlsxReporter:
    """``<plan>-<period>.xlsx``: summary, units, and one sheet per unit."""

    name = "xlsx"
    description = "Excel workbook per reporting period: a summary and one sheet per unit"
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def report(self, context: ReportContext) -> Sequence[Artifact]:
        """One workbook for the period."""
        data = report_data(context)
        name = f"{data.plan.id}-{data.period.id}.xlsx"
        return [Artifact(name, self.media_type, render_xlsx(data))]


@hookimpl(trylast=True)
def planflow_reporters() -> Sequence[Reporter]:
    """The ``xlsx`` reporter."""
    return [XlsxReporter()]
