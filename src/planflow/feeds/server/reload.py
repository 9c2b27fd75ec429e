"""The feed server's state: the plan version being served, its rendered feeds, reloading.

Requests are always answered from the current version; nothing a request does waits
for a reload. On a request, at most once a second (``check_interval``), the plan file
is looked at (a ``stat``) and the tokens file too (:mod:`.access`). A changed plan is
loaded in a background thread:

1. **settle**: the file is read, then read again after ``settle`` seconds, until two
   reads give the same bytes and the same size, mtime and inode, so an editor that
   saves in chunks is not caught half-way (writing a new file and renaming it over
   the plan is still the safest way to save);
2. the SHA-256 of **those bytes** is taken and **those bytes** are parsed (never a
   second read, which might be another version);
3. a plan with errors is rejected, its ``FILE:LINE:COL`` problems logged, and the last
   good version kept;
4. a plan that drops most duties (fewer than half of the served version's) is **held
   back** with a logged warning: it is served only once the file has stayed exactly so
   for ``confirm_after`` seconds (a truncated save does not; a real cut does);
5. the new version's feeds are rendered, and only then does it replace the current one.

Marks of recorded progress (:mod:`planflow.feeds.progress`) come from a callable that the
unit pages set (:attr:`FeedServer.progress`); they are re-read with the files, and at once
when a unit page records a change (``refresh(force=True)``).
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
from planflow.feeds.progress import Progress
from planflow.feeds.server.access import Access, Mode
from planflow.feeds.server.history import LastModified
from planflow.feeds.server.http_cache import Rendered
from planflow.feeds.server.wording import say
from planflow.i18n import N_
from planflow.plan.errors import PlanError, PlanFileError
from planflow.plan.loading import LoadedPlan, load, load_bytes, resolve_plan_path
from planflow.timeline.occurrences import Timeline

# the logger keeps the name it had when the server was one module (log configs use it)
log = logging.getLogger("planflow.feeds.server")

CHECK_INTERVAL = 1.0  # seconds between two looks at the plan and tokens files
SETTLE = 0.5  # seconds a plan file must stay unchanged before it is loaded
CONFIRM_AFTER = 60.0  # seconds a version that drops most duties must stay before it is served
KEEP_AT_LEAST = 0.5  # a new version with fewer duties than this share of the current is held
FeedKey = tuple[str | None, bool]  # (unit id or None for the plan feed, expanded)
#: loads a plan from the bytes of its file and the file's name (raises PlanFileError)
Loader = Callable[[bytes, str], LoadedPlan]


def _load_bytes(raw: bytes, file: str) -> LoadedPlan:
    return load_bytes(raw, file=file)


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

    Thread-safe: the current version is replaced in one assignment and never changed
    once published (apart from feeds added to its cache); renders (which update the
    SEQUENCE state and the Last-Modified dates) take turns under one lock, one feed
    at a time, so a request rendering a feed waits for at most one other feed.
    """

    def __init__(
        self,
        plan_path: str | os.PathLike[str],
        *,
        tokens_path: str | os.PathLike[str] | None = None,
        public_until_tokens: bool = False,
        base_url: str | None = None,
        state_path: str | os.PathLike[str] | None = None,
        check_interval: float = CHECK_INTERVAL,
        settle: float = SETTLE,
        confirm_after: float = CONFIRM_AFTER,
        loader: Loader | None = None,
    ) -> None:
        # how the plan file's bytes are loaded (a workspace adds its shared units)
        self._loader: Loader = loader or _load_bytes
        self.plan_file = resolve_plan_path(plan_path)
        tokens = Path(tokens_path) if tokens_path is not None else None
        if tokens is not None and _same_file(tokens, self.plan_file):
            raise PlanError("the tokens file cannot be the plan file")
        self.base_url = base_url.rstrip("/") if base_url else None
        self.state_path = Path(state_path) if state_path is not None else None
        self.check_interval, self.settle, self.confirm_after = check_interval, settle, confirm_after
        self._lock = threading.Lock()  # the schedule of checks and the reload thread
        self._render_lock = threading.Lock()  # FeedState and Last-Modified dates
        self._state = FeedState.load(self.state_path) if self.state_path else FeedState()
        self._dates = LastModified(
            self.state_path.with_name(self.state_path.name + ".http.json")
            if self.state_path
            else None
        )
        self._next_check = time.monotonic() + check_interval
        self._rejected: str | None = None  # digest of the last plan that failed to load
        self._held: tuple[str, float] | None = None  # (digest, when it may be served)
        self._reloader: threading.Thread | None = None
        # marks of recorded progress (planflow.feeds.progress), re-read with the files;
        # set by the unit pages (planflow.jobs.pages), which the feeds must not import
        self.progress: Callable[[], Progress] | None = None
        self._marks: Progress | None = None
        self._marks_digest = ""
        try:
            raw, sig = self._read_settled(at_start=True)
        except OSError:
            load(self.plan_file)  # raises PlanFileError: "no such file", "cannot read" …
            raise
        self._seen = sig
        self.version = self._render_all(self._load(raw, sig, _digest(raw)))
        self.access = Access(tokens, public_until_tokens=public_until_tokens)

    @property
    def private(self) -> bool:
        """Whether feeds need a token now (private or closed)."""
        return self.access.mode is not Mode.PUBLIC

    @property
    def closed(self) -> bool:
        """Whether no feed may be served (the tokens file in use is gone or broken)."""
        return self.access.mode is Mode.CLOSED

    # --- looking at the files ---------------------------------------------------

    def due(self) -> bool:
        """Whether it is time to look at the files again (cheap; call on every request)."""
        return time.monotonic() >= self._next_check

    def refresh(self, *, force: bool = False, wait: bool = False) -> None:
        """Look at the tokens and plan files; load a changed plan in the background.

        Never waits for a reload unless ``wait`` is given (for tests and tools).
        """
        with self._lock:
            now = time.monotonic()
            if now >= self._next_check or force:
                self._next_check = now + self.check_interval
                self.access.refresh()
                self._refresh_progress()
                if self._reloader is None and (self._plan_changed() or self._held_due(now)):
                    self._reloader = threading.Thread(
                        target=self._reload, name="planflow-reload", daemon=True
                    )
                    self._reloader.start()
            reloader = self._reloader
        if wait and reloader is not None:
            reloader.join()

    def _refresh_progress(self) -> None:
        """New marks (a unit marked a duty done, one became overdue): render anew."""
        if self.progress is None:
            return
        try:
            marks = self.progress()
        except Exception as exc:  # the state database is down: keep the last marks
            log.error("cannot read the recorded progress (%s); keeping the last marks", exc)
            return
        if not marks and self._marks is None:
            return  # still nothing to mark: the feeds as rendered stay right
        digest = hashlib.sha256(repr(sorted(marks.items())).encode()).hexdigest()
        if digest == self._marks_digest:
            return
        with self._render_lock:
            self._marks, self._marks_digest = marks, digest
            self.version = attrs.evolve(self.version, feeds={})  # the cached feeds are stale

    def _plan_changed(self) -> bool:
        try:
            return _signature(self.plan_file.stat()) != self._seen
        except OSError:
            return False  # reported by the reload that sees it

    def _held_due(self, now: float) -> bool:
        return self._held is not None and now >= self._held[1]

    def _reload(self) -> None:
        try:
            self._reload_once()
        except Exception:  # never let the thread die silently: the last good version stays
            log.exception(self._say(N_("reloading {file} failed; still serving the last good "
                                       "version")))  # fmt: skip
        finally:
            with self._lock:
                self._reloader = None

    def _reload_once(self) -> None:
        try:
            raw, sig = self._read_settled()
        except OSError as exc:
            log.warning(self._say(N_("cannot read {file} ({reason}); still serving the last good "
                                     "version"), reason=exc.strerror))  # fmt: skip
            return
        self._seen = sig
        digest = _digest(raw)
        if digest == self.version.digest:
            self._held = None  # touched, or put back as it was
            return
        if digest == self._rejected:
            return  # the same bad edit
        try:
            version = self._load(raw, sig, digest)
        except PlanFileError as exc:
            self._rejected = digest
            log.error(self._say(N_("{file} has errors; still serving the last good version:"))
                      + "\n" + "\n".join(str(p) for p in exc.problems))  # fmt: skip
            return
        except Exception as exc:  # a plan that loads but has no timeline (a limit …)
            self._rejected = digest
            log.error(self._say(N_("{file} cannot be served ({reason}); still serving the last "
                                   "good version"), reason=exc),
                      exc_info=not isinstance(exc, PlanError))  # fmt: skip
            return
        if self._hold_back(version):
            return
        self.version = self._render_all(version)
        self._rejected = None
        log.info("reloaded %s: %d tasks, %d units", self.plan_file,
                 len(version.loaded.plan.tasks), len(version.units))  # fmt: skip

    def _say(self, message: str, **fields: object) -> str:
        """``message`` about the plan file, in the language of its readers."""
        language = self.version.loaded.plan.language
        return say(message, language, file=self.plan_file, **fields)

    def _hold_back(self, version: _Version) -> bool:
        """Whether ``version`` drops most duties and has not yet stayed long enough."""
        now, before = len(version.timeline.duties), len(self.version.timeline.duties)
        if now >= before * KEEP_AT_LEAST:
            self._held = None
            return False
        held = self._held
        if held is not None and held[0] == version.digest:
            if time.monotonic() >= held[1]:
                log.warning(self._say(N_("{file} kept {now} of {before} duties for {seconds:.0f} "
                                         "s: serving it"), now=now, before=before,
                                      seconds=self.confirm_after))  # fmt: skip
                self._held = None
                return False
            return True
        self._held = (version.digest, time.monotonic() + self.confirm_after)
        log.warning(self._say(N_(
            "{file} now has {now} duties instead of {before}: held back, still serving the "
            "last version; it is served if the file stays so for {seconds:.0f} s (an editor "
            "still saving? save to a new file and rename it over the plan)"),
            now=now, before=before, seconds=self.confirm_after,
        ))  # fmt: skip
        return True

    def _read_settled(self, *, at_start: bool = False) -> tuple[bytes, tuple[int, ...]]:
        """The plan file's bytes once two reads ``settle`` seconds apart agree.

        At start, a file last changed more than ``settle`` seconds ago is settled
        already: a workspace server starts a plan on its first request without waiting.
        """
        raw, sig = self._read()
        if at_start and time.time_ns() - sig[0] > self.settle * 1e9:
            return raw, sig
        while True:
            time.sleep(self.settle)
            again, sig_again = self._read()
            if again == raw and sig_again == sig:
                return raw, sig
            raw, sig = again, sig_again

    def _read(self) -> tuple[bytes, tuple[int, ...]]:
        with open(self.plan_file, "rb") as stream:
            sig = _signature(os.fstat(stream.fileno()))
            raw = stream.read()
        return raw, sig

    def _load(self, raw: bytes, sig: tuple[int, ...], digest: str) -> _Version:
        """Parse exactly ``raw`` (the bytes ``digest`` was taken of); raise if it is bad."""
        loaded = self._loader(raw, str(self.plan_file))
        timeline = Timeline(loaded.plan)
        timeline.check_size()
        return _Version(
            loaded=loaded,
            timeline=timeline,
            digest=digest,
            mtime=sig[0] // 1_000_000_000,
            units=frozenset(u.id for u in loaded.plan.units),
        )

    def _render_all(self, version: _Version) -> _Version:
        """Render the plan feed and every unit's feed (expanded ones wait for a request)."""
        keys: list[FeedKey] = [(None, False), *((u, False) for u in sorted(version.units))]
        for key in keys:
            self.feed(version, key, save=False)
        self._save_state()
        return version

    # --- feeds ------------------------------------------------------------------

    def feed(self, version: _Version, key: FeedKey, *, save: bool = True) -> Rendered:
        """A feed of ``version``, rendered on first use (blocking; unit must exist)."""
        found = version.feeds.get(key)
        if found is not None:
            return found
        with self._render_lock:
            found = version.feeds.get(key)
            if found is None:
                found = version.feeds[key] = self._rendered(version, key, self._body(version, key))
                if save:
                    self._save_state_locked()
            return found

    def _body(self, version: _Version, key: FeedKey) -> bytes:
        unit, expand = key
        plan, timeline = version.loaded.plan, version.timeline
        marks = self._marks
        if unit is None:
            return plan_feed(plan, timeline=timeline, expand=expand, state=self._state,
                             progress=marks)  # fmt: skip
        return unit_feed(plan, unit, timeline=timeline, expand=expand, state=self._state,
                         progress=marks)  # fmt: skip

    def _rendered(self, version: _Version, key: FeedKey, body: bytes) -> Rendered:
        digest = hashlib.sha256(body).hexdigest()[:40]
        etag = f'"{digest}"'
        unit, expand = key
        name = ("expanded/" if expand else "") + (f"units/{unit}.ics" if unit else "plan.ics")
        modified = self._dates.stamp(name, etag, version.mtime)
        return Rendered(
            body=body,
            gzipped=gzip.compress(body, compresslevel=9, mtime=0),
            etag=etag,
            etag_gzip=f'"{digest}-gzip"',
            last_modified=modified,
            last_modified_http=formatdate(modified, usegmt=True),
        )

    def _save_state(self) -> None:
        with self._render_lock:
            self._save_state_locked()

    def _save_state_locked(self) -> None:
        if self.state_path is not None:
            self._state.save(self.state_path)
        self._dates.save()

    def opens(self, secret: str | None, unit: str | None) -> bool:
        """Whether a request may read the feed of ``unit`` (``None``: the plan feed)."""
        return self.access.opens(secret, unit)


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _signature(stat: os.stat_result) -> tuple[int, ...]:
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino, stat.st_dev)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and os.path.samefile(a, b))
    except OSError:
        return False
