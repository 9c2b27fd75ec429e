"""The ``csv`` reporter: the period's figures as CSV tables (UTF-8 with BOM, for Excel).

``<plan>-<period>.csv`` has one row per scope (the total, each unit, each task in
the plan's order) with the counts; ``<plan>-<period>-tre-han.csv`` lists the late,
overdue and missed items; ``<plan>-<period>-chi-tieu.csv``, when indicators were
measured in the period, their verdicts with the firmness the plan gives them. Dates
are written ``YYYY-MM-DD`` and values with a decimal point, so that every
spreadsheet reads them as dates and numbers whatever its locale.
"""

from __future__ import annotations

import csv
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
    indicator_verdict,
    state_name,
    task_title,
)

__all__ = ["CsvReporter", "render_csv", "render_indicators_csv"]


def _csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def render_csv(data: ReportData) -> tuple[bytes, bytes]:
    """The counts table and the late-items table, as CSV bytes."""
    header = [_("scope"), _("id"), _("clause"), _("name"), *count_headings()]
    rows: list[list[Any]] = [
        header,
        [
            _("total"),
            data.plan.id,
            "",
            data.plan.title,
            *(getattr(data.totals, k) for k in COUNT_KEYS),
        ],
    ]
    rows += [
        [_("unit"), u.unit, "", u.name, *(getattr(u.counts, k) for k in COUNT_KEYS)]
        for u in data.units
    ]
    rows += [
        [
            _("task"),
            t.task,
            t.ref,
            task_title(data, t.task),
            *(getattr(t.counts, k) for k in COUNT_KEYS),
        ]
        for t in data.tasks
    ]
    late: list[list[Any]] = [
        [
            _("occurrence"),
            _("clause"),
            _("task"),
            _("unit"),
            _("due"),
            _("state"),
            _("completed"),
            _("working days late"),
        ]
    ]
    late += [
        [
            i.key,
            i.ref,
            task_title(data, i.task),
            i.unit,
            i.due.isoformat(),
            state_name(i.state),
            i.completed.isoformat() if i.completed else "",
            "" if i.days_late is None else i.days_late,
        ]
        for i in data.late()
    ]
    return _csv(rows), _csv(late)


def render_indicators_csv(data: ReportData) -> bytes:
    """The indicators' verdicts in the period, with their firmness, as CSV bytes."""
    rows: list[list[Any]] = [
        [
            _("indicator"),
            _("text"),
            _("unit"),
            _("checkpoint"),
            _("goal"),
            _("firmness"),
            _("value"),
            _("verdict"),
        ]
    ]
    rows += [
        [
            r.indicator,
            r.text,
            r.unit,
            r.checkpoint.isoformat(),
            r.goal,
            firmness_name(r.firmness),
            "" if r.value is None else (int(r.value) if float(r.value).is_integer() else r.value),
            indicator_verdict(r.state, r.failed, r.firmness),
        ]
        for r in data.indicators
    ]
    return _csv(rows)


class CsvReporter:
    """Counts per scope, and the late items, as CSV."""

    name = "csv"
    description = (
        "CSV tables per reporting period: counts per unit and task, late items, indicators"
    )
    media_type = "text/csv"

    def report(self, context: ReportContext) -> Sequence[Artifact]:
        """Two CSV files for the period, three when indicators were measured in it."""
        data = report_data(context)
        counts, late = render_csv(data)
        stem = f"{data.plan.id}-{data.period.id}"
        out = [
            Artifact(f"{stem}.csv", self.media_type, counts),
            Artifact(f"{stem}-tre-han.csv", self.media_type, late),
        ]
        if data.indicators:
            out.append(
                Artifact(f"{stem}-chi-tieu.csv", self.media_type, render_indicators_csv(data))
            )
        return out


@hookimpl(trylast=True)
def planflow_reporters() -> Sequence[Reporter]:
    """The ``csv`` reporter."""
    return [CsvReporter()]
