"""The ledger: completions (done, undo, archive) and measured values, append-only."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from planflow.run.store._base import StoreBase, _new_id, _now
from planflow.run.store.records import (
    CompletionRecord,
    MeasurementRecord,
    completion_record,
    measurement_record,
)
from planflow.run.store.schema import completions, measurements

__all__ = ["AlreadyDone", "Ledger", "NotDone"]


class AlreadyDone(Exception):
    """The occurrence is already recorded as done (:attr:`record` says when and by whom)."""

    def __init__(self, record: CompletionRecord) -> None:
        self.record = record
        super().__init__(f"{record.occurrence} is already done ({record.day})")


class NotDone(Exception):
    """``undo`` of an occurrence that is not recorded as done."""

    def __init__(self, occurrence: str) -> None:
        self.occurrence = occurrence
        super().__init__(f"{occurrence} is not recorded as done")


class Ledger(StoreBase):
    """Completions and measurements of plans (see :class:`~planflow.run.store.Store`)."""

    # --- completions -------------------------------------------------------------

    def history(
        self, plan: str, *, task: str | None = None, index: int | None = None
    ) -> list[CompletionRecord]:
        """Every completion row of ``plan`` (of one duty, one occurrence), oldest first."""
        query = sa.select(completions).where(completions.c.plan == plan)
        if task is not None:
            query = query.where(completions.c.task == task)
        if index is not None:
            query = query.where(completions.c.idx == index)
        with self.engine.connect() as conn:
            return [
                completion_record(row)
                for row in conn.execute(query.order_by(completions.c.id)).mappings()
            ]

    def done(self, plan: str) -> dict[tuple[str, int], CompletionRecord]:
        """The occurrences currently recorded as done: the last row of each is ``done``."""
        latest: dict[tuple[str, int], CompletionRecord] = {}
        for record in self.history(plan):
            latest[(record.task, record.index)] = record
        return {key: rec for key, rec in latest.items() if rec.action == "done"}

    def add_completion(
        self,
        plan: str,
        task: str,
        index: int,
        *,
        day: date,
        due: date | None,
        who: str,
        by_unit: str | None = None,
        note: str | None = None,
        evidence: str | None = None,
    ) -> CompletionRecord:
        """Record that occurrence ``task#index`` was done on ``day``.

        :raises AlreadyDone: it is already recorded as done (``undo`` it first).
        """
        with self._write(lock=f"occ:{plan}\x1f{task}\x1f{index}") as conn:
            last = self._last(conn, plan, task, index)
            if last is not None and last.action == "done":
                raise AlreadyDone(last)
            values = {
                "plan": plan,
                "task": task,
                "idx": index,
                "action": "done",
                "day": day,
                "due": due,
                "by_unit": by_unit,
                "note": note,
                "evidence": evidence,
                "who": who,
                "recorded_at": _now(),
            }
            new_id = _new_id(conn.execute(completions.insert().values(**values)))
        return completion_record({**values, "id": new_id, "reason": None, "run_id": None})

    def undo_completion(
        self, plan: str, task: str, index: int, *, reason: str, who: str
    ) -> CompletionRecord:
        """Take back the completion of ``task#index`` (an ``undo`` row; nothing is deleted).

        :raises NotDone: it is not recorded as done.
        """
        with self._write(lock=f"occ:{plan}\x1f{task}\x1f{index}") as conn:
            last = self._last(conn, plan, task, index)
            if last is None or last.action != "done":
                raise NotDone(f"{task}#{index}")
            values = {
                "plan": plan,
                "task": task,
                "idx": index,
                "action": "undo",
                "day": last.day,
                "due": last.due,
                "by_unit": last.by_unit,
                "reason": reason,
                "who": who,
                "recorded_at": _now(),
            }
            new_id = _new_id(conn.execute(completions.insert().values(**values)))
        extra = {"id": new_id, "note": None, "evidence": None, "run_id": None}
        return completion_record({**values, **extra})

    @staticmethod
    def _last(conn: sa.Connection, plan: str, task: str, index: int) -> CompletionRecord | None:
        row = (
            conn.execute(
                sa.select(completions)
                .where(
                    completions.c.plan == plan,
                    completions.c.task == task,
                    completions.c.idx == index,
                )
                .order_by(completions.c.id.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
        return completion_record(row) if row is not None else None

    # --- measurements --------------------------------------------------------------

    def add_measurement(
        self,
        plan: str,
        target: str,
        value: float,
        *,
        day: date,
        who: str,
        by_unit: str | None = None,
        note: str | None = None,
        evidence: str | None = None,
    ) -> MeasurementRecord:
        """Record a measured value of ``target`` on ``day``."""
        values = {
            "plan": plan,
            "target": target,
            "value": float(value),
            "day": day,
            "by_unit": by_unit,
            "note": note,
            "evidence": evidence,
            "who": who,
            "recorded_at": _now(),
        }
        with self._write() as conn:
            new_id = _new_id(conn.execute(measurements.insert().values(**values)))
        return measurement_record({**values, "id": new_id})

    def measurements(self, plan: str, target: str | None = None) -> list[MeasurementRecord]:
        """The measured values of ``plan`` (of one target), oldest first."""
        query = sa.select(measurements).where(measurements.c.plan == plan)
        if target is not None:
            query = query.where(measurements.c.target == target)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(measurements.c.id)).mappings()
            return [measurement_record(row) for row in rows]
