"""The webhook notifier inside planflow's runs: honest counts, a bounded give-up, resend,
and the run-level ``url`` that ``planflow validate`` accepts."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from planflow.hooks.manager import PluginManager
from planflow.jobs.resend import pending, resend, write_failed
from planflow.jobs.simulate import run_simulation
from planflow.plan.model import Plan
from planflow.testing import plugin_manager, run_cli

import planflow_webhook
from pfwebhook_support import PLAN_YAML, receiver
from planflow_webhook import WebhookConfig, WebhookNotifier


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections and never answers (a hung receiver)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server.getsockname()[1]


def _pm_with(notifier: WebhookNotifier) -> PluginManager:
    class Plugin:
        @staticmethod
        def planflow_notifiers() -> list[WebhookNotifier]:
            return [notifier]

    return plugin_manager(Plugin())


def test_unreachable_receiver_gives_up_within_the_documented_bound(
    plan: Plan, silent_port: int
) -> None:
    """A receiver that never answers: the first event spends its retries (with progress
    lines), then the notifier gives up on the URL; the whole quarter takes at most
    ``give_up_after × longest_wait()`` (plus the run), every event is counted failed."""
    lines: list[str] = []
    notifier = WebhookNotifier(progress=lines.append)
    url = f"http://127.0.0.1:{silent_port}/hook"
    settings = {"url": url, "timeout": "0.2", "retries": "2", "backoff": "0.05"}
    bound = WebhookConfig.from_settings(settings).longest_wait()
    assert bound == pytest.approx(3 * 0.2 + 0.05 + 0.1)
    started = time.monotonic()
    run = run_simulation(
        plan, pm=_pm_with(notifier), notify=["webhook"], settings={"webhook": settings},
        until=date(2025, 3, 31),
    )  # fmt: skip
    elapsed = time.monotonic() - started
    # without giving up, every event would cost the bound: len(events) × 0,75 s ≈ 19 s
    assert elapsed < bound + 5.0 < len(run.result.events) * bound
    record = run.deliveries["webhook"]
    assert record.failed == len(run.result.events) and record.delivered == 0
    assert "after 3 attempts: no answer within 0.2 s" in record.errors[0]["error"]
    assert "not tried: gave up on this URL" in record.errors[1]["error"]
    assert [line.split(" failed")[0] for line in lines[:2]] == [
        f"planflow-webhook: POST {url} attempt 1 of 3",
        f"planflow-webhook: POST {url} attempt 2 of 3",
    ]
    assert lines[2].startswith(f"planflow-webhook: giving up on {url} for this run after 1 ")
    assert len(lines) == 3


def test_kinds_are_counted_as_skipped(plan: Plan) -> None:
    """Events of kinds not posted are *skipped*, not delivered; the others delivered."""
    with receiver() as hook:
        run = run_simulation(
            plan, pm=_pm_with(WebhookNotifier()), notify=["webhook"],
            settings={"webhook": {"url": hook.url, "kinds": "reminder"}}, until=date(2025, 3, 31),
        )  # fmt: skip
    reminders = [e for e in run.result.events if e.kind.value == "reminder"]
    record = run.record()["deliveries"]["webhook"]
    assert record["delivered"] == len(reminders) == len(hook.requests) > 0
    assert record["skipped_reasons"] == {
        "kind not in webhook.kinds": len(run.result.events) - len(reminders)
    }


def test_failed_events_are_resent_once(plan: Plan, closed_port: int, tmp_path: Path) -> None:
    """Receiver down during the run; once it is up, resend delivers each failed event once,
    and a second resend delivers nothing."""
    down = {"url": f"http://127.0.0.1:{closed_port}/hook", "retries": "0"}
    run = run_simulation(
        plan, pm=_pm_with(WebhookNotifier()), notify=["webhook"], settings={"webhook": down},
        until=date(2025, 2, 28),
    )  # fmt: skip
    failed = tmp_path / "failed.jsonl"
    assert write_failed(failed, run.failed_deliveries) == len(run.result.events)
    with receiver() as hook:
        up = {"webhook": {"url": hook.url}}
        first = resend(plan, failed, pm=_pm_with(WebhookNotifier()), settings=up)
        second = resend(plan, failed, pm=_pm_with(WebhookNotifier()), settings=up)
    ids = [json.loads(r.body)["id"] for r in hook.requests]
    assert ids == [e.id for e in run.result.events]
    assert first.records["webhook"].delivered == len(ids) and second.records == {}
    assert pending(failed) == []


def test_validate_accepts_the_documented_run_level_url(tmp_path: Path) -> None:
    """Fault 1: ``channels: {webhook: {url: …}}`` at the top of the plan is valid (``url``
    is declared at both scopes); a unit's url is valid too."""
    text = PLAN_YAML.replace(
        "units:\n",
        "channels:\n  webhook: {url: 'https://hooks.example.vn/planflow', retries: 2}\nunits:\n",
    ).replace(
        '    name: "Đài truyền thanh xã"\n',
        '    name: "Đài truyền thanh xã"\n    channels: {webhook: {url: "http://127.0.0.1:9/r"}}\n',
    )
    (tmp_path / "plan.yaml").write_text(text, encoding="utf-8")
    result = run_cli(["validate", str(tmp_path), "--lang", "en"], plugins=[planflow_webhook])
    assert result.exit_code == 0, result.stderr
    assert "is not set here" not in result.stderr
    bad = text.replace("retries: 2", "retries: 2, kinds_x: 1")
    (tmp_path / "plan.yaml").write_text(bad, encoding="utf-8")
    result = run_cli(["validate", str(tmp_path), "--lang", "en"], plugins=[planflow_webhook])
    assert result.exit_code == 1 and "unknown setting 'kinds_x'" in result.stderr
    vietnamese = run_cli(["validate", str(tmp_path), "--lang", "vi"], plugins=[planflow_webhook])
    assert "kênh 'webhook' không có khóa 'kinds_x' — có phải là 'kinds'?" in vietnamese.stderr


def test_the_guide_resend_example(
    closed_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two commands docs/plugins.md shows (receiver down, then up), with the ports
    of this machine: the counts it prints are the ones the guide shows."""
    import re

    repo = Path(__file__).resolve().parents[3]
    guide = repo / "docs" / "plugins.md"
    if not guide.is_file():
        pytest.skip("docs/plugins.md is not beside this package")
    block = re.search(r"```console\n(\$ planflow simulate examples/boy_2025 --notify webhook.*?)```",
                      guide.read_text(encoding="utf-8"), re.DOTALL)  # fmt: skip
    assert block is not None
    commands = [line[2:].split()[1:] for line in block[1].splitlines() if line.startswith("$ ")]
    said = [line for line in block[1].splitlines() if line.startswith("planflow: ")]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(repo / "examples")

    def run(args: list[str], port: int) -> str:
        args = [a.replace("127.0.0.1:8088", f"127.0.0.1:{port}") for a in args]
        result = run_cli(args, plugins=[planflow_webhook])
        assert result.exit_code == (3 if "--strict" in args else 0), result.stderr
        return result.stderr.replace(f"127.0.0.1:{port}", "127.0.0.1:8088")

    first = run(commands[0], closed_port)
    assert said[0] in first.splitlines()
    assert first.splitlines()[0] == block[1].splitlines()[1]  # the first progress line
    with receiver() as hook:
        port = int(hook.url.split(":")[2].split("/")[0])
        second = run(commands[1], port)
    assert said[1] in second.splitlines()
    assert len(hook.requests) == 1340
