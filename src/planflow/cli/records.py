"""Recording the year on the command line: ``done``, ``undo``, ``record``, ``history``.

Thin wrappers over :mod:`planflow.jobs.progress_records`; the options and helpers shared with
``run`` and ``status`` are in :mod:`planflow.cli.year`. Every text people read is in
:data:`MESSAGES`.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import click

from planflow.cli.common import vn_day, vn_number
from planflow.cli.lang import TranslatedCommand
from planflow.cli.year import _common, _day, _dump, _open, unit_json_options
from planflow.i18n import N_, _
from planflow.jobs.progress_records import HISTORY_WHAT
from planflow.plan.errors import PlanError

__all__ = [
    "MESSAGES",
    "done_command",
    "history_command",
    "record_command",
    "undo_command",
]

#: Every text these commands print, in one place (for the message catalogue).
MESSAGES: dict[str, str] = {
    "done": N_("Recorded: {occurrence} done on {day} ({unit})."),
    "undone": N_("The completion of {occurrence} is taken back; reason: {reason}."),
    "recorded": N_("Recorded indicator {target}: {value} measured on {day} ({unit})."),
    "no_history": N_("Nothing recorded yet."),
}


_DONE_HELP = N_(
    """Record that an occurrence was done (OCCURRENCE: duty#index or duty@YYYY-MM-DD).

    \b
    Examples:
      planflow done examples/boy_2025 ar-integration@ca#10 --note "Đã lồng ghép"
      planflow done examples/boy_2025 news@2025-03-20 --evidence https://boy.gov.vn/tin/12
    """
)


@click.command("done", cls=TranslatedCommand, help=_DONE_HELP)
@_common
@click.argument("occurrence")
@click.option("--by", "by", metavar="UNIT", help=N_("The unit that did it [default: its lead]."))
@click.option("--date", "day", metavar="DATE", callback=_day, help=N_("When [default: today]."))
@click.option("--note", metavar="TEXT", help=N_("A note (what was done)."))
@click.option("--evidence", metavar="URL", help=N_("A link to the evidence."))
def done_command(
    plan: str,
    db: str | None,
    now: datetime | None,
    lang: str | None,
    occurrence: str,
    by: str | None,
    day: date | None,
    note: str | None,
    evidence: str | None,
) -> None:
    from planflow.jobs.progress_records import mark_done

    with _open(plan, db, now) as year:
        try:
            rec = mark_done(year, occurrence, day=day, by=by, note=note, evidence=evidence)
        except PlanError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(
        _(MESSAGES["done"]).format(
            occurrence=rec.occurrence, day=vn_day(rec.day or date.min), unit=rec.by_unit or "-"
        )
    )


_UNDO_HELP = N_(
    """Take back a recorded completion, saying why (the history keeps both).

    \b
    Example:
      planflow undo examples/boy_2025 news#3 --reason "Nhầm kỳ"
    """
)


@click.command("undo", cls=TranslatedCommand, help=_UNDO_HELP)
@_common
@click.argument("occurrence")
@click.option("--reason", required=True, metavar="TEXT", help=N_("Why it is taken back."))
@click.option("--by", "by", metavar="UNIT", help=N_("The unit (for a task led member by member)."))
def undo_command(
    plan: str,
    db: str | None,
    now: datetime | None,
    lang: str | None,
    occurrence: str,
    reason: str,
    by: str | None,
) -> None:
    from planflow.jobs.progress_records import undo

    with _open(plan, db, now) as year:
        try:
            rec = undo(year, occurrence, reason=reason, by=by)
        except PlanError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(_(MESSAGES["undone"]).format(occurrence=rec.occurrence, reason=rec.reason))


_RECORD_HELP = N_(
    """Record a measured value of a KPI indicator (TARGET: an id under indicators:).

    VALUE is a number as written: 97,5 or 97.5 (a percentage from 0 to 100). Each
    checkpoint is judged on the last value measured after the previous checkpoint and
    on or before it (planflow status, report --from-state).

    \b
    Example:
      planflow record examples/phu_lam_cds_2025 dvc-toan-trinh 72,5 --date 2025-06-30
    """
)


@click.command("record", cls=TranslatedCommand, help=_RECORD_HELP)
@_common
@click.argument("target")
@click.argument("value")
@click.option(
    "--date", "day", metavar="DATE", callback=_day, help=N_("Measured on [default: today].")
)
@click.option("--by", "by", metavar="UNIT", help=N_("The unit it measures [default: its owner]."))
@click.option("--note", metavar="TEXT", help=N_("A note."))
@click.option("--evidence", metavar="URL", help=N_("A link to the evidence."))
def record_command(
    plan: str,
    db: str | None,
    now: datetime | None,
    lang: str | None,
    target: str,
    value: str,
    day: date | None,
    by: str | None,
    note: str | None,
    evidence: str | None,
) -> None:
    from planflow.jobs.kpi_records import record_value

    with _open(plan, db, now) as year:
        try:
            rec = record_value(year, target, value, day=day, by=by, note=note, evidence=evidence)
        except PlanError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(
        _(MESSAGES["recorded"]).format(
            target=rec.target, value=vn_number(rec.value), day=vn_day(rec.day), unit=rec.by_unit
        )
    )


_HISTORY_HELP = N_(
    """Every recorded change, oldest first: who, when, what (nothing is ever erased).

    \b
    Example:
      planflow history examples/boy_2025 --unit vhxh
    """
)


@click.command("history", cls=TranslatedCommand, help=_HISTORY_HELP)
@unit_json_options(N_("Only what concerns this unit."), N_("Print the history as JSON."))
def history_command(
    plan: str,
    db: str | None,
    now: datetime | None,
    lang: str | None,
    unit: str | None,
    as_json: bool,
) -> None:
    from planflow.jobs.progress_records import history

    with _open(plan, db, now) as year:
        try:
            rows = history(year, unit=unit)
        except PlanError as exc:
            raise click.ClickException(str(exc)) from None
        zone = year.zone()
    if as_json:
        _dump(rows)
        return
    if not rows:
        click.echo(_(MESSAGES["no_history"]))
        return
    what = {key: _(text) for key, text in HISTORY_WHAT.items()}
    for row in rows:
        when = datetime.fromisoformat(row["when"]).astimezone(zone).strftime("%d/%m/%Y %H:%M")
        subject = row.get("occurrence") or row.get("target") or ""
        parts = [when, row["who"], what.get(row["what"], row["what"]), subject]
        if row.get("value") is not None:
            parts.append(vn_number(row["value"]))
        if row.get("day"):
            parts.append(vn_day(row["day"]))
        for key in ("by", "note", "evidence", "reason"):
            if row.get(key):
                parts.append(f"{key}: {row[key]}")
        if row.get("changes"):
            parts.append(json.dumps(row["changes"], ensure_ascii=False))
        click.echo("  ".join(parts))
