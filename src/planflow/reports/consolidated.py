"""The consolidated report of many plans (a province's communes) for one period.

Its figures come as a plain dict (``planflow.workspace.report_summary``; the
``json`` form writes exactly it): ``workspace``, ``issuer`` and ``report`` (who
issues and signs it), ``period`` (``id``, ``start``, ``end``), ``totals``,
``plans`` worst first, ``shared_units``, ``indicators_not_met``, ``failed``. This
module writes it as Markdown, CSV, JSON (:mod:`.consolidated_xlsx` as xlsx,
:mod:`.consolidated_html` as HTML and PDF; :mod:`.consolidated_forms` picks the
form), with the words of the single-plan report. Readable forms (md, html, pdf)
list the ``top`` worst plans and say how many more there are; csv, json and xlsx
hold every plan.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from planflow.i18n import _, format_date, format_number, ngettext
from planflow.reports.data import COUNT_KEYS
from planflow.reports.labels import count_headings, firmness_name, heading, indicator_verdict
from planflow.reports.periods import period_phrase

__all__ = [
    "consolidated_heading",
    "indicator_cells",
    "indicator_headings",
    "more_plans",
    "percent",
    "period_dates",
    "plan_cells",
    "plan_headings",
    "plans_phrase",
    "render_csv",
    "render_markdown",
    "report_issuer",
    "shared_cells",
    "shared_headings",
    "subject",
]


def period_dates(summary: dict[str, Any]) -> tuple[date, date]:
    """The first and last day of the report's period."""
    p = summary["period"]
    return date.fromisoformat(p["start"]), date.fromisoformat(p["end"])


def plans_phrase(count: int) -> str:
    """``3 kế hoạch``, ``3,300 plans``."""
    return ngettext("{count} plan", "{count} plans", count).format(count=format_number(count))


def subject(summary: dict[str, Any]) -> str:
    """The document's subject line, as the single-plan report words it."""
    return _("Consolidated results for {period} of the implementation of {plans} in {area}").format(
        period=period_phrase(*period_dates(summary)),
        plans=plans_phrase(summary["plans_total"]),
        area=summary["workspace"],
    )


def report_issuer(summary: dict[str, Any]) -> str:
    """The body issuing the report: the workspace file's ``issuer``, else its name."""
    issuer: str = summary.get("issuer") or summary["workspace"]
    return issuer


def consolidated_heading(key: str) -> str:
    """The consolidated report's own section headings (the others are the report's)."""
    return {
        "title": _("Consolidated report on the implementation of the plans"),
        "plans": _("2. By plan, the most behind first"),
        "shared": _("3. Shared units across the plans"),
        "indicators": _("4. KPI targets not met"),
        "failed": _("1. Plans that could not be read"),
        "none_failed": _("None: every plan was read."),
    }[key]


def percent(value: float | None) -> str:
    """``22,2%`` in Vietnamese, ``22.2%`` in English; a dash without planned work."""
    return "–" if value is None else f"{format_number(value, digits=1)}%"


def plan_headings() -> list[str]:
    """The columns of the per-plan table (after its number)."""
    return [
        _("Plan (its id)"),
        *count_headings(),
        _("Share on time"),
        _("Quantity targets not met"),
        _("KPI not met"),
        _("Most behind unit"),
    ]


def plan_cells(row: dict[str, Any]) -> list[str]:
    """One plan's cells under :func:`plan_headings`, numbers in the output's language."""
    return [
        f"{row['title']} ({row['plan']})",
        *(format_number(row[k]) for k in COUNT_KEYS),
        percent(row["on_time_percent"]),
        format_number(row["targets_not_met"]),
        format_number(row["indicators_not_met"]),
        row["worst_unit"] or "",
    ]


def more_plans(shown: int, total: int) -> str:
    """``… và 3.280 kế hoạch khác`` when plans were left out, else empty."""
    more = total - shown
    if more <= 0:
        return ""
    return ngettext(
        "… and {count} more plan (--all lists every plan)",
        "… and {count} more plans (--all lists every plan)",
        more,
    ).format(count=format_number(more))


def indicator_cells(row: dict[str, Any]) -> list[str]:
    """A KPI target not met: plan, indicator, unit, checkpoint, goal, value, verdict."""
    value = "" if row["value"] is None else format_number(row["value"], digits=2)
    return [
        row["plan"],
        f"{row['ref']} {row['text']}".strip(),
        row["unit"],
        format_date(date.fromisoformat(row["checkpoint"])),
        row["goal"],
        value,
        indicator_verdict("not met", row["failed"], row["firmness"]),
    ]


def indicator_headings() -> list[str]:
    """The columns of the KPI targets not met."""
    return [
        _("Plan"),
        _("Indicator"),
        _("Unit"),
        _("Checkpoint"),
        _("Goal"),
        _("Value"),
        _("Verdict"),
    ]


def shared_cells(row: dict[str, Any]) -> list[str]:
    """A shared unit's part: name, plans, counts, % on time."""
    return [
        f"{row['name']} ({row['unit']})",
        format_number(row["plans"]),
        *(format_number(row[k]) for k in COUNT_KEYS),
        percent(row["on_time_percent"]),
    ]


def shared_headings() -> list[str]:
    """The columns of the shared units' part."""
    return [_("Unit"), _("Plans"), *count_headings(), _("Share on time")]


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return [*out, *("| " + " | ".join(cell(v) for v in row) + " |" for row in rows), ""]


def render_markdown(summary: dict[str, Any], *, top: int | None) -> str:
    """The consolidated report as Markdown, in the language in use."""
    start, end = period_dates(summary)
    t = summary["totals"]
    plans = summary["plans"]
    shown = plans if top is None else plans[:top]
    lines = [
        f"# {consolidated_heading('title')} — {period_phrase(start, end)}",
        "",
        f"**{subject(summary)}**  ",
        _("{issuer} · period {start} – {end} · {plans}, {failed} not read").format(
            issuer=report_issuer(summary),
            start=format_date(start),
            end=format_date(end),
            plans=plans_phrase(summary["plans_total"]),
            failed=format_number(summary["plans_failed"]),
        ),
        "",
        f"## {heading('results')}",
        "",
        f"### {heading('totals')}",
        "",
        *_md_table(
            [*count_headings(), _("Share on time")],
            [[*(format_number(t[k]) for k in COUNT_KEYS), percent(t["on_time_percent"])]],
        ),
        f"### {consolidated_heading('plans')}",
        "",
        *_md_table(
            [_("No."), *plan_headings()],
            [[format_number(n), *plan_cells(r)] for n, r in enumerate(shown, 1)],
        ),
    ]
    if more := more_plans(len(shown), len(plans)):
        lines += [more, ""]
    lines += [f"### {consolidated_heading('shared')}", ""]
    if summary["shared_units"]:
        lines += _md_table(shared_headings(), [shared_cells(r) for r in summary["shared_units"]])
    else:
        lines += [_("None."), ""]
    lines += [f"### {consolidated_heading('indicators')}", ""]
    rows = summary["indicators_not_met"]
    listed = rows if top is None else rows[:top]
    if rows:
        lines += _md_table(indicator_headings(), [indicator_cells(r) for r in listed])
        if len(listed) < len(rows):
            lines += [
                _("… and {count} more").format(count=format_number(len(rows) - len(listed))),
                "",
            ]
    else:
        lines += [_("None."), ""]
    lines += [f"## {heading('raise')}", "", f"### {consolidated_heading('failed')}", ""]
    for failure in summary["failed"]:
        lines += [f"- `{failure['file']}`:", *(f"  - {p}" for p in failure["problems"])]
    if not summary["failed"]:
        lines.append(consolidated_heading("none_failed"))
    return "\n".join(lines).rstrip() + "\n"


def _csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def render_csv(summary: dict[str, Any]) -> tuple[bytes, bytes]:
    """The counts (the total, every plan, every shared unit; plans not read with their
    first problem) and the KPI targets not met, as CSV (plain numbers, ISO dates)."""
    pct = _("Share on time")
    header = [
        _("scope"),
        _("id"),
        _("name"),
        *count_headings(),
        pct,
        _("quantity targets not met"),
        _("KPI not met"),
    ]
    t = summary["totals"]
    rows: list[list[Any]] = [
        header,
        [
            _("total"),
            summary["period"]["id"],
            summary["workspace"],
            *(t[k] for k in COUNT_KEYS),
            t["on_time_percent"],
            sum(r["targets_not_met"] for r in summary["plans"]),
            len(summary["indicators_not_met"]),
        ],
    ]
    rows += [
        [
            _("plan"),
            r["plan"],
            r["title"],
            *(r[k] for k in COUNT_KEYS),
            r["on_time_percent"],
            r["targets_not_met"],
            r["indicators_not_met"],
        ]
        for r in summary["plans"]
    ]
    rows += [
        [
            _("shared unit"),
            r["unit"],
            r["name"],
            *(r[k] for k in COUNT_KEYS),
            r["on_time_percent"],
            "",
            "",
        ]
        for r in summary["shared_units"]
    ]
    rows += [
        [
            _("not read"),
            f["file"],
            f["problems"][0] if f["problems"] else "",
            *[""] * (len(header) - 3),
        ]
        for f in summary["failed"]
    ]
    kpi: list[list[Any]] = [
        [
            _("plan"),
            _("indicator"),
            _("clause"),
            _("text"),
            _("unit"),
            _("checkpoint"),
            _("goal"),
            _("value"),
            _("firmness"),
            _("required"),
        ]
    ]
    kpi += [
        [
            r["plan"],
            r["indicator"],
            r["ref"],
            r["text"],
            r["unit"],
            r["checkpoint"],
            r["goal"],
            r["value"],
            firmness_name(r["firmness"]),
            int(r["failed"]),
        ]
        for r in summary["indicators_not_met"]
    ]
    return _csv(rows), _csv(kpi)
