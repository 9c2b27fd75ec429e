"""The state store: runs, completions, measurements, emitted events and the outbox.

One :class:`Store` per database; every method names the plan it is about, so one
PostgreSQL database can serve many plans. Writes are short transactions; the one
that matters most is :meth:`Store.record_run`, which writes a run's new events and
its outbox rows (one per event and notifier) together, so that after a crash either
both are there or neither is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from planflow.run.store._base import _new_id, _now
from planflow.run.store.ledger import AlreadyDone, Ledger, NotDone
from planflow.run.store.records import Delivery, RunRecord, day_value, delivery_record, run_record
from planflow.run.store.schema import completions, events, outbox, plan_versions, runs

__all__ = ["AlreadyDone", "NewEvent", "NotDone", "Store"]

#: An event to record: (its JSON-ready dict, the id of the digest that carries it or None)
NewEvent = tuple[Mapping[str, Any], str | None]


class Store(Ledger):
    """The state of plans' years in one database (SQLite file or PostgreSQL).

    :param url: a database URL (``sqlite:///path``, ``postgresql://…``) or a file path.
        The schema is created or upgraded on opening.
    """

    # --- runs ------------------------------------------------------------------

    def runs(self, plan: str) -> list[RunRecord]:
        """Every run of ``plan``, oldest first."""
        query = sa.select(runs).where(runs.c.plan == plan).order_by(runs.c.id)
        with self.engine.connect() as conn:
            return [run_record(row) for row in conn.execute(query).mappings()]

    def last_run(self, plan: str) -> RunRecord | None:
        """The latest run of ``plan`` (finished or not: its events are recorded either way)."""
        query = sa.select(runs).where(runs.c.plan == plan).order_by(runs.c.id.desc()).limit(1)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return run_record(row) if row is not None else None

    def last_day(self, plan: str) -> date | None:
        """The latest day any run of ``plan`` was run as of."""
        query = sa.select(sa.func.max(runs.c.as_of)).where(runs.c.plan == plan)
        with self.engine.connect() as conn:
            value = conn.execute(query).scalar()
        return day_value(value)

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
            return [delivery_record(row) for row in conn.execute(query).mappings()]

    def outbox(self, plan: str) -> list[Delivery]:
        """Every outbox row of ``plan``, oldest first."""
        query = sa.select(outbox).where(outbox.c.plan == plan).order_by(outbox.c.id)
        with self.engine.connect() as conn:
            return [delivery_record(row) for row in conn.execute(query).mappings()]

    def requeue_failed(self, plan: str) -> int:
        """Put the deliveries given up on (``failed``) back in the outbox, attempts counted
        from 0 again (``planflow resend --outbox``); returns how many."""
        with self._write() as conn:
            result = conn.execute(
                outbox.update()
                .where(outbox.c.plan == plan, outbox.c.status == "failed")
                .values(status="pending", attempts=0)
            )
        return int(result.rowcount or 0)

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
