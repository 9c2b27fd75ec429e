"""Shared test set-up: hypothesis profiles.

``HYPOTHESIS_PROFILE`` picks one of ``dev`` (hypothesis' defaults), ``ci`` (100
examples, no deadline) and ``long`` (5,000 examples, for a run before a release).
Without it, ``ci`` is used when the ``CI`` environment variable is set, else ``dev``.
Under mutation testing (``mutmut run``, see CONTRIBUTING.md) ``mutation`` is used.
"""

from __future__ import annotations

import os
import sys

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
