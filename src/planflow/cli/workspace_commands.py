"""validate, simulate, agenda and export of a whole workspace: per plan first, worst first.

The single-plan commands call these when PLAN is a workspace folder and no
``--plan`` is given. Nothing here prints one row per unit of every commune unless
``--all`` asks for it; ``--json`` prints the whole object (docs/workspaces.md).
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from datetime import date
from typing import Any

import click

from planflow.cli.common import console, dump_json
from planflow.cli.workspace_options import TOP, open_session
from planflow.i18n import _, format_number, ngettext

__all__ = ["agenda_workspace", "export_workspace", "simulate_workspace", "validate_workspace"]


def _n(x: int) -> str:
    """A count in the output's language: 33.400 in Vietnamese, 33,400 in English."""
    return format_number(x)


def _plans(x: int) -> str:
    """``1 kế hoạch``, ``3.300 plans``."""
    return ngettext("{count} plan", "{count} plans", x).format(count=_n(x))


def _more(shown: int, total: int) -> None:
    if total > shown:
        more = total - shown
        click.echo(
            ngettext(
                "… and {count} more plan (--all lists them, --plan ID drills in)",
                "… and {count} more plans (--all lists them, --plan ID drills in)",
                more,
            ).format(count=_n(more))
        )


def _failures(summary: dict[str, Any]) -> None:
    for failure in summary["failed"]:
        for problem in failure["problems"]:
            click.echo(problem, err=True)


def _counts() -> tuple[str, ...]:
    """The headings of the occurrence counts, in the output's language."""
    return (_("planned"), _("on time"), _("late"), _("missed"), _("pending"))


def _count_cells(row: dict[str, Any]) -> tuple[str, ...]:
    """The cells under :func:`_counts`' headings, from one summary row."""
    return tuple(_n(row[key]) for key in ("planned", "on_time", "late", "missed", "pending"))


def validate_workspace(path: str, *, show_all: bool, no_cache: bool, jobs: int, pm: Any) -> None:
    """``planflow validate WORKSPACE``: every plan checked; errors printed, worst plans listed."""
    from planflow.workspace import run_each
    from planflow.workspace.summary import validation_summary
    from planflow.workspace.work import validate_one

    session = open_session(path, no_cache=no_cache)
    ws = session.workspace
    summary = validation_summary(
        ws, run_each(session, functools.partial(validate_one, pm=pm), jobs=jobs)
    )
    _failures(summary)
    plans = summary["plans"]
    for row in plans:
        for problem in row["errors"] + (row["warnings"] if show_all else []):
            click.echo(problem, err=True)
    t = summary["totals"]
    bad = summary["plans_failed"]
    line = _(
        "{workspace}: {plans}, {ok} OK, {bad} with errors — {tasks} tasks, {units} units, "
        "{occurrences} occurrences, {warnings} warnings"
    ).format(
        workspace=ws.name,
        plans=_plans(summary["plans_total"]),
        ok=_n(summary["plans_total"] - bad),
        bad=_n(bad),
        tasks=_n(t["tasks"]),
        units=_n(t["units"]),
        occurrences=_n(t["occurrences"]),
        warnings=_n(t["warnings"]),
    )
    if ws.units:
        line += _("; shared units: {units}").format(units=", ".join(summary["shared_units"]))
    click.echo(line)
    listed = [r for r in plans if r["errors"] or r["warnings"]]
    if listed:
        from rich.table import Table

        table = Table(
            _("plan"),
            _("file"),
            _("errors"),
            _("warnings"),
            _("occurrences"),
            title=_("Plans to look at, worst first"),
        )
        shown = listed if show_all else listed[:TOP]
        for r in shown:
            table.add_row(
                r["plan"],
                r["file"],
                str(len(r["errors"])),
                str(len(r["warnings"])),
                _n(r["occurrences"]),
            )
        console().print(table)
        _more(len(shown), len(listed))
        if not show_all and t["warnings"]:
            click.echo(_("warnings are printed with --all, or per plan with --plan ID"), err=True)
    if bad:
        raise SystemExit(1)


def simulate_workspace(
    path: str,
    *,
    model: str,
    seed: int,
    start: date | None,
    end: date | None,
    until: date | None,
    as_json: bool,
    show_all: bool,
    no_cache: bool,
    jobs: int,
    pm: Any,
) -> None:
    """``planflow simulate WORKSPACE``: every plan's year; totals, then plans worst first."""
    from planflow.workspace import run_each
    from planflow.workspace.summary import simulation_summary
    from planflow.workspace.work import simulate_one

    session = open_session(path, no_cache=no_cache)
    ws = session.workspace
    work = functools.partial(
        simulate_one, model=model, seed=seed, start=start, end=end, until=until, pm=pm
    )
    summary = simulation_summary(
        ws, run_each(session, work, jobs=jobs), model=model, seed=seed, all_units=show_all
    )
    if as_json:
        dump_json(summary)
    else:
        _failures(summary)
        _print_simulation(summary, show_all)
    if summary["plans_failed"]:
        raise SystemExit(1)


def _print_simulation(summary: dict[str, Any], show_all: bool) -> None:
    from rich.table import Table

    out = console()
    t = summary["totals"]
    out.print(f"[bold]{summary['workspace']}[/bold]")
    head = _("model {model}, seed {seed}: {plans}").format(
        model=summary["model"], seed=summary["seed"], plans=_plans(summary["plans_total"])
    )
    if summary["plans_failed"]:
        head += _(" ({count} not run)").format(count=_n(summary["plans_failed"]))
    head += _(
        ", {planned} occurrences, {on_time} on time, {late} late, {missed} missed, "
        "{pending} pending; {events} events"
    ).format(
        planned=_n(t["planned"]),
        on_time=_n(t["on_time"]),
        late=_n(t["late"]),
        missed=_n(t["missed"]),
        pending=_n(t["pending"]),
        events=_n(summary["events"]),
    )
    out.print(head, highlight=False)
    plans = summary["plans"]
    shown = plans if show_all else plans[:TOP]
    table = Table(
        _("plan"),
        *_counts(),
        _("max late"),
        _("targets not met"),
        _("worst unit"),
        title=_("Per plan, worst first"),
    )
    for r in shown:
        table.add_row(
            r["plan"],
            *_count_cells(r),
            str(r["max_days_late"]),
            str(r["targets_not_met"]),
            r["worst_unit"] or "",
        )
    out.print(table)
    _more(len(shown), len(plans))
    if summary["shared_units"]:
        table = Table(_("unit"), _("name"), _("plans"), *_counts(), title=_("Shared units"))
        for r in summary["shared_units"]:
            table.add_row(
                r["unit"],
                r["name"],
                _n(r["plans"]),
                *_count_cells(r),
            )
        out.print(table)
    if show_all and summary.get("units"):
        table = Table(_("unit"), *_counts(), _("max late"), title=_("Per unit"))
        for r in summary["units"]:
            table.add_row(
                r["unit"],
                *_count_cells(r),
                str(r["max_days_late"]),
            )
        out.print(table)


def agenda_workspace(
    path: str,
    *,
    unit: str | None,
    from_day: date | None,
    to_day: date | None,
    as_json: bool,
    show_all: bool,
    no_cache: bool,
    jobs: int,
) -> None:
    """``planflow agenda WORKSPACE``: occurrences per plan and month; ``--unit`` takes a
    shared unit, whose work across every plan is listed by date."""
    from planflow.workspace import run_each
    from planflow.workspace.summary import split
    from planflow.workspace.work import agenda_one

    session = open_session(path, no_cache=no_cache)
    ws = session.workspace
    if unit is not None and unit not in ws.shared_ids:
        message = _("{unit!r} is not a shared unit of the workspace").format(unit=unit)
        if ws.units:
            message += _(" (shared units: {units})").format(units=", ".join(sorted(ws.shared_ids)))
        raise click.BadParameter(
            message + _("; for a commune's own unit add --plan ID"), param_hint="--unit"
        )
    work = functools.partial(agenda_one, unit=unit, from_day=from_day, to_day=to_day)
    ok, bad = split(run_each(session, work, jobs=jobs))
    for failure in bad:
        for problem in failure.problems:
            click.echo(problem, err=True)
    rows = sorted(
        (r for p in ok for r in p["rows"]), key=lambda r: (r["start"], r["due"], r["task"])
    )
    if as_json:
        if unit is not None:
            dump_json(rows)
        else:
            dump_json([{k: p[k] for k in ("plan", "file", "occurrences", "months")} for p in ok])
    elif unit is not None:
        _print_unit_agenda(unit, rows)
    else:
        _print_plan_agenda(ws.name, ok, show_all)
    if bad:
        raise SystemExit(1)


def _print_unit_agenda(unit: str, rows: list[dict[str, Any]]) -> None:
    """One row per (start, due, task of the plans, role): how many plans, not which."""
    from rich.table import Table

    grouped: dict[tuple[str, str, str, str, str], list[str]] = {}
    for r in rows:
        task = r["task"].split("/", 1)[1]
        grouped.setdefault((r["start"], r["due"], task, r["ref"], r["role"]), []).append(r["plan"])
    table = Table(
        _("start"),
        _("due"),
        _("clause"),
        _("task"),
        _("role"),
        _("plans"),
        title=_("{unit}: work by date").format(unit=unit),
    )
    for (start, due, task, ref, role), plans in grouped.items():
        shown = ", ".join(plans[:2]) + (f" +{_n(len(plans) - 2)}" if len(plans) > 2 else "")
        table.add_row(start, due, ref, task, role, f"{_n(len(plans))} ({shown})")
    console().print(table if grouped else _("no occurrences match"))


def _print_plan_agenda(name: str, plans: list[dict[str, Any]], show_all: bool) -> None:
    from rich.table import Table

    plans.sort(key=lambda p: (-p["occurrences"], p["plan"]))
    months = sorted({m for p in plans for m in p["months"]})
    title = _("{workspace}: occurrences by month, most first").format(workspace=name)
    table = Table(_("plan"), _("occurrences"), *months, title=title)
    shown = plans if show_all else plans[:TOP]
    for p in shown:
        table.add_row(p["plan"], _n(p["occurrences"]), *(_n(p["months"].get(m, 0)) for m in months))
    console().print(table)
    _more(len(shown), len(plans))


def export_workspace(
    path: str,
    out_dir: str,
    *,
    expand: bool,
    todos: bool,
    no_cache: bool,
    jobs: int,
    pm: Any,
) -> None:
    """``planflow export WORKSPACE --out OUT``: every plan's feeds in ``OUT/PLAN-ID/``."""
    from planflow.feeds.publish import sweep_leftovers
    from planflow.workspace.members import run_batched
    from planflow.workspace.summary import split
    from planflow.workspace.work import export_many

    session = open_session(path, no_cache=no_cache)
    os.makedirs(out_dir, exist_ok=True)
    sweep_leftovers(out_dir)  # once for every plan's folder (each export then skips it)
    claims = tempfile.mkdtemp(prefix=".planflow-claims-", dir=out_dir)
    try:
        work = functools.partial(
            export_many, out=out_dir, expand=expand, todos=todos, pm=pm, claims=claims
        )
        ok, bad = split(run_batched(session, work, jobs=jobs))
    finally:
        shutil.rmtree(claims, ignore_errors=True)
    for failure in bad:
        for problem in failure.problems:
            click.echo(problem, err=True)
    feeds = sum(r["feeds"] for r in ok)
    skipped = sum(1 for r in ok if r["skipped"])
    line = _("{feeds} feeds of {plans} in {folder}/PLAN-ID/").format(
        feeds=_n(feeds), plans=_plans(len(ok)), folder=out_dir
    )
    if skipped:
        line += _(" ({plans} unchanged since the last export)").format(plans=_plans(skipped))
    if bad:
        line += _("; {plans} not exported").format(plans=_plans(len(bad)))
    click.echo(line, err=True)
    if bad:
        raise SystemExit(1)
