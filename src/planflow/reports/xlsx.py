"""The ``xlsx`` reporter: a workbook with a summary sheet and one sheet per unit.

When indicators were measured in the period, an "Indicators" sheet gives their
verdicts with the firmness the plan gives them (values as numbers).

Dates are real dates (shown ``dd/mm/yyyy``), counts are numbers; every sheet has
its column widths, a frozen header, its header rows repeated on each printed page,
a print area and an A4 landscape page fitted to the width.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from planflow.hooks.specs import Artifact, ReportContext, Reporter, hookimpl
from planflow.i18n import _
from planflow.plan.errors import PlanError
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
from planflow.reports.svg import units_in

__all__ = ["XlsxReporter", "render_xlsx"]

_DATE = "dd/mm/yyyy"
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(text: str, taken: set[str]) -> str:
    """A sheet title Excel accepts: at most 31 characters, none of ``[]:*?/\\``, unique."""
    base = _BAD_TITLE.sub("-", text)[:31] or "sheet"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _table(
    ws: Any,
    title: str,
    subtitle: str,
    header: list[str],
    rows: list[list[Any]],
    widths: list[int],
    date_columns: Sequence[int] = (),
) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    thin = Side(style="thin")
    ws.append([title])
    ws.append([subtitle])
    ws.append(header)
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"].font = Font(italic=True)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for row in rows:
        ws.append(row)
    for column in date_columns:
        for (cell,) in ws.iter_rows(min_row=4, min_col=column, max_col=column):
            cell.number_format = _DATE
    for n, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    last = get_column_letter(len(header))
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.print_area = f"A1:{last}{max(ws.max_row, 3)}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def render_xlsx(data: ReportData) -> bytes:
    """The workbook's bytes, in the language in use."""
    try:
        from openpyxl import Workbook
    except ImportError:
        raise PlanError(
            _("the xlsx form needs openpyxl"), hint=_("pip install 'planflow[report]'")
        ) from None

    wb = Workbook()
    summary = wb.worksheets[0]
    taken: set[str] = set()
    summary.title = _sheet_title(_("Summary"), taken)
    subtitle = f"{data.plan.title} — {data.period.label()}"
    counts = count_headings()
    rows: list[list[Any]] = [
        [t.ref, task_title(data, t.task), t.lead, *(getattr(t.counts, k) for k in COUNT_KEYS)]
        for t in data.tasks
    ]
    rows.append(["", _("Total"), "", *(getattr(data.totals, k) for k in COUNT_KEYS)])
    _table(
        summary,
        heading("title"),
        subtitle,
        [_("Clause"), _("Task"), _("Lead"), *counts],
        rows,
        [10, 60, 12, *[11] * len(counts)],
    )
    units = wb.create_sheet(_sheet_title(_("Units"), taken))
    _table(
        units,
        heading("units"),
        subtitle,
        [_("Unit"), _("Name"), *counts, _("Coordinates")],
        [
            [u.unit, u.name, *(getattr(u.counts, k) for k in COUNT_KEYS), u.coordinated]
            for u in data.units
        ],
        [12, 45, *[11] * len(counts), 12],
    )
    if data.indicators:
        _table(
            wb.create_sheet(_sheet_title(_("Indicators"), taken)),
            heading("indicators"),
            subtitle,
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
        )
    for unit in units_in(data):
        items = [
            i for i in data.items if i.in_period and (i.unit == unit or unit in i.coordinators)
        ]
        if not items:
            continue
        ws = wb.create_sheet(_sheet_title(unit, taken))
        name = data.plan.unit(unit).name
        _table(
            ws,
            name,
            subtitle,
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
