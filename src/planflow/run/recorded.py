"""The recorded year: the engine replayed on the real completions, up to a day.

A real run does not keep the engine in memory between days: each ``planflow run``
(and each ``planflow status``) replays the plan's year from 1 January with the
completions recorded so far, up to today. The replay is deterministic, so the same
records give the same states and the same events (with the same stable ids) every
time, and a run knows what is new by the ids it has not recorded yet.

``replay(timeline, {("news", 3): date(2025, 3, 27)}, until=date(2025, 4, 1))``
gives every event up to 1 April and a :class:`~planflow.run.results.SimulationResult`
of the recorded state (``model == "recorded"``), the same object a simulation
returns, so every report works on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from attrs import frozen

from planflow.run.engine import Engine
from planflow.run.events import FINAL_STATES, Event, State
from planflow.run.indicators import Measurements
from planflow.run.results import SimulationResult
from planflow.timeline.occurrences import Occurrence, Timeline

__all__ = ["Replay", "replay"]


@frozen
class Replay:
    """The year as recorded, up to ``until``."""

    until: date
    events: list[Event]
    result: SimulationResult
    states: dict[tuple[str, int], State]
    unknown: tuple[tuple[str, int], ...]
    """Completions whose occurrence is not in the timeline (left out of the replay)."""

    def blocked_by(self, occurrence: Occurrence) -> list[tuple[str, int]]:
        """What ``occurrence`` still waits for: its predecessors that are not final."""
        return [k for k in occurrence.waits_for if self.states.get(k) not in FINAL_STATES]


def replay(
    timeline: Timeline,
    completions: Mapping[tuple[str, int], date],
    *,
    until: date,
    capacity: int = 5,
    measurements: Measurements | None = None,
) -> Replay:
    """Replay ``timeline`` with ``completions`` (``(duty, index) → day``) up to ``until``;
    ``measurements`` are the indicator values the units reported (judged by the result)."""
    plan = timeline.plan
    engine = Engine(timeline)
    unknown = []
    for key, day in sorted(completions.items()):
        if key in engine.index:
            engine.complete(key, day)
        else:
            unknown.append(key)
    events = list(engine.run(until=until))
    outcomes = engine.outcomes()
    counts: dict[str, int] = {}
    for event in events:
        counts[event.kind.value] = counts.get(event.kind.value, 0) + 1
    result = SimulationResult(
        plan,
        timeline,
        "recorded",
        0,
        date(plan.year, 1, 1),
        date(plan.year, 12, 31),
        until,
        events,
        counts,
        outcomes,
        capacity,
        measurements or Measurements(),
    )
    states = {o.occurrence.key: o.state for o in outcomes}
    return Replay(until, events, result, states, tuple(unknown))
