"""The ``html`` reporter: the report as a document, with its charts, in one offline page.

The page holds everything it needs (styles inline, charts as inline SVG, no
script, no font or image to fetch), so it opens without a network and prints
as an A4 document. :func:`render_html` is also what the ``pdf`` reporter prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from importlib import resources
from typing import Any

from planflow.hooks.specs import Artifact, ReportContext, Reporter, hookimpl
from planflow.i18n import _, format_date, format_number, get_language
from planflow.reports import labels
from planflow.reports.context import report_data
from planflow.reports.data import COUNT_KEYS, ReportData
from planflow.reports.document import document_parts
from planflow.reports.svg import STATE_COLOURS, gantt_svg, heatmap_svg, progress_svg

__all__ = ["HtmlReporter", "render_html"]


def _environment() -> Any:
    """A fresh environment per page: its filters name the page's own plan."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("planflow.reports", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _css() -> str:
    return resources.files("planflow.reports").joinpath("templates/report.css").read_text("utf-8")


def _totals_text(data: ReportData) -> str:
    t = data.totals
    return _(
        "In the period {planned} occurrences of the plan's tasks were due: {done} were done "
        "({on_time} on time, {late} late), {missed} were not done and {pending} are not "
        "done yet."
    ).format(**{k: format_number(getattr(t, k)) for k in COUNT_KEYS})


def render_html(data: ReportData, *, pictures: bool = True, issued: date | None = None) -> str:
    """The report as one HTML page, in the language in use; ``pictures`` adds the charts."""
    from markupsafe import Markup

    env = _environment()
    env.filters["unit"] = lambda unit_id: labels.unit_name(data, unit_id)
    env.filters["item"] = lambda key: labels.item_label(data, key)
    doc = document_parts(data, issued=issued)
    charts = None
    if pictures:
        charts = {
            "gantt": Markup(gantt_svg(data)),
            "heatmap": Markup(heatmap_svg(data)),
            "progress": Markup(progress_svg(data)),
        }
    return str(
        env.get_template("report.html.j2").render(
            lang=get_language(),
            css=Markup(_css()),
            data=data,
            doc=doc,
            intro=_intro(data),
            totals_text=_totals_text(data),
            late=data.late(),
            overloaded=data.overloaded_by_unit(),
            count_keys=COUNT_KEYS,
            count_headings=labels.count_headings(),
            heading=labels.heading,
            title=lambda task_id: labels.task_title(data, task_id),
            unit=lambda unit_id: labels.unit_name(data, unit_id),
            role=labels.role_name,
            short=labels.short,
            target=lambda task_id: labels.target_text(data.plan.task(task_id).target),
            state=labels.state_name,
            verdict=labels.verdict,
            firmness=labels.firmness_name,
            indicator_verdict=labels.indicator_verdict,
            n=format_number,
            d=format_date,
            _=_,
            pictures=charts,
            legend=[
                (s, STATE_COLOURS[s]) for s in ("done", "late", "missed", "overdue", "scheduled")
            ],
        )
    )


def _intro(data: ReportData) -> str:
    from planflow.reports.periods import period_phrase

    return _(
        "Carrying out the plan “{title}”, {issuer} reports its results for {period} as follows."
    ).format(
        title=labels.plan_name(data.plan.title),
        issuer=data.plan.issuer,
        period=period_phrase(data.period.start, data.period.end),
    )


class HtmlReporter:
    """``<plan>-<period>.html``: the document and its charts, one self-contained page."""

    name = "html"
    description = "HTML report per reporting period: the document and its charts, offline"
    media_type = "text/html"

    def report(self, context: ReportContext) -> Sequence[Artifact]:
        """One HTML page for the period."""
        data = report_data(context)
        name = f"{data.plan.id}-{data.period.id}.html"
        return [Artifact(name, self.media_type, render_html(data).encode("utf-8"))]


@hookimpl(trylast=True)
def planflow_reporters() -> Sequence[Reporter]:
    """The ``html`` reporter."""
    return [HtmlReporter()]
