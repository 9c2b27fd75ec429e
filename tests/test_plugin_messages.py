"""Plugins meet the reports layer and the Vietnamese catalogue.

Delivery counts, plugin failures, ``planflow plugins`` and ``resend`` speak the user's
language; the reporters of ``planflow.reports`` are counted per reporting period with
their files listed apart; ``planflow report`` handles a plugin's reporter and model as
``simulate`` does (named failure, exit status 4; plugin models with options).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from planflow import Artifact, ChannelSettings, ModelInfo, ReportContext, Setting, hookimpl
from planflow.hooks.failures import PluginFailed
from planflow.jobs.report import make_report
from planflow.plan.model import Plan, Unit
from planflow.run.events import Event
from planflow.testing import plugin_manager, run_cli, tiny_plan, write_tiny_plan

# The tiny plan by hand: news and broadcast monthly in Q1 (3 each) and report-q1 once;
# the on-time model gives each of the 7 occurrences one "due" event.
DUE_EVENTS = 7
PERIODS = ["q1", "fy"]  # its two reporting periods


class Broken:
    """A notifier ``hong`` that fails on every due event and delivers the rest."""

    name = "hong"
    description = "fails on due events"
    settings: Sequence[Setting] = ()

    def deliver(
        self, event: Event, *, plan: Plan, units: Sequence[Unit], settings: ChannelSettings
    ) -> None:
        if event.kind.value == "due":
            raise ConnectionRefusedError("máy nhận không trả lời")

    @hookimpl
    def planflow_notifiers(self) -> list[Broken]:
        return [self]


def _events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_counts_and_failures_in_vietnamese(tmp_path: Path) -> None:
    """Per-channel counts, the first failures, the capped rest and --strict, in Vietnamese."""
    folder = str(write_tiny_plan(tmp_path / "p"))
    log = tmp_path / "ev.jsonl"
    result = run_cli(
        [
            *("simulate", folder, "--lang", "vi", "--strict", "--notify", "hong"),
            *("--notify", "jsonl", "--set", f"jsonl.path={log}"),
        ],
        plugins=[Broken()],
    )
    events = _events(log)  # everything the jsonl channel received
    due = [e for e in events if e["kind"] == "due"]
    assert len(due) == DUE_EVENTS
    total = len(events)
    err = result.stderr
    assert result.exit_code == 3, err
    assert (
        f"planflow: kênh thông báo 'jsonl': đã gửi {total}, bỏ qua 0, lỗi 0 "
        f"trên tổng số {total} sự kiện"
    ) in err
    assert (
        f"planflow: kênh thông báo 'hong': đã gửi {total - DUE_EVENTS}, bỏ qua 0, "
        f"lỗi {DUE_EVENTS} trên tổng số {total} sự kiện"
    ) in err
    shown = [line for line in err.splitlines() if "lỗi ở kênh thông báo 'hong' với sự kiện" in line]
    assert len(shown) == 5  # the first five, then only counted
    assert shown[0].endswith("ConnectionRefusedError: máy nhận không trả lời")
    assert f"sự kiện due {due[0]['task']}#{due[0]['index']} " in shown[0]
    assert "lại lỗi ở kênh thông báo 'hong'; các lỗi tiếp theo chỉ được đếm" in err
    assert f"lỗi {DUE_EVENTS} lần ở kênh thông báo 'hong' ({DUE_EVENTS - 5} lần không" in err
    assert f"planflow: --strict: {DUE_EVENTS} lỗi (mã kết thúc 3)" in err
    assert "delivered" not in err and "failed" not in err


@pytest.mark.parametrize("reporter", ["json", "markdown", "csv"])
def test_report_reporters_count_periods_and_list_files(tmp_path: Path, reporter: str) -> None:
    """A reporter of planflow.reports is counted once per closed period; its files apart."""
    folder = str(write_tiny_plan(tmp_path / "p"))
    out = tmp_path / "reports"
    result = run_cli(["simulate", folder, "--json", "--report", reporter, "--report-dir", str(out)])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)["reports"][reporter]
    assert (record["unit"], record["delivered"], record["skipped"], record["failed"]) == (
        "periods",
        len(PERIODS),
        0,
        0,
    )
    written = sorted(str(p) for p in out.iterdir())
    assert sorted(record["files"]) == written
    assert all(any(period in Path(f).name for f in written) for period in PERIODS)
    lines = run_cli(
        ["simulate", folder, "--report", reporter, "--report-dir", str(out)]
    ).stderr.splitlines()
    assert (
        f"planflow: reporter {reporter!r}: {len(PERIODS)} delivered, 0 skipped, 0 failed "
        f"of {len(PERIODS)} periods"
    ) in lines


class BadReports:
    """Reporters that fail in each way a plugin's reporter can."""

    class Raises:
        name = "no"
        description = "raises"
        media_type = "text/plain"

        def report(self, context: ReportContext) -> list[Artifact]:
            raise RuntimeError("hết giấy")

    class Path:
        name = "duong-dan"
        description = "a name with a folder"
        media_type = "text/plain"

        def report(self, context: ReportContext) -> list[Artifact]:
            return [Artifact("../x.txt", "text/plain", b"x")]

    @hookimpl
    def planflow_reporters(self) -> list[Any]:
        return [self.Raises(), self.Path()]


@pytest.mark.parametrize(
    ("form", "error"),
    [("no", "RuntimeError: hết giấy"), ("duong-dan", "TypeError: not an Artifact")],
)
def test_make_report_names_a_failing_plugin_reporter(tmp_path: Path, form: str, error: str) -> None:
    """A plugin's reporter that fails in ``make_report`` is named as every plugin failure
    is (the command line turns it into exit status 4); nothing is written."""
    out = tmp_path / "out"
    with pytest.raises(PluginFailed) as caught:
        make_report(tiny_plan(), "q1", pm=plugin_manager(BadReports()), form=form, out_dir=out)
    assert f"failed in reporter {form!r}: {error}" in str(caught.value)
    assert str(caught.value).startswith(f"plugin {caught.value.plugin!r} failed in reporter")
    assert not out.exists()


class LateBy:
    """A model ``tre`` with an option: every occurrence ``days`` calendar days late."""

    @hookimpl
    def planflow_completion_models(self) -> list[ModelInfo]:
        return [ModelInfo("tre", "DAYS days late", (Setting("days", int, default=1),))]

    @hookimpl
    def planflow_completion_model(self, name: str, options: Any) -> Any:
        if name != "tre":
            return None
        days = options["days"]

        class Model:
            def completion(self, occurrence: Any, ready: date) -> date:
                return date.fromordinal(max(occurrence.due, ready).toordinal() + days)

        return Model()


def test_planflow_report_takes_plugin_models_and_refuses_random_options(tmp_path: Path) -> None:
    """``report --model tre:days=40`` uses the plugin's model: Q1 has nothing done on time
    (every occurrence 40 days late); ``--late`` with it is refused, as in simulate."""
    folder = str(write_tiny_plan(tmp_path / "p"))
    base = ["report", folder, "--period", "fy", "--format", "json", "--out"]
    result = run_cli([*base, str(tmp_path / "a"), "--model", "tre:days=40"], plugins=[LateBy()])
    assert result.exit_code == 0, (result.stderr, result.exception)
    on_time = run_cli([*base, str(tmp_path / "b")], plugins=[LateBy()])
    assert on_time.exit_code == 0
    late_text = next((tmp_path / "a").iterdir()).read_text(encoding="utf-8")
    on_time_text = next((tmp_path / "b").iterdir()).read_text(encoding="utf-8")
    assert late_text != on_time_text
    refused = run_cli(
        [*base, str(tmp_path / "c"), "--model", "tre", "--late", "0.3"], plugins=[LateBy()]
    )
    assert refused.exit_code == 2
    assert "they do nothing with --model tre" in refused.stderr


def test_plugins_listing_in_vietnamese() -> None:
    """``planflow plugins --lang vi``: the built-ins, their channels and a plugin's model."""
    result = run_cli(["plugins", "--lang", "vi"], plugins=[LateBy()])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("console ") and line.endswith("(có sẵn)") for line in lines)
    assert any(line.startswith("  kênh thông báo console: ") for line in lines)
    assert any(line.startswith("  mẫu báo cáo markdown: ") for line in lines)
    assert "  mô hình hoàn thành tre: DAYS days late" in lines
    assert "    tùy chọn: days=INT (mặc định 1)" in lines
