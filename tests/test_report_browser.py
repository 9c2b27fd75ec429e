"""The HTML report in a real browser (Debian's headless Chromium, driven by Playwright).

The page must open offline with no console error and no request for anything
outside itself; the SVG charts are checked as the browser rendered them.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planflow.i18n import use_language
from planflow.plan.loading import load_plan
from planflow.reports.data import build_report
from planflow.reports.html import render_html
from planflow.reports.periods import resolve_period
from planflow.run.scenarios import Profile, Scenario
from planflow.run.simulation import simulate

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="needs Debian's chromium (apt-get install chromium)"
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DOCS = Path(__file__).parent.parent / "docs"


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any, list[str]]]:
    """The m9 report of a random year, open in Chromium: (page, data, problems)."""
    plan = load_plan("examples/boy_2025")
    scenario = Scenario(default=Profile(late=0.3, skip=0.1, min=1, mode=3, max=8))
    period = resolve_period(plan, "m9")
    state = simulate(plan, model="random", seed=11, scenario=scenario, until=period.end)
    data = build_report(state, period)
    with use_language("vi"):
        html = render_html(data)
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(html, encoding="utf-8")
    problems: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on(
            "request",
            lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url),
        )
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        yield page, data, problems
        browser.close()


def test_opens_offline_without_errors(report_page: tuple[Any, Any, list[str]]) -> None:
    """No console error, no script error, no request leaves the page."""
    page, _data, problems = report_page
    assert problems == []
    assert page.locator("h1.kind").inner_text() == "BÁO CÁO"


def test_gantt_bars(report_page: tuple[Any, Any, list[str]]) -> None:
    """One chart per unit with work; each of the unit's occurrences is a bar in its state."""
    page, data, _ = report_page
    plan = data.plan
    from planflow.timeline.occurrences import Timeline

    tl = Timeline(plan)
    expected: Counter[str] = Counter()
    for occ in tl:
        lead, coordinators = tl.units_of(tl.duty(occ.task))
        for unit in {lead, *coordinators}:
            expected[unit] += 1
    charts = page.locator("svg.gantt-chart g.gantt")
    units = charts.evaluate_all("gs => gs.map(g => g.dataset.unit)")
    assert units == [u.id for u in plan.units if expected[u.id]]
    for unit in ("vhxh", "ca", "bcd"):
        bars = page.locator(f'g.gantt[data-unit="{unit}"] rect.occ')
        assert bars.count() == expected[unit]
        box = bars.first.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
    missed = {i.key for i in data.items if i.state == "missed"}
    drawn = set(
        page.locator("rect.occ.state-missed").evaluate_all("rs => rs.map(r => r.dataset.key)")
    )
    assert missed and drawn == missed
    # vhxh consolidates the units' reports, its own among them: an arrow from each
    # report of vhxh's chart to the consolidation that waits for it
    in_chart = {i.key: i for i in data.items if "vhxh" in (i.unit, *i.coordinators)}
    links = {(w, k) for k, i in in_chart.items() for w in i.waits_for if w in in_chart}
    arrows = page.locator('g.gantt[data-unit="vhxh"] path.dep').evaluate_all(
        "ps => ps.map(p => [p.dataset.from, p.dataset.to])"
    )
    assert links and {tuple(a) for a in arrows} == links
    assert page.locator("line.today").count() == len(units)


def test_heatmap_cells(report_page: tuple[Any, Any, list[str]]) -> None:
    """53 ISO weeks × the units; a cell's load is the unit's occurrences that week."""
    page, data, _ = report_page
    cells = page.locator("svg.heatmap rect.cell")
    rows = page.locator("svg.heatmap text.row-label").count()
    # 2025-W01 (1/1/2025 is a Wednesday) … 2025-W52, and 2026-W01, which holds 29–31/12/2025
    assert cells.count() == rows * 53
    weeks = cells.evaluate_all("cs => cs.map(c => c.dataset.week)")
    assert weeks[0] == "2025-W01" and weeks[52] == "2026-W01"
    loads: Counter[tuple[str, str]] = Counter()
    for item in data.items:
        if item.in_period:
            day = item.completed or item.due
            year, week, _ = day.isocalendar()
            for unit in {item.unit, *item.coordinators}:
                loads[(unit, f"{year}-W{week:02d}")] += 1
    for unit, week in [("vhxh", "2025-W12"), ("ca", "2025-W38"), ("web", "2025-W27")]:
        cell = page.locator(f'rect.cell[data-unit="{unit}"][data-week="{week}"]')
        assert int(cell.get_attribute("data-load") or -1) == loads[(unit, week)]


def test_progress_bars(report_page: tuple[Any, Any, list[str]]) -> None:
    """One bar per target; its width is done over due, and red when the target is not met."""
    page, data, _ = report_page
    bars = page.locator("rect.progress-bar")
    assert bars.count() == len(data.targets)
    track = page.locator("rect.progress-track").first.bounding_box()
    for n, row in enumerate(data.targets[:5]):
        box = bars.nth(n).bounding_box()
        assert box is not None and track is not None
        share = min(row.done / row.expected, 1.0)
        assert box["width"] == pytest.approx(track["width"] * share, abs=1.0)


def test_print_screenshot(report_page: tuple[Any, Any, list[str]]) -> None:
    """The page as printed (print media): kept in docs/ for the reports page."""
    page, _, _ = report_page
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 900, "height": 1270})
    target = DOCS / "report-html-charts.png"
    box = page.locator("article.pictures").bounding_box()
    assert box is not None
    # the top of the charts' page: the legend and the first units' Gantt charts
    clip = {"x": box["x"], "y": box["y"], "width": box["width"], "height": 900}
    page.screenshot(path=str(target), clip=clip, full_page=True)
    assert target.stat().st_size > 10_000
    page.emulate_media(media="screen")
