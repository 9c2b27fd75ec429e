"""The built-in notifiers and reporters, channel settings, and ``simulate --notify/--report``."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from planflow import PlanError, hookimpl, loads
from planflow.cli.main import cli
from planflow.hooks.channels import parse_overrides, resolve_settings
from planflow.hooks.manager import get_plugin_manager
from planflow.hooks.notifiers.jsonl import JsonLinesNotifier
from planflow.jobs.simulate import run_simulation
from planflow.plan.writing import dump_plan
from planflow.testing import TINY_PLAN, RecordingNotifier, tiny_plan

PLAN = "examples/boy_2025"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner with the built-in plugins only."""
    monkeypatch.setenv("PLANFLOW_PLUGINS", "")
    monkeypatch.delenv("PLANFLOW_DISABLE_PLUGINS", raising=False)
    return CliRunner()


def _working_days_before(day: date, n: int) -> date:
    """``n`` weekdays before ``day`` (no holidays: callers pick weeks without any)."""
    while n:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


class TestConsole:
    """``simulate --notify console``."""

    def test_reminder_line_for_a_known_task(self, runner: CliRunner) -> None:
        """The reminder of ar-index-videos#1 is printed on the day the plan's reminder
        setting gives, with title, lead unit and due date (from ``agenda --json``)."""
        agenda = json.loads(
            runner.invoke(cli, ["agenda", PLAN, "--json", "--task", "ar-index-videos"]).stdout
        )
        first = agenda[0]
        source = yaml.safe_load(Path(PLAN, "plan.yaml").read_text(encoding="utf-8"))
        task = next(t for t in source["tasks"] if t["id"] == first["task"])
        days = int((task.get("reminder") or source["calendar"]["reminder"]).split()[0])
        lead = next(u["name"] for u in source["units"] if u["id"] == first["unit"])
        due = date.fromisoformat(first["due"])
        remind = _working_days_before(due, days)
        assert (remind, due) == (date(2025, 1, 21), date(2025, 1, 24))  # no holiday in between

        result = runner.invoke(
            cli, ["simulate", PLAN, "--notify", "console"], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        lines = result.stderr.splitlines()
        prefix = f"{remind}  Nhắc việc / Reminder  «{first['title'][:40]}"
        ours = [line for line in lines if line.startswith(prefix)]
        assert len(ours) == 1
        assert f"({first['task']} #1) — {lead} (phối hợp / with: ttvh, web); " in ours[0]
        assert ours[0].endswith(f"hạn / due {due}")

    def test_lines_follow_the_year(self, runner: CliRunner) -> None:
        """Dated lines come in time order, due lines on their day, periods closing between."""
        result = runner.invoke(cli, ["simulate", PLAN, "--notify", "console"])
        dated = [line for line in result.stderr.splitlines() if re.match(r"(── )?\d{4}-", line)]
        days = [line.removeprefix("── ")[:10] for line in dated]
        assert days == sorted(days) and days[0].startswith("2025-01")
        closed = [line for line in dated if "Kết thúc kỳ báo cáo" in line]
        assert [line[3:13] for line in closed] == [
            "2025-03-31",
            "2025-06-30",
            "2025-09-30",
            "2025-12-31",
        ]
        assert "Quý I (2025-01-01 – 2025-03-31): done 81" in closed[0]
        assert any("Đến hạn hôm nay / Due today" in line for line in dated)
        # the summary still goes to stdout
        assert "Per unit" in result.stdout or "unit" in result.stdout

    def test_kinds_and_stream_settings(self, runner: CliRunner) -> None:
        """``--set console.kinds=late,missed`` prints only those (none on time);
        ``stream=stdout`` moves the lines."""
        result = runner.invoke(
            cli, ["simulate", PLAN, "--notify", "console", "--set", "console.kinds=missed"]
        )
        # nothing printed but the honest count: every event skipped, by the kinds setting
        assert result.stderr == (
            "planflow: notifier 'console': 0 delivered, 1340 skipped "
            "(kind not in console.kinds: 1340), 0 failed of 1340 events\n"
        )
        result = runner.invoke(
            cli,
            [
                "simulate",
                PLAN,
                "--model",
                "random",
                "--seed",
                "3",
                "--late",
                "0.5",
                "--notify",
                "console",
                "--set",
                "console.kinds=late",
                "--set",
                "console.stream=stdout",
            ],
        )
        late = [
            line for line in result.stdout.splitlines() if "Hoàn thành trễ / Done late +" in line
        ]
        assert late and result.stderr.startswith(
            f"planflow: notifier 'console': {len(late)} delivered,"
        )


class TestJsonLines:
    """``--notify jsonl``."""

    def test_one_line_per_event(self, runner: CliRunner, tmp_path: Path) -> None:
        """Every event is one JSON line; the --json record counts them as delivered."""
        path = tmp_path / "events.jsonl"
        result = runner.invoke(
            cli,
            ["simulate", PLAN, "--notify", "jsonl", "--set", f"jsonl.path={path}", "--json"],
            catch_exceptions=False,
        )
        data = json.loads(result.stdout)
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        total = sum(data["events"].values())
        assert len(lines) == total == data["deliveries"]["jsonl"]["delivered"]
        assert lines[0]["units"][0] == lines[0]["unit"]
        assert len({line["id"] for line in lines}) == total

    def test_missing_path_is_an_error_before_the_run(self, runner: CliRunner) -> None:
        """``path`` is required: the run does not start without it."""
        result = runner.invoke(cli, ["simulate", PLAN, "--notify", "jsonl"])
        assert result.exit_code == 1
        assert "channels.jsonl.path is required" in result.output

    def test_channel_down_loses_nothing_from_the_record(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        """A path that cannot be written: every event failed on that channel, reported on
        stderr with the plugin's name; the run's own record is complete."""
        path = tmp_path / "missing-dir" / "events.jsonl"
        args = ["simulate", PLAN, "--json", "--notify", "jsonl", "--notify", "console"]
        result = runner.invoke(cli, [*args, "--set", f"jsonl.path={path}"])
        assert result.exit_code == 0
        data = json.loads(result.stdout)
        total = sum(data["events"].values())
        assert data["events"]["reminder"] == 334
        assert data["deliveries"]["jsonl"]["failed"] == total
        assert len(data["deliveries"]["jsonl"]["errors"]) == total
        console = data["deliveries"]["console"]
        shown = total - sum(data["events"][k] for k in ("opened", "unblocked", "completed"))
        assert (console["delivered"], console["skipped"], console["failed"]) == (
            shown,
            total - shown,
            0,
        )
        errors = [
            line for line in result.stderr.splitlines() if "failed in notifier 'jsonl' on" in line
        ]
        assert len(errors) == 5  # the first five, then a count
        assert errors[0].startswith("planflow: plugin 'jsonl' failed in notifier 'jsonl' on ")
        assert f"notifier 'jsonl': 0 delivered, 0 skipped, {total} failed of {total} events" in (
            result.stderr
        )
        assert (
            f"plugin 'jsonl' failed {total} times in notifier 'jsonl' ({total - 5} not shown)"
            in (result.stderr)
        )


class TestReporters:
    """``--report markdown|csv|json``."""

    def test_reports_per_period(self, runner: CliRunner, tmp_path: Path) -> None:
        """Each closed reporting period gives its files; the figures agree with each other."""
        out = tmp_path / "reports"
        args = ["simulate", PLAN, "--model", "random", "--seed", "5", "--late", "0.3", "--json"]
        args += ["--lang", "vi"]
        for name in ("markdown", "csv", "json"):
            args += ["--report", name]
        result = runner.invoke(cli, [*args, "--report-dir", str(out)], catch_exceptions=False)
        data = json.loads(result.stdout)
        assert data["reports"]["markdown"]["delivered"] == 4
        names = sorted(p.name for p in out.iterdir())
        assert "boy-2025-q1.md" in names and "boy-2025-fy-tre-han.csv" in names
        assert len(names) == 4 * 4
        q1 = json.loads((out / "boy-2025-q1.json").read_text(encoding="utf-8"))
        assert q1["period"] == {
            "id": "q1",
            "name": "Quý I",
            "start": "2025-01-01",
            "end": "2025-03-31",
            "closed": "2025-03-31",
        }
        assert q1["totals"]["planned"] == sum(u["planned"] for u in q1["units"])
        assert q1["totals"]["planned"] == sum(t["planned"] for t in q1["tasks"])
        # late, missed, or past the due date and not done when the period closed
        assert q1["late"] and all(
            r["state"] in ("late", "missed") or r["due"] < "2025-03-31" for r in q1["late"]
        )
        markdown = (out / "boy-2025-q1.md").read_text(encoding="utf-8")
        for heading in (
            "## I. KẾT QUẢ THỰC HIỆN",
            "### 2. Kết quả theo nhiệm vụ",
            "### 3. Chỉ tiêu số lượng",
            "### 4. Kết quả theo đơn vị",
            "## II. TỒN TẠI",
        ):
            assert heading in markdown
        raw = (out / "boy-2025-q1.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[1][:2] == ["tổng", "boy-2025"]
        assert int(rows[1][4]) == q1["totals"]["planned"]

    def test_state_at_close(self, runner: CliRunner, tmp_path: Path) -> None:
        """A report shows the period as it stood when it closed: items still overdue then
        count as not done yet, even if they are done later in the year."""
        args = ["simulate", PLAN, "--model", "random", "--seed", "5", "--late", "0.5"]
        runner.invoke(cli, [*args, "--report", "json", "--report-dir", str(tmp_path)])
        q1 = json.loads((tmp_path / "boy-2025-q1.json").read_text(encoding="utf-8"))
        fy = json.loads((tmp_path / "boy-2025-fy.json").read_text(encoding="utf-8"))
        assert q1["totals"]["pending"] > 0
        assert fy["totals"]["pending"] == 0

    def test_unknown_reporter(self, runner: CliRunner) -> None:
        """A misspelt reporter name: an error with a suggestion, before the run."""
        result = runner.invoke(cli, ["simulate", PLAN, "--report", "markdwon"])
        assert result.exit_code == 1 and "did you mean 'markdown'" in result.output


def _plan_text(extra: str, unit_channels: str = "{recording: {label: VHXH}}") -> str:
    text = TINY_PLAN.replace('channels: {recording: {label: "VHXH"}}', f"channels: {unit_channels}")
    return text.replace("units:\n", f"{extra}units:\n", 1)


class TestSettings:
    """Channel settings in the plan file, ``--set`` and ``${VAR}``."""

    def test_plan_channels_load_and_round_trip(self) -> None:
        """The top-level ``channels:`` becomes Plan.channels and is written back."""
        plan = loads(_plan_text("channels:\n  jsonl: {path: out.jsonl}\n")).plan
        assert plan.channels == {"jsonl": {"path": "out.jsonl"}}
        assert loads(dump_plan(plan)).plan.channels == plan.channels

    def test_resolve_with_overrides_and_environment(self) -> None:
        """Plan file, then --set, then defaults; ${VAR} from the environment."""
        plan = loads(_plan_text('channels:\n  jsonl: {path: "${OUT}/e.jsonl"}\n')).plan
        settings = resolve_settings(JsonLinesNotifier(), plan, environ={"OUT": "/tmp/x"})
        assert settings.run == {"path": "/tmp/x/e.jsonl"}
        settings = resolve_settings(JsonLinesNotifier(), plan, {"path": "b.jsonl"}, environ={})
        assert settings.run == {"path": "b.jsonl"}
        with pytest.raises(PlanError, match="environment variable OUT is not set"):
            resolve_settings(JsonLinesNotifier(), plan, environ={})
        with pytest.raises(PlanError, match="has no setting 'pth'.*did you mean 'path'"):
            resolve_settings(JsonLinesNotifier(), plan, {"pth": "x"}, environ={})

    def test_parse_overrides(self) -> None:
        """``--set`` items: NOTIFIER.KEY=VALUE, the value may hold '=' and '.'."""
        assert parse_overrides(["a.b=c=d.e", "a.x="]) == {"a": {"b": "c=d.e", "x": ""}}
        with pytest.raises(PlanError, match="NOTIFIER.KEY=VALUE"):
            parse_overrides(["nodot=1"])

    def test_unit_settings_reach_the_notifier(self) -> None:
        """A unit's ``channels: {NAME: {...}}`` arrives in ChannelSettings.units."""
        pm = get_plugin_manager(load_entrypoints=False, environ={})
        recorder = RecordingNotifier()
        pm.register(recorder.plugin(), name="recorder")
        run_simulation(tiny_plan(), pm=pm, notify=["recording"])
        assert recorder.settings_seen[0].units == {"vhxh": {"label": "VHXH"}}


class TestValidate:
    """``planflow validate`` checks channel settings."""

    def _validate(self, runner: CliRunner, tmp_path: Path, text: str, *args: str) -> Any:
        path = tmp_path / "plan.yaml"
        path.write_text(text, encoding="utf-8")
        return runner.invoke(cli, [*args, "validate", str(path)])

    def test_unknown_channel_is_a_warning_with_hint(
        self, runner: CliRunner, tmp_path: Path
    ) -> None:
        """A channel no loaded plugin declares: a located warning, exit 0."""
        result = self._validate(runner, tmp_path, _plan_text("channels:\n  jsnl: {path: a}\n"))
        assert result.exit_code == 0, result.output
        assert re.search(
            r"plan.yaml:\d+:3: warning: channels: unknown channel 'jsnl'.*did you mean 'jsonl'",
            result.stderr,
        )

    def test_setting_errors_are_located(self, runner: CliRunner, tmp_path: Path) -> None:
        """Unknown key, wrong type and missing required setting: errors at the setting."""
        text = _plan_text(
            "channels:\n  jsonl: {pth: a}\n  console: {stream: stderr, kinds: 3, colour: no}\n",
        )
        result = self._validate(runner, tmp_path, text)
        assert result.exit_code == 1
        lines = result.stderr.splitlines()
        line_no = text.splitlines().index("  jsonl: {pth: a}") + 1
        assert any(
            x.endswith(
                f"plan.yaml:{line_no}:11: channels.jsonl: unknown setting 'pth' for channel "
                "'jsonl' — did you mean 'path'?"
            )
            for x in lines
        )
        assert any(
            f"plan.yaml:{line_no}:10: channels.jsonl: channel 'jsonl' needs 'path'" in x
            for x in lines
        )
        assert any("unknown setting 'colour' for channel 'console'" in x for x in lines)
        assert lines[-1] == "3 errors in channel settings."

    def test_wrong_type_and_scope(self, runner: CliRunner, tmp_path: Path) -> None:
        """A run setting written under a unit, and a value of the wrong type."""
        text = _plan_text(
            "channels:\n  console: {stream: [a]}\n", unit_channels="{jsonl: {path: x}}"
        )
        result = self._validate(runner, tmp_path, text)
        assert result.exit_code == 1
        assert "channels.console.stream: stream must be a text, got ['a']" in result.stderr
        assert (
            "'path' is not set here — write it under the plan's top-level channels" in result.stderr
        )

    def test_env_values_pass_validation(self, runner: CliRunner, tmp_path: Path) -> None:
        """``${VAR}`` values are checked at run time, not by validate."""
        text = _plan_text('channels:\n  jsonl: {path: "${EVENTS}"}\n')
        result = self._validate(runner, tmp_path, text)
        assert result.exit_code == 0, result.output

    def test_check_settings_hook(
        self, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Problems from planflow_check_settings are located in the file and fail validate."""
        (tmp_path / "strict_plugin.py").write_text(
            "from planflow import hookimpl\n\n"
            "@hookimpl\n"
            "def planflow_check_settings(plan):\n"
            "    return [(('units', 1, 'name'), 'radio needs a contact')]\n",
            encoding="utf-8",
        )
        monkeypatch.syspath_prepend(str(tmp_path))
        text = _plan_text("")
        result = self._validate(runner, tmp_path, text, "-p", "strict_plugin")
        assert result.exit_code == 1
        line_no = text.splitlines().index('    name: "Đài phát thanh xã"') + 1
        assert (
            f"plan.yaml:{line_no}:11: units[1].name: radio needs a contact [strict_plugin]"
            in result.stderr
        )


def test_failing_reporter_is_isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A reporter that raises is recorded with its plugin's name; the others write."""

    class Broken:
        name = "broken"
        description = "always fails"
        media_type = "text/plain"

        def report(self, context: Any) -> list[Any]:
            raise RuntimeError("no paper")

    class Plugin:
        @hookimpl
        def planflow_reporters(self) -> list[Any]:
            return [Broken()]

    pm = get_plugin_manager(load_entrypoints=False, environ={})
    pm.register(Plugin(), name="broken-plugin")
    run = run_simulation(tiny_plan(), pm=pm, report=["broken", "json"], report_dir=tmp_path)
    record = run.record()["reports"]
    assert record["broken"]["failed"] == 2
    assert record["broken"]["errors"][0]["plugin"] == "broken-plugin"
    assert record["broken"]["errors"][0]["error"] == "RuntimeError: no paper"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny-2025-fy.json", "tiny-2025-q1.json"]
