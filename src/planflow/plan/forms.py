"""The readable forms a plan file accepts for windows, offsets, targets and times.

Each parser takes what an officer wrote and returns a model value, or raises
:class:`~planflow.plan.errors.PlanError` with a hint; the loader adds file, line and
column. Vietnamese forms are accepted beside the English ones because plan files
are copied from Vietnamese documents ("Quý III, IV/2025", "Thường xuyên trong năm").
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date

from planflow.i18n import N_, _, ngettext
from planflow.plan.errors import PlanError
from planflow.plan.model import Offset, Period, Target, Window
from planflow.plan.times import TIME_FORMS as TIME_FORMS
from planflow.plan.times import parse_time_range as parse_time_range

__all__ = [
    "TIME_FORMS",
    "is_explicit_window",
    "normalise_name",
    "parse_day",
    "parse_offset",
    "parse_target",
    "parse_time_range",
    "parse_window",
]

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_QUARTER = r"(?:Q\s*([1-4])|QUÝ\s+(IV|III|II|I))"
_THROUGHOUT = re.compile(
    r"(?:THROUGHOUT(?: THE YEAR| (\d{4}))?|ALL YEAR|REGULARLY"
    r"|THƯỜNG XUYÊN(?: TRONG NĂM(?: (\d{4}))?)?)"
)
_YEAR = re.compile(r"(?:(?:TRONG )?NĂM )?(\d{4})")
_QUARTERS = re.compile(
    rf"{_QUARTER}(?:\s*(?:-|–|,|TO|ĐẾN)\s*(?:Q\s*([1-4])|(?:QUÝ\s+)?(IV|III|II|I)))?"
    r"(?:\s*/\s*|\s+NĂM\s+)(\d{4})"
)
_DMY_TEXT = r"(\d{1,2}/\d{1,2}/\d{4})"
_HALF_VI = re.compile(r"(?:TRONG )?6 THÁNG (ĐẦU|CUỐI) NĂM (\d{4})")
_MONTH_VI = re.compile(r"THÁNG (\d{1,2})(?:\s*/\s*|\s+NĂM\s+)(\d{4})")
_MONTHS_VI = re.compile(
    r"(?:TỪ )?THÁNG (\d{1,2})(?:\s*/\s*(\d{4}))?\s*(?:ĐẾN|-|–)\s*(?:HẾT )?"
    r"THÁNG (\d{1,2})(?:\s*/\s*|\s+NĂM\s+)(\d{4})"
)
_DAYS_VI = re.compile(
    rf"(?:TỪ )?(?:NGÀY )?{_DMY_TEXT}\s*(?:ĐẾN|-|–|\.\.)\s*(?:HẾT )?(?:NGÀY )?{_DMY_TEXT}"
)
_ONE_DAY_VI = re.compile(rf"(?:(?:BUỔI )?(?:SÁNG|CHIỀU|TỐI) )?NGÀY {_DMY_TEXT}")
_HALF = re.compile(r"H([12])\s*/\s*(\d{4})")
_MONTH = re.compile(r"(?:(\d{1,2})\s*/\s*(\d{4})|(\d{4})-(\d{2}))")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|–|TO)\s*(\d{4}-\d{2}-\d{2})")

_WINDOW_FORMS = N_(
    "2025, 'Q4/2025', 'Q3-Q4/2025', 'H1/2025', '03/2025', '2025-01-15..2025-03-31', "
    "'throughout the year', or {{start: 2025-01-15, end: 2025-03-31}}; or as plans write it: "
    "'Năm 2025', 'Quý IV/2025', 'Quý III, IV/2025', '6 tháng cuối năm 2025', 'tháng 3/2025', "
    "'Từ tháng 7 đến tháng 12/2025', 'từ ngày 15/01/2025 đến ngày 31/03/2025', "
    "'Sáng ngày 13/02/2025', 'Thường xuyên trong năm'"
)
WINDOW_FORMS = _WINDOW_FORMS.format()  # (the msgid doubles its braces)


def _quarter(arabic: str | None, roman: str | None) -> int:
    return int(arabic) if arabic else _ROMAN[roman or "I"]


def _canon(text: str) -> str:
    text = unicodedata.normalize("NFC", text).strip().rstrip(".").upper()
    return re.sub(r"\s+", " ", text)


def parse_window(value: object, year: int) -> Window:
    """A window from a year, quarter(s), half, month, date range or "throughout the year"."""
    try:
        return _parse_window(value, year)
    except PlanError:
        raise
    except ValueError as exc:  # a date the calendar cannot hold, such as year 0
        raise PlanError(
            _("cannot read {value!r} as a window: {why}").format(value=value, why=exc),
            hint=_("years run from 1900 to 9999"),
        ) from None


def _parse_window(value: object, year: int) -> Window:
    if isinstance(value, int) and not isinstance(value, bool):
        return _year_window(value)
    if not isinstance(value, str):
        raise _not_a_window(value)
    text = _canon(value)
    if m := _THROUGHOUT.fullmatch(text):
        y = int(m.group(1) or m.group(2) or year)
        return Window(date(y, 1, 1), date(y, 12, 31), f"throughout {y}", continuous=True)
    if m := _YEAR.fullmatch(text):
        return _year_window(int(m.group(1)))
    if m := _QUARTERS.fullmatch(text):
        first = _quarter(m.group(1), m.group(2))
        last = _quarter(m.group(3), m.group(4)) if (m.group(3) or m.group(4)) else first
        y = int(m.group(5))
        if last < first:
            raise PlanError(
                _("quarter range {value!r} ends before it starts").format(value=value),
                hint=_("write {example}").format(example=f"Q{last}-Q{first}/{y}"),
            )
        label = f"Q{first}/{y}" if first == last else f"Q{first}-Q{last}/{y}"
        return Window(date(y, 3 * first - 2, 1), _month_end(y, 3 * last), label)
    if m := _HALF.fullmatch(text):
        half, y = int(m.group(1)), int(m.group(2))
        return Window(date(y, 6 * half - 5, 1), _month_end(y, 6 * half), f"H{half}/{y}")
    if m := _MONTH.fullmatch(text):
        month = int(m.group(1) or m.group(4))
        y = int(m.group(2) or m.group(3))
        if not 1 <= month <= 12:
            raise _no_month(month)
        return Window(date(y, month, 1), _month_end(y, month), f"{month:02d}/{y}")
    if m := _RANGE.fullmatch(text):
        start, end = (_iso(m.group(i)) for i in (1, 2))
        return Window(start, end, f"{start}..{end}")
    found = _vietnamese_window(text, value)
    if found is not None:
        return found
    raise _not_a_window(value)


def _not_a_window(value: object) -> PlanError:
    return PlanError(
        _("cannot read {value!r} as a window").format(value=value),
        hint=_("write {forms}").format(forms=_(_WINDOW_FORMS).format()),
    )


def _no_month(month: int) -> PlanError:
    return PlanError(
        _("month {month} does not exist").format(month=month), hint=_("months are 1 to 12")
    )


_DMY = re.compile(
    r"(?:(?:BUỔI\s+)?(?:SÁNG|CHIỀU|TỐI)\s+)?(?:NGÀY\s+)?(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})"
)


def parse_day(value: str) -> date:
    """A date written ``2025-01-15`` or the Vietnamese way, ``15/01/2025`` (``ngày 15/01/2025``)."""
    text = _canon(value)
    if m := _DMY.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise PlanError(
                _("{value!r} is not a real date").format(value=value.strip()),
                hint=_("write DD/MM/YYYY, e.g. 15/01/2025"),
            ) from None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PlanError(
            _("expected a date (YYYY-MM-DD or DD/MM/YYYY), got {value!r}").format(value=value),
            hint=_("write e.g. 2025-01-15 or 15/01/2025"),
        ) from None


def _vietnamese_window(text: str, value: str) -> Window | None:
    """ "6 tháng cuối năm 2025", "Từ tháng 7 đến tháng 12/2025", "tháng 3/2025",
    "từ ngày 15/01/2025 đến ngày 31/03/2025", "Sáng ngày 13/02/2025"."""
    if m := _HALF_VI.fullmatch(text):
        half, y = (1 if m.group(1) == "ĐẦU" else 2), int(m.group(2))
        return Window(date(y, 6 * half - 5, 1), _month_end(y, 6 * half), f"H{half}/{y}")
    if m := _MONTH_VI.fullmatch(text):
        month, y = int(m.group(1)), int(m.group(2))
        _check_month(month)
        return Window(date(y, month, 1), _month_end(y, month), f"{month:02d}/{y}")
    if m := _MONTHS_VI.fullmatch(text):
        first, last, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        y0 = int(m.group(2) or y)
        _check_month(first)
        _check_month(last)
        start, end = date(y0, first, 1), _month_end(y, last)
        if end < start:
            raise PlanError(
                _("{value!r} ends before it starts").format(value=value.strip()),
                hint=_("write the earlier month first"),
            )
        return Window(start, end, f"{first:02d}-{last:02d}/{y}")
    if m := _DAYS_VI.fullmatch(text):
        start, end = parse_day(m.group(1)), parse_day(m.group(2))
        if end < start:
            raise PlanError(
                _("{value!r} ends before it starts").format(value=value.strip()),
                hint=_("write the earlier date first"),
            )
        return Window(start, end, f"{start}..{end}")
    if m := _ONE_DAY_VI.fullmatch(text):
        day = parse_day(m.group(1))
        return Window(day, day, f"{day:%d/%m/%Y}")
    return None


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise _no_month(month)


def is_explicit_window(value: object) -> bool:
    """Whether a window gives its own dates (a mapping or a date range), not a calendar period."""
    if isinstance(value, dict):
        return True
    if not isinstance(value, str):
        return False
    text = _canon(value)
    return any(p.fullmatch(text) for p in (_RANGE, _DAYS_VI, _ONE_DAY_VI))


def _year_window(y: int) -> Window:
    if not 1900 <= y <= 9999:
        raise PlanError(_("year {year} is out of range").format(year=y))
    return Window(date(y, 1, 1), date(y, 12, 31), str(y))


def _month_end(y: int, month: int) -> date:
    return date(y, month, calendar.monthrange(y, month)[1])


def _iso(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PlanError(
            _("{value!r} is not a real date").format(value=text), hint=_("write YYYY-MM-DD")
        ) from None


_OFFSET = re.compile(
    r"([+-]?)\s*(\d+)\s*(WORKING DAYS?|WORKDAYS?|BUSINESS DAYS?|NGÀY LÀM VIỆC|DAYS?|NGÀY)?"
    r"(?: (BEFORE|AFTER|TRƯỚC|SAU))?"
)


MAX_OFFSET_DAYS = 366


def parse_offset(value: object) -> Offset:
    """``+5 working days``, ``-2 days``, ``3 ngày làm việc``; a bare number is calendar days.

    Offsets are at most :data:`MAX_OFFSET_DAYS` either way.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > MAX_OFFSET_DAYS:
            raise PlanError(
                _("{value!r} days is more than a year").format(value=value),
                hint=_("an offset is at most {days} days").format(days=MAX_OFFSET_DAYS),
            )
        return Offset(value)
    if not isinstance(value, str) or not (m := _OFFSET.fullmatch(_canon(value))):
        raise PlanError(
            _("cannot read {value!r} as a number of days").format(value=value),
            hint=_("write e.g. '+5 working days', '3 days' or '-2 working days'"),
        )
    days = int(m.group(2))
    if days > MAX_OFFSET_DAYS:  # later date arithmetic would overflow
        raise PlanError(
            _("{value!r} is more than a year").format(value=value),
            hint=_("an offset is at most {days} days").format(days=MAX_OFFSET_DAYS),
        )
    if m.group(1) == "-" or m.group(4) in ("BEFORE", "TRƯỚC"):
        days = -days
    unit = m.group(3) or "DAYS"
    working = unit.startswith(("WORK", "BUSINESS", "NGÀY LÀM"))
    return Offset(days, working=working)


_PERIOD_WORDS = {
    "DAY": Period.DAY,
    "NGÀY": Period.DAY,
    "WEEK": Period.WEEK,
    "TUẦN": Period.WEEK,
    "MONTH": Period.MONTH,
    "THÁNG": Period.MONTH,
    "QUARTER": Period.QUARTER,
    "QUÝ": Period.QUARTER,
    "HALF": Period.HALF,
    "YEAR": Period.YEAR,
    "NĂM": Period.YEAR,
    "WINDOW": Period.WINDOW,
    "REPORTING": Period.REPORTING,
    "KỲ BÁO CÁO": Period.REPORTING,
}
_TARGET = re.compile(
    r"(ABOUT|APPROX\.?|APPROXIMATELY|AROUND|~|KHOẢNG)?\s*(\d+)\s*([^\d/]*?)\s*"
    r"(?:/|PER|A|AN|EACH|MỖI|MỘT)\s*(DAY|WEEK|MONTH|QUARTER|HALF|YEAR|WINDOW|NGÀY|TUẦN|THÁNG|QUÝ|NĂM)"
)


def parse_target(value: object) -> Target:
    """``24 per year``, ``about 3 per month``, ``khoảng 3 tin/tháng``, or a mapping."""
    if isinstance(value, dict):
        unknown = sorted(map(str, set(value) - {"count", "per", "approximate", "unit"}))
        if unknown:
            names = ", ".join(repr(k) for k in unknown)
            message = ngettext(
                "unknown target field {names}", "unknown target fields {names}", len(unknown)
            )
            raise PlanError(
                message.format(names=names),
                hint=_("a target has count, per, approximate and unit"),
            )
        count = value.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise PlanError(_("target count must be a whole number of at least 1"))
        per = _PERIOD_WORDS.get(_canon(str(value.get("per", "year"))))
        if per is None:
            raise PlanError(
                _("unknown target period {value!r}").format(value=value.get("per")),
                hint=_("use day, week, month, quarter, half, year, window or reporting"),
            )
        approximate = value.get("approximate", False)
        unit = value.get("unit", "")
        if not isinstance(approximate, bool) or not isinstance(unit, str):
            raise PlanError(_("target approximate must be true/false and unit a text"))
        return Target(count, per, approximate, unit)
    if isinstance(value, str) and (m := _TARGET.fullmatch(_canon(value))):
        count = int(m.group(2))
        if count < 1:
            raise PlanError(_("a target must be at least 1"))
        unit = m.group(3).strip().lower()
        return Target(count, _PERIOD_WORDS[m.group(4)], bool(m.group(1)), unit)
    raise PlanError(
        _("cannot read {value!r} as a target").format(value=value),
        hint=_("write e.g. {examples}").format(
            examples=_("'24 per year', 'about 3 per month' or {{count: 24, per: year}}").format()
        ),
    )


_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-"})


# Vietnamese writes the tone of an open "oa", "oe", "uy" on either vowel: "hóa" (old
# style) and "hoá" (new style) are the same word, as are "Ủy"/"Uỷ" and "Thủy"/"Thuỷ".
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_TONE_ON_SECOND = re.compile(rf"(o(?=[ae])|(?<!q)u(?=y))([aey])([{_TONES}])(?![a-zđ\u0300-\u036f])")


def without_diacritics(text: str) -> str:
    """``Phòng Văn hóa`` → ``phong van hoa``: for a "did you mean" when marks are missing."""
    decomposed = unicodedata.normalize("NFD", normalise_name(text).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def suggest_with_diacritics(name: str, names: dict[str, str]) -> str | None:
    """A hint for a unit name typed without (or with wrong) diacritics: the unit whose
    name reads the same once the marks are dropped, when there is exactly one."""
    bare = without_diacritics(name)
    found = {uid for spelling, uid in names.items() if without_diacritics(spelling) == bare}
    if len(found) != 1:
        return None
    uid = found.pop()
    return _("did you mean unit {id!r}? names must be written with their diacritics").format(id=uid)


def normalise_name(name: str) -> str:
    """The form names are compared in.

    NFC, case-folded, one kind of dash, no final dot, and the old-style tone
    placement (``hóa``, ``Ủy``) for the new-style spelling (``hoá``, ``Uỷ``).
    """
    text = unicodedata.normalize("NFC", name).translate(_DASHES).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    text = unicodedata.normalize("NFC", _TONE_ON_SECOND.sub(r"\1\3\2", decomposed))
    text = re.sub(r"\s*-\s*", " - ", text)
    return re.sub(r"\s+", " ", text).strip().rstrip(".").strip()
