"""What each command does to one plan of a workspace, in a worker process.

Every function takes the session and one member and returns a small JSON-ready
dict (or :class:`~planflow.workspace.members.Failed`): only that crosses back to
the parent process. Unit ids in the results are namespaced by plan id
(``boy-2025/vhxh``), except the workspace's shared units (``sonv``).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from planflow.i18n import _
from planflow.plan.errors import PlanError, PlanFileError, Problem, Severity
from planflow.plan.loading import LoadedPlan
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

__all__ = [
    "MEMOISED_MODELS",
    "agenda_one",
    "export_many",
    "export_one",
    "qualified",
    "simulate_one",
    "validate_one",
]

Outcome = dict[str, Any] | Failed
#: the built-in models, deterministic (the same seed, the same year): their results are kept
MEMOISED_MODELS = ("on-time", "random")


def qualified(plan_id: str, unit_id: str, shared: frozenset[str]) -> str:
    """A unit's id as the workspace shows it: ``PLAN-ID/unit``, or a shared unit's own id."""
    return unit_id if unit_id in shared else f"{plan_id}/{unit_id}"


def _guarded(member: Member, work: Any) -> Outcome:
    try:
        result: Outcome = work()
    except PlanFileError as exc:
        return failed(member, exc)
    except Exception as exc:  # one plan's failure never stops the others
        return crashed(member, exc)
    return result


def validate_one(session: Session, member: Member, *, pm: Any) -> Outcome:
    """``planflow validate`` of one plan: counts, warnings and channel problems."""

    def work() -> dict[str, Any]:
        from planflow.hooks.channels import validate_settings
        from planflow.timeline.occurrences import Timeline
        from planflow.timeline.validation import plan_warnings

        loaded = load_member(session, member)
        timeline = Timeline(loaded.plan)
        problems = sorted(
            [*plan_warnings(loaded, timeline), *validate_settings(loaded, pm)],
            key=lambda p: (p.line, p.column, p.message),
        )
        p = loaded.plan
        groups = len(p.groups)
        return {
            "plan": p.id,
            "file": member.key,
            "tasks": len(p.tasks),
            "units": len(p.units) - groups,
            "groups": groups,
            "dependencies": sum(len(t.after) for t in p.tasks),
            "occurrences": sum(len(timeline.occurrences(d.id)) for d in timeline.duties),
            "errors": [str(x) for x in problems if x.severity is Severity.ERROR],
            "warnings": [str(x) for x in problems if x.severity is not Severity.ERROR],
        }

    return _guarded(member, lambda: memoised(session, member, "validate", plugin_names(pm), work))


def simulate_one(
    session: Session,
    member: Member,
    *,
    model: str,
    seed: int,
    start: date | None,
    end: date | None,
    until: date | None,
    pm: Any,
) -> Outcome:
    """``planflow simulate`` of one plan: its totals and per-unit counts, units namespaced."""

    def work() -> dict[str, Any]:
        from planflow.hooks.manager import completion_model
        from planflow.run.simulation import simulate

        loaded = load_member(session, member)
        p = loaded.plan
        first, last = start or date(p.year, 1, 1), end or date(p.year, 12, 31)
        if first.year != p.year or last.year != p.year:
            raise PlanError(
                _("the plan covers {year}, not {first}…{last}").format(
                    year=p.year, first=first, last=last
                )
            )
        result = simulate(
            p,
            model=completion_model(pm, model, p, seed),
            seed=seed,
            start=first,
            end=last,
            until=until,
            keep_events=False,
        )
        return {
            "plan": p.id,
            "title": p.title,
            "file": member.key,
            "totals": result.totals(),
            "events": sum(result.event_counts.values()),
            "targets_not_met": sum(1 for r in result.targets() if not r["met"]),
            "late_chains": len(result.late_chains()),
            "units": _unit_counts(result, session.workspace.shared_ids),
        }

    if model not in MEMOISED_MODELS:  # a plugin's model may draw on anything
        return _guarded(member, work)
    options = (model, seed, start, end, until, plugin_names(pm))
    return _guarded(member, lambda: memoised(session, member, "simulate", options, work))


def _unit_counts(result: Any, shared: frozenset[str]) -> list[dict[str, Any]]:
    """Counts per unit whose duty it is, plus, for each shared unit, every occurrence it
    leads or coordinates (its part in the commune's work), in plan order."""
    from planflow.run.results import _counts

    plan, timeline = result.plan, result.timeline
    own: dict[str, list[Any]] = {}
    taking_part: dict[str, list[Any]] = {}
    parts: dict[str, frozenset[str]] = {}
    for o in result.outcomes:
        occ = o.occurrence
        own.setdefault(occ.unit, []).append(o)
        if shared:
            found = parts.get(occ.task)
            if found is None:
                lead, coordinators = timeline.units_of(timeline.duty(occ.task))
                found = parts[occ.task] = frozenset((lead, *coordinators)) & shared
            for unit in found:
                if unit != occ.unit:
                    taking_part.setdefault(unit, []).append(o)
    rows = []
    for unit in plan.units:
        outcomes = own.get(unit.id, []) + taking_part.get(unit.id, [])
        if outcomes:
            rows.append(
                {
                    "unit": qualified(plan.id, unit.id, shared),
                    "name": unit.name,
                    **_counts(outcomes),
                }
            )
    return rows


def export_one(
    session: Session,
    member: Member,
    *,
    out: str,
    expand: bool,
    todos: bool,
    pm: Any,
    claims: str,
) -> Outcome:
    """``planflow export`` of one plan into ``OUT/PLAN-ID/`` (``claims``: a folder where
    each plan id is claimed once, so two plans with one id never write one folder).

    A plan whose feeds are there and up to date (:mod:`.manifest`) is not loaded."""
    from planflow.workspace.manifest import up_to_date, write_manifest

    # the shared units' digest too: the manifest records the plan's files only
    options: list[Any] = [expand, todos, list(plugin_names(pm)), session.cache.context]

    def claim(plan_id: str) -> None:
        try:
            os.mkdir(os.path.join(claims, plan_id))
        except FileExistsError:
            raise PlanError(
                _(
                    "plan id {plan!r} is the id of another plan of the workspace too; "
                    "its feeds were not written"
                ).format(plan=plan_id)
            ) from None

    def work() -> dict[str, Any]:
        from planflow.feeds.export import export_feeds, publish_feeds
        from planflow.feeds.publish import on_published
        from planflow.feeds.state import STATE_FILE
        from planflow.workspace import feed_cache

        done = up_to_date(Path(out), member.key, options) if session.cache.folder else None
        if done is not None:
            claim(done[0])
            return {"plan": done[0], "file": member.key, "feeds": done[1], "skipped": True}

        def fresh(plan_id: str) -> bool:  # no feed state yet: every SEQUENCE starts at 0
            return not (Path(out) / plan_id / STATE_FILE).exists()

        def published(plan_id: str, paths: list[Path]) -> dict[str, Any]:
            """The manifest is written once the plan's folder is in place."""
            sources = session.cache.sources(member.key)
            on_published(
                Path(out) / plan_id,
                lambda: write_manifest(Path(out), plan_id, member.key, options, sources, paths),
            )
            return {"plan": plan_id, "file": member.key, "feeds": len(paths), "skipped": False}

        reuse = feed_cache.cacheable(pm)
        blob = session.cache.result(member.key, "feeds", tuple(options)) if reuse else None
        if blob is not None:
            plan_id, files = feed_cache.unpack(blob)
            if fresh(plan_id):  # the bytes a rendering would give
                claim(plan_id)
                return published(plan_id, publish_feeds(Path(out) / plan_id, files, sweep=False))
        loaded = load_member(session, member)
        plan_id = loaded.plan.id
        claim(plan_id)
        captured: dict[str, bytes] | None = {} if reuse and fresh(plan_id) else None
        paths = export_feeds(
            loaded.plan,
            Path(out) / plan_id,
            expand=expand,
            todos=todos,
            workers=1,
            plugins=pm,
            capture=captured,
            sweep=False,
        )
        if captured is not None:
            blob = feed_cache.pack(plan_id, captured)
            session.cache.put_result(member.key, "feeds", tuple(options), blob)
        return published(plan_id, paths)

    return _guarded(member, work)


def export_many(session: Session, members: list[Member], **options: Any) -> list[Outcome]:
    """:func:`export_one` of each plan, their folders switched into place together (one
    flush of the disk for all, :func:`~planflow.feeds.publish.published_together`); a plan
    whose folder could not be switched is a failure of that plan."""
    from planflow.feeds.publish import published_together

    with published_together() as batch:
        results = [export_one(session, member, **options) for member in members]
    if batch.failed:
        for i, (member, result) in enumerate(zip(members, results, strict=True)):
            if isinstance(result, dict) and not result["skipped"]:
                target = Path(os.path.realpath(Path(options["out"]) / result["plan"]))
                why = batch.failed.get(target)
                if why is not None:
                    message = _("the feeds could not be put in place in {folder}: {why}")
                    problem = Problem(message.format(folder=target, why=why), str(member.path))
                    results[i] = Failed(member.key, (str(problem),), 1)
    return results


def agenda_one(
    session: Session,
    member: Member,
    *,
    unit: str | None,
    from_day: date | None,
    to_day: date | None,
) -> Outcome:
    """``planflow agenda`` of one plan: occurrences per month, and a shared unit's rows."""

    def work() -> dict[str, Any]:
        from planflow.timeline.occurrences import Timeline

        loaded: LoadedPlan = load_member(session, member)
        p = loaded.plan
        timeline = Timeline(p)
        months: dict[str, int] = {}
        rows: list[dict[str, Any]] = []
        count = 0
        for occ in timeline:
            if (from_day and occ.due < from_day) or (to_day and occ.start > to_day):
                continue
            duty = timeline.duty(occ.task)
            lead, coordinators = timeline.units_of(duty)
            if unit is not None:
                if unit == lead or unit == duty.task.lead:
                    role = "lead"
                elif unit in coordinators or unit in duty.task.coordinators:
                    role = "coordinator"
                else:
                    continue
                rows.append(
                    {
                        "plan": p.id,
                        "task": f"{p.id}/{occ.task}",
                        "index": occ.index,
                        "ref": duty.task.ref,
                        "title": duty.task.title,
                        "start": occ.start.isoformat(),
                        "due": occ.due.isoformat(),
                        "role": role,
                    }
                )
            count += 1
            key = occ.start.strftime("%Y-%m")
            months[key] = months.get(key, 0) + 1
        return {
            "plan": p.id,
            "file": member.key,
            "occurrences": count,
            "months": months,
            "rows": rows,
        }

    return _guarded(member, work)
