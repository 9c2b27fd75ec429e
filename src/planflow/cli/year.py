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

from planflow.cli.common import vn_day, vn_number
from planflow.cli.lang import TranslatedCommand, lang_option, speak
from planflow.cli.workspace_options import resolve_member, workspace_options
from planflow.i18n import N_, _
from planflow.plan.errors import PlanError, PlanFileError

__all__ = ["MESSAGES", "run_command", "simulate_from_state", "status_command"]

F = TypeVar("F", bound=Callable[..., Any])

#: Every text these commands print, in one place (for the message catalogue).
MESSAGES: dict[str, str] = {
    "bad_now": N_("{value!r} is not a time; write YYYY-MM-DD or YYYY-MM-DDTHH:MM"),
    "bad_day": N_("{value!r} is not a date; write YYYY-MM-DD"),
    "plan_errors": N_("{n} errors; the plan could not be read."),
    "ran": N_("Ran to {day}: {emitted} new events, {delivered} delivered, {failed} failed."),
    "digests": N_(
        "Days without a run: {gathered} events gathered into {digests} digests (one per unit)."
    ),
    "waiting": N_("{n} notices wait for notifier {name!r} (run again with --notify {name})."),
    "changed": N_(
        "The plan changed ({old} → {new}): {added} added, {removed} removed, "
        "{moved} occurrences with a new due date."
    ),
    "archived": N_("Archived {n} results of occurrences no longer in the plan: {names}."),
}


def _now(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_(MESSAGES["bad_now"]).format(value=value)) from None


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_(MESSAGES["bad_day"]).format(value=value)) from None


def _common(fn: F) -> F:
    """PLAN, ``--db`` and ``--now``: what every command of the real year takes."""
    fn = click.option(
        "--now",
        metavar="DATETIME",
        callback=_now,
        help=N_("Take this as now (YYYY-MM-DD[THH:MM], plan time zone) [default: the clock]."),
    )(fn)
    fn = click.option(
        "--db",
        metavar="URL",
        envvar="PLANFLOW_DB",
        help=N_(
            "State database: postgresql://… or a SQLite file "
            "[default: PLAN_DIR/.planflow/state.db; env PLANFLOW_DB]."
        ),
    )(fn)
    fn = lang_option(fn)
    return click.argument("plan", type=click.Path(dir_okay=True, file_okay=True))(fn)


def unit_json_options(unit_help: str, json_help: str) -> Callable[[F], F]:
    """PLAN, ``--db``, ``--now``, ``--lang``, ``--unit ID`` and ``--json``: the options of
    the commands that read the recorded year (``status``, ``history``). The command
    takes ``(plan, db, now, lang, unit, as_json)``."""

    def decorate(fn: F) -> F:
        fn = click.option("--json", "as_json", is_flag=True, help=json_help)(fn)
        fn = click.option("--unit", "unit", metavar="ID", help=unit_help)(fn)
        return _common(fn)

    return decorate


def _open(plan: str, db: str | None, now: datetime | None, loaded: Any = None) -> Any:
    from planflow.jobs.year import Year
    from planflow.run.store import StoreError

    try:
        if loaded is None:  # a plan of a workspace: with the workspace's shared units
            from planflow.workspace.discovery import member_of

            found = member_of(plan)
            if found is not None:
                from planflow.workspace import Session, load_member

                loaded = load_member(Session.open(found[0]), found[1])
        year = Year.open(plan, db, now=now, loaded=loaded)
    except PlanFileError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(_(MESSAGES["plan_errors"]).format(n=len(exc.errors)), err=True)
        raise SystemExit(1) from None
    except (PlanError, StoreError) as exc:
        raise click.ClickException(str(exc)) from None
    speak(year.plan)  # --lang, PLANFLOW_LANG, the plan's language:, the locale
    return year


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


_RUN_HELP = N_(
    """Advance the recorded year to now: send reminders, due and overdue notices once.

    Meant for cron or a systemd timer (docs/running-the-year.md). Running it twice
    sends nothing new; after days without a run each unit gets one digest.

    \b
    Examples:
      planflow run examples/boy_2025 --now 2025-10-06T07:00 --notify console
      planflow run examples/boy_2025 --notify email --db postgresql://planflow@db/tinh
    """
)


@click.command("run", cls=TranslatedCommand, help=_RUN_HELP)
@_common
@click.option("--notify", multiple=True, metavar="NAME", help=N_("Deliver through notifier NAME."))
@click.option(
    "--set",
    "set_items",
    multiple=True,
    metavar="NOTIFIER.KEY=VALUE",
    help=N_("Override a channel setting of the plan file; repeatable."),
)
@click.option("--json", "as_json", is_flag=True, help=N_("Print what the run did as JSON."))
@click.option(
    "--strict",
    is_flag=True,
    help=N_("Exit with status 3 when a delivery failed (it stays in the outbox for the next run)."),
)
def run_command(
    plan: str,
    db: str | None,
    now: datetime | None,
    lang: str | None,
    notify: tuple[str, ...],
    set_items: tuple[str, ...],
    as_json: bool,
    strict: bool,
) -> None:
    from planflow.cli.plugins import EXIT_STRICT, get_pm
    from planflow.hooks.channels import parse_overrides
    from planflow.hooks.failures import PluginFailed
    from planflow.jobs.year import advance

    pm = get_pm()
    with _open(plan, db, now) as year:
        try:
            report = advance(
                year, now=year.now(), pm=pm, notify=notify, settings=parse_overrides(set_items)
            )
        except PluginFailed:
            raise
        except PlanError as exc:
            raise click.ClickException(str(exc)) from None
    pm.failures.print_summary()
    for name, record in report.deliveries.items():
        click.echo(f"planflow: {record.summary(name, 'notifier')}", err=True)
    if as_json:
        _dump(report.to_dict())
    else:
        _print_run(report)
    if strict and report.failed:
        click.echo(
            _("planflow: --strict: {count} failed (exit status {status})").format(
                count=report.failed, status=EXIT_STRICT
            ),
            err=True,
        )
        raise SystemExit(EXIT_STRICT)


def _print_run(report: Any) -> None:
    m = {key: _(text) for key, text in MESSAGES.items()}
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


_STATUS_HELP = N_(
    """What needs attention today: overdue, due this week, blocked; then per unit, and
    the indicators' checkpoints judged on the values recorded.

    \b
    Examples:
      planflow status examples/boy_2025
      planflow status examples/boy_2025 --unit vhxh --now 2025-10-06
    """
)

_STATUS_WORKSPACE = N_(
    """PLAN may be a workspace, a folder of plans (docs/workspaces.md): each plan's
    counts are listed, the plans with most overdue work first; --plan ID shows one
    plan, --all lists every plan.
    """
)


@click.command("status", cls=TranslatedCommand, help=_STATUS_HELP, epilog=_STATUS_WORKSPACE)
@unit_json_options(N_("Only this unit's duties and indicators."), N_("Print the status as JSON."))
@workspace_options()
def status_command(
    plan: str,
    db: str | None,
    now: datetime | None,
    lang: str | None,
    unit: str | None,
    as_json: bool,
    plan_id: str | None,
    show_all: bool,
    no_cache: bool,
    jobs: int,
) -> None:
    from planflow.cli.status_view import print_status
    from planflow.jobs.status import status
    from planflow.workspace import is_workspace

    if plan_id is None and is_workspace(plan):
        from planflow.cli.workspace_status import status_workspace

        speak()
        if unit is not None:
            raise click.UsageError(
                _("with a workspace, {option} needs --plan ID (one plan)").format(option="--unit")
            )
        status_workspace(plan, db=db, now=now, as_json=as_json, show_all=show_all,
                         no_cache=no_cache, jobs=jobs)  # fmt: skip
        return
    member = resolve_member(plan, plan_id, no_cache=no_cache)
    with _open(member.file if member else plan, db, now, loaded=member) as year:
        try:
            report = status(year, unit=unit)
        except PlanError as exc:
            raise click.ClickException(str(exc)) from None
        the_plan = year.plan
    if as_json:
        _dump(report.to_dict())
        return
    print_status(the_plan, report)


def simulate_from_state(
    plan: str, db: str | None, until: date | None, as_json: bool, report: Any, report_dir: str
) -> None:
    """``planflow simulate --from-state``: the recorded year, printed and reported as a
    simulation is (:func:`planflow.jobs.reports.recorded_run`)."""
    from planflow.cli.plugins import get_pm
    from planflow.cli.simulate_view import print_result
    from planflow.jobs.reports import recorded_run

    pm = get_pm()
    with _open(plan, db, None) as year:
        try:
            run = recorded_run(
                year,
                as_of=until,
                pm=pm,
                report=report,
                report_dir=report_dir if report else None,
            )
        except PlanError as exc:
            raise click.ClickException(str(exc)) from None
    pm.failures.print_summary()
    written = [a.path for a in run.artifacts if a.path]
    if written and not as_json:
        click.echo(f"planflow: {len(written)} report files written to {report_dir}", err=True)
    if as_json:
        _dump({**run.result.to_dict(), **run.record()})
    else:
        print_result(run.result)
