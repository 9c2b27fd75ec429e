"""HTTP feed server: the plan's calendar feeds over HTTP, as an ASGI app (Starlette).

``create_app(plan_path)`` gives an app that any ASGI server runs (``planflow serve``
runs it with uvicorn)::

    GET/HEAD /                                  index page (vi + en) with subscription links
    GET/HEAD /feeds/plan.ics                    the whole plan
    GET/HEAD /feeds/units/<unit>.ics            one unit (lead + coordinator duties)
    GET/HEAD /feeds/expanded/…                  the same, one event per occurrence (Outlook)

With a tokens file (:mod:`planflow.feeds.tokens`) feeds are private and only served under
``/feeds/<secret>/…``: a unit's token opens that unit's feeds, an ``all`` token the
plan feed and every unit's. A wrong token and an unknown path get the same 404.

HTTP behaviour, for calendar clients that poll for years:

* the body is rendered once per plan version and kept in memory with its gzip form;
* a strong ETag over the exact bytes (``"<sha256>"``, ``"<sha256>-gzip"`` for the
  gzip body) and ``Vary: Accept-Encoding``;
* ``If-None-Match`` is checked first (``*`` or any listed tag of this feed → 304;
  a tag of the other encoding of the same bytes matches too: the client holds the
  current content); ``If-Modified-Since`` only without it, only when it parses and
  is not in the future, and only → 304 when the feed really is not newer;
* Last-Modified is the plan file's mtime, never before the previous value for the
  same feed, strictly after it when the bytes changed, and unchanged when they did
  not (editing one unit's task does not touch the other units' feeds).

The plan file is checked at most once a second, on request (size, mtime, inode, then
the SHA-256 of its bytes). A changed plan is loaded and rendered before it replaces
the served version; a plan with errors is rejected, its ``FILE:LINE:COL`` problems
logged, and the last good version kept. The tokens file is re-read the same way, so
``planflow tokens --revoke`` takes effect within a second.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import attrs

from planflow.feeds import FeedState, plan_feed, unit_feed
from planflow.feeds.progress import Progress
from planflow.feeds.tokens import TokenStore
from planflow.plan.errors import PlanError, PlanFileError
from planflow.plan.loading import LoadedPlan, load, resolve_plan_path
from planflow.timeline.occurrences import Timeline

try:
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route
    from starlette.types import ASGIApp, Receive, Scope, Send
except ImportError as exc:  # pragma: no cover - exercised by hand
    raise ImportError(
        "planflow's feed server needs Starlette and uvicorn: pip install 'planflow[serve]'"
    ) from exc

__all__ = ["FeedServer", "Rendered", "create_app"]

log = logging.getLogger("planflow.feeds.server")

MEDIA_TYPE = "text/calendar; charset=utf-8"
CHECK_INTERVAL = 1.0  # seconds between two looks at the plan and tokens files
_NOT_FOUND_BODY = b"404 Not Found / Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y\n"
_NOT_FOUND_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Type": "text/plain; charset=utf-8",
}
FeedKey = tuple[str | None, bool]  # (unit id or None for the plan feed, expanded)


@attrs.frozen
class Rendered:
    """One feed as served: both encodings, their ETags and Last-Modified (epoch seconds)."""

    body: bytes
    gzipped: bytes
    etag: str
    etag_gzip: str
    last_modified: int
    last_modified_http: str


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
    ) -> None:
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
        # marks of recorded progress (planflow.feeds.progress), re-read with the files;
        # set by the unit pages (planflow.jobs.pages), which the feeds must not import
        self.progress: Callable[[], Progress] | None = None
        self._marks: Progress | None = None
        self._marks_digest = ""
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
                self._refresh_progress()
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

    def _refresh_progress(self) -> None:
        """New marks (a unit marked a duty done, one became overdue): render anew."""
        if self.progress is None:
            return
        try:
            marks = self.progress()
        except Exception as exc:  # the state database is down: keep the last marks
            log.error("cannot read the recorded progress (%s); keeping the last marks", exc)
            return
        digest = hashlib.sha256(repr(sorted(marks.items())).encode()).hexdigest()
        if digest == self._marks_digest:
            return
        self._marks, self._marks_digest = marks, digest
        self.version = attrs.evolve(self.version, feeds={})  # the cached feeds are stale

    def _load(self, stat: os.stat_result, digest: str) -> _Version:
        """Load the plan and render its feeds; raise if anything is wrong."""
        loaded = load(self.plan_file)
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
        marks = self._marks
        if unit is None:
            return plan_feed(plan, timeline=timeline, expand=expand, state=self._state,
                             progress=marks)  # fmt: skip
        return unit_feed(plan, unit, timeline=timeline, expand=expand, state=self._state,
                         progress=marks)  # fmt: skip

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


# ------------------------------------------------------------------------------ HTTP


def accepts_gzip(header: str | None) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (``gzip``/``x-gzip``/``*``, q > 0)."""
    if not header:
        return False
    star: float | None = None
    for part in header.split(","):
        name, _, params = part.partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        name = name.strip().lower()
        if name in ("gzip", "x-gzip"):
            return q > 0
        if name == "*":
            star = q
    return star is not None and star > 0


def etag_matches(header: str, tags: Iterable[str]) -> bool:
    """Weak comparison of an ``If-None-Match`` value with the feed's tags; ``*`` matches."""
    if header.strip() == "*":
        return True
    wanted = set(tags)
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag in wanted:
            return True
    return False


def parse_http_date(value: str) -> int | None:
    """An HTTP-date as epoch seconds, or ``None`` when it does not parse."""
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:  # "-0000" (and asctime dates): UTC
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def not_modified(headers: Mapping[str, str], feed: Rendered) -> bool:
    """Whether a GET/HEAD with these request headers gets 304 (:rfc:`9110` 13.2.2)."""
    inm = headers.get("if-none-match")
    if inm is not None:
        return etag_matches(inm, (feed.etag, feed.etag_gzip))
    ims = headers.get("if-modified-since")
    if ims is None:
        return False
    since = parse_http_date(ims)
    if since is None or since > time.time():  # garbage or in the future: ignore it
        return False
    return feed.last_modified <= since


def _feed_response(request: Request, feed: Rendered, *, private: bool) -> Response:
    zipped = accepts_gzip(request.headers.get("accept-encoding"))
    headers = {
        "ETag": feed.etag_gzip if zipped else feed.etag,
        "Last-Modified": feed.last_modified_http,
        "Vary": "Accept-Encoding",
        "Cache-Control": "private, no-cache" if private else "no-cache",
        "X-Content-Type-Options": "nosniff",
    }
    if private:
        headers["Referrer-Policy"] = "no-referrer"
    if not_modified(request.headers, feed):
        return Response(status_code=304, headers=headers)
    body = feed.gzipped if zipped else feed.body
    if zipped:
        headers["Content-Encoding"] = "gzip"
    headers["Content-Length"] = str(len(body))
    content = b"" if request.method == "HEAD" else body
    return Response(content, headers=headers, media_type=MEDIA_TYPE)


def not_found() -> Response:
    """The one 404: the same for a wrong token, an unknown unit and an unknown path."""
    return Response(_NOT_FOUND_BODY, status_code=404, headers=_NOT_FOUND_HEADERS)


# ------------------------------------------------------------------------------ index


def _links(base: str, path: str) -> tuple[str, str]:
    https = base + path
    return https, "webcal://" + https.split("://", 1)[1]


def index_html(server: FeedServer, base: str) -> str:
    """The index page: each feed's links (https, webcal, Google, Outlook), or, with
    tokens, a note that links are private. Everything is HTML-escaped."""
    plan = server.version.loaded.plan
    e = html.escape
    out = [
        '<!doctype html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>Lịch công tác · {e(plan.title)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}td,th{padding:.3rem .6rem;text-align:left;vertical-align:top}"
        "tr:nth-child(even){background:#f4f4f4}</style>\n</head>\n<body>\n",
        f"<h1>{e(plan.title)}</h1>\n<p>{e(plan.issuer)} · {plan.year}</p>\n",
    ]
    if server.private:
        out.append(
            "<p>Đường dẫn lịch của từng đơn vị là riêng tư: cán bộ phụ trách gửi cho "
            "từng đơn vị đường dẫn của mình. Không chia sẻ đường dẫn này.</p>\n"
            '<p lang="en">Each unit\'s calendar link is private: the officer in charge '
            "gives every unit its own link. Do not share it.</p>\n"
        )
    else:
        out.append(
            "<p>Đăng ký lịch công tác của đơn vị trong Google Calendar, Outlook, Apple "
            "Calendar hoặc Thunderbird (bấm đường dẫn, hoặc sao chép và dán). Google cập "
            "nhật lịch đăng ký 8–24 giờ một lần.</p>\n"
            '<p lang="en">Subscribe to your unit\'s calendar in Google Calendar, Outlook, '
            "Apple Calendar or Thunderbird (click a link, or copy and paste it). Google "
            "refreshes subscriptions every 8–24 hours.</p>\n"
            "<table>\n<tr><th>Đơn vị / Unit</th><th>Đường dẫn / Link</th>"
            "<th>Thêm vào / Add to</th></tr>\n"
        )
        rows = [("Toàn bộ kế hoạch / Whole plan", "plan.ics")]
        rows += [(u.name, f"units/{quote(u.id, safe='')}.ics") for u in plan.units]
        for name, tail in rows:
            https, webcal = _links(base, "/feeds/" + tail)
            expanded, _ = _links(base, "/feeds/expanded/" + tail)
            google = "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")
            outlook = (
                "https://outlook.live.com/calendar/0/addfromweb?url="
                + quote(expanded, safe="") + "&name=" + quote(name, safe="")
            )  # fmt: skip
            out.append(
                f'<tr><td>{e(name)}</td><td><a href="{e(https)}">{e(https)}</a><br>'
                f'<a href="{e(webcal)}">webcal</a> · '
                f'<a href="{e(expanded)}">mỗi lần một sự kiện / one event each</a></td>'
                f'<td><a href="{e(google)}">Google</a> · '
                f'<a href="{e(outlook)}">Outlook</a> · '
                f'<a href="{e(webcal)}">Apple</a></td></tr>\n'
            )
        out.append("</table>\n")
    out.append("<p><small>planflow</small></p>\n</body>\n</html>\n")
    return "".join(out)


# -------------------------------------------------------------------------------- app


def create_app(
    plan_path: str | os.PathLike[str],
    *,
    tokens_path: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    state_path: str | os.PathLike[str] | None = None,
    check_interval: float = CHECK_INTERVAL,
) -> Starlette:
    """The feed server as an ASGI app (see the module docs for the routes).

    :param plan_path: the plan file, or a folder holding ``plan.yaml``.
    :param tokens_path: a tokens file (:mod:`planflow.feeds.tokens`): feeds become private,
        served only under ``/feeds/<secret>/…``. A missing file means no token yet.
    :param base_url: the public address (``https://lich.example.gov.vn``) used in the
        index page's links; without it, the request's scheme and Host are used.
    :param state_path: a feed state file to keep SEQUENCE numbers across restarts.
    :param check_interval: seconds between two looks at the plan and tokens files.
    :raises PlanFileError: the plan does not load (the app never starts on a bad plan).
    """
    server = FeedServer(
        plan_path, tokens_path=tokens_path, base_url=base_url,
        state_path=state_path, check_interval=check_interval,
    )  # fmt: skip

    async def serve(request: Request, unit: str | None, expand: bool) -> Response:
        if server.due():
            await run_in_threadpool(server.refresh)
        secret = request.path_params.get("token")
        version = server.version
        if not server.opens(secret, unit) or (unit is not None and unit not in version.units):
            return not_found()
        feed = version.feeds.get((unit, expand))
        if feed is None:
            feed = await run_in_threadpool(server.feed, version, (unit, expand))
        return _feed_response(request, feed, private=secret is not None)

    async def plan_ics(request: Request) -> Response:
        return await serve(request, None, False)

    async def unit_ics(request: Request) -> Response:
        return await serve(request, request.path_params["unit"], False)

    async def plan_expanded(request: Request) -> Response:
        return await serve(request, None, True)

    async def unit_expanded(request: Request) -> Response:
        return await serve(request, request.path_params["unit"], True)

    async def index(request: Request) -> Response:
        if server.due():
            await run_in_threadpool(server.refresh)
        base = server.base_url or str(request.base_url).rstrip("/")
        return Response(
            index_html(server, base),
            media_type="text/html; charset=utf-8",
            headers={
                "Cache-Control": "no-cache",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )

    async def on_404(request: Request, exc: Exception) -> Response:
        return not_found()

    prefix = "/feeds/{token}" if server.private else "/feeds"
    methods = ["GET", "HEAD"]
    routes = [
        Route("/", index, methods=methods),
        Route(prefix + "/plan.ics", plan_ics, methods=methods),
        Route(prefix + "/units/{unit}.ics", unit_ics, methods=methods),
        Route(prefix + "/expanded/plan.ics", plan_expanded, methods=methods),
        Route(prefix + "/expanded/units/{unit}.ics", unit_expanded, methods=methods),
    ]
    handlers: dict[Any, Any] = {404: on_404, HTTPException: _http_error}
    app = Starlette(routes=routes, exception_handlers=handlers, middleware=[Middleware(_PathGuard)])
    app.router.redirect_slashes = False  # a redirect would tell a good token from a bad one
    app.state.feeds = server
    return app


_MAX_PATH = 2048
_BAD_RAW = (b"%2f", b"%5c", b"%00", b"\\")


class _PathGuard:
    """ASGI middleware: 404 before routing for paths no feed has: an encoded ``/`` or
    ``\\``, a NUL, a ``.`` or ``..`` segment (plain or ``%2e``-encoded), over 2 KiB."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            raw: bytes = (scope.get("raw_path") or path.encode()).lower()
            if (
                len(raw) > _MAX_PATH
                or any(bad in raw for bad in _BAD_RAW)
                or "\x00" in path
                or any(part in (".", "..") for part in path.split("/"))
            ):
                await not_found()(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Other HTTP errors (405 …) as short plain text; 404s are all the same."""
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    if code == 404:
        return not_found()
    headers = dict(getattr(exc, "headers", None) or {})
    return Response(f"{code}\n", status_code=code, headers=headers, media_type="text/plain")


# ---------------------------------------------------------------------------- helpers


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
