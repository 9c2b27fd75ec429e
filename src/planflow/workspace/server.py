"""One feed server for a whole workspace: every plan's feeds under ``/PLAN-ID/…``.

::

    GET/HEAD /                                          the workspace's plans (vi + en)
    GET/HEAD /PLAN-ID/                                  the plan's page with its feed links
    GET/HEAD /PLAN-ID/feeds/plan.ics                    the plan's feed
    GET/HEAD /PLAN-ID/feeds/units/<unit>.ics            one unit's feed in that plan
    GET/HEAD /PLAN-ID/feeds/expanded/…                  one event per occurrence
    GET/HEAD /PLAN-ID/feeds/<token>/…                   when the plan has a tokens file
    GET/HEAD /PLAN-ID/pages/<token>/units/<unit>        the unit's page (tokens file)
    POST     /PLAN-ID/pages/<token>/units/<unit>/done   its forms: a duty done,
    POST     /PLAN-ID/pages/<token>/units/<unit>/record a target's measured value

Each plan is served by its own :class:`~planflow.feeds.server.FeedServer` (the same
ETags, 304s, gzip and last-good-version reloading as ``planflow serve PLAN``), loaded
through the workspace's compiled-plan cache with the shared units. A plan is loaded
on its first request and kept in memory with its rendered feeds; at most
``max_plans`` plans are kept (the least recently asked for is dropped and loaded
again when asked for), so the national workspace fits in a modest machine while
the busy plans answer from memory.

Reloading touches only what changed: each plan's server looks at its own plan file
at most once a second; the workspace looks for added and removed plans, a changed
workspace file (shared units: every plan is loaded again) and changed templates of
the plans in memory every ``check_interval`` seconds. A plan with a tokens file
beside it (``plan.tokens.json``, see ``planflow tokens``) has private feeds and unit
pages (:mod:`planflow.jobs.pages`), from the plan version its feeds are served from;
a tokens file that appears while the plan is served makes it private within a
second, one that goes missing or breaks closes its feeds and pages (503). The pages
record into ``db`` (one database for every plan: the store is keyed by plan id), or
without it into each plan's own ``PLAN_DIR/.planflow/state.db``, where ``planflow
done PLAN-FOLDER`` records too.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import attrs

from planflow.feeds.progress import Progress
from planflow.feeds.server import FeedServer
from planflow.feeds.server.access import Mode
from planflow.feeds.tokens import default_tokens_path
from planflow.jobs.pages import UnitPages, YearSource
from planflow.jobs.year import Year
from planflow.plan.errors import PlanError, PlanFileError
from planflow.plan.loading import LoadedPlan
from planflow.run.store import Store
from planflow.workspace.cache import file_digest
from planflow.workspace.discovery import Member, Workspace, open_workspace
from planflow.workspace.members import Session, load_member, load_member_bytes, run_each

__all__ = ["MAX_PLANS", "WorkspaceServer", "parse_feed_path"]

log = logging.getLogger("planflow.workspace.server")
MAX_PLANS = 256
RESCAN_INTERVAL = 5.0


@attrs.frozen
class _Listed:
    """A plan as the workspace index shows it."""

    member: Member
    plan_id: str
    title: str


def _listing(session: Session, member: Member) -> tuple[str, str] | None:
    try:
        plan = load_member(session, member).plan
    except PlanFileError:
        return None
    return plan.id, plan.title


@attrs.define(eq=False)
class _Live:
    server: FeedServer
    pages: UnitPages
    templates: tuple[tuple[str, str | None], ...]  # files the plan extends, with digests


def served_year(server: FeedServer, db: str | None) -> YearSource:
    """The year of the plan version ``server`` serves, with a store of its own for each
    request: the pages show the plan the feeds show (its last good version)."""

    def open_year(now: datetime | None) -> Year:
        version = server.version
        store = Store.for_plan(version.loaded.file, db)
        year = Year(version.loaded, store, version.timeline, version.digest)
        if now is not None:
            year.fixed_now = now if now.tzinfo else now.replace(tzinfo=year.zone())
        return year

    return open_year


def _marks(server: FeedServer, pages: UnitPages) -> Callable[[], Progress]:
    """The feeds' marks: none while the plan is public (its feeds stay the bytes that
    ``planflow export`` writes), what is recorded once it has tokens."""

    def progress() -> Progress:
        return {} if server.access.mode is Mode.PUBLIC else pages.marks()

    return progress


class WorkspaceServer:
    """The state behind the workspace app: the plans, and the plans kept in memory."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        base_url: str | None = None,
        check_interval: float = RESCAN_INTERVAL,
        max_plans: int = MAX_PLANS,
        use_cache: bool = True,
        jobs: int = 0,
        db: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.root = Path(root)
        self.db = db
        self.clock = clock
        self.base_url = base_url.rstrip("/") if base_url else None
        self.check_interval = check_interval
        self.max_plans = max(1, max_plans)
        self.use_cache = use_cache
        self.jobs = jobs
        self._lock = threading.RLock()
        self._live: OrderedDict[str, _Live] = OrderedDict()  # plan id → live server
        self.session = Session.open(open_workspace(self.root), use_cache=use_cache)
        self.plans: dict[str, _Listed] = {}
        self._index()
        self._next_check = time.monotonic() + check_interval

    @property
    def workspace(self) -> Workspace:
        """The workspace as last read."""
        return self.session.workspace

    def _index(self, *, jobs: int | None = None, keep: bool = False) -> None:
        """Learn the plans' ids and titles (from the cache, in parallel at start-up).

        With ``keep``, plans already known keep their entry and only the new plan
        files are loaded. A changed plan's new id is learnt when the workspace file
        changes or the server restarts; until then it is served under its first id.
        """
        members = self.session.workspace.members
        known = {p.member.key: p for p in self.plans.values()} if keep else {}
        todo = [m for m in members if m.key not in known]
        loaded = dict(
            zip(
                (m.key for m in todo),
                run_each(self.session, _listing, jobs=self.jobs if jobs is None else jobs,
                         members=todo),
                strict=True,
            )
        )  # fmt: skip
        found: dict[str, _Listed] = {}
        for member in members:
            if member.key in known:
                old = known[member.key]
                found[old.plan_id] = attrs.evolve(old, member=member)
                continue
            listed = loaded[member.key]
            if listed is None:
                log.error("%s has errors; it is not served", member.path)
            elif listed[0] in found:
                log.error("%s: plan id %r is also the id of %s; it is not served",
                          member.path, listed[0], found[listed[0]].member.path)  # fmt: skip
            else:
                found[listed[0]] = _Listed(member, *listed)
        self.plans = found

    # --- reloading ----------------------------------------------------------------

    def due(self) -> bool:
        """Whether it is time to look at the workspace again."""
        return time.monotonic() >= self._next_check

    def refresh(self) -> None:
        """Look for added or removed plans, a changed workspace file, changed templates."""
        with self._lock:
            if time.monotonic() < self._next_check:
                return
            try:
                self._refresh()
            finally:
                self._next_check = time.monotonic() + self.check_interval

    def _refresh(self) -> None:
        try:
            workspace = open_workspace(self.root)
        except PlanFileError as exc:
            log.error("the workspace file has errors; still serving the last good version:\n%s",
                      "\n".join(str(p) for p in exc.problems))  # fmt: skip
            return
        changed = workspace.plans_digest != self.workspace.plans_digest
        if changed:
            log.info("the workspace's shared units changed: every plan is loaded again")
            self._live.clear()
        if workspace != self.workspace:
            self.session = Session.open(workspace, use_cache=self.use_cache)
            # never fork here: uvicorn's threads are running
            self._index(jobs=1, keep=not changed)
        for plan_id, live in list(self._live.items()):
            if plan_id not in self.plans or any(
                file_digest(path) != digest for path, digest in live.templates
            ):
                del self._live[plan_id]  # loaded again on its next request

    # --- plans ----------------------------------------------------------------------

    def in_memory(self, plan_id: str) -> FeedServer | None:
        """The server of ``plan_id`` if it is in memory (never blocks)."""
        live = self._kept(plan_id)
        return None if live is None else live.server

    def pages_in_memory(self, plan_id: str) -> UnitPages | None:
        """The unit pages of ``plan_id`` if it is in memory (never blocks)."""
        live = self._kept(plan_id)
        return None if live is None else live.pages

    def plan(self, plan_id: str) -> FeedServer | None:
        """The live server of ``plan_id`` (loaded now if needed); None for no such plan."""
        live = self._entry(plan_id)
        return None if live is None else live.server

    def unit_pages(self, plan_id: str) -> UnitPages | None:
        """The unit pages of ``plan_id`` (loaded now if needed); None for no such plan."""
        live = self._entry(plan_id)
        return None if live is None else live.pages

    def _kept(self, plan_id: str) -> _Live | None:
        live = self._live.get(plan_id)
        if live is not None:
            with contextlib.suppress(KeyError):  # dropped by another thread just now
                self._live.move_to_end(plan_id)
        return live

    def _entry(self, plan_id: str) -> _Live | None:
        found = self._kept(plan_id)
        if found is not None:
            return found
        with self._lock:
            live = self._live.get(plan_id)
            if live is None:
                listed = self.plans.get(plan_id)
                if listed is None:
                    return None
                try:
                    live = self._start(listed.member)
                except PlanError as exc:
                    log.error("%s cannot be served: %s", listed.member.path, exc)
                    return None
                self._live[plan_id] = live
                while len(self._live) > self.max_plans:
                    self._live.popitem(last=False)
            return live

    def _start(self, member: Member) -> _Live:
        session = self.session
        loaded_here: list[LoadedPlan] = []

        def loader(raw: bytes, file: str) -> LoadedPlan:
            loaded = load_member_bytes(session, member, raw)
            loaded_here.append(loaded)
            return loaded

        # public until the plan's tokens file appears, as for one plan
        server = FeedServer(
            member.path,
            tokens_path=default_tokens_path(member.path),
            public_until_tokens=True,
            base_url=self.base_url,
            loader=loader,
        )
        pages = UnitPages(
            Path(member.path).parent,
            server.access,
            served_year(server, self.db),
            feeds=server,
            clock=self.clock,
        )
        server.progress = _marks(server, pages)
        server.refresh(force=True)
        extended = [source.path for source in loaded_here[-1].sources] if loaded_here else []
        templates = tuple(
            (str(p), file_digest(p)) for p in extended if Path(p) != Path(member.path)
        )
        return _Live(server, pages, templates)

    @property
    def live(self) -> list[str]:
        """The ids of the plans in memory, least recently asked for first."""
        return list(self._live)

    def index_html(self, base: str) -> str:
        """The workspace's page: every plan with a link to its own page."""
        e = html.escape
        count = f"{len(self.plans):,}".replace(",", ".")
        rows = "".join(
            f'<tr><td><a href="{e(base)}/{e(p.plan_id)}/">{e(p.plan_id)}</a></td>'
            f"<td>{e(p.title)}</td></tr>\n"
            for p in sorted(self.plans.values(), key=lambda p: p.plan_id)
        )
        return (
            '<!doctype html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>Lịch công tác · {e(self.workspace.name)}</title>\n</head>\n<body>\n"
            f"<h1>{e(self.workspace.name)}</h1>\n"
            f"<p>{count} kế hoạch / plans. Chọn kế hoạch để xem đường dẫn lịch của từng "
            "đơn vị. / Pick a plan for its units' calendar links.</p>\n"
            "<table>\n<tr><th>Mã / Id</th><th>Kế hoạch / Plan</th></tr>\n"
            f"{rows}</table>\n<p><small>planflow</small></p>\n</body>\n</html>\n"
        )


def parse_feed_path(rest: str, *, private: bool) -> tuple[str | None, str | None, bool] | None:
    """``(token, unit or None for the plan feed, expanded)`` of the path after
    ``/PLAN-ID/feeds/``, or None when it names no feed."""
    parts = rest.split("/")
    token = None
    if private:
        if len(parts) < 2:
            return None
        token = parts.pop(0)
    expand = bool(parts) and parts[0] == "expanded"
    if expand:
        parts.pop(0)
    if parts == ["plan.ics"]:
        return token, None, expand
    if len(parts) == 2 and parts[0] == "units" and parts[1].endswith(".ics") and parts[1] != ".ics":
        return token, parts[1][: -len(".ics")], expand
    return None
