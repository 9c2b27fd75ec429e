"""Dependencies (``after``) as docs/plan-format.md states them: which occurrences an
occurrence waits for in each mode, lags, and plan conflicts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from calendar_2025 import add_working
from planflow.plan.loading import loads
from planflow.plan.model import Period, ReportingPeriod
from planflow.timeline.occurrences import Timeline
from planflow.timeline.periods import label_range, periods_in, reporting_label
from rules_plans import HEADER, timeline_of

MONTHLY_Q1 = 'window: Q1/2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=10", shift: keep'


def test_task_mode_waits_for_every_occurrence_of_the_other_task() -> None:
    """``task`` (the default, also a bare id): each occurrence waits for all of them."""
    timeline = timeline_of(f"""
  - {{id: a, title: "A", lead: u, {MONTHLY_Q1}}}
  - {{id: b, title: "B", lead: v, window: Q2/2025, after: [a]}}
  - {{id: c, title: "C", lead: v, {MONTHLY_Q1}, after: [{{task: a, mode: task}}]}}
""")
    every_a = (("a", 1), ("a", 2), ("a", 3))
    assert [o.waits_for for o in timeline.occurrences("b")] == [every_a]
    assert [o.waits_for for o in timeline.occurrences("c")] == [every_a] * 3
    assert [o.waits_for for o in timeline.occurrences("a")] == [()] * 3


def test_same_period_waits_for_the_occurrences_with_the_same_label() -> None:
    """March's rebroadcasts wait for March's programme, and only for it."""
    timeline = timeline_of("""
  - {id: p, title: "Chuyên mục", lead: u, window: 2025, recurrence: "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1"}
  - id: r
    title: "Phát lại"
    lead: v
    window: 2025
    recurrence: "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=2,3,4"
    after: [{task: p, mode: same-period}]
""")
    programmes = timeline.occurrences("p")
    rebroadcasts = timeline.occurrences("r")
    assert len(rebroadcasts) == 36
    for occ in rebroadcasts:
        month = occ.nominal.month
        assert occ.period == f"2025-{month:02d}"
        assert occ.waits_for == (("p", month),), occ  # the programme of that month
        assert programmes[month - 1].period == occ.period


def test_previous_mode_waits_for_occurrence_n_minus_1_of_the_other_task() -> None:
    """``previous``: occurrence n waits for the other task's occurrence n-1."""
    timeline = timeline_of(f"""
  - {{id: a, title: "A", lead: u, {MONTHLY_Q1}}}
  - {{id: b, title: "B", lead: v, {MONTHLY_Q1}, after: [{{task: a, mode: previous}}]}}
""")
    assert [o.waits_for for o in timeline.occurrences("b")] == [(), (("a", 1),), (("a", 2),)]


GROUP_TASKS = """
  - {id: r, title: "Báo cáo đơn vị", lead: g, window: 2025, recurrence: "FREQ=YEARLY;BYMONTH=3,6;BYMONTHDAY=15", period: quarter}
  - id: same
    title: "Cùng đơn vị"
    lead: g
    window: 2025
    recurrence: "FREQ=YEARLY;BYMONTH=3,6;BYMONTHDAY=25"
    period: quarter
    after: [{task: r, mode: same-period}]
  - id: every
    title: "Mọi đơn vị"
    lead: g
    window: 2025
    recurrence: "FREQ=YEARLY;BYMONTH=3,6;BYMONTHDAY=25"
    period: quarter
    after: [{task: r, mode: all}]
  - id: whole
    title: "Cả năm"
    lead: g
    window: Q4/2025
    after: [r]
  - id: sum
    title: "Tổng hợp"
    lead: w
    window: 2025
    recurrence: "FREQ=YEARLY;BYMONTH=3,6;BYMONTHDAY=28"
    period: quarter
    after: [{task: r, mode: all}]
  - id: one
    title: "Một đơn vị"
    lead: w
    window: 2025
    recurrence: "FREQ=YEARLY;BYMONTH=3,6;BYMONTHDAY=10"
    period: quarter
  - {id: mine, title: "Theo một", lead: g, window: Q1/2025, period: quarter, after: [{task: one, mode: same-period}, one]}
"""


def test_member_by_member_duties_wait_for_the_same_members_share() -> None:
    """Between two tasks led member by member by the same group, ``same-period`` (and
    ``task``) wait for the same member's occurrences; ``all`` for every member's."""
    timeline = timeline_of(GROUP_TASKS)
    for unit in ("u", "v"):
        assert [o.waits_for for o in timeline.occurrences(f"same@{unit}")] == [
            ((f"r@{unit}", 1),),
            ((f"r@{unit}", 2),),
        ]
        assert [o.waits_for for o in timeline.occurrences(f"every@{unit}")] == [
            (("r@u", 1), ("r@v", 1)),
            (("r@u", 2), ("r@v", 2)),
        ]
        assert [o.waits_for for o in timeline.occurrences(f"whole@{unit}")] == [
            ((f"r@{unit}", 1), (f"r@{unit}", 2))
        ]


def test_all_mode_waits_for_every_members_report_of_the_period() -> None:
    """The consolidated Q2 report waits for every unit's Q2 report."""
    timeline = timeline_of(GROUP_TASKS)
    assert [(o.period, o.waits_for) for o in timeline.occurrences("sum")] == [
        ("2025-Q1", (("r@u", 1), ("r@v", 1))),
        ("2025-Q2", (("r@u", 2), ("r@v", 2))),
    ]


def test_member_duty_waits_for_a_single_duty_and_lists_it_once() -> None:
    """A member's duty after a task that is one duty waits for that duty; naming the
    same predecessor twice lists each occurrence once."""
    timeline = timeline_of(GROUP_TASKS)
    for unit in ("u", "v"):
        (occ,) = timeline.occurrences(f"mine@{unit}")
        # same-period gives one#1 (2025-Q1), then task mode one#1 again and one#2
        assert (occ.period, occ.waits_for) == ("2025-Q1", (("one", 1), ("one", 2)))


def test_repeated_predecessors_are_listed_once_in_order() -> None:
    """``after: [a, {task: a, mode: same-period}]``: each occurrence of a once."""
    timeline = timeline_of(f"""
  - {{id: a, title: "A", lead: u, {MONTHLY_Q1}}}
  - {{id: b, title: "B", lead: v, {MONTHLY_Q1}, after: [{{task: a, mode: same-period}}, a]}}
""")
    assert [o.waits_for for o in timeline.occurrences("b")] == [
        (("a", 1), ("a", 2), ("a", 3)),
        (("a", 2), ("a", 1), ("a", 3)),
        (("a", 3), ("a", 1), ("a", 2)),
    ]


def test_lag_is_added_to_the_predecessors_due_date() -> None:
    """``lag``: working days are counted on the calendar, calendar days are not moved."""
    timeline = timeline_of("""
  - {id: a, title: "A", lead: u, window: 2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=10", shift: keep}
  - {id: w, title: "Ngày làm việc", lead: v, window: 2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=20", after: [{task: a, mode: same-period, lag: +3 working days}]}
  - {id: c, title: "Ngày lịch", lead: v, window: 2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=20", after: [{task: a, mode: same-period, lag: 4 days}]}
  - {id: z, title: "Không trễ", lead: v, window: 2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=20", after: [{task: a, mode: same-period}]}
""")
    for month in range(1, 13):
        a = date(2025, month, 10)
        w = timeline.occurrences("w")[month - 1]
        assert timeline.earliest(w) == add_working(a, 3)
        c = timeline.occurrences("c")[month - 1]
        assert timeline.earliest(c) == a + timedelta(days=4)  # 14th, even a Saturday
        z = timeline.occurrences("z")[month - 1]
        assert timeline.earliest(z) == a
    assert timeline.earliest(timeline.occurrences("a")[0]) is None
    assert list(timeline.conflicts()) == []


def test_conflicts_are_occurrences_due_before_what_they_wait_for_plus_lag() -> None:
    """Each occurrence due before its earliest date is a conflict naming the blocking
    predecessors (and only those)."""
    timeline = timeline_of("""
  - {id: a, title: "A", lead: u, window: Q1/2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=14", shift: keep}
  - {id: e, title: "E", lead: u, window: Q1/2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=3", shift: keep}
  - id: b
    title: "B"
    lead: v
    window: Q1/2025
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=17"
    shift: keep
    after: [{task: a, mode: same-period, lag: +2 working days}, {task: e, mode: same-period}]
""")
    # a: 14 Jan (Tue), 14 Feb (Fri), 14 Mar (Fri); +2 working days: 16 Jan, 18 Feb, 18 Mar;
    # b is due on the 17th: February and March conflict (blocked by a, not by e).
    conflicts = list(timeline.conflicts())
    assert [(c.occurrence.key, c.earliest, c.blocking) for c in conflicts] == [
        (("b", 2), date(2025, 2, 18), (("a", 2),)),
        (("b", 3), date(2025, 3, 18), (("a", 3),)),
    ]
    assert str(conflicts[0]) == (
        "b#2 (2025-02) is due 2025-02-17 but cannot be done before 2025-02-18: it waits for a#2"
    )


def test_same_day_is_not_a_conflict_and_every_blocker_is_named() -> None:
    """Due the same day as what it waits for: fine. Two predecessors done too late:
    both are named, in the order of ``after``."""
    timeline = timeline_of("""
  - {id: a, title: "A", lead: u, window: 2025, dates: [2025-03-14]}
  - {id: c, title: "C", lead: v, window: 2025, dates: [2025-03-14]}
  - {id: same, title: "Cùng ngày", lead: w, window: 2025, dates: [2025-03-14], after: [a, c]}
  - {id: both, title: "Cả hai", lead: w, window: 2025, dates: [2025-03-14], after: [{task: c, lag: 1 days}, {task: a, lag: +1 working days}]}
""")
    (conflict,) = timeline.conflicts()
    assert conflict.occurrence.key == ("both", 1)
    assert str(conflict) == (
        "both#1 (2025-03-14) is due 2025-03-14 but cannot be done before 2025-03-17:"
        " it waits for c#1, a#1"
    )


def test_lookups_of_what_is_not_there() -> None:
    """A task with no occurrences (or no such task) has none; two occurrences with no
    dependency between them have no lag."""
    timeline = timeline_of(f"""
  - {{id: a, title: "A", lead: u, {MONTHLY_Q1}}}
  - {{id: b, title: "B", lead: v, {MONTHLY_Q1}}}
""")
    assert timeline.of_task("missing") == ()
    assert timeline.lag_of(timeline.get(("b", 2)), timeline.get(("a", 1))).days == 0


# --- in-period: the other task's dates inside this occurrence's period, by hand -------


def _in_period(hop: str, dates: str, reporting: str = "") -> tuple:
    """What each occurrence of ``hop`` waits for, ``in-period`` of ``r`` on ``dates``."""
    text = (
        HEADER
        + reporting
        + "tasks:\n"
        + (
            f'  - {{id: r, title: "Báo cáo", lead: u, window: 2025, dates: [{dates}], shift: keep}}\n'
            f'  - {{id: hop, title: "Họp", lead: v, {hop}, after: [{{task: r, mode: in-period}}]}}\n'
        )
    )
    timeline = Timeline(loads(text, file="plan.yaml").plan)
    return tuple(o.waits_for for o in timeline.occurrences("hop"))


def test_in_period_counts_both_ends_of_a_quarter() -> None:
    """The second quarter is 1 April to 30 June: of 31 March, 1 April, 30 June and
    1 July, the meeting waits for the two in the quarter, its first and last days."""
    waits = _in_period(
        "window: 2025, dates: [2025-05-15], period: quarter",
        "2025-03-31, 2025-04-01, 2025-06-30, 2025-07-01",
    )
    assert waits == ((("r", 2), ("r", 3)),)


def test_in_period_of_a_reporting_period_uses_its_own_dates() -> None:
    """Reported on 20 March, the meeting's period is ``ky1`` (1 January to 14 March, the
    last one ended): 2 January and 14 March are in it, 17 March is not (though in the
    task's window and in the month)."""
    reporting = (
        "reporting_periods:\n"
        '  - {id: ky1, name: "Kỳ 1", start: 2025-01-01, end: 2025-03-14}\n'
        '  - {id: ky2, name: "Kỳ 2", start: 2025-03-15, end: 2025-06-14}\n'
    )
    waits = _in_period(
        "window: 2025, dates: [2025-03-20], period: reporting",
        "2025-01-02, 2025-03-14, 2025-03-17",
        reporting,
    )
    assert waits == ((("r", 1), ("r", 2)),)


def test_in_period_of_a_label_that_names_no_dates_is_the_window() -> None:
    """A window labelled "Đợt 1" (1 January to 31 March) with ``period: window``: its
    label names no dates, so the period is the window: 15 January in, 15 April out."""
    waits = _in_period(
        'window: {start: 2025-01-01, end: 2025-03-31, label: "Đợt 1"}, dates: [2025-03-20], '
        "period: window",
        "2025-01-15, 2025-04-15",
    )
    assert waits == ((("r", 1),),)


FALLBACK = (date(2025, 1, 1), date(2025, 3, 31))


@pytest.mark.parametrize(
    ("label", "span"),
    [
        ("2025", (date(2025, 1, 1), date(2025, 12, 31))),
        ("2025-02", (date(2025, 2, 1), date(2025, 2, 28))),
        ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
        ("2025-11", (date(2025, 11, 1), date(2025, 11, 30))),
        ("2025-Q1", (date(2025, 1, 1), date(2025, 3, 31))),
        ("2025-Q4", (date(2025, 10, 1), date(2025, 12, 31))),
        ("2025-H1", (date(2025, 1, 1), date(2025, 6, 30))),
        ("2025-H2", (date(2025, 7, 1), date(2025, 12, 31))),
        # ISO week 1 of 2025 begins on Monday 30 December 2024; week 27 on 30 June
        ("2025-W01", (date(2024, 12, 30), date(2025, 1, 5))),
        ("2025-W27", (date(2025, 6, 30), date(2025, 7, 6))),
        ("2025-06-30", (date(2025, 6, 30), date(2025, 6, 30))),
        ("ky2", (date(2025, 3, 15), date(2025, 6, 14))),
        ("Đợt 1", FALLBACK),
        ("2025-13x", FALLBACK),
    ],
)
def test_the_dates_a_period_label_spans(label: str, span: tuple[date, date]) -> None:
    """The span of each kind of label, counted on a calendar; a reporting period's id
    gives its own dates, a label that names none the window."""
    periods = (ReportingPeriod("ky2", "Kỳ 2", date(2025, 3, 15), date(2025, 6, 14)),)
    assert label_range(label, FALLBACK, periods) == span


def test_in_period_of_a_week_is_the_whole_week() -> None:
    """A weekly meeting on Friday 4 July 2025 (ISO week 27: Monday 30 June to Sunday
    6 July) waits for the reports of 30 June and 3 July, not for 7 July's. (Before the
    fix, "2025-W27" was read as Monday 30 June alone.)"""
    waits = _in_period(
        'window: {start: 2025-06-30, end: 2025-07-06}, recurrence: "FREQ=WEEKLY;BYDAY=FR"',
        "2025-06-27, 2025-06-30, 2025-07-03, 2025-07-07",
    )
    assert waits == ((("r", 2), ("r", 3)),)


def test_periods_across_the_new_year() -> None:
    """1 November 2025 to 28 February 2026: four months, two quarters (Q4, Q1), two
    halves, two years."""
    start, end = date(2025, 11, 1), date(2026, 2, 28)
    assert [periods_in(start, end, per) for per in (Period.MONTH, Period.QUARTER)] == [4, 2]
    assert [periods_in(start, end, per) for per in (Period.HALF, Period.YEAR)] == [2, 2]


Q1 = ReportingPeriod("q1", "Quý I", date(2025, 1, 1), date(2025, 3, 31))
H1 = ReportingPeriod("h1", "6 tháng", date(2025, 1, 1), date(2025, 6, 30))
Q2 = ReportingPeriod("q2", "Quý II", date(2025, 4, 1), date(2025, 6, 30))


@pytest.mark.parametrize(
    ("day", "previous", "label"),
    [
        # 30 June ends h1 and q2 (and q1 ended before): the longer, cumulative h1
        (date(2025, 6, 30), None, "h1"),
        # q1 ended on the day of the previous occurrence: already reported on
        (date(2025, 4, 20), date(2025, 3, 31), "q2"),
        # the first day of q2 is in q2 (the shortest period holding it)
        (date(2025, 4, 1), date(2025, 3, 31), "q2"),
        # the last day too, when the previous occurrence reported on it already
        (date(2025, 6, 30), date(2025, 6, 30), "q2"),
        # after every period, all reported on: the last that ended
        (date(2025, 7, 5), date(2025, 7, 1), "h1"),
    ],
)
def test_the_reporting_period_an_occurrence_reports_on(
    day: date, previous: date | None, label: str
) -> None:
    assert reporting_label(day, (Q1, H1, Q2), previous) == label


def test_no_reporting_period_yet_is_no_label() -> None:
    assert reporting_label(date(2025, 1, 15), (Q2,)) == ""
