"""Recurrences as Vietnamese plans write them → RRULE.

``ngày 20 hằng tháng`` (and ``trước ngày 20 hằng tháng``, ``chậm nhất ngày 20 hằng
tháng``: the deadline the text names) → ``FREQ=MONTHLY;BYMONTHDAY=20``;
``ngày cuối cùng của tháng`` → ``BYMONTHDAY=-1``; ``ngày cuối cùng của quý`` → the
last day of March, June, September and December; ``ngày 15 tháng cuối quý`` → the
15th of those months; ``thứ Hai hằng tuần`` → ``FREQ=WEEKLY;BYDAY=MO``;
``ngày 10/12 hằng năm`` → ``FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=10``.
"""

from __future__ import annotations

import re

from planflow.i18n import _
from planflow.plan.errors import RecurrenceError

__all__ = ["VIETNAMESE_EXAMPLES", "vietnamese_rrule"]

VIETNAMESE_EXAMPLES = (
    "hằng ngày, hằng tuần, thứ Hai hằng tuần, hằng tháng, ngày 20 hằng tháng, "
    "trước ngày 20 hằng tháng, ngày cuối cùng của tháng, hằng quý, ngày cuối cùng của quý, "
    "ngày 15 tháng cuối quý, ngày 10/12 hằng năm, 2 lần/tháng, mỗi 2 tuần"
)
_EVERY = r"(?:hằng|hàng|mỗi)"
_LEAD = r"(?:(?:trước|chậm nhất|muộn nhất|vào|trong)\s+)?"
_WEEKDAY = {
    "thứ hai": "MO", "thứ 2": "MO", "thứ ba": "TU", "thứ 3": "TU", "thứ tư": "WE",
    "thứ 4": "WE", "thứ năm": "TH", "thứ 5": "TH", "thứ sáu": "FR", "thứ 6": "FR",
    "thứ bảy": "SA", "thứ 7": "SA", "chủ nhật": "SU",
}  # fmt: skip
_MONTH_DAY = re.compile(rf"{_LEAD}ngày (\d{{1,2}}) {_EVERY} tháng")
_MONTH_END = re.compile(rf"{_LEAD}ngày cuối(?: cùng)?(?: của| trong)?(?: {_EVERY})? tháng")
_QUARTER_END = re.compile(rf"{_LEAD}ngày cuối(?: cùng)?(?: của| trong)?(?: {_EVERY})? quý")
_QUARTER_MONTH_DAY = re.compile(
    rf"{_LEAD}ngày (\d{{1,2}})(?: của)? tháng (đầu|cuối)(?: của)?(?: {_EVERY})? quý"
)
_WEEKLY_ON = re.compile(
    rf"{_LEAD}(?:các ngày |ngày )?({'|'.join(_WEEKDAY)})(?: {_EVERY} tuần| trong tuần)"
)
_YEARLY_ON = re.compile(rf"{_LEAD}ngày (\d{{1,2}})/(\d{{1,2}}) {_EVERY} năm")
_YEAR_END = re.compile(rf"{_LEAD}ngày cuối(?: cùng)?(?: của)?(?: {_EVERY})? năm")


def _day(text: str, high: int = 31) -> int:
    day = int(text)
    if not 1 <= day <= high:
        raise RecurrenceError(
            _("ngày {day} does not exist").format(day=day),
            hint=_("a day of the month is 1 to {high}").format(high=high),
        )
    return day


def vietnamese_rrule(phrase: str) -> str | None:
    """The RRULE a Vietnamese phrase (NFC, case-folded, spaces collapsed) states, or None."""
    if m := _MONTH_DAY.fullmatch(phrase):
        return f"FREQ=MONTHLY;BYMONTHDAY={_day(m.group(1))}"
    if _MONTH_END.fullmatch(phrase):
        return "FREQ=MONTHLY;BYMONTHDAY=-1"
    if _QUARTER_END.fullmatch(phrase):
        return "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
    if m := _QUARTER_MONTH_DAY.fullmatch(phrase):
        months = "1,4,7,10" if m.group(2) == "đầu" else "3,6,9,12"
        return f"FREQ=YEARLY;BYMONTH={months};BYMONTHDAY={_day(m.group(1), 30)}"
    if m := _WEEKLY_ON.fullmatch(phrase):
        return f"FREQ=WEEKLY;BYDAY={_WEEKDAY[m.group(1)]}"
    if m := _YEARLY_ON.fullmatch(phrase):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise RecurrenceError(
                _("tháng {month} does not exist").format(month=month), hint=_("months are 1 to 12")
            )

        return f"FREQ=YEARLY;BYMONTH={month};BYMONTHDAY={_day(m.group(1))}"
    if _YEAR_END.fullmatch(phrase):
        return "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31"
    return None
