"""``planflow status WORKSPACE``: each plan's year today, the most overdue first."""

from __future__ import annotations

import functools
from datetime import datetime

from planflow.cli.common import console, dump_json
from planflow.cli.workspace_commands import _failures, _more, _n, _plans
from planflow.cli.workspace_options import TOP, open_session
from planflow.i18n import _, format_date

__all__ = ["status_workspace"]


def status_workspace(
    path: str,
    *,
    db: str | None,
    now: datetime | None,
    as_json: bool,
    show_all: bool,
    no_cache: bool,
    jobs: int,
) -> None:
    """Every plan's counts per category; the plans needing most attention listed first."""
    from rich.table import Table

    from planflow.jobs.status import CATEGORIES
    from planflow.workspace import run_each
    from planflow.workspace.status import status_one, status_summary

    session = open_session(path, no_cache=no_cache)
    work = functools.partial(status_one, db=db, now=now)
    # one database for every plan (--db): its tables are made once, by one process
    summary = status_summary(session.workspace, run_each(session, work, jobs=1 if db else jobs))
    if as_json:
        dump_json(summary)
    else:
        _failures(summary)
        out = console()
        t = summary["totals"]
        plans = summary["plans"]
        day = format_date(datetime.fromisoformat(plans[0]["as_of"]).date()) if plans else ""
        out.print(
            _("{workspace}, {day}: {plans}; {overdue} overdue, {week} due within 7 days, "
              "{blocked} waiting for other work").format(
                workspace=summary["workspace"], day=day, plans=_plans(summary["plans_total"]),
                overdue=_n(t["overdue"]), week=_n(t["due_this_week"]), blocked=_n(t["blocked"]),
            ),
            highlight=False,
        )  # fmt: skip
        table = Table(_("plan"), *(_(text) for text in CATEGORIES.values()),
                      title=_("Per plan, most overdue first"))  # fmt: skip
        shown = plans if show_all else plans[:TOP]
        for row in shown:
            table.add_row(row["plan"], *(_n(row[c]) for c in CATEGORIES))
        out.print(table)
        _more(len(shown), len(plans))
    if summary["plans_failed"]:
        raise SystemExit(1)
