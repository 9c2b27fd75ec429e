"""What ``planflow simulate`` prints for people: the year's tables, or Monte Carlo's."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

import click

from planflow.cli.common import console

__all__ = ["print_monte_carlo", "print_result"]


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


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
        job = bar.add_task("simulating", total=runs)
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
        click.echo(_dump(result.to_dict()))
        return
    from rich.table import Table

    out = console()
    out.print(f"[bold]{p.title}[/bold]")
    out.print(f"Monte Carlo: {runs} runs of the random model, base seed {seed}")
    for title, key, rows in (
        ("Per task", "task", result.tasks),
        ("Per unit", "unit", result.units),
    ):
        table = Table(
            key,
            "per run",
            "P(on time)",
            "P(late)",
            "P(missed)",
            "mean",
            "p50",
            "p90",
            "max",
            title=f"{title} (lateness in working days)",
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
    table = Table("task", "dependents made late per run", "P(any)", title="Critical tasks")
    for r in result.critical[:15]:
        table.add_row(r["task"], f"{r['made_late_per_run']:.2f}", f"{r['p_any']:.1%}")
    out.print(table if result.critical else "No task made another late.")


def print_result(result: Any) -> None:
    from rich.table import Table

    out = console()
    p = result.plan
    t = result.totals()
    stop = f", clock stopped {result.until}" if result.until else ""
    out.print(f"[bold]{p.title}[/bold]")
    out.print(
        f"{result.model} model, seed {result.seed}, {result.start} → {result.end}{stop}: "
        f"{t['planned']} occurrences, {t['on_time']} on time, {t['late']} late, "
        f"{t['missed']} missed, {t['pending']} pending; "
        f"{sum(result.event_counts.values())} events"
    )
    units = Table(
        "unit",
        "planned",
        "on time",
        "late",
        "missed",
        "pending",
        "max late",
        "peak week",
        title="Per unit",
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
            f"{r['peak_week']} ({r['peak_load']})",
        )
    out.print(units)
    quarters = sorted({r["quarter"] for r in result.by_quarter()})
    table = Table("unit", *quarters, title="Per quarter: on time / planned (late, missed)")
    cells: dict[str, dict[str, str]] = {}
    for r in result.by_quarter():
        extra = f" ({r['late']}L {r['missed']}M)" if r["late"] or r["missed"] else ""
        cells.setdefault(r["unit"], {})[r["quarter"]] = f"{r['on_time']}/{r['planned']}{extra}"
    for unit, row in cells.items():
        table.add_row(unit, *(row.get(q, "") for q in quarters))
    out.print(table)
    missed = [r for r in result.targets() if not r["met"]]
    if missed:
        table = Table("duty", "expected", "done", "on time", title="Targets not met")
        for r in missed:
            table.add_row(r["duty"], str(r["expected"]), str(r["done"]), str(r["on_time"]))
        out.print(table)
    else:
        out.print("All quantity targets met.")
    report = Table(
        "period", "reports", "on time", "late", "missed", "consolidated", title="Reporting chain"
    )
    for r in result.reporting():
        cons = ", ".join(f"{c['duty']}: {c['state']}" for c in r["consolidated"])
        report.add_row(
            r["period"],
            str(r["planned"]),
            str(r["on_time"]),
            str(r["late"]),
            str(r["missed"]),
            cons,
        )
    if report.rows:
        out.print(report)
    chains = result.late_chains()
    if chains:
        table = Table("occurrence", "state", "days late", "chain", title="Late chains")
        for r in chains[:15]:
            table.add_row(
                r["occurrence"], r["state"], str(r["days_late"] or ""), " → ".join(r["chain"])
            )
        out.print(table)
        if len(chains) > 15:
            out.print(f"… and {len(chains) - 15} more (see --json)")
    overloaded = [r for r in result.workload() if r["overloaded"]]
    for r in overloaded:
        weeks = ", ".join(f"{w['week']} ({w['load']})" for w in r["overloaded"][:6])
        more = f" +{len(r['overloaded']) - 6}" if len(r["overloaded"]) > 6 else ""
        out.print(f"overloaded: {r['unit']} above {result.capacity}/week in {weeks}{more}")
