"""The ``jsonl`` notifier: appends one JSON line per event delivered to a file.

Setting ``path`` (required; plan file ``channels: {jsonl: {path: …}}`` or
``--set jsonl.path=events.jsonl``). Each line is :meth:`planflow.run.events.Event.to_dict`
plus ``units`` (every unit concerned). The file is appended to, never truncated:
the events' stable ``id`` lets a reader drop the ones it has already seen.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from planflow.hooks.specs import ChannelSettings, Notifier, Setting, hookimpl
from planflow.plan.model import Plan, Unit
from planflow.run.events import Event

__all__ = ["JsonLinesNotifier"]


class JsonLinesNotifier:
    """Appends each event as one JSON line (UTF-8, ``\\n``)."""

    name = "jsonl"
    description = "Append every event as one JSON line to a file (setting: path)"
    settings: Sequence[Setting] = (
        Setting("path", required=True, scope="run", help="the file to append to"),
    )

    def deliver(
        self, event: Event, *, plan: Plan, units: Sequence[Unit], settings: ChannelSettings
    ) -> None:
        """Append ``event`` to the file."""
        line = json.dumps({**event.to_dict(), "units": [u.id for u in units]}, ensure_ascii=False)
        with open(str(settings.run["path"]), "a", encoding="utf-8", newline="\n") as fh:
            fh.write(line + "\n")


@hookimpl(trylast=True)
def planflow_notifiers() -> Sequence[Notifier]:
    """The ``jsonl`` notifier."""
    return [JsonLinesNotifier()]
