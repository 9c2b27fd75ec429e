"""Export folders published together (one flush of the disk for a batch of plans), and a
workspace export killed at random points: every plan's folder stays one whole version."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.test_export_kill import children_of, events, kill_and_reap
from tests.workspaces import commune, write

import planflow.feeds.publish as publish
from planflow.feeds.publish import on_published, published_together, staged


def _build(out: Path, text: str) -> None:
    with staged(out) as stage:
        (stage.path / "plan.ics").write_text(text, encoding="utf-8")


def test_folders_wait_for_the_batch_then_are_switched(tmp_path: Path) -> None:
    """Inside the block the published folders keep their old files; after it, each has
    its new one, the callbacks have run in order, and nothing is left beside them."""
    a, b = tmp_path / "out" / "a", tmp_path / "out" / "b"
    _build(a, "a1")
    done: list[str] = []
    with published_together():
        _build(a, "a2")
        _build(b, "b2")
        on_published(a, lambda: done.append("a"))
        on_published(b, lambda: done.append("b"))
        assert (a / "plan.ics").read_text() == "a1" and not b.exists() and done == []
    assert (a / "plan.ics").read_text() == "a2" and (b / "plan.ics").read_text() == "b2"
    assert done == ["a", "b"]
    assert sorted(os.listdir(tmp_path / "out")) == [".a.lock", ".b.lock", "a", "b"]
    on_published(a, lambda: done.append("now"))  # no batch: at once
    assert done[-1] == "now"


def test_an_error_in_the_block_publishes_nothing_and_unlocks(tmp_path: Path) -> None:
    a = tmp_path / "out" / "a"
    _build(a, "a1")

    def fail() -> None:
        with published_together():
            _build(a, "a2")
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        fail()
    assert (a / "plan.ics").read_text() == "a1"
    assert sorted(os.listdir(tmp_path / "out")) == [".a.lock", "a"]
    _build(a, "a3")  # the lock was released: this would wait forever otherwise
    assert (a / "plan.ics").read_text() == "a3"


def test_a_folder_that_cannot_be_switched_is_named_and_the_others_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A switch failing (a full disk, a folder another program holds) for one folder."""
    a, b = tmp_path / "out" / "a", tmp_path / "out" / "b"
    switch = publish._switch

    def refuse_a(new: Path, target: Path) -> None:
        if target.name == "a":
            raise OSError(28, "No space left on device")
        switch(new, target)

    monkeypatch.setattr(publish, "_switch", refuse_a)
    done: list[str] = []
    with published_together() as batch:
        _build(a, "a2")
        _build(b, "b2")
        on_published(a, lambda: done.append("a"))
        on_published(b, lambda: done.append("b"))
    assert list(batch.failed) == [Path(os.path.realpath(a))]
    assert not a.exists() and (b / "plan.ics").read_text() == "b2" and done == ["b"]
    assert sorted(os.listdir(tmp_path / "out")) == [".a.lock", ".b.lock", "b"]


def test_alone_a_folder_that_cannot_be_switched_raises_and_keeps_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a batch the switch error reaches the caller; the old folder stays, the
    new one is removed and the lock released."""
    a = tmp_path / "out" / "a"
    _build(a, "a1")

    def refuse(new: Path, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "_switch", refuse)
    with pytest.raises(OSError, match="No space left"):
        _build(a, "a2")
    assert (a / "plan.ics").read_text() == "a1"
    assert sorted(os.listdir(tmp_path / "out")) == [".a.lock", "a"]
    monkeypatch.undo()
    _build(a, "a3")
    assert (a / "plan.ics").read_text() == "a3"


def _workspace_version(root: Path, marker: str, plans: int) -> None:
    write(
        root,
        {
            f"c{n:04d}": commune(n).replace(f"Kế hoạch xã số {n}", f"Kế hoạch xã số {n} {marker}")
            for n in range(1, plans + 1)
        },
    )


def _check_plans(out: Path, published: dict[tuple[str, int], str]) -> set[str]:
    """Every plan folder in ``out`` is one whole version; the versions seen."""
    seen = set()
    for folder in sorted(p for p in out.iterdir() if p.name.startswith("c")):
        feeds = sorted(folder.rglob("*.ics"))
        assert len(feeds) == 18, folder  # plan.ics and the 17 units and groups
        markers = {re.search(r"xã số \d+ (A|B)", f.read_text(encoding="utf-8")).group(1)  # type: ignore[union-attr]
                   for f in feeds}  # fmt: skip
        assert len(markers) == 1, f"mixed folder {folder.name}: {markers}"
        state = json.loads((folder / ".planflow-feed-state.json").read_text(encoding="utf-8"))
        for key, content in events((folder / "plan.ics").read_text(encoding="utf-8")).items():
            uid_key = (f"{folder.name}:{key[0]}", key[1])
            assert published.setdefault(uid_key, content) == content, f"SEQUENCE reused: {key}"
            assert state["components"][key[0]]["sequence"] == key[1]
        seen |= markers
    return seen


def test_a_workspace_export_killed_at_random_points(tmp_path: Path) -> None:
    """8 plans exported with two workers, versions A and B alternating, killed at random:
    each plan's folder is whole (its own version; plans may differ), SEQUENCE numbers
    are never reused, no worker outlives the export, and the next export leaves no
    leftover folder."""
    root, out = tmp_path / "tinh", tmp_path / "site" / "lich"
    command = [sys.executable, "-c", "from planflow.cli.main import main; main()",
               "export", str(root), "--out", str(out), "--jobs", "2"]  # fmt: skip
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    published: dict[tuple[str, int], str] = {}
    whole = 0.0
    for marker in "AB":
        _workspace_version(root, marker, 8)
        start = time.monotonic()
        subprocess.run(command, env=env, check=True, capture_output=True)
        whole = max(whole, time.monotonic() - start)
        assert _check_plans(out, published) == {marker}
    rng = random.Random(int(os.environ.get("PLANFLOW_KILL_SEED", "16")))
    runs = int(os.environ.get("PLANFLOW_KILL_RUNS", "8"))
    for run in range(runs):
        _workspace_version(root, "AB"[run % 2], 8)
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + rng.uniform(whole * 0.3, whole * 1.1)
        workers: set[int] = set()
        while time.monotonic() < deadline and proc.poll() is None:
            workers.update(children_of(proc.pid))
            time.sleep(0.02)
        kill_and_reap(proc, workers)
        _check_plans(out, published)
    subprocess.run(command, env=env, check=True, capture_output=True)
    assert _check_plans(out, published) == {"AB"[(runs - 1) % 2]}
    left = [p.name for p in out.iterdir() if ".new-" in p.name or ".old-" in p.name]
    assert left == []
