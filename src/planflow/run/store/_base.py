"""What every part of the state store shares: the engine, the schema check, write transactions."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Self

import sqlalchemy as sa

from planflow.run.store import connect

__all__ = ["StoreBase"]


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


class StoreBase:
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
    ) -> Self:
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

    def __enter__(self) -> Self:
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
