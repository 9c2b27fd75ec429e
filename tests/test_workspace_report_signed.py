"""Who issues and signs a workspace's consolidated report: ``issuer:`` and ``report:``
of ``planflow-workspace.yaml``, read and checked as a plan's ``report:`` block.

The expected texts are the workspace file's values as Nghị định 30/2020 lays them
out, written here by hand (capitals, the place and date line, the recipients'
punctuation); the simulated figures are not what these tests are about.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from planflow.cli.main import cli
from year_support import plan_text

SIGNED = """\
planflow-workspace: 1
name: "tỉnh Thử"
issuer: "Sở Nội vụ"
report:
  issuer_parent: "UBND tỉnh Quảng Ngãi"
  place: "Quảng Ngãi"
  number: "/BC-SNV"
  signature: ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
  signer: "Lê Văn Thành"
  recipients: ["Bộ Nội vụ (b/c)", "UBND tỉnh (b/c)", "Lưu: VT, CCHC"]
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _workspace(root: Path, workspace_file: str | None) -> Path:
    root.mkdir(parents=True)
    if workspace_file is not None:
        (root / "planflow-workspace.yaml").write_text(workspace_file, encoding="utf-8")
    for folder, tasks in (("a", 2), ("b", 1)):
        (root / folder).mkdir()
        text = plan_text(tasks, plan_id=f"{folder}-2025")
        (root / folder / "plan.yaml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _workspace(tmp_path_factory.mktemp("ws") / "tinh", SIGNED)


def _report(root: Path, out: Path, form: str, *extra: str) -> tuple[int, str, str]:
    return invoke("report", str(root), "--period", "2025-Q1", "--format", form,
                  "--out", str(out), *extra)  # fmt: skip


def test_json_carries_issuer_and_report(signed: Path, tmp_path: Path) -> None:
    code, out, err = _report(signed, tmp_path, "json")
    assert code == 0, out + err
    summary = json.loads((tmp_path / "tinh-2025-q1.json").read_text(encoding="utf-8"))
    assert summary["workspace"] == "tỉnh Thử"
    assert summary["issuer"] == "Sở Nội vụ"
    assert summary["report"] == {
        "issuer_parent": "UBND tỉnh Quảng Ngãi",
        "place": "Quảng Ngãi",
        "number": "/BC-SNV",
        "signature": ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"],
        "signer": "Lê Văn Thành",
        "recipients": ["Bộ Nội vụ (b/c)", "UBND tỉnh (b/c)", "Lưu: VT, CCHC"],
    }


@pytest.mark.parametrize("workspace_file", [None, 'planflow-workspace: 1\nname: "Tỉnh Thử"\n'])
def test_without_them_the_workspace_name_issues(tmp_path: Path, workspace_file: str | None) -> None:
    root = _workspace(tmp_path / "tinh", workspace_file)
    code, out, err = _report(root, tmp_path / "out", "json")
    assert code == 0, out + err
    summary = json.loads((tmp_path / "out" / "tinh-2025-q1.json").read_text(encoding="utf-8"))
    name = "tinh" if workspace_file is None else "Tỉnh Thử"
    assert (summary["issuer"], summary["report"]) == (name, {})
    code, out, err = _report(root, tmp_path / "out", "md", "--lang", "vi")
    md = (tmp_path / "out" / "tinh-2025-q1.md").read_text(encoding="utf-8")
    assert f"\n{name} · kỳ từ 01/01/2025 đến 31/03/2025 · 2 kế hoạch," in md


def test_markdown_names_the_issuer(signed: Path, tmp_path: Path) -> None:
    _report(signed, tmp_path, "md", "--lang", "vi")
    md = (tmp_path / "tinh-2025-q1.md").read_text(encoding="utf-8")
    assert "\nSở Nội vụ · kỳ từ 01/01/2025 đến 31/03/2025 · 2 kế hoạch, 0 kế hoạch" in md
    assert "trên địa bàn tỉnh Thử**" in md  # the area is still the workspace's name


def test_pdf_masthead_and_closing(signed: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    code, out, err = _report(signed, tmp_path, "pdf", "--lang", "vi")
    assert code == 0, out + err
    reader = PdfReader(tmp_path / "tinh-2025-q1.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    parts = ["UBND TỈNH QUẢNG NGÃI", "SỞ NỘI VỤ", "Số: /BC-SNV",
             "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
             "Quảng Ngãi, ngày tháng năm 2025", "BÁO CÁO", "I. KẾT QUẢ THỰC HIỆN",
             "Nơi nhận:", "- Bộ Nội vụ (b/c);", "- UBND tỉnh (b/c);", "- Lưu: VT, CCHC.",
             "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lê Văn Thành"]  # fmt: skip
    at = [lines.index(p) if p in lines else -1 for p in parts]
    assert -1 not in at and at == sorted(at), list(zip(parts, at, strict=True))
    assert "TỈNH THỬ" not in text  # the workspace's name no longer issues it


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium")
@pytest.mark.parametrize(
    ("lang", "number", "place_date"),
    [("vi", "Số: /BC-SNV", "Quảng Ngãi, ngày tháng năm 2025"),
     ("en", "No.: /BC-SNV", "Quảng Ngãi, …/…/2025")],
)  # fmt: skip
def test_html_in_a_browser(
    signed: Path, tmp_path: Path, lang: str, number: str, place_date: str
) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    from test_report_browser import ARGS

    code, out, err = _report(signed, tmp_path, "html", "--lang", lang)
    assert code == 0, out + err
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto((tmp_path / "tinh-2025-q1.html").as_uri())

        def texts(selector: str) -> list[str]:
            return [" ".join(t.split()) for t in page.locator(selector).all_inner_texts()]

        found = {
            "issuer": texts(".masthead .issuer div:not(.rule)"),
            "place_date": texts(".masthead .place-date"),
            "recipients": texts(".closing .recipients div"),
            "signature": texts(".closing .signature div:not(.sign-space)"),
        }
        browser.close()
    assert found == {
        "issuer": ["UBND TỈNH QUẢNG NGÃI", "SỞ NỘI VỤ", number],
        "place_date": [place_date],
        "recipients": [
            "Nơi nhận:" if lang == "vi" else "Recipients:",
            "- Bộ Nội vụ (b/c);",
            "- UBND tỉnh (b/c);",
            "- Lưu: VT, CCHC.",
        ],
        "signature": ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lê Văn Thành"],
    }


BAD = """\
planflow-workspace: 1
issuer: ["Sở Nội vụ"]
report:
  place: "Quảng Ngãi"
  signers: "Lê Văn Thành"
  recipients: ["Bộ Nội vụ", {lưu: VT}]
"""


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                ":2:9: issuer: expected a text, got a list",
                ":5:3: report: unknown key 'signers'",
                "did you mean 'signer'?",
                ":6:29: report.recipients[1]: expected a text, got a mapping",
            ],
        ),
        (
            "vi",
            [
                ":2:9: issuer: cần ghi nội dung dạng chữ, nhưng đang ghi một danh sách",
                ":5:3: report: không có khóa 'signers' — có phải là 'signer'?",
                ":6:29: report › nơi nhận thứ 2: cần ghi nội dung dạng chữ",
            ],
        ),
    ],
)
def test_a_bad_report_block_is_located(tmp_path: Path, lang: str, expected: list[str]) -> None:
    root = _workspace(tmp_path / "tinh", BAD)
    code, out, err = _report(root, tmp_path / "out", "pdf", "--lang", lang)
    assert code == 1
    assert "Traceback" not in out + err
    file = str(root / "planflow-workspace.yaml")
    for text in expected:
        assert text in err, (text, err)
    assert err.count(file + ":") == 3
    assert not (tmp_path / "out").exists()
