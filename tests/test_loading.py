"""Loading plan files: values, aliases, and every error located by file, line and column."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from planflow.plan.errors import PlanError, PlanFileError, Problem, Severity
from planflow.plan.limits import ALIAS_VALUES
from planflow.plan.loading import load, load_plan, loads
from planflow.plan.model import DependencyMode, Group, LeadMode, Offset, Period, Target, Window
from planflow.plan.rules.vietnamese import VIETNAMESE_EXAMPLES
from planflow.plan.yamldoc import MAX_BYTES
from planflow.timeline.recurrence import SHORTHANDS

BASE = """\
planflow: 1
plan:
  id: boy-2025
  title: Truyền thông về CCHC và CĐS xã Bờ Y năm 2025
  issuer: Ủy ban nhân dân xã Bờ Y
  year: 2025
units:
  - id: vhxh
    name: Phòng Văn hóa - Xã hội
    aliases: [VHXH, Phòng VH-XH]
  - id: kt
    name: Phòng Kinh tế
groups:
  - id: all
    name: Các cơ quan, đơn vị
    members: [vhxh, kt]
tasks:
  - id: a
    title: Chuyên mục phát thanh
    lead: vhxh
    window: Q4/2025
  - id: b
    title: Báo cáo
    lead: kt
    window: 2025
    after: [a]
"""


VI_WINDOWS = (
    "'Năm 2025', 'Quý IV/2025', 'Quý III, IV/2025', '6 tháng cuối năm 2025', 'tháng 3/2025', "
    "'Từ tháng 7 đến tháng 12/2025', 'từ ngày 15/01/2025 đến ngày 31/03/2025', "
    "'Sáng ngày 13/02/2025', 'Thường xuyên trong năm'"
)


def at(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based line and column of the ``nth`` occurrence of ``needle`` in ``text``."""
    index = -1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def edit(*changes: tuple[str, str]) -> str:
    """BASE with each ``old`` replaced (once, and it must be there) by ``new``."""
    text = BASE
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def problems(text: str) -> list[str]:
    """The lines of the PlanFileError that loading ``text`` raises."""
    with pytest.raises(PlanFileError) as info:
        loads(text, file="plan.yaml")
    error = info.value
    assert str(error).splitlines() == [str(p) for p in error.problems]
    for problem in error.problems:
        assert problem.file == "plan.yaml"
        assert problem.line >= 1
        assert problem.column >= 1
    return str(error).splitlines()


def loc(text: str, needle: str, nth: int = 1, *, skip: int = 0) -> str:
    """``plan.yaml:LINE:COL:`` of a needle (``skip`` characters into it)."""
    line, col = at(text, needle, nth)
    return f"plan.yaml:{line}:{col + skip}:"


# --- valid files ---------------------------------------------------------------------------


class TestValid:
    def test_base_plan(self) -> None:
        """The base plan loads with its units, groups, windows and dependencies."""
        loaded = loads(BASE, file="plan.yaml")
        plan = loaded.plan
        assert loaded.file == "plan.yaml"
        assert loaded.warnings == ()
        assert (plan.id, plan.year, plan.timezone) == ("boy-2025", 2025, "Asia/Ho_Chi_Minh")
        assert [u.id for u in plan.units] == ["vhxh", "kt", "all"]
        assert isinstance(plan.unit("all"), Group)
        assert plan.task("a").window == Window(date(2025, 10, 1), date(2025, 12, 31), "Q4/2025")
        assert plan.task("b").after[0].task == "a"
        assert plan.task("b").after[0].mode is DependencyMode.TASK

    @pytest.mark.parametrize(
        "spelling",
        [
            "vhxh",
            "VHXH",
            "Phòng VH-XH",
            "Phòng Văn hóa - Xã hội",
            "PHÒNG VĂN HÓA – XÃ HỘI.",
            "phòng  văn hóa-xã hội",
            unicodedata.normalize("NFD", "Phòng Văn hóa - Xã hội"),
        ],
    )
    def test_units_are_found_by_id_name_or_alias(self, spelling: str) -> None:
        """A task may name its lead by id, name or alias, in any case, dash or normal form."""
        text = edit(("    lead: vhxh", f'    lead: "{spelling}"'))
        assert loads(text).plan.task("a").lead == "vhxh"

    def test_aliases_resolve_in_members_and_coordinators(self) -> None:
        """Group members and coordinators resolve names too; one coordinator may be a scalar."""
        text = edit(
            ("members: [vhxh, kt]", "members: [Phòng VH-XH, phòng kinh tế.]"),
            ("    lead: kt\n", "    lead: kt\n    coordinators: VHXH\n"),
        )
        plan = loads(text).plan
        assert plan.members("all") == ("vhxh", "kt")
        assert plan.task("b").coordinators == ("vhxh",)

    def test_text_is_nfc_and_stripped(self) -> None:
        """Texts saved decomposed come back composed (NFC)."""
        text = unicodedata.normalize("NFD", BASE)
        plan = loads(text).plan
        assert plan.title == "Truyền thông về CCHC và CĐS xã Bờ Y năm 2025"
        assert plan.title == unicodedata.normalize("NFC", plan.title)
        assert plan.unit("kt").name == "Phòng Kinh tế"

    def test_every_task_field(self) -> None:
        """Every task key is read into the model."""
        text = edit(
            (
                "    after: [a]\n",
                "    after:\n"
                "      - a\n"
                "      - {task: b, mode: previous}\n"
                "      - {task: a, mode: same period, lag: +2 working days, note: sau}\n"
                "    ref: C.I.2.a\n"
                "    title_en: Report\n"
                "    category: CĐS\n"
                "    lead_mode: together\n"
                "    recurrence: twice a month\n"
                "    dates: 2025-03-03\n"
                "    except: [2025-04-01]\n"
                "    period: month\n"
                "    check_in: weekly\n"
                "    target: khoảng 3 tin/tháng\n"
                "    due: 5 ngày làm việc\n"
                "    shift: next\n"
                "    reminder: -2 days\n"
                "    time: 8h00 - 11h30\n"
                "    notes: |\n"
                "      dòng 1\n"
                "      dòng 2\n"
                "    source: {page: '3'}\n",
            )
        )
        t = loads(text).plan.task("b")
        assert [(d.task, d.mode.value, str(d.lag), d.note) for d in t.after] == [
            ("a", "task", "+0 days", ""),
            ("b", "previous", "+0 days", ""),
            ("a", "same-period", "+2 working days", "sau"),
        ]
        assert (t.ref, t.title_en, t.category, t.lead_mode) == (
            "C.I.2.a", "Report", ("CĐS",), LeadMode.TOGETHER,
        )  # fmt: skip
        assert t.recurrence == "FREQ=MONTHLY;BYMONTHDAY=1,15"
        assert t.dates == (date(2025, 3, 3),)
        assert t.except_dates == (date(2025, 4, 1),)
        assert (t.period, t.check_in) == (Period.MONTH, "FREQ=WEEKLY")
        assert t.target == Target(3, Period.MONTH, approximate=True, unit="tin")
        assert (t.due, t.reminder) == (Offset(5, working=True), Offset(-2))
        assert (str(t.time.start), str(t.time.end)) == ("08:00:00", "11:30:00")  # type: ignore[union-attr]
        assert t.notes == "dòng 1\ndòng 2"
        assert t.source == {"page": "3"}

    @pytest.mark.parametrize(("shorthand", "rule"), sorted(SHORTHANDS.items()))
    def test_recurrence_shorthands(self, shorthand: str, rule: str) -> None:
        """Every recurrence shorthand, English or Vietnamese, is stored as its canonical RRULE."""
        text = edit(("    window: 2025\n", f"    window: 2025\n    recurrence: {shorthand}\n"))
        assert loads(text).plan.task("b").recurrence == rule

    @pytest.mark.parametrize(
        ("written", "rule"),
        [
            ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
            ("mỗi 3 tháng", "FREQ=MONTHLY;INTERVAL=3"),
            ("2 tuần/lần", "FREQ=WEEKLY;INTERVAL=2"),
            ("weekly on monday and thursday", "FREQ=WEEKLY;BYDAY=MO,TH"),
            ("RRULE:freq=monthly;byday=-1fr", "FREQ=MONTHLY;BYDAY=-1FR"),
        ],
    )
    def test_recurrence_patterns(self, written: str, rule: str) -> None:
        """Patterned shorthands and lower-case RRULEs are normalised too."""
        text = edit(("    window: 2025\n", f"    window: 2025\n    recurrence: {written}\n"))
        assert loads(text).plan.task("b").recurrence == rule

    def test_window_mapping_and_continuous(self) -> None:
        """A window mapping takes start, end, an optional label and continuous."""
        text = edit(
            (
                "window: Q4/2025",
                "window: {start: 2025-02-01, end: 2025-04-30, label: đợt 1, continuous: true}",
            )
        )
        assert loads(text).plan.task("a").window == Window(
            date(2025, 2, 1), date(2025, 4, 30), "đợt 1", continuous=True
        )

    def test_calendar_and_reporting_periods(self) -> None:
        """Calendar settings, reporting periods and legal bases are read."""
        text = edit(
            (
                "units:\n",
                "calendar:\n"
                "  country: la\n"
                "  shift: keep\n"
                "  reminder: 2 days\n"
                "  check_in: weekly\n"
                "  days_off: [{date: 2025-09-02, reason: Quốc khánh}]\n"
                "  working_days: [{date: 2025-04-26, reason: Làm bù, source: QĐ 1}]\n"
                "reporting_periods:\n"
                "  - {id: q1, name: Quý I, start: 2025-01-01, end: 2025-03-31}\n"
                "units:\n",
            ),
            (
                "  year: 2025\n",
                "  year: 2025\n"
                "  legal_bases:\n"
                "    - {verb: Căn cứ, number: 49/QĐ-BNV, date: 2025-03-01, issuer: Bộ Nội vụ}\n",
            ),
        )
        plan = loads(text).plan
        assert (plan.country, plan.shift.value, plan.reminder) == ("LA", "keep", Offset(2))
        assert plan.check_in == "FREQ=WEEKLY"
        assert plan.days_off == ((date(2025, 9, 2), "Quốc khánh", ""),)
        assert plan.working_days == ((date(2025, 4, 26), "Làm bù", "QĐ 1"),)
        assert plan.reporting_periods[0].end == date(2025, 3, 31)
        assert plan.legal_bases[0].date == date(2025, 3, 1)

    def test_merge_keys(self) -> None:
        """YAML anchors and merge keys work, with the mapping's own keys winning."""
        text = edit(
            ("  - id: a\n", "  - &base\n    id: a\n"),
            ("  - id: b\n    title: Báo cáo\n", "  - <<: *base\n    id: b\n    title: Báo cáo\n"),
        )
        plan = loads(text).plan
        assert plan.task("b").title == "Báo cáo"
        assert plan.task("b").lead == "kt"

    def test_located_problem_for_later_checks(self) -> None:
        """LoadedPlan.problem points into the file for checks made after loading."""
        loaded = loads(BASE, file="plan.yaml")
        problem = loaded.problem(("tasks", 1, "window"), "no working day in the window")
        assert str(problem) == (
            f"{loc(BASE, '2025' + chr(10) + '    after')} warning: tasks[1].window: "
            "no working day in the window"
        )
        assert loaded.problem(("tasks", 0, "nope"), "x").line == at(BASE, "- id: a\n")[0]


# --- each error class ----------------------------------------------------------------------


class TestErrors:
    def test_unknown_unit_with_hint(self) -> None:
        """unknown unit 'vhhx' — did you mean 'vhxh'?"""
        text = edit(("lead: vhxh", "lead: vhhx"))
        assert problems(text) == [
            f"{loc(text, 'vhhx')} tasks[0].lead: unknown unit 'vhhx' — did you mean 'vhxh'?"
        ]

    def test_unknown_unit_without_near_match(self) -> None:
        """An unknown unit with nothing close says how to fix it."""
        text = edit(("lead: kt", "lead: Công an xã"))
        assert problems(text) == [
            f"{loc(text, 'Công an xã')} tasks[1].lead: unknown unit 'Công an xã' — list it under "
            "units: or groups:, or use the id or one of the aliases of a listed unit"
        ]

    def test_unknown_member_and_coordinator(self) -> None:
        """Group members and coordinators are checked too."""
        text = edit(
            ("members: [vhxh, kt]", "members: [vhxh, kkt]"),
            ("    lead: kt\n", "    lead: kt\n    coordinators: [vhxh, zzz]\n"),
        )
        assert problems(text) == [
            f"{loc(text, 'kkt')} groups[0].members[1]: unknown unit 'kkt' — did you mean 'kt'?",
            f"{loc(text, 'zzz')} tasks[1].coordinators[1]: unknown unit 'zzz' — list it under "
            "units: or groups:, or use the id or one of the aliases of a listed unit",
        ]

    def test_unknown_task(self) -> None:
        """A dependency on an unknown task suggests the near id."""
        text = edit(("after: [a]", "after: [aa]"))
        assert problems(text) == [
            f"{loc(text, 'aa]')} tasks[1].after[0]: unknown task 'aa' — did you mean 'a'?"
        ]

    def test_duplicate_unit_id(self) -> None:
        """A duplicate unit id points at the second one and names the first."""
        text = edit(("  - id: kt", "  - id: vhxh"))
        assert problems(text) == [
            f"{loc(text, 'vhxh', 2)} units[1].id: duplicate unit id 'vhxh' — units[0] already uses it",
            f"{loc(text, 'kt]')} groups[0].members[1]: unknown unit 'kt' — list it under units: "
            "or groups:, or use the id or one of the aliases of a listed unit",
            f"{loc(text, 'kt', 2)} tasks[1].lead: unknown unit 'kt' — list it under units: or "
            "groups:, or use the id or one of the aliases of a listed unit",
        ]

    def test_duplicate_task_id(self) -> None:
        """A duplicate task id points at the second one and names the first."""
        text = edit(("  - id: b", "  - id: a"))
        assert problems(text) == [
            f"{loc(text, 'a' + chr(10) + '    title: Báo cáo')} tasks[1].id: duplicate task id "
            "'a' — tasks[0] already uses it",
            f"{loc(text, 'a]')} tasks[1].after[0]: task 'a' waits for itself — only 'mode: "
            "previous' may name the task itself",
        ]

    def test_missing_required_fields(self) -> None:
        """Missing keys are reported at the mapping that lacks them, each once."""
        text = edit(("    lead: vhxh\n", ""), ("    title: Báo cáo\n", ""), ("  year: 2025\n", ""))
        assert problems(text) == [
            f"{loc(text, 'id: boy-2025')} plan: missing required key 'year'",
            f"{loc(text, 'id: a' + chr(10))} tasks[0]: missing required key 'lead'",
            f"{loc(text, 'id: b' + chr(10))} tasks[1]: missing required key 'title'",
        ]

    def test_missing_top_level_keys(self) -> None:
        """A file without plan, units and tasks says so."""
        assert problems("planflow: 1\n") == [
            "plan.yaml:1:1: plan: expected a mapping (key: value lines), got nothing",
            "plan.yaml:1:1: missing required key 'plan'",
            "plan.yaml:1:1: missing required key 'tasks'",
            "plan.yaml:1:1: missing required key 'units' — list the units that lead or coordinate",
        ]

    def test_unknown_keys_with_hints(self) -> None:
        """A misspelt key points at the key and suggests the right one; the missing one is named."""
        text = edit(("title: Chuyên mục phát thanh", "tittle: Chuyên mục phát thanh"))
        assert problems(text) == [
            f"{loc(text, 'id: a' + chr(10))} tasks[0]: missing required key 'title'",
            f"{loc(text, 'tittle')} tasks[0]: unknown key 'tittle' — did you mean 'title'?",
        ]

    def test_wrong_types(self) -> None:
        """Values of the wrong type are reported where they are, each once."""
        text = edit(
            ("year: 2025", "year: soon"),
            ("name: Phòng Kinh tế", "name: [a]"),
            ("title: Chuyên mục phát thanh", "title: {x: 1}"),
            ("window: 2025", "window: [1]"),
            ("after: [a]", "after: 5"),
        )
        assert problems(text) == [
            f"{loc(text, 'soon')} plan.year: expected a year such as 2025, got 'soon'",
            f"{loc(text, '[a]')} units[1].name: expected a text, got a list",
            f"{loc(text, '{x: 1}')} tasks[0].title: expected a text, got a mapping",
            f"{loc(text, '[1]')} tasks[1].window: cannot read [1] as a window — write 2025, "
            "'Q4/2025', 'Q3-Q4/2025', 'H1/2025', '03/2025', '2025-01-15..2025-03-31', "
            "'throughout the year', or {start: 2025-01-15, end: 2025-03-31}; or as plans write "
            f"it: {VI_WINDOWS}",
            f"{loc(text, 'after: 5', skip=7)} tasks[1].after[0]: expected a mapping (key: value lines), "
            "got a number (5)",
        ]

    def test_bad_choices_and_forms(self) -> None:
        """Enumerations, offsets, targets and times say what they accept."""
        text = edit(
            (
                "    after: [a]\n",
                "    after: [{task: a, mode: later}]\n"
                "    time: 25:00-26:00\n"
                "    target: lots\n"
                "    due: soon\n"
                "    period: fortnight\n",
            )
        )
        assert problems(text) == [
            f"{loc(text, 'later')} tasks[1].after[0].mode: 'later' is not one of task, "
            "same-period, all, previous, in-period",
            f"{loc(text, '25:00')} tasks[1].time: '25:00-26:00': hour must be in 0..23 — "
            "hours are 0-23, minutes 0-59",
            f"{loc(text, 'lots')} tasks[1].target: cannot read 'lots' as a target — write e.g. "
            "'24 per year', 'about 3 per month' or {count: 24, per: year}",
            f"{loc(text, 'soon')} tasks[1].due: cannot read 'soon' as a number of days — write "
            "e.g. '+5 working days', '3 days' or '-2 working days'",
            f"{loc(text, 'fortnight')} tasks[1].period: 'fortnight' is not one of day, week, "
            "month, quarter, half, year, window, reporting",
        ]

    def test_bad_ids(self) -> None:
        """Ids that are not ids are reported once, and references to them are not repeated."""
        text = edit(("  id: boy-2025", "  id: Bờ Y"), ("  - id: kt", "  - id: KT"))
        assert problems(text) == [
            f"{loc(text, 'Bờ Y')} plan.id: 'Bờ Y' is not a valid id — use lower-case ASCII "
            "letters, digits, '-', '_' or '.' (write 'đ' as 'dd')",
            f"{loc(text, 'KT')} units[1].id: 'KT' is not a valid id — use lower-case ASCII "
            "letters, digits, '-', '_' or '.' (write 'đ' as 'dd')",
            f"{loc(text, 'kt]')} groups[0].members[1]: unknown unit 'kt' — list it under units: "
            "or groups:, or use the id or one of the aliases of a listed unit",
            f"{loc(text, 'kt', 2)} tasks[1].lead: unknown unit 'kt' — list it under units: or "
            "groups:, or use the id or one of the aliases of a listed unit",
        ]

    def test_id_of_the_wrong_type(self) -> None:
        """An id that is not text says what it is."""
        text = edit(("  - id: b", "  - id: [b]"))
        assert problems(text) == [f"{loc(text, '[b]')} tasks[1].id: expected an id, got a list"]

    def test_window_outside_the_plan_year(self) -> None:
        """A window in another year is located at the window."""
        text = edit(("window: Q4/2025", "window: Q4/2024"))
        assert problems(text) == [
            f"{loc(text, 'Q4/2024')} tasks[0].window: window 2024-10-01..2024-12-31 is outside "
            "the plan year 2025 — plans cover one year; use dates between 2025-01-01 and 2025-12-31"
        ]

    @pytest.mark.parametrize(
        "window", ["{start: 2025-03-01, end: 2025-02-01}", "2025-03-01..2025-02-01"]
    )
    def test_window_ending_before_it_starts(self, window: str) -> None:
        """A window ending before its start is refused with a hint."""
        text = edit(("window: Q4/2025", f"window: {window}"))
        assert problems(text) == [
            f"{loc(text, window)} tasks[0].window: window ends (2025-02-01) before it starts "
            "(2025-03-01) — swap the dates or fix the end"
        ]

    def test_date_outside_the_window(self) -> None:
        """Explicit dates must fall inside the task's window."""
        text = edit(
            ("    window: Q4/2025\n", "    window: Q4/2025\n    dates: [2025-10-02, 2025-01-05]\n")
        )
        assert problems(text) == [
            f"{loc(text, '2025-01-05')} tasks[0].dates[1]: date 2025-01-05 is outside the "
            "task's window 2025-10-01..2025-12-31"
        ]

    @pytest.mark.parametrize(
        ("rule", "message"),
        [
            (
                "FREQ=MONTHLY;BYMONTHDAY=32",
                "BYMONTHDAY=32 is out of range — BYMONTHDAY takes 1 to 31, or -1 (last day of the "
                "month) to -31",
            ),
            (
                "every blue moon",
                "unknown recurrence 'every blue moon' — write an RRULE such as "
                "FREQ=WEEKLY;BYDAY=MO, or one of: daily, weekly, every 2 weeks, monthly, twice a "
                "month, quarterly, yearly; or as plans write it: " + VIETNAMESE_EXAMPLES,
            ),
        ],
    )
    def test_invalid_rrule(self, rule: str, message: str) -> None:
        """An invalid recurrence is located at the rule, with the recurrence module's message."""
        text = edit(("    window: Q4/2025\n", f"    window: Q4/2025\n    recurrence: {rule}\n"))
        assert problems(text) == [f"{loc(text, rule)} tasks[0].recurrence: {message}"]

    def test_recurrence_of_the_wrong_type(self) -> None:
        """A recurrence must be text."""
        text = edit(("    window: Q4/2025\n", "    window: Q4/2025\n    recurrence: [1]\n"))
        assert problems(text) == [
            f"{loc(text, '[1]')} tasks[0].recurrence: expected a recurrence rule or shorthand, "
            "got a list — write e.g. 'monthly', 'every 2 weeks' or 'FREQ=MONTHLY;BYMONTHDAY=15'"
        ]

    def test_dependency_cycle_printed_as_a_path(self) -> None:
        """a → b → c → a, located at the first task's after."""
        text = edit(
            ("    window: Q4/2025\n", "    window: Q4/2025\n    after: [c]\n"),
            (
                "    after: [a]\n",
                "    after: [a]\n  - id: c\n    title: Tổng hợp\n    lead: vhxh\n    window: 2025\n"
                "    after: [b]\n",
            ),
        )
        assert problems(text) == [
            f"{loc(text, '[c]')} tasks[0].after: dependency cycle: a → b → c → a — remove one "
            "of these dependencies"
        ]

    def test_self_dependency_needs_mode_previous(self) -> None:
        """A task may wait only for its own previous occurrence."""
        ok = edit(("after: [a]", "after: [{task: b, mode: previous}]"))
        assert loads(ok).plan.task("b").after[0].mode is DependencyMode.PREVIOUS
        text = edit(("after: [a]", "after: [b]"))
        assert problems(text) == [
            f"{loc(text, 'b]')} tasks[1].after[0]: task 'b' waits for itself — only 'mode: "
            "previous' may name the task itself"
        ]

    def test_name_naming_two_units(self) -> None:
        """One spelling cannot name two units."""
        text = edit(("aliases: [VHXH, Phòng VH-XH]", "aliases: [VHXH, Phòng Kinh tế]"))
        assert problems(text) == [
            f"{loc(text, 'Phòng Kinh tế', 2)} units[1].name: name 'Phòng Kinh tế' already names "
            "unit 'vhxh' — each spelling may name only one unit"
        ]

    def test_calendar_periods_and_legal_bases(self) -> None:
        """Problems in calendar:, reporting_periods: and legal_bases: are located."""
        text = edit(
            (
                "units:\n",
                "calendar:\n"
                "  shift: sideways\n"
                "  days_off: [{date: 2025-09-02, reason: Lễ}]\n"
                "  working_days: [{date: 2025-09-02, reason: Bù}]\n"
                "reporting_periods:\n"
                "  - {id: q1, name: Quý I, start: 2025-03-31, end: 2025-01-01}\n"
                "units:\n",
            ),
            (
                "  year: 2025\n",
                "  year: 2025\n  timezone: Mars/Base\n  legal_bases:\n    - {verb: Căn cứ}\n",
            ),
        )
        assert problems(text) == [
            f"{loc(text, 'Mars/Base')} plan.timezone: unknown time zone 'Mars/Base' — use an "
            "IANA name such as Asia/Ho_Chi_Minh",
            f"{loc(text, '{verb')} plan.legal_bases[0]: missing required key 'number'",
            f"{loc(text, 'sideways')} calendar.shift: 'sideways' is not one of previous, next, keep",
            f"{loc(text, '[{date: 2025-09-02, reason: Bù}]')} calendar.working_days: 2025-09-02 is listed "
            "both as a day off and as a working day — keep it in one list only",
            f"{loc(text, '2025-01-01}')} reporting_periods[0].end: reporting period q1 ends "
            "before it starts",
        ]

    def test_day_without_reason_and_unknown_country(self) -> None:
        """A day off without a reason and an unknown holiday country are located errors
        (they used to surface later, from the timeline, without a place)."""
        blank_reason = "' '"
        text = edit(
            (
                "units:\n",
                "calendar:\n"
                "  country: XQ\n"
                "  days_off:\n"
                "    - {date: 2025-09-03}\n"
                "    - {date: 2025-09-04, reason: ' '}\n"
                "units:\n",
            ),
        )
        assert problems(text) == [
            f"{loc(text, 'XQ')} calendar.country: no public holidays known for country 'XQ' "
            "— use an ISO 3166 code such as 'VN'",
            f"{loc(text, '{date: 2025-09-03}')} calendar.days_off[0]: missing required key "
            "'reason'",
            f"{loc(text, blank_reason)} calendar.days_off[1].reason: the reason is empty — say why, "
            'e.g. "Nghỉ bù Tết Nguyên đán"',
        ]

    def test_format_version(self) -> None:
        """Another format version is refused."""
        text = edit(("planflow: 1", "planflow: 2"))
        assert problems(text) == [
            "plan.yaml:1:11: planflow: unknown format version 2 — this planflow reads format 1"
        ]

    def test_all_problems_at_once(self) -> None:
        """Every problem of the file is reported in one error, in file order."""
        text = edit(
            ("planflow: 1", "planflow: 2"),
            ("year: 2025", "year: 2025\n  timezone: Nowhere"),
            ("aliases: [VHXH, Phòng VH-XH]", "aliases: [VHXH, Phòng VH-XH]\n    colour: red"),
            ("lead: vhxh", "lead: vhhx"),
            ("after: [a]", "after: [zz]"),
        )
        lines = problems(text)
        assert [line.split(": ", 2)[1] for line in lines] == [
            "planflow",
            "plan.timezone",
            "units[0]",
            "tasks[0].lead",
            "tasks[1].after[0]",
        ]
        assert [int(line.split(":")[1]) for line in lines] == sorted(
            int(line.split(":")[1]) for line in lines
        )


class TestYamlErrors:
    def test_syntax_error_with_hint(self) -> None:
        """An unquoted ': ' inside a value is a located syntax error with a hint."""
        text = edit(("title: Báo cáo", "title: Báo cáo: quý"))
        assert problems(text) == [
            f"{loc(text, ': quý')} YAML syntax error: mapping values are not allowed in this "
            "context — a text containing ': ' must be quoted"
        ]

    def test_tab_indentation(self) -> None:
        """Tabs used for indentation are located, with a hint."""
        text = edit(("    title: Báo cáo", "\ttitle: Báo cáo"))
        assert problems(text) == [
            f"{loc(text, chr(9))} YAML syntax error: found a tab character that violates "
            "indentation (while scanning a plain scalar) — indent with spaces, not tabs"
        ]

    def test_unclosed_flow_list(self) -> None:
        """An unclosed '[' is reported where the parser gave up."""
        text = "plan: [\n"
        assert problems(text) == [
            "plan.yaml:2:1: YAML syntax error: did not find expected node content (while "
            "parsing a flow node) — check indentation and quoting around this place"
        ]

    def test_duplicate_key(self) -> None:
        """A key given twice is located at the second."""
        text = edit(("  year: 2025\n", "  year: 2025\n  year: 2026\n"))
        assert problems(text) == [
            f"{loc(text, 'year', 2)} plan: key 'year' appears twice — YAML keeps only the last "
            "one; remove or merge the duplicates"
        ]

    def test_bad_scalar(self) -> None:
        """A date that does not exist is located, and so is a bad tagged value."""
        text = edit(("  year: 2025\n", "  year: 2025\n  issued: 2025-02-30\n  notes: !!bool x\n"))
        assert problems(text) == [
            f"{loc(text, '2025-02-30')} plan.issued: cannot read '2025-02-30': day is out of "
            "range for month — quote the value to keep it as text",
            f"{loc(text, '!!bool')} plan.notes: cannot read 'x': not a valid bool value — quote "
            "the value to keep it as text",
        ]

    def test_control_character(self) -> None:
        """A character YAML does not allow is located exactly, even after Vietnamese text."""
        text = edit(("title: Báo cáo", "title: Báo cáo\x07"))
        assert problems(text) == [
            f"{loc(text, chr(7))} the file contains the character '\\x07', which YAML does not "
            "allow (control characters are not allowed) — delete it, or write it as an escape "
            "inside double quotes"
        ]

    def test_lone_surrogate_in_text(self) -> None:
        """A str holding a lone surrogate (not possible from a file) is still a located error."""
        text = edit(("title: Báo cáo", "title: Báo cáo\ud800"))
        assert problems(text) == [
            f"{loc(text, chr(0xD800))} the text contains a lone surrogate, which is not a "
            "character — decode the file as UTF-8 before loading it"
        ]

    @pytest.mark.parametrize("text", ["", "  \n", "# nothing here\n"])
    def test_empty(self, text: str) -> None:
        """An empty file says so."""
        assert problems(text) == [
            "plan.yaml:1:1: the plan file is empty — start from the example in docs/plan-format.md"
        ]

    @pytest.mark.parametrize(
        ("text", "kind"), [("- a\n- b\n", "a list"), ("hello\n", "str 'hello'")]
    )
    def test_not_a_mapping(self, text: str, kind: str) -> None:
        """A document that is not a mapping says what it is."""
        assert problems(text) == [
            f"plan.yaml:1:1: expected a mapping (key: value lines), got {kind}"
        ]

    def test_alias_bomb(self) -> None:
        """Aliases nested inside each other ('billion laughs') are refused with a clear message."""
        text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for i, name in enumerate("bcdefghi"):
            prev = "abcdefghi"[i]
            text += f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]\n"
        assert problems(text) == [
            f"plan.yaml:1:1: the YAML aliases (*name) and merge keys (<<) copy more than "
            f"{ALIAS_VALUES.default:,} values (aliases repeated inside each other?) — write the "
            "plan without nested aliases; if the plan really is this large, raise the limit: "
            "PLANFLOW_MAX_ALIAS_VALUES=<number>"
        ]

    @pytest.mark.parametrize(
        "text",
        [
            "a: " + "[" * 5000 + "]" * 5000 + "\n",
            "- " * 5000 + "x\n",
            "".join(" " * i + "a:\n" for i in range(900)) + " " * 900 + "a: 1\n",
        ],
    )
    def test_deeply_nested(self, text: str) -> None:
        """Deep nesting is refused, by the parser or by the builder, without a RecursionError."""
        (line,) = problems(text)
        assert "nest" in line

    def test_too_large_text(self) -> None:
        """loads() refuses text over the size limit too."""
        assert problems("#" * (MAX_BYTES + 1)) == [
            f"plan.yaml:1:1: the plan is larger than {MAX_BYTES:,} bytes — if the plan really "
            "is this large, raise the limit: PLANFLOW_MAX_BYTES=<number>"
        ]


class TestLoadFiles:
    def test_file_and_folder(self, tmp_path: Path) -> None:
        """PLAN may be the file or a folder holding plan.yaml."""
        (tmp_path / "plan.yaml").write_text(BASE, encoding="utf-8")
        assert load(tmp_path / "plan.yaml").plan == load(tmp_path).plan
        assert load(tmp_path).file == str(tmp_path / "plan.yaml")
        assert load_plan(str(tmp_path)).id == "boy-2025"

    def test_folder_with_plan_yml(self, tmp_path: Path) -> None:
        """plan.yml is found too."""
        (tmp_path / "plan.yml").write_text(BASE, encoding="utf-8")
        assert load(tmp_path).file == str(tmp_path / "plan.yml")

    def test_utf8_bom_is_accepted(self, tmp_path: Path) -> None:
        """Files saved with a UTF-8 byte order mark load (Windows editors add one)."""
        path = tmp_path / "plan.yaml"
        path.write_bytes(b"\xef\xbb\xbf" + BASE.encode("utf-8"))
        assert load(path).plan == loads(BASE).plan

    def test_errors_name_the_file(self, tmp_path: Path) -> None:
        """Problems carry the path of the file."""
        path = tmp_path / "kế hoạch.yaml"
        text = edit(("lead: vhxh", "lead: vhhx"))
        path.write_text(text, encoding="utf-8")
        with pytest.raises(PlanFileError) as info:
            load(path)
        line, col = at(text, "vhhx")
        assert str(info.value) == (
            f"{path}:{line}:{col}: tasks[0].lead: unknown unit 'vhhx' — did you mean 'vhxh'?"
        )
        assert info.value.file == str(path)

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is a PlanFileError, not a traceback."""
        path = tmp_path / "nope.yaml"
        with pytest.raises(PlanFileError) as info:
            load(path)
        assert str(info.value) == (
            f"{path}:1:1: no such file — check the path; PLAN may also be a folder holding plan.yaml"
        )

    def test_folder_without_plan(self, tmp_path: Path) -> None:
        """A folder without plan.yaml says so."""
        with pytest.raises(PlanFileError) as info:
            load(tmp_path)
        assert str(info.value) == (
            f"{tmp_path}:1:1: no plan.yaml in folder {str(tmp_path)!r} — give the plan file "
            "itself, or a folder holding plan.yaml"
        )

    def test_not_utf8(self, tmp_path: Path) -> None:
        """A Latin-1 or Windows-1258 file is located at its first bad byte."""
        path = tmp_path / "plan.yaml"
        path.write_bytes("plan:\n  title: Kế hoạch B".encode() + b"\xe1 Y\n")
        with pytest.raises(PlanFileError) as info:
            load(path)
        column = len("  title: Kế hoạch B") + 1
        assert str(info.value) == (
            f"{path}:2:{column}: the file is not UTF-8 (byte 0xe1) — save the file as UTF-8 "
            "(Vietnamese text needs it)"
        )

    def test_nul_bytes(self, tmp_path: Path) -> None:
        """A binary file is refused at its first NUL."""
        path = tmp_path / "plan.yaml"
        path.write_bytes(b"plan:\n  id: a\x00b\n")
        with pytest.raises(PlanFileError) as info:
            load(path)
        assert str(info.value) == (
            f"{path}:2:8: the file contains NUL characters — this looks like a binary file, "
            "not a plan"
        )

    def test_too_large(self, tmp_path: Path) -> None:
        """A file over 16 MiB is refused before it is read."""
        path = tmp_path / "plan.yaml"
        path.write_bytes(b"#" * (16 * 1024 * 1024 + 1))
        with pytest.raises(PlanFileError) as info:
            load(path)
        assert str(info.value) == (
            f"{path}:1:1: the file is 16,777,217 bytes; plan files are limited to 16,777,216 — "
            "is this the right file? if the plan really is this large, raise the limit: "
            "PLANFLOW_MAX_BYTES=<number>"
        )

    def test_alias_bomb_file(self, tmp_path: Path) -> None:
        """A small file that expands enormously is refused quickly."""
        path = tmp_path / "plan.yaml"
        lines = ["a: &a [" + ", ".join(["lol"] * 9) + "]"]
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
            lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(PlanFileError, match="copy more than 100,000 values"):
            load(path)

    def test_deeply_nested_lists_file(self, tmp_path: Path) -> None:
        """Deeply nested lists are refused with a located message."""
        path = tmp_path / "plan.yaml"
        path.write_text("tasks: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
        with pytest.raises(PlanFileError) as info:
            load(path)
        (problem,) = info.value.problems
        assert problem.line == 1
        assert "nesting depth" in problem.message


class TestErrorTypes:
    def test_problem_str(self) -> None:
        """A problem reads FILE:LINE:COL: [warning: ]path: message — hint."""
        problem = Problem("unknown unit 'x'", "p.yaml", 3, 5, "tasks[0].lead", "did you mean 'y'?")
        assert str(problem) == "p.yaml:3:5: tasks[0].lead: unknown unit 'x' — did you mean 'y'?"
        warning = Problem("late", "p.yaml", severity=Severity.WARNING)
        assert str(warning) == "p.yaml:1:1: warning: late"

    def test_plan_file_error_sorts_and_separates_errors(self) -> None:
        """Problems come in file order; errors are the problems that are not warnings."""
        error = PlanFileError(
            [Problem("b", "f", 9, 1), Problem("a", "f", 2, 4, severity=Severity.WARNING)]
        )
        assert [p.message for p in error.problems] == ["a", "b"]
        assert [p.message for p in error.errors] == ["b"]
        assert str(error) == "f:2:4: warning: a\nf:9:1: b"
        assert isinstance(error, PlanError)
        assert isinstance(error, ValueError)
