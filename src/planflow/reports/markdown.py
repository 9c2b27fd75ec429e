"""The ``markdown`` reporter: the report as Markdown tables, to paste into a document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from planflow.hooks.specs import Artifact, ReportContext, Reporter, hookimpl
from planflow.i18n import _, format_date, format_number
from planflow.reports.context import report_data
from planflow.reports.data import COUNT_KEYS, ReportData
from planflow.reports.labels import (
    count_headings,
    firmness_name,
    heading,
    indicator_verdict,
    item_label,
    role_name,
    short,
    state_name,
    target_text,
    task_title,
    unit_name,
    verdict,
)

__all__ = ["MarkdownReporter", "render_markdown"]


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*out, ""]


def render_markdown(data: ReportData) -> str:
    """The report as Markdown, in the language in use."""
    counts = count_headings()
    period = data.period
    lines = [
        f"# {heading('title')} — {period.label()}",
        "",
        f"**{data.plan.title}**  ",
        _("{issuer} · period {start} – {end} (as of {as_of})").format(
            issuer=data.plan.issuer,
            start=format_date(period.start),
            end=format_date(period.end),
            as_of=format_date(data.as_of),
        ),
        "",
        f"## {heading('results')}",
        "",
        f"### {heading('totals')}",
        "",
        *_table(counts, [[getattr(data.totals, k) for k in COUNT_KEYS]]),
        f"### {heading('tasks')}",
        "",
        *_table(
            [_("Clause"), _("Task"), _("Lead"), _("Coordinating"), *counts],
            [
                [
                    t.ref,
                    task_title(data, t.task)
                    + (f" ({role_name(t.role)})" if data.unit is not None else ""),
                    unit_name(data, t.lead),
                    ", ".join(unit_name(data, c) for c in t.coordinators),
                    *(getattr(t.counts, k) for k in COUNT_KEYS),
                ]
                for t in data.tasks
            ],
        ),
        f"### {heading('targets')}",
        "",
    ]
    if data.targets:
        lines += _table(
            [
                _("Clause"),
                _("Task"),
                _("Unit"),
                _("Target"),
                _("Due in the period"),
                _("Done"),
                _("Verdict"),
            ],
            [
                [
                    r.ref,
                    short(task_title(data, r.task), 60),
                    unit_name(data, r.unit),
                    target_text(data.plan.task(r.task).target),
                    r.expected,
                    r.done,
                    verdict(r.met),
                ]
                for r in data.targets
            ],
        )
    else:
        lines += [_("No quantity target falls in the period."), ""]
    lines += [
        f"### {heading('units')}",
        "",
        *_table(
            [_("Unit"), *counts, _("Coordinates"), _("Busiest week")],
            [
                [
                    f"{u.name} (`{u.unit}`)",
                    *(getattr(u.counts, k) for k in COUNT_KEYS),
                    u.coordinated,
                    f"{u.peak_week} ({u.peak_load})" if u.peak_week else "",
                ]
                for u in data.units
            ],
        ),
    ]
    lines += _indicators(data)
    lines += [f"## {heading('raise')}", ""]
    late = data.late()
    lines += [f"### {heading('late')}", ""]
    if late:
        lines += _table(
            [
                _("Clause"),
                _("Task"),
                _("Unit"),
                _("Due"),
                _("State"),
                _("Completed"),
                _("Working days late"),
            ],
            [
                [
                    i.ref,
                    short(task_title(data, i.task)),
                    unit_name(data, i.unit),
                    format_date(i.due),
                    state_name(i.state),
                    format_date(i.completed),
                    i.days_late or "",
                ]
                for i in late
            ],
        )
    else:
        lines += [_("None: all work due in the period was done on time."), ""]
    lines += [f"### {heading('chains')}", ""]
    if data.chains:
        for c in data.chains:
            days = (
                " (" + _("{days} working days late").format(days=c.days_late) + ")"
                if c.days_late
                else ""
            )
            chain = " → ".join(item_label(data, k) for k in c.chain)
            lines.append(f"- {chain}: {state_name(c.state)}{days}")
        lines += [""]
    else:
        lines += [_("None."), ""]
    lines += [f"### {heading('overloaded')}", ""]
    overloaded = data.overloaded_by_unit()
    if overloaded:
        lines += [
            "- "
            + _(
                "{unit}: {weeks} weeks with more than {capacity} occurrences "
                "(at most {load}, in week {week})"
            ).format(unit=unit_name(data, u), weeks=n, capacity=data.capacity, load=load, week=w)
            for u, n, w, load in overloaded
        ]
        lines += [""]
    else:
        lines += [
            _("No unit has more than {capacity} occurrences in a week.").format(
                capacity=data.capacity
            ),
            "",
        ]
    return "\n".join(lines)


def _indicators(data: ReportData) -> list[str]:
    """The indicators judged in the period (none: no section); a failure in bold."""
    if not data.indicators:
        return []
    rows = []
    for r in data.indicators:
        said = indicator_verdict(r.state, r.failed, r.firmness)
        rows.append(
            [
                r.text,
                unit_name(data, r.unit),
                format_date(r.checkpoint),
                r.goal,
                firmness_name(r.firmness),
                "" if r.value is None else format_number(r.value, digits=2),
                f"**{said}**" if r.failed else said,
            ]
        )
    header = [
        _("Indicator"),
        _("Unit"),
        _("Checkpoint"),
        _("Goal"),
        _("Firmness"),
        _("Value"),
        _("Verdict"),
    ]
    return [f"### {heading('indicators')}", "", *_table(header, rows)]


class MarkdownReporter:
    """``<plan>-<period>.md``: totals, per task, targets, per unit, what to raise."""

    name = "markdown"
    description = "Markdown report per reporting period"
    media_type = "text/markdown"

    def report(self, context: ReportContext) -> Sequence[Artifact]:
        """One Markdown file for the period."""
        data = report_data(context)
        name = f"{data.plan.id}-{data.period.id}.md"
        return [Artifact(name, self.media_type, render_markdown(data).encode("utf-8"))]


@hookimpl(trylast=True)
def planflow_reporters() -> Sequence[Reporter]:
    """The ``markdown`` reporter."""
    return [MarkdownReporter()]
