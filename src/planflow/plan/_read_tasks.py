"""The tasks of a plan document: windows, recurrence rules, targets, dependencies."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

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

    def read_task(self, path: tuple[Any, ...], item: Any, year: int) -> Task | None:
        m = self.mapping(path, item, _TASK_KEYS, ("id", "title", "lead", "window"))
        if m is None:
            return None
        before = len(self.problems)
        tid = self.ident((*path, "id"), m.get("id")) if m.get("id") is not None else None
        lead = self.unit_ref((*path, "lead"), m["lead"]) if m.get("lead") is not None else None
        coordinators = [
            self.unit_ref((*path, "coordinators", j), v)
            for j, v in enumerate(
                self.sequence((*path, "coordinators"), m.get("coordinators"), single_ok=True)
            )
        ]
        window: Window | None = None
        if m.get("window") is not None:
            window = self.attempt((*path, "window"), lambda: self.window(m["window"], year))
        fields: dict[str, Any] = {}
        if m.get("recurrence") is not None:
            fields["recurrence"] = self.rule((*path, "recurrence"), m["recurrence"])
        if m.get("check_in") is not None:
            fields["check_in"] = self.rule((*path, "check_in"), m["check_in"])
        for key, name in (("dates", "dates"), ("except", "except_dates")):
            days = [
                self.day((*path, key, j), v)
                for j, v in enumerate(self.sequence((*path, key), m.get(key), single_ok=True))
            ]
            fields[name] = [d for d in days if d is not None]
        for key, parser in (
            ("target", forms.parse_target),
            ("due", forms.parse_offset),
            ("reminder", forms.parse_offset),
            ("time", forms.parse_time_range),
        ):
            if m.get(key) is not None:
                fields[key] = self.attempt((*path, key), partial(parser, m[key]))
        for key, enum in (("period", Period), ("shift", Shift), ("lead_mode", LeadMode)):
            if m.get(key) is not None:
                fields[key] = self.choice((*path, key), m[key], enum)
        category = self.sequence((*path, "category"), m.get("category"), single_ok=True)
        fields["category"] = [self.text((*path, "category", j), c) for j, c in enumerate(category)]
        fields["after"] = [
            d
            for j, v in enumerate(self.sequence((*path, "after"), m.get("after"), single_ok=True))
            if (d := self.dependency((*path, "after", j), v)) is not None
        ]
        fields["source"] = self.string_map((*path, "source"), m.get("source"))
        title: str | None = None
        if m.get("title") is not None:
            seen = len(self.problems)
            title = self.text((*path, "title"), m["title"])
            if not title and len(self.problems) == seen:
                self.fail((*path, "title"), "the title is empty")
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
                ref=self.text((*path, "ref"), m.get("ref")),
                title_en=self.text((*path, "title_en"), m.get("title_en")),
                coordinators=coordinators,
                notes=self.text((*path, "notes"), m.get("notes")),
                **{k: v for k, v in fields.items() if v is not None},
            ),
        )

    def window(self, value: Any, year: int) -> Window:
        if isinstance(value, dict):
            unknown = set(value) - {"start", "end", "label", "continuous"}
            if unknown:
                raise PlanError(
                    f"unknown window field {sorted(unknown)[0]!r}",
                    hint="a window mapping has start, end, label and continuous",
                )
            start, end = value.get("start"), value.get("end")
            if not isinstance(start, date) or not isinstance(end, date):
                raise PlanError("a window mapping needs start and end dates (YYYY-MM-DD)")
            continuous = value.get("continuous", False)
            if not isinstance(continuous, bool):
                raise PlanError("window continuous must be true or false")
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
            self.fail((*path, "task"), f"expected a task id, got {_kind(task)}")
            return None
        return self.attempt(
            path,
            lambda: Dependency(task.strip(), mode, lag, self.text((*path, "note"), m.get("note"))),
        )

    def rule(self, path: tuple[Any, ...], value: Any) -> str | None:
        if not isinstance(value, str):
            self.fail(
                path,
                f"expected a recurrence rule or shorthand, got {_kind(value)}",
                "write e.g. 'monthly', 'every 2 weeks' or 'FREQ=MONTHLY;BYMONTHDAY=15'",
            )
            return None
        return self.attempt(path, lambda: normalise_recurrence(value))
