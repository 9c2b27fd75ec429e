"""What every engine run over one timeline shares, computed once per timeline.

Dates are kept as ordinals (``date.toordinal()``), interned so that the many
occurrences due on the same day share one ``int``. A queue entry is one ``int``:

    key = ((day * 8 + phase) << shift) | i

where ``phase`` (0-7) orders the kinds of entries within a day and also names the
kind (see the ``OPENED`` … ``PERIOD`` constants), and ``i`` is the occurrence's
position in the timeline (``n + p`` for reporting period ``p``). Comparing keys
therefore compares ``(day, phase, i)``, the order the engine processes entries in.

The *timed* entries of an occurrence (opened, reminder, due, overdue, missed) never
move: they are laid out once, for every occurrence, as one sorted stream of
"buckets" — all the occurrences that have the same timed entry on the same day, in
timeline order. A run walks that stream and merges it with a small heap of what
depends on the run (completions, unblocks, reporting periods).
"""

from __future__ import annotations

import gc
import itertools
import weakref
from array import array
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date

from planflow.plan.model import Offset
from planflow.timeline.coordination import Coordination
from planflow.timeline.occurrences import Occurrence, Timeline

# The kinds of queue entries; the value is also the phase (order within a day).
OPENED, UNBLOCK, REMINDER, DUE, COMPLETE, OVERDUE, MISSED, PERIOD = range(8)
TIMED = (OPENED, REMINDER, DUE, OVERDUE, MISSED)
CODE_NAMES = ("opened", "unblock", "reminder", "due", "complete", "overdue", "missed", "period")
CODES = {name: code for code, name in enumerate(CODE_NAMES)}

# a dependency's lag: 0 when there is none, else the plan's Offset
Lag = int | Offset

# opened, reminder, due, overdue and close ordinals, and the occurrences that have them
_Signature = tuple[int, int, int, int, int, list[int]]


class Index(Mapping[tuple[str, int], int]):
    """``(duty id, index) → position in the timeline``, without one dict entry each."""

    __slots__ = ("_occurrences", "_positions")

    def __init__(self, positions: dict[str, array[int]], occurrences: list[Occurrence]) -> None:
        self._positions = positions
        self._occurrences = occurrences

    def __getitem__(self, key: tuple[str, int]) -> int:
        found = self._positions.get(key[0])
        if found is None or not 0 < key[1] <= len(found):
            raise KeyError(key)
        return found[key[1] - 1]

    def __iter__(self) -> Iterator[tuple[str, int]]:
        for occ in self._occurrences:
            yield occ.key

    def __len__(self) -> int:
        return len(self._occurrences)


class Layout:
    """The timeline's occurrences, links and dates, as flat lists of ints.

    Per occurrence ``i``: ``opened``, ``reminder``, ``due``, ``overdue`` and
    ``close`` (the day it is missed) as ordinals; ``pending``, how many occurrences
    it waits for; ``succs``, the ``(j, lag)`` of the occurrences that wait for it.
    The stream of timed entries is ``order``: bucket ``b`` holds
    ``order[bucket_end[b - 1]:bucket_end[b]]``, all at ``bucket_tp[b]`` (day * 8 + phase).
    """

    __slots__ = (
        "__weakref__",
        "bucket_end",
        "bucket_tp",
        "calendar",
        "close",
        "dates",
        "due",
        "index",
        "late",
        "occurrences",
        "opened",
        "order",
        "overdue",
        "pending",
        "reminder",
        "succs",
        "units",
        "working",
    )

    def __init__(self, timeline: Timeline) -> None:
        plan, cal = timeline.plan, timeline.calendar
        occurrences = list(timeline)
        n = len(occurrences)
        self.occurrences = occurrences
        self.dates: dict[int, date] = {}  # ordinal → date, filled as runs need them
        self.working: dict[tuple[int, int], int] = {}  # (ordinal, n) → n working days on
        self.late: dict[tuple[int, int], int] = {}  # (due, done) → working days late
        self.calendar = cal
        days: dict[date, int] = {}  # interned ordinals

        def ordinal(day: date) -> int:
            found = days.get(day)
            if found is None:
                found = days[day] = day.toordinal()
            return found

        # per duty: the timeline positions of its occurrences, the next one's due date
        # (the last one's window closes at the end of the year), its reminder
        positions: dict[str, array[int]] = {}
        duty_info: dict[str, tuple[array[int], tuple[Occurrence, ...], int]] = {}
        lags: dict[str, dict[str, Offset]] = {}
        reminder_ids: dict[tuple[int, bool], int] = {}
        year_start = date(plan.year, 1, 1).toordinal()
        year_end = ordinal(date(plan.year, 12, 31))
        for duty in timeline.duties:
            table: dict[str, Offset] = {}
            for dep in duty.task.after:
                table.setdefault(dep.task, dep.lag)
            lags[duty.id] = table
            offset = duty.task.reminder or plan.reminder
            rid = reminder_ids.setdefault((abs(offset.days), offset.working), len(reminder_ids))
            occs = timeline.occurrences(duty.id)
            here = positions[duty.id] = array("i", [0]) * len(occs)
            duty_info[duty.id] = (here, occs, rid)
        self.units: dict[str, tuple[Coordination, ...]] = {}  # filled by units_of
        self.index = Index(positions, occurrences)
        reminder_of = {rid: pair for pair, rid in reminder_ids.items()}

        # Occurrences with the same dates share a "signature": its five ordinals, and
        # the list of its occurrences, which goes into the five buckets of the stream.
        opened = [0] * n
        reminder = [0] * n
        due = [0] * n
        overdue = [0] * n
        close = [0] * n
        signatures: dict[tuple[date, date, int, date | None], _Signature] = {}
        buckets: dict[int, list[list[int]]] = {}
        reminders: dict[tuple[int, int], int] = {}
        overdues: dict[int, int] = {}
        waiting: list[int] = []
        for i, occ in enumerate(occurrences):
            here, occs, rid = duty_info[occ.task]
            k = occ.index
            here[k - 1] = i
            # the window closes at the next occurrence's due date, or at the year's end
            key = (occ.start, occ.due, rid, occs[k].due if k < len(occs) else None)
            sig = signatures.get(key)
            if sig is None:
                d = ordinal(occ.due)
                o = min(ordinal(occ.start), d)
                r = reminders.get((d, rid))
                if r is None:
                    back, working = reminder_of[rid]
                    day = cal.add_working_days(occ.due, -back).toordinal() if working else d - back
                    r = reminders[(d, rid)] = ordinal(date.fromordinal(max(day, year_start)))
                v = overdues.get(d)
                if v is None:
                    v = overdues[d] = ordinal(cal.add_working_days(occ.due, 1))
                c = max(year_end if key[3] is None else ordinal(key[3]), d)
                sig = signatures[key] = (o, r, d, v, c, [])
                tps = (
                    o * 8 + OPENED,
                    r * 8 + REMINDER,
                    d * 8 + DUE,
                    v * 8 + OVERDUE,
                    c * 8 + MISSED,
                )
                for tp in tps:
                    buckets.setdefault(tp, []).append(sig[5])
            opened[i], reminder[i], due[i], overdue[i], close[i], members = sig
            members.append(i)
            if occ.waits_for:
                waiting.append(i)
        self.opened, self.reminder, self.due, self.overdue, self.close = (
            opened,
            reminder,
            due,
            overdue,
            close,
        )

        pending = [0] * n
        succ_lists: dict[int, list[tuple[int, Lag]]] = {}
        for i in waiting:
            occ = occurrences[i]
            table = lags[occ.task]
            for key_ in occ.waits_for:
                j = positions[key_[0]][key_[1] - 1]
                lag = table.get(occurrences[j].plan_task)
                succ_lists.setdefault(j, []).append((i, lag if lag is not None and lag.days else 0))
                pending[i] += 1
        empty: tuple[tuple[int, Lag], ...] = ()
        succs = [empty] * n
        for j, edges in succ_lists.items():
            succs[j] = tuple(edges)
        self.pending = pending
        self.succs = succs

        order: array[int] = array("i")
        bucket_tp: array[int] = array("q")
        bucket_end: array[int] = array("q")
        for tp in sorted(buckets):
            lists = buckets[tp]
            # each list is in timeline order; sorting their concatenation merges them
            order.extend(lists[0] if len(lists) == 1 else sorted(itertools.chain(*lists)))
            bucket_tp.append(tp)
            bucket_end.append(len(order))
        self.order, self.bucket_tp, self.bucket_end = order, bucket_tp, bucket_end

    def units_of(self, timeline: Timeline, occ: Occurrence) -> tuple[str, tuple[str, ...]]:
        """The occurrence's unit and coordinating units (its duty's coordination cached; no
        reference to the timeline is kept, so that the layout does not keep it alive)."""
        spans = self.units.get(occ.task)
        if spans is None:
            spans = self.units[occ.task] = timeline.coordination(timeline.duty(occ.task))
        return occ.unit, next((s.units for s in spans if s.covers(occ.due)), ())

    def day(self, t: int) -> date:
        """The date of ordinal ``t`` (cached)."""
        found = self.dates.get(t)
        if found is None:
            found = self.dates[t] = date.fromordinal(t)
        return found

    def add_working_days(self, t: int, days: int) -> int:
        """``calendar.add_working_days`` on ordinals (cached)."""
        found = self.working.get((t, days))
        if found is None:
            found = self.calendar.add_working_days(self.day(t), days).toordinal()
            self.working[(t, days)] = found
        return found

    def days_late(self, due: int, t: int) -> int:
        """Working days from ``due`` to ``t``, at least 1 (cached)."""
        found = self.late.get((due, t))
        if found is None:
            found = max(1, self.calendar.working_days_between(self.day(due), self.day(t)))
            self.late[(due, t)] = found
        return found

    def timed(self, i: int) -> list[int]:
        """Occurrence ``i``'s timed entries as ``day * 8 + phase``, in order."""
        return sorted(
            (
                self.opened[i] * 8 + OPENED,
                self.reminder[i] * 8 + REMINDER,
                self.due[i] * 8 + DUE,
                self.overdue[i] * 8 + OVERDUE,
                self.close[i] * 8 + MISSED,
            )
        )


_LAYOUTS: weakref.WeakKeyDictionary[Timeline, Layout] = weakref.WeakKeyDictionary()


def layout(timeline: Timeline) -> Layout:
    """The timeline's layout, computed once per timeline."""
    found = _LAYOUTS.get(timeline)
    if found is None:
        with gc_paused():
            found = _LAYOUTS[timeline] = Layout(timeline)
    return found


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (bulk allocation of objects that all live on).

    Each collection would scan every object of a national plan again; nothing made
    inside makes reference cycles, so this only saves time.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
