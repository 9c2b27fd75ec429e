"""The real year on the command line: ``run`` and ``status`` (and what all its commands share).

Thin wrappers over :mod:`planflow.jobs.year` and :mod:`planflow.jobs.status`; the
recording commands (``done``, ``undo``, ``record``, ``history``) are in
:mod:`planflow.cli.records`. Every text people read is in :data:`MESSAGES`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import click

from planflow.plan.errors import PlanError, PlanFileError

__all__ = ["MESSAGES", "YEAR_COMMANDS", "run_command", "simulate_from_state", "status_command"]

F = TypeVar("F", bound=Callable[..., Any])

#: Every text these commands print, in one place (for the message catalogue).
MESSAGES: dict[str, str] = {
    "bad_now": "{value!r} không phải thời điểm; ghi YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM",
    "bad_day": "{value!r} không phải ngày; ghi YYYY-MM-DD",
    "plan_errors": "{n} lỗi; chưa đọc được kế hoạch.",
    "ran": "Đã chạy đến ngày {day}: {emitted} sự kiện mới, đã gửi {delivered}, lỗi {failed}.",
    "digests": "Những ngày chưa chạy: {gathered} sự kiện được gộp thành {digests} bản tổng hợp "
    "(mỗi đơn vị một bản).",
    "waiting": "Còn {n} thông báo chờ kênh {name!r} (chạy lại với --notify {name}).",
    "changed": "Kế hoạch đã thay đổi ({old} → {new}): thêm {added}, bỏ {removed}, "
    "đổi thời hạn {moved} lần thực hiện.",
    "archived": "Lưu trữ {n} kết quả của những lần thực hiện không còn trong kế hoạch: {names}.",
    "status_title": "{title} — tình hình đến ngày {day}",
    "attention": "Cần chú ý: {overdue} quá hạn, {week} đến hạn trong 7 ngày, {blocked} đang chờ.",
    "nothing": "Không có việc quá hạn, sắp đến hạn hay đang chờ.",
    "more": "… và {n} việc khác (xem --json hoặc --unit).",
    "per_unit": "Theo đơn vị",
    "waits_for": "chờ {names}",
}

#: Column headings of ``status``.
COLUMNS_ATTENTION = ("Việc", "Đơn vị", "Hạn", "Tình trạng")
COLUMNS_UNITS = ("Đơn vị", "Quá hạn", "Đến hạn 7 ngày", "Đang chờ", "Đang làm", "Xong", "Bỏ lỡ")

_SHOWN = 15  # attention rows on the first screen


def vn_number(value: float) -> str:
    """``1234.5`` → ``1.234,5`` (Vietnamese separators)."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_day(value: date | str) -> str:
    """``2025-09-30`` → ``30/09/2025``."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%d/%m/%Y")


def _now(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(MESSAGES["bad_now"].format(value=value)) from None


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(MESSAGES["bad_day"].format(value=value)) from None


def _common(fn: F) -> F:
    """PLAN, ``--db`` and ``--now``: what every command of the real year takes."""
    fn = click.option(
        "--now",
        metavar="DATETIME",
        callback=_now,
        help="Take this as now (YYYY-MM-DD[THH:MM], plan time zone) [default: the clock].",
    )(fn)
    fn = click.option(
        "--db",
        metavar="URL",
        envvar="PLANFLOW_DB",
        help="State database: postgresql://… or a SQLite file "
        "[default: PLAN_DIR/.planflow/state.db; env PLANFLOW_DB].",
    )(fn)
    return click.argument("plan", type=click.Path(dir_okay=True, file_okay=True))(fn)


def _open(plan: str, db: str | None, now: datetime | None) -> Any:
    from planflow.jobs.year import Year
    from planflow.run.store import StoreError

    try:
        return Year.open(plan, db, now=now)
    except PlanFileError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(MESSAGES["plan_errors"].format(n=len(exc.errors)), err=True)
        raise SystemExit(1) from None
    except (PlanError, StoreError) as exc:
        raise click.ClickException(str(exc)) from None


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.command("run")
@_common
@click.option("--notify", multiple=True, metavar="NAME", help="Deliver through notifier NAME.")
@click.option(
    "--set",
    "set_items",
    multiple=True,
    metavar="NOTIFIER.KEY=VALUE",
    help="Override a channel setting of the plan file; repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what the run did as JSON.")
def run_command(
    plan: str,
    db: str | None,
    now: datetime | None,
    notify: tuple[str, ...],
    set_items: tuple[str, ...],
    as_json: bool,
) -> None:
    """Advance the recorded year to now: send reminders, due and overdue notices once.

    Meant for cron or a systemd timer (docs/running-the-year.md). Running it twice
    sends nothing new; after days without a run each unit gets one digest.

    \b
    Examples:
      planflow run examples/boy_2025 --now 2025-10-06T07:00 --notify console
      planflow run examples/boy_2025 --notify email --db postgresql://planflow@db/tinh
    """
    from planflow.cli.plugins import failure_printer, get_pm
    from planflow.hooks.channels import parse_overrides
    from planflow.jobs.year import advance

    with _open(plan, db, now) as year:
        try:
            report = advance(
                year,
                now=year.now(),
                pm=get_pm(),
                notify=notify,
                settings=parse_overrides(set_items),
                on_failure=failure_printer(),
            )
        except PlanError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        _dump(report.to_dict())
        return
    _print_run(report)


def _print_run(report: Any) -> None:
    m = MESSAGES
    click.echo(
        m["ran"].format(
            day=vn_day(report.as_of),
            emitted=vn_number(len(report.emitted)),
            delivered=vn_number(report.delivered),
            failed=vn_number(report.failed),
        )
    )
    if report.digests:
        click.echo(
            m["digests"].format(
                gathered=vn_number(report.gathered), digests=vn_number(len(report.digests))
            )
        )
    for name, n in sorted(report.waiting.items()):
        click.echo(m["waiting"].format(n=vn_number(n), name=name))
    changes = report.changes
    if "from" in changes:
        click.echo(
            m["changed"].format(
                old=changes["from"],
                new=changes["to"],
                added=len(changes["added"]),
                removed=len(changes["removed"]),
                moved=len(changes["moved"]),
            )
        )
    if changes.get("archived"):
        names = changes["archived"]
        click.echo(m["archived"].format(n=len(names), names=", ".join(names)))


@click.command("status")
@_common
@click.option("--unit", "unit", metavar="ID", help="Only this unit's duties.")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status_command(
    plan: str, db: str | None, now: datetime | None, unit: str | None, as_json: bool
) -> None:
    """What needs attention today: overdue, due this week, blocked; then per unit.

    \b
    Examples:
      planflow status examples/boy_2025
      planflow status examples/boy_2025 --unit vhxh --now 2025-10-06
    """
    from planflow.jobs.status import status

    with _open(plan, db, now) as year:
        try:
            report = status(year, unit=unit)
        except PlanError as exc:
            raise click.ClickException(str(exc)) from None
        title = year.plan.title
    if as_json:
        _dump(report.to_dict())
        return
    _print_status(title, report)


def _print_status(title: str, report: Any) -> None:
    from rich.table import Table

    from planflow.cli.main import _console
    from planflow.jobs.status import CATEGORIES

    m = MESSAGES
    console = _console()
    console.print(f"[bold]{m['status_title'].format(title=title, day=vn_day(report.as_of))}[/]")
    attention = report.attention
    n = {c: sum(1 for i in attention if i["category"] == c) for c in CATEGORIES}
    if attention:
        console.print(
            m["attention"].format(
                overdue=n["overdue"], week=n["due_this_week"], blocked=n["blocked"]
            )
        )
        table = Table(*COLUMNS_ATTENTION)
        for item in attention[:_SHOWN]:
            what = CATEGORIES[item["category"]]
            if item["blocked_by"]:
                what += f" ({m['waits_for'].format(names=', '.join(item['blocked_by']))})"
            name = f"{item['occurrence']} — {item['title'][:60]}"
            table.add_row(name, item["unit"], vn_day(item["due"]), what)
        console.print(table)
        if len(attention) > _SHOWN:
            console.print(m["more"].format(n=len(attention) - _SHOWN))
    else:
        console.print(m["nothing"])
    table = Table(*COLUMNS_UNITS, title=m["per_unit"], title_justify="left")
    for row in report.units:
        table.add_row(
            row["unit"],
            *(
                str(row[c])
                for c in ("overdue", "due_this_week", "blocked", "open", "done", "missed")
            ),
        )
    console.print(table)


def simulate_from_state(
    plan: str, db: str | None, until: date | None, as_json: bool, report: Any, report_dir: str
) -> None:
    """``planflow simulate --from-state``: the recorded year, printed and reported as a
    simulation is (:func:`planflow.jobs.reports.recorded_run`)."""
    from planflow.cli.plugins import failure_printer, get_pm
    from planflow.cli.simulate import _dump as dump_json
    from planflow.cli.simulate import _print_result
    from planflow.jobs.reports import recorded_run

    with _open(plan, db, None) as year:
        try:
            run = recorded_run(
                year,
                as_of=until,
                pm=get_pm(),
                report=report,
                report_dir=report_dir if report else None,
                on_failure=failure_printer(),
            )
        except PlanError as exc:
            raise click.ClickException(str(exc)) from None
    written = [path for _, _, path in run.artifacts if path]
    if written and not as_json:
        click.echo(f"planflow: {len(written)} report files written to {report_dir}", err=True)
    if as_json:
        click.echo(dump_json({**run.result.to_dict(), **run.record()}))
    else:
        _print_result(run.result)


#: The commands of this module, attached to the root group by planflow.cli.main.
YEAR_COMMANDS = (run_command, status_command)
