"""Occurrence-level dependencies: which occurrences each occurrence waits for.

Follows the modes of :class:`~planflow.plan.model.DependencyMode`: a whole task, the
previous occurrence, or the occurrence of the same period.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import attrs

from planflow.plan.model import DependencyMode, ReportingPeriod
from planflow.timeline._occurrence import Occurrence, OccurrenceKey
from planflow.timeline.duties import Duty
from planflow.timeline.periods import label_range

__all__ = ["link"]


def link(
    duty: Duty,
    occurrences: list[Occurrence],
    duties_by_task: Mapping[str, tuple[Duty, ...]],
    occurrences_of: Callable[[str], tuple[Occurrence, ...]],
    periods: Sequence[ReportingPeriod] = (),
) -> Iterator[Occurrence]:
    """A duty's ``occurrences`` with what each waits for filled in.

    ``occurrences_of(duty_id)`` gives another duty's (linked) occurrences;
    ``periods`` are the plan's reporting periods (for ``in-period`` on their ids).
    """
    task = duty.task
    if not task.after:
        yield from occurrences
        return
    for occ in occurrences:
        waits: list[OccurrenceKey] = []
        for dep in task.after:
            found = _predecessors(
                duty, occ, dep.task, dep.mode, occurrences, duties_by_task, occurrences_of
            )
            if dep.mode is DependencyMode.IN_PERIOD:
                window = (task.window.start, task.window.end)
                low, high = label_range(occ.period, window, periods)
                found = [o for o in found if low <= o.nominal <= high]
            waits.extend(o.key for o in found)
        yield attrs.evolve(occ, waits_for=tuple(dict.fromkeys(waits)))


def _predecessors(
    duty: Duty,
    occ: Occurrence,
    pred_task: str,
    mode: DependencyMode,
    own: list[Occurrence],
    duties_by_task: Mapping[str, tuple[Duty, ...]],
    occurrences_of: Callable[[str], tuple[Occurrence, ...]],
) -> Iterable[Occurrence]:
    if pred_task == duty.task.id and mode is DependencyMode.PREVIOUS:
        return own[occ.index - 2 : occ.index - 1] if occ.index > 1 else ()
    duties = duties_by_task[pred_task]
    if mode is not DependencyMode.ALL and duty.unit != duty.task.lead:
        # member-by-member duties wait for the same member's share when there is one
        same = [d for d in duties if d.unit == duty.unit and d.id != d.task.id]
        duties = tuple(same) or duties
    found: list[Occurrence] = []
    for pred in duties:
        occs = occurrences_of(pred.id)
        if mode in (DependencyMode.TASK, DependencyMode.IN_PERIOD):
            found.extend(occs)  # in-period: filtered by the caller
        elif mode is DependencyMode.PREVIOUS:
            found.extend(occs[occ.index - 2 : occ.index - 1] if occ.index > 1 else ())
        else:
            found.extend(o for o in occs if o.period == occ.period)
    return found
