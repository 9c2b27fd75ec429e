"""The rows of a report: counts, occurrences, targets, indicators, tasks, units, late chains.

Plain frozen records; :mod:`planflow.reports.data` builds them (and re-exports them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from attrs import frozen

from planflow.run.events import State

__all__ = ["Chain", "Counts", "IndicatorRow", "Item", "TargetRow", "TaskRow", "UnitRow"]


@frozen
class Counts:
    """Occurrences planned in the period and how they stand."""

    planned: int = 0
    done: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    pending: int = 0

    @classmethod
    def of(cls, states: Sequence[State]) -> Counts:
        """Count ``states``: done is on time plus late; pending is neither done nor missed."""
        on_time = sum(s is State.DONE for s in states)
        late = sum(s is State.LATE for s in states)
        missed = sum(s is State.MISSED for s in states)
        return cls(
            len(states),
            on_time + late,
            on_time,
            late,
            missed,
            len(states) - on_time - late - missed,
        )


@frozen
class Item:
    """One occurrence, as of the report's day."""

    key: str
    task: str
    ref: str
    title: str
    unit: str
    start: date
    due: date
    state: str
    completed: date | None
    days_late: int | None
    in_period: bool
    waits_for: tuple[str, ...] = ()
    coordinators: tuple[str, ...] = ()


@frozen
class TargetRow:
    """A duty's quantity target over the period, and whether it was met."""

    duty: str
    task: str
    ref: str
    unit: str
    target: str
    expected: int
    done: int
    on_time: int
    met: bool


@frozen
class IndicatorRow:
    """One owner's value of a KPI indicator at one checkpoint of the period, judged.

    ``state`` is ``met``, ``not met`` or ``no data``; ``failed`` only for a required
    target not met (a missed *phấn đấu* or *khuyến khích* target is no failure).
    """

    indicator: str
    ref: str
    text: str
    section: str
    unit: str
    checkpoint: date
    goal: str
    value: float | None
    state: str
    firmness: str
    failed: bool


@frozen
class TaskRow:
    """One plan task over the period."""

    task: str
    ref: str
    title: str
    lead: str
    coordinators: tuple[str, ...]
    counts: Counts
    role: str = "lead"


@frozen
class UnitRow:
    """One unit's own duties over the period, and its busiest week."""

    unit: str
    name: str
    counts: Counts
    coordinated: int
    peak_week: str
    peak_load: int


@frozen
class Chain:
    """A late or missed occurrence held up by a predecessor, back to the root cause."""

    occurrence: str
    state: str
    days_late: int | None
    chain: tuple[str, ...]
