"""The catch-up digest: after days without a run, one event per unit counting what
those days held (``planflow run``; see :mod:`planflow.jobs.year`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from planflow.run.events import Event, EventKind, event_id

__all__ = ["digest_event"]


def digest_event(plan: str, unit: str, gathered: Sequence[Event], today: date) -> Event:
    """One unit's digest of ``gathered`` events (their kinds counted), dated ``today``."""
    first = min(e.time for e in gathered)
    last = max(e.time for e in gathered)
    counts = Counter(e.kind.value for e in gathered)
    return Event(
        id=event_id(plan, f"digest:{unit}:{first}:{last}", 0, EventKind.DIGEST),
        kind=EventKind.DIGEST,
        time=today,
        plan=plan,
        task=f"digest:{unit}",
        index=0,
        period=f"{first.isoformat()}..{last.isoformat()}",
        start=first,
        due=last,
        unit=unit,
        counts=tuple(sorted(counts.items())),
    )
