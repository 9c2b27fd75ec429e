"""Rendering one plan's components: each duty's VEVENT (and VTODOs) as bytes.

A duty's components are the same in every feed that shows it but for SUMMARY and
CATEGORIES, which say the unit's role; so the shared part is rendered once and the
whole once per role, and kept in a bounded LRU cache (a unit's duties are close
together in plan order, so an export renders each duty about once). What the
communes of one template share (the series, the alarm, the texts) is cached by
schedule or by text, so a duty costs a few microseconds more than writing it.
"""

from __future__ import annotations

import hashlib
from collections import Counter, OrderedDict
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import attrs

from planflow.feeds._lines import categories, escape_text, fold, lines, param, stamp, text_line, ymd
from planflow.feeds.coordination import Part, coordination_parts, hand_over_lines
from planflow.feeds.hooks import Adjuster
from planflow.feeds.progress import Mark, Progress, status_lines
from planflow.feeds.selection import Role
from planflow.feeds.series import DateLines, Series, encode, rule_of
from planflow.feeds.state import FeedState
from planflow.plan.model import DependencyMode, Group, Offset, Period, Plan, Task, TimeRange, Window
from planflow.timeline.occurrences import Duty, Occurrence, Timeline
from planflow.timeline.schedule import ScheduledDate, effective_window

Schedule = tuple[ScheduledDate, ...]

__all__ = ["PRODID", "REFRESH_INTERVAL", "Renderer"]

REFRESH_INTERVAL = "PT12H"
PRODID = "-//planflow//planflow calendar feeds//VI"
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal",
                        "Etc/Zulu", "Zulu"})  # fmt: skip
_CACHE_SIZE = 1024  # duties whose rendered components are kept (bounds memory)

ROLE_VI = {Role.LEAD: "Chủ trì", Role.COORDINATOR: "Phối hợp"}
_PER_VI = {
    Period.DAY: "ngày", Period.WEEK: "tuần", Period.MONTH: "tháng", Period.QUARTER: "quý",
    Period.HALF: "6 tháng", Period.YEAR: "năm", Period.WINDOW: "đợt",
    Period.REPORTING: "kỳ báo cáo",
}  # fmt: skip
_MODE_VI = {
    DependencyMode.TASK: "toàn bộ",
    DependencyMode.SAME_PERIOD: "cùng kỳ",
    DependencyMode.ALL: "tất cả đơn vị, cùng kỳ",
    DependencyMode.PREVIOUS: "lần trước",
    DependencyMode.IN_PERIOD: "các lần trong kỳ",
}


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, year: int) -> bytes:
    """The VTIMEZONE for ``tzid`` over the plan year, from icalendar."""
    from icalendar import Timezone

    # from 1970: a client reads a time before the first observance as UTC (ical.js)
    last = max(date(2038, 1, 1), date(year + 1, 2, 1))
    ical: bytes = Timezone.from_tzid(tzid, first_date=date(1970, 1, 1), last_date=last).to_ical()
    return ical if ical.endswith(b"\r\n") else ical + b"\r\n"


@attrs.define
class _Entry:
    """A duty's components: the parts every feed shares, and the whole by role."""

    renders: dict[object, bytes] = attrs.field(factory=dict)  # by role (and coordinator)
    # (head, tail, mark, the coordinators whose feeds show it: None for all)
    parts: list[tuple[bytes, bytes, str, frozenset[str] | None]] = attrs.field(factory=list)


class Renderer:
    """Renders the components of one plan's feeds (one export, or one feed)."""

    def __init__(
        self, plan: Plan, timeline: Timeline, *, expand: bool, todos: bool,
        state: FeedState | None,
        adjust: Adjuster | None = None, progress: Progress | None = None,
    ) -> None:  # fmt: skip
        timeline.check_size()  # a plan past the occurrence limits is refused before any work
        self.plan, self.timeline = plan, timeline
        self.progress = progress  # marks of finished and overdue occurrences, if any
        self.expand, self.todos, self.state = expand, todos, state
        self.adjust = adjust  # plugins' planflow_calendar_component, when any
        self.tzid = plan.timezone
        self.utc = plan.timezone in _UTC_NAMES
        self.dates = DateLines(plan.timezone, self.utc)
        base = plan.issued or date(plan.year, 1, 1)
        self.base = datetime(base.year, base.month, base.day, tzinfo=UTC)
        self.suffix = f"@{plan.id}.planflow"
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._back: dict[tuple[date, int], int] = {}
        self._stamps: dict[int, bytes] = {}
        # by schedule (the timeline shares one per template): (schedule, days, series)
        self._series: dict[int, tuple[object, tuple[date, ...], Series]] = {}
        self._event_dates: dict[tuple[int, TimeRange | None], bytes] = {}
        self._triggers: dict[tuple[int, Offset, bool], tuple[str, str]] = {}
        self._spans: dict[int, tuple[Window, str]] = {}
        self._stretches: dict[tuple[int, date | None, date | None], Schedule] = {}
        self._header: tuple[bytes, bytes] | None = None

    # --- calendar ---------------------------------------------------------------

    def header(self, name: str, description: str) -> bytes:
        """VCALENDAR properties and the VTIMEZONE (unless the plan's zone is UTC)."""
        if self._header is None:
            after = lines([
                f"X-WR-TIMEZONE:{escape_text(self.tzid)}",
                f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH_INTERVAL}",
                f"X-PUBLISHED-TTL:{REFRESH_INTERVAL}",
            ])  # fmt: skip
            self._header = (
                lines(["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]),
                after if self.utc else after + _vtimezone(self.tzid, self.plan.year),
            )
        before, after = self._header
        # not text_line: every unit's name is new, and would push shared texts out
        name_line = fold(f"X-WR-CALNAME:{escape_text(name)}")
        description_line = fold(f"X-WR-CALDESC:{escape_text(description)}")
        return b"%s%s\r\n%s\r\n%s" % (before, name_line, description_line, after)

    def components(self, duty: Duty, role: Role | None, unit: str | None = None) -> bytes:
        """Every component of one duty as seen in a feed (``role`` None: the plan feed);
        a coordinating ``unit`` sees only the stretches it coordinates."""
        cache = self._cache
        entry = cache.get(duty.id)
        if entry is None:
            entry = cache[duty.id] = self._entry(duty)
            if len(cache) > _CACHE_SIZE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(duty.id)
        split = role is Role.COORDINATOR and any(part[3] is not None for part in entry.parts)
        key = (role, unit) if split else role
        found = entry.renders.get(key)
        if found is None:
            parts = [p for p in entry.parts if not split or p[3] is None or unit in p[3]]
            texts = {mark: self._role_lines(duty, role, mark) for mark in {p[2] for p in parts}}
            found = b"".join([head + texts[mark] + common for head, common, mark, _ in parts])
            if self.adjust is not None:
                found = self.adjust(duty, found)
            entry.renders[key] = found
        return found

    # --- one duty ---------------------------------------------------------------

    def _entry(self, duty: Duty) -> _Entry:
        """Render what a duty's components share in every feed; the role lines vary.

        When a coordinating unit ends (or begins) mid-year, each stretch with its own
        coordinators is a component of its own (see :func:`coordination_parts`)."""
        occurrences = self.timeline.occurrences(duty.id)
        entry = _Entry()
        if not occurrences:
            return entry
        for part in coordination_parts(self.timeline, duty, occurrences):
            self._part(entry, duty, part)
        return entry

    def _part(self, entry: _Entry, duty: Duty, part: Part) -> None:
        task, occurrences = duty.task, part.occurrences
        text = self._description(duty, duty.unit, part.units, self.timeline.occurrences(duty.id))
        description = text_line("DESCRIPTION", text + part.note)
        people = self._people(duty.unit, part.units)
        plain = self._role_lines(duty, None)
        units: list[tuple[bytes, str, bytes, Mark | None]] = []  # (kind, uid, common, mark)
        marks = self.progress or {}
        if self.expand:
            for occ in occurrences:
                uid = f"{duty.id}/{ymd(occ.nominal)}{self.suffix}"
                dates = self.dates.event(task.time, Series(occ.due))
                units.append((b"VEVENT", uid, dates + description + people
                              + self._alarm(task, (occ.due,)), marks.get(occ.key)))  # fmt: skip
        else:
            key, days = self._series_of(duty, occurrences, part)
            found = self._event_dates.get((key, task.time))
            if found is None:
                series = self._series[key][2]
                found = self._event_dates[key, task.time] = self.dates.event(task.time, series)
            alarm = self._series_alarm(task, key, days)
            common = found + description + people + alarm
            units.append((b"VEVENT", duty.id + part.uid_tail + self.suffix, common, None))
        if self.todos:
            for occ in occurrences:
                uid = f"{duty.id}/{ymd(occ.nominal)}/todo{self.suffix}"
                common = self.dates.todo(occ) + description + people
                units.append((b"VTODO", uid, common, marks.get(occ.key)))
        for kind, uid, common, mark in units:
            prefix = mark.prefix if mark is not None else ""
            common = status_lines(mark, kind) + common
            sequence = 0
            if self.state is not None:
                # the mark is part of what the client sees: a new mark, a new SEQUENCE
                digest = hashlib.sha256(b"%s\n%s%s%s" % (kind, prefix.encode(), plain, common))
                sequence = self.state.sequence(uid, digest.hexdigest()[:32])
            head = b"BEGIN:%s\r\n%s\r\n%s" % (kind, fold("UID:" + uid), self._stamp(sequence))
            if kind == b"VEVENT":
                common += b"TRANSP:OPAQUE\r\n" if task.time else b"TRANSP:TRANSPARENT\r\n"
            entry.parts.append((head, common + b"END:%s\r\n" % kind, prefix, part.who))

    def _stamp(self, sequence: int) -> bytes:
        """DTSTAMP, LAST-MODIFIED (the plan's date plus SEQUENCE seconds) and SEQUENCE."""
        found = self._stamps.get(sequence)
        if found is None:
            moment = stamp(self.base + timedelta(seconds=sequence))
            found = self._stamps[sequence] = lines(
                [f"DTSTAMP:{moment}", f"LAST-MODIFIED:{moment}", f"SEQUENCE:{sequence}"]
            )
        return found

    def _series_of(
        self, duty: Duty, occurrences: tuple[Occurrence, ...], part: Part
    ) -> tuple[int, tuple[date, ...]]:
        """A key for the part's dates (shared by every duty on the same schedule and
        stretch) and its sorted due dates; the series is encoded the first time."""
        task = duty.task
        schedule = self.timeline.duty_schedule(duty)
        if part.who is not None:  # one stretch of a duty whose coordinators change
            stretch = (id(schedule), part.since, part.until)
            if stretch not in self._stretches:
                dues = {o.due for o in occurrences}
                self._stretches[stretch] = tuple(d for d in schedule if d[1] in dues)
            schedule = self._stretches[stretch]
        key = id(schedule)
        found = self._series.get(key)
        if found is None:
            days = tuple(sorted({o.due for o in occurrences}))
            window = effective_window(task.window, self.plan.start) or task.window
            end = min(window.end, part.until or window.end)
            series = encode(days, rule_of(task, self.plan), window.start, end)
            found = self._series[key] = (schedule, days, series)
        return key, found[1]

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

    def _role_lines(self, duty: Duty, role: Role | None, mark: str = "") -> bytes:
        """SUMMARY (after ``mark``, see :mod:`planflow.feeds.progress`) and CATEGORIES:
        the lines that depend on the unit's role."""
        out = text_line("SUMMARY", mark + self._summary(duty, role))
        values = (*duty.task.category, *([ROLE_VI[role]] if role else []))
        if values:
            out += categories(values)
        return out

    def _people(self, lead: str, coordinators: tuple[str, ...]) -> bytes:
        """ORGANIZER (the lead) and ATTENDEEs (coordinators), for units with e-mail."""
        organizer = self.plan.unit(lead)
        if not organizer.email:
            return b""
        return _people_lines(
            (organizer.name, organizer.email),
            tuple((u.name, u.email) for u in map(self.plan.unit, coordinators) if u.email),
        )

    def _span(self, window: Window) -> str:
        found = self._spans.get(id(window))
        if found is None:
            span = f"{window.start:%d/%m/%Y} – {window.end:%d/%m/%Y}"
            text = f"Thời gian: {window.label} ({span})" if window.label else f"Thời gian: {span}"
            found = self._spans[id(window)] = (window, text)
        return found[1]

    def _description(
        self, duty: Duty, lead: str, coordinators: tuple[str, ...],
        occurrences: tuple[Occurrence, ...],
    ) -> str:  # fmt: skip
        task, plan = duty.task, self.plan
        window = effective_window(task.window, plan.start) or task.window
        rows = [task.title]
        if task.title_en:
            rows.append(task.title_en)
        if task.ref:
            rows.append(f"Mục: {task.ref}")
        rows.append(f"Chủ trì: {self._name(lead)}")
        if coordinators:
            rows.append("Phối hợp: " + "; ".join(self._name(u) for u in coordinators))
        rows.append(self._span(window))
        rows.extend(hand_over_lines(plan, duty))
        if task.recurring:
            pass
        elif task.period is Period.REPORTING and not window.continuous:
            names = {p.id: p.name for p in plan.reporting_periods}
            dues = ", ".join(
                f"{names.get(o.period, o.period)} {o.due:%d/%m/%Y}" for o in occurrences
            )
            rows.append(f"Hạn báo cáo từng kỳ: {dues}.")
        elif window.continuous:
            rows.append("Nhiệm vụ thường xuyên: lịch là các lần kiểm tra tiến độ định kỳ.")
        else:
            due = occurrences[0].due
            rows.append(f"Hạn hoàn thành: {due:%d/%m/%Y} (thực hiện trong cả thời gian trên).")
        if task.due is not None:
            rows.append(f"Hạn sau mỗi lần: {offset_vi(task.due)}")
        if task.target is not None:
            t = task.target
            about = "khoảng " if t.approximate else ""
            rows.append(f"Chỉ tiêu: {about}{t.count} {t.unit or 'lần'}/{_PER_VI[t.per]}")
        # only the waits the timeline has (a dependency that matches nothing is not announced)
        waited = {k[0].split("@", 1)[0] for o in occurrences for k in o.waits_for}
        for dep in task.after:
            if dep.task not in waited:
                continue
            title = plan.task(dep.task).title if dep.task != task.id else "lần trước của nhiệm vụ"
            lag = f", {offset_vi(dep.lag)}" if dep.lag.days else ""
            rows.append(f"Chờ: {title} ({_MODE_VI[dep.mode]}{lag})")
        rows.append(f"Kế hoạch: {plan.title} – {plan.issuer}")
        return "\n".join(rows)

    # --- reminders --------------------------------------------------------------

    def _series_alarm(self, task: Task, key: int, days: tuple[date, ...]) -> bytes:
        """:meth:`_alarm` for a series, its trigger cached by schedule."""
        reminder = task.reminder or self.plan.reminder
        timed = task.time is not None
        found = self._triggers.get((key, reminder, timed))
        if found is None:
            found = self._triggers[key, reminder, timed] = self._trigger(reminder, timed, days)
        return _alarm_block(found[0], task.title, found[1])

    def _alarm(self, task: Task, days: tuple[date, ...]) -> bytes:
        """A VALARM ``reminder`` before the event (08:00 for all-day events)."""
        reminder = task.reminder or self.plan.reminder
        before, trigger = self._trigger(reminder, task.time is not None, days)
        return _alarm_block(before, task.title, trigger)

    def _trigger(self, reminder: Offset, timed: bool, days: tuple[date, ...]) -> tuple[str, str]:
        """(how long before, in words; the TRIGGER value): the usual gap over ``days``."""
        n = abs(reminder.days)
        gap = n
        if reminder.working and n:
            counts = Counter(self._back_days(d, n) for d in days)
            gap = max(counts, key=lambda d: (counts[d], d))  # the usual gap
        if timed:
            trigger = f"-P{gap}D" if gap else "-PT0S"
        else:  # all day: 08:00 local, `gap` days before
            trigger = f"-P{gap - 1}DT16H" if gap else "PT8H"
        return offset_vi(Offset(-n, reminder.working)), trigger

    def _back_days(self, day: date, n: int) -> int:
        """Calendar days from ``n`` working days before ``day`` to ``day``."""
        key = (day, n)
        found = self._back.get(key)
        if found is None:
            found = self._back[key] = (day - self.timeline.calendar.add_working_days(day, -n)).days
        return found


@lru_cache(maxsize=4096)
def _people_lines(organizer: tuple[str, str], attendees: tuple[tuple[str, str], ...]) -> bytes:
    out = [f"ORGANIZER;CN={param(organizer[0])}:mailto:{organizer[1]}"]
    for name, email in attendees:
        params = f"CN={param(name)};CUTYPE=GROUP;ROLE=REQ-PARTICIPANT;RSVP=FALSE"
        out.append(f"ATTENDEE;{params}:mailto:{email}")
    return lines(out)


@lru_cache(maxsize=4096)
def _alarm_block(before: str, title: str, trigger: str) -> bytes:
    note = f"Nhắc việc ({before} trước hạn): {title}"
    return lines(["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{escape_text(note)}",
                  f"TRIGGER:{trigger}", "END:VALARM"])  # fmt: skip


def offset_vi(offset: Offset) -> str:
    """An offset in words: ``2 ngày làm việc``, ``+5 ngày``."""
    kind = "ngày làm việc" if offset.working else "ngày"
    return f"{abs(offset.days)} {kind}" if offset.days <= 0 else f"+{offset.days} {kind}"
