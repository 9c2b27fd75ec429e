"""What the state store hands back: plain immutable records."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from attrs import frozen

__all__ = [
    "CompletionRecord",
    "Delivery",
    "MeasurementRecord",
    "RunRecord",
    "aware",
    "completion_record",
    "day_value",
    "delivery_record",
    "measurement_record",
    "run_record",
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


# --- database rows → records ---------------------------------------------------


def day_value(value: Any) -> date | None:
    """A date from what the database gives back (a date, or ISO text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _when(value: Any) -> datetime:
    result = aware(value)
    assert result is not None
    return result


def run_record(row: Mapping[Any, Any]) -> RunRecord:
    return RunRecord(
        id=int(row["id"]),
        plan=row["plan"],
        plan_hash=row["plan_hash"],
        now=_when(row["now"]),
        as_of=row["as_of"],
        started_at=_when(row["started_at"]),
        finished_at=aware(row["finished_at"]),
        who=row["who"],
        summary=json.loads(row["summary"] or "{}"),
    )


def completion_record(row: Mapping[Any, Any]) -> CompletionRecord:
    return CompletionRecord(
        id=int(row["id"]),
        plan=row["plan"],
        task=row["task"],
        index=int(row["idx"]),
        action=row["action"],
        day=day_value(row["day"]),
        due=day_value(row["due"]),
        by_unit=row["by_unit"],
        note=row["note"],
        evidence=row["evidence"],
        reason=row["reason"],
        who=row["who"],
        recorded_at=_when(row["recorded_at"]),
        run_id=row["run_id"],
    )


def measurement_record(row: Mapping[Any, Any]) -> MeasurementRecord:
    return MeasurementRecord(
        id=int(row["id"]),
        plan=row["plan"],
        target=row["target"],
        value=float(row["value"]),
        day=row["day"],
        by_unit=row["by_unit"],
        note=row["note"],
        evidence=row["evidence"],
        who=row["who"],
        recorded_at=_when(row["recorded_at"]),
    )


def delivery_record(row: Mapping[Any, Any]) -> Delivery:
    return Delivery(
        id=int(row["id"]),
        plan=row["plan"],
        event_id=row["event_id"],
        notifier=row["notifier"],
        status=row["status"],
        attempts=int(row["attempts"]),
        last_error=row["last_error"],
        payload=json.loads(row["payload"]),
        run_id=int(row["run_id"]),
    )
