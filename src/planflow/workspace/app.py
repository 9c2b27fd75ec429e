"""The workspace server as an ASGI app (Starlette): feeds and unit pages; routes in
:mod:`.server`."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# the single-plan app's path guard: the same 404 for paths no feed has
from planflow.feeds.server import FeedServer
from planflow.feeds.server.app import _http_error, _PathGuard
from planflow.feeds.server.http_cache import feed_response, not_found, unavailable
from planflow.feeds.server.index_page import index_html
from planflow.jobs.pages import UnitPages, page_routes
from planflow.workspace.server import MAX_PLANS, RESCAN_INTERVAL, WorkspaceServer, parse_feed_path

__all__ = ["create_workspace_app"]

T = TypeVar("T")

_HTML_HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def create_workspace_app(
    root: str | os.PathLike[str],
    *,
    base_url: str | None = None,
    check_interval: float = RESCAN_INTERVAL,
    max_plans: int = MAX_PLANS,
    use_cache: bool = True,
    db: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Starlette:
    """Every plan of the workspace at ``root`` under ``/PLAN-ID/…`` (see :mod:`.server`).

    :param max_plans: plans kept in memory with their rendered feeds.
    :param db: the unit pages' state database, one for every plan (a URL); default
        ``$PLANFLOW_DB``, else each plan's ``PLAN_DIR/.planflow/state.db``.
    :param clock: what "now" is for the unit pages (tests); default the real clock.
    :raises PlanFileError: the workspace file has errors.
    """
    ws = WorkspaceServer(
        root,
        base_url=base_url,
        check_interval=check_interval,
        max_plans=max_plans,
        use_cache=use_cache,
        db=db,
        clock=clock,
    )

    async def of_plan(
        request: Request, in_memory: Callable[[str], T], load: Callable[[str], T]
    ) -> T:
        """What the request's plan has in memory, else loaded (off the event loop)."""
        if ws.due():
            await run_in_threadpool(ws.refresh)
        plan_id = request.path_params["plan"]
        found = in_memory(plan_id)
        return found if found is not None else await run_in_threadpool(load, plan_id)

    async def plan_server(request: Request) -> FeedServer | None:
        return await of_plan(request, ws.in_memory, ws.plan)

    async def plan_pages(request: Request) -> UnitPages | None:
        return await of_plan(request, ws.pages_in_memory, ws.unit_pages)

    async def feed(request: Request) -> Response:
        server = await plan_server(request)
        if server is None:
            return not_found()
        parsed = parse_feed_path(request.path_params["rest"], private=server.private)
        if parsed is None:
            return not_found()
        secret, unit, expand = parsed
        if server.due():
            await run_in_threadpool(server.refresh)
        if server.closed:
            return unavailable()  # its tokens file went missing or broke: never public
        version = server.version
        if not server.opens(secret, unit) or (unit is not None and unit not in version.units):
            return not_found()
        rendered = version.feeds.get((unit, expand))
        if rendered is None:
            rendered = await run_in_threadpool(server.feed, version, (unit, expand))
        return feed_response(request, rendered, private=secret is not None)

    def base(request: Request) -> str:
        return ws.base_url or str(request.base_url).rstrip("/")

    async def plan_page(request: Request) -> Response:
        server = await plan_server(request)
        if server is None:
            return not_found()
        if server.due():
            await run_in_threadpool(server.refresh)
        page = index_html(server, f"{base(request)}/{request.path_params['plan']}")
        return Response(page, media_type="text/html; charset=utf-8", headers=_HTML_HEADERS)

    async def index(request: Request) -> Response:
        if ws.due():
            await run_in_threadpool(ws.refresh)
        page = ws.index_html(base(request))
        return Response(page, media_type="text/html; charset=utf-8", headers=_HTML_HEADERS)

    async def on_404(request: Request, exc: Exception) -> Response:
        return not_found()

    methods = ["GET", "HEAD"]
    routes = [
        Route("/", index, methods=methods),
        Route("/{plan}/", plan_page, methods=methods),
        Route("/{plan}/feeds/{rest:path}", feed, methods=methods),
        *page_routes(plan_pages, prefix="/{plan}"),
    ]
    handlers: dict[Any, Any] = {404: on_404, HTTPException: _http_error}
    app = Starlette(routes=routes, exception_handlers=handlers, middleware=[Middleware(_PathGuard)])
    app.router.redirect_slashes = False
    app.state.workspace = ws
    return app
