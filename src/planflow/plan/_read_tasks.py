"""The tasks of a plan document: windows, recurrence rules, targets, dependencies."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from planflow.i18n import _
from planflow.plan import forms
from planflow.plan._read_units import UnitReader
from planflow.plan._shapes import _kind
from planflow.plan.errors import PlanError
from planflow.plan.model import (
    Dependency,
    DependencyMode,
    LeadMode,
    Offset,
    Period,
    Shift,
    Task,
    Window,
)
from planflow.plan.rules.text import normalise_recurrence

__all__ = ["TaskReader"]

_TASK_KEYS = {
    "id",
    "ref",
    "title",
    "title_en",
    "category",
    "lead",
    "lead_mode",
    "coordinators",
    "window",
    "recurrence",
    "dates",
    "except",
    "period",
    "check_in",
    "target",
    "after",
    "due",
    "shift",
    "reminder",
    "time",
    "notes",
    "source",
    "section",
}


#: The task keys a plan's ``defaults:`` block may set (the rest name one task only).
DEFAULT_KEYS = {
    "window",
    "recurrence",
    "check_in",
    "period",
    "shift",
    "reminder",
    "due",
    "lead",
    "lead_mode",
    "coordinators",
    "category",
    "time",
    "section",
}


class TaskReader(UnitReader):
    """Reads ``tasks:``, whose leads and coordinators name units read before them."""

    def read_tasks(self, value: Any, year: int, calendar: dict[str, Any]) -> list[Task]:
        tasks = []
        for i, item in enumerate(self.sequence(("tasks",), value)):
            task = self.read_task(("tasks", i), item, year)
            if task is not None:
                tasks.append(task)
                self.task_paths.append(i)
            elif isinstance(item, dict) and item.get("id") is not None:
                self.failed_ids.add(str(item["id"]))
        return tasks

    def read_defaults(self, value: Any) -> None:
        """Keep the plan's ``defaults:`` for tasks; each task reads them as its own keys."""
        if value is None:
            return
        m = self.mapping(("defaults",), value, DEFAULT_KEYS)
        if m is not None:
            self.defaults = {k: v for k, v in m.items() if k in DEFAULT_KEYS}

    def read_task(self, path: tuple[Any, ...], item: Any, year: int) -> Task | None:
        if isinstance(item, dict):
            # a key the task writes (even as null) overrides the plan's default
            inherited = {k: v for k, v in self.defaults.items() if k not in item}
            item = {**inherited, **item}
        else:
            inherited = {}
        m = self.mapping(path, item, _TASK_KEYS, ("id", "title", "lead", "window"))
        if m is None:
            return None

        def at(key: str) -> tuple[Any, ...]:
            """Where a key's value is written: the task, or the plan's ``defaults:``."""
            return ("defaults", key) if key in inherited else (*path, key)

        before = len(self.problems)
        tid = self.ident(at("id"), m.get("id")) if m.get("id") is not None else None
        if tid is not None:
            self.inherited[tid] = set(inherited)
        lead = self.unit_ref(at("lead"), m["lead"]) if m.get("lead") is not None else None
        coordinators = [
            self.unit_ref((*at("coordinators"), j), v)
            for j, v in enumerate(
                self.sequence(at("coordinators"), m.get("coordinators"), single_ok=True)
            )
        ]
        window: Window | None = None
        if m.get("window") is not None:
            window = self.attempt(at("window"), lambda: self.window(m["window"], year))
            if tid is not None and forms.is_explicit_window(m["window"]):
                self.explicit_windows.add(tid)
        fields: dict[str, Any] = {}
        if m.get("recurrence") is not None:
            fields["recurrence"] = self.rule(at("recurrence"), m["recurrence"])
        if m.get("check_in") is not None:
            fields["check_in"] = self.rule(at("check_in"), m["check_in"])
        for key, name in (("dates", "dates"), ("except", "except_dates")):
            days = [
                self.day((*at(key), j), v)
                for j, v in enumerate(self.sequence(at(key), m.get(key), single_ok=True))
            ]
            fields[name] = [d for d in days if d is not None]
        for key, parser in (
            ("target", forms.parse_target),
            ("due", forms.parse_offset),
            ("reminder", forms.parse_offset),
            ("time", forms.parse_time_range),
        ):
            if m.get(key) is not None:
                fields[key] = self.attempt(at(key), partial(parser, m[key]))
        for key, enum in (("period", Period), ("shift", Shift), ("lead_mode", LeadMode)):
            if m.get(key) is not None:
                fields[key] = self.choice(at(key), m[key], enum)
        category = self.sequence(at("category"), m.get("category"), single_ok=True)
        fields["category"] = [self.text((*at("category"), j), c) for j, c in enumerate(category)]
        fields["after"] = [
            d
            for j, v in enumerate(self.sequence(at("after"), m.get("after"), single_ok=True))
            if (d := self.dependency((*at("after"), j), v)) is not None
        ]
        fields["source"] = self.string_map(at("source"), m.get("source"))
        title: str | None = None
        if m.get("title") is not None:
            seen = len(self.problems)
            title = self.text(at("title"), m["title"])
            if not title and len(self.problems) == seen:
                self.fail(at("title"), _("the title is empty"))
        if len(self.problems) > before or tid is None or lead is None or window is None:
            return None
        if not title:
            return None
        if None in coordinators:
            return None
        return self.attempt(
            path,
            lambda: Task(
                id=tid,
                title=title,
                lead=lead,
                window=window,
                ref=self.text(at("ref"), m.get("ref")),
                title_en=self.text(at("title_en"), m.get("title_en")),
                coordinators=coordinators,
                notes=self.text(at("notes"), m.get("notes")),
                section=self.text(at("section"), m.get("section")),
                **{k: v for k, v in fields.items() if v is not None},
            ),
        )

    def window(self, value: Any, year: int) -> Window:
        if isinstance(value, dict):
            unknown = set(value) - {"start", "end", "label", "continuous"}
            if unknown:
                raise PlanError(
                    _("unknown window field {key!r}").format(key=sorted(unknown)[0]),
                    hint=_("a window mapping has start, end, label and continuous"),
                )
            start, end = value.get("start"), value.get("end")
            if isinstance(start, str):
                start = forms.parse_day(start)
            if isinstance(end, str):
                end = forms.parse_day(end)
            if not isinstance(start, date) or not isinstance(end, date):
                raise PlanError(
                    _("a window mapping needs start and end dates (YYYY-MM-DD or DD/MM/YYYY)")
                )
            continuous = value.get("continuous", False)
            if not isinstance(continuous, bool):
                raise PlanError(_("window continuous must be true or false"))
            label = str(value.get("label") or f"{start}..{end}")
            return Window(start, end, label, continuous)
        return forms.parse_window(value, year)

    def dependency(self, path: tuple[Any, ...], value: Any) -> Dependency | None:
        if isinstance(value, str):
            return self.attempt(path, lambda: Dependency(value.strip()))
        m = self.mapping(path, value, {"task", "mode", "lag", "note"}, ("task",))
        if m is None or m.get("task") is None:
            return None
        mode = self.choice((*path, "mode"), m.get("mode"), DependencyMode) or DependencyMode.TASK
        lag = Offset(0)
        if m.get("lag") is not None:
            lag = self.attempt((*path, "lag"), lambda: forms.parse_offset(m["lag"])) or lag
        task = m["task"]
        if not isinstance(task, str):
            self.fail((*path, "task"), _("expected a task id, got {kind}").format(kind=_kind(task)))
            return None
        return self.attempt(
            path,
            lambda: Dependency(task.strip(), mode, lag, self.text((*path, "note"), m.get("note"))),
        )

    def rule(self, path: tuple[Any, ...], value: Any) -> str | None:
        if not isinstance(value, str):
            self.fail(
                path,
                _("expected a recurrence rule or shorthand, got {kind}").format(kind=_kind(value)),
                _("write e.g. 'monthly', 'every 2 weeks' or 'FREQ=MONTHLY;BYMONTHDAY=15'"),
            )
            return None
        return self.attempt(path, lambda: normalise_recurrence(value))
