"""Deliver again the events a run failed to deliver, once each.

``planflow simulate … --notify webhook --failed failed.jsonl`` writes one JSON line
per failed delivery (:func:`write_failed`)::

    {"notifier": "webhook", "plugin": "webhook", "error": "…", "event": {…Event.to_dict()…}}

``planflow resend PLAN --events failed.jsonl`` (:func:`resend`) hands each of those
events to its notifier again, with the plan's (and ``--set``'s) settings. After
each success it appends a marker line to the same file, flushed at once::

    {"delivered": "58cbb911474b221c", "notifier": "webhook"}

so that running ``resend`` again (after a crash, or to retry what still fails)
never delivers an event twice: it is idempotent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from planflow.hooks.channels import resolve_settings
from planflow.hooks.failures import Failure
from planflow.hooks.manager import PluginManager
from planflow.jobs.records import ChannelRecord, FailedDelivery, failure_place
from planflow.jobs.simulate import deliver_one
from planflow.plan.errors import PlanError
from planflow.plan.model import Plan, suggest
from planflow.run.events import Event

__all__ = ["Pending", "ResendResult", "pending", "resend", "write_failed"]


def write_failed(path: str | os.PathLike[str], failed: Iterable[FailedDelivery]) -> int:
    """Write ``failed`` as JSON lines to ``path`` (replacing it); returns how many."""
    lines = [
        json.dumps(
            {
                "notifier": f.notifier,
                "plugin": f.plugin,
                "error": f.error,
                "event": f.event.to_dict(),
            },
            ensure_ascii=False,
        )
        for f in failed
    ]
    Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


@attrs.frozen
class Pending:
    """One event still to deliver through ``notifier``."""

    notifier: str
    event: Event
    error: str


def pending(path: str | os.PathLike[str]) -> list[Pending]:
    """The failed deliveries of ``path`` not yet marked delivered, each ``(notifier, event
    id)`` once, in the file's order.

    :raises PlanError: the file cannot be read, or a line is not one of ours
        (``FILE:LINE`` named).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(f"cannot read {path}: {exc.strerror or exc}") from None
    failed: dict[tuple[str, str], Pending] = {}
    done: set[tuple[str, str]] = set()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if "delivered" in data:
                done.add((str(data["notifier"]), str(data["delivered"])))
                continue
            event = Event.from_dict(data["event"])
            failed[(str(data["notifier"]), event.id)] = Pending(
                str(data["notifier"]), event, str(data.get("error", ""))
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise PlanError(
                f"{path}:{number}:1: not a failed delivery ({type(exc).__name__}: {exc})",
                hint="give the file written by planflow simulate --failed FILE",
            ) from None
    return [p for key, p in failed.items() if key not in done]


@attrs.define
class ResendResult:
    """Per notifier, what became of the events resent."""

    records: dict[str, ChannelRecord] = attrs.field(factory=dict)

    @property
    def failed(self) -> int:
        """Events that failed again."""
        return sum(r.failed for r in self.records.values())


def resend(
    plan: Plan,
    path: str | os.PathLike[str],
    *,
    pm: PluginManager,
    settings: Mapping[str, Mapping[str, str]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ResendResult:
    """Deliver each pending event of ``path`` through its notifier, marking each success.

    :raises PlanError: the file is not readable, a notifier it names is not loaded, or
        its settings are wrong — before anything is delivered.
    """
    todo = pending(path)
    notifiers = pm.notifiers()
    configured: dict[str, Any] = {}
    for name in dict.fromkeys(p.notifier for p in todo):
        if name not in notifiers:
            raise PlanError(
                f"{path}: notifier {name!r} is not loaded",
                hint=suggest(name, sorted(notifiers)) or "install its plugin (planflow plugins)",
            )
        notifier = notifiers[name].obj
        configured[name] = (
            notifier,
            resolve_settings(notifier, plan, (settings or {}).get(name), environ),
        )
    result = ResendResult()
    with open(path, "a", encoding="utf-8") as marks:
        for item in todo:
            notifier, channel = configured[item.notifier]
            record = result.records.setdefault(
                item.notifier, ChannelRecord(notifiers[item.notifier].plugin)
            )
            try:
                skipped = deliver_one(notifier, item.event, plan, channel)
            except BrokenPipeError:
                raise
            except Exception as exc:
                error = Failure.of(record.plugin, exc).error
                record.fail(item.event, error)
                shown, on = failure_place(f"notifier {item.notifier!r}", item.event)
                pm.failures.add(record.plugin, shown, error, exc=exc, detail=on)
                continue
            if skipped is None:
                record.delivered += 1
            else:
                record.skip(skipped.reason or "skipped")
            marks.write(json.dumps({"delivered": item.event.id, "notifier": item.notifier}) + "\n")
            marks.flush()
            os.fsync(marks.fileno())
    return result
