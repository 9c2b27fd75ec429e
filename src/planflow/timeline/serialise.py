"""Plain-data (JSON-ready) forms of plans and occurrences.

These shapes are a stable contract (``planflow show --json``, ``planflow agenda
--json``); add keys, never rename or remove them.
"""

from __future__ import annotations

from typing import Any

from planflow.plan.model import Group, Offset, Plan, Task, Unit
from planflow.timeline.occurrences import Occurrence, Timeline

__all__ = ["occurrence_to_dict", "plan_to_dict", "task_to_dict", "unit_to_dict"]


def _offset(offset: Offset | None) -> str | None:
    return None if offset is None else str(offset)


_SECRET_WORDS = ("password", "secret", "token", "key")


def _masked(settings: Any) -> Any:
    """Channel settings with secret-looking values hidden (``${VAR}`` references kept)."""
    if isinstance(settings, dict):
        return {
            k: (
                "***"
                if any(w in str(k).lower() for w in _SECRET_WORDS)
                and not (isinstance(v, str) and v.startswith("${"))
                else _masked(v)
            )
            for k, v in settings.items()
        }
    return settings


def unit_to_dict(unit: Unit) -> dict[str, Any]:
    """A unit or group: id, name, name_en, aliases, kind, members, contacts."""
    return {
        "id": unit.id,
        "name": unit.name,
        "name_en": unit.name_en,
        "aliases": list(unit.aliases),
        "kind": "group" if isinstance(unit, Group) else "unit",
        "members": list(unit.members) if isinstance(unit, Group) else [],
        "contacts": dict(unit.contacts),
        "channels": _masked(dict(unit.channels)),
        "note": unit.note,
        "from": unit.since.isoformat() if unit.since else None,
        "until": unit.until.isoformat() if unit.until else None,
        "successor": unit.successor,
    }


def task_to_dict(task: Task) -> dict[str, Any]:
    """A task with unit ids (never aliases) and dependency task ids."""
    target = task.target
    return {
        "id": task.id,
        "ref": task.ref,
        "title": task.title,
        "title_en": task.title_en,
        "category": list(task.category),
        "section": task.section,
        "lead": task.lead,
        "lead_mode": task.lead_mode.value,
        "coordinators": list(task.coordinators),
        "window": {
            "start": task.window.start.isoformat(),
            "end": task.window.end.isoformat(),
            "label": task.window.label,
            "continuous": task.window.continuous,
        },
        "recurrence": task.recurrence,
        "dates": [d.isoformat() for d in task.dates],
        "except": [d.isoformat() for d in task.except_dates],
        "period": task.period.value if task.period else None,
        "check_in": task.check_in,
        "target": None
        if target is None
        else {
            "count": target.count,
            "per": target.per.value,
            "approximate": target.approximate,
            "unit": target.unit,
        },
        "after": list(dict.fromkeys(dep.task for dep in task.after)),
        "dependencies": [
            {"task": dep.task, "mode": dep.mode.value, "lag": str(dep.lag), "note": dep.note}
            for dep in task.after
        ],
        "due": _offset(task.due),
        "shift": task.shift.value if task.shift else None,
        "reminder": _offset(task.reminder),
        "time": None
        if task.time is None
        else {
            "start": task.time.start.isoformat("minutes"),
            "end": task.time.end.isoformat("minutes"),
        },
        "notes": task.notes,
        "source": dict(task.source),
    }


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """``{"plan": {...}, "units": [...], "tasks": [...]}``."""
    return {
        "plan": {
            "id": plan.id,
            "title": plan.title,
            "title_en": plan.title_en,
            "issuer": plan.issuer,
            "year": plan.year,
            "timezone": plan.timezone,
            "issued": plan.issued.isoformat() if plan.issued else None,
            "effective": plan.effective.isoformat() if plan.effective else None,
            "number": plan.number,
            "signed_by": plan.signed_by,
            "notes": plan.notes,
            "channels": _masked(dict(plan.channels)),
            "language": plan.language,
            "report": dict(plan.report),
            "legal_bases": [
                {
                    "verb": b.verb,
                    "number": b.number,
                    "date": b.date.isoformat() if b.date else None,
                    "issuer": b.issuer,
                    "title": b.title,
                    "note": b.note,
                }
                for b in plan.legal_bases
            ],
            "reporting_periods": [
                {
                    "id": p.id,
                    "name": p.name,
                    "name_en": p.name_en,
                    "start": p.start.isoformat(),
                    "end": p.end.isoformat(),
                    "due": p.due.isoformat() if p.due else None,
                }
                for p in plan.reporting_periods
            ],
            "calendar": {
                "country": plan.country,
                "shift": plan.shift.value,
                "reminder": str(plan.reminder),
                "check_in": plan.check_in,
                "days_off": [
                    {"date": d.isoformat(), "reason": r, "source": s} for d, r, s in plan.days_off
                ],
                "working_days": [
                    {"date": d.isoformat(), "reason": r, "source": s}
                    for d, r, s in plan.working_days
                ],
            },
        },
        "units": [unit_to_dict(u) for u in plan.units],
        "sections": [{"id": x.id, "name": x.name, "name_en": x.name_en} for x in plan.sections],
        "tasks": [task_to_dict(t) for t in plan.tasks],
        "indicators": [
            {
                "id": i.id,
                "ref": i.ref,
                "text": i.text,
                "section": i.section,
                "metric": i.metric.value,
                "goal": str(i.goal),
                "denominator": i.denominator,
                "excluding": list(i.excluding),
                "firmness": i.firmness.value,
                "owner": i.owner,
                "checkpoints": [d.isoformat() for d in i.checkpoints],
                "task": i.task,
            }
            for i in plan.indicators
        ],
    }


def occurrence_to_dict(occ: Occurrence, timeline: Timeline) -> dict[str, Any]:
    """``{"task", "index", "start", "due", "period", "unit", "waits_for", ...}``."""
    duty = timeline.duty(occ.task)
    coordinators = timeline.coordinators_of(occ)
    return {
        "task": occ.task,
        "index": occ.index,
        "start": occ.start.isoformat(),
        "due": occ.due.isoformat(),
        "period": occ.period,
        "unit": occ.unit,
        "handed_from": duty.handed_from or None,
        "coordinators": list(coordinators),
        "plan_task": occ.plan_task,
        "ref": duty.task.ref,
        "title": duty.task.title,
        "nominal": occ.nominal.isoformat(),
        "section": duty.task.section,
        "waits_for": [[task, index] for task, index in occ.waits_for],
    }
