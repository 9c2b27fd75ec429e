"""``planflow validate``'s warnings about targets and plan conflicts: one per problem,
at the right line, naming the unit and the window, with a hint, in file order."""

from __future__ import annotations

from planflow.plan.errors import Severity
from planflow.timeline.validation import plan_warnings
from rules_plans import HEADER, load_tasks

TASKS = """\
  - {id: ok, title: "Đúng", lead: w, window: 2025, recurrence: monthly, target: "12 per year"}
  - id: a
    title: "Báo cáo đơn vị"
    lead: g
    window: Q1/2025
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=14"
    shift: keep
  - id: b
    title: "Tổng hợp"
    lead: g
    window: Q1/2025
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=17"
    shift: keep
    after: [{task: a, mode: same-period, lag: +2 working days}]
  - {id: r, title: "Tin bài", lead: g, window: Q1/2025, recurrence: monthly, target: "2 per month"}
  - {id: s, title: "Chuyên mục", lead: w, window: 2025, recurrence: monthly, target: "10 per year"}
"""


def test_warnings_in_file_order_once_per_occurrence_with_unit_window_and_hint() -> None:
    """b (led member by member) conflicts in February and March: one warning for each,
    not one per member; r misses its target for each member, s for itself."""
    loaded = load_tasks(TASKS)
    first_task_line = HEADER.count("\n") + 2  # the header, then "tasks:"
    warnings = plan_warnings(loaded)
    assert [(w.line - first_task_line, w.path) for w in warnings] == [
        (13, "tasks[2].after"),
        (13, "tasks[2].after"),
        (14, "tasks[3].target"),
        (14, "tasks[3].target"),
        (15, "tasks[4].target"),
    ]
    assert [w.message for w in warnings] == [
        "plan conflict: b@u#2 (2025-02) is due 2025-02-17 but cannot be done before"
        " 2025-02-18: it waits for a@u#2",
        "plan conflict: b@u#3 (2025-03) is due 2025-03-17 but cannot be done before"
        " 2025-03-18: it waits for a@u#3",
        "target 2 per month means 6 in Q1/2025 for u, but the rule yields 3",
        "target 2 per month means 6 in Q1/2025 for v, but the rule yields 3",
        "target 10 per year means 10 in 2025, but the rule yields 12",
    ]
    assert [w.hint for w in warnings] == [
        "add lag before it, move its dates, or drop the dependency",
    ] * 2 + ["change the recurrence or the target (or mark the target 'about')"] * 3
    assert {w.severity for w in warnings} == {Severity.WARNING}
    assert all(w.file == "plan.yaml" and w.column > 0 for w in warnings)


def test_a_conflict_names_every_blocking_predecessor() -> None:
    """A consolidated report that waits for two late reports lists both."""
    warnings = plan_warnings(
        load_tasks("""\
  - {id: a, title: "A", lead: u, window: 2025, dates: [2025-03-14], shift: keep}
  - {id: c, title: "C", lead: v, window: 2025, dates: [2025-03-14], shift: keep}
  - {id: b, title: "B", lead: w, window: 2025, dates: [2025-03-14], after: [a, {task: c, lag: 1 days}]}
""")
    )
    (warning,) = warnings
    assert warning.message == (
        "plan conflict: b#1 (2025-03-14) is due 2025-03-14 but cannot be done before"
        " 2025-03-15: it waits for c#1"
    )
