"""Calling plugins one at a time, so that one failing plugin never stops another.

* :func:`call_each` calls every implementation of a hook in its own ``try``;
* :func:`adjust_component` lets plugins adjust a calendar component (feeds);
* :func:`register_commands` lets plugins add commands, each plugin's apart, refusing
  names already taken and guarding every command so that an exception in it reads
  ``plugin 'X' failed in command 'NAME': …``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click
import pluggy

from planflow.hooks.failures import Failure, PluginError, PluginFailed
from planflow.plan.errors import PlanError

__all__ = ["adjust_component", "call_each", "guard_command", "register_commands"]


def call_each(
    pm: pluggy.PluginManager, hook: str, /, **kwargs: Any
) -> list[tuple[str, Any | Failure]]:
    """Call every implementation of ``hook`` in pluggy's order, each in its own ``try``.

    Returns ``(plugin name, result or Failure)`` pairs, so that one plugin that raises
    never stops the others. Arguments are passed by keyword; each implementation
    receives only the ones it names.
    """
    out: list[tuple[str, Any | Failure]] = []
    for impl in reversed(getattr(pm.hook, hook).get_hookimpls()):
        args = {name: kwargs[name] for name in impl.argnames}
        try:
            out.append((impl.plugin_name, impl.function(**args)))
        except Exception as exc:
            out.append((impl.plugin_name, Failure.of(impl.plugin_name, exc)))
    return out


def adjust_component(
    pm: pluggy.PluginManager, component: Any, plan: Any, task: str
) -> list[Failure]:
    """Let plugins adjust a calendar component before it is written (feeds call this).

    Calls :func:`~planflow.hooks.specs.planflow_calendar_component` on every plugin,
    one at a time; returns the failures (plugin name and error) so the caller can
    report them. ``component`` is changed in place.
    """
    results = call_each(
        pm, "planflow_calendar_component", component=component, plan=plan, task=task
    )
    return [r for _, r in results if isinstance(r, Failure)]


_PASS_THROUGH = (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort)


def guard_command(command: click.Command, plugin: str) -> click.Command:
    """Make an exception escaping ``command`` (or its subcommands) a :class:`PluginFailed`
    naming ``plugin``; click's own exits and errors, and :class:`PlanError` (bad
    input, already a clear message), pass through."""
    invoke = command.invoke
    where = f"command {command.name!r}"

    def guarded(ctx: click.Context) -> Any:
        try:
            return invoke(ctx)
        except (*_PASS_THROUGH, PlanError, SystemExit, KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as exc:
            raise PluginFailed(plugin, where, exc) from exc

    command.invoke = guarded  # type: ignore[method-assign]
    return command


def register_commands(
    pm: pluggy.PluginManager, cli: click.Group, reserved: Mapping[str, str] | None = None
) -> list[Failure]:
    """Let plugins add commands to ``cli`` (a click group); returns the failures.

    Each plugin registers into a group of its own; its commands are then guarded
    (:func:`guard_command`) and added to ``cli``. A command whose name is taken (by
    a built-in command in ``reserved`` or by another plugin) is not added: that is
    a failure naming both.
    """
    taken: dict[str, str] = dict.fromkeys(cli.commands, "planflow")
    taken.update(reserved or {})
    failures: list[Failure] = []
    for impl in reversed(pm.hook.planflow_register_commands.get_hookimpls()):
        plugin = impl.plugin_name
        own = click.Group(plugin)
        args = {"cli": own, "pm": pm}
        try:
            impl.function(**{name: args[name] for name in impl.argnames})
        except Exception as exc:
            failures.append(Failure.of(plugin, exc))
            continue
        for name, command in own.commands.items():
            owner = taken.get(name)
            if owner is not None:
                other = (
                    "the built-in command" if owner == "planflow" else f"plugin {owner!r}'s command"
                )
                text = f"command {name!r} clashes with {other} {name!r}: rename it"
                failures.append(Failure(plugin, text, PluginError(text, plugin=plugin)))
                continue
            taken[name] = plugin
            cli.add_command(guard_command(command, plugin), name)
    return failures
