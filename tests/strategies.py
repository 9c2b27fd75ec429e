"""Hypothesis strategies for planflow values, shared by the property tests.

:func:`plans` builds valid :class:`~planflow.plan.model.Plan` objects shaped like the ones
the loader produces: texts are NFC and stripped (Vietnamese with diacritics), plain
units come before groups, windows carry the labels their written forms give them,
recurrence rules are canonical RRULEs, and dependencies only point backwards (plus
``mode: previous`` on the task itself), so there is never a cycle.
"""

from __future__ import annotations

import unicodedata
from datetime import date, time, timedelta
from typing import Any

from hypothesis import strategies as st

from planflow.plan import forms
from planflow.plan.model import (
    Dependency,
    DependencyMode,
    Group,
    LeadMode,
    LegalBasis,
    Offset,
    Period,
    Plan,
    ReportingPeriod,
    Shift,
    Target,
    Task,
    TimeRange,
    Unit,
    Window,
)

# Canonical RRULEs (fixed points of normalise_recurrence; test_roundtrip checks that),
# including the outputs of the shorthands.
RULES = (
    "FREQ=DAILY",
    "FREQ=WEEKLY",
    "FREQ=WEEKLY;INTERVAL=2",
    "FREQ=WEEKLY;BYDAY=MO,TH",
    "FREQ=WEEKLY;BYDAY=MO;WKST=SU",
    "FREQ=MONTHLY;BYMONTHDAY=1",
    "FREQ=MONTHLY;BYMONTHDAY=1,15",
    "FREQ=MONTHLY;BYMONTHDAY=1,11,21",
    "FREQ=MONTHLY;BYMONTHDAY=1,8,15,22",
    "FREQ=MONTHLY;BYMONTHDAY=-1",
    "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=MONTHLY;BYDAY=2TU,4TU",
    "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15",
    "FREQ=MONTHLY;COUNT=6;BYMONTHDAY=10",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=1",
    "FREQ=YEARLY",
)

_VIETNAMESE = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
# Letters (both cases), digits, spaces and the punctuation that makes YAML quote.
_ALPHABET = _VIETNAMESE + _VIETNAMESE.upper() + "fjwzFJWZ0123456789     -–.,;:/()#'\"&*!?%@`|>{}[]"

_ID_START = "abcdefghijklmnopqrstuvwxyz0123456789"
ids = st.builds(str.__add__, st.sampled_from(_ID_START), st.text(_ID_START + "_.-", max_size=10))


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


_TEXT = st.text(_ALPHABET, max_size=30).map(_clean)
_LINES = st.text(_ALPHABET + "\n", max_size=50).map(_clean)
# never empty, and without filtering (rejected draws slow generation down)
_NAMES = st.text(_ALPHABET, min_size=1, max_size=30).map(lambda t: _clean(t) or "Đơn vị")


def texts(*, lines: bool = False) -> st.SearchStrategy[str]:
    """NFC, stripped text as the loader leaves it; with ``lines``, it may span lines."""
    return _LINES if lines else _TEXT


names = _NAMES
periods = st.sampled_from(list(Period))
offsets = st.builds(Offset, st.integers(-30, 30), st.booleans())
targets = st.builds(
    Target,
    st.integers(1, 500),
    periods,
    st.booleans(),
    st.one_of(st.just(""), st.sampled_from(["tin", "bài", "issues", "buổi"]), _TEXT),
)
rules = st.sampled_from(RULES)

_MINUTES = st.integers(0, 23 * 60 + 58)
_WINDOW_KINDS = st.sampled_from(["year", "throughout", "quarters", "half", "month", "range", "map"])
_THROUGHOUT = st.sampled_from(["throughout the year", "Thường xuyên trong năm."])
_CUSTOM_LABEL = st.one_of(st.none(), _NAMES, st.sampled_from(["Q1/2000", "1", "²"]))
_CONTACTS = st.dictionaries(st.sampled_from(["email", "phone", "zalo", "1"]), _TEXT, max_size=2)
_CHANNELS = st.dictionaries(
    st.sampled_from(["email", "webhook", "console"]),
    st.dictionaries(
        st.sampled_from(["to", "url", "retries", "enabled"]),
        st.one_of(_TEXT, st.integers(0, 10), st.booleans()),
        max_size=2,
    ),
    max_size=2,
)
_MODES = st.sampled_from(list(DependencyMode))
_LAGS = st.one_of(st.just(Offset(0)), offsets)
_REFS = st.sampled_from(["", "C.I.2.a", "C.II.7", "E.1"])
_LEAD_MODES = st.sampled_from(list(LeadMode))
_SHIFTS = st.sampled_from(list(Shift))
_CATEGORIES = st.lists(st.sampled_from(["CĐS", "CCHC"]) | _NAMES, max_size=2)
_SOURCE = st.dictionaries(st.sampled_from(["page", "section"]), _TEXT, max_size=2)
_INDEX_LISTS = st.lists(st.integers(0, 100), max_size=4, unique=True)


def _day(draw: st.DrawFn, start: date, end: date) -> date:
    return start + timedelta(days=draw(st.integers(0, (end - start).days)))


@st.composite
def time_ranges(draw: st.DrawFn) -> TimeRange:
    """A meeting time to the minute, ending after it starts."""
    start = draw(_MINUTES)
    end = draw(st.integers(start + 1, 23 * 60 + 59))
    return TimeRange(time(*divmod(start, 60)), time(*divmod(end, 60)))


_TIMES = time_ranges()


@st.composite
def windows(draw: st.DrawFn, year: int) -> Window:
    """A window inside ``year``, in any form a plan file can give it."""
    kind = draw(_WINDOW_KINDS)
    if kind == "year":
        return forms.parse_window(year, year)
    if kind == "throughout":
        return forms.parse_window(draw(_THROUGHOUT), year)
    if kind == "quarters":
        first = draw(st.integers(1, 4))
        last = draw(st.integers(first, 4))
        return forms.parse_window(f"Q{first}-Q{last}/{year}", year)
    if kind == "half":
        return forms.parse_window(f"H{draw(st.integers(1, 2))}/{year}", year)
    if kind == "month":
        return forms.parse_window(f"{draw(st.integers(1, 12)):02d}/{year}", year)
    start = _day(draw, date(year, 1, 1), date(year, 12, 31))
    end = _day(draw, start, date(year, 12, 31))
    if kind == "range":
        return Window(start, end, f"{start}..{end}")
    label = draw(_CUSTOM_LABEL) or f"{start}..{end}"
    return Window(start, end, label, continuous=draw(st.booleans()))


def _pick(draw: st.DrawFn, items: list[str], *, exclude: str = "") -> list[str]:
    """A few distinct items of ``items`` (without ``exclude``), in a drawn order."""
    pool = [item for item in items if item != exclude]
    picked = [pool[i % len(pool)] for i in draw(_INDEX_LISTS)] if pool else []
    return list(dict.fromkeys(picked))


@st.composite
def units(draw: st.DrawFn) -> list[Unit]:
    """Plain units then groups, with unique ids and unique (normalised) names and aliases."""
    unit_ids = draw(st.lists(ids, min_size=1, max_size=6, unique=True))
    n_plain = draw(st.integers(1, len(unit_ids)))
    taken: set[str] = set()

    def spelling() -> str | None:
        text = draw(_NAMES)
        key = forms.normalise_name(text)
        if not key or key in taken:
            return None
        taken.add(key)
        return text

    out: list[Unit] = []
    for i, uid in enumerate(unit_ids):
        name = spelling() or f"Đơn vị {uid}"
        taken.add(forms.normalise_name(name))
        aliases = [a for _ in range(draw(st.integers(0, 2))) if (a := spelling())]
        fields: dict[str, Any] = {
            "id": uid,
            "name": name,
            "name_en": draw(_TEXT),
            "aliases": aliases,
            "contacts": draw(_CONTACTS),
            "channels": draw(_CHANNELS),
            "note": draw(_LINES),
        }
        if i < n_plain:
            out.append(Unit(**fields))
        else:
            out.append(Group(**fields, members=_pick(draw, unit_ids[:i])))
    return out


@st.composite
def tasks(draw: st.DrawFn, unit_ids: list[str], year: int) -> list[Task]:
    """Tasks whose dependencies point only backwards (or to themselves with ``previous``)."""
    task_ids = draw(st.lists(ids, max_size=6, unique=True))
    out: list[Task] = []
    for i, tid in enumerate(task_ids):
        window = draw(windows(year))
        lead = unit_ids[draw(st.integers(0, len(unit_ids) - 1))]
        after = [
            Dependency(
                task_ids[draw(st.integers(0, i - 1))], draw(_MODES), draw(_LAGS), draw(_TEXT)
            )
            for _ in range(draw(st.integers(0, 2)) if i else 0)
        ]
        if draw(st.booleans()):
            after.append(Dependency(tid, DependencyMode.PREVIOUS, draw(offsets)))
        dates = [_day(draw, window.start, window.end) for _ in range(draw(st.integers(0, 3)))]
        except_dates = [
            _day(draw, window.start, window.end) for _ in range(draw(st.integers(0, 2)))
        ]
        out.append(
            Task(
                id=tid,
                title=draw(_NAMES),
                lead=lead,
                window=window,
                ref=draw(_REFS),
                title_en=draw(_TEXT),
                coordinators=_pick(draw, unit_ids, exclude=lead),
                lead_mode=draw(_LEAD_MODES),
                recurrence=draw(st.none() | rules),
                dates=dates,
                except_dates=except_dates,
                period=draw(st.none() | periods),
                check_in=draw(st.none() | rules),
                target=draw(st.none() | targets),
                after=after,
                due=draw(st.none() | offsets),
                shift=draw(st.none() | _SHIFTS),
                reminder=draw(st.none() | offsets),
                time=draw(st.none() | _TIMES),
                category=draw(_CATEGORIES),
                notes=draw(_LINES),
                source=draw(_SOURCE),
            )
        )
    return out


@st.composite
def reporting_periods(draw: st.DrawFn, year: int) -> list[ReportingPeriod]:
    """Reporting periods inside the plan year."""
    out = []
    for pid in draw(st.lists(ids, max_size=4, unique=True)):
        start = _day(draw, date(year, 1, 1), date(year, 12, 31))
        end = _day(draw, start, date(year, 12, 31))
        out.append(ReportingPeriod(pid, draw(_NAMES), start, end, draw(_TEXT)))
    return out


legal_bases = st.builds(
    LegalBasis,
    number=st.sampled_from(["49/QĐ-BNV", "1234/KH-UBND", "05-NQ/TU"]) | _NAMES,
    title=_TEXT,
    issuer=_TEXT,
    date=st.none() | st.dates(date(2000, 1, 1), date(2030, 12, 31)),
    verb=st.sampled_from(["", "Căn cứ", "Thực hiện"]),
    note=_TEXT,
)
_LEGAL = st.lists(legal_bases, max_size=3)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    """A valid plan, shaped as the loader would give it."""
    year = draw(st.integers(2000, 2040))
    plan_units = draw(units())

    def day_notes() -> list[tuple[date, str, str]]:
        return [
            (
                _day(draw, date(year, 1, 1), date(year, 12, 31)),
                draw(_NAMES),
                draw(_TEXT),
            )  # a reason is required
            for _ in range(draw(st.integers(0, 3)))
        ]

    days_off = day_notes()
    off = {d for d, _, _ in days_off}
    working = [item for item in day_notes() if item[0] not in off]
    return Plan(
        id=draw(ids),
        title=draw(_NAMES),
        issuer=draw(_NAMES),
        year=year,
        units=plan_units,
        tasks=draw(tasks([u.id for u in plan_units], year)),
        timezone=draw(st.sampled_from(["Asia/Ho_Chi_Minh", "Asia/Bangkok", "UTC"])),
        title_en=draw(_TEXT),
        issued=draw(st.none() | st.dates(date(year - 1, 1, 1), date(year, 12, 31))),
        signed_by=draw(_TEXT),
        legal_bases=draw(_LEGAL),
        reporting_periods=draw(reporting_periods(year)),
        country=draw(st.sampled_from(["VN", "LA", "KH"])),
        days_off=days_off,
        working_days=working,
        shift=draw(_SHIFTS),
        reminder=draw(st.just(Offset(3, working=True)) | offsets),
        check_in=draw(rules),
        notes=draw(_LINES),
    )
