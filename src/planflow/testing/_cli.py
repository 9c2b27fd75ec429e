"""A plugin manager and a command line for tests, checked as the real ones are."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from planflow.hooks.manager import PluginManager, get_plugin_manager

__all__ = ["CliResult", "plugin_manager", "run_cli"]


def plugin_manager(*plugins: Any, builtins: bool = True) -> PluginManager:
    """A plugin manager with the built-ins and ``plugins`` (modules, module names, or
    objects with ``planflow_*`` methods), and none of the installed plugins.

    Every plugin goes through the same checks as the real loader: a misspelt hook
    name, or an argument a hook does not have, raises
    :class:`~planflow.hooks.manager.PluginError` naming the plugin and the hook.

    :param builtins: ``False`` leaves out the built-in notifiers and reporters.
    """
    from planflow.hooks.manager import DEFAULT_PLUGINS

    disabled = () if builtins else tuple(name for name, _ in DEFAULT_PLUGINS)
    return get_plugin_manager(
        load_entrypoints=False, environ={}, extra=plugins, disabled=disabled, on_error="raise"
    )


@attrs.frozen
class CliResult:
    """What a ``planflow`` invocation gave: exit status, stdout and stderr (texts)."""

    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = attrs.field(default=None, eq=False, repr=False)


def run_cli(
    args: Sequence[str],
    *,
    plugins: Sequence[Any] = (),
    load_entrypoints: bool = False,
    env: Mapping[str, str | None] | None = None,
    input: str | None = None,
) -> CliResult:
    """Run ``planflow ARGS`` in this process, as the ``planflow`` script would.

    :param plugins: plugins for this invocation (modules, module names or objects),
        loaded and checked like installed ones (a broken one is skipped with its
        error on stderr, as on the real command line).
    :param load_entrypoints: also load the installed plugins (off by default, so a
        test does not depend on what else is installed).
    :param env: environment variables to set (``None`` removes one) for the call;
        ``PLANFLOW_PLUGINS`` and ``PLANFLOW_DISABLE_PLUGINS`` are cleared unless given.
    :param input: text for stdin.
    :return: a :class:`CliResult`; an exception that escaped planflow is in
        ``exception`` and gives exit status 1, as a traceback would.
    """
    from click.testing import CliRunner

    from planflow.cli.main import cli
    from planflow.cli.plugins import CliOptions

    environ: dict[str, str | None] = {"PLANFLOW_PLUGINS": None, "PLANFLOW_DISABLE_PLUGINS": None}
    environ.update(env or {})
    runner = CliRunner()
    options = CliOptions(plugins=tuple(plugins), load_entrypoints=load_entrypoints)
    result = runner.invoke(
        cli, list(args), obj=options, env=environ, input=input, prog_name="planflow"
    )
    exception = result.exception
    if isinstance(exception, SystemExit):
        exception = None
    return CliResult(result.exit_code, result.stdout, result.stderr, exception)
