"""A page for each unit, next to its feed: its open duties, a button to mark one done.

``planflow serve PLAN --tokens FILE`` serves, for every token that opens a unit's
feed, ``/pages/<secret>/units/<unit>``: the unit's open duties (overdue first) with
their clause, deadline and coordinators, each with a form to mark it done with a
note and an evidence link; what starts in the next 30 days; a form to record a
target's measured value; and what was recorded recently. Server-rendered (Jinja2,
:mod:`planflow.jobs.page_view`), Vietnamese, readable on a phone, no script.
``planflow serve WORKSPACE`` serves the same pages of every plan under
``/PLAN-ID/pages/…`` (:mod:`planflow.workspace.app`): one :class:`UnitPages` per plan,
mounted with :func:`page_routes`.

* The secret is the same private link as the unit's feed, checked by the feed
  server's own access (:mod:`planflow.feeds.server.access`): a tokens file that goes
  missing or breaks closes the pages too (503), never opens them. A unit's token opens
  only that unit's page and may mark only the duties that unit leads, and record only
  the indicators it owns; an office token (``planflow tokens --all``, for the *văn
  phòng*) opens every unit's page, and so marks any duty and records any indicator
  (on its owner's page). A wrong token, or a unit the token does not open, gets the
  same 404 as a wrong feed link.
* Every form carries a CSRF token, an HMAC of the token's id and the unit under a key
  kept in ``PLAN_DIR/.planflow/page.key`` (shared by every worker); a form without
  it is refused with 403 and changes nothing.
* Every change goes through :mod:`planflow.jobs.progress_records`: it is in the history with
  who (the token's label) and when.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

from planflow.feeds.tokens import Token
from planflow.i18n import N_, _, use_language
from planflow.jobs.kpi_records import record_value
from planflow.jobs.page_view import render_page
from planflow.jobs.progress_records import find_occurrence, mark_done
from planflow.jobs.year import Year
from planflow.plan.errors import PlanError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from planflow.feeds.progress import Progress
    from planflow.feeds.server import FeedServer
    from planflow.feeds.server.access import Access

__all__ = [
    "MESSAGES",
    "UnitPages",
    "YearSource",
    "add_unit_pages",
    "csrf_token",
    "page_key",
    "page_routes",
]

#: Every text of the pages' answers (the template holds the rest), in one place.
MESSAGES = {
    "not_found": N_("Page not found."),
    "csrf": N_(
        "Invalid request: the form's confirmation code is missing or wrong. Open the page again."
    ),
    "not_yours": N_("Duty {occurrence} is not led by this unit."),
    "done": N_("Recorded as done: {occurrence}."),
    "recorded": N_("Recorded indicator {target}."),
    "bad_day": N_("{value!r} is not a date."),
}

#: The pages' language: their template is written in Vietnamese, so the messages shown
#: on them are too, whatever the server's environment says.
PAGE_LANGUAGE = "vi"

_MAX_FORM = 16_384  # bytes of a form body

#: The year one request works on, given "now" (None: the real clock): the plan as
#: served, with a store of the request's own (closed when the request is done).
YearSource = Callable[[datetime | None], Year]


def page_key(folder: str | os.PathLike[str]) -> bytes:
    """The CSRF key in ``folder/.planflow/page.key``, made (mode 0600) the first time."""
    path = Path(folder) / ".planflow" / "page.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # written aside, then linked into place: a worker starting at the same moment
        # sees either no key or the whole key, and the first link wins
        spare = path.with_name(f"page.key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):
            os.link(spare, path)
        spare.unlink()
    return path.read_text().strip().encode()


def csrf_token(key: bytes, token: Token, unit: str) -> str:
    """The CSRF field of ``token``'s forms on ``unit``'s page."""
    return hmac.new(key, f"{token.id}\x1f{unit}".encode(), hashlib.sha256).hexdigest()


class UnitPages:
    """The unit pages of one plan: the token check, the page and its two forms.

    :param folder: the plan's folder; its ``.planflow/page.key`` is the CSRF key.
    :param access: the tokens in force (the feed server's own: fail-closed).
    :param open_year: the year for one request (:data:`YearSource`).
    :param feeds: the plan's feed server: looked at on each request, and told at once
        when a change is recorded (its feeds show what is done).
    :param clock: what "now" is (tests); default the real clock in the plan's zone.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        access: Access,
        open_year: YearSource,
        *,
        feeds: FeedServer | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.access = access
        self.open_year = open_year
        self.feeds = feeds
        self.clock = clock
        self._key: bytes | None = None
        self._key_lock = threading.Lock()

    @property
    def key(self) -> bytes:
        """The CSRF key (made on first use, then kept)."""
        with self._key_lock:
            if self._key is None:
                self._key = page_key(self.folder)
            return self._key

    def year(self) -> Year:
        """The year for one request."""
        return self.open_year(self.clock() if self.clock else None)

    def marks(self) -> Progress:
        """What the feeds mark: done and overdue occurrences (:attr:`FeedServer.progress`)."""
        from planflow.jobs.reports import feed_progress

        with self.year() as year:
            return feed_progress(year)

    def _look(self) -> None:
        """The tokens file (and the plan file) as they are now; without a feed server
        the tokens file is looked at on every request."""
        if self.feeds is None:
            self.access.refresh()
        elif self.feeds.due():
            self.feeds.refresh()

    def _closed(self) -> Response | None:
        from planflow.feeds.server.access import Mode
        from planflow.feeds.server.http_cache import unavailable

        self._look()
        return unavailable() if self.access.mode is Mode.CLOSED else None

    def _allowed(self, secret: str, unit: str, year: Year) -> Token | None:
        token = self.access.token(secret)
        if token is None or not token.opens(unit):
            return None
        return token if unit in {u.id for u in year.plan.units} else None

    def _html(self, year: Year, token: Token, unit: str, base: str, **extra: Any) -> str:
        return render_page(year, unit, base, csrf_token(self.key, token, unit), **extra)

    def page(self, secret: str, unit: str, base: str, notice: str = "") -> Response:
        """The page (blocking: run it in a thread)."""
        from starlette.responses import HTMLResponse

        closed = self._closed()
        if closed is not None:
            return closed
        with use_language(PAGE_LANGUAGE), self.year() as year:
            token = self._allowed(secret, unit, year)
            if token is None:
                return not_found()
            html = self._html(year, token, unit, base, notice=notice)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    def change(
        self, secret: str, unit: str, base: str, form: dict[str, str], what: str
    ) -> Response:
        """A form posted: ``what`` is ``done`` or ``record`` (blocking: run it in a thread)."""
        from starlette.responses import HTMLResponse

        closed = self._closed()
        if closed is not None:
            return closed
        with use_language(PAGE_LANGUAGE), self.year() as year:
            token = self._allowed(secret, unit, year)
            if token is None:
                return not_found()
            if not hmac.compare_digest(form.get("csrf", ""), csrf_token(self.key, token, unit)):
                return HTMLResponse(_(MESSAGES["csrf"]), status_code=403)
            who = f"{token.label or 'token ' + token.id} (trang đơn vị)"
            try:
                if what == "done":
                    return self._done(year, token, unit, base, form, who)
                return self._record(year, token, unit, base, form, who)
            except PlanError as exc:
                return HTMLResponse(self._html(year, token, unit, base, error=str(exc)), 400)

    def _done(
        self, year: Year, token: Token, unit: str, base: str, form: dict[str, str], who: str
    ) -> Response:
        from starlette.responses import HTMLResponse, RedirectResponse

        occ = find_occurrence(year, form.get("occurrence", ""))
        if occ.unit != unit:
            error = _(MESSAGES["not_yours"]).format(occurrence=form.get("occurrence"))
            return HTMLResponse(self._html(year, token, unit, base, error=error), 403)
        mark_done(year, f"{occ.task}#{occ.index}", by=unit, note=form.get("note") or None,
                  evidence=form.get("evidence") or None, who=who)  # fmt: skip
        if self.feeds is not None:
            self.feeds.refresh(force=True)
        done = quote(f"{occ.task}#{occ.index}", safe="")
        return RedirectResponse(f"{base}?ghi-nhan={done}", status_code=303)

    def _record(
        self, year: Year, token: Token, unit: str, base: str, form: dict[str, str], who: str
    ) -> Response:
        from starlette.responses import HTMLResponse

        try:
            day = date.fromisoformat(form["day"]) if form.get("day") else None
        except ValueError:
            error = _(MESSAGES["bad_day"]).format(value=form.get("day"))
            return HTMLResponse(self._html(year, token, unit, base, error=error), 400)
        target = form.get("target", "")
        record_value(year, target, form.get("value", ""), day=day, by=unit,
                     evidence=form.get("evidence") or None, who=who)  # fmt: skip
        notice = _(MESSAGES["recorded"]).format(target=target)
        return HTMLResponse(self._html(year, token, unit, base, notice=notice))


def not_found() -> Response:
    """The pages' 404: the same for a wrong token, unit or plan."""
    from starlette.responses import HTMLResponse

    with use_language(PAGE_LANGUAGE):
        return HTMLResponse(_(MESSAGES["not_found"]), status_code=404)


#: Finds the pages a request is for (None: no such pages, 404).
Finder = Callable[["Request"], Awaitable[UnitPages | None]]


def page_routes(find: Finder, *, prefix: str = "") -> list[Route]:
    """The pages' routes under ``prefix`` (``/{plan}`` in a workspace: the path
    parameter ``plan`` is then part of every form's address)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.routing import Route

    async def form_of(request: Request) -> dict[str, str]:
        body = await request.body()
        fields = parse_qs(body[:_MAX_FORM].decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0].strip() for k, v in fields.items()}

    def base_of(request: Request) -> str:
        p = request.path_params
        lead = f"/{quote(p['plan'], safe='')}" if "plan" in p else ""
        return f"{lead}/pages/{quote(p['token'], safe='')}/units/{quote(p['unit'], safe='')}"

    async def page(request: Request) -> Response:
        pages = await find(request)
        if pages is None:
            return not_found()
        p = request.path_params
        notice = request.query_params.get("ghi-nhan", "")
        with use_language(PAGE_LANGUAGE):
            text = _(MESSAGES["done"]).format(occurrence=notice) if notice else ""
        return await run_in_threadpool(pages.page, p["token"], p["unit"], base_of(request), text)

    def changing(what: str) -> Callable[[Request], Awaitable[Response]]:
        async def change(request: Request) -> Response:
            pages = await find(request)
            if pages is None:
                return not_found()
            p, form = request.path_params, await form_of(request)
            return await run_in_threadpool(
                pages.change, p["token"], p["unit"], base_of(request), form, what
            )

        return change

    path = prefix + "/pages/{token}/units/{unit}"
    return [
        Route(path, page, methods=["GET", "HEAD"]),
        Route(path + "/done", changing("done"), methods=["POST"]),
        Route(path + "/record", changing("record"), methods=["POST"]),
    ]


def add_unit_pages(
    app: Any,
    plan_path: str | os.PathLike[str],
    *,
    tokens_path: str | os.PathLike[str],
    db: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> UnitPages:
    """Add the unit pages to a feed server app (:func:`planflow.feeds.server.create_app`).

    :param clock: what "now" is (tests); default the real clock in the plan's zone.
    """
    from planflow.feeds.server.access import Access

    with Year.open(plan_path, db) as first:  # fails early on a bad plan
        plan_file = Path(first.loaded.file)

    loaded: list[tuple[tuple[int, ...], Year]] = []  # the plan as last read, by its file's stat
    loading = threading.Lock()

    def open_year(now: datetime | None) -> Year:
        """The plan is read again only when its file changed (loading and expanding it
        is most of a page's cost); the store is the request's."""
        st = plan_file.stat()
        sig = (st.st_mtime_ns, st.st_size, st.st_ino)
        with loading:
            if not loaded or loaded[0][0] != sig:
                fresh = Year.open(plan_path, db)
                list(fresh.timeline)  # expanded once here, then only read by the threads
                fresh.close()
                loaded[:] = [(sig, fresh)]
            template = loaded[0][1]
        return template.again(db, now=now)

    # the feed server's access (fail-closed: a tokens file in use that goes missing or
    # breaks answers 503); an app without feeds gets its own, looked at on every request
    feeds: FeedServer | None = getattr(app.state, "feeds", None)
    access = feeds.access if feeds is not None else Access(Path(tokens_path))
    pages = UnitPages(plan_file.parent, access, open_year, feeds=feeds, clock=clock)
    pages.key  # noqa: B018  (made at start, as every worker's first look finds it)
    # the feeds of the same server mark what is done and overdue (expanded feeds: every
    # occurrence is an event), re-read with the plan file and at once after a change
    if feeds is not None:
        feeds.progress = pages.marks
        feeds.refresh(force=True)

    async def find(request: Request) -> UnitPages:
        return pages

    app.router.routes[0:0] = page_routes(find)
    return pages
