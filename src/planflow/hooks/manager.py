"""The plugin manager: built-in plugins plus those installed under the ``planflow`` group.

Nothing is loaded when this module is imported: :func:`get_plugin_manager` builds a
fresh manager each time it is called (the CLI calls it once per invocation)::

    from planflow.hooks.manager import get_plugin_manager

    pm = get_plugin_manager()
    for name, entry in pm.notifiers().items():
        print(name, entry.plugin, entry.obj.description)

Which plugins load is decided per run:

* ``disabled`` (``-p no:NAME``, ``PLANFLOW_DISABLE_PLUGINS=name1,name2``): never
  load these plugins, built-ins included;
* ``only`` (``PLANFLOW_PLUGINS=name1,name2``): load only these installed plugins
  (the built-ins still load unless disabled; an empty value loads none).

planflow calls plugins one at a time (:func:`call_each`) so that one failing
plugin never stops another; a hook implementation whose name matches no hook is an
error when the manager is built (:class:`PluginError`), never silently ignored.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import os
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from types import ModuleType
from typing import Any, Generic, TypeVar

import attrs
import pluggy

from planflow.hooks import specs as hookspecs
from planflow.hooks.specs import Notifier, Reporter
from planflow.plan.errors import PlanError

__all__ = [
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "Failure",
    "PluginError",
    "PluginManager",
    "Registered",
    "adjust_component",
    "call_each",
    "completion_model",
    "get_plugin_manager",
    "register_commands",
]

ENTRY_POINT_GROUP = "planflow"
DISABLE_ENV = "PLANFLOW_DISABLE_PLUGINS"
ONLY_ENV = "PLANFLOW_PLUGINS"

#: The built-in plugins: ``(name, module)``; they register through the same hooks
#: as installed plugins, with ``trylast=True`` so that installed plugins come first.
#: The reporters live in ``planflow.reports`` (a layer above this one): they are
#: named here, not imported, and loaded by name as entry points are.
DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (
    ("console", "planflow.hooks.notifiers.console"),
    ("jsonl", "planflow.hooks.notifiers.jsonl"),
    ("markdown", "planflow.reports.markdown"),
    ("csv", "planflow.reports.csv_report"),
    ("json", "planflow.reports.json_report"),
    ("html", "planflow.reports.html"),
    ("pdf", "planflow.reports.pdf"),
    ("xlsx", "planflow.reports.xlsx"),
)

_HOOK_PREFIX = "planflow_"
_T = TypeVar("_T")


class PluginError(PlanError):
    """A plugin could not be loaded or declared something impossible.

    :param plugin: the plugin's name (its entry-point name, or the built-in's name).
    :param hook: the hook concerned, if any (a misspelt hook name, for instance).

    .. versionadded:: 0.1
    """

    def __init__(
        self, message: str, *, plugin: str, hook: str | None = None, hint: str | None = None
    ) -> None:
        self.plugin = plugin
        self.hook = hook
        super().__init__(f"plugin {plugin!r}: {message}", hint=hint)


@attrs.frozen
class Registered(Generic[_T]):
    """A notifier or reporter together with the plugin that declared it."""

    obj: _T
    plugin: str


@attrs.frozen
class Failure:
    """One hook implementation (or notifier, or reporter) that raised.

    ``plugin`` is the plugin's name; ``error`` reads ``ExceptionType: message``.
    """

    plugin: str
    error: str
    exception: BaseException = attrs.field(eq=False, repr=False)

    @classmethod
    def of(cls, plugin: str, exc: BaseException) -> Failure:
        """The failure of ``plugin`` that raised ``exc``."""
        return cls(plugin, f"{type(exc).__name__}: {exc}", exc)


class PluginManager(pluggy.PluginManager):
    """A :class:`pluggy.PluginManager` for project ``planflow`` that also knows

    * where each plugin came from (:attr:`distributions`, for versions);
    * the notifiers and reporters the plugins declare (:meth:`notifiers`,
      :meth:`reporters`), gathered once and checked for clashing names.

    Any function or method named ``planflow_*`` counts as a hook implementation,
    decorated or not, so that :meth:`check_pending` rejects a misspelt hook name.
    """

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)
        self.distributions: dict[str, metadata.Distribution | None] = {}
        self._notifiers: dict[str, Registered[Notifier]] | None = None
        self._reporters: dict[str, Registered[Reporter]] | None = None

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        """Marked implementations, plus any undecorated ``planflow_*`` routine."""
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith(_HOOK_PREFIX):
            method = getattr(plugin, name, None)
            if inspect.isroutine(method):
                return {}
        return opts

    def version(self, name: str) -> str:
        """The version of the distribution that provides plugin ``name``."""
        dist = self.distributions.get(name)
        if dist is not None:
            return str(dist.version)
        plugin = self.get_plugin(name)
        return str(getattr(plugin, "__version__", "")) or "-"

    def notifiers(self) -> dict[str, Registered[Notifier]]:
        """Every declared notifier by name (:func:`~planflow.hooks.specs.planflow_notifiers`)."""
        if self._notifiers is None:
            self._notifiers = self._declared("planflow_notifiers", Notifier, "notifier")
        return self._notifiers

    def reporters(self) -> dict[str, Registered[Reporter]]:
        """Every declared reporter by name (:func:`~planflow.hooks.specs.planflow_reporters`)."""
        if self._reporters is None:
            self._reporters = self._declared("planflow_reporters", Reporter, "reporter")
        return self._reporters

    def _declared(self, hook: str, kind: Any, what: str) -> dict[str, Registered[Any]]:
        found: dict[str, Registered[Any]] = {}
        for impl in reversed(getattr(self.hook, hook).get_hookimpls()):
            try:
                objects = impl.function() or ()
            except Exception as exc:
                raise PluginError(
                    f"{hook}() raised {type(exc).__name__}: {exc}",
                    plugin=impl.plugin_name,
                    hook=hook,
                    hint=f"disable it with -p no:{impl.plugin_name}",
                ) from exc
            for obj in objects:
                if not isinstance(obj, kind):
                    raise PluginError(
                        f"{hook}() returned {obj!r}, which is not a {what} "
                        f"(see planflow.hooks.specs.{kind.__name__})",
                        plugin=impl.plugin_name,
                        hook=hook,
                    )
                name = str(getattr(obj, "name", ""))
                if name in found:
                    raise PluginError(
                        f"declares {what} {name!r}, already declared by plugin "
                        f"{found[name].plugin!r}",
                        plugin=impl.plugin_name,
                        hook=hook,
                        hint=f"disable one of them with -p no:NAME or {DISABLE_ENV}",
                    )
                found[name] = Registered(obj, impl.plugin_name)
        return found


def _names(value: str | None) -> list[str]:
    return [n.strip() for n in (value or "").split(",") if n.strip()]


def get_plugin_manager(
    *,
    load_entrypoints: bool = True,
    disabled: Iterable[str] = (),
    only: Iterable[str] | None = None,
    extra: Sequence[str | ModuleType] = (),
    environ: Mapping[str, str] | None = None,
) -> PluginManager:
    """Build a plugin manager: built-ins, installed plugins, then ``check_pending()``.

    :param load_entrypoints: load the plugins installed under the ``planflow``
        entry-point group (turn off in tests that want the built-ins only).
    :param disabled: plugin names not to load (added to ``PLANFLOW_DISABLE_PLUGINS``).
    :param only: load only these installed plugins (else ``PLANFLOW_PLUGINS`` if set).
    :param extra: more plugins: modules, or importable module names (``-p MODULE``).
    :param environ: where to read the environment variables (default ``os.environ``).
    :raises PluginError: a plugin fails to import, implements a hook that does not
        exist (a misspelt name) or with arguments the hook does not have.
    """
    env = os.environ if environ is None else environ
    blocked = set(disabled) | set(_names(env.get(DISABLE_ENV)))
    if only is None and env.get(ONLY_ENV) is not None:
        only = _names(env.get(ONLY_ENV))
    allowed = None if only is None else set(only)
    pm = PluginManager()
    for name in sorted(blocked):
        pm.set_blocked(name)
    if load_entrypoints:
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if pm.is_blocked(ep.name) or pm.has_plugin(ep.name):
                continue
            if allowed is not None and ep.name not in allowed:
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError(
                    f"cannot load entry point {ep.value!r}: {type(exc).__name__}: {exc}",
                    plugin=ep.name,
                    hint=f"disable it with -p no:{ep.name} or {DISABLE_ENV}={ep.name}",
                ) from exc
            _register(pm, plugin, ep.name)
            pm.distributions[ep.name] = ep.dist
    for item in extra:
        module = importlib.import_module(item) if isinstance(item, str) else item
        name = module.__name__
        if not pm.is_blocked(name) and not pm.has_plugin(name):
            _register(pm, module, name)
    for name, module_name in DEFAULT_PLUGINS:
        if not pm.is_blocked(name):
            _register(pm, importlib.import_module(module_name), name)
            pm.distributions[name] = _own_distribution()
    _check_pending(pm)
    return pm


def _own_distribution() -> metadata.Distribution | None:
    try:
        return metadata.distribution("planflow")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return None


def _register(pm: PluginManager, plugin: Any, name: str) -> None:
    if pm.get_plugin(name) is not None:
        raise PluginError(
            "this name is already taken by another plugin",
            plugin=name,
            hint=f"rename the entry point, or disable one with -p no:{name}",
        )
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(str(exc), plugin=name) from None


def _check_pending(pm: PluginManager) -> None:
    known = sorted(pm.hook.__dict__)
    for hook_name, caller in sorted(pm.hook.__dict__.items()):
        if hook_name.startswith("_") or caller.has_spec():
            continue
        for impl in caller.get_hookimpls():
            if impl.optionalhook:
                continue
            close = difflib.get_close_matches(
                hook_name, [k for k in known if pm.hook.__dict__[k].has_spec()], n=1
            )
            raise PluginError(
                f"implements {hook_name!r}, which is not a planflow hook",
                plugin=impl.plugin_name,
                hook=hook_name,
                hint=f"did you mean {close[0]!r}?"
                if close
                else "see docs/plugins.md for the list of hooks",
            )
    pm.check_pending()  # anything else pluggy objects to


# --- calling plugins one at a time ---------------------------------------------


def call_each(
    pm: pluggy.PluginManager, hook: str, **kwargs: Any
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


BUILTIN_MODELS = ("on-time", "random")


def completion_model(pm: pluggy.PluginManager, name: str, plan: Any, seed: int) -> Any:
    """The completion model called ``name``: a built-in name is returned as is (``simulate``
    builds it), else the first plugin's answer to
    :func:`~planflow.hooks.specs.planflow_completion_model`.

    :raises PlanError: no plugin knows ``name``.
    """
    if name in BUILTIN_MODELS:
        return name
    model = pm.hook.planflow_completion_model(name=name, plan=plan, seed=seed)
    if model is None:
        raise PlanError(
            f"unknown completion model {name!r}",
            hint=f"use {' or '.join(BUILTIN_MODELS)}, or install a plugin that provides it",
        )
    return model


def register_commands(pm: pluggy.PluginManager, cli: Any) -> list[Failure]:
    """Let plugins add commands to ``cli`` (a click group); returns the failures."""
    return [
        r for _, r in call_each(pm, "planflow_register_commands", cli=cli) if isinstance(r, Failure)
    ]


def plugin_rows(pm: PluginManager) -> list[dict[str, Any]]:
    """What ``planflow plugins`` shows: per plugin its name, version, hooks and what it declares."""
    notifiers = pm.notifiers()
    reporters = pm.reporters()
    rows = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda item: item[0]):
        if plugin is None:
            continue
        hooks = sorted(
            caller.name for caller in pm.get_hookcallers(plugin) or () if caller.has_spec()
        )
        rows.append(
            {
                "name": name,
                "version": pm.version(name),
                "builtin": getattr(plugin, "__name__", "") == dict(DEFAULT_PLUGINS).get(name),
                "module": getattr(plugin, "__name__", type(plugin).__name__),
                "hooks": hooks,
                "notifiers": sorted(k for k, v in notifiers.items() if v.plugin == name),
                "reporters": sorted(k for k, v in reporters.items() if v.plugin == name),
            }
        )
    return rows
