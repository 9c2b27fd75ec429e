"""Plugins on the command line: ``-p``, ``planflow plugins`` and the run options.

The plugin manager is built when the command line starts (not when a module is
imported), once per invocation, after ``-p no:NAME`` and ``PLANFLOW_*`` have been
read; commands that plugins add (``planflow_register_commands``) exist for that
invocation only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from planflow.i18n import N_
from planflow.plan.errors import PlanError
from planflow.run.events import Event

__all__ = ["PluginGroup", "get_pm", "plugins_command", "run_options"]

F = TypeVar("F", bound=Callable[..., Any])
_PM = "planflow.pm"
_COMMANDS = "planflow.commands"
_MAX_SHOWN = 5  # failures printed per channel; the rest are in the run's record


def _scan(args: Sequence[str]) -> list[str]:
    """The values of ``-p`` before the command name."""
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-p", "--plugin") and i + 1 < len(args):
            out.append(args[i + 1])
            i += 2
            continue
        if arg.startswith("--plugin="):
            out.append(arg.split("=", 1)[1])
        elif arg.startswith("-p") and not arg.startswith("--"):
            out.append(arg[2:])
        elif not arg.startswith("-") or arg == "--":
            break
        i += 1
    return out


def _build(values: Sequence[str]) -> Any:
    from planflow.hooks.manager import get_plugin_manager

    disabled = [v[3:] for v in values if v.startswith("no:")]
    extra = [v for v in values if not v.startswith("no:")]
    try:
        return get_plugin_manager(disabled=disabled, extra=extra)
    except (PlanError, ImportError) as exc:
        raise click.ClickException(str(exc)) from None


class PluginGroup(click.Group):
    """The root group: builds the plugin manager and adds the plugins' commands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Build the manager from ``-p`` (read ahead, so ``--help`` lists plugin commands)."""
        from planflow.hooks.manager import register_commands

        pm = _build(_scan(args))
        ctx.meta[_PM] = pm
        extra = click.Group("plugins")
        for failure in register_commands(pm, extra):
            click.echo(
                f"planflow: plugin {failure.plugin!r}: planflow_register_commands failed: "
                f"{failure.error}",
                err=True,
            )
        ctx.meta[_COMMANDS] = extra.commands
        return super().parse_args(ctx, args)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A built-in command, else one a plugin added."""
        found = super().get_command(ctx, cmd_name)
        if found is None:
            found = ctx.meta.get(_COMMANDS, {}).get(cmd_name)
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Built-in and plugin commands, sorted."""
        return sorted(set(super().list_commands(ctx)) | set(ctx.meta.get(_COMMANDS, {})))


def plugin_option(fn: F) -> F:
    """``-p no:NAME`` (disable a plugin) and ``-p MODULE`` (load a module as a plugin)."""
    return click.option(
        "-p",
        "--plugin",
        "plugin_opts",
        multiple=True,
        metavar="no:NAME|MODULE",
        help="Disable plugin NAME (no:NAME) or load MODULE as a plugin; repeatable. "
        "Also PLANFLOW_DISABLE_PLUGINS=a,b and PLANFLOW_PLUGINS=a,b (only these).",
    )(fn)


def get_pm() -> Any:
    """The plugin manager of this invocation (built by :class:`PluginGroup`)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and _PM in ctx.meta:
        return ctx.meta[_PM]
    pm = _build(())
    if ctx is not None:
        ctx.meta[_PM] = pm
    return pm


def run_options(fn: F) -> F:
    """``--notify``, ``--set``, ``--report`` and ``--report-dir``."""
    options = [
        click.option(
            "--notify",
            "notify",
            multiple=True,
            metavar="NAME",
            help=N_("Deliver events through notifier NAME (console, jsonl, …); repeatable."),
        ),
        click.option(
            "--set",
            "set_items",
            multiple=True,
            metavar="NOTIFIER.KEY=VALUE",
            help=N_("Override a channel setting of the plan file; repeatable."),
        ),
        click.option(
            "--report",
            "report",
            multiple=True,
            metavar="NAME",
            help=N_(
                "Write a report per closed reporting period (markdown, csv, json, html, pdf, "
                "xlsx); repeatable."
            ),
        ),
        click.option(
            "--report-dir",
            default="reports",
            show_default=True,
            type=click.Path(file_okay=False),
            help=N_("Where --report writes its files."),
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def failure_printer() -> Callable[[str, str, Event, str], None]:
    """Print a run's failures on stderr: the first few per channel, then a note."""
    seen: dict[str, int] = {}

    def show(what: str, plugin: str, event: Event, error: str) -> None:
        n = seen[what] = seen.get(what, 0) + 1
        if n <= _MAX_SHOWN:
            click.echo(
                f"planflow: {what} (plugin {plugin!r}) failed on {event.kind.value} "
                f"{event.task}#{event.index} {event.time}: {error}",
                err=True,
            )
        elif n == _MAX_SHOWN + 1:
            click.echo(
                f"planflow: {what}: further failures are kept in the run's record (--json)",
                err=True,
            )

    return show


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def plugins_command(as_json: bool) -> None:
    """List the loaded plugins: version, hooks, and the notifiers and reporters each declares.

    \b
    Examples:
      planflow plugins
      planflow -p no:console plugins --json
      PLANFLOW_DISABLE_PLUGINS=email planflow plugins
    """
    from planflow.hooks.manager import plugin_rows

    pm = get_pm()
    try:
        rows = plugin_rows(pm)
        notifiers, reporters = pm.notifiers(), pm.reporters()
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        for row in rows:
            row["settings"] = {
                n: [
                    {
                        "name": s.name,
                        "type": s.type.__name__,
                        "required": s.required,
                        "scope": s.scope,
                        "default": s.default,
                        "help": s.help,
                    }
                    for s in notifiers[n].obj.settings
                ]
                for n in row["notifiers"]
            }
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        origin = "built-in" if row["builtin"] else row["module"]
        click.echo(f"{row['name']} {row['version']} ({origin})")
        click.echo(f"  hooks: {', '.join(row['hooks']) or '-'}")
        for name in row["notifiers"]:
            obj = notifiers[name].obj
            keys = ", ".join(
                f"{s.name}{'*' if s.required else ''} ({s.scope})" for s in obj.settings
            )
            click.echo(f"  notifier {name}: {obj.description}")
            if keys:
                click.echo(f"    settings: {keys}")
        for name in row["reporters"]:
            click.echo(f"  reporter {name}: {reporters[name].obj.description}")
