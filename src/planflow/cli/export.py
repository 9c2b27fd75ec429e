"""``planflow export``: write the plan's calendar feeds (see :mod:`planflow.feeds`)."""

from __future__ import annotations

import os

import click

from planflow.cli.common import load_or_exit, located, plan_argument
from planflow.i18n import _
from planflow.plan.errors import PlanError

__all__ = ["export"]


@click.command()
@plan_argument
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, dir_okay=True, writable=True),
    help="Folder to write plan.ics and units/<unit>.ics into.",
)
@click.option(
    "--expand",
    is_flag=True,
    help="One event per occurrence instead of recurring events (for clients with weak "
    "RRULE support, such as Outlook).",
)
@click.option("--unit", "unit_id", metavar="ID", help="Only this unit's feed.")
@click.option("--todos", is_flag=True, help="Add a VTODO per occurrence (ignored by Google).")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Processes to write a large plan's feeds with (0: one per CPU). The files are "
    "the same whatever the number.",
)
def export(
    plan: str, out_dir: str, expand: bool, unit_id: str | None, todos: bool, jobs: int
) -> None:
    """Write iCalendar feeds: OUT/plan.ics and OUT/units/<unit>.ics for every unit.

    Re-exporting an unchanged plan gives byte-identical files (and leaves them
    untouched); SEQUENCE numbers are kept in OUT/.planflow-feed-state.json.

    \b
    Examples:
      planflow export examples/boy_2025 --out feeds
      planflow export examples/boy_2025 --out feeds --unit vhxh --expand
      planflow export national.yaml --out feeds --jobs 2
    """
    from planflow.cli.plugins import get_pm
    from planflow.feeds import export_feeds

    loaded = load_or_exit(plan)
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
    click.echo(f"{n} feed{'s' if n != 1 else ''} written to {out_dir}", err=True)
