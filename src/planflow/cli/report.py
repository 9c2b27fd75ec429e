"""``planflow report``, ``gantt`` and ``heatmap``: the report and the charts of a period."""

from __future__ import annotations

from typing import Any

import click

from planflow.cli.common import load_or_exit
from planflow.cli.lang import TranslatedCommand, lang_option, speak
from planflow.cli.workspace_options import resolve_member, workspace_options
from planflow.hooks.failures import PluginFailed
from planflow.i18n import N_, _
from planflow.plan.errors import PlanError, PlanFileError

__all__ = ["gantt_command", "heatmap_command", "report_command"]


def _model_options(fn: Any) -> Any:
    """The usual model options of ``simulate``: the run the report is made from."""
    from planflow.cli.simulate import _delay

    options = [
        click.option(
            "--simulate",
            "simulated",
            is_flag=True,
            default=True,
            help=N_("Make the report from a simulated year (the default)."),
        ),
        click.option(
            "--from-state",
            is_flag=True,
            help=N_("Make the report from the recorded year (planflow done, planflow record)."),
        ),
        click.option(
            "--db",
            metavar="URL",
            envvar="PLANFLOW_DB",
            help=N_("State database of --from-state [default: PLAN_DIR/.planflow/state.db]."),
        ),
        click.option(
            "--model",
            metavar="on-time|random|NAME",
            default=None,
            help=N_(
                "Completion model [default: random with --late/--skip/--scenario, else on-time]."
            ),
        ),
        click.option("--seed", type=int, default=None, help=N_("Seed of the random model.")),
        click.option(
            "--scenario", type=click.Path(dir_okay=False), help=N_("Scenario file (YAML or TOML).")
        ),
        click.option(
            "--late", type=click.FloatRange(0, 1), help=N_("Probability of a delay (random).")
        ),
        click.option(
            "--skip", type=click.FloatRange(0, 1), help=N_("Probability of never doing one.")
        ),
        click.option(
            "--delay",
            callback=_delay,
            metavar="N|MIN-MAX|MIN-MODE-MAX",
            help=N_("Delay in working days when late (random)."),
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _load_plan(plan: str) -> Any:
    return load_or_exit(plan).plan


def _simulate_options(p: Any, opts: dict[str, Any]) -> dict[str, Any]:
    """``simulate()`` keyword arguments from the model options, as ``simulate`` reads them."""
    import attrs

    from planflow.cli.plugins import get_pm
    from planflow.hooks.manager import completion_model
    from planflow.run.simulation import Scenario, load_scenario

    scenario = None
    if opts["scenario"] is not None:
        try:
            scenario = load_scenario(opts["scenario"], plan=p)
        except PlanFileError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            raise SystemExit(1) from None
    tuned = {k: opts[k] for k in ("late", "skip") if opts[k] is not None}
    tuned.update(opts["delay"] or {})
    if tuned:
        scenario = scenario or Scenario()
        try:
            scenario = attrs.evolve(scenario, default=attrs.evolve(scenario.default, **tuned))
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    model = opts["model"] or ("random" if scenario is not None else "on-time")
    if scenario is not None and model != "random":
        raise click.UsageError(
            _(
                "--scenario, --late, --skip and --delay set the random model; they do nothing "
                "with --model {model}"
            ).format(model=model)
        )
    seed = opts["seed"]
    if seed is None:
        seed = scenario.seed if scenario is not None and scenario.seed is not None else 0
    return {
        "model": completion_model(get_pm(), model, p, seed),
        "seed": seed,
        "scenario": scenario,
    }


_REPORT_HELP = N_(
    """Make the report of a period: figures per task and unit, targets, what to raise.

    PERIOD is one of the plan's reporting periods (m9: the 9-month report, counted
    from 1 January as the plan says), a quarter (2025-Q3) or the year (2025). The
    report reads the state of a simulated year (--simulate, with the model options
    of planflow simulate), or with --from-state the year as recorded (planflow done),
    as it stood on the last day of the period. --format pdf
    writes the report as an administrative document (Nghị định 30/2020/NĐ-CP),
    html the same document with its charts, xlsx one sheet per unit and a summary.

    \b
    Examples:
      planflow report examples/boy_2025 --period m9 --format pdf
      planflow report examples/boy_2025 --period 2025-Q3 --unit vhxh --format xlsx
      planflow report examples/boy_2025 --period fy --model random --seed 7 --format html
      planflow report examples/boy_2025 --period m9 --from-state --format pdf
    """
)


_REPORT_WORKSPACE = N_(
    """PLAN may be a workspace, a folder of plans (docs/workspaces.md): one consolidated
    report of every plan for the period (totals, the plans most behind first, the
    shared units' part, the KPI targets not met, the plans that could not be read),
    each plan's year simulated with --model and --seed, or with --from-state as
    recorded in its own store (or in one --db for all plans). --plan ID makes the
    report of one plan of it; --all lists every plan, not the 20 most behind.

    \b
    Example:
      planflow report examples/tinh_quang_ngai --period m9 --format pdf
    """
)


@click.command("report", cls=TranslatedCommand, help=_REPORT_HELP, epilog=_REPORT_WORKSPACE)
@click.argument("plan", type=click.Path(dir_okay=True, file_okay=True))
@click.option("--period", required=True, metavar="ID|YYYY-Qn|YYYY", help=N_("The period."))
@click.option(
    "--unit", "unit_id", metavar="ID", help=N_("Only what this unit leads or coordinates.")
)
@click.option(
    "--format",
    "form",
    type=click.Choice(["html", "pdf", "xlsx", "md", "csv", "json"]),
    default="html",
    show_default=True,
    help=N_("The form of the report."),
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help=N_("Folder to write the report to."),
)
@_model_options
@workspace_options()
@lang_option
def report_command(
    plan: str, period: str, unit_id: str | None, form: str, out_dir: str, **opts: Any
) -> None:
    from planflow.cli.plugins import get_pm
    from planflow.jobs.report import make_report
    from planflow.workspace import is_workspace

    plan_id, show_all = opts.pop("plan_id"), opts.pop("show_all")
    no_cache, jobs = opts.pop("no_cache"), opts.pop("jobs")
    if plan_id is None and is_workspace(plan):
        _report_workspace(plan, period, unit_id, form, out_dir, show_all, no_cache, jobs, opts)
        return
    loaded = resolve_member(plan, plan_id, no_cache=no_cache)
    p = loaded.plan if loaded is not None else _load_plan(plan)
    speak(p)
    from_state, db = opts.pop("from_state"), opts.pop("db")
    try:
        if from_state:
            from planflow.cli.year import _open

            with _open(plan, db, None, loaded) as year:
                files = make_report(
                    year.plan,
                    period,
                    pm=get_pm(),
                    form=form,
                    unit=unit_id,
                    out_dir=out_dir,
                    state_at=lambda day: year.replay(day).result,
                )
        else:
            files = make_report(
                p,
                period,
                pm=get_pm(),
                form=form,
                unit=unit_id,
                out_dir=out_dir,
                **_simulate_options(p, opts),
            )
    except PluginFailed:
        raise  # the command line's plugin failure: exit status 4
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    for path in files:
        click.echo(_("written: {path}").format(path=path))


def _report_workspace(
    path: str,
    period: str,
    unit_id: str | None,
    form: str,
    out_dir: str,
    show_all: bool,
    no_cache: bool,
    jobs: int,
    opts: dict[str, Any],
) -> None:
    """The consolidated report of a workspace: the options of one plan need --plan."""
    from planflow.cli.plugins import get_pm
    from planflow.cli.workspace_report import report_workspace

    speak()
    single_only = {"--unit": unit_id, "--scenario": opts["scenario"],
                   "--late": opts["late"] is not None, "--skip": opts["skip"] is not None,
                   "--delay": opts["delay"]}  # fmt: skip
    for name, given in single_only.items():
        if given:
            raise click.UsageError(
                _("with a workspace, {option} needs --plan ID (one plan)").format(option=name)
            )
    report_workspace(path, period, form=form, out_dir=out_dir, model=opts["model"] or "on-time",
                     seed=opts["seed"] or 0, from_state=opts["from_state"], db=opts["db"],
                     show_all=show_all, no_cache=no_cache, jobs=jobs, pm=get_pm())  # fmt: skip


def _picture(plan: str, period: str, unit_id: str | None, kind: str, opts: dict[str, Any]) -> None:
    from planflow.jobs.report import simulate_to
    from planflow.reports.data import build_report
    from planflow.reports.periods import resolve_period
    from planflow.reports.svg import gantt_svg, heatmap_svg

    p = _load_plan(plan)
    speak(p)
    try:
        chosen = resolve_period(p, period)
        if unit_id is not None and unit_id not in {u.id for u in p.units}:
            raise PlanError(_("unknown unit {unit!r}").format(unit=unit_id))
        from_state, db = opts.pop("from_state"), opts.pop("db")
        if from_state:
            from planflow.cli.year import _open

            with _open(plan, db, None) as year:
                state = year.replay(chosen.end).result
        else:
            state = simulate_to(p, chosen, **_simulate_options(p, opts))
    except PluginFailed:
        raise  # the command line's plugin failure: exit status 4
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    data = build_report(state, chosen, unit=unit_id)
    units = [unit_id] if unit_id else None
    svg = gantt_svg(data, units=units) if kind == "gantt" else heatmap_svg(data, units=units)
    click.echo(svg, nl=False)


_GANTT_HELP = N_(
    """Print the Gantt chart of the year per unit as SVG: windows, occurrences, dependencies.

    Occurrences are coloured by how they stood at the end of PERIOD (default: the
    year) in a simulated run; the line marks that day.

    \b
    Example:
      planflow gantt examples/boy_2025 --unit vhxh > vhxh.svg
    """
)
_HEATMAP_HELP = N_(
    """Print the weekly workload of each unit as an SVG heatmap.

    \b
    Example:
      planflow heatmap examples/boy_2025 --period h1 > workload.svg
    """
)


def _picture_command(name: str, help_text: str) -> click.Command:
    @click.command(name, cls=TranslatedCommand, help=help_text)
    @click.argument("plan", type=click.Path(dir_okay=True, file_okay=True))
    @click.option(
        "--period",
        default=None,
        metavar="ID|YYYY-Qn|YYYY",
        help=N_("The period [default: the year]."),
    )
    @click.option("--unit", "unit_id", metavar="ID", help=N_("Only this unit."))
    @_model_options
    @lang_option
    def command(plan: str, period: str | None, unit_id: str | None, **opts: Any) -> None:
        _picture(plan, period or _year_of(plan), unit_id, name, opts)

    return command


def _year_of(plan: str) -> str:
    return str(_load_plan(plan).year)


gantt_command = _picture_command("gantt", _GANTT_HELP)
heatmap_command = _picture_command("heatmap", _HEATMAP_HELP)
