"""The feed server's ASGI app (Starlette): routes, the path guard and error pages."""

from __future__ import annotations

import os
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from planflow.feeds.server.http_cache import feed_response, not_found, unavailable
from planflow.feeds.server.index_page import index_html
from planflow.feeds.server.reload import CHECK_INTERVAL, CONFIRM_AFTER, SETTLE, FeedServer


def create_app(
    plan_path: str | os.PathLike[str],
    *,
    tokens_path: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    state_path: str | os.PathLike[str] | None = None,
    check_interval: float = CHECK_INTERVAL,
    public_until_tokens: bool = False,
    settle: float = SETTLE,
    confirm_after: float = CONFIRM_AFTER,
) -> Starlette:
    """The feed server as an ASGI app (see the module docs for the routes).

    :param plan_path: the plan file, or a folder holding ``plan.yaml``.
    :param tokens_path: a tokens file (:mod:`planflow.feeds.tokens`): feeds become private,
        served only under ``/feeds/<secret>/…``. A missing file means no token yet
        (see :mod:`.access`: a file in use that goes missing or breaks closes the feeds).
    :param public_until_tokens: serve publicly while ``tokens_path`` does not exist, and
        privately as soon as it does (``planflow serve`` with the default tokens file).
    :param base_url: the public address (``https://lich.example.gov.vn``) used in the
        index page's links; without it, the request's scheme and Host are used.
    :param state_path: a feed state file to keep SEQUENCE numbers across restarts.
    :param check_interval: seconds between two looks at the plan and tokens files.
    :param settle: seconds a changed plan file must stay the same before it is loaded.
    :param confirm_after: seconds a version that drops most duties must stay before it
        is served (see :mod:`.reload`).
    :raises PlanFileError: the plan does not load (the app never starts on a bad plan).
    """
    server = FeedServer(
        plan_path, tokens_path=tokens_path, base_url=base_url,
        state_path=state_path, check_interval=check_interval,
        public_until_tokens=public_until_tokens, settle=settle, confirm_after=confirm_after,
    )  # fmt: skip

    async def serve(request: Request, unit: str | None, expand: bool) -> Response:
        if server.due():
            await run_in_threadpool(server.refresh)  # a stat or two; reloads run elsewhere
        if server.closed:
            return unavailable()
        secret = request.path_params.get("token")
        version = server.version
        if not server.opens(secret, unit) or (unit is not None and unit not in version.units):
            return not_found()
        feed = version.feeds.get((unit, expand))
        if feed is None:
            feed = await run_in_threadpool(server.feed, version, (unit, expand))
        return feed_response(request, feed, private=secret is not None)

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

    # both sets of paths: the mode (public, private, closed) may change while serving,
    # and FeedServer.opens() answers for the mode in force (a token is 20+ characters,
    # so "units" and "expanded" are never taken for one)
    methods = ["GET", "HEAD"]
    routes = [Route("/", index, methods=methods)]
    for prefix in ("/feeds", "/feeds/{token}"):
        routes += [
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
