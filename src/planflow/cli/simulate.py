"""``planflow simulate``: run the plan's year on a simulated clock and print the result."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

import click

from planflow.cli.common import console, load_or_exit, plan_argument
from planflow.cli.plugins import run_options
from planflow.cli.workspace_options import resolve_member, workspace_options
from planflow.plan.errors import PlanError, PlanFileError

__all__ = ["simulate_command"]


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from None


def _delay(ctx: click.Context, param: click.Parameter, value: str | None) -> dict[str, int] | None:
    if value is None:
        return None
    from planflow.run.scenarios import _DELAY_RE

    m = _DELAY_RE.match(value)
    if not m:
        raise click.BadParameter(f"{value!r}: write N, MIN-MAX or MIN-MODE-MAX (working days)")
    low, high = int(m[1]), int(m[3] or m[2] or m[1])
    mode = int(m[2]) if m[3] else low
    if not low <= mode <= high:
        raise click.BadParameter(f"{value!r}: need MIN <= MODE <= MAX")
    return {"min": low, "mode": mode, "max": high}


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


@click.command("simulate")
@plan_argument
@click.option("--year", type=int, help="Simulate this year (the plan's year; the default).")
@click.option("--from", "from_day", metavar="DATE", callback=_day, help="Start on DATE.")
@click.option("--to", "to_day", metavar="DATE", callback=_day, help="End on DATE.")
@click.option(
    "--model",
    metavar="on-time|random|NAME",
    default=None,
    help="Completion model: on-time, random, or one a plugin provides "
    "[default: random with --scenario/--runs, else on-time].",
)
@click.option("--scenario", type=click.Path(dir_okay=False), help="Scenario file (YAML or TOML).")
@click.option("--seed", type=int, default=None, help="Seed of the random model [default: 0].")
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Monte Carlo: repeat the year N times with derived seeds.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes for --runs [default: the CPU count].",
)
@click.option("--late", type=click.FloatRange(0, 1), help="Probability of a delay (random).")
@click.option("--skip", type=click.FloatRange(0, 1), help="Probability of never doing one.")
@click.option(
    "--delay",
    callback=_delay,
    metavar="N|MIN-MAX|MIN-MODE-MAX",
    help="Delay in working days when late (random).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--events",
    "events_file",
    type=click.Path(dir_okay=False),
    help="Write every event as one JSON line to FILE ('-' for stdout).",
)
@click.option("--until", metavar="DATE", callback=_day, help="Stop the clock on DATE.")
@run_options
@workspace_options()
def simulate_command(
    plan: str,
    year: int | None,
    from_day: date | None,
    to_day: date | None,
    model: str | None,
    scenario: str | None,
    seed: int | None,
    runs: int,
    workers: int | None,
    late: float | None,
    skip: float | None,
    delay: dict[str, int] | None,
    as_json: bool,
    events_file: str | None,
    until: date | None,
    notify: tuple[str, ...],
    set_items: tuple[str, ...],
    report: tuple[str, ...],
    report_dir: str,
    plan_id: str | None,
    show_all: bool,
    no_cache: bool,
    jobs: int,
) -> None:
    """Simulate the plan's year: who does what when, what is late, what is missed.

    Prints a summary per unit and per quarter, the targets not met and the late
    chains; --json prints the result object (docs/simulation.md), --events every
    event as JSON lines. The same plan and seed give byte-identical output.

    --notify delivers every event through a notifier as the year runs (console
    prints reminders, due and late work on stderr); --report writes a report per
    closed reporting period to --report-dir. A failing notifier or reporter never
    stops the run: its failures are printed on stderr and counted in --json
    ("deliveries", "reports"). See docs/plugins.md.

    PLAN may be a workspace (docs/workspaces.md): every plan's year is simulated
    in parallel and the plans are listed worst first (--plan ID for one plan).

    \b
    Examples:
      planflow simulate examples/boy_2025
      planflow simulate examples/boy_2025 --model random --seed 7 --json
      planflow simulate examples/boy_2025 --scenario late-units.yaml --runs 1000
      planflow simulate examples/boy_2025 --until 2025-06-30 --events events.jsonl
      planflow simulate examples/boy_2025 --notify console --report markdown
      planflow simulate examples/boy_2025 --notify jsonl --set jsonl.path=ev.jsonl
      planflow simulate tinh-quang-ngai --model random --seed 7
    """
    import attrs

    from planflow.run.simulation import Scenario, load_scenario, monte_carlo
    from planflow.workspace import is_workspace

    if plan_id is None and is_workspace(plan):
        single_only = {"--scenario": scenario, "--runs": runs > 1, "--late": late is not None,
                       "--skip": skip is not None, "--delay": delay, "--events": events_file,
                       "--notify": notify, "--report": report, "--year": year}  # fmt: skip
        for name, given in single_only.items():
            if given:
                raise click.UsageError(f"with a workspace, {name} needs --plan ID (one plan)")
        from planflow.cli.plugins import get_pm
        from planflow.cli.workspace_commands import simulate_workspace

        simulate_workspace(plan, model=model or "on-time", seed=seed or 0, start=from_day,
                           end=to_day, until=until, as_json=as_json, show_all=show_all,
                           no_cache=no_cache, jobs=jobs, pm=get_pm())  # fmt: skip
        return
    p = (resolve_member(plan, plan_id, no_cache=no_cache) or load_or_exit(plan)).plan
    if year is not None and year != p.year:
        raise click.BadParameter(f"the plan covers {p.year}, not {year}", param_hint="--year")
    start, end = from_day or date(p.year, 1, 1), to_day or date(p.year, 12, 31)
    if end < start:
        raise click.BadParameter(f"--to {end} is before --from {start}", param_hint="--to")
    if model is None:
        tuned = scenario or late is not None or skip is not None or delay
        model = "random" if tuned or runs > 1 else "on-time"
    sc: Scenario | None = None
    if scenario is not None:
        try:
            sc = load_scenario(scenario, plan=p)
        except PlanFileError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            n = len(exc.errors)
            click.echo(f"{n} error{'s' if n != 1 else ''} in the scenario.", err=True)
            raise SystemExit(1) from None
    if late is not None or skip is not None or delay:
        sc = sc or Scenario()
        changes: dict[str, Any] = dict(delay or {})
        if late is not None:
            changes["late"] = late
        if skip is not None:
            changes["skip"] = skip
        try:
            sc = attrs.evolve(sc, default=attrs.evolve(sc.default, **changes))
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    if seed is None:
        seed = sc.seed if sc is not None and sc.seed is not None else 0
    if runs > 1:
        if events_file:
            raise click.BadParameter("--events needs a single run", param_hint="--events")
        if notify or report:
            raise click.BadParameter("--notify and --report need a single run")
        if model != "random":
            raise click.BadParameter("--runs needs --model random", param_hint="--runs")
        _monte_carlo(p, runs, seed, sc, start, end, workers, as_json, monte_carlo)
        return
    from planflow.cli.plugins import failure_printer, get_pm
    from planflow.hooks.channels import parse_overrides
    from planflow.hooks.manager import completion_model
    from planflow.jobs.simulate import run_simulation

    pm = get_pm()
    try:
        chosen = completion_model(pm, model, p, seed)
        run = run_simulation(
            p,
            pm=pm,
            notify=notify,
            report=report,
            settings=parse_overrides(set_items),
            report_dir=report_dir if report else None,
            on_failure=failure_printer(),
            model=chosen,
            seed=seed,
            scenario=sc,
            start=start,
            end=end,
            until=until,
        )
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    result = run.result
    for name, record in run.deliveries.items():
        if record.failed:
            click.echo(
                f"planflow: notifier {name!r}: {record.failed} of "
                f"{record.failed + record.delivered} events not delivered",
                err=True,
            )
    written = [path for _, _, path in run.artifacts if path]
    if written and not as_json:
        click.echo(f"planflow: {len(written)} report files written to {report_dir}", err=True)
    if events_file:
        lines = "".join(json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in result.events)
        if events_file == "-":
            click.echo(lines, nl=False)
        else:
            with open(events_file, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(lines)
    if as_json:
        data = {**result.to_dict(), "model": model}  # the name asked for, plugin models too
        click.echo(_dump({**data, **run.record()}))
    elif events_file != "-":
        _print_result(result)


def _monte_carlo(
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


def _print_result(result: Any) -> None:
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
