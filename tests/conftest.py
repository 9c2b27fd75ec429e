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
