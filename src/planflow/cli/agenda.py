"""``planflow agenda``: every occurrence of the plan, by month, for a unit or a task."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import click

from planflow.cli.common import console, dump_json, load_or_exit, plan_argument
from planflow.cli.workspace_options import resolve_member, workspace_options

__all__ = ["agenda"]


def _parse_day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from None


@click.command()
@plan_argument
@click.option("--unit", "unit_id", metavar="ID", help="Only what this unit leads or coordinates.")
@click.option("--task", "task_id", metavar="ID", help="Only this task (plan task or duty id).")
@click.option(
    "--from",
    "from_day",
    metavar="DATE",
    callback=_parse_day,
    help="Only occurrences due on or after DATE (YYYY-MM-DD).",
)
@click.option(
    "--to",
    "to_day",
    metavar="DATE",
    callback=_parse_day,
    help="Only occurrences starting on or before DATE (YYYY-MM-DD).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of occurrences.")
@workspace_options()
def agenda(
    plan: str,
    unit_id: str | None,
    task_id: str | None,
    from_day: date | None,
    to_day: date | None,
    as_json: bool,
    plan_id: str | None,
    show_all: bool,
    no_cache: bool,
    jobs: int,
) -> None:
    """List occurrences in time order, with lead, coordinators, due date and what each waits for.

    PLAN may be a workspace (docs/workspaces.md): occurrences are counted per plan
    and month; --unit then names a shared unit, whose work in every plan is listed
    by date; --plan ID lists one plan's occurrences.

    \b
    Examples:
      planflow agenda examples/boy_2025 --unit vhxh
      planflow agenda examples/boy_2025 --from 2025-10-01 --to 2025-12-31 --json
      planflow agenda tinh-quang-ngai --unit sonv
    """
    from planflow.timeline.occurrences import Timeline
    from planflow.timeline.serialise import occurrence_to_dict
    from planflow.workspace import is_workspace

    if plan_id is None and is_workspace(plan):
        if task_id is not None:
            raise click.UsageError("with a workspace, --task needs --plan ID (one plan)")
        from planflow.cli.workspace_commands import agenda_workspace

        agenda_workspace(plan, unit=unit_id, from_day=from_day, to_day=to_day, as_json=as_json,
                         show_all=show_all, no_cache=no_cache, jobs=jobs)  # fmt: skip
        return
    p = (resolve_member(plan, plan_id, no_cache=no_cache) or load_or_exit(plan)).plan
    if unit_id is not None and unit_id not in {u.id for u in p.units}:
        from planflow.plan.model import suggest

        raise click.BadParameter(
            f"unknown unit {unit_id!r}"
            + (f"; {hint}" if (hint := suggest(unit_id, [u.id for u in p.units])) else ""),
            param_hint="--unit",
        )
    timeline = Timeline(p)
    if task_id is not None and task_id not in {t.id for t in p.tasks}:
        timeline_ids = {d.id for d in timeline.duties}
        if task_id not in timeline_ids:
            from planflow.plan.model import suggest

            raise click.BadParameter(
                f"unknown task {task_id!r}"
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
        dump_json(out)
        return
    _print_agenda(timeline, rows)


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


def _print_agenda(timeline: Any, rows: list[tuple[Any, str]]) -> None:
    from rich.table import Table

    out = console()
    month = None
    table: Table | None = None
    for occ, role in rows:
        key = occ.start.strftime("%Y-%m")
        if key != month:
            if table is not None:
                out.print(table)
            month = key
            table = Table(
                title=f"Tháng {occ.start.month}/{occ.start.year} · {key}", title_justify="left"
            )
            for name in ("start", "due"):
                table.add_column(name, no_wrap=True, min_width=10)
            for name in ("ref", "task", "unit", "role", "coordinators", "waits for"):
                table.add_column(name, overflow="fold")
        assert table is not None
        duty = timeline.duty(occ.task)
        _, coordinators = timeline.units_of(duty)
        waits = ", ".join(f"{t}#{i}" for t, i in occ.waits_for[:3])
        if len(occ.waits_for) > 3:
            waits += f" +{len(occ.waits_for) - 3}"
        shown = "phối hợp / coordinates" if role == "coordinator" else "chủ trì / leads"
        table.add_row(
            occ.start.isoformat(),
            occ.due.isoformat(),
            duty.task.ref,
            f"{occ.task}#{occ.index}",
            occ.unit,
            shown,
            ", ".join(coordinators),
            waits,
        )
    if table is not None:
        out.print(table)
    else:
        out.print("no occurrences match")
