"""Reads a plan document (plain values with positions) into a :class:`~planflow.plan.model.Plan`.

The units are read by :class:`~planflow.plan._read_units.UnitReader`, the tasks by
:class:`~planflow.plan._read_tasks.TaskReader`; this module reads the rest (metadata,
calendar, legal bases, reporting periods) and checks the plan as a whole.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import partial
from typing import Any

from planflow.i18n import _, format_date
from planflow.plan import forms
from planflow.plan._read_checks import CheckReader
from planflow.plan.errors import Severity
from planflow.plan.limits import MAX_YEAR, unknown_country
from planflow.plan.model import (
    LegalBasis,
    Plan,
    ReportingPeriod,
    Shift,
    plan_problems,
    unchecked,
)

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
    "defaults",
    "sections",
    "indicators",
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
    "effective",
    "number",
    "signed_by",
    "notes",
    "legal_bases",
    "language",
}
_CALENDAR_KEYS = {"country", "shift", "reminder", "check_in", "days_off", "working_days"}


class PlanReader(CheckReader):
    """Reads a whole plan document: metadata, calendar, units and groups, tasks."""

    def read(self) -> Plan | None:
        top = self.mapping((), self.doc.data, _TOP_KEYS, ("plan", "tasks"))
        if top is None:
            if self.doc.data is None:
                self.problems.clear()
                self.fail(
                    (),
                    _("the plan file is empty"),
                    _("start from the example in docs/plan-format.md"),
                )
            return None
        version = top.get("planflow", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            self.fail(
                ("planflow",),
                _("unknown format version {version!r}").format(version=version),
                _("this planflow reads format {version}").format(version=FORMAT_VERSION),
            )
        meta = self.mapping(
            ("plan",), top.get("plan"), _PLAN_KEYS, ("id", "title", "issuer", "year")
        )
        meta = meta or {}
        year = meta.get("year")
        if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= MAX_YEAR:
            if year is not None:
                self.fail(
                    ("plan", "year"),
                    _("expected a year such as 2025, got {year!r}").format(year=year),
                    _(
                        "plan years run from 1900 to {last} (the timeline needs the next year)"
                    ).format(last=MAX_YEAR)
                    if isinstance(year, int)
                    else None,
                )
            year = date.today().year if year is None else 2000
            self.year_unknown = True
        calendar = self.mapping(("calendar",), top.get("calendar") or {}, _CALENDAR_KEYS) or {}
        units = self.read_units(top)
        periods = self.read_periods(top.get("reporting_periods"))
        self.read_defaults(top.get("defaults"))
        tasks = self.read_tasks(top.get("tasks"), year, calendar)
        sections = self.read_sections(top.get("sections"))
        indicators = self.read_indicators(top.get("indicators"), year, periods)
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
            "sections": sections,
            "indicators": indicators,
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
                effective=(
                    self.day(("plan", "effective"), meta["effective"])
                    if meta.get("effective")
                    else None
                ),
                number=self.number(meta.get("number")),
                signed_by=self.text(("plan", "signed_by"), meta.get("signed_by")),
                notes=self.text(("plan", "notes"), meta.get("notes")),
                language=self.read_language(meta.get("language")),
                **parts,
                **defaults,
            )
        # cross-checks run even when some entries failed, so every problem shows at once;
        # references to entries that failed to load are not reported a second time
        for problem in plan_problems(plan):
            if problem.unknown is not None and problem.unknown in self.failed_ids:
                continue
            if self.year_unknown and problem.outside_year:
                continue

            self.fail(self.file_path(problem.path), problem.message, problem.hint)
        if any(p.severity is Severity.ERROR for p in self.problems):
            return None
        self.check_start(plan)
        self.check_check_ins(plan)
        return plan

    def number(self, value: Any) -> str:
        """The plan's document number, kept exactly as printed (only NFC-normalised)."""
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(
                ("plan", "number"),
                _("expected the document number as text, got {value!r}").format(value=value),
                _('quote it exactly as printed, e.g. number: "132/KH-UBND"'),
            )
            return ""
        return unicodedata.normalize("NFC", value)

    def read_language(self, value: Any) -> str:
        """``plan.language``: ``vi`` or ``en`` (empty when not given)."""
        text = self.text(("plan", "language"), value).strip().lower()
        if text and text not in _LANGUAGES:
            self.fail(
                ("plan", "language"),
                _("unknown language {value!r}").format(value=value),
                _("write vi or en"),
            )
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
        if len(path) >= 2 and path[0] == "indicators" and isinstance(path[1], int):
            return ("indicators", self.indicator_paths[path[1]], *path[2:])
        return path

    def check_timezone(self, name: str) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(
                ("plan", "timezone"),
                _("unknown time zone {name!r}").format(name=name),
                _("use an IANA name such as Asia/Ho_Chi_Minh"),
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
            unknown = unknown_country(out["country"])
            if unknown is not None:
                self.fail(("calendar", "country"), unknown.message, unknown.hint)
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
                m = self.mapping(path, item, {"date", "reason", "source"}, ("date", "reason"))
                if m is None:
                    continue
                day = self.day((*path, "date"), m.get("date"))
                reason = self.text((*path, "reason"), m.get("reason"))
                if m.get("reason") is not None and not reason.strip():
                    self.fail((*path, "reason"), _("the reason is empty"),
                              _('say why, e.g. "Nghỉ bù Tết Nguyên đán"'))  # fmt: skip
                if day is not None:  # (a missing reason is an error: the plan does not load)
                    notes.append((day, reason, self.text((*path, "source"), m.get("source"))))
            out[key] = notes
        clash = {d for d, _, _ in out.get("days_off", [])} & {
            d for d, _, _ in out.get("working_days", [])
        }
        for day in sorted(clash):
            self.fail(
                ("calendar", "working_days"),
                _("{day} is listed both as a day off and as a working day").format(
                    day=format_date(day)
                ),
                _("keep it in one list only"),
            )
        return out

    def read_periods(self, value: Any) -> list[ReportingPeriod]:
        out = []
        for i, item in enumerate(self.sequence(("reporting_periods",), value)):
            path = ("reporting_periods", i)
            m = self.mapping(
                path,
                item,
                {"id", "name", "name_en", "start", "end", "due"},
                ("id", "name", "start", "end"),
            )
            if m is None or any(m.get(k) is None for k in ("id", "name", "start", "end")):
                continue
            pid = self.ident((*path, "id"), m["id"])
            start, end = self.day((*path, "start"), m["start"]), self.day((*path, "end"), m["end"])
            if pid is None or start is None or end is None:
                continue
            due = self.day((*path, "due"), m["due"]) if m.get("due") is not None else None
            period = self.attempt(
                (*path, "end"),
                partial(
                    ReportingPeriod,
                    pid,
                    self.text((*path, "name"), m["name"]),
                    start,
                    end,
                    self.text((*path, "name_en"), m.get("name_en")),
                    due,
                ),
            )
            if period is not None:
                out.append(period)
        return out
