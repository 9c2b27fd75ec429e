"""Cascading deadlines and dependencies across rhythms (issue 10, points 6 and 7)."""

from __future__ import annotations

from datetime import date, timedelta

from communes import CASCADE
from planflow.plan.errors import Severity
from planflow.plan.loading import loads
from planflow.plan.model import DependencyMode
from planflow.timeline.cascades import Collapse, Unmatched, collapses, unmatched
from planflow.timeline.occurrences import Timeline
from planflow.timeline.validation import plan_warnings
from rules_plans import timeline_of


def _warnings(text: str) -> list[str]:
    loaded = loads(text, file="plan.yaml")
    return [str(w) for w in plan_warnings(loaded)]


def test_collapsed_cascade_is_reported_with_dates_and_a_working_hint() -> None:
    """June 2025: the 7th and 8th are a weekend, so 'by the 8th' moves back onto the 6th."""
    (found,) = [w for w in _warnings(CASCADE) if "cascade" in w]
    line = CASCADE.splitlines().index("      - {task: thon-bao-cao, mode: all}") + 1
    assert found.startswith(f"plan.yaml:{line}:")
    assert "thon-bao-cao → tong-hop (06/06 then 08/06 as written)" in found
    assert "fall due on the same day on 06/06/2025" in found
    assert "give 'tong-hop' 'shift: next': its deadlines then move to 09/06" in found


def test_the_hinted_shift_restores_the_order() -> None:
    text = CASCADE.replace(
        '    recurrence: "ngày 8 hằng tháng"\n',
        '    recurrence: "ngày 8 hằng tháng"\n    shift: next\n',
    )
    assert not [w for w in _warnings(text) if "cascade" in w]
    timeline = Timeline(loads(text).plan)
    assert timeline.of_task("tong-hop")[5].due == date(2025, 6, 9)


def test_same_period_between_rhythms_matches_nothing_and_says_so() -> None:
    """Monthly labels (2025-03) never equal quarterly ones (2025-Q1)."""
    (found,) = [w for w in _warnings(CASCADE) if "wait for no occurrence" in w]
    assert "4 occurrence(s) wait for no occurrence of 'tong-hop'" in found
    assert "2025-Q1, 2025-Q2, 2025-Q3, 2025-Q4" in found
    assert "use 'mode: in-period'" in found


def test_in_period_waits_for_the_reports_of_the_quarter() -> None:
    text = CASCADE.replace(
        "{task: tong-hop, mode: same-period}", "{task: tong-hop, mode: in-period}"
    )
    assert not [w for w in _warnings(text) if "wait for no occurrence" in w]
    timeline = Timeline(loads(text).plan)
    meetings = timeline.of_task("hop-quy")
    assert meetings[0].waits_for == (("tong-hop", 1), ("tong-hop", 2), ("tong-hop", 3))
    assert meetings[3].waits_for == (("tong-hop", 10), ("tong-hop", 11), ("tong-hop", 12))


def test_feeds_do_not_announce_a_wait_the_timeline_lacks() -> None:
    from planflow.feeds import unit_feed

    text = unit_feed(loads(CASCADE).plan, "vp").decode()
    unfolded = text.replace("\r\n ", "")
    meeting = unfolded.split("Họp đánh giá kết quả hằng quý", 1)[1].split("END:VEVENT", 1)[0]
    assert "Chờ:" not in meeting


def test_feeds_announce_the_waits_the_timeline_has() -> None:
    from planflow.feeds import unit_feed

    text = CASCADE.replace(
        "{task: tong-hop, mode: same-period}", "{task: tong-hop, mode: in-period}"
    )
    unfolded = unit_feed(loads(text).plan, "vp").decode().replace("\r\n ", "")
    meeting = unfolded.split("Họp đánh giá kết quả hằng quý", 1)[1].split("END:VEVENT", 1)[0]
    assert "Chờ: Văn phòng tổng hợp" in meeting and "các lần trong kỳ" in meeting


def test_a_dependency_emptied_by_the_plans_start_gets_a_fitting_hint() -> None:
    """Issued 18/08/2025: the units' report of 06/08 falls before the plan, the monthly
    meeting of 25/08 does not; August's meeting waits for nothing, and the hint says why
    (not a labelling mismatch: both tasks are monthly)."""
    text = (
        CASCADE.replace("  year: 2025\n", "  year: 2025\n  issued: 18/08/2025\n")
        .replace(
            '    recurrence: "ngày 25 tháng cuối quý"\n', '    recurrence: "ngày 25 hằng tháng"\n'
        )
        .replace("{task: tong-hop, mode: same-period}", "{task: thon-bao-cao, mode: same-period}")
    )
    (found,) = [w for w in _warnings(text) if "wait for no occurrence" in w]
    assert "1 occurrence(s) wait for no occurrence of 'thon-bao-cao'" in found
    assert "periods 2025-08" in found
    assert "the plan's start leave them out" in found and "in-period" not in found


# --- collapses and unmatched dependencies, worked out by hand on single dates ---------


def test_a_collapse_the_predecessors_previous_shift_would_undo() -> None:
    """``a`` on Saturday 7 June moves to Monday 9 June (``shift: next``), the day ``b``
    falls due: the same day. Moving ``b`` on would not help (9 June is a working day),
    moving ``a`` back (to Friday 6) would. The collapse is ``b``'s third dependency (its
    own previous occurrence is skipped, ``c`` of 5 May stays before it)."""
    timeline = timeline_of("""
  - {id: a, title: "A", lead: u, window: 2025, dates: [2025-06-07], shift: next}
  - {id: c, title: "C", lead: u, window: 2025, dates: [2025-05-05]}
  - {id: b, title: "B", lead: v, window: 2025, dates: [2025-06-09], after: [{task: b, mode: previous}, c, a]}
""")
    (found,) = collapses(timeline)
    assert (found.task, found.dep, found.pred_task) == ("b", 2, "a")
    assert [(p.due, o.due) for p, o in found.pairs] == [(date(2025, 6, 9), date(2025, 6, 9))]
    assert found.hint == "give 'a' 'shift: previous' so that it stays before 'b'"
    assert str(found) == (
        "the cascade a → b (07/06 then 09/06 as written) loses its order: days off make "
        "them fall due on the same day on 09/06/2025"
    )


def test_a_reversal_no_shift_can_undo() -> None:
    """``a`` on Saturday 7 June goes to Monday 9, ``b`` on Sunday 8 back to Friday 6:
    reversed. ``b`` moved on would be 9 June, not after ``a``; ``a`` moved back would be
    6 June, not before ``b``."""
    timeline = timeline_of("""
  - {id: a, title: "A", lead: u, window: 2025, dates: [2025-06-07], shift: next}
  - {id: b, title: "B", lead: v, window: 2025, dates: [2025-06-08], after: [a]}
""")
    (found,) = collapses(timeline)
    assert found.dep == 0
    assert [(p.due, o.due) for p, o in found.pairs] == [(date(2025, 6, 9), date(2025, 6, 6))]
    assert found.hint == (
        "no shift keeps the order on these days: set the written dates further apart, "
        "or list the exact dates with 'dates:'"
    )
    assert str(found).endswith("days off make them collapse or reverse on 06/06/2025")


def test_previous_waits_are_unmatched_only_after_the_first_occurrence() -> None:
    """``x`` on the 15th of each month waits for its own previous occurrence (the first
    has none, which is not a fault) and for ``y``'s previous one: ``y`` has two dates,
    so February and March find one, April to December do not."""
    timeline = timeline_of("""
  - {id: y, title: "Y", lead: u, window: 2025, dates: [2025-01-10, 2025-02-10]}
  - id: x
    title: "X"
    lead: v
    window: 2025
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=15"
    after: [{task: x, mode: previous}, {task: y, mode: previous}]
""")
    months = tuple(f"2025-{m:02d}" for m in range(4, 13))
    assert list(unmatched(timeline)) == [Unmatched("x", 1, "y", DependencyMode.PREVIOUS, months)]
    assert str(next(unmatched(timeline))) == (
        "9 occurrence(s) wait for no occurrence of 'y' (previous; periods 2025-04, "
        "2025-05, 2025-06, 2025-07 …): the dependency has no effect there"
    )
    five = Unmatched("x", 0, "y", DependencyMode.SAME_PERIOD, months[:5])
    assert "periods 2025-04, 2025-05, 2025-06, 2025-07 …)" in str(five)
    four = Unmatched("x", 0, "y", DependencyMode.SAME_PERIOD, months[:4])
    assert str(four) == (
        "4 occurrence(s) wait for no occurrence of 'y' (same-period; periods 2025-04, "
        "2025-05, 2025-06, 2025-07): the dependency has no effect there"
    )


def test_a_collapse_message_shows_four_dates_and_counts_the_rest() -> None:
    """Five Saturdays of ``a`` (7 June … 5 July) move on to the Mondays ``b`` falls due:
    five pairs; the message shows the first four dates and "1 more"; with four pairs,
    the four dates alone."""
    saturdays = ", ".join(str(date(2025, 6, 7) + timedelta(weeks=k)) for k in range(5))
    mondays = ", ".join(str(date(2025, 6, 9) + timedelta(weeks=k)) for k in range(5))
    timeline = timeline_of(f"""
  - {{id: a, title: "A", lead: u, window: 2025, dates: [{saturdays}], shift: next}}
  - {{id: b, title: "B", lead: v, window: 2025, dates: [{mondays}], after: [a]}}
""")
    (found,) = collapses(timeline)
    assert len(found.pairs) == 5
    head = "the cascade a → b (07/06 then 09/06 as written) loses its order: days off make "
    four = "them fall due on the same day on 09/06/2025, 16/06/2025, 23/06/2025, 30/06/2025"
    assert str(found) == head + four + " and 1 more"
    shorter = Collapse(found.task, found.dep, found.pred_task, found.pairs[:4], found.hint)
    assert str(shorter) == head + four


def test_a_collapse_is_a_warning() -> None:
    (found,) = [w for w in plan_warnings(loads(CASCADE)) if "cascade" in w.message]
    assert found.severity is Severity.WARNING


def test_the_next_shift_hint_lists_four_moved_deadlines() -> None:
    """Fridays of ``a`` (6 June … 4 July) and Sundays of ``b`` two days later, which move
    back onto those Fridays: five pairs; ``b`` moved on would fall on the Mondays after,
    the hint shows the first four."""
    fridays = ", ".join(str(date(2025, 6, 6) + timedelta(weeks=k)) for k in range(5))
    sundays = ", ".join(str(date(2025, 6, 8) + timedelta(weeks=k)) for k in range(5))
    timeline = timeline_of(f"""
  - {{id: a, title: "A", lead: u, window: 2025, dates: [{fridays}]}}
  - {{id: b, title: "B", lead: v, window: 2025, dates: [{sundays}], after: [a]}}
""")
    (found,) = collapses(timeline)
    assert len(found.pairs) == 5
    assert found.hint == (
        "give 'b' 'shift: next': its deadlines then move to 09/06, 16/06, 23/06, 30/06"
    )


NO_SHIFT_HELPS = (
    "no shift keeps the order on these days: set the written dates further apart, "
    "or list the exact dates with 'dates:'"
)


def test_a_task_already_shifting_next_is_not_told_to() -> None:
    """``b`` on Sunday 31 August with ``shift: next`` would leave its August window (1
    and 2 September are holidays), so it goes back to Friday 29, the day ``a`` falls
    due: ``b`` already shifts next, ``a`` already previous: no shift helps."""
    timeline = timeline_of("""
  - {id: a, title: "A", lead: u, window: 2025, dates: [2025-08-29]}
  - {id: b, title: "B", lead: v, window: "08/2025", dates: [2025-08-31], shift: next, after: [a]}
""")
    (found,) = collapses(timeline)
    assert [(p.due, o.due) for p, o in found.pairs] == [(date(2025, 8, 29), date(2025, 8, 29))]
    assert found.hint == NO_SHIFT_HELPS


def test_a_predecessor_already_shifting_previous_is_not_told_to() -> None:
    """``a`` on 1 January (a holiday) would go back out of its January window, so it
    goes on to Thursday 2 January, the day ``b`` falls due. ``a`` already shifts back
    (the plan's ``previous``), and ``b`` moved on stays on 2 January: no shift helps."""
    timeline = timeline_of("""
  - {id: a, title: "A", lead: u, window: "01/2025", dates: [2025-01-01]}
  - {id: b, title: "B", lead: v, window: 2025, dates: [2025-01-02], after: [a]}
""")
    (found,) = collapses(timeline)
    assert [(p.due, o.due) for p, o in found.pairs] == [(date(2025, 1, 2), date(2025, 1, 2))]
    assert found.hint == NO_SHIFT_HELPS


def test_the_hints_of_dependencies_that_match_nothing() -> None:
    """Monthly and quarterly labels never agree: the hint says to use ``in-period``; a
    monthly dependency emptied by the plan's start says why nothing is waited for."""
    loaded = loads(CASCADE)
    (found,) = [w for w in plan_warnings(loaded) if "wait for no occurrence" in w.message]
    assert found.hint == (
        "the two tasks label their periods differently (a monthly and a quarterly rhythm): "
        "use 'mode: in-period' to wait for what falls in this occurrence's period"
    )
    assert found.severity is Severity.WARNING
    assert found.path == "tasks[2].after[0]"
    text = (
        CASCADE.replace("  year: 2025\n", "  year: 2025\n  issued: 18/08/2025\n")
        .replace(
            '    recurrence: "ngày 25 tháng cuối quý"\n', '    recurrence: "ngày 25 hằng tháng"\n'
        )
        .replace("{task: tong-hop, mode: same-period}", "{task: thon-bao-cao, mode: same-period}")
    )
    (found,) = [w for w in plan_warnings(loads(text)) if "wait for no occurrence" in w.message]
    assert found.hint == (
        "'thon-bao-cao' has no occurrence in those periods (its window, its dates or the "
        "plan's start leave them out): nothing is waited for there"
    )
