"""planflow serve WORKSPACE: every plan under /PLAN-ID/, reloading only what changed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient
from tests.workspaces import commune, write

from planflow.feeds import plan_feed
from planflow.workspace import Session, load_member, open_workspace
from planflow.workspace.app import create_workspace_app
from planflow.workspace.server import parse_feed_path


@pytest.fixture
def province(tmp_path: Path) -> Path:
    return write(tmp_path / "tinh", {f"c{i:04d}": commune(i) for i in range(1, 5)})


def _expected_feed(root: Path, folder: str) -> bytes:
    session = Session.open(open_workspace(root), use_cache=False)
    member = next(m for m in session.workspace.members if m.folder_name == folder)
    return plan_feed(load_member(session, member).plan)


def test_each_plan_under_its_id(province: Path) -> None:
    """/PLAN-ID/feeds/plan.ics is that plan's feed; the index links every plan."""
    client = TestClient(create_workspace_app(province))
    response = client.get("/c0003-2025/feeds/plan.ics")
    assert response.status_code == 200
    assert response.content == _expected_feed(province, "c0003")
    index = client.get("/").text
    assert all(f'/c{i:04d}-2025/"' in index for i in range(1, 5))
    page = client.get("/c0003-2025/").text
    assert "http://testserver/c0003-2025/feeds/units/sonv.ics" in page
    unit = client.get("/c0003-2025/feeds/units/sonv.ics")
    assert unit.status_code == 200 and "Sở Nội vụ tỉnh".encode() in unit.content
    etag = unit.headers["etag"]
    again = client.get("/c0003-2025/feeds/units/sonv.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    ["/c9999-2025/feeds/plan.ics", "/c0001-2025/feeds/units/nope.ics", "/c0001-2025/feeds/x",
     "/c0001-2025/feeds/../c0002-2025/feeds/plan.ics", "/c0001-2025"],
)  # fmt: skip
def test_what_is_not_a_feed_is_404(province: Path, path: str) -> None:
    """Unknown plans, units and paths: the same 404."""
    client = TestClient(create_workspace_app(province))
    assert client.get(path).status_code == 404


def test_plans_load_on_demand_and_the_oldest_leaves_memory(province: Path) -> None:
    """With max_plans=2, asking for a third plan drops the least recently asked for."""
    app = create_workspace_app(province, max_plans=2)
    ws = app.state.workspace
    client = TestClient(app)
    assert ws.live == []
    for plan in ("c0001-2025", "c0002-2025", "c0001-2025", "c0003-2025"):
        assert client.get(f"/{plan}/feeds/plan.ics").status_code == 200
    assert ws.live == ["c0001-2025", "c0003-2025"]


def test_only_the_changed_plan_is_reloaded(province: Path) -> None:
    """Editing c0002: its feed changes; c0001's server (and its ETag) stay the same."""
    app = create_workspace_app(province, check_interval=0.0)
    ws = app.state.workspace
    client = TestClient(app)
    first = client.get("/c0001-2025/feeds/plan.ics").headers["etag"]
    before = client.get("/c0002-2025/feeds/plan.ics").headers["etag"]
    kept = ws.in_memory("c0001-2025")
    changed = ws.in_memory("c0002-2025")
    plan = province / "c0002" / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("Kế hoạch xã số 2", "Kế hoạch xã số 2 (sửa)"),
        encoding="utf-8",
    )
    changed.refresh(force=True, wait=True)  # the plan's own server looks at most once a second
    after = client.get("/c0002-2025/feeds/plan.ics")
    assert after.headers["etag"] != before
    assert "Kế hoạch xã số 2 (sửa)".encode() in after.content
    assert client.get("/c0001-2025/feeds/plan.ics").headers["etag"] == first
    assert ws.in_memory("c0001-2025") is kept


def test_a_new_plan_is_found_and_a_broken_one_keeps_its_last_good_version(
    province: Path,
) -> None:
    """A plan added while serving is served; a plan edited into errors is not dropped."""
    app = create_workspace_app(province, check_interval=0.0)
    client = TestClient(app)
    good = client.get("/c0004-2025/feeds/plan.ics").content
    write(province, {"c0005": commune(5)}, workspace_file=None)
    time.sleep(0.01)
    assert client.get("/c0005-2025/feeds/plan.ics").status_code == 200
    broken = province / "c0004" / "plan.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("lead: vhxh", "lead: ?", 1))
    app.state.workspace.in_memory("c0004-2025").refresh(force=True, wait=True)
    assert client.get("/c0004-2025/feeds/plan.ics").content == good


@pytest.mark.parametrize(
    ("rest", "private", "expected"),
    [
        ("plan.ics", False, (None, None, False)),
        ("expanded/units/vhxh.ics", False, (None, "vhxh", True)),
        ("SECRET/units/vhxh.ics", True, ("SECRET", "vhxh", False)),
        ("units/.ics", False, None),
        ("plan.ics", True, None),
        ("units/a/b.ics", False, None),
    ],
)
def test_feed_paths(rest: str, private: bool, expected: object) -> None:
    """What follows /PLAN-ID/feeds/: token (private plans), expanded, unit."""
    assert parse_feed_path(rest, private=private) == expected


def test_workers_behind_a_proxy_answer_alike(province: Path, tmp_path: Path) -> None:
    """Two servers of one workspace (two worker processes behind a reverse proxy, or a
    CDN in front of the exported files) give the same bytes and ETag: a client's
    conditional request gets its 304 whichever worker answers."""
    from click.testing import CliRunner

    from planflow.cli.main import cli

    one = TestClient(create_workspace_app(province))
    two = TestClient(create_workspace_app(province))
    path = "/c0002-2025/feeds/units/vhxh.ics"
    a, b = one.get(path), two.get(path)
    assert a.content == b.content
    assert a.headers["etag"] == b.headers["etag"]
    # Last-Modified is never before a server without a state file started (so it never
    # goes backwards): two workers started a second apart may differ; the ETag decides
    assert two.get(path, headers={"If-None-Match": a.headers["etag"]}).status_code == 304
    out = tmp_path / "static"
    result = CliRunner().invoke(cli, ["export", str(province), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "c0002-2025" / "units" / "vhxh.ics").read_bytes() == a.content


def test_a_removed_plan_is_no_longer_served(province: Path) -> None:
    """Deleting a plan's folder: its feeds answer 404 after the next look; others stay."""
    import shutil

    app = create_workspace_app(province, check_interval=0.0)
    client = TestClient(app)
    assert client.get("/c0004-2025/feeds/plan.ics").status_code == 200
    shutil.rmtree(province / "c0004")
    assert client.get("/c0004-2025/feeds/plan.ics").status_code == 404
    assert client.get("/c0001-2025/feeds/plan.ics").status_code == 200
    assert sorted(app.state.workspace.plans) == ["c0001-2025", "c0002-2025", "c0003-2025"]
