"""The feed server's state: the current plan version, its rendered feeds, the tokens.

The plan file is checked at most once a second, on request (size, mtime, inode, then
the SHA-256 of its bytes). A changed plan is loaded and rendered before it replaces
the served version; a plan with errors is rejected, its ``FILE:LINE:COL`` problems
logged, and the last good version kept. The tokens file is re-read the same way.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path

import attrs

from planflow.feeds import FeedState, plan_feed, unit_feed
from planflow.feeds.server.http_cache import Rendered
from planflow.feeds.tokens import TokenStore
from planflow.plan.errors import PlanError, PlanFileError
from planflow.plan.loading import LoadedPlan, load, resolve_plan_path
from planflow.timeline.occurrences import Timeline

# the logger keeps the name it had when the server was one module (log configs use it)
log = logging.getLogger("planflow.feeds.server")

CHECK_INTERVAL = 1.0  # seconds between two looks at the plan and tokens files
FeedKey = tuple[str | None, bool]  # (unit id or None for the plan feed, expanded)


@attrs.define(eq=False)
class _Version:
    """One loaded version of the plan and the feeds rendered from it."""

    loaded: LoadedPlan
    timeline: Timeline
    digest: str  # sha256 of the plan file's bytes
    mtime: int
    units: frozenset[str]
    feeds: dict[FeedKey, Rendered] = attrs.field(factory=dict)


class FeedServer:
    """The state behind the app: current plan version, feed cache, tokens.

    Thread-safe: every change happens under one lock; readers take a reference
    to the current version, which is never changed once published (apart from
    feeds added to its cache).
    """

    def __init__(
        self,
        plan_path: str | os.PathLike[str],
        *,
        tokens_path: str | os.PathLike[str] | None = None,
        base_url: str | None = None,
        state_path: str | os.PathLike[str] | None = None,
        check_interval: float = CHECK_INTERVAL,
        loader: Callable[[Path], LoadedPlan] = load,
    ) -> None:
        # ``loader``: how the plan file is loaded (a workspace adds its shared units)
        self._loader = loader
        self.plan_file = resolve_plan_path(plan_path)
        self.tokens_path = Path(tokens_path) if tokens_path is not None else None
        if self.tokens_path is not None and _same_file(self.tokens_path, self.plan_file):
            raise PlanError("the tokens file cannot be the plan file")
        self.base_url = base_url.rstrip("/") if base_url else None
        self.state_path = Path(state_path) if state_path is not None else None
        self.check_interval = check_interval
        self._lock = threading.RLock()
        self._history: dict[FeedKey, tuple[str, int]] = {}  # last ETag and Last-Modified
        self._state = FeedState.load(self.state_path) if self.state_path else FeedState()
        self._next_check = time.monotonic() + check_interval
        self._rejected: str | None = None  # digest of the last plan that failed to load
        try:
            stat = self.plan_file.stat()
            raw = self.plan_file.read_bytes()
        except OSError:
            load(self.plan_file)  # raises PlanFileError: "no such file", "cannot read" …
            raise
        self._plan_sig = _signature(stat)
        self.version = self._load(stat, _digest(raw))
        self.tokens: TokenStore | None = None
        self._tokens_sig: tuple[int, ...] | None = None
        if self.tokens_path is not None:
            self._tokens_sig = _stat_signature(self.tokens_path)
            self.tokens = TokenStore.load(self.tokens_path)

    @property
    def private(self) -> bool:
        """Whether feeds need a token."""
        return self.tokens_path is not None

    # --- reloading --------------------------------------------------------------

    def due(self) -> bool:
        """Whether it is time to look at the files again (cheap; call on every request)."""
        return time.monotonic() >= self._next_check

    def refresh(self, *, force: bool = False) -> None:
        """Look at the plan and tokens files; load what changed (blocking)."""
        with self._lock:
            now = time.monotonic()
            if now < self._next_check and not force:
                return  # another request just did it
            try:
                self._refresh_plan()
                self._refresh_tokens()
            finally:
                self._next_check = time.monotonic() + self.check_interval

    def _refresh_plan(self) -> None:
        try:
            stat = self.plan_file.stat()
            if _signature(stat) == self._plan_sig:
                return
            raw = self.plan_file.read_bytes()
        except OSError as exc:
            log.warning("cannot read %s (%s); still serving the last good version",
                        self.plan_file, exc.strerror)  # fmt: skip
            return
        self._plan_sig = _signature(stat)
        digest = _digest(raw)
        if digest in (self.version.digest, self._rejected):
            return  # touched, or the same bad edit: nothing to do
        try:
            version = self._load(stat, digest)
        except PlanFileError as exc:
            self._rejected = digest
            log.error("%s has errors; still serving the last good version:\n%s",
                      self.plan_file, "\n".join(str(p) for p in exc.problems))  # fmt: skip
            return
        except Exception as exc:  # a plan that loads but cannot be rendered
            self._rejected = digest
            log.error("%s cannot be served (%s); still serving the last good version",
                      self.plan_file, exc, exc_info=not isinstance(exc, PlanError))  # fmt: skip
            return
        self.version = version
        self._rejected = None
        log.info("reloaded %s: %d tasks, %d units", self.plan_file,
                 len(version.loaded.plan.tasks), len(version.units))  # fmt: skip

    def _refresh_tokens(self) -> None:
        if self.tokens_path is None:
            return
        sig = _stat_signature(self.tokens_path)
        if sig == self._tokens_sig:
            return
        self._tokens_sig = sig
        if sig is None:
            log.warning("%s is gone; keeping the tokens read before", self.tokens_path)
            return
        try:
            self.tokens = TokenStore.load(self.tokens_path)
        except PlanError as exc:
            log.error("%s; keeping the tokens read before", exc)
            return
        log.info("re-read %s: %d tokens", self.tokens_path, len(self.tokens))

    def _load(self, stat: os.stat_result, digest: str) -> _Version:
        """Load the plan and render its feeds; raise if anything is wrong."""
        loaded = self._loader(self.plan_file)
        version = _Version(
            loaded=loaded,
            timeline=Timeline(loaded.plan),
            digest=digest,
            mtime=int(stat.st_mtime),
            units=frozenset(u.id for u in loaded.plan.units),
        )
        keys: list[FeedKey] = [(None, False), *((u.id, False) for u in loaded.plan.units)]
        bodies = {key: self._body(version, key) for key in keys}
        for key, body in bodies.items():
            version.feeds[key] = self._rendered(version, key, body)
        self._save_state()
        return version

    # --- feeds ------------------------------------------------------------------

    def feed(self, version: _Version, key: FeedKey) -> Rendered:
        """A feed of ``version``, rendered on first use (blocking; unit must exist)."""
        found = version.feeds.get(key)
        if found is not None:
            return found
        with self._lock:
            found = version.feeds.get(key)
            if found is None:
                found = version.feeds[key] = self._rendered(version, key, self._body(version, key))
                self._save_state()
            return found

    def _body(self, version: _Version, key: FeedKey) -> bytes:
        unit, expand = key
        plan, timeline = version.loaded.plan, version.timeline
        if unit is None:
            return plan_feed(plan, timeline=timeline, expand=expand, state=self._state)
        return unit_feed(plan, unit, timeline=timeline, expand=expand, state=self._state)

    def _rendered(self, version: _Version, key: FeedKey, body: bytes) -> Rendered:
        digest = hashlib.sha256(body).hexdigest()[:40]
        etag = f'"{digest}"'
        previous = self._history.get(key)
        if previous is not None and previous[0] == etag:
            modified = previous[1]
        else:
            modified = min(version.mtime, int(time.time()))
            if previous is not None:
                modified = max(modified, previous[1] + 1)  # changed bytes: strictly later
        self._history[key] = (etag, modified)
        return Rendered(
            body=body,
            gzipped=gzip.compress(body, compresslevel=9, mtime=0),
            etag=etag,
            etag_gzip=f'"{digest}-gzip"',
            last_modified=modified,
            last_modified_http=formatdate(modified, usegmt=True),
        )

    def _save_state(self) -> None:
        if self.state_path is not None:
            self._state.save(self.state_path)

    def opens(self, secret: str | None, unit: str | None) -> bool:
        """Whether a request may read the feed of ``unit`` (``None``: the plan feed)."""
        if self.tokens_path is None:
            return secret is None
        if secret is None or self.tokens is None:
            return False
        token = self.tokens.match(secret)
        return token is not None and token.opens(unit)


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _signature(stat: os.stat_result) -> tuple[int, ...]:
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino, stat.st_dev)


def _stat_signature(path: Path) -> tuple[int, ...] | None:
    try:
        return _signature(path.stat())
    except OSError:
        return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and os.path.samefile(a, b))
    except OSError:
        return False
