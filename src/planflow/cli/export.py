"""``planflow export``: write the plan's calendar feeds (see :mod:`planflow.feeds`)."""

from __future__ import annotations

import os
from typing import Any

import click

from planflow.cli.common import load_or_exit, located, plan_argument
from planflow.cli.lang import TranslatedCommand, lang_option
from planflow.cli.workspace_options import resolve_member, workspace_options
from planflow.i18n import N_, _, ngettext
from planflow.plan.errors import PlanError

__all__ = ["export"]


_EXPORT_HELP = N_(
    """Write iCalendar feeds: OUT/plan.ics and OUT/units/<unit>.ics for every unit.

    Re-exporting an unchanged plan gives byte-identical files (and leaves them
    untouched); SEQUENCE numbers are kept in OUT/.planflow-feed-state.json.

    \b
    Examples:
      planflow export examples/boy_2025 --out feeds
      planflow export examples/boy_2025 --out feeds --unit vhxh --expand
      planflow export national.yaml --out feeds --jobs 2
      planflow export examples/boy_2025 --out feeds --todos --progress
    """
)
_EXPORT_WORKSPACE = N_(
    """PLAN may be a workspace (docs/workspaces.md): each plan's feeds go to
    OUT/PLAN-ID/, written in parallel; with --plan ID only that plan's.

    \b
    Example:
      planflow export examples/tinh_quang_ngai --out /var/www/lich
    """
)


@click.command(cls=TranslatedCommand, help=_EXPORT_HELP, epilog=_EXPORT_WORKSPACE)
@plan_argument
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, dir_okay=True, writable=True),
    help=N_("Folder to write plan.ics and units/<unit>.ics into."),
)
@click.option(
    "--expand",
    is_flag=True,
    help=N_(
        "One event per occurrence instead of recurring events (for clients with weak "
        "RRULE support, such as Outlook)."
    ),
)
@click.option("--unit", "unit_id", metavar="ID", help=N_("Only this unit's feed."))
@click.option("--todos", is_flag=True, help=N_("Add a VTODO per occurrence (ignored by Google)."))
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help=N_(
        "Processes to write a large plan's feeds (or a workspace's plans) with (0: one "
        "per CPU). The files are the same whatever the number."
    ),
)
@click.option(
    "--progress",
    is_flag=True,
    help=N_(
        "Mark what is recorded done (✔, STATUS:COMPLETED) and overdue, from the state "
        "database (docs/running-the-year.md); with --todos or --expand."
    ),
)
@click.option("--db", metavar="URL", envvar="PLANFLOW_DB", help=N_("State database (--progress)."))
@workspace_options(jobs=False)
@lang_option
def export(
    plan: str,
    out_dir: str,
    expand: bool,
    unit_id: str | None,
    todos: bool,
    jobs: int,
    progress: bool,
    db: str | None,
    plan_id: str | None,
    show_all: bool,
    no_cache: bool,
    lang: str | None,
) -> None:
    from planflow.cli.plugins import get_pm
    from planflow.feeds import export_feeds
    from planflow.workspace import is_workspace

    if plan_id is None and is_workspace(plan):
        for name, given in {"--unit": unit_id, "--progress": progress}.items():
            if given:
                raise click.UsageError(
                    _("with a workspace, {option} needs --plan ID (one plan)").format(option=name)
                )
        from planflow.cli.workspace_commands import export_workspace

        export_workspace(plan, out_dir, expand=expand, todos=todos, no_cache=no_cache,
                         jobs=jobs, pm=get_pm())  # fmt: skip
        return
    loaded = resolve_member(plan, plan_id, no_cache=no_cache) or load_or_exit(plan)
    if plan_id is not None:
        out_dir = os.path.join(out_dir, loaded.plan.id)  # where the whole workspace puts it
    workers = jobs or os.cpu_count() or 1
    try:
        paths = export_feeds(
            loaded.plan,
            out_dir,
            expand=expand,
            unit=unit_id,
            todos=todos,
            workers=workers,
            plugins=get_pm(),
            progress=_progress(loaded.file if plan_id else plan, db) if progress else None,
        )
    except PlanError as exc:
        raise click.ClickException(located(exc)) from None
    except OSError as exc:  # the folder (or its parent, where the new version is built)
        message = _(
            "cannot write the feeds to {folder}: {reason} ({file}) — the folder and the "
            "folder it is in must be writable"
        )
        raise click.ClickException(
            message.format(folder=out_dir, reason=exc.strerror or exc, file=exc.filename)
        ) from None
    for path in paths:
        click.echo(str(path))
    n = len(paths)
    written = ngettext("{count} feed written to {folder}", "{count} feeds written to {folder}", n)
    click.echo(written.format(count=n, folder=out_dir), err=True)


def _progress(plan: str, db: str | None) -> Any:
    """The marks of the recorded year as of today (planflow.jobs.reports.feed_progress)."""
    from planflow.cli.year import _open
    from planflow.jobs.reports import feed_progress

    with _open(plan, db, None) as year:
        return feed_progress(year)
