"""What a unit page shows: its open duties, what comes next, its targets, its history.

:func:`render_page` turns a recorded :class:`~planflow.jobs.year.Year` into the page's
HTML (the Jinja2 template ``templates/unit.html``); the routes, the token check and
the forms are in :mod:`planflow.jobs.pages`.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from typing import Any

from planflow.i18n import _, format_number
from planflow.jobs.kpi_records import recordable
from planflow.jobs.progress_records import HISTORY_WHAT, history
from planflow.jobs.status import CATEGORIES, status
from planflow.jobs.year import Year

__all__ = ["OPEN", "render_page"]

#: The categories of the open duties, in the order the page lists them.
OPEN = ("overdue", "due_this_week", "blocked", "open")


@functools.cache
def _templates() -> Any:
    """The pages' Jinja2 environment (made once: it caches the compiled template)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("planflow.jobs", "templates"), autoescape=select_autoescape()
    )


def _verdict(row: dict[str, Any]) -> str:
    from planflow.reports.labels import indicator_verdict

    return indicator_verdict(row["state"], row["failed"], row["firmness"])


def _firmness(value: str) -> str:
    from planflow.reports.labels import firmness_name

    return firmness_name(value)


def _day(value: str | date) -> str:
    return (date.fromisoformat(value) if isinstance(value, str) else value).strftime("%d/%m/%Y")


def _open_items(year: Year, unit: str, names: dict[str, str]) -> tuple[list[dict[str, Any]], Any]:
    report = status(year, unit=unit)
    items = [
        {
            **item,
            "heading": _(CATEGORIES[item["category"]]),
            "due": _day(item["due"]),
            "coordinators": ", ".join(names.get(c, c) for c in item["coordinators"]),
            "blocked_by": ", ".join(item["blocked_by"]),
        }
        for item in sorted(
            (i for i in report.items if i["category"] in OPEN),
            key=lambda i: (OPEN.index(i["category"]), i["due"], i["occurrence"]),
        )
    ]
    return items, report


def _upcoming(year: Year, unit: str, names: dict[str, str]) -> list[dict[str, Any]]:
    plan, timeline, today = year.plan, year.timeline, year.today()
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
    return upcoming


def _targets(year: Year, unit: str, indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
    judged: dict[str, list[dict[str, Any]]] = {}
    for row in indicators:
        judged.setdefault(row["indicator"], []).append(
            {
                **row,
                "checkpoint": _day(row["checkpoint"]),
                "value": None if row["value"] is None else format_number(row["value"]),
                "said": _verdict(row),
            }
        )
    return [
        {
            "id": ind.id,
            "text": ind.text,
            "goal": str(ind.goal) + ("%" if ind.metric.percentage else ""),
            "firmness": _firmness(ind.firmness.value),
            "checkpoints": ", ".join(_day(d) for d in ind.checkpoints),
            "judged": judged.get(ind.id, []),
        }
        for ind in recordable(year.plan, unit)
    ]


def _recent(year: Year, unit: str) -> list[dict[str, Any]]:
    zone = year.zone()
    return [
        {
            "when": datetime.fromisoformat(r["when"]).astimezone(zone).strftime("%d/%m/%Y %H:%M"),
            "what": _(HISTORY_WHAT[r["what"]]) if r["what"] in HISTORY_WHAT else r["what"],
            "subject": r.get("occurrence") or r.get("target") or "",
            "detail": r.get("note") or r.get("reason") or r.get("value") or "",
            "who": r["who"],
        }
        for r in reversed(history(year, unit=unit)[-10:])
    ]


def render_page(year: Year, unit: str, base: str, csrf: str, **extra: Any) -> str:
    """The HTML of ``unit``'s page; its forms post under ``base``.

    :param csrf: the forms' CSRF field (:func:`planflow.jobs.pages.csrf_token`).
    :param extra: ``notice`` or ``error``, shown at the top.
    """
    plan = year.plan
    names = {u.id: u.name for u in plan.units}
    open_items, report = _open_items(year, unit, names)
    rendered: str = (
        _templates()
        .get_template("unit.html")
        .render(
            plan=plan,
            unit=plan.unit(unit),
            as_of=_day(year.today()),
            open=open_items,
            upcoming=_upcoming(year, unit, names),
            targets=_targets(year, unit, report.indicators),
            recent=_recent(year, unit),
            csrf=csrf,
            base=base,
            **extra,
        )
    )
    return rendered
