"""``planflow simulate``: run the plan's year on a simulated clock and print the result."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

import click

from planflow.cli.common import console, load_or_exit, plan_argument
from planflow.cli.lang import TranslatedCommand, lang_option, speak
from planflow.cli.plugins import run_options
from planflow.i18n import N_, _, ngettext
from planflow.plan.errors import PlanError, PlanFileError

__all__ = ["simulate_command"]


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            _("{value!r} is not a date; write YYYY-MM-DD").format(value=value)
        ) from None


def _delay(ctx: click.Context, param: click.Parameter, value: str | None) -> dict[str, int] | None:
    if value is None:
        return None
    from planflow.run.scenarios import _DELAY_RE

    m = _DELAY_RE.match(value)
    if not m:
        raise click.BadParameter(
            _("{value!r}: write N, MIN-MAX or MIN-MODE-MAX (working days)").format(value=value)
        )
    low, high = int(m[1]), int(m[3] or m[2] or m[1])
    mode = int(m[2]) if m[3] else low
    if not low <= mode <= high:
        raise click.BadParameter(_("{value!r}: need MIN <= MODE <= MAX").format(value=value))
    return {"min": low, "mode": mode, "max": high}


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


_SIMULATE_HELP = N_(
    """Simulate the plan's year: who does what when, what is late, what is missed.

    Prints a summary per unit and per quarter, the targets not met and the late
    chains; --json prints the result object (docs/simulation.md), --events every
    event as JSON lines. The same plan and seed give byte-identical output.

    --notify delivers every event through a notifier as the year runs (console
    prints reminders, due and late work on stderr); --report writes a report per
    closed reporting period to --report-dir. A failing notifier or reporter never
    stops the run: its failures are printed on stderr and counted in --json
    ("deliveries", "reports"). See docs/plugins.md.

    \b
    Examples:
      planflow simulate examples/boy_2025
      planflow simulate examples/boy_2025 --model random --seed 7 --json
      planflow simulate examples/boy_2025 --scenario late-units.yaml --runs 1000
      planflow simulate examples/boy_2025 --until 2025-06-30 --events events.jsonl
      planflow simulate examples/boy_2025 --notify console --report markdown
      planflow simulate examples/boy_2025 --notify jsonl --set jsonl.path=ev.jsonl
    """
)


@click.command("simulate", cls=TranslatedCommand, help=_SIMULATE_HELP)
@plan_argument
@click.option("--year", type=int, help=N_("Simulate this year (the plan's year; the default)."))
@click.option("--from", "from_day", metavar="DATE", callback=_day, help=N_("Start on DATE."))
@click.option("--to", "to_day", metavar="DATE", callback=_day, help=N_("End on DATE."))
@click.option(
    "--model",
    metavar="on-time|random|NAME",
    default=None,
    help=N_(
        "Completion model: on-time, random, or one a plugin provides "
        "[default: random with --scenario/--runs, else on-time]."
    ),
)
@click.option(
    "--scenario", type=click.Path(dir_okay=False), help=N_("Scenario file (YAML or TOML).")
)
@click.option("--seed", type=int, default=None, help=N_("Seed of the random model [default: 0]."))
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help=N_("Monte Carlo: repeat the year N times with derived seeds."),
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help=N_("Processes for --runs [default: the CPU count]."),
)
@click.option("--late", type=click.FloatRange(0, 1), help=N_("Probability of a delay (random)."))
@click.option("--skip", type=click.FloatRange(0, 1), help=N_("Probability of never doing one."))
@click.option(
    "--delay",
    callback=_delay,
    metavar="N|MIN-MAX|MIN-MODE-MAX",
    help=N_("Delay in working days when late (random)."),
)
@click.option("--json", "as_json", is_flag=True, help=N_("Print the result as JSON."))
@click.option(
    "--events",
    "events_file",
    type=click.Path(dir_okay=False),
    help=N_("Write every event as one JSON line to FILE ('-' for stdout)."),
)
@click.option("--until", metavar="DATE", callback=_day, help=N_("Stop the clock on DATE."))
@run_options
@lang_option
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
    lang: str | None,
) -> None:
    import attrs

    from planflow.run.simulation import Scenario, load_scenario, monte_carlo

    p = load_or_exit(plan).plan
    speak(p)
    if year is not None and year != p.year:
        raise click.BadParameter(
            _("the plan covers {year}, not {asked}").format(year=p.year, asked=year),
            param_hint="--year",
        )
    start, end = from_day or date(p.year, 1, 1), to_day or date(p.year, 12, 31)
    if end < start:
        raise click.BadParameter(
            _("--to {end} is before --from {start}").format(end=end, start=start), param_hint="--to"
        )
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
            click.echo(
                ngettext(
                    "{count} error in the scenario.", "{count} errors in the scenario.", n
                ).format(count=n),
                err=True,
            )
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
            raise click.BadParameter(_("--events needs a single run"), param_hint="--events")
        if notify or report:
            raise click.BadParameter(_("--notify and --report need a single run"))
        if model != "random":
            raise click.BadParameter(_("--runs needs --model random"), param_hint="--runs")
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
                _("planflow: notifier {name!r}: {failed} of {total} events not delivered").format(
                    name=name, failed=record.failed, total=record.failed + record.delivered
                ),
                err=True,
            )
    written = [path for _, _, path in run.artifacts if path]
    if written and not as_json:
        click.echo(
            _("planflow: {count} report files written to {folder}").format(
                count=len(written), folder=report_dir
            ),
            err=True,
        )
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
        from planflow.cli.simulate_view import print_result

        print_result(result)


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
        click.echo(_dump(result.to_dict()))
        return
    from rich.table import Table

    out = console()
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
