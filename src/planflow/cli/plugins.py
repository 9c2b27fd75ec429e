"""Plugins on the command line: ``-p``, ``--traceback``, ``planflow plugins``, run options.

The plugin manager is built when the command line starts (not when a module is
imported), once per invocation, after ``-p no:NAME`` and ``PLANFLOW_*`` have been
read; commands that plugins add (``planflow_register_commands``) exist for that
invocation only. A plugin that cannot be loaded is skipped with its error on
stderr; the rest of planflow works (``planflow plugins`` shows it as skipped).

Exit statuses (docs/cli.md): 0 done; 1 bad input; 2 bad usage; 3 ``--strict`` and
some deliveries failed; 4 a plugin failed where the command cannot go on without
it; 141 the output was closed (``| head``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs
import click

from planflow.cli.lang import TranslatedCommand, TranslatedGroup, lang_option
from planflow.i18n import N_, _, resolve_language, use_language
from planflow.plan.errors import PlanError

__all__ = [
    "EXIT_OUTPUT_CLOSED",
    "EXIT_PLUGIN_FAILED",
    "EXIT_STRICT",
    "CliOptions",
    "PluginGroup",
    "get_pm",
    "plugins_command",
    "run_options",
]

F = TypeVar("F", bound=Callable[..., Any])
_PM = "planflow.pm"
_COMMANDS = "planflow.commands"

EXIT_STRICT = 3
EXIT_PLUGIN_FAILED = 4
EXIT_OUTPUT_CLOSED = 141  # 128 + SIGPIPE, what a shell shows for a program cut by | head


@attrs.frozen
class CliOptions:
    """Passed as ``obj`` to ``cli.main`` by :func:`planflow.testing.run_cli`: plugins to
    register for this invocation, and whether to load the installed ones."""

    plugins: tuple[Any, ...] = ()
    load_entrypoints: bool = True


def _scan(args: Sequence[str]) -> tuple[list[str], bool]:
    """The values of ``-p`` before the command name, and whether ``--traceback`` is there."""
    out: list[str] = []
    traceback = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-p", "--plugin") and i + 1 < len(args):
            out.append(args[i + 1])
            i += 2
            continue
        if arg == "--traceback":
            traceback = True
        elif arg.startswith("--plugin="):
            out.append(arg.split("=", 1)[1])
        elif arg.startswith("-p") and not arg.startswith("--"):
            out.append(arg[2:])
        elif not arg.startswith("-") or arg == "--":
            break
        i += 1
    return out, traceback


def _build(values: Sequence[str], options: CliOptions | None = None) -> Any:
    from planflow.hooks.manager import get_plugin_manager

    options = options or CliOptions()
    disabled = [v[3:] for v in values if v.startswith("no:")]
    extra = [*options.plugins, *(v for v in values if not v.startswith("no:"))]
    pm = get_plugin_manager(
        disabled=disabled,
        extra=extra,
        load_entrypoints=options.load_entrypoints,
        on_error="skip",
    )
    # before any command has read --lang: the environment's language
    with use_language(resolve_language()):
        for error in pm.skipped:
            text = str(error)
            if "-p no:" not in text and "leave out -p" not in text:
                text += _("; leave it out with -p no:{plugin}").format(plugin=error.plugin)
            click.echo(_("planflow: skipped {error}").format(error=text), err=True)
        for warning in pm.warnings:
            click.echo(_("planflow: warning: {warning}").format(warning=warning), err=True)
    return pm


class PluginGroup(TranslatedGroup):
    """The root group: builds the plugin manager, adds the plugins' commands, and turns
    a plugin's failure or a closed output into a message and an exit status."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Build the manager from ``-p`` (read ahead, so ``--help`` lists plugin commands)."""
        from planflow.hooks.manager import register_commands

        values, traceback = _scan(args)
        options = ctx.obj if isinstance(ctx.obj, CliOptions) else None
        pm = _build(values, options)
        if traceback:
            pm.failures.traceback = True
        ctx.meta[_PM] = pm
        extra = click.Group("plugins")
        failures = register_commands(pm, extra, reserved=dict.fromkeys(self.commands, "planflow"))
        with use_language(resolve_language()):
            for failure in failures:
                pm.failures.add_failure(failure, "planflow_register_commands")
        ctx.meta[_COMMANDS] = extra.commands
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a :class:`~planflow.hooks.failures.PluginFailed` exits 4, a
        closed output 141; repeated failures are summed up at the end."""
        with use_language(resolve_language()):  # commands with --lang choose their own
            return self._invoke(ctx)

    def _invoke(self, ctx: click.Context) -> Any:
        """:meth:`invoke`, in the environment's language."""
        from planflow.hooks.failures import PluginFailed

        pm = ctx.meta.get(_PM)
        try:
            return super().invoke(ctx)
        except PluginFailed as exc:
            click.echo(f"planflow: {exc}", err=True)
            if pm is not None and pm.failures.traceback:
                import traceback

                click.echo("".join(traceback.format_exception(exc.__cause__ or exc)), err=True)
            ctx.exit(EXIT_PLUGIN_FAILED)
        except BrokenPipeError:
            _quiet_stdout()
            ctx.exit(EXIT_OUTPUT_CLOSED)
        finally:
            if pm is not None:
                pm.failures.print_summary()

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A built-in command, else one a plugin added."""
        found = super().get_command(ctx, cmd_name)
        if found is None:
            found = ctx.meta.get(_COMMANDS, {}).get(cmd_name)
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Built-in and plugin commands, sorted."""
        return sorted(set(super().list_commands(ctx)) | set(ctx.meta.get(_COMMANDS, {})))


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests)
        pass


def plugin_option(fn: F) -> F:
    """``-p no:NAME`` (disable a plugin), ``-p MODULE`` (load a module as a plugin) and
    ``--traceback``."""
    fn = click.option(
        "--traceback",
        is_flag=True,
        help=N_(
            "Show the full traceback of every plugin failure (for plugin authors); "
            "also PLANFLOW_TRACEBACK=1."
        ),
    )(fn)
    return click.option(
        "-p",
        "--plugin",
        "plugin_opts",
        multiple=True,
        metavar="no:NAME|MODULE",
        help=N_(
            "Disable plugin NAME (no:NAME) or load MODULE as a plugin; repeatable. "
            "Also PLANFLOW_DISABLE_PLUGINS=a,b and PLANFLOW_PLUGINS=a,b (only these)."
        ),
    )(fn)


def get_pm() -> Any:
    """The plugin manager of this invocation (built by :class:`PluginGroup`)."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    if root is not None and _PM in root.meta:
        return root.meta[_PM]
    pm = _build(())
    if root is not None:
        root.meta[_PM] = pm
    return pm


def run_options(fn: F) -> F:
    """``--notify``, ``--set``, ``--report``, ``--report-dir``, ``--strict`` and ``--failed``."""
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
            metavar="NOTIFIER.[UNIT.]KEY=VALUE",
            help=N_(
                "Override a channel setting of the plan file (UNIT.KEY: one unit's); repeatable."
            ),
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
        click.option(
            "--strict",
            is_flag=True,
            help=N_("Exit with status 3 when a delivery, report or planflow_event call failed."),
        ),
        click.option(
            "--failed",
            "failed_file",
            type=click.Path(dir_okay=False),
            help=N_(
                "Write every failed delivery, with its event, as JSON lines to FILE "
                "(planflow resend --events FILE delivers them later)."
            ),
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _settings_json(settings: Sequence[Any]) -> list[dict[str, Any]]:
    from planflow.hooks.listing import setting_row

    return [setting_row(s) for s in settings]


_PLUGINS_HELP = N_(
    """List the plugins: version, hooks, the notifiers, reporters and completion models
    each declares, and the plugins skipped because they could not be loaded.

    \b
    Examples:
      planflow plugins
      planflow -p no:console plugins --json
      PLANFLOW_DISABLE_PLUGINS=email planflow plugins
    """
)


@click.command("plugins", cls=TranslatedCommand, help=_PLUGINS_HELP)
@click.option("--json", "as_json", is_flag=True, help=N_("Print a JSON list."))
@lang_option
def plugins_command(as_json: bool, lang: str | None) -> None:
    """``planflow plugins`` (its help is ``_PLUGINS_HELP``, translated)."""
    from planflow.hooks.listing import plugin_rows

    pm = get_pm()
    try:
        rows = plugin_rows(pm)
        notifiers, reporters, models = pm.notifiers(), pm.reporters(), pm.models()
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        for row in rows:
            row["settings"] = {
                n: _settings_json(notifiers[n].obj.settings) for n in row["notifiers"]
            }
            row["model_options"] = {
                m: _settings_json(models[m].obj.settings) for m in row["models"]
            }
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        if row["skipped"]:
            click.echo(
                _("{name} (skipped): {error}").format(name=row["name"], error=row["skipped"])
            )
            continue
        origin = _("built-in") if row["builtin"] else row["module"]
        click.echo(f"{row['name']} {row['version']} ({origin})")
        click.echo(_("  hooks: {hooks}").format(hooks=", ".join(row["hooks"]) or "-"))
        for name in row["notifiers"]:
            obj = notifiers[name].obj
            keys = ", ".join(
                f"{s.name}{'*' if s.required else ''} ({s.scope})" for s in obj.settings
            )
            click.echo(
                _("  notifier {name}: {description}").format(name=name, description=obj.description)
            )
            if keys:
                click.echo(_("    settings: {settings}").format(settings=keys))
        for name in row["reporters"]:
            click.echo(
                _("  reporter {name}: {description}").format(
                    name=name, description=reporters[name].obj.description
                )
            )
        for name in row["models"]:
            info = models[name].obj
            click.echo(
                _("  model {name}: {description}").format(name=name, description=info.description)
            )
            if info.settings:
                click.echo(_("    options: {options}").format(options=model_options_text(info)))


def model_options_text(info: Any) -> str:
    """``days=INT (default 2), unit=STR*``: a model's options for help texts."""
    parts = []
    for s in info.settings:
        default = _(" (default {value})").format(value=s.default) if s.default is not None else ""
        parts.append(f"{s.name}={s.type.__name__.upper()}{'*' if s.required else ''}{default}")
    return ", ".join(parts)
