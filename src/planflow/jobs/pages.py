"""A page for each unit, next to its feed: its open duties, a button to mark one done.

``planflow serve PLAN --tokens FILE`` serves, for every token that opens a unit's
feed, ``/pages/<secret>/units/<unit>``: the unit's open duties (overdue first) with
their clause, deadline and coordinators, each with a form to mark it done with a
note and an evidence link; what starts in the next 30 days; a form to record a
target's measured value; and what was recorded recently. Server-rendered (Jinja2),
Vietnamese, readable on a phone, no script.

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
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from planflow.feeds.tokens import Token
from planflow.i18n import N_, _, format_number, use_language
from planflow.jobs.kpi_records import record_value, recordable
from planflow.jobs.progress_records import HISTORY_WHAT, find_occurrence, history, mark_done
from planflow.jobs.status import CATEGORIES, status
from planflow.jobs.year import Year
from planflow.plan.errors import PlanError

__all__ = ["MESSAGES", "add_unit_pages", "csrf_token", "page_key"]

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

_OPEN = ("overdue", "due_this_week", "blocked", "open")
_MAX_FORM = 16_384  # bytes of a form body


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


def _verdict(row: dict[str, Any]) -> str:
    from planflow.reports.labels import indicator_verdict

    return indicator_verdict(row["state"], row["failed"], row["firmness"])


def _firmness(value: str) -> str:
    from planflow.reports.labels import firmness_name

    return firmness_name(value)


def _day(value: str | date) -> str:
    return (date.fromisoformat(value) if isinstance(value, str) else value).strftime("%d/%m/%Y")


def add_unit_pages(
    app: Any,
    plan_path: str | os.PathLike[str],
    *,
    tokens_path: str | os.PathLike[str],
    db: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> None:
    """Add the unit pages to a feed server app (:func:`planflow.feeds.server.create_app`).

    :param clock: what "now" is (tests); default the real clock in the plan's zone.
    """
    from jinja2 import Environment, PackageLoader, select_autoescape
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, RedirectResponse, Response
    from starlette.routing import Route

    from planflow.feeds.server.access import Access, Mode
    from planflow.feeds.server.http_cache import unavailable

    templates = Environment(
        loader=PackageLoader("planflow.jobs", "templates"), autoescape=select_autoescape()
    )
    with Year.open(plan_path, db) as first:  # fails early on a bad plan
        plan_file = Path(first.loaded.file)
    key = page_key(plan_file.parent)

    loaded: list[tuple[tuple[int, ...], Year]] = []  # the plan as last read, by its file's stat
    loading = threading.Lock()

    def open_year() -> Year:
        """The year for one request: the plan is read again only when its file changed
        (loading and expanding it is most of a page's cost), the store is the request's."""
        now = clock() if clock else None
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

    def marks() -> dict[tuple[str, int], Any]:
        from planflow.jobs.reports import feed_progress

        with open_year() as year:
            return feed_progress(year)

    # the feeds of the same server mark what is done and overdue (expanded feeds: every
    # occurrence is an event), re-read with the plan file and at once after a change
    feeds = getattr(app.state, "feeds", None)
    if feeds is not None:
        feeds.progress = marks
        feeds.refresh(force=True)

    # the feed server's access (fail-closed: a tokens file in use that goes missing or
    # breaks answers 503); an app without feeds gets its own, looked at on every request
    access: Access = feeds.access if feeds is not None else Access(Path(tokens_path))

    def look() -> None:
        if feeds is None:
            access.refresh()
        elif feeds.due():
            feeds.refresh()

    def closed() -> bool:
        return access.mode is Mode.CLOSED

    def allowed(secret: str, unit: str, year: Year) -> Token | None:
        token = access.token(secret)
        if token is None or not token.opens(unit):
            return None
        return token if unit in {u.id for u in year.plan.units} else None

    def not_found() -> Response:
        return HTMLResponse(_(MESSAGES["not_found"]), status_code=404)

    def render(year: Year, token: Token, unit: str, base: str, **extra: Any) -> str:
        plan, timeline = year.plan, year.timeline
        names = {u.id: u.name for u in plan.units}
        today = year.today()
        report = status(year, unit=unit)
        open_items = [
            {
                **item,
                "heading": _(CATEGORIES[item["category"]]),
                "due": _day(item["due"]),
                "coordinators": ", ".join(names.get(c, c) for c in item["coordinators"]),
                "blocked_by": ", ".join(item["blocked_by"]),
            }
            for item in sorted(
                (i for i in report.items if i["category"] in _OPEN),
                key=lambda i: (_OPEN.index(i["category"]), i["due"], i["occurrence"]),
            )
        ]
        upcoming = []
        for occ in timeline:
            if occ.unit == unit and today < occ.start <= today + timedelta(days=30):
                task = plan.task(occ.plan_task)
                coordinators = timeline.coordinators_of(occ)
                upcoming.append(
                    {
                        "title": task.title,
                        "ref": task.ref,
                        "start": _day(occ.start),
                        "due": _day(occ.due),
                        "coordinators": ", ".join(names.get(c, c) for c in coordinators),
                    }
                )
        judged: dict[str, list[dict[str, Any]]] = {}
        for row in report.indicators:
            judged.setdefault(row["indicator"], []).append(
                {
                    **row,
                    "checkpoint": _day(row["checkpoint"]),
                    "value": None if row["value"] is None else format_number(row["value"]),
                    "said": _verdict(row),
                }
            )
        own = [
            {
                "id": ind.id,
                "text": ind.text,
                "goal": str(ind.goal) + ("%" if ind.metric.percentage else ""),
                "firmness": _firmness(ind.firmness.value),
                "checkpoints": ", ".join(_day(d) for d in ind.checkpoints),
                "judged": judged.get(ind.id, []),
            }
            for ind in recordable(plan, unit)
        ]
        zone = year.zone()
        recent = [
            {
                "when": datetime.fromisoformat(r["when"])
                .astimezone(zone)
                .strftime("%d/%m/%Y %H:%M"),
                "what": _(HISTORY_WHAT[r["what"]]) if r["what"] in HISTORY_WHAT else r["what"],
                "subject": r.get("occurrence") or r.get("target") or "",
                "detail": r.get("note") or r.get("reason") or r.get("value") or "",
                "who": r["who"],
            }
            for r in reversed(history(year, unit=unit)[-10:])
        ]
        return templates.get_template("unit.html").render(
            plan=plan,
            unit=plan.unit(unit),
            as_of=_day(today),
            open=open_items,
            upcoming=upcoming,
            targets=own,
            recent=recent,
            csrf=csrf_token(key, token, unit),
            base=base,
            **extra,
        )

    async def form_of(request: Request) -> dict[str, str]:
        body = await request.body()
        fields = parse_qs(body[:_MAX_FORM].decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0].strip() for k, v in fields.items()}

    def base_of(request: Request) -> str:
        secret, unit = request.path_params["token"], request.path_params["unit"]
        return f"/pages/{quote(secret, safe='')}/units/{quote(unit, safe='')}"

    def page_sync(secret: str, unit: str, base: str, notice: str) -> Response:
        look()
        if closed():
            return unavailable()
        with use_language(PAGE_LANGUAGE), open_year() as year:
            token = allowed(secret, unit, year)
            if token is None:
                return not_found()
            html = render(year, token, unit, base, notice=notice)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def page(request: Request) -> Response:
        p = request.path_params
        notice = request.query_params.get("ghi-nhan", "")
        with use_language(PAGE_LANGUAGE):
            text = _(MESSAGES["done"]).format(occurrence=notice) if notice else ""
        return await run_in_threadpool(page_sync, p["token"], p["unit"], base_of(request), text)

    def change_sync(secret: str, unit: str, base: str, form: dict[str, str], what: str) -> Response:
        look()
        if closed():
            return unavailable()
        with use_language(PAGE_LANGUAGE), open_year() as year:
            token = allowed(secret, unit, year)
            if token is None:
                return not_found()
            if not hmac.compare_digest(form.get("csrf", ""), csrf_token(key, token, unit)):
                return HTMLResponse(_(MESSAGES["csrf"]), status_code=403)
            who = f"{token.label or 'token ' + token.id} (trang đơn vị)"
            try:
                if what == "done":
                    occ = find_occurrence(year, form.get("occurrence", ""))
                    if occ.unit != unit:
                        error = _(MESSAGES["not_yours"]).format(occurrence=form.get("occurrence"))
                        return HTMLResponse(render(year, token, unit, base, error=error), 403)
                    mark_done(
                        year,
                        f"{occ.task}#{occ.index}",
                        by=unit,
                        note=form.get("note") or None,
                        evidence=form.get("evidence") or None,
                        who=who,
                    )
                    if feeds is not None:
                        feeds.refresh(force=True)
                    done = quote(f"{occ.task}#{occ.index}", safe="")
                    return RedirectResponse(f"{base}?ghi-nhan={done}", status_code=303)
                try:
                    day = date.fromisoformat(form["day"]) if form.get("day") else None
                except ValueError:
                    error = _(MESSAGES["bad_day"]).format(value=form.get("day"))
                    return HTMLResponse(render(year, token, unit, base, error=error), 400)
                target = form.get("target", "")
                record_value(year, target, form.get("value", ""), day=day, by=unit,
                             evidence=form.get("evidence") or None, who=who)  # fmt: skip
                notice = _(MESSAGES["recorded"]).format(target=target)
                return HTMLResponse(render(year, token, unit, base, notice=notice))
            except PlanError as exc:
                return HTMLResponse(render(year, token, unit, base, error=str(exc)), 400)

    async def done(request: Request) -> Response:
        p, form = request.path_params, await form_of(request)
        return await run_in_threadpool(
            change_sync, p["token"], p["unit"], base_of(request), form, "done"
        )

    async def record(request: Request) -> Response:
        p, form = request.path_params, await form_of(request)
        return await run_in_threadpool(
            change_sync, p["token"], p["unit"], base_of(request), form, "record"
        )

    pages = [
        Route("/pages/{token}/units/{unit}", page, methods=["GET", "HEAD"]),
        Route("/pages/{token}/units/{unit}/done", done, methods=["POST"]),
        Route("/pages/{token}/units/{unit}/record", record, methods=["POST"]),
    ]
    app.router.routes[0:0] = pages
