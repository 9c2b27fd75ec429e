"""Skipping the export of a plan whose feeds are already written and up to date.

After a plan's feeds are written into ``OUT/PLAN-ID/``, a manifest in
``OUT/.planflow-exports/`` (one per plan file) records the plan id, the digests of the
files the plan was read from, the export options and plugins, and each feed file's
size and modification time. The next export of the workspace skips the plan (without
loading it) when all of these are unchanged: the files it would write are byte for
byte those already there. Anything else (an edited plan or template, other options,
a feed file touched or removed) exports it again.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from planflow.workspace.cache import file_digest

__all__ = ["MANIFEST", "up_to_date", "write_manifest"]

MANIFEST = ".planflow-exports"
_VERSION = 1


def _path(out: Path, member_key: str) -> Path:
    name = hashlib.sha256(member_key.encode("utf-8")).hexdigest()[:32]
    return out / MANIFEST / f"{name}.json"


def _stats(folder: Path, files: list[str]) -> list[list[Any]] | None:
    out = []
    for name in files:
        try:
            st = os.stat(folder / name)
        except OSError:
            return None
        out.append([name, st.st_size, st.st_mtime_ns])
    return out


def up_to_date(out: Path, member_key: str, options: list[Any]) -> tuple[str, int] | None:
    """``(plan id, number of feeds)`` when the plan's feeds in ``out`` are up to date for
    these options (nothing to write), else None."""
    try:
        data = json.loads(_path(out, member_key).read_text(encoding="utf-8"))
        if data["version"] != _VERSION or data["plan_file"] != member_key:
            return None
        if data["options"] != options:
            return None
        if any(file_digest(path) != digest for path, digest in data["sources"]):
            return None
        plan_id = data["plan"]
        if not isinstance(plan_id, str) or "/" in plan_id or plan_id in ("", ".", ".."):
            return None
        files = [name for name, _, _ in data["files"]]
        if _stats(out / plan_id, files) != data["files"]:
            return None
        return plan_id, len(files)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_manifest(
    out: Path,
    plan_id: str,
    member_key: str,
    options: list[Any],
    sources: tuple[tuple[str, str | None], ...] | None,
    feeds: list[Path],
) -> None:
    """Record what was just written (nothing when the sources are unknown)."""
    if sources is None:
        return
    folder = out / plan_id
    files = [p.relative_to(folder).as_posix() for p in feeds]
    stats = _stats(folder, files)
    if stats is None:
        return
    data = {
        "version": _VERSION,
        "plan_file": member_key,
        "plan": plan_id,
        "options": options,
        "sources": [list(s) for s in sources],
        "files": stats,
    }
    path = _path(out, member_key)
    path.parent.mkdir(exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
