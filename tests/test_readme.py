"""The README's Quick start is what CI runs."""

from __future__ import annotations

import re

from plans import ROOT


def _quick_start() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)


def test_quick_start_has_exactly_two_commands() -> None:
    """One command installs and simulates the Bờ Y year, one runs the whole suite."""
    commands = _quick_start()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert "planflow simulate examples/boy_2025" in commands[0]


def test_ci_runs_the_second_command_word_for_word() -> None:
    """.ci/run contains the README's test command unchanged, on a line of its own."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _quick_start()[1] in ci
