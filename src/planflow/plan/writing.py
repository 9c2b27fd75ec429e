""":class:`~planflow.plan.model.Plan` → plan file (YAML); the inverse of the loader.

:func:`dump_plan` writes the readable forms an officer would write by hand: a window
as ``2025``, ``Q4/2025``, ``H1/2025``, ``03/2025``, "throughout the year" or a
``{start, end}`` mapping (whichever is the shortest that reads back as the same
window), a recurrence as its RRULE, an offset as ``+5 working days``, a target as a
mapping, and units and groups under ``units:`` and ``groups:``. Calendar settings
are written only where they differ from the defaults. Keys come in a fixed order,
so dumping the same plan twice gives the same text.

For every plan the loader can produce, ``loads(dump_plan(plan)).plan == plan``.
A plan built by hand round-trips too as long as its values are ones a plan file
can express: texts already NFC and stripped (the loader normalises them), plain
units listed before groups (the file has one list of each), times of day to the
minute, and window labels that are not empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import yaml

from planflow.plan import forms
from planflow.plan.errors import PlanError
from planflow.plan.loading import FORMAT_VERSION
from planflow.plan.model import (
    Comparator,
    Dependency,
    Goal,
    Group,
    Indicator,
    LeadMode,
    Offset,
    Plan,
    Target,
    Task,
    TimeRange,
    Unit,
    Window,
)

__all__ = ["dump_plan"]

_M = TypeVar("_M", bound=dict[str, Any])


def _default(name: str) -> Any:
    """The default of a :class:`Plan` field: the file leaves out values equal to it."""
    default: Any = attrs.fields_dict(Plan)[name].default
    factory = getattr(default, "factory", None)  # an attrs.Factory
    return factory() if callable(factory) else default


class _Flow(dict[str, Any]):
    """A small mapping written on one line: ``{start: 2025-01-15, end: 2025-03-31}``."""


class _FlowList(list[Any]):
    """A list of short values written on one line: ``[vhxh, kt]``."""


# libyaml's emitter when PyYAML was built with it (about ten times faster), else PyYAML's.
if TYPE_CHECKING:
    _BaseDumper = yaml.SafeDumper
else:
    _BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):
    """Safe YAML with one-line small mappings and no anchors or aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(_FlowList, _represent_flow_list)


def dump_plan(plan: Plan) -> str:
    """The plan as the text of a plan file (YAML, UTF-8 text, stable key order).

    :param plan: the plan to write.
    :returns: YAML text that :func:`planflow.plan.loading.loads` reads back as an equal plan.
    """
    doc: dict[str, Any] = {"planflow": FORMAT_VERSION, "plan": _meta(plan)}
    calendar = _calendar(plan)
    if calendar:
        doc["calendar"] = calendar
    if plan.reporting_periods:
        doc["reporting_periods"] = [
            _drop_empty(
                _Flow(id=p.id, name=p.name, name_en=p.name_en, start=p.start, end=p.end, due=p.due)
            )
            for p in plan.reporting_periods
        ]
    if plan.report:
        doc["report"] = dict(plan.report)
    if plan.channels:
        doc["channels"] = {name: dict(settings) for name, settings in plan.channels.items()}
    doc["units"] = [_unit(u) for u in plan.units if not isinstance(u, Group)]
    groups = [_unit(u) for u in plan.units if isinstance(u, Group)]
    if groups:
        doc["groups"] = groups
    if plan.sections:
        doc["sections"] = [
            _drop_empty(_Flow(id=x.id, name=x.name, name_en=x.name_en)) for x in plan.sections
        ]
    doc["tasks"] = [_task(t, plan.year) for t in plan.tasks]
    if plan.indicators:
        doc["indicators"] = [_indicator(i) for i in plan.indicators]
    return yaml.dump(
        doc,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


def _drop_empty(mapping: _M) -> _M:
    """Remove the keys whose value is None or an empty text, list or mapping."""
    for key in [k for k, v in mapping.items() if _empty(v)]:
        del mapping[key]
    return mapping


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str | list | tuple | dict) and not value)


def _meta(plan: Plan) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "id": plan.id,
        "title": plan.title,
        "title_en": plan.title_en,
        "issuer": plan.issuer,
        "year": plan.year,
        "timezone": plan.timezone if plan.timezone != _default("timezone") else None,
        "number": plan.number,
        "issued": plan.issued,
        "effective": plan.effective,
        "signed_by": plan.signed_by,
        "notes": plan.notes,
        "language": plan.language,
        "legal_bases": [
            _drop_empty(
                {
                    "verb": b.verb,
                    "number": b.number,
                    "date": b.date,
                    "issuer": b.issuer,
                    "title": b.title,
                    "note": b.note,
                }
            )
            for b in plan.legal_bases
        ],
    }
    return _drop_empty(meta)


def _calendar(plan: Plan) -> dict[str, Any]:
    def notes(days: tuple[tuple[date, str, str], ...]) -> list[_Flow]:
        return [_drop_empty(_Flow(date=d, reason=reason, source=src)) for d, reason, src in days]

    cal: dict[str, Any] = {
        "country": plan.country if plan.country != _default("country") else None,
        "shift": plan.shift.value if plan.shift != _default("shift") else None,
        "reminder": _offset(plan.reminder) if plan.reminder != _default("reminder") else None,
        "check_in": plan.check_in if plan.check_in != _default("check_in") else None,
        "days_off": notes(plan.days_off),
        "working_days": notes(plan.working_days),
    }
    return _drop_empty(cal)


def _unit(unit: Unit) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": unit.id,
        "name": unit.name,
        "name_en": unit.name_en,
        "aliases": _FlowList(unit.aliases),
        "contacts": dict(unit.contacts),
        "channels": {name: dict(settings) for name, settings in unit.channels.items()},
        "note": unit.note,
        "from": unit.since,
        "until": unit.until,
        "successor": unit.successor,
    }
    if isinstance(unit, Group):
        out["members"] = _FlowList(unit.members)
    return _drop_empty(out)


def _goal_text(goal: Goal, percent: bool) -> str:
    def n(value: float) -> str:
        return str(int(value)) if float(value).is_integer() else repr(value)

    mark = "%" if percent else ""
    if goal.comparator is Comparator.RANGE:
        return f"{n(goal.low)} - {n(goal.high or goal.low)}{mark}"
    return f"{goal.comparator.value} {n(goal.low)}{mark}"


def _indicator(ind: Indicator) -> dict[str, Any]:
    return _drop_empty(
        {
            "id": ind.id,
            "ref": ind.ref,
            "text": ind.text,
            "section": ind.section,
            "metric": ind.metric.value,
            "target": _goal_text(ind.goal, ind.metric.percentage),
            "denominator": ind.denominator,
            "excluding": list(ind.excluding),
            "firmness": ind.firmness.value,
            "owner": ind.owner,
            "checkpoints": _FlowList(ind.checkpoints),
            "task": ind.task,
        }
    )


def _task(task: Task, year: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": task.id,
        "ref": task.ref,
        "title": task.title,
        "title_en": task.title_en,
        "category": _FlowList(task.category),
        "section": task.section,
        "lead": task.lead,
        "lead_mode": task.lead_mode.value if task.lead_mode is not LeadMode.EACH else None,
        "coordinators": _FlowList(task.coordinators),
        "window": _window(task.window, year),
        "recurrence": task.recurrence,
        "dates": _FlowList(task.dates),
        "except": _FlowList(task.except_dates),
        "period": task.period.value if task.period is not None else None,
        "check_in": task.check_in,
        "target": _target(task.target) if task.target is not None else None,
        "after": [_dependency(d) for d in task.after],
        "due": _offset(task.due) if task.due is not None else None,
        "shift": task.shift.value if task.shift is not None else None,
        "reminder": _offset(task.reminder) if task.reminder is not None else None,
        "time": _time_range(task.time) if task.time is not None else None,
        "notes": task.notes,
        "source": dict(task.source),
    }
    return _drop_empty(out)


def _window(window: Window, year: int) -> Any:
    """The shortest form that :func:`planflow.plan.forms.parse_window` reads back as ``window``."""
    candidates: list[str | int] = []
    if window.label.isascii() and window.label.isdigit():
        candidates.append(int(window.label))
    if window.continuous and window.start.year == year:
        candidates.append("throughout the year")
    if window.label:
        candidates.append(window.label)
    for candidate in candidates:
        try:
            if forms.parse_window(candidate, year) == window:
                return candidate
        except (PlanError, ValueError):
            continue
    flow = _Flow(start=window.start, end=window.end)
    if window.label != f"{window.start}..{window.end}":
        flow["label"] = window.label
    if window.continuous:
        flow["continuous"] = True
    return flow


def _offset(offset: Offset) -> str:
    """``+5 working days``, which :func:`planflow.plan.forms.parse_offset` reads back."""
    return str(offset)


def _target(target: Target) -> Mapping[str, Any]:
    out = _Flow(count=target.count, per=target.per.value)
    if target.approximate:
        out["approximate"] = True
    if target.unit:
        out["unit"] = target.unit
    return out


def _dependency(dep: Dependency) -> str | Mapping[str, Any]:
    if dep.mode.value == "task" and dep.lag == Offset(0) and not dep.note:
        return dep.task
    out = _Flow(task=dep.task)
    if dep.mode.value != "task":
        out["mode"] = dep.mode.value
    if dep.lag != Offset(0):
        out["lag"] = _offset(dep.lag)
    if dep.note:
        out["note"] = dep.note
    return out


def _time_range(span: TimeRange) -> str:
    return f"{span.start:%H:%M}-{span.end:%H:%M}"
