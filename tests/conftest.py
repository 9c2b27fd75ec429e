"""Shared test set-up: hypothesis profiles.

``HYPOTHESIS_PROFILE`` picks one of ``dev`` (hypothesis' defaults), ``ci`` (100
examples, no deadline) and ``long`` (5,000 examples, for a run before a release).
Without it, ``ci`` is used when the ``CI`` environment variable is set, else ``dev``.
"""

from __future__ import annotations

import os

import pytest
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
