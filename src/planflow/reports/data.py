"""The figures of one report: what every form (md, csv, json, xlsx, html, pdf) shows.

:func:`build_report` reads a :class:`RunState`: the plan, its timeline and what
became of each occurrence as of one day. A simulation's
:class:`~planflow.run.simulation.SimulationResult` is one; the recorded state of a
real year can be another, as long as it offers the same four attributes.

For the period it gives, per task in the plan's own order (sections, then clauses):
planned, done (on time, late), missed and not yet done occurrences, the quantity
targets with their verdicts, the lead and coordinating units; per-unit totals; the
KPI indicators judged at the period's checkpoints, with their firmness; and what to
raise: missed work, late chains, overloaded weeks.

A target's expected count for a period is the number of its occurrences the
timeline puts in the period (see :mod:`planflow.reports.measures`): a monthly duty
is expected to have done the 9 due by the end of September, whatever the target
says, so the on-time model never shows a missed target.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from attrs import asdict, frozen

from planflow.plan.model import Plan
from planflow.reports.clauses import clause_key
from planflow.reports.measures import indicator_rows, target_rows
from planflow.reports.periods import ReportPeriod
from planflow.reports.rows import Chain, Counts, IndicatorRow, Item, TargetRow, TaskRow, UnitRow
from planflow.run.engine import Outcome
from planflow.run.events import State
from planflow.timeline.coordination import named_on
from planflow.timeline.occurrences import Timeline

__all__ = [
    "COUNT_KEYS",
    "Chain",
    "Counts",
    "IndicatorRow",
    "Item",
    "ReportData",
    "RunState",
    "TargetRow",
    "TaskRow",
    "UnitRow",
    "build_report",
]

#: The count columns, in the order every form shows them.
COUNT_KEYS = ("planned", "done", "on_time", "late", "missed", "pending")


class RunState(Protocol):
    """What a report reads: the occurrences' outcomes as of one day.

    ``outcomes`` need not be complete: occurrences it leaves out count as not done.
    ``capacity`` is how many occurrences a unit can handle in a week before the
    report calls the week overloaded. A state may also carry ``measurements``, the
    values recorded at the KPI indicators' checkpoints (a simulation does); without
    them every checkpoint has no data.
    """

    @property
    def plan(self) -> Plan: ...

    @property
    def timeline(self) -> Timeline: ...

    @property
    def outcomes(self) -> Sequence[Outcome]: ...

    @property
    def capacity(self) -> int: ...


@frozen
class ReportData:
    """Every figure of one report (see the module's docstring)."""

    plan: Plan
    period: ReportPeriod
    as_of: date
    unit: str | None
    totals: Counts
    tasks: tuple[TaskRow, ...]
    units: tuple[UnitRow, ...]
    targets: tuple[TargetRow, ...]
    items: tuple[Item, ...]
    chains: tuple[Chain, ...]
    workload: dict[str, dict[str, int]]
    capacity: int
    indicators: tuple[IndicatorRow, ...] = ()

    def item(self, key: str) -> Item | None:
        """The occurrence ``key`` (``duty#index``), if the report has it."""
        for item in self.items:
            if item.key == key:
                return item
        return None

    def late(self) -> list[Item]:
        """Items of the period that are late, missed, or past their due date and not done."""
        open_states = ("due", "overdue", "blocked", "open", "scheduled")
        return [
            i
            for i in self.items
            if i.in_period
            and (i.state in ("late", "missed") or (i.state in open_states and i.due < self.as_of))
        ]

    def missed(self) -> list[Item]:
        """Items of the period that were never done."""
        return [i for i in self.items if i.in_period and i.state == "missed"]

    def overloaded(self) -> list[tuple[str, str, int]]:
        """``(unit, ISO week, load)`` for the weeks of the period above ``capacity``."""
        return [
            (unit, week, load)
            for unit, weeks in self.workload.items()
            for week, load in sorted(weeks.items())
            if load > self.capacity
        ]

    def overloaded_by_unit(self) -> list[tuple[str, int, str, int]]:
        """Per unit with overloaded weeks: ``(unit, how many weeks, busiest week, its load)``."""
        weeks: dict[str, list[tuple[str, int]]] = {}
        for unit, week, load in self.overloaded():
            weeks.setdefault(unit, []).append((week, load))
        out = []
        for unit, rows in weeks.items():
            week, load = min(rows, key=lambda r: (-r[1], r[0]))
            out.append((unit, len(rows), week, load))
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the ``json`` form writes exactly this)."""
        plan = self.plan

        def rows(items: Sequence[Any]) -> list[dict[str, Any]]:
            out = []
            for row in items:
                data = asdict(row, recurse=False)
                counts = data.pop("counts", None)
                if counts is not None:
                    data.update(asdict(counts))
                out.append(
                    {
                        k: (v.isoformat() if isinstance(v, date) else v)
                        for k, v in data.items()
                        if not isinstance(v, tuple)
                    }
                    | {k: list(v) for k, v in data.items() if isinstance(v, tuple)}
                )
            return out

        return {
            "plan": plan.id,
            "title": plan.title,
            "issuer": plan.issuer,
            "period": {
                "id": self.period.id,
                "name": self.period.label(),
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "closed": self.as_of.isoformat(),
            },
            "unit": self.unit,
            "totals": asdict(self.totals),
            "units": rows(self.units),
            "tasks": rows(self.tasks),
            "targets": rows(self.targets),
            "late": rows(self.late()),
            "indicators": rows(self.indicators),
            "raise": {
                "missed": [i.key for i in self.missed()],
                "late_chains": rows(self.chains),
                "overloaded": [{"unit": u, "week": w, "load": n} for u, w, n in self.overloaded()],
            },
        }


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def build_report(
    state: RunState, period: ReportPeriod, *, as_of: date | None = None, unit: str | None = None
) -> ReportData:
    """The report of ``period`` from ``state``, as it stood on ``as_of`` (default: period end).

    :param unit: only what this unit leads or coordinates.
    """
    plan, timeline = state.plan, state.timeline
    as_of = as_of or period.end
    outcomes = {o.occurrence.key: o for o in state.outcomes}
    order = {t.id: n for n, t in enumerate(plan.tasks)}
    tasks_in_order = sorted(plan.tasks, key=lambda t: (clause_key(t.ref), order[t.id]))
    items: list[Item] = []
    per_task: dict[str, list[State]] = {}
    per_unit: dict[str, list[State]] = {}
    coordinated: Counter[str] = Counter()
    roles: dict[str, str] = {}
    workload: dict[str, Counter[str]] = {}
    named: dict[str, dict[str, None]] = {}  # per task: who coordinated in the period, as named
    for task in tasks_in_order:
        for duty in timeline.duties_of(task):
            lead = duty.unit
            for occ in timeline.occurrences(duty.id):
                # a coordinating unit that ended coordinates what fell due while it existed
                coordinators = timeline.coordinators_of(occ)
                if unit is not None and unit not in (lead, *coordinators, task.lead):
                    continue
                if unit is not None:
                    role = "lead" if unit in (lead, task.lead) else "coordinator"
                    roles.setdefault(task.id, role)
                o = outcomes.get(occ.key)
                st = o.state if o else State.SCHEDULED
                in_period = period.start <= occ.due <= period.end
                items.append(
                    Item(
                        key=f"{occ.task}#{occ.index}",
                        task=task.id,
                        ref=task.ref,
                        title=task.title,
                        unit=lead,
                        start=occ.start,
                        due=occ.due,
                        state=st.value,
                        completed=o.completed if o else None,
                        days_late=o.days_late if o else None,
                        in_period=in_period,
                        waits_for=tuple(f"{t}#{i}" for t, i in occ.waits_for),
                        coordinators=coordinators,
                    )
                )
                if not in_period:
                    continue
                per_task.setdefault(task.id, []).append(st)
                named.setdefault(task.id, {}).update(dict.fromkeys(named_on(plan, task, occ.due)))
                per_unit.setdefault(lead, []).append(st)
                coordinated.update(coordinators)
                week = _week(o.completed if o and o.completed else occ.due)
                for who in (lead, *coordinators):
                    workload.setdefault(who, Counter())[week] += 1
    # a task under way in the period with nothing due yet (an umbrella task due at the
    # year's end) is listed too, with zero counts: the report covers every task of the period
    task_rows = tuple(
        TaskRow(
            t.id,
            t.ref,
            t.title,
            t.lead,
            # as they stood in the period (a unit that ended before it is not listed)
            tuple(named[t.id])
            if t.id in named
            else named_on(plan, t, min(period.end, t.window.end)),
            Counts.of(per_task.get(t.id, [])),
            roles.get(t.id, "lead"),
        )
        for t in tasks_in_order
        if t.id in per_task
        or (
            t.window.start <= period.end
            and t.window.end >= period.start
            and (unit is None or t.id in roles)
        )
    )
    unit_rows = []
    for u in plan.units:
        if u.id not in per_unit and not coordinated[u.id]:
            continue
        load = workload.get(u.id, Counter())
        peak = min(load, key=lambda w: (-load[w], w)) if load else ""
        unit_rows.append(
            UnitRow(
                u.id,
                u.name,
                Counts.of(per_unit.get(u.id, [])),
                coordinated[u.id],
                peak,
                load[peak] if peak else 0,
            )
        )
    period_items = [i for i in items if i.in_period]
    return ReportData(
        plan=plan,
        period=period,
        as_of=as_of,
        unit=unit,
        totals=Counts.of([State(i.state) for i in period_items]),
        tasks=task_rows,
        units=tuple(unit_rows),
        targets=tuple(target_rows(timeline, items, order)),
        items=tuple(items),
        chains=tuple(_chains(state.outcomes, {i.key for i in period_items})),
        workload={u: dict(sorted(c.items())) for u, c in workload.items()},
        capacity=state.capacity,
        indicators=tuple(indicator_rows(state, period, as_of, unit)),
    )


def _chains(outcomes: Sequence[Outcome], keys: set[str]) -> list[Chain]:
    """Late or missed occurrences of the period held up by a predecessor."""
    by_key = {o.occurrence.key: o for o in outcomes}
    rows = []
    for o in outcomes:
        name = f"{o.occurrence.task}#{o.occurrence.index}"
        if o.cause is None or name not in keys or o.state not in (State.LATE, State.MISSED):
            continue
        chain = [o.occurrence.key]
        cause: tuple[str, int] | None = o.cause
        while cause is not None and cause not in chain:
            chain.append(cause)
            found = by_key.get(cause)
            cause = found.cause if found else None
        rows.append(
            Chain(name, o.state.value, o.days_late, tuple(f"{t}#{i}" for t, i in reversed(chain)))
        )
    rows.sort(key=lambda c: (-(c.days_late or 10**6), c.occurrence))
    return rows
