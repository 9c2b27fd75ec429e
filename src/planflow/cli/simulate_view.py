"""What ``planflow simulate`` prints on screen, in the user's language."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from typing import Any

import click

from planflow.cli.common import console as wide_console
from planflow.i18n import _, format_date, format_number, format_quarter, get_language
from planflow.reports.labels import state_name

__all__ = ["print_counts", "print_monte_carlo", "print_result", "print_sections"]


def print_counts(run: Any) -> None:
    """One line per notifier and reporter on stderr: delivered, skipped, failed, of what
    (events for a notifier, reporting periods for a reporter)."""
    for name, record in run.deliveries.items():
        click.echo(f"planflow: {record.summary(name, 'notifier')}", err=True)
    for name, record in run.reports.items():
        click.echo(f"planflow: {record.summary(name, 'reporter')}", err=True)


def print_result(result: Any) -> None:
    """The result's summary: per unit and quarter, targets not met, per section and the
    indicators, reporting chain, late chains."""
    from rich.table import Table

    console = wide_console()
    p = result.plan
    t = result.totals()
    stop = (
        _(", clock stopped on {day}").format(day=format_date(result.until)) if result.until else ""
    )
    console.print(f"[bold]{p.title}[/bold]")
    console.print(
        _(
            "{model} model, seed {seed}, {start} → {end}{stop}: {planned} occurrences, "
            "{on_time} on time, {late} late, {missed} missed, {pending} not done yet; "
            "{events} events"
        ).format(
            model=result.model,
            seed=result.seed,
            start=format_date(result.start),
            end=format_date(result.end),
            stop=stop,
            planned=format_number(t["planned"]),
            on_time=format_number(t["on_time"]),
            late=format_number(t["late"]),
            missed=format_number(t["missed"]),
            pending=format_number(t["pending"]),
            events=format_number(sum(result.event_counts.values())),
        )
    )
    units = Table(
        _("unit"),
        _("planned"),
        _("on time"),
        _("late"),
        _("missed"),
        _("not done yet"),
        _("most days late"),
        _("busiest week"),
        title=_("Per unit"),
    )
    for r in result.by_unit():
        units.add_row(
            r["unit"],
            str(r["planned"]),
            str(r["on_time"]),
            str(r["late"]),
            str(r["missed"]),
            str(r["pending"]),
            str(r["max_days_late"]),
            f"{week_label(r['peak_week'])} ({r['peak_load']})",
        )
    console.print(units)
    quarters = sorted({r["quarter"] for r in result.by_quarter()})
    table = Table(
        _("unit"),
        *map(period_name, quarters),
        title=_("Per quarter: on time / planned (late, missed)"),
    )
    cells: dict[str, dict[str, str]] = {}
    for r in result.by_quarter():
        extra = (
            _(" ({late} late, {missed} missed)").format(late=r["late"], missed=r["missed"])
            if r["late"] or r["missed"]
            else ""
        )
        cells.setdefault(r["unit"], {})[r["quarter"]] = f"{r['on_time']}/{r['planned']}{extra}"
    for unit, row in cells.items():
        table.add_row(unit, *(row.get(q, "") for q in quarters))
    console.print(table)
    missed = [r for r in result.targets() if not r["met"]]
    if missed:
        table = Table(_("duty"), _("expected"), _("done"), _("on time"), title=_("Targets not met"))
        for r in missed:
            table.add_row(r["duty"], str(r["expected"]), str(r["done"]), str(r["on_time"]))
        console.print(table)
    else:
        console.print(_("All quantity targets met."))
    print_sections(console, result)
    report = Table(
        _("period"),
        _("reports"),
        _("on time"),
        _("late"),
        _("missed"),
        _("consolidated"),
        title=_("Reporting chain"),
    )
    for r in result.reporting():
        cons = ", ".join(f"{c['duty']}: {state_name(c['state'])}" for c in r["consolidated"])
        report.add_row(
            period_name(r["period"]),
            str(r["planned"]),
            str(r["on_time"]),
            str(r["late"]),
            str(r["missed"]),
            cons,
        )
    if report.rows:
        console.print(report)
    chains = result.late_chains()
    if chains:
        table = Table(
            _("occurrence"), _("state"), _("days late"), _("chain"), title=_("Late chains")
        )
        for r in chains[:15]:
            table.add_row(
                r["occurrence"],
                state_name(r["state"]),
                str(r["days_late"] or ""),
                " → ".join(r["chain"]),
            )
        console.print(table)
        if len(chains) > 15:
            console.print(_("… and {count} more (see --json)").format(count=len(chains) - 15))
    overloaded = [r for r in result.workload() if r["overloaded"]]
    for r in overloaded:
        weeks = ", ".join(
            f"{week_label(w['week'], bare=True)} ({w['load']})" for w in r["overloaded"][:6]
        )
        more = f" +{len(r['overloaded']) - 6}" if len(r["overloaded"]) > 6 else ""
        console.print(
            _("overloaded: {unit} above {capacity}/week in {weeks}{more}").format(
                unit=r["unit"], capacity=result.capacity, weeks=weeks, more=more
            )
        )


def period_name(label: str) -> str:
    """``2025-Q3`` as the language says it: "Quý III/2025" in Vietnamese; other
    period ids (the plan's own, ``h1``, ``m9``) as they are."""
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", label):
        return format_quarter(int(m.group(1)), int(m.group(2)))
    return label


def week_label(label: str, *, bare: bool = False) -> str:
    """``2025-W04`` as "tuần 4/2025" in Vietnamese ("4/2025" ``bare``, after the word
    "tuần" of the sentence), as it is in English."""
    m = re.fullmatch(r"(\d{4})-W(\d{2})", label)
    if m and get_language() == "vi":
        return ("" if bare else "tuần ") + f"{int(m.group(2))}/{m.group(1)}"
    return label


def print_monte_carlo(
    p: Any,
    runs: int,
    seed: int,
    sc: Any,
    start: date,
    end: date,
    workers: int | None,
    as_json: bool,
    monte_carlo: Any,
) -> None:
    """Run Monte Carlo with a progress bar on stderr (when a terminal), then print its
    tables (or its JSON)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    err = Console(stderr=True)
    show = sys.stderr.isatty()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not show,
        transient=True,
    ) as bar:
        job = bar.add_task(_("simulating"), total=runs)
        result = monte_carlo(
            p,
            runs=runs,
            seed=seed,
            scenario=sc,
            start=start,
            end=end,
            workers=workers,
            progress=lambda done, total: bar.update(job, completed=done),
        )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    out = wide_console()
    out.print(f"[bold]{p.title}[/bold]")
    out.print(
        _("Monte Carlo: {runs} runs of the random model, base seed {seed}").format(
            runs=runs, seed=seed
        )
    )
    for title, key, rows in (
        (_("Per task (lateness in working days)"), "task", result.tasks),
        (_("Per unit (lateness in working days)"), "unit", result.units),
    ):
        table = Table(
            _("task") if key == "task" else _("unit"),
            _("per run"),
            _("P(on time)"),
            _("P(late)"),
            _("P(missed)"),
            _("mean"),
            "p50",
            "p90",
            _("max"),
            title=title,
        )
        for r in rows:
            s = r["lateness"]
            table.add_row(
                r[key],
                str(r["occurrences_per_run"]),
                f"{r['p_on_time']:.1%}",
                f"{r['p_late']:.1%}",
                f"{r['p_missed']:.1%}",
                f"{s['mean']:.2f}",
                str(s["p50"]),
                str(s["p90"]),
                str(s["max"]),
            )
        out.print(table)
    table = Table(
        _("task"), _("dependents made late per run"), _("P(any)"), title=_("Critical tasks")
    )
    for r in result.critical[:15]:
        table.add_row(r["task"], f"{r['made_late_per_run']:.2f}", f"{r['p_any']:.1%}")
    out.print(table if result.critical else _("No task made another late."))


def print_sections(console: Any, result: Any) -> None:
    """Per plan section: the occurrences' outcomes; then the KPI verdicts per section."""
    from rich.table import Table

    from planflow.reports.labels import firmness_name, indicator_verdict

    plan = result.plan
    if plan.sections:
        table = Table(
            _("section"), _("planned"), _("on time"), _("late"), _("missed"),
            title=_("Per section"),
        )  # fmt: skip
        for r in result.by_section():
            table.add_row(r["name"], str(r["planned"]), str(r["on_time"]), str(r["late"]),
                          str(r["missed"]))  # fmt: skip
        console.print(table)
    rows = result.indicators()
    names = {x.id: x.name for x in plan.sections}
    for section in [*names, ""]:
        chosen = [r for r in rows if r["section"] == section]
        if not chosen:
            continue
        title = (
            _("Indicators — {section}").format(section=names[section])
            if section
            else _("Indicators")
        )
        table = Table(
            _("indicator"), _("unit"), _("checkpoint"), _("goal"), _("firmness"), _("value"),
            _("verdict"), title=title,
        )  # fmt: skip
        for r in chosen:
            value = "" if r["value"] is None else format_number(r["value"], digits=2)
            table.add_row(
                r["indicator"],
                r["unit"],
                format_date(date.fromisoformat(r["checkpoint"])),
                r["goal"],
                firmness_name(r["firmness"]),
                value,
                indicator_verdict(r["state"], r["failed"], r["firmness"]),
            )
        console.print(table)
