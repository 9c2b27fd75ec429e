"""What became of a run's deliveries: per notifier, reporter and observer, in one unit each.

A notifier's and an observer's counts are **events**: each event handed over is
counted once, as *delivered*, *skipped* (the notifier said so by returning
:class:`~planflow.hooks.specs.Skipped`, or does not handle that kind) or *failed*
(it raised). A reporter's counts are **reporting periods**: delivered (it made at
least one artifact), skipped (nothing to report), failed (it raised, or a file could
not be written); the files themselves are listed apart.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import attrs

from planflow.hooks.specs import Artifact
from planflow.i18n import N_, _
from planflow.run.events import Event

__all__ = ["ArtifactRecord", "ChannelRecord", "FailedDelivery", "failure_place"]

# the words of a summary line; the keys stay English in the JSON record
_WORDS = {
    "notifier": N_("notifier"),
    "reporter": N_("reporter"),
    "events": N_("events"),
    "periods": N_("periods"),
    # planflow's own reasons for a skip (a plugin's reasons are shown as it wrote them)
    "kind not handled": N_("kind not handled"),
    "nothing to report": N_("nothing to report"),
    "skipped": N_("skipped"),
}


def _word(text: str) -> str:
    return _(_WORDS[text]) if text in _WORDS else text


def failure_place(what: str, event: Event) -> tuple[str, str]:
    """``("notifier 'email'", "on due thu-phi#2 2025-03-31 …")`` in the language in use:
    where a failure happened and on what event, as the failure log shows them."""
    kind, _space, name = what.partition(" ")
    shown = f"{_word(kind)} {name}" if name and kind in _WORDS else what
    on = _("on {kind} {task}#{index} {time}").format(
        kind=event.kind.value, task=event.task, index=event.index, time=event.time
    )
    return shown, on


class ArtifactRecord(NamedTuple):
    """One artifact a reporter made: ``(reporter, artifact, path)``; ``path`` is the file
    written, or ``""`` when no report folder was given."""

    reporter: str
    artifact: Artifact
    path: str


class FailedDelivery(NamedTuple):
    """An event a notifier failed to deliver (what ``--failed FILE`` keeps for resending)."""

    notifier: str
    plugin: str
    event: Event
    error: str


@attrs.define
class ChannelRecord:
    """What became of one notifier's (or reporter's, or observer's) deliveries.

    ``unit`` says what is counted: ``"events"`` or ``"periods"``.
    """

    plugin: str
    unit: str = "events"
    delivered: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = attrs.field(factory=list)
    reasons: dict[str, int] = attrs.field(factory=dict)

    def skip(self, reason: str) -> None:
        """Count one skipped event (or period), by reason."""
        self.skipped += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def fail(self, event: Event, error: str) -> None:
        """Record ``event`` as not delivered, with the error."""
        self.failed += 1
        self.errors.append(
            {
                "event": event.id,
                "kind": event.kind.value,
                "time": event.time.isoformat(),
                "task": event.task,
                "index": event.index,
                "plugin": self.plugin,
                "error": error,
            }
        )

    @property
    def total(self) -> int:
        """Events (or periods) handed over: delivered + skipped + failed."""
        return self.delivered + self.skipped + self.failed

    def to_dict(self) -> dict[str, Any]:
        """``{"plugin", "unit", "delivered", "skipped", "failed", "skipped_reasons", "errors"}``."""
        return {
            "plugin": self.plugin,
            "unit": self.unit,
            "delivered": self.delivered,
            "skipped": self.skipped,
            "failed": self.failed,
            "skipped_reasons": dict(sorted(self.reasons.items())),
            "errors": list(self.errors),
        }

    def summary(self, name: str, what: str) -> str:
        """``notifier 'email': 0 delivered, 1340 skipped (no recipient: 1340), 0 failed
        of 1340 events``."""
        reasons = ", ".join(f"{_word(k)}: {v}" for k, v in sorted(self.reasons.items()))
        return _(
            "{what} {name!r}: {delivered} delivered, {skipped} skipped{reasons}, "
            "{failed} failed of {total} {unit}"
        ).format(
            what=_word(what),
            name=name,
            delivered=self.delivered,
            skipped=self.skipped,
            reasons=f" ({reasons})" if reasons else "",
            failed=self.failed,
            total=self.total,
            unit=_word(self.unit),
        )
