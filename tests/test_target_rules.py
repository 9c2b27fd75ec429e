"""Quantity targets against what the rule yields, as docs/plan-format.md states them.

A target ``N per period`` means N times the number of periods the window touches (a
period partly inside counts). ``planflow validate`` warns when the rule yields a
different number; for "about" targets only when the difference is over 10 % (and
over 1). The expectations are counted here by brute force, day by day.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from calendar_2025 import days, iso_weeks
from planflow.plan.errors import Severity
from planflow.plan.loading import loads
from planflow.plan.model import Window
from planflow.timeline.checks import TargetCheck, target_check
from planflow.timeline.duties import Duty
from planflow.timeline.occurrences import Timeline
from planflow.timeline.validation import plan_warnings
from rules_plans import HEADER, load_tasks, timeline_of

# windows that start on every weekday and end anywhere in the following weeks
WINDOWS = [
    (start, start + timedelta(days=length))
    for start in days(date(2025, 2, 1), date(2025, 2, 7))
    for length in range(22)
]


def _task(i: int, start: date, end: date, target: str) -> str:
    return (
        f'  - {{id: t{i}, title: "Việc", lead: u, window: {{start: {start}, end: {end}}}, '
        f"dates: [{start}], target: {target}, shift: keep}}\n"
    )


def _expected(target: str, windows: list[tuple[date, date]]) -> list[int]:
    tasks = "".join(_task(i, s, e, target) for i, (s, e) in enumerate(windows))
    return [check.expected for check in timeline_of(tasks).target_checks()]


def test_weekly_target_counts_every_week_the_window_touches() -> None:
    """Saturday 1 to Tuesday 11 February touches three ISO weeks (W05, W06, W07),
    although it is only eleven days long; and so on for windows starting on every
    weekday, against a count of the ISO weeks of their days."""
    (three,) = _expected("1 per week", [(date(2025, 2, 1), date(2025, 2, 11))])
    assert three == 3
    assert _expected("2 per week", WINDOWS) == [2 * iso_weeks(s, e) for s, e in WINDOWS]


LONG_WINDOWS = [
    (date(2025, m, d), date(2025, m2, d2))
    for m, d in [(1, 1), (2, 15), (3, 31), (6, 30), (7, 1), (9, 30), (12, 31)]
    for m2, d2 in [(1, 31), (3, 1), (4, 1), (6, 30), (7, 1), (10, 1), (12, 31)]
    if (m, d) <= (m2, d2)
]


@pytest.mark.parametrize(
    ("per", "key"),
    [
        ("day", lambda d: d),
        ("month", lambda d: (d.year, d.month)),
        ("quarter", lambda d: (d.year, (d.month - 1) // 3)),
        ("half", lambda d: (d.year, d.month > 6)),
        ("year", lambda d: d.year),
        ("window", lambda d: 0),
    ],
)
def test_target_counts_every_period_the_window_touches(per: str, key) -> None:
    """Per day, month, quarter, half, year and window, against the distinct periods of
    the window's days."""
    assert _expected(f"3 per {per}", LONG_WINDOWS) == [
        3 * len({key(d) for d in days(s, e)}) for s, e in LONG_WINDOWS
    ]


def _checks(dates: int, target: str) -> bool:
    """Whether a rule yielding ``dates`` occurrences in 2025 meets ``target``."""
    listed = ", ".join(str(date(2025, 1, 1) + timedelta(days=2 * i)) for i in range(dates))
    loaded = load_tasks(
        f'  - {{id: t, title: "Việc", lead: u, window: 2025, dates: [{listed}], target: "{target}", '
        f"shift: keep}}\n"
    )
    (check,) = Timeline(loaded.plan).target_checks()
    assert check.actual == dates
    assert check.met == (plan_warnings(loaded) == [])
    return check.met


@pytest.mark.parametrize(
    ("target", "met"),
    [
        ("about 10 per year", {9, 10, 11}),  # 10 % of 10 is 1
        ("about 20 per year", {18, 19, 20, 21, 22}),  # 2 each way, not 3
        ("about 15 per year", {14, 15, 16}),  # 10 % is 1.5: a difference of 2 is over it
        ("about 5 per year", {4, 5, 6}),  # at least 1
    ],
)
def test_about_target_tolerates_exactly_ten_percent(target: str, met: set[int]) -> None:
    """The "about" boundary: a difference of exactly 10 % is fine, one more is not."""
    counts = range(min(met) - 2, max(met) + 3)
    assert {n for n in counts if _checks(n, target)} == met


def test_about_target_boundary_against_the_rule_for_every_size() -> None:
    """For every expected count up to 60: met exactly when the difference is at most
    10 % of it, and at most 1 when 10 % is less than that."""
    for expected in range(1, 61):
        tasks = "".join(
            _task(i, date(2025, 1, 1), date(2025, 1, 1), f'"about {expected} per window"')
            .replace("dates: [2025-01-01]", "recurrence: daily")
            .replace("end: 2025-01-01", f"end: {date(2025, 1, 1) + timedelta(days=actual - 1)}")
            for i, actual in enumerate(range(max(1, expected - 8), expected + 9))
        )
        for check in timeline_of(tasks).target_checks():
            difference = abs(check.actual - check.expected)
            assert check.met == (difference <= max(1, Fraction(expected, 10))), check


def test_exact_target_must_match() -> None:
    """A target without "about" is met only by exactly that many occurrences."""
    assert {n for n in range(9, 16) if _checks(n, "12 per year")} == {12}
    assert {n for n in range(9, 16) if _checks(n, "about 12 per year")} == {11, 12, 13}


def test_member_duties_are_checked_one_by_one() -> None:
    """Each member of a group leading member by member has the target for its own duty."""
    checks = list(
        timeline_of(
            '  - {id: r, title: "Báo cáo", lead: g, window: 2025, recurrence: monthly, target: "12 per year"}\n'
            '  - {id: s, title: "Chung", lead: g, lead_mode: together, window: 2025, recurrence: monthly, target: "12 per year"}\n'
            '  - {id: n, title: "Không", lead: u, window: 2025, recurrence: monthly}\n'
        ).target_checks()
    )
    assert [(c.duty, c.plan_task, c.expected, c.actual, c.met) for c in checks] == [
        ("r@u", "r", 12, 12, True),
        ("r@v", "r", 12, 12, True),
        ("s", "s", 12, 12, True),
    ]


# --- a per-year target over part of the year (a unit that begins or ends mid-year) ---
#
# docs/plan-format.md: "A quantity target counts the whole chain"; a share that holds
# only part of the window (no successor, or a unit that begins mid-year) is asked for
# the target in proportion to its days. The expectations are worked out by hand.


def _duty(tasks: str, year: int = 2025) -> Duty:
    """The one duty of a plan made of ``tasks`` (the header of rules_plans, in ``year``)."""
    plan = loads(
        HEADER.replace("year: 2025", f"year: {year}") + "tasks:\n" + tasks, file="plan.yaml"
    ).plan
    (duty,) = Timeline(plan).duties
    return duty


def _yearly(target: str, year: int = 2025) -> Duty:
    return _duty(
        f'  - {{id: t, title: "Việc", lead: u, window: {year}, recurrence: daily, '
        f"target: {target}}}\n",
        year,
    )


def test_yearly_target_over_part_of_a_common_year_is_its_share_of_365_days() -> None:
    """1 January to 30 June 2025 is 31+28+31+30+31+30 = 181 days of 365:
    730 × 181 / 365 = 362 exactly (over 366 days it would be 361)."""
    duty = _yearly('"730 per year"')
    check = target_check(duty, 300, window=Window(date(2025, 1, 1), date(2025, 6, 30)))
    assert check == TargetCheck("t", "t", 362, 300, False)
    assert not check.met


def test_yearly_target_over_part_of_a_leap_year_is_its_share_of_366_days() -> None:
    """1 January to 30 June 2024 is 31+29+31+30+31+30 = 182 days of 366:
    732 × 182 / 366 = 364 exactly (over 365 days 365.0, over 367 days 363.0)."""
    duty = _yearly('"about 732 per year"', 2024)
    check = target_check(duty, 364, window=Window(date(2024, 1, 1), date(2024, 6, 30)))
    assert check == TargetCheck("t", "t", 364, 364, True)
    assert check.met


def test_yearly_target_over_a_half_year_window_is_the_whole_count() -> None:
    """A task whose own window is half a year touches one year: "12 per year" asks for
    12 whatever the window's length, when the duty holds all of it."""
    duty = _duty(
        '  - {id: t, title: "Việc", lead: u, window: {start: 2025-01-01, end: 2025-06-30}, '
        'recurrence: monthly, target: "12 per year"}\n'
    )
    assert target_check(duty, 6) == TargetCheck("t", "t", 12, 6, False)


def test_monthly_target_over_part_of_the_window_counts_its_months() -> None:
    """ "2 per month" over a share holding 1 January to 31 March (of a whole-year
    window): three months, 6, not the year's 24 nor a share of days."""
    duty = _yearly('"2 per month"')
    check = target_check(duty, 6, window=Window(date(2025, 1, 1), date(2025, 3, 31)))
    assert check == TargetCheck("t", "t", 6, 6, False)
    assert check.met


def test_reporting_target_counts_one_reporting_period_by_default() -> None:
    """ "3 per reporting" asks for 3 per reporting period the window holds: 3 when the
    caller names none, 6 for two."""
    duty = _yearly("{count: 3, per: reporting}")
    assert target_check(duty, 3) == TargetCheck("t", "t", 3, 3, False)
    assert target_check(duty, 5, 2) == TargetCheck("t", "t", 6, 5, False)


SHARES = """
plan: {id: t, title: "Thử", issuer: "UBND xã", year: 2025}
units:
  - {id: cu, name: "Đơn vị cũ", until: 30/06/2025}
  - {id: moi, name: "Đơn vị mới", from: 01/07/2025}
tasks:
  - {id: a, title: "Báo cáo", lead: cu, window: 2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=20", target: "12 per year"}
  - {id: b, title: "Báo cáo", lead: moi, window: 2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=20", target: "12 per year"}
  - {id: c, title: "Tuần", lead: cu, window: 2025, recurrence: "FREQ=WEEKLY;BYDAY=MO", target: "52 per year"}
"""


def test_timeline_asks_a_part_year_unit_for_its_share_of_a_yearly_target() -> None:
    """A unit ending 30 June with no successor holds 181 of 365 days: 12 × 181 / 365 =
    5.95, asked 6, and does 6 (20 January … 20 June). A unit from 1 July holds 184
    days: 12 × 184 / 365 = 6.05, asked 6, does 6. Weekly Mondays until 30 June: 52 ×
    181 / 365 = 25.79, asked 26; Mondays 6 January … 30 June are 26."""
    checks = list(Timeline(loads(SHARES, file="plan.yaml").plan).target_checks())
    assert [(c.duty, c.expected, c.actual, c.met) for c in checks] == [
        ("a", 6, 6, True),
        ("b", 6, 6, True),
        ("c", 26, 26, True),
    ]


def test_a_reporting_target_counts_the_reporting_periods_ending_in_the_window() -> None:
    """Reporting periods ending 31 March and 30 June fall in a January–June window,
    one ending 30 September does not: "3 per reporting" asks for 6."""
    text = HEADER + (
        "reporting_periods:\n"
        '  - {id: q1, name: "Quý I", start: 2025-01-01, end: 2025-03-31}\n'
        '  - {id: q2, name: "Quý II", start: 2025-04-01, end: 2025-06-30}\n'
        '  - {id: q3, name: "Quý III", start: 2025-07-01, end: 2025-09-30}\n'
        "tasks:\n"
        '  - {id: t, title: "Việc", lead: u, window: {start: 2025-01-01, end: 2025-06-30}, '
        "recurrence: monthly, target: {count: 3, per: reporting}}\n"
    )
    (check,) = Timeline(loads(text, file="plan.yaml").plan).target_checks()
    assert (check.expected, check.actual) == (6, 6)


# --- orphans and shares over part of the year -----------------------------------------

PART_YEAR = """
plan: {id: t, title: "Thử", issuer: "UBND xã", year: 2025}
units:
  - {id: cu, name: "Đơn vị cũ", until: 30/06/2025}
  - {id: moi, name: "Đơn vị mới", from: 01/07/2025}
groups: [{id: g, name: "Nhóm", members: [cu, moi]}]
tasks:
"""


def test_a_unit_that_begins_mid_year_leaves_the_earlier_dates_without_owner() -> None:
    """``moi`` begins 1 July and succeeds no one: the 20th of January to June has no
    owner (20 April 2025 is a Sunday: the plan's default ``previous`` gives Friday 18)."""
    plan = loads(
        PART_YEAR + '  - {id: b, title: "Báo cáo", lead: moi, window: 2025, '
        'recurrence: "FREQ=MONTHLY;BYMONTHDAY=20"}\n',
        file="plan.yaml",
    ).plan
    orphans = list(Timeline(plan).orphans())
    assert [(o.duty, o.unit, o.due, o.ended) for o in orphans] == [
        ("b", "moi", date(2025, m, 18 if m == 4 else 20), False) for m in range(1, 7)
    ]


def test_a_share_outside_the_window_is_skipped_and_the_next_one_checked() -> None:
    """A July–December window led member by member: ``cu`` ended 30 June and holds none
    of it (no check), ``moi`` holds all of it: "6 per year" over one year asks for 6,
    and the 1st of July to December are 6 dates (1 September, a holiday, moves to Friday
    29 August; Saturday 1 November to Friday 31 October)."""
    plan = loads(
        PART_YEAR + '  - {id: t, title: "Việc", lead: g, lead_mode: each, '
        "window: {start: 2025-07-01, end: 2025-12-31}, "
        'recurrence: "FREQ=MONTHLY;BYMONTHDAY=1", target: "6 per year"}\n',
        file="plan.yaml",
    ).plan
    checks = list(Timeline(plan).target_checks())
    assert [(c.duty, c.expected, c.actual) for c in checks] == [("t@moi", 6, 6)]


def test_a_yearly_target_over_a_continuous_quarter_is_not_prorated() -> None:
    """A continuous January–March window holds one year: "4 per year" asks for 4 (not
    4 × 90 / 365), and its month-end check-ins are 3 (31 January, 28 February,
    31 March, all working days)."""
    (check,) = timeline_of(
        '  - {id: q, title: "Thường xuyên", lead: u, '
        "window: {start: 2025-01-01, end: 2025-03-31, continuous: true}, "
        'target: "4 per year"}\n'
    ).target_checks()
    assert (check.expected, check.actual) == (4, 3)


HANDED_ON = """
plan: {id: t, title: "Thử", issuer: "UBND xã", year: 2025}
units:
  - {id: a, name: "Đơn vị A", until: 31/03/2025, successor: b}
  - {id: b, name: "Đơn vị B", from: 01/05/2025, until: 30/06/2025}
  - {id: x, name: "Đơn vị X", from: 01/04/2025, until: 30/09/2025, successor: y}
  - {id: y, name: "Đơn vị Y"}
tasks:
  - {id: p, title: "Báo cáo", lead: a, window: 2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=20"}
  - {id: q, title: "Báo cáo", lead: x, window: 2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=20"}
"""


def test_each_orphan_names_the_unit_that_held_the_share_before_the_gap() -> None:
    """The 20th of each month of 2025 (a Saturday or Sunday moves back to Friday: 18
    April, 18 July, 19 September, 19 December). ``p``: ``a`` holds it to 31 March, its
    successor ``b`` only from 1 May to 30 June: April's falls after ``a`` ended, July's
    and the later ones after ``b`` ended (``b`` is a successor, still listed). ``q``:
    ``x`` begins 1 April, so January to March fall before it began, held by ``x``
    (not by its successor ``y``, who takes over from 1 October)."""
    plan = loads(HANDED_ON, file="plan.yaml").plan
    orphans = list(Timeline(plan).orphans())
    found = [(o.duty, o.unit, o.due, o.period, o.ended) for o in orphans]
    assert (
        str(orphans[0]) == "p (2025-04) due 2025-04-18 has no owner: it falls after its unit ended"
    )
    assert (
        str(orphans[-1])
        == "q (2025-03) due 2025-03-20 has no owner: it falls before its unit began"
    )
    dues = {
        4: date(2025, 4, 18),
        7: date(2025, 7, 18),
        9: date(2025, 9, 19),
        12: date(2025, 12, 19),
    }

    def due(month: int) -> date:
        return dues.get(month, date(2025, month, 20))

    assert found == [
        ("p", "a", due(4), "2025-04", True),
        *(("p", "b", due(m), f"2025-{m:02d}", True) for m in range(7, 13)),
        *(("q", "x", due(m), f"2025-{m:02d}", False) for m in range(1, 4)),
    ]


def test_orphans_before_a_unit_began_are_one_warning_with_the_dates() -> None:
    """``q``'s three dates before ``x`` began on 1 April: one warning on its lead."""
    loaded = loads(HANDED_ON, file="plan.yaml")
    (found,) = [w for w in plan_warnings(loaded) if w.path == "tasks[1].lead"]
    assert found.message == (
        "3 occurrences left with no owner: unit 'x' begins on 2025-04-01; "
        "due 20/01/2025, 20/02/2025, 20/03/2025"
    )
    assert (
        found.hint == "start the task's window on 2025-04-01, or name the unit it takes over from"
    )
    assert found.severity is Severity.WARNING


def test_orphans_past_three_are_counted_in_the_warning() -> None:
    """``moi`` begins 1 July: the 20th of January to June has no owner, six dates, three
    shown."""
    loaded = loads(
        PART_YEAR + '  - {id: b, title: "Báo cáo", lead: moi, window: 2025, '
        'recurrence: "FREQ=MONTHLY;BYMONTHDAY=20"}\n',
        file="plan.yaml",
    )
    (found,) = [w for w in plan_warnings(loaded) if "no owner" in w.message]
    assert found.message == (
        "6 occurrences left with no owner: unit 'moi' begins on 2025-07-01; "
        "due 20/01/2025, 20/02/2025, 20/03/2025 and 3 more"
    )


def test_the_hint_for_orphans_after_a_unit_ended() -> None:
    (found, *_) = [w for w in plan_warnings(loads(SHARES)) if w.path == "tasks[0].lead"]
    assert found.hint == "give unit 'cu' a successor, or end the task's window by 2025-06-30"


def test_an_orphan_after_a_hand_over_with_a_gap_names_the_successor() -> None:
    """``a`` ends 31 March and hands over to ``b``, who begins only on 1 May: April's
    report (18 April, the 20th being a Sunday) has no owner, and the warning says the
    successor begins late, not that there is none."""
    loaded = loads(HANDED_ON, file="plan.yaml")
    (found,) = [
        w for w in plan_warnings(loaded) if w.path == "tasks[0].lead" and "'a'" in w.message
    ]
    assert found.message == (
        "1 occurrence left with no owner: unit 'a' ends on 2025-03-31 and its successor 'b' "
        "begins on 2025-05-01; due 18/04/2025"
    )
    (after_b,) = [w for w in plan_warnings(loaded) if "'b' ends" in w.message]
    assert after_b.message == (
        "6 occurrences left with no owner: unit 'b' ends on 2025-06-30 and has no successor; "
        "due 18/07/2025, 20/08/2025, 19/09/2025 and 3 more"
    )
    assert found.hint == (
        "let unit 'b' begin the day after 2025-03-31, or end the task's window by 2025-03-31"
    )
