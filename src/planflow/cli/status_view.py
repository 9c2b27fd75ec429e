"""How ``planflow status`` prints the recorded year: what needs attention first, the
counts per unit, then the indicators' checkpoints judged on the values recorded."""

from __future__ import annotations

from typing import Any

from planflow.cli.common import vn_day, vn_number
from planflow.i18n import N_, _

__all__ = ["MESSAGES", "print_status"]

#: Every text ``status`` prints, in one place (for the message catalogue).
MESSAGES: dict[str, str] = {
    "status_title": N_("{title} — where things stand on {day}"),
    "attention": N_(
        "Needs attention: {overdue} overdue, {week} due within 7 days, {blocked} waiting."
    ),
    "nothing": N_("Nothing overdue, due soon or waiting."),
    "more": N_("… and {n} more (see --json or --unit)."),
    "per_unit": N_("By unit"),
    "indicators": N_("Indicators"),
    "indicator_counts": N_(
        "Indicators at the checkpoints passed: {met} met, {failed} not achieved, "
        "{short} not yet achieved (softer targets), {no_data} no data."
    ),
}

#: Column headings of ``status``.
COLUMNS_UNITS = (
    N_("Unit"),
    N_("Overdue"),
    N_("Due in 7 days"),
    N_("Waiting"),
    N_("In progress"),
    N_("Done"),
    N_("Missed"),
)

_SHOWN = 15  # attention rows on the first screen

COLUMNS_INDICATORS = (
    N_("Indicator"),
    N_("Unit"),
    N_("Checkpoint"),
    N_("Goal"),
    N_("Value"),
    N_("Verdict"),
)


def print_status(plan: Any, report: Any) -> None:
    """The status screen of :func:`planflow.jobs.status.status`'s ``report`` on ``plan``,
    no wider than the terminal."""
    from planflow.cli.common import console as _console
    from planflow.cli.status_table import attention_table, units_table
    from planflow.jobs.status import CATEGORIES

    m = {key: _(text) for key, text in MESSAGES.items()}
    console = _console()
    heading = m["status_title"].format(title=plan.title, day=vn_day(report.as_of))
    console.print(f"[bold]{heading}[/]")
    attention = report.attention
    n = {c: sum(1 for i in attention if i["category"] == c) for c in CATEGORIES}
    if attention:
        console.print(
            m["attention"].format(
                overdue=n["overdue"], week=n["due_this_week"], blocked=n["blocked"]
            )
        )
        console.print(attention_table(console.width, plan, attention[:_SHOWN], CATEGORIES))
        if len(attention) > _SHOWN:
            console.print(m["more"].format(n=len(attention) - _SHOWN))
    else:
        console.print(m["nothing"])
    verdicts = report.indicators
    if verdicts:
        states = [r["state"] for r in verdicts]
        console.print(
            m["indicator_counts"].format(
                met=states.count("met"),
                failed=sum(1 for r in verdicts if r["failed"]),
                short=sum(1 for r in verdicts if r["state"] == "not met" and not r["failed"]),
                no_data=states.count("no data"),
            )
        )
    console.print(units_table(report.units, [_(c) for c in COLUMNS_UNITS], m["per_unit"]))
    if verdicts:
        console.print(_indicator_table(verdicts, m["indicators"]))


def _indicator_table(rows: list[dict[str, Any]], title: str) -> Any:
    """The indicators' checkpoints passed, judged (a failed required target in bold)."""
    from rich.table import Table

    from planflow.reports.labels import indicator_verdict

    table = Table(*(_(c) for c in COLUMNS_INDICATORS), title=title, title_justify="left")
    for r in rows:
        percent = "%" if r["goal"].endswith("%") else ""
        value = "—" if r["value"] is None else vn_number(r["value"]) + percent
        said = indicator_verdict(r["state"], r["failed"], r["firmness"])
        table.add_row(
            r["indicator"],
            r["unit"],
            vn_day(r["checkpoint"]),
            r["goal"],
            value,
            f"[bold]{said}[/]" if r["failed"] else said,
        )
    return table
