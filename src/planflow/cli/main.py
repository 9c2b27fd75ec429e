"""The ``planflow`` command line: thin wrappers that parse, call the library and print."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar

import click

from planflow import __version__
from planflow.cli.lang import TranslatedCommand, lang_option, speak
from planflow.cli.plugins import PluginGroup, get_pm, plugin_option, plugins_command
from planflow.i18n import N_, _, ngettext
from planflow.plan.errors import PlanError, PlanFileError, Severity
from planflow.plan.loading import LoadedPlan, load

__all__ = ["cli", "main"]

F = TypeVar("F", bound=Callable[..., Any])


def plan_argument(fn: F) -> F:
    """The PLAN argument: a plan file or a folder holding plan.yaml."""
    return click.argument("plan", type=click.Path(dir_okay=True, file_okay=True))(fn)


def _load(plan: str) -> LoadedPlan:
    try:
        return load(plan)
    except PlanFileError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        n = len(exc.errors)
        message = ngettext(
            "{count} error; the plan was not loaded.",
            "{count} errors; the plan was not loaded.",
            n,
        )
        click.echo(message.format(count=n), err=True)
        raise SystemExit(1) from None


def _dump_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(cls=PluginGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="planflow")
@plugin_option
def cli(plugin_opts: tuple[str, ...]) -> None:
    """planflow: run an official annual plan (kế hoạch) as a living schedule.

    \b
    PLAN is a plan file or a folder holding plan.yaml, e.g.:
      planflow validate examples/boy_2025
      planflow agenda examples/boy_2025 --unit vhxh
      planflow -p no:email simulate examples/boy_2025 --notify console
    """


_VALIDATE_HELP = N_(
    """Check a plan file; print every problem as FILE:LINE:COL: message.

    Channel settings (``channels:``) are checked against the notifiers the loaded
    plugins declare. Exits 0 when the plan loads (warnings are printed on stderr)
    and 1 when it has errors.

    \b
    Example:
      planflow validate examples/boy_2025
    """
)


@cli.command(cls=TranslatedCommand, help=_VALIDATE_HELP)
@plan_argument
@lang_option
def validate(plan: str, lang: str | None) -> None:
    from planflow.hooks.channels import validate_settings
    from planflow.timeline.occurrences import Timeline
    from planflow.timeline.validation import plan_warnings

    loaded = _load(plan)
    speak(loaded.plan)
    timeline = Timeline(loaded.plan)
    try:
        channel_problems = validate_settings(loaded, get_pm())
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    problems = sorted(
        [*plan_warnings(loaded, timeline), *channel_problems],
        key=lambda p: (p.line, p.column, p.message),
    )
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        n = len(errors)
        message = ngettext(
            "{count} error in channel settings.", "{count} errors in channel settings.", n
        )
        click.echo(message.format(count=n), err=True)
        raise SystemExit(1)
    warnings = problems
    p = loaded.plan
    groups = len(p.groups)
    deps = sum(len(t.after) for t in p.tasks)
    occurrences = sum(len(timeline.occurrences(d.id)) for d in timeline.duties)
    summary = _(
        "{file}: OK — {tasks} tasks, {units} units, {groups} groups, {deps} dependencies, "
        "{occurrences} occurrences in {year}"
    ).format(
        file=loaded.file,
        tasks=len(p.tasks),
        units=len(p.units) - groups,
        groups=groups,
        deps=deps,
        occurrences=occurrences,
        year=p.year,
    )
    if warnings:
        summary += ngettext(", {count} warning", ", {count} warnings", len(warnings)).format(
            count=len(warnings)
        )
    click.echo(summary)


_SHOW_HELP = N_(
    """Print the normalised plan: unit ids instead of aliases, RRULEs instead of shorthands.

    \b
    Examples:
      planflow show examples/boy_2025
      planflow show examples/boy_2025 --json
    """
)


@cli.command(cls=TranslatedCommand, help=_SHOW_HELP)
@plan_argument
@click.option("--json", "as_json", is_flag=True, help=N_("Print the normalised plan as JSON."))
@lang_option
def show(plan: str, as_json: bool, lang: str | None) -> None:
    from planflow.timeline.serialise import plan_to_dict

    p = _load(plan).plan
    speak(p)
    if as_json:
        _dump_json(plan_to_dict(p))
        return
    from rich.table import Table

    console = _console()
    console.print(f"[bold]{p.title}[/bold]")
    console.print(f"{p.issuer} · {p.year} · {p.timezone}")
    units = Table(_("id"), _("name"), _("kind"), _("members"), title=_("Units"))
    for u in p.units:
        members = ", ".join(getattr(u, "members", ()))
        units.add_row(u.id, u.name, _("group") if u in p.groups else _("unit"), members)
    console.print(units)
    tasks = Table(
        _("clause"),
        _("id"),
        _("lead"),
        _("coordinators"),
        _("window"),
        _("recurrence"),
        _("target"),
        _("after"),
        title=_("Tasks"),
    )
    for t in p.tasks:
        tasks.add_row(
            t.ref,
            t.id,
            t.lead,
            ", ".join(t.coordinators),
            t.window.label,
            t.recurrence or (_("check-ins") if t.window.continuous else _("once")),
            str(t.target) if t.target else "",
            ", ".join(d.task for d in t.after),
        )
    console.print(tasks)


_GRAPH_HELP = N_(
    """Print the task dependency graph (text, Graphviz DOT, Mermaid or JSON).

    \b
    Examples:
      planflow graph examples/boy_2025
      planflow graph examples/boy_2025 --format dot | dot -Tsvg > plan.svg
    """
)


@cli.command(cls=TranslatedCommand, help=_GRAPH_HELP)
@plan_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "dot", "mermaid", "json"]),
    default="text",
    show_default=True,
    help=N_("Output format."),
)
@lang_option
def graph(plan: str, fmt: str, lang: str | None) -> None:
    from planflow.plan import graph as graphs

    p = _load(plan).plan
    render = {
        "text": graphs.to_text,
        "dot": graphs.to_dot,
        "mermaid": graphs.to_mermaid,
        "json": graphs.to_json,
    }[fmt]
    click.echo(render(p), nl=False)


def _parse_day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from None


_AGENDA_HELP = N_(
    """List occurrences in time order: due date, meeting time, clause, task, unit and role.

    Titles are shortened to fit the terminal; --json prints every field (the stable
    contract for scripts); --format xlsx, csv or md writes the task table officials
    keep in Excel.

    \b
    Examples:
      planflow agenda examples/boy_2025 --unit vhxh
      planflow agenda examples/boy_2025 --from 2025-10-01 --to 2025-12-31 --json
      planflow agenda examples/boy_2025 --unit vhxh --format xlsx --out vhxh.xlsx
    """
)


@cli.command(cls=TranslatedCommand, help=_AGENDA_HELP)
@plan_argument
@click.option(
    "--unit", "unit_id", metavar="ID", help=N_("Only what this unit leads or coordinates.")
)
@click.option("--task", "task_id", metavar="ID", help=N_("Only this task (plan task or duty id)."))
@click.option(
    "--from",
    "from_day",
    metavar="DATE",
    callback=_parse_day,
    help=N_("Only occurrences due on or after DATE (YYYY-MM-DD)."),
)
@click.option(
    "--to",
    "to_day",
    metavar="DATE",
    callback=_parse_day,
    help=N_("Only occurrences starting on or before DATE (YYYY-MM-DD)."),
)
@click.option("--json", "as_json", is_flag=True, help=N_("Print a JSON list of occurrences."))
@click.option(
    "--format",
    "form",
    type=click.Choice(["table", "csv", "md", "xlsx"]),
    default="table",
    show_default=True,
    help=N_("table on screen, or the task table as csv, md or xlsx (xlsx needs --out)."),
)
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help=N_("Write to FILE."))
@lang_option
def agenda(
    plan: str,
    unit_id: str | None,
    task_id: str | None,
    from_day: date | None,
    to_day: date | None,
    as_json: bool,
    form: str,
    out_file: str | None,
    lang: str | None,
) -> None:
    from planflow.timeline.occurrences import Timeline
    from planflow.timeline.serialise import occurrence_to_dict

    p = _load(plan).plan
    speak(p)
    if unit_id is not None and unit_id not in {u.id for u in p.units}:
        from planflow.plan.model import suggest

        raise click.BadParameter(
            _("unknown unit {unit!r}").format(unit=unit_id)
            + (f"; {hint}" if (hint := suggest(unit_id, [u.id for u in p.units])) else ""),
            param_hint="--unit",
        )
    timeline = Timeline(p)
    if task_id is not None and task_id not in {t.id for t in p.tasks}:
        timeline_ids = {d.id for d in timeline.duties}
        if task_id not in timeline_ids:
            from planflow.plan.model import suggest

            raise click.BadParameter(
                _("unknown task {task!r}").format(task=task_id)
                + (f"; {hint}" if (hint := suggest(task_id, sorted(timeline_ids))) else ""),
                param_hint="--task",
            )
    rows = list(_select(timeline, unit_id, task_id, from_day, to_day))
    if as_json:
        out = []
        for occ, role in rows:
            item = occurrence_to_dict(occ, timeline)
            item["role"] = role
            out.append(item)
        _dump_json(out)
        return
    if form != "table":
        _write_agenda(form, out_file, timeline, rows)
        return
    from planflow.cli.agenda_table import print_agenda

    print_agenda(_console(), timeline, rows)


def _write_agenda(form: str, out_file: str | None, timeline: Any, rows: list[Any]) -> None:
    from planflow.reports import agenda as tables

    if form == "xlsx":
        if out_file is None:
            raise click.UsageError(_("--format xlsx needs --out FILE"))
        data = tables.agenda_xlsx(timeline, rows)
    elif form == "csv":
        data = tables.agenda_csv(timeline, rows)
    else:
        data = tables.agenda_markdown(timeline, rows).encode("utf-8")
    if out_file is None:
        click.echo(data.decode("utf-8-sig"), nl=False)
    else:
        with open(out_file, "wb") as fh:
            fh.write(data)
        click.echo(_("written: {path}").format(path=out_file), err=True)


def _select(
    timeline: Any,
    unit_id: str | None,
    task_id: str | None,
    from_day: date | None,
    to_day: date | None,
) -> Iterator[tuple[Any, str]]:
    for occ in timeline:
        if task_id is not None and task_id not in (occ.task, occ.plan_task):
            continue
        if from_day is not None and occ.due < from_day:
            continue
        if to_day is not None and occ.start > to_day:
            continue
        role = "lead"
        if unit_id is not None:
            duty = timeline.duty(occ.task)
            lead, coordinators = timeline.units_of(duty)
            task = duty.task
            if unit_id == lead or (unit_id == task.lead and "@" not in occ.task):
                role = "lead"
            elif unit_id in coordinators or unit_id in task.coordinators:
                role = "coordinator"
            elif unit_id == task.lead:
                role = "lead"  # a group sees its members' duties
            else:
                continue
        yield occ, role


def _console() -> Any:
    from rich.console import Console

    # piped output gets a wide page instead of rich's 80 columns, so nothing is cut;
    # COLUMNS, when set, is the width asked for (rich reads it)
    wide = sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit()
    return Console(width=None if wide else 160)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``planflow`` script: no traceback for bad input."""
    try:
        cli.main(args=argv, prog_name="planflow", standalone_mode=True)
    except PlanError as exc:  # anything the commands did not turn into a message themselves
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


cli.add_command(plugins_command)

# commands that live in their own modules register themselves on import
from planflow.cli import export as _cli_feeds  # noqa: E402, F401
from planflow.cli import serve as _cli_serve  # noqa: E402, F401
from planflow.cli import simulate as _cli_simulate  # noqa: E402, F401
from planflow.cli.report import gantt_command, heatmap_command, report_command  # noqa: E402

cli.add_command(report_command)
cli.add_command(gantt_command)
cli.add_command(heatmap_command)
