"""How a duty's dates are written: DTSTART, DTEND, RRULE, EXDATE, RDATE (and DUE for VTODO).

A recurring series is the task's RRULE anchored on its first date, with EXDATE for
the rule dates that moved off a non-working day and RDATE for the days they moved
to. When that would be messy (a rule whose day can be impossible in some months,
more moved dates than kept ones, a first date that is not a rule date) the series
is DTSTART plus RDATEs, with ``RRULE:FREQ=DAILY;COUNT=1`` so that DTSTART counts in
every client (ical.js, Thunderbird's parser, leaves DTSTART out of an RDATE-only
set). Either way the encoding is checked against the timeline by expanding it again.

The thousands of communes that run one template share a schedule, so encodings are
cached: :func:`encode` by the dates, :class:`DateLines` by the rendered lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import attrs

from planflow.feeds._lines import lines, param, stamp, ymd
from planflow.plan.model import Plan, Task, TimeRange
from planflow.timeline.occurrences import Occurrence
from planflow.timeline.recurrence import CANONICAL_ORDER, expand, normalise_recurrence

__all__ = ["DateLines", "Series", "encode", "rule_of"]


@attrs.frozen
class Series:
    """How a duty's set of dates is written: DTSTART, RRULE (+UNTIL), EXDATE, RDATE."""

    first: date
    rule: tuple[tuple[str, str], ...] = ()  # RRULE parts without COUNT/UNTIL
    until: date | None = None
    exdates: tuple[date, ...] = ()
    rdates: tuple[date, ...] = ()


def rule_of(task: Task, plan: Plan) -> str | None:
    """The rule behind a duty's dates: its recurrence, or a continuous task's check-ins."""
    if task.recurring:
        return task.recurrence
    if task.window.continuous:
        return task.check_in or plan.check_in
    return None


@lru_cache(maxsize=4096)
def encode(days: tuple[date, ...], rule: str | None, anchor: date, end: date) -> Series:
    """Encode sorted unique ``days`` with ``rule`` (as the timeline expanded it from
    ``anchor`` to ``end``); fall back to DTSTART + RDATE when the rule does not fit."""
    plain = Series(days[0], rdates=tuple(days[1:]))
    if rule is None or len(days) == 1:
        return plain
    canonical = normalise_recurrence(rule)
    parts = dict(p.split("=", 1) for p in canonical.split(";"))
    if _impossible(parts, anchor) or (parts["FREQ"] == "WEEKLY" and "BYSETPOS" in parts):
        # dateutil-based clients (and recurring-ical-events) add a date to a weekly
        # BYSETPOS series whose DTSTART is mid-week; a date list reads the same everywhere
        return plain
    first = days[0]
    nominal = [d for d in expand(canonical, anchor, end) if d >= first]
    if not nominal or nominal[0] != first:
        return plain
    wanted, kept = set(days), set(nominal)
    exdates = tuple(d for d in nominal if d not in wanted)
    rdates = tuple(d for d in days if d not in kept)
    if len(rdates) > len(days) // 2:
        return plain
    parts.pop("COUNT", None)
    parts.pop("UNTIL", None)
    check = expand(
        _rule_text(parts, ymd(nominal[-1])), first, nominal[-1],
        dtstart=first, rdates=rdates, exdates=exdates,
    )  # fmt: skip
    if check != tuple(days):
        return plain
    return Series(first, tuple(parts.items()), nominal[-1], exdates, rdates)


def _impossible(parts: dict[str, str], anchor: date) -> bool:
    """Whether the rule names a day some months lack (clients disagree on those)."""
    if any(abs(int(v)) > 28 for v in parts.get("BYMONTHDAY", "").split(",") if v):
        return True
    implicit_day = not any(k in parts for k in ("BYMONTHDAY", "BYDAY", "BYYEARDAY", "BYWEEKNO"))
    return parts["FREQ"] in ("MONTHLY", "YEARLY") and implicit_day and anchor.day > 28


def _rule_text(parts: dict[str, str], until: str) -> str:
    values = {**parts, "UNTIL": until}
    return ";".join(f"{key}={values[key]}" for key in CANONICAL_ORDER if key in values)


class DateLines:
    """The date lines of events and to-dos in one plan's time zone (cached per series)."""

    def __init__(self, tzid: str, utc: bool) -> None:
        self.tzid, self.utc = tzid, utc
        self.zone = ZoneInfo(tzid)
        self._events: dict[tuple[TimeRange | None, Series], bytes] = {}

    def event(self, span: TimeRange | None, series: Series) -> bytes:
        """DTSTART, DTEND and the recurrence lines of a VEVENT."""
        key = (span, series)
        found = self._events.get(key)
        if found is None:
            found = self._events[key] = lines(self._event_lines(span, series))
        return found

    def todo(self, occ: Occurrence) -> bytes:
        """DTSTART (when it is not after DUE) and DUE of one occurrence's VTODO."""
        out = [self._value("DUE", [occ.due], None)]
        if occ.start <= occ.due:
            out.insert(0, self._value("DTSTART", [occ.start], None))
        return lines(out)

    def _value(self, name: str, days: Sequence[date], start: time | None) -> str:
        if start is None:
            return f"{name};VALUE=DATE:" + ",".join(map(ymd, days))
        hhmmss = f"T{start.hour:02d}{start.minute:02d}{start.second:02d}"
        if self.utc:
            return f"{name}:" + ",".join(ymd(d) + hhmmss + "Z" for d in days)
        return f"{name};TZID={param(self.tzid)}:" + ",".join(ymd(d) + hhmmss for d in days)

    def _event_lines(self, span: TimeRange | None, series: Series) -> list[str]:
        first = series.first
        if span is None:
            out = [self._value("DTSTART", [first], None),
                   self._value("DTEND", [first + timedelta(days=1)], None)]  # fmt: skip
            start = None
        else:
            start = span.start
            out = [self._value("DTSTART", [first], start),
                   self._value("DTEND", [first], span.end)]  # fmt: skip
        if series.rule and series.until is not None:
            if span is None:
                until = ymd(series.until)
            else:
                until = stamp(datetime.combine(series.until, span.start, self.zone))
            out.append("RRULE:" + _rule_text(dict(series.rule), until))
        elif series.rdates:
            # DTSTART + RDATE only: a one-instance rule makes DTSTART count in every
            # client (ical.js, hence Thunderbird, drops it from an RDATE-only set)
            out.append("RRULE:FREQ=DAILY;COUNT=1")
        if series.exdates:
            out.append(self._value("EXDATE", series.exdates, start))
        if series.rdates:
            out.append(self._value("RDATE", series.rdates, start))
        return out
