"""Helpers for testing planflow plugins (and code that uses planflow).

::

    from planflow.hooks.manager import get_plugin_manager
    from planflow.jobs.simulate import run_simulation
    from planflow.testing import RecordingNotifier, tiny_plan

    def test_my_plugin_sees_reminders():
        pm = get_plugin_manager(load_entrypoints=False)
        recorder = RecordingNotifier()
        pm.register(recorder.plugin(), name="recorder")
        run = run_simulation(tiny_plan(), pm=pm, notify=["recording"])
        assert recorder.events[0].kind.value == "reminder"
        assert run.record()["deliveries"]["recording"]["failed"] == 0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from planflow.hooks.specs import ChannelSettings, Notifier, Setting, hookimpl
from planflow.plan.loading import loads
from planflow.plan.model import Plan, Unit
from planflow.run.events import Event

__all__ = ["TINY_PLAN", "RecordingNotifier", "tiny_plan"]

#: A plan file small enough to read at a glance: two units, three tasks, one
#: dependency, a quantity target and two reporting periods, in 2025.
TINY_PLAN = """\
planflow: 1
plan:
  id: tiny-2025
  title: "Kế hoạch thử nghiệm"
  issuer: "UBND xã Thử"
  year: 2025
calendar:
  reminder: 2 working days
reporting_periods:
  - {id: q1, name: "Quý I", start: 2025-01-01, end: 2025-03-31}
  - {id: fy, name: "Năm", start: 2025-01-01, end: 2025-12-31}
units:
  - id: vhxh
    name: "Phòng Văn hóa - Xã hội"
    channels: {recording: {label: "VHXH"}}
  - id: radio
    name: "Đài phát thanh xã"
tasks:
  - id: news
    title: "Tin bài hằng tháng"
    lead: vhxh
    coordinators: [radio]
    window: Q1/2025
    recurrence: monthly
    target: 3 per window
  - id: broadcast
    title: "Phát lại trên đài"
    lead: radio
    window: Q1/2025
    recurrence: monthly
    after: [{task: news, mode: same period}]
  - id: report-q1
    title: "Báo cáo quý I"
    lead: vhxh
    window: {start: 2025-03-20, end: 2025-03-31}
"""


def tiny_plan(**changes: Any) -> Plan:
    """The :data:`TINY_PLAN`, loaded; ``changes`` are applied with ``attrs.evolve``."""
    plan = loads(TINY_PLAN, file="tiny.yaml").plan
    return attrs.evolve(plan, **changes) if changes else plan


class RecordingNotifier:
    """A notifier that records every delivery: ``calls`` is ``[(event, unit ids), …]``.

    ``fail_on`` (event kinds) makes it raise for those events, to test failure
    handling. Register it with ``pm.register(recorder.plugin(), name=...)``.
    """

    description = "Records deliveries (tests)"

    def __init__(self, name: str = "recording", *, fail_on: Sequence[str] = ()) -> None:
        self.name = name
        self.settings: Sequence[Setting] = (Setting("label", scope="unit"),)
        self.fail_on = set(fail_on)
        self.calls: list[tuple[Event, tuple[str, ...]]] = []
        self.settings_seen: list[ChannelSettings] = []

    def deliver(
        self, event: Event, *, plan: Plan, units: Sequence[Unit], settings: ChannelSettings
    ) -> None:
        """Record the call; raise ``RuntimeError`` for the kinds in ``fail_on``."""
        if event.kind.value in self.fail_on:
            raise RuntimeError(f"{self.name} refuses {event.kind.value}")
        self.calls.append((event, tuple(u.id for u in units)))
        self.settings_seen.append(settings)

    @property
    def events(self) -> list[Event]:
        """The events delivered, in order."""
        return [event for event, _ in self.calls]

    def plugin(self) -> object:
        """A plugin object declaring this notifier (for ``pm.register``)."""
        recorder = self

        class _Plugin:
            @hookimpl
            def planflow_notifiers(self) -> Sequence[Notifier]:
                return [recorder]

        return _Plugin()
