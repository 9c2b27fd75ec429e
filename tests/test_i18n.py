"""Messages in Vietnamese and English: the catalogue is complete, the CLI speaks the plan's language."""

from __future__ import annotations

import io
import re
import string
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

import planflow
from planflow.cli.main import cli
from planflow.i18n import (
    _,
    format_date,
    format_number,
    format_quarter,
    resolve_language,
    roman,
    use_language,
)

SRC = Path(planflow.__file__).parent.parent
LOCALE = Path(planflow.__file__).parent / "locale"
PLAN = "examples/boy_2025"


def _source_messages() -> set[str | tuple[str, str]]:
    """Every message the code and the templates mark (``_``, ``N_``, ``ngettext``)."""
    method_map = [("**.py", "python"), ("planflow/reports/templates/**.j2", "jinja2")]
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SRC), method_map, keywords={"_": None, "N_": None, "ngettext": (1, 2)}
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def _catalogue() -> Catalog:
    with open(LOCALE / "vi" / "LC_MESSAGES" / "planflow.po", "rb") as fh:
        return read_po(fh, locale="vi")


def _fields(text: str) -> list[str]:
    """The ``str.format`` fields of ``text`` (name, conversion and format spec)."""
    return sorted(
        f"{name}!{conv}:{spec}"
        for _lit, name, spec, conv in string.Formatter().parse(text)
        if name is not None
    )


def test_every_message_has_a_vietnamese_translation() -> None:
    """A message marked in the code with no Vietnamese translation (or a fuzzy one) fails."""
    catalogue = _catalogue()
    missing = []
    for message in _source_messages():
        msgid = message if isinstance(message, str) else message[0]
        entry = catalogue.get(msgid)
        strings = (
            []
            if entry is None
            else ([entry.string] if isinstance(entry.string, str) else list(entry.string))
        )
        if entry is None or entry.fuzzy or not all(s.strip() for s in strings) or not strings:
            missing.append(msgid)
    assert missing == [], "update the catalogue (see src/planflow/i18n.py)"


def test_translations_keep_the_placeholders() -> None:
    """Each translation has exactly the ``{fields}`` of its English text."""
    wrong = []
    for entry in _catalogue():
        if not entry.id:
            continue
        ids = [entry.id] if isinstance(entry.id, str) else list(entry.id)
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        for text in strings:
            if _fields(text) != _fields(ids[-1]) and _fields(text) != _fields(ids[0]):
                wrong.append((ids[0], text))
    assert wrong == []


def test_compiled_catalogue_is_up_to_date() -> None:
    """The shipped .mo holds exactly what the .po says (run ``pybabel compile`` after edits)."""
    fresh = io.BytesIO()
    write_mo(fresh, _catalogue())
    shipped = (LOCALE / "vi" / "LC_MESSAGES" / "planflow.mo").read_bytes()
    assert shipped == fresh.getvalue()


def test_catalogue_has_no_stale_messages() -> None:
    """Every translated message is still used somewhere (no dead weight to translate)."""
    used = {m if isinstance(m, str) else m[0] for m in _source_messages()}
    stale = [
        e.id
        for e in _catalogue()
        if e.id and (e.id if isinstance(e.id, str) else e.id[0]) not in used
    ]
    assert stale == []


def test_translation_is_used() -> None:
    """``_`` speaks the language in use; English is the message itself."""
    with use_language("vi"):
        assert _("REPORT") == "BÁO CÁO"
    with use_language("en"):
        assert _("REPORT") == "REPORT"


class TestFormatting:
    """Dates, numbers and quarters as Vietnamese documents write them."""

    def test_dates(self) -> None:
        """30/09/2025 in Vietnamese, ISO in English."""
        assert format_date(date(2025, 9, 30), "vi") == "30/09/2025"
        assert format_date(date(2025, 9, 30), "en") == "2025-09-30"

    def test_numbers(self) -> None:
        """1.234,5 in Vietnamese, 1,234.5 in English; whole numbers without decimals."""
        assert format_number(1234.5, "vi") == "1.234,5"
        assert format_number(1234.5, "en") == "1,234.5"
        assert format_number(1234567, "vi") == "1.234.567"

    def test_quarters(self) -> None:
        """Quý III/2025: quarters in Roman numerals."""
        assert format_quarter(2025, 3, "vi") == "Quý III/2025"
        assert format_quarter(2025, 4, "en") == "Q4 2025"
        assert [roman(n) for n in (1, 4, 9, 14, 40, 1994)] == [
            "I",
            "IV",
            "IX",
            "XIV",
            "XL",
            "MCMXCIV",
        ]


class TestLanguageChoice:
    """--lang, then PLANFLOW_LANG, then the plan's language:, then the locale, else vi."""

    @pytest.mark.parametrize(
        ("option", "plan", "environ", "expected"),
        [
            ("en", "vi", {"PLANFLOW_LANG": "vi"}, "en"),
            (None, "en", {"PLANFLOW_LANG": "vi"}, "vi"),
            (None, "en", {"LANG": "vi_VN.UTF-8"}, "en"),
            (None, "", {"LANG": "en_US.UTF-8"}, "en"),
            (None, "", {"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}, "vi"),
            (None, "", {"LANG": "C.UTF-8"}, "vi"),
            (None, "", {}, "vi"),
        ],
    )
    def test_order(
        self, option: str | None, plan: str, environ: dict[str, str], expected: str
    ) -> None:
        """Each source in its turn."""
        assert resolve_language(option, plan, environ=environ) == expected


@pytest.fixture
def plan_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PLANFLOW_LANG and a locale that names no language: the plan decides."""
    monkeypatch.delenv("PLANFLOW_LANG")
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def test_validate_speaks_the_plans_language(plan_language: None) -> None:
    """The Bờ Y plan sets ``language: vi``; --lang en switches to English."""
    runner = CliRunner()
    vi = runner.invoke(cli, ["validate", PLAN], catch_exceptions=False)
    assert vi.stdout.startswith("examples/boy_2025/plan.yaml: hợp lệ — 22 nhiệm vụ, ")
    en = runner.invoke(cli, ["validate", PLAN, "--lang", "en"], catch_exceptions=False)
    assert en.stdout.startswith("examples/boy_2025/plan.yaml: OK — 22 tasks, ")


def test_simulate_speaks_the_plans_language(plan_language: None) -> None:
    """simulate's tables and sentences in Vietnamese, or English with --lang en."""
    runner = CliRunner()
    vi = runner.invoke(cli, ["simulate", PLAN], catch_exceptions=False).stdout
    assert "mô hình on-time, seed 0, 01/01/2025 → 31/12/2025" in vi
    assert "Theo đơn vị" in vi and "Đạt tất cả các chỉ tiêu số lượng." in vi
    en = runner.invoke(cli, ["simulate", PLAN, "--lang", "en"], catch_exceptions=False).stdout
    assert "on-time model, seed 0, 2025-01-01 → 2025-12-31" in en and "Per unit" in en


@pytest.mark.parametrize(
    "command",
    [
        "validate",
        "show",
        "graph",
        "simulate",
        "agenda",
        "report",
        "gantt",
        "heatmap",
        "resend",
        "plugins",
        "add-task",
        "schema",
        "import",
        "export-table",
    ],
)
def test_help_in_vietnamese(command: str, plan_language: None) -> None:
    """--help without a plan: Vietnamese unless the locale or --lang says English."""
    runner = CliRunner()
    vi = runner.invoke(cli, [command, "--help"], catch_exceptions=False).stdout
    en = runner.invoke(cli, [command, "--lang", "en", "--help"], catch_exceptions=False).stdout
    assert "Ngôn ngữ hiển thị: vi hoặc en" in vi and "Language of the output" in en
    assert vi.startswith(f"Cách dùng: cli {command} ") and "Tùy chọn:" in vi
    assert "Hiển thị hướng dẫn này rồi thoát." in vi and "Show this message" not in vi
    assert en.startswith(f"Usage: cli {command} ") and "Options:" in en
    assert re.search(r"Ví dụ:\n\s+planflow", vi) and re.search(r"Examples?:\n\s+planflow", en)


def test_init_help_in_vietnamese(plan_language: None) -> None:
    """init's --lang is also the language of the starter plan's comments; its help follows it."""
    runner = CliRunner()
    vi = runner.invoke(cli, ["init", "--help"], catch_exceptions=False).stdout
    en = runner.invoke(cli, ["init", "--lang", "en", "--help"], catch_exceptions=False).stdout
    assert vi.startswith("Cách dùng: cli init ") and "Tạo tệp kế hoạch mẫu" in vi
    assert "Ngôn ngữ của phần ghi chú và thông báo." in vi
    assert en.startswith("Usage: cli init ") and "Write a starter plan" in en


def test_agenda_fits_the_terminal(plan_language: None) -> None:
    """agenda shows titles shortened to the terminal's width; no line is wider."""
    result = CliRunner().invoke(
        cli, ["agenda", PLAN, "--unit", "vhxh", "--to", "2025-03-31"], env={"COLUMNS": "80"}
    )
    lines = result.stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= 80
    assert "Tháng 1/2025" in result.stdout and "chủ trì" in result.stdout
    assert "…" in result.stdout  # long titles shortened
    assert "24/01/2025" in result.stdout


def test_agenda_json_stays_the_contract(plan_language: None) -> None:
    """--json keeps its English keys and ISO dates whatever the language."""
    import json

    result = CliRunner().invoke(cli, ["agenda", PLAN, "--unit", "ca", "--json"])
    first = json.loads(result.stdout)[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", first["due"]) and first["role"] in (
        "lead",
        "coordinator",
    )
