"""Meeting times as plans write them: ``08:00-11:30``, ``từ 8 giờ đến 11 giờ``, ``sáng``."""

from __future__ import annotations

import re
import unicodedata
from datetime import time

from planflow.i18n import N_, _
from planflow.plan.errors import PlanError
from planflow.plan.model import TimeRange

__all__ = ["TIME_FORMS", "parse_time_range"]


def _canon(text: str) -> str:
    text = unicodedata.normalize("NFC", text).strip().rstrip(".").upper()
    return re.sub(r"\s+", " ", text)


_CLOCK = r"(\d{1,2})(?:\s*[:H]\s*(\d{2})?|\s*GIỜ(?:\s*(\d{2}))?(?:\s*PHÚT)?)"
_TIME_RANGE = re.compile(rf"(?:TỪ\s+)?{_CLOCK}\s*(?:-|–|TO|ĐẾN)\s*{_CLOCK}")
#: The parts of a working day as government offices keep them.
_PARTS_OF_DAY = {
    "SÁNG": (time(7, 30), time(11, 30)),
    "BUỔI SÁNG": (time(7, 30), time(11, 30)),
    "CHIỀU": (time(13, 30), time(17, 0)),
    "BUỔI CHIỀU": (time(13, 30), time(17, 0)),
}
TIME_FORMS = N_(
    "'08:00-11:30', '8h00 - 11h30', 'từ 8 giờ đến 11 giờ', '8 giờ 30 - 11 giờ', "
    "'sáng' (07:30-11:30) or 'chiều' (13:30-17:00)"
)


def parse_time_range(value: object) -> TimeRange:
    """``08:00-11:30``, ``từ 8 giờ đến 11 giờ 30``, ``8h-11h30``, ``sáng``, ``chiều``
    (local wall-clock times in the plan's time zone)."""
    text = _canon(value) if isinstance(value, str) else ""
    if text in _PARTS_OF_DAY:
        return TimeRange(*_PARTS_OF_DAY[text])
    if m := _TIME_RANGE.fullmatch(text):
        g = m.groups()
        h1, m1 = int(g[0]), int(g[1] or g[2] or 0)
        h2, m2 = int(g[3]), int(g[4] or g[5] or 0)
        try:
            return TimeRange(time(h1, m1), time(h2, m2))
        except PlanError as exc:  # ends at or before it starts
            raise PlanError(
                f"{value!r}: {exc.message}", hint=_("the end time must be later than the start")
            ) from None
        except ValueError as exc:
            raise PlanError(f"{value!r}: {exc}", hint=_("hours are 0-23, minutes 0-59")) from None
    raise PlanError(
        _("cannot read {value!r} as a time range").format(value=value),
        hint=_("write {forms}").format(forms=_(TIME_FORMS)),
    )
