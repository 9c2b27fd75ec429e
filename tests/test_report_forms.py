"""Every report form says the same numbers as the run; the PDF is an A4 document in order."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import date, datetime
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from planflow.cli.main import cli
from planflow.hooks.manager import get_plugin_manager
from planflow.i18n import use_language
from planflow.jobs.report import report_artifacts
from planflow.plan.loading import load_plan
from planflow.plan.model import Plan
from planflow.reports.clauses import clause_key
from planflow.reports.periods import resolve_period
from planflow.run.scenarios import Profile, Scenario
from planflow.run.simulation import SimulationResult, simulate

PLAN = "examples/boy_2025"
COUNTS = ("planned", "done", "on_time", "late", "missed", "pending")


@cache
def boy() -> Plan:
    """The Bờ Y plan (loaded once)."""
    return load_plan(PLAN)


@cache
def run_m9() -> SimulationResult:
    """A random year with late and missed work, stopped on 30/09 (the 9-month report)."""
    scenario = Scenario(default=Profile(late=0.3, skip=0.1, min=1, mode=3, max=8))
    return simulate(boy(), model="random", seed=11, scenario=scenario, until=date(2025, 9, 30))


@cache
def expected() -> list[tuple[str, list[int]]]:
    """Per task with work due in the period, in clause order: the counts, tallied by hand."""
    tally: dict[str, Counter[str]] = {}
    for o in run_m9().outcomes:
        if date(2025, 1, 1) <= o.occurrence.due <= date(2025, 9, 30):
            tally.setdefault(o.occurrence.plan_task, Counter())[o.state.value] += 1
    order = {t.id: n for n, t in enumerate(boy().tasks)}
    tasks = sorted(
        (t for t in boy().tasks if t.id in tally), key=lambda t: (clause_key(t.ref), order[t.id])
    )
    rows = []
    for t in tasks:
        c = tally[t.id]
        planned = sum(c.values())
        done = c["done"] + c["late"]
        rows.append(
            (t.id, [planned, done, c["done"], c["late"], c["missed"], planned - done - c["missed"]])
        )
    return rows


def artifacts(form: str, language: str = "vi") -> dict[str, bytes]:
    """The files the reporter behind ``form`` makes for m9 of the random run."""
    pm = get_plugin_manager(load_entrypoints=False, environ={})
    with use_language(language):
        made = report_artifacts(boy(), run_m9(), resolve_period(boy(), "m9"), pm=pm, form=form)
    return {a.name: a.content for a in made}


def _number(text: str) -> int:
    """A whole number as the Vietnamese forms write it (1.234)."""
    return int(text.strip().replace(".", "") or 0)


def test_the_run_has_late_and_missed_work() -> None:
    """The run the forms are checked against is not trivial."""
    totals = [sum(col) for col in zip(*(c for _, c in expected()), strict=True)]
    assert totals[3] > 0 and totals[4] > 0 and totals[5] > 0


def test_json() -> None:
    """``json``: the tasks' counts, in clause order."""
    data = json.loads(artifacts("json")["boy-2025-m9.json"])
    got = [(t["task"], [t[k] for k in COUNTS]) for t in data["tasks"] if t["planned"]]
    assert got == expected()
    assert data["period"]["name"] == "9 tháng"


def test_csv() -> None:
    """``csv``: one row per task after the total and the units."""
    raw = artifacts("csv")["boy-2025-m9.csv"]
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with its BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1][0] == "tổng"
    got = [(r[1], [int(v) for v in r[4:10]]) for r in rows if r[0] == "nhiệm vụ" and r[4] != "0"]
    assert got == expected()
    totals = [int(v) for v in rows[1][4:10]]
    assert totals == [sum(col) for col in zip(*(c for _, c in expected()), strict=True)]


def _md_cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [c.strip() for c in cells]


def test_markdown() -> None:
    """``markdown``: the task table under "2. Kết quả theo nhiệm vụ"."""
    text = artifacts("md")["boy-2025-m9.md"].decode("utf-8")
    section = text.split("### 2. Kết quả theo nhiệm vụ")[1].split("###")[0]
    lines = [ln for ln in section.splitlines() if ln.startswith("| ")][1:]
    refs = {t.id: t.ref for t in boy().tasks}
    got = [[int(v) for v in _md_cells(ln)[4:10]] for ln in lines]
    got = [row for row in got if row[0]]
    assert got == [c for _, c in expected()]
    assert [_md_cells(ln)[0] for ln in lines if _md_cells(ln)[4] != "0"] == [
        refs[t] for t, _ in expected()
    ]


class _Cells(HTMLParser):
    """Collects ``<td data-key>`` numbers per ``<tr data-task>`` of the tasks table."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, dict[str, str]]] = []
        self.key: str | None = None
        self.row: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr":
            self.row = {} if a.get("data-task") else None
            if self.row is not None:
                self.rows.append((str(a["data-task"]), self.row))
        elif tag == "td" and a.get("data-key") and self.row is not None:
            self.key = a["data-key"]

    def handle_data(self, data: str) -> None:
        if self.key is not None and self.row is not None:
            self.row[self.key] = self.row.get(self.key, "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.key = None


def test_html() -> None:
    """``html``: the task table's cells."""
    parser = _Cells()
    parser.feed(artifacts("html")["boy-2025-m9.html"].decode("utf-8"))
    got = [(task, [_number(cells[k]) for k in COUNTS]) for task, cells in parser.rows]
    assert [row for row in got if row[1][0]] == expected()


def test_xlsx() -> None:
    """``xlsx``: the summary sheet (numbers as numbers), a sheet per unit with real dates."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(artifacts("xlsx")["boy-2025-m9.xlsx"]))
    summary = book.worksheets[0]
    assert summary.title == "Tổng hợp"
    assert summary.freeze_panes == "A4"
    assert summary.print_area and summary.print_title_rows == "$3:$3"
    rows = list(summary.iter_rows(min_row=4, values_only=True))
    refs = {t.id: t.ref for t in boy().tasks}
    body = [r for r in rows[:-1] if r[3]]
    assert [r[0] for r in body] == [refs[t] for t, _ in expected()]
    assert [list(r[3:9]) for r in body] == [c for _, c in expected()]
    assert rows[-1][1] == "Tổng cộng"
    assert "vhxh" in book.sheetnames and "ca" in book.sheetnames
    police = book["ca"]
    due = police.cell(row=4, column=6)
    assert isinstance(due.value, datetime) and due.number_format == "dd/mm/yyyy"
    assert police.column_dimensions["B"].width == 55
    occurrences = [
        o
        for o in run_m9().outcomes
        if o.occurrence.due <= date(2025, 9, 30)
        and (o.occurrence.unit == "ca" or "ca" in _coordinators(o.occurrence.task))
    ]
    assert police.max_row - 3 == len(occurrences)


def _coordinators(duty: str) -> tuple[str, ...]:
    timeline = run_m9().timeline
    return timeline.units_of(timeline.duty(duty))[1]


def test_english() -> None:
    """The same report in English: English headings, the same numbers."""
    data = json.loads(artifacts("json", "en")["boy-2025-m9.json"])
    assert data["period"]["name"] == "Nine months"
    text = artifacts("md", "en")["boy-2025-m9.md"].decode("utf-8")
    assert "### 2. By task" in text and "Kết quả theo" not in text


@pytest.fixture
def vietnamese(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PLANFLOW_LANG: the Bờ Y plan's own ``language: vi`` decides."""
    monkeypatch.delenv("PLANFLOW_LANG")


def test_pdf_is_an_a4_administrative_document(tmp_path: Path, vietnamese: None) -> None:
    """``planflow report … --format pdf``: A4 pages; the parts of ND 30 in their order."""
    from pypdf import PdfReader

    result = CliRunner().invoke(
        cli,
        ["report", PLAN, "--period", "m9", "--format", "pdf", "--out", str(tmp_path)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "đã ghi:" in result.output
    reader = PdfReader(tmp_path / "boy-2025-m9.pdf")
    a4 = (595.28, 841.89)  # 210 × 297 mm in points
    for page in reader.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(a4, abs=0.5)
    text = "\n".join(page.extract_text() for page in reader.pages)
    parts = [
        "ỦY BAN NHÂN DÂN\nXÃ BỜ Y",
        "Số:",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Bờ Y, ngày",
        "BÁO CÁO",
        "Kết quả 9 tháng đầu năm 2025 thực hiện Kế hoạch truyền thông",
        "I. KẾT QUẢ THỰC HIỆN",
        "II. TỒN TẠI, HẠN CHẾ CẦN LƯU Ý",
        "Nơi nhận:",
        "- Sở Nội vụ tỉnh (b/c);",
        "- Lưu: VT, VHXH.",
        "TM. ỦY BAN NHÂN DÂN",
        "PHÓ CHỦ TỊCH",
        "Trần Thị Huyện",
    ]
    where = [text.find(part) for part in parts]
    assert -1 not in where, [p for p, w in zip(parts, where, strict=True) if w < 0]
    assert where == sorted(where)
    # page numbers from page 2 on (extracted last, as WeasyPrint draws the margin boxes last)
    assert reader.pages[1].extract_text().rstrip().endswith("\n2")
    assert not reader.pages[0].extract_text().rstrip().endswith("\n1")


def test_report_errors_are_messages(vietnamese: None) -> None:
    """An unknown period, unit or form: a Vietnamese message with a hint, no traceback."""
    runner = CliRunner()
    result = runner.invoke(cli, ["report", PLAN, "--period", "m10"])
    assert result.exit_code == 1
    assert "không có kỳ báo cáo 'm10'" in result.output and "m9" in result.output
    result = runner.invoke(cli, ["report", PLAN, "--period", "m9", "--unit", "vhhx"])
    assert result.exit_code == 1 and "vhxh" in result.output
    assert "Traceback" not in result.output


def test_report_unit_in_english(tmp_path: Path) -> None:
    """--unit writes the unit's report under its own name; --lang en speaks English."""
    result = CliRunner().invoke(
        cli,
        [
            "report",
            PLAN,
            "--period",
            "2025-Q3",
            "--unit",
            "ca",
            "--format",
            "json",
            "--out",
            str(tmp_path),
            "--lang",
            "en",
        ],
        catch_exceptions=False,
    )
    assert result.output.startswith("written: ")
    data: dict[str, Any] = json.loads((tmp_path / "boy-2025-2025-q3-ca.json").read_text("utf-8"))
    assert data["unit"] == "ca" and data["period"]["name"] == "quarter 3 of 2025"


def test_pdf_without_weasyprint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without WeasyPrint: a message saying what to install, not a traceback."""
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as if not installed
    result = CliRunner().invoke(
        cli, ["report", PLAN, "--period", "m9", "--format", "pdf", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "the pdf form needs WeasyPrint" in result.output
    assert "pip install 'planflow[report]'" in result.output
    assert not list(tmp_path.iterdir())
