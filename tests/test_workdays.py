"""Tests for planflow.timeline.workdays against Vietnam's 2025 official calendar.

2025 facts (government notice on the 2025 holidays for civil servants): Tết off from
Saturday 25 January to Sunday 2 February; Hùng Kings on Monday 7 April; 30 April and
1 May; Friday 2 May off in exchange for working Saturday 26 April; National Day on
1 and 2 September. 2025 has 261 weekdays (it starts on a Wednesday), 12 of them
holidays, plus one make-up Saturday: 250 working days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planflow.plan.errors import ModelError
from planflow.timeline.workdays import DayNote, Shift, WorkCalendar

D = date.fromisoformat

# The swaps as a plan file lists them (older `holidays` versions lack them).
SWAPS_OFF = [
    DayNote(D("2025-01-27"), "Nghỉ Tết (hoán đổi)", source="plan"),
    DayNote(D("2025-05-02"), "Nghỉ hoán đổi cho thứ Bảy 26/4", source="plan"),
]
SWAPS_ON = [DayNote(D("2025-04-26"), "Làm bù cho ngày 2/5", source="plan")]
CAL = WorkCalendar(years=range(2019, 2033), days_off=SWAPS_OFF, working_days=SWAPS_ON)

TET_2025 = [D("2025-01-25") + timedelta(days=i) for i in range(9)]  # 25 Jan – 2 Feb
HOLIDAYS_2025 = [
    D("2025-01-01"),
    D("2025-04-07"),
    D("2025-04-30"),
    D("2025-05-01"),
    D("2025-05-02"),
    D("2025-09-01"),
    D("2025-09-02"),
]

days = st.dates(date(2020, 1, 1), date(2030, 12, 31))


def test_tet_2025_is_off_from_25_january_to_2_february() -> None:
    assert [CAL.is_working_day(d) for d in TET_2025] == [False] * 9
    assert CAL.is_working_day(D("2025-01-24"))
    assert CAL.is_working_day(D("2025-02-03"))


@pytest.mark.parametrize("day", HOLIDAYS_2025)
def test_2025_public_holidays_are_off(day: date) -> None:
    assert not CAL.is_working_day(day)


def test_make_up_saturday_is_a_working_day() -> None:
    assert CAL.is_working_day(D("2025-04-26"))
    assert not CAL.is_working_day(D("2025-04-19"))  # an ordinary Saturday
    assert CAL.why_not_working(D("2025-04-26")) is None


def test_2025_has_250_working_days() -> None:
    assert CAL.working_days_between(D("2024-12-31"), D("2025-12-31")) == 250
    brute = sum(CAL.is_working_day(D("2025-01-01") + timedelta(days=i)) for i in range(365))
    assert brute == 250


def test_listing_swaps_the_package_knows_changes_nothing() -> None:
    # Whatever the `holidays` version, its swaps come as pairs (a weekday off with its
    # make-up Saturday), so the plain calendar and the one with the plan's swaps agree
    # on every day whenever the package has the 2 May swap.
    plain = WorkCalendar(years=[2025])
    assert plain.is_working_day(D("2025-04-26")) == (not plain.is_working_day(D("2025-05-02")))
    if not plain.is_working_day(D("2025-05-02")):
        for i in range(365):
            day = D("2025-01-01") + timedelta(days=i)
            assert plain.is_working_day(day) == CAL.is_working_day(day), day
    twice = WorkCalendar(days_off=SWAPS_OFF * 2, working_days=SWAPS_ON * 2)
    assert twice.working_days_between(D("2024-12-31"), D("2025-12-31")) == 250


def test_why_not_working() -> None:
    assert CAL.why_not_working(D("2025-01-24")) is None
    assert CAL.why_not_working(D("2025-01-04")) == "Saturday"
    assert CAL.why_not_working(D("2025-01-05")) == "Sunday"
    assert "Tết" in (CAL.why_not_working(D("2025-01-29")) or "")
    assert "Hùng Vương" in (CAL.why_not_working(D("2025-04-07")) or "")
    assert CAL.why_not_working(D("2025-09-02")) == "Quốc khánh"
    # The plan's own reason comes first.
    assert CAL.why_not_working(D("2025-05-02")) == "Nghỉ hoán đổi cho thứ Bảy 26/4"
    # A holiday on a weekend is named as the holiday.
    assert "Tết" in (CAL.why_not_working(D("2025-02-01")) or "")


def test_shift() -> None:
    # 30 April and 1 May are off; 29 April is a Tuesday.
    assert CAL.shift(D("2025-05-01"), Shift.PREVIOUS) == D("2025-04-29")
    assert CAL.shift(D("2025-05-01"), "previous") == D("2025-04-29")
    assert CAL.shift(D("2025-01-28"), Shift.NEXT) == D("2025-02-03")
    assert CAL.shift(D("2025-05-01"), Shift.NEXT) == D("2025-05-05")
    assert CAL.shift(D("2025-05-01"), Shift.KEEP) == D("2025-05-01")
    assert CAL.shift(D("2025-01-28"), Shift.PREVIOUS) == D("2025-01-24")
    assert CAL.shift(D("2025-04-29"), Shift.NEXT) == D("2025-04-29")


def test_add_working_days_across_tet() -> None:
    assert CAL.add_working_days(D("2025-01-24"), 1) == D("2025-02-03")
    assert CAL.add_working_days(D("2025-02-03"), -1) == D("2025-01-24")
    assert CAL.add_working_days(D("2025-01-22"), 5) == D("2025-02-05")
    # n = 0 is the day itself, even on a holiday.
    assert CAL.add_working_days(D("2025-01-29"), 0) == D("2025-01-29")
    # From Friday 25 April: Sat 26 (make-up), Mon 28, Tue 29, Mon 5 May, Tue 6 May.
    assert CAL.add_working_days(D("2025-04-25"), 5) == D("2025-05-06")


def test_working_days_between() -> None:
    assert CAL.working_days_between(D("2025-01-24"), D("2025-02-03")) == 1
    assert CAL.working_days_between(D("2025-02-03"), D("2025-01-24")) == -1
    # Going back from a holiday, the holiday itself is not passed: 1 Jan 2025 → 31 Dec.
    assert CAL.working_days_between(D("2025-01-01"), D("2024-12-31")) == -1
    assert CAL.working_days_between(D("2025-01-24"), D("2025-01-24")) == 0
    assert CAL.working_days_between(D("2025-12-31"), D("2026-01-02")) == 1  # 1 Jan off


def test_any_year_loads_on_demand() -> None:
    calendar = WorkCalendar()
    assert not calendar.is_working_day(D("2040-09-03"))  # Monday, National Day holiday
    assert calendar.why_not_working(D("1999-01-01")) is not None
    assert not calendar.is_working_day(D("2040-09-04"))  # observed day (nghỉ bù)
    assert calendar.is_working_day(D("2040-09-05"))


def test_no_country_means_no_public_holidays() -> None:
    calendar = WorkCalendar(country="")
    assert calendar.is_working_day(D("2025-09-02"))
    assert not calendar.is_working_day(D("2025-09-06"))


def test_custom_weekend() -> None:
    calendar = WorkCalendar(country="", weekend=(4, 5))  # Friday and Saturday
    assert calendar.is_working_day(D("2025-01-05"))  # Sunday
    assert calendar.why_not_working(D("2025-01-03")) == "Friday"


def test_day_both_off_and_working_is_an_error() -> None:
    with pytest.raises(ModelError, match="2025-04-26 is listed both") as caught:
        WorkCalendar(days_off=[DayNote(D("2025-04-26"), "nghỉ")], working_days=SWAPS_ON)
    assert caught.value.hint is not None


def test_calendar_without_working_days_does_not_loop() -> None:
    calendar = WorkCalendar(country="", weekend=range(7))
    assert not calendar.is_working_day(D("2025-01-01"))
    with pytest.raises(ModelError, match="no working day within 366 days of 2025-01-01"):
        calendar.shift(D("2025-01-01"), Shift.NEXT)
    with pytest.raises(ModelError, match="no working day"):
        calendar.add_working_days(D("2025-01-01"), -1)


def test_bad_arguments() -> None:
    with pytest.raises(ModelError, match="outside 0–6"):
        WorkCalendar(weekend=(5, 7))
    with pytest.raises(ModelError, match="no public holidays known") as caught:
        WorkCalendar(country="VNN")
    assert caught.value.hint == "did you mean 'VN'?"
    with pytest.raises(ModelError, match="must be a date"):
        DayNote(datetime(2025, 1, 1, 8), "x")
    with pytest.raises(ModelError, match="non-empty"):
        DayNote(D("2025-01-01"), " ")
    with pytest.raises(ModelError, match="expected a DayNote"):
        WorkCalendar(days_off=[D("2025-01-01")])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="'sideways'"):
        CAL.shift(D("2025-01-01"), "sideways")


# --------------------------------------------------------------------------- properties


@given(days, st.sampled_from([Shift.PREVIOUS, Shift.NEXT]))
def test_shift_lands_on_the_nearest_working_day(day: date, policy: Shift) -> None:
    moved = CAL.shift(day, policy)
    assert CAL.is_working_day(moved)
    if CAL.is_working_day(day):
        assert moved == day
        return
    assert (moved < day) == (policy is Shift.PREVIOUS)
    low, high = sorted((day, moved))
    between = [low + timedelta(days=i) for i in range(1, (high - low).days)]
    assert not any(CAL.is_working_day(d) for d in between)


@given(days)
def test_keep_never_moves(day: date) -> None:
    assert CAL.shift(day, Shift.KEEP) == day


@given(days, st.integers(-60, 60))
def test_add_then_count_back(day: date, n: int) -> None:
    moved = CAL.add_working_days(day, n)
    assert CAL.working_days_between(day, moved) == n
    if n:
        assert CAL.is_working_day(moved)
        assert (moved > day) == (n > 0)


@given(days, st.integers(-400, 400))
def test_working_days_between_counts_like_brute_force(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    step = timedelta(days=1 if span >= 0 else -1)
    passed = [start + step * i for i in range(1, abs(span) + 1)]  # excludes start, has end
    count = sum(CAL.is_working_day(d) for d in passed)
    assert CAL.working_days_between(start, end) == (count if span >= 0 else -count)


def test_calendar_errors_say_what_to_do() -> None:
    """Each impossible calendar is refused with a hint: a weekday out of 0–6, a day
    both off and working, a year with no working day."""
    with pytest.raises(ModelError) as caught:
        WorkCalendar(weekend=[5, 7])
    assert caught.value.hint == "weekdays are numbered 0 (Monday) to 6 (Sunday)"
    day = DayNote(date(2025, 3, 3), "Thử")
    with pytest.raises(ModelError, match="^2025-03-03 is listed both") as caught:
        WorkCalendar(days_off=[day], working_days=[day])
    assert caught.value.hint == "remove it from one of the two lists"
    with pytest.raises(ModelError) as caught:
        # (Vietnam's make-up Saturdays would be working days: a country without them)
        WorkCalendar(country="US", weekend=range(7)).add_working_days(date(2025, 3, 3), 1)
    assert (
        caught.value.hint == "check the weekend and the days off: the calendar has no working days"
    )
