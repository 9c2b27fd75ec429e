"""KPI targets: indicators the plan sets (``100% hồ sơ … trên môi trường mạng``), and
the plan's sections (the pillars *chính quyền số*, *kinh tế số*, *xã hội số*).

An indicator is *measured*, not counted from occurrences: the value recorded at a
checkpoint is judged against its goal.
"""

from __future__ import annotations

from datetime import date
from enum import Enum

import attrs
from attrs import field, frozen
from attrs.validators import instance_of, optional

from planflow.i18n import _
from planflow.plan.errors import ModelError
from planflow.plan.model._fields import _check_id, _non_empty, _tuple_of_str

__all__ = ["Comparator", "Firmness", "Goal", "Indicator", "Metric", "Section"]


class Comparator(str, Enum):
    """How a measured value is compared with the goal."""

    AT_LEAST = ">="
    MORE_THAN = ">"
    EQUAL = "="
    AT_MOST = "<="
    RANGE = "range"


class Firmness(str, Enum):
    """How firmly the plan asks for a target, in the words plans use.

    ``required`` (*đặt mục tiêu*, *bảo đảm*), ``strive`` (*phấn đấu*), ``aim``
    (*hướng đến*, *hướng tới*), ``encouraged`` (*khuyến khích*), ``expected``
    (*dự kiến*). Only a missed ``required`` target is a failure; the others are
    reported as not (yet) reached.
    """

    REQUIRED = "required"
    STRIVE = "strive"
    AIM = "aim"
    ENCOURAGED = "encouraged"
    EXPECTED = "expected"

    @property
    def binding(self) -> bool:
        """Whether missing the target is a failure of the plan."""
        return self is Firmness.REQUIRED


class Metric(str, Enum):
    """What is measured: a percentage, a count, or a share of an external figure (GRDP)."""

    PERCENT = "percent"
    COUNT = "count"
    SHARE = "share"

    @property
    def percentage(self) -> bool:
        """Whether values are percentages (of a denominator, or of an external figure)."""
        return self is not Metric.COUNT


@frozen
class Goal:
    """``≥ 80``, ``> 50``, ``= 100``, ``60–70`` (both ends included)."""

    comparator: Comparator = field(converter=Comparator)
    low: float = field(validator=instance_of((int, float)))
    high: float | None = field(default=None, validator=optional(instance_of((int, float))))

    @high.validator
    def _range(self, attribute: attrs.Attribute[float | None], value: float | None) -> None:
        if self.comparator is Comparator.RANGE and (value is None or value < self.low):
            message = _("a range goal needs low <= high, got {low} and {high}")
            raise ModelError(message.format(low=self.low, high=value))

    def met_by(self, value: float) -> bool:
        """Whether a measured value reaches the goal."""
        c = self.comparator
        if c is Comparator.AT_LEAST:
            return value >= self.low
        if c is Comparator.MORE_THAN:
            return value > self.low
        if c is Comparator.EQUAL:
            return value == self.low
        if c is Comparator.AT_MOST:
            return value <= self.low
        assert self.high is not None
        return self.low <= value <= self.high

    def reaching_value(self) -> float:
        """A value that just meets the goal (what an on-time year records)."""
        if self.comparator is Comparator.MORE_THAN:
            return self.low + 1
        return self.low

    def __str__(self) -> str:
        n = _number
        if self.comparator is Comparator.RANGE:
            return f"{n(self.low)}–{n(self.high or self.low)}"
        sign = {">=": "≥", ">": ">", "=": "=", "<=": "≤"}[self.comparator.value]
        return f"{sign} {n(self.low)}"


def _number(value: float) -> str:
    """Vietnamese number: ``1.234,5`` (no decimals for whole numbers)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    whole, _, frac = f"{value:,.2f}".rstrip("0").partition(".")
    return whole.replace(",", ".") + "," + frac


@frozen
class Section:
    """A part of the plan (``I. Chính quyền số``) that tasks and indicators belong to."""

    id: str = field(validator=_check_id)
    name: str = field(validator=_non_empty)
    name_en: str = field(default="", validator=instance_of(str))


@frozen
class Indicator:
    """A KPI target: a metric, its goal, who owns it, and when it is measured."""

    id: str = field(validator=_check_id)
    text: str = field(validator=_non_empty)
    """The plan's own words ("100% hồ sơ công việc được xử lý trên môi trường mạng …")."""
    goal: Goal = field(validator=instance_of(Goal))
    owner: str = field(validator=_check_id)
    """A unit, or a group whose every member is measured."""
    checkpoints: tuple[date, ...] = field(converter=tuple)
    """When the value is recorded; the last one is the deadline."""
    metric: Metric = field(default=Metric.PERCENT, converter=Metric)
    firmness: Firmness = field(default=Firmness.REQUIRED, converter=Firmness)
    denominator: str = field(default="", validator=instance_of(str))
    """What the percentage is of, in words ("hồ sơ công việc")."""
    excluding: tuple[str, ...] = field(default=(), converter=_tuple_of_str)
    """What the denominator leaves out ("hồ sơ mật")."""
    section: str = field(default="", validator=instance_of(str))
    ref: str = field(default="", validator=instance_of(str))
    task: str = field(default="", validator=instance_of(str))
    """The task whose work reaches it, if any (an indicator may stand alone)."""

    @checkpoints.validator
    def _some(self, attribute: attrs.Attribute[tuple[date, ...]], value: tuple[date, ...]) -> None:
        if not value or not all(isinstance(d, date) for d in value):
            raise ModelError(
                _("indicator {id} needs at least one checkpoint date").format(id=self.id)
            )
