"""Progress in the feeds: a finished occurrence is marked ``✔``, an overdue one flagged.

The feeds never read the state store (they must not depend on the run layer): the
caller hands the renderer a mapping ``(duty, index) → Mark``, made from the recorded
year (:func:`planflow.jobs.reports.feed_progress`). What is marked: the VTODO of the
occurrence (``STATUS:COMPLETED``, ``COMPLETED``, ``PERCENT-COMPLETE:100`` when done)
and, in expanded feeds, its VEVENT; the SUMMARY of both starts with the mark. A
recurring VEVENT (one per duty) is not marked: its occurrences are not separate
components. A marked component's SEQUENCE moves on when its mark changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from attrs import frozen

from planflow.feeds._lines import lines, ymd

__all__ = ["DONE", "OVERDUE", "Mark", "Progress", "status_lines"]

DONE = "✔ "
"""SUMMARY prefix of a finished occurrence."""
OVERDUE = "⚠ Quá hạn: "
"""SUMMARY prefix of an overdue one."""


@frozen
class Mark:
    """How one occurrence stands: done on ``completed``, or ``overdue``."""

    completed: date | None = None
    overdue: bool = False

    @property
    def prefix(self) -> str:
        """The SUMMARY prefix ("" when there is nothing to mark)."""
        if self.completed is not None:
            return DONE
        return OVERDUE if self.overdue else ""


#: What a renderer is given: ``(duty id, index) → Mark``.
Progress = Mapping[tuple[str, int], Mark]


def status_lines(mark: Mark | None, kind: bytes) -> bytes:
    """The VTODO lines of a finished occurrence (nothing for events or open work)."""
    if mark is None or mark.completed is None or kind != b"VTODO":
        return b""
    # COMPLETED is a UTC DATE-TIME; midnight UTC is the morning of the same day in Asia
    return lines(
        ["STATUS:COMPLETED", f"COMPLETED:{ymd(mark.completed)}T000000Z", "PERCENT-COMPLETE:100"]
    )
