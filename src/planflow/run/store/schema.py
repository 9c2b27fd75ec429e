"""The state store's tables, and the versioned migrations that create them.

Every table is keyed by the plan id (``plan``), so that one PostgreSQL database can
hold the year of every commune of a province. Nothing is ever deleted: a completion
that is taken back gets an ``undo`` row, one whose occurrence left the plan gets an
``archive`` row.

Migrations are plain Python functions over SQLAlchemy Core, applied in order inside
one transaction each and recorded in ``schema_version``: the same code creates the
schema on SQLite and on PostgreSQL, with no per-dialect SQL.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "completions",
    "events",
    "measurements",
    "metadata",
    "outbox",
    "plan_versions",
    "runs",
    "schema_version",
]

metadata = sa.MetaData()

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite: INTEGER PRIMARY KEY
_WHEN = sa.DateTime(timezone=True)

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", _WHEN, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("plan", sa.String(200), nullable=False, index=True),
    sa.Column("plan_hash", sa.String(64), nullable=False),
    sa.Column("now", _WHEN, nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("started_at", _WHEN, nullable=False),
    sa.Column("finished_at", _WHEN),
    sa.Column("who", sa.String(200), nullable=False),
    sa.Column("summary", sa.Text, nullable=False, default="{}"),
)

plan_versions = sa.Table(
    "plan_versions",
    metadata,
    sa.Column("plan", sa.String(200), primary_key=True),
    sa.Column("plan_hash", sa.String(64), primary_key=True),
    sa.Column("first_run", _ID, nullable=False),
    sa.Column("occurrences", sa.Text, nullable=False),  # JSON {"duty#index": "due"}
)

completions = sa.Table(
    "completions",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("plan", sa.String(200), nullable=False),
    sa.Column("task", sa.String(300), nullable=False),
    sa.Column("idx", sa.Integer, nullable=False),
    sa.Column("action", sa.String(16), nullable=False),  # done | undo | archive
    sa.Column("day", sa.Date),  # the day the work was done (done rows)
    sa.Column("due", sa.Date),  # the occurrence's due date when recorded
    sa.Column("by_unit", sa.String(200)),
    sa.Column("note", sa.Text),
    sa.Column("evidence", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("who", sa.String(200), nullable=False),
    sa.Column("recorded_at", _WHEN, nullable=False),
    sa.Column("run_id", _ID),  # archive rows: the run that reconciled the plan
    sa.Index("ix_completions_occurrence", "plan", "task", "idx"),
)

measurements = sa.Table(
    "measurements",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("plan", sa.String(200), nullable=False),
    sa.Column("target", sa.String(300), nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("by_unit", sa.String(200)),
    sa.Column("note", sa.Text),
    sa.Column("evidence", sa.Text),
    sa.Column("who", sa.String(200), nullable=False),
    sa.Column("recorded_at", _WHEN, nullable=False),
    sa.Index("ix_measurements_target", "plan", "target"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("plan", sa.String(200), primary_key=True),
    sa.Column("event_id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("task", sa.String(300), nullable=False),
    sa.Column("idx", sa.Integer, nullable=False),
    sa.Column("run_id", _ID, nullable=False),
    sa.Column("digest", sa.String(32)),  # the digest event that carried it, if any
    sa.Column("payload", sa.Text, nullable=False),  # Event.to_dict() as JSON
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("plan", sa.String(200), nullable=False),
    sa.Column("event_id", sa.String(32), nullable=False),
    sa.Column("notifier", sa.String(100), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | delivered | failed
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("run_id", _ID, nullable=False),
    sa.Column("created_at", _WHEN, nullable=False),
    sa.Column("delivered_at", _WHEN),
    sa.UniqueConstraint("plan", "notifier", "event_id", name="uq_outbox_delivery"),
    sa.Index("ix_outbox_status", "plan", "status"),
)


def _v1(conn: sa.Connection) -> None:
    for table in (runs, plan_versions, completions, measurements, events, outbox):
        table.create(conn)


#: ``(version, description, upgrade)`` in order; append, never edit a released one.
MIGRATIONS: tuple[tuple[int, str, Callable[[sa.Connection], None]], ...] = (
    (1, "runs, plan versions, completions, measurements, events, outbox", _v1),
)

SCHEMA_VERSION = MIGRATIONS[-1][0]
