"""Measured values of the plan's KPI indicators in a real run (``planflow record``).

::

    from datetime import date
    from datetime import datetime
    from planflow.jobs.kpi_records import record_value
    from planflow.jobs.status import status
    from planflow.jobs.year import Year

    with Year.open("examples/phu_lam_cds_2025", now=datetime(2025, 7, 2)) as year:
        record_value(year, "dvc-toan-trinh", "72,5", day=date(2025, 6, 30))
        for row in status(year).indicators:    # the checkpoints passed, judged
            print(row["indicator"], row["checkpoint"], row["value"], row["state"])

A value is recorded **for a unit**: one that owns the indicator (the owner, a member
of the owner group, or the successor that took over an ended owner's share). Without
``by``, the unit is the indicator's only owner on the day measured. Each checkpoint is
judged on the value measured after the previous checkpoint and on or before it (the
last one measured; see :func:`planflow.run.indicators.reported_value`); a checkpoint
with no such value has *no data*. Nothing is overwritten: a correction is a new value.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from planflow.i18n import N_, _
from planflow.jobs.progress_records import _check_unit
from planflow.jobs.year import Year, current_user
from planflow.plan.errors import PlanError
from planflow.plan.model import Indicator, Plan, suggest
from planflow.run.indicators import owners_of
from planflow.run.store import MeasurementRecord

__all__ = [
    "MESSAGES",
    "indicator_units",
    "parse_value",
    "record_value",
    "recordable",
]

#: The text people read, in one place (for the message catalogue).
MESSAGES = {
    "unknown": N_("{target!r} is not an indicator of the plan"),
    "unknown_hint": N_("the indicators: {names}"),
    "none": N_("the plan has no indicators (indicators:) to record a value for"),
    "not_number": N_("{value!r} is not a number; write it as 97,5 or 97.5"),
    "percent_range": N_("{value} is not a percentage: {target} takes a value from 0 to 100"),
    "negative": N_("{value} is below zero: {target} counts something"),
    "not_owner": N_("unit {unit!r} does not own indicator {target!r}"),
    "not_owner_hint": N_("its value is recorded by: {units}"),
    "pick_unit": N_("say which unit measured {target!r} on {day} (--by)"),
    "pick_unit_hint": N_("one of: {units}"),
    "future": N_("the measurement date {day} has not come yet (today is {today})"),
}

_VIETNAMESE = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$|^[+-]?\d+,\d+$")


def _error(key: str, hint: str | None = None, **values: Any) -> PlanError:
    return PlanError(_(MESSAGES[key]).format(**values), hint=hint)


def parse_value(text: str | float) -> float:
    """A measured value as officials write it: ``97,5``, ``1.234,5``, ``97.5``, ``80%``.

    :raises PlanError: not a finite number.
    """
    if isinstance(text, int | float):
        value = float(text)
    else:
        raw = text.strip().removesuffix("%").strip()
        if _VIETNAMESE.match(raw):
            raw = raw.replace(".", "").replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            raise _error("not_number", value=text) from None
    if not math.isfinite(value):
        raise _error("not_number", value=text)
    return value


def indicator_units(plan: Plan, indicator: Indicator) -> tuple[str, ...]:
    """Every unit that records values of ``indicator``: the owner or each member of the
    owner group, and whoever holds an ended owner's share at a checkpoint."""
    units: dict[str, None] = dict.fromkeys(plan.members(indicator.owner))
    for day in indicator.checkpoints:
        units.update(dict.fromkeys(owners_of(plan, indicator, day)))
    return tuple(units)


def recordable(plan: Plan, unit: str | None = None) -> list[Indicator]:
    """The indicators ``unit`` may record (every one with ``None``: the office)."""
    return [i for i in plan.indicators if unit is None or unit in indicator_units(plan, i)]


def _find(plan: Plan, target: str) -> Indicator:
    known = {i.id: i for i in plan.indicators}
    if target in known:
        return known[target]
    if not known:
        raise _error("none")
    hint = suggest(target, sorted(known)) or _(MESSAGES["unknown_hint"]).format(
        names=", ".join(known)
    )
    raise _error("unknown", hint, target=target)


def _unit_for(plan: Plan, indicator: Indicator, by: str | None, day: date) -> str:
    units = indicator_units(plan, indicator)
    if by is not None:
        if by not in units:
            hint = _(MESSAGES["not_owner_hint"]).format(units=", ".join(units))
            raise _error("not_owner", hint, unit=by, target=indicator.id)
        return by
    on_day = owners_of(plan, indicator, day)
    if len(on_day) == 1:
        return on_day[0]
    hint = _(MESSAGES["pick_unit_hint"]).format(units=", ".join(on_day or units))
    raise _error("pick_unit", hint, target=indicator.id, day=day.strftime("%d/%m/%Y"))


def record_value(
    year: Year,
    target: str,
    value: str | float,
    *,
    day: date | None = None,
    by: str | None = None,
    note: str | None = None,
    evidence: str | None = None,
    who: str | None = None,
) -> MeasurementRecord:
    """Record the value of indicator ``target`` measured on ``day`` (default today) by
    unit ``by`` (default: its only owner that day).

    :raises PlanError: unknown indicator or unit, a unit that does not own it, a value
        that is not a number (or not a percentage, or below zero for a count), a day
        still to come.
    """
    plan = year.plan
    indicator = _find(plan, target)
    _check_unit(year, by)
    number = parse_value(value)
    shown = f"{number:g}"
    if indicator.metric.percentage and not 0 <= number <= 100:
        raise _error("percent_range", value=shown, target=indicator.id)
    if number < 0:
        raise _error("negative", value=shown, target=indicator.id)
    today = year.today()
    day = day or today
    if day > today:
        raise _error("future", day=day.strftime("%d/%m/%Y"), today=today.strftime("%d/%m/%Y"))
    unit = _unit_for(plan, indicator, by, day)
    return year.store.add_measurement(
        plan.id,
        indicator.id,
        number,
        day=day,
        by_unit=unit,
        note=note,
        evidence=evidence,
        who=who or current_user(),
    )
