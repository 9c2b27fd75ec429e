"""Report figures: periods, the plan's clause order, counts against the run, targets."""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import cache

import pytest

from planflow import PlanError
from planflow.i18n import use_language
from planflow.plan.loading import load_plan
from planflow.plan.model import Plan
from planflow.reports.clauses import clause_key
from planflow.reports.data import ReportData, build_report
from planflow.reports.document import issuer_lines, place_and_date
from planflow.reports.periods import ReportPeriod, period_phrase, resolve_period
from planflow.run.scenarios import Profile, Scenario
from planflow.run.simulation import SimulationResult, simulate
from planflow.timeline.occurrences import Timeline

PLAN = "examples/boy_2025"


@cache
def boy() -> Plan:
    """The Bờ Y plan (loaded once)."""
    return load_plan(PLAN)


@cache
def random_run(end: date) -> SimulationResult:
    """A random year with late and missed work, stopped at ``end``."""
    scenario = Scenario(default=Profile(late=0.3, skip=0.1, min=1, mode=3, max=8))
    return simulate(boy(), model="random", seed=5, scenario=scenario, until=end)


def test_clause_order() -> None:
    """Sections, then Roman parts, numbers by value, points in the Vietnamese alphabet."""
    refs = ["E.6; E.1.a", "C.II.1", "C.I.2.đ", "C.I.10", "", "C.I.2.d", "C.I.2", "C.I.2.e", "A.1"]
    assert sorted(refs, key=clause_key) == [
        "A.1",
        "C.I.2",
        "C.I.2.d",
        "C.I.2.đ",
        "C.I.2.e",
        "C.I.10",
        "C.II.1",
        "E.6; E.1.a",
        "",
    ]


def test_tasks_follow_the_plan_clauses() -> None:
    """The Bờ Y report lists C.I before C.II before E, and C.I.3.đ between C.I.3.d and e."""
    data = build_report(simulate(boy()), resolve_period(boy(), "fy"))
    refs = [t.ref for t in data.tasks]
    assert refs.index("C.I.3.d") < refs.index("C.I.3.đ") < refs.index("C.I.3.e")
    assert refs.index("C.I.3.e") < refs.index("C.II.1") < refs.index("E.2.a") < refs.index("E.6")


class TestPeriods:
    """``--period``: the plan's ids, quarters, the year."""

    def test_plan_period_is_cumulative(self) -> None:
        """m9 is the plan's 9-month report: 1 January to 30 September."""
        period = resolve_period(boy(), "m9")
        assert (period.start, period.end, period.name) == (
            date(2025, 1, 1),
            date(2025, 9, 30),
            "9 tháng",
        )

    def test_quarter_and_year(self) -> None:
        """2025-Q3 is July to September; 2025 the whole year."""
        q3 = resolve_period(boy(), "2025-Q3")
        assert (q3.start, q3.end) == (date(2025, 7, 1), date(2025, 9, 30))
        year = resolve_period(boy(), "2025")
        assert (year.start, year.end) == (date(2025, 1, 1), date(2025, 12, 31))

    @pytest.mark.parametrize(("spec", "words"), [("m10", "m9"), ("2024-Q1", "2025"), ("Q5", "m9")])
    def test_unknown_period(self, spec: str, words: str) -> None:
        """An unknown period or another year: an error whose hint names what exists."""
        with pytest.raises(PlanError) as info:
            resolve_period(boy(), spec)
        assert words in str(info.value)

    @pytest.mark.parametrize(
        ("start", "end", "vi", "en"),
        [
            (date(2025, 1, 1), date(2025, 9, 30), "9 tháng đầu năm 2025", "first 9 months of 2025"),
            (date(2025, 7, 1), date(2025, 9, 30), "Quý III năm 2025", "quarter 3 of 2025"),
            (date(2025, 1, 1), date(2025, 12, 31), "năm 2025", "year 2025"),
            (date(2025, 2, 3), date(2025, 2, 9), "từ ngày 03/02/2025 đến ngày 09/02/2025", None),
        ],
    )
    def test_phrases(self, start: date, end: date, vi: str, en: str | None) -> None:
        """A period as an official writes it in a title."""
        with use_language("vi"):
            assert period_phrase(start, end) == vi
        if en is not None:
            with use_language("en"):
                assert period_phrase(start, end) == en


def _due_in(timeline: Timeline, period: ReportPeriod) -> Counter[str]:
    """Occurrences due in the period per plan task, counted from the timeline itself."""
    return Counter(o.plan_task for o in timeline if period.start <= o.due <= period.end)


@pytest.mark.parametrize("spec", ["q1", "h1", "m9", "fy", "2025-Q3"])
def test_on_time_model_meets_every_target(spec: str) -> None:
    """On time: everything due is done on time, every target met, nothing to raise."""
    period = resolve_period(boy(), spec)
    state = simulate(boy(), until=period.end)
    data = build_report(state, period)
    expected = _due_in(state.timeline, period)
    assert {t.task: t.counts.planned for t in data.tasks if t.counts.planned} == dict(expected)
    assert data.totals.planned == data.totals.done == data.totals.on_time == sum(expected.values())
    assert data.targets and all(r.met for r in data.targets)
    assert data.late() == [] and data.chains == ()


def test_target_share_of_the_schedule() -> None:
    """report-unit (4 reports a year, on 15/3, 15/6, 15/9, 15/12): 3 are due by 30/09."""
    data = build_report(simulate(boy()), resolve_period(boy(), "m9"))
    rows = [r for r in data.targets if r.task == "report-unit"]
    assert rows and all(r.expected == 3 and r.done == 3 for r in rows)


def test_random_run_counts_agree_with_the_outcomes() -> None:
    """Counts per task and in total equal a plain tally of the run's outcomes in the period."""
    period = resolve_period(boy(), "m9")
    state = random_run(period.end)
    data = build_report(state, period)
    tally: dict[str, Counter[str]] = {}
    for o in state.outcomes:
        if period.start <= o.occurrence.due <= period.end:
            tally.setdefault(o.occurrence.plan_task, Counter())[o.state.value] += 1
    for row in data.tasks:
        states = tally.get(row.task, Counter())
        assert row.counts.planned == sum(states.values())
        assert row.counts.on_time == states["done"]
        assert row.counts.late == states["late"]
        assert row.counts.missed == states["missed"]
        assert row.counts.done == states["done"] + states["late"]
    assert data.totals.missed == sum(t["missed"] for t in tally.values()) > 0
    assert data.totals.late > 0
    assert {i.key for i in data.missed()} == {
        f"{o.occurrence.task}#{o.occurrence.index}"
        for o in state.outcomes
        if o.state.value == "missed" and o.occurrence.due <= period.end
    }


def test_unit_filter() -> None:
    """--unit ca: only the tasks the police lead or coordinate, with their role."""
    period = resolve_period(boy(), "fy")
    data: ReportData = build_report(simulate(boy()), period, unit="ca")
    roles = {t.task: t.role for t in data.tasks}
    led = {t.id for t in boy().tasks if t.lead == "ca"}
    assert led and all(roles[t] == "lead" for t in led)
    assert "coordinator" in roles.values()
    assert all(i.unit == "ca" or "ca" in i.coordinators for i in data.items)


def test_document_parts() -> None:
    """The issuing body on two lines; place and date with the leading zeros of ND 30."""
    assert issuer_lines("Ủy ban nhân dân xã Bờ Y") == ("ỦY BAN NHÂN DÂN", "XÃ BỜ Y")
    with use_language("vi"):
        assert place_and_date("Bờ Y", date(2026, 1, 5), 2025) == "Bờ Y, ngày 05 tháng 01 năm 2026"
        assert place_and_date("Bờ Y", date(2025, 10, 15), 2025) == "Bờ Y, ngày 15 tháng 10 năm 2025"
        assert place_and_date("Bờ Y", None, 2025).endswith("năm 2025")


def test_docs_examples_run() -> None:
    """Every python example of docs/reports.md runs (and its assertions hold)."""
    import re
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "reports.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks
    for number, code in enumerate(blocks):
        exec(compile(code, f"docs/reports.md example {number}", "exec"), {})


def test_task_under_way_is_listed() -> None:
    """C.I.1 runs all year and is due on 31/12: the 9-month report lists it, nothing due yet."""
    data = build_report(simulate(boy()), resolve_period(boy(), "m9"))
    row = next(t for t in data.tasks if t.ref == "C.I.1")
    assert row.counts.planned == 0 and data.tasks[0] is row
    q1 = build_report(simulate(boy()), resolve_period(boy(), "2025-Q1"))
    assert "C.I.3.a" not in {t.ref for t in q1.tasks}  # its window is Q4/2025


def test_vietnamese_plan_format_example_loads() -> None:
    """docs/vi/plan-format.md: its example is the English page's, comments translated."""
    import re
    from pathlib import Path

    from planflow import loads

    docs = Path(__file__).parent.parent / "docs"

    def example(page: str) -> str:
        text = (docs / page).read_text(encoding="utf-8")
        return re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)[0]

    assert loads(example("vi/plan-format.md")).plan == loads(example("plan-format.md")).plan


def test_every_vietnamese_plan_format_example_loads() -> None:
    """Each whole plan on docs/vi/plan-format.md loads, with the dates its comments give."""
    import re
    from datetime import date
    from pathlib import Path

    from planflow import loads
    from planflow.timeline.occurrences import Timeline

    page = (Path(__file__).parent.parent / "docs" / "vi" / "plan-format.md").read_text("utf-8")
    plans = [b for b in re.findall(r"```yaml\n(.*?)```", page, flags=re.DOTALL) if "plan:" in b]
    assert len(plans) == 6
    loaded = [loads(text).plan for text in plans]
    started = Timeline(loaded[1])  # issued 14/02/2025, "ngày 10 hằng tháng": first due 10/03
    assert started.of_task("tuyen-truyen")[0].due == date(2025, 3, 10)
    reports = Timeline(loaded[4])  # period: reporting, due 20/03, 20/06, 19/09, 20/11
    assert [o.due for o in reports.of_task("bao-cao-dinh-ky")] == [
        date(2025, 3, 20), date(2025, 6, 20), date(2025, 9, 19), date(2025, 11, 20)
    ]  # fmt: skip


def test_gantt_and_heatmap_commands() -> None:
    """planflow gantt / heatmap print well-formed SVG: bars per occurrence, cells per week."""
    import xml.etree.ElementTree as ET

    from click.testing import CliRunner

    from planflow.cli.main import cli

    ns = {"s": "http://www.w3.org/2000/svg"}
    runner = CliRunner()
    gantt = runner.invoke(cli, ["gantt", PLAN, "--unit", "ca"], catch_exceptions=False).stdout
    root = ET.fromstring(gantt)
    timeline = Timeline(boy())
    expected = sum(
        "ca" in (lead, *coordinators)
        for occ in timeline
        for lead, coordinators in [timeline.units_of(timeline.duty(occ.task))]
    )
    bars = [r for r in root.iterfind(".//s:rect", ns) if "occ" in r.get("class", "").split()]
    assert len(bars) == expected > 0
    assert [g.get("data-unit") for g in root.iterfind(".//s:g", ns)] == ["ca"]
    heatmap = runner.invoke(cli, ["heatmap", PLAN, "--period", "h1"], catch_exceptions=False)
    cells = [
        r
        for r in ET.fromstring(heatmap.stdout).iterfind(".//s:rect", ns)
        if r.get("class") == "cell"
    ]
    after_june = [c for c in cells if c.get("data-week", "") > "2025-W27"]
    assert cells and all(c.get("data-load") == "0" for c in after_june)
    assert any(c.get("data-load") != "0" for c in cells)


def test_any_run_state_will_do() -> None:
    """A recorded state (not a simulation) feeds the report: occurrences it does not
    mention count as not done yet."""
    import attrs

    from planflow.run.engine import Outcome

    @attrs.frozen
    class Recorded:
        plan: Plan
        timeline: Timeline
        outcomes: tuple[Outcome, ...]
        capacity: int = 5

    period = resolve_period(boy(), "q1")
    full = simulate(boy(), until=period.end)
    first_ten = tuple(o for o in full.outcomes if o.occurrence.due <= period.end)[:10]
    data = build_report(Recorded(boy(), full.timeline, first_ten), period)
    assert data.totals.planned == sum(1 for o in full.outcomes if o.occurrence.due <= period.end)
    assert data.totals.done == 10 and data.totals.pending == data.totals.planned - 10
