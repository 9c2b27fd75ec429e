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
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from functools import cached_property

import attrs
from attrs import frozen

from planflow.plan.model import DependencyMode, Group, LeadMode, Offset, Period, Plan, Shift, Task
from planflow.timeline.recurrence import expand
from planflow.timeline.workdays import DayNote, WorkCalendar

__all__ = [
    "Conflict",
    "Duty",
    "Occurrence",
    "TargetCheck",
    "Timeline",
    "calendar_for",
    "default_period",
    "period_label",
]

OccurrenceKey = tuple[str, int]


@frozen
class Duty:
    """One unit's share of a task: the task itself, or ``task@unit`` for each group member."""

    id: str
    task: Task
    unit: str


@frozen
class Occurrence:
    """One occurrence of a duty.

    ``index`` counts from 1 within the duty. ``nominal`` is the date the rule gave,
    before it was moved off a non-working day; ``start`` and ``due`` are working-day
    dates (unless the policy is ``keep``). ``period`` labels the calendar period the
    occurrence belongs to: ``2025-03``, ``2025-Q1``, ``2025-W05``, ``2025``, or the
    window's label for a one-off task.
    """

    task: str
    index: int
    start: date
    due: date
    period: str
    unit: str
    plan_task: str
    nominal: date
    waits_for: tuple[OccurrenceKey, ...] = ()

    @property
    def key(self) -> OccurrenceKey:
        """``(duty id, index)``: how other occurrences refer to this one."""
        return (self.task, self.index)


@frozen
class Conflict:
    """An occurrence that cannot be done by its due date because of what it waits for."""

    occurrence: Occurrence
    earliest: date
    blocking: tuple[OccurrenceKey, ...]

    def __str__(self) -> str:
        o = self.occurrence
        waits = ", ".join(f"{t}#{i}" for t, i in self.blocking)
        return (
            f"{o.task}#{o.index} ({o.period}) is due {o.due} but cannot be done before "
            f"{self.earliest}: it waits for {waits}"
        )


@frozen
class TargetCheck:
    """The occurrences a duty's rule yields against its quantity target."""

    duty: str
    plan_task: str
    expected: int
    actual: int
    approximate: bool

    @property
    def met(self) -> bool:
        """Exact targets must match; "about" targets may differ by 10 % (at least 1)."""
        if not self.approximate:
            return self.actual == self.expected
        # not round(): 10 % of 15 is 1.5, and a difference of 2 is over it
        return abs(self.actual - self.expected) <= max(1, self.expected / 10)


def calendar_for(plan: Plan) -> WorkCalendar:
    """The working-day calendar a plan uses: its country's holidays plus its own swaps."""
    return WorkCalendar(
        country=plan.country,
        years=(plan.year,),
        days_off=[DayNote(d, reason, source or None) for d, reason, source in plan.days_off],
        working_days=[
            DayNote(d, reason, source or None) for d, reason, source in plan.working_days
        ],
    )


def period_label(day: date, period: Period, window_label: str = "") -> str:
    """The label of the ``period`` that contains ``day``: ``2025-03``, ``2025-Q1`` …"""
    if period is Period.DAY:
        return day.isoformat()
    if period is Period.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if period is Period.MONTH:
        return f"{day.year}-{day.month:02d}"
    if period is Period.QUARTER:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if period is Period.HALF:
        return f"{day.year}-H{(day.month - 1) // 6 + 1}"
    if period is Period.YEAR:
        return str(day.year)
    return window_label or str(day.year)


def default_period(rule: str | None) -> Period:
    """The period a rule's occurrences are labelled by when the task does not say."""
    if rule is None:
        return Period.DAY
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    freq = parts.get("FREQ")
    if freq == "YEARLY" and "BYMONTH" in parts:
        months = [int(m) for m in parts["BYMONTH"].split(",")]
        quarters = {(m - 1) // 3 for m in months}
        if len(months) > 1:
            return Period.QUARTER if len(quarters) == len(months) else Period.MONTH
        return Period.YEAR
    return {"DAILY": Period.DAY, "WEEKLY": Period.WEEK, "MONTHLY": Period.MONTH}.get(
        freq or "", Period.YEAR
    )


class Timeline:
    """Every occurrence of a plan, computed on demand and cached.

    ``Timeline(plan)`` is cheap; occurrences are expanded the first time a duty is
    asked for. Iterating yields all occurrences in time order (start, due, duty, index).
    """

    def __init__(self, plan: Plan, *, calendar: WorkCalendar | None = None) -> None:
        self.plan = plan
        self.calendar = calendar if calendar is not None else calendar_for(plan)
        self._occurrences: dict[str, tuple[Occurrence, ...]] = {}
        self._schedules: dict[tuple[object, ...], tuple[tuple[date, date, str, date], ...]] = {}
        self._visiting: set[str] = set()

    # --- duties ---------------------------------------------------------

    @cached_property
    def duties(self) -> tuple[Duty, ...]:
        """Every duty, in plan order."""
        out: list[Duty] = []
        for task in self.plan.tasks:
            out.extend(self.duties_of(task))
        return tuple(out)

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
        lead = self.plan.unit(task.lead)
        if isinstance(lead, Group) and lead.members and task.lead_mode is LeadMode.EACH:
            return tuple(Duty(f"{task.id}@{m}", task, m) for m in self.plan.members(task.lead))
        return (Duty(task.id, task, task.lead),)

    def duty(self, duty_id: str) -> Duty:
        """The duty with this id; ``KeyError`` if there is none."""
        return self._duty_by_id[duty_id]

    def units_of(self, duty: Duty) -> tuple[str, tuple[str, ...]]:
        """(the unit whose duty it is, the coordinating units, groups expanded)."""
        coordinators: list[str] = []
        for unit_id in duty.task.coordinators:
            for member in self.plan.members(unit_id):
                if member != duty.unit and member not in coordinators:
                    coordinators.append(member)
        return duty.unit, tuple(coordinators)

    # --- occurrences ----------------------------------------------------

    def __iter__(self) -> Iterator[Occurrence]:
        # Duties that share a schedule (the same template in thousands of communes) are
        # merged as one stream; occurrences on the same (start, due) are then put in
        # (duty, index) order. Lazy: a duty is expanded when the merge first reaches it.
        groups: dict[tuple[object, ...], list[Duty]] = {}
        for duty in self.duties:
            groups.setdefault(_schedule_key(duty.task), []).append(duty)
        members = list(groups.values())
        streams = [self._stream(g, duties[0].task) for g, duties in enumerate(members)]
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

    def _stream(self, group: int, task: Task) -> Iterator[tuple[date, date, int, int]]:
        for i, (start, due, _, _) in enumerate(self._schedule(task)):
            yield start, due, group, i

    def occurrences(self, duty_id: str) -> tuple[Occurrence, ...]:
        """A duty's occurrences in order, with what each waits for."""
        cached = self._occurrences.get(duty_id)
        if cached is not None:
            return cached
        if duty_id in self._visiting:  # the model rejects task cycles; this is a safety net
            from planflow.plan.errors import CycleError

            raise CycleError([*sorted(self._visiting), duty_id], what="occurrence cycle")
        self._visiting.add(duty_id)
        try:
            duty = self._duty_by_id[duty_id]
            result = tuple(self._link(duty, self._dated(duty)))
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

    def _policy(self, task: Task) -> Shift:
        return task.shift or self.plan.shift

    def _move(self, day: date, policy: Shift, window_start: date, window_end: date) -> date:
        moved = self.calendar.shift(day, policy)
        if not window_start <= moved <= window_end and policy is not Shift.KEEP:
            # moving out of the window (1 January is a holiday) goes the other way instead
            other = Shift.NEXT if policy is Shift.PREVIOUS else Shift.PREVIOUS
            moved = self.calendar.shift(day, other)
        return moved

    def _offset(self, day: date, offset: Offset | None, policy: Shift) -> date:
        if offset is None or offset.days == 0:
            return day
        if offset.working:
            return self.calendar.add_working_days(day, offset.days)
        return self.calendar.shift(day + timedelta(days=offset.days), policy)

    def _dated(self, duty: Duty) -> list[Occurrence]:
        task = duty.task
        return [
            Occurrence(duty.id, i, start, due, period, duty.unit, task.id, nominal)
            for i, (start, due, period, nominal) in enumerate(self._schedule(task), 1)
        ]

    def _schedule(self, task: Task) -> tuple[tuple[date, date, str, date], ...]:
        """(start, due, period, nominal) of each occurrence of a task.

        Cached by everything that decides the dates, so the thousands of communes that
        run the same template share one computation.
        """
        key = _schedule_key(task)
        cached = self._schedules.get(key)
        if cached is None:
            cached = self._schedules[key] = tuple(self._compute_schedule(task))
        return cached

    def _compute_schedule(self, task: Task) -> Iterator[tuple[date, date, str, date]]:
        window = task.window
        policy = self._policy(task)
        if task.recurring:
            period = task.period or default_period(task.recurrence)
            if task.recurrence is None:
                days = tuple(sorted(set(task.dates) - set(task.except_dates)))
            else:
                days = expand(
                    task.recurrence,
                    window.start,
                    window.end,
                    rdates=task.dates,
                    exdates=task.except_dates,
                )
            for nominal in days:
                start = self._move(nominal, policy, window.start, window.end)
                due = self._offset(start, task.due, policy)
                yield start, due, period_label(nominal, period, window.label), nominal
        elif window.continuous:
            rule = task.check_in or self.plan.check_in
            period = task.period or default_period(rule)
            days = expand(rule, window.start, window.end)
            if not days or days[-1] != window.end:
                days = (*days, window.end)  # the last check-in closes the window
            opened = window.start
            for nominal in days:
                due = self._move(nominal, policy, window.start, window.end)
                yield min(opened, due), due, period_label(nominal, period, window.label), nominal
                opened = nominal + timedelta(days=1)
        else:
            due = self._move(window.end, policy, window.start, window.end)
            due = self._offset(due, task.due, policy)
            label = period_label(window.end, task.period or Period.WINDOW, window.label)
            yield window.start, due, label, window.end

    def _link(self, duty: Duty, occurrences: list[Occurrence]) -> Iterator[Occurrence]:
        task = duty.task
        if not task.after:
            yield from occurrences
            return
        for occ in occurrences:
            waits: list[OccurrenceKey] = []
            for dep in task.after:
                waits.extend(
                    o.key for o in self._predecessors(duty, occ, dep.task, dep.mode, occurrences)
                )
            yield attrs.evolve(occ, waits_for=tuple(dict.fromkeys(waits)))

    def _predecessors(
        self,
        duty: Duty,
        occ: Occurrence,
        pred_task: str,
        mode: DependencyMode,
        own: list[Occurrence],
    ) -> Iterable[Occurrence]:
        if pred_task == duty.task.id and mode is DependencyMode.PREVIOUS:
            return own[occ.index - 2 : occ.index - 1] if occ.index > 1 else ()
        duties = self._duties_by_task[pred_task]
        if mode is not DependencyMode.ALL and duty.unit != duty.task.lead:
            # member-by-member duties wait for the same member's share when there is one
            same = [d for d in duties if d.unit == duty.unit and d.id != d.task.id]
            duties = tuple(same) or duties
        found: list[Occurrence] = []
        for pred in duties:
            occs = self.occurrences(pred.id)
            if mode is DependencyMode.TASK:
                found.extend(occs)
            elif mode is DependencyMode.PREVIOUS:
                found.extend(occs[occ.index - 2 : occ.index - 1] if occ.index > 1 else ())
            else:
                found.extend(o for o in occs if o.period == occ.period)
        return found

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
        return self._offset(pred.due, lag, Shift.KEEP) if lag.days else pred.due

    def earliest(self, occ: Occurrence) -> date | None:
        """The earliest date ``occ`` can be done: its predecessors' due dates plus lag."""
        return max((self.ready(occ, self.get(k)) for k in occ.waits_for), default=None)

    def conflicts(self) -> Iterator[Conflict]:
        """Occurrences due before what they wait for can be done (plus lag)."""
        for occ in self:
            earliest = self.earliest(occ)
            if earliest is not None and earliest > occ.due:
                blocking = tuple(k for k in occ.waits_for if self.ready(occ, self.get(k)) > occ.due)
                yield Conflict(occ, earliest, blocking)

    def target_checks(self) -> Iterator[TargetCheck]:
        """Each duty with a quantity target, against what its rule yields."""
        for duty in self.duties:
            target = duty.task.target
            if target is None:
                continue
            actual = len(self.occurrences(duty.id))
            periods = _periods_in(duty.task.window.start, duty.task.window.end, target.per)
            yield TargetCheck(
                duty.id, duty.task.id, target.count * periods, actual, target.approximate
            )


def _periods_in(start: date, end: date, per: Period) -> int:
    """How many ``per`` periods a window spans (a period partly inside counts)."""
    if per is Period.WINDOW:
        return 1
    if per is Period.DAY:
        return (end - start).days + 1
    if per is Period.WEEK:
        return ((end - start).days + start.weekday()) // 7 + 1
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    size = {Period.MONTH: 1, Period.QUARTER: 3, Period.HALF: 6, Period.YEAR: 12}[per]
    if per is Period.MONTH:
        return months
    first = (start.month - 1) // size
    last = (end.year - start.year) * (12 // size) + (end.month - 1) // size
    return last - first + 1


def _schedule_key(task: Task) -> tuple[object, ...]:
    """Everything that decides a task's dates."""
    return (
        task.recurrence,
        task.dates,
        task.except_dates,
        task.window,
        task.period,
        task.check_in,
        task.due,
        task.shift,
    )


def _tie_order(occ: Occurrence) -> tuple[str, int]:
    return (occ.task, occ.index)


def _order(occ: Occurrence) -> tuple[date, date, str, int]:
    return (occ.start, occ.due, occ.task, occ.index)
