"""The occurrence state machine, driven by a clock, emitting :class:`~planflow.run.events.Event`.

The engine is event-driven: a priority queue holds the next thing that will happen
to each occurrence, and the clock jumps from one event date to the next instead of
ticking through every day. It knows no plugin and no completion model by name:
completions come from a :class:`CompletionModel` (simulation) or from
:meth:`Engine.complete` (real runs), and every event goes to the ``on_event``
callback and out of :meth:`Engine.run`, an iterator.

State machine of one occurrence (see :class:`~planflow.run.events.State`)::

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

How it runs: the dates that never change (opened, reminder, due, overdue, missed)
are laid out once per timeline as one sorted stream (:mod:`planflow.run._engine_layout`);
a run merges that stream with a small heap of what depends on the run (completions,
unblocks, reporting periods). A quiet engine (no events wanted) runs a tighter loop
(:mod:`planflow.run._engine_quiet`) with the same results.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import date

from planflow.plan.model import Offset
from planflow.run._engine_core import _DEAD, _FAR, _FINAL, EngineCore
from planflow.run._engine_layout import (
    COMPLETE,
    DUE,
    MISSED,
    OPENED,
    OVERDUE,
    PERIOD,
    REMINDER,
    UNBLOCK,
)
from planflow.run._engine_quiet import run_quiet
from planflow.run._engine_types import (
    Clock,
    CompletionModel,
    Outcome,
    RealClock,
    ReportingWindow,
    SimulatedClock,
    reporting_windows,
)
from planflow.run.events import Event, EventKind, State, event_id

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


# what a quiet engine "emits": never yielded nor passed to ``on_event``
_QUIET = Event("", EventKind.OPENED, date.min, "", "", 0)


class Engine(EngineCore):
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

    # --- running ------------------------------------------------------------

    def run(self, until: date | None = None, clock: Clock | None = None) -> Iterator[Event]:
        """Process events up to and including ``until`` (all of them by default).

        Yields each event as it happens (``on_event`` gets it first). Can be called
        again with a later ``until`` to go on from where it stopped.
        """
        limit_tp = (until.toordinal() + 1) * 8 if until is not None else _FAR
        if self.quiet and clock is None:
            run_quiet(self, limit_tp)
            return
        yield from self._run(limit_tp, clock)

    def _run(self, limit_tp: int, clock: Clock | None) -> Iterator[Event]:
        lay = self._layout
        order, bucket_tp, bucket_end = lay.order, lay.bucket_tp, lay.bucket_end
        buckets = len(bucket_tp) if self._stream else 0
        heap = self._heap
        shift = self._shift
        mask = (1 << shift) - 1
        limit = limit_tp << shift if limit_tp < _FAR else _FAR
        fin = self._fin
        while True:
            b = self._b
            skey = (bucket_tp[b] << shift) | order[self._k] if b < buckets else _FAR
            if heap and heap[0] < skey:
                key = heap[0]
                if key >= limit:
                    break
                heapq.heappop(heap)
                static = False
            elif skey < _FAR:
                if skey >= limit:
                    break
                key = skey
                self._k += 1
                if self._k == bucket_end[b]:
                    self._b = b + 1
                static = True
            else:
                break
            i = key & mask
            tp = key >> shift
            if static:
                if fin[i] == _DEAD:
                    continue  # what was left for it after its void entry: never queued
                if fin[i] == _FINAL:
                    fin[i] = _DEAD
            t = tp >> 3
            if clock is not None:
                clock.wait_until(lay.day(t))
            self._now_tp = tp
            for event in self._handle(t, i, tp & 7, static):
                if not self.quiet:
                    yield event

    def complete(self, key: tuple[str, int], day: date) -> None:
        """Record that occurrence ``key`` was done on ``day`` (real runs).

        The completion is processed in order when :meth:`run` reaches ``day``.
        """
        i = self.index[key]
        t = max(day.toordinal(), self._now_tp >> 3)
        heapq.heappush(self._heap, ((t * 8 + COMPLETE) << self._shift) | i)

    def _push_next_timed(self, i: int) -> None:
        """Queue occurrence ``i``'s first timed entry after now (restored runs)."""
        for tp in self._layout.timed(i):
            if tp > self._now_tp:
                heapq.heappush(self._heap, (tp << self._shift) | i)
                return

    def _handle(self, t: int, i: int, code: int, static: bool) -> Iterator[Event]:
        n = len(self.occurrences)
        if code == PERIOD:
            yield self._emit_period(t, i - n)
            return
        if self._fin[i]:
            return  # what was left queued for a finished occurrence is void
        if code == COMPLETE:
            yield from self._complete(t, i)
            return
        if code == UNBLOCK:
            yield from self._make_ready(t, i)
            return
        if not static:
            self._push_next_timed(i)
        state = self.state[i]
        if code == OPENED:
            if self.pending[i] == 0 and self.ready_t[i] <= t:
                self.state[i] = State.OPEN
                yield self._emit(EventKind.OPENED, t, i)
                self._start_work(t, i)
            else:
                self.state[i] = State.BLOCKED
                yield self._emit(EventKind.OPENED, t, i)
        elif code == REMINDER:
            yield self._emit(EventKind.REMINDER, t, i)
        elif code == DUE:
            if state is State.OPEN:
                self.state[i] = State.DUE
            yield self._emit(EventKind.DUE, t, i)
        elif code == OVERDUE:
            if state is State.OPEN or state is State.DUE:
                self.state[i] = State.OVERDUE
            yield self._emit(EventKind.OVERDUE, t, i)
        elif code == MISSED:
            self.state[i] = State.MISSED
            self._fin[i] = _FINAL
            yield self._emit(EventKind.MISSED, t, i)
            yield from self._release(t, i)

    def _complete(self, t: int, i: int) -> Iterator[Event]:
        self.done_t[i] = t
        self._fin[i] = _FINAL
        if t <= self._layout.due[i]:
            self.state[i] = State.DONE
            yield self._emit(EventKind.COMPLETED, t, i, days_late=0)
        else:
            self.state[i] = State.LATE
            yield self._emit(EventKind.LATE, t, i, days_late=self._days_late(i, t))
        yield from self._release(t, i)

    def _release(self, t: int, i: int) -> Iterator[Event]:
        """Occurrence ``i`` is final at ``t``: let go what waits for it."""
        lay = self._layout
        for j, lag in lay.succs[i]:
            if not isinstance(lag, Offset):
                ready = t
            elif lag.working:
                ready = lay.add_working_days(t, lag.days)
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
                    key = ((self.ready_t[j] * 8 + UNBLOCK) << self._shift) | j
                    heapq.heappush(self._heap, key)

    def _make_ready(self, t: int, i: int) -> Iterator[Event]:
        if self.state[i] is not State.BLOCKED:
            return  # not opened yet (it opens unblocked) or already final
        lay = self._layout
        if self._now_tp < lay.due[i] * 8 + DUE:
            self.state[i] = State.OPEN
        elif self._now_tp < lay.overdue[i] * 8 + OVERDUE:
            self.state[i] = State.DUE
        else:
            self.state[i] = State.OVERDUE
        yield self._emit(EventKind.UNBLOCKED, t, i)
        self._start_work(t, i)

    def _start_work(self, t: int, i: int) -> None:
        if self.model is None or self.started[i]:
            return
        self.started[i] = True
        done = self.model.completion(self.occurrences[i], self._layout.day(t))
        if done is None:
            self.skipped[i] = True
            return
        when = max(done.toordinal(), t)
        if when <= self._layout.close[i]:
            heapq.heappush(self._heap, ((when * 8 + COMPLETE) << self._shift) | i)

    def _days_late(self, i: int, t: int) -> int:
        return self._layout.days_late(self._layout.due[i], t)

    # --- events ---------------------------------------------------------------

    def _emit(self, kind: EventKind, t: int, i: int, *, days_late: int | None = None) -> Event:
        if t >= self.count_from:
            self.event_counts[kind.value] += 1
        if self.quiet:
            return _QUIET
        occ = self.occurrences[i]
        lead, coordinators = self._layout.units_of(self.timeline, occ)
        event = Event(
            id=event_id(self.plan.id, occ.task, occ.index, kind),
            kind=kind,
            time=self._layout.day(t),
            plan=self.plan.id,
            task=occ.task,
            index=occ.index,
            plan_task=occ.plan_task,
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
        start, end = window.start.toordinal(), window.end.toordinal()
        due, state = self._layout.due, self.state
        states = [state[i] for i in range(len(state)) if start <= due[i] <= end]
        counts = {s.value: c for s in State if (c := states.count(s))}
        event = Event(
            id=event_id(self.plan.id, f"period:{window.id}", 0, EventKind.PERIOD_CLOSED),
            kind=EventKind.PERIOD_CLOSED,
            time=self._layout.day(t),
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
