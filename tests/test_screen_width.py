"""agenda and status on the screen: nothing wider than the terminal, titles shortened, times.

Run on the Bờ Y plan at 60 and 120 columns, in Vietnamese and English, as an
officer's terminal would show them; ``--json`` stays the same whatever the width.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from planflow.cli.main import cli
from planflow.cli.screen import Column, fit_columns

PLAN = "examples/boy_2025"
WIDTHS = [60, 120]
LANGUAGES = ["vi", "en"]


def _run(args: list[str], columns: int) -> str:
    result = CliRunner().invoke(cli, args, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.stdout


def _widest(text: str) -> int:
    return max(cell_len(line) for line in text.splitlines())


@pytest.fixture(scope="module")
def timed_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Bờ Y with a meeting time on the units' quarterly report (report-unit)."""
    folder = tmp_path_factory.mktemp("boy") / "boy_2025"
    shutil.copytree(PLAN, folder)
    plan = folder / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert text.count("  - id: report-unit\n") == 1
    plan.write_text(
        text.replace("  - id: report-unit\n", '  - id: report-unit\n    time: "08:00-11:30"\n'),
        encoding="utf-8",
    )
    return folder


class TestFitColumns:
    """The layout, hand-computed: 3 characters of padding and border a column, plus 1."""

    columns: ClassVar[list[Column]] = [
        Column("due", rank=100, keep=True),
        Column("task", rank=99, flexible=True),
        Column("unit", rank=90, floor=3),
        Column("waits", rank=10),
    ]
    rows: ClassVar[list[list[str]]] = [["31/03/2025", "x" * 40, "vhxh", "a#1, b#2"]]

    def test_everything_fits(self) -> None:
        """120 columns: 10 + 40 + 4 + 8 + 13 = 75, all shown, the title whole."""
        assert fit_columns(120, self.columns, self.rows) == [(0, 10), (1, 40), (2, 4), (3, 8)]

    def test_the_title_gives_way(self) -> None:
        """60 columns: 10 + 4 + 8 + 13 = 35 leaves the title 25 of its 40."""
        assert fit_columns(60, self.columns, self.rows) == [(0, 10), (1, 25), (2, 4), (3, 8)]

    def test_the_least_important_column_goes(self) -> None:
        """40 columns: 10 + 20 + 4 + 8 + 13 = 55; without waits 10 + 20 + 4 + 10 = 44; the
        unit shortened to its floor, 43; the due date is kept: the title gets 20 - 3."""
        assert fit_columns(40, self.columns, self.rows) == [(0, 10), (1, 17), (2, 3)]

    def test_empty_columns_are_left_out(self) -> None:
        """A column with nothing in it (no meeting times) takes no room."""
        rows = [["31/03/2025", "title", "vhxh", ""]]
        assert fit_columns(80, self.columns, rows) == [(0, 10), (1, 20), (2, 4)]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("columns", WIDTHS)
def test_agenda_fits(columns: int, language: str, timed_plan: Path) -> None:
    """agenda: every line within the terminal, titles shortened, the meeting time shown."""
    args = ["agenda", str(timed_plan), "--from", "2025-09-01", "--to", "2025-09-30"]
    out = _run([*args, "--lang", language], columns)
    assert _widest(out) <= columns
    assert "…" in out  # long titles shortened, not wrapped
    # report-unit's meeting time: its own column, or its start before the title
    assert (
        "08:00–11:30" in out
        if columns == 120
        else "08:00 Lồng ghép" in out or "08:00 Include" in out
    )
    month = "Tháng 9/2025" if language == "vi" else "Month 9/2025"
    due = "15/09/2025" if language == "vi" else "2025-09-15"
    assert month in out and due in out
    if columns == 120:  # room for the clause too
        assert "C.II.8" in out or "C.II.7" in out


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("columns", WIDTHS)
def test_status_fits(columns: int, language: str, timed_plan: Path, tmp_path: Path) -> None:
    """status: titles (not only ids) shortened to the terminal, the meeting time with the date."""
    db = str(tmp_path / "state.db")
    args = ["status", str(timed_plan), "--db", db, "--now", "2025-10-06", "--lang", language]
    out = _run(args, columns)
    assert _widest(out) <= columns
    title = "Lồng ghép" if language == "vi" else "Include the"
    assert title in out and "…" in out
    due = "15/09/2025" if language == "vi" else "2025-09-15"
    assert due in out
    assert "08:00–11:30" in out if columns == 120 else f"08:00 {title}" in out
    assert ("report-unit@ca#3" in out) == (columns == 120)  # the id goes first when narrow


@pytest.mark.parametrize("command", ["agenda", "status"])
def test_json_does_not_depend_on_the_terminal(command: str, tmp_path: Path) -> None:
    """--json is the stable contract: the same document at any width, in any language."""
    args = [command, PLAN, "--json"]
    if command == "status":
        args += ["--db", str(tmp_path / "state.db"), "--now", "2025-10-06"]
    outputs = {
        (columns, language): _run([*args, "--lang", language], columns)
        for columns in WIDTHS
        for language in LANGUAGES
    }
    documents = [json.loads(text) for text in outputs.values()]
    assert all(d == documents[0] for d in documents)
