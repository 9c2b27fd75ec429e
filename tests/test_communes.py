"""Plans of other communes (issue 10): the plan's start, units that end mid-year,
task defaults and reporting periods that are not calendar quarters.

Every expected date below is worked out by hand from the 2025 calendar (1 January
2025 is a Wednesday; 30/4, 1/5, 1–2/9 are holidays) and the plan's shift policy.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import planflow.cli.agenda  # noqa: F401  (registers the command)
from communes import DEFAULTS, PERIODS, START, UNITS
from planflow.cli.main import cli
from planflow.hooks.specs import ReportContext
from planflow.plan.errors import PlanFileError, Severity
from planflow.plan.loading import loads
from planflow.reports.context import report_data
from planflow.run.single_run import simulate
from planflow.timeline.occurrences import Timeline
from planflow.timeline.validation import plan_warnings


def _dues(timeline: Timeline, task: str) -> list[date]:
    return [o.due for o in timeline.of_task(task)]


# --- the plan's start --------------------------------------------------------------


class TestPlanStart:
    def test_number_and_issue_date_read_as_written(self) -> None:
        plan = loads(START, file="plan.yaml").plan
        assert plan.number == "25/KH-UBND"
        assert plan.issued == date(2025, 2, 14)
        assert plan.start == date(2025, 2, 14)

    @pytest.mark.parametrize("number", ["132-KH/UBND", "      /KH-UBND", "132/KH-UBND"])
    def test_irregular_numbers_kept_exactly(self, number: str) -> None:
        text = START.replace('"25/KH-UBND"', json.dumps(number))
        assert loads(text).plan.number == number

    def test_a_number_written_as_a_number_is_an_error_at_its_line(self) -> None:
        text = START.replace('"25/KH-UBND"', "132")
        with pytest.raises(PlanFileError) as err:
            loads(text, file="plan.yaml")
        (problem,) = err.value.problems
        assert (problem.line, problem.path) == (7, "plan.number")
        assert "quote it" in (problem.hint or "")

    def test_monthly_rule_starts_after_issue(self) -> None:
        timeline = Timeline(loads(START).plan)
        assert _dues(timeline, "tuyen-truyen") == [
            date(2025, 3, 10),
            date(2025, 4, 10),
            date(2025, 5, 9),  # 10/5 is a Saturday
            date(2025, 6, 10),
            date(2025, 7, 10),
            date(2025, 8, 8),  # 10/8 is a Sunday
            date(2025, 9, 10),
            date(2025, 10, 10),
            date(2025, 11, 10),
            date(2025, 12, 10),
        ]

    def test_without_issue_date_the_year_is_whole(self) -> None:
        text = START.replace("  issued: 14/02/2025\n", "")
        timeline = Timeline(loads(text).plan)
        dues = _dues(timeline, "tuyen-truyen")
        assert len(dues) == 12 and dues[0] == date(2025, 1, 10)
        assert len(timeline.of_task("cong-khai-tthc")) == 12

    def test_continuous_and_one_off_windows_open_on_the_issue_date(self) -> None:
        timeline = Timeline(loads(START).plan)
        checkins = timeline.of_task("cong-khai-tthc")
        assert len(checkins) == 11  # end of February … end of December
        assert (checkins[0].start, checkins[0].due) == (date(2025, 2, 14), date(2025, 2, 28))
        (review,) = timeline.of_task("rasoat-quy-1")
        assert (review.start, review.due) == (date(2025, 2, 14), date(2025, 3, 31))

    def test_explicit_window_before_the_start_warns_at_its_line(self) -> None:
        loaded = loads(START, file="plan.yaml")
        (warning,) = loaded.warnings
        assert warning.severity is Severity.WARNING
        assert warning.path == "tasks[3].window"
        assert (
            warning.line
            == START.splitlines().index("    window: {start: 2025-01-15, end: 2025-03-31}") + 1
        )
        assert "2025-01-15" in warning.message and "2025-02-14" in warning.message

    def test_window_over_before_the_start_has_no_occurrence(self) -> None:
        text = START.replace('window: "Quý I/2025"', 'window: "01/2025"')
        loaded = loads(text)
        assert Timeline(loaded.plan).of_task("rasoat-quy-1") == ()
        assert any("the task has no occurrence" in w.message for w in loaded.warnings)

    def test_effective_date_overrides_issue_date(self) -> None:
        text = START.replace(
            "  issued: 14/02/2025\n", "  issued: 14/02/2025\n  effective: 2025-03-01\n"
        )
        timeline = Timeline(loads(text).plan)
        assert _dues(timeline, "tuyen-truyen")[0] == date(2025, 3, 10)
        first = timeline.of_task("cong-khai-tthc")[0]
        assert (first.start, first.due) == (date(2025, 3, 1), date(2025, 3, 31))

    def test_vietnamese_date_that_does_not_exist(self) -> None:
        with pytest.raises(PlanFileError) as err:
            loads(START.replace("14/02/2025", "30/02/2025"))
        assert "'30/02/2025' is not a real date" in str(err.value)


# --- units that end or begin mid-year ---------------------------------------------


class TestUnitsThatEnd:
    def test_duties_after_the_end_pass_to_the_successor(self) -> None:
        timeline = Timeline(loads(UNITS).plan)
        old = [o.due for o in timeline.occurrences("bao-cao-thang")]
        new = [o.due for o in timeline.occurrences("bao-cao-thang@vp")]
        assert old == [
            date(2025, 1, 20), date(2025, 2, 20), date(2025, 3, 20),
            date(2025, 4, 18), date(2025, 5, 20), date(2025, 6, 20),
        ]  # fmt: skip
        assert new == [
            date(2025, 7, 18), date(2025, 8, 20), date(2025, 9, 19),
            date(2025, 10, 20), date(2025, 11, 20), date(2025, 12, 19),
        ]  # fmt: skip
        duty = timeline.duty("bao-cao-thang@vp")
        assert (duty.unit, duty.handed_from, duty.since) == ("vp", "vp-tk", date(2025, 7, 1))

    def test_target_counts_the_successors_work(self) -> None:
        loaded = loads(UNITS)
        assert not any("target" in w.message for w in plan_warnings(loaded))

    def test_group_member_merged_into_a_member_is_not_doubled(self) -> None:
        timeline = Timeline(loads(UNITS).plan)
        ids = sorted(d.id for d in timeline.duties if d.task.id == "cap-nhat-du-lieu")
        assert ids == ["cap-nhat-du-lieu@dtn", "cap-nhat-du-lieu@vp", "cap-nhat-du-lieu@vp-tk"]
        assert [o.due for o in timeline.occurrences("cap-nhat-du-lieu@vp")] == [
            date(2025, 9, 25),
            date(2025, 12, 25),
        ]

    def test_duties_of_an_ended_unit_without_successor_are_orphaned(self) -> None:
        loaded = loads(UNITS, file="plan.yaml")
        timeline = Timeline(loaded.plan)
        orphans = list(timeline.orphans())
        assert [(o.duty, o.due) for o in orphans] == [
            ("cap-nhat-du-lieu@dtn", date(2025, 9, 25)),
            ("cap-nhat-du-lieu@dtn", date(2025, 12, 25)),
        ]
        assert all(o.due <= date(2025, 6, 30) for o in timeline if o.unit == "dtn")
        (warning,) = [w for w in plan_warnings(loaded) if "no owner" in w.message]
        assert warning.path == "tasks[1].lead"
        assert "unit 'dtn' ends on 2025-06-30 and has no successor" in warning.message
        assert "25/09/2025, 25/12/2025" in warning.message

    def test_orphans_are_never_overdue(self) -> None:
        result = simulate(loads(UNITS).plan, model="on-time")
        assert not any(o.occurrence.unit == "dtn" and o.occurrence.due > date(2025, 6, 30)
                       for o in result.outcomes)  # fmt: skip
        assert all(o.on_time for o in result.outcomes)
        row = next(r for r in result.targets() if r["duty"] == "bao-cao-thang")
        assert (row["expected"], row["done"], row["met"]) == (12, 12, True)

    def test_agenda_shows_the_hand_over(self, tmp_path: Path) -> None:
        path = tmp_path / "plan.yaml"
        path.write_text(UNITS, encoding="utf-8")
        out = CliRunner().invoke(cli, ["agenda", str(path), "--unit", "vp", "--json"])
        assert out.exit_code == 0, out.output
        rows = [r for r in json.loads(out.output) if r["plan_task"] == "bao-cao-thang"]
        assert [r["due"] for r in rows][:1] == ["2025-07-18"]
        assert {r["handed_from"] for r in rows} == {"vp-tk"}

    @pytest.mark.parametrize(
        ("edit", "message"),
        [
            (("successor: vp", "successor: vpp"), "unknown unit 'vpp'"),
            (("successor: vp", "successor: vp-tk"), "names itself as its successor"),
            (("    until: 30/06/2025\n", ""), "has a successor but no end date"),
        ],
    )
    def test_bad_successors_are_errors(self, edit: tuple[str, str], message: str) -> None:
        with pytest.raises(PlanFileError) as err:
            loads(UNITS.replace(*edit), file="plan.yaml")
        assert message in str(err.value)
        assert "units[0]" in str(err.value)


# --- defaults -------------------------------------------------------------------


class TestDefaults:
    def test_tasks_inherit_and_override(self) -> None:
        plan = loads(DEFAULTS).plan
        kept, own = plan.task("duy-tri-cong-ttdt"), plan.task("hop-giao-ban")
        assert (kept.lead, kept.window.continuous, kept.shift.value) == ("vp", True, "next")
        assert kept.reminder is not None and (kept.reminder.days, kept.reminder.working) == (
            5,
            True,
        )
        assert (own.lead, own.window.continuous, own.shift.value) == ("vhxh", False, "previous")
        assert own.reminder == kept.reminder

    def test_a_bad_default_is_reported_once_at_its_line(self) -> None:
        text = DEFAULTS.replace("shift: next", "shift: later")
        with pytest.raises(PlanFileError) as err:
            loads(text, file="plan.yaml")
        problems = [p for p in err.value.problems if "later" in p.message]
        assert len(problems) == 1
        assert problems[0].path == "defaults.shift"

    def test_unknown_default_key(self) -> None:
        with pytest.raises(PlanFileError) as err:
            loads(DEFAULTS.replace("  shift: next", "  title: x"), file="plan.yaml")
        assert "plan.yaml:10:3: defaults: unknown key 'title'" in str(err.value)

    def test_show_prints_resolved_values(self, tmp_path: Path) -> None:
        path = tmp_path / "plan.yaml"
        path.write_text(DEFAULTS, encoding="utf-8")
        out = CliRunner().invoke(cli, ["show", str(path), "--json"])
        assert out.exit_code == 0, out.output
        task = json.loads(out.output)["tasks"][0]
        assert (task["lead"], task["shift"], task["reminder"]) == ("vp", "next", "+5 working days")


# --- reporting periods --------------------------------------------------------------


class TestReportingPeriods:
    def test_reports_due_on_the_periods_fixed_days(self) -> None:
        timeline = Timeline(loads(PERIODS).plan)
        got = [(o.period, o.start, o.due) for o in timeline.of_task("bao-cao-dinh-ky")]
        assert got == [
            ("q1", date(2025, 3, 15), date(2025, 3, 20)),
            ("h1", date(2025, 6, 15), date(2025, 6, 20)),
            ("m9", date(2025, 9, 15), date(2025, 9, 19)),  # 20/9 is a Saturday
            ("fy", date(2025, 11, 15), date(2025, 11, 20)),
        ]

    def test_monthly_reports_labelled_with_the_plans_periods(self) -> None:
        timeline = Timeline(loads(PERIODS).plan)
        labels = [o.period for o in timeline.of_task("bao-cao-thang")]
        assert labels == ["q1", "q1", "q1", "q2", "q2", "h1", "q3", "q3", "m9", "fy", "fy", "fy"]

    def test_on_time_year_never_misses_a_target(self) -> None:
        plan = loads(PERIODS).plan
        reports: list[dict[str, object]] = []
        simulate(
            plan,
            on_period_closed=lambda e, r: reports.append(
                report_data(ReportContext(plan, e, r)).to_dict()
            ),
        )
        closed = [r["period"]["id"] for r in reports]  # type: ignore[index]
        assert sorted(closed) == ["fy", "h1", "m9", "q1", "q2", "q3"]
        quarterly = {
            r["period"]["id"]: t["expected"]  # type: ignore[index]
            for r in reports
            for t in r["targets"]  # type: ignore[attr-defined]
            if t["task"] == "bao-cao-quy"
        }
        # 20/3 falls after q1's cut-off (14/3), in q2; 20/6 after q2's, in q3; 20/12 after
        # fy's (14/11). A share of "4 per year" pro rata would have expected one in q1.
        assert quarterly == {"q2": 1, "h1": 1, "q3": 1, "m9": 2, "fy": 3}
        assert all(t["met"] for r in reports for t in r["targets"])  # type: ignore[attr-defined]

    def test_report_due_before_its_period_ends_is_an_error(self) -> None:
        text = PERIODS.replace("due: 20/03/2025", "due: 10/03/2025")
        with pytest.raises(PlanFileError) as err:
            loads(text, file="plan.yaml")
        assert "is due (2025-03-10) before the period ends (2025-03-14)" in str(err.value)


# --- the documentation ------------------------------------------------------------


def _doc_plans() -> list[str]:
    import re

    from plans import DOCS_FORMAT

    text = DOCS_FORMAT.read_text(encoding="utf-8")
    return [
        b for b in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL) if b.startswith("planflow")
    ]


@pytest.mark.parametrize("number", range(len(_doc_plans())))
def test_every_documented_plan_validates(number: int) -> None:
    """Each whole plan in docs/plan-format.md loads with no error and no warning."""
    loaded = loads(_doc_plans()[number], file=f"plan-format.md block {number}")
    assert loaded.warnings == ()


def test_boy_example_with_and_without_the_clip() -> None:
    """docs/plan-format.md: Bờ Y has 334 occurrences as shipped, 143 from 18/08/2025 —
    exactly those of the unclipped plan due on or after that day, in the same tasks."""
    import attrs

    from planflow.plan.loading import load_plan
    from plans import EXAMPLE_DIR

    plan = load_plan(EXAMPLE_DIR)
    whole = list(Timeline(plan))
    start = date(2025, 8, 18)
    clipped = list(Timeline(attrs.evolve(plan, effective=start)))
    later = [o for o in whole if o.due >= start]
    assert (len(whole), len(clipped)) == (334, 143)
    assert len(later) == len(clipped)
    assert {o.plan_task for o in clipped} == {o.plan_task for o in whole}


def test_boy_example_clipped_warns_only_about_the_emptied_dependency() -> None:
    """docs/plan-format.md: with effective 18/08/2025, targets are not re-judged against
    the part of the year left; the one warning is August's rebroadcasts waiting for a
    programme (04/08) that is now before the plan."""
    import attrs

    from planflow.plan.loading import load
    from plans import EXAMPLE_DIR

    loaded = load(EXAMPLE_DIR)
    clipped = attrs.evolve(loaded, plan=attrs.evolve(loaded.plan, effective=date(2025, 8, 18)))
    (warning,) = plan_warnings(clipped)
    assert "wait for no occurrence of 'dx-radio-programme'" in warning.message
    assert "periods 2025-08" in warning.message


def test_duplicate_reporting_period_ids_are_an_error() -> None:
    text = PERIODS.replace("{id: q2, name:", "{id: q1, name:")
    with pytest.raises(PlanFileError) as err:
        loads(text, file="plan.yaml")
    (problem,) = err.value.problems
    assert problem.path == "reporting_periods[1].id"
    assert "duplicate reporting period id 'q1'" in problem.message
