"""Where the state lives and how to reach it: database URLs, engines, locks, migrations.

* SQLite (the default): one file, ``PLAN_DIR/.planflow/state.db``, in WAL mode so
  that readers never wait for a writer; every write transaction starts with
  ``BEGIN IMMEDIATE`` so that two writers queue instead of failing half-way.
* PostgreSQL (``postgresql://user:pass@host/db``): the same tables, reached with
  psycopg 3 (``pip install 'planflow[postgres]'``).

A *run lock* keeps two ``planflow run`` of the same plan from delivering at the
same time: an ``flock`` on a file next to the SQLite database, a session advisory
lock on PostgreSQL. Both are released by the operating system or the server when
the process dies, so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from planflow.run.store.schema import MIGRATIONS, schema_version

__all__ = [
    "DEFAULT_FILE",
    "StoreError",
    "create",
    "default_url",
    "migrate",
    "normalise_url",
    "run_lock",
]

#: The state file, relative to the plan's folder.
DEFAULT_FILE = Path(".planflow") / "state.db"

BUSY_TIMEOUT_MS = 60_000


class StoreError(Exception):
    """The state store cannot be used: bad URL, missing driver, newer schema, …"""


def default_url(plan_file: str | os.PathLike[str]) -> str:
    """``sqlite:///PLAN_DIR/.planflow/state.db`` for the plan file ``plan_file``."""
    folder = Path(plan_file).resolve().parent
    return f"sqlite:///{folder / DEFAULT_FILE}"


def normalise_url(url: str) -> str:
    """A SQLAlchemy URL: ``postgresql://`` uses psycopg 3; a bare path is a SQLite file."""
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create(url: str) -> sa.Engine:
    """A SQLAlchemy engine for ``url`` (see :func:`normalise_url`), ready to use."""
    url = normalise_url(url)
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r} ({exc})") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite(parsed)
    if parsed.get_backend_name() == "postgresql":
        try:
            return sa.create_engine(parsed, pool_pre_ping=True)
        except ImportError as exc:
            raise StoreError(
                f"PostgreSQL needs psycopg: pip install 'planflow[postgres]' ({exc})"
            ) from None
    raise StoreError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql://"
    )


def _sqlite(url: sa.URL) -> sa.Engine:
    if url.database and url.database != ":memory:":
        try:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder of {url.database}: {exc}") from None
    engine = sa.create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "isolation_level": None}
    )

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        # take the write lock at the start: a transaction that reads then writes
        # can then never fail with "database is locked" half-way through
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def migrate(engine: sa.Engine) -> int:
    """Bring the schema up to date; return its version.

    :raises StoreError: the database was made by a newer planflow.
    """
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # two processes opening a fresh database at once (serve workers starting
            # together): one migrates, one waits; the lock comes first, so that they
            # do not both create the version table
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _key("migrate")})
        schema_version.create(conn, checkfirst=True)
        done = {row[0] for row in conn.execute(sa.select(schema_version.c.version))}
        newest = MIGRATIONS[-1][0]
        if done and max(done) > newest:
            raise StoreError(
                f"the state database has schema version {max(done)}, newer than this "
                f"planflow knows ({newest}): upgrade planflow"
            )
        for version, description, upgrade in MIGRATIONS:
            if version in done:
                continue
            upgrade(conn)
            conn.execute(
                schema_version.insert().values(
                    version=version, applied_at=datetime.now(UTC), description=description
                )
            )
    return newest


def _key(text: str) -> int:
    """A signed 64-bit advisory-lock key for ``text``."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def run_lock(engine: sa.Engine, plan: str) -> Iterator[None]:
    """Hold the run lock of ``plan`` (waits for another run to finish)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _key(f"run:{plan}")})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _key(f"run:{plan}")})
                conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield  # one process, one connection: nothing to share
        return
    digest = hashlib.sha256(plan.encode()).hexdigest()[:12]
    path = Path(f"{database}.run-{digest}.lock")
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
