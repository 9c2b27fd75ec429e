"""The plan's ``sections:`` and ``indicators:`` (KPI targets) in a plan document."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from planflow.i18n import _
from planflow.plan import goals
from planflow.plan._read_tasks import TaskReader
from planflow.plan.model import Indicator, Metric, ReportingPeriod, Section

__all__ = ["IndicatorReader"]

_SECTION_KEYS = {"id", "name", "name_en"}
_INDICATOR_KEYS = {
    "id",
    "ref",
    "text",
    "section",
    "metric",
    "target",
    "denominator",
    "excluding",
    "firmness",
    "owner",
    "checkpoints",
    "by",
    "task",
}


class IndicatorReader(TaskReader):
    """Reads ``sections:`` and ``indicators:``, after the units they name."""

    def read_sections(self, value: Any) -> list[Section]:
        out = []
        for i, item in enumerate(self.sequence(("sections",), value)):
            path = ("sections", i)
            m = self.mapping(path, item, _SECTION_KEYS, ("id", "name"))
            if m is None or m.get("id") is None or m.get("name") is None:
                continue
            sid = self.ident((*path, "id"), m["id"])
            name = self.text((*path, "name"), m["name"])
            if sid is not None:
                section = self.attempt(
                    path,
                    partial(Section, sid, name, self.text((*path, "name_en"), m.get("name_en"))),
                )
                if section is not None:
                    out.append(section)
        return out

    def read_indicators(
        self, value: Any, year: int, periods: list[ReportingPeriod]
    ) -> list[Indicator]:
        out = []
        for i, item in enumerate(self.sequence(("indicators",), value)):
            found = self.read_indicator(("indicators", i), item, year, periods)
            if found is not None:
                out.append(found)
                self.indicator_paths.append(i)
        return out

    def read_indicator(
        self, path: tuple[Any, ...], item: Any, year: int, periods: list[ReportingPeriod]
    ) -> Indicator | None:
        m = self.mapping(path, item, _INDICATOR_KEYS, ("id", "text", "target", "owner"))
        if m is None or any(m.get(k) is None for k in ("id", "text", "target", "owner")):
            return None
        before = len(self.problems)
        iid = self.ident((*path, "id"), m["id"])
        owner = self.unit_ref((*path, "owner"), m["owner"])
        target, of_what = goals.split_goal(m["target"])
        parsed = self.attempt((*path, "target"), lambda: goals.parse_goal(target))
        fields: dict[str, Any] = {}
        if m.get("firmness") is not None:
            fields["firmness"] = self.attempt(
                (*path, "firmness"), lambda: goals.parse_firmness(m["firmness"])
            )
        if m.get("metric") is not None:
            fields["metric"] = self.choice((*path, "metric"), m["metric"], Metric)
            if fields["metric"] is Metric.COUNT and parsed is not None and parsed[1]:
                self.fail(
                    (*path, "metric"),
                    _("the target {target!r} is a percentage, not a count").format(
                        target=m["target"]
                    ),
                    hint=_("leave 'metric' out, or write the target without '%'"),
                )
        elif parsed is not None:
            fields["metric"] = Metric.PERCENT if parsed[1] else Metric.COUNT
        checkpoints = self.checkpoints(path, m, year, periods)
        excluding = self.sequence((*path, "excluding"), m.get("excluding"), single_ok=True)
        if len(self.problems) > before or iid is None or owner is None or parsed is None:
            return None
        # (passed through a dict: mypy's attrs plugin cannot type the tuple converters)
        fields["checkpoints"] = checkpoints
        return self.attempt(
            path,
            lambda: Indicator(
                id=iid,
                text=self.text((*path, "text"), m["text"]),
                goal=parsed[0],
                owner=owner,
                denominator=self.text((*path, "denominator"), m.get("denominator") or of_what),
                excluding=[self.text((*path, "excluding", j), e) for j, e in enumerate(excluding)],
                section=self.text((*path, "section"), m.get("section")),
                ref=self.text((*path, "ref"), m.get("ref")),
                task=self.text((*path, "task"), m.get("task")),
                **{k: v for k, v in fields.items() if v is not None},
            ),
        )

    def checkpoints(
        self, path: tuple[Any, ...], m: dict[str, Any], year: int, periods: list[ReportingPeriod]
    ) -> list[date]:
        """``checkpoints`` (dates or a word) and ``by`` (the deadline); 31 December if neither."""
        days: list[date] = []
        value = m.get("checkpoints")
        if isinstance(value, str):
            found = self.attempt(
                (*path, "checkpoints"), lambda: goals.parse_checkpoints(value, year, periods)
            )
            days.extend(found or ())
        else:
            for j, item in enumerate(self.sequence((*path, "checkpoints"), value)):
                day = self.day((*path, "checkpoints", j), item)
                if day is not None:
                    days.append(day)
        if m.get("by") is not None:
            by = self.day((*path, "by"), m["by"])
            if by is not None:
                days = [d for d in days if d <= by] + [by]
        if not days and value is None:
            days = [date(year, 12, 31)]
        return sorted(set(days))
