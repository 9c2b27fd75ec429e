"""The words every report form shares (headings, column names, states), translated on use."""

from __future__ import annotations

from planflow.i18n import _, format_date, get_language
from planflow.plan.model import Target
from planflow.reports.data import COUNT_KEYS, ReportData

__all__ = [
    "count_headings",
    "firmness_name",
    "heading",
    "indicator_verdict",
    "role_name",
    "state_name",
    "task_title",
    "unit_name",
    "verdict",
]


def count_headings() -> list[str]:
    """The count columns' headings, in :data:`~planflow.reports.data.COUNT_KEYS` order."""
    names = {
        "planned": _("Planned"),
        "done": _("Done"),
        "on_time": _("On time"),
        "late": _("Late"),
        "missed": _("Missed"),
        "pending": _("Not done yet"),
    }
    return [names[k] for k in COUNT_KEYS]


def heading(key: str) -> str:
    """A section heading of the report."""
    return {
        "title": _("Report on the implementation of the plan"),
        "results": _("I. RESULTS"),
        "totals": _("1. Overall"),
        "tasks": _("2. By task"),
        "targets": _("3. Quantity targets"),
        "units": _("4. By unit"),
        "indicators": _("5. Measured indicators"),
        "raise": _("II. ISSUES TO RAISE"),
        "late": _("1. Work late, overdue or not done"),
        "chains": _("2. Delays passed on to the work that waits for it"),
        "overloaded": _("3. Overloaded weeks"),
        "pictures": _("APPENDIX: CHARTS"),
        "gantt": _("Schedule of the year by unit"),
        "heatmap": _("Weekly workload by unit"),
        "progress": _("Progress towards the targets"),
    }[key]


def state_name(state: str) -> str:
    """An occurrence state as people say it."""
    return {
        "scheduled": _("scheduled"),
        "blocked": _("waiting"),
        "open": _("open"),
        "due": _("due"),
        "overdue": _("overdue"),
        "done": _("done on time"),
        "late": _("done late"),
        "missed": _("not done"),
    }.get(state, state)


def role_name(role: str) -> str:
    """``lead`` or ``coordinator``, as people say it."""
    return _("coordinates") if role == "coordinator" else _("leads")


def verdict(met: bool) -> str:
    """A target's verdict."""
    return _("met") if met else _("not met")


def firmness_name(firmness: str) -> str:
    """How firmly the plan asks for an indicator, in the words plans use."""
    return {
        "required": _("required"),
        "strive": _("strive for"),
        "aim": _("aim for"),
        "encouraged": _("encouraged"),
        "expected": _("projected"),
    }.get(firmness, firmness)


def indicator_verdict(state: str, failed: bool, firmness: str) -> str:
    """An indicator's verdict: a missed required target is a failure ("not met"); a
    missed softer one (strive for, encouraged …) is "not yet met", with its firmness."""
    if state == "met":
        return _("met")
    if state == "no data":
        return _("no data")
    if failed:
        return _("not achieved")
    return _("not yet achieved ({firmness})").format(firmness=firmness_name(firmness))


def unit_name(data: ReportData, unit_id: str) -> str:
    """A unit's name (its id if the plan has no such unit)."""
    try:
        unit = data.plan.unit(unit_id)
    except KeyError:
        return unit_id
    return unit.name_en if get_language() == "en" and unit.name_en else unit.name


def task_title(data: ReportData, task_id: str) -> str:
    """A task's title (the English one in English, when the plan gives it)."""
    task = data.plan.task(task_id)
    return task.title_en if get_language() == "en" and task.title_en else task.title


def short(text: str, limit: int = 70) -> str:
    """``text`` cut at a word before ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def item_label(data: ReportData, key: str) -> str:
    """An occurrence as people name it: clause, unit and due date (its key if unknown)."""
    item = data.item(key)
    if item is None:
        return key
    return _("{clause} ({unit}, due {due})").format(
        clause=item.ref or item.task, unit=unit_name(data, item.unit), due=format_date(item.due)
    )


def target_text(target: Target | None) -> str:
    """A quantity target as the plan says it: "4 báo cáo/năm", "khoảng 3 tin/tháng"."""
    if target is None:
        return ""
    per = {
        "day": _("day"),
        "week": _("week"),
        "month": _("month"),
        "quarter": _("quarter"),
        "half": _("half year"),
        "year": _("year"),
        "window": _("the whole window"),
    }[target.per.value]
    text = _("{count} {unit} per {per}").format(
        count=target.count, unit=target.unit or _("times"), per=per
    )
    return _("about {target}").format(target=text) if target.approximate else text


def plan_name(title: str) -> str:
    """The plan's title to follow the words "Kế hoạch" (no "Kế hoạch Kế hoạch …")."""
    words = "kế hoạch "
    text = title[len(words) :] if title.lower().startswith(words) else title
    return text[:1].lower() + text[1:] if get_language() == "vi" else text
