"""Reads a plan document (plain values with positions) into a :class:`~planflow.plan.model.Plan`."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from planflow.plan import forms
from planflow.plan._shapes import ShapeReader, _kind
from planflow.plan.errors import PlanError, Severity
from planflow.plan.model import (
    Dependency,
    DependencyMode,
    Group,
    LeadMode,
    LegalBasis,
    Offset,
    Period,
    Plan,
    ReportingPeriod,
    Shift,
    Task,
    Unit,
    Window,
    plan_problems,
    suggest,
    unchecked,
)
from planflow.timeline.recurrence import normalise_recurrence

__all__ = ["FORMAT_VERSION", "PlanReader"]

FORMAT_VERSION = 1

_TOP_KEYS = {
    "planflow",
    "plan",
    "calendar",
    "reporting_periods",
    "units",
    "groups",
    "tasks",
    "channels",
    "report",
}
#: what the top-level ``report:`` block may say (how printed reports are signed and sent)
_REPORT_KEYS = {"place", "number", "issuer_parent", "signature", "signer", "recipients"}
_LANGUAGES = ("vi", "en")
_PLAN_KEYS = {
    "id",
    "title",
    "title_en",
    "issuer",
    "year",
    "timezone",
    "issued",
    "signed_by",
    "notes",
    "legal_bases",
    "language",
}
_CALENDAR_KEYS = {"country", "shift", "reminder", "check_in", "days_off", "working_days"}
_UNIT_KEYS = {"id", "name", "name_en", "aliases", "contacts", "channels", "note"}
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


class PlanReader(ShapeReader):
    """Reads a whole plan document: metadata, calendar, units and groups, tasks."""

    def read(self) -> Plan | None:
        top = self.mapping((), self.doc.data, _TOP_KEYS, ("plan", "tasks"))
        if top is None:
            if self.doc.data is None:
                self.problems.clear()
                self.fail(
                    (), "the plan file is empty", "start from the example in docs/plan-format.md"
                )
            return None
        version = top.get("planflow", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            self.fail(
                ("planflow",),
                f"unknown format version {version!r}",
                f"this planflow reads format {FORMAT_VERSION}",
            )
        meta = self.mapping(
            ("plan",), top.get("plan"), _PLAN_KEYS, ("id", "title", "issuer", "year")
        )
        meta = meta or {}
        year = meta.get("year")
        if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 9999:
            if year is not None:
                self.fail(("plan", "year"), f"expected a year such as 2025, got {year!r}")
            year = date.today().year if year is None else 2000
            self.year_unknown = True
        calendar = self.mapping(("calendar",), top.get("calendar") or {}, _CALENDAR_KEYS) or {}
        units = self.read_units(top)
        periods = self.read_periods(top.get("reporting_periods"))
        tasks = self.read_tasks(top.get("tasks"), year, calendar)
        defaults = self.read_calendar(calendar)
        legal = self.read_legal(meta.get("legal_bases"))
        plan_id = self.ident(("plan", "id"), meta.get("id")) if "id" in meta else None
        timezone = self.text(("plan", "timezone"), meta.get("timezone")) or "Asia/Ho_Chi_Minh"
        self.check_timezone(timezone)
        # (passed through a dict: mypy's attrs plugin cannot type the tuple converters)
        parts: dict[str, Any] = {
            "channels": self.channels(("channels",), top.get("channels")),
            "legal_bases": legal,
            "units": units,
            "tasks": tasks,
            "reporting_periods": periods,
            "report": self.read_report(top.get("report")),
        }
        with unchecked():
            plan = Plan(
                id=plan_id or "plan",
                title=self.text(("plan", "title"), meta.get("title")) or "-",
                title_en=self.text(("plan", "title_en"), meta.get("title_en")),
                issuer=self.text(("plan", "issuer"), meta.get("issuer")) or "-",
                year=year,
                timezone=timezone,
                issued=self.day(("plan", "issued"), meta["issued"]) if meta.get("issued") else None,
                signed_by=self.text(("plan", "signed_by"), meta.get("signed_by")),
                notes=self.text(("plan", "notes"), meta.get("notes")),
                language=self.read_language(meta.get("language")),
                **parts,
                **defaults,
            )
        # cross-checks run even when some entries failed, so every problem shows at once;
        # references to entries that failed to load are not reported a second time
        for problem in plan_problems(plan):
            if problem.message.startswith(("unknown task", "unknown unit")) and (
                problem.message.split("'")[1] in self.failed_ids
            ):
                continue
            if self.year_unknown and "outside the plan year" in problem.message:
                continue
            self.fail(self.file_path(problem.path), problem.message, problem.hint)
        if any(p.severity is Severity.ERROR for p in self.problems):
            return None
        return plan

    def read_language(self, value: Any) -> str:
        """``plan.language``: ``vi`` or ``en`` (empty when not given)."""
        text = self.text(("plan", "language"), value).strip().lower()
        if text and text not in _LANGUAGES:
            self.fail(("plan", "language"), f"unknown language {value!r}", "write vi or en")
            return ""
        return text

    def read_report(self, value: Any) -> dict[str, Any]:
        """The ``report:`` block: texts, and lists of texts for ``signature``/``recipients``."""
        if value is None:
            return {}
        block = self.mapping(("report",), value, _REPORT_KEYS)
        if block is None:
            return {}
        out: dict[str, Any] = {}
        for key, item in block.items():
            if key in ("signature", "recipients"):
                items = item if isinstance(item, list) else [item]
                out[key] = [self.text(("report", key, n), v) for n, v in enumerate(items)]
            else:
                out[key] = self.text(("report", key), item)
        return out

    def file_path(self, path: tuple[Any, ...]) -> tuple[Any, ...]:
        """Map a path into the model (units and groups in one list) back into the file."""
        if len(path) >= 2 and path[0] == "units" and isinstance(path[1], int):
            return (*self.unit_paths[path[1]], *path[2:])
        if len(path) >= 2 and path[0] == "tasks" and isinstance(path[1], int):
            return ("tasks", self.task_paths[path[1]], *path[2:])
        return path

    def check_timezone(self, name: str) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(
                ("plan", "timezone"),
                f"unknown time zone {name!r}",
                "use an IANA name such as Asia/Ho_Chi_Minh",
            )

    def read_legal(self, value: Any) -> list[LegalBasis]:
        out = []
        for i, item in enumerate(self.sequence(("plan", "legal_bases"), value)):
            path = ("plan", "legal_bases", i)
            m = self.mapping(
                path, item, {"verb", "number", "date", "issuer", "title", "note"}, ("number",)
            )
            if m is None or m.get("number") is None:
                continue
            day = self.day((*path, "date"), m["date"]) if m.get("date") else None
            basis = self.attempt(
                path,
                partial(
                    LegalBasis,
                    number=self.text((*path, "number"), m.get("number")),
                    title=self.text((*path, "title"), m.get("title")),
                    issuer=self.text((*path, "issuer"), m.get("issuer")),
                    date=day,
                    verb=self.text((*path, "verb"), m.get("verb")),
                    note=self.text((*path, "note"), m.get("note")),
                ),
            )
            if basis is not None:
                out.append(basis)
        return out

    def read_calendar(self, cal: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "country" in cal:
            out["country"] = self.text(("calendar", "country"), cal["country"]).upper()
        if cal.get("shift") is not None:
            shift = self.choice(("calendar", "shift"), cal["shift"], Shift)
            if shift is not None:
                out["shift"] = shift
        if cal.get("reminder") is not None:
            reminder = self.attempt(
                ("calendar", "reminder"), lambda: forms.parse_offset(cal["reminder"])
            )
            if reminder is not None:
                out["reminder"] = reminder
        if cal.get("check_in") is not None:
            rule = self.rule(("calendar", "check_in"), cal["check_in"])
            if rule is not None:
                out["check_in"] = rule
        for key in ("days_off", "working_days"):
            notes = []
            for i, item in enumerate(self.sequence(("calendar", key), cal.get(key))):
                path = ("calendar", key, i)
                m = self.mapping(path, item, {"date", "reason", "source"}, ("date",))
                if m is None:
                    continue
                day = self.day((*path, "date"), m.get("date"))
                if day is not None:
                    notes.append(
                        (
                            day,
                            self.text((*path, "reason"), m.get("reason")),
                            self.text((*path, "source"), m.get("source")),
                        )
                    )
            out[key] = notes
        clash = {d for d, _, _ in out.get("days_off", [])} & {
            d for d, _, _ in out.get("working_days", [])
        }
        for day in sorted(clash):
            self.fail(
                ("calendar", "working_days"),
                f"{day} is listed both as a day off and as a working day",
                "keep it in one list only",
            )
        return out

    def rule(self, path: tuple[Any, ...], value: Any) -> str | None:
        if not isinstance(value, str):
            self.fail(
                path,
                f"expected a recurrence rule or shorthand, got {_kind(value)}",
                "write e.g. 'monthly', 'every 2 weeks' or 'FREQ=MONTHLY;BYMONTHDAY=15'",
            )
            return None
        return self.attempt(path, lambda: normalise_recurrence(value))

    def read_periods(self, value: Any) -> list[ReportingPeriod]:
        out = []
        for i, item in enumerate(self.sequence(("reporting_periods",), value)):
            path = ("reporting_periods", i)
            m = self.mapping(
                path,
                item,
                {"id", "name", "name_en", "start", "end"},
                ("id", "name", "start", "end"),
            )
            if m is None or any(m.get(k) is None for k in ("id", "name", "start", "end")):
                continue
            pid = self.ident((*path, "id"), m["id"])
            start, end = self.day((*path, "start"), m["start"]), self.day((*path, "end"), m["end"])
            if pid is None or start is None or end is None:
                continue
            period = self.attempt(
                (*path, "end"),
                partial(
                    ReportingPeriod,
                    pid,
                    self.text((*path, "name"), m["name"]),
                    start,
                    end,
                    self.text((*path, "name_en"), m.get("name_en")),
                ),
            )
            if period is not None:
                out.append(period)
        return out

    def read_units(self, top: dict[str, Any]) -> list[Unit]:
        raw: list[tuple[tuple[Any, ...], dict[str, Any], bool]] = []
        for key, is_group in (("units", False), ("groups", True)):
            for i, item in enumerate(self.sequence((key,), top.get(key))):
                allowed = _UNIT_KEYS | ({"members"} if is_group else set())
                m = self.mapping((key, i), item, allowed, ("id", "name"))
                if m is not None and m.get("id") is not None and m.get("name") is not None:
                    raw.append(((key, i), m, is_group))
                elif m is not None and m.get("id") is not None:
                    self.failed_ids.add(str(m["id"]))
        if not raw and "units" not in top:
            self.fail((), "missing required key 'units'", "list the units that lead or coordinate")
        # every id, name and alias names its unit, so tasks may use any of them
        for path, m, _ in raw:
            uid = self.ident((*path, "id"), m["id"])
            if uid is None:
                self.failed_ids.add(str(m["id"]))
                continue
            self.unit_ids.append(uid)
            spellings = [(("name",), m["name"])] + [
                (("aliases", j), a)
                for j, a in enumerate(self.sequence((*path, "aliases"), m.get("aliases")))
            ]
            for sub, spelling in spellings:
                if isinstance(spelling, bool) or not isinstance(spelling, str | int | float):
                    continue  # build_unit reports it
                norm = forms.normalise_name(str(spelling))
                other = self.names.get(norm)
                if other is not None and other != uid:
                    self.fail(
                        (*path, *sub),
                        f"name {spelling!r} already names unit {other!r}",
                        "each spelling may name only one unit",
                    )
                self.names[norm] = uid
        units: list[Unit] = []
        for path, m, is_group in raw:
            unit = self.build_unit(path, m, is_group)
            if unit is None:
                self.failed_ids.add(str(m["id"]))
            else:
                units.append(unit)
                self.unit_paths.append(path)
        return units

    def build_unit(self, path: tuple[Any, ...], m: dict[str, Any], is_group: bool) -> Unit | None:
        uid = m["id"] if isinstance(m["id"], str) else ""
        before = len(self.problems)
        aliases = [
            self.text((*path, "aliases", j), a)
            for j, a in enumerate(self.sequence((*path, "aliases"), m.get("aliases")))
        ]
        contacts = self.string_map((*path, "contacts"), m.get("contacts"))
        channels = self.channels((*path, "channels"), m.get("channels"))
        kwargs: dict[str, Any] = {
            "id": uid,
            "name": self.text((*path, "name"), m["name"]),
            "name_en": self.text((*path, "name_en"), m.get("name_en")),
            "aliases": aliases,
            "contacts": contacts,
            "channels": channels,
            "note": self.text((*path, "note"), m.get("note")),
        }
        if is_group:
            members = self.sequence((*path, "members"), m.get("members"), single_ok=True)
            kwargs["members"] = [
                self.unit_ref((*path, "members", j), v) or "" for j, v in enumerate(members)
            ]
        if len(self.problems) > before or str(m["id"]) in self.failed_ids:
            return None  # already reported
        if is_group:
            return self.attempt(path, lambda: Group(**kwargs))
        return self.attempt(path, lambda: Unit(**kwargs))

    def unit_ref(self, path: tuple[Any, ...], value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"expected a unit id or name, got {_kind(value)}")
            return None
        if value in self.unit_ids:
            return value
        if value in self.failed_ids:
            return None  # its own problem is reported where it is defined
        found = self.names.get(forms.normalise_name(value))
        if found is not None:
            return found
        self.fail(
            path,
            f"unknown unit {value!r}",
            suggest(value, self.unit_ids)
            or "list it under units: or groups:, or use the id "
            "or one of the aliases of a listed unit",
        )
        return None

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
