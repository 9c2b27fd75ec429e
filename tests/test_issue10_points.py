"""Issue 10 points that had no test of their own: a KPI target that is a share of an
external figure (GRDP), and ``agenda --section``."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from communes import HEAD
from planflow.cli.main import cli
from planflow.plan.loading import loads
from planflow.plan.model import Comparator, Goal, Metric
from planflow.run.scenarios import parse_scenario
from planflow.run.single_run import simulate
from plans import ROOT

GRDP = (
    HEAD
    + """\
units:
  - {id: kt, name: "Công chức Tài chính - Kế toán"}
tasks:
  - id: theo-doi-kts
    title: "Theo dõi tỷ trọng kinh tế số"
    lead: kt
    window: "Năm 2025"
indicators:
  - id: kinh-te-so
    text: "Kinh tế số chiếm tối thiểu 5% GRDP của xã"
    target: "tối thiểu 5%"
    metric: share
    denominator: "GRDP của xã"
    owner: kt
    checkpoints: [30/06/2025, 31/12/2025]
"""
)


def test_a_share_of_an_external_figure_is_judged_at_each_checkpoint() -> None:
    """ "tối thiểu 5% GRDP": 4,5 at 30/06 is not met (a required target: a failure), 5 at
    31/12 is met (the bound is included)."""
    plan = loads(GRDP).plan
    (indicator,) = plan.indicators
    assert (indicator.metric, indicator.goal, indicator.denominator) == (
        Metric.SHARE,
        Goal(Comparator.AT_LEAST, 5),
        "GRDP của xã",
    )
    scenario = parse_scenario(
        "indicators:\n  kinh-te-so: {2025-06-30: 4.5, 2025-12-31: 5}\n", plan=plan
    )
    rows = simulate(plan, model="on-time", scenario=scenario).indicators()
    got = [(r["checkpoint"], r["state"], r["failed"]) for r in rows]
    assert got == [("2025-06-30", "not met", True), ("2025-12-31", "met", False)]


def test_agenda_keeps_only_the_tasks_of_a_section() -> None:
    """examples/phu_lam_cds_2025 with ``--section xhs``: exactly the tasks the plan file
    puts in section xhs that have dates, read from the file itself."""
    path = ROOT / "examples" / "phu_lam_cds_2025" / "plan.yaml"
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    in_section = {t["id"] for t in written["tasks"] if t.get("section") == "xhs"}

    def agenda(*extra: str) -> list[dict[str, object]]:
        out = CliRunner().invoke(cli, ["agenda", str(path), "--json", *extra])
        assert out.exit_code == 0, out.output
        rows: list[dict[str, object]] = json.loads(out.output)
        return rows

    every = agenda()
    only = agenda("--section", "xhs")
    assert {r["plan_task"] for r in only} == {r["plan_task"] for r in every} & in_section
    assert len(only) == sum(r["plan_task"] in in_section for r in every) > 0
    wrong = CliRunner().invoke(cli, ["agenda", str(path), "--section", "xh"])
    assert wrong.exit_code == 2
    assert "unknown section 'xh'" in wrong.output


def test_a_target_written_as_the_plan_writes_it_names_what_it_is_of() -> None:
    """ "tối thiểu 5% GRDP" as the plan has it: the goal is at least 5 %, of GRDP (the
    words after the percentage are the denominator unless one is given)."""
    text = GRDP.replace('    target: "tối thiểu 5%"\n', '    target: "tối thiểu 5% GRDP"\n')
    text = text.replace('    denominator: "GRDP của xã"\n', "")
    (indicator,) = loads(text).plan.indicators
    assert (indicator.goal, indicator.metric, indicator.denominator) == (
        Goal(Comparator.AT_LEAST, 5),
        Metric.SHARE,
        "GRDP",
    )
    plain = text.replace("    metric: share\n", "")
    (indicator,) = loads(plain).plan.indicators
    assert (indicator.metric, indicator.denominator) == (Metric.PERCENT, "GRDP")
    given = GRDP.replace('    target: "tối thiểu 5%"\n', '    target: "hơn 50% doanh nghiệp"\n')
    (indicator,) = loads(given).plan.indicators
    assert (indicator.goal, indicator.denominator) == (
        Goal(Comparator.MORE_THAN, 50),
        "GRDP của xã",
    )


def test_a_count_metric_on_a_percentage_target_is_refused_at_its_line(tmp_path: Path) -> None:
    """``metric: count`` with ``target: "tối thiểu 5%"`` contradicts itself: refused at
    the metric's line (the fixture's line 33, column 13), with what to do."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(GRDP.replace("    metric: share\n", "    metric: count\n"), encoding="utf-8")
    out = CliRunner().invoke(cli, ["validate", str(plan), "--lang", "en"])
    assert out.exit_code == 1, out.output
    line = GRDP.splitlines().index("    metric: share") + 1
    assert (
        f"plan.yaml:{line}:13: indicators[0].metric: the target 'tối thiểu 5%' is a "
        "percentage, not a count — leave 'metric' out, or write the target without '%'"
    ) in out.output


def test_a_share_shows_as_a_percentage() -> None:
    """A share of GRDP is a percentage: its goal reads "≥ 5%", as the plan wrote it."""
    plan = loads(GRDP).plan
    rows = simulate(plan, model="on-time").indicators()
    assert {r["goal"] for r in rows} == {"≥ 5%"}
