"""Occurrences no unit owns: due after a unit ended with no successor, or before it began."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from attrs import frozen

from planflow.plan.model import Task
from planflow.timeline.duties import Segment
from planflow.timeline.schedule import ScheduledDate

__all__ = ["Orphan", "orphans_of"]


@frozen
class Orphan:
    """An occurrence of a task due when the unit that held it no longer (or not yet) exists.

    ``unit`` is the last unit that held the share before the gap (the first one when
    the gap comes before it began); ``due`` the date it would fall due.
    """

    task: str
    duty: str
    unit: str
    due: date
    period: str
    ended: bool
    """True: the unit ended (with no successor); False: the unit had not begun yet."""

    def __str__(self) -> str:
        why = "after its unit ended" if self.ended else "before its unit began"
        return f"{self.duty} ({self.period}) due {self.due} has no owner: it falls {why}"


def orphans_of(
    task: Task, duty_id: str, chain: Sequence[Segment], schedule: Sequence[ScheduledDate]
) -> Iterator[Orphan]:
    """The occurrences of one owner's share of ``task`` that no segment of ``chain`` covers."""
    first = chain[0]
    for _, due, period, _ in schedule:
        if any(seg.covers(due) for seg in chain):
            continue
        before = first.since is not None and due < first.since
        holder = (
            first
            if before
            else max(
                (s for s in chain if s.until is not None and s.until < due),
                key=lambda s: s.until or due,
                default=chain[-1],
            )
        )
        yield Orphan(task.id, duty_id, holder.unit, due, period, ended=not before)
