"""The ``planflow`` command group: every command is attached here, in one place.

Command modules define plain ``click`` commands and never import this module, so
the command line has no import circle.
"""

from __future__ import annotations

import os
import sys
from traceback import print_exc

import click

from planflow import __version__
from planflow.cli.agenda import agenda
from planflow.cli.authoring import add_task, init
from planflow.cli.common import EXIT_INTERNAL, internal_error, located
from planflow.cli.export import export
from planflow.cli.plan_commands import graph, show, validate
from planflow.cli.plugins import PluginGroup, plugin_option, plugins_command
from planflow.cli.records import done_command, history_command, record_command, undo_command
from planflow.cli.report import gantt_command, heatmap_command, report_command
from planflow.cli.resend import resend_command
from planflow.cli.schema_command import schema_command
from planflow.cli.serve import serve
from planflow.cli.simulate import simulate_command
from planflow.cli.tables import export_table, import_table
from planflow.cli.tokens import tokens
from planflow.cli.year import run_command, status_command
from planflow.i18n import N_
from planflow.plan.errors import PlanError

__all__ = ["cli", "main"]


_CLI_HELP = N_(
    """planflow: run an official annual plan (kế hoạch) as a living schedule.

    \b
    PLAN is a plan file or a folder holding plan.yaml, e.g.:
      planflow validate examples/boy_2025
      planflow agenda examples/boy_2025 --unit vhxh
      planflow -p no:email simulate examples/boy_2025 --notify console
    """
)


@click.group(
    cls=PluginGroup, help=_CLI_HELP, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, prog_name="planflow")
@plugin_option
def cli(plugin_opts: tuple[str, ...], traceback: bool) -> None:
    """The root group (its help is ``_CLI_HELP``, translated)."""


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``planflow`` script: never a traceback.

    Bad input exits with status 1 and a ``FILE:LINE:COL`` message; a failure of
    planflow itself exits with :data:`EXIT_INTERNAL` (70) and a located "internal
    error …, please report" message (``PLANFLOW_DEBUG=1`` adds the traceback).
    """
    try:
        cli.main(args=argv, prog_name="planflow", standalone_mode=True)
    except PlanError as exc:  # anything the commands did not turn into a message themselves
        click.echo(f"{located(exc)}", err=True)
        sys.exit(1)
    except Exception as exc:  # the guard: planflow's own bug, said as such
        if os.environ.get("PLANFLOW_DEBUG"):
            print_exc()
        click.echo(internal_error(exc), err=True)
        sys.exit(EXIT_INTERNAL)


for command in (
    validate,
    show,
    graph,
    agenda,
    simulate_command,
    report_command,
    gantt_command,
    heatmap_command,
    export,
    serve,
    tokens,
    plugins_command,
    resend_command,
    run_command,
    status_command,
    done_command,
    undo_command,
    record_command,
    history_command,
    schema_command,
    init,
    add_task,
    import_table,
    export_table,
):
    cli.add_command(command)
