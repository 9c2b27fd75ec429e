"""The consolidated report as an administrative document (Nghị định 30/2020/NĐ-CP).

The same page layout and styles as the single-plan ``html`` report, filled from the
consolidated figures (:mod:`planflow.reports.consolidated`) and signed as the
workspace file's ``issuer`` and ``report:`` block say; the ``pdf`` form prints it
with WeasyPrint, as the single-plan ``pdf`` form does.
"""

from __future__ import annotations

from typing import Any

from planflow.i18n import _, format_number, get_language
from planflow.reports import labels
from planflow.reports.consolidated import (
    consolidated_heading,
    indicator_cells,
    indicator_headings,
    more_plans,
    percent,
    period_dates,
    plan_cells,
    plan_headings,
    plans_phrase,
    report_issuer,
    shared_cells,
    shared_headings,
    subject,
)
from planflow.reports.data import COUNT_KEYS
from planflow.reports.document import DocumentParts, signed_parts
from planflow.reports.periods import period_phrase

__all__ = ["render_html", "render_pdf"]


def _document(summary: dict[str, Any]) -> DocumentParts:
    """The fixed parts, from the workspace file's ``issuer`` and ``report:`` block: without
    them the area as issuer, the day and number left for the records office."""
    return signed_parts(
        summary.get("report") or {},
        issuer=report_issuer(summary),
        subject=subject(summary),
        year=period_dates(summary)[1].year,
    )


def render_html(summary: dict[str, Any], *, top: int | None) -> str:
    """The consolidated report as one offline HTML page, in the language in use."""
    from markupsafe import Markup

    from planflow.reports.html import _css, _environment

    t = summary["totals"]
    plans = summary["plans"]
    shown = plans if top is None else plans[:top]
    rows = summary["indicators_not_met"]
    listed = rows if top is None else rows[:top]
    start, end = period_dates(summary)
    intro = _(
        "{area} reports the results for {period} of the implementation of {plans} as follows."
    ).format(
        area=summary["workspace"],
        period=period_phrase(start, end),
        plans=plans_phrase(summary["plans_total"]),
    )
    totals_text = _(
        "In the period {planned} occurrences of the plans' tasks were due: {done} were done "
        "({on_time} on time, {late} late), {missed} were not done and {pending} are not "
        "done yet."
    ).format(**{k: format_number(t[k]) for k in COUNT_KEYS})
    return str(
        _environment()
        .get_template("consolidated.html.j2")
        .render(
            lang=get_language(),
            css=Markup(_css()),
            s=summary,
            doc=_document(summary),
            intro=intro,
            totals_text=totals_text,
            count_keys=COUNT_KEYS,
            count_headings=labels.count_headings(),
            plan_headings=plan_headings(),
            shared_headings=shared_headings(),
            indicator_headings=indicator_headings(),
            plans=shown,
            more=more_plans(len(shown), len(plans)),
            indicators=listed,
            more_indicators=_("… and {count} more").format(
                count=format_number(len(rows) - len(listed))
            )
            if len(listed) < len(rows)
            else "",
            plan_cells=plan_cells,
            shared_cells=shared_cells,
            indicator_cells=indicator_cells,
            heading=labels.heading,
            own=consolidated_heading,
            percent=percent,
            n=format_number,
            _=_,
        )
    )


def render_pdf(summary: dict[str, Any], *, top: int | None) -> bytes:
    """The consolidated report as PDF bytes (A4), in the language in use."""
    from planflow.reports.pdf import html_to_pdf

    return html_to_pdf(render_html(summary, top=top))
