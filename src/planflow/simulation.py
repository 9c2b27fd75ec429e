"""Simulate the plan's year: completion models, scenarios, results and Monte Carlo.

``simulate(plan)`` runs the :class:`~planflow.engine.Engine` over a simulated clock
with a completion model and returns a :class:`SimulationResult` (its events and
summaries). ``monte_carlo(plan, runs=N)`` repeats a random year N times, in
parallel, and reports probabilities. The JSON shapes are documented in
``docs/simulation.md``; add keys, never rename or remove them.

Completion models:

``on-time``
    every occurrence is done on its due date, or as soon as it is unblocked if what
    it waits for (plus lag) is done later.
``random``
    seeded draws per occurrence, from a :class:`Scenario`: with probability
    ``skip`` it is never done (missed); else with probability ``late`` it is done
    ``delay`` working days (a triangular draw between ``min`` and ``max``, peaking
    at ``mode``) after the later of its due date and the date it is unblocked. The
    draws of an occurrence come from ``random.Random`` seeded with the run's seed
    and the occurrence's key, never from the global generator, so they do not
    depend on the order occurrences are processed in or on other tasks.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import attrs
from attrs import field, frozen

from .engine import CompletionModel, Engine, Outcome
from .errors import PlanFileError, Problem
from .events import Event, EventKind, State
from .model import DependencyMode, Plan, suggest
from .timeline import Occurrence, Timeline

__all__ = [
    "MonteCarloResult",
    "OnTimeModel",
    "Profile",
    "RandomModel",
    "Scenario",
    "SimulationResult",
    "load_scenario",
    "monte_carlo",
    "parse_scenario",
    "run_seed",
    "simulate",
]

SCHEMA_VERSION = 1


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

    def profile(self, duty: str, plan_task: str, unit: str) -> Profile:
        """The profile of one duty."""
        changes: dict[str, Any] = {}
        changes.update(self.units.get(unit, {}))
        changes.update(self.tasks.get(plan_task, {}))
        changes.update(self.tasks.get(duty, {}))
        return attrs.evolve(self.default, **changes) if changes else self.default


_PROFILE_KEYS = ("late", "delay", "skip")
_TOP_KEYS = ("scenario", "seed", "capacity", "default", "units", "tasks")
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
        return Scenario(default, units, tasks, capacity, seed)


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
        from .yamldoc import parse_yaml

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


# --- completion models ------------------------------------------------------------


class OnTimeModel:
    """Done on the due date, or as soon as unblocked when that is later."""

    def completion(self, occurrence: Occurrence, ready: date) -> date | None:
        """``max(due, ready)``."""
        return max(occurrence.due, ready)


class RandomModel:
    """Seeded random delays and skips per occurrence, following a :class:`Scenario`."""

    def __init__(self, timeline: Timeline, scenario: Scenario | None = None, seed: int = 0) -> None:
        self.timeline = timeline
        self.scenario = scenario or Scenario()
        self.seed = seed
        self._profiles: dict[str, Profile] = {}

    def _profile(self, occurrence: Occurrence) -> Profile:
        found = self._profiles.get(occurrence.task)
        if found is None:
            found = self.scenario.profile(occurrence.task, occurrence.plan_task, occurrence.unit)
            self._profiles[occurrence.task] = found
        return found

    def completion(self, occurrence: Occurrence, ready: date) -> date | None:
        """Skipped, on time, or ``delay`` working days after ``max(due, ready)``."""
        profile = self._profile(occurrence)
        rng = random.Random(f"{self.seed}\x1f{occurrence.task}\x1f{occurrence.index}")
        u_skip, u_late, u_delay = rng.random(), rng.random(), rng.random()
        if u_skip < profile.skip:
            return None
        start = max(occurrence.due, ready)
        if u_late >= profile.late or profile.max == 0:
            return start
        delay = round(_triangular(u_delay, profile.min, profile.mode, profile.max))
        return self.timeline.calendar.add_working_days(start, delay) if delay else start


def _triangular(u: float, low: float, mode: float, high: float) -> float:
    """The inverse CDF of the triangular distribution (as :meth:`random.Random.triangular`)."""
    if high == low:
        return low
    c = (mode - low) / (high - low)
    if u > c:
        u, c, low, high = 1.0 - u, 1.0 - c, high, low
    return low + (high - low) * math.sqrt(u * c)


def _model(
    name: str | CompletionModel, timeline: Timeline, scenario: Scenario | None, seed: int
) -> CompletionModel:
    if not isinstance(name, str):
        return name
    if name == "on-time":
        return OnTimeModel()
    if name == "random":
        return RandomModel(timeline, scenario, seed)
    raise ValueError(f"unknown model {name!r}; use 'on-time' or 'random'")


# --- one run --------------------------------------------------------------------------


def simulate(
    plan: Plan,
    *,
    model: str | CompletionModel = "on-time",
    seed: int = 0,
    scenario: Scenario | None = None,
    start: date | None = None,
    end: date | None = None,
    until: date | None = None,
    on_event: Callable[[Event], None] | None = None,
    keep_events: bool = True,
    timeline: Timeline | None = None,
    on_period_closed: Callable[[Event, SimulationResult], None] | None = None,
) -> SimulationResult:
    """Simulate the plan's year (or ``start``..``end``) and return the result.

    :param model: ``"on-time"``, ``"random"`` or any :class:`~planflow.engine.CompletionModel`.
    :param seed: seed of the ``random`` model.
    :param scenario: profiles of the ``random`` model (defaults: :class:`Scenario`).
    :param start: report events from this date (default 1 January of the plan year).
    :param end: stop the clock at this date (default 31 December); summaries cover the
        occurrences due from ``start`` to ``end``.
    :param until: stop the clock earlier; unfinished occurrences keep their state then.
    :param on_event: called with every reported event, in order (notifiers).
    :param keep_events: keep the events in ``result.events`` (turn off for huge plans).
    :param timeline: a timeline of ``plan`` already built, to reuse it.
    :param on_period_closed: called at each ``period_closed`` event (after
        ``on_event``) with the result so far: every occurrence as it stands that day
        (reporters).

    .. versionadded:: 0.1 ``on_period_closed``.
    """
    timeline = timeline or Timeline(plan)
    start = start or date(plan.year, 1, 1)
    end = end or date(plan.year, 12, 31)
    stop = min(end, until) if until else end
    quiet = not keep_events and on_event is None and on_period_closed is None
    engine = Engine(
        timeline, model=_model(model, timeline, scenario, seed), quiet=quiet, count_from=start
    )
    events: list[Event] = []
    name = model if isinstance(model, str) else type(model).__name__
    capacity = scenario.capacity if scenario else 5

    def result(stopped: date | None) -> SimulationResult:
        outcomes = [o for o in engine.outcomes() if start <= o.occurrence.due <= end]
        counts = dict(engine.event_counts)
        kept = list(events)
        return SimulationResult(
            plan, timeline, name, seed, start, end, stopped, kept, counts, outcomes, capacity
        )

    for event in engine.run(until=stop):
        if event.time < start:
            continue
        if keep_events:
            events.append(event)
        if on_event is not None:
            on_event(event)
        if on_period_closed is not None and event.kind is EventKind.PERIOD_CLOSED:
            on_period_closed(event, result(event.time))
    return result(until)


def _counts(outcomes: Iterable[Outcome]) -> dict[str, int]:
    c = {
        "planned": 0,
        "done": 0,
        "on_time": 0,
        "late": 0,
        "missed": 0,
        "pending": 0,
        "max_days_late": 0,
    }
    for o in outcomes:
        c["planned"] += 1
        if o.state is State.DONE:
            c["done"] += 1
            c["on_time"] += 1
        elif o.state is State.LATE:
            c["done"] += 1
            c["late"] += 1
            c["max_days_late"] = max(c["max_days_late"], o.days_late or 0)
        elif o.state is State.MISSED:
            c["missed"] += 1
        else:
            c["pending"] += 1
    return c


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _key(key: tuple[str, int]) -> str:
    return f"{key[0]}#{key[1]}"


@frozen
class SimulationResult:
    """One simulated run: its events and what became of every occurrence.

    ``outcomes`` covers the occurrences due from ``start`` to ``end``; ``events``
    those from ``start`` on (empty with ``keep_events=False``); ``event_counts``
    counts them by kind either way.
    """

    plan: Plan
    timeline: Timeline
    model: str
    seed: int
    start: date
    end: date
    until: date | None
    events: list[Event]
    event_counts: dict[str, int]
    outcomes: list[Outcome]
    capacity: int = 5

    def totals(self) -> dict[str, int]:
        """Counts over every occurrence: planned, done, on_time, late, missed, pending."""
        return _counts(self.outcomes)

    def _grouped(self, key: Callable[[Outcome], str]) -> dict[str, list[Outcome]]:
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            groups[key(o)].append(o)
        return groups

    def by_task(self) -> list[dict[str, Any]]:
        """Per plan task, in plan order: counts and the task's ref and lead."""
        groups = self._grouped(lambda o: o.occurrence.plan_task)
        return [
            {"task": t.id, "ref": t.ref, "lead": t.lead, **_counts(groups[t.id])}
            for t in self.plan.tasks
            if t.id in groups
        ]

    def by_unit(self) -> list[dict[str, Any]]:
        """Per unit (the unit whose duty it is), in plan order, with its peak week."""
        groups = self._grouped(lambda o: o.occurrence.unit)
        load = {row["unit"]: row for row in self.workload()}
        rows = []
        for unit in self.plan.units:
            if unit.id in groups:
                peak = load.get(unit.id, {})
                rows.append(
                    {
                        "unit": unit.id,
                        **_counts(groups[unit.id]),
                        "peak_week": peak.get("peak_week"),
                        "peak_load": peak.get("peak", 0),
                    }
                )
        return rows

    def by_quarter(self) -> list[dict[str, Any]]:
        """Per unit and quarter of the due date."""
        groups = self._grouped(lambda o: f"{o.occurrence.unit}\x1f{_quarter(o.occurrence.due)}")
        order = {u.id: n for n, u in enumerate(self.plan.units)}
        rows = []
        for name in sorted(groups, key=lambda k: (order.get(k.split("\x1f")[0], 0), k)):
            unit, quarter = name.split("\x1f")
            rows.append({"unit": unit, "quarter": quarter, **_counts(groups[name])})
        return rows

    def targets(self) -> list[dict[str, Any]]:
        """Each duty with a quantity target: expected count against occurrences done."""
        done = Counter(
            o.occurrence.task for o in self.outcomes if o.state in (State.DONE, State.LATE)
        )
        on_time = Counter(o.occurrence.task for o in self.outcomes if o.state is State.DONE)
        rows = []
        for check in self.timeline.target_checks():
            tolerance = max(1, round(check.expected * 0.1)) if check.approximate else 0
            rows.append(
                {
                    "duty": check.duty,
                    "task": check.plan_task,
                    "expected": check.expected,
                    "planned": check.actual,
                    "done": done[check.duty],
                    "on_time": on_time[check.duty],
                    "approximate": check.approximate,
                    "met": done[check.duty] >= check.expected - tolerance,
                }
            )
        return rows

    def reporting(self) -> list[dict[str, Any]]:
        """The reporting chain (tasks linked by ``mode: all``), per period label.

        Each row: the period, how many reports it has and how they stand, whether
        all were on time, and the consolidating reports' own outcomes.
        """
        consolidating = {
            t.id for t in self.plan.tasks if any(d.mode is DependencyMode.ALL for d in t.after)
        }
        feeding = {d.task for t in self.plan.tasks for d in t.after if d.mode is DependencyMode.ALL}
        chain = consolidating | feeding
        groups = self._grouped(lambda o: o.occurrence.period)
        rows = []
        for period in sorted(groups):
            reports = [o for o in groups[period] if o.occurrence.plan_task in chain]
            if not reports:
                continue
            counts = _counts(reports)
            rows.append(
                {
                    "period": period,
                    **counts,
                    "all_on_time": counts["on_time"] == counts["planned"],
                    "consolidated": [
                        {
                            "duty": o.occurrence.task,
                            "due": o.occurrence.due.isoformat(),
                            "state": o.state.value,
                            "completed": o.completed.isoformat() if o.completed else None,
                            "days_late": o.days_late,
                        }
                        for o in reports
                        if o.occurrence.plan_task in consolidating
                    ],
                }
            )
        return rows

    def workload(self) -> list[dict[str, Any]]:
        """Per unit: occurrences led or coordinated per ISO week (of completion, else due).

        ``peak`` and ``peak_week`` give the busiest week; ``overloaded`` lists the
        weeks above the scenario's ``capacity``.
        """
        weeks: dict[str, Counter[str]] = defaultdict(Counter)
        for o in self.outcomes:
            day = o.completed or o.occurrence.due
            year, week, _ = day.isocalendar()
            label = f"{year}-W{week:02d}"
            lead, coordinators = self.timeline.units_of(self.timeline.duty(o.occurrence.task))
            for unit_id in (lead, *coordinators):
                weeks[unit_id][label] += 1
        rows = []
        for unit in self.plan.units:
            if unit.id not in weeks:
                continue
            per_week = weeks[unit.id]
            peak_week = min(per_week, key=lambda w: (-per_week[w], w))
            rows.append(
                {
                    "unit": unit.id,
                    "peak": per_week[peak_week],
                    "peak_week": peak_week,
                    "weeks": len(per_week),
                    "overloaded": [
                        {"week": w, "load": n}
                        for w, n in sorted(per_week.items())
                        if n > self.capacity
                    ],
                }
            )
        return rows

    def late_chains(self) -> list[dict[str, Any]]:
        """Late or missed occurrences held up by a predecessor, with the chain back to its root."""
        by_key = {o.occurrence.key: o for o in self.outcomes}
        rows = []
        for o in self.outcomes:
            if o.cause is None:
                continue
            chain = [o.occurrence.key]
            cause: tuple[str, int] | None = o.cause
            while cause is not None and cause not in chain:
                chain.append(cause)
                found = by_key.get(cause)
                cause = found.cause if found else None
            chain.reverse()
            rows.append(
                {
                    "occurrence": _key(o.occurrence.key),
                    "state": o.state.value,
                    "days_late": o.days_late,
                    "root": _key(chain[0]),
                    "chain": [_key(k) for k in chain],
                }
            )
        rows.sort(key=_chain_order)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` object (schema in docs/simulation.md)."""
        return {
            "schema": SCHEMA_VERSION,
            "kind": "simulation",
            "plan": self.plan.id,
            "year": self.plan.year,
            "model": self.model,
            "seed": self.seed,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "until": self.until.isoformat() if self.until else None,
            "totals": self.totals(),
            "events": {k.value: self.event_counts.get(k.value, 0) for k in EventKind},
            "tasks": self.by_task(),
            "units": self.by_unit(),
            "quarters": self.by_quarter(),
            "targets": self.targets(),
            "reporting": self.reporting(),
            "workload": self.workload(),
            "late_chains": self.late_chains(),
        }


# --- Monte Carlo ------------------------------------------------------------------------


def _chain_order(row: dict[str, Any]) -> tuple[int, str]:
    """Missed first, then the latest; ties by occurrence."""
    return (-(row["days_late"] or 10**6), row["occurrence"])


def run_seed(base: int, run: int) -> int:
    """The seed of run number ``run`` (0-based): 63 bits of SHA-256 of ``base:run``."""
    digest = hashlib.sha256(f"{base}:{run}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


_WORKER: dict[str, Any] = {}


def _init_worker(plan: Plan, scenario: Scenario | None, start: date, end: date, model: str) -> None:
    _WORKER.update(
        plan=plan, timeline=Timeline(plan), scenario=scenario, start=start, end=end, model=model
    )


def _run_many(base: int, runs: range) -> list[tuple[list[tuple[int, int]], dict[str, int]]]:
    """Runs ``runs`` of the worker's plan: per occurrence ``(state code, days late)``, and
    how many dependents each root task made late."""
    w = _WORKER
    out = []
    codes = {State.DONE: 0, State.LATE: 1, State.MISSED: 2}
    for run in runs:
        result = simulate(
            w["plan"],
            model=w["model"],
            seed=run_seed(base, run),
            scenario=w["scenario"],
            start=w["start"],
            end=w["end"],
            keep_events=False,
            timeline=w["timeline"],
        )
        per_occ = [(codes.get(o.state, 3), o.days_late or 0) for o in result.outcomes]
        roots = Counter(r["root"].rsplit("#", 1)[0] for r in result.late_chains())
        plan_roots: Counter[str] = Counter()
        for duty, n in roots.items():
            plan_roots[result.timeline.duty(duty).task.id] += n
        out.append((per_occ, dict(plan_roots)))
    return out


def _stats(histogram: Counter[int]) -> dict[str, float | int]:
    """mean, p50, p90 and max of a histogram of days late (nearest rank)."""
    total = sum(histogram.values())
    if not total:
        return {"mean": 0.0, "p50": 0, "p90": 0, "max": 0}
    values = sorted(histogram)
    mean = sum(v * n for v, n in histogram.items()) / total

    def rank(q: float) -> int:
        target = max(1, math.ceil(q * total))
        seen = 0
        for v in values:
            seen += histogram[v]
            if seen >= target:
                return v
        return values[-1]

    return {"mean": round(mean, 3), "p50": rank(0.5), "p90": rank(0.9), "max": values[-1]}


@frozen
class MonteCarloResult:
    """N random years: per task and unit, the probability of finishing on time and the
    distribution of lateness (working days; missed occurrences excluded), and the
    tasks that most often make others late."""

    plan: str
    seed: int
    runs: int
    start: date
    end: date
    tasks: list[dict[str, Any]]
    units: list[dict[str, Any]]
    critical: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` object of ``--runs N`` (schema in docs/simulation.md)."""
        return {
            "schema": SCHEMA_VERSION,
            "kind": "monte_carlo",
            "plan": self.plan,
            "model": "random",
            "seed": self.seed,
            "runs": self.runs,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "tasks": self.tasks,
            "units": self.units,
            "critical": self.critical,
        }


def monte_carlo(
    plan: Plan,
    *,
    runs: int,
    seed: int = 0,
    scenario: Scenario | None = None,
    start: date | None = None,
    end: date | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 20,
) -> MonteCarloResult:
    """Repeat a ``random`` year ``runs`` times, run ``r`` with seed ``run_seed(seed, r)``.

    Runs go to ``workers`` processes (default: the CPU count; 1 runs in this
    process). The result does not depend on ``workers``: runs are aggregated in run
    order with integer counts. ``progress(done, runs)`` is called as runs finish.
    """
    start = start or date(plan.year, 1, 1)
    end = end or date(plan.year, 12, 31)
    workers = workers or os.cpu_count() or 1
    init = (plan, scenario, start, end, "random")
    chunks = [range(i, min(i + chunk, runs)) for i in range(0, runs, chunk)]
    results: list[tuple[list[tuple[int, int]], dict[str, int]]] = []
    if workers == 1 or runs <= chunk:
        _init_worker(*init)
        for r in chunks:
            results.extend(_run_many(seed, r))
            if progress:
                progress(len(results), runs)
    else:
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=init
        ) as pool:
            futures = [pool.submit(_run_many, seed, r) for r in chunks]
            for future in futures:
                results.extend(future.result())
                if progress:
                    progress(len(results), runs)
    timeline = Timeline(plan)
    occurrences = [o for o in timeline if start <= o.due <= end]
    return _aggregate(plan, timeline, occurrences, seed, runs, start, end, results)


def _aggregate(
    plan: Plan,
    timeline: Timeline,
    occurrences: list[Occurrence],
    seed: int,
    runs: int,
    start: date,
    end: date,
    results: list[tuple[list[tuple[int, int]], dict[str, int]]],
) -> MonteCarloResult:
    def empty() -> dict[str, Any]:
        return {"n": 0, "on_time": 0, "late": 0, "missed": 0, "hist": Counter()}

    tasks: dict[str, dict[str, Any]] = defaultdict(empty)
    units: dict[str, dict[str, Any]] = defaultdict(empty)
    made_late: Counter[str] = Counter()
    runs_with: Counter[str] = Counter()
    for per_occ, roots in results:
        for occ, (code, late) in zip(occurrences, per_occ, strict=True):
            for bucket in (tasks[occ.plan_task], units[occ.unit]):
                bucket["n"] += 1
                if code == 0:
                    bucket["on_time"] += 1
                    bucket["hist"][0] += 1
                elif code == 1:
                    bucket["late"] += 1
                    bucket["hist"][late] += 1
                elif code == 2:
                    bucket["missed"] += 1
        for task, n in roots.items():
            made_late[task] += n
            runs_with[task] += 1

    def row(name: str, key: str, b: dict[str, Any]) -> dict[str, Any]:
        n = b["n"] or 1
        return {
            key: name,
            "occurrences_per_run": b["n"] // max(runs, 1),
            "p_on_time": round(b["on_time"] / n, 4),
            "p_late": round(b["late"] / n, 4),
            "p_missed": round(b["missed"] / n, 4),
            "lateness": _stats(b["hist"]),
        }

    task_rows = [row(t.id, "task", tasks[t.id]) for t in plan.tasks if t.id in tasks]
    unit_rows = [row(u.id, "unit", units[u.id]) for u in plan.units if u.id in units]
    critical = [
        {
            "task": task,
            "made_late_per_run": round(n / runs, 4),
            "p_any": round(runs_with[task] / runs, 4),
        }
        for task, n in sorted(made_late.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return MonteCarloResult(plan.id, seed, runs, start, end, task_rows, unit_rows, critical)
