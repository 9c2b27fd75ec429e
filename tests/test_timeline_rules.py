"""The rules docs/plan-format.md states about windows, shifts, check-ins and periods.

Every expectation comes from the hand-written calendar in ``calendar_2025`` or from a
date worked out by hand in the test, never from the code under test.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest

from calendar_2025 import ONE_DAY, add_working, days, is_working, move, next_working
from planflow.plan.loading import loads
from planflow.plan.model import Period, Plan
from planflow.timeline.occurrences import Timeline, default_period, period_label
from planflow.timeline.workdays import WorkCalendar
from rules_plans import timeline_of

MONTH_ENDS_2025 = [date(2025, m + 1, 1) - ONE_DAY for m in range(1, 12)] + [date(2025, 12, 31)]


def _month_window(month: int) -> tuple[date, date]:
    start = date(2025, month, 1)
    end = date(2025, month + 1, 1) - ONE_DAY if month < 12 else date(2025, 12, 31)
    return start, end


# --- shifts ----------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["previous", "next"])
def test_shift_never_moves_an_occurrence_out_of_its_window(policy: str) -> None:
    """A moved occurrence stays inside its window: if moving back would leave it, it
    moves forward instead (and the other way round), checked for every day of 2025."""
    tasks = "".join(
        f'  - {{id: m{m}, title: "Việc", lead: u, window: "2025-{m:02d}", '
        f"recurrence: daily, shift: {policy}}}\n"
        for m in range(1, 13)
    )
    timeline = timeline_of(tasks)
    for month in range(1, 13):
        start, end = _month_window(month)
        occurrences = timeline.occurrences(f"m{month}")
        assert [o.nominal for o in occurrences] == list(days(start, end))
        for occ in occurrences:
            expected = move(occ.nominal, policy, start, end)
            assert (occ.start, occ.due) == (expected, expected), occ
            assert start <= occ.due <= end and is_working(occ.due)


def test_shift_goes_the_other_way_at_the_window_edges() -> None:
    """Worked by hand: Saturday 1 February (Tết) would go back to 31 January, outside a
    February window, so it goes forward to Monday 3 February; a one-off August task due
    on Sunday 31 August with ``shift: next`` would go to 3 September (1 and 2 September
    are holidays), so it goes back to Friday 29 August."""
    timeline = timeline_of("""
  - {id: sat, title: "Thứ bảy", lead: u, window: "2025-02", recurrence: "FREQ=WEEKLY;BYDAY=SA", shift: previous}
  - {id: aug, title: "Tháng 8", lead: u, window: "08/2025", shift: next}
  - {id: jan, title: "Đầu năm", lead: u, window: 2025, dates: [2025-01-01]}
""")
    first = timeline.occurrences("sat")[0]
    assert (first.nominal, first.start, first.due) == (
        date(2025, 2, 1),
        date(2025, 2, 3),
        date(2025, 2, 3),
    )
    assert timeline.occurrences("sat")[1].due == date(2025, 2, 7)  # Saturday 8 → Friday 7
    (august,) = timeline.occurrences("aug")
    assert (august.start, august.due) == (date(2025, 8, 1), date(2025, 8, 29))
    (new_year,) = timeline.occurrences("jan")  # plan default: previous; 31/12/2024 is outside
    assert new_year.due == date(2025, 1, 2)


def test_keep_leaves_occurrences_on_days_off() -> None:
    """``shift: keep`` leaves an occurrence on its date, a Sunday or a holiday alike."""
    timeline = timeline_of("""
  - {id: k, title: "Giữ", lead: u, window: 2025, dates: [2025-01-01, 2025-03-02, 2025-09-02], shift: keep}
""")
    assert [o.due for o in timeline.occurrences("k")] == [
        date(2025, 1, 1),
        date(2025, 3, 2),
        date(2025, 9, 2),
    ]


def test_task_shift_overrides_the_plan_shift() -> None:
    """The plan's ``calendar.shift`` applies unless the task has its own ``shift``."""
    tasks = """
  - {id: plan, title: "Theo kế hoạch", lead: u, window: 2025, dates: [2025-03-02]}
  - {id: own, title: "Riêng", lead: u, window: 2025, dates: [2025-03-02], shift: previous}
"""
    timeline = timeline_of(tasks, calendar="{shift: next}")
    # Sunday 2 March: next is Monday 3 March, previous is Friday 28 February
    assert timeline.occurrences("plan")[0].due == date(2025, 3, 3)
    assert timeline.occurrences("own")[0].due == date(2025, 2, 28)


# --- what a window becomes -------------------------------------------------------


def test_recurring_task_has_one_occurrence_per_rule_date_inside_the_window() -> None:
    """Every Wednesday of Q2, plus the explicit dates, minus the ``except`` dates."""
    timeline = timeline_of("""
  - id: wed
    title: "Thứ tư"
    lead: u
    window: Q2/2025
    recurrence: "FREQ=WEEKLY;BYDAY=WE"
    dates: [2025-05-10]
    except: [2025-04-30, 2025-06-11]
    shift: keep
""")
    expected = [
        d
        for d in days(date(2025, 4, 1), date(2025, 6, 30))
        if d.weekday() == 2 and d not in {date(2025, 4, 30), date(2025, 6, 11)}
    ]
    expected = sorted([*expected, date(2025, 5, 10)])
    occurrences = timeline.occurrences("wed")
    assert [o.nominal for o in occurrences] == expected
    assert [o.index for o in occurrences] == list(range(1, len(expected) + 1))
    assert all(o.start == o.due == o.nominal for o in occurrences)


def test_explicit_dates_alone_drop_the_except_dates_and_repeats() -> None:
    """``dates`` without a rule: each date once, in order, without the ``except`` dates."""
    timeline = timeline_of("""
  - {id: d, title: "Ngày", lead: u, window: 2025, dates: [2025-07-15, 2025-03-14, 2025-07-15, 2025-10-10], except: [2025-10-10], shift: keep}
""")
    assert [o.due for o in timeline.occurrences("d")] == [date(2025, 3, 14), date(2025, 7, 15)]


@pytest.mark.parametrize(("offset", "working"), [("+5 working days", 5), ("-2 working days", -2)])
def test_due_offset_in_working_days_counts_from_the_moved_date(offset: str, working: int) -> None:
    """``due`` is the occurrence's (moved) date plus the offset, in working days."""
    timeline = timeline_of(f"""
  - {{id: r, title: "Báo cáo", lead: u, window: 2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=1", due: "{offset}"}}
""")
    for occ in timeline.occurrences("r"):
        start = move(occ.nominal, "previous", date(2025, 1, 1), date(2025, 12, 31))
        assert occ.start == start
        assert occ.due == add_working(start, working), occ


def test_due_offset_in_calendar_days_lands_on_a_working_day() -> None:
    """A calendar-day offset is added, then moved off a day off by the policy."""
    timeline = timeline_of("""
  - {id: r, title: "Báo cáo", lead: u, window: 2025, recurrence: "FREQ=WEEKLY;BYDAY=TH", due: 3 days, shift: next}
""")
    for occ in timeline.occurrences("r"):
        assert occ.due == next_working(occ.start + timedelta(days=3)), occ
    # Thursday 27 February + 3 days = Sunday 2 March → Monday 3 March
    feb = next(o for o in timeline.occurrences("r") if o.nominal == date(2025, 2, 27))
    assert feb.due == date(2025, 3, 3)


def test_one_off_task_runs_from_window_start_to_window_end() -> None:
    """No rule, not continuous: one occurrence from the window's start, due at its end,
    labelled with the window; a due offset counts from the (moved) end."""
    timeline = timeline_of("""
  - {id: q, title: "Quý", lead: u, window: "Quý IV/2025."}
  - {id: h, title: "Nửa năm", lead: u, window: H1/2025, due: "+2 working days"}
  - {id: r, title: "Khoảng", lead: u, window: {start: 2025-04-10, end: 2025-05-01}}
""")
    (q,) = timeline.occurrences("q")
    assert (q.index, q.start, q.due, q.nominal) == (
        1,
        date(2025, 10, 1),
        date(2025, 12, 31),
        date(2025, 12, 31),
    )
    assert q.period == "Q4/2025"  # the window's label, normalised
    (h,) = timeline.occurrences("h")
    assert (h.start, h.due) == (date(2025, 1, 1), date(2025, 7, 2))  # 30/6 Monday + 2
    (r,) = timeline.occurrences("r")
    assert r.due == date(2025, 4, 29)  # 1 May, 30 April off → Tuesday 29 April


# --- check-ins of continuous tasks ---------------------------------------------


def _check_ins(check_in: str = "", calendar: str = "") -> list:
    rhythm = f', check_in: "{check_in}"' if check_in else ""
    timeline = timeline_of(
        f'  - {{id: c, title: "Thường xuyên", lead: u, window: "Thường xuyên trong năm."{rhythm}}}\n',
        calendar=calendar,
    )
    return list(timeline.occurrences("c"))


def test_last_check_in_closes_the_window() -> None:
    """Check-ins on the 15th: twelve of them, then one more on 31 December covering
    16–31 December, so that the check-ins cover the whole window."""
    check_ins = _check_ins("FREQ=MONTHLY;BYMONTHDAY=15")
    assert [o.nominal for o in check_ins] == [date(2025, m, 15) for m in range(1, 13)] + [
        date(2025, 12, 31)
    ]
    last = check_ins[-1]
    assert (last.start, last.due) == (date(2025, 12, 16), date(2025, 12, 31))
    assert last.period == "2025-12"


def test_month_end_check_ins_close_the_window_once() -> None:
    """The default rhythm already ends on 31 December: exactly twelve check-ins,
    covering the year day after day, each labelled by its month."""
    check_ins = _check_ins()
    assert [o.nominal for o in check_ins] == MONTH_ENDS_2025
    assert check_ins[0].start == date(2025, 1, 1)
    assert [o.period for o in check_ins] == [f"2025-{m:02d}" for m in range(1, 13)]
    for before, after in pairwise(check_ins):
        assert after.start == before.nominal + ONE_DAY


def test_plan_check_in_rhythm_applies_to_continuous_tasks() -> None:
    """``calendar.check_in`` sets the rhythm when the task has none (quarter ends here)."""
    check_ins = _check_ins(calendar='{check_in: "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"}')
    assert [o.nominal for o in check_ins] == [
        date(2025, 3, 31),
        date(2025, 6, 30),
        date(2025, 9, 30),
        date(2025, 12, 31),
    ]
    assert [o.period for o in check_ins] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]


def test_opened_falls_back_to_the_due_date_when_that_is_earlier() -> None:
    """Friday check-ins: Friday 31 January is Tết, so that check-in is due on Friday
    24 January, before the day after the previous check-in (25 January). It then opens
    on its due date, 24 January: a check-in never starts after it is due."""
    check_ins = _check_ins("FREQ=WEEKLY;BYDAY=FR")
    tet = next(o for o in check_ins if o.nominal == date(2025, 1, 31))
    assert (tet.start, tet.due) == (date(2025, 1, 24), date(2025, 1, 24))
    opened = date(2025, 1, 1)
    for occ in check_ins:
        due = move(occ.nominal, "previous", date(2025, 1, 1), date(2025, 12, 31))
        assert (occ.start, occ.due) == (min(opened, due), due), occ
        opened = occ.nominal + ONE_DAY
    assert check_ins[-1].nominal == date(2025, 12, 31)  # the last Friday is 26 December


# --- periods ----------------------------------------------------------------


def test_period_label_follows_the_rule_date_not_the_moved_date() -> None:
    """Saturday 1 March moves back to Friday 28 February but stays March's occurrence."""
    timeline = timeline_of("""
  - {id: m, title: "Tháng", lead: u, window: 2025, recurrence: monthly}
""")
    march = timeline.occurrences("m")[2]
    assert (march.nominal, march.due, march.period) == (
        date(2025, 3, 1),
        date(2025, 2, 28),
        "2025-03",
    )
    assert [o.period for o in timeline.occurrences("m")] == [f"2025-{m:02d}" for m in range(1, 13)]


@pytest.mark.parametrize(
    ("rule", "period", "labels"),
    [
        ("FREQ=WEEKLY;BYDAY=MO", "", ["2025-W27", "2025-W28"]),
        ("FREQ=WEEKLY;BYDAY=MO", "month", ["2025-06", "2025-07"]),
        ("FREQ=WEEKLY;BYDAY=MO", "quarter", ["2025-Q2", "2025-Q3"]),
        ("FREQ=WEEKLY;BYDAY=MO", "half", ["2025-H1", "2025-H2"]),
        ("FREQ=WEEKLY;BYDAY=MO", "year", ["2025", "2025"]),
        ("FREQ=WEEKLY;BYDAY=MO", "window", ["2025-06-30..2025-07-13"] * 2),
        ("FREQ=WEEKLY;BYDAY=MO", "day", ["2025-06-30", "2025-07-07"]),
        ("FREQ=DAILY;INTERVAL=7", "", ["2025-06-30", "2025-07-07"]),
    ],
)
def test_period_key_sets_the_labels(rule: str, period: str, labels: list[str]) -> None:
    """``period`` chooses the labels; without it the rule's own period is used."""
    key = f", period: {period}" if period else ""
    timeline = timeline_of(f"""
  - {{id: p, title: "Kỳ", lead: u, window: "2025-06-30..2025-07-13", recurrence: "{rule}"{key}}}
""")
    assert [o.period for o in timeline.occurrences("p")] == labels


def test_window_period_labels() -> None:
    """``period: window`` labels by the window, for check-ins too; with no window label
    the year stands for it; a single month of a yearly rule is a year's occurrence."""
    check_ins = _check_ins_with_period("window")
    assert {o.period for o in check_ins} == {"throughout 2025"}
    assert period_label(date(2025, 3, 1), Period.WINDOW) == "2025"
    assert default_period("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15") is Period.YEAR


def _check_ins_with_period(period: str) -> list:
    timeline = timeline_of(
        f'  - {{id: c, title: "Thường xuyên", lead: u, window: "Thường xuyên trong năm.", period: {period}}}\n'
    )
    return list(timeline.occurrences("c"))


def test_coordinators_are_expanded_without_the_lead_or_repeats() -> None:
    """A coordinating group is expanded to its members, without the unit whose duty it
    is and without naming a unit twice."""
    timeline = timeline_of("""
  - {id: t, title: "Việc", lead: u, coordinators: [g, v, w], window: Q1/2025}
  - {id: e, title: "Mỗi đơn vị", lead: g, coordinators: [w, u, v, w], window: Q1/2025}
""")
    assert timeline.units_of(timeline.duty("t")) == ("u", ("v", "w"))
    assert timeline.units_of(timeline.duty("e@u")) == ("u", ("w", "v"))
    assert timeline.units_of(timeline.duty("e@v")) == ("v", ("w", "u"))


def test_the_plans_own_days_off_and_working_days_move_occurrences() -> None:
    """``calendar.days_off`` and ``calendar.working_days`` (with or without a source)
    change where occurrences land; a day off gives its reason."""
    calendar = (
        '{days_off: [{date: 2025-03-14, reason: "Nghỉ bù", source: "Công văn 1"},'
        ' {date: 2025-03-20, reason: "Nghỉ"}],'
        ' working_days: [{date: 2025-03-15, reason: "Làm bù"}]}'
    )
    timeline = timeline_of(
        '  - {id: d, title: "Ngày", lead: u, window: 2025, dates: [2025-03-14, 2025-03-15, 2025-03-20]}\n',
        calendar=calendar,
    )
    assert [o.due for o in timeline.occurrences("d")] == [
        date(2025, 3, 13),  # Friday 14 is off: back to Thursday 13
        date(2025, 3, 15),  # Saturday 15 is worked
        date(2025, 3, 19),
    ]
    assert timeline.calendar.why_not_working(date(2025, 3, 14)) == "Nghỉ bù"
    assert [o.unit for o in timeline.occurrences("d")] == ["u"] * 3


def test_a_given_calendar_and_the_plans_country_are_used() -> None:
    """``Timeline(plan, calendar=…)`` uses that calendar; by default the plan's country
    decides the holidays (none at all for ``WorkCalendar(country="")``; a plan file must
    name a real country, so France stands in: 2 September is no French holiday)."""
    tasks = '  - {id: d, title: "Ngày", lead: u, window: 2025, dates: [2025-09-02]}\n'
    vietnam = timeline_of(tasks)
    assert vietnam.occurrences("d")[0].due == date(2025, 8, 29)  # 1–2 September are holidays
    plan = vietnam.plan
    assert Timeline(plan, calendar=WorkCalendar(country="")).occurrences("d")[0].due == date(
        2025, 9, 2
    )
    assert timeline_of(tasks, calendar="{country: FR}").occurrences("d")[0].due == date(2025, 9, 2)


# --- who owns which dates: units that begin, end and hand over --------------------

OWNERS = """
plan: {id: t, title: "Thử", issuer: "UBND xã", year: 2025}
units:
  - {id: cu, name: "Đơn vị cũ", until: 20/06/2025, successor: moi}
  - {id: moi, name: "Đơn vị mới", until: 31/10/2025}
  - {id: nw, name: "Đơn vị lập sau", from: 20/02/2025}
tasks:
  - {id: t, title: "Báo cáo", lead: cu, window: 2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=20"}
  - {id: s, title: "Báo cáo", lead: nw, window: 2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=20"}
"""

# the 20th of each month of 2025, a Saturday or Sunday moved back to Friday
TWENTIETHS = [date(2025, m, {4: 18, 7: 18, 9: 19, 12: 19}.get(m, 20)) for m in range(1, 13)]


def test_a_unit_owns_the_dates_due_on_its_first_and_last_day() -> None:
    """``cu`` ends on 20 June and owns that day's date; ``moi`` holds it from 21 June to
    31 October (July to October), November and December have no owner; ``nw`` begins
    on 20 February and owns that day's date."""
    timeline = Timeline(_plan_of(OWNERS))
    assert [o.due for o in timeline.occurrences("t")] == TWENTIETHS[:6]
    assert [o.due for o in timeline.occurrences("t@moi")] == TWENTIETHS[6:10]
    assert [o.due for o in timeline.occurrences("s")] == TWENTIETHS[1:]
    assert [o.due for o in timeline.orphans()] == TWENTIETHS[10:] + TWENTIETHS[:1]


def test_two_members_handing_over_to_one_unit_make_one_duty_of_it() -> None:
    """``a`` (to 31 March) and ``c`` (to 30 June) both hand over to ``b``: the group's
    task led member by member has the duties of ``a``, of ``b`` (``a``'s share, which
    ``c``'s joins) and of ``c``, not two of ``b``."""
    timeline = Timeline(
        _plan_of("""
plan: {id: t, title: "Thử", issuer: "UBND xã", year: 2025}
units:
  - {id: a, name: "Đơn vị A", until: 31/03/2025, successor: b}
  - {id: c, name: "Đơn vị C", until: 30/06/2025, successor: b}
  - {id: b, name: "Đơn vị B"}
groups: [{id: g, name: "Nhóm", members: [a, c]}]
tasks:
  - {id: t, title: "Việc", lead: g, lead_mode: each, window: 2025, recurrence: monthly}
""")
    )
    assert [d.id for d in timeline.duties] == ["t@a", "t@b", "t@c"]


def _plan_of(text: str) -> Plan:
    """The plan of a whole YAML text."""
    return loads(text, file="plan.yaml").plan
