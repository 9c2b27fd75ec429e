"""The occurrence state machine: properties over generated plans and seeds, and the
states of a small plan worked out by hand."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendar_2025 import add_working
from planflow.plan.loading import loads
from planflow.plan.model import Offset, Plan
from planflow.run._engine_types import Outcome, ReportingWindow, reporting_windows
from planflow.run.engine import Engine, RealClock
from planflow.run.events import FINAL_STATES, Event, EventKind, State, event_id
from planflow.run.simulation import RandomModel, Scenario, simulate
from planflow.timeline.occurrences import Occurrence, Timeline
from plans import docs_example
from rules_plans import HEADER, timeline_of
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


# --- states worked out by hand ---------------------------------------------------
#
# The engine's states at the moments docs/simulation.md names, worked out by hand.
#
# One plan in March 2025 (no holiday that month): six tasks ``b1`` … ``b6``, each due on
# Thursday 13 March (its window's start, Monday 3 March, plus 8 working days) and
# overdue on Friday 14 March, each waiting for its own ``a1`` … ``a6``. The completion
# model does each ``a`` on a chosen day and each ``b`` a chosen number of days after it
# is ready (``b5`` never). ``a4`` alone is due on Wednesday 12 March, so it is the first
# occurrence of the year (index 0).

MARCH = {"start": date(2025, 3, 3), "end": date(2025, 3, 31)}
DUE = date(2025, 3, 13)
DONE_A = {
    "a1": date(2025, 3, 12),  # before b's due date
    "a2": date(2025, 3, 13),  # on it
    "a3": date(2025, 3, 17),  # after b's overdue day
    "a4": date(2025, 3, 12),
    "a5": date(2025, 3, 17),
    "a6": date(2025, 3, 13),
}
DAYS_AFTER_READY = {"b1": 0, "b2": 0, "b3": 0, "b4": 0, "b6": 1}


@attrs.frozen
class Chosen:
    """Each ``a`` on its day of DONE_A, each ``b`` DAYS_AFTER_READY after it is ready."""

    def completion(self, occurrence: Occurrence, ready: date) -> date | None:
        if occurrence.task in DONE_A:
            return DONE_A[occurrence.task]
        if occurrence.task in DAYS_AFTER_READY:
            return ready + timedelta(days=DAYS_AFTER_READY[occurrence.task])
        return None


def _tasks() -> str:
    lines = []
    for k in range(1, 7):
        end = "2025-03-12" if k == 4 else "2025-03-31"
        lines.append(
            f'  - {{id: a{k}, title: "A", lead: u, window: {{start: 2025-03-03, end: {end}}}, '
            "shift: keep}\n"
            f'  - {{id: b{k}, title: "B", lead: v, window: {{start: 2025-03-03, end: 2025-03-31}}, '
            f"dates: [2025-03-03], due: +8 working days, shift: keep, after: [a{k}]}}\n"
        )
    return "".join(lines)


TIMELINE = timeline_of(_tasks())


def _by_key(events: list[Event], kind: EventKind) -> dict[str, Event]:
    return {e.task: e for e in events if e.kind is kind}


def test_the_plan_is_as_described() -> None:
    """The oracle for the dates: the hand-written 2025 calendar."""
    assert add_working(MARCH["start"], 8) == DUE
    for k in range(1, 7):
        (b,) = TIMELINE.occurrences(f"b{k}")
        assert (b.start, b.due) == (MARCH["start"], DUE)
    events = list(Engine(TIMELINE, model=Chosen()).run())
    assert _by_key(events, EventKind.OVERDUE)["b5"].time == date(2025, 3, 14)


def test_an_unblocked_occurrence_takes_the_state_the_clock_says() -> None:
    """docs/simulation.md: blocked ──unblocked──▶ open, due or overdue, as the clock
    says. Unblocked on 12 March (before the due date): open; on 13 March after the
    ``due`` event: due; on 17 March (after the overdue day): overdue."""
    events = list(Engine(TIMELINE, model=Chosen()).run())
    unblocked = _by_key(events, EventKind.UNBLOCKED)
    assert {k: (e.time, e.state) for k, e in unblocked.items()} == {
        "b1": (date(2025, 3, 12), State.OPEN),
        "b2": (date(2025, 3, 13), State.DUE),
        "b3": (date(2025, 3, 17), State.OVERDUE),
        "b4": (date(2025, 3, 12), State.OPEN),
        "b5": (date(2025, 3, 17), State.OVERDUE),
        "b6": (date(2025, 3, 13), State.DUE),
    }


def test_the_quiet_engine_unblocks_into_the_same_states() -> None:
    """The same states from the fast loop, read at the end of each day (a ``b``
    done on the day it is ready is done by then, so only b5 and a model that never
    does anything show the state)."""

    @attrs.frozen
    class OnlyA:
        def completion(self, occurrence: Occurrence, ready: date) -> date | None:
            return DONE_A.get(occurrence.task)

    expected = {
        date(2025, 3, 12): {"b1": State.OPEN, "b4": State.OPEN, "b2": State.BLOCKED},
        date(2025, 3, 13): {"b2": State.DUE, "b6": State.DUE, "b3": State.BLOCKED},
        date(2025, 3, 17): {"b3": State.OVERDUE, "b5": State.OVERDUE},
    }
    index = {occ.task: i for i, occ in enumerate(Engine(TIMELINE).occurrences)}
    for day, states in expected.items():
        for quiet in (False, True):
            engine = Engine(TIMELINE, model=OnlyA(), quiet=quiet)
            list(engine.run(until=day))
            assert {k: engine.state[index[k]] for k in states} == states, (day, quiet)


def _outcome(task: str, state: State, completed: date | None, late: int | None, **kw) -> Outcome:
    (occ,) = TIMELINE.occurrences(task)
    kw.setdefault("ready", None)
    return Outcome(
        occ, state, completed, late, kw["ready"], kw.get("cause"), kw.get("skipped", False)
    )


def test_outcomes_name_the_predecessor_only_when_it_held_the_occurrence_past_its_due_date() -> None:
    """b3 is ready on 17 March, after its due date, and done then: late by 2 working
    days (14 and 17 March) because of a3. b6 is ready on its due date and done a day
    later: late by 1, by itself. b5 is ready late but the model never does it: missed
    when the year ends, by itself (skipped). b4 waits for a4, the first occurrence of
    the year (index 0)."""
    engine = Engine(TIMELINE, model=Chosen())
    list(engine.run())
    assert engine.occurrences[0].task == "a4"
    outcomes = {o.occurrence.task: o for o in engine.outcomes()}
    assert outcomes == {
        "a1": _outcome("a1", State.DONE, date(2025, 3, 12), 0),
        "a2": _outcome("a2", State.DONE, date(2025, 3, 13), 0),
        "a3": _outcome("a3", State.DONE, date(2025, 3, 17), 0),
        "a4": _outcome("a4", State.DONE, date(2025, 3, 12), 0),
        "a5": _outcome("a5", State.DONE, date(2025, 3, 17), 0),
        "a6": _outcome("a6", State.DONE, date(2025, 3, 13), 0),
        "b1": _outcome("b1", State.DONE, date(2025, 3, 12), 0, ready=date(2025, 3, 12)),
        "b2": _outcome("b2", State.DONE, DUE, 0, ready=DUE),
        "b3": _outcome(
            "b3", State.LATE, date(2025, 3, 17), 2, ready=date(2025, 3, 17), cause=("a3", 1)
        ),
        "b4": _outcome("b4", State.DONE, date(2025, 3, 12), 0, ready=date(2025, 3, 12)),
        "b5": _outcome("b5", State.MISSED, None, None, ready=date(2025, 3, 17), skipped=True),
        "b6": _outcome("b6", State.LATE, date(2025, 3, 14), 1, ready=DUE),
    }


def test_given_reporting_windows_close_with_the_states_due_in_them() -> None:
    """A window given to the engine replaces the plan's: 13 to 31 March closes on 31
    March counting the occurrences due on its first day (the six b: done b1, b2, b4;
    late b3, b6; b5 overdue) and on its last (a1, a2, a3, a5, a6 done), not a4 (due
    12 March). Every event also reaches ``on_event``, in order."""
    seen: list[Event] = []
    window = ReportingWindow("m3", "Tháng 3", DUE, date(2025, 3, 31))
    engine = Engine(TIMELINE, model=Chosen(), on_event=seen.append, periods=[window])
    events = list(engine.run())
    assert seen == events
    closed = [e for e in events if e.kind is EventKind.PERIOD_CLOSED]
    assert [(e.plan, e.task, e.period, e.time, e.counts) for e in closed] == [
        ("t", "m3", "Tháng 3", date(2025, 3, 31), (("done", 8), ("late", 2), ("overdue", 1)))
    ]
    assert engine.event_counts["period_closed"] == 1


def test_reporting_windows_are_the_plans_or_the_quarters_and_the_year() -> None:
    """Without ``reporting_periods``: Q1 … Q4 of 2025 and the year, by hand; with them,
    the plan's own, names kept."""
    assert reporting_windows(TIMELINE) == (
        ReportingWindow("q1", "Q1", date(2025, 1, 1), date(2025, 3, 31)),
        ReportingWindow("q2", "Q2", date(2025, 4, 1), date(2025, 6, 30)),
        ReportingWindow("q3", "Q3", date(2025, 7, 1), date(2025, 9, 30)),
        ReportingWindow("q4", "Q4", date(2025, 10, 1), date(2025, 12, 31)),
        ReportingWindow("year", "2025", date(2025, 1, 1), date(2025, 12, 31)),
    )
    text = (
        HEADER
        + "reporting_periods:\n"
        + '  - {id: h1, name: "6 tháng đầu năm", start: 2025-01-01, end: 2025-06-30}\n'
        + "tasks:\n"
        + _tasks()
    )
    own = Timeline(loads(text, file="plan.yaml").plan)
    assert reporting_windows(own) == (
        ReportingWindow("h1", "6 tháng đầu năm", date(2025, 1, 1), date(2025, 6, 30)),
    )
    assert Counter(e.kind for e in Engine(own).run())[EventKind.PERIOD_CLOSED] == 1


def test_a_calendar_day_lag_counts_every_day() -> None:
    """``lag: +3 days`` (not working days): a predecessor done on Wednesday 5 March
    2025 lets its successor go on Saturday 8 March; ``+2 working days`` on Friday 7."""
    timeline = timeline_of(
        '  - {id: a, title: "A", lead: u, window: {start: 2025-03-03, end: 2025-03-31}, '
        "shift: keep}\n"
        '  - {id: b, title: "B", lead: v, window: {start: 2025-03-03, end: 2025-03-31}, '
        "shift: keep, after: [{task: a, lag: +3 days}]}\n"
        '  - {id: c, title: "C", lead: v, window: {start: 2025-03-03, end: 2025-03-31}, '
        "shift: keep, after: [{task: a, lag: +2 working days}]}\n"
        '  - {id: d, title: "D", lead: v, window: {start: 2025-03-07, end: 2025-03-31}, '
        "shift: keep, after: [{task: a, lag: +2 working days}]}\n"
    )

    @attrs.frozen
    class AOnTheFifth:
        def completion(self, occurrence: Occurrence, ready: date) -> date | None:
            return date(2025, 3, 5) if occurrence.task == "a" else None

    events = list(Engine(timeline, model=AOnTheFifth()).run())
    unblocked = _by_key(events, EventKind.UNBLOCKED)
    assert {k: e.time for k, e in unblocked.items()} == {
        "b": date(2025, 3, 8),
        "c": date(2025, 3, 7),
    }
    # d opens on Friday 7 March, the day a (plus lag) lets it go: open at once, never
    # blocked, so it is never unblocked
    opened = _by_key(events, EventKind.OPENED)
    assert (opened["d"].time, opened["d"].state) == (date(2025, 3, 7), State.OPEN)


def test_the_first_predecessor_done_holds_an_occurrence_when_two_finish_together() -> None:
    """y waits for x0 (the year's first occurrence, due 10 March) and x1; both are done
    on Monday 17 March, after y's due date (13 March): y is late by 2 working days and
    its cause is the first of them in timeline order, x0, in both engines."""
    timeline = timeline_of(
        '  - {id: x0, title: "X", lead: u, window: {start: 2025-03-03, end: 2025-03-10}, '
        "shift: keep}\n"
        '  - {id: x1, title: "X", lead: u, window: {start: 2025-03-03, end: 2025-03-11}, '
        "shift: keep}\n"
        '  - {id: y, title: "Y", lead: v, window: {start: 2025-03-03, end: 2025-03-31}, '
        "dates: [2025-03-03], due: +8 working days, shift: keep, after: [x0, x1]}\n"
    )

    @attrs.frozen
    class XOnThe17th:
        def completion(self, occurrence: Occurrence, ready: date) -> date | None:
            return date(2025, 3, 17) if occurrence.task.startswith("x") else ready

    for quiet in (False, True):
        engine = Engine(timeline, model=XOnThe17th(), quiet=quiet)
        list(engine.run())
        assert engine.occurrences[0].task == "x0"
        (y,) = timeline.occurrences("y")
        assert engine.outcomes()[-1] == Outcome(
            y, State.LATE, date(2025, 3, 17), 2, date(2025, 3, 17), ("x0", 1), False
        )
        assert engine.snapshot()["occurrences"]["y#1"]["waiting_on"] == "x0#1"


def test_a_closed_period_event_is_identified_by_the_plan_and_the_period() -> None:
    """The ``period_closed`` event of window m3: its stable id is the one
    :func:`event_id` gives for (plan, ``period:m3``, 0, period_closed), index 0, and
    it spans the window."""
    window = ReportingWindow("m3", "Tháng 3", DUE, date(2025, 3, 31))
    events = list(Engine(TIMELINE, model=Chosen(), periods=[window]).run())
    (closed,) = [e for e in events if e.kind is EventKind.PERIOD_CLOSED]
    assert closed.id == event_id("t", "period:m3", 0, EventKind.PERIOD_CLOSED)
    assert closed.id != event_id("t", "period:m3", 1, EventKind.PERIOD_CLOSED)
    assert (closed.index, closed.start, closed.due) == (0, DUE, date(2025, 3, 31))


def test_an_event_carries_the_occurrence_it_is_about() -> None:
    """Task r, led by group g member by member (u, v) with w coordinating, one date,
    Monday 10 March 2025, labelled by month: u's duty r@u opens that day, and its
    event names the plan, the duty, the plan task, the period ``2025-03``, the dates,
    the lead and the coordinators (docs/simulation.md, the event fields)."""
    timeline = timeline_of(
        '  - {id: r, title: "R", lead: g, coordinators: [w], window: {start: 2025-03-03, '
        "end: 2025-03-31}, dates: [2025-03-10], period: month, shift: keep}\n"
    )
    events = Engine(timeline).run()
    first = next(e for e in events if e.kind is EventKind.OPENED and e.task == "r@u")
    assert first == Event(
        id=event_id("t", "r@u", 1, EventKind.OPENED),
        kind=EventKind.OPENED,
        time=date(2025, 3, 10),
        plan="t",
        task="r@u",
        index=1,
        plan_task="r",
        period="2025-03",
        start=date(2025, 3, 10),
        due=date(2025, 3, 10),
        unit="u",
        coordinators=("w",),
        state=State.OPEN,
    )
    assert first.id != event_id("", "r@u", 1, EventKind.OPENED)


def test_the_engine_index_lists_the_timeline_in_order() -> None:
    """Ordered by start, then due date, then duty: all start on 3 March; a4 is due on
    12 March, the six b on 13 March, the other a on 31 March. An unknown occurrence
    is a KeyError naming it."""
    index = Engine(timeline_of(_tasks())).index  # a new timeline: its layout is built here
    keys = [("a4", 1)] + [(f"b{k}", 1) for k in range(1, 7)]
    keys += [(f"a{k}", 1) for k in (1, 2, 3, 5, 6)]
    assert list(index) == keys
    assert len(index) == 12
    assert [index[k] for k in keys] == list(range(12))
    for unknown in [("a1", 2), ("a1", 0), ("zz", 1)]:
        with pytest.raises(KeyError) as raised:
            index[unknown]
        assert raised.value.args == (unknown,)


def test_the_quiet_engine_runs_without_a_model_and_counts_from_a_day() -> None:
    """No completion model: nothing is done, and the quiet engine counts what the loud
    one emits. From 12 March on (``count_from``): the six b are unblocked on 12, 13
    and 17 March, all counted. Without a model everything is missed on 31 December,
    in timeline order: only b4 comes after its predecessor (a4, the first), so only
    b4 is unblocked (by a4's miss) before it is missed itself."""
    for model in (None, Chosen()):
        loud = Engine(TIMELINE, model=model, count_from=date(2025, 3, 12))
        emitted = Counter(e.kind.value for e in loud.run() if e.time >= date(2025, 3, 12))
        quiet = Engine(TIMELINE, model=model, quiet=True, count_from=date(2025, 3, 12))
        list(quiet.run())
        assert quiet.event_counts == emitted == loud.event_counts
        assert quiet.state == loud.state
        assert emitted["unblocked"] == (6 if model else 1)


def test_a_completion_answered_for_a_day_already_past_is_done_that_day() -> None:
    """A model that answers 1 January for everything: each occurrence is done the day
    it is asked (when it opens, or is unblocked), in both engines."""

    @attrs.frozen
    class NewYear:
        def completion(self, occurrence: Occurrence, ready: date) -> date | None:
            return date(2025, 1, 1)

    for quiet in (False, True):
        engine = Engine(TIMELINE, model=NewYear(), quiet=quiet)
        list(engine.run())
        done = {o.occurrence.task: o.completed for o in engine.outcomes()}
        assert done == {
            **{f"a{k}": date(2025, 3, 3) for k in range(1, 7)},
            **{f"b{k}": date(2025, 3, 3) for k in range(1, 7)},
        }


def test_the_latest_predecessor_plus_lag_decides_when_an_occurrence_is_ready() -> None:
    """y waits for p (done Monday 10 March, lag +5 days: 15 March) and q (done Tuesday
    11 March, no lag: 11 March): ready on Saturday 15 March, the later, in both
    engines, even though q is done after p."""
    timeline = timeline_of(
        '  - {id: p, title: "P", lead: u, window: {start: 2025-03-03, end: 2025-03-31}, '
        "shift: keep}\n"
        '  - {id: q, title: "Q", lead: u, window: {start: 2025-03-03, end: 2025-03-31}, '
        "shift: keep}\n"
        '  - {id: y, title: "Y", lead: v, window: {start: 2025-03-03, end: 2025-03-31}, '
        "shift: keep, after: [{task: p, lag: +5 days}, q]}\n"
    )
    days = {"p": date(2025, 3, 10), "q": date(2025, 3, 11)}

    @attrs.frozen
    class PQ:
        def completion(self, occurrence: Occurrence, ready: date) -> date | None:
            return days.get(occurrence.task, ready)

    for quiet in (False, True):
        engine = Engine(timeline, model=PQ(), quiet=quiet)
        list(engine.run())
        (y,) = [o for o in engine.outcomes() if o.occurrence.task == "y"]
        assert (y.ready, y.completed, y.state) == (date(2025, 3, 15), date(2025, 3, 15), State.DONE)


def test_an_engine_with_nothing_to_do_restores_and_runs() -> None:
    """A rule that yields nothing in its window (February dates in a January window)
    and no reporting window: nothing happens, before or after a restore."""
    timeline = timeline_of(
        '  - {id: n, title: "N", lead: u, window: {start: 2025-01-06, end: 2025-01-31}, '
        'recurrence: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=3"}\n'
    )
    assert list(timeline) == []
    for quiet in (False, True):
        engine = Engine(timeline, periods=[], quiet=quiet)
        engine.restore(Engine(timeline, periods=[]).snapshot())
        assert list(engine.run()) == []
        assert engine.event_counts == Counter()


def test_an_occurrence_unblocked_by_a_miss_the_day_before_its_due_date_is_open() -> None:
    """a is daily from Tuesday 11 March 2025; nothing is ever done, so a's 11 March
    occurrence is missed on 12 March, when the next one is due. b waits for a's
    occurrence of its own day (11 March) and is due 2 working days after it, on 13
    March: unblocked on the evening of 12 March, it is open, not yet due."""
    timeline = timeline_of(
        '  - {id: a, title: "A", lead: u, window: {start: 2025-03-11, end: 2025-03-14}, '
        "recurrence: daily, period: day, shift: keep}\n"
        '  - {id: b, title: "B", lead: v, window: {start: 2025-03-11, end: 2025-03-31}, '
        "dates: [2025-03-11], due: +2 working days, period: day, shift: keep, "
        "after: [{task: a, mode: same-period}]}\n"
    )
    (b,) = timeline.occurrences("b")
    assert b.due == date(2025, 3, 13)
    events = list(Engine(timeline).run(until=date(2025, 3, 12)))
    (unblocked,) = [e for e in events if e.kind is EventKind.UNBLOCKED]
    assert (unblocked.task, unblocked.time, unblocked.state) == ("b", date(2025, 3, 12), State.OPEN)
    quiet = Engine(timeline, quiet=True)
    list(quiet.run(until=date(2025, 3, 12)))
    assert quiet.state[quiet.index[("b", 1)]] is State.OPEN


def test_the_quiet_engine_stops_on_any_day_exactly_where_the_loud_one_does() -> None:
    """Stopped on every day of March, then run on a day at a time: the quiet engine's
    snapshot (states, the day and phase it stopped at, what is still queued) is the
    loud engine's, for done-early, late, skipped and unblocked occurrences alike."""
    days = [date(2025, 3, 1) + timedelta(days=n) for n in range(32)] + [date(2025, 12, 31)]
    for model in (Chosen(), None):
        loud = Engine(TIMELINE, model=model)
        quiet = Engine(TIMELINE, model=model, quiet=True)
        for day in days:
            list(loud.run(until=day))
            list(quiet.run(until=day))
            assert quiet.snapshot() == loud.snapshot(), day
            assert quiet.event_counts == loud.event_counts, day
