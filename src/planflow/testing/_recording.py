"""A notifier that records what it is given, for tests."""

from __future__ import annotations

from collections.abc import Sequence

from planflow.hooks.specs import ChannelSettings, Notifier, Setting, Skipped, hookimpl
from planflow.plan.model import Plan, Unit
from planflow.run.events import Event

__all__ = ["RecordingNotifier"]


class RecordingNotifier:
    """A notifier that records every delivery: ``calls`` is ``[(event, unit ids), …]``.

    ``fail_on`` (event kinds) makes it raise ``RuntimeError`` for those events and
    ``skip_on`` makes it return :class:`~planflow.hooks.specs.Skipped`, to test what
    happens around a failing or choosy channel. Register it with
    ``planflow.testing.plugin_manager(recorder.plugin())`` (or ``pm.register``).
    """

    description = "Records deliveries (tests)"

    def __init__(
        self, name: str = "recording", *, fail_on: Sequence[str] = (), skip_on: Sequence[str] = ()
    ) -> None:
        self.name = name
        self.settings: Sequence[Setting] = (Setting("label", scope="unit"),)
        self.fail_on = set(fail_on)
        self.skip_on = set(skip_on)
        self.calls: list[tuple[Event, tuple[str, ...]]] = []
        self.settings_seen: list[ChannelSettings] = []

    def deliver(
        self, event: Event, *, plan: Plan, units: Sequence[Unit], settings: ChannelSettings
    ) -> Skipped | None:
        """Record the call; raise for the kinds in ``fail_on``, skip those in ``skip_on``."""
        if event.kind.value in self.fail_on:
            raise RuntimeError(f"{self.name} refuses {event.kind.value}")
        if event.kind.value in self.skip_on:
            return Skipped(f"{self.name} skips {event.kind.value}")
        self.calls.append((event, tuple(u.id for u in units)))
        self.settings_seen.append(settings)
        return None

    @property
    def events(self) -> list[Event]:
        """The events delivered, in order."""
        return [event for event, _ in self.calls]

    def plugin(self) -> object:
        """A plugin object declaring this notifier (for ``plugin_manager`` or ``pm.register``)."""
        recorder = self

        class RecordingPlugin:
            @hookimpl
            def planflow_notifiers(self) -> Sequence[Notifier]:
                return [recorder]

        return RecordingPlugin()
