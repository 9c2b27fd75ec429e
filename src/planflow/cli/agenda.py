"""``planflow agenda``: every occurrence of the plan, by month, for a unit or a task."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import click

from planflow.cli.common import console, dump_json, load_or_exit, plan_argument

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
@click.option("--section", "section", metavar="ID", help="Only the tasks of this plan section.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of occurrences.")
def agenda(
    plan: str,
    unit_id: str | None,
    task_id: str | None,
    from_day: date | None,
    to_day: date | None,
    section: str | None,
    as_json: bool,
) -> None:
    """List occurrences in time order, with lead, coordinators, due date and what each waits for.

    \b
    Examples:
      planflow agenda examples/boy_2025 --unit vhxh
      planflow agenda examples/boy_2025 --from 2025-10-01 --to 2025-12-31 --json
    """
    from planflow.timeline.occurrences import Timeline
    from planflow.timeline.serialise import occurrence_to_dict

    p = load_or_exit(plan).plan
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
    if section is not None and section not in {x.id for x in p.sections}:
        from planflow.plan.model import suggest

        known = [x.id for x in p.sections]
        raise click.BadParameter(
            f"unknown section {section!r}"
            + (f"; {hint}" if (hint := suggest(section, known)) else "")
            + (f" (sections: {', '.join(known)})" if known else " (the plan has no sections)"),
            param_hint="--section",
        )
    rows = [
        (occ, role)
        for occ, role in _select(timeline, unit_id, task_id, from_day, to_day)
        if section is None or p.task(occ.plan_task).section == section
    ]
    # on one day, what others wait for comes first: the units' reports, then the
    # consolidated report that waits for them (whatever their ids)
    rows.sort(key=lambda r: (r[0].start, r[0].due, timeline.depth(r[0].plan_task)))
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
            f"{occ.unit} (nhận bàn giao từ / taken over from {duty.handed_from})"
            if duty.handed_from
            else occ.unit,
            shown,
            ", ".join(coordinators),
            waits,
        )
    if table is not None:
        out.print(table)
    else:
        out.print("no occurrences match")
