"""Channel settings: what a plan file (and ``--set``) configures for each notifier.

A notifier declares its :class:`~planflow.hooks.specs.Setting` s. Run-level ones are
written under the plan's top-level ``channels: {NAME: {...}}``, unit-level ones
under a unit's ``channels: {NAME: {...}}`` (a name may be declared at both);
``--set NAME.KEY=VALUE`` overrides the run-level setting when there is one, else every
unit's, and ``--set NAME.UNIT.KEY=VALUE`` one unit's. Text values may hold
``${VARIABLE}``: it is replaced by the environment variable when the run starts, so
secrets stay out of plan files.

* :func:`check_channels` is what ``planflow validate`` runs: located problems;
* :func:`resolve_settings` is what a run uses: a checked
  :class:`~planflow.hooks.specs.ChannelSettings` per notifier.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from planflow.hooks.specs import ChannelSettings, Notifier, Setting
from planflow.i18n import _
from planflow.plan.errors import PlanError, Problem, Severity
from planflow.plan.loading import LoadedPlan
from planflow.plan.model import Group, Plan, show_path, suggest

__all__ = [
    "check_channels",
    "convert",
    "expand_env",
    "model_path",
    "parse_overrides",
    "resolve_settings",
    "validate_settings",
]

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TRUE = {"true", "yes", "on", "1", "có"}
_FALSE = {"false", "no", "off", "0", "không"}


def expand_env(value: Any, environ: Mapping[str, str], where: str = "") -> Any:
    """Replace every ``${NAME}`` in a text by the environment variable ``NAME``.

    :raises PlanError: a variable is not set.
    """
    if not isinstance(value, str):
        return value

    def one(m: re.Match[str]) -> str:
        if m[1] not in environ:
            raise PlanError(
                f"environment variable {m[1]} is not set" + (f" ({where})" if where else ""),
                hint=f"export {m[1]}=… before the run",
            )
        return environ[m[1]]

    return _VAR.sub(one, value)


def _convert(setting: Setting, value: Any) -> Any:
    """``value`` as ``setting.type``; texts (from ``--set`` or ``${…}``) are parsed."""
    kind = setting.type
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError(f"{setting.name} must be true or false, got {value!r}")
    if kind in (int, float) and isinstance(value, bool):
        raise ValueError(f"{setting.name} must be a number, got {value!r}")
    if kind is float and isinstance(value, int):
        return float(value)
    if isinstance(value, kind):
        return value
    if kind in (list, tuple) and isinstance(value, str):
        # "reminder, due" from --set: a comma-separated list, not a list of characters
        return kind(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, str) and kind is not str:
        try:
            return kind(value.strip())
        except (TypeError, ValueError):
            pass
    if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{setting.name} must be {_type_name(kind)}, got {value!r}")


convert = _convert


def _type_name(kind: type) -> str:
    return {str: "a text", int: "a whole number", float: "a number", bool: "true or false"}.get(
        kind, kind.__name__
    )


def parse_overrides(items: Sequence[str]) -> dict[str, dict[str, str]]:
    """``["jsonl.path=events.jsonl"]`` → ``{"jsonl": {"path": "events.jsonl"}}``;
    ``webhook.vhxh.url=…`` gives the key ``"vhxh.url"`` (one unit's setting).

    :raises PlanError: an item is not ``NAME.KEY=VALUE``.
    """
    out: dict[str, dict[str, str]] = {}
    for item in items:
        target, sep, value = item.partition("=")
        name, dot, key = target.strip().partition(".")
        if not (sep and dot and name and key):
            raise PlanError(f"cannot read --set {item!r}", hint="write NOTIFIER.KEY=VALUE")
        out.setdefault(name, {})[key.strip()] = value
    return out


def resolve_settings(
    notifier: Notifier,
    plan: Plan,
    overrides: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ChannelSettings:
    """The settings of ``notifier`` for one run: plan file, then ``--set``, then defaults.

    ``${VAR}`` values are expanded from ``environ`` (default ``os.environ``).

    :raises PlanError: an unknown key in ``overrides``, a value of the wrong type, a
        required setting missing, or an unset environment variable.
    """
    env = os.environ if environ is None else environ
    given_overrides = dict(overrides or {})
    scopes: dict[str, set[str]] = {}
    for s in notifier.settings:
        scopes.setdefault(s.name, set()).add(s.scope)
    unit_ids = {unit.id for unit in plan.units}
    # KEY: the run-level setting if there is one, else every unit's; UNIT.KEY: one unit's
    general_overrides: dict[str, Any] = {}
    per_unit: dict[str, dict[str, Any]] = {}
    for key, value in given_overrides.items():
        unit_id, dot, name = key.rpartition(".")
        if dot and unit_id in unit_ids and "unit" in scopes.get(name, set()):
            per_unit.setdefault(unit_id, {})[name] = value
        elif key in scopes:
            general_overrides[key] = value
        else:
            known = sorted(scopes)
            raise PlanError(
                f"notifier {notifier.name!r} has no setting {key!r}",
                hint=suggest(name or key, known) or f"its settings: {', '.join(known) or 'none'}",
            )

    def values(
        scope: str, given: Mapping[str, Any], where: str, own: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for setting in notifier.settings:
            if setting.scope != scope:
                continue
            at = f"{where}.{setting.name}"
            # a KEY=VALUE override goes to the run when the key exists there
            general = setting.name in general_overrides and (
                scope == "run" or "run" not in scopes[setting.name]
            )
            if own is not None and setting.name in own:
                raw: Any = own[setting.name]
            elif general:
                raw = general_overrides[setting.name]
            elif setting.name in given:
                raw = given[setting.name]
            elif setting.required:
                raise PlanError(
                    f"{at} is required",
                    hint=f"write it in the plan file or pass --set {notifier.name}."
                    f"{setting.name}=VALUE",
                )
            else:
                out[setting.name] = setting.default
                continue
            try:
                out[setting.name] = _convert(setting, expand_env(raw, env, at))
            except ValueError as exc:
                raise PlanError(f"{at}: {exc}") from None
        return out

    run = values("run", plan.channels.get(notifier.name, {}), f"channels.{notifier.name}")
    units = {
        unit.id: values(
            "unit",
            unit.channels.get(notifier.name, {}),
            f"{unit.id}.{notifier.name}",
            per_unit.get(unit.id, {}),
        )
        for unit in plan.units
        if notifier.name in unit.channels or unit.id in per_unit
    }
    return ChannelSettings(run=run, units=units)


def _unit_paths(plan: Plan) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Each unit with its path in the plan file (units first, then groups)."""
    counts = {"units": 0, "groups": 0}
    for unit in plan.units:
        key = "groups" if isinstance(unit, Group) else "units"
        yield (key, counts[key]), unit
        counts[key] += 1


def model_path(plan: Plan, path: tuple[Any, ...]) -> tuple[Any, ...]:
    """A path into the model (``("units", 7, …)`` over units and groups) as a file path."""
    if len(path) >= 2 and path[0] == "units" and isinstance(path[1], int):
        paths = [p for p, _ in _unit_paths(plan)]
        if 0 <= path[1] < len(paths):
            return (*paths[path[1]], *path[2:])
    return path


def check_channels(loaded: LoadedPlan, notifiers: Mapping[str, Notifier]) -> list[Problem]:
    """Check every ``channels:`` mapping of the plan against the declared settings.

    An unknown channel name is a warning (its plugin may just not be installed
    here); an unknown key, a value of the wrong type, a setting in the wrong place
    or a required setting missing is an error located at the setting.
    """
    plan = loaded.plan
    problems: list[Problem] = []

    def problem(
        path: tuple[Any, ...],
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
        severity: Severity = Severity.ERROR,
    ) -> None:
        file, line, column = loaded.document.origin(path, key=key)
        shown = show_path(path[:-1] if key else path)
        problems.append(Problem(message, file, line, column, shown, hint, severity))

    places: list[tuple[tuple[Any, ...], str, Mapping[str, Mapping[str, Any]]]] = [
        (("channels",), "run", plan.channels)
    ]
    places += [((*path, "channels"), "unit", unit.channels) for path, unit in _unit_paths(plan)]
    for base, scope, channels in places:
        for name, given in channels.items():
            at = (*base, name)
            notifier = notifiers.get(name)
            if notifier is None:
                problem(
                    at,
                    _("unknown channel {name!r}: no loaded plugin declares this notifier").format(
                        name=name
                    ),
                    suggest(str(name), sorted(notifiers))
                    or _("install its plugin (planflow plugins lists what is loaded)"),
                    key=True,
                    severity=Severity.WARNING,
                )
                continue
            _check_one(notifier, scope, at, given, problem)
    return problems


def validate_settings(loaded: LoadedPlan, pm: Any) -> list[Problem]:
    """:func:`check_channels` against the loaded notifiers, plus every plugin's
    :func:`~planflow.hooks.specs.planflow_check_settings` (located in the plan file).

    A plugin whose check raises gives a warning naming it; the others still run.
    """
    from planflow.hooks.calling import call_each
    from planflow.hooks.failures import Failure

    notifiers = {name: entry.obj for name, entry in pm.notifiers().items()}
    problems = check_channels(loaded, notifiers)
    for plugin, result in call_each(pm, "planflow_check_settings", plan=loaded.plan):
        if isinstance(result, Failure):
            problems.append(
                Problem(
                    _("plugin {plugin!r} failed in planflow_check_settings: {error}").format(
                        plugin=plugin, error=result.error
                    ),
                    loaded.file,
                    severity=Severity.WARNING,
                )
            )
            continue
        for path, message in result or ():
            path = model_path(loaded.plan, tuple(path))
            file, line, column = loaded.document.origin(path)
            problems.append(Problem(f"{message} [{plugin}]", file, line, column, show_path(path)))
    return sorted(problems, key=lambda p: (p.line, p.column, p.message))


def _check_one(
    notifier: Notifier, scope: str, at: tuple[Any, ...], given: Mapping[str, Any], problem: Any
) -> None:
    declared = {s.name: s for s in notifier.settings if s.scope == scope}
    elsewhere = {s.name: s for s in notifier.settings if s.scope != scope}
    other = _("a unit's channels") if scope == "run" else _("the plan's top-level channels")
    for key, value in given.items():
        setting = declared.get(str(key)) or elsewhere.get(str(key))
        if setting is None:
            problem(
                (*at, key),
                _("unknown setting {key!r} for channel {name!r}").format(
                    key=key, name=notifier.name
                ),
                suggest(str(key), sorted(declared | elsewhere))
                or _("its settings: {names}").format(
                    names=", ".join(sorted(declared | elsewhere)) or _("none")
                ),
                key=True,
            )
        elif setting.scope != scope:
            problem(
                (*at, key),
                _("{key!r} is not set here").format(key=key),
                _("write it under {place}").format(place=other),
                key=True,
            )
        elif isinstance(value, str) and _VAR.search(value):
            continue  # expanded (and checked) when the run starts
        else:
            if setting.secret and isinstance(value, str) and value:
                problem(
                    (*at, key),
                    _("{key!r} is a secret written in the plan file").format(key=key),
                    _("write {variable} and set the environment variable instead").format(
                        variable="${" + str(key).upper() + "}"
                    ),
                    severity=Severity.WARNING,
                )
            try:
                _convert(setting, value)
            except ValueError as exc:
                problem((*at, key), str(exc), setting.help or None)
    for setting in notifier.settings:
        if setting.scope == scope and setting.required and setting.name not in given:
            message = _("channel {name!r} needs {setting!r}")
            problem(
                at, message.format(name=notifier.name, setting=setting.name), setting.help or None
            )
