"""The timeline: counts from the source document, working days, occurrence dependencies."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from itertools import pairwise

import pytest

from planflow.plan.errors import PlanFileError
from planflow.plan.limits import OCCURRENCES, TASK_OCCURRENCES, LimitError
from planflow.plan.loading import load, loads
from planflow.plan.model import Period
from planflow.timeline.occurrences import Timeline, default_period, period_label
from planflow.timeline.validation import plan_warnings
from plans import EXAMPLE_DIR
from rules_plans import timeline_of

# Public holidays of 2025 for civil servants, as the government announced them.
HOLIDAYS_2025 = {
    date(2025, 1, 1),
    *(date(2025, 1, 25) + timedelta(d) for d in range(9)),
    date(2025, 4, 7),
    date(2025, 4, 30),
    date(2025, 5, 1),
    date(2025, 5, 2),
    date(2025, 9, 1),
    date(2025, 9, 2),
}


@pytest.fixture(scope="module")
def example():
    loaded = load(EXAMPLE_DIR)
    return loaded, Timeline(loaded.plan)


def _count(timeline: Timeline, task_id: str) -> int:
    return len(timeline.of_task(task_id))


def test_counts_stated_in_the_document(example) -> None:
    """01 số /02 tuần (24 số/năm); ~3 tin/tháng; 01 chuyên mục và phát lại 03 lần/tháng."""
    _, timeline = example
    assert _count(timeline, "dx-radio-segment") == 24
    assert _count(timeline, "dx-web-news") == 3 * 12
    assert _count(timeline, "dx-radio-programme") == 12
    assert _count(timeline, "dx-radio-rebroadcast") == 3 * 12


def test_every_month_has_its_programme_then_three_rebroadcasts(example) -> None:
    """Each month: one programme, three rebroadcasts after it, all in that month."""
    _, timeline = example
    programmes = {o.period: o for o in timeline.of_task("dx-radio-programme")}
    rebroadcasts = Counter(o.period for o in timeline.of_task("dx-radio-rebroadcast"))
    assert sorted(programmes) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert set(rebroadcasts.values()) == {3}
    for occ in timeline.of_task("dx-radio-rebroadcast"):
        assert occ.waits_for == (programmes[occ.period].key,)
        assert occ.start > programmes[occ.period].due
        assert occ.start.strftime("%Y-%m") == occ.period


def test_reports_for_every_reporting_unit(example) -> None:
    """Quarterly, 6-month, 9-month and annual: four reports from every unit, in order."""
    loaded, timeline = example
    plan = loaded.plan
    members = plan.members("units_related")
    assert len(members) >= 8
    for unit in members:
        reports = timeline.occurrences(f"report-unit@{unit}")
        assert [o.period for o in reports] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
        assert [o.due.month for o in reports] == [3, 6, 9, 12]
    consolidated = timeline.of_task("report-bcd")
    assert len(consolidated) == 4
    for occ in consolidated:
        # the consolidated report of a period waits for every unit's report of that period
        assert {key[0] for key in occ.waits_for} == {f"report-unit@{u}" for u in members}
        assert all(timeline.get(k).period == occ.period for k in occ.waits_for)


def test_q4_event(example) -> None:
    """National Digital Transformation Day activities: one occurrence in Q4, on 10 October."""
    _, timeline = example
    (day,) = timeline.of_task("dx-national-day")
    assert day.due == date(2025, 10, 10)
    assert date(2025, 10, 1) <= day.start <= day.due <= date(2025, 12, 31)


def test_continuous_tasks_have_monthly_check_ins(example) -> None:
    """'Thường xuyên trong năm' becomes twelve check-ins covering the year without gaps."""
    _, timeline = example
    check_ins = timeline.of_task("ar-tthc-publication")
    assert len(check_ins) == 12
    assert check_ins[0].start == date(2025, 1, 1)
    assert check_ins[-1].nominal == date(2025, 12, 31)
    for before, after in pairwise(check_ins):
        assert after.start == before.nominal + timedelta(days=1)


def test_moved_occurrences_land_on_working_days(example) -> None:
    """Every occurrence the policy moved is on a working day; no deadline on a 2025 holiday."""
    loaded, timeline = example
    calendar = timeline.calendar
    for occ in timeline:
        task = timeline.duty(occ.task).task
        if (task.shift or loaded.plan.shift).value != "keep":
            assert calendar.is_working_day(occ.due), occ
            assert occ.due not in HOLIDAYS_2025, occ
            assert occ.due.weekday() < 5 or occ.due in {d for d, _, _ in loaded.plan.working_days}


def test_holiday_shift_examples(example) -> None:
    """Known moves in 2025: the 1 January issue goes to 2 January (shift: next)."""
    _, timeline = example
    first = timeline.of_task("dx-radio-segment")[0]
    assert (first.nominal, first.start) == (date(2025, 1, 1), date(2025, 1, 2))
    # 1 May 2025 (Labour Day, then the 2 May bridge day) → the next working day, 5 May
    may = next(o for o in timeline.of_task("dx-radio-segment") if o.nominal == date(2025, 5, 1))
    assert may.start == date(2025, 5, 5)


def test_no_occurrence_is_due_before_what_it_waits_for(example) -> None:
    """Across the whole year, predecessors' due dates plus lag come first."""
    _, timeline = example
    checked = 0
    for occ in timeline:
        for key in occ.waits_for:
            assert timeline.ready(occ, timeline.get(key)) <= occ.due, (occ, key)
            checked += 1
    assert checked > 100
    assert list(timeline.conflicts()) == []


def test_the_example_validates_without_warnings(example) -> None:
    """Targets are met and there are no plan conflicts."""
    loaded, timeline = example
    assert plan_warnings(loaded, timeline) == []
    assert all(check.met for check in timeline.target_checks())


def test_time_order(example) -> None:
    """Iteration is in (start, due, duty, index) order and yields every occurrence once."""
    _, timeline = example
    occurrences = list(timeline)
    keys = [(o.start, o.due, o.task, o.index) for o in occurrences]
    assert keys == sorted(keys)
    assert len({o.key for o in occurrences}) == len(occurrences)
    assert len(occurrences) == sum(len(timeline.occurrences(d.id)) for d in timeline.duties)


BASE = """
plan: {{id: t, title: "Thử", issuer: "UBND xã", year: 2025}}
units: [{{id: u, name: "Đơn vị"}}, {{id: v, name: "Đơn vị hai"}}]
tasks:
{tasks}
"""


def _plan(tasks: str):
    return loads(BASE.format(tasks=tasks), file="plan.yaml")


def test_every_two_weeks_against_24_a_year_warns_with_both_numbers() -> None:
    """The other reading of C.I.2.a: 'every 2 weeks' yields 27 dates in 2025, not 24."""
    loaded = _plan("""
  - {id: radio, title: "Chuyên mục", lead: u, window: 2025, recurrence: every 2 weeks,
     target: 24 per year}
""")
    (warning,) = plan_warnings(loaded)
    assert warning.line == 7 and warning.path == "tasks[0].target"  # the target: line
    assert "means 24" in warning.message and "yields 27" in warning.message


def test_conflict_warning_shows_both_dates() -> None:
    """A report due before the reports it consolidates (plus lag) is a plan conflict."""
    loaded = _plan("""
  - {id: a, title: "Báo cáo đơn vị", lead: u, window: 2025, recurrence: "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=14"}
  - id: b
    title: "Báo cáo tổng hợp"
    lead: v
    window: 2025
    recurrence: "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=17"
    after: [{task: a, mode: same-period, lag: +3 working days}]
""")
    (warning,) = plan_warnings(loaded)
    assert warning.path == "tasks[1].after"
    # a is due Fri 14 March; +3 working days = Wed 19 March; b is due Mon 17 March
    assert "due 2025-03-17 but cannot be done before 2025-03-19" in warning.message


def test_previous_mode_chains_occurrences() -> None:
    """mode: previous — occurrence n waits for occurrence n-1 of the same task."""
    timeline = Timeline(
        _plan("""
  - {id: a, title: "Việc", lead: u, window: Q1/2025, recurrence: monthly, shift: keep,
     after: [{task: a, mode: previous}]}
""").plan
    )
    occs = timeline.occurrences("a")
    assert [o.waits_for for o in occs] == [(), (("a", 1),), (("a", 2),)]


def test_cycle_of_occurrence_dependencies_is_an_error() -> None:
    """Two tasks waiting for each other's previous occurrence form a cycle: refused."""
    with pytest.raises(PlanFileError) as info:
        _plan("""
  - {id: a, title: "A", lead: u, window: 2025, recurrence: monthly, after: [{task: b, mode: previous}]}
  - {id: b, title: "B", lead: u, window: 2025, recurrence: monthly, after: [{task: a, mode: previous}]}
""")
    assert "dependency cycle: " in str(info.value)
    assert "a → b → a" in str(info.value) or "b → a → b" in str(info.value)


def test_group_led_task_gives_each_member_a_duty() -> None:
    """lead_mode each: one duty per member; together: one collective duty."""
    text = BASE.format(
        tasks="""
  - {id: r, title: "Báo cáo", lead: g, window: Q1/2025, recurrence: "FREQ=MONTHLY;BYMONTHDAY=10"}
  - {id: s, title: "Chung", lead: g, lead_mode: together, window: Q1/2025}
"""
    ).replace("tasks:", 'groups: [{id: g, name: "Nhóm", members: [u, v]}]\ntasks:')
    timeline = Timeline(loads(text, file="plan.yaml").plan)
    assert [d.id for d in timeline.duties] == ["r@u", "r@v", "s"]
    assert [o.unit for o in timeline.of_task("r")][:2] == ["u", "v"]


@pytest.mark.parametrize(
    ("rule", "period"),
    [
        ("FREQ=MONTHLY;BYMONTHDAY=1", Period.MONTH),
        ("FREQ=WEEKLY", Period.WEEK),
        ("FREQ=DAILY", Period.DAY),
        ("FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=15", Period.QUARTER),
        ("FREQ=YEARLY;BYMONTH=1,2;BYMONTHDAY=15", Period.MONTH),
        ("FREQ=YEARLY", Period.YEAR),
    ],
)
def test_default_period(rule: str, period: Period) -> None:
    """Occurrences are labelled by the period their rule recurs in."""
    assert default_period(rule) is period


def test_period_labels() -> None:
    """Labels: 2025-03, 2025-Q1, 2025-H2, 2025-W01 (ISO weeks), 2025."""
    day = date(2025, 12, 29)
    assert period_label(day, Period.MONTH) == "2025-12"
    assert period_label(day, Period.QUARTER) == "2025-Q4"
    assert period_label(day, Period.HALF) == "2025-H2"
    assert period_label(day, Period.WEEK) == "2026-W01"
    assert period_label(day, Period.YEAR) == "2025"
    assert period_label(day, Period.WINDOW, "Q4/2025") == "Q4/2025"


# --- the occurrence limits (check_size), worked out by hand ---------------------------


def _sized(monkeypatch: pytest.MonkeyPatch, tasks: str) -> Timeline:
    monkeypatch.delenv("PLANFLOW_MAX_OCCURRENCES", raising=False)
    monkeypatch.delenv("PLANFLOW_MAX_TASK_OCCURRENCES", raising=False)
    return timeline_of(tasks)


THREE_AND_TWICE_TWELVE = """
  - {id: a, title: "Ba ngày", lead: u, window: 2025, dates: [2025-03-03, 2025-03-04, 2025-03-05]}
  - {id: b, title: "Hằng tháng", lead: g, lead_mode: each, window: 2025, recurrence: monthly}
"""


def test_check_size_counts_dates_times_the_duties_of_each_task(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """3 dates of ``a``, and 12 months of ``b`` for each of the group's two members:
    3 + 12 × 2 = 27, the same when asked again."""
    timeline = _sized(monkeypatch, THREE_AND_TWICE_TWELVE)
    assert timeline.check_size() == 27
    assert timeline.check_size() == 27
    assert len(list(timeline)) == 27


@pytest.mark.parametrize("allowed", [23, 24])
def test_a_task_past_its_occurrence_limit_is_named(
    monkeypatch: pytest.MonkeyPatch, allowed: int
) -> None:
    """``b`` has 24 occurrences: a limit of 24 lets it through, 23 stops it at ``b``,
    also when ``a``'s occurrences are the first asked for."""
    timeline = _sized(monkeypatch, THREE_AND_TWICE_TWELVE)
    monkeypatch.setenv("PLANFLOW_MAX_TASK_OCCURRENCES", str(allowed))
    if allowed == 24:
        assert timeline.check_size() == 27
        return
    with pytest.raises(LimitError, match="at least 24"):
        timeline.occurrences("a")  # the first occurrences asked for count them all first
    with pytest.raises(LimitError) as caught:
        timeline.check_size()
    error = caught.value
    assert (error.limit, error.found, error.where, error.task, error.allowed) == (
        TASK_OCCURRENCES,
        24,
        "task 'b'",
        "b",
        23,
    )


@pytest.mark.parametrize("allowed", [26, 27])
def test_the_plan_past_its_occurrence_limit_stops_at_the_task_that_went_over(
    monkeypatch: pytest.MonkeyPatch, allowed: int
) -> None:
    """3 after ``a``, 27 after ``b``: a limit of 27 lets the plan through, 26 stops at ``b``."""
    timeline = _sized(monkeypatch, THREE_AND_TWICE_TWELVE)
    monkeypatch.setenv("PLANFLOW_MAX_OCCURRENCES", str(allowed))
    if allowed == 27:
        assert timeline.check_size() == 27
        return
    with pytest.raises(LimitError) as caught:
        timeline.check_size()
    error = caught.value
    assert (error.limit, error.found, error.where, error.task, error.allowed) == (
        OCCURRENCES,
        27,
        "at task 'b'",
        "b",
        26,
    )


def _many(count: int) -> str:
    return "".join(
        f'  - {{id: t{i}, title: "Việc", lead: u, window: 2025, '
        f'recurrence: "FREQ=DAILY;COUNT={count}"}}\n'
        for i in range(1, 301)
    )


def test_the_plan_limit_grows_with_its_units_groups_and_tasks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """3 units, 1 group and 300 tasks: 304 entries × 200 = 60,800 occurrences allowed
    (above the floor of 50,000). 300 × 180 = 54,000 pass; 300 × 210 go past it at the
    290th task (210 × 289 = 60,690, 210 × 290 = 60,900)."""
    assert _sized(monkeypatch, _many(180)).check_size() == 54_000
    with pytest.raises(LimitError) as caught:
        _sized(monkeypatch, _many(210)).check_size()
    error = caught.value
    assert (error.limit, error.found, error.task, error.allowed) == (
        OCCURRENCES,
        60_900,
        "t290",
        60_800,
    )


REPORTING_HEADER = """
plan: {id: t, title: "Thử", issuer: "UBND xã", year: 2025}
units: [{id: u, name: "Đơn vị"}]
reporting_periods:
  - {id: r1, name: "Kỳ 1", start: 2025-01-01, end: 2025-01-14, due: 2025-01-20}
  - {id: r2, name: "Kỳ 2", start: 2025-01-15, end: 2025-02-14, due: 2025-06-20}
  - {id: r3, name: "Kỳ 3", start: 2025-03-01, end: 2025-04-30}
tasks:
"""


def test_a_report_per_reporting_period_only_on_due_days_inside_its_window() -> None:
    """Due 20 January (r1) is in a January–March window, 20 June (r2) is not: one
    report, open from the day after r1 ended (15 January)."""
    plan = loads(
        REPORTING_HEADER + '  - {id: b, title: "Báo cáo", lead: u, window: "Q1/2025", '
        "period: reporting}\n",
        file="plan.yaml",
    ).plan
    found = [(o.start, o.due, o.period) for o in Timeline(plan).occurrences("b")]
    assert found == [(date(2025, 1, 15), date(2025, 1, 20), "r1")]


def test_continuous_check_ins_report_on_the_period_ended_since_the_last_one() -> None:
    """Month-end check-ins: 31 January reports on r1 (ended 14 January), 28 February on
    r2 (ended 14 February), 31 March on r3, which holds it (r1 and r2 were reported on)."""
    plan = loads(
        REPORTING_HEADER + '  - {id: c, title: "Thường xuyên", lead: u, '
        'window: "Thường xuyên trong năm.", period: reporting}\n',
        file="plan.yaml",
    ).plan
    assert [o.period for o in Timeline(plan).occurrences("c")[:3]] == ["r1", "r2", "r3"]
