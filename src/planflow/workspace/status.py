"""``planflow status WORKSPACE``: where each plan's year stands today, worst first.

Each plan's state is read from its own store (``PLAN_DIR/.planflow/state.db``) or
from the one database every plan shares (``--db postgresql://…``, rows keyed by
plan id), exactly as ``planflow status PLAN`` reads it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from planflow.workspace.discovery import Member, Workspace
from planflow.workspace.members import Session, load_member
from planflow.workspace.summary import failure_to_dict, split
from planflow.workspace.work import Outcome, _guarded, qualified

__all__ = ["ATTENTION", "status_one", "status_summary"]

#: what needs attention, in the order a plan is ranked by
ATTENTION = ("overdue", "due_this_week", "blocked")


def status_one(
    session: Session, member: Member, *, db: str | None, now: datetime | None
) -> Outcome:
    """One plan's counts per category and its first items needing attention."""

    def work() -> dict[str, Any]:
        from planflow.jobs.status import CATEGORIES, status
        from planflow.jobs.year import Year

        loaded = load_member(session, member)
        with Year.open(loaded.file, db, now=now, loaded=loaded) as year:
            report = status(year)
        plan_id = report.plan
        counts = {c: sum(row[c] for row in report.units) for c in CATEGORIES}
        shared = session.workspace.shared_ids
        first = [
            {**item, "unit": qualified(plan_id, item["unit"], shared)}
            for item in report.attention[:3]
        ]
        return {
            "plan": plan_id,
            "file": member.key,
            "as_of": report.as_of.isoformat(),
            **counts,
            "attention": first,
        }

    return _guarded(member, work)


def status_summary(ws: Workspace, outcomes: Any) -> dict[str, Any]:
    """Every plan's status, the plans needing most attention first, and the totals."""
    from planflow.jobs.status import CATEGORIES

    ok, bad = split(outcomes)
    ok.sort(key=lambda r: (*(-r[c] for c in ATTENTION), r["plan"]))
    return {
        "workspace": ws.name,
        "plans_total": len(ok) + len(bad),
        "plans_failed": len(bad),
        "totals": {c: sum(r[c] for r in ok) for c in CATEGORIES},
        "plans": ok,
        "failed": [failure_to_dict(f) for f in bad],
    }
