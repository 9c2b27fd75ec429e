"""The ``csv`` reporter: the period's figures as two CSV tables (UTF-8 with BOM, for Excel).

``<plan>-<period>.csv`` has one row per scope (``tổng``, each unit, each task) with
the counts; ``<plan>-<period>-tre-han.csv`` lists the late, overdue and missed items;
``<plan>-<period>-chi-tieu.csv``, when indicators were measured in the period, their
verdicts with the firmness the plan gives them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from planflow.hooks.reporters.markdown import verdict_vi, vi_date, vi_number
from planflow.hooks.reporters.summary import COLUMNS, period_summary
from planflow.hooks.specs import Artifact, ReportContext, Reporter, hookimpl
from planflow.run.indicators import FIRMNESS_VI

__all__ = ["CsvReporter"]


def _csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


class CsvReporter:
    """Counts per scope, and the late items, as CSV."""

    name = "csv"
    description = "CSV tables per reporting period: counts per unit and task, late items"
    media_type = "text/csv"

    def report(self, context: ReportContext) -> Sequence[Artifact]:
        """Two CSV files for the period."""
        data = period_summary(context)
        keys = [key for key, _, _ in COLUMNS]
        header = ["phạm vi (scope)", "mã (id)", "tên (name)", *(vi for _, vi, _ in COLUMNS)]
        rows: list[list[Any]] = [
            header,
            ["tổng", data["plan"], data["title"], *(data["totals"][k] for k in keys)],
        ]
        rows += [["đơn vị", u["unit"], u["name"], *(u[k] for k in keys)] for u in data["units"]]
        rows += [["nhiệm vụ", t["task"], t["title"], *(t[k] for k in keys)] for t in data["tasks"]]
        late: list[list[Any]] = [
            ["việc", "nhiệm vụ", "đơn vị", "hạn", "tình trạng", "hoàn thành", "số ngày trễ"]
        ]
        late += [
            [
                r["occurrence"],
                r["title"],
                r["unit"],
                r["due"],
                r["state"],
                r["completed"] or "",
                "" if r["days_late"] is None else r["days_late"],
            ]
            for r in data["late"]
        ]
        stem = f"{data['plan']}-{data['period']['id']}"
        out = [
            Artifact(f"{stem}.csv", self.media_type, _csv(rows)),
            Artifact(f"{stem}-tre-han.csv", self.media_type, _csv(late)),
        ]
        if data.get("indicators"):
            kpi: list[list[Any]] = [
                ["chỉ tiêu", "nội dung", "đơn vị", "thời điểm", "mục tiêu", "mức độ", "kết quả",
                 "đánh giá"]
            ]  # fmt: skip
            kpi += [
                [
                    r["indicator"],
                    r["text"],
                    r["unit"],
                    vi_date(r["checkpoint"]),
                    r["goal"],
                    FIRMNESS_VI[r["firmness"]],
                    "" if r["value"] is None else vi_number(r["value"]),
                    verdict_vi(r).replace("**", ""),
                ]
                for r in data["indicators"]
            ]
            out.append(Artifact(f"{stem}-chi-tieu.csv", self.media_type, _csv(kpi)))
        return out


@hookimpl(trylast=True)
def planflow_reporters() -> Sequence[Reporter]:
    """The ``csv`` reporter."""
    return [CsvReporter()]
