"""``planflow simulate``: run the plan's year on a simulated clock and print the result."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

import click

from planflow.cli.common import load_or_exit, located, plan_argument
from planflow.cli.lang import TranslatedCommand, lang_option, speak
from planflow.cli.plugins import run_options
from planflow.cli.simulate_view import print_counts, print_monte_carlo, print_result
from planflow.cli.workspace_options import resolve_member, workspace_options
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


class SimulateCommand(TranslatedCommand):
    """``simulate``, whose help lists the completion models the loaded plugins declare."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The completion models: built-in, then the plugins' with their options (in the
        help's language: :meth:`TranslatedCommand.format_help` chose it)."""
        from planflow.cli.plugins import get_pm, model_options_text

        rows = [
            ("on-time", _("done on the due date, or when unblocked (built-in)")),
            ("random", _("seeded random delays and skips, see --late/--skip/--delay (built-in)")),
        ]
        try:
            declared = get_pm().models()
        except PlanError:
            declared = {}
        for name, entry in sorted(declared.items()):
            options = model_options_text(entry.obj)
            text = _("{description} (plugin {plugin!r})").format(
                description=entry.obj.description, plugin=entry.plugin
            )
            if options:
                text = _("{text}; options: {options}").format(text=text, options=options)
            rows.append((name, text))
        with formatter.section(_("Completion models (--model NAME[:KEY=VALUE,…])")):
            formatter.write_dl(rows)
        super().format_epilog(ctx, formatter)


_SIMULATE_HELP = N_(
    """Simulate the plan's year: who does what when, what is late, what is missed.

    Prints a summary per unit and per quarter, the targets not met and the late
    chains; --json prints the result object (docs/simulation.md), --events every
    event as JSON lines. The same plan and seed give byte-identical output.

    --notify delivers every event through a notifier as the year runs (console
    prints reminders, due and late work on stderr); --report writes a report per
    closed reporting period to --report-dir. A failing notifier or reporter never
    stops the run: its failures are printed on stderr (the first five of each),
    each channel's counts (delivered, skipped, failed) are printed on stderr and
    given in --json ("deliveries", "reports"); --strict exits with status 3 when
    any failed, --failed FILE keeps the failed deliveries for planflow resend.
    See docs/plugins.md and docs/cli.md (exit statuses).

    \b
    Examples:
      planflow simulate examples/boy_2025
      planflow simulate examples/boy_2025 --model random --seed 7 --json
      planflow simulate examples/boy_2025 --scenario late-units.yaml --runs 1000
      planflow simulate examples/boy_2025 --until 2025-06-30 --events events.jsonl
      planflow simulate examples/boy_2025 --notify console --report markdown
      planflow simulate examples/boy_2025 --notify jsonl --set jsonl.path=ev.jsonl
      planflow simulate examples/boy_2025 --from-state --until 2025-10-06
    """
)


_WORKSPACE_EPILOG = N_(
    """PLAN may be a workspace, a folder of plans (docs/workspaces.md): every plan's
    year is simulated in parallel processes and the plans are listed worst first;
    --plan ID simulates one plan of it, --all lists every plan.

    \b
    Example:
      planflow simulate examples/tinh_quang_ngai --model random --seed 7
    """
)


@click.command("simulate", cls=SimulateCommand, help=_SIMULATE_HELP, epilog=_WORKSPACE_EPILOG)
@plan_argument
@click.option("--year", type=int, help=N_("Simulate this year (the plan's year; the default)."))
@click.option("--from", "from_day", metavar="DATE", callback=_day, help=N_("Start on DATE."))
@click.option("--to", "to_day", metavar="DATE", callback=_day, help=N_("End on DATE."))
@click.option(
    "--model",
    metavar="NAME[:KEY=VALUE,…]",
    default=None,
    help=N_(
        "Completion model: on-time, random, or one a plugin provides (listed below), "
        "with its options [default: random with --scenario/--runs, else on-time]."
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
@click.option(
    "--from-state",
    is_flag=True,
    help=N_(
        "No model: the year as recorded (planflow done), up to --until or today; "
        "see docs/running-the-year.md."
    ),
)
@click.option(
    "--db", metavar="URL", envvar="PLANFLOW_DB", help=N_("State database (--from-state).")
)
@run_options
@workspace_options()
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
    from_state: bool,
    db: str | None,
    notify: tuple[str, ...],
    set_items: tuple[str, ...],
    report: tuple[str, ...],
    report_dir: str,
    strict: bool,
    failed_file: str | None,
    plan_id: str | None,
    show_all: bool,
    no_cache: bool,
    jobs: int,
    lang: str | None,
) -> None:
    import attrs

    if from_state:
        from planflow.cli.year import simulate_from_state

        simulate_from_state(plan, db, until, as_json, report, report_dir)
        return

    from planflow.run.simulation import Scenario, load_scenario, monte_carlo
    from planflow.workspace import is_workspace

    if plan_id is None and is_workspace(plan):
        single_only = {"--scenario": scenario, "--runs": runs > 1, "--late": late is not None,
                       "--skip": skip is not None, "--delay": delay, "--events": events_file,
                       "--notify": notify, "--report": report, "--year": year,
                       "--failed": failed_file}  # fmt: skip
        speak()
        for name, given in single_only.items():
            if given:
                raise click.UsageError(
                    _("with a workspace, {option} needs --plan ID (one plan)").format(option=name)
                )
        from planflow.cli.plugins import get_pm
        from planflow.cli.workspace_commands import simulate_workspace

        simulate_workspace(plan, model=model or "on-time", seed=seed or 0, start=from_day,
                           end=to_day, until=until, as_json=as_json, show_all=show_all,
                           no_cache=no_cache, jobs=jobs, pm=get_pm())  # fmt: skip
        return
    p = (resolve_member(plan, plan_id, no_cache=no_cache) or load_or_exit(plan)).plan
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
    tuned = scenario or late is not None or skip is not None or delay
    if model is None:
        model = "random" if tuned or runs > 1 else "on-time"
    elif tuned and model != "random":
        raise click.UsageError(
            _(
                "--scenario, --late, --skip and --delay set the random model; they do nothing "
                "with --model {model}"
            ).format(model=model)
        )
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
        if notify or report or failed_file:
            raise click.BadParameter(_("--notify, --report and --failed need a single run"))
        if model != "random":
            raise click.BadParameter(_("--runs needs --model random"), param_hint="--runs")
        print_monte_carlo(p, runs, seed, sc, start, end, workers, as_json, monte_carlo)
        return
    from planflow.cli.plugins import EXIT_STRICT, get_pm
    from planflow.hooks.channels import parse_overrides
    from planflow.hooks.failures import PluginFailed
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
            model=chosen,
            seed=seed,
            scenario=sc,
            start=start,
            end=end,
            until=until,
        )
    except PluginFailed:
        raise
    except PlanError as exc:
        raise click.ClickException(located(exc)) from None
    result = run.result
    pm.failures.print_summary()  # how many failures were not shown, before the counts
    print_counts(run)
    if failed_file:
        from planflow.jobs.resend import write_failed

        write_failed(failed_file, run.failed_deliveries)
    written = [a.path for a in run.artifacts if a.path]
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
        print_result(result)
    if strict and run.failed:
        click.echo(
            _("planflow: --strict: {count} failed (exit status {status})").format(
                count=run.failed, status=EXIT_STRICT
            ),
            err=True,
        )
        sys.exit(EXIT_STRICT)
