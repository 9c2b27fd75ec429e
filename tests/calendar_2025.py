"""An independent oracle for dates in 2025: Vietnam's working days, written out by hand.

The rules tests compare the timeline with this brute-force reference instead of with
what the code under test computes. Days off come from the government's announcements
for civil servants in 2025; Saturday 26 April 2025 was worked in exchange for 2 May.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)

HOLIDAYS_2025 = frozenset(
    {
        date(2025, 1, 1),  # New Year
        *(date(2025, 1, 25) + timedelta(d) for d in range(9)),  # Tết Ất Tỵ, 25/1 – 02/02
        date(2025, 4, 7),  # Hùng Kings
        date(2025, 4, 30),
        date(2025, 5, 1),
        date(2025, 5, 2),  # bridge day, worked on Saturday 26/4
        date(2025, 9, 1),
        date(2025, 9, 2),  # National Day and the day before it
        date(2026, 1, 1),  # New Year after the plan year (moves may look there)
    }
)
MAKE_UP_2025 = frozenset({date(2025, 4, 26)})


def is_working(day: date) -> bool:
    """Monday to Friday, not a public holiday; or a make-up Saturday."""
    return day in MAKE_UP_2025 or (day.weekday() < 5 and day not in HOLIDAYS_2025)


def days(start: date, end: date) -> Iterator[date]:
    """Every day from ``start`` to ``end``, both included."""
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


def previous_working(day: date) -> date:
    """``day`` if it is a working day, else the nearest working day before it."""
    while not is_working(day):
        day -= ONE_DAY
    return day


def next_working(day: date) -> date:
    """``day`` if it is a working day, else the nearest working day after it."""
    while not is_working(day):
        day += ONE_DAY
    return day


def move(day: date, policy: str, start: date, end: date) -> date:
    """The plan-format rule: move by the policy, unless that leaves the window."""
    if policy == "keep":
        return day
    first, other = (
        (previous_working, next_working)
        if policy == "previous"
        else (next_working, previous_working)
    )
    moved = first(day)
    return moved if start <= moved <= end else other(day)


def add_working(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (before it when ``n`` < 0); ``day`` not counted."""
    step = ONE_DAY if n > 0 else -ONE_DAY
    for _ in range(abs(n)):
        day += step
        while not is_working(day):
            day += step
    return day


def iso_weeks(start: date, end: date) -> int:
    """How many ISO weeks the days from ``start`` to ``end`` touch."""
    return len({d.isocalendar()[:2] for d in days(start, end)})
