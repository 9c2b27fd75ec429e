"""Scenario files for the ``random`` completion model: per-unit and per-task profiles.

A scenario is YAML or TOML; bad files get located errors (``FILE:LINE:COL``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import attrs
from attrs import field, frozen

from planflow.plan.errors import PlanError, PlanFileError, Problem
from planflow.plan.model import Plan, suggest
from planflow.timeline.occurrences import Timeline

# --- scenarios ------------------------------------------------------------------


def _probability(instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be a probability between 0 and 1 (got {value})")


@frozen
class Profile:
    """How one unit or task behaves under the ``random`` model.

    ``late``: probability of a delay; ``min``/``mode``/``max``: the delay in working
    days when there is one; ``skip``: probability the occurrence is never done.
    """

    late: float = field(default=0.2, validator=_probability)
    min: int = 1
    mode: int = 2
    max: int = 10
    skip: float = field(default=0.01, validator=_probability)

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.min <= self.mode <= self.max:
            raise ValueError(
                "delay must satisfy 0 <= min <= mode <= max "
                f"(got {self.min}, {self.mode}, {self.max})"
            )


@frozen
class Scenario:
    """Behaviour profiles for the ``random`` model.

    A task's profile is ``default``, overridden by its unit's entry in ``units``,
    overridden by its entry in ``tasks`` (plan task id or duty id ``task@unit``).
    ``capacity`` is how many occurrences a unit handles in one week before the
    week counts as overloaded.
    """

    default: Profile = Profile()
    units: Mapping[str, Mapping[str, Any]] = field(factory=dict)
    tasks: Mapping[str, Mapping[str, Any]] = field(factory=dict)
    capacity: int = 5
    seed: int | None = None
    indicators: Mapping[str, Mapping[date | None, float]] = field(factory=dict)
    """Values of KPI indicators: id → {checkpoint (``None``: every one) → value}."""

    def profile(self, duty: str, plan_task: str, unit: str) -> Profile:
        """The profile of one duty."""
        changes: dict[str, Any] = {}
        changes.update(self.units.get(unit, {}))
        changes.update(self.tasks.get(plan_task, {}))
        changes.update(self.tasks.get(duty, {}))
        return attrs.evolve(self.default, **changes) if changes else self.default


_PROFILE_KEYS = ("late", "delay", "skip")
_TOP_KEYS = ("scenario", "seed", "capacity", "default", "units", "tasks", "indicators")
_DELAY_RE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*(?:-\s*(\d+)\s*)?)?$")


class _Reader:
    """Turns the parsed scenario document into a :class:`Scenario`, collecting problems."""

    def __init__(
        self, file: str, where: Callable[[tuple[Any, ...], bool], tuple[int, int]]
    ) -> None:
        self.file = file
        self.where = where
        self.problems: list[Problem] = []

    def problem(
        self, path: tuple[Any, ...], message: str, hint: str | None = None, *, key: bool = False
    ) -> None:
        line, col = self.where(path, key)
        dotted = ".".join(str(p) for p in path)
        self.problems.append(Problem(message, self.file, line, col, dotted, hint))

    def mapping(self, value: Any, path: tuple[Any, ...]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping, got {value!r}")
            return {}
        return value

    def profile(self, value: Any, path: tuple[Any, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, item in self.mapping(value, path).items():
            at = (*path, key)
            if key not in _PROFILE_KEYS:
                hint = suggest(str(key), _PROFILE_KEYS) or f"use one of {', '.join(_PROFILE_KEYS)}"
                self.problem(at, f"unknown key {key!r}", hint, key=True)
            elif key in ("late", "skip"):
                if isinstance(item, bool) or not isinstance(item, int | float):
                    self.problem(at, f"{key} must be a probability, got {item!r}")
                elif not 0 <= item <= 1:
                    self.problem(at, f"{key} must be between 0 and 1, got {item}")
                else:
                    out[key] = float(item)
            else:
                out.update(self.delay(item, at))
        return out

    def delay(self, value: Any, path: tuple[Any, ...]) -> dict[str, int]:
        hint = "write a number of working days (3), a range (1-10) or {min, mode, max}"
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                self.problem(path, f"delay must not be negative, got {value}", hint)
                return {}
            return {"min": value, "mode": value, "max": value}
        if isinstance(value, str) and (m := _DELAY_RE.match(value)):
            low = int(m[1])
            high = int(m[3] or m[2] or m[1])
            mode = int(m[2]) if m[3] else low
            parts = {"min": low, "mode": mode, "max": high}
        elif isinstance(value, dict):
            parts = {}
            for key, item in value.items():
                if key not in ("min", "mode", "max"):
                    self.problem(
                        (*path, key), f"unknown key {key!r}", "use min, mode and max", key=True
                    )
                elif isinstance(item, bool) or not isinstance(item, int) or item < 0:
                    self.problem((*path, key), f"{key} must be a whole number >= 0, got {item!r}")
                else:
                    parts[key] = item
            low = parts.get("min", 0)
            high = parts.get("max", max(low, parts.get("mode", low)))
            parts = {"min": low, "mode": parts.get("mode", low), "max": high}
        else:
            self.problem(path, f"cannot read delay {value!r}", hint)
            return {}
        if not parts["min"] <= parts["mode"] <= parts["max"]:
            self.problem(path, "delay must satisfy min <= mode <= max", hint)
            return {}
        return parts

    def scenario(self, data: Any, plan: Plan | None) -> Scenario:
        top = self.mapping(data, ())
        for key in top:
            if key not in _TOP_KEYS:
                self.problem(
                    (key,),
                    f"unknown key {key!r}",
                    suggest(str(key), _TOP_KEYS) or f"use one of {', '.join(_TOP_KEYS)}",
                    key=True,
                )
        seed = top.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            self.problem(("seed",), f"seed must be a whole number, got {seed!r}")
            seed = None
        capacity = top.get("capacity", 5)
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            self.problem(("capacity",), f"capacity must be a whole number >= 1, got {capacity!r}")
            capacity = 5
        default = Profile(**self.profile(top.get("default"), ("default",)))
        units = {}
        for unit, value in self.mapping(top.get("units"), ("units",)).items():
            known = [u.id for u in plan.units] if plan is not None else None
            if known is not None and unit not in known:
                self.problem(
                    ("units", unit), f"unknown unit {unit!r}", suggest(str(unit), known), key=True
                )
            units[str(unit)] = self.profile(value, ("units", unit))
        tasks = {}
        if plan is not None:
            duty_ids = {d.id for d in Timeline(plan).duties} | {t.id for t in plan.tasks}
        for task, value in self.mapping(top.get("tasks"), ("tasks",)).items():
            if plan is not None and task not in duty_ids:
                self.problem(
                    ("tasks", task),
                    f"unknown task {task!r}",
                    suggest(str(task), sorted(duty_ids)),
                    key=True,
                )
            tasks[str(task)] = self.profile(value, ("tasks", task))
        indicators = self.indicator_values(top.get("indicators"), plan)
        return Scenario(default, units, tasks, capacity, seed, indicators)

    def indicator_values(
        self, value: Any, plan: Plan | None
    ) -> dict[str, dict[date | None, float]]:
        """``indicators: {id: 85}`` or ``{id: {2025-06-30: 40, 2025-12-31: 85}}``."""
        out: dict[str, dict[date | None, float]] = {}
        known = [i.id for i in plan.indicators] if plan is not None else None
        for ind, given in self.mapping(value, ("indicators",)).items():
            path: tuple[Any, ...] = ("indicators", ind)
            if known is not None and ind not in known:
                self.problem(path, f"unknown indicator {ind!r}", suggest(str(ind), known), key=True)
                continue
            if _is_number(given):
                out[str(ind)] = {None: float(given)}
                continue
            values: dict[date | None, float] = {}
            for key, number in self.mapping(given, path).items():
                day = _checkpoint(key)
                if day is None or not _is_number(number):
                    self.problem(
                        (*path, key),
                        f"expected 'YYYY-MM-DD: value', got {key!r}: {number!r}",
                        "write the checkpoint date and the value measured, e.g. 2025-12-31: 85",
                    )
                    continue
                values[day] = float(number)
            out[str(ind)] = values
        return out


def _checkpoint(key: Any) -> date | None:
    """A checkpoint date written as a YAML date, ``2025-06-30`` or ``30/06/2025``."""
    if isinstance(key, date):
        return key
    from planflow.plan.forms import parse_day

    try:
        return parse_day(str(key))
    except PlanError:
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_scenario(text: str, file: str = "<scenario>", *, plan: Plan | None = None) -> Scenario:
    """Read a scenario (YAML, or TOML when ``file`` ends in ``.toml``).

    :raises PlanFileError: every problem, each located as ``file:line:col``; unknown
        unit and task ids are problems when ``plan`` is given.
    """
    if file.endswith(".toml"):
        import tomllib

        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
            line, col = (int(m[1]), int(m[2])) if m else (1, 1)
            message = re.sub(r"\s*\(at line.*\)$", "", str(exc)) or "invalid TOML"
            raise PlanFileError(
                [Problem(f"TOML syntax error: {message}", file, line, col)]
            ) from None
        reader = _Reader(file, lambda path, key: _toml_where(text, path))
    else:
        from planflow.plan.yamldoc import parse_yaml

        doc = parse_yaml(text, file)
        data = doc.data
        reader = _Reader(file, lambda path, key: doc.where(path, key=key))
    try:
        scenario = reader.scenario(data, plan)
    except ValueError as exc:  # a Profile validator: all fields were checked one by one
        reader.problem((), str(exc))
        scenario = Scenario()
    if reader.problems:
        raise PlanFileError(reader.problems)
    return scenario


def load_scenario(path: str | os.PathLike[str], *, plan: Plan | None = None) -> Scenario:
    """Read a scenario file; see :func:`parse_scenario`."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError([Problem(f"cannot read the scenario: {exc}", name)]) from None
    return parse_scenario(text, name, plan=plan)


def _toml_where(text: str, path: tuple[Any, ...]) -> tuple[int, int]:
    """Best-effort position of a key in a TOML text: the first line naming it."""
    if not path:
        return (1, 1)
    name = re.escape(str(path[-1]))
    pattern = re.compile(rf'(^|[\s{{,.\[]|")({name})("|\s*=|\]|\.)')
    for number, line in enumerate(text.splitlines(), 1):
        if m := pattern.search(line):
            return (number, m.start(2) + 1)
    return (1, 1)
