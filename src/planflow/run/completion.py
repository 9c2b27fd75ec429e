"""Completion models: when each occurrence gets done in a simulated year.

See :mod:`planflow.run.simulation` for what ``on-time`` and ``random`` mean.
"""

from __future__ import annotations

import hashlib
import math
from datetime import date

from planflow.run.engine import CompletionModel
from planflow.run.scenarios import Profile, Scenario
from planflow.timeline.occurrences import Occurrence, Timeline

# --- completion models ------------------------------------------------------------


class OnTimeModel:
    """Done on the due date, or as soon as unblocked when that is later."""

    def completion(self, occurrence: Occurrence, ready: date) -> date | None:
        """``max(due, ready)``."""
        return max(occurrence.due, ready)


class RandomModel:
    """Seeded random delays and skips per occurrence, following a :class:`Scenario`."""

    def __init__(self, timeline: Timeline, scenario: Scenario | None = None, seed: int = 0) -> None:
        self.timeline = timeline
        self.scenario = scenario or Scenario()
        self.seed = seed
        self._profiles: dict[str, Profile] = {}

    def _profile(self, occurrence: Occurrence) -> Profile:
        found = self._profiles.get(occurrence.task)
        if found is None:
            found = self.scenario.profile(occurrence.task, occurrence.plan_task, occurrence.unit)
            self._profiles[occurrence.task] = found
        return found

    def completion(self, occurrence: Occurrence, ready: date) -> date | None:
        """Skipped, on time, or ``delay`` working days after ``max(due, ready)``."""
        profile = self._profile(occurrence)
        u_skip, u_late, u_delay = _uniforms(self.seed, occurrence.task, occurrence.index)
        if u_skip < profile.skip:
            return None
        start = max(occurrence.due, ready)
        if u_late >= profile.late or profile.max == 0:
            return start
        delay = round(_triangular(u_delay, profile.min, profile.mode, profile.max))
        return self.timeline.calendar.add_working_days(start, delay) if delay else start


def _uniforms(seed: int, duty: str, index: int) -> tuple[float, float, float]:
    """Three uniform draws in [0, 1) for one occurrence of one run.

    A keyed hash of (seed, duty, index): the draws depend on nothing else (not on the
    order occurrences are processed in, nor on other tasks), and cost a microsecond,
    where seeding a ``random.Random`` per occurrence cost most of a random run.
    """
    digest = hashlib.blake2b(f"{seed}\x1f{duty}\x1f{index}".encode(), digest_size=24).digest()
    scale = 2.0**-64
    return (
        int.from_bytes(digest[0:8], "big") * scale,
        int.from_bytes(digest[8:16], "big") * scale,
        int.from_bytes(digest[16:24], "big") * scale,
    )


def _triangular(u: float, low: float, mode: float, high: float) -> float:
    """The inverse CDF of the triangular distribution (as :meth:`random.Random.triangular`)."""
    if high == low:
        return low
    c = (mode - low) / (high - low)
    if u > c:
        u, c, low, high = 1.0 - u, 1.0 - c, high, low
    return low + (high - low) * math.sqrt(u * c)


def _model(
    name: str | CompletionModel, timeline: Timeline, scenario: Scenario | None, seed: int
) -> CompletionModel:
    if not isinstance(name, str):
        return name
    if name == "on-time":
        return OnTimeModel()
    if name == "random":
        return RandomModel(timeline, scenario, seed)
    raise ValueError(f"unknown model {name!r}; use 'on-time' or 'random'")
