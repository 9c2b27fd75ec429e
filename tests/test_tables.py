"""``planflow import`` of task tables (xlsx, csv) and ``planflow export-table`` back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import Workbook

from planflow import load
from planflow.cli.main import cli
from plans import EXAMPLE_DIR


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def sample_xlsx(path: Path) -> None:
    """A table as offices keep it: a merged title, a two-row header with merged cells,
    columns in their own order, a section heading, blank rows and some bad rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["BẢNG PHÂN CÔNG NHIỆM VỤ NĂM 2025"])  # row 1
    sheet.merge_cells("A1:F1")
    sheet.append(["STT", "Nội dung công việc", "Tần suất", "Cơ quan thực hiện", None,
                  "Thời gian thực hiện", "Kinh phí"])  # row 2  # fmt: skip
    sheet.append([None, None, None, "Chủ trì", "Phối hợp", None])  # row 3
    for column in "ABCFG":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("D2:E2")
    rows = [
        ["I", "CÔNG TÁC TUYÊN TRUYỀN", None, None, None, None],  # 4: a section heading
        [1, "Cập nhật tin bài về CĐS", "hằng tháng", "Phòng Văn hoá - Xã hội",
         "Công an xã; Văn phòng HĐND - UBND xã", "Thường xuyên"],  # 5
        [None, None, None, None, None, None],  # 6: blank
        [2, "Tuyên truyền Ngày CĐS quốc gia", None, "PHÒNG VĂN HÓA - XÃ HỘI", None,
         "Tháng 10/2025"],  # 7
        [3, "Báo cáo 6 tháng", "", "Van phong HDND va UBND xa", "VHXH", "Trước 30/6/2025"],  # 8
        [4, "Hội nghị tập huấn", "một lần", "Trung tâm Phục vụ hành chính công xã", None,
         date(2025, 9, 12)],  # 9: a date cell
        [None, None, None, None, None, None],  # 10: blank
        [5, "Việc có cơ quan lạ", "hằng quý", "Phòng Tư pháp", "Công an xã, Đài truyền hình",
         "Quý III năm 2025"],  # 11: two unknown units
        [6, "Việc không rõ thời gian", "thỉnh thoảng", "vhxh", None, "sớm"],  # 12
        [7, "Việc thiếu chủ trì", None, None, None, "2025"],  # 13
    ]  # fmt: skip
    for row in rows:
        sheet.append(row)
    book.save(path)


XLSX_PROBLEMS = [
    "11:4: D11 Cơ quan chủ trì (lead): unknown unit 'Phòng Tư pháp'",
    "11:5: E11 Cơ quan phối hợp (coordinators): unknown unit 'Đài truyền hình'",
    "12:3: C12 Tần suất (recurrence): unknown recurrence 'thỉnh thoảng'",
    "12:6: F12 Thời gian thực hiện (window): cannot read 'sớm' as a time",
    "13:4: D13 Cơ quan chủ trì (lead): the Cơ quan chủ trì (lead) cell is empty",
]


def problem_lines(output: str, file: Path) -> list[str]:
    prefix = f"{file}:"
    return [
        line[len(prefix) :].split(" — ")[0]
        for line in output.splitlines()
        if line.startswith(prefix)
    ]


class TestImport:
    def test_every_bad_row_is_reported_at_its_cell(self, tmp_path: Path) -> None:
        """Each bad row is reported at its cell, and nothing is written."""
        table = tmp_path / "nhiem-vu.xlsx"
        sample_xlsx(table)
        result = invoke("import", str(table), "--out", str(tmp_path / "kh"), "--year", "2025")
        assert result.exit_code == 1
        assert problem_lines(result.output, table) == XLSX_PROBLEMS
        assert "5 problems; nothing was written" in result.output
        assert not (tmp_path / "kh").exists()

    def test_bad_rows_are_reported_in_vietnamese(self, tmp_path: Path) -> None:
        """With --lang vi the same cells are named, in an official's words."""
        table = tmp_path / "nhiem-vu.xlsx"
        sample_xlsx(table)
        result = invoke("import", str(table), "--out", str(tmp_path / "kh"), "--year", "2025",
                        "--lang", "vi")  # fmt: skip
        lines = problem_lines(result.output, table)
        assert lines[0] == "11:4: D11 Cơ quan chủ trì (lead): không có đơn vị 'Phòng Tư pháp'"
        assert "12:6: F12 Thời gian thực hiện (window): không hiểu thời gian 'sớm'" in lines
        assert lines[-1] == "13:4: D13 Cơ quan chủ trì (lead): ô Cơ quan chủ trì (lead) để trống"
        assert "5 lỗi; chưa ghi tệp nào" in result.output

    def test_good_rows_become_tasks(self, tmp_path: Path) -> None:
        """Merged headers, blank rows, a section row and unit spellings are read."""
        table = tmp_path / "nhiem-vu.xlsx"
        sample_xlsx(table)
        from openpyxl import load_workbook

        book = load_workbook(table)
        book.active.delete_rows(11, 3)  # type: ignore[union-attr]
        book.save(table)
        out = tmp_path / "kh"
        result = invoke("import", str(table), "--out", str(out), "--year", "2025",
                        "--commune", "Thử")  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "Columns not used: G: Kinh phí" in result.output  # PLANFLOW_LANG=en (conftest)
        again = invoke("import", str(table), "--out", str(tmp_path / "vi"), "--year", "2025",
                       "--commune", "Thử", "--lang", "vi")  # fmt: skip
        assert "Các cột không sử dụng: G: Kinh phí" in again.output
        assert f"Đã tạo {tmp_path / 'vi' / 'plan.yaml'}: 4 nhiệm vụ, 16 đơn vị." in again.output
        plan = load(out).plan
        assert [(t.ref, t.lead, t.coordinators) for t in plan.tasks] == [
            ("1", "vhxh", ("ca", "vp")),
            ("2", "vhxh", ()),
            ("3", "vp", ("vhxh",)),
            ("4", "ttphcc", ()),
        ]
        windows = [(t.window.start, t.window.end, t.window.continuous) for t in plan.tasks]
        assert windows == [
            (date(2025, 1, 1), date(2025, 12, 31), True),
            (date(2025, 10, 1), date(2025, 10, 31), False),
            (date(2025, 1, 1), date(2025, 6, 30), False),
            (date(2025, 9, 12), date(2025, 9, 12), False),
        ]
        assert [t.recurrence for t in plan.tasks] == ["FREQ=MONTHLY;BYMONTHDAY=1", None, None, None]
        first = plan.tasks[0]
        assert first.title == "Cập nhật tin bài về CĐS"
        assert first.source == {"section": "CÔNG TÁC TUYÊN TRUYỀN"}
        assert plan.tasks[2].source["window"] == "Trước 30/6/2025"
        assert (
            (out / "plan.yaml")
            .read_text("utf-8")
            .startswith("# yaml-language-server: $schema=plan.schema.json\n")
        )

    def test_csv_with_english_headers_in_another_order(self, tmp_path: Path) -> None:
        """A CSV with English headers in its own order and blank rows imports."""
        table = tmp_path / "tasks.csv"
        table.write_text(
            "Frequency;Lead unit;Task;Coordinators;When;Notes\n"
            "\n"
            "weekly;vhxh;Weekly briefing;ca;2025;\n"
            ";;;;;\n"
            "quarterly;Công an xã;Security report;Phòng Văn hóa - Xã hội, Trạm Y tế xã;2025;q\n"
            "monthly;Nobody;Bad row;;Q5/2025;\n",
            encoding="utf-8-sig",
        )
        result = invoke("import", str(table), "--out", str(tmp_path / "kh"), "--year", "2025")
        assert result.exit_code == 1
        assert problem_lines(result.output, table) == [
            "6:2: B6 Cơ quan chủ trì (lead): unknown unit 'Nobody'",
            "6:5: E6 Thời gian thực hiện (window): cannot read 'Q5/2025' as a time",
        ]
        table.write_text(table.read_text("utf-8-sig").rsplit("monthly", 1)[0], encoding="utf-8")
        result = invoke("import", str(table), "--out", str(tmp_path / "kh"), "--year", "2025")
        assert result.exit_code == 0, result.output
        plan = load(tmp_path / "kh").plan
        assert [(t.title, t.lead, t.coordinators, t.notes) for t in plan.tasks] == [
            ("Weekly briefing", "vhxh", ("ca",), ""),
            ("Security report", "ca", ("vhxh", "tyt"), "q"),
        ]

    def test_no_header(self, tmp_path: Path) -> None:
        """A table without a recognisable header is refused with a message."""
        table = tmp_path / "x.csv"
        table.write_text("a,b\n1,2\n", encoding="utf-8")
        result = invoke("import", str(table), "--out", str(tmp_path / "kh"))
        assert result.exit_code == 1
        assert "no header row with a Nội dung (title) column" in result.output


def _fields(plan: object) -> list[tuple[object, ...]]:
    return [
        (t.id, t.ref, t.title, t.lead, t.coordinators, t.window.start, t.window.end,
         t.window.continuous, t.recurrence, t.notes)
        for t in plan.tasks  # type: ignore[attr-defined]
    ]  # fmt: skip


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_gives_the_same_tasks(tmp_path: Path, fmt: str) -> None:
    """export-table then import gives back the same tasks and units."""
    table = tmp_path / f"bo-y.{fmt}"
    result = invoke("export-table", str(EXAMPLE_DIR), "--format", fmt, "--out", str(table))
    assert result.exit_code == 0, result.output
    extra = ["--units", str(EXAMPLE_DIR)] if fmt == "csv" else []  # csv carries no units
    result = invoke("import", str(table), "--out", str(tmp_path / "kh"), "--year", "2025", *extra)
    assert result.exit_code == 0, result.output
    original, again = load(EXAMPLE_DIR).plan, load(tmp_path / "kh").plan
    assert _fields(again) == _fields(original)
    assert [(u.id, u.name, u.aliases) for u in again.units] == [
        (u.id, u.name, u.aliases) for u in original.units
    ]
