"""The engine's fast loop, for a quiet run (no :class:`~planflow.run.events.Event` wanted).

It does exactly what :meth:`planflow.run.engine.Engine._run` does, entry by entry and in
the same order, with the same states, queue, counts and calls to the completion
model, but with no generator, no event and no method call per entry: each bucket of
the stream of timed entries (all the occurrences due, say, on one day) is one tight
loop, and the heap is only looked at between buckets (or, in a ``missed`` bucket,
after something was released, the one case that can queue an entry before the
bucket's own).
"""

from __future__ import annotations

from heapq import heappop, heappush
from typing import TYPE_CHECKING

from planflow.plan.model import Offset
from planflow.run._engine_layout import COMPLETE, DUE, MISSED, OPENED, OVERDUE, REMINDER, UNBLOCK
from planflow.run.events import State

if TYPE_CHECKING:
    from planflow.run._engine_core import EngineCore

_FAR = 1 << 80


def run_quiet(engine: EngineCore, limit_tp: int) -> None:
    """Run ``engine`` (quiet, simulated clock) up to ``limit_tp`` (day * 8) excluded."""
    lay = engine._layout
    order, bucket_tp, bucket_end = lay.order, lay.bucket_tp, lay.bucket_end
    buckets = len(bucket_tp) if engine._stream else 0
    due_t, overdue_t, close_t, succs = lay.due, lay.overdue, lay.close, lay.succs
    occurrences = engine.occurrences
    n = len(occurrences)
    state, fin = engine.state, engine._fin
    done_t, ready_t, binding, pending = (
        engine.done_t,
        engine.ready_t,
        engine.binding,
        engine.pending,
    )
    started, skipped = engine.started, engine.skipped
    heap = engine._heap
    shift = engine._shift
    mask = (1 << shift) - 1
    limit = limit_tp << shift if limit_tp < _FAR else _FAR
    counts = engine.event_counts
    count_from = engine.count_from
    completion = engine.model.completion if engine.model is not None else None
    day = lay.day
    add_working_days = lay.add_working_days
    s_open, s_blocked, s_due, s_overdue = State.OPEN, State.BLOCKED, State.DUE, State.OVERDUE
    s_done, s_late, s_missed = State.DONE, State.LATE, State.MISSED

    def start_work(t: int, i: int) -> None:
        assert completion is not None
        if started[i]:
            return
        started[i] = True
        done = completion(occurrences[i], day(t))
        if done is None:
            skipped[i] = True
            return
        when = done.toordinal()
        if when < t:
            when = t
        if when <= close_t[i]:
            heappush(heap, ((when * 8 + COMPLETE) << shift) | i)

    def make_ready(t: int, i: int, now: int) -> None:
        if state[i] is not s_blocked:
            return
        if now < due_t[i] * 8 + DUE:
            state[i] = s_open
        elif now < overdue_t[i] * 8 + OVERDUE:
            state[i] = s_due
        else:
            state[i] = s_overdue
        if t >= count_from:
            counts["unblocked"] += 1
        if completion is not None:
            start_work(t, i)

    def release(t: int, i: int, now: int) -> None:
        for j, lag in succs[i]:
            if not isinstance(lag, Offset):
                ready = t
            elif lag.working:
                ready = add_working_days(t, lag.days)
            else:
                ready = t + lag.days
            r = ready_t[j]
            if ready > r or binding[j] < 0:
                ready_t[j] = ready if ready > r else r
                binding[j] = i
            left = pending[j] - 1
            pending[j] = left
            if left == 0:
                if ready_t[j] <= t:
                    make_ready(t, j, now)
                else:
                    heappush(heap, ((ready_t[j] * 8 + UNBLOCK) << shift) | j)

    def timed(t: int, i: int, code: int, now: int) -> None:
        """A timed entry from the heap (after a restore); the stream does these inline."""
        for tp in lay.timed(i):
            if tp > now:
                heappush(heap, (tp << shift) | i)
                break
        counting = t >= count_from
        current = state[i]
        if code == OPENED:
            if pending[i] == 0 and ready_t[i] <= t:
                state[i] = s_open
                if counting:
                    counts["opened"] += 1
                if completion is not None:
                    start_work(t, i)
            else:
                state[i] = s_blocked
                if counting:
                    counts["opened"] += 1
        elif code == REMINDER:
            if counting:
                counts["reminder"] += 1
        elif code == DUE:
            if current is s_open:
                state[i] = s_due
            if counting:
                counts["due"] += 1
        elif code == OVERDUE:
            if current is s_open or current is s_due:
                state[i] = s_overdue
            if counting:
                counts["overdue"] += 1
        elif code == MISSED:
            state[i] = s_missed
            fin[i] = 1
            if counting:
                counts["missed"] += 1
            release(t, i, now)

    b, k = engine._b, engine._k
    now = engine._now_tp
    base = bucket_tp[b] << shift if b < buckets else _FAR
    try:
        while True:
            if heap and heap[0] < base:
                key = heap[0]
                if key >= limit:
                    break
                heappop(heap)
                tp = key >> shift
                i = key & mask
                t = tp >> 3
                now = tp
                if i >= n:  # a reporting period closes
                    if t >= count_from:
                        counts["period_closed"] += 1
                    continue
                if fin[i]:
                    continue  # void: the occurrence is final
                code = tp & 7
                if code == COMPLETE:
                    done_t[i] = t
                    fin[i] = 1
                    if t <= due_t[i]:
                        state[i] = s_done
                        if t >= count_from:
                            counts["completed"] += 1
                    else:
                        state[i] = s_late
                        if t >= count_from:
                            counts["late"] += 1
                    if succs[i]:
                        release(t, i, tp)
                elif code == UNBLOCK:
                    make_ready(t, i, tp)
                else:
                    timed(t, i, code, tp)
                continue
            if b >= buckets:
                break
            tp = bucket_tp[b]
            if base >= limit:
                break
            t = tp >> 3
            code = tp & 7
            end = bucket_end[b]
            counting = t >= count_from
            if code == MISSED:
                while k < end:
                    i = order[k]
                    k += 1
                    f = fin[i]
                    if f:
                        if f == 1:
                            fin[i] = 2
                            now = tp
                        continue
                    now = tp
                    state[i] = s_missed
                    fin[i] = 1
                    if counting:
                        counts["missed"] += 1
                    if succs[i]:
                        release(t, i, tp)
                        if heap and heap[0] < base:
                            break  # something to do first, before the rest of this bucket
            elif code == OPENED:
                today = day(t)
                while k < end:
                    i = order[k]
                    k += 1
                    f = fin[i]
                    if f:
                        if f == 1:
                            fin[i] = 2
                            now = tp
                        continue
                    now = tp
                    if pending[i] == 0 and ready_t[i] <= t:
                        state[i] = s_open
                        if counting:
                            counts["opened"] += 1
                        if completion is not None and not started[i]:
                            # start_work(t, i), inline
                            started[i] = True
                            done = completion(occurrences[i], today)
                            if done is None:
                                skipped[i] = True
                                continue
                            when = done.toordinal()
                            if when < t:
                                when = t
                            if when <= close_t[i]:
                                heappush(heap, ((when * 8 + COMPLETE) << shift) | i)
                    else:
                        state[i] = s_blocked
                        if counting:
                            counts["opened"] += 1
            else:
                # reminder, due, overdue: a state change at most, nothing queued
                seen = voids = 0
                if code == DUE:
                    for pos in range(k, end):
                        i = order[pos]
                        f = fin[i]
                        if f:
                            if f == 1:
                                fin[i] = 2
                                voids += 1
                            continue
                        seen += 1
                        if state[i] is s_open:
                            state[i] = s_due
                elif code == OVERDUE:
                    for pos in range(k, end):
                        i = order[pos]
                        f = fin[i]
                        if f:
                            if f == 1:
                                fin[i] = 2
                                voids += 1
                            continue
                        seen += 1
                        current = state[i]
                        if current is s_open or current is s_due:
                            state[i] = s_overdue
                else:
                    for pos in range(k, end):
                        i = order[pos]
                        f = fin[i]
                        if f:
                            if f == 1:
                                fin[i] = 2
                                voids += 1
                            continue
                        seen += 1
                k = end
                if seen or voids:
                    now = tp
                if seen and counting:
                    counts[_NAMES[code]] += seen
            if k == end:
                b += 1
                base = bucket_tp[b] << shift if b < buckets else _FAR
    finally:
        engine._b, engine._k, engine._now_tp = b, k, now


_NAMES = {REMINDER: "reminder", DUE: "due", OVERDUE: "overdue"}
