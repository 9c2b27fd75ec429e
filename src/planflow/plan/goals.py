"""Readable forms of KPI targets: goals (``≥ 80%``, ``60 – 70%``, ``tối thiểu 5%``),
firmness (``phấn đấu``, ``khuyến khích``) and checkpoints (``cuối mỗi quý``).

Each parser raises :class:`~planflow.plan.errors.PlanError` with the accepted forms
as its hint; the loader adds file, line and column.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from planflow.i18n import N_, _
from planflow.plan.errors import PlanError
from planflow.plan.model import Comparator, Firmness, Goal, ReportingPeriod

__all__ = [
    "GOAL_FORMS",
    "parse_checkpoints",
    "parse_firmness",
    "parse_goal",
    "split_goal",
]

GOAL_FORMS = N_(
    "'100%', '≥ 80%', '> 50%', '= 100%', '≤ 10%', '60 – 70%', 'từ 60% đến 70%', "
    "'tối thiểu 5%', 'hơn 50%', 'không quá 10%', a percentage of something "
    "('tối thiểu 5% GRDP'), or a count such as '≥ 20'"
)
_NUM = r"(\d+(?:[.,]\d+)?)"
_WORDS = {
    "": Comparator.AT_LEAST,
    "≥": Comparator.AT_LEAST,
    ">=": Comparator.AT_LEAST,
    "TỐI THIỂU": Comparator.AT_LEAST,
    "ÍT NHẤT": Comparator.AT_LEAST,
    "KHÔNG DƯỚI": Comparator.AT_LEAST,
    "AT LEAST": Comparator.AT_LEAST,
    ">": Comparator.MORE_THAN,
    "HƠN": Comparator.MORE_THAN,
    "TRÊN": Comparator.MORE_THAN,
    "MORE THAN": Comparator.MORE_THAN,
    "=": Comparator.EQUAL,
    "ĐÚNG": Comparator.EQUAL,
    "≤": Comparator.AT_MOST,
    "<=": Comparator.AT_MOST,
    "TỐI ĐA": Comparator.AT_MOST,
    "KHÔNG QUÁ": Comparator.AT_MOST,
    "AT MOST": Comparator.AT_MOST,
}
_SINGLE = re.compile(
    r"(" + "|".join(re.escape(w) for w in sorted(_WORDS, key=len, reverse=True) if w) + r")?"
    rf"\s*{_NUM}\s*(%?)"
)
_RANGE = re.compile(rf"(?:TỪ\s+)?{_NUM}\s*(%?)\s*(?:-|–|—|ĐẾN|TO)\s*{_NUM}\s*(%?)")


def _canon(text: str) -> str:
    text = unicodedata.normalize("NFC", text).strip().rstrip(".").upper()
    return re.sub(r"\s+", " ", text)


def _float(text: str) -> float:
    return float(text.replace(",", "."))


_OF_WHAT = re.compile(r"(.*?\d\s*%)\s+(\S.*)", re.S)


def split_goal(value: object) -> tuple[object, str | None]:
    """A target as plans write it, ``"tối thiểu 5% GRDP"``, split into the goal
    (``"tối thiểu 5%"``) and what the percentage is of (``"GRDP"``), or ``None``."""
    if isinstance(value, str) and (
        m := _OF_WHAT.fullmatch(unicodedata.normalize("NFC", value).strip())
    ):
        return m.group(1), m.group(2).strip()
    return value, None


def parse_goal(value: object) -> tuple[Goal, bool]:
    """A goal and whether it was written as a percentage."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Goal(Comparator.AT_LEAST, value), False
    if isinstance(value, str):
        text = _canon(value)
        if m := _RANGE.fullmatch(text):
            low, high = _float(m.group(1)), _float(m.group(3))
            if high < low:
                raise PlanError(
                    _("the range {value!r} ends below where it starts").format(value=value.strip()),
                    hint=_("write it low to high, e.g. {example}").format(
                        example=f"'{m.group(3)} – {m.group(1)}%'"
                    ),
                )
            return Goal(Comparator.RANGE, low, high), bool(m.group(2) or m.group(4))
        if m := _SINGLE.fullmatch(text):
            return Goal(_WORDS[m.group(1) or ""], _float(m.group(2))), bool(m.group(3))
    raise PlanError(
        _("cannot read {value!r} as a target").format(value=value),
        hint=_("write {forms}").format(forms=_(GOAL_FORMS)),
    )


_FIRMNESS = {
    **dict.fromkeys(("required", "đặt mục tiêu", "bảo đảm", "đảm bảo", "phải"), Firmness.REQUIRED),
    **dict.fromkeys(("strive", "phấn đấu"), Firmness.STRIVE),
    **dict.fromkeys(("aim", "hướng đến", "hướng tới"), Firmness.AIM),
    **dict.fromkeys(("encouraged", "khuyến khích"), Firmness.ENCOURAGED),
    **dict.fromkeys(("expected", "dự kiến"), Firmness.EXPECTED),
}


def parse_firmness(value: object) -> Firmness:
    """``required``/``đặt mục tiêu``, ``strive``/``phấn đấu``, ``aim``/``hướng đến``,
    ``encouraged``/``khuyến khích``, ``expected``/``dự kiến``."""
    if isinstance(value, str):
        found = _FIRMNESS.get(unicodedata.normalize("NFC", value).strip().casefold())
        if found is not None:
            return found
    raise PlanError(
        _("cannot read {value!r} as a firmness").format(value=value),
        hint=_(
            "write one of: đặt mục tiêu (required), phấn đấu (strive), hướng đến (aim), "
            "khuyến khích (encouraged), dự kiến (expected)"
        ),
    )


_EVERY = {
    **dict.fromkeys(("CUỐI MỖI QUÝ", "CUỐI QUÝ", "QUARTER ENDS", "QUARTERLY", "HẰNG QUÝ"), 3),
    **dict.fromkeys(("CUỐI MỖI THÁNG", "CUỐI THÁNG", "MONTH ENDS", "MONTHLY", "HẰNG THÁNG"), 1),
    **dict.fromkeys(("6 THÁNG", "CUỐI MỖI 6 THÁNG", "HALF-YEAR ENDS"), 6),
    **dict.fromkeys(("CUỐI NĂM", "YEAR END", "NĂM"), 12),
}
CHECKPOINT_FORMS = N_(
    "a list of dates, 'cuối mỗi quý' (quarter ends), 'cuối mỗi tháng', '6 tháng', "
    "'cuối năm' (year end) or 'kỳ báo cáo' (the ends of the plan's reporting periods)"
)


def parse_checkpoints(
    value: str, year: int, periods: Sequence[ReportingPeriod] = ()
) -> tuple[date, ...]:
    """The checkpoint dates a word stands for (``cuối mỗi quý``: 31/3, 30/6, 30/9, 31/12)."""
    text = _canon(value)
    if text in ("KỲ BÁO CÁO", "REPORTING PERIODS", "REPORTING"):
        days = sorted({p.end for p in periods if p.end.year == year})
        if not days:
            raise PlanError(
                _("the plan has no reporting periods ending in its year"),
                hint=_("list reporting_periods, or write the checkpoint dates"),
            )
        return tuple(days)
    step = _EVERY.get(text)
    if step is None:
        raise PlanError(
            _("cannot read {value!r} as checkpoints").format(value=value),
            hint=_("write {forms}").format(forms=_(CHECKPOINT_FORMS)),
        )

    return tuple(date(year, m, calendar.monthrange(year, m)[1]) for m in range(step, 13, step))
