"""``planflow agenda``: every occurrence of the plan, on screen or as the task table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import click

from planflow.cli.common import console, dump_json, load_or_exit, plan_argument
from planflow.cli.lang import TranslatedCommand, lang_option, speak
from planflow.cli.workspace_options import resolve_member, workspace_options
from planflow.i18n import N_, _
from planflow.timeline.coordination import named_on

__all__ = ["agenda"]


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


_AGENDA_WORKSPACE = N_(
    """PLAN may be a workspace, a folder of plans (docs/workspaces.md): occurrences are
    counted per plan and month; --unit then names a shared unit of the workspace, whose
    work in every plan is listed by date; --plan ID lists one plan's occurrences.

    \b
    Example:
      planflow agenda examples/tinh_quang_ngai
    """
)


@click.command(cls=TranslatedCommand, help=_AGENDA_HELP, epilog=_AGENDA_WORKSPACE)
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
@click.option("--section", "section", metavar="ID", help=N_("Only the tasks of this plan section."))
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
@workspace_options()
@lang_option
def agenda(
    plan: str,
    unit_id: str | None,
    task_id: str | None,
    from_day: date | None,
    to_day: date | None,
    section: str | None,
    as_json: bool,
    form: str,
    out_file: str | None,
    plan_id: str | None,
    show_all: bool,
    no_cache: bool,
    jobs: int,
    lang: str | None,
) -> None:
    from planflow.timeline.occurrences import Timeline
    from planflow.timeline.serialise import occurrence_to_dict
    from planflow.workspace import is_workspace

    if plan_id is None and is_workspace(plan):
        speak()
        if task_id is not None:
            raise click.UsageError(
                _("with a workspace, {option} needs --plan ID (one plan)").format(option="--task")
            )
        if form != "table" or section is not None:
            raise click.UsageError(
                _("with a workspace, {option} needs --plan ID (one plan)").format(
                    option="--format" if form != "table" else "--section"
                )
            )
        from planflow.cli.workspace_commands import agenda_workspace

        agenda_workspace(plan, unit=unit_id, from_day=from_day, to_day=to_day, as_json=as_json,
                         show_all=show_all, no_cache=no_cache, jobs=jobs)  # fmt: skip
        return
    p = (resolve_member(plan, plan_id, no_cache=no_cache) or load_or_exit(plan)).plan
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
    _check_section(p, section)
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
    if form != "table":
        _write_agenda(form, out_file, timeline, rows)
        return
    from planflow.cli.agenda_table import print_agenda

    print_agenda(console(), timeline, rows)


def _check_section(plan: Any, section: str | None) -> None:
    """``--section`` must name one of the plan's sections."""
    if section is None or section in {x.id for x in plan.sections}:
        return
    from planflow.plan.model import suggest

    known = [x.id for x in plan.sections]
    raise click.BadParameter(
        _("unknown section {section!r}").format(section=section)
        + (f"; {hint}" if (hint := suggest(section, known)) else "")
        + (
            " " + _("(sections: {sections})").format(sections=", ".join(known))
            if known
            else " " + _("(the plan has no sections)")
        ),
        param_hint="--section",
    )


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
            task = timeline.duty(occ.task).task
            # who coordinates on the due date: an ended unit no longer, its successor instead
            coordinators = timeline.coordinators_of(occ)
            if unit_id == occ.unit or (unit_id == task.lead and "@" not in occ.task):
                role = "lead"
            elif unit_id in coordinators or unit_id in named_on(timeline.plan, task, occ.due):
                role = "coordinator"
            elif unit_id == task.lead:
                role = "lead"  # a group sees its members' duties
            else:
                continue
        yield occ, role
