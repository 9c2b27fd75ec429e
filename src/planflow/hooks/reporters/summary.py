"""The figures of one closed reporting period, shared by the built-in reporters.

:func:`period_summary` looks at every occurrence due in the period *as it stood
the day the period closed*: per unit and per task counts, the quantity targets
over the period and the items that are late, overdue or missed.
"""

from __future__ import annotations

from typing import Any

from planflow.hooks.specs import ReportContext
from planflow.run.events import State
from planflow.run.results import _counts as results_counts

__all__ = ["COLUMNS", "HEADINGS", "period_summary"]

#: The count columns, with their Vietnamese and English headings.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("planned", "Kế hoạch", "planned"),
    ("done", "Đã thực hiện", "done"),
    ("on_time", "Đúng hạn", "on time"),
    ("late", "Trễ hạn", "late"),
    ("missed", "Không thực hiện", "missed"),
    ("pending", "Chưa xong", "not done yet"),
)

#: Section headings (Vietnamese, then English).
HEADINGS = {
    "title": "Báo cáo kết quả thực hiện kế hoạch",
    "totals": "I. Tổng hợp chung (Totals)",
    "units": "II. Theo đơn vị (By unit)",
    "tasks": "III. Theo nhiệm vụ (By task)",
    "targets": "IV. Chỉ tiêu số lượng (Quantity targets)",
    "late": "V. Nhiệm vụ trễ hạn, chưa hoàn thành (Late and missed items)",
    "indicators": "VI. Chỉ tiêu đo lường (Indicators)",
}

_LATE_STATES = (State.LATE, State.MISSED, State.OVERDUE, State.DUE)


def _counts(outcomes: list[Any]) -> dict[str, int]:
    """The run's counts (planned, done, on time, late, missed, pending) of ``outcomes``."""
    counts = results_counts(outcomes)
    counts.pop("max_days_late", None)  # the reports list late items one by one instead
    return counts


def period_summary(context: ReportContext) -> dict[str, Any]:
    """Every figure of the period (JSON-ready; the ``json`` reporter writes exactly this)."""
    plan, event, result = context.plan, context.period, context.result
    start, end = event.start, event.due
    if start is None or end is None:
        raise ValueError(f"not a period_closed event: {event!r}")
    outcomes = [o for o in result.outcomes if start <= o.occurrence.due <= end]
    by_unit: dict[str, list[Any]] = {}
    by_task: dict[str, list[Any]] = {}
    by_duty: dict[str, list[Any]] = {}
    for o in outcomes:
        by_unit.setdefault(o.occurrence.unit, []).append(o)
        by_task.setdefault(o.occurrence.plan_task, []).append(o)
        by_duty.setdefault(o.occurrence.task, []).append(o)
    units = [
        {"unit": u.id, "name": u.name, **_counts(by_unit[u.id])}
        for u in plan.units
        if u.id in by_unit
    ]
    tasks = [
        {"task": t.id, "ref": t.ref, "title": t.title, "lead": t.lead, **_counts(by_task[t.id])}
        for t in plan.tasks
        if t.id in by_task
    ]
    targets = []
    timeline = result.timeline
    planned: dict[str, int] = {}  # per share: its occurrences due in the period
    for duty in timeline.duties:
        if duty.task.target is None:
            continue
        share = timeline.share_of(duty.id)
        due_here = sum(start <= o.due <= end for o in timeline.occurrences(duty.id))
        planned[share] = planned.get(share, 0) + due_here
    shares: dict[str, list[Any]] = {}
    for o in outcomes:
        shares.setdefault(timeline.share_of(o.occurrence.task), []).append(o)
    for share, expected in planned.items():
        # what the period expects is what the plan's own schedule puts in it (the
        # plan's reporting periods need not be quarters); whether the rule meets the
        # target over the year is `validate`'s warning, not a period's shortfall
        if not expected:
            continue
        task = timeline.duty(share).task
        target = task.target
        assert target is not None
        counts = _counts(shares.get(share, []))
        tolerance = max(1, round(expected * 0.1)) if target.approximate else 0
        targets.append(
            {
                "duty": share,
                "task": task.id,
                "target": str(target),
                "expected": expected,
                "done": counts["done"],
                "on_time": counts["on_time"],
                "met": counts["done"] >= expected - tolerance,
            }
        )
    late = [
        {
            "occurrence": f"{o.occurrence.task}#{o.occurrence.index}",
            "task": o.occurrence.plan_task,
            "title": plan.task(o.occurrence.plan_task).title,
            "unit": o.occurrence.unit,
            "due": o.occurrence.due.isoformat(),
            "state": o.state.value,
            "completed": o.completed.isoformat() if o.completed else None,
            "days_late": o.days_late,
        }
        for o in outcomes
        if o.state in _LATE_STATES
    ]
    return {
        "plan": plan.id,
        "title": plan.title,
        "issuer": plan.issuer,
        "period": {
            "id": event.task,
            "name": event.period,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "closed": event.time.isoformat(),
        },
        "totals": _counts(outcomes),
        "units": units,
        "tasks": tasks,
        "targets": targets,
        "late": late,
        "indicators": result.indicators(start, end) if hasattr(result, "indicators") else [],
    }
