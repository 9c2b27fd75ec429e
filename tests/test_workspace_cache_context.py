"""The compiled plans depend on the workspace file's shared units, not on the rest of it:
a province that changes who signs its consolidated report does not recompile 3,300
plans; one that renames a shared unit does."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from tests.workspaces import WORKSPACE_FILE, commune, write

from planflow.cli.main import cli
from planflow.workspace import open_workspace
from planflow.workspace.members import Session, load_member

SIGNED = WORKSPACE_FILE.replace('name: "Tỉnh thử"', 'name: "tỉnh Thử"\nissuer: "Sở Nội vụ"') + (
    "report:\n  place: Thử\n  signer: Nguyễn Văn A\n"
)


def _cache_counts(root: Path) -> tuple[int, int]:
    """(hits, misses) of loading every plan of the workspace as it is now."""
    session = Session.open(open_workspace(root))
    for member in session.workspace.members:
        load_member(session, member)
    return session.cache.hits, session.cache.misses


def _export(root: Path, out: Path) -> str:
    result = CliRunner().invoke(cli, ["export", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result.stderr


def test_the_report_block_and_name_leave_the_cache_valid(tmp_path: Path) -> None:
    root = write(tmp_path / "tinh", {"c0001": commune(1), "c0002": commune(2)})
    out = tmp_path / "lich"
    _export(root, out)
    assert _cache_counts(root) == (2, 0)
    (root / "planflow-workspace.yaml").write_text(SIGNED, encoding="utf-8")
    assert _cache_counts(root) == (2, 0)
    assert "(2 plans unchanged since the last export)" in _export(root, out)


def test_a_renamed_shared_unit_recompiles_and_reexports_every_plan(tmp_path: Path) -> None:
    root = write(tmp_path / "tinh", {"c0001": commune(1), "c0002": commune(2)})
    out = tmp_path / "lich"
    _export(root, out)
    renamed = WORKSPACE_FILE.replace("Sở Nội vụ tỉnh", "Sở Nội vụ tỉnh Thử")
    (root / "planflow-workspace.yaml").write_text(renamed, encoding="utf-8")
    assert _cache_counts(root) == (0, 2)
    err = _export(root, out)
    assert "unchanged" not in err
    for plan in ("c0001-2025", "c0002-2025"):
        feed = (out / plan / "units" / "sonv.ics").read_text(encoding="utf-8")
        assert "Sở Nội vụ tỉnh Thử" in feed.replace("\r\n ", "")
