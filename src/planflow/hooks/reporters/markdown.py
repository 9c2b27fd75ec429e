"""The ``markdown`` reporter: one Markdown report per closed reporting period."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from planflow.hooks.reporters.summary import COLUMNS, HEADINGS, period_summary
from planflow.hooks.specs import Artifact, ReportContext, Reporter, hookimpl
from planflow.run.indicators import FIRMNESS_VI

__all__ = ["MarkdownReporter", "render_markdown"]


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*out, ""]


def render_markdown(data: dict[str, Any]) -> str:
    """The report text for :func:`~planflow.hooks.reporters.summary.period_summary` data."""
    period = data["period"]
    counts = [vi for _, vi, _ in COLUMNS]
    keys = [key for key, _, _ in COLUMNS]
    lines = [
        f"# {HEADINGS['title']} — {period['name']}",
        "",
        f"**{data['title']}**  ",
        f"{data['issuer']} · kỳ báo cáo / period: {period['start']} – {period['end']}"
        f" (khóa sổ / closed {period['closed']})",
        "",
        f"## {HEADINGS['totals']}",
        "",
        *_table(counts, [[data["totals"][k] for k in keys]]),
        f"## {HEADINGS['units']}",
        "",
        *_table(
            ["Đơn vị", *counts],
            [[f"{u['name']} (`{u['unit']}`)", *(u[k] for k in keys)] for u in data["units"]],
        ),
        f"## {HEADINGS['tasks']}",
        "",
        *_table(
            ["Mục", "Nhiệm vụ", "Chủ trì", *counts],
            [[t["ref"], t["title"], t["lead"], *(t[k] for k in keys)] for t in data["tasks"]],
        ),
        f"## {HEADINGS['targets']}",
        "",
    ]
    if data["targets"]:
        lines += _table(
            ["Nhiệm vụ", "Chỉ tiêu", "Cần đạt trong kỳ", "Đã thực hiện", "Đúng hạn", "Đạt"],
            [
                [
                    t["duty"],
                    t["target"],
                    t["expected"],
                    t["done"],
                    t["on_time"],
                    "đạt" if t["met"] else "**chưa đạt**",
                ]
                for t in data["targets"]
            ],
        )
    else:
        lines += ["Không có chỉ tiêu số lượng trong kỳ (no quantity targets in the period).", ""]
    lines += [f"## {HEADINGS['late']}", ""]
    if data["late"]:
        lines += _table(
            ["Việc", "Nhiệm vụ", "Đơn vị", "Hạn", "Tình trạng", "Hoàn thành", "Số ngày trễ"],
            [
                [
                    r["occurrence"],
                    r["title"],
                    r["unit"],
                    r["due"],
                    r["state"],
                    r["completed"] or "",
                    r["days_late"] if r["days_late"] else "",
                ]
                for r in data["late"]
            ],
        )
    else:
        lines += ["Không có (none): mọi việc đến hạn trong kỳ đã hoàn thành đúng hạn.", ""]
    if data.get("indicators"):
        lines += [f"## {HEADINGS['indicators']}", ""]
        lines += _table(
            ["Chỉ tiêu", "Đơn vị", "Thời điểm", "Mục tiêu", "Mức độ", "Kết quả", "Đánh giá"],
            [
                [
                    r["text"],
                    r["unit"],
                    vi_date(r["checkpoint"]),
                    r["goal"],
                    FIRMNESS_VI[r["firmness"]],
                    "" if r["value"] is None else vi_number(r["value"]),
                    verdict_vi(r),
                ]
                for r in data["indicators"]
            ],
        )
    return "\n".join(lines)


def verdict_vi(row: dict[str, Any]) -> str:
    """How a report states a verdict: a missed required target is a failure, a missed
    softer one (phấn đấu, khuyến khích …) is "not yet reached"."""
    if row["state"] == "met":
        return "đạt"
    if row["state"] == "no data":
        return "chưa có số liệu"
    if row["failed"]:
        return "**không đạt**"
    return f"chưa đạt ({FIRMNESS_VI[row['firmness']]})"


def vi_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def vi_number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.2f}".rstrip("0").replace(",", " ").replace(".", ",").replace(" ", ".")


class MarkdownReporter:
    """``<plan>-<period>.md``: totals, per unit, per task, targets and late items."""

    name = "markdown"
    description = "Markdown report per reporting period (Vietnamese headings)"
    media_type = "text/markdown"

    def report(self, context: ReportContext) -> Sequence[Artifact]:
        """One Markdown file for the period."""
        data = period_summary(context)
        name = f"{data['plan']}-{data['period']['id']}.md"
        return [Artifact(name, self.media_type, render_markdown(data).encode("utf-8"))]


@hookimpl(trylast=True)
def planflow_reporters() -> Sequence[Reporter]:
    """The ``markdown`` reporter."""
    return [MarkdownReporter()]
