"""``planflow import`` (a task table → a plan) and ``planflow export-table`` (a plan → a table)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import click

from planflow.cli.common import load_or_exit, plan_argument
from planflow.cli.lang import TranslatedCommand, lang_option, speak
from planflow.i18n import N_, _, ngettext
from planflow.plan.errors import PlanFileError, Problem

__all__ = ["export_table", "import_table"]


def _units_of(plan: Any) -> list[dict[str, Any]]:
    out = []
    for unit in plan.units:
        entry: dict[str, Any] = {"id": unit.id, "name": unit.name}
        if unit.name_en:
            entry["name_en"] = unit.name_en
        if unit.aliases:
            entry["aliases"] = list(unit.aliases)
        if getattr(unit, "members", None):
            entry["members"] = list(unit.members)
        out.append(entry)
    return out


def _sheet_units(rows: tuple[dict[str, str], ...]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        entry: dict[str, Any] = {"id": row["id"], "name": row["name"]}
        if row.get("name_en"):
            entry["name_en"] = row["name_en"]
        for key in ("aliases", "members"):
            if row.get(key):
                entry[key] = [p.strip() for p in row[key].split(";") if p.strip()]
        out.append(entry)
    return out


def _starter_units(commune: str) -> list[dict[str, Any]]:
    from planflow.plan.starter import COMMUNE_UNITS

    return [
        {"id": uid, "name": name.format(commune=commune), **({"aliases": list(a)} if a else {})}
        for uid, name, _, a in COMMUNE_UNITS
    ]


def _fail(problems: list[Problem], what: str) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    n = len(problems)
    raise click.ClickException(
        ngettext("{count} problem; {what}", "{count} problems; {what}", n).format(
            count=n, what=what
        )
    )


_IMPORT_HELP = N_(
    """Turn a task table (TABLE.xlsx or TABLE.csv) into a plan file.

    Columns are found by their headers, in any order, in Vietnamese or English:
    Nội dung, Cơ quan chủ trì, Cơ quan phối hợp, Thời gian thực hiện, Tần suất, Ghi
    chú, Mục, Mã, STT. Units are recognised across spellings. Every row that cannot be
    read is reported as TABLE:ROW:COLUMN, and then nothing is written.

    \b
    Example:
      planflow import nhiem-vu-2026.xlsx --out ke-hoach-2026 --commune "Bờ Y" --year 2026
    """
)


@click.command("import", cls=TranslatedCommand, help=_IMPORT_HELP)
@click.argument("table", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help=N_("Folder to write plan.yaml (and plan.schema.json) into."))  # fmt: skip
@click.option("--commune", default="Mẫu", show_default=True, help=N_("The commune's name."))
@click.option("--year", type=click.IntRange(1900, 9999), help=N_("The plan year [this year]."))
@click.option(
    "--units",
    "units_plan",
    type=click.Path(exists=True),
    help=N_(
        "Take the units from this plan or template (else the table's 'Đơn vị' sheet, "
        "else the usual units of a commune)."
    ),
)
@click.option("--force", is_flag=True, help=N_("Overwrite an existing plan.yaml."))
@lang_option
def import_table(
    table: str,
    out_dir: str,
    commune: str,
    year: int | None,
    units_plan: str | None,
    force: bool,
    lang: str | None,
) -> None:
    from planflow.cli.schema_command import schema_text
    from planflow.plan.loading import load, loads
    from planflow.plan.starter import SCHEMA_FILE
    from planflow.plan.table_import import UnitNames, plan_text, rows_to_tasks
    from planflow.plan.table_read import read_table

    target = Path(out_dir) / "plan.yaml"
    if target.exists() and not force:
        raise click.ClickException(
            _("{file} already exists (use --force to overwrite it)").format(file=target)
        )
    try:
        rows = read_table(table)
        if units_plan:
            units = _units_of(load(units_plan).plan)
        elif rows.units:
            units = _sheet_units(rows.units)
        else:
            units = _starter_units(commune)
    except PlanFileError as exc:
        _fail(list(exc.problems), _("nothing was written"))
    if rows.ignored:
        click.echo(
            _("Columns not used: {columns}").format(columns="; ".join(rows.ignored)), err=True
        )
    the_year = year or date.today().year
    imported = rows_to_tasks(rows, UnitNames(units), the_year)
    if imported.problems:
        _fail(imported.problems, _("nothing was written"))
    text = plan_text(imported.tasks, units, commune=commune, year=the_year, table=Path(table).name)
    try:
        loads(text, file=str(target))
    except PlanFileError as exc:  # what only the whole plan shows, e.g. outside the year
        _fail(
            [_at_row(p, imported.rows, rows.file) for p in exc.problems], _("nothing was written")
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    (target.parent / SCHEMA_FILE).write_text(schema_text(), encoding="utf-8")
    click.echo(
        _("Created {file}: {tasks} tasks, {units} units.").format(
            file=target, tasks=len(imported.tasks), units=len(units)
        )
    )


def _at_row(problem: Problem, rows: list[int], table: str) -> Problem:
    """A problem of the generated plan, told at the table row of its task."""
    # the path as told in English (tasks[3], from 0) or Vietnamese (nhiệm vụ thứ 4, from 1)
    if m := re.match(r"tasks\[(\d+)\]|nhiệm vụ thứ (\d+)", problem.path):
        row = rows[int(m.group(1))] if m.group(1) else rows[int(m.group(2)) - 1]

        return Problem(problem.message, table, row, 1, _("row {row}").format(row=row), problem.hint)
    return problem


_EXPORT_TABLE_HELP = N_(
    """Write the plan's tasks as the table offices keep (planflow import reads it back).

    \b
    Example:
      planflow export-table examples/boy_2025 --format xlsx --out bo-y-2025.xlsx
    """
)


@click.command("export-table", cls=TranslatedCommand, help=_EXPORT_TABLE_HELP)
@plan_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default="xlsx",
    show_default=True,
    help=N_("xlsx (with a sheet of units) or csv (tasks only)."),
)
@click.option("--out", "out_file", type=click.Path(dir_okay=False),
              help=N_("File to write [PLAN-ID.xlsx / .csv]."))  # fmt: skip
@lang_option
def export_table(plan: str, fmt: str, out_file: str | None, lang: str | None) -> None:
    from planflow.plan.table_export import write_csv, write_xlsx

    p = load_or_exit(plan).plan
    speak(p)
    path = Path(out_file or f"{p.id}.{fmt}")
    if fmt == "xlsx":
        write_xlsx(p, path)
    else:
        path.write_text(write_csv(p), encoding="utf-8-sig")
    click.echo(_("Wrote {file}: {tasks} tasks.").format(file=path, tasks=len(p.tasks)))
