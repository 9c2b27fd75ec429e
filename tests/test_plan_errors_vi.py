"""Plan-file errors in Vietnamese: the message, the hint, FILE:LINE:COL and paths counted from 1.

Each case breaks one line of a small plan whose lines are counted by hand below; the
expected text is what an officer reads, written out in full.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from planflow.cli.main import cli

#: line numbers, for the cases: 14 "- id: a", 17 its window, 18 "- id: b", 20 its lead
BASE = """\
planflow: 1
plan:
  id: thu
  title: Kế hoạch thử
  issuer: UBND xã
  year: 2025
  language: vi
units:
  - id: vp
    name: Văn phòng
  - id: vhxh
    name: Phòng Văn hóa - Xã hội
tasks:
  - id: a
    title: Việc một
    lead: vp
    window: Quý I/2025
  - id: b
    title: Việc hai
    lead: vhxh
    window: Năm 2025
"""


def _plan(tmp_path: Path, old: str, new: str) -> Path:
    assert BASE.count(old) == 1
    path = tmp_path / "plan.yaml"
    path.write_text(BASE.replace(old, new), encoding="utf-8")
    return path


def _validate(path: Path, *options: str, env: dict[str, str] | None = None) -> list[str]:
    result = CliRunner().invoke(cli, ["validate", str(path), *options], env=env)
    assert result.exit_code == 1, result.output
    return result.stderr.splitlines()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "lead: vhxh",
            "lead: vhxhh",
            ":20:11: nhiệm vụ thứ 2 › lead: không có đơn vị 'vhxhh' — có phải là 'vhxh'?",
        ),
        (
            "  - id: b",
            "  - id: a",
            ":18:9: nhiệm vụ thứ 2 › id: trùng mã nhiệm vụ 'a' — nhiệm vụ thứ 1 đã dùng mã này",
        ),
        (
            "    lead: vhxh\n",
            "    lead: vhxh\n    coordinators: [vp, xx]\n",
            ":21:24: nhiệm vụ thứ 2 › đơn vị phối hợp thứ 2: không có đơn vị 'xx' — bổ sung đơn vị "
            "vào units: hoặc groups:, hoặc ghi mã hay một tên gọi khác của đơn vị đã có",
        ),
        (
            "    window: Năm 2025\n",
            "    window: Năm 2025\n    recurrence: 5\n",
            ":22:17: nhiệm vụ thứ 2 › recurrence: cần ghi tần suất thực hiện, nhưng đang ghi "
            "một số (5) — viết ví dụ 'ngày 20 hằng tháng', 'hằng quý', 'thứ Hai hằng tuần', "
            "'monthly' hoặc 'FREQ=MONTHLY;BYMONTHDAY=15'",
        ),
        (
            "    window: Năm 2025\n",
            "    window: Năm 2025\n    recurrence: ngày 35 hằng tháng\n",
            ":22:17: nhiệm vụ thứ 2 › recurrence: không có ngày 35 — ngày trong tháng từ 1 đến 31",
        ),
        (
            "    window: Năm 2025\n",
            "    window: Năm 2025\n    recurrence: hằng tuầnn\n",
            ":22:17: nhiệm vụ thứ 2 › recurrence: không hiểu tần suất 'hằng tuầnn' — "
            "có phải là 'hằng tuần'?",
        ),
        (
            "  year: 2025",
            "  year: hai nghìn",
            ":6:9: plan › year: cần ghi năm, ví dụ 2025, nhưng đang ghi 'hai nghìn'",
        ),
    ],
)
def test_vietnamese_error(tmp_path: Path, old: str, new: str, expected: str) -> None:
    """--lang vi: the message and hint in Vietnamese, located, the entry counted from 1."""
    path = _plan(tmp_path, old, new)
    lines = _validate(path, "--lang", "vi")
    assert lines == [f"{path}{expected}", "1 lỗi; không đọc được kế hoạch."]


def test_window_hint_shows_the_vietnamese_forms(tmp_path: Path) -> None:
    """An unreadable window is told with the forms the parser reads, Vietnamese ones first."""
    path = _plan(tmp_path, "window: Năm 2025", "window: Quý V/2025")
    first = _validate(path, "--lang", "vi")[0]
    assert first.startswith(
        f"{path}:21:13: nhiệm vụ thứ 2 › window: không hiểu 'Quý V/2025' là thời gian thực "
        "hiện — viết theo một trong các dạng: 'Năm 2025', 'Quý IV/2025', 'Quý III, IV/2025', "
        "'6 tháng cuối năm 2025', 'tháng 3/2025',"
    )
    from planflow.plan.forms import parse_window

    for form in ("Năm 2025", "Quý IV/2025", "Quý III, IV/2025", "6 tháng cuối năm 2025"):
        parse_window(form, 2025)  # each form the hint shows is one the parser reads


def test_unknown_key_and_missing_key(tmp_path: Path) -> None:
    """A misspelt key: told at the key, with the entry's path, and the key it misses."""
    path = _plan(tmp_path, "    window: Quý I/2025", "    windw: Quý I/2025")
    assert _validate(path, "--lang", "vi") == [
        f"{path}:14:5: nhiệm vụ thứ 1: thiếu khóa bắt buộc 'window'",
        f"{path}:17:5: nhiệm vụ thứ 1: không có khóa 'windw' — có phải là 'window'?",
        "2 lỗi; không đọc được kế hoạch.",
    ]


def test_the_plans_language_decides_even_when_it_does_not_load(tmp_path: Path) -> None:
    """No --lang, no PLANFLOW_LANG, an English locale: the plan's ``language: vi`` wins."""
    path = _plan(tmp_path, "lead: vhxh", "lead: vhxhh")
    env = {"PLANFLOW_LANG": "", "LANG": "en_US.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
    assert _validate(path, env=env)[0].startswith(f"{path}:20:11: nhiệm vụ thứ 2 › lead: ")
    english = _validate(path, "--lang", "en", env=env)
    assert english == [
        f"{path}:20:11: tasks[1].lead: unknown unit 'vhxhh' — did you mean 'vhxh'?",
        "1 error; the plan was not loaded.",
    ]


def test_warnings_count_from_one(tmp_path: Path) -> None:
    """A warning of a plan that loads: Vietnamese, its date as 30/09/2025, entry from 1."""
    path = _plan(tmp_path, "  language: vi", "  language: vi\n  effective: 2025-04-01")
    result = CliRunner().invoke(cli, ["validate", str(path), "--lang", "vi"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        f"{path}:18:13: cảnh báo: nhiệm vụ thứ 1 › window: thời gian thực hiện Q1/2025 kết thúc "
        "trước ngày kế hoạch có hiệu lực (01/04/2025): nhiệm vụ không có lượt việc nào — "
        "chuyển thời gian thực hiện về sau ngày kế hoạch có hiệu lực, hoặc bỏ nhiệm vụ này"
    )


def test_a_remembered_answer_is_told_in_each_language(tmp_path: Path) -> None:
    """The country check is cached; its message still follows the language of each run."""
    path = _plan(tmp_path, "  language: vi\n", "  language: vi\ncalendar:\n  country: VNN\n")
    vi = _validate(path, "--lang", "vi")[0]
    en = _validate(path, "--lang", "en")[0]
    assert vi == (
        f"{path}:9:12: calendar › country: không có dữ liệu ngày lễ của quốc gia 'VNN' — "
        "có phải là 'VN'?"
    )
    assert (
        en
        == f"{path}:9:12: calendar.country: no public holidays known for country 'VNN' — did you mean 'VN'?"
    )
