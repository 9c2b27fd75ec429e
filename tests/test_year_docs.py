"""docs/running-the-year.md: its python example runs, and it documents every command."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from planflow.cli.records import done_command, history_command, record_command, undo_command
from planflow.cli.year import run_command, status_command

REPO = Path(__file__).resolve().parents[1]
TEXT = (REPO / "docs" / "running-the-year.md").read_text(encoding="utf-8")


def test_python_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", TEXT, flags=re.DOTALL)
    assert blocks
    monkeypatch.chdir(REPO)
    monkeypatch.setitem(os.environ, "PLANFLOW_USER", "van-phong")
    for number, code in enumerate(blocks):
        exec(compile(code, f"docs/running-the-year.md example {number}", "exec"), {})


@pytest.mark.parametrize(
    "command",
    [
        c.name
        for c in (
            run_command,
            status_command,
            done_command,
            undo_command,
            record_command,
            history_command,
        )
    ],
)
def test_every_command_is_documented(command: str) -> None:
    assert f"`planflow {command} PLAN" in TEXT
    assert "running-the-year.md" in (REPO / "README.md").read_text(encoding="utf-8")
