"""A workspace export keeps each plan's rendered feeds in the cache: a warm export into a
new folder writes the same bytes without loading or rendering a plan."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.workspaces import commune, write

from planflow.cli.main import cli
from planflow.feeds.publish import staged, sweep_leftovers
from planflow.testing import run_cli

FEEDS_PER_PLAN = 18  # plan.ics and the 17 units and groups of the Bờ Y example


@pytest.fixture
def province(tmp_path: Path) -> Path:
    return write(tmp_path / "tinh", {"c0001": commune(1), "c0002": commune(2, drop_tasks=2)})


def _export(root: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["export", str(root), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.stderr


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".planflow-exports" not in p.parts
    }


def test_a_warm_export_writes_the_bytes_of_a_cold_one_without_rendering(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cold (no cache), then warm into a new folder: the same files, state included;
    the warm export neither loads nor renders a plan (both are made to fail)."""
    cold = tmp_path / "cold"
    _export(province, cold, "--no-cache")
    _export(province, tmp_path / "first")  # fills the cache
    import planflow.feeds.export as feeds_export
    import planflow.workspace.work as work

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a cached plan was loaded or rendered again")

    monkeypatch.setattr(work, "load_member", refuse)
    monkeypatch.setattr(feeds_export, "Renderer", refuse)
    warm = tmp_path / "warm"
    err = _export(province, warm)
    assert f"{2 * FEEDS_PER_PLAN} feeds of 2 plans in" in err
    assert _files(warm) == _files(cold)
    assert len([n for n in _files(warm) if n.endswith(".ics")]) == 2 * FEEDS_PER_PLAN
    assert b"SEQUENCE:0" in (warm / "c0001-2025" / "plan.ics").read_bytes()


def test_a_folder_with_feed_state_is_rendered_and_numbered_as_a_plain_export(
    province: Path, tmp_path: Path
) -> None:
    """An edited plan exported into a folder that already has its feeds: the SEQUENCE
    numbers go up exactly as two exports of the plan alone into one folder give, and a
    new folder afterwards starts again from 0 (the cached feeds of the edited plan)."""
    out = tmp_path / "out"
    _export(province, out)
    alone = tmp_path / "alone"
    _export(province, alone, "--plan", "c0001", "--no-cache")
    plan = province / "c0001" / "plan.yaml"
    plan.write_text(commune(1).replace("Kế hoạch xã số 1", "Kế hoạch đã sửa"), encoding="utf-8")
    _export(province, out)
    _export(province, alone, "--plan", "c0001", "--no-cache")
    edited = (out / "c0001-2025" / "plan.ics").read_bytes()
    assert edited == (alone / "c0001-2025" / "plan.ics").read_bytes()
    assert b"SEQUENCE:1" in edited and "Kế hoạch đã sửa".encode() in edited
    # back to the first text, whose feeds the cache holds: not for a folder with state
    plan.write_text(commune(1), encoding="utf-8")
    _export(province, out)
    _export(province, alone, "--plan", "c0001", "--no-cache")
    back = (out / "c0001-2025" / "plan.ics").read_bytes()
    assert back == (alone / "c0001-2025" / "plan.ics").read_bytes()
    assert b"SEQUENCE:2" in back
    plan.write_text(commune(1).replace("Kế hoạch xã số 1", "Kế hoạch đã sửa"), encoding="utf-8")
    new = tmp_path / "new"
    _export(province, new)
    fresh = tmp_path / "fresh"
    _export(province, fresh, "--no-cache")
    assert _files(new) == _files(fresh)
    assert b"SEQUENCE:1" not in (new / "c0001-2025" / "plan.ics").read_bytes()


def test_feeds_a_plugin_adjusts_are_rendered_every_time(province: Path, tmp_path: Path) -> None:
    """A planflow_calendar_component plugin may give other text each time: its feeds are
    never taken from the cache."""
    run = ["first"]

    def adjust(component: Any, task: str) -> None:
        component["X-RUN"] = run[0]

    from tests.test_plugin_faults import plugin

    placer = [plugin("placer", planflow_calendar_component=adjust)]
    for name in ("first", "second"):
        run[0] = name
        result = run_cli(["export", str(province), "--out", str(tmp_path / name), "--jobs", "1"],
                         plugins=placer)  # fmt: skip
        assert result.exit_code == 0, result.stderr
    for name in ("first", "second"):
        feed = (tmp_path / name / "c0002-2025" / "units" / "vhxh.ics").read_bytes()
        assert f"X-RUN:{name}".encode() in feed
        assert feed.count(b"X-RUN:") == feed.count(b"BEGIN:VEVENT")


def test_leftovers_are_swept_once_and_a_running_export_is_left_alone(tmp_path: Path) -> None:
    """What killed exports left is removed; the folder of an export that holds its lock
    is not, and that export still publishes."""
    parent = tmp_path / "out"
    for name in (".c0001-2025.new-4242-deadbeef", ".c0002-2025.old-17-0a1b", ".keep.new-x"):
        (parent / name).mkdir(parents=True)
        (parent / name / "plan.ics").write_bytes(b"old")
    (parent / "c0003-2025").mkdir()
    with staged(parent / "c0003-2025") as stage:  # running: its lock is held
        (stage.path / "plan.ics").write_bytes(b"new")
        sweep_leftovers(parent)
        assert stage.path.is_dir()
    left = sorted(p for p in os.listdir(parent) if not p.endswith(".lock"))
    assert left == [".keep.new-x", "c0003-2025"]  # not a name planflow gives: kept
    assert (parent / "c0003-2025" / "plan.ics").read_bytes() == b"new"
