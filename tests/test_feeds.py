"""Calendar feeds: round trip through recurring-ical-events, RFC 5545 hygiene, stability."""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
import recurring_ical_events
from click.testing import CliRunner
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from icalendar import Calendar, Event

import planflow.cli.export  # (registers `planflow export` until cli.py imports it)
import planflow.feeds.export
from planflow.cli.main import cli
from planflow.feeds import STATE_FILE, FeedState, export_feeds, fold, plan_feed, unit_feed
from planflow.plan.errors import ModelError
from planflow.plan.loading import load_plan, loads
from planflow.plan.model import Group, Plan
from planflow.timeline.occurrences import Timeline
from plans import EXAMPLE_DIR, docs_example, write_docs_example
from strategies import plans

TIMED_PLAN = """\
plan: {id: timed, title: "Họp giao ban", issuer: "UBND xã Thử", year: 2025}
calendar: {reminder: 2 days}
units:
  - {id: vp, name: "Văn phòng", contacts: {email: "vp@xa.gov.vn"}}
  - {id: ca, name: "Công an xã, đội 1; \\"A\\"", contacts: {email: "ca@xa.gov.vn"}}
tasks:
  - id: weekly-meeting
    title: "Họp giao ban tuần"
    lead: vp
    coordinators: [ca]
    window: 2025
    recurrence: "FREQ=WEEKLY;BYDAY=TU"
    time: "08:00-11:30"
  - id: q4-review
    ref: C.III.1
    title: "Sơ kết công tác năm"
    lead: ca
    window: Q4/2025
  - id: monthly
    title: "Họp tháng"
    lead: vp
    window: Q2/2025
    recurrence: "FREQ=MONTHLY;BYDAY=2WE"
    time: "14:00-16:00"
"""


# --------------------------------------------------------------------------- helpers


def docs_plan() -> Plan:
    """The complete small example of docs/plan-format.md."""
    return loads(docs_example()).plan


def with_reasons(plan: Plan) -> Plan:
    """tests/strategies.py may give a day off an empty reason, which WorkCalendar refuses."""
    return attrs.evolve(
        plan,
        days_off=[(d, r or "nghỉ", s) for d, r, s in plan.days_off],
        working_days=[(d, r or "làm bù", s) for d, r, s in plan.working_days],
    )


def example_plan() -> Plan:
    """The Bờ Y example, or a skip while it is being written."""
    if not (EXAMPLE_DIR / "plan.yaml").exists():
        pytest.skip("examples/boy_2025/plan.yaml is not there yet")
    return load_plan(EXAMPLE_DIR)


def communes(plan: Plan, count: int) -> Plan:
    """``count`` copies of a plan, ids prefixed ``cN-`` (bench/national.py, in small)."""
    units, tasks = [], []
    for c in range(count):
        p = f"c{c}-"
        for unit in plan.units:
            members = (
                {"members": tuple(p + m for m in unit.members)} if isinstance(unit, Group) else {}
            )
            units.append(attrs.evolve(unit, id=p + unit.id, aliases=(), **members))
        tasks.extend(
            attrs.evolve(
                task, id=p + task.id, lead=p + task.lead,
                coordinators=tuple(p + u for u in task.coordinators),
                after=tuple(attrs.evolve(d, task=p + d.task) for d in task.after),
            )
            for task in plan.tasks
        )  # fmt: skip
    return attrs.evolve(plan, units=units, tasks=tasks)


def duty_of(uid: str) -> str:
    """The duty id in a UID: ``<duty>[/<YYYYMMDD>[/todo]]@<plan>.planflow``."""
    return uid.rsplit("@", 1)[0].split("/", 1)[0]


def read_back(feed: bytes, year: int) -> dict[str, list[Any]]:
    """Every occurrence in a feed, by duty, as recurring-ical-events expands it."""
    calendar = Calendar.from_ical(feed)
    found: dict[str, list[Any]] = defaultdict(list)
    for event in recurring_ical_events.of(calendar).between(
        date(year - 1, 1, 1), date(year + 2, 1, 1)
    ):
        start = event.decoded("DTSTART")
        if isinstance(start, datetime):
            start = start.astimezone(UTC)
        found[duty_of(str(event["UID"]))].append(start)
    return {k: sorted(v) for k, v in found.items()}


def expected(timeline: Timeline, unit_id: str | None) -> dict[str, list[Any]]:
    """What the timeline says a feed must hold: each duty's due dates (UTC start times)."""
    plan = timeline.plan
    zone = ZoneInfo(plan.timezone)
    out: dict[str, list[Any]] = {}
    for duty in timeline.duties:
        if unit_id is not None:
            leads = {duty.unit, *plan.members(duty.unit)}
            coordinators = set(timeline.units_of(duty)[1]) | set(duty.task.coordinators)
            if unit_id not in leads | coordinators:
                continue
        tr = duty.task.time
        days = [o.due for o in timeline.occurrences(duty.id)]
        if tr is not None:
            days = [datetime.combine(d, tr.start, zone).astimezone(UTC) for d in days]
        if days:
            out[duty.id] = sorted(days)
    return out


def physical_lines(feed: bytes) -> list[bytes]:
    """The feed split at CRLF (folded lines stay separate)."""
    assert feed.endswith(b"\r\n")
    return feed[:-2].split(b"\r\n")


def unfolded(feed: bytes) -> list[str]:
    """Content lines, unfolded."""
    return feed.decode().replace("\r\n ", "").split("\r\n")[:-1]


def components(feed: bytes, kind: str = "VEVENT") -> dict[str, str]:
    """UID (with RECURRENCE-ID-free feeds, unique) → the component's unfolded text."""
    text = feed.decode().replace("\r\n ", "")
    out = {}
    for block in re.findall(rf"BEGIN:{kind}\r\n.*?END:{kind}\r\n", text, re.S):
        uid = re.search(r"^UID:(.*)$", block, re.M)
        assert uid is not None
        out[uid.group(1).strip()] = block
    return out


def check_round_trip(plan: Plan, *, expand: bool) -> None:
    """Plan feed and every unit feed give back the timeline's occurrences."""
    timeline = Timeline(plan)
    feed = plan_feed(plan, timeline=timeline, expand=expand)
    check_rules(feed)
    want = expected(timeline, None)
    got = read_back(feed, plan.year)
    if expand:
        assert got == want
    else:  # a series is a set: two occurrences moved onto one day show once
        assert {k: sorted(set(v)) for k, v in got.items()} == {
            k: sorted(set(v)) for k, v in want.items()
        }
    for unit in plan.units:
        ufeed = unit_feed(plan, unit.id, timeline=timeline, expand=expand)
        got = {k: sorted(set(v)) for k, v in read_back(ufeed, plan.year).items()}
        assert got == {k: sorted(set(v)) for k, v in expected(timeline, unit.id).items()}


def check_rules(feed: bytes) -> None:
    """The rules every client reads alike (DESIGN.md, "Calendar feeds")."""
    lines = physical_lines(feed)
    assert b"\n" not in b"".join(lines)
    assert b"\r" not in b"".join(lines)
    for line in lines:
        assert len(line) <= 75
        line.decode()  # never a split UTF-8 character
    text = unfolded(feed)
    zones = {line.split(":", 1)[1] for line in text if line.startswith("TZID:")}
    used = set(re.findall(r";TZID=([^:;]+)", "\n".join(text)))
    assert used <= zones
    assert not zones & {"UTC", "Etc/UTC"}
    for block in components(feed).values():
        props = {
            re.split(r"[;:]", line, maxsplit=1)[0]: line
            for line in block.split("\r\n")
            if line and not line.startswith(("BEGIN:VALARM", "END:VALARM"))
        }
        assert "UID" in props
        assert "DTSTAMP" in props
        start = props["DTSTART"]
        kind = "date" if "VALUE=DATE" in start else ("utc" if start.endswith("Z") else "local")
        for name in ("EXDATE", "RDATE"):
            if name in props:
                value = props[name]
                assert kind == (
                    "date" if "VALUE=DATE" in value else "utc" if value.endswith("Z") else "local"
                )
        if "RRULE" in props:
            rule = props["RRULE"].split(":", 1)[1]
            until = re.search(r"UNTIL=([0-9TZ]+)", rule)
            if rule == "FREQ=DAILY;COUNT=1":
                assert "RDATE" in props  # the DTSTART + RDATE form
            else:
                assert until is not None
                assert until.group(1).endswith("Z") == (kind != "date")
            first = _dt(start.split(":", 1)[1])
            # naive local instances; a UTC UNTIL is widened to the end of its day
            local = re.sub(r"UNTIL=(\d{8})(T\d{6}Z)?", r"UNTIL=\1T235959", rule)
            assert "UNTIL" in local or "COUNT" in local
            instances = list(rrulestr(local, dtstart=first))
            assert instances[0] == first  # DTSTART is an instance of its rule
            if "RDATE" in props:
                rdates = {_dt(v) for v in props["RDATE"].split(":", 1)[1].split(",")}
                assert not rdates & set(instances)


def _dt(value: str) -> datetime:
    value = value.rstrip("Z")
    return datetime.strptime(value, "%Y%m%dT%H%M%S" if "T" in value else "%Y%m%d")


# ------------------------------------------------------------------------ round trip


WEEKLY_SETPOS_PLAN = """
plan: {id: setpos, title: "Trực", issuer: "UBND xã", year: 2025}
units: [{id: u, name: "Đơn vị"}]
tasks:
  - {id: rota, title: "Trực ban", lead: u, window: "2025-01-07..2025-01-31",
     recurrence: "FREQ=WEEKLY;BYDAY=MO,TU,WE;BYSETPOS=2", shift: keep}
"""


class TestRoundTrip:
    """The occurrences a client reads from a feed are the timeline's."""

    @pytest.mark.parametrize("expand", [False, True])
    def test_docs_example(self, expand: bool) -> None:
        """The docs example, series and expanded."""
        check_round_trip(docs_plan(), expand=expand)

    @pytest.mark.parametrize("expand", [False, True])
    def test_boy_2025(self, expand: bool) -> None:
        """The Bờ Y example, series and expanded."""
        check_round_trip(example_plan(), expand=expand)

    @pytest.mark.parametrize("expand", [False, True])
    def test_timed(self, expand: bool) -> None:
        """Timed tasks: TZID start times, in UTC, match."""
        check_round_trip(loads(TIMED_PLAN).plan, expand=expand)

    @given(plans().map(with_reasons))
    @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_generated(self, plan: Plan) -> None:
        """Any valid plan, series and expanded."""
        check_round_trip(plan, expand=False)
        check_round_trip(plan, expand=True)


class TestKnownAnswers:
    """Dates and encodings checked by hand against the 2025 Vietnamese calendar."""

    def test_weekly_bysetpos_is_written_as_dates(self) -> None:
        """The 2nd of Mon/Tue/Wed each week from Tuesday 7 January 2025: dateutil-based
        clients would add Wednesday 8 January to such a series, so it goes out as a
        date list that every client reads the same way."""
        plan = loads(WEEKLY_SETPOS_PLAN).plan
        block = components(plan_feed(plan))["rota@setpos.planflow"]
        assert "BYSETPOS" not in block
        assert "DTSTART;VALUE=DATE:20250107\r\n" in block
        check_round_trip(plan, expand=False)
        days = read_back(plan_feed(plan), 2025)["rota"]
        # Tuesdays 7, 14, 21 and 28 January (hand-counted; 2nd of Mo/Tu/We is Tuesday)
        assert days == [date(2025, 1, d) for d in (7, 14, 21, 28)]

    def test_tet_moves_the_first_check_in(self) -> None:
        """31/01/2025 is in the Tết holiday (27/01–31/01), so January's month-end
        check-in moves back to Friday 24/01/2025."""
        feed = plan_feed(docs_plan()).decode()
        block = components(feed.encode())["tthc-publication@xa-mau-2025.planflow"]
        assert "DTSTART;VALUE=DATE:20250124\r\n" in block
        assert "DTEND;VALUE=DATE:20250125\r\n" in block
        # the first date is not a rule date, so: DTSTART + RDATE, with a one-instance
        # rule so that ical.js counts DTSTART too; 31/05 is a Saturday → 30/05
        assert "RRULE:FREQ=DAILY;COUNT=1\r\n" in block
        assert "EXDATE" not in block
        rdate = re.search(r"^RDATE;VALUE=DATE:(.*)\r$", block, re.M)
        assert rdate is not None
        assert rdate.group(1).split(",")[:5] == [
            "20250228", "20250331", "20250429", "20250530", "20250630"
        ]  # fmt: skip

    def test_first_monday_is_a_plain_rule(self) -> None:
        """First Mondays of 2025 are working days except 07/04 (Hùng Kings, moved to
        Friday 04/04) and 01/09 (National Day, moved to Friday 29/08): RRULE + EXDATE
        of the two nominal dates + RDATE of the two they moved to."""
        block = components(plan_feed(docs_plan()))["radio-programme@xa-mau-2025.planflow"]
        assert "DTSTART;VALUE=DATE:20250106\r\n" in block
        assert "RRULE:FREQ=MONTHLY;UNTIL=20251201;BYDAY=MO;BYSETPOS=1\r\n" in block
        assert "EXDATE;VALUE=DATE:20250407,20250901\r\n" in block
        assert "RDATE;VALUE=DATE:20250404,20250829\r\n" in block

    def test_one_off_is_one_day_on_the_deadline(self) -> None:
        """A task over Q4 is one all-day event on its due date, the window in the text."""
        block = components(plan_feed(docs_plan()))["dx-day@xa-mau-2025.planflow"]
        assert "DTSTART;VALUE=DATE:20251010\r\n" in block
        block = components(plan_feed(loads(TIMED_PLAN).plan))["q4-review@timed.planflow"]
        assert "DTSTART;VALUE=DATE:20251231\r\n" in block
        assert "DTEND;VALUE=DATE:20260101\r\n" in block
        assert "RRULE" not in block
        assert "RDATE" not in block
        assert "01/10/2025 – 31/12/2025" in block

    def test_timed_series(self) -> None:
        """Tuesdays 08:00 Hồ Chí Minh time: TZID, VTIMEZONE, UNTIL in UTC (01:00Z)."""
        feed = plan_feed(loads(TIMED_PLAN).plan)
        text = feed.decode().replace("\r\n ", "")
        block = components(feed)["weekly-meeting@timed.planflow"]
        assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20250107T080000\r\n" in block
        assert "DTEND;TZID=Asia/Ho_Chi_Minh:20250107T113000\r\n" in block
        # last Tuesday of 2025 is 30/12, 08:00 +07 = 01:00Z
        assert "RRULE:FREQ=WEEKLY;UNTIL=20251230T010000Z;BYDAY=TU\r\n" in block
        # 28/01 is in Tết (27/01–31/01 off) and 02/09 National Day (01/09 off too):
        # the previous working days are Fridays 24/01 and 29/08
        assert "EXDATE;TZID=Asia/Ho_Chi_Minh:20250128T080000,20250902T080000\r\n" in block
        assert "RDATE;TZID=Asia/Ho_Chi_Minh:20250124T080000,20250829T080000\r\n" in block
        assert "BEGIN:VTIMEZONE\r\nTZID:Asia/Ho_Chi_Minh\r\n" in text
        assert "TRIGGER:-P2D\r\n" in block  # `reminder: 2 days` before a timed event
        assert "TRANSP:OPAQUE" in block

    def test_utc_plan(self) -> None:
        """A plan in UTC writes Z times and no VTIMEZONE at all."""
        plan = attrs.evolve(loads(TIMED_PLAN).plan, timezone="UTC")
        feed = plan_feed(plan).decode()
        assert "VTIMEZONE" not in feed
        assert "TZID" not in feed
        assert "DTSTART:20250107T080000Z\r\n" in feed
        check_round_trip(plan, expand=False)

    def test_alarm_three_working_days(self) -> None:
        """Default reminder: 3 working days before; 10/10/2025 (Fri) → 07/10 (Tue) 08:00,
        i.e. 2 days 16 hours before the all-day event's midnight start."""
        block = components(plan_feed(docs_plan()))["dx-day@xa-mau-2025.planflow"]
        assert "BEGIN:VALARM\r\nACTION:DISPLAY\r\n" in block
        assert "TRIGGER:-P2DT16H\r\n" in block

    def test_texts_and_people(self) -> None:
        """SUMMARY, DESCRIPTION, CATEGORIES, ORGANIZER/ATTENDEE only with e-mail."""
        plan = loads(TIMED_PLAN).plan
        block = components(unit_feed(plan, "ca"))["weekly-meeting@timed.planflow"]
        assert "SUMMARY:[Phối hợp] Họp giao ban tuần – Văn phòng\r\n" in block
        assert "CATEGORIES:Phối hợp\r\n" in block
        assert "ORGANIZER;CN=Văn phòng:mailto:vp@xa.gov.vn\r\n" in block
        assert "ATTENDEE;CN=\"Công an xã, đội 1; 'A'\";CUTYPE=GROUP" in block
        feed = components(plan_feed(docs_plan()))
        block = feed["radio-rebroadcast@xa-mau-2025.planflow"]
        assert "ORGANIZER;CN=Phòng Văn hóa - Xã hội:mailto:vhxh@xamau.gov.vn\r\n" in block
        assert "ATTENDEE" not in block  # the radio has no e-mail address
        assert "ORGANIZER" not in feed["dx-day@xa-mau-2025.planflow"]  # nor has bcd
        description = Calendar.from_ical(plan_feed(docs_plan())).walk("VEVENT")[1]["DESCRIPTION"]
        assert "Mục: C.I.2.c" in description
        assert "Chủ trì: Phòng Văn hóa - Xã hội" in description
        assert "Phối hợp: Đài phát thanh xã" in description
        assert "Chỉ tiêu: 36 lần/năm" in description
        assert "Chờ: Xây dựng, phát sóng chuyên mục phát thanh về chuyển đổi số (cùng kỳ)" in (
            description
        )

    def test_unit_feed_roles(self) -> None:
        """A unit's feed: what it leads plain, what it coordinates marked."""
        plan = docs_plan()
        radio = components(unit_feed(plan, "radio"))
        assert set(radio) == {
            "radio-programme@xa-mau-2025.planflow",
            "radio-rebroadcast@xa-mau-2025.planflow",
            "unit-report@radio@xa-mau-2025.planflow",
        }
        assert "CATEGORIES:CĐS,Phối hợp" in radio["radio-programme@xa-mau-2025.planflow"]
        assert "CATEGORIES:Chủ trì" in radio["unit-report@radio@xa-mau-2025.planflow"]
        with pytest.raises(ModelError, match="did you mean 'radio'"):
            unit_feed(plan, "radoi")

    def test_todos(self) -> None:
        """VTODO per occurrence only when asked for."""
        plan = docs_plan()
        assert b"VTODO" not in plan_feed(plan)
        todos = components(plan_feed(plan, todos=True), "VTODO")
        assert len(todos) == sum(1 for _ in Timeline(plan))
        assert "DUE;VALUE=DATE:20251010" in todos["dx-day/20251010/todo@xa-mau-2025.planflow"]

    def test_calendar_properties(self) -> None:
        """Name, description, zone and refresh interval of the calendar."""
        text = unit_feed(docs_plan(), "vhxh").decode().replace("\r\n ", "")
        assert "X-WR-CALNAME:Phòng Văn hóa - Xã hội – Kế hoạch truyền thông" in text
        assert "X-WR-TIMEZONE:Asia/Ho_Chi_Minh\r\n" in text
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in text
        assert "X-PUBLISHED-TTL:PT12H\r\n" in text


# --------------------------------------------------------------------------- hygiene


class TestHygiene:
    """CRLF, folding, escaping."""

    NASTY = "Tuyên truyền, phổ biến; \\ “chuyển đổi số” 🇻🇳🎉\nDòng hai\r\ncuối " * 4

    def nasty_plan(self) -> Plan:
        plan = docs_plan()
        tasks = [attrs.evolve(t, title=self.NASTY, notes=self.NASTY) for t in plan.tasks]
        return attrs.evolve(plan, tasks=tasks, title=self.NASTY)

    def test_fold(self) -> None:
        """Folding keeps characters whole and lines at 75 octets or fewer."""
        for text in ("a" * 200, "ệ" * 100, "🎉" * 60, "x" + "ệ🎉" * 40):
            folded = fold("SUMMARY:" + text)
            parts = folded.split(b"\r\n")
            assert all(len(p) <= 75 for p in parts)
            assert all(p.startswith(b" ") for p in parts[1:])
            assert [p.decode() for p in parts]  # every physical line is valid UTF-8
            assert folded.replace(b"\r\n ", b"").decode() == "SUMMARY:" + text
        assert fold("x" * 75) == b"x" * 75

    def test_escaping_round_trips(self) -> None:
        """`, ; \\` and newlines survive a parse by icalendar."""
        feed = plan_feed(self.nasty_plan())
        check_rules(feed)
        calendar = Calendar.from_ical(feed)
        want = self.NASTY.replace("\r\n", "\n")
        (name,) = [x for x in unfolded(feed) if x.startswith("X-WR-CALNAME:")]
        # icalendar keeps X- properties raw: read the value back as a SUMMARY
        probe = Event.from_ical(
            f"BEGIN:VEVENT\r\nSUMMARY:{name.split(':', 1)[1]}\r\nEND:VEVENT\r\n"
        )
        assert str(probe["SUMMARY"]) == want
        for event in calendar.walk("VEVENT"):
            assert str(event["SUMMARY"]).startswith(want)
            assert str(event["DESCRIPTION"]).startswith(want)

    def test_every_line_is_crlf(self) -> None:
        """No bare LF anywhere."""
        feed = plan_feed(self.nasty_plan(), todos=True)
        assert feed.count(b"\n") == feed.count(b"\r\n")

    def test_uid_and_dtstamp_everywhere(self) -> None:
        """Every VEVENT and VTODO has UID and DTSTAMP, UIDs are unique."""
        feed = plan_feed(docs_plan(), todos=True, expand=True)
        calendar = Calendar.from_ical(feed)
        uids = []
        for component in calendar.walk():
            if component.name in ("VEVENT", "VTODO"):
                assert "DTSTAMP" in component
                uids.append(str(component["UID"]))
        assert len(uids) == len(set(uids)) > 0


# ------------------------------------------------------------------------- stability


class TestStability:
    """Byte-identical re-exports; one changed task changes one component."""

    def test_uid_is_stable(self) -> None:
        """UIDs come from plan id and duty id, not from content or order."""
        plan = docs_plan()
        before = set(components(plan_feed(plan)))
        reordered = attrs.evolve(plan, tasks=list(reversed(plan.tasks)))
        assert set(components(plan_feed(reordered))) == before
        assert "unit-report@vhxh@xa-mau-2025.planflow" in before

    def test_reexport_is_byte_identical(self, tmp_path: Path) -> None:
        """Twice into the same folder, and into a fresh one: same bytes, files untouched."""
        plan = docs_plan()
        first = export_feeds(plan, tmp_path / "a")
        snapshot = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in first}
        os.utime(first[0], ns=(1, 1))
        again = export_feeds(plan, tmp_path / "a")
        assert again == first
        assert all(p.read_bytes() == snapshot[p][0] for p in again)
        assert first[0].stat().st_mtime_ns == 1  # unchanged bytes: the file was not rewritten
        fresh = export_feeds(plan, tmp_path / "b")
        assert [p.read_bytes() for p in fresh] == [snapshot[p][0] for p in first]
        assert [p.relative_to(tmp_path / "b") for p in fresh][:2] == [
            Path("plan.ics"),
            Path("units/vhxh.ics"),
        ]

    def test_one_change_one_component(self, tmp_path: Path) -> None:
        """Editing one task changes its component only, and its SEQUENCE goes up."""
        plan = docs_plan()
        export_feeds(plan, tmp_path)
        before = components((tmp_path / "plan.ics").read_bytes())
        tasks = [
            attrs.evolve(t, title="Phát lại chuyên mục (sửa)") if t.id == "radio-rebroadcast"
            else t
            for t in plan.tasks
        ]  # fmt: skip
        export_feeds(attrs.evolve(plan, tasks=tasks), tmp_path)
        after = components((tmp_path / "plan.ics").read_bytes())
        changed = {uid for uid in before if before[uid] != after[uid]}
        assert changed == {"radio-rebroadcast@xa-mau-2025.planflow"}
        block = after["radio-rebroadcast@xa-mau-2025.planflow"]
        assert "SEQUENCE:1\r\n" in block
        assert "DTSTAMP:20250101T000001Z\r\n" in block
        assert "LAST-MODIFIED:20250101T000001Z\r\n" in block
        # the unit feeds agree on the number
        radio = components((tmp_path / "units" / "radio.ics").read_bytes())
        assert "SEQUENCE:1\r\n" in radio["radio-rebroadcast@xa-mau-2025.planflow"]
        # a second edit: 2; going back to the old text: 3, never back down
        export_feeds(attrs.evolve(plan, tasks=[attrs.evolve(t, title=t.title + "!")
                                               for t in tasks]), tmp_path)  # fmt: skip
        export_feeds(plan, tmp_path)
        block = components((tmp_path / "plan.ics").read_bytes())[
            "radio-rebroadcast@xa-mau-2025.planflow"
        ]
        assert "SEQUENCE:3\r\n" in block
        assert (
            "SEQUENCE:2\r\n"
            in components((tmp_path / "plan.ics").read_bytes())["dx-day@xa-mau-2025.planflow"]
        )

    def test_state_file(self, tmp_path: Path) -> None:
        """The state file round-trips, and a broken one is a PlanError with a hint."""
        state = FeedState()
        assert state.sequence("a@p", "x") == 0
        assert state.sequence("a@p", "x") == 0
        assert state.sequence("a@p", "y") == 1
        state.save(tmp_path / STATE_FILE)
        assert FeedState.load(tmp_path / STATE_FILE) == state
        assert FeedState.load(tmp_path / "missing.json") == FeedState()
        (tmp_path / STATE_FILE).write_text("{not json", encoding="utf-8")
        with pytest.raises(ValueError, match="not a planflow feed state file"):
            FeedState.load(tmp_path / STATE_FILE)

    def test_stamp_from_issue_date(self) -> None:
        """DTSTAMP comes from the plan's issue date when it has one, never the clock."""
        plan = attrs.evolve(docs_plan(), issued=date(2024, 12, 20))
        assert b"DTSTAMP:20241220T000000Z\r\n" in plan_feed(plan)

    def test_state_text_is_json(self) -> None:
        """The state file is exactly what ``json.dumps(…, indent=1)`` writes."""
        entries = {'q"\\\n\x01é😀': ("d", 12), "z@p.planflow": ("ab", 3), "b": ("c", 0)}
        for state in (FeedState(), FeedState(entries)):
            data = {
                "planflow_feed_state": 1,
                "components": {
                    uid: {"digest": digest, "sequence": seq}
                    for uid, (digest, seq) in sorted(state.entries.items())
                },
            }
            assert state.dumps() == json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    def test_workers_write_the_same_bytes(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Several processes write the same files and state as one, after edits too."""
        monkeypatch.setattr(planflow.feeds.export, "PARALLEL_MIN_DUTIES", 0)
        plan = communes(docs_plan(), 3)
        tasks = [attrs.evolve(t, title=t.title + "!") if i % 3 == 0 else t
                 for i, t in enumerate(plan.tasks)]  # fmt: skip
        edited = attrs.evolve(plan, tasks=tasks)
        trees = []
        for workers in (1, 2, 3):
            out = tmp_path / str(workers)
            for version in (plan, edited, plan):
                paths = export_feeds(version, out, workers=workers)
            assert paths[0] == out / "plan.ics"
            trees.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*")
                          if p.is_file()})  # fmt: skip
        assert trees[0] == trees[1] == trees[2]
        assert len(trees[0]) == 2 + len(plan.units)  # no part or temporary file left
        assert b"SEQUENCE:2\r\n" in trees[0][Path("plan.ics")]


# ------------------------------------------------------------------------------ CLI


class TestCli:
    """`planflow export`."""

    def test_export(self, tmp_path: Path) -> None:
        """Writes the plan feed and one feed per unit, printing each path."""
        plan_dir = tmp_path / "plan"
        plan_dir.mkdir()
        write_docs_example(plan_dir)
        out = tmp_path / "feeds"
        result = CliRunner().invoke(
            cli, ["export", str(plan_dir), "--out", str(out)], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        names = ["plan.ics", "units/vhxh.ics", "units/radio.ics", "units/bcd.ics",
                 "units/units_all.ics"]  # fmt: skip
        assert result.stdout.splitlines() == [str(out / n) for n in names]
        assert "5 feeds written" in result.stderr
        assert (out / STATE_FILE).exists()

    def test_export_one_unit_expanded(self, tmp_path: Path) -> None:
        """--unit writes one feed; --expand writes one event per occurrence."""
        plan_dir = tmp_path / "plan"
        plan_dir.mkdir()
        write_docs_example(plan_dir)
        out = tmp_path / "feeds"
        result = CliRunner().invoke(
            cli,
            ["export", str(plan_dir), "--out", str(out), "--unit", "radio", "--expand"],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == [str(out / "units" / "radio.ics")]
        feed = (out / "units" / "radio.ics").read_bytes()
        assert b"RRULE" not in feed
        assert b"RDATE" not in feed
        assert len(components(feed)) == 12 + 36 + 2  # programme, rebroadcast, 2 reports

    def test_unknown_unit(self, tmp_path: Path) -> None:
        """An unknown unit is an error message with a suggestion, not a traceback."""
        plan_dir = tmp_path / "plan"
        plan_dir.mkdir()
        write_docs_example(plan_dir)
        result = CliRunner().invoke(
            cli, ["export", str(plan_dir), "--out", str(tmp_path / "o"), "--unit", "vhhx"]
        )
        assert result.exit_code == 1
        assert "unknown unit 'vhhx'" in result.output
        assert "did you mean 'vhxh'?" in result.output
