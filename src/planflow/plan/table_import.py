"""A task table (see :mod:`planflow.plan.table_read`) → the text of a plan file.

Each row becomes a task. Units are recognised across spellings (id, name, alias,
``hoá``/``hóa``, with or without accents); a cell naming several coordinators may
separate them with commas, semicolons or line breaks, even when a name itself
contains a comma. The usual ways a table writes a time (``Tháng 3/2025``,
``Quý III năm 2025``, ``15/3/2025``, ``Trước 30/6/2025``) are turned into the plan's
window forms, keeping the table's words under ``source:``. Every row that cannot
be understood is reported, each problem at its cell (row and column).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs
import yaml

from planflow.i18n import _
from planflow.plan import forms
from planflow.plan.errors import PlanError, Problem
from planflow.plan.rules.text import normalise_recurrence
from planflow.plan.starter import SCHEMA_FILE, slug
from planflow.plan.table_read import FIELD_NAMES, Cell, Table, plain

__all__ = ["Imported", "UnitNames", "plan_text", "rows_to_tasks", "window_text"]


class UnitNames:
    """Finds a unit's id from any of its spellings."""

    def __init__(self, units: Iterable[dict[str, Any]]) -> None:
        self.exact: dict[str, str] = {}
        self.loose: dict[str, str] = {}
        for unit in units:
            for spelling in (unit["id"], unit["name"], *unit.get("aliases", ())):
                self.exact.setdefault(forms.normalise_name(str(spelling)), unit["id"])
                self.loose.setdefault(plain(str(spelling)), unit["id"])

    def find(self, text: str) -> str | None:
        text = text.strip().strip("-•").strip()
        return self.exact.get(forms.normalise_name(text)) or self.loose.get(plain(text))

    def suggestion(self, text: str) -> str | None:
        close = difflib.get_close_matches(plain(text), list(self.loose), n=1, cutoff=0.6)
        return _("did you mean {name!r}?").format(name=self.loose[close[0]]) if close else None

    def split(self, text: str) -> tuple[list[str], list[str]]:
        """Unit ids named in a cell, and the parts naming no unit."""
        parts = [p for p in re.split(r"[,;\n]", text) if p.strip()]
        found, unknown, i = [], [], 0
        while i < len(parts):
            for j in range(len(parts), i, -1):  # longest first: names may hold commas
                uid = self.find(",".join(parts[i:j]))
                if uid is not None:
                    found.append(uid)
                    i = j
                    break
            else:
                unknown.append(parts[i].strip())
                i += 1
        return found, unknown


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_DMY = r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})"


def _fold(text: str) -> str:
    """Lower case without accents, punctuation kept: how written times are matched."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return re.sub(r"\s+", " ", "".join(c for c in text if not unicodedata.combining(c))).lower()


def _day(d: str, m: str, y: str) -> date:
    return date(int(y), int(m), int(d))


def window_text(cell: Cell, year: int) -> str | int:
    """The plan's window form for how a table writes a time; raises PlanError if unknown."""
    try:
        candidates = _window_candidates(cell, year)
    except ValueError as exc:  # 30/2/2025
        raise PlanError(
            _("{text!r} is not a date: {why}").format(text=cell.text, why=exc)
        ) from None
    for candidate in candidates:
        try:
            forms.parse_window(candidate, year)
        except (PlanError, ValueError):
            continue
        return candidate
    raise PlanError(
        _("cannot read {text!r} as a time").format(text=cell.text),
        hint=_(
            "write e.g. Năm 2025, Quý III/2025, Tháng 3/2025, 15/3/2025, Trước 30/6/2025 "
            "or Thường xuyên"
        ),
    )


def _window_candidates(cell: Cell, year: int) -> list[str | int]:
    """The plan forms a table's time may mean, most specific first (the text itself last)."""
    value = cell.value
    if isinstance(value, date):  # a date cell (datetime is a date too)
        day = value if type(value) is date else value.date()  # type: ignore[attr-defined]
        return [f"{day.isoformat()}..{day.isoformat()}"]
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = cell.text
    text = cell.text
    low = _fold(text)
    candidates: list[str | int] = []
    if re.fullmatch(r"\d{4}", text):
        candidates.append(int(text))
    if m := re.fullmatch(r"thang (\d{1,2})\s*(?:/|nam)\s*(\d{4})", low):
        candidates.append(f"{int(m.group(1)):02d}/{m.group(2)}")
    if m := re.fullmatch(r"quy (iv|i{1,3}|[1-4])\s*(?:/|nam)\s*(\d{4})", low):
        quarter = _ROMAN.get(m.group(1).upper()) or int(m.group(1))
        candidates.append(f"Q{quarter}/{m.group(2)}")
    if m := re.fullmatch(r"6 thang (dau|cuoi) nam(?:\s*/?\s*(\d{4}))?", low):
        candidates.append(f"H{1 if m.group(1) == 'dau' else 2}/{m.group(2) or year}")
    if m := re.fullmatch(rf"(?:ngay )?{_DMY}", low):
        day = _day(*m.groups()).isoformat()
        candidates.append(f"{day}..{day}")
    if m := re.fullmatch(rf"(?:truoc|han|han chot|cham nhat)(?: ngay)? {_DMY}", low):
        candidates.append(f"{date(int(m.group(3)), 1, 1)}..{_day(*m.groups())}")
    if m := re.fullmatch(rf"tu(?: ngay)? {_DMY} den(?: ngay)? {_DMY}", low):
        g = m.groups()
        candidates.append(f"{_day(*g[:3])}..{_day(*g[3:])}")
    candidates.append(text)
    return candidates


@attrs.define
class Imported:
    """The tasks read from a table and the problems of the rows that could not be read."""

    tasks: list[dict[str, Any]] = attrs.field(factory=list)
    rows: list[int] = attrs.field(factory=list)  # the table row of each task
    problems: list[Problem] = attrs.field(factory=list)


def _problem(table: Table, cell: Cell, field: str, message: str, hint: str | None) -> Problem:
    return Problem(
        message, table.file, cell.row, cell.column, f"{cell.name} {FIELD_NAMES[field]}", hint
    )


def rows_to_tasks(table: Table, units: UnitNames, year: int) -> Imported:
    """Every row of ``table`` as a task mapping (in the plan file's form)."""
    out = Imported()
    taken: set[str] = set()
    section = ""
    for row in table.rows:
        texts = {field: cell.text for field, cell in row.items()}
        if not any(texts.values()):
            continue  # a blank row
        if texts.get("title") and not texts.get("lead") and not texts.get("window"):
            section = texts["title"]  # a heading row such as "I. CÔNG TÁC TUYÊN TRUYỀN"
            continue
        before = len(out.problems)
        task: dict[str, Any] = {}

        def bad(field: str, message: str, hint: str | None = None, *, _row: Any = row) -> None:
            out.problems.append(_problem(table, _row[field], field, message, hint))

        for field in ("title", "lead", "window"):
            if not texts.get(field):
                bad(field, _("the {column} cell is empty").format(column=FIELD_NAMES[field]))
        uid = texts.get("id") or slug(texts.get("title", ""))[:40].strip("-") or "nhiem-vu"
        base, n = uid, 2
        while uid in taken:
            uid, n = f"{base}-{n}", n + 1
        taken.add(uid)
        task["id"] = uid
        ref = texts.get("ref") or texts.get("number")  # without a Mục column, STT is the ref
        if ref:
            task["ref"] = ref
        task["title"] = texts.get("title", "")
        if texts.get("lead"):
            lead = units.find(texts["lead"])
            if lead is None:
                bad(
                    "lead",
                    _("unknown unit {name!r}").format(name=texts["lead"]),
                    units.suggestion(texts["lead"])
                    or _(
                        "add it to the units (the Đơn vị sheet or --units), or write a listed name"
                    ),
                )
            task["lead"] = lead
        if texts.get("coordinators"):
            found, unknown = units.split(texts["coordinators"])
            for name in unknown:
                bad(
                    "coordinators",
                    _("unknown unit {name!r}").format(name=name),
                    units.suggestion(name),
                )
            if found:
                task["coordinators"] = found
        source: dict[str, str] = {}
        if texts.get("window"):
            try:
                window = window_text(row["window"], year)
            except PlanError as exc:
                bad("window", exc.message, exc.hint)
            else:
                task["window"] = window
                if str(window) != texts["window"]:
                    source["window"] = texts["window"]
        if texts.get("recurrence") and plain(texts["recurrence"]) not in (
            "",
            "1 lan",
            "mot lan",
            "once",
        ):
            try:
                normalise_recurrence(texts["recurrence"])
            except PlanError as exc:
                bad("recurrence", exc.message, exc.hint)
            else:
                task["recurrence"] = texts["recurrence"]
        if texts.get("notes"):
            task["notes"] = texts["notes"]
        if section:
            source["section"] = section
        if source:
            task["source"] = source
        if len(out.problems) == before:
            out.tasks.append(task)
            out.rows.append(next(iter(row.values())).row)
    out.problems.sort(key=lambda p: (p.line, p.column))
    return out


def plan_text(
    tasks: list[dict[str, Any]],
    units: list[dict[str, Any]],
    *,
    commune: str,
    year: int,
    table: str,
) -> str:
    """The plan file: a schema line, a comment naming the table, then plain YAML."""
    data = {
        "planflow": 1,
        "plan": {
            "id": f"{slug(commune)}-{year}",
            "title": f"Kế hoạch năm {year} của xã {commune}",
            "issuer": f"Ủy ban nhân dân xã {commune}",
            "year": year,
        },
        "calendar": {"country": "VN", "shift": "previous"},
        "units": [u for u in units if not u.get("members")],
        "groups": [u for u in units if u.get("members")],
        "tasks": tasks,
    }
    if not data["groups"]:
        del data["groups"]
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return (
        f"# yaml-language-server: $schema={SCHEMA_FILE}\n"
        f"# Tạo từ bảng {table} bằng planflow import; sửa tiếp rồi chạy planflow validate.\n"
        f"# (Made from the table {table} by planflow import.)\n\n" + body
    )
