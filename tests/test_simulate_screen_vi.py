"""``planflow simulate``'s screen in Vietnamese: quarters as officials write them
("Quý III/2025"), weeks as "tuần 12/2025", states in words; English keeps its forms."""

from __future__ import annotations

from click.testing import CliRunner

from planflow.cli.main import cli
from plans import ROOT

BOY = str(ROOT / "examples" / "boy_2025")


def _screen(lang: str) -> str:
    result = CliRunner().invoke(cli, ["simulate", BOY, "--lang", lang], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_vietnamese_quarters_weeks_and_states() -> None:
    """Bờ Y on time: bcd's one duty of the year's first quarter falls in ISO week 12
    (the quarterly report of 20/03/2025, a Thursday); the chain is consolidated on time."""
    out = _screen("vi")
    assert all(f"Quý {q}/2025" in out for q in ("I", "II", "III", "IV"))
    assert "2025-Q1" not in out and "2025-W" not in out
    assert "tuần 12/2025 (1)" in out
    assert "report-bcd: hoàn thành đúng hạn" in out
    assert "trong các tuần 53/2025" in out and "tuần tuần" not in out


def test_english_keeps_its_forms() -> None:
    out = _screen("en")
    assert "Q1 2025" in out and "2025-W12 (1)" in out
    assert "report-bcd: done on time" in out


def test_the_summary_counts_are_written_as_numbers_are_in_each_language() -> None:
    """The summary line's counts: 1.340 in Vietnamese, 1,340 in English (the event count
    is taken from --json, where it is a plain number)."""
    import json

    data = json.loads(CliRunner().invoke(cli, ["simulate", BOY, "--json"]).output)
    events = sum(data["events"].values())
    assert events >= 1000  # enough digits to need a separator
    grouped = f"{events:,}"
    assert f"; {grouped.replace(',', '.')} sự kiện" in _screen("vi")
    assert f"; {grouped} events" in _screen("en")
