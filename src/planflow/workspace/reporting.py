"""``planflow report WORKSPACE --period P``: each plan's figures for the period, in a worker.

:func:`report_one` runs in a worker process: it loads one plan (through the cache),
takes its year to the end of the period (simulated, or as recorded in its store) and
returns a small JSON-ready dict: the period's counts, the shared units' part, the
KPI targets not met. :func:`report_summary` (in :mod:`.report_summary`) puts the
plans together. A simulated plan's figures are memoised beside its compiled plan
(:func:`~planflow.workspace.members.memoised`), keyed by the period, the model,
the seed and the language: an unchanged workspace is not simulated again.
"""

from __future__ import annotations

from typing import Any

from planflow.i18n import get_language
from planflow.plan.errors import PlanError
from planflow.workspace.discovery import Member
from planflow.workspace.members import (
    Failed,
    Session,
    crashed,
    failed,
    load_member,
    memoised,
    plugin_names,
)
from planflow.workspace.work import MEMOISED_MODELS, qualified

__all__ = ["COUNT_KEYS", "report_one"]

#: the counts of a period, as the single-plan report gives them
COUNT_KEYS = ("planned", "done", "on_time", "late", "missed", "pending")


def _counts(counts: Any) -> dict[str, int]:
    return {k: int(getattr(counts, k)) for k in COUNT_KEYS}


def _figures(data: Any, member: Member, shared: frozenset[str]) -> dict[str, Any]:
    """The small dict of one plan's :class:`~planflow.reports.data.ReportData`."""
    from planflow.reports.rows import Counts
    from planflow.run.events import State

    plan = data.plan
    parts: list[dict[str, Any]] = []
    names = {u.id: u.name for u in plan.units}
    for unit in sorted(shared & set(names)):
        # its part in the commune's work: the occurrences it leads or coordinates
        states = [
            State(i.state)
            for i in data.items
            if i.in_period and (i.unit == unit or unit in i.coordinators)
        ]
        if states:
            parts.append({"unit": unit, "name": names[unit], **_counts(Counts.of(states))})
    own = [u for u in data.units if u.unit not in shared and (u.counts.missed or u.counts.late)]
    worst = min(own, key=lambda u: (-u.counts.missed, -u.counts.late, u.unit), default=None)
    return {
        "plan": plan.id,
        "title": plan.title,
        "issuer": plan.issuer,
        "file": member.key,
        "period": {
            "id": data.period.id,
            "start": data.period.start.isoformat(),
            "end": data.period.end.isoformat(),
        },
        **_counts(data.totals),
        "targets_not_met": sum(1 for t in data.targets if not t.met),
        "worst_unit": qualified(plan.id, worst.unit, shared) if worst else None,
        "shared_units": parts,
        "indicators_not_met": [
            {
                "indicator": r.indicator,
                "ref": r.ref,
                "text": r.text,
                "unit": qualified(plan.id, r.unit, shared),
                "checkpoint": r.checkpoint.isoformat(),
                "goal": r.goal,
                "value": r.value,
                "firmness": r.firmness,
                "failed": r.failed,
            }
            for r in data.indicators
            if r.state == "not met"
        ],
    }


def _no_period(member: Member, plan_id: str, exc: PlanError) -> dict[str, Any]:
    """The outcome of a plan without the period asked for (an error of the whole report)."""
    return {"plan": plan_id, "file": member.key, "no_period": str(exc)}


def report_one(
    session: Session,
    member: Member,
    *,
    period: str,
    model: str,
    seed: int,
    from_state: bool,
    db: str | None,
    pm: Any,
) -> dict[str, Any] | Failed:
    """One plan's figures for ``period``: simulated with ``model`` and ``seed``, or with
    ``from_state`` as recorded in the plan's store (``db``: one database for all plans)."""
    from planflow.plan.errors import PlanFileError

    shared = session.workspace.shared_ids

    def work() -> dict[str, Any]:
        from planflow.reports.data import build_report
        from planflow.reports.periods import resolve_period

        loaded = load_member(session, member)
        p = loaded.plan
        try:
            chosen = resolve_period(p, period)
        except PlanError as exc:
            return _no_period(member, p.id, exc)
        if from_state:
            from planflow.jobs.year import Year

            with Year.open(loaded.file, db, loaded=loaded) as year:
                data = build_report(year.replay(chosen.end).result, chosen, as_of=chosen.end)
        else:
            from planflow.hooks.manager import completion_model
            from planflow.jobs.report import simulate_to

            state = simulate_to(
                p, chosen, model=completion_model(pm, model, p, seed), seed=seed, scenario=None
            )
            data = build_report(state, chosen, as_of=chosen.end)
        return _figures(data, member, shared)

    try:
        if from_state or model not in MEMOISED_MODELS:  # records change; plugins may too
            return work()
        options = (period, model, seed, get_language(), plugin_names(pm))
        return memoised(session, member, "report", options, work)
    except PlanFileError as exc:
        return failed(member, exc)
    except Exception as exc:  # one plan's failure never stops the others
        return crashed(member, exc)
