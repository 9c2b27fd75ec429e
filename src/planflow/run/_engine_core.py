"""The engine's state and what reads or writes it whole: outcomes, snapshot, restore.

:class:`EngineCore` holds every per-occurrence array and the queue of an
:class:`~planflow.run.engine.Engine`; the engine's two loops (the event-by-event one in
:mod:`planflow.run.engine`, the quiet one in :mod:`planflow.run._engine_quiet`) advance it.
Keeping the state here lets both loops depend on it without depending on each other.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from planflow.plan.model import Offset
from planflow.run._engine_layout import CODE_NAMES, CODES, PERIOD, Index, gc_paused, layout
from planflow.run._engine_types import (
    Clock,
    CompletionModel,
    Outcome,
    ReportingWindow,
    reporting_windows,
)
from planflow.run.events import FINAL_STATES, Event, State
from planflow.timeline.occurrences import Occurrence, Timeline

# no queue key reaches this (keys are below 2**60)
_FAR = 1 << 80

# _fin[i]: 0 while occurrence i is not final; 1 once it is; 2 once the stream of
# timed entries has reached it after that (what the stream still holds for it is void)
_LIVE, _FINAL, _DEAD = 0, 1, 2


class EngineCore:
    """The state of an :class:`~planflow.run.engine.Engine` (see it for the parameters)."""

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
        lay = self._layout = layout(timeline)
        self.occurrences: list[Occurrence] = lay.occurrences
        self.index: Index = lay.index
        n = len(self.occurrences)
        self.state: list[State] = [State.SCHEDULED] * n
        self.done_t: list[int | None] = [None] * n
        self.ready_t = [0] * n
        self.binding = [-1] * n
        self.pending = list(lay.pending)
        self.started = [False] * n
        self.skipped = [False] * n
        self._fin = bytearray(n)
        # queue keys: ((day * 8 + phase) << shift) | i, see planflow.run._engine_layout
        self._shift = max(1, (n + len(self.periods)).bit_length())
        self._now_tp = 0  # day * 8 + phase of the last entry processed
        self._b = 0  # the stream of timed entries: next bucket ...
        self._k = 0  # ... and next position in lay.order
        self._stream = True  # False once restored: timed entries then go through the heap
        heap = [
            ((w.end.toordinal() * 8 + PERIOD) << self._shift) | (n + p)
            for p, w in enumerate(self.periods)
        ]
        heapq.heapify(heap)
        self._heap = heap

    @property
    def succs(self) -> list[list[tuple[int, Offset]]]:
        """Per occurrence, the ``(j, lag)`` of the occurrences that wait for it."""
        return [
            [(j, lag if isinstance(lag, Offset) else Offset(0)) for j, lag in edges]
            for edges in self._layout.succs
        ]

    # --- results and state ------------------------------------------------------

    def outcomes(self) -> list[Outcome]:
        """Every occurrence's outcome, in timeline order."""
        with gc_paused():
            return self._outcomes()

    def _outcomes(self) -> list[Outcome]:
        lay = self._layout
        day, days_late = lay.day, lay.days_late
        occurrences = self.occurrences
        late, missed = State.LATE, State.MISSED
        out: list[Outcome] = []
        append = out.append
        for occ, state, done, binding, ready, skipped, due in zip(
            occurrences,
            self.state,
            self.done_t,
            self.binding,
            self.ready_t,
            self.skipped,
            lay.due,
            strict=True,
        ):
            if done is None:
                completed = lateness = None
            else:
                completed = day(done)
                lateness = days_late(due, done) if state is late else 0
            if binding < 0:
                append(Outcome(occ, state, completed, lateness, None, None, skipped))
                continue
            held = (state is late or state is missed) and not skipped and ready > due
            cause = occurrences[binding].key if held else None
            append(Outcome(occ, state, completed, lateness, day(ready), cause, skipped))
        return out

    def _queued(self) -> list[int]:
        """Every queue key still to be processed, sorted."""
        keys = list(self._heap)
        lay = self._layout
        order, k = lay.order, self._k
        if self._stream and len(order):
            shift = self._shift
            if k == 0:
                last = -1
            else:
                b = bisect_right(lay.bucket_end, k - 1)
                last = (lay.bucket_tp[b] << shift) | order[k - 1]
            fin = self._fin
            for i in range(len(self.occurrences)):
                if fin[i] == _DEAD:
                    continue
                for tp in lay.timed(i):
                    key = (tp << shift) | i
                    if key > last:
                        keys.append(key)
                        break
        keys.sort()
        return keys

    def snapshot(self) -> dict[str, Any]:
        """The engine's state as plain JSON-ready data (for a store such as SQLite).

        ``occurrences`` maps ``"duty#index"`` to its state, completion date, ready
        date and how many predecessors it still waits for; ``queue`` lists what is
        still to happen as ``[date, kind, duty, index]``.
        """
        n = len(self.occurrences)

        def day(t: int | None) -> str | None:
            return self._layout.day(t).isoformat() if t else None

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
        shift = self._shift
        mask = (1 << shift) - 1
        queue = []
        for key in self._queued():
            tp, i = key >> shift, key & mask
            name = (self.periods[i - n].id, 0) if i >= n else self.occurrences[i].key
            queue.append([day(tp >> 3), CODE_NAMES[tp & 7], name[0], name[1]])
        return {
            "plan": self.plan.id,
            "now": day(self._now_tp >> 3),
            "phase": self._now_tp & 7,
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
            self._fin[i] = _FINAL if self.state[i] in FINAL_STATES else _LIVE
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
        heap = []
        for day_text, name, task, index in snapshot["queue"]:
            code = CODES[name]
            i = n + periods[task] if code == PERIOD else self.index[(task, index)]
            heap.append(((ordinal(day_text) * 8 + code) << self._shift) | i)
        heapq.heapify(heap)
        self._heap = heap
        # the snapshot's queue holds the timed entries too: no stream from now on
        self._stream = False
        self._b, self._k = len(self._layout.bucket_tp), len(self._layout.order)
        self._now_tp = ordinal(snapshot["now"]) * 8 + snapshot["phase"]
