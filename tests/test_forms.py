"""The readable forms of windows, offsets, targets, times and names (planflow.plan.forms)."""

from __future__ import annotations

import unicodedata
from datetime import date, time

import pytest

from planflow.plan.errors import ModelError, PlanError
from planflow.plan.forms import (
    TIME_FORMS,
    WINDOW_FORMS,
    normalise_name,
    parse_offset,
    parse_target,
    parse_time_range,
    parse_window,
)
from planflow.plan.model import Offset, Period, Target, TimeRange, Window

D = date


class TestParseWindow:
    @pytest.mark.parametrize(
        ("value", "start", "end", "label"),
        [
            (2025, D(2025, 1, 1), D(2025, 12, 31), "2025"),
            ("2025", D(2025, 1, 1), D(2025, 12, 31), "2025"),
            ("Năm 2025.", D(2025, 1, 1), D(2025, 12, 31), "2025"),
            ("trong năm 2025", D(2025, 1, 1), D(2025, 12, 31), "2025"),
            ("Q4/2025", D(2025, 10, 1), D(2025, 12, 31), "Q4/2025"),
            ("q1 / 2025", D(2025, 1, 1), D(2025, 3, 31), "Q1/2025"),
            ("Q 2/2025", D(2025, 4, 1), D(2025, 6, 30), "Q2/2025"),
            ("Quý IV/2025.", D(2025, 10, 1), D(2025, 12, 31), "Q4/2025"),
            ("quý iii/2025", D(2025, 7, 1), D(2025, 9, 30), "Q3/2025"),
            ("Quý III, IV/2025.", D(2025, 7, 1), D(2025, 12, 31), "Q3-Q4/2025"),
            ("Quý I - Quý II/2025", D(2025, 1, 1), D(2025, 6, 30), "Q1-Q2/2025"),
            ("Quý I đến quý III/2025", D(2025, 1, 1), D(2025, 9, 30), "Q1-Q3/2025"),
            ("Q3-Q4/2025", D(2025, 7, 1), D(2025, 12, 31), "Q3-Q4/2025"),
            ("Q2–Q3/2025", D(2025, 4, 1), D(2025, 9, 30), "Q2-Q3/2025"),
            ("Q1 to Q4/2025", D(2025, 1, 1), D(2025, 12, 31), "Q1-Q4/2025"),
            ("H1/2025", D(2025, 1, 1), D(2025, 6, 30), "H1/2025"),
            ("h2/2025", D(2025, 7, 1), D(2025, 12, 31), "H2/2025"),
            ("03/2025", D(2025, 3, 1), D(2025, 3, 31), "03/2025"),
            ("2/2024", D(2024, 2, 1), D(2024, 2, 29), "02/2024"),
            ("2025-11", D(2025, 11, 1), D(2025, 11, 30), "11/2025"),
            ("2025-01-15..2025-03-31", D(2025, 1, 15), D(2025, 3, 31), "2025-01-15..2025-03-31"),
            ("2025-01-15 – 2025-03-31", D(2025, 1, 15), D(2025, 3, 31), "2025-01-15..2025-03-31"),
            ("2025-01-15 to 2025-01-15", D(2025, 1, 15), D(2025, 1, 15), "2025-01-15..2025-01-15"),
        ],
    )
    def test_forms(self, value: object, start: date, end: date, label: str) -> None:
        """Every written form gives its window and a canonical label."""
        assert parse_window(value, 2025) == Window(start, end, label)

    @pytest.mark.parametrize(
        ("value", "year"),
        [
            ("throughout the year", 2025),
            ("Throughout the year.", 2025),
            ("all year", 2025),
            ("regularly", 2025),
            ("Thường xuyên trong năm.", 2025),
            ("thường xuyên", 2025),
            ("Thường xuyên trong năm 2026", 2026),
            ("throughout 2026", 2026),
        ],
    )
    def test_throughout_the_year_is_continuous(self, value: str, year: int) -> None:
        """'Thường xuyên trong năm' is continuous work over the whole (plan) year."""
        assert parse_window(value, 2025) == Window(
            D(year, 1, 1), D(year, 12, 31), f"throughout {year}", continuous=True
        )

    def test_decomposed_vietnamese(self) -> None:
        """Text saved decomposed (NFD) reads the same as composed text."""
        assert parse_window(unicodedata.normalize("NFD", "Quý IV/2025"), 2025).label == "Q4/2025"

    @pytest.mark.parametrize(
        ("value", "message", "hint"),
        [
            ("Q4-Q1/2025", "quarter range 'Q4-Q1/2025' ends before it starts", "write Q1-Q4/2025"),
            ("13/2025", "month 13 does not exist", "months are 1 to 12"),
            ("2025-02-30..2025-03-01", "'2025-02-30' is not a real date", "write YYYY-MM-DD"),
            (1800, "year 1800 is out of range", None),
            ("Q1/0000", "cannot read 'Q1/0000' as a window: year 0 is out of range",
             "years run from 1900 to 9999"),
            ("Q5/2025", "cannot read 'Q5/2025' as a window", f"write {WINDOW_FORMS}"),
            ("Quý IV", "cannot read 'Quý IV' as a window", f"write {WINDOW_FORMS}"),
            ("soon", "cannot read 'soon' as a window", f"write {WINDOW_FORMS}"),
            (True, "cannot read True as a window", f"write {WINDOW_FORMS}"),
            (None, "cannot read None as a window", f"write {WINDOW_FORMS}"),
            (2.5, "cannot read 2.5 as a window", f"write {WINDOW_FORMS}"),
        ],
    )  # fmt: skip
    def test_errors(self, value: object, message: str, hint: str | None) -> None:
        """Unreadable windows raise PlanError with a message and, mostly, a hint."""
        with pytest.raises(PlanError) as info:
            parse_window(value, 2025)
        assert (info.value.message, info.value.hint) == (message, hint)

    def test_range_ending_before_start(self) -> None:
        """A date range ending before it starts is the model's error."""
        with pytest.raises(ModelError, match="window ends .2025-02-01. before it starts"):
            parse_window("2025-03-01..2025-02-01", 2025)


class TestParseOffset:
    @pytest.mark.parametrize(
        ("value", "offset"),
        [
            (5, Offset(5)),
            (-2, Offset(-2)),
            ("5", Offset(5)),
            ("+5 working days", Offset(5, working=True)),
            ("+1 working day", Offset(1, working=True)),
            ("-2 days", Offset(-2)),
            ("- 3 days", Offset(-3)),
            ("1 day", Offset(1)),
            ("2 days before", Offset(-2)),
            ("3 working days after", Offset(3, working=True)),
            ("+1 workday", Offset(1, working=True)),
            ("2 business days", Offset(2, working=True)),
            ("3 ngày làm việc", Offset(3, working=True)),
            ("5 ngày trước", Offset(-5)),
            ("2 ngày sau", Offset(2)),
            ("+0 days", Offset(0)),
        ],
    )
    def test_forms(self, value: object, offset: Offset) -> None:
        """Signed numbers of calendar or working days, in English or Vietnamese."""
        assert parse_offset(value) == offset

    @pytest.mark.parametrize("offset", [Offset(5, True), Offset(-1), Offset(0, True), Offset(-12)])
    def test_str_reads_back(self, offset: Offset) -> None:
        """str(offset) is a form parse_offset reads."""
        assert parse_offset(str(offset)) == offset

    @pytest.mark.parametrize("value", ["soon", "5 weeks", True, None, 2.0, ""])
    def test_errors(self, value: object) -> None:
        """Anything else is refused with the forms to use."""
        with pytest.raises(PlanError) as info:
            parse_offset(value)
        assert info.value.message == f"cannot read {value!r} as a number of days"
        assert info.value.hint == "write e.g. '+5 working days', '3 days' or '-2 working days'"

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("+367 days", "'+367 days' is more than a year"),
            (
                "99999999999999999999 working days",
                "'99999999999999999999 working days' is more than a year",
            ),
            (-400, "-400 days is more than a year"),
        ],
    )
    def test_more_than_a_year_is_refused(self, value: object, message: str) -> None:
        """Offsets are bounded, so date arithmetic on them cannot overflow later."""
        with pytest.raises(PlanError) as info:
            parse_offset(value)
        assert (info.value.message, info.value.hint) == (message, "an offset is at most 366 days")
        assert parse_offset("-366 working days") == Offset(-366, working=True)


class TestParseTarget:
    @pytest.mark.parametrize(
        ("value", "target"),
        [
            ("24 per year", Target(24, Period.YEAR)),
            ("24 issues per year", Target(24, Period.YEAR, unit="issues")),
            ("about 3 per month", Target(3, Period.MONTH, approximate=True)),
            ("khoảng 3 tin/tháng", Target(3, Period.MONTH, approximate=True, unit="tin")),
            ("~2/week", Target(2, Period.WEEK, approximate=True)),
            ("1 a day", Target(1, Period.DAY)),
            ("3 per half", Target(3, Period.HALF)),
            ("approx. 5 bài / quý", Target(5, Period.QUARTER, approximate=True, unit="bài")),
            ("12 mỗi năm", Target(12, Period.YEAR)),
            ({"count": 24}, Target(24, Period.YEAR)),
            ({"count": 2, "per": "half"}, Target(2, Period.HALF)),
            (
                {"count": 3, "per": "tháng", "approximate": True, "unit": "tin"},
                Target(3, Period.MONTH, approximate=True, unit="tin"),
            ),
            ({"count": 1, "per": "window"}, Target(1, Period.WINDOW)),
        ],
    )
    def test_forms(self, value: object, target: Target) -> None:
        """Targets as text ('24 per year', 'khoảng 3 tin/tháng') or as a mapping."""
        assert parse_target(value) == target

    @pytest.mark.parametrize("per", list(Period))
    def test_every_period_in_a_mapping(self, per: Period) -> None:
        """Every Period can be written as the per of a target mapping."""
        assert parse_target({"count": 2, "per": per.value}).per is per

    _TEXT_HINT = "write e.g. '24 per year', 'about 3 per month' or {count: 24, per: year}"

    @pytest.mark.parametrize(
        ("value", "message", "hint"),
        [
            ("0 per year", "a target must be at least 1", None),
            ({"count": 0}, "target count must be a whole number of at least 1", None),
            ({"count": True}, "target count must be a whole number of at least 1", None),
            ({"per": "year"}, "target count must be a whole number of at least 1", None),
            ({"count": 2, "per": "fortnight"}, "unknown target period 'fortnight'",
             "use day, week, month, quarter, half, year, window or reporting"),
            ({"count": 2, "colour": "red"}, "unknown target field 'colour'",
             "a target has count, per, approximate and unit"),
            ({"count": 2, "unit": 5}, "target approximate must be true/false and unit a text", None),
            ({"count": 2, "approximate": "yes"},
             "target approximate must be true/false and unit a text", None),
            ("lots", "cannot read 'lots' as a target", _TEXT_HINT),
            (24, "cannot read 24 as a target", _TEXT_HINT),
            (None, "cannot read None as a target", _TEXT_HINT),
        ],
    )  # fmt: skip
    def test_errors(self, value: object, message: str, hint: str | None) -> None:
        """Bad targets say what is wrong."""
        with pytest.raises(PlanError) as info:
            parse_target(value)
        assert (info.value.message, info.value.hint) == (message, hint)


class TestParseTimeRange:
    @pytest.mark.parametrize(
        ("value", "start", "end"),
        [
            ("08:00-11:30", time(8), time(11, 30)),
            ("8h00 - 11h30", time(8), time(11, 30)),
            ("14:00 đến 16:30", time(14), time(16, 30)),
            ("7:30 to 9:00", time(7, 30), time(9)),
            ("13:30–17:00", time(13, 30), time(17)),
        ],
    )
    def test_forms(self, value: str, start: time, end: time) -> None:
        """Local wall-clock ranges in the usual spellings."""
        assert parse_time_range(value) == TimeRange(start, end)

    @pytest.mark.parametrize(
        ("value", "message", "hint"),
        [
            ("25:00-26:00", "'25:00-26:00': hour must be in 0..23", "hours are 0-23, minutes 0-59"),
            ("08:60-09:00", "'08:60-09:00': minute must be in 0..59", "hours are 0-23, minutes 0-59"),
            ("11:00-08:00",
             "'11:00-08:00': time range ends (08:00:00) at or before it starts (11:00:00)",
             "the end time must be later than the start"),
            ("8:00", "cannot read '8:00' as a time range", "write " + TIME_FORMS),
            (800, "cannot read 800 as a time range", "write " + TIME_FORMS),
            (None, "cannot read None as a time range", "write " + TIME_FORMS),
        ],
    )  # fmt: skip
    def test_errors(self, value: object, message: str, hint: str) -> None:
        """Bad times say what is wrong and how to write them."""
        with pytest.raises(PlanError) as info:
            parse_time_range(value)
        assert (info.value.message, info.value.hint) == (message, hint)


class TestNormaliseName:
    @pytest.mark.parametrize(
        "spelling",
        [
            "Phòng Văn hóa - Xã hội",
            "Phòng Văn hóa – Xã hội.",
            "  PHÒNG  VĂN HÓA-XÃ HỘI ",
            "phòng văn hóa—xã hội",
            unicodedata.normalize("NFD", "Phòng Văn hóa - Xã hội"),
        ],
    )
    def test_spellings_meet(self, spelling: str) -> None:
        """Case, dashes, spacing, a final dot and NFD do not matter."""
        assert normalise_name(spelling) == "phòng văn hóa - xã hội"

    def test_result_is_nfc(self) -> None:
        """The normalised name is NFC text."""
        name = normalise_name(unicodedata.normalize("NFD", "Ủy ban nhân dân"))
        assert name == unicodedata.normalize("NFC", name) == "ủy ban nhân dân"

    def test_different_names_stay_different(self) -> None:
        """Normalising does not merge different units."""
        assert normalise_name("Phòng Kinh tế") != normalise_name("Phòng Văn hóa - Xã hội")


@pytest.mark.parametrize(
    ("new_style", "old_style"),
    [
        ("Phòng Văn hoá - Xã hội", "Phòng Văn hóa - Xã hội"),
        ("Uỷ ban nhân dân xã Bờ Y", "Ủy ban nhân dân xã Bờ Y"),
        ("Thuỷ lợi", "Thủy lợi"),
        ("Sức khoẻ", "Sức khỏe"),
    ],
)
def test_names_match_across_tone_placement_styles(new_style: str, old_style: str) -> None:
    """Both placements of the tone on an open oa/oe/uy name the same unit."""
    assert normalise_name(new_style) == normalise_name(old_style)


def test_tone_placement_leaves_other_words_alone() -> None:
    """'quý' keeps its tone ('qu' is a consonant) and closed syllables are untouched."""
    assert normalise_name("quý") == "quý"
    assert normalise_name("Hoàng") == "hoàng"
    assert normalise_name("hoá") != normalise_name("hoa")
