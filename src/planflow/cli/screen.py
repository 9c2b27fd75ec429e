"""Tables that fit the terminal: columns sized to their content, titles shortened.

A screen table never draws wider than the console. Each column says how much it
matters: when the columns do not fit, the least important ones are left out (the
``--json`` output keeps everything); the one flexible column (a task's title) takes
what the others leave and is shortened with "…".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
from rich.cells import cell_len

__all__ = ["Column", "fit_columns", "fit_table", "time_in_title"]

_FLEX_MIN = 20  # a title shorter than this says little


@attrs.frozen
class Column:
    """One column of a screen table.

    :param header: the heading, in the language in use.
    :param rank: how much the column matters: the lowest gives way first.
    :param flexible: takes the width the other columns leave (one per table).
    :param cap: the widest the column may be (its cells are shortened past it).
    :param keep: never left out (a due date).
    :param floor: kept, but may be shortened (with "…") down to this width.
    """

    header: str
    rank: int
    flexible: bool = False
    cap: int = 40
    keep: bool = False
    floor: int | None = None


def _natural(column: Column, cells: Sequence[str]) -> int:
    width = max([cell_len(column.header), *(cell_len(c) for c in cells)])
    return max(width, _FLEX_MIN) if column.flexible else min(width, column.cap)


def fit_columns(
    width: int, columns: Sequence[Column], rows: Sequence[Sequence[str]]
) -> list[tuple[int, int]]:
    """Which columns a table of ``rows`` shows in ``width`` characters, and how wide.

    Columns whose cells are all empty are left out. While the table is too wide, the
    columns give way from the least important: one with a ``floor`` is shortened
    down to it, one to ``keep`` stays whole, any other is left out. The flexible
    column gets the rest: at least 20 characters, unless the terminal is tiny.

    :returns: ``(column index, width)`` of each column shown, in order.
    """
    keep = [n for n, c in enumerate(columns) if c.flexible or any(r[n] for r in rows)]
    size = {n: _natural(columns[n], [r[n] for r in rows]) for n in keep}

    def needed() -> int:
        fixed = sum(size[n] for n in keep if not columns[n].flexible)
        flexible = sum(_FLEX_MIN for n in keep if columns[n].flexible)
        return fixed + flexible + 3 * len(keep) + 1  # padding and borders: 3 a column, 1

    for n in sorted((n for n in keep if not columns[n].flexible), key=lambda n: columns[n].rank):
        excess = needed() - width
        if excess <= 0:
            break
        column = columns[n]
        if column.floor is not None:
            size[n] = max(column.floor, size[n] - excess)
        elif not column.keep:
            keep.remove(n)
    spare = width - needed()
    for n in keep:
        if columns[n].flexible:  # what the others leave (less only on a tiny screen)
            size[n] = max(1, min(size[n], _FLEX_MIN + spare))
    return [(n, size[n]) for n in keep]


def time_in_title(
    layout: Sequence[tuple[int, int]], rows: list[list[str]], time: int, title: int
) -> None:
    """When the meeting-time column gave way, put its start (``08:00``) before the title."""
    if any(n == time for n, _size in layout):
        return
    for row in rows:
        if row[time]:
            row[title] = f"{row[time].split('–')[0]} {row[title]}"


def fit_table(
    layout: Sequence[tuple[int, int]],
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    **table: Any,
) -> Any:
    """A rich ``Table`` of ``rows`` laid out as :func:`fit_columns` decided.

    :param table: passed to ``rich.table.Table`` (``title=…``).
    """
    from rich.table import Table

    out = Table(**table)
    for n, size in layout:
        out.add_column(columns[n].header, width=size, no_wrap=True, overflow="ellipsis")
    for row in rows:
        out.add_row(*(row[n] for n, _size in layout))
    return out
