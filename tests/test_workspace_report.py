"""``planflow report WORKSPACE``: one consolidated report of every plan for a period.

The oracle is the year worked out by hand: three small plans of monthly duties
(``year_support.plan_text``: each duty due on the 15th, its window closing at the next
month's due date) whose first quarter is recorded with ``planflow done``, and a
fourth plan that does not load. With ``--plan`` the oracle is ``planflow report``
of the plan's own folder.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.workspaces import WORKSPACE_FILE

from planflow.cli.main import cli
from year_support import plan_text

SHARED = "coordinators: [radio]"  # viec-1's coordinators in plan_text
INDICATORS = """\
indicators:
  - id: ho-so-mang
    text: "100% hồ sơ công việc được xử lý trên môi trường mạng"
    target: "100%"
    owner: vp
    checkpoints: cuối mỗi quý
  - id: dvc
    text: "Phấn đấu tối thiểu 80% hồ sơ được giải quyết trực tuyến toàn trình"
    target: "tối thiểu 80%"
    firmness: phấn đấu
    owner: radio
    checkpoints: [31/03/2025]
"""


def _plan(tasks: int, plan_id: str, *, with_sonv: bool = False, extra: str = "") -> str:
    text = plan_text(tasks, plan_id=plan_id, extra=extra)
    return text.replace(SHARED, "coordinators: [radio, sonv]", 1) if with_sonv else text


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """a: 3 duties, viec-1 coordinated by sonv, done on 14/01 (on time) and 20/02 (late);
    b: 1 duty coordinated by sonv, done on time in each month of Q1; c: 2 duties, nothing
    recorded; d: names a unit it lacks (does not load). a and c have two indicators
    measured on 31/03: a misses the required one (97,5 of 100%), c the one to strive
    for (70 of at least 80%)."""
    root = tmp_path_factory.mktemp("ws") / "tinh"
    root.mkdir()
    (root / "planflow-workspace.yaml").write_text(WORKSPACE_FILE, encoding="utf-8")
    plans = {
        "a": _plan(3, "a-2025", with_sonv=True, extra=INDICATORS),
        "b": _plan(1, "b-2025", with_sonv=True),
        "c": _plan(2, "c-2025", extra=INDICATORS),
        "d": _plan(1, "d-2025").replace("lead: vhxh", "lead: khong-co"),
    }
    for folder, text in plans.items():
        (root / folder).mkdir()
        (root / folder / "plan.yaml").write_text(text, encoding="utf-8")
    done = [("a", "viec-1#1", "2025-01-14"), ("a", "viec-1#2", "2025-02-20")]
    done += [("b", f"viec-1#{n}", f"2025-0{n}-14") for n in (1, 2, 3)]
    for folder, occurrence, day in done:
        code, out, err = invoke("done", str(root / folder), occurrence, "--date", day,
                                "--now", "2025-04-01")  # fmt: skip
        assert code == 0, out + err
    values = [("a", "ho-so-mang", "97,5"), ("a", "dvc", "85"), ("c", "ho-so-mang", "100")]
    for folder, indicator, value in [*values, ("c", "dvc", "70")]:
        code, out, err = invoke("record", str(root / folder), indicator, value,
                                "--date", "2025-03-31", "--now", "2025-04-01")  # fmt: skip
        assert code == 0, out + err
    return root


# by hand, the first quarter as recorded on 31/03: 3, 1 and 2 duties × 3 months
RECORDED = {
    "a-2025": {"planned": 9, "done": 2, "on_time": 1, "late": 1, "missed": 4, "pending": 3},
    "c-2025": {"planned": 6, "done": 0, "on_time": 0, "late": 0, "missed": 4, "pending": 2},
    "b-2025": {"planned": 3, "done": 3, "on_time": 3, "late": 0, "missed": 0, "pending": 0},
}
TOTALS = {"planned": 18, "done": 5, "on_time": 4, "late": 1, "missed": 8, "pending": 5}
# sonv's part: viec-1 of a (on time, late, open in March) and of b (three on time)
SONV = {"planned": 6, "done": 5, "on_time": 4, "late": 1, "missed": 0, "pending": 1}


def _report(province: Path, out: Path, form: str, *extra: str) -> tuple[int, str, str]:
    return invoke("report", str(province), "--period", "2025-Q1", "--format", form,
                  "--out", str(out), "--from-state", "--no-cache", *extra)  # fmt: skip


def test_json_totals_rows_shared_units_and_failed_plan(province: Path, tmp_path: Path) -> None:
    code, _out, err = _report(province, tmp_path, "json")
    assert code == 1  # a plan did not load: the report is written, the exit status says so
    assert f"{province / 'd' / 'plan.yaml'}:" in err and "khong-co" in err
    data = json.loads((tmp_path / "tinh-2025-q1.json").read_text(encoding="utf-8"))
    assert data["kind"] == "workspace-report"
    assert data["period"] == {"id": "2025-q1", "start": "2025-01-01", "end": "2025-03-31"}
    assert data["source"] == {"kind": "recorded"}
    assert (data["plans_total"], data["plans_failed"]) == (4, 1)
    assert data["totals"] == {**TOTALS, "on_time_percent": 22.2}  # 4 / 18
    assert [p["plan"] for p in data["plans"]] == ["a-2025", "c-2025", "b-2025"]  # most behind
    for row in data["plans"]:
        assert {k: row[k] for k in TOTALS} == RECORDED[row["plan"]]
    assert [p["on_time_percent"] for p in data["plans"]] == [11.1, 0.0, 100.0]
    # a's most behind unit: radio (viec-2) and vp (viec-3) each missed two, radio comes
    # first by id; vhxh (viec-1) only has one late
    assert data["plans"][0]["worst_unit"] == "a-2025/radio"
    assert data["shared_units"] == [
        {"unit": "sonv", "name": "Sở Nội vụ tỉnh", "plans": 2, **SONV, "on_time_percent": 66.7}
    ]
    assert [f["file"] for f in data["failed"]] == ["d/plan.yaml"]
    assert [p["indicators_not_met"] for p in data["plans"]] == [1, 1, 0]
    assert data["indicators_not_met"] == [
        {"plan": "a-2025", "indicator": "ho-so-mang", "ref": "",
         "text": "100% hồ sơ công việc được xử lý trên môi trường mạng", "unit": "a-2025/vp",
         "checkpoint": "2025-03-31", "goal": "≥ 100%", "value": 97.5, "firmness": "required",
         "failed": True},
        {"plan": "c-2025", "indicator": "dvc", "ref": "",
         "text": "Phấn đấu tối thiểu 80% hồ sơ được giải quyết trực tuyến toàn trình",
         "unit": "c-2025/radio", "checkpoint": "2025-03-31", "goal": "≥ 80%", "value": 70.0,
         "firmness": "strive", "failed": False},
    ]  # fmt: skip


def test_csv(province: Path, tmp_path: Path) -> None:
    _report(province, tmp_path, "csv")
    text = (tmp_path / "tinh-2025-q1.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    keys = ["planned", "done", "on_time", "late", "missed", "pending"]
    assert rows[1][:3] == ["total", "2025-q1", "Tỉnh thử"]
    assert [int(x) for x in rows[1][3:9]] == [TOTALS[k] for k in keys]
    plans = [r for r in rows if r[0] == "plan"]
    assert [r[1] for r in plans] == ["a-2025", "c-2025", "b-2025"]
    for r in plans:
        assert [int(x) for x in r[3:9]] == [RECORDED[r[1]][k] for k in keys]
    (sonv,) = [r for r in rows if r[0] == "shared unit"]
    assert [int(x) for x in sonv[3:9]] == [SONV[k] for k in keys]
    (failed,) = [r for r in rows if r[0] == "not read"]
    assert failed[1] == "d/plan.yaml" and "khong-co" in failed[2]
    kpi = (tmp_path / "tinh-2025-q1-chi-tieu.csv").read_bytes().decode("utf-8-sig")
    kpi_rows = list(csv.reader(io.StringIO(kpi)))[1:]
    assert [(r[0], r[1], r[4], r[5], float(r[7]), r[9]) for r in kpi_rows] == [
        ("a-2025", "ho-so-mang", "a-2025/vp", "2025-03-31", 97.5, "1"),
        ("c-2025", "dvc", "c-2025/radio", "2025-03-31", 70.0, "0"),
    ]


def test_markdown_in_vietnamese(province: Path, tmp_path: Path) -> None:
    _report(province, tmp_path, "md", "--lang", "vi")
    text = (tmp_path / "tinh-2025-q1.md").read_text(encoding="utf-8")
    assert text.startswith("# Báo cáo tổng hợp tình hình thực hiện kế hoạch — Quý I năm 2025\n")
    assert "Tổng hợp kết quả Quý I năm 2025 thực hiện 4 kế hoạch trên địa bàn Tỉnh thử" in text
    assert "kỳ từ 01/01/2025 đến 31/03/2025" in text
    assert "| 18 | 5 | 4 | 1 | 8 | 5 | 22,2% |" in text
    lines = [line for line in text.splitlines() if line.startswith("| 1 |")]
    assert lines == ["| 1 | Kế hoạch thử nghiệm chạy năm thật xã Bờ Y năm 2025 (a-2025) | 9 | 2 | 1 "
                     "| 1 | 4 | 3 | 11,1% | 0 | 1 | a-2025/radio |"]  # fmt: skip
    assert "| Sở Nội vụ tỉnh (sonv) | 2 | 6 | 5 | 4 | 1 | 0 | 1 | 66,7% |" in text
    assert "`d/plan.yaml`" in text and "khong-co" in text
    assert ("| a-2025 | 100% hồ sơ công việc được xử lý trên môi trường mạng | a-2025/vp "
            "| 31/03/2025 | ≥ 100% | 97,5 | Không đạt |") in text  # fmt: skip


def test_top_plans_and_how_many_more(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the plans most behind are listed, with the number of the others; --all lists all."""
    monkeypatch.setattr("planflow.cli.workspace_report.TOP", 1)
    _report(province, tmp_path, "md")
    text = (tmp_path / "tinh-2025-q1.md").read_text(encoding="utf-8")
    assert "(a-2025)" in text and "(c-2025)" not in text and "(b-2025)" not in text
    assert "… and 2 more plans (--all lists every plan)" in text
    _report(province, tmp_path, "md", "--all")
    text = (tmp_path / "tinh-2025-q1.md").read_text(encoding="utf-8")
    assert text.index("(a-2025)") < text.index("(c-2025)") < text.index("(b-2025)")
    assert "more plans" not in text


def test_xlsx(province: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    _report(province, tmp_path, "xlsx", "--lang", "vi")
    wb = load_workbook(tmp_path / "tinh-2025-q1.xlsx")
    assert wb.sheetnames == [
        "Theo kế hoạch", "Đơn vị dùng chung", "Chỉ tiêu đo lường chưa đạt", "Không đọc được"
    ]  # fmt: skip
    kpi = list(wb["Chỉ tiêu đo lường chưa đạt"].iter_rows(min_row=4, values_only=True))
    assert [(r[0], r[3], r[4].date(), r[6], r[8]) for r in kpi] == [
        ("a-2025", "a-2025/vp", date(2025, 3, 31), 97.5, "Không đạt"),
        ("c-2025", "c-2025/radio", date(2025, 3, 31), 70, "Chưa đạt (phấn đấu)"),
    ]
    rows = list(wb["Theo kế hoạch"].iter_rows(min_row=4, values_only=True))
    assert [r[1] for r in rows[:3]] == ["a-2025", "c-2025", "b-2025"]
    assert list(rows[0][3:9]) == list(RECORDED["a-2025"].values())
    assert rows[0][9] == pytest.approx(1 / 9, abs=0.001)
    assert list(rows[3][3:9]) == list(TOTALS.values())  # the total row
    shared = list(wb["Đơn vị dùng chung"].iter_rows(min_row=4, values_only=True))
    assert shared == [("sonv", "Sở Nội vụ tỉnh", 2, *SONV.values(), pytest.approx(4 / 6, 0.01))]
    assert wb["Theo kế hoạch"]["A1"].value == "Báo cáo tổng hợp tình hình thực hiện kế hoạch"


def test_pdf_is_an_administrative_document(province: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    _code, out, _err = _report(province, tmp_path, "pdf", "--lang", "vi")
    assert "đã ghi:" in out
    reader = PdfReader(tmp_path / "tinh-2025-q1.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    parts = ["TỈNH THỬ", "Số:", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
             "BÁO CÁO", "Quý I năm 2025", "I. KẾT QUẢ THỰC HIỆN", "1. Tổng hợp chung",
             "2. Theo từng kế hoạch, chậm nhất trước", "(a-2025)", "(c-2025)", "(b-2025)",
             "3. Đơn vị dùng chung của các kế hoạch", "Sở Nội vụ tỉnh",
             "4. Chỉ tiêu đo lường chưa đạt", "97,5",
             "II. TỒN TẠI, HẠN CHẾ CẦN LƯU Ý", "d/plan.yaml", "Nơi nhận:"]  # fmt: skip
    at = [text.find(p) for p in parts]
    assert -1 not in at and at == sorted(at), list(zip(parts, at, strict=True))
    assert "22,2%" in text


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium")
def test_html_in_a_browser(province: Path, tmp_path: Path) -> None:
    """Offline, no console error; the tables as the browser shows them."""
    playwright = pytest.importorskip("playwright.sync_api")
    from test_report_browser import ARGS

    _report(province, tmp_path, "html", "--lang", "vi")
    problems: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on(
            "request",
            lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url),
        )
        page.goto((tmp_path / "tinh-2025-q1.html").as_uri())
        totals = page.locator("#totals td").all_inner_texts()
        plans = page.locator("#plans tr[data-plan]").evaluate_all(
            "rs => rs.map(r => r.dataset.plan)"
        )
        first = page.locator('#plans tr[data-plan="a-2025"] td').all_inner_texts()
        sonv = page.locator('#shared tr[data-unit="sonv"] td').all_inner_texts()
        failed = page.locator("#failed li").all_inner_texts()
        kpi = page.locator("#indicators tr[data-indicator]").evaluate_all(
            "rs => rs.map(r => [r.dataset.plan, r.dataset.indicator])"
        )
        kind = page.locator("h1.kind").inner_text()
        browser.close()
    assert problems == []
    assert kind == "BÁO CÁO"
    assert totals == ["18", "5", "4", "1", "8", "5", "22,2%"]
    assert plans == ["a-2025", "c-2025", "b-2025"]
    assert first[2:9] == ["9", "2", "1", "1", "4", "3", "11,1%"]
    assert sonv[1:] == ["2", "6", "5", "4", "1", "0", "1", "66,7%"]
    assert len(failed) == 1 and failed[0].startswith("d/plan.yaml")
    assert kpi == [["a-2025", "ho-so-mang"], ["c-2025", "dvc"]]


@pytest.mark.parametrize("form", ["json", "md"])
@pytest.mark.parametrize("state", [(), ("--from-state",)])
def test_plan_is_the_plans_own_report(
    province: Path, tmp_path: Path, form: str, state: tuple[str, ...]
) -> None:
    """--plan ID writes the very files of ``planflow report PLAN-FOLDER``."""
    args = ("--period", "2025-Q1", "--format", form, *state)
    code, _out, err = invoke("report", str(province), "--plan", "a-2025", *args,
                             "--out", str(tmp_path / "ws"))  # fmt: skip
    assert code == 0, err
    code, _out, err = invoke("report", str(province / "a"), *args, "--out", str(tmp_path / "one"))
    assert code == 0, err
    (written,) = (tmp_path / "ws").iterdir()
    assert written.name == f"a-2025-2025-q1.{form}"
    assert written.read_bytes() == (tmp_path / "one" / written.name).read_bytes()


def test_simulated_on_time_and_the_cache(province: Path, tmp_path: Path) -> None:
    """Simulated (on-time): every occurrence of the quarter on time; a plan edited after
    the first run (memoised in the cache) is simulated again."""
    ws = tmp_path / "tinh"
    shutil.copytree(province, ws, ignore=shutil.ignore_patterns(".planflow", "d"))
    out = tmp_path / "out"
    args = ("report", str(ws), "--period", "2025-Q1", "--format", "json", "--out", str(out))
    code, _out, err = invoke(*args)
    assert code == 0, err
    data = json.loads((out / "tinh-2025-q1.json").read_text(encoding="utf-8"))
    assert data["source"] == {"kind": "simulation", "model": "on-time", "seed": 0}
    assert data["totals"] == {"planned": 18, "done": 18, "on_time": 18, "late": 0, "missed": 0,
                              "pending": 0, "on_time_percent": 100.0}  # fmt: skip
    assert [p["plan"] for p in data["plans"]] == ["a-2025", "b-2025", "c-2025"]
    (ws / "c" / "plan.yaml").write_text(_plan(3, "c-2025"), encoding="utf-8")
    invoke(*args)
    data = json.loads((out / "tinh-2025-q1.json").read_text(encoding="utf-8"))
    assert data["totals"]["planned"] == 21  # c now has 3 duties × 3 months


def test_a_period_some_plans_lack(province: Path, tmp_path: Path) -> None:
    """A reporting period of one plan only: an error naming the plans without it."""
    ws = tmp_path / "tinh"
    shutil.copytree(province, ws, ignore=shutil.ignore_patterns(".planflow", "d"))
    period = (
        'reporting_periods:\n  - {id: t1, name: "Tháng 1", start: 2025-01-01, end: 2025-01-31}\n'
    )
    (ws / "a" / "plan.yaml").write_text(_plan(3, "a-2025", with_sonv=True, extra=period),
                                        encoding="utf-8")  # fmt: skip
    code, _out, err = invoke("report", str(ws), "--period", "t1", "--out", str(tmp_path / "o"))
    assert code == 1 and "Traceback" not in err
    assert "period 't1' is not a period of 2 plans of the workspace: b-2025, c-2025" in err
    assert not (tmp_path / "o").exists()
    code, _out, err = invoke("report", str(ws), "--period", "m9", "--out", str(tmp_path / "o"))
    assert code == 1 and "is not a period of 3 plans" in err and "unknown period 'm9'" in err


def test_the_current_folder_names_the_files(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(province)
    code, _out, err = invoke("report", ".", "--period", "2025-Q1", "--format", "md",
                             "--out", str(tmp_path), "--no-cache")  # fmt: skip
    assert code == 1, err  # plan d does not load
    assert [p.name for p in tmp_path.iterdir()] == ["tinh-2025-q1.md"]


def test_unknown_plan_and_single_plan_options(province: Path, tmp_path: Path) -> None:
    code, _out, err = invoke("report", str(province), "--period", "2025-Q1", "--plan", "zzz")
    assert code == 2 and "no plan 'zzz' in the workspace" in err and "Traceback" not in err
    code, _out, err = invoke("report", str(province), "--period", "2025-Q1", "--unit", "vhxh")
    assert code == 2 and "with a workspace, --unit needs --plan ID" in err


def test_one_database_for_every_plan(province: Path, tmp_path: Path) -> None:
    """--from-state --db URL: every plan's records in one database, keyed by plan id."""
    url = f"sqlite:///{tmp_path / 'tinh.db'}"
    done = [("a", "viec-1#1", "2025-01-14"), ("a", "viec-1#2", "2025-02-20")]
    done += [("b", f"viec-1#{n}", f"2025-0{n}-14") for n in (1, 2, 3)]
    for folder, occurrence, day in done:
        code, out, err = invoke("done", str(province / folder), occurrence, "--date", day,
                                "--now", "2025-04-01", "--db", url)  # fmt: skip
        assert code == 0, out + err
    _report(province, tmp_path, "json", "--db", url)
    data = json.loads((tmp_path / "tinh-2025-q1.json").read_text(encoding="utf-8"))
    assert {k: data["totals"][k] for k in TOTALS} == TOTALS
    for row in data["plans"]:
        assert {k: row[k] for k in TOTALS} == RECORDED[row["plan"]]
    assert data["indicators_not_met"] == []  # no value recorded in this database


def test_a_random_year_gives_each_plan_its_own_report_figures(
    province: Path, tmp_path: Path
) -> None:
    """--model random --seed N: each plan's row is its own report's totals (--plan ID)."""
    model = ("--model", "random", "--seed", "5", "--period", "2025-Q1", "--format", "json")
    code, _out, _err = invoke("report", str(province), *model, "--out", str(tmp_path / "ws"))
    data = json.loads((tmp_path / "ws" / "tinh-2025-q1.json").read_text(encoding="utf-8"))
    assert data["source"] == {"kind": "simulation", "model": "random", "seed": 5}
    for plan in ("a-2025", "b-2025", "c-2025"):
        out = tmp_path / plan
        code, _out, err = invoke("report", str(province), "--plan", plan, *model, "--out", str(out))
        assert code == 0, err
        own = json.loads((out / f"{plan}-2025-q1.json").read_text(encoding="utf-8"))["totals"]
        (row,) = [r for r in data["plans"] if r["plan"] == plan]
        assert {k: row[k] for k in TOTALS} == {k: own[k] for k in TOTALS}
    assert {k: data["totals"][k] for k in TOTALS} == {
        k: sum(r[k] for r in data["plans"]) for k in TOTALS
    }
    assert data["totals"]["on_time"] < data["totals"]["planned"]  # the random model made delays
