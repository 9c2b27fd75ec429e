"""Shared test set-up: hypothesis profiles.

``HYPOTHESIS_PROFILE`` picks one of ``dev`` (hypothesis' defaults), ``ci`` (100
examples, no deadline) and ``long`` (5,000 examples, for a run before a release).
Without it, ``ci`` is used when the ``CI`` environment variable is set, else ``dev``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev")
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


# --- the real year's databases: SQLite always, PostgreSQL when it can be started ---

import itertools  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

_databases = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[object]:
    """A throw-away PostgreSQL cluster (tests/year_support.py), or skip saying why not."""
    from year_support import postgres_server

    with postgres_server() as server:
        if isinstance(server, str):
            pytest.skip(f"PostgreSQL tests skipped: {server}")
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty state database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    server = request.getfixturevalue("postgres")
    return str(server.database(f"planflow_{next(_databases)}"))  # type: ignore[attr-defined]
