"""Duties: who does a task. A task led member by member is one duty per member unit.

A unit that ends mid-year (``until``) keeps the occurrences due while it exists; the
ones due later pass to its ``successor`` as a duty of their own (``task@successor``,
marked as handed over), or, when the successor already has its own duty of the
task, are done by that one. With no successor they are *orphaned*: left out of the
timeline (never overdue) and reported by ``validate``. A unit that begins mid-year
(``from``) owns only the occurrences due from that day.
"""

from __future__ import annotations

from datetime import date, timedelta

from attrs import frozen

from planflow.plan.model import Group, LeadMode, Plan, Task

__all__ = ["Duty", "Segment", "duties_of", "segments_of"]


@frozen
class Duty:
    """One unit's share of a task: the task itself, or ``task@unit`` for each group member.

    ``since`` and ``until`` bound the due dates the duty owns (the unit's life, or the
    part of it after a hand-over); ``handed_from`` names the unit it took the duty
    over from.
    """

    id: str
    task: Task
    unit: str
    since: date | None = None
    until: date | None = None
    handed_from: str = ""

    def owns(self, due: date) -> bool:
        """Whether an occurrence due that day is this duty's."""
        return (self.since is None or self.since <= due) and (
            self.until is None or due <= self.until
        )


@frozen
class Segment:
    """A stretch of an owner's share of a task: who holds it from ``since`` to ``until``.

    ``absorbed`` marks a successor that already does the task under its own duty.
    """

    unit: str
    since: date | None
    until: date | None
    handed_from: str = ""
    absorbed: bool = False

    def covers(self, due: date) -> bool:
        """Whether a due date falls in the segment."""
        return (self.since is None or self.since <= due) and (
            self.until is None or due <= self.until
        )


def _owners(plan: Plan, task: Task) -> tuple[tuple[str, str], ...]:
    """(duty id, unit) of each owner the plan names, before any hand-over."""
    lead = plan.unit(task.lead)
    if isinstance(lead, Group) and lead.members and task.lead_mode is LeadMode.EACH:
        return tuple((f"{task.id}@{m}", m) for m in plan.members(task.lead))
    return ((task.id, task.lead),)


def segments_of(plan: Plan, task: Task) -> tuple[tuple[str, tuple[Segment, ...]], ...]:
    """For each owner the plan names: its duty id and who holds its share when."""
    owners = _owners(plan, task)
    owning = {unit for _, unit in owners}
    out = []
    for duty_id, unit_id in owners:
        unit = plan.unit(unit_id)
        chain = [Segment(unit_id, unit.since, unit.until)]
        seen = {unit_id}
        while unit.until is not None and unit.successor and unit.successor not in seen:
            successor = plan.unit(unit.successor)
            handed = unit.until + timedelta(days=1)
            since = max(handed, successor.since) if successor.since else handed
            absorbed = successor.id in owning
            chain.append(Segment(successor.id, since, successor.until, unit.id, absorbed))
            seen.add(successor.id)
            owning.add(successor.id)  # a second unit merged into it joins this duty
            if absorbed:
                break  # the successor's own duty carries on from here
            unit = successor
        out.append((duty_id, tuple(chain)))
    return tuple(out)


def duties_of(plan: Plan, task: Task) -> tuple[Duty, ...]:
    """A task's duties: one per member when a group leads it member by member, and one
    per successor that takes over an ended unit's share."""
    out: list[Duty] = []
    for duty_id, chain in segments_of(plan, task):
        first = chain[0]
        out.append(Duty(duty_id, task, first.unit, first.since, first.until))
        out.extend(
            Duty(f"{task.id}@{seg.unit}", task, seg.unit, seg.since, seg.until, seg.handed_from)
            for seg in chain[1:]
            if not seg.absorbed
        )
    return tuple(out)
