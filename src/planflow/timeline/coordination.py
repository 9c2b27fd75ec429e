"""Who coordinates a duty when: coordinating units that end or begin mid-year.

A task's ``coordinators`` (groups expanded to their members) coordinate the
occurrences due while they exist. After a coordinating unit's ``until`` its
``successor`` (and the successor's successor, down the hand-over chain) coordinates
instead; with no successor nobody takes its place. A unit that begins mid-year
(``from``) coordinates only what falls due from that day. The lead of a duty is never
listed among its own coordinators.

A duty's coordination is a short list of :class:`Coordination` spans: the days
between two changes (a coordinator ending, a successor or a new unit beginning),
each with the units that coordinate in it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from attrs import frozen

from planflow.plan.model import Plan, Task

__all__ = ["Coordination", "coordination_of", "holder_on", "named_on"]


@frozen
class Coordination:
    """The units that coordinate a duty's occurrences due from ``since`` to ``until``
    (``None``: no bound), groups expanded, the duty's own unit left out."""

    since: date | None
    until: date | None
    units: tuple[str, ...]

    def covers(self, due: date) -> bool:
        """Whether an occurrence due that day falls in the span."""
        return (self.since is None or self.since <= due) and (
            self.until is None or due <= self.until
        )


def holder_on(plan: Plan, unit_id: str, day: date) -> str | None:
    """The unit that stands for ``unit_id`` on ``day``: itself while it exists, then its
    successors down the chain; ``None`` before it begins or after a chain ends."""
    unit = plan.unit(unit_id)
    seen = {unit_id}
    while unit.until is not None and day > unit.until:
        if not unit.successor or unit.successor in seen:
            return None
        seen.add(unit.successor)
        unit = plan.unit(unit.successor)
    if unit.since is not None and day < unit.since:
        return None
    return unit.id


def named_on(plan: Plan, task: Task, day: date) -> tuple[str, ...]:
    """The coordinators as the task names them (groups not expanded), as they stand on
    ``day``: ended ones replaced by their successors, or left out."""
    found = (holder_on(plan, unit_id, day) for unit_id in task.coordinators)
    return tuple(dict.fromkeys(u for u in found if u is not None))


def _coordinators_on(plan: Plan, task: Task, lead: str, day: date) -> tuple[str, ...]:
    out: list[str] = []
    for unit_id in task.coordinators:
        for member in plan.members(unit_id):
            holder = holder_on(plan, member, day)
            if holder is not None and holder != lead and holder not in out:
                out.append(holder)
    return tuple(out)


def _changes(plan: Plan, task: Task) -> list[date]:
    """The days on which some coordinator (or a successor of one) begins or takes over."""
    days: set[date] = set()
    for unit_id in task.coordinators:
        for member in (unit_id, *plan.members(unit_id)):
            unit, seen = plan.unit(member), {member}
            while True:
                if unit.since is not None:
                    days.add(unit.since)
                if unit.until is None:
                    break
                days.add(unit.until + timedelta(days=1))
                if not unit.successor or unit.successor in seen:
                    break
                seen.add(unit.successor)
                unit = plan.unit(unit.successor)
    return sorted(days)


def coordination_of(
    plan: Plan, task: Task, lead: str, dues: Callable[[], Sequence[date]] | None = None
) -> tuple[Coordination, ...]:
    """The spans of a duty led by ``lead``, in date order. With ``dues`` (giving the
    duty's due dates, asked for only when some coordinator begins or ends), only the
    spans that hold one of them; neighbours with the same units merged."""
    changes = _changes(plan, task)
    if not changes:  # the usual case: nobody begins or ends
        return (Coordination(None, None, _coordinators_on(plan, task, lead, date.min)),)
    days = dues() if dues is not None else ()
    bounds: list[tuple[date | None, date | None]] = []
    since: date | None = None
    for day in changes:
        bounds.append((since, day - timedelta(days=1)))
        since = day
    bounds.append((since, None))
    spans: list[Coordination] = []
    for low, high in bounds:
        day = low if low is not None else (high if high is not None else date(plan.year, 1, 1))
        span = Coordination(low, high, _coordinators_on(plan, task, lead, day))
        if not days or any(span.covers(d) for d in days):
            spans.append(span)
    merged: list[Coordination] = []
    for span in spans:  # the days between two kept spans hold none of the duty's dates
        if merged and merged[-1].units == span.units:
            merged[-1] = Coordination(merged[-1].since, span.until, span.units)
        else:
            merged.append(span)
    return tuple(merged)
