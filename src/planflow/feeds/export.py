"""Writing feeds: one feed to a stream, or every feed of a plan into a folder.

:func:`export_feeds` walks the duties once, in plan order: it streams each duty to
``plan.ics`` and writes a unit's feed as soon as its last duty has been rendered,
so each duty is rendered about once and only a bounded window of rendered duties
is held (see :mod:`.render`); memory does not grow with the number of feeds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from planflow.feeds._parallel import can_fork, write_all_parallel
from planflow.feeds.hooks import component_adjuster
from planflow.feeds.progress import Progress
from planflow.feeds.publish import Stage, staged
from planflow.feeds.render import Renderer
from planflow.feeds.selection import Index, Members, Role, check_unit
from planflow.feeds.state import STATE_FILE, FeedState, put_bytes, put_chunks
from planflow.plan.model import Plan
from planflow.timeline.occurrences import Duty, Timeline

__all__ = ["PARALLEL_MIN_DUTIES", "export_feeds", "plan_chunks", "publish_feeds", "unit_chunks"]

PARALLEL_MIN_DUTIES = 2000  # below this, starting processes costs more than it saves


def _parallel_min_duties() -> int:
    # PLANFLOW_PARALLEL_MIN_DUTIES lowers it for tests (the kill test exports a small
    # plan with workers) and for tuning on other machines
    raw = os.environ.get("PLANFLOW_PARALLEL_MIN_DUTIES", "")
    return int(raw) if raw.isdigit() else PARALLEL_MIN_DUTIES


def _chunks(
    renderer: Renderer, name: str, description: str,
    items: Iterable[tuple[Duty, Role | None]], unit: str | None = None,
) -> Iterator[bytes]:  # fmt: skip
    yield renderer.header(name, description)
    for duty, role in items:
        yield renderer.components(duty, role, unit)
    yield b"END:VCALENDAR\r\n"


def _plan_header(plan: Plan) -> tuple[str, str]:
    return plan.title, f"Toàn bộ nhiệm vụ của {plan.title} ({plan.issuer}). Xuất bởi planflow."


def _unit_header(plan: Plan, unit_id: str) -> tuple[str, str]:
    unit = plan.unit(unit_id)
    description = (
        f"Nhiệm vụ {unit.name} chủ trì và phối hợp (đánh dấu [Phối hợp]) theo {plan.title} "
        f"({plan.issuer}). Xuất bởi planflow."
    )
    return f"{unit.name} – {plan.title}", description


def plan_chunks(renderer: Renderer) -> Iterator[bytes]:
    """The whole plan's feed, one component at a time."""
    items = ((duty, None) for duty in renderer.timeline.duties)
    return _chunks(renderer, *_plan_header(renderer.plan), items)


def unit_chunks(
    renderer: Renderer, unit_id: str, items: Iterable[tuple[Duty, Role]]
) -> Iterator[bytes]:
    """One unit's feed, one component at a time."""
    return _chunks(renderer, *_unit_header(renderer.plan, unit_id), items, unit_id)


def export_feeds(
    plan: Plan,
    out_dir: str | os.PathLike[str],
    *,
    expand: bool = False,
    unit: str | None = None,
    todos: bool = False,
    timeline: Timeline | None = None,
    workers: int = 1,
    plugins: Any = None,
    progress: Progress | None = None,
    capture: dict[str, bytes] | None = None,
    sweep: bool = True,
) -> list[Path]:
    """Write ``out_dir/plan.ics`` and ``out_dir/units/<unit id>.ics`` for every unit.

    With ``unit``, only that unit's feed is written. SEQUENCE numbers are kept in
    ``out_dir/.planflow-feed-state.json``. The new version is built in a folder beside
    ``out_dir`` and switched into place at once, state included (:mod:`.publish`), so a
    web server never serves half a feed nor a mix of two exports, and a killed export
    publishes nothing; a file whose bytes did not change keeps its inode and mtime.

    :param workers: processes to export a large plan with (forked; where the
        platform cannot fork, or the plan is small, one process does it all). The
        files are the same whatever the number.
    :param plugins: a plugin manager (``planflow.hooks.manager.get_plugin_manager()``); its
        ``planflow_calendar_component`` implementations adjust every component.
    :param progress: marks of finished and overdue occurrences (:mod:`planflow.feeds.progress`).
    :param capture: filled with every file written (state file included), by its path
        relative to ``out_dir``: what :func:`publish_feeds` needs to publish the same
        export again without rendering it.
    :param sweep: remove what killed exports left beside ``out_dir`` (False: the caller
        did it once for many folders, see :func:`~planflow.feeds.publish.sweep_leftovers`).
    :returns: the paths of the feeds, plan feed first.
    :raises ModelError: ``unit`` is not a unit of the plan.
    """
    out = Path(out_dir)
    timeline = timeline or Timeline(plan)
    if unit is not None:
        check_unit(plan, unit)
    timeline.check_size()  # before any folder is made
    members = Members(plan)
    with staged(out, sweep=sweep) as stage:
        previous_state = stage.previous(STATE_FILE)
        state = FeedState.load(previous_state) if previous_state else FeedState()
        renderer = Renderer(
            plan,
            timeline,
            expand=expand,
            todos=todos,
            state=state,
            adjust=component_adjuster(plugins, plan),
            progress=progress,
        )
        index = Index(timeline, members)
        (stage.path / "units").mkdir()
        writer = _UnitWriter(renderer, index, stage)
        if unit is not None:
            writer.write(unit)
            written = [out / "units" / f"{unit}.ics"]
        else:
            _write_all(renderer, index, writer, stage, workers)
            written = [out / "plan.ics", *(out / "units" / f"{u.id}.ics" for u in plan.units)]
        state.save(stage.path / STATE_FILE)  # switched into place with the feeds
        if capture is not None:  # read from the new folder: exactly what is published
            for path in (*written, out / STATE_FILE):
                relative = path.relative_to(out).as_posix()
                capture[relative] = (stage.path / relative).read_bytes()
    return written


def publish_feeds(
    out_dir: str | os.PathLike[str], files: Mapping[str, bytes], *, sweep: bool = True
) -> list[Path]:
    """Publish into ``out_dir`` files an export captured (``export_feeds(capture=…)``),
    exactly as that export published them: built beside the folder and switched into
    place at once, unchanged files keeping their inode, other files carried over.

    :returns: the paths of the feeds (every file but the state file), in ``files``' order.
    """
    out = Path(out_dir)
    with staged(out, sweep=sweep) as stage:
        for relative, data in files.items():
            path = stage.path / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            put_bytes(os.fspath(path), data, stage.previous(relative))
    return [out / relative for relative in files if relative != STATE_FILE]


class _UnitWriter:
    """Writes one unit's feed (a few hundred kilobytes at most) in one piece."""

    def __init__(self, renderer: Renderer, index: Index, stage: Stage) -> None:
        self.renderer, self.index, self.stage = renderer, index, stage
        self.folder = os.path.join(stage.path, "units")

    def write(self, unit_id: str) -> None:
        data = b"".join(unit_chunks(self.renderer, unit_id, self.index.items(unit_id)))
        name = f"{unit_id}.ics"
        put_bytes(os.path.join(self.folder, name), data, self.stage.previous(f"units/{name}"))


def _write_all(
    renderer: Renderer, index: Index, writer: _UnitWriter, stage: Stage, workers: int
) -> None:
    """One pass over the duties: the plan feed, and each unit's feed once its last
    duty has been rendered (while the unit's duties are still in the render cache)."""
    plan = renderer.plan
    # duty position → the units whose last duty it is (a unit without duties: the first)
    ready: dict[int, list[str]] = {}
    for unit in plan.units:
        codes = index.positions(unit.id)
        ready.setdefault(codes[-1] >> 1 if codes else 0, []).append(unit.id)
    header = renderer.header(*_plan_header(plan))
    plan_path, previous = os.path.join(stage.path, "plan.ics"), stage.previous("plan.ics")
    if workers > 1 and len(index.duties) >= _parallel_min_duties() and can_fork():
        write_all_parallel(renderer, writer.write, ready, plan_path, header, workers, previous)
        return

    def chunks() -> Iterator[bytes]:
        yield header
        for position, duty in enumerate(renderer.timeline.duties):
            yield renderer.components(duty, None)
            for unit_id in ready.pop(position, ()):
                writer.write(unit_id)
        yield b"END:VCALENDAR\r\n"

    put_chunks(plan_path, chunks(), previous)
    for unit_ids in ready.values():  # a plan without duties
        for unit_id in unit_ids:
            writer.write(unit_id)
