"""examples/tinh_quang_ngai: a province template and two commune plans extending it
validate, simulate and export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from planflow import Timeline, load
from planflow.cli.main import cli
from plans import ROOT

FOLDER = ROOT / "examples" / "tinh_quang_ngai"

# hand-counted occurrences in 2026: month-end check-ins of the continuous TTHC task (12),
# the radio programme (Bờ Y: twice a month, 24; Ba Tơ: monthly, 12), 4 quarterly
# reports, 1 national DX day; Bờ Y adds 12 rebroadcasts and drops the training; Ba Tơ
# keeps the training (1) and adds 4 quarterly village meetings
COMMUNES = {
    "xa_bo_y": ("Bờ Y", 12 + 24 + 4 + 1 + 12, 8),
    "xa_ba_to": ("Ba Tơ", 12 + 12 + 4 + 1 + 1 + 4, 7),
}


@pytest.mark.parametrize("commune", sorted(COMMUNES))
def test_commune_plan_validates_simulates_and_exports(commune: str, tmp_path: Path) -> None:
    """Each commune's plan validates, simulates and exports, with the counted occurrences."""
    name, occurrences, units = COMMUNES[commune]
    folder = FOLDER / commune
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"{occurrences} occurrences in 2026" in result.stdout
    assert "warning" not in result.output
    plan = load(folder).plan
    assert plan.title == f"Kế hoạch tuyên truyền cải cách hành chính xã {name} năm 2026"
    result = runner.invoke(cli, ["simulate", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"{occurrences} occurrences, {occurrences} on time, 0 late" in result.stdout
    result = runner.invoke(cli, ["export", str(folder), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plan.ics").is_file()
    assert len(list((tmp_path / "units").glob("*.ics"))) == units


def test_quarterly_report_is_due_on_the_last_day_of_each_quarter() -> None:
    """The template's quarterly report falls on each quarter's last day."""
    timeline = Timeline(load(FOLDER / "xa_bo_y").plan)
    dues = [o.due for o in timeline.of_task("quarterly-report")]
    # 31/3, 30/6, 30/9 and 31/12/2026 are all working days (Tuesday, Tuesday,
    # Wednesday, Thursday), so none moves
    assert dues == [date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]


def test_communes_differ_where_they_override() -> None:
    """The two communes differ exactly where they override the template."""
    bo_y, ba_to = load(FOLDER / "xa_bo_y").plan, load(FOLDER / "xa_ba_to").plan
    assert "cybersecurity-training" not in {t.id for t in bo_y.tasks}
    assert ba_to.task("cybersecurity-training").window.start == date(2026, 7, 1)
    assert bo_y.task("radio-programme").recurrence == "FREQ=MONTHLY;BYMONTHDAY=1,15"
    assert ba_to.task("radio-programme").recurrence == "FREQ=MONTHLY;BYMONTHDAY=1"
    assert ba_to.unit("doantn").name == "Đoàn Thanh niên xã Ba Tơ"
    assert bo_y.unit("doantn").name == "Đoàn Thanh niên Cộng sản Hồ Chí Minh xã"
