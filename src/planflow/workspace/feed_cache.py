"""A plan's rendered feeds, kept in the compiled cache so a warm export only writes files.

Rendering a commune's 18 feeds takes about 10 ms of CPU; the national workspace has
3,300 of them. When a plan is exported into a folder with no feed state yet (a new
output folder: every SEQUENCE starts at 0), the files depend only on the plan's source
files, the export options and planflow's version, which are exactly what keys an entry
of :class:`~planflow.workspace.cache.PlanCache`. The files are kept zstandard-compressed
in one frame (a commune's 460 kB of feeds repeat each other: 14 kB compressed, 0.15 ms
to compress, 0.05 ms to decompress; zlib takes ten times as long for five times the size).

A folder that already has feed state is rendered as usual (its SEQUENCE numbers depend
on what it held), and so is a plan whose feeds a plugin adjusts
(``planflow_calendar_component``): a plugin's output may depend on anything.
"""

from __future__ import annotations

import pickle
from typing import Any

import zstandard

__all__ = ["cacheable", "pack", "unpack"]

_LEVEL = 1  # the fastest level; higher ones save a kilobyte a plan for twice the time


def cacheable(pm: Any) -> bool:
    """Whether rendered feeds may be reused with this plugin manager."""
    return pm is None or not pm.hook.planflow_calendar_component.get_hookimpls()


def pack(plan_id: str, files: dict[str, bytes]) -> bytes:
    """The plan id and the files (relative path → bytes), in order, as one compressed blob."""
    raw = pickle.dumps((plan_id, list(files.items())), protocol=pickle.HIGHEST_PROTOCOL)
    return zstandard.ZstdCompressor(level=_LEVEL).compress(raw)


def unpack(blob: bytes) -> tuple[str, dict[str, bytes]]:
    """What :func:`pack` was given."""
    plan_id, items = pickle.loads(zstandard.ZstdDecompressor().decompress(blob))
    return plan_id, dict(items)
