"""``planflow resend --outbox``: the real year's deliveries that failed (pending, or
given up after the last attempt) are delivered once each, and never again."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner

from planflow.cli.main import cli
from planflow.hooks.manager import get_plugin_manager
from planflow.jobs.year import Year, advance
from year_support import write_plan


def test_given_up_deliveries_are_resent_once(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "xa")
    broken = tmp_path / "no-such-folder" / "events.jsonl"  # the notifier raises
    with Year.open(path, now=datetime(2025, 3, 20, 7)) as year:
        report = advance(
            year,
            pm=get_plugin_manager(load_entrypoints=False),
            notify=["jsonl"],
            settings={"jsonl": {"path": str(broken)}},
            max_attempts=1,  # given up at once
        )
        sent = [e.id for e in report.emitted + report.digests]
        assert report.failed == len(sent) > 0 and report.delivered == 0
        assert {d.status for d in year.store.outbox(year.plan.id)} == {"failed"}
    runner = CliRunner()
    good = tmp_path / "events.jsonl"
    first = runner.invoke(
        cli, ["resend", str(path), "--outbox", "--set", f"jsonl.path={good}", "--lang", "en"]
    )
    assert first.exit_code == 0, first.output
    assert f"{len(sent)} given-up deliveries tried again" in first.output
    lines = [json.loads(line) for line in good.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["id"] for line in lines) == sorted(sent)  # each once
    with Year.open(path) as year:
        assert {d.status for d in year.store.outbox(year.plan.id)} == {"delivered"}
    again = runner.invoke(
        cli, ["resend", str(path), "--outbox", "--set", f"jsonl.path={good}", "--lang", "en"]
    )
    assert again.exit_code == 0 and "nothing to resend in the outbox" in again.output
    rerun = runner.invoke(
        cli, ["run", str(path), "--now", "2025-03-20T07:00", "--notify", "jsonl",
              "--set", f"jsonl.path={good}", "--lang", "en"],
    )  # fmt: skip
    assert rerun.exit_code == 0, rerun.output
    assert len(good.read_text(encoding="utf-8").splitlines()) == len(sent)  # nothing twice
    both = runner.invoke(cli, ["resend", str(path), "--outbox", "--events", str(good)])
    assert both.exit_code == 2 and "--outbox" in both.output


def test_what_fails_again_stays_pending(tmp_path: Path) -> None:
    path = write_plan(tmp_path / "xa")
    broken = tmp_path / "no-such-folder" / "events.jsonl"
    with Year.open(path, now=datetime(2025, 3, 20, 7)) as year:
        advance(year, pm=get_plugin_manager(load_entrypoints=False), notify=["jsonl"],
                settings={"jsonl": {"path": str(broken)}}, max_attempts=1)  # fmt: skip
    result = CliRunner().invoke(
        cli,
        ["resend", str(path), "--outbox", "--set", f"jsonl.path={broken}", "--strict",
         "--lang", "vi"],
    )  # fmt: skip
    assert result.exit_code == 3
    assert "vẫn chờ trong hộp thư đi" in result.output
    with Year.open(path) as year:
        statuses = {d.status for d in year.store.outbox(year.plan.id)}
    assert statuses == {"pending"}  # one attempt of five used: the next run retries
