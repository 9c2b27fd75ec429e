"""Shared test set-up: hypothesis profiles.

``HYPOTHESIS_PROFILE`` picks one of ``dev`` (hypothesis' defaults), ``ci`` (100
examples, no deadline) and ``long`` (5,000 examples, for a run before a release).
Without it, ``ci`` is used when the ``CI`` environment variable is set, else ``dev``.
Under mutation testing (``mutmut run``, see CONTRIBUTING.md) ``mutation`` is used.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev")
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# mutation testing (mutmut sets MUTANT_UNDER_TEST): few examples, the same ones for
# every mutant, so that a mutant's verdict does not depend on luck
settings.register_profile(
    "mutation",
    max_examples=20,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
if "MUTANT_UNDER_TEST" in os.environ:
    settings.load_profile("mutation")
else:
    settings.load_profile(
        os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
    )


@pytest.fixture(autouse="MUTANT_UNDER_TEST" in os.environ)
def _cold_caches() -> None:
    """Under mutation testing, start every test with empty ``functools`` caches.

    mutmut forks each mutant's run from a process that has already run the tests, so
    a cached function (``normalise_recurrence``, the expansion caches) would answer from
    its cache and a mutant below it would never run.
    """
    for name, module in list(sys.modules.items()):
        if name.startswith("planflow"):
            for value in list(vars(module).values()):
                clear = getattr(value, "cache_clear", None)
                if callable(clear) and getattr(value, "__module__", "") == name:
                    clear()


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read planflow's English unless they ask for Vietnamese.

    The Bờ Y example sets ``language: vi``; ``PLANFLOW_LANG`` (which comes before the
    plan's key) keeps the English texts most tests assert on. Tests of Vietnamese
    output remove it (``monkeypatch.delenv("PLANFLOW_LANG")``) or pass ``--lang vi``.
    """
    monkeypatch.setenv("PLANFLOW_LANG", "en")
    from planflow.i18n import set_language

    set_language("en")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (``PLANFLOW_NO_SKIP=1``, set by ``.ci/run``) a skipped test is a failure.

    Tests that need Chromium, PostgreSQL or the fonts skip on a bare machine; CI installs
    them, so a skip there means a check silently proved nothing.
    """
    if os.environ.get("PLANFLOW_NO_SKIP") != "1" or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped:
        for report in skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
            print(f"\nskipped in CI: {report.nodeid}: {reason}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- the real year's databases: SQLite always, PostgreSQL when it can be started ---

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
