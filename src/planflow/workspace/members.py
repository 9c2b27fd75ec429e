"""Loading the plans of a workspace: through the cache, with the shared units, in processes.

:func:`load_member` loads one plan as the workspace sees it. :func:`run_each` calls a
function on every plan of a workspace in worker processes (forked, so the plugin
manager and everything imported so far is shared) and yields what it returns, in
the workspace's order. Each worker loads its own plans: only the small results
cross between processes, never a plan.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

import attrs

from planflow.i18n import _
from planflow.plan.errors import PlanFileError, Problem
from planflow.plan.loading import LoadedPlan, load, load_bytes
from planflow.workspace.cache import CACHE_DIR, PlanCache
from planflow.workspace.discovery import Member, Workspace

__all__ = [
    "Failed",
    "Session",
    "find_member",
    "load_member",
    "load_member_bytes",
    "memoised",
    "plugin_names",
    "run_each",
]

R = TypeVar("R")


@attrs.frozen
class Failed:
    """A plan that did not load (or whose work failed): its located problems."""

    file: str
    """The plan's path in the workspace (``c0001/plan.yaml``)."""
    problems: tuple[str, ...]
    errors: int


@attrs.define
class Session:
    """A workspace with its cache: what every worker needs to load a plan."""

    workspace: Workspace
    cache: PlanCache

    @classmethod
    def open(cls, workspace: Workspace, *, use_cache: bool = True) -> Session:
        """A session using ``WORKSPACE/.planflow/cache`` (or no cache)."""
        folder = workspace.root / CACHE_DIR if use_cache else None
        return cls(workspace, PlanCache(folder, context=workspace.plans_digest))


def load_member(session: Session, member: Member) -> LoadedPlan:
    """Load one plan of the workspace: from the cache when no file it was read from changed.

    :raises PlanFileError: the plan has errors (located in its file).
    """
    ws = session.workspace
    cached = session.cache.get(member.key)
    if cached is not None:
        return cached
    loaded = load(member.path, adjust_document=ws.add_shared_units)
    _keep(session, member, loaded)
    return loaded


def load_member_bytes(session: Session, member: Member, raw: bytes) -> LoadedPlan:
    """Load one plan of the workspace from ``raw``, the bytes of its file as just read
    (the feed server parses exactly the bytes it looked at): from the cache when the
    cached plan was read from these bytes and no other file of it changed.

    :raises PlanFileError: the plan has errors (located in its file).
    """
    cached = session.cache.get(member.key)
    sources = session.cache.sources(member.key)
    if cached is not None and sources and sources[0][1] == hashlib.sha256(raw).hexdigest():
        return cached
    ws = session.workspace
    loaded = load_bytes(raw, file=str(member.path), adjust_document=ws.add_shared_units)
    _keep(session, member, loaded)
    return loaded


def _keep(session: Session, member: Member, loaded: LoadedPlan) -> None:
    """Cache ``loaded`` with every file it was read from: the plan and the templates it
    extends (``LoadedPlan.sources``); the workspace file's shared units are the cache's
    context."""
    extended = [source.path for source in loaded.sources]
    files: list[str | os.PathLike[str]] = [member.path, *extended]
    session.cache.put(member.key, loaded, files)


def memoised(
    session: Session,
    member: Member,
    kind: str,
    options: tuple[Any, ...],
    compute: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """``compute()`` (which loads the plan through :func:`load_member`), or what it gave
    before for the same ``kind`` and ``options`` when no file of the plan changed."""
    found = session.cache.result(member.key, kind, options)
    if isinstance(found, dict):
        return found
    value = compute()
    session.cache.put_result(member.key, kind, options, value)
    return value


_PLUGIN_NAMES: weakref.WeakKeyDictionary[Any, tuple[str, ...]] = weakref.WeakKeyDictionary()


def plugin_names(pm: Any) -> tuple[str, ...]:
    """The plugins that can change a result (part of a memoised result's options).

    Worked out once per plugin manager: a plugin's version comes from its package
    metadata, which costs milliseconds a look (it was 34 ms a plan, more than the
    whole rest of a warm ``validate``)."""
    found = _PLUGIN_NAMES.get(pm)
    if found is None:
        version = getattr(pm, "version", lambda name: None)
        found = tuple(sorted(f"{name}=={version(name)}" for name, _ in pm.list_name_plugin()))
        _PLUGIN_NAMES[pm] = found
    return found


def failed(member: Member, exc: PlanFileError) -> Failed:
    """The outcome of a plan that did not load."""
    return Failed(member.key, tuple(str(p) for p in exc.problems), len(exc.errors))


def crashed(member: Member, exc: Exception) -> Failed:
    """The outcome of a plan whose work raised: one problem naming the plan file."""
    problem = Problem(
        f"{type(exc).__name__}: {exc}", str(member.path), hint=_("the other plans went on")
    )
    return Failed(member.key, (str(problem),), 1)


# --- processes --------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _pool(jobs: int) -> ProcessPoolExecutor:
    """Forked workers that die with this process, even when it is killed: a killed
    export or simulate leaves no worker writing on."""
    from planflow.feeds._parallel import die_with_parent

    context = multiprocessing.get_context("fork")
    return ProcessPoolExecutor(
        jobs, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),)
    )


def _call_many(members: list[Member]) -> Any:
    return _worker["fn"](_worker["session"], members)


def run_batched(
    session: Session,
    fn: Callable[[Session, list[Member]], list[R]],
    *,
    jobs: int = 0,
    size: int = 64,
    members: Sequence[Member] | None = None,
) -> Iterator[R]:
    """As :func:`run_each`, with ``fn(session, members)`` given up to ``size`` plans at a
    time and returning one result for each, in order (a batch shares work that one plan
    alone would pay for, such as flushing the disk)."""
    todo = list(session.workspace.members if members is None else members)
    jobs = min(jobs or os.cpu_count() or 1, max(1, len(todo)))
    per = max(1, min(size, len(todo) // (jobs * 8)))
    batches = [todo[i : i + per] for i in range(0, len(todo), per)]
    if jobs <= 1 or len(todo) < 4 or "fork" not in multiprocessing.get_all_start_methods():
        for batch in batches:
            yield from fn(session, batch)
        return
    _worker.update(fn=fn, session=session)  # forked workers inherit these
    try:
        with _pool(jobs) as pool:
            for results in pool.map(_call_many, batches):
                yield from results
    finally:
        _worker.clear()


def _each(fn: Callable[[Session, Member], R], session: Session, members: list[Member]) -> list[R]:
    return [fn(session, member) for member in members]


def run_each(
    session: Session,
    fn: Callable[[Session, Member], R],
    *,
    jobs: int = 0,
    members: Sequence[Member] | None = None,
) -> Iterator[R]:
    """``fn(session, member)`` for every plan (or ``members``), in order, in ``jobs`` processes.

    ``jobs=0`` means one per CPU. ``fn`` must be a module-level function and should
    turn the problems of its plan into its result rather than raise. One process
    does it all where processes cannot be forked, or for a handful of plans.
    """
    each = functools.partial(_each, fn)
    return run_batched(session, each, jobs=jobs, members=members)


def _plan_id(session: Session, member: Member) -> str | None:
    try:
        return load_member(session, member).plan.id
    except PlanFileError:
        return None


def find_member(session: Session, name: str, *, jobs: int = 0) -> Member | None:
    """The plan named ``name``: by its folder (``c0001``) or path in the workspace, else by
    its plan id (which needs every plan loaded: from the cache, in parallel)."""
    members = session.workspace.members
    for member in members:
        if name in (member.folder_name, member.key):
            return member
    for member, plan_id in zip(members, run_each(session, _plan_id, jobs=jobs), strict=True):
        if plan_id == name:
            return member
    return None
