"""``planflow agenda --format xlsx|csv|md``: the task table officials keep in Excel."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner

from planflow.cli.main import cli

PLAN = "examples/boy_2025"
ARGS = ["agenda", PLAN, "--unit", "vhxh", "--from", "2025-07-01", "--to", "2025-09-30"]


def _json_rows() -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, [*ARGS, "--json"], catch_exceptions=False)
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_xlsx(tmp_path: Path) -> None:
    """One row per occurrence --json lists, real dates, frozen header, print area."""
    from openpyxl import load_workbook

    target = tmp_path / "vhxh.xlsx"
    result = CliRunner().invoke(
        cli, [*ARGS, "--format", "xlsx", "--out", str(target), "--lang", "vi"]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target).worksheets[0]
    assert sheet.title == "Lịch công việc"
    assert [c.value for c in sheet[1]][:2] == ["Bắt đầu", "Hạn"]
    assert sheet.freeze_panes == "A2" and sheet.print_area
    expected = _json_rows()
    got = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(got) == len(expected)
    for row, item in zip(got, expected, strict=True):
        assert isinstance(row[1], datetime) and row[1].date().isoformat() == item["due"]
        assert row[3] == item["ref"]
        assert row[6] == ("phối hợp" if item["role"] == "coordinator" else "chủ trì")
    # the report's sheet writer: bold bordered header repeated on each A4 landscape page
    assert sheet["A1"].font.bold and sheet["A1"].border.bottom.style == "thin"
    assert sheet["B2"].number_format == "dd/mm/yyyy" and sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert (
        sheet.column_dimensions["E"].width == 60
        and sheet.print_area == f"'{sheet.title}'!$A$1:$I${len(got) + 1}"
    )


def test_csv_and_markdown() -> None:
    """csv (UTF-8 with BOM, ISO dates) and md carry the same rows as --json."""
    runner = CliRunner()
    expected = _json_rows()
    text = runner.invoke(cli, [*ARGS, "--format", "csv"], catch_exceptions=False).stdout
    rows = list(csv.reader(io.StringIO(text)))
    assert [(r[1], r[3]) for r in rows[1:]] == [(i["due"], i["ref"]) for i in expected]
    md = runner.invoke(cli, [*ARGS, "--format", "md", "--lang", "vi"]).stdout.splitlines()
    assert len(md) == 2 + len(expected) and md[2].startswith("| ")
    assert "/2025 |" in md[2]  # dd/mm/yyyy in Vietnamese


def test_xlsx_needs_a_file() -> None:
    """xlsx is not printed on a terminal: a usage error says to add --out."""
    result = CliRunner().invoke(cli, [*ARGS, "--format", "xlsx"])
    assert result.exit_code == 2 and "--out FILE" in result.output


def test_meeting_time_on_screen(tmp_path: Path) -> None:
    """A timed task shows its meeting time beside its due date."""
    from planflow.testing import TINY_PLAN

    text = TINY_PLAN.replace("    lead: radio\n", '    lead: radio\n    time: "08:00-11:30"\n', 1)
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["agenda", str(plan), "--lang", "vi"], env={"COLUMNS": "100"})
    rows = [line for line in result.stdout.splitlines() if "Phát lại trên đài" in line]
    assert len(rows) == 3 and all("08:00–11:30" in row for row in rows)
    assert not any("08:00" in line for line in result.stdout.splitlines() if "Tin bài" in line)
