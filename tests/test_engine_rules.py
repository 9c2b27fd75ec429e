"""When the engine's events happen, as docs/simulation.md states it.

The dates come from the hand-written 2025 calendar in ``calendar_2025``; the quiet
engine (Monte Carlo's fast loop) is checked against the engine that emits events.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from itertools import pairwise

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendar_2025 import add_working, next_working
from planflow.plan.loading import load
from planflow.plan.model import Plan
from planflow.run.engine import Engine, RealClock, SimulatedClock
from planflow.run.events import Event, EventKind, State
from planflow.run.simulation import RandomModel, Scenario
from planflow.timeline.occurrences import Occurrence, Timeline
from plans import EXAMPLE_DIR
from rules_plans import timeline_of
from strategies import plans


@attrs.frozen
class Never:
    """Nothing ever gets done."""

    def completion(self, occurrence: Occurrence, ready: date) -> date | None:
        return None


@attrs.frozen
class DaysAfterDue:
    """Done ``days`` calendar days after the due date (not before it is ready)."""

    days: int = 0

    def completion(self, occurrence: Occurrence, ready: date) -> date | None:
        return max(ready, occurrence.due + timedelta(days=self.days))


def _events(timeline: Timeline, model: object) -> list[Event]:
    return list(Engine(timeline, model=model).run())  # type: ignore[arg-type]


def _by_kind(events: list[Event], kind: EventKind) -> dict[tuple[str, int], Event]:
    found = {}
    for e in events:
        if e.kind is kind:
            assert e.key not in found, e
            found[e.key] = e
    return found


MONTHLY = 'window: 2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=10"'


def test_opened_event_falls_back_to_the_due_date_when_that_is_earlier() -> None:
    """A report due 2 working days before its date opens on its due date; others on
    their start."""
    timeline = timeline_of(f"""
  - {{id: early, title: "Trước", lead: u, {MONTHLY}, shift: keep, due: -2 working days}}
  - {{id: plain, title: "Thường", lead: u, window: Q1/2025}}
""")
    events = _events(timeline, DaysAfterDue())
    opened = _by_kind(events, EventKind.OPENED)
    for occ in timeline.occurrences("early"):
        assert occ.due == add_working(occ.nominal, -2) < occ.start
        assert opened[occ.key].time == occ.due
        assert opened[occ.key].state is State.OPEN
    assert opened[("plain", 1)].time == date(2025, 1, 1)


def test_reminders_come_working_days_before_the_due_date_not_before_1_january() -> None:
    """``task.reminder`` else ``calendar.reminder``; in working or calendar days."""
    timeline = timeline_of(
        f"""
  - {{id: plan, title: "Mặc định", lead: u, {MONTHLY}}}
  - {{id: own, title: "Riêng", lead: u, {MONTHLY}, reminder: 5 working days}}
  - {{id: days, title: "Ngày lịch", lead: u, {MONTHLY}, reminder: 4 days}}
  - {{id: jan, title: "Đầu năm", lead: u, window: 2025, dates: [2025-01-03]}}
""",
        calendar="{reminder: 2 working days}",
    )
    reminders = _by_kind(_events(timeline, Never()), EventKind.REMINDER)
    for task, back in (("plan", 2), ("own", 5)):
        for occ in timeline.occurrences(task):
            assert reminders[occ.key].time == max(add_working(occ.due, -back), date(2025, 1, 1))
    for occ in timeline.occurrences("days"):
        assert reminders[occ.key].time == max(occ.due - timedelta(days=4), date(2025, 1, 1))
    # due Friday 3 January; two working days before is 31 December 2024: 1 January instead
    assert reminders[("jan", 1)].time == date(2025, 1, 1)


def test_due_overdue_and_missed_when_nothing_gets_done() -> None:
    """``due`` on the due date, ``overdue`` the working day after it, ``missed`` when the
    duty's next occurrence is due (or on 31 December for the last one)."""
    timeline = timeline_of(f"""
  - {{id: m, title: "Tháng", lead: u, {MONTHLY}}}
""")
    events = _events(timeline, Never())
    due = _by_kind(events, EventKind.DUE)
    overdue = _by_kind(events, EventKind.OVERDUE)
    missed = _by_kind(events, EventKind.MISSED)
    occurrences = timeline.occurrences("m")
    for occ, following in zip(occurrences, [*occurrences[1:], None], strict=True):
        assert due[occ.key].time == occ.due
        assert overdue[occ.key].time == next_working(occ.due + timedelta(days=1))
        assert missed[occ.key].time == (following.due if following else date(2025, 12, 31))
        assert missed[occ.key].state is State.MISSED
    # 10 May 2025 is a Saturday: due Friday 9 May, overdue Monday 12 May
    may = occurrences[4]
    assert (due[may.key].time, overdue[may.key].time) == (date(2025, 5, 9), date(2025, 5, 12))
    # 10 January is a Friday before Tết: overdue on Monday 13 January
    assert overdue[occurrences[0].key].time == date(2025, 1, 13)


def test_missed_never_comes_before_the_due_date() -> None:
    """Friday, Saturday and Sunday all move to Friday: the next occurrence is due the
    same day, so the missed event comes on the due date, after ``due``."""
    timeline = timeline_of("""
  - {id: d, title: "Ngày", lead: u, window: "2025-03-07..2025-03-09", recurrence: daily}
""")
    events = _events(timeline, Never())
    kinds = [(e.kind, e.index) for e in events if e.time == date(2025, 3, 7)]
    assert kinds.index((EventKind.DUE, 1)) < kinds.index((EventKind.MISSED, 1))
    assert _by_kind(events, EventKind.MISSED)[("d", 2)].time == date(2025, 3, 7)


@pytest.mark.parametrize(("days", "late"), [(0, 0), (1, 1), (3, 1), (4, 2), (10, 6)])
def test_completed_or_late_with_working_days_late(days: int, late: int) -> None:
    """Done on the due date: ``completed``; after it: ``late``, ``days_late`` in working
    days (due Friday 14 March: +3 days is Monday, 1 working day; +10 days is 6)."""
    timeline = timeline_of("""
  - {id: r, title: "Báo cáo", lead: u, window: 2025, dates: [2025-03-14]}
""")
    events = _events(timeline, DaysAfterDue(days))
    kind = EventKind.COMPLETED if days == 0 else EventKind.LATE
    (done,) = (e for e in events if e.kind in {EventKind.COMPLETED, EventKind.LATE})
    assert (done.kind, done.time, done.days_late) == (kind, date(2025, 3, 14 + days), late)
    engine = Engine(timeline, model=DaysAfterDue(days))
    list(engine.run())
    (outcome,) = engine.outcomes()
    assert (outcome.completed, outcome.days_late, outcome.on_time) == (
        date(2025, 3, 14 + days),
        late,
        days == 0,
    )


def test_blocked_until_the_predecessor_is_done_plus_lag() -> None:
    """An occurrence that opens while its predecessor is not done is ``blocked``, and
    ``unblocked`` when the predecessor is done plus the lag."""
    timeline = timeline_of("""
  - {id: a, title: "A", lead: u, window: Q1/2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=14", shift: keep}
  - id: b
    title: "B"
    lead: v
    window: Q1/2025
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=1"
    due: +15 working days
    after: [{task: a, mode: same-period, lag: +2 working days}]
""")
    events = _events(timeline, DaysAfterDue(0))
    opened = _by_kind(events, EventKind.OPENED)
    unblocked = _by_kind(events, EventKind.UNBLOCKED)
    for a, b in zip(timeline.occurrences("a"), timeline.occurrences("b"), strict=True):
        assert opened[b.key].state is State.BLOCKED
        assert unblocked[b.key].time == add_working(a.due, 2)
        assert opened[a.key].state is State.OPEN
    assert ("a", 1) not in unblocked


def test_periods_close_at_the_end_of_each_quarter_and_the_year() -> None:
    """Without ``reporting_periods``: the four quarters and the year, each counting the
    states of the occurrences due in it."""
    timeline = timeline_of(f"""
  - {{id: m, title: "Tháng", lead: u, {MONTHLY}}}
""")
    events = _events(timeline, DaysAfterDue(0))
    closed = [(e.task, e.time, e.counts) for e in events if e.kind is EventKind.PERIOD_CLOSED]
    assert closed == [
        ("q1", date(2025, 3, 31), (("done", 3),)),
        ("q2", date(2025, 6, 30), (("done", 3),)),
        ("q3", date(2025, 9, 30), (("done", 3),)),
        ("q4", date(2025, 12, 31), (("done", 3),)),
        ("year", date(2025, 12, 31), (("done", 12),)),
    ]


DAY_ORDER = (
    (EventKind.OPENED,),
    (EventKind.UNBLOCKED,),
    (EventKind.REMINDER,),
    (EventKind.DUE,),
    (EventKind.COMPLETED, EventKind.LATE),
    (EventKind.OVERDUE,),
    (EventKind.MISSED,),
    (EventKind.PERIOD_CLOSED,),
)


def test_events_of_a_day_come_in_the_documented_order() -> None:
    """opened, unblocked, reminder, due, completed/late, overdue, missed, period_closed."""
    rank = {kind: i for i, kinds in enumerate(DAY_ORDER) for kind in kinds}
    loaded = load(EXAMPLE_DIR)
    timeline = Timeline(loaded.plan)
    events = _events(timeline, RandomModel(timeline, Scenario(), 7))
    assert Counter(e.kind for e in events)[EventKind.LATE] > 0
    for before, after in pairwise(events):
        if before.time == after.time:
            assert rank[before.kind] <= rank[after.kind], (before, after)


def _quiet_matches_loud(
    plan: Plan, model: object, until: date | None = None, count_from: date | None = None
) -> None:
    loud = Engine(Timeline(plan), model=model, count_from=count_from)  # type: ignore[arg-type]
    emitted = list(loud.run(until))
    quiet = Engine(Timeline(plan), model=model, quiet=True, count_from=count_from)  # type: ignore[arg-type]
    assert list(quiet.run(until)) == []
    counted = [e for e in emitted if count_from is None or e.time >= count_from]
    assert quiet.event_counts == Counter(e.kind.value for e in counted) == loud.event_counts
    assert quiet.state == loud.state
    assert quiet.outcomes() == loud.outcomes()
    assert quiet.snapshot() == loud.snapshot()


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    ("until", "count_from"),
    [(None, None), (date(2025, 6, 15), None), (None, date(2025, 3, 31))],
)
def test_quiet_engine_matches_the_engine_that_emits_events(
    seed: int, until: date | None, count_from: date | None
) -> None:
    """The Bờ Y year under a harsh scenario: same counts (from ``count_from`` on),
    states, outcomes and snapshots."""
    plan = load(EXAMPLE_DIR).plan
    scenario = Scenario(default=attrs.evolve(Scenario().default, late=0.5, skip=0.2))
    _quiet_matches_loud(plan, RandomModel(Timeline(plan), scenario, seed), until, count_from)


_plans = plans().map(lambda p: attrs.evolve(p, days_off=(), working_days=()))


# 25 examples keep the suite fast; fewer when the profile says so (mutation runs)
@settings(
    deadline=None,
    max_examples=min(25, settings.default.max_examples),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(_plans, st.integers(0, 2**32), st.sampled_from([0.0, 0.3, 1.0]))
def test_quiet_engine_matches_on_any_plan(plan: Plan, seed: int, skip: float) -> None:
    """Generated plans and seeds, with nothing, some or everything skipped."""
    scenario = Scenario(default=attrs.evolve(Scenario().default, late=0.5, skip=skip))
    _quiet_matches_loud(plan, RandomModel(Timeline(plan), scenario, seed))


def _json(data: object) -> object:
    return json.loads(json.dumps(data))


@pytest.mark.parametrize(
    "cut", [date(2025, 1, 1), date(2025, 3, 17), date(2025, 6, 30), date(2025, 11, 3)]
)
def test_snapshot_restores_exactly_and_the_run_goes_on_identically(cut: date) -> None:
    """Stopped on any day, snapshotted as JSON and restored into a fresh engine: the
    restored engine's snapshot is the same, and the run ends with the same events,
    states and outcomes (who was late because of whom) as a run never stopped."""
    plan = load(EXAMPLE_DIR).plan
    timeline = Timeline(plan)
    scenario = Scenario(default=attrs.evolve(Scenario().default, late=0.5, skip=0.2))
    whole = Engine(timeline, model=RandomModel(timeline, scenario, 3))
    events = list(whole.run())
    first = Engine(timeline, model=RandomModel(timeline, scenario, 3))
    head = list(first.run(until=cut))
    snapshot = _json(first.snapshot())
    assert snapshot["plan"] == "boy-2025"
    assert snapshot["now"] == head[-1].time.isoformat()
    second = Engine(timeline, model=RandomModel(timeline, scenario, 3))
    second.restore(snapshot)  # type: ignore[arg-type]
    assert _json(second.snapshot()) == snapshot
    tail = list(second.run())
    assert head + tail == events
    assert second.state == whole.state
    assert second.outcomes() == whole.outcomes()
    # a quiet engine restored from the same snapshot ends the same way
    third = Engine(timeline, model=RandomModel(timeline, scenario, 3), quiet=True)
    third.restore(snapshot)  # type: ignore[arg-type]
    assert list(third.run()) == []
    assert third.event_counts == Counter(e.kind.value for e in tail)
    assert (third.state, third.outcomes()) == (whole.state, whole.outcomes())
    # and so does it half-way: the same states (overdue ones included) a month later
    later = cut + timedelta(days=30)
    loud = Engine(timeline, model=RandomModel(timeline, scenario, 3))
    list(loud.run(until=later))
    fourth = Engine(timeline, model=RandomModel(timeline, scenario, 3), quiet=True)
    fourth.restore(snapshot)  # type: ignore[arg-type]
    list(fourth.run(until=later))
    assert fourth.state == loud.state
    assert State.OVERDUE in loud.state or State.DUE in loud.state
    assert any(o.cause for o in whole.outcomes())


def test_snapshot_lists_what_is_still_to_happen() -> None:
    """``queue`` holds ``[date, kind, duty, index]`` in time order, index 0 for periods;
    ``occurrences`` maps ``duty#index`` to its state, dates and what it waits on."""
    timeline = timeline_of("""
  - {id: a, title: "A", lead: u, window: "2025-01-06..2025-01-10"}
  - {id: b, title: "B", lead: v, window: "2025-01-08..2025-01-20", after: [{task: a, lag: +2 working days}]}
""")
    engine = Engine(timeline, model=DaysAfterDue(3))
    head = list(engine.run(until=date(2025, 1, 9)))
    assert [(e.time.day, e.kind.value, e.task) for e in head] == [
        (6, "opened", "a"),
        (7, "reminder", "a"),
        (8, "opened", "b"),
    ]
    snapshot = engine.snapshot()
    assert (snapshot["now"], snapshot["phase"]) == ("2025-01-08", 0)
    assert snapshot["occurrences"] == {
        "a#1": {"state": "open", "completed": None, "ready": None, "pending": 0,
                "started": True, "skipped": False, "waiting_on": None},
        "b#1": {"state": "blocked", "completed": None, "ready": None, "pending": 1,
                "started": False, "skipped": False, "waiting_on": None},
    }  # fmt: skip
    assert snapshot["queue"] == [
        ["2025-01-10", "due", "a", 1],
        ["2025-01-13", "complete", "a", 1],
        ["2025-01-15", "reminder", "b", 1],
        ["2025-03-31", "period", "q1", 0],
        ["2025-06-30", "period", "q2", 0],
        ["2025-09-30", "period", "q3", 0],
        ["2025-12-31", "period", "q4", 0],
        ["2025-12-31", "period", "year", 0],
    ]


def test_real_run_takes_completions_reported_later() -> None:
    """A completion reported for a day the engine has already passed is processed at
    the last day it processed (Monday 13 January, when ``a`` went overdue: 1 working
    day late); an unknown occurrence is a ``KeyError``."""
    timeline = timeline_of("""
  - {id: a, title: "A", lead: u, window: "2025-01-06..2025-01-10"}
""")
    engine = Engine(timeline)
    list(engine.run(until=date(2025, 1, 14)))
    engine.complete(("a", 1), date(2025, 1, 9))
    (late,) = list(engine.run(until=date(2025, 1, 15)))
    assert (late.kind, late.time, late.days_late) == (EventKind.LATE, date(2025, 1, 13), 1)
    for key in (("a", 0), ("a", 2), ("zz", 1)):
        with pytest.raises(KeyError):
            engine.complete(key, date(2025, 1, 9))


def test_clocks() -> None:
    """The simulated clock never goes back; the real one sleeps 60 s at a time."""
    clock = SimulatedClock(date(2025, 3, 1))
    assert clock.today() == date(2025, 3, 1)
    clock.wait_until(date(2025, 3, 5))
    clock.wait_until(date(2025, 3, 2))
    assert clock.today() == date(2025, 3, 5)
    now = [date(2025, 3, 1)]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += timedelta(days=1)

    real = RealClock(today=lambda: now[0], sleep=sleep)
    real.wait_until(date(2025, 3, 4))
    assert (slept, real.today()) == ([60.0] * 3, date(2025, 3, 4))
    real.wait_until(date(2025, 3, 4))
    assert len(slept) == 3


def test_snapshot_before_anything_happened() -> None:
    """A snapshot of an engine that has not run yet holds the whole year's queue."""
    plan = load(EXAMPLE_DIR).plan
    timeline = Timeline(plan)
    events = list(Engine(timeline, model=DaysAfterDue(1)).run())
    fresh = Engine(timeline, model=DaysAfterDue(1))
    snapshot = _json(fresh.snapshot())
    restored = Engine(timeline, model=DaysAfterDue(1))
    restored.restore(snapshot)  # type: ignore[arg-type]
    assert list(restored.run()) == events


def test_restored_engine_stops_the_day_before_the_first_opening() -> None:
    """``run(until)`` processes events up to and including ``until``, and no later: a
    one-off task over Monday 3 to Friday 14 March 2025 opens on its window's start and
    is still scheduled when an engine (loud or quiet) restored from a fresh snapshot runs until
    Sunday 2 March, and is open after it runs until 3 March. (A restored engine keeps
    the opening in its queue, the first entry of the first occurrence: the boundary.)"""
    timeline = timeline_of(
        '  - {id: a, title: "Việc", lead: u, window: {start: 2025-03-03, end: 2025-03-14}, '
        "shift: keep}\n"
    )
    for quiet in (False, True):  # not restored: the opening comes from the stream
        fresh = Engine(timeline, model=Never(), quiet=quiet)
        assert list(fresh.run(until=date(2025, 3, 2))) == []
        assert (fresh.event_counts, fresh.state) == (Counter(), [State.SCHEDULED])
    snapshot = _json(Engine(timeline, model=Never()).snapshot())
    assert (snapshot["now"], snapshot["phase"]) == (None, 0)  # nothing processed yet
    loud = Engine(timeline, model=Never())
    loud.restore(snapshot)  # type: ignore[arg-type]
    assert list(loud.run(until=date(2025, 3, 2))) == []
    assert [e.kind for e in loud.run(until=date(2025, 3, 3))] == [EventKind.OPENED]
    quiet = Engine(timeline, model=Never(), quiet=True)
    quiet.restore(snapshot)  # type: ignore[arg-type]
    assert list(quiet.run(until=date(2025, 3, 2))) == []
    assert quiet.event_counts == Counter()
    assert quiet.state == [State.SCHEDULED]
    list(quiet.run(until=date(2025, 3, 3)))
    assert quiet.event_counts == Counter({"opened": 1})
    assert quiet.state == [State.OPEN]
