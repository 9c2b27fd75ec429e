"""What a period report measures against: quantity targets and KPI indicators.

A quantity target's expectation in a period is what the plan's own schedule puts
in it: the occurrences of the target's share (a unit's duty, and what its successor
does after it ended) due inside the period, whatever the period's shape (quarters,
cut-offs on the 14th, cumulative 6- and 9-month reports). A year where everything is
done on time therefore never shows a missed target; whether the rule meets the
target over the year is ``validate``'s warning, not a period's shortfall.

Indicators are measured, not counted: the values recorded at the checkpoints that
fall in the period are judged met / not met / no data (see
:mod:`planflow.run.indicators`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from planflow.reports.clauses import clause_key
from planflow.reports.periods import ReportPeriod
from planflow.reports.rows import IndicatorRow, Item, TargetRow
from planflow.run.indicators import Measurements, judge
from planflow.timeline.occurrences import Timeline

__all__ = ["indicator_rows", "target_rows"]


def target_rows(timeline: Timeline, items: list[Item], order: dict[str, int]) -> list[TargetRow]:
    """Each share with a quantity target and something due in the period, in clause order."""
    by_share: dict[str, list[Item]] = {}
    for item in items:
        duty_id = item.key.rsplit("#", 1)[0]
        if timeline.duty(duty_id).task.target is None:
            continue
        by_share.setdefault(timeline.share_of(duty_id), []).append(item)
    rows = []
    for share, share_items in by_share.items():
        expected = sum(i.in_period for i in share_items)
        if not expected:
            continue
        duty = timeline.duty(share)
        task, target = duty.task, duty.task.target
        assert target is not None
        done = sum(i.in_period and i.state in ("done", "late") for i in share_items)
        on_time = sum(i.in_period and i.state == "done" for i in share_items)
        tolerance = max(1, expected / 10) if target.approximate else 0  # as TargetCheck.met
        rows.append(
            TargetRow(
                share,
                task.id,
                task.ref,
                timeline.units_of(duty)[0],
                str(target),
                expected,
                done,
                on_time,
                done >= expected - tolerance,
            )
        )
    rows.sort(key=lambda r: (clause_key(r.ref), order[r.task]))
    return rows


def indicator_rows(
    state: Any, period: ReportPeriod, as_of: date, unit: str | None
) -> list[IndicatorRow]:
    """The verdicts at the indicators' checkpoints inside the period, up to ``as_of``.

    ``state.measurements`` holds the recorded values (a simulation has them); a state
    without any reports every checkpoint as having no data.
    """
    measurements = getattr(state, "measurements", None) or Measurements()
    reached = min(as_of, period.end)
    rows = []
    for v in judge(state.plan, measurements, reached):
        if v.checkpoint < period.start or (unit is not None and v.unit != unit):
            continue
        ind = v.indicator
        rows.append(
            IndicatorRow(
                indicator=ind.id,
                ref=ind.ref,
                text=ind.text,
                section=ind.section,
                unit=v.unit,
                checkpoint=v.checkpoint,
                goal=str(ind.goal) + ("%" if ind.metric.percentage else ""),
                value=v.value,
                state=v.state.value,
                firmness=ind.firmness.value,
                failed=v.failed,
            )
        )
    return rows
