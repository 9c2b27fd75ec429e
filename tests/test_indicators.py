"""KPI targets (issue 10, point 1): goals, firmness, owners, checkpoints and verdicts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import planflow.cli.simulate  # noqa: F401  (registers the command)
from communes import KPI
from planflow.cli.main import cli
from planflow.plan.errors import PlanError, PlanFileError
from planflow.plan.goals import parse_checkpoints, parse_firmness, parse_goal
from planflow.plan.loading import loads
from planflow.plan.model import Comparator, Firmness, Goal, Metric
from planflow.run.indicators import Measurements, VerdictState, judge
from planflow.run.scenarios import parse_scenario
from planflow.run.single_run import simulate


@pytest.mark.parametrize(
    ("text", "goal", "percent"),
    [
        ("100%", Goal(Comparator.AT_LEAST, 100), True),
        ("≥ 80%", Goal(Comparator.AT_LEAST, 80), True),
        (">= 80 %", Goal(Comparator.AT_LEAST, 80), True),
        ("> 50%", Goal(Comparator.MORE_THAN, 50), True),
        ("hơn 50%", Goal(Comparator.MORE_THAN, 50), True),
        ("= 100%", Goal(Comparator.EQUAL, 100), True),
        ("tối thiểu 5%", Goal(Comparator.AT_LEAST, 5), True),
        ("không quá 10%", Goal(Comparator.AT_MOST, 10), True),
        ("60 – 70%", Goal(Comparator.RANGE, 60, 70), True),
        ("từ 60% đến 70%", Goal(Comparator.RANGE, 60, 70), True),
        ("1,5%", Goal(Comparator.AT_LEAST, 1.5), True),
        ("≥ 20", Goal(Comparator.AT_LEAST, 20), False),
    ],
)
def test_goal_forms(text: str, goal: Goal, percent: bool) -> None:
    assert parse_goal(text) == (goal, percent)


@pytest.mark.parametrize("text", ["khoảng 80%", "70 – 60%", "nhiều"])
def test_bad_goals_list_the_accepted_forms(text: str) -> None:
    with pytest.raises(PlanError) as err:
        parse_goal(text)
    assert "tối thiểu 5%" in (err.value.hint or "") or "low to high" in (err.value.hint or "")


@pytest.mark.parametrize(
    ("value", "met"),
    [(49.9, False), (50, False), (50.1, True)],
)
def test_more_than_excludes_the_bound(value: float, met: bool) -> None:
    assert Goal(Comparator.MORE_THAN, 50).met_by(value) is met


def test_range_includes_both_ends() -> None:
    goal = Goal(Comparator.RANGE, 60, 70)
    assert [goal.met_by(v) for v in (59.9, 60, 70, 70.1)] == [False, True, True, False]


def test_firmness_words() -> None:
    assert [
        parse_firmness(w)
        for w in ("đặt mục tiêu", "Phấn đấu", "hướng tới", "khuyến khích", "dự kiến")
    ] == [Firmness.REQUIRED, Firmness.STRIVE, Firmness.AIM, Firmness.ENCOURAGED, Firmness.EXPECTED]


def test_quarter_end_checkpoints() -> None:
    assert parse_checkpoints("cuối mỗi quý", 2025) == (
        date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31),
    )  # fmt: skip


def test_indicators_read_as_written() -> None:
    plan = loads(KPI).plan
    first, second, third, fourth = plan.indicators
    assert (first.goal, first.metric, first.excluding) == (
        Goal(Comparator.AT_LEAST, 100), Metric.PERCENT, ("hồ sơ mật",),
    )  # fmt: skip
    assert first.checkpoints[-1] == date(2025, 12, 31) and len(first.checkpoints) == 4
    assert (second.firmness, second.checkpoints) == (Firmness.STRIVE, (date(2025, 12, 31),))
    assert third.goal == Goal(Comparator.RANGE, 60, 70)
    assert (fourth.firmness, fourth.checkpoints) == (Firmness.AIM, (date(2025, 12, 31),))
    assert plan.task("xu-ly-ho-so").section == "cqs"


def test_on_time_year_meets_every_indicator() -> None:
    result = simulate(loads(KPI).plan)
    rows = result.indicators()
    # 4 quarter ends for vp; ca once; thon-1 twice, thon-2 only at 30/06 (ended after); vp once
    assert len(rows) == 4 + 1 + 3 + 1
    assert {r["state"] for r in rows} == {"met"}
    assert [r["unit"] for r in rows if r["indicator"] == "thanh-toan"] == [
        "thon-1", "thon-2", "thon-1",
    ]  # fmt: skip


def test_values_from_a_scenario_are_judged() -> None:
    plan = loads(KPI).plan
    scenario = parse_scenario(
        "indicators:\n"
        "  ho-so-mang: {2025-03-31: 92, 2025-06-30: 100}\n"
        "  dinh-danh: 75\n"
        "  thanh-toan: 55\n",
        plan=plan,
    )
    result = simulate(plan, model="random", scenario=scenario, seed=1)
    got = {(r["indicator"], r["unit"], r["checkpoint"]): (r["state"], r["failed"])
           for r in result.indicators()}  # fmt: skip
    assert got[("ho-so-mang", "vp", "2025-03-31")] == ("not met", True)  # required: a failure
    assert got[("ho-so-mang", "vp", "2025-06-30")] == ("met", False)
    assert got[("ho-so-mang", "vp", "2025-09-30")] == ("no data", False)
    assert got[("dinh-danh", "ca", "2025-12-31")] == ("not met", False)  # phấn đấu: not a failure
    assert got[("thanh-toan", "thon-1", "2025-06-30")] == ("not met", False)
    assert got[("doanh-nghiep", "vp", "2025-12-31")] == ("no data", False)


def test_judge_skips_units_that_ended_and_checkpoints_before_the_start() -> None:
    plan = loads(KPI.replace("  year: 2025\n", "  year: 2025\n  issued: 2025-04-10\n")).plan
    verdicts = judge(plan, Measurements(reach=True))
    assert min(v.checkpoint for v in verdicts) == date(2025, 6, 30)
    assert all(v.state is VerdictState.MET for v in verdicts)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('target: "≥ 80%"', 'target: "khoảng 80%"'), "cannot read 'khoảng 80%' as a target"),
        (("firmness: phấn đấu", "firmness: cố gắng"), "cannot read 'cố gắng' as a firmness"),
        (("owner: ca", "owner: cong-an"), "unknown unit 'cong-an'"),
        (("section: cqs\n    text", "section: cq\n    text"), "unknown section 'cq'"),
        (("by: 31/12/2025", "by: 31/12/2026"), "outside the plan year 2025"),
        (
            ("checkpoints: cuối mỗi quý", "checkpoints: mỗi tuần"),
            "cannot read 'mỗi tuần' as checkpoints",
        ),
    ],
)
def test_bad_indicators_are_located_errors(edit: tuple[str, str], message: str) -> None:
    text = KPI.replace(*edit)
    with pytest.raises(PlanFileError) as err:
        loads(text, file="plan.yaml")
    (problem,) = [p for p in err.value.problems if message in p.message]
    assert problem.path.startswith("indicators[")
    assert problem.line > text.splitlines().index("indicators:")


def test_simulate_groups_by_section(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(KPI, encoding="utf-8")
    out = CliRunner().invoke(cli, ["simulate", str(path), "--lang", "vi"])
    assert out.exit_code == 0, out.output
    assert "Chỉ tiêu — Phát triển chính quyền số" in out.output
    assert "Chỉ tiêu — Phát triển xã hội số" in out.output
    assert "Theo phần kế hoạch" in out.output
    assert "phấn đấu" in out.output and "khuyến khích" in out.output
    out = CliRunner().invoke(cli, ["simulate", str(path)])
    assert out.exit_code == 0, out.output
    assert "Indicators — Phát triển chính quyền số" in out.output
    assert "Per section" in out.output and "strive for" in out.output
