""":rfc:`5545` calendar feeds: one for the whole plan and one per unit.

Every duty of the timeline becomes one VEVENT (or, with ``expand=True``, one
VEVENT per occurrence). Which date an event sits on is the occurrence's due date
(``Occurrence.due``): the day a recurring task happens, the check-in day of a
continuous task, and the deadline of a one-off task, whose window is stated in the
DESCRIPTION instead of being drawn as a weeks-long banner.

A recurring series is written as the task's RRULE anchored on its first date,
with EXDATE for the rule dates that moved off a non-working day and RDATE for the
days they moved to. When that would be messy (a rule whose day can be impossible
in some months, more moved dates than kept ones, a first date that is not a rule
date) the series is written as DTSTART plus RDATEs, with ``RRULE:FREQ=DAILY;COUNT=1``
so that DTSTART counts in every client (ical.js, Thunderbird's parser, leaves
DTSTART out of an RDATE-only set). Either way the encoding is checked against the
timeline by expanding it again before it is written.

Identity and change:

* UID is ``<duty id>@<plan id>.planflow`` (``<duty>/<YYYYMMDD>@…`` per occurrence
  with ``expand=True``), stable across re-exports and edits;
* SEQUENCE comes from a :class:`FeedState` (``.planflow-feed-state.json`` next to
  the exported files) that remembers each UID's content digest and raises the
  number when the digest changes, so it only goes up;
* DTSTAMP and LAST-MODIFIED are derived from the plan (its issue date, else
  1 January of its year) plus SEQUENCE seconds: never the clock, so exporting an
  unchanged plan twice gives byte-identical files, and editing one task changes
  that task's component only.

Content lines are written here rather than through ``icalendar``'s object model,
which costs over a millisecond per event (national scale needs microseconds);
``icalendar`` provides the VTIMEZONE and the tests parse every feed back with it.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

import attrs

from .errors import ModelError, PlanError
from .model import DependencyMode, Group, Offset, Period, Plan, Task, TimeRange, suggest
from .recurrence import CANONICAL_ORDER, expand, normalise_recurrence
from .timeline import Duty, Occurrence, Timeline

__all__ = [
    "REFRESH_INTERVAL",
    "STATE_FILE",
    "FeedState",
    "Role",
    "export_feeds",
    "plan_feed",
    "unit_duties",
    "unit_feed",
    "write_plan_feed",
    "write_unit_feed",
]

STATE_FILE = ".planflow-feed-state.json"
REFRESH_INTERVAL = "PT12H"
PRODID = "-//planflow//planflow calendar feeds//VI"
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal",
                        "Etc/Zulu", "Zulu"})  # fmt: skip
# Control characters are not allowed in TEXT values (HTAB is).
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_CACHE_SIZE = 512  # duties whose rendered components are kept (bounds memory)


class Role(StrEnum):
    """What a unit does for a duty in its feed."""

    LEAD = "lead"
    COORDINATOR = "coordinator"


_ROLE_VI = {Role.LEAD: "Chủ trì", Role.COORDINATOR: "Phối hợp"}
_PER_VI = {
    Period.DAY: "ngày", Period.WEEK: "tuần", Period.MONTH: "tháng", Period.QUARTER: "quý",
    Period.HALF: "6 tháng", Period.YEAR: "năm", Period.WINDOW: "đợt",
}  # fmt: skip
_MODE_VI = {
    DependencyMode.TASK: "toàn bộ",
    DependencyMode.SAME_PERIOD: "cùng kỳ",
    DependencyMode.ALL: "tất cả đơn vị, cùng kỳ",
    DependencyMode.PREVIOUS: "lần trước",
}


# --------------------------------------------------------------------- content lines


def escape_text(text: str) -> str:
    """Escape a TEXT value (:rfc:`5545` 3.3.11): ``\\ ; ,`` and newlines; drop controls."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return _CONTROL.sub("", text)


def _param(value: str) -> str:
    """A parameter value, quoted when it holds ``: ; ,`` (a DQUOTE cannot be escaped)."""
    value = _CONTROL.sub("", value.replace("\n", " ")).replace('"', "'")
    return f'"{value}"' if any(c in value for c in ":;,") else value


def fold(line: str) -> bytes:
    """One content line as UTF-8, folded at 75 octets without splitting a character."""
    raw = line.encode()
    if len(raw) <= 75:
        return raw
    parts = []
    start, limit = 0, 75
    while len(raw) - start > limit:
        end = start + limit
        while raw[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back up
            end -= 1
        parts.append(raw[start:end])
        start, limit = end, 74  # a continuation line starts with a space
    parts.append(raw[start:])
    return b"\r\n ".join(parts)


def _lines(lines: Iterable[str]) -> bytes:
    return b"".join(fold(line) + b"\r\n" for line in lines)


def _ymd(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, year: int) -> bytes:
    """The VTIMEZONE for ``tzid`` over the plan year, from icalendar."""
    from icalendar import Timezone

    # from 1970: a client reads a time before the first observance as UTC (ical.js)
    last = max(date(2038, 1, 1), date(year + 1, 2, 1))
    ical: bytes = Timezone.from_tzid(tzid, first_date=date(1970, 1, 1), last_date=last).to_ical()
    return ical if ical.endswith(b"\r\n") else ical + b"\r\n"


# --------------------------------------------------------------------------- state


@attrs.define
class FeedState:
    """SEQUENCE numbers that only go up: each UID's content digest and sequence.

    Stored as JSON (``.planflow-feed-state.json``) next to the exported feeds. A UID
    seen for the first time gets 0; the same digest again keeps its number; a new
    digest gets the next number. Entries are never dropped, so a task that comes
    back after being removed continues from its old number.
    """

    entries: dict[str, tuple[str, int]] = attrs.field(factory=dict)

    def sequence(self, uid: str, digest: str) -> int:
        """The SEQUENCE for ``uid`` with content ``digest``, recording it."""
        old = self.entries.get(uid)
        if old is not None and old[0] == digest:
            return old[1]
        number = 0 if old is None else old[1] + 1
        self.entries[uid] = (digest, number)
        return number

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> FeedState:
        """Read a state file; a missing file is an empty state.

        :raises PlanError: the file is not a state file planflow wrote.
        """
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            entries = {
                str(uid): (str(item["digest"]), int(item["sequence"]))
                for uid, item in data["components"].items()
            }
        except FileNotFoundError:
            return cls()
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PlanError(
                f"{path}: not a planflow feed state file ({exc})",
                hint="delete it to start the SEQUENCE numbers again from 0",
            ) from None
        return cls(entries)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the state (sorted, so an unchanged state gives an unchanged file)."""
        data = {
            "planflow_feed_state": 1,
            "components": {
                uid: {"digest": digest, "sequence": seq}
                for uid, (digest, seq) in sorted(self.entries.items())
            },
        }
        _replace_text(Path(path), json.dumps(data, ensure_ascii=False, indent=1) + "\n")


# ---------------------------------------------------------------------- selection


def unit_duties(timeline: Timeline, unit_id: str) -> list[tuple[Duty, Role]]:
    """The duties in a unit's feed, in plan order, with the unit's role in each.

    A unit leads a duty that is its own or its group's (a member of a group that
    leads together sees the group's duty); it coordinates a duty that names it, or
    a group it belongs to, among the coordinators. Leading wins over coordinating.

    :raises ModelError: the plan has no such unit.
    """
    _check_unit(timeline.plan, unit_id)
    return _index(timeline).get(unit_id, [])


def _check_unit(plan: Plan, unit_id: str) -> None:
    try:
        plan.unit(unit_id)
    except KeyError:
        raise ModelError(
            f"unknown unit {unit_id!r}", hint=suggest(unit_id, [u.id for u in plan.units])
        ) from None


def _index(timeline: Timeline) -> dict[str, list[tuple[Duty, Role]]]:
    """unit id → its (duty, role) pairs, for every unit at once."""
    plan = timeline.plan
    out: dict[str, list[tuple[Duty, Role]]] = {}
    for duty in timeline.duties:
        leads = {duty.unit, *plan.members(duty.unit)}
        _, coordinators = timeline.units_of(duty)
        named = (u for u in duty.task.coordinators if u not in coordinators)
        for unit_id in leads:
            out.setdefault(unit_id, []).append((duty, Role.LEAD))
        for unit_id in dict.fromkeys((*coordinators, *named)):
            if unit_id not in leads:
                out.setdefault(unit_id, []).append((duty, Role.COORDINATOR))
    return out


# ------------------------------------------------------------------------- series


@attrs.frozen
class _Series:
    """How a duty's set of dates is written: DTSTART, RRULE (+UNTIL), EXDATE, RDATE."""

    first: date
    rule: tuple[tuple[str, str], ...] = ()  # RRULE parts without COUNT/UNTIL
    until: date | None = None
    exdates: tuple[date, ...] = ()
    rdates: tuple[date, ...] = ()


@lru_cache(maxsize=4096)
def _series(days: tuple[date, ...], rule: str | None, anchor: date, end: date) -> _Series:
    """Encode sorted unique ``days`` with ``rule`` (as the timeline expanded it from
    ``anchor`` to ``end``); fall back to DTSTART + RDATE when the rule does not fit."""
    plain = _Series(days[0], rdates=tuple(days[1:]))
    if rule is None or len(days) == 1:
        return plain
    canonical = normalise_recurrence(rule)
    parts = dict(p.split("=", 1) for p in canonical.split(";"))
    if _impossible(parts, anchor):
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
        _rule_text(parts, _ymd(nominal[-1])), first, nominal[-1],
        dtstart=first, rdates=rdates, exdates=exdates,
    )  # fmt: skip
    if check != tuple(days):
        return plain
    return _Series(first, tuple(parts.items()), nominal[-1], exdates, rdates)


def _impossible(parts: dict[str, str], anchor: date) -> bool:
    """Whether the rule names a day some months lack (clients disagree on those)."""
    if any(abs(int(v)) > 28 for v in parts.get("BYMONTHDAY", "").split(",") if v):
        return True
    implicit_day = not any(k in parts for k in ("BYMONTHDAY", "BYDAY", "BYYEARDAY", "BYWEEKNO"))
    return parts["FREQ"] in ("MONTHLY", "YEARLY") and implicit_day and anchor.day > 28


def _rule_text(parts: dict[str, str], until: str) -> str:
    values = {**parts, "UNTIL": until}
    return ";".join(f"{key}={values[key]}" for key in CANONICAL_ORDER if key in values)


# ----------------------------------------------------------------------- rendering


@attrs.define
class _Entry:
    """A duty's components: the parts every feed shares, and the whole by role."""

    renders: dict[Role | None, bytes] = attrs.field(factory=dict)
    parts: list[tuple[bytes, bytes]] = attrs.field(factory=list)  # (head, shared tail)


class _Feed:
    """Renders the components of one plan's feeds, caching per duty (bounded)."""

    def __init__(
        self,
        plan: Plan,
        timeline: Timeline,
        *,
        expand: bool,
        todos: bool,
        state: FeedState | None,
    ) -> None:
        self.plan, self.timeline = plan, timeline
        self.expand, self.todos, self.state = expand, todos, state
        self.tzid = plan.timezone
        self.utc = plan.timezone in _UTC_NAMES
        self.zone = ZoneInfo(plan.timezone)
        base = plan.issued or date(plan.year, 1, 1)
        self.base = datetime(base.year, base.month, base.day, tzinfo=UTC)
        self.suffix = f"@{plan.id}.planflow"
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._back: dict[tuple[date, int], int] = {}
        self._dates: dict[tuple[TimeRange | None, _Series], bytes] = {}

    # --- calendar ---------------------------------------------------------------

    def header(self, name: str, description: str) -> bytes:
        """VCALENDAR properties and the VTIMEZONE (unless the plan's zone is UTC)."""
        head = _lines([
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            f"PRODID:{PRODID}",
            "CALSCALE:GREGORIAN",
            f"X-WR-CALNAME:{escape_text(name)}",
            f"X-WR-CALDESC:{escape_text(description)}",
            f"X-WR-TIMEZONE:{escape_text(self.tzid)}",
            f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH_INTERVAL}",
            f"X-PUBLISHED-TTL:{REFRESH_INTERVAL}",
        ])  # fmt: skip
        return head if self.utc else head + _vtimezone(self.tzid, self.plan.year)

    def components(self, duty: Duty, role: Role | None) -> bytes:
        """Every component of one duty as seen in a feed (``role`` None: the plan feed)."""
        entry = self._cache.get(duty.id)
        if entry is None:
            entry = self._cache[duty.id] = self._entry(duty)
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(duty.id)
        found = entry.renders.get(role)
        if found is None:
            texts = self._role_lines(duty, role)
            found = entry.renders[role] = b"".join(
                head + texts + common for head, common in entry.parts
            )
        return found

    # --- one duty ---------------------------------------------------------------

    def _entry(self, duty: Duty) -> _Entry:
        """Render what a duty's components share in every feed; the role lines vary."""
        occurrences = self.timeline.occurrences(duty.id)
        entry = _Entry()
        if not occurrences:
            return entry
        task = duty.task
        description = _text_line("DESCRIPTION", self._description(duty))
        people = self._people(duty)
        plain = self._role_lines(duty, None)
        units: list[tuple[str, str, bytes]] = []  # (kind, uid, common part)
        if self.expand:
            for occ in occurrences:
                uid = f"{duty.id}/{_ymd(occ.nominal)}{self.suffix}"
                dates = self._dates_event(task.time, _Series(occ.due))
                units.append(("VEVENT", uid, dates + description + people
                              + self._alarm(task, (occ.due,))))  # fmt: skip
        else:
            days = tuple(sorted({o.due for o in occurrences}))
            series = _series(days, _rule(task, self.plan), task.window.start, task.window.end)
            dates = self._dates_event(task.time, series)
            units.append(("VEVENT", duty.id + self.suffix,
                          dates + description + people + self._alarm(task, days)))  # fmt: skip
        if self.todos:
            for occ in occurrences:
                uid = f"{duty.id}/{_ymd(occ.nominal)}/todo{self.suffix}"
                units.append(("VTODO", uid, self._dates_todo(occ) + description + people))
        for kind, uid, common in units:
            sequence = 0
            if self.state is not None:
                digest = hashlib.sha256(b"%s\n%s%s" % (kind.encode(), plain, common))
                sequence = self.state.sequence(uid, digest.hexdigest()[:32])
            stamp = _stamp(self.base + timedelta(seconds=sequence))
            head = _lines([f"BEGIN:{kind}", f"UID:{uid}", f"DTSTAMP:{stamp}",
                           f"LAST-MODIFIED:{stamp}", f"SEQUENCE:{sequence}"])  # fmt: skip
            if kind == "VEVENT":
                common += b"TRANSP:OPAQUE\r\n" if task.time else b"TRANSP:TRANSPARENT\r\n"
            entry.parts.append((head, common + b"END:%s\r\n" % kind.encode()))
        return entry

    # --- dates ------------------------------------------------------------------

    def _value(self, name: str, days: Sequence[date], start: time | None) -> str:
        if start is None:
            return f"{name};VALUE=DATE:" + ",".join(map(_ymd, days))
        hhmmss = f"T{start.hour:02d}{start.minute:02d}{start.second:02d}"
        if self.utc:
            return f"{name}:" + ",".join(_ymd(d) + hhmmss + "Z" for d in days)
        return f"{name};TZID={_param(self.tzid)}:" + ",".join(_ymd(d) + hhmmss for d in days)

    def _dates_event(self, span: TimeRange | None, series: _Series) -> bytes:
        key = (span, series)
        found = self._dates.get(key)
        if found is None:
            found = self._dates[key] = _lines(self._date_lines(span, series))
        return found

    def _date_lines(self, span: TimeRange | None, series: _Series) -> list[str]:
        first = series.first
        if span is None:
            lines = [self._value("DTSTART", [first], None),
                     self._value("DTEND", [first + timedelta(days=1)], None)]  # fmt: skip
            start = None
        else:
            start = span.start
            lines = [self._value("DTSTART", [first], start),
                     self._value("DTEND", [first], span.end)]  # fmt: skip
        if series.rule and series.until is not None:
            if span is None:
                until = _ymd(series.until)
            else:
                until = _stamp(datetime.combine(series.until, span.start, self.zone))
            lines.append("RRULE:" + _rule_text(dict(series.rule), until))
        elif series.rdates:
            # DTSTART + RDATE only: a one-instance rule makes DTSTART count in every
            # client (ical.js, hence Thunderbird, drops it from an RDATE-only set)
            lines.append("RRULE:FREQ=DAILY;COUNT=1")
        if series.exdates:
            lines.append(self._value("EXDATE", series.exdates, start))
        if series.rdates:
            lines.append(self._value("RDATE", series.rdates, start))
        return lines

    def _dates_todo(self, occ: Occurrence) -> bytes:
        lines = [self._value("DUE", [occ.due], None)]
        if occ.start <= occ.due:
            lines.insert(0, self._value("DTSTART", [occ.start], None))
        return _lines(lines)

    # --- texts ------------------------------------------------------------------

    def _name(self, unit_id: str) -> str:
        return self.plan.unit(unit_id).name

    def _summary(self, duty: Duty, role: Role | None) -> str:
        task = duty.task
        if task.recurring:
            kind = ""
        elif task.window.continuous:
            kind = " (kiểm tra tiến độ)"
        else:
            kind = " (hạn hoàn thành)"
        text = task.title + kind
        if role is Role.COORDINATOR:
            return f"[Phối hợp] {text} – {self._name(duty.unit)}"
        if role is None and duty.id != task.id:
            return f"{text} – {self._name(duty.unit)}"
        if role is Role.LEAD and isinstance(self.plan.unit(duty.unit), Group):
            return f"{text} – {self._name(duty.unit)}"
        return text

    def _role_lines(self, duty: Duty, role: Role | None) -> bytes:
        """SUMMARY and CATEGORIES: the lines that depend on the unit's role."""
        out = _text_line("SUMMARY", self._summary(duty, role))
        categories = (*duty.task.category, *([_ROLE_VI[role]] if role else []))
        if categories:
            out += _categories(categories)
        return out

    def _people(self, duty: Duty) -> bytes:
        """ORGANIZER (the lead) and ATTENDEEs (coordinators), for units with e-mail."""
        lead, coordinators = self.timeline.units_of(duty)
        organizer = self.plan.unit(lead)
        if not organizer.email:
            return b""
        lines = [f"ORGANIZER;CN={_param(organizer.name)}:mailto:{organizer.email}"]
        for unit_id in coordinators:
            unit = self.plan.unit(unit_id)
            if unit.email:
                params = f"CN={_param(unit.name)};CUTYPE=GROUP;ROLE=REQ-PARTICIPANT;RSVP=FALSE"
                lines.append(f"ATTENDEE;{params}:mailto:{unit.email}")
        return _lines(lines)

    def _description(self, duty: Duty) -> str:
        task, plan = duty.task, self.plan
        lead, coordinators = self.timeline.units_of(duty)
        window = task.window
        span = f"{window.start:%d/%m/%Y} – {window.end:%d/%m/%Y}"
        rows = [task.title]
        if task.title_en:
            rows.append(task.title_en)
        if task.ref:
            rows.append(f"Mục: {task.ref}")
        rows.append(f"Chủ trì: {self._name(lead)}")
        if coordinators:
            rows.append("Phối hợp: " + "; ".join(self._name(u) for u in coordinators))
        rows.append(f"Thời gian: {window.label} ({span})" if window.label else f"Thời gian: {span}")
        if task.recurring:
            pass
        elif window.continuous:
            rows.append("Nhiệm vụ thường xuyên: lịch là các lần kiểm tra tiến độ định kỳ.")
        else:
            due = self.timeline.occurrences(duty.id)[0].due
            rows.append(f"Hạn hoàn thành: {due:%d/%m/%Y} (thực hiện trong cả thời gian trên).")
        if task.due is not None:
            rows.append(f"Hạn sau mỗi lần: {_offset_vi(task.due)}")
        if task.target is not None:
            t = task.target
            about = "khoảng " if t.approximate else ""
            rows.append(f"Chỉ tiêu: {about}{t.count} {t.unit or 'lần'}/{_PER_VI[t.per]}")
        for dep in task.after:
            title = plan.task(dep.task).title if dep.task != task.id else "lần trước của nhiệm vụ"
            lag = f", {_offset_vi(dep.lag)}" if dep.lag.days else ""
            rows.append(f"Chờ: {title} ({_MODE_VI[dep.mode]}{lag})")
        rows.append(f"Kế hoạch: {plan.title} – {plan.issuer}")
        return "\n".join(rows)

    def _alarm(self, task: Task, days: tuple[date, ...]) -> bytes:
        """A VALARM ``reminder`` before the event (08:00 for all-day events)."""
        reminder = task.reminder or self.plan.reminder
        n = abs(reminder.days)
        gap = n
        if reminder.working and n:
            counts = Counter(self._back_days(d, n) for d in days)
            gap = max(counts, key=lambda d: (counts[d], d))  # the usual gap
        if task.time is not None:
            trigger = f"-P{gap}D" if gap else "-PT0S"
        else:  # all day: 08:00 local, `gap` days before
            trigger = f"-P{gap - 1}DT16H" if gap else "PT8H"
        return _alarm_block(_offset_vi(Offset(-n, reminder.working)), task.title, trigger)

    def _back_days(self, day: date, n: int) -> int:
        """Calendar days from ``n`` working days before ``day`` to ``day``."""
        key = (day, n)
        found = self._back.get(key)
        if found is None:
            found = self._back[key] = (day - self.timeline.calendar.add_working_days(day, -n)).days
        return found


@lru_cache(maxsize=8192)
def _text_line(name: str, text: str) -> bytes:
    """A folded TEXT property line (the same texts repeat across units and communes)."""
    return fold(f"{name}:{escape_text(text)}") + b"\r\n"


@lru_cache(maxsize=1024)
def _categories(values: tuple[str, ...]) -> bytes:
    return fold("CATEGORIES:" + ",".join(escape_text(c) for c in values)) + b"\r\n"


@lru_cache(maxsize=4096)
def _alarm_block(before: str, title: str, trigger: str) -> bytes:
    note = f"Nhắc việc ({before} trước hạn): {title}"
    return _lines(["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{escape_text(note)}",
                   f"TRIGGER:{trigger}", "END:VALARM"])  # fmt: skip


def _rule(task: Task, plan: Plan) -> str | None:
    """The rule behind a duty's dates: its recurrence, or a continuous task's check-ins."""
    if task.recurring:
        return task.recurrence
    if task.window.continuous:
        return task.check_in or plan.check_in
    return None


def _offset_vi(offset: Offset) -> str:
    kind = "ngày làm việc" if offset.working else "ngày"
    return f"{abs(offset.days)} {kind}" if offset.days <= 0 else f"+{offset.days} {kind}"


# ------------------------------------------------------------------------ public API


def _feed(
    feed: _Feed, name: str, description: str, items: Iterable[tuple[Duty, Role | None]]
) -> Iterator[bytes]:
    yield feed.header(name, description)
    for duty, role in items:
        yield feed.components(duty, role)
    yield b"END:VCALENDAR\r\n"


def _plan_chunks(feed: _Feed) -> Iterator[bytes]:
    plan = feed.plan
    description = f"Toàn bộ nhiệm vụ của {plan.title} ({plan.issuer}). Xuất bởi planflow."
    items = ((duty, None) for duty in feed.timeline.duties)
    return _feed(feed, plan.title, description, items)


def _unit_chunks(feed: _Feed, unit_id: str, items: Sequence[tuple[Duty, Role]]) -> Iterator[bytes]:
    plan, unit = feed.plan, feed.plan.unit(unit_id)
    description = (
        f"Nhiệm vụ {unit.name} chủ trì và phối hợp (đánh dấu [Phối hợp]) theo {plan.title} "
        f"({plan.issuer}). Xuất bởi planflow."
    )
    return _feed(feed, f"{unit.name} – {plan.title}", description, items)


def plan_feed(
    plan: Plan,
    *,
    timeline: Timeline | None = None,
    expand: bool = False,
    todos: bool = False,
    state: FeedState | None = None,
) -> bytes:
    """The whole plan's feed: every duty of every unit.

    :param timeline: the plan's timeline, if already built (else one is built).
    :param expand: one VEVENT per occurrence instead of one recurring VEVENT per duty,
        for clients with weak RRULE support.
    :param todos: add one VTODO per occurrence (Google Calendar ignores them).
    :param state: SEQUENCE numbers to use and update; without one, SEQUENCE is 0.
    :returns: the iCalendar bytes (UTF-8, CRLF, folded).
    """
    feed = _Feed(plan, timeline or Timeline(plan), expand=expand, todos=todos, state=state)
    return b"".join(_plan_chunks(feed))


def unit_feed(
    plan: Plan,
    unit_id: str,
    *,
    timeline: Timeline | None = None,
    expand: bool = False,
    todos: bool = False,
    state: FeedState | None = None,
) -> bytes:
    """One unit's feed: what it leads, and what it coordinates (marked ``[Phối hợp]``
    in SUMMARY and ``Phối hợp`` in CATEGORIES). Options as for :func:`plan_feed`.

    :raises ModelError: the plan has no unit ``unit_id``.
    """
    timeline = timeline or Timeline(plan)
    items = unit_duties(timeline, unit_id)
    feed = _Feed(plan, timeline, expand=expand, todos=todos, state=state)
    return b"".join(_unit_chunks(feed, unit_id, items))


def write_plan_feed(
    plan: Plan, stream: IO[bytes], *, timeline: Timeline | None = None, expand: bool = False,
    todos: bool = False, state: FeedState | None = None,
) -> None:  # fmt: skip
    """Stream :func:`plan_feed` to a binary file object, one component at a time."""
    feed = _Feed(plan, timeline or Timeline(plan), expand=expand, todos=todos, state=state)
    for chunk in _plan_chunks(feed):
        stream.write(chunk)


def write_unit_feed(
    plan: Plan, unit_id: str, stream: IO[bytes], *, timeline: Timeline | None = None,
    expand: bool = False, todos: bool = False, state: FeedState | None = None,
) -> None:  # fmt: skip
    """Stream :func:`unit_feed` to a binary file object, one component at a time."""
    timeline = timeline or Timeline(plan)
    items = unit_duties(timeline, unit_id)
    feed = _Feed(plan, timeline, expand=expand, todos=todos, state=state)
    for chunk in _unit_chunks(feed, unit_id, items):
        stream.write(chunk)


def export_feeds(
    plan: Plan,
    out_dir: str | os.PathLike[str],
    *,
    expand: bool = False,
    unit: str | None = None,
    todos: bool = False,
    timeline: Timeline | None = None,
) -> list[Path]:
    """Write ``out_dir/plan.ics`` and ``out_dir/units/<unit id>.ics`` for every unit.

    With ``unit``, only that unit's feed is written. SEQUENCE numbers are kept in
    ``out_dir/.planflow-feed-state.json``. Each file is streamed to a temporary
    file and moved into place, and left untouched (same mtime) when its bytes did
    not change, so a web server never serves half a feed.

    :returns: the paths of the feeds, plan feed first.
    :raises ModelError: ``unit`` is not a unit of the plan.
    """
    out = Path(out_dir)
    timeline = timeline or Timeline(plan)
    if unit is not None:
        _check_unit(plan, unit)
    state = FeedState.load(out / STATE_FILE)
    feed = _Feed(plan, timeline, expand=expand, todos=todos, state=state)
    (out / "units").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if unit is None:
        written.append(_write(out / "plan.ics", _plan_chunks(feed)))
    index = _index(timeline)
    for unit_id in [unit] if unit is not None else [u.id for u in plan.units]:
        assert unit_id is not None
        chunks = _unit_chunks(feed, unit_id, index.get(unit_id, []))
        written.append(_write(out / "units" / f"{unit_id}.ics", chunks))
    state.save(out / STATE_FILE)
    return written


def _write(path: Path, chunks: Iterable[bytes]) -> Path:
    temp = path.with_name(f".{path.name}.tmp")
    with temp.open("wb") as stream:
        for chunk in chunks:
            stream.write(chunk)
    _settle(temp, path)
    return path


def _replace_text(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    _settle(temp, path)


def _settle(temp: Path, path: Path) -> None:
    """Move ``temp`` onto ``path``, unless ``path`` already holds the same bytes."""
    try:
        same = path.stat().st_size == temp.stat().st_size and filecmp.cmp(temp, path, False)
    except FileNotFoundError:
        same = False
    if same:
        temp.unlink()
    else:
        os.replace(temp, path)
