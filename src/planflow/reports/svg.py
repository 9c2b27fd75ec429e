"""The report's pictures as SVG: Gantt chart per unit, weekly workload heatmap, progress bars.

Plain SVG text, no script and no external reference, so that a page holding it
works offline and prints as it shows. Every drawn thing carries a class (``occ``,
``window``, ``dep``, ``cell`` …) and a ``<title>`` that says what it is, which
screen readers, tooltips and tests read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from html import escape

from planflow.i18n import _, format_date
from planflow.reports.data import Item, ReportData
from planflow.reports.labels import state_name, task_title, unit_name

__all__ = ["STATE_COLOURS", "gantt_svg", "heatmap_svg", "progress_svg", "units_in"]

#: Fill colour of an occurrence by its state (done green, late orange, missed red …).
STATE_COLOURS = {
    "done": "#2e7d32",
    "late": "#ef6c00",
    "missed": "#c62828",
    "overdue": "#ad1457",
    "due": "#ad1457",
    "blocked": "#6d4c41",
    "open": "#1565c0",
    "scheduled": "#9e9e9e",
}

_LABEL_W, _CHART_W, _ROW_H, _TOP = 300, 680, 20, 34
_FONT = "font-family=\"'Liberation Sans','DejaVu Sans',Arial,sans-serif\""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def units_in(data: ReportData) -> list[str]:
    """The units with work in the report, in the plan's order."""
    busy = {i.unit for i in data.items} | {c for i in data.items for c in i.coordinators}
    return [u.id for u in data.plan.units if u.id in busy]


def _x(day: date, year: int) -> float:
    start = date(year, 1, 1)
    days = (date(year, 12, 31) - start).days + 1
    offset = min(max((day - start).days, 0), days)
    return round(_LABEL_W + _CHART_W * offset / days, 1)


def _rows_of(data: ReportData, unit: str) -> list[tuple[str, list[Item]]]:
    """The unit's rows: one per task it leads (its own duty) or coordinates."""
    rows: dict[str, list[Item]] = {}
    for item in data.items:
        if item.unit == unit or unit in item.coordinators:
            rows.setdefault(item.task, []).append(item)
    return list(rows.items())


def _month_grid(year: int, height: int) -> list[str]:
    out = []
    for month in range(1, 13):
        x = _x(date(year, month, 1), year)
        out.append(f'<line class="month" x1="{x}" y1="{_TOP - 14}" x2="{x}" y2="{height}"/>')
        label = _("M{month}").format(month=month)
        out.append(f'<text class="month-label" x="{x + 3}" y="{_TOP - 4}">{_e(label)}</text>')
    return out


def gantt_svg(data: ReportData, *, units: Sequence[str] | None = None) -> str:
    """A Gantt chart of the year per unit, one ``<g class="gantt">`` per unit.

    Each row is a task the unit leads or coordinates: its window as a pale bar,
    each occurrence as a mark at its due date coloured by state, arrows from what
    an occurrence waits for; the period is shaded and a line marks the report's day.
    """
    year = data.plan.year
    parts: list[str] = []
    y = 0
    for unit in units or units_in(data):
        rows = _rows_of(data, unit)
        if not rows:
            continue
        height = _TOP + _ROW_H * len(rows) + 6
        g = [
            f'<g class="gantt" data-unit="{_e(unit)}" transform="translate(0,{y})">',
            f'<text class="unit-title" x="4" y="16" font-weight="bold">'
            f"{_e(unit_name(data, unit))}</text>",
            f'<rect class="period" x="{_x(data.period.start, year)}" y="{_TOP - 14}" '
            f'width="{_x(data.period.end + timedelta(days=1), year) - _x(data.period.start, year)}"'
            f' height="{height - _TOP + 14}" fill="#e3f2fd"/>',
            *_month_grid(year, height),
        ]
        marks: dict[str, tuple[float, float]] = {}
        for n, (task_id, items) in enumerate(rows):
            top = _TOP + n * _ROW_H
            task = data.plan.task(task_id)
            title = f"{task.ref} {task_title(data, task_id)}".strip()
            g.append(
                f'<text class="row-label" x="4" y="{top + 14}"><title>{_e(title)}</title>'
                f"{_e(_short(title, 46))}</text>"
            )
            x0, x1 = _x(task.window.start, year), _x(task.window.end + timedelta(days=1), year)
            g.append(
                f'<rect class="window" data-task="{_e(task_id)}" x="{x0}" y="{top + 4}" '
                f'width="{max(x1 - x0, 2)}" height="{_ROW_H - 8}" fill="#cfd8dc" rx="2">'
                f"<title>{_e(task.window.label or title)}</title></rect>"
            )
            for item in items:
                x = _x(item.due, year)
                marks[item.key] = (x, top + _ROW_H / 2)
                tip = f"{item.key} · {format_date(item.due)} · {state_name(item.state)}"
                g.append(
                    f'<rect class="occ state-{item.state}" data-key="{_e(item.key)}" '
                    f'x="{x - 3}" y="{top + 3}" width="6" height="{_ROW_H - 6}" '
                    f'fill="{STATE_COLOURS.get(item.state, "#9e9e9e")}"><title>{_e(tip)}</title>'
                    f"</rect>"
                )
        for item in (i for _task, items in rows for i in items):
            for before in item.waits_for:
                if before in marks and item.key in marks:
                    (xa, ya), (xb, yb) = marks[before], marks[item.key]
                    g.append(
                        f'<path class="dep" data-from="{_e(before)}" data-to="{_e(item.key)}" '
                        f'd="M{xa},{ya} C{xa + 12},{ya} {xb - 12},{yb} {xb - 3},{yb}" '
                        f'fill="none" stroke="#455a64" stroke-width="0.8" '
                        f'marker-end="url(#arrow)"/>'
                    )
        today = _x(data.as_of, year)
        g.append(
            f'<line class="today" x1="{today}" y1="{_TOP - 14}" x2="{today}" y2="{height}" '
            f'stroke="#d32f2f" stroke-width="1.5"><title>{_e(format_date(data.as_of))}</title>'
            f"</line>"
        )
        parts += [*g, "</g>"]
        y += height + 12
    width = _LABEL_W + _CHART_W + 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt-chart" viewBox="0 0 {width} {y}" '
        f'width="100%" font-size="10" {_FONT} role="img">'
        f"<title>{_e(_('Schedule of the year by unit'))}</title>"
        '<defs><marker id="arrow" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="5" '
        'markerHeight="5" orient="auto"><path d="M0,0 L6,3 L0,6 z" fill="#455a64"/></marker>'
        "</defs><style>.month{stroke:#eceff1}.month-label{fill:#607d8b}</style>"
        + "".join(parts)
        + "</svg>\n"
    )


def _weeks(year: int) -> list[str]:
    """Every ISO week with a day in ``year``: 31/12/2025 is in week 2026-W01, for one."""
    monday = date(year, 1, 1) - timedelta(days=date(year, 1, 1).weekday())
    weeks = []
    while monday <= date(year, 12, 31):
        iso_year, week, _day = monday.isocalendar()
        weeks.append(f"{iso_year}-W{week:02d}")
        monday += timedelta(days=7)
    return weeks


def _heat(load: int, capacity: int) -> str:
    if load == 0:
        return "#f5f5f5"
    if load > capacity:
        return "#c62828"
    shades = ("#e3f2fd", "#90caf9", "#42a5f5", "#1e88e5", "#1565c0")
    return shades[min(len(shades) - 1, (load - 1) * len(shades) // max(capacity, 1))]


def heatmap_svg(data: ReportData, *, units: Sequence[str] | None = None) -> str:
    """Occurrences per unit and ISO week of the period (led or coordinated); red above capacity."""
    weeks = _weeks(data.plan.year)
    names = list(units or units_in(data))
    cell_w, cell_h, left, top = 12, 16, 220, 24
    out = []
    for n, week in enumerate(weeks):
        if n % 4 == 0:
            out.append(
                f'<text class="week-label" x="{left + n * cell_w}" y="{top - 6}">'
                f"{_e(week[-2:])}</text>"
            )
    for row, unit in enumerate(names):
        y = top + row * cell_h
        load = data.workload.get(unit, {})
        out.append(
            f'<text class="row-label" x="4" y="{y + 12}">'
            f"{_e(_short(unit_name(data, unit), 36))}</text>"
        )
        for n, week in enumerate(weeks):
            count = load.get(week, 0)
            tip = _("{unit}, week {week}: {count}").format(unit=unit, week=week, count=count)
            out.append(
                f'<rect class="cell" data-unit="{_e(unit)}" data-week="{week}" '
                f'data-load="{count}" x="{left + n * cell_w}" y="{y}" width="{cell_w - 1}" '
                f'height="{cell_h - 1}" fill="{_heat(count, data.capacity)}">'
                f"<title>{_e(tip)}</title></rect>"
            )
    width = left + cell_w * len(weeks) + 10
    height = top + cell_h * len(names) + 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" viewBox="0 0 {width} {height}" '
        f'width="100%" font-size="10" {_FONT} role="img">'
        f"<title>{_e(_('Weekly workload by unit'))}</title>" + "".join(out) + "</svg>\n"
    )


def progress_svg(data: ReportData) -> str:
    """One bar per quantity target: done against what is due in the period."""
    left, bar_w, row_h = 300, 360, 22
    out = []
    for n, row in enumerate(data.targets):
        y = 6 + n * row_h
        share = min(row.done / row.expected, 1.0) if row.expected else 1.0
        colour = "#2e7d32" if row.met else "#c62828"
        label = f"{row.ref} {row.duty}"
        out += [
            f'<text class="row-label" x="4" y="{y + 13}">{_e(_short(label, 46))}</text>',
            f'<rect class="progress-track" x="{left}" y="{y}" width="{bar_w}" height="16" '
            f'fill="#eceff1"/>',
            f'<rect class="progress-bar" data-duty="{_e(row.duty)}" data-done="{row.done}" '
            f'data-expected="{row.expected}" x="{left}" y="{y}" width="{round(bar_w * share, 1)}" '
            f'height="16" fill="{colour}"><title>{_e(row.target)}</title></rect>',
            f'<text class="progress-label" x="{left + bar_w + 6}" y="{y + 13}">'
            f"{row.done}/{row.expected}</text>",
        ]
    height = 12 + row_h * len(data.targets)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress" viewBox="0 0 {left + bar_w + 60}'
        f' {height}" width="100%" font-size="10" {_FONT} role="img">'
        f"<title>{_e(_('Progress towards the targets'))}</title>" + "".join(out) + "</svg>\n"
    )
