"""Tasks → occurrences: recurrence × window × working days, with occurrence-level dependencies.

The timeline is the single source of truth for the engine, the agenda and the
calendar feeds. For each task:

* a task led by a group with ``lead_mode: each`` becomes one *duty* per member
  unit, with the id ``task@unit``; otherwise the task is one duty;
* a recurring task (RRULE and/or explicit dates) has one occurrence per date the
  rule yields inside the window, moved off non-working days by the shift policy;
* a "throughout the year" task has periodic check-ins (monthly by default), each
  covering the days since the previous one;
* any other task has one occurrence spanning its window, due at its end.

Each occurrence lists the occurrences it waits for, following the dependency modes
of :class:`~planflow.plan.model.DependencyMode`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import date
from functools import cached_property

from planflow.i18n import _
from planflow.plan.limits import (
    DUTIES,
    OCCURRENCES,
    TASK_OCCURRENCES,
    LimitError,
    occurrence_limit,
)
from planflow.plan.model import Offset, Plan, Shift, Task, Window
from planflow.timeline import checks, dependencies, schedule
from planflow.timeline import schedule as schedule_module
from planflow.timeline._occurrence import Occurrence, OccurrenceKey
from planflow.timeline.checks import Conflict, TargetCheck
from planflow.timeline.coordination import Coordination, coordination_of
from planflow.timeline.duties import Duty, duties_of, segments_of
from planflow.timeline.periods import default_period, period_label
from planflow.timeline.schedule import (
    ScheduledDate,
    calendar_for,
    effective_window,
    schedule_key,
)
from planflow.timeline.succession import Orphan, orphans_of
from planflow.timeline.workdays import WorkCalendar

__all__ = [
    "Conflict",
    "Duty",
    "Occurrence",
    "OccurrenceKey",
    "Orphan",
    "TargetCheck",
    "Timeline",
    "calendar_for",
    "default_period",
    "period_label",
]


class Timeline:
    """Every occurrence of a plan, computed on demand and cached.

    ``Timeline(plan)`` is cheap; occurrences are expanded the first time a duty is
    asked for. Iterating yields all occurrences in time order (start, due, duty, index).
    """

    def __init__(self, plan: Plan, *, calendar: WorkCalendar | None = None) -> None:
        self.plan = plan
        self.calendar = calendar if calendar is not None else calendar_for(plan)
        self._occurrences: dict[str, tuple[Occurrence, ...]] = {}
        self._schedules: dict[tuple[object, ...], tuple[ScheduledDate, ...]] = {}
        self._owned: dict[tuple[object, ...], tuple[ScheduledDate, ...]] = {}
        self._visiting: set[str] = set()
        self._size: int | None = None  # occurrences counted by check_size()
        self._coordination: dict[str, tuple[Coordination, ...]] = {}

    # --- duties ---------------------------------------------------------

    @cached_property
    def duties(self) -> tuple[Duty, ...]:
        """Every duty, in plan order.

        :raises LimitError: more than :data:`~planflow.plan.limits.DUTIES` duties.
        """
        out: list[Duty] = []
        limit = DUTIES.value()
        for task in self.plan.tasks:
            out.extend(self.duties_of(task))
            if len(out) > limit:
                raise LimitError(DUTIES, len(out), where=_at_task(task.id), task=task.id)
        return tuple(out)

    def check_size(self) -> int:
        """Count the occurrences without building them; the number of occurrences.

        Runs before the first occurrence is built, so that a plan past a limit costs
        its schedules (shared by tasks with the same dates, and by duties with the same
        span), not its occurrences.

        :raises LimitError: one task, or the whole plan, has more occurrences than
            :data:`~planflow.plan.limits.TASK_OCCURRENCES` or
            :func:`~planflow.plan.limits.occurrence_limit` allow.
        """
        if self._size is not None:
            return self._size
        per_task = TASK_OCCURRENCES.value()
        overall = occurrence_limit(len(self.plan.units) + len(self.plan.tasks))
        total = 0
        for task_id, duties in self._duties_by_task.items():
            # per duty: a hand-over splits one schedule between two duties, it does not double it
            count = sum(len(self.duty_schedule(duty)) for duty in duties)
            if count > per_task:
                raise LimitError(TASK_OCCURRENCES, count, where=_of_task(task_id), task=task_id)
            total += count
            if total > overall:
                raise LimitError(
                    OCCURRENCES, total, where=_at_task(task_id), task=task_id, allowed=overall
                )
        self._size = total
        return total

    @cached_property
    def _duties_by_task(self) -> dict[str, tuple[Duty, ...]]:
        grouped: dict[str, list[Duty]] = {}
        for duty in self.duties:
            grouped.setdefault(duty.task.id, []).append(duty)
        return {k: tuple(v) for k, v in grouped.items()}

    @cached_property
    def _duty_by_id(self) -> dict[str, Duty]:
        return {d.id: d for d in self.duties}

    def duties_of(self, task: Task) -> tuple[Duty, ...]:
        """A task's duties: one per member when a group leads it member by member."""
        return duties_of(self.plan, task)

    def duty(self, duty_id: str) -> Duty:
        """The duty with this id; ``KeyError`` if there is none."""
        return self._duty_by_id[duty_id]

    def units_of(self, duty: Duty) -> tuple[str, tuple[str, ...]]:
        """(the unit whose duty it is, every unit that coordinates one of its occurrences,
        groups expanded); :meth:`coordinators_of` says which coordinate a given one."""
        spans = self.coordination(duty)
        return duty.unit, tuple(dict.fromkeys(u for span in spans for u in span.units))

    def coordination(self, duty: Duty) -> tuple[Coordination, ...]:
        """Who coordinates the duty when (see :mod:`planflow.timeline.coordination`)."""
        found = self._coordination.get(duty.id)
        if found is None:
            dues = lambda: [d[1] for d in self.duty_schedule(duty)]  # noqa: E731
            found = coordination_of(self.plan, duty.task, duty.unit, dues)
            self._coordination[duty.id] = found
        return found

    def coordinators_of(self, occ: Occurrence) -> tuple[str, ...]:
        """The units that coordinate this occurrence: those existing on its due date."""
        spans = self.coordination(self.duty(occ.task))
        return next((s.units for s in spans if s.covers(occ.due)), ())

    # --- occurrences ----------------------------------------------------

    def __iter__(self) -> Iterator[Occurrence]:
        # Duties that share a schedule (the same template in thousands of communes) are
        # merged as one stream; occurrences on the same (start, due) are then put in
        # (duty, index) order. Lazy: a duty is expanded when the merge first reaches it.
        self.check_size()
        groups: dict[tuple[object, ...], list[Duty]] = {}
        for duty in self.duties:
            groups.setdefault(_duty_key(duty), []).append(duty)
        members = list(groups.values())
        streams = [self._stream(g, duties[0]) for g, duties in enumerate(members)]
        batch: list[Occurrence] = []
        current: tuple[date, date] | None = None
        for start, due, g, i in heapq.merge(*streams):
            if (start, due) != current:
                batch.sort(key=_tie_order)
                yield from batch
                batch, current = [], (start, due)
            batch.extend(self.occurrences(duty.id)[i] for duty in members[g])
        batch.sort(key=_tie_order)
        yield from batch

    @cached_property
    def _depth(self) -> dict[str, int]:
        """Each task's place in its dependency chains (0: waits for nothing)."""
        depth: dict[str, int] = {}

        def of(task_id: str, seen: frozenset[str]) -> int:
            if task_id not in depth:
                task = self.plan.task(task_id)
                waits = [d.task for d in task.after if d.task != task_id and d.task not in seen]
                depth[task_id] = 1 + max((of(t, seen | {task_id}) for t in waits), default=-1)
            return depth[task_id]

        for task in self.plan.tasks:
            of(task.id, frozenset())
        return depth

    def depth(self, task_id: str) -> int:
        """A plan task's place in its dependency chains: 0 if it waits for nothing, else
        one more than the deepest task it waits for."""
        return self._depth[task_id]

    def _stream(self, group: int, duty: Duty) -> Iterator[tuple[date, date, int, int]]:
        for i, (start, due, _shift, _offset) in enumerate(self.duty_schedule(duty)):
            yield start, due, group, i

    def occurrences(self, duty_id: str) -> tuple[Occurrence, ...]:
        """A duty's occurrences in order, with what each waits for."""
        cached = self._occurrences.get(duty_id)
        if cached is not None:
            return cached
        if self._size is None:
            self.check_size()
        if duty_id in self._visiting:  # the model rejects task cycles; this is a safety net
            from planflow.plan.errors import CycleError

            raise CycleError([*sorted(self._visiting), duty_id], what="occurrence cycle")
        self._visiting.add(duty_id)
        try:
            duty = self._duty_by_id[duty_id]
            result = tuple(
                dependencies.link(
                    duty,
                    self._dated(duty),
                    self._duties_by_task,
                    self.occurrences,
                    self.plan.reporting_periods,
                )
            )
        finally:
            self._visiting.discard(duty_id)
        self._occurrences[duty_id] = result
        return result

    def of_task(self, task_id: str) -> tuple[Occurrence, ...]:
        """Every occurrence of every duty of a plan task, in time order."""
        duties = self._duties_by_task.get(task_id, ())
        return tuple(heapq.merge(*(self.occurrences(d.id) for d in duties), key=_order))

    def get(self, key: OccurrenceKey) -> Occurrence:
        """The occurrence ``(duty id, index)``."""
        return self.occurrences(key[0])[key[1] - 1]

    def _dated(self, duty: Duty) -> list[Occurrence]:
        task = duty.task
        return [
            Occurrence(duty.id, i, start, due, period, duty.unit, task.id, nominal)
            for i, (start, due, period, nominal) in enumerate(self.duty_schedule(duty), 1)
        ]

    def duty_schedule(self, duty: Duty) -> tuple[ScheduledDate, ...]:
        """(start, due, period, nominal) of the occurrences a duty owns.

        The task's schedule, less what falls due outside the duty's unit's life (see
        :mod:`planflow.timeline.duties`); the same object for every duty on it.
        """
        full = self._schedule(duty.task)
        if duty.since is None and duty.until is None:
            return full
        key = _duty_key(duty)
        found = self._owned.get(key)
        if found is None:
            found = self._owned[key] = tuple(d for d in full if duty.owns(d[1]))
        return found

    @cached_property
    def _shares(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for task in self.plan.tasks:
            for duty_id, chain in segments_of(self.plan, task):
                out[duty_id] = duty_id
                for seg in chain[1:]:
                    if not seg.absorbed:
                        out[f"{task.id}@{seg.unit}"] = duty_id
        return out

    def share_of(self, duty_id: str) -> str:
        """The share of the plan a duty carries out: its own id, or for a duty handed
        over to a successor, the id of the ended unit's duty."""
        return self._shares.get(duty_id, duty_id)

    def orphans(self) -> Iterator[Orphan]:
        """Occurrences due when no unit owns them (their unit ended with no successor).

        A unit that begins mid-year as another's successor has no orphans before it
        began: its predecessor held that part of the work.
        """
        successors = {u.successor for u in self.plan.units if u.successor}
        for task in self.plan.tasks:
            schedule = self._schedule(task)
            for duty_id, chain in segments_of(self.plan, task):
                for orphan in orphans_of(task, duty_id, chain, schedule):
                    if orphan.ended or orphan.unit not in successors:
                        yield orphan

    def _schedule(self, task: Task) -> tuple[ScheduledDate, ...]:
        """(start, due, period, nominal) of each occurrence of a task.

        Cached by everything that decides the dates, so the thousands of communes that
        run the same template share one computation.
        """
        key = schedule_key(task)
        cached = self._schedules.get(key)
        if cached is None:
            cached = self._schedules[key] = tuple(
                schedule.compute_schedule(task, self.plan, self.calendar)
            )
        return cached

    # --- checks ---------------------------------------------------------

    def lag_of(self, occ: Occurrence, pred: Occurrence) -> Offset:
        """The lag the plan puts between ``pred`` and ``occ``."""
        task = self.duty(occ.task).task
        for dep in task.after:
            if dep.task == self.duty(pred.task).task.id:
                return dep.lag
        return Offset(0)

    def ready(self, occ: Occurrence, pred: Occurrence) -> date:
        """When ``pred`` lets ``occ`` go: its due date plus the plan's lag."""
        lag = self.lag_of(occ, pred)
        return (
            schedule.offset_day(self.calendar, pred.due, lag, Shift.KEEP) if lag.days else pred.due
        )

    def earliest(self, occ: Occurrence) -> date | None:
        """The earliest date ``occ`` can be done: its predecessors' due dates plus lag."""
        return max((self.ready(occ, self.get(k)) for k in occ.waits_for), default=None)

    def conflicts(self) -> Iterator[Conflict]:
        """Occurrences due before what they wait for can be done (plus lag)."""
        for occ in self:
            ready = {k: self.ready(occ, self.get(k)) for k in occ.waits_for}
            found = checks.conflict(occ, ready)
            if found is not None:
                yield found

    def target_checks(self) -> Iterator[TargetCheck]:
        """Each duty with a quantity target, against what its rule yields."""
        # one check per share the plan names: a unit's share counts what its successors
        # do after it ended
        for task in self.plan.tasks:
            if task.target is None:
                continue
            # the target is the plan's intent for the window as written: a plan issued
            # mid-year is not asked for a full year's count in what is left of it
            window = task.window
            reporting = sum(p.end in window for p in self.plan.reporting_periods)
            schedule: tuple[ScheduledDate, ...] = self._schedule(task)
            if effective_window(window, self.plan.start) != window:
                schedule = tuple(
                    schedule_module.compute_schedule(task, self.plan, self.calendar, clip=False)
                )
            for duty_id, chain in segments_of(self.plan, task):
                # the share's target covers the days its own chain holds it (a unit
                # merged into one that does the task already stops counting there)
                owned = [s for s in chain if not s.absorbed]
                low = max(window.start, owned[0].since or window.start)
                high = min(window.end, owned[-1].until or window.end)
                if low > high:
                    continue
                span = Window(low, high, window.label, window.continuous)
                actual = sum(any(s.covers(d[1]) for s in owned) for d in schedule)
                duty = self._duty_by_id[duty_id]
                check = checks.target_check(duty, actual, reporting, span)
                if check is not None:
                    yield check


def _at_task(task_id: str) -> str:
    """Where a count over a limit stopped, for its message."""
    return _("at task {task}").format(task=repr(task_id))


def _of_task(task_id: str) -> str:
    """The task a count over a limit is about, for its message."""
    return _("task {task}").format(task=repr(task_id))


def _tie_order(occ: Occurrence) -> tuple[str, int]:
    return (occ.task, occ.index)


def _duty_key(duty: Duty) -> tuple[object, ...]:
    return (*schedule_key(duty.task), duty.since, duty.until)


def _order(occ: Occurrence) -> tuple[date, date, str, int]:
    return (occ.start, occ.due, occ.task, occ.index)
