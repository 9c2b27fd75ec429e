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

A name in these lists that no plugin has gives a warning (:attr:`PluginManager.warnings`).

Every plugin is checked when it is registered (:meth:`PluginManager.register`, so
``pm.register(module)`` in a test checks too): a function or method named
``planflow_*`` that matches no hook, or asks for an argument its hook does not
have, is a :class:`PluginError`. With ``on_error="skip"`` (what the command line
uses) a plugin that cannot be loaded is left out, its error kept in
:attr:`PluginManager.skipped`, and everything else works.

planflow calls plugins one at a time (:func:`call_each`) so that one failing
plugin never stops another.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import os
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from types import ModuleType
from typing import Any, Generic, Literal, TypeVar

import attrs
import pluggy

from planflow.hooks import specs as hookspecs
from planflow.hooks.calling import adjust_component, call_each, register_commands
from planflow.hooks.failures import (
    TRACEBACK_ENV,
    Failure,
    FailureLog,
    PluginError,
    PluginFailed,
    describe,
)
from planflow.hooks.models import BUILTIN_MODELS, completion_model
from planflow.hooks.specs import ModelInfo, Notifier, Reporter

__all__ = [
    "BUILTIN_MODELS",
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "Failure",
    "PluginError",
    "PluginFailed",
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


@attrs.frozen
class Registered(Generic[_T]):
    """A notifier, reporter or completion model together with the plugin that declared it."""

    obj: _T
    plugin: str


class PluginManager(pluggy.PluginManager):
    """A :class:`pluggy.PluginManager` for project ``planflow`` that also knows

    * where each plugin came from (:attr:`distributions`, for versions);
    * the notifiers, reporters and completion models the plugins declare
      (:meth:`notifiers`, :meth:`reporters`, :meth:`models`), gathered once and
      checked for clashing names;
    * what went wrong: :attr:`skipped` (plugins left out), :attr:`warnings`, and
      :attr:`failures` (a :class:`~planflow.hooks.failures.FailureLog` where every
      isolated failure of a run is recorded and shown, capped).

    Any function or method named ``planflow_*`` counts as a hook implementation,
    decorated or not, so that :meth:`register` rejects a misspelt hook name.
    """

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)
        self.distributions: dict[str, metadata.Distribution | None] = {}
        self.skipped: list[PluginError] = []
        self.warnings: list[str] = []
        self.failures = FailureLog()
        self._declarations: dict[str, dict[str, Registered[Any]]] = {}

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        """Marked implementations, plus any undecorated ``planflow_*`` routine."""
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith(_HOOK_PREFIX):
            method = getattr(plugin, name, None)
            if inspect.isroutine(method):
                return {}
        return opts

    def register(self, plugin: Any, name: str | None = None) -> str | None:
        """Register ``plugin`` and check its hooks, as the loader does.

        :raises PluginError: a hook name that is no planflow hook (with a "did you
            mean"), an argument the hook does not have, or ``plugin`` (or ``name``)
            already registered. The plugin is not left registered.
        """
        shown = name or self.get_canonical_name(plugin)
        try:
            registered = super().register(plugin, name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(str(exc), plugin=shown) from None
        except ValueError as exc:  # already registered (as this name, or this object)
            raise PluginError(
                str(exc), plugin=shown, hint=f"rename it, or disable one with -p no:{shown}"
            ) from None
        if registered is None:  # blocked
            return None
        problem = self._unknown_hook(plugin, registered)
        if problem is not None:
            self.unregister(plugin)
            raise problem
        self._declarations.clear()
        return registered

    def unregister(self, plugin: Any = None, name: str | None = None) -> Any:
        """Unregister a plugin (and forget what the plugins declared)."""
        self._declarations.clear()
        return super().unregister(plugin, name)

    def _unknown_hook(self, plugin: Any, name: str) -> PluginError | None:
        known = sorted(
            k for k, c in vars(self.hook).items() if not k.startswith("_") and c.has_spec()
        )
        for caller in self.get_hookcallers(plugin) or ():
            if caller.has_spec():
                continue
            if all(impl.optionalhook for impl in caller.get_hookimpls() if impl.plugin is plugin):
                continue
            close = difflib.get_close_matches(caller.name, known, n=1)
            return PluginError(
                f"implements {caller.name!r}, which is not a planflow hook",
                plugin=name,
                hook=caller.name,
                hint=f"did you mean {close[0]!r}?" if close else "docs/plugins.md lists the hooks",
            )
        return None

    def version(self, name: str) -> str:
        """The version of the distribution that provides plugin ``name``."""
        dist = self.distributions.get(name)
        if dist is not None:
            return str(dist.version)
        plugin = self.get_plugin(name)
        return str(getattr(plugin, "__version__", "")) or "-"

    def notifiers(self) -> dict[str, Registered[Notifier]]:
        """Every declared notifier by name (:func:`~planflow.hooks.specs.planflow_notifiers`)."""
        return self._declared("planflow_notifiers", Notifier, "notifier")

    def reporters(self) -> dict[str, Registered[Reporter]]:
        """Every declared reporter by name (:func:`~planflow.hooks.specs.planflow_reporters`)."""
        return self._declared("planflow_reporters", Reporter, "reporter")

    def models(self) -> dict[str, Registered[ModelInfo]]:
        """Every declared completion model by name
        (:func:`~planflow.hooks.specs.planflow_completion_models`)."""
        return self._declared("planflow_completion_models", ModelInfo, "completion model")

    def _declared(self, hook: str, kind: Any, what: str) -> dict[str, Registered[Any]]:
        if hook not in self._declarations:
            self._declarations[hook] = self._gather(hook, kind, what)
        return self._declarations[hook]

    def _gather(self, hook: str, kind: Any, what: str) -> dict[str, Registered[Any]]:
        found: dict[str, Registered[Any]] = {}
        taken = set(BUILTIN_MODELS) if hook == "planflow_completion_models" else set()
        for impl in reversed(getattr(self.hook, hook).get_hookimpls()):
            try:
                objects = list(impl.function() or ())
                for obj in objects:
                    if not isinstance(obj, kind):
                        raise TypeError(
                            f"returned {obj!r}, which is not a {what} "
                            f"(see planflow.hooks.specs.{kind.__name__})"
                        )
            except Exception as exc:
                # like any other hook: reported with the plugin's name; the rest goes on
                self.failures.add(impl.plugin_name, hook, describe(exc), exc=exc)
                continue
            for obj in objects:
                name = str(getattr(obj, "name", ""))
                if name in found or name in taken:
                    other = found[name].plugin if name in found else "planflow"
                    raise PluginError(
                        f"declares {what} {name!r}, already declared by plugin {other!r}",
                        plugin=impl.plugin_name,
                        hook=hook,
                        hint=f"disable one of them with -p no:NAME or {DISABLE_ENV}",
                    )
                found[name] = Registered(obj, impl.plugin_name)
        return found


def _names(value: str | None) -> list[str]:
    return [n.strip() for n in (value or "").split(",") if n.strip()]


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def get_plugin_manager(
    *,
    load_entrypoints: bool = True,
    disabled: Iterable[str] = (),
    only: Iterable[str] | None = None,
    extra: Sequence[Any] = (),
    environ: Mapping[str, str] | None = None,
    on_error: Literal["raise", "skip"] = "raise",
) -> PluginManager:
    """Build a plugin manager: installed plugins, ``extra``, then the built-ins.

    :param load_entrypoints: load the plugins installed under the ``planflow``
        entry-point group (turn off in tests that want the built-ins only).
    :param disabled: plugin names not to load (added to ``PLANFLOW_DISABLE_PLUGINS``).
    :param only: load only these installed plugins (else ``PLANFLOW_PLUGINS`` if set).
    :param extra: more plugins: modules, importable module names (``-p MODULE``), or
        any object with ``planflow_*`` methods (named after its ``__name__`` or class).
    :param environ: where to read the environment variables (default ``os.environ``).
    :param on_error: ``"raise"`` the first :class:`PluginError`, or ``"skip"`` the
        plugin and keep the error in :attr:`PluginManager.skipped`.
    :raises PluginError: (``on_error="raise"``) a plugin fails to import, implements
        a hook that does not exist (a misspelt name) or with arguments the hook does
        not have.
    """
    env = os.environ if environ is None else environ
    blocked = set(disabled) | set(_names(env.get(DISABLE_ENV)))
    if only is None and env.get(ONLY_ENV) is not None:
        only = _names(env.get(ONLY_ENV))
    allowed = None if only is None else set(only)
    pm = PluginManager()
    pm.failures.traceback = _truthy(env.get(TRACEBACK_ENV))

    def attempt(load: Any, name: str, hint: str) -> Any:
        try:
            plugin = load()
            if pm.is_registered(plugin):  # installed, and given again with -p MODULE
                pm.warnings.append(
                    f"-p {name}: already loaded as plugin {pm.get_name(plugin)!r}; loaded once"
                )
                return None
            pm.register(plugin, name)
        except PluginError as exc:
            if on_error == "raise":
                raise
            pm.skipped.append(exc)
            return None
        except Exception as exc:
            error = PluginError(
                f"cannot be loaded: {type(exc).__name__}: {exc}", plugin=name, hint=hint
            )
            if on_error == "raise":
                raise error from exc
            pm.skipped.append(error)
            return None
        return plugin

    for name in sorted(blocked):
        pm.set_blocked(name)
    known = {name for name, _ in DEFAULT_PLUGINS}
    if load_entrypoints:
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            known.add(ep.name)
            if pm.is_blocked(ep.name) or pm.has_plugin(ep.name):
                continue
            if allowed is not None and ep.name not in allowed:
                continue
            hint = f"disable it with -p no:{ep.name} or {DISABLE_ENV}={ep.name}"
            if attempt(ep.load, ep.name, hint) is not None:
                pm.distributions[ep.name] = ep.dist
    for item in extra:
        name = item if isinstance(item, str) else _plugin_name(item)
        known.add(name)
        if pm.is_blocked(name) or pm.has_plugin(name):
            continue
        load = (
            (lambda n=item: importlib.import_module(n))
            if isinstance(item, str)
            else (lambda o=item: o)
        )
        attempt(load, name, f"leave out -p {name}")
    for name, module_name in DEFAULT_PLUGINS:
        if not pm.is_blocked(name):
            attempt(lambda m=module_name: importlib.import_module(m), name, "reinstall planflow")
            pm.distributions[name] = _own_distribution()
    _warn_unknown(pm, blocked, allowed, known, load_entrypoints)
    return pm


def _plugin_name(item: Any) -> str:
    if isinstance(item, ModuleType):
        return item.__name__
    return str(getattr(item, "__name__", "") or type(item).__name__.lower())


def _warn_unknown(
    pm: PluginManager,
    blocked: set[str],
    allowed: set[str] | None,
    known: set[str],
    complete: bool,
) -> None:
    if not complete:  # without the entry points, unknown names may be installed plugins
        return
    for where, names in ((f"-p no:NAME or {DISABLE_ENV}", blocked), (ONLY_ENV, allowed or set())):
        for name in sorted(names - known):
            close = difflib.get_close_matches(name, sorted(known), n=1)
            maybe = f" (did you mean {close[0]!r}?)" if close else ""
            pm.warnings.append(f"{where}: no plugin is called {name!r}{maybe}")


def _own_distribution() -> metadata.Distribution | None:
    try:
        return metadata.distribution("planflow")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return None
