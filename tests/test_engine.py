"""The occurrence state machine: properties over generated plans and seeds."""

from __future__ import annotations

from datetime import date

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planflow.plan.loading import loads
from planflow.plan.model import Offset, Plan
from planflow.run.engine import Engine, RealClock
from planflow.run.events import FINAL_STATES, Event, EventKind, State, event_id
from planflow.run.simulation import RandomModel, Scenario, simulate
from planflow.timeline.occurrences import Timeline
from plans import docs_example
from strategies import plans


@pytest.fixture(scope="module")
def docs_plan() -> Plan:
    """The complete small example of docs/plan-format.md."""
    return loads(docs_example(), file="plan.yaml").plan


TERMINAL = {EventKind.COMPLETED, EventKind.LATE, EventKind.MISSED}


def _lag_ready(timeline: Timeline, day: date, lag: Offset) -> date:
    if lag.days == 0:
        return day
    if lag.working:
        return timeline.calendar.add_working_days(day, lag.days)
    return date.fromordinal(day.toordinal() + lag.days)


# the strategy's day notes may have empty reasons, which the working-day calendar refuses
_plans = plans().map(lambda p: attrs.evolve(p, days_off=(), working_days=()))


def _run(plan: Plan, seed: int) -> tuple[list[Event], Engine]:
    timeline = Timeline(plan)
    engine = Engine(timeline, model=RandomModel(timeline, Scenario(), seed))
    return list(engine.run()), engine


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_plans, st.integers(0, 2**32))
def test_state_machine_properties(plan: Plan, seed: int) -> None:
    """Final states, dependency order, event order and stable unique ids hold for any plan."""
    events, engine = _run(plan, seed)
    timeline = engine.timeline
    # exactly one final state and exactly one terminal event per occurrence
    terminal: dict[tuple[str, int], list[EventKind]] = {}
    for e in events:
        if e.kind in TERMINAL:
            terminal.setdefault(e.key, []).append(e.kind)
    for i, occ in enumerate(engine.occurrences):
        assert engine.state[i] in FINAL_STATES
        assert len(terminal.get(occ.key, [])) == 1
    # nothing completes before what it waits for (plus lag)
    released = {}
    for o in engine.outcomes():
        released[o.occurrence.key] = o
    missed_at = {e.key: e.time for e in events if e.kind is EventKind.MISSED}
    for o in engine.outcomes():
        if o.completed is None:
            continue
        for key in o.occurrence.waits_for:
            pred = timeline.get(key)
            pred_out = released[key]
            when = pred_out.completed or missed_at[key]
            lag = timeline.lag_of(o.occurrence, pred)
            assert o.completed >= _lag_ready(timeline, when, lag)
    # time order, unique ids, identical across identical runs
    times = [e.time for e in events]
    assert times == sorted(times)
    ids = [e.id for e in events]
    assert len(ids) == len(set(ids))
    again, _ = _run(plan, seed)
    assert [e.id for e in again] == ids
    assert again == events


def test_event_id_is_stable() -> None:
    """The id depends on plan, occurrence and kind only."""
    a = event_id("p", "t@u", 3, EventKind.DUE)
    assert a == event_id("p", "t@u", 3, "due")
    assert len(a) == 16
    assert a != event_id("p", "t@u", 3, EventKind.REMINDER)
    assert a != event_id("p", "t@u", 4, EventKind.DUE)
    assert a != event_id("q", "t@u", 3, EventKind.DUE)


def test_event_round_trips_through_dict(docs_plan: Plan) -> None:
    """Event.to_dict / from_dict are inverses."""
    result = simulate(docs_plan)
    for e in result.events:
        assert Event.from_dict(e.to_dict()) == e


def test_snapshot_restore_continues_identically(docs_plan: Plan) -> None:
    """A run stopped, snapshotted (JSON) and restored goes on exactly like one that was not."""
    import json

    timeline = Timeline(docs_plan)
    whole = list(Engine(timeline, model=RandomModel(timeline, seed=4)).run())
    first = Engine(timeline, model=RandomModel(timeline, seed=4))
    head = list(first.run(until=date(2025, 5, 1)))
    state = json.loads(json.dumps(first.snapshot()))
    second = Engine(timeline, model=RandomModel(timeline, seed=4))
    second.restore(state)
    assert head + list(second.run()) == whole


def test_real_clock_waits_and_external_completion(docs_plan: Plan) -> None:
    """A real run sleeps until each date and takes completions from outside."""
    now = [date(2025, 1, 1)]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] = date.fromordinal(now[0].toordinal() + 1)

    engine = Engine(Timeline(docs_plan))
    clock = RealClock(today=lambda: now[0], sleep=sleep)
    key = engine.occurrences[0].key
    engine.complete(key, engine.occurrences[0].due)
    events = list(engine.run(until=date(2025, 2, 10), clock=clock))
    assert slept
    assert any(e.key == key and e.kind is EventKind.COMPLETED for e in events)
    # nobody reported the others: they go overdue, not done
    assert State.OVERDUE in engine.state
