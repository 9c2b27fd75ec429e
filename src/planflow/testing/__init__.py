"""Helpers for testing planflow plugins (and code that uses planflow).

::

    from planflow.jobs.simulate import run_simulation
    from planflow.testing import RecordingNotifier, plugin_manager, run_cli, tiny_plan

    def test_my_plugin_sees_reminders():
        recorder = RecordingNotifier()
        pm = plugin_manager(recorder.plugin())      # checked like the real loader
        run = run_simulation(tiny_plan(), pm=pm, notify=["recording"])
        assert recorder.events[0].kind.value == "reminder"
        assert run.record()["deliveries"]["recording"]["failed"] == 0

    def test_my_command():
        result = run_cli(["--help"], plugins=[])
        assert result.exit_code == 0 and "simulate" in result.stdout

Installed with planflow, a pytest plugin (:mod:`planflow.testing.pytest_plugin`,
entry point ``pytest11``) gives the fixtures ``planflow_plan_dir``,
``planflow_plan`` and ``recording_notifier``.
"""

from planflow.testing._cli import CliResult, plugin_manager, run_cli
from planflow.testing._plans import TINY_PLAN, tiny_plan, write_tiny_plan
from planflow.testing._recording import RecordingNotifier

__all__ = [
    "TINY_PLAN",
    "CliResult",
    "RecordingNotifier",
    "plugin_manager",
    "run_cli",
    "tiny_plan",
    "write_tiny_plan",
]
