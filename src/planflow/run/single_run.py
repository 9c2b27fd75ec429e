"""One simulated year: :func:`simulate` runs the engine with a completion model.

Importable from :mod:`planflow.run.simulation` (where it is documented with the
completion models) and used by :mod:`planflow.run.montecarlo` for each of its runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from planflow.plan.model import Plan
from planflow.run.completion import _model
from planflow.run.engine import CompletionModel, Engine
from planflow.run.events import Event, EventKind
from planflow.run.indicators import Measurements
from planflow.run.results import SimulationResult
from planflow.run.scenarios import Scenario
from planflow.timeline.occurrences import Timeline

__all__ = ["simulate"]


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

    :param model: ``"on-time"``, ``"random"`` or any :class:`~planflow.run.engine.CompletionModel`.
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
    # KPI values: the scenario's, and under the on-time model, values that meet each goal
    measurements = Measurements(scenario.indicators if scenario else {}, reach=model == "on-time")
    # a plugin's model carries the name it was asked for (planflow.hooks.models.PluginModel)
    name = model if isinstance(model, str) else str(getattr(model, "name", type(model).__name__))
    capacity = scenario.capacity if scenario else 5

    def result(stopped: date | None) -> SimulationResult:
        outcomes = [o for o in engine.outcomes() if start <= o.occurrence.due <= end]
        counts = dict(engine.event_counts)
        kept = list(events)
        return SimulationResult(
            plan, timeline, name, seed, start, end, stopped, kept, counts, outcomes, capacity,
            measurements,
        )  # fmt: skip

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
