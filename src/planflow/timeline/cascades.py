"""Checks on dependencies as the timeline realises them.

* **Cascades that collapse**: units report by the 6th, the office consolidates by the
  8th; when days off move both deadlines onto one day (or reverse them), the order
  the plan wrote is lost. Each finding carries the dates and the ``shift`` choice
  that restores the order, if there is one.
* **Dependencies that match nothing**: an occurrence whose dependency names no
  occurrence of the other task (``same-period`` between a monthly and a quarterly
  task: their labels never agree).
"""

from __future__ import annotations

from collections.abc import Iterator

from attrs import frozen

from planflow.i18n import _
from planflow.plan.model import DependencyMode, Shift
from planflow.timeline.occurrences import Occurrence, Timeline

__all__ = ["Collapse", "Unmatched", "collapses", "unmatched"]


@frozen
class Collapse:
    """A dependency whose deadlines, ordered in the plan, fall on one day or reverse."""

    task: str
    dep: int
    pred_task: str
    pairs: tuple[tuple[Occurrence, Occurrence], ...]
    """(predecessor, occurrence) whose due dates collapse or reverse."""
    hint: str

    def __str__(self) -> str:
        same = [o for p, o in self.pairs if p.due == o.due]
        dates = ", ".join(f"{o.due:%d/%m/%Y}" for _, o in self.pairs[:4])
        if len(self.pairs) > 4:
            dates = _("{dates} and {count} more").format(dates=dates, count=len(self.pairs) - 4)
        p, o = self.pairs[0]
        if len(same) == len(self.pairs):
            how = _("fall due on the same day")
        else:
            how = _("collapse or reverse")
        return _(
            "the cascade {before} → {after} ({first} then {then} as written) loses its order: "
            "days off make them {how} on {dates}"
        ).format(before=self.pred_task, after=self.task, first=f"{p.nominal:%d/%m}",
                 then=f"{o.nominal:%d/%m}", how=how, dates=dates)  # fmt: skip


@frozen
class Unmatched:
    """Occurrences whose dependency names no occurrence of the other task."""

    task: str
    dep: int
    pred_task: str
    mode: DependencyMode
    periods: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(self.periods[:4]) + (" …" if len(self.periods) > 4 else "")
        return _(
            "{count} occurrence(s) wait for no occurrence of {task!r} "
            "({mode}; periods {periods}): the dependency has no effect there"
        ).format(count=len(self.periods), task=self.pred_task, mode=self.mode.value, periods=shown)


def _preds(timeline: Timeline, occ: Occurrence, pred_task: str) -> list[Occurrence]:
    return [timeline.get(k) for k in occ.waits_for if timeline.duty(k[0]).task.id == pred_task]


def collapses(timeline: Timeline) -> Iterator[Collapse]:
    """Each dependency whose written order the working-day calendar undoes."""
    plan, calendar = timeline.plan, timeline.calendar
    for task in plan.tasks:
        for j, dep in enumerate(task.after):
            if dep.task == task.id:
                continue
            pairs = [
                (pred, occ)
                for occ in timeline.of_task(task.id)
                for pred in _preds(timeline, occ, dep.task)
                if pred.nominal < occ.nominal and pred.due >= occ.due
            ]
            if not pairs:
                continue
            policy = task.shift or plan.shift
            pred_policy = plan.task(dep.task).shift or plan.shift
            if policy is not Shift.NEXT and all(
                calendar.shift(o.nominal, Shift.NEXT) > p.due for p, o in pairs
            ):
                moved = ", ".join(
                    f"{calendar.shift(o.nominal, Shift.NEXT):%d/%m}" for _, o in pairs[:4]
                )
                hint = _("give {task!r} 'shift: next': its deadlines then move to {days}").format(
                    task=task.id, days=moved
                )
            elif pred_policy is not Shift.PREVIOUS and all(
                calendar.shift(p.nominal, Shift.PREVIOUS) < o.due for p, o in pairs
            ):
                hint = _("give {before!r} 'shift: previous' so that it stays before {after!r}")
                hint = hint.format(before=dep.task, after=task.id)
            else:
                hint = _(
                    "no shift keeps the order on these days: set the written dates further "
                    "apart, or list the exact dates with 'dates:'"
                )
            yield Collapse(task.id, j, dep.task, tuple(pairs), hint)


def unmatched(timeline: Timeline) -> Iterator[Unmatched]:
    """Each dependency that names no occurrence of the other task for some occurrences."""
    for task in timeline.plan.tasks:
        for j, dep in enumerate(task.after):
            periods: list[str] = []
            for occ in timeline.of_task(task.id):
                if dep.mode is DependencyMode.PREVIOUS and occ.index == 1:
                    continue  # the first occurrence has no previous one
                if not _preds(timeline, occ, dep.task) and occ.period not in periods:
                    periods.append(occ.period)
            if periods:
                yield Unmatched(task.id, j, dep.task, dep.mode, tuple(periods))
