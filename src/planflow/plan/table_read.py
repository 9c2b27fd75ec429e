"""Reading the task table an office keeps (xlsx or csv) into header-labelled rows.

Headers are found wherever they are in the first rows (a title above them is
common), in any order, in Vietnamese or English, with or without accents; a
header split over two rows by merged cells (``Cơ quan thực hiện`` over ``Chủ trì``
and ``Phối hợp``) is read as one. Every cell keeps its row and column so that
messages point at it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs

from planflow.i18n import _
from planflow.plan.errors import PlanFileError, Problem

__all__ = ["FIELD_NAMES", "HEADERS", "Cell", "Table", "column_letter", "plain", "read_table"]

#: what each field's header looks like (accents removed, lower case, whole words);
#: checked in this order, so "cơ quan phối hợp" is not taken for a lead
HEADERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "coordinators",
        ("phoi hop", "coordinator", "coordinators", "coordinating", "supporting", "support"),
    ),
    ("lead", ("chu tri", "lead", "responsible", "owner", "in charge")),
    ("window", ("thoi gian", "thoi han", "window", "time", "deadline", "when", "period")),
    ("recurrence", ("tan suat", "dinh ky", "frequency", "recurrence", "how often")),
    ("notes", ("ghi chu", "note", "notes", "remarks")),
    ("ref", ("muc", "ref", "clause")),
    ("number", ("stt", "so tt", "no", "no.", "#")),
    ("id", ("ma", "ma nhiem vu", "id")),
    ("title", ("noi dung", "nhiem vu", "cong viec", "task", "title", "content", "activity")),
)
#: how messages name each field (the usual Vietnamese header, then the English)
FIELD_NAMES = {
    "title": "Nội dung (title)",
    "lead": "Cơ quan chủ trì (lead)",
    "coordinators": "Cơ quan phối hợp (coordinators)",
    "window": "Thời gian thực hiện (window)",
    "recurrence": "Tần suất (recurrence)",
    "notes": "Ghi chú (notes)",
    "ref": "Mục (ref)",
    "number": "STT",
    "id": "Mã (id)",
}
_REQUIRED = ("title", "lead", "window")
_HEADER_ROWS = 12  # headers are looked for in the first rows only


def plain(text: str) -> str:
    """Lower case, no accents, one space: how headers and fallback unit names compare."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", re.sub(r"[^\w#.]+", " ", text)).strip()


def column_letter(index: int) -> str:
    """1 → A, 27 → AA (as spreadsheets name columns)."""
    out = ""
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


@attrs.frozen
class Cell:
    """A cell's value with its 1-based row and column."""

    value: Any
    row: int
    column: int

    @property
    def name(self) -> str:
        return f"{column_letter(self.column)}{self.row}"

    @property
    def text(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, datetime):
            return self.value.date().isoformat()
        if isinstance(self.value, date):
            return self.value.isoformat()
        if isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value))
        return unicodedata.normalize("NFC", str(self.value)).strip()


@attrs.frozen
class Table:
    """The data rows of a task table, each a mapping field → cell, and the sheet of units."""

    file: str
    rows: tuple[dict[str, Cell], ...]
    header_row: int
    units: tuple[dict[str, str], ...] = ()
    #: headers of the columns planflow does not use (as "E: Kinh phí")
    ignored: tuple[str, ...] = ()


def _field(header: str) -> str | None:
    words = f" {plain(header)} "
    for field, keys in HEADERS:
        if any(f" {key} " in words for key in keys):
            return field
    return None


def _find_header(grid: Sequence[Sequence[Any]]) -> int | None:
    for r, row in enumerate(grid[:_HEADER_ROWS]):
        found = {_field(str(v)) for v in row if v is not None and str(v).strip()}
        if "title" in found and len(found - {None}) >= 2:
            return r
    return None


def _columns(grid: Sequence[Sequence[Any]], r: int) -> tuple[dict[int, str], int]:
    """Field of each column from header row ``r`` (and a sub-header row under it)."""
    head = grid[r]
    below = grid[r + 1] if r + 1 < len(grid) else []
    sub = [_field(str(v)) if v is not None else None for v in below]

    # a sub-header row (Chủ trì | Phối hợp under a merged "Cơ quan thực hiện") names
    # fields only under headers merged across columns, or merged down into it
    def merged_above(c: int) -> bool:
        here = head[c] if c < len(head) else None
        beside = [head[i] for i in (c - 1, c + 1) if 0 <= i < len(head)]
        return here is None or here in beside or (c < len(below) and below[c] == here)

    is_sub = (
        any(sub)
        and all(len(str(v)) <= 40 for v in below if v is not None)
        and all(merged_above(c) for c, field in enumerate(sub) if field)
    )
    fields: dict[int, str] = {}
    for c, value in enumerate(head):
        text = str(value) if value is not None else ""
        specific = sub[c] if is_sub and c < len(sub) else None
        field = specific or _field(text)
        if field and field not in fields.values():
            fields[c] = field
    return fields, r + (2 if is_sub else 1)


def _grid_xlsx(path: Path) -> tuple[list[list[Any]], list[list[Any]] | None, str]:
    from openpyxl import load_workbook

    book = load_workbook(path, data_only=True)
    units = None
    sheets = list(book.worksheets)
    for sheet in sheets:
        if plain(sheet.title) in ("don vi", "units"):
            units = [list(row) for row in sheet.iter_rows(values_only=True)]
    tasks = next((s for s in sheets if plain(s.title) not in ("don vi", "units")), sheets[0])
    # a merged cell holds its value only in its top-left cell: copy it over the range
    values = [list(row) for row in tasks.iter_rows(values_only=True)]
    for merged in tasks.merged_cells.ranges:
        top = values[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                values[r - 1][c - 1] = top
    return values, units, tasks.title


def _grid_csv(path: Path) -> list[list[Any]]:
    text = path.read_bytes().decode("utf-8-sig")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def read_table(path: str | Path) -> Table:
    """The rows of the task table in ``path`` (.xlsx or .csv); :class:`PlanFileError` if the
    file cannot be read or has no recognisable header."""
    file = Path(path)
    name = str(path)
    units_grid = None
    try:
        if file.suffix.lower() in (".xlsx", ".xlsm"):
            grid, units_grid, _sheet = _grid_xlsx(file)
        elif file.suffix.lower() in (".csv", ".txt"):
            grid = _grid_csv(file)
        else:
            raise PlanFileError(
                [
                    Problem(
                        _("unknown table type {suffix!r}").format(suffix=file.suffix),
                        name,
                        hint=_("give a .xlsx or .csv"),
                    )
                ]
            )
    except FileNotFoundError:
        raise PlanFileError([Problem(_("no such file"), name)]) from None
    except UnicodeDecodeError:
        raise PlanFileError(
            [Problem(_("the file is not UTF-8"), name, hint=_("save the CSV as UTF-8"))]
        ) from None
    except (OSError, ValueError, KeyError) as exc:  # not a workbook, a damaged one
        raise PlanFileError(
            [Problem(_("cannot read the table: {why}").format(why=exc), name)]
        ) from None
    r = _find_header(grid)
    if r is None:
        raise PlanFileError(
            [
                Problem(
                    _("no header row with a Nội dung (title) column"),
                    name,
                    hint=_(
                        "the table needs headers such as Nội dung, Cơ quan chủ trì, "
                        "Thời gian thực hiện in one of its first rows"
                    ),
                )
            ]
        )
    fields, first = _columns(grid, r)
    missing = [f for f in _REQUIRED if f not in fields.values()]
    if missing:
        raise PlanFileError(
            [
                Problem(
                    _("no column for {column}").format(column=FIELD_NAMES[field]),
                    name,
                    r + 1,
                    1,
                    hint=_("name the column's header, e.g. {header}").format(
                        header={"lead": "Cơ quan chủ trì", "window": "Thời gian thực hiện"}.get(
                            field, "Nội dung"
                        )
                    ),
                )
                for field in missing
            ]
        )
    rows = []
    for i in range(first, len(grid)):
        row = grid[i]
        cells = {
            field: Cell(row[c] if c < len(row) else None, i + 1, c + 1)
            for c, field in fields.items()
        }
        rows.append(cells)
    ignored = tuple(
        f"{column_letter(c + 1)}: {str(v).strip()}"
        for c, v in enumerate(grid[r])
        if c not in fields and v is not None and str(v).strip()
    )
    units = _units(units_grid) if units_grid else ()
    return Table(name, tuple(rows), r + 1, units, ignored)


def _units(grid: list[list[Any]]) -> tuple[dict[str, str], ...]:
    """The ``Đơn vị`` sheet export-table writes: Mã, Tên, Tên khác, Thành viên."""
    if not grid:
        return ()
    heads = [plain(str(v or "")) for v in grid[0]]
    keys = {"ma": "id", "id": "id", "ten": "name", "name": "name", "ten khac": "aliases",
            "aliases": "aliases", "thanh vien": "members", "members": "members",
            "ten tieng anh": "name_en", "name en": "name_en"}  # fmt: skip
    out = []
    for row in grid[1:]:
        entry = {
            keys[h]: str(v).strip()
            for h, v in zip(heads, row, strict=False)
            if h in keys and v is not None and str(v).strip()
        }
        if entry.get("id") and entry.get("name"):
            out.append(entry)
    return tuple(out)
