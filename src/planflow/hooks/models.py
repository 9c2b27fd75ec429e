"""Completion models from plugins: declared, listed, resolved and isolated.

``--model NAME`` names a built-in model (``on-time``, ``random``) or one a plugin
provides; ``--model NAME:KEY=VALUE,KEY=VALUE`` passes options, checked against the
settings the plugin declares (:class:`~planflow.hooks.specs.ModelInfo`).
:func:`completion_model` asks the plugins one at a time and wraps the answer in a
:class:`PluginModel`, so that a model that raises (or answers nonsense) stops the
run with ``plugin 'X' failed in …`` instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from planflow.hooks.failures import PluginFailed
from planflow.hooks.specs import ModelInfo, Setting
from planflow.plan.errors import PlanError
from planflow.plan.model import suggest

__all__ = [
    "BUILTIN_MODELS",
    "PluginModel",
    "completion_model",
    "model_options",
    "parse_model",
]

#: The completion models planflow itself provides; these names never reach plugins.
BUILTIN_MODELS = ("on-time", "random")


class PluginModel:
    """A plugin's completion model, with its name and plugin; failures name the plugin.

    ``completion`` calls the plugin's and checks the answer: a ``date`` or ``None``.
    """

    def __init__(self, model: Any, *, name: str, plugin: str) -> None:
        self.model = model
        self.name = name
        self.plugin = plugin
        self._completion = model.completion

    def completion(self, occurrence: Any, ready: date) -> date | None:
        """The plugin's answer for ``occurrence``, checked."""
        try:
            done = self._completion(occurrence, ready)
        except Exception as exc:
            raise PluginFailed(self.plugin, f"completion model {self.name!r}", exc) from exc
        if done is not None and not isinstance(done, date):
            raise PluginFailed(
                self.plugin,
                f"completion model {self.name!r}",
                f"completion() returned {done!r}, which is neither a date nor None",
            )
        return done


def parse_model(text: str) -> tuple[str, dict[str, str]]:
    """``"slow:days=3,unit=web"`` → ``("slow", {"days": "3", "unit": "web"})``.

    :raises PlanError: an option is not ``KEY=VALUE``.
    """
    name, _, rest = text.partition(":")
    options: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise PlanError(
                f"cannot read the model option {item!r}",
                hint="write --model NAME:KEY=VALUE,KEY=VALUE",
            )
        options[key.strip()] = value.strip()
    return name.strip(), options


def model_options(info: ModelInfo | None, name: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` checked against the model's declared settings, converted, defaults filled.

    :raises PlanError: an unknown option, a wrong value, a required option missing.
    """
    from planflow.hooks.channels import convert

    settings: tuple[Setting, ...] = tuple(info.settings) if info is not None else ()
    declared = {s.name: s for s in settings}
    for key in given:
        if key not in declared:
            raise PlanError(
                f"completion model {name!r} has no option {key!r}",
                hint=suggest(key, sorted(declared))
                or f"its options: {', '.join(sorted(declared)) or 'none'}",
            )
    out: dict[str, Any] = {}
    for setting in settings:
        if setting.name in given:
            try:
                out[setting.name] = convert(setting, given[setting.name])
            except ValueError as exc:
                raise PlanError(f"--model {name}: {exc}") from None
        elif setting.required:
            raise PlanError(
                f"completion model {name!r} needs the option {setting.name!r}",
                hint=f"write --model {name}:{setting.name}=VALUE",
            )
        else:
            out[setting.name] = setting.default
    return out


def completion_model(pm: Any, name: str, plan: Any, seed: int) -> Any:
    """The completion model ``name`` (``NAME:KEY=VALUE,…`` for options).

    A built-in name is returned as is (``simulate`` builds it); otherwise each
    plugin's :func:`~planflow.hooks.specs.planflow_completion_model` is asked in
    turn and the first answer is returned as a :class:`PluginModel`.

    :raises PlanError: no plugin knows ``name``, or its options are wrong.
    :raises PluginFailed: the plugin raised, or answered with something that is
        not a completion model.
    """
    base, given = parse_model(name)
    if base in BUILTIN_MODELS:
        if given:
            raise PlanError(f"the {base} model takes no options")
        return base
    declared = pm.models() if hasattr(pm, "models") else {}
    entry = declared.get(base)
    options = model_options(entry.obj if entry else None, base, given)
    for impl in reversed(pm.hook.planflow_completion_model.get_hookimpls()):
        args = {"name": base, "plan": plan, "seed": seed, "options": options}
        try:
            model = impl.function(**{k: args[k] for k in impl.argnames})
        except Exception as exc:
            raise PluginFailed(impl.plugin_name, "planflow_completion_model", exc) from exc
        if model is None:
            continue
        if not callable(getattr(model, "completion", None)):
            raise PluginFailed(
                impl.plugin_name,
                "planflow_completion_model",
                f"returned {model!r} for {base!r}, which is not a completion model "
                "(an object with completion(occurrence, ready))",
            )
        return PluginModel(model, name=base, plugin=impl.plugin_name)
    known = [*BUILTIN_MODELS, *sorted(declared)]
    raise PlanError(
        f"unknown completion model {base!r}",
        hint=suggest(base, known)
        or f"use {', '.join(known)}, or install a plugin that provides it",
    )
