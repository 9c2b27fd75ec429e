"""Events the engine emits, as immutable records.

This module imports nothing from the rest of planflow, so that plugins (notifiers,
reporters, stores) can import :class:`Event` without pulling in the engine, the
timeline or the holiday calendars.

Every event has a stable :attr:`Event.id`: the same plan, the same occurrence (or
reporting period) and the same kind always give the same id, whatever the run, the
seed or the time the event happens. A notifier can therefore deliver each event
exactly once, even after a crash, by remembering the ids it has delivered.
"""

from __future__ import annotations

import hashlib
from datetime import date
from enum import StrEnum
from typing import Any

from attrs import field, frozen

__all__ = [
    "FINAL_STATES",
    "Event",
    "EventKind",
    "State",
    "event_id",
]


class EventKind(StrEnum):
    """What happened. The value is what ``--events`` and ``--json`` print."""

    OPENED = "opened"
    """The occurrence's window opened (its start date, or its due date if earlier)."""
    REMINDER = "reminder"
    """N working days before the due date (``task.reminder`` or ``plan.reminder``)."""
    UNBLOCKED = "unblocked"
    """Everything the occurrence waits for is done (plus lag), after it had opened."""
    DUE = "due"
    """The due date came and the occurrence was not done yet."""
    COMPLETED = "completed"
    """Done on or before the due date."""
    LATE = "late"
    """Done after the due date (but before its window closed)."""
    OVERDUE = "overdue"
    """The working day after the due date came and the occurrence was not done."""
    MISSED = "missed"
    """The occurrence's window closed and it was never done."""
    PERIOD_CLOSED = "period_closed"
    """A reporting period of the plan ended (``plan.reporting_periods``)."""
    DIGEST = "digest"
    """Real runs only: what happened to one unit's duties while no run was made,
    gathered into one event (``counts``: how many of each kind; ``start``/``due``:
    the days it covers) instead of one notification per event."""


class State(StrEnum):
    """The state of one occurrence.

    ``scheduled → open → due → overdue`` follow the clock; ``blocked`` replaces them
    while the occurrence waits for predecessors; ``done``, ``late`` and ``missed``
    are final: every occurrence ends in exactly one of them (unless the run stops
    first, ``until=``).
    """

    SCHEDULED = "scheduled"
    BLOCKED = "blocked"
    OPEN = "open"
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"
    LATE = "late"
    MISSED = "missed"


FINAL_STATES = frozenset({State.DONE, State.LATE, State.MISSED})


def event_id(plan: str, subject: str, index: int, kind: EventKind | str) -> str:
    """The stable id of an event: 16 hex digits of a SHA-256.

    ``subject`` is the duty id (``report-unit@vhxh``) for occurrence events and
    ``period:<id>`` for ``period_closed``; ``index`` is the occurrence index (0 for
    periods). The fields are joined with U+001F, which no id may contain.
    """
    value = kind.value if isinstance(kind, EventKind) else kind
    text = f"{plan}\x1f{subject}\x1f{index}\x1f{value}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


_COUNTED = frozenset({EventKind.PERIOD_CLOSED, EventKind.DIGEST})


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value)


@frozen
class Event:
    """One thing that happened to an occurrence (or a reporting period), at a date.

    :param id: stable id, see :func:`event_id`.
    :param kind: what happened.
    :param time: the (simulated or real) date it happened.
    :param plan: the plan id.
    :param task: the duty id (``task`` or ``task@unit``); for ``period_closed``
        the reporting period's id.
    :param index: the occurrence's index within its duty (1-based); 0 for periods.
    :param plan_task: the plan task id (the duty id without ``@unit``); ``None``
        for periods.
    :param period: the occurrence's period label (``2025-03``, ``2025-Q1``); for
        ``period_closed`` the reporting period's name.
    :param start: the occurrence's start (the period's start).
    :param due: the occurrence's due date (the period's end).
    :param unit: the unit whose duty it is (``None`` for periods).
    :param coordinators: the coordinating units (groups expanded).
    :param state: the occurrence's state after the event (``None`` for periods).
    :param days_late: working days after the due date (``late`` and ``completed``
        only, else ``None``).
    :param counts: ``period_closed``: how the occurrences due in the period
        stand, as sorted ``(state, count)`` pairs; ``digest``: how many events of
        each kind it gathers, as sorted ``(kind, count)`` pairs.
    """

    id: str
    kind: EventKind = field(converter=EventKind)
    time: date
    plan: str
    task: str
    index: int
    plan_task: str | None = None
    period: str = ""
    start: date | None = None
    due: date | None = None
    unit: str | None = None
    coordinators: tuple[str, ...] = field(default=(), converter=_tuple)
    state: State | None = None
    days_late: int | None = None
    counts: tuple[tuple[str, int], ...] = field(default=(), converter=_tuple)

    @property
    def units(self) -> tuple[str, ...]:
        """Every unit concerned: the lead first, then the coordinators."""
        return ((self.unit,) if self.unit else ()) + self.coordinators

    @property
    def key(self) -> tuple[str, int]:
        """``(duty id, index)`` of the occurrence (``(period id, 0)`` for periods)."""
        return (self.task, self.index)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the keys are always the same, in the same order."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "time": self.time.isoformat(),
            "plan": self.plan,
            "task": self.task,
            "index": self.index,
            "plan_task": self.plan_task,
            "period": self.period,
            "start": self.start.isoformat() if self.start else None,
            "due": self.due.isoformat() if self.due else None,
            "unit": self.unit,
            "coordinators": list(self.coordinators),
            "state": self.state.value if self.state else None,
            "days_late": self.days_late,
            "counts": dict(self.counts) if self.kind in _COUNTED else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        """The inverse of :meth:`to_dict`."""

        def day(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(
            id=data["id"],
            kind=EventKind(data["kind"]),
            time=date.fromisoformat(data["time"]),
            plan=data["plan"],
            task=data["task"],
            index=data["index"],
            plan_task=data.get("plan_task"),
            period=data.get("period", ""),
            start=day(data.get("start")),
            due=day(data.get("due")),
            unit=data.get("unit"),
            coordinators=tuple(data.get("coordinators", ())),
            state=State(data["state"]) if data.get("state") else None,
            days_late=data.get("days_late"),
            counts=tuple(sorted((data.get("counts") or {}).items())),
        )
