"""The second example plan (examples/phu_lam_cds_2025) validates, simulates and exports,
and reads as its README says."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner

import planflow.cli.export  # noqa: F401  (registers the command)
from planflow.cli.main import cli
from planflow.plan.loading import load, load_plan
from planflow.run.scenarios import load_scenario
from planflow.run.single_run import simulate
from planflow.timeline.occurrences import Timeline
from planflow.timeline.validation import plan_warnings
from plans import ROOT

FOLDER = ROOT / "examples" / "phu_lam_cds_2025"


def test_validates_without_warnings() -> None:
    loaded = load(FOLDER)
    assert loaded.plan.number == "25/KH-UBND"
    assert plan_warnings(loaded) == []


def test_reads_as_the_readme_says() -> None:
    plan = load_plan(FOLDER)
    timeline = Timeline(plan)
    monthly = timeline.of_task("bao-cao-de-an-06")
    assert monthly[0].due == date(2025, 2, 20)  # issued 14/02: no January report
    assert timeline.of_task("cong-khai-tthc")[0].due == date(2025, 2, 28)
    periodic = [(o.period, o.unit, o.due) for o in timeline.of_task("bao-cao-dinh-ky")]
    assert periodic == [
        ("q1", "vp-tk", date(2025, 3, 20)),
        ("h1", "vp-tk", date(2025, 6, 20)),
        ("m9", "vp", date(2025, 9, 19)),
        ("fy", "vp", date(2025, 11, 20)),
    ]
    assert timeline.duty("tuyen-truyen@phong-vhxh").handed_from == "vhxh"
    assert all(plan.unit(o.unit).active_on(o.due) for o in timeline)
    first_meeting = timeline.of_task("hop-bcd")[0]
    assert first_meeting.waits_for == (("bao-cao-de-an-06", 1), ("bao-cao-de-an-06", 2))


def test_simulates_with_its_scenario() -> None:
    plan = load_plan(FOLDER)
    on_time = simulate(plan)
    assert {r["state"] for r in on_time.indicators()} == {"met"}
    scenario = load_scenario(FOLDER / "scenario.yaml", plan=plan)
    result = simulate(plan, model="random", scenario=scenario, seed=3)
    rows = {(r["indicator"], r["checkpoint"]): r for r in result.indicators()}
    assert rows[("ho-so-mang", "2025-03-14")]["failed"] is True  # 97,5% of a required 100%
    assert rows[("ho-so-mang", "2025-09-14")]["unit"] == "vp"  # measured at the successor
    assert rows[("hoa-don-dien-tu", "2025-12-31")]["state"] == "not met"
    assert rows[("hoa-don-dien-tu", "2025-12-31")]["failed"] is False  # khuyến khích


def test_exports(tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["export", str(FOLDER), "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    feed = (tmp_path / "units" / "vp.ics").read_bytes().decode()
    unfolded = feed.replace("\r\n ", "")
    assert "Tiếp nhận từ Công chức Văn phòng - Thống kê kể từ ngày 01/07/2025." in unfolded
    assert "Hạn báo cáo từng kỳ: 9 tháng 19/09/2025\\, Năm 2025 20/11/2025." in unfolded
    old = (tmp_path / "units" / "vp-tk.ics").read_bytes().decode().replace("\r\n ", "")
    assert "Bàn giao cho Văn phòng HĐND và UBND xã sau ngày 30/06/2025." in old
