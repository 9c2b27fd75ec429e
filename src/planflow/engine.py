"""The occurrence state machine, driven by a clock, emitting :class:`~planflow.events.Event`.

The engine is event-driven: a priority queue holds the next thing that will happen
to each occurrence, and the clock jumps from one event date to the next instead of
ticking through every day. It knows no plugin and no completion model by name:
completions come from a :class:`CompletionModel` (simulation) or from
:meth:`Engine.complete` (real runs), and every event goes to the ``on_event``
callback and out of :meth:`Engine.run`, an iterator.

State machine of one occurrence (see :class:`~planflow.events.State`)::

    scheduled ──opened──▶ open ──due──▶ due ──overdue──▶ overdue
        │                  ▲             │                 │
        └──opened──▶ blocked ─unblocked──┘ (to the state    │
                           │              the clock says)   │
      open / due / overdue / blocked ──completed──▶ done  (on or before due)
                                      ──late──────▶ late  (after due)
      any state not final ──missed (window closed)──▶ missed

``blocked`` means "opened, but still waiting for a predecessor (plus lag)"; a
blocked occurrence gets its ``due`` and ``overdue`` events but stays blocked
until it is unblocked. Within one day events come in a fixed order: opened,
unblocked, reminder, due, completed/late, overdue, missed, period_closed; ties
are broken by the timeline's order, so a run is fully deterministic.

Dates:

* opened: the occurrence's start (or its due date, if earlier);
* reminder: N working days (or days) before the due date, N from the task's
  ``reminder`` or the plan's (sign ignored), but not before 1 January of the plan
  year;
* overdue: the working day after the due date;
* missed: when the occurrence's window closes: the due date of the duty's next
  occurrence, or the end of the plan year for the last one (never before the due
  date). A predecessor that is missed releases what waits for it at that moment:
  the consolidated report is then made without the missing unit's report.
"""

from __future__ import annotations

import heapq
import itertools
import time as _time
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any, Protocol

import attrs
from attrs import frozen

from .events import FINAL_STATES, Event, EventKind, State, event_id
from .model import Offset
from .timeline import Occurrence, Timeline

__all__ = [
    "Clock",
    "CompletionModel",
    "Engine",
    "Outcome",
    "RealClock",
    "ReportingWindow",
    "SimulatedClock",
    "reporting_windows",
]

# Codes of queue entries, and the phase (order within a day) of each.
_OPENED, _UNBLOCK, _REMINDER, _DUE, _COMPLETE, _OVERDUE, _MISSED, _PERIOD = range(8)
_PHASE = {
    _OPENED: 0,
    _UNBLOCK: 1,
    _REMINDER: 2,
    _DUE: 3,
    _COMPLETE: 4,
    _OVERDUE: 5,
    _MISSED: 6,
    _PERIOD: 7,
}
_TIMED = (_OPENED, _REMINDER, _DUE, _OVERDUE, _MISSED)
_CODE_NAMES = {
    _OPENED: "opened",
    _UNBLOCK: "unblock",
    _REMINDER: "reminder",
    _DUE: "due",
    _COMPLETE: "complete",
    _OVERDUE: "overdue",
    _MISSED: "missed",
    _PERIOD: "period",
}
_CODES = {v: k for k, v in _CODE_NAMES.items()}


# what a quiet engine "emits": never yielded nor passed to ``on_event``
_QUIET = Event("", EventKind.OPENED, date.min, "", "", 0)


class Clock(Protocol):
    """What the engine reads the time from."""

    def today(self) -> date:
        """The current date."""
        ...

    def wait_until(self, day: date) -> None:
        """Return once ``day`` has come (a simulated clock jumps to it)."""
        ...


class SimulatedClock:
    """A clock that jumps: :meth:`wait_until` returns at once and moves the date."""

    def __init__(self, start: date) -> None:
        self._now = start

    def today(self) -> date:
        """The simulated date."""
        return self._now

    def wait_until(self, day: date) -> None:
        """Jump to ``day`` (never backwards)."""
        self._now = max(self._now, day)


class RealClock:
    """The wall clock: :meth:`wait_until` sleeps until the date has come.

    ``today`` and ``sleep`` can be replaced (tests, other time zones).
    """

    def __init__(
        self,
        *,
        today: Callable[[], date] = date.today,
        sleep: Callable[[float], None] = _time.sleep,
        interval: float = 60.0,
    ) -> None:
        self._today = today
        self._sleep = sleep
        self._interval = interval

    def today(self) -> date:
        """Today's date."""
        return self._today()

    def wait_until(self, day: date) -> None:
        """Sleep (in steps of ``interval`` seconds) until ``day`` has come."""
        while self._today() < day:
            self._sleep(self._interval)


class CompletionModel(Protocol):
    """Decides when an occurrence gets done, once it is open and unblocked."""

    def completion(self, occurrence: Occurrence, ready: date) -> date | None:
        """The date ``occurrence`` is done, not before ``ready``; ``None``: never."""
        ...


@frozen
class ReportingWindow:
    """A reporting period the engine closes with a ``period_closed`` event."""

    id: str
    name: str
    start: date
    end: date


def reporting_windows(timeline: Timeline) -> tuple[ReportingWindow, ...]:
    """The plan's reporting periods; the four quarters and the year if it has none."""
    plan = timeline.plan
    if plan.reporting_periods:
        return tuple(ReportingWindow(p.id, p.name, p.start, p.end) for p in plan.reporting_periods)
    y = plan.year
    quarters = [
        ReportingWindow(
            f"q{q}",
            f"Q{q}",
            date(y, 3 * q - 2, 1),
            date(y + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1),
        )
        for q in range(1, 5)
    ]
    return (*quarters, ReportingWindow("year", str(y), date(y, 1, 1), date(y, 12, 31)))


@frozen
class Outcome:
    """Where one occurrence ended up (or stands, if the run stopped early).

    ``completed`` is ``None`` unless done; ``days_late`` counts working days after
    the due date (0 when on time, ``None`` when not done); ``ready`` is when what it
    waits for was done (plus lag), ``None`` if it waits for nothing; ``cause`` is
    the predecessor that held it past its due date, if that is why it was late or
    missed; ``skipped`` tells that the completion model never did it.
    """

    occurrence: Occurrence
    state: State
    completed: date | None
    days_late: int | None
    ready: date | None
    cause: tuple[str, int] | None
    skipped: bool

    @property
    def on_time(self) -> bool:
        """Done on or before its due date."""
        return self.state is State.DONE


class Engine:
    """Runs the occurrences of a timeline through their states, on a clock.

    :param timeline: the plan's timeline.
    :param model: decides completions; ``None`` for real runs, where completions
        are reported with :meth:`complete`.
    :param clock: defaults to a :class:`SimulatedClock` at the first event.
    :param on_event: called with every event, in order, as it happens.
    :param periods: reporting periods to close (default: :func:`reporting_windows`).
    :param quiet: build no :class:`Event` (faster): :meth:`run` yields nothing and
        only ``event_counts`` are kept (Monte Carlo, benchmarks).
    :param count_from: count in ``event_counts`` only events from this date on.
    """

    def __init__(
        self,
        timeline: Timeline,
        *,
        model: CompletionModel | None = None,
        clock: Clock | None = None,
        on_event: Callable[[Event], None] | None = None,
        periods: Sequence[ReportingWindow] | None = None,
        quiet: bool = False,
        count_from: date | None = None,
    ) -> None:
        self.timeline = timeline
        self.plan = timeline.plan
        self.model = model
        self.on_event = on_event
        self.quiet = quiet
        self.count_from = count_from.toordinal() if count_from else 0
        self.event_counts: Counter[str] = Counter()
        self.periods = tuple(reporting_windows(timeline) if periods is None else periods)
        layout = _layout(timeline)
        self.occurrences = layout.occurrences
        self.index = layout.index
        self.succs = layout.succs
        self._static = layout.static
        self._times = layout.times
        n = len(self.occurrences)
        self.state = [State.SCHEDULED] * n
        self.done_t: list[int | None] = [None] * n
        self.ready_t = [0] * n
        self.binding = [-1] * n
        self.pending = list(layout.pending)
        self.started = [False] * n
        self.skipped = [False] * n
        self._now = (0, 0)
        queue = list(layout.queue)
        for p, window in enumerate(self.periods):
            queue.append((window.end.toordinal(), _PHASE[_PERIOD], n + p, _PERIOD))
        heapq.heapify(queue)
        self._queue = queue

    def _next_timed(self, i: int, after: tuple[int, int]) -> tuple[int, int, int, int] | None:
        """The first timed queue entry of occurrence ``i`` strictly after ``after``."""
        return _next_timed(self._times[i], i, after)

    # --- running ------------------------------------------------------------

    def run(self, until: date | None = None, clock: Clock | None = None) -> Iterator[Event]:
        """Process events up to and including ``until`` (all of them by default).

        Yields each event as it happens (``on_event`` gets it first). Can be called
        again with a later ``until`` to go on from where it stopped.
        """
        if clock is None and self._queue:
            clock = SimulatedClock(date.fromordinal(self._queue[0][0]))
        limit = until.toordinal() if until is not None else None
        queue = self._queue
        while queue:
            t, phase, i, code = queue[0]
            if limit is not None and t > limit:
                break
            heapq.heappop(queue)
            if clock is not None:
                clock.wait_until(date.fromordinal(t))
            self._now = (t, phase)
            for event in self._handle(t, i, code):
                if not self.quiet:
                    yield event

    def complete(self, key: tuple[str, int], day: date) -> None:
        """Record that occurrence ``key`` was done on ``day`` (real runs).

        The completion is processed in order when :meth:`run` reaches ``day``.
        """
        i = self.index[key]
        t = max(day.toordinal(), self._now[0])
        heapq.heappush(self._queue, (t, _PHASE[_COMPLETE], i, _COMPLETE))

    def _handle(self, t: int, i: int, code: int) -> Iterator[Event]:
        if code == _PERIOD:
            yield self._emit_period(t, i - len(self.occurrences))
            return
        state = self.state[i]
        if state in FINAL_STATES:
            return  # what was left queued for a finished occurrence is void
        if code == _COMPLETE:
            yield from self._complete(t, i)
            return
        if code == _UNBLOCK:
            yield from self._make_ready(t, i)
            return
        nxt = self._next_timed(i, self._now)
        if nxt is not None:
            heapq.heappush(self._queue, nxt)
        if code == _OPENED:
            if self.pending[i] == 0 and self.ready_t[i] <= t:
                self.state[i] = State.OPEN
                yield self._emit(EventKind.OPENED, t, i)
                self._start_work(t, i)
            else:
                self.state[i] = State.BLOCKED
                yield self._emit(EventKind.OPENED, t, i)
        elif code == _REMINDER:
            yield self._emit(EventKind.REMINDER, t, i)
        elif code == _DUE:
            if state is State.OPEN:
                self.state[i] = State.DUE
            yield self._emit(EventKind.DUE, t, i)
        elif code == _OVERDUE:
            if state in (State.OPEN, State.DUE):
                self.state[i] = State.OVERDUE
            yield self._emit(EventKind.OVERDUE, t, i)
        elif code == _MISSED:
            self.state[i] = State.MISSED
            yield self._emit(EventKind.MISSED, t, i)
            yield from self._release(t, i)

    def _complete(self, t: int, i: int) -> Iterator[Event]:
        due = self._times[i][2]
        self.done_t[i] = t
        if t <= due:
            self.state[i] = State.DONE
            yield self._emit(EventKind.COMPLETED, t, i, days_late=0)
        else:
            self.state[i] = State.LATE
            yield self._emit(EventKind.LATE, t, i, days_late=self._days_late(i, t))
        yield from self._release(t, i)

    def _release(self, t: int, i: int) -> Iterator[Event]:
        """Occurrence ``i`` is final at ``t``: let go what waits for it."""
        cal = self.timeline.calendar
        for j, lag in self.succs[i]:
            if lag.days == 0:
                ready = t
            elif lag.working:
                ready = cal.add_working_days(date.fromordinal(t), lag.days).toordinal()
            else:
                ready = t + lag.days
            if ready > self.ready_t[j] or self.binding[j] < 0:
                self.ready_t[j] = max(ready, self.ready_t[j])
                self.binding[j] = i
            self.pending[j] -= 1
            if self.pending[j] == 0:
                if self.ready_t[j] <= t:
                    yield from self._make_ready(t, j)
                else:
                    entry = (self.ready_t[j], _PHASE[_UNBLOCK], j, _UNBLOCK)
                    heapq.heappush(self._queue, entry)

    def _make_ready(self, t: int, i: int) -> Iterator[Event]:
        if self.state[i] is not State.BLOCKED:
            return  # not opened yet (it opens unblocked) or already final
        _, _, due, overdue, _ = self._times[i]
        if self._now < (due, _PHASE[_DUE]):
            self.state[i] = State.OPEN
        elif self._now < (overdue, _PHASE[_OVERDUE]):
            self.state[i] = State.DUE
        else:
            self.state[i] = State.OVERDUE
        yield self._emit(EventKind.UNBLOCKED, t, i)
        self._start_work(t, i)

    def _start_work(self, t: int, i: int) -> None:
        if self.model is None or self.started[i]:
            return
        self.started[i] = True
        done = self.model.completion(self.occurrences[i], date.fromordinal(t))
        if done is None:
            self.skipped[i] = True
            return
        when = max(done.toordinal(), t)
        if when <= self._times[i][4]:
            heapq.heappush(self._queue, (when, _PHASE[_COMPLETE], i, _COMPLETE))

    def _days_late(self, i: int, t: int) -> int:
        due = self.occurrences[i].due
        return max(1, self.timeline.calendar.working_days_between(due, date.fromordinal(t)))

    # --- events ---------------------------------------------------------------

    def _emit(self, kind: EventKind, t: int, i: int, *, days_late: int | None = None) -> Event:
        if t >= self.count_from:
            self.event_counts[kind.value] += 1
        if self.quiet:
            return _QUIET
        occ = self.occurrences[i]
        lead, plan_task, coordinators = self._static[i]
        event = Event(
            id=event_id(self.plan.id, occ.task, occ.index, kind),
            kind=kind,
            time=date.fromordinal(t),
            plan=self.plan.id,
            task=occ.task,
            index=occ.index,
            plan_task=plan_task,
            period=occ.period,
            start=occ.start,
            due=occ.due,
            unit=lead,
            coordinators=coordinators,
            state=self.state[i],
            days_late=days_late,
        )
        if self.on_event is not None:
            self.on_event(event)
        return event

    def _emit_period(self, t: int, p: int) -> Event:
        if t >= self.count_from:
            self.event_counts[EventKind.PERIOD_CLOSED.value] += 1
        if self.quiet:
            return _QUIET
        window = self.periods[p]
        counts = Counter(
            self.state[i].value
            for i, occ in enumerate(self.occurrences)
            if window.start <= occ.due <= window.end
        )
        event = Event(
            id=event_id(self.plan.id, f"period:{window.id}", 0, EventKind.PERIOD_CLOSED),
            kind=EventKind.PERIOD_CLOSED,
            time=date.fromordinal(t),
            plan=self.plan.id,
            task=window.id,
            index=0,
            period=window.name,
            start=window.start,
            due=window.end,
            counts=tuple(sorted(counts.items())),
        )
        if self.on_event is not None:
            self.on_event(event)
        return event

    # --- results and state ------------------------------------------------------

    def outcomes(self) -> list[Outcome]:
        """Every occurrence's outcome, in timeline order."""
        out = []
        for i, occ in enumerate(self.occurrences):
            done = self.done_t[i]
            state = self.state[i]
            days_late = (
                None if done is None else (self._days_late(i, done) if state is State.LATE else 0)
            )
            held = (
                state in (State.LATE, State.MISSED)
                and not self.skipped[i]
                and self.binding[i] >= 0
                and self.ready_t[i] > self._times[i][2]
            )
            cause = self.occurrences[self.binding[i]].key if held else None
            out.append(
                Outcome(
                    occ,
                    state,
                    None if done is None else date.fromordinal(done),
                    days_late,
                    date.fromordinal(self.ready_t[i]) if self.binding[i] >= 0 else None,
                    cause,
                    self.skipped[i],
                )
            )
        return out

    def snapshot(self) -> dict[str, Any]:
        """The engine's state as plain JSON-ready data (for a store such as SQLite).

        ``occurrences`` maps ``"duty#index"`` to its state, completion date, ready
        date and how many predecessors it still waits for; ``queue`` lists what is
        still to happen as ``[date, kind, duty, index]``.
        """
        n = len(self.occurrences)

        def day(t: int | None) -> str | None:
            return date.fromordinal(t).isoformat() if t else None

        occurrences = {
            f"{o.task}#{o.index}": {
                "state": self.state[i].value,
                "completed": day(self.done_t[i]),
                "ready": day(self.ready_t[i]),
                "pending": self.pending[i],
                "started": self.started[i],
                "skipped": self.skipped[i],
                "waiting_on": self._key_text(self.binding[i]),
            }
            for i, o in enumerate(self.occurrences)
        }
        queue = []
        for t, _, i, code in sorted(self._queue):
            key = (self.periods[i - n].id, 0) if i >= n else self.occurrences[i].key
            queue.append([day(t), _CODE_NAMES[code], key[0], key[1]])
        return {
            "plan": self.plan.id,
            "now": day(self._now[0]),
            "phase": self._now[1],
            "occurrences": occurrences,
            "queue": queue,
        }

    def _key_text(self, i: int) -> str | None:
        if i < 0:
            return None
        occ = self.occurrences[i]
        return f"{occ.task}#{occ.index}"

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Put the engine back in the state :meth:`snapshot` returned."""
        n = len(self.occurrences)

        def ordinal(value: str | None) -> int:
            return date.fromisoformat(value).toordinal() if value else 0

        for name, data in snapshot["occurrences"].items():
            task, _, index = name.rpartition("#")
            i = self.index[(task, int(index))]
            self.state[i] = State(data["state"])
            self.done_t[i] = ordinal(data["completed"]) or None
            self.ready_t[i] = ordinal(data["ready"])
            self.pending[i] = data["pending"]
            self.started[i] = data["started"]
            self.skipped[i] = data["skipped"]
            waiting_on = data.get("waiting_on")
            if waiting_on:
                pred, _, pred_index = waiting_on.rpartition("#")
                self.binding[i] = self.index[(pred, int(pred_index))]
        periods = {w.id: p for p, w in enumerate(self.periods)}
        queue = []
        for day_text, name, task, index in snapshot["queue"]:
            code = _CODES[name]
            i = n + periods[task] if code == _PERIOD else self.index[(task, index)]
            queue.append((ordinal(day_text), _PHASE[code], i, code))
        heapq.heapify(queue)
        self._queue = queue
        self._now = (ordinal(snapshot["now"]), snapshot["phase"])


_PHASES = tuple(_PHASE[code] for code in _TIMED)


def _next_timed(
    times: tuple[int, int, int, int, int], i: int, after: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """The first timed queue entry of occurrence ``i`` strictly after ``after``."""
    best: tuple[int, int, int, int] | None = None
    for code, phase, t in zip(_TIMED, _PHASES, times, strict=True):
        if (t, phase) > after and (best is None or (t, phase) < best[:2]):
            best = (t, phase, i, code)
    return best


@attrs.define
class _Layout:
    """What every run over one timeline shares: occurrences, links and dates."""

    occurrences: list[Occurrence]
    index: dict[tuple[str, int], int]
    succs: list[list[tuple[int, Offset]]]
    pending: list[int]
    static: list[tuple[str, str, tuple[str, ...]]]
    times: list[tuple[int, int, int, int, int]]
    queue: list[tuple[int, int, int, int]]


_LAYOUTS: weakref.WeakKeyDictionary[Timeline, _Layout] = weakref.WeakKeyDictionary()


def _layout(timeline: Timeline) -> _Layout:
    """The timeline's layout, computed once per timeline."""
    found = _LAYOUTS.get(timeline)
    if found is not None:
        return found
    plan, cal = timeline.plan, timeline.calendar
    occurrences = list(timeline)
    index = {o.key: i for i, o in enumerate(occurrences)}
    n = len(occurrences)
    succs: list[list[tuple[int, Offset]]] = [[] for _ in range(n)]
    pending = [0] * n
    static: list[tuple[str, str, tuple[str, ...]]] = []
    times: list[tuple[int, int, int, int, int]] = []
    year_start = date(plan.year, 1, 1).toordinal()
    year_end = date(plan.year, 12, 31).toordinal()
    units: dict[str, tuple[str, tuple[str, ...]]] = {}
    lags: dict[str, dict[str, Offset]] = {}
    reminder: dict[str, Offset] = {}
    next_due: dict[tuple[str, int], int] = {}
    for duty in timeline.duties:
        units[duty.id] = timeline.units_of(duty)
        table: dict[str, Offset] = {}
        for dep in duty.task.after:
            table.setdefault(dep.task, dep.lag)
        lags[duty.id] = table
        reminder[duty.id] = duty.task.reminder or plan.reminder
        occs = timeline.occurrences(duty.id)
        for a, b in itertools.pairwise(occs):
            next_due[a.key] = b.due.toordinal()
    reminders: dict[tuple[int, int, bool], int] = {}
    overdue: dict[int, int] = {}
    for i, occ in enumerate(occurrences):
        lead, coordinators = units[occ.task]
        static.append((lead, occ.plan_task, coordinators))
        due = occ.due.toordinal()
        opened = min(occ.start.toordinal(), due)
        offset = reminder[occ.task]
        rkey = (due, abs(offset.days), offset.working)
        if rkey not in reminders:
            if offset.working:
                day = cal.add_working_days(occ.due, -abs(offset.days)).toordinal()
            else:
                day = due - abs(offset.days)
            reminders[rkey] = max(day, year_start)
        if due not in overdue:
            overdue[due] = cal.add_working_days(occ.due, 1).toordinal()
        close = max(next_due.get(occ.key, year_end), due)
        times.append((opened, reminders[rkey], due, overdue[due], close))
        for key in occ.waits_for:
            j = index[key]
            succs[j].append((i, lags[occ.task].get(occurrences[j].plan_task, Offset(0))))
            pending[i] += 1
    queue = [q for i in range(n) if (q := _next_timed(times[i], i, (-1, -1))) is not None]
    found = _Layout(occurrences, index, succs, pending, static, times, queue)
    _LAYOUTS[timeline] = found
    return found
