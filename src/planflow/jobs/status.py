"""Where the year stands today, per unit: what needs attention first.

::

    from planflow.jobs.status import status
    from planflow.jobs.year import Year

    with Year.open("examples/boy_2025") as year:
        report = status(year)                  # as of today (plan time zone)
        report.attention[:5]                   # overdue, then due this week, then blocked
        report.units                           # counts per unit

An occurrence is *overdue* once the working day after its due date has come and
it is not done; *due this week* when its due date is within the next 7 days;
*blocked* while it waits for a predecessor (``blocked_by`` says which); *open*
when it has started and is none of those; *done* (on time or late) or *missed*.
Each KPI indicator's checkpoints reached by then are judged on the values the units
reported (``indicators``; see :mod:`planflow.jobs.kpi_records`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import attrs

from planflow.i18n import N_
from planflow.jobs.year import Year
from planflow.run.events import State
from planflow.run.recorded import Replay

__all__ = ["CATEGORIES", "Status", "status"]

#: The categories, in the order they need attention; the Vietnamese heading of each.
CATEGORIES: dict[str, str] = {
    "overdue": N_("Overdue"),
    "due_this_week": N_("Due within 7 days"),
    "blocked": N_("Waiting for other work"),
    "open": N_("In progress"),
    "done": N_("Done"),
    "missed": N_("Missed"),
}

_ATTENTION = ("overdue", "due_this_week", "blocked")


@attrs.define
class Status:
    """The recorded state of the year as of ``as_of``."""

    plan: str
    as_of: date
    items: list[dict[str, Any]]
    units: list[dict[str, Any]]
    indicators: list[dict[str, Any]] = attrs.field(factory=list)
    """The KPI checkpoints reached, judged on the values the units reported
    (:func:`planflow.run.indicators.verdict_row` rows)."""

    @property
    def attention(self) -> list[dict[str, Any]]:
        """Overdue first (oldest due first), then due this week, then blocked."""
        order = {c: n for n, c in enumerate(_ATTENTION)}
        chosen = [i for i in self.items if i["category"] in order]
        return sorted(chosen, key=lambda i: (order[i["category"]], i["due"], i["occurrence"]))

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` object: ``plan``, ``as_of``, ``attention``, ``units``, ``items``,
        ``indicators``."""
        return {
            "plan": self.plan,
            "as_of": self.as_of.isoformat(),
            "attention": self.attention,
            "units": self.units,
            "items": self.items,
            "indicators": self.indicators,
        }


def _category(state: State, due: date, today: date) -> str | None:
    if state in (State.DONE, State.LATE):
        return "done"
    if state is State.MISSED:
        return "missed"
    if state is State.OVERDUE:
        return "overdue"
    if state is State.BLOCKED:
        return "blocked"
    if today <= due <= today + timedelta(days=6):
        return "due_this_week"
    if state in (State.OPEN, State.DUE):
        return "open"
    return None  # not started yet


def status(year: Year, *, as_of: date | None = None, unit: str | None = None) -> Status:
    """The year as recorded, replayed to ``as_of`` (default today), for one unit or all."""
    from planflow.jobs.progress_records import _check_unit

    _check_unit(year, unit)
    today = as_of or year.today()
    state: Replay = year.replay(today)
    done = year.store.done(year.plan.id)
    plan = year.plan
    items: list[dict[str, Any]] = []
    counts: dict[str, dict[str, int]] = {}
    for outcome in state.result.outcomes:
        occ = outcome.occurrence
        if unit is not None and occ.unit != unit:
            continue
        category = _category(outcome.state, occ.due, today)
        if category is None:
            continue
        row = counts.setdefault(occ.unit, dict.fromkeys(CATEGORIES, 0))
        row[category] += 1
        record = done.get(occ.key)
        task = plan.task(occ.plan_task)
        items.append(
            {
                "occurrence": f"{occ.task}#{occ.index}",
                "task": occ.plan_task,
                "ref": task.ref,
                "title": task.title,
                "unit": occ.unit,
                "coordinators": list(year.timeline.coordinators_of(occ)),
                "category": category,
                "state": outcome.state.value,
                "start": occ.start.isoformat(),
                "due": occ.due.isoformat(),
                "completed": outcome.completed.isoformat() if outcome.completed else None,
                "blocked_by": [f"{t}#{i}" for t, i in state.blocked_by(occ)]
                if category == "blocked"
                else [],
                "note": record.note if record else None,
                "evidence": record.evidence if record else None,
            }
        )
    units = [{"unit": u.id, "name": u.name, **counts[u.id]} for u in plan.units if u.id in counts]
    indicators = [r for r in state.result.indicators() if unit is None or r["unit"] == unit]
    return Status(plan.id, today, items, units, indicators)
