"""The consolidated report as a workbook: every plan, the shared units, the KPI targets not met.

Written with :mod:`planflow.reports.sheets`, as the single-plan report is: counts are
numbers, the share on time a percentage, checkpoints real dates (``dd/mm/yyyy``).
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from planflow.i18n import _
from planflow.reports.consolidated import (
    consolidated_heading,
    period_dates,
    plans_phrase,
    subject,
)
from planflow.reports.data import COUNT_KEYS
from planflow.reports.labels import count_headings, firmness_name, heading, indicator_verdict
from planflow.reports.periods import period_phrase
from planflow.reports.sheets import new_workbook, sheet_title, write_table

__all__ = ["render_xlsx"]


def _share(value: float | None) -> float | None:
    return None if value is None else value / 100


def _percent_column(ws: Any, column: int) -> None:
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(column)
    for (cell,) in ws.iter_rows(min_row=4, min_col=column, max_col=column):
        if isinstance(cell.value, float):
            cell.number_format = "0.0%"
    ws.column_dimensions[letter].width = 11


def render_xlsx(summary: dict[str, Any]) -> bytes:
    """The workbook's bytes, in the language in use."""
    wb = new_workbook()
    taken: set[str] = set()
    first = wb.worksheets[0]
    first.title = sheet_title(_("By plan"), taken)
    start, end = period_dates(summary)
    subtitle = f"{subject(summary)} — {period_phrase(start, end)}"
    counts = count_headings()
    t = summary["totals"]
    rows: list[list[Any]] = [
        [
            n,
            r["plan"],
            r["title"],
            *(r[k] for k in COUNT_KEYS),
            _share(r["on_time_percent"]),
            r["targets_not_met"],
            r["indicators_not_met"],
            r["worst_unit"] or "",
        ]
        for n, r in enumerate(summary["plans"], 1)
    ]
    rows.append(
        [
            "",
            "",
            _("Total") + f" ({plans_phrase(len(summary['plans']))})",
            *(t[k] for k in COUNT_KEYS),
            _share(t["on_time_percent"]),
            sum(r["targets_not_met"] for r in summary["plans"]),
            len(summary["indicators_not_met"]),
            "",
        ]
    )
    write_table(
        first,
        [
            _("No."),
            _("Plan"),
            _("Title"),
            *counts,
            _("Share on time"),
            _("Quantity targets not met"),
            _("KPI not met"),
            _("Most behind unit"),
        ],
        rows,
        [6, 18, 45, *[11] * len(counts), 11, 11, 11, 18],
        title=consolidated_heading("title"),
        subtitle=subtitle,
    )
    _percent_column(first, 4 + len(counts))
    shared = wb.create_sheet(sheet_title(_("Shared units"), taken))
    write_table(
        shared,
        [_("Unit"), _("Name"), _("Plans"), *counts, _("Share on time")],
        [
            [
                r["unit"],
                r["name"],
                r["plans"],
                *(r[k] for k in COUNT_KEYS),
                _share(r["on_time_percent"]),
            ]
            for r in summary["shared_units"]
        ],
        [12, 40, 9, *[11] * len(counts), 11],
        title=consolidated_heading("shared"),
        subtitle=subtitle,
    )
    _percent_column(shared, 4 + len(counts))
    if summary["indicators_not_met"]:
        write_table(
            wb.create_sheet(sheet_title(_("KPI not met"), taken)),
            [
                _("Plan"),
                _("Clause"),
                _("Indicator"),
                _("Unit"),
                _("Checkpoint"),
                _("Goal"),
                _("Value"),
                _("Firmness"),
                _("Verdict"),
            ],
            [
                [
                    r["plan"],
                    r["ref"],
                    r["text"],
                    r["unit"],
                    date.fromisoformat(r["checkpoint"]),
                    r["goal"],
                    r["value"],
                    firmness_name(r["firmness"]),
                    indicator_verdict("not met", r["failed"], r["firmness"]),
                ]
                for r in summary["indicators_not_met"]
            ],
            [18, 9, 50, 20, 12, 10, 10, 14, 22],
            date_columns=[5],
            title=consolidated_heading("indicators"),
            subtitle=subtitle,
        )
    if summary["failed"]:
        write_table(
            wb.create_sheet(sheet_title(_("Not read"), taken)),
            [_("File"), _("Errors"), _("Problems")],
            [[f["file"], f["errors"], "\n".join(f["problems"])] for f in summary["failed"]],
            [24, 8, 90],
            title=f"{heading('raise')} — {consolidated_heading('failed')}",
            subtitle=subtitle,
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
