"""The command line, through click's CliRunner and as the installed executable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from planflow.cli.main import cli
from plans import write_docs_example

BROKEN = """\
plan: {id: broken, title: "Hỏng", issuer: "UBND xã", year: 2025}
units:
  - {id: vhxh, name: "Phòng Văn hóa - Xã hội"}
tasks:
  - id: a
    title: "Việc A"
    lead: vhhx
    window: Q5/2025
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    write_docs_example(tmp_path)
    return tmp_path


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(runner: CliRunner, command: str) -> None:
    """Every command documents itself and shows an example invocation."""
    result = runner.invoke(cli, [command, "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Example" in result.output
    assert cli.commands[command].help


def test_validate_ok_prints_one_line_summary(runner: CliRunner, plan_dir: Path) -> None:
    """A valid plan exits 0 with the counts of tasks, units, groups and dependencies."""
    result = runner.invoke(cli, ["validate", str(plan_dir)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    # 12 programmes + 36 rebroadcasts + 2 units × 2 reports + 2 consolidated reports
    # + 1 DX day + 12 month-end check-ins
    occurrences = 12 + 36 + 2 * 2 + 2 + 1 + 12
    assert line.endswith(
        f"OK — 6 tasks, 3 units, 1 groups, 2 dependencies, {occurrences} occurrences in 2025"
    ), line
    assert "\n" not in line


def test_validate_reports_every_error_with_position(runner: CliRunner, tmp_path: Path) -> None:
    """Errors go to stderr as FILE:LINE:COL: path: message, all of them, and exit 1."""
    path = tmp_path / "plan.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path}:7:11: tasks[0].lead: unknown unit 'vhhx' — did you mean 'vhxh'?"
    assert lines[1].startswith(f"{path}:8:13: tasks[0].window: cannot read 'Q5/2025' as a window")
    assert lines[2] == "2 errors; the plan was not loaded."
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_validate_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    """A missing plan is a one-line error naming the file, not a traceback."""
    result = runner.invoke(cli, ["validate", str(tmp_path / "nope.yaml")], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{tmp_path / 'nope.yaml'}:1:1: no such file")


def test_show_json_contract(runner: CliRunner, plan_dir: Path) -> None:
    """show --json resolves aliases to unit ids and dependencies to task ids."""
    result = runner.invoke(cli, ["show", str(plan_dir), "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"plan", "units", "sections", "tasks", "indicators"}
    assert data["plan"]["id"] == "xa-mau-2025"
    tasks = {t["id"]: t for t in data["tasks"]}
    programme = tasks["radio-programme"]
    assert programme["lead"] == "vhxh"  # written as "Phòng Văn hóa - Xã hội" in the file
    assert programme["coordinators"] == ["radio"]
    assert programme["window"] == {
        "start": "2025-01-01",
        "end": "2025-12-31",
        "label": "2025",
        "continuous": False,
    }
    assert set(programme["recurrence"].split(";")) == {"FREQ=MONTHLY", "BYDAY=MO", "BYSETPOS=1"}
    assert programme["target"] == {"count": 12, "per": "year", "approximate": False, "unit": ""}
    assert tasks["radio-rebroadcast"]["after"] == ["radio-programme"]
    assert tasks["dx-day"]["recurrence"] is None
    assert {u["id"]: u["kind"] for u in data["units"]}["units_all"] == "group"


def test_show_human(runner: CliRunner, plan_dir: Path) -> None:
    """The human view lists the plan's title and every task."""
    result = runner.invoke(cli, ["show", str(plan_dir)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Kế hoạch truyền thông về CCHC và CĐS xã Mẫu năm 2025" in result.stdout
    for task_id in ("radio-programme", "unit-report", "tthc-publication"):
        assert task_id in result.stdout


@pytest.mark.parametrize(
    ("fmt", "needle"),
    [
        ("text", "longest chain"),
        ("dot", "digraph"),
        ("mermaid", "flowchart LR"),
        ("json", '"longest_chain"'),
    ],
)
def test_graph_formats(runner: CliRunner, plan_dir: Path, fmt: str, needle: str) -> None:
    """graph writes each format."""
    result = runner.invoke(cli, ["graph", str(plan_dir), "--format", fmt], catch_exceptions=False)
    assert result.exit_code == 0
    assert needle in result.stdout


def test_agenda_json_and_filters(runner: CliRunner, plan_dir: Path) -> None:
    """agenda --json lists occurrences in time order; --unit keeps lead and coordinator work."""
    result = runner.invoke(cli, ["agenda", str(plan_dir), "--json"], catch_exceptions=False)
    everything = json.loads(result.stdout)
    assert [(o["start"], o["due"]) for o in everything] == sorted(
        (o["start"], o["due"]) for o in everything
    )
    assert {"task", "index", "start", "due", "period", "unit", "waits_for"} <= set(everything[0])
    radio = json.loads(
        runner.invoke(
            cli, ["agenda", str(plan_dir), "--unit", "radio", "--json"], catch_exceptions=False
        ).stdout
    )
    roles = {(o["plan_task"], o["role"]) for o in radio}
    # radio coordinates the programme and rebroadcasts and has its own share of unit reports
    assert roles == {
        ("radio-programme", "coordinator"),
        ("radio-rebroadcast", "coordinator"),
        ("unit-report", "lead"),
    }
    march = json.loads(
        runner.invoke(
            cli,
            [
                "agenda",
                str(plan_dir),
                "--task",
                "radio-rebroadcast",
                "--from",
                "2025-03-01",
                "--to",
                "2025-03-31",
                "--json",
            ],
            catch_exceptions=False,
        ).stdout
    )
    assert [o["index"] for o in march] == [7, 8, 9]
    programme_march = ["radio-programme", 3]
    assert all(o["waits_for"] == [programme_march] for o in march)


def test_agenda_unknown_unit_is_a_usage_error(runner: CliRunner, plan_dir: Path) -> None:
    """A misspelt unit gets a suggestion, exit code 2, no traceback."""
    result = runner.invoke(cli, ["agenda", str(plan_dir), "--unit", "vhhx"])
    assert result.exit_code == 2
    assert "unknown unit 'vhhx'; did you mean 'vhxh'?" in result.output


def _executable() -> str:
    script = Path(sys.executable).parent / ("planflow.exe" if os.name == "nt" else "planflow")
    if not script.exists():
        pytest.skip("the planflow script is not installed next to this Python")
    return str(script)


def test_installed_executable_validates(plan_dir: Path) -> None:
    """The installed `planflow` script runs as a subprocess and exits 0 on a valid plan."""
    done = subprocess.run(
        [_executable(), "validate", str(plan_dir)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "OK — 6 tasks" in done.stdout


def test_installed_executable_never_shows_a_traceback(tmp_path: Path) -> None:
    """Binary garbage as a plan file is a located error and exit 1."""
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    done = subprocess.run(
        [_executable(), "validate", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"{path}:1:1: the file is not UTF-8")
    assert "Traceback" not in done.stderr


def test_python_dash_m(plan_dir: Path) -> None:
    """`python -m planflow` is the same command line."""
    done = subprocess.run(
        [sys.executable, "-m", "planflow", "validate", str(plan_dir)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_show_json_lists_channels_with_secrets_hidden(runner: CliRunner, tmp_path: Path) -> None:
    """Channel settings appear in show --json; passwords do not, ${VAR} references do."""
    text = write_docs_example(tmp_path).read_text(encoding="utf-8")
    text = text.replace(
        "units:\n",
        'channels:\n  email: {host: 127.0.0.1, password: "hunter2", '
        'username: "${SMTP_USER}"}\nunits:\n',
        1,
    )
    (tmp_path / "plan.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["show", str(tmp_path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    channels = json.loads(result.stdout)["plan"]["channels"]
    assert channels == {
        "email": {"host": "127.0.0.1", "password": "***", "username": "${SMTP_USER}"}
    }
    assert "hunter2" not in result.stdout
