"""The smaller faults of issue 10 (point 10), each with a hand-computed case."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

import planflow.cli.agenda  # noqa: F401  (registers the command)
from communes import CASCADE, HEAD
from planflow.cli.main import cli
from planflow.plan.errors import PlanError, Severity
from planflow.plan.forms import parse_target
from planflow.plan.loading import loads
from planflow.run.single_run import simulate
from planflow.timeline.occurrences import Timeline
from planflow.timeline.validation import plan_warnings
from rules_plans import load_tasks

UNIT = """units:
  - {id: vp, name: "Văn phòng HĐND và UBND xã"}
tasks:
"""


def test_check_in_on_a_task_that_is_not_continuous_warns() -> None:
    text = (
        HEAD
        + UNIT
        + (
            "  - id: hoi-nghi\n"
            '    title: "Hội nghị triển khai"\n'
            "    lead: vp\n"
            '    window: "Quý I/2025"\n'
            '    check_in: "hằng tuần"\n'
        )
    )
    (warning,) = loads(text, file="plan.yaml").warnings
    assert warning.path == "tasks[0].check_in"
    assert "check_in is ignored: its window is not continuous" in warning.message


def test_a_target_with_two_unknown_fields_names_both() -> None:
    with pytest.raises(PlanError, match="unknown target fields 'colour', 'size'"):
        parse_target({"count": 2, "colour": "red", "size": 3})


def test_daily_task_over_tet_warns_about_the_pile() -> None:
    """Tết 2025: Saturday 25/01 to Sunday 02/02 are all days off (27/01–01/02 public
    holidays, two weekends), so 'hằng ngày' puts ten occurrences on Friday 24/01."""
    text = (
        HEAD
        + UNIT
        + (
            "  - id: truc-ban\n"
            '    title: "Trực ban tiếp nhận hồ sơ trực tuyến"\n'
            "    lead: vp\n"
            '    window: "Quý I/2025"\n'
            '    recurrence: "hằng ngày"\n'
        )
    )
    loaded = loads(text, file="plan.yaml")
    (warning,) = [w for w in plan_warnings(loaded) if "days off move" in w.message]
    assert warning.path == "tasks[0].recurrence"
    assert warning.message.startswith("days off move 10 occurrences (24/01–02/02) onto 24/01/2025")
    keep = text.replace('"hằng ngày"\n', '"hằng ngày"\n    shift: keep\n')
    assert not [w for w in plan_warnings(loads(keep)) if "days off move" in w.message]


def test_agenda_lists_the_reports_before_the_consolidation_that_waits_for_them(
    tmp_path: Path,
) -> None:
    """06/06/2025: the units' reports and the consolidation (moved back from Sunday 08/06)
    fall on one day; the consolidation comes last, though its id sorts first."""
    path = tmp_path / "plan.yaml"
    path.write_text(CASCADE.replace("tong-hop", "a-tong-hop"), encoding="utf-8")
    out = CliRunner().invoke(
        cli, ["agenda", str(path), "--from", "2025-06-06", "--to", "2025-06-06", "--json"]
    )
    assert out.exit_code == 0, out.output
    rows = [r["task"] for r in json.loads(out.output) if r["due"] == "2025-06-06"]
    assert rows == ["thon-bao-cao@thon-1", "thon-bao-cao@thon-2", "a-tong-hop"]


def test_year_end_duties_count_in_the_plans_last_week() -> None:
    """31/12/2025 is in ISO week 2026-W01; a 2025 plan counts it in 2025-W53 (the
    partial week after 2025-W52, which ends on Sunday 28/12)."""
    text = (
        HEAD
        + UNIT
        + (
            "  - id: tong-ket\n"
            '    title: "Tổng kết năm"\n'
            "    lead: vp\n"
            '    window: "Tháng 12/2025"\n'
        )
    )
    result = simulate(loads(text).plan)
    (row,) = result.workload()
    assert row["peak_week"] == "2025-W53"


def test_each_task_is_checked_for_piles_the_earliest_biggest_one_shown() -> None:
    """``k`` keeps its days (no pile), ``n`` has one date (no pile); ``w``'s weekend
    dates of March 2025 make two piles of two, on Friday 7 (from Saturday 8 and Sunday
    9) and Friday 14: the earlier one is shown, the other counted; ``z``'s one pile
    (Friday 21) alone."""
    loaded = load_tasks("""
  - {id: k, title: "Giữ", lead: u, window: "2025-01", recurrence: daily, shift: keep}
  - {id: n, title: "Một ngày", lead: u, window: 2025, dates: [2025-03-03]}
  - {id: w, title: "Cuối tuần", lead: u, window: 2025, dates: [2025-03-08, 2025-03-09, 2025-03-15, 2025-03-16]}
  - {id: z, title: "Một cuối tuần", lead: u, window: 2025, dates: [2025-03-22, 2025-03-23]}
""")
    piles = [w for w in plan_warnings(loaded) if w.message.startswith("days off move")]
    assert [(w.path, w.message) for w in piles] == [
        (
            "tasks[2].dates",
            "days off move 2 occurrences (08/03–09/03) onto 07/03/2025, and 1 more such day",
        ),
        ("tasks[3].dates", "days off move 2 occurrences (22/03–23/03) onto 21/03/2025"),
    ]
    assert {(w.hint, w.severity) for w in piles} == {
        (
            "leave out the days off (a rule with BYDAY=MO,TU,WE,TH,FR, or 'except:'), "
            "or 'shift: keep' to keep them on their own days",
            Severity.WARNING,
        )
    }


def test_a_window_ending_on_the_plans_first_day_keeps_that_day() -> None:
    """Issued Monday 31 March 2025: a first-quarter task still has its last day, due
    then (opened that day too: the days before are not the plan's)."""
    loaded = load_tasks('  - {id: q, title: "Quý I", lead: u, window: "Q1/2025"}\n')
    plan = attrs.evolve(loaded.plan, issued=date(2025, 3, 31))
    (occ,) = Timeline(plan).occurrences("q")
    assert (occ.start, occ.due) == (date(2025, 3, 31), date(2025, 3, 31))
