"""An independent parser: Mozilla's ical.js (Thunderbird's engine) reads the same dates.

Needs ``node`` and ``npm``; ``tests/icaljs/package.json`` pins ical.js, installed into
``tests/icaljs/node_modules`` the first time (then reused). Skipped, with the reason,
where node is missing or the package cannot be installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings

from planflow.feeds import plan_feed, unit_feed
from planflow.plan.loading import loads
from planflow.plan.model import Plan
from planflow.timeline.occurrences import Timeline
from strategies import plans
from test_feeds import TIMED_PLAN, docs_plan, duty_of, example_plan, with_reasons

HELPER = Path(__file__).resolve().parent / "icaljs"


@pytest.fixture(scope="module")
def icaljs() -> Path:
    """The helper folder with ical.js installed, or a skip."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to check feeds with ical.js")
    if not (HELPER / "node_modules" / "ical.js").is_dir():
        result = subprocess.run(
            [npm, "install", "--prefix", str(HELPER), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            pytest.skip(f"could not install ical.js with npm: {result.stderr.strip()[-300:]}")
    return HELPER


def icaljs_occurrences(helper: Path, feeds: list[bytes], tmp: Path) -> list[dict[str, list[str]]]:
    """Occurrences by duty, as ical.js expands each feed (one node process for all)."""
    paths = []
    for number, feed in enumerate(feeds):
        path = tmp / f"feed{number}.ics"
        path.write_bytes(feed)
        paths.append(str(path))
    out = subprocess.run(
        ["node", str(helper / "expand.mjs"), *paths],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    results = []
    for by_uid in json.loads(out.stdout):
        found: dict[str, list[str]] = defaultdict(list)
        for uid, values in by_uid.items():
            found[duty_of(uid)].extend(values)
        results.append({k: sorted(set(v)) for k, v in found.items()})
    assert len(results) == len(feeds)
    return results


def timeline_occurrences(plan: Plan, unit_id: str | None) -> dict[str, list[str]]:
    """The same, from the timeline: dates, or UTC instants for timed tasks."""
    timeline = Timeline(plan)
    zone = ZoneInfo(plan.timezone)
    out: dict[str, list[str]] = {}
    for duty in timeline.duties:
        if unit_id is not None:
            involved = {duty.unit, *plan.members(duty.unit), *duty.task.coordinators}
            involved |= set(timeline.units_of(duty)[1])
            if unit_id not in involved:
                continue
        tr = duty.task.time
        values = set()
        for occ in timeline.occurrences(duty.id):
            if tr is None:
                values.add(occ.due.isoformat())
            else:
                moment = datetime.combine(occ.due, tr.start, zone).astimezone(UTC)
                values.add(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
        if values:
            out[duty.id] = sorted(values)
    return out


def check(helper: Path, plan: Plan, tmp: Path) -> None:
    """Plan feed and every unit feed, series and expanded."""
    timeline = Timeline(plan)
    feeds, wanted, names = [], [], []
    for expand in (False, True):
        feeds.append(plan_feed(plan, timeline=timeline, expand=expand))
        wanted.append(timeline_occurrences(plan, None))
        names.append(f"plan feed, expand={expand}")
        for unit in plan.units:
            feeds.append(unit_feed(plan, unit.id, timeline=timeline, expand=expand))
            wanted.append(timeline_occurrences(plan, unit.id))
            names.append(f"{unit.id}, expand={expand}")
    for name, got, want in zip(names, icaljs_occurrences(helper, feeds, tmp), wanted, strict=True):
        assert got == want, name


def test_docs_example(icaljs: Path, tmp_path: Path) -> None:
    """The docs example."""
    check(icaljs, docs_plan(), tmp_path)


def test_timed(icaljs: Path, tmp_path: Path) -> None:
    """Timed tasks with TZID and a VTIMEZONE; and the same plan in UTC."""
    plan = loads(TIMED_PLAN).plan
    check(icaljs, plan, tmp_path)


def test_boy_2025(icaljs: Path, tmp_path: Path) -> None:
    """The Bờ Y example (skipped while it is missing)."""
    check(icaljs, example_plan(), tmp_path)


@given(plans().map(with_reasons))
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated(icaljs: Path, tmp_path: Path, plan: Plan) -> None:
    """Generated plans (fewer examples: every example costs a node process)."""
    feeds = [plan_feed(plan), plan_feed(plan, expand=True)]
    want = timeline_occurrences(plan, None)
    assert icaljs_occurrences(icaljs, feeds, tmp_path) == [want, want]
