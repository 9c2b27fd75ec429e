"""Readable forms as Vietnamese plans write them (issue 10, point 8)."""

from __future__ import annotations

from datetime import date, time

import pytest

from planflow.plan import forms
from planflow.plan.errors import PlanError, PlanFileError, RecurrenceError
from planflow.plan.loading import loads
from planflow.plan.rules.text import normalise_recurrence
from planflow.timeline.occurrences import Timeline


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("ngày 20 hằng tháng", "FREQ=MONTHLY;BYMONTHDAY=20"),
        ("Trước ngày 20 hằng tháng", "FREQ=MONTHLY;BYMONTHDAY=20"),
        ("chậm nhất ngày 5 hàng tháng", "FREQ=MONTHLY;BYMONTHDAY=5"),
        ("ngày cuối cùng của tháng", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("ngày cuối cùng của quý", "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"),
        ("ngày 15 tháng cuối quý", "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=15"),
        ("thứ Hai hằng tuần", "FREQ=WEEKLY;BYDAY=MO"),
        ("Thứ 6 hằng tuần", "FREQ=WEEKLY;BYDAY=FR"),
        ("ngày 10/12 hằng năm", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=10"),
    ],
)
def test_vietnamese_recurrences(text: str, rule: str) -> None:
    assert normalise_recurrence(text) == rule


@pytest.mark.parametrize("text", ["ngày 20 hằng tháng nữa", "ngày 21 hằng tuan", "thứ Hai"])
def test_a_day_is_never_suggested_away(text: str) -> None:
    """ "ngày 20 …" must not be answered with "did you mean 'hằng tháng'?" (the 1st)."""
    with pytest.raises(RecurrenceError) as err:
        normalise_recurrence(text)
    hint = err.value.hint or ""
    assert "did you mean" not in hint
    assert "ngày 20 hằng tháng" in hint and "FREQ=WEEKLY;BYDAY=MO" in hint


def test_a_misspelt_plain_shorthand_still_gets_a_suggestion() -> None:
    with pytest.raises(RecurrenceError) as err:
        normalise_recurrence("hang thang")
    assert err.value.hint == "did you mean 'hằng tháng'?"


def test_day_32_is_an_error() -> None:
    with pytest.raises(RecurrenceError, match="ngày 32 does not exist"):
        normalise_recurrence("ngày 32 hằng tháng")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("6 tháng cuối năm 2025", date(2025, 7, 1), date(2025, 12, 31)),
        ("6 tháng đầu năm 2025", date(2025, 1, 1), date(2025, 6, 30)),
        ("Từ tháng 7 đến tháng 12/2025", date(2025, 7, 1), date(2025, 12, 31)),
        ("từ tháng 3 đến hết tháng 5 năm 2025", date(2025, 3, 1), date(2025, 5, 31)),
        ("Tháng 2/2025", date(2025, 2, 1), date(2025, 2, 28)),
        ("Quý II năm 2025", date(2025, 4, 1), date(2025, 6, 30)),
        ("Từ ngày 15/01/2025 đến ngày 31/03/2025", date(2025, 1, 15), date(2025, 3, 31)),
        ("Sáng ngày 13/02/2025", date(2025, 2, 13), date(2025, 2, 13)),
    ],
)
def test_vietnamese_windows(text: str, start: date, end: date) -> None:
    window = forms.parse_window(text, 2025)
    assert (window.start, window.end) == (start, end)


def test_unknown_window_lists_the_vietnamese_forms() -> None:
    with pytest.raises(PlanError) as err:
        forms.parse_window("nửa cuối năm", 2025)
    assert "6 tháng cuối năm 2025" in (err.value.hint or "")
    assert "Từ tháng 7 đến tháng 12/2025" in (err.value.hint or "")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("từ 8 giờ đến 11 giờ", time(8), time(11)),
        ("8 giờ 30 - 11 giờ 30", time(8, 30), time(11, 30)),
        ("8h00 - 11h30", time(8), time(11, 30)),
        ("08:00-11:30", time(8), time(11, 30)),
        ("sáng", time(7, 30), time(11, 30)),
        ("Buổi chiều", time(13, 30), time(17)),
    ],
)
def test_vietnamese_times(text: str, start: time, end: time) -> None:
    span = forms.parse_time_range(text)
    assert (span.start, span.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("15/01/2025", date(2025, 1, 15)),
        ("ngày 5/1/2025", date(2025, 1, 5)),
        ("Sáng ngày 13/02/2025", date(2025, 2, 13)),
        ("2025-01-15", date(2025, 1, 15)),
    ],
)
def test_vietnamese_dates(text: str, day: date) -> None:
    assert forms.parse_day(text) == day


PLAN = """\
planflow: 1
plan:
  id: xa-phu-lam-2025
  title: "Kế hoạch thông tin, tuyên truyền cải cách hành chính năm 2025"
  issuer: "Ủy ban nhân dân xã Phú Lâm"
  year: 2025
units:
  - {id: vp, name: "Văn phòng HĐND và UBND xã"}
tasks:
  - id: bao-cao
    title: "Báo cáo kết quả thực hiện"
    lead: vp
    window: "6 tháng cuối năm 2025"
    recurrence: "trước ngày 20 hằng tháng"
  - id: hoi-nghi
    title: "Hội nghị sơ kết"
    lead: vp
    window: "Sáng ngày 13/02/2025"
    time: "từ 8 giờ đến 11 giờ"
"""


def test_a_plan_written_as_officials_write_it() -> None:
    timeline = Timeline(loads(PLAN).plan)
    assert [o.due for o in timeline.of_task("bao-cao")] == [
        date(2025, 7, 18),  # 20/7 is a Sunday
        date(2025, 8, 20),
        date(2025, 9, 19),  # 20/9 is a Saturday
        date(2025, 10, 20),
        date(2025, 11, 20),
        date(2025, 12, 19),  # 20/12 is a Saturday
    ]
    (meeting,) = timeline.of_task("hoi-nghi")
    assert meeting.due == date(2025, 2, 13)


def test_a_wrong_form_is_located() -> None:
    text = PLAN.replace("trước ngày 20 hằng tháng", "ngày 20 mỗi tháng sau")
    with pytest.raises(PlanFileError) as err:
        loads(text, file="plan.yaml")
    (problem,) = err.value.problems
    assert (problem.line, problem.path) == (14, "tasks[0].recurrence")
    assert "did you mean" not in (problem.hint or "")
