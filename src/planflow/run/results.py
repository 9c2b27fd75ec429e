"""The result of one simulated run: outcomes, events and their summaries."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from attrs import field, frozen

from planflow.plan.model import DependencyMode, Plan
from planflow.run.engine import Outcome
from planflow.run.events import Event, EventKind, State
from planflow.run.indicators import Measurements, Verdict, judge, verdict_row
from planflow.timeline.occurrences import Timeline

SCHEMA_VERSION = 1


def _chain_order(row: dict[str, Any]) -> tuple[int, str]:
    """Missed first, then the latest; ties by occurrence."""
    return (-(row["days_late"] or 10**6), row["occurrence"])


def _counts(outcomes: Iterable[Outcome]) -> dict[str, int]:
    c = {
        "planned": 0,
        "done": 0,
        "on_time": 0,
        "late": 0,
        "missed": 0,
        "pending": 0,
        "max_days_late": 0,
    }
    for o in outcomes:
        c["planned"] += 1
        if o.state is State.DONE:
            c["done"] += 1
            c["on_time"] += 1
        elif o.state is State.LATE:
            c["done"] += 1
            c["late"] += 1
            c["max_days_late"] = max(c["max_days_late"], o.days_late or 0)
        elif o.state is State.MISSED:
            c["missed"] += 1
        else:
            c["pending"] += 1
    return c


def _week_label(day: date, plan_year: int) -> str:
    """The ISO week, kept inside the plan year: 31/12/2025 (ISO 2026-W01) is ``2025-W53``,
    the partial last week of 2025, not a week of a year the plan does not cover."""
    year, week, _ = day.isocalendar()
    if year == day.year or day.year != plan_year:
        return f"{year}-W{week:02d}"
    if day.month == 12:
        last = date(day.year, 12, 28).isocalendar()[1]  # the year's last full ISO week
        return f"{day.year}-W{last + 1:02d}"
    return f"{day.year}-W00"  # early January days of the previous year's last week


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _key(key: tuple[str, int]) -> str:
    return f"{key[0]}#{key[1]}"


@frozen
class SimulationResult:
    """One simulated run: its events and what became of every occurrence.

    ``outcomes`` covers the occurrences due from ``start`` to ``end``; ``events``
    those from ``start`` on (empty with ``keep_events=False``); ``event_counts``
    counts them by kind either way.
    """

    plan: Plan
    timeline: Timeline
    model: str
    seed: int
    start: date
    end: date
    until: date | None
    events: list[Event]
    event_counts: dict[str, int]
    outcomes: list[Outcome]
    capacity: int = 5
    measurements: Measurements = field(factory=Measurements)
    """Values of the plan's KPI indicators (see :mod:`planflow.run.indicators`)."""

    def totals(self) -> dict[str, int]:
        """Counts over every occurrence: planned, done, on_time, late, missed, pending."""
        return _counts(self.outcomes)

    def _grouped(self, key: Callable[[Outcome], str]) -> dict[str, list[Outcome]]:
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            groups[key(o)].append(o)
        return groups

    def by_task(self) -> list[dict[str, Any]]:
        """Per plan task, in plan order: counts and the task's ref and lead."""
        groups = self._grouped(lambda o: o.occurrence.plan_task)
        return [
            {"task": t.id, "ref": t.ref, "lead": t.lead, **_counts(groups[t.id])}
            for t in self.plan.tasks
            if t.id in groups
        ]

    def by_unit(self) -> list[dict[str, Any]]:
        """Per unit (the unit whose duty it is), in plan order, with its peak week."""
        groups = self._grouped(lambda o: o.occurrence.unit)
        load = {row["unit"]: row for row in self.workload()}
        rows = []
        for unit in self.plan.units:
            if unit.id in groups:
                peak = load.get(unit.id, {})
                rows.append(
                    {
                        "unit": unit.id,
                        **_counts(groups[unit.id]),
                        "peak_week": peak.get("peak_week"),
                        "peak_load": peak.get("peak", 0),
                    }
                )
        return rows

    def by_quarter(self) -> list[dict[str, Any]]:
        """Per unit and quarter of the due date."""
        groups = self._grouped(lambda o: f"{o.occurrence.unit}\x1f{_quarter(o.occurrence.due)}")
        order = {u.id: n for n, u in enumerate(self.plan.units)}
        rows = []
        for name in sorted(groups, key=lambda k: (order.get(k.split("\x1f")[0], 0), k)):
            unit, quarter = name.split("\x1f")
            rows.append({"unit": unit, "quarter": quarter, **_counts(groups[name])})
        return rows

    def targets(self) -> list[dict[str, Any]]:
        """Each duty with a quantity target: expected count against occurrences done."""
        share = self.timeline.share_of  # a successor's work counts for the ended unit's share
        done = Counter(
            share(o.occurrence.task) for o in self.outcomes if o.state in (State.DONE, State.LATE)
        )
        on_time = Counter(share(o.occurrence.task) for o in self.outcomes if o.state is State.DONE)
        rows = []
        for check in self.timeline.target_checks():
            # as TargetCheck.met: 10 % unrounded, at least 1
            tolerance = max(1, check.expected / 10) if check.approximate else 0
            rows.append(
                {
                    "duty": check.duty,
                    "task": check.plan_task,
                    "expected": check.expected,
                    "planned": check.actual,
                    "done": done[check.duty],
                    "on_time": on_time[check.duty],
                    "approximate": check.approximate,
                    "met": done[check.duty] >= check.expected - tolerance,
                }
            )
        return rows

    def by_section(self) -> list[dict[str, Any]]:
        """Per plan section (tasks with no section under ``""``), in the plan's order."""
        section = {t.id: t.section for t in self.plan.tasks}
        groups = self._grouped(lambda o: section[o.occurrence.plan_task])
        names = {x.id: x.name for x in self.plan.sections}
        order = [*names, ""]
        return [
            {"section": k, "name": names.get(k, "—"), **_counts(groups[k])}
            for k in order
            if k in groups
        ]

    def verdicts(self, start: date | None = None, end: date | None = None) -> list[Verdict]:
        """KPI verdicts at the checkpoints from ``start`` to ``end`` that the run reached."""
        reached = min(self.until or self.end, end or self.end)
        return [
            v
            for v in judge(self.plan, self.measurements, reached)
            if start is None or v.checkpoint >= start
        ]

    def indicators(
        self, start: date | None = None, end: date | None = None
    ) -> list[dict[str, Any]]:
        """Each indicator's verdict per owner and checkpoint, in plan order."""
        return [verdict_row(v) for v in self.verdicts(start, end)]

    def reporting(self) -> list[dict[str, Any]]:
        """The reporting chain (tasks linked by ``mode: all``), per period label.

        Each row: the period, how many reports it has and how they stand, whether
        all were on time, and the consolidating reports' own outcomes.
        """
        consolidating = {
            t.id for t in self.plan.tasks if any(d.mode is DependencyMode.ALL for d in t.after)
        }
        feeding = {d.task for t in self.plan.tasks for d in t.after if d.mode is DependencyMode.ALL}
        chain = consolidating | feeding
        groups = self._grouped(lambda o: o.occurrence.period)
        rows = []
        for period in sorted(groups):
            reports = [o for o in groups[period] if o.occurrence.plan_task in chain]
            if not reports:
                continue
            counts = _counts(reports)
            rows.append(
                {
                    "period": period,
                    **counts,
                    "all_on_time": counts["on_time"] == counts["planned"],
                    "consolidated": [
                        {
                            "duty": o.occurrence.task,
                            "due": o.occurrence.due.isoformat(),
                            "state": o.state.value,
                            "completed": o.completed.isoformat() if o.completed else None,
                            "days_late": o.days_late,
                        }
                        for o in reports
                        if o.occurrence.plan_task in consolidating
                    ],
                }
            )
        return rows

    def workload(self) -> list[dict[str, Any]]:
        """Per unit: occurrences led or coordinated per ISO week (of completion, else due).

        ``peak`` and ``peak_week`` give the busiest week; ``overloaded`` lists the
        weeks above the scenario's ``capacity``.
        """
        weeks: dict[str, Counter[str]] = defaultdict(Counter)
        for o in self.outcomes:
            label = _week_label(o.completed or o.occurrence.due, self.plan.year)
            coordinators = self.timeline.coordinators_of(o.occurrence)
            for unit_id in (o.occurrence.unit, *coordinators):
                weeks[unit_id][label] += 1
        rows = []
        for unit in self.plan.units:
            if unit.id not in weeks:
                continue
            per_week = weeks[unit.id]
            peak_week = min(per_week, key=lambda w: (-per_week[w], w))
            rows.append(
                {
                    "unit": unit.id,
                    "peak": per_week[peak_week],
                    "peak_week": peak_week,
                    "weeks": len(per_week),
                    "overloaded": [
                        {"week": w, "load": n}
                        for w, n in sorted(per_week.items())
                        if n > self.capacity
                    ],
                }
            )
        return rows

    def late_chains(self) -> list[dict[str, Any]]:
        """Late or missed occurrences held up by a predecessor, with the chain back to its root."""
        by_key = {o.occurrence.key: o for o in self.outcomes}
        rows = []
        for o in self.outcomes:
            if o.cause is None:
                continue
            chain = [o.occurrence.key]
            cause: tuple[str, int] | None = o.cause
            while cause is not None and cause not in chain:
                chain.append(cause)
                found = by_key.get(cause)
                cause = found.cause if found else None
            chain.reverse()
            rows.append(
                {
                    "occurrence": _key(o.occurrence.key),
                    "state": o.state.value,
                    "days_late": o.days_late,
                    "root": _key(chain[0]),
                    "chain": [_key(k) for k in chain],
                }
            )
        rows.sort(key=_chain_order)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` object (schema in docs/simulation.md)."""
        return {
            "schema": SCHEMA_VERSION,
            "kind": "simulation",
            "plan": self.plan.id,
            "year": self.plan.year,
            "model": self.model,
            "seed": self.seed,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "until": self.until.isoformat() if self.until else None,
            "totals": self.totals(),
            "events": {k.value: self.event_counts.get(k.value, 0) for k in EventKind},
            "tasks": self.by_task(),
            "units": self.by_unit(),
            "quarters": self.by_quarter(),
            "targets": self.targets(),
            "indicators": self.indicators(),
            "sections": self.by_section(),
            "reporting": self.reporting(),
            "workload": self.workload(),
            "late_chains": self.late_chains(),
        }
