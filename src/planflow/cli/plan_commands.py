"""Commands that read the plan itself: ``validate``, ``show`` and ``graph``."""

from __future__ import annotations

import click

from planflow.cli.common import console, dump_json, load_or_exit, located, plan_argument
from planflow.cli.lang import TranslatedCommand, lang_option, speak
from planflow.cli.plugins import get_pm
from planflow.cli.workspace_options import resolve_member, workspace_options
from planflow.i18n import N_, _, ngettext
from planflow.plan.errors import PlanError, Severity

__all__ = ["graph", "show", "validate"]


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
_VALIDATE_WORKSPACE = N_(
    """PLAN may be a workspace, a folder of plans (docs/workspaces.md): every plan is
    checked in parallel processes, errors are printed and the plans with problems
    listed, worst first; --plan ID checks one plan of it, --all lists every plan.

    \b
    Examples:
      planflow validate examples/tinh_quang_ngai
      planflow validate examples/tinh_quang_ngai --plan xa_bo_y
    """
)


@click.command(cls=TranslatedCommand, help=_VALIDATE_HELP, epilog=_VALIDATE_WORKSPACE)
@plan_argument
@workspace_options()
@lang_option
def validate(
    plan: str, plan_id: str | None, show_all: bool, no_cache: bool, jobs: int, lang: str | None
) -> None:
    from planflow.hooks.channels import validate_settings
    from planflow.timeline.occurrences import Timeline
    from planflow.timeline.validation import plan_warnings
    from planflow.workspace import is_workspace

    if plan_id is None and is_workspace(plan):
        from planflow.cli.workspace_commands import validate_workspace

        speak()
        validate_workspace(plan, show_all=show_all, no_cache=no_cache, jobs=jobs, pm=get_pm())
        return
    loaded = resolve_member(plan, plan_id, no_cache=no_cache) or load_or_exit(plan)
    speak(loaded.plan)
    timeline = Timeline(loaded.plan)
    try:
        channel_problems = validate_settings(loaded, get_pm())
    except PlanError as exc:
        raise click.ClickException(located(exc)) from None
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

    A plan that extends templates is shown merged; --explain tells, for each value,
    which file (the plan or which template) and which line it came from.

    \b
    Examples:
      planflow show examples/boy_2025
      planflow show examples/boy_2025 --json
      planflow show examples/tinh_quang_ngai/xa_ba_to --explain
    """
)


@click.command(cls=TranslatedCommand, help=_SHOW_HELP)
@plan_argument
@click.option("--json", "as_json", is_flag=True, help=N_("Print the normalised plan as JSON."))
@click.option(
    "--yaml",
    "as_yaml",
    is_flag=True,
    help=N_("Print the plan file as merged from its templates (extends:), as YAML."),
)
@click.option(
    "--explain",
    is_flag=True,
    help=N_("Print every value of the merged plan with the FILE:LINE:COL it was written at."),
)
@lang_option
def show(plan: str, as_json: bool, as_yaml: bool, explain: bool, lang: str | None) -> None:
    from planflow.plan.explain import merged_yaml, origins
    from planflow.timeline.serialise import plan_to_dict

    loaded = load_or_exit(plan)
    p = loaded.plan
    speak(p)
    if explain:
        for origin in origins(loaded.document):
            click.echo(str(origin))
        return
    if as_yaml:
        click.echo(merged_yaml(loaded.document), nl=False)
        return
    if as_json:
        dump_json(plan_to_dict(p))
        return
    from rich.table import Table

    out = console()
    out.print(f"[bold]{p.title}[/bold]")
    out.print(f"{p.issuer} · {p.year} · {p.timezone}")
    units = Table(_("id"), _("name"), _("kind"), _("members"), title=_("Units"))
    for u in p.units:
        members = ", ".join(getattr(u, "members", ()))
        units.add_row(u.id, u.name, _("group") if u in p.groups else _("unit"), members)
    out.print(units)
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
    out.print(tasks)


_GRAPH_HELP = N_(
    """Print the task dependency graph (text, Graphviz DOT, Mermaid or JSON).

    \b
    Examples:
      planflow graph examples/boy_2025
      planflow graph examples/boy_2025 --format dot | dot -Tsvg > plan.svg
    """
)


@click.command(cls=TranslatedCommand, help=_GRAPH_HELP)
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

    p = load_or_exit(plan).plan
    render = {
        "text": graphs.to_text,
        "dot": graphs.to_dot,
        "mermaid": graphs.to_mermaid,
        "json": graphs.to_json,
    }[fmt]
    click.echo(render(p), nl=False)
