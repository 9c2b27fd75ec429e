"""The engine's small public types: clocks, the completion model, windows and outcomes.

Everything here is re-exported by :mod:`planflow.run.engine`, which is where to import it from.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Protocol

from attrs import frozen

from planflow.run.events import State
from planflow.timeline.occurrences import Occurrence, Timeline


class Clock(Protocol):
    """What the engine reads the time from."""

    def today(self) -> date:
        """The current date."""
        ...

    def wait_until(self, day: date) -> None:
        """Return once ``day`` has come (a simulated clock jumps to it)."""
        ...


class SimulatedClock:
    """A clock that jumps: :meth:`wait_until` returns at once and moves the date."""

    def __init__(self, start: date) -> None:
        self._now = start

    def today(self) -> date:
        """The simulated date."""
        return self._now

    def wait_until(self, day: date) -> None:
        """Jump to ``day`` (never backwards)."""
        self._now = max(self._now, day)


class RealClock:
    """The wall clock: :meth:`wait_until` sleeps until the date has come.

    ``today`` and ``sleep`` can be replaced (tests, other time zones).
    """

    def __init__(
        self,
        *,
        today: Callable[[], date] = date.today,
        sleep: Callable[[float], None] = _time.sleep,
        interval: float = 60.0,
    ) -> None:
        self._today = today
        self._sleep = sleep
        self._interval = interval

    def today(self) -> date:
        """Today's date."""
        return self._today()

    def wait_until(self, day: date) -> None:
        """Sleep (in steps of ``interval`` seconds) until ``day`` has come."""
        while self._today() < day:
            self._sleep(self._interval)


class CompletionModel(Protocol):
    """Decides when an occurrence gets done, once it is open and unblocked."""

    def completion(self, occurrence: Occurrence, ready: date) -> date | None:
        """The date ``occurrence`` is done, not before ``ready``; ``None``: never."""
        ...


@frozen
class ReportingWindow:
    """A reporting period the engine closes with a ``period_closed`` event."""

    id: str
    name: str
    start: date
    end: date


def reporting_windows(timeline: Timeline) -> tuple[ReportingWindow, ...]:
    """The plan's reporting periods; the four quarters and the year if it has none."""
    plan = timeline.plan
    if plan.reporting_periods:
        return tuple(ReportingWindow(p.id, p.name, p.start, p.end) for p in plan.reporting_periods)
    y = plan.year
    quarters = [
        ReportingWindow(
            f"q{q}",
            f"Q{q}",
            date(y, 3 * q - 2, 1),
            date(y + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1),
        )
        for q in range(1, 5)
    ]
    return (*quarters, ReportingWindow("year", str(y), date(y, 1, 1), date(y, 12, 31)))


@frozen
class Outcome:
    """Where one occurrence ended up (or stands, if the run stopped early).

    ``completed`` is ``None`` unless done; ``days_late`` counts working days after
    the due date (0 when on time, ``None`` when not done); ``ready`` is when what it
    waits for was done (plus lag), ``None`` if it waits for nothing; ``cause`` is
    the predecessor that held it past its due date, if that is why it was late or
    missed; ``skipped`` tells that the completion model never did it.
    """

    occurrence: Occurrence
    state: State
    completed: date | None
    days_late: int | None
    ready: date | None
    cause: tuple[str, int] | None
    skipped: bool

    @property
    def on_time(self) -> bool:
        """Done on or before its due date."""
        return self.state is State.DONE


# documented, pickled and shown as planflow.run.engine.<name>
for _cls in (Clock, SimulatedClock, RealClock, CompletionModel, ReportingWindow, Outcome):
    _cls.__module__ = "planflow.run.engine"
reporting_windows.__module__ = "planflow.run.engine"
