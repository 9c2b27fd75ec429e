"""KPI verdicts: the value recorded at each checkpoint of each indicator, judged
met / not met / no data.

An indicator is measured, not derived from occurrences. In a simulation the values
come from the scenario (``indicators:``) or, under the ``on-time`` model, are the
values that just reach each goal; in a real run they are what the units report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum

from attrs import field, frozen

from planflow.plan.model import Indicator, Plan

__all__ = [
    "FIRMNESS_VI",
    "Measurements",
    "Verdict",
    "VerdictState",
    "judge",
    "owners_of",
    "reported_value",
]

#: How reports name each firmness (Vietnamese as plans write it).
FIRMNESS_VI = {
    "required": "đặt mục tiêu",
    "strive": "phấn đấu",
    "aim": "hướng đến",
    "encouraged": "khuyến khích",
    "expected": "dự kiến",
}


class VerdictState(StrEnum):
    """What a checkpoint's value says about its goal."""

    MET = "met"
    NOT_MET = "not met"
    NO_DATA = "no data"


@frozen
class Measurements:
    """Values recorded at indicator checkpoints.

    ``values``: indicator id → {checkpoint date, or ``None`` for every checkpoint →
    value} (a simulation's scenario); ``reach``: a checkpoint with no value records one
    that just meets the goal (the ``on-time`` model); ``reported``: what the units
    reported in a real run (``planflow record``), indicator id → unit → ``(day,
    value)`` in the order recorded, judged by :func:`reported_value`.
    """

    values: Mapping[str, Mapping[date | None, float]] = field(factory=dict)
    reach: bool = False
    reported: Mapping[str, Mapping[str, Sequence[tuple[date, float]]]] = field(factory=dict)

    def value(
        self, indicator: Indicator, checkpoint: date, unit: str | None = None
    ) -> float | None:
        """The value of ``indicator`` at ``checkpoint`` (for ``unit``, when units
        reported their own), or None."""
        if indicator.id in self.reported:
            series = self.reported[indicator.id].get(unit or "", ())
            return reported_value(indicator, checkpoint, series)
        recorded = self.values.get(indicator.id, {})
        if checkpoint in recorded:
            return recorded[checkpoint]
        if None in recorded:
            return recorded[None]
        return indicator.goal.reaching_value() if self.reach else None


def reported_value(
    indicator: Indicator, checkpoint: date, series: Sequence[tuple[date, float]]
) -> float | None:
    """The checkpoint rule of a real run: the value measured **after the previous
    checkpoint and on or before this one** counts; of several, the one measured last
    (the same day: the one recorded last, a correction). None (no data) when the
    unit reported nothing in that span: a value does not carry over to the next
    checkpoint, each checkpoint needs its own report.
    """
    earlier = [d for d in indicator.checkpoints if d < checkpoint]
    after = max(earlier) if earlier else date.min
    best: tuple[date, int, float] | None = None
    for order, (day, value) in enumerate(series):
        if after < day <= checkpoint and (best is None or (day, order) >= best[:2]):
            best = (day, order, value)
    return None if best is None else best[2]


@frozen
class Verdict:
    """One owner's value of one indicator at one checkpoint, judged."""

    indicator: Indicator
    unit: str
    checkpoint: date
    value: float | None
    state: VerdictState

    @property
    def failed(self) -> bool:
        """A required target that was not met (missing a softer one is no failure)."""
        return self.state is VerdictState.NOT_MET and self.indicator.firmness.binding


def owners_of(plan: Plan, indicator: Indicator, day: date) -> tuple[str, ...]:
    """The units measured on ``day``: the owner, or every member of an owner group; a
    unit that has ended is measured through its successor (as its duties pass)."""
    out: dict[str, None] = {}  # ordered, and cheap to test for a group of thousands
    holder: dict[str, str] = {}  # unit -> who holds its share on ``day`` (chains walked once)
    for unit_id in plan.members(indicator.owner):
        walked = [unit_id]
        unit, seen = plan.unit(unit_id), {unit_id}
        while unit.id not in holder and not unit.active_on(day):
            if unit.until is None or unit.until >= day:
                break
            if not unit.successor or unit.successor in seen:
                break
            seen.add(unit.successor)
            unit = plan.unit(unit.successor)
            walked.append(unit.id)
        found = holder.get(unit.id, unit.id)
        holder.update(dict.fromkeys(walked, found))
        if plan.unit(found).active_on(day):
            out[found] = None
    return tuple(out)


def judge(plan: Plan, measurements: Measurements, until: date | None = None) -> list[Verdict]:
    """Every verdict at the checkpoints up to ``until`` (all of them by default)."""
    out: list[Verdict] = []
    for indicator in plan.indicators:
        for day in indicator.checkpoints:
            if until is not None and day > until:
                continue
            if plan.start is not None and day < plan.start:
                continue
            for unit in owners_of(plan, indicator, day):
                value = measurements.value(indicator, day, unit)
                out.append(Verdict(indicator, unit, day, value, _state(indicator, value)))
    return out


def _state(indicator: Indicator, value: float | None) -> VerdictState:
    if value is None:
        return VerdictState.NO_DATA
    return VerdictState.MET if indicator.goal.met_by(value) else VerdictState.NOT_MET


def verdict_row(verdict: Verdict) -> dict[str, object]:
    """A verdict as a JSON-ready row (the ``indicators`` of ``--json`` and period reports)."""
    ind = verdict.indicator
    return {
        "indicator": ind.id,
        "ref": ind.ref,
        "text": ind.text,
        "section": ind.section,
        "unit": verdict.unit,
        "checkpoint": verdict.checkpoint.isoformat(),
        "goal": str(ind.goal) + ("%" if ind.metric.percentage else ""),
        "value": verdict.value,
        "state": verdict.state.value,
        "firmness": ind.firmness.value,
        "failed": verdict.failed,
    }
