"""Exporting a large plan over several processes (``fork``), with the same bytes.

The duties are cut into contiguous segments. A worker renders its segment into a
part of ``plan.ics`` and writes the unit feeds whose last duty falls in it
(re-rendering, from its own cache, what a unit has in the previous segment). Each
worker starts from the parent's :class:`FeedState` and sends back the SEQUENCE
entries it set; a UID's number depends only on the old state and its digest, so
merging them gives the state a single process would. The parent then joins the
parts between the calendar header and ``END:VCALENDAR``.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

import attrs

from planflow.feeds.render import Renderer
from planflow.feeds.state import FeedState, put_chunks

__all__ = ["can_fork", "die_with_parent", "write_all_parallel"]

_BLOCK = 1 << 20
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Worker start: be killed when the parent dies, even by SIGKILL.

    Linux delivers SIGKILL to the worker when its parent ends (``PR_SET_PDEATHSIG``);
    elsewhere a thread watches the parent. Either way the worker also checks that the
    parent did not die before this ran.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: watch instead
            _watch(parent)
    else:  # pragma: no cover - not Linux
        _watch(parent)
    if os.getppid() != parent:
        os._exit(1)


def _watch(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def can_fork() -> bool:
    """Whether worker processes can be forked here (not on Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


@attrs.define
class _Recorder(FeedState):
    """A worker's copy of the state that remembers the entries it set."""

    touched: dict[str, tuple[str, int]] = attrs.field(factory=dict)

    def sequence(self, uid: str, digest: str) -> int:
        """As :meth:`FeedState.sequence`, recording the entry."""
        number = super().sequence(uid, digest)
        self.touched[uid] = (digest, number)
        return number


@attrs.define
class _Job:
    """What every worker inherits through ``fork`` (nothing of it is pickled)."""

    renderer: Renderer
    write_unit: Callable[[str], None]
    ready: dict[int, list[str]]
    plan_path: str


_job: _Job | None = None


def _segment(number: int, start: int, stop: int) -> tuple[str, dict[str, tuple[str, int]]]:
    """Worker: duties ``start:stop`` into part ``number`` of the plan feed, and the unit
    feeds that end there. Returns the part's path and the SEQUENCE entries set."""
    job = _job
    assert job is not None
    renderer = job.renderer
    state = renderer.state
    if state is not None and not isinstance(state, _Recorder):
        state = renderer.state = _Recorder(state.entries)
    if isinstance(state, _Recorder):
        state.touched = {}
    head, name = os.path.split(job.plan_path)
    part = os.path.join(head, f".{name}.{number}.part")
    duties = renderer.timeline.duties
    write_unit = job.write_unit
    with open(part, "wb") as stream:
        for position in range(start, stop):
            stream.write(renderer.components(duties[position], None))
            for unit_id in job.ready.get(position, ()):
                write_unit(unit_id)
    return part, state.touched if isinstance(state, _Recorder) else {}


def write_all_parallel(
    renderer: Renderer,
    write_unit: Callable[[str], None],
    ready: dict[int, list[str]],
    plan_path: str,
    header: bytes,
    workers: int,
    previous: str | None = None,
) -> None:
    """Write the plan feed and the ``ready`` unit feeds with ``workers`` processes.

    Workers die with the parent (a SIGKILLed export leaves no worker running), and
    ``previous`` is the published plan feed, hard-linked when the bytes are the same.
    """
    global _job
    total = len(renderer.timeline.duties)
    pieces = min(total, workers * 4)
    bounds = [total * k // pieces for k in range(pieces + 1)]
    _job = _Job(renderer, write_unit, ready, plan_path)
    head, name = os.path.split(plan_path)
    parts = [os.path.join(head, f".{name}.{k}.part") for k in range(pieces)]
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),)
        ) as pool:
            for _, touched in pool.map(_segment, range(pieces), bounds[:-1], bounds[1:]):
                if renderer.state is not None:
                    renderer.state.entries.update(touched)
        put_chunks(plan_path, _joined(header, parts), previous)
    finally:
        _job = None
        for part in parts:
            if os.path.exists(part):
                os.unlink(part)


def _joined(header: bytes, parts: list[str]) -> Iterator[bytes]:
    yield header
    for part in parts:
        with open(part, "rb") as stream:
            while block := stream.read(_BLOCK):
                yield block
    yield b"END:VCALENDAR\r\n"
