"""The closed choices of the model: shift policy, periods, dependency and lead modes."""

from __future__ import annotations

from enum import Enum

__all__ = ["Category", "DependencyMode", "LeadMode", "Period", "Shift"]


class Shift(str, Enum):
    """Where an occurrence that lands on a non-working day goes."""

    PREVIOUS = "previous"
    NEXT = "next"
    KEEP = "keep"


class Period(str, Enum):
    """The calendar period an occurrence belongs to (its label, e.g. ``2025-03``)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"
    WINDOW = "window"
    REPORTING = "reporting"
    """The plan's own reporting periods (``q1``, ``h1``, ``m9``, ``fy``)."""


class DependencyMode(str, Enum):
    """Which occurrences of the predecessor an occurrence waits for.

    ``task``: every occurrence of the predecessor (finish-to-start at task level).
    ``same-period``: the predecessor's occurrences with the same period label
    (March's rebroadcasts wait for March's programme); between two tasks led
    member-by-member by the same group, only the same member's.
    ``all``: every duty's occurrences with the same period label (the consolidated
    Q2 report waits for every unit's Q2 report).
    ``previous``: the predecessor's occurrence with index n-1 (for a task that
    waits for its own previous occurrence).
    ``in-period``: the predecessor's occurrences whose dates fall in this
    occurrence's period, whatever their own rhythm (the quarterly meeting waits for
    this quarter's monthly reports).
    """

    TASK = "task"
    SAME_PERIOD = "same-period"
    ALL = "all"
    PREVIOUS = "previous"
    IN_PERIOD = "in-period"


class LeadMode(str, Enum):
    """How a task led by a group is carried out.

    ``each``: every member unit has its own duty (C.II.7: each unit integrates the
    topic in its own conferences). ``together``: one collective duty of the group.
    """

    EACH = "each"
    TOGETHER = "together"


class Category(str, Enum):
    """The plan streams of the Bờ Y plan; other plans may use any text."""

    CDS = "CĐS"
    CCHC = "CCHC"
