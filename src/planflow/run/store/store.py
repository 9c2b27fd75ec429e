"""The state store: runs, completions, measurements, emitted events and the outbox.

One :class:`Store` per database; every method names the plan it is about, so one
PostgreSQL database can serve many plans. Writes are short transactions; the one
that matters most is :meth:`Store.record_run`, which writes a run's new events and
its outbox rows (one per event and notifier) together, so that after a crash either
both are there or neither is.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from planflow.run.store import connect
from planflow.run.store.records import (
    CompletionRecord,
    Delivery,
    MeasurementRecord,
    RunRecord,
    aware,
)
from planflow.run.store.schema import (
    completions,
    events,
    measurements,
    outbox,
    plan_versions,
    runs,
)

__all__ = ["AlreadyDone", "NewEvent", "NotDone", "Store"]

#: An event to record: (its JSON-ready dict, the id of the digest that carries it or None)
NewEvent = tuple[Mapping[str, Any], str | None]


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


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """The state of plans' years in one database (SQLite file or PostgreSQL).

    :param url: a database URL (``sqlite:///path``, ``postgresql://…``) or a file path.
        The schema is created or upgraded on opening.
    """

    def __init__(self, url: str) -> None:
        self.url = connect.normalise_url(url)
        self.engine = connect.create(self.url)
        try:
            self.schema_version = connect.migrate(self.engine)
        except sa.exc.OperationalError as exc:
            self.engine.dispose()
            raise connect.StoreError(f"cannot open the state database: {exc.orig}") from None

    @classmethod
    def for_plan(
        cls, plan_file: str | os.PathLike[str], url: str | None = None, *, environ: Any = None
    ) -> Store:
        """The store of a plan: ``url``, else ``$PLANFLOW_DB``, else the SQLite file next to it."""
        env = os.environ if environ is None else environ
        return cls(url or env.get("PLANFLOW_DB") or connect.default_url(plan_file))

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run_lock(self, plan: str) -> contextlib.AbstractContextManager[None]:
        """Hold the run lock of ``plan``; see :func:`planflow.run.store.connect.run_lock`."""
        return connect.run_lock(self.engine, plan)

    @contextlib.contextmanager
    def _write(self, lock: str | None = None) -> Iterator[sa.Connection]:
        with self.engine.begin() as conn:
            if lock is not None and self.dialect == "postgresql":
                # serialise writers of one occurrence (SQLite's BEGIN IMMEDIATE already does)
                key = connect._key(lock)
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
            yield conn

    # --- runs ------------------------------------------------------------------

    def runs(self, plan: str) -> list[RunRecord]:
        """Every run of ``plan``, oldest first."""
        query = sa.select(runs).where(runs.c.plan == plan).order_by(runs.c.id)
        with self.engine.connect() as conn:
            return [_run(row) for row in conn.execute(query).mappings()]

    def last_run(self, plan: str) -> RunRecord | None:
        """The latest run of ``plan`` (finished or not: its events are recorded either way)."""
        query = sa.select(runs).where(runs.c.plan == plan).order_by(runs.c.id.desc()).limit(1)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return _run(row) if row is not None else None

    def last_day(self, plan: str) -> date | None:
        """The latest day any run of ``plan`` was run as of."""
        query = sa.select(sa.func.max(runs.c.as_of)).where(runs.c.plan == plan)
        with self.engine.connect() as conn:
            value = conn.execute(query).scalar()
        return _day(value)

    def plan_version(self, plan: str, plan_hash: str) -> dict[str, str] | None:
        """The occurrences (``{"duty#index": due}``) of a recorded plan version."""
        query = sa.select(plan_versions.c.occurrences).where(
            plan_versions.c.plan == plan, plan_versions.c.plan_hash == plan_hash
        )
        with self.engine.connect() as conn:
            value = conn.execute(query).scalar()
        return json.loads(value) if value is not None else None

    def record_run(
        self,
        *,
        plan: str,
        plan_hash: str,
        now: datetime,
        as_of: date,
        who: str,
        occurrences: Mapping[str, str],
        new_events: Sequence[NewEvent],
        deliveries: Sequence[tuple[str, str, Mapping[str, Any]]],
        archive: Sequence[tuple[str, int, date | None, str]] = (),
        summary: Mapping[str, Any] | None = None,
    ) -> int:
        """Record a run in one transaction and return its id.

        :param occurrences: the plan version's occurrences, kept the first time it is seen.
        :param new_events: the events this run emitted (see :data:`NewEvent`).
        :param deliveries: outbox rows ``(event id, notifier, payload)``, status pending.
        :param archive: completions whose occurrence left the plan: ``(duty, index, due, reason)``.
        """
        stamp = _now()
        with self._write() as conn:  # the caller holds the run lock
            run_result = conn.execute(
                runs.insert().values(
                    plan=plan,
                    plan_hash=plan_hash,
                    now=now.astimezone(UTC),
                    as_of=as_of,
                    started_at=stamp,
                    who=who,
                    summary=json.dumps(dict(summary or {}), ensure_ascii=False),
                )
            )
            run_id = _new_id(run_result)
            known = conn.execute(
                sa.select(plan_versions.c.plan_hash).where(
                    plan_versions.c.plan == plan, plan_versions.c.plan_hash == plan_hash
                )
            ).first()
            if known is None:
                conn.execute(
                    plan_versions.insert().values(
                        plan=plan,
                        plan_hash=plan_hash,
                        first_run=run_id,
                        occurrences=json.dumps(dict(occurrences), sort_keys=True),
                    )
                )
            for task, index, due, reason in archive:
                conn.execute(
                    completions.insert().values(
                        plan=plan,
                        task=task,
                        idx=index,
                        action="archive",
                        due=due,
                        reason=reason,
                        who=who,
                        recorded_at=stamp,
                        run_id=run_id,
                    )
                )
            rows = [
                {
                    "plan": plan,
                    "event_id": data["id"],
                    "kind": data["kind"],
                    "day": date.fromisoformat(data["time"]),
                    "task": data["task"],
                    "idx": data["index"],
                    "run_id": run_id,
                    "digest": digest,
                    "payload": json.dumps(data, ensure_ascii=False),
                }
                for data, digest in new_events
            ]
            if rows:
                conn.execute(events.insert(), rows)
            boxed = [
                {
                    "plan": plan,
                    "event_id": event_id,
                    "notifier": notifier,
                    "status": "pending",
                    "attempts": 0,
                    "payload": json.dumps(dict(payload), ensure_ascii=False),
                    "run_id": run_id,
                    "created_at": stamp,
                }
                for event_id, notifier, payload in deliveries
            ]
            if boxed:
                conn.execute(outbox.insert(), boxed)
        return int(run_id)

    def finish_run(self, run_id: int, summary: Mapping[str, Any]) -> None:
        """Mark run ``run_id`` finished, with what it did."""
        with self._write() as conn:
            conn.execute(
                runs.update()
                .where(runs.c.id == run_id)
                .values(finished_at=_now(), summary=json.dumps(dict(summary), ensure_ascii=False))
            )

    # --- events and the outbox -------------------------------------------------

    def emitted_ids(self, plan: str) -> set[str]:
        """The ids of every event recorded for ``plan`` (never emitted twice)."""
        query = sa.select(events.c.event_id).where(events.c.plan == plan)
        with self.engine.connect() as conn:
            return set(conn.execute(query).scalars())

    def events(self, plan: str, *, since: date | None = None) -> list[dict[str, Any]]:
        """Recorded events of ``plan`` (``Event.to_dict()`` form plus ``run``, ``digest``)."""
        query = sa.select(events).where(events.c.plan == plan)
        if since is not None:
            query = query.where(events.c.day >= since)
        query = query.order_by(events.c.run_id, events.c.day)
        with self.engine.connect() as conn:
            return [
                {**json.loads(row["payload"]), "run": row["run_id"], "digest": row["digest"]}
                for row in conn.execute(query).mappings()
            ]

    def pending(self, plan: str) -> list[Delivery]:
        """The outbox rows of ``plan`` still to deliver, oldest first."""
        query = (
            sa.select(outbox)
            .where(outbox.c.plan == plan, outbox.c.status == "pending")
            .order_by(outbox.c.id)
        )
        with self.engine.connect() as conn:
            return [_delivery(row) for row in conn.execute(query).mappings()]

    def outbox(self, plan: str) -> list[Delivery]:
        """Every outbox row of ``plan``, oldest first."""
        query = sa.select(outbox).where(outbox.c.plan == plan).order_by(outbox.c.id)
        with self.engine.connect() as conn:
            return [_delivery(row) for row in conn.execute(query).mappings()]

    def mark_delivered(self, delivery_id: int) -> None:
        """The notifier returned: the delivery is done."""
        with self._write() as conn:
            conn.execute(
                outbox.update()
                .where(outbox.c.id == delivery_id)
                .values(
                    status="delivered",
                    attempts=outbox.c.attempts + 1,
                    delivered_at=_now(),
                    last_error=None,
                )
            )

    def mark_failed(self, delivery_id: int, error: str, *, give_up_after: int) -> str:
        """The notifier raised: count the attempt; ``failed`` after ``give_up_after`` of them.

        Returns the delivery's new status (``pending`` or ``failed``).
        """
        with self._write() as conn:
            attempts = conn.execute(
                sa.select(outbox.c.attempts).where(outbox.c.id == delivery_id)
            ).scalar_one()
            status = "failed" if attempts + 1 >= give_up_after else "pending"
            conn.execute(
                outbox.update()
                .where(outbox.c.id == delivery_id)
                .values(status=status, attempts=attempts + 1, last_error=error)
            )
        return status

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
                _completion(row)
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
        return _completion({**values, "id": new_id, "reason": None, "run_id": None})

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
        return _completion({**values, "id": new_id, "note": None, "evidence": None, "run_id": None})

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
        return _completion(row) if row is not None else None

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
        return _measurement({**values, "id": new_id})

    def measurements(self, plan: str, target: str | None = None) -> list[MeasurementRecord]:
        """The measured values of ``plan`` (of one target), oldest first."""
        query = sa.select(measurements).where(measurements.c.plan == plan)
        if target is not None:
            query = query.where(measurements.c.target == target)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(measurements.c.id)).mappings()
            return [_measurement(row) for row in rows]


# --- rows → records ---------------------------------------------------------------


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _when(value: Any) -> datetime:
    result = aware(value)
    assert result is not None
    return result


def _run(row: Mapping[Any, Any]) -> RunRecord:
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


def _completion(row: Mapping[Any, Any]) -> CompletionRecord:
    return CompletionRecord(
        id=int(row["id"]),
        plan=row["plan"],
        task=row["task"],
        index=int(row["idx"]),
        action=row["action"],
        day=_day(row["day"]),
        due=_day(row["due"]),
        by_unit=row["by_unit"],
        note=row["note"],
        evidence=row["evidence"],
        reason=row["reason"],
        who=row["who"],
        recorded_at=_when(row["recorded_at"]),
        run_id=row["run_id"],
    )


def _measurement(row: Mapping[Any, Any]) -> MeasurementRecord:
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


def _delivery(row: Mapping[Any, Any]) -> Delivery:
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
