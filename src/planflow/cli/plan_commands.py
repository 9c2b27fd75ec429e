"""Commands that read the plan itself: ``validate``, ``show`` and ``graph``."""

from __future__ import annotations

import click

from planflow.cli.common import console, dump_json, load_or_exit, plan_argument
from planflow.cli.plugins import get_pm
from planflow.cli.workspace_options import resolve_member, workspace_options
from planflow.plan.errors import PlanError, Severity

__all__ = ["graph", "show", "validate"]


@click.command()
@plan_argument
@workspace_options()
def validate(plan: str, plan_id: str | None, show_all: bool, no_cache: bool, jobs: int) -> None:
    """Check a plan file; print every problem as FILE:LINE:COL: message.

    Channel settings (``channels:``) are checked against the notifiers the loaded
    plugins declare. Exits 0 when the plan loads (warnings are printed on stderr)
    and 1 when it has errors.

    PLAN may be a workspace (a folder of plan folders, docs/workspaces.md): every
    plan is checked, errors are printed and the plans with problems listed.

    \b
    Examples:
      planflow validate examples/boy_2025
      planflow validate tinh-quang-ngai
      planflow validate tinh-quang-ngai --plan c0001
    """
    from planflow.hooks.channels import validate_settings
    from planflow.timeline.occurrences import Timeline
    from planflow.timeline.validation import plan_warnings
    from planflow.workspace import is_workspace

    if plan_id is None and is_workspace(plan):
        from planflow.cli.workspace_commands import validate_workspace

        validate_workspace(plan, show_all=show_all, no_cache=no_cache, jobs=jobs, pm=get_pm())
        return
    loaded = resolve_member(plan, plan_id, no_cache=no_cache) or load_or_exit(plan)
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
        click.echo(f"{n} error{'s' if n != 1 else ''} in channel settings.", err=True)
        raise SystemExit(1)
    warnings = problems
    p = loaded.plan
    groups = len(p.groups)
    deps = sum(len(t.after) for t in p.tasks)
    occurrences = sum(len(timeline.occurrences(d.id)) for d in timeline.duties)
    click.echo(
        f"{loaded.file}: OK — {len(p.tasks)} tasks, {len(p.units) - groups} units, "
        f"{groups} groups, {deps} dependencies, {occurrences} occurrences in {p.year}"
        + (f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else "")
    )


@click.command()
@plan_argument
@click.option("--json", "as_json", is_flag=True, help="Print the normalised plan as JSON.")
def show(plan: str, as_json: bool) -> None:
    """Print the normalised plan: unit ids instead of aliases, RRULEs instead of shorthands.

    \b
    Examples:
      planflow show examples/boy_2025
      planflow show examples/boy_2025 --json
    """
    from planflow.timeline.serialise import plan_to_dict

    p = load_or_exit(plan).plan
    if as_json:
        dump_json(plan_to_dict(p))
        return
    from rich.table import Table

    out = console()
    out.print(f"[bold]{p.title}[/bold]")
    out.print(f"{p.issuer} · {p.year} · {p.timezone}")
    units = Table("id", "name", "kind", "members", title="Units")
    for u in p.units:
        members = ", ".join(getattr(u, "members", ()))
        units.add_row(u.id, u.name, "group" if u in p.groups else "unit", members)
    out.print(units)
    tasks = Table(
        "ref",
        "id",
        "lead",
        "coordinators",
        "window",
        "recurrence",
        "target",
        "after",
        title="Tasks",
    )
    for t in p.tasks:
        tasks.add_row(
            t.ref,
            t.id,
            t.lead,
            ", ".join(t.coordinators),
            t.window.label,
            t.recurrence or ("check-ins" if t.window.continuous else "once"),
            str(t.target) if t.target else "",
            ", ".join(d.task for d in t.after),
        )
    out.print(tasks)


@click.command()
@plan_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "dot", "mermaid", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def graph(plan: str, fmt: str) -> None:
    """Print the task dependency graph (text, Graphviz DOT, Mermaid or JSON).

    \b
    Examples:
      planflow graph examples/boy_2025
      planflow graph examples/boy_2025 --format dot | dot -Tsvg > plan.svg
    """
    from planflow.plan import graph as graphs

    p = load_or_exit(plan).plan
    render = {
        "text": graphs.to_text,
        "dot": graphs.to_dot,
        "mermaid": graphs.to_mermaid,
        "json": graphs.to_json,
    }[fmt]
    click.echo(render(p), nl=False)
