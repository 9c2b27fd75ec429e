"""What the state store hands back: plain immutable records."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from attrs import frozen

__all__ = [
    "CompletionRecord",
    "Delivery",
    "MeasurementRecord",
    "RunRecord",
    "aware",
]


def aware(value: datetime | None) -> datetime | None:
    """``value`` in UTC (SQLite gives back naive datetimes; they were stored in UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@frozen
class RunRecord:
    """One ``planflow run``: when it ran, as of which day, on which plan version."""

    id: int
    plan: str
    plan_hash: str
    now: datetime
    as_of: date
    started_at: datetime
    finished_at: datetime | None
    who: str
    summary: dict[str, Any]


@frozen
class CompletionRecord:
    """One row of the completion history.

    ``action`` is ``done`` (``day`` is when the work was done), ``undo`` (``reason``
    says why) or ``archive`` (the occurrence left the plan; ``reason`` says how).
    """

    id: int
    plan: str
    task: str
    index: int
    action: str
    day: date | None
    due: date | None
    by_unit: str | None
    note: str | None
    evidence: str | None
    reason: str | None
    who: str
    recorded_at: datetime
    run_id: int | None = None

    @property
    def occurrence(self) -> str:
        """``duty#index``, as ``planflow agenda`` prints it."""
        return f"{self.task}#{self.index}"


@frozen
class MeasurementRecord:
    """One measured value of a target (``planflow record``)."""

    id: int
    plan: str
    target: str
    value: float
    day: date
    by_unit: str | None
    note: str | None
    evidence: str | None
    who: str
    recorded_at: datetime


@frozen
class Delivery:
    """One outbox row: an event to hand to one notifier."""

    id: int
    plan: str
    event_id: str
    notifier: str
    status: str
    attempts: int
    last_error: str | None
    payload: dict[str, Any]
    run_id: int
