"""The one way planflow writes a table to an xlsx sheet (reports and the agenda).

Every sheet gets bold header cells, real dates shown ``dd/mm/yyyy``, column widths,
wrapped cells, a frozen header, the header repeated on each printed page, a print
area and an A4 landscape page fitted to the width.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from planflow.i18n import _
from planflow.plan.errors import PlanError

__all__ = ["new_workbook", "sheet_title", "write_table"]

DATE_FORMAT = "dd/mm/yyyy"
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def new_workbook() -> Any:
    """An empty openpyxl workbook; a located error when the ``report`` extra is missing."""
    try:
        from openpyxl import Workbook
    except ImportError:
        raise PlanError(
            _("the xlsx form needs openpyxl"), hint=_("pip install 'planflow[report]'")
        ) from None
    return Workbook()


def sheet_title(text: str, taken: set[str]) -> str:
    """A sheet title Excel accepts: at most 31 characters, none of ``[]:*?/\\``, unique."""
    base = _BAD_TITLE.sub("-", text)[:31] or "sheet"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def write_table(
    ws: Any,
    header: list[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[int],
    *,
    date_columns: Sequence[int] = (),
    title: str = "",
    subtitle: str = "",
) -> None:
    """Write ``header`` and ``rows`` to ``ws``, under a title and subtitle when given.

    :param widths: the width of each column, in characters.
    :param date_columns: the 1-based columns holding dates.
    """
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    if title:
        ws.append([title])
        ws.append([subtitle])
        ws["A1"].font = Font(bold=True, size=13)
        ws["A2"].font = Font(italic=True)
    ws.append(header)
    head = ws.max_row
    thin = Side(style="thin")
    for cell in ws[head]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for row in rows:
        ws.append(list(row))
    for column in date_columns:
        for (cell,) in ws.iter_rows(min_row=head + 1, min_col=column, max_col=column):
            cell.number_format = DATE_FORMAT
    for n, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    for row in ws.iter_rows(min_row=head + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = f"A{head + 1}"
    ws.print_title_rows = f"{head}:{head}"
    ws.print_area = f"A1:{get_column_letter(len(header))}{max(ws.max_row, head)}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
