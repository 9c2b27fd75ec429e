"""The model's validators and whole-plan checks (planflow.plan.model)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from planflow.plan.errors import CycleError, ModelError, PlanError, format_cycle
from planflow.plan.model import (
    Dependency,
    DependencyMode,
    Group,
    LegalBasis,
    Offset,
    Period,
    Plan,
    ReportingPeriod,
    Target,
    Task,
    TimeRange,
    Unit,
    Window,
    find_cycle,
    format_path,
    plan_problems,
    unchecked,
)

Y2025 = Window(date(2025, 1, 1), date(2025, 12, 31), "2025")
Q4 = Window(date(2025, 10, 1), date(2025, 12, 31), "Q4/2025")
UNITS = (
    Unit("vhxh", "Phòng Văn hóa - Xã hội"),
    Unit("kt", "Phòng Kinh tế"),
    Group("all", "Các cơ quan, đơn vị", members=["vhxh", "kt"]),
)


def plan(*tasks: Task, units: tuple[Unit, ...] = UNITS, **fields: Any) -> Plan:
    """A small plan of the year 2025."""
    return Plan(
        id="boy-2025", title="Kế hoạch", issuer="UBND xã Bờ Y", year=2025, units=units,
        tasks=tasks, **fields,
    )  # fmt: skip


def task(tid: str, *after: Dependency | str, **fields: Any) -> Task:
    """A task led by vhxh over 2025, waiting for ``after``."""
    deps = [Dependency(d) if isinstance(d, str) else d for d in after]
    return Task(**{"id": tid, "title": f"Việc {tid}", "lead": "vhxh", "window": Y2025,
                   "after": deps, **fields})  # fmt: skip


class TestWindow:
    def test_window_may_be_one_day(self) -> None:
        """A window of one day holds that day and lasts one day."""
        w = Window(date(2025, 5, 1), date(2025, 5, 1))
        assert date(2025, 5, 1) in w
        assert date(2025, 5, 2) not in w
        assert "2025-05-01" not in w
        assert w.days == 1

    def test_end_before_start_is_refused(self) -> None:
        """A window ending before it starts raises ModelError with a hint."""
        with pytest.raises(ModelError) as info:
            Window(date(2025, 3, 1), date(2025, 2, 28))
        assert info.value.message == "window ends (2025-02-28) before it starts (2025-03-01)"
        assert info.value.hint == "swap the dates or fix the end"
        assert str(info.value) == (
            "window ends (2025-02-28) before it starts (2025-03-01) — swap the dates or fix the end"
        )

    def test_days_counts_both_ends(self) -> None:
        """A year window has 365 days (366 in a leap year)."""
        assert Y2025.days == 365
        assert Window(date(2024, 1, 1), date(2024, 12, 31)).days == 366


class TestTimeRange:
    def test_valid(self) -> None:
        """A range from 08:00 to 11:30 is accepted."""
        assert TimeRange(time(8), time(11, 30)).end == time(11, 30)

    @pytest.mark.parametrize("end", [time(8), time(7, 59)])
    def test_end_at_or_before_start_is_refused(self, end: time) -> None:
        """A time range must end after it starts."""
        with pytest.raises(
            ModelError, match=r"^time range ends \(.*\) at or before it starts \(08:00:00\)$"
        ):
            TimeRange(time(8), end)


class TestTarget:
    def test_str(self) -> None:
        """Targets read as 'about 3 tin per month'."""
        assert str(Target(24)) == "24 per year"
        assert str(Target(3, "month", approximate=True, unit="tin")) == "about 3 tin per month"

    @pytest.mark.parametrize("count", [0, -1])
    def test_count_below_one_is_refused(self, count: int) -> None:
        """A target asks for at least one thing, and says so as a ModelError."""
        with pytest.raises(ModelError) as info:
            Target(count)
        assert info.value.message == f"count must be at least 1, got {count}"

    def test_unknown_period_is_refused(self) -> None:
        """The period must be one of Period."""
        with pytest.raises(ValueError, match="fortnight"):
            Target(1, "fortnight")


class TestOffset:
    @pytest.mark.parametrize(
        ("offset", "text"),
        [
            (Offset(5, working=True), "+5 working days"),
            (Offset(1, working=True), "+1 working day"),
            (Offset(-1), "-1 day"),
            (Offset(0), "+0 days"),
            (Offset(-2), "-2 days"),
        ],
    )
    def test_str(self, offset: Offset, text: str) -> None:
        """Offsets read as a signed number of (working) days."""
        assert str(offset) == text


class TestIds:
    @pytest.mark.parametrize("bad", ["VHXH", "đ", "-a", "", "a b", "_a", "a/b"])
    def test_bad_unit_ids_are_refused(self, bad: str) -> None:
        """Ids are lower-case ASCII with - _ . inside; the hint says how to write đ."""
        with pytest.raises(ModelError) as info:
            Unit(bad, "Tên")
        assert info.value.message == f"id {bad!r} is not a valid id"
        assert info.value.hint is not None
        assert "write 'đ' as 'dd'" in info.value.hint

    @pytest.mark.parametrize("good", ["vhxh", "c.i.3.dd", "0", "a_b-c.d"])
    def test_good_ids(self, good: str) -> None:
        """Digits first, dots, dashes and underscores are all fine."""
        assert Unit(good, "Tên").id == good

    def test_bad_task_lead_and_coordinator_ids(self) -> None:
        """A task's lead and coordinators must be ids too."""
        with pytest.raises(ModelError, match="^lead 'Phòng' is not a valid id"):
            Task("t", "Việc", "Phòng", Y2025)
        with pytest.raises(ModelError, match="^coordinators 'K T' is not a valid id"):
            Task("t", "Việc", "vhxh", Y2025, coordinators=["K T"])

    def test_empty_name_is_refused(self) -> None:
        """Names are non-empty text."""
        with pytest.raises(ModelError, match="^name must be a non-empty text$"):
            Unit("vhxh", "  ")


class TestTask:
    def test_lead_listed_as_coordinator_is_refused(self) -> None:
        """The lead unit cannot also coordinate the same task."""
        with pytest.raises(ModelError) as info:
            Task("c1", "Việc", "vhxh", Y2025, coordinators=["kt", "vhxh"])
        assert info.value.message == "unit 'vhxh' cannot both lead and coordinate task c1"

    def test_after_must_hold_dependencies(self) -> None:
        """Plain strings in after are a programming error, reported as ModelError."""
        with pytest.raises(ModelError, match="^after must hold Dependency values, got 'a'$"):
            Task("c1", "Việc", "vhxh", Y2025, after=["a"])

    def test_recurring(self) -> None:
        """A task with a rule or explicit dates recurs."""
        assert not task("a").recurring
        assert task("a", recurrence="FREQ=DAILY").recurring
        assert task("a", dates=[date(2025, 1, 2)]).recurring


class TestReportingPeriod:
    def test_valid(self) -> None:
        """A quarter is a reporting period."""
        q1 = ReportingPeriod("q1", "Quý I", date(2025, 1, 1), date(2025, 3, 31))
        assert q1.name == "Quý I"

    def test_end_before_start_is_refused(self) -> None:
        """A reporting period ending before it starts raises ModelError."""
        with pytest.raises(ModelError) as info:
            ReportingPeriod("q1", "Quý I", date(2025, 3, 31), date(2025, 1, 1))
        assert info.value.message == "reporting period q1 ends before it starts"

    def test_bad_id(self) -> None:
        """Reporting period ids follow the id rules."""
        with pytest.raises(ModelError, match="^id 'Q1' is not a valid id — use lower-case"):
            ReportingPeriod("Q1", "Quý I", date(2025, 1, 1), date(2025, 3, 31))


class TestLegalBasis:
    def test_number_is_required(self) -> None:
        """A legal basis needs its document number."""
        with pytest.raises(ModelError, match="^number must be a non-empty text$"):
            LegalBasis("")
        assert LegalBasis("49/QĐ-BNV", verb="Căn cứ").verb == "Căn cứ"


class TestPlan:
    def test_valid_plan_and_look_ups(self) -> None:
        """A valid plan builds, and finds units, groups, members and tasks."""
        p = plan(task("a"), task("b", "a"))
        assert p.unit("kt").name == "Phòng Kinh tế"
        assert p.task("b").after == (Dependency("a"),)
        assert p.groups == (UNITS[2],)
        assert p.members("all") == ("vhxh", "kt")
        assert p.members("kt") == ("kt",)
        assert [(t.id, d.task) for t, d in p.dependencies()] == [("b", "a")]
        with pytest.raises(KeyError):
            p.unit("nope")

    def test_nested_and_empty_groups(self) -> None:
        """Members are collected recursively; a group without members stands for itself."""
        units = (*UNITS, Group("outer", "Ngoài", members=["all", "hoi"]), Group("hoi", "Các hội"))
        assert plan(units=units).members("outer") == ("vhxh", "kt", "hoi")

    def test_unknown_unit_raises_model_error_with_hint(self) -> None:
        """Constructing a plan whose task names an unknown unit fails, suggesting the near id."""
        with pytest.raises(ModelError) as info:
            plan(task("a", lead="vhhx"))
        assert info.value.message == "tasks[0].lead: unknown unit 'vhhx'"
        assert info.value.hint == "did you mean 'vhxh'?"
        assert str(info.value) == "tasks[0].lead: unknown unit 'vhhx' — did you mean 'vhxh'?"
        assert isinstance(info.value, PlanError)
        assert isinstance(info.value, ValueError)

    def test_year_before_1900_is_refused(self) -> None:
        """The plan year is at least 1900, checked as a ModelError."""
        with pytest.raises(ModelError, match="^year must be at least 1900, got 1800$"):
            Plan(id="p", title="T", issuer="I", year=1800, units=(), tasks=())

    def test_unchecked_skips_whole_plan_check(self) -> None:
        """Inside unchecked(), a plan with problems still builds (the loader reports them)."""
        with unchecked():
            p = plan(task("a", lead="vhhx"))
        assert [pr.dotted for pr in plan_problems(p)] == ["tasks[0].lead"]
        with pytest.raises(ModelError):
            plan(task("a", lead="vhhx"))

    def test_plan_problems_lists_everything(self) -> None:
        """Every cross-reference problem is listed, in order, with its path, message and hint."""
        units = (*UNITS, Unit("kt", "Kế toán"), Group("g", "Nhóm", members=["g", "xx"]))
        with unchecked():
            p = plan(
                task("a", lead="vhhx", coordinators=["nope"]),
                task("a", window=Window(date(2024, 12, 1), date(2025, 1, 31))),
                task("b", "zz", dates=[date(2025, 11, 1)], except_dates=[date(2025, 1, 1)],
                     window=Q4),
                task("c", "c"),
                units=units,
            )  # fmt: skip
        got = [(pr.dotted, pr.message, pr.hint) for pr in plan_problems(p)]
        assert got == [
            ("units[3].id", "duplicate unit id 'kt'", "units[1] already uses it"),
            ("units[4].members[0]", "group 'g' lists itself as a member", None),
            ("units[4].members[1]", "unknown unit 'xx'", None),
            ("tasks[1].id", "duplicate task id 'a'", "tasks[0] already uses it"),
            ("tasks[0].lead", "unknown unit 'vhhx'", "did you mean 'vhxh'?"),
            ("tasks[0].coordinators[0]", "unknown unit 'nope'", None),
            ("tasks[1].window", "window 2024-12-01..2025-01-31 is outside the plan year 2025",
             "plans cover one year; use dates between 2025-01-01 and 2025-12-31"),
            ("tasks[2].except[0]", "date 2025-01-01 is outside the task's window "
             "2025-10-01..2025-12-31", None),
            ("tasks[2].after[0]", "unknown task 'zz'", None),
            ("tasks[3].after[0]", "task 'c' waits for itself",
             "only 'mode: previous' may name the task itself"),
        ]  # fmt: skip

    def test_self_dependency_only_with_mode_previous(self) -> None:
        """A task may wait for its own previous occurrence, and for nothing else of its own."""
        ok = plan(task("a", Dependency("a", DependencyMode.PREVIOUS)))
        assert find_cycle(ok) is None
        for mode in ("task", "same-period", "all"):
            with pytest.raises(ModelError) as info:
                plan(task("a", Dependency("a", mode)))
            assert str(info.value) == (
                "tasks[0].after[0]: task 'a' waits for itself — "
                "only 'mode: previous' may name the task itself"
            )


class TestCycles:
    def test_cycle_is_found_and_printed_as_a_path(self) -> None:
        """a → b → c → a: b waits for a, c for b, a for c."""
        with unchecked():
            p = plan(task("a", "c"), task("b", "a"), task("c", "b"), task("d", "a"))
        assert find_cycle(p) == ["a", "b", "c", "a"]
        assert [(pr.dotted, pr.message, pr.hint) for pr in plan_problems(p)] == [
            (
                "tasks[0].after",
                "dependency cycle: a → b → c → a",
                "remove one of these dependencies",
            )
        ]
        with pytest.raises(ModelError) as info:
            plan(*p.tasks)
        assert str(info.value) == (
            "tasks[0].after: dependency cycle: a → b → c → a — remove one of these dependencies"
        )

    def test_two_task_cycle(self) -> None:
        """Two tasks waiting for each other form a cycle."""
        with unchecked():
            p = plan(task("x", "y"), task("y", "x"))
        assert find_cycle(p) == ["x", "y", "x"]

    def test_no_cycle_in_a_diamond(self) -> None:
        """A diamond of dependencies is not a cycle."""
        p = plan(task("a"), task("b", "a"), task("c", "a"), task("d", "b", "c"))
        assert find_cycle(p) is None

    def test_cycle_error_and_format(self) -> None:
        """CycleError shows the cycle closed, whether or not the caller closed it."""
        assert format_cycle(["a", "b", "c"]) == "a → b → c → a"
        assert format_cycle(["a", "b", "c", "a"]) == "a → b → c → a"
        error = CycleError(["a", "b", "c", "a"])
        assert str(error) == "dependency cycle: a → b → c → a"
        assert error.cycle == ("a", "b", "c", "a")
        assert isinstance(error, PlanError)


def test_format_path() -> None:
    """Paths are written as in the docs."""
    assert format_path(("tasks", 4, "lead")) == "tasks[4].lead"
    assert format_path(("plan", "legal_bases", 0, "date")) == "plan.legal_bases[0].date"
    assert format_path(()) == ""


def test_period_values() -> None:
    """Period values are the words plan files use."""
    assert [p.value for p in Period] == [
        "day",
        "week",
        "month",
        "quarter",
        "half",
        "year",
        "window",
        "reporting",
    ]


class TestSharedCycleWalk:
    def test_one_cycle_per_knot_in_first_node_order(self) -> None:
        """Two knots, a → b → a and c → d → e → c, and f leading into the first: one
        closed path per knot, from its first node, knots in the order of the edges."""
        from planflow.plan.model.problems import cycles

        edges = {"f": ["a"], "c": ["d"], "a": ["b"], "b": ["a"], "d": ["e"], "e": ["c"]}
        assert cycles(edges) == [["c", "d", "e", "c"], ["a", "b", "a"]]
        assert cycles(edges, order="abcdef".index) == [["a", "b", "a"], ["c", "d", "e", "c"]]
        assert cycles({"a": ["b"], "b": ["c"], "c": []}) == []
