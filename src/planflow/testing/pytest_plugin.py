"""pytest fixtures for planflow plugin authors, registered through the ``pytest11`` entry
point when planflow is installed (``-p no:planflow`` turns them off).

* ``planflow_plan_dir``: a temporary folder holding the tiny plan as ``plan.yaml``
  (for commands: ``run_cli(["simulate", str(planflow_plan_dir)])``);
* ``planflow_plan``: that plan, loaded (a :class:`~planflow.plan.model.Plan`);
* ``recording_notifier``: a fresh :class:`~planflow.testing.RecordingNotifier`
  named ``recording``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planflow.plan.loading import load
from planflow.plan.model import Plan
from planflow.testing._plans import write_tiny_plan
from planflow.testing._recording import RecordingNotifier

__all__ = ["planflow_plan", "planflow_plan_dir", "recording_notifier"]


@pytest.fixture
def planflow_plan_dir(tmp_path: Path) -> Path:
    """A temporary folder with the tiny plan written as ``plan.yaml``."""
    return write_tiny_plan(tmp_path / "plan")


@pytest.fixture
def planflow_plan(planflow_plan_dir: Path) -> Plan:
    """The tiny plan, loaded from ``planflow_plan_dir``."""
    return load(planflow_plan_dir).plan


@pytest.fixture
def recording_notifier() -> RecordingNotifier:
    """A fresh recording notifier named ``recording``."""
    return RecordingNotifier()
