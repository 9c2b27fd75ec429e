"""What issue 15 adds for plugin authors: testing helpers, commands that see the plugin
manager, declared completion models with options, and resending failed events."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click
import pytest

from planflow import ModelInfo, Setting, hookimpl
from planflow.hooks.manager import DEFAULT_PLUGINS, completion_model
from planflow.hooks.specs import ChannelSettings
from planflow.jobs.simulate import run_simulation
from planflow.plan.errors import PlanError
from planflow.plan.model import Plan, Unit
from planflow.run.events import Event
from planflow.testing import RecordingNotifier, plugin_manager, run_cli, tiny_plan, write_tiny_plan


class Slow:
    """Declares the model ``slow``: done ``days`` working days after the due date."""

    @hookimpl
    def planflow_completion_models(self) -> list[ModelInfo]:
        return [
            ModelInfo(
                "slow",
                "every occurrence DAYS working days late",
                (Setting("days", int, default=2, help="working days late"),),
            )
        ]

    @hookimpl
    def planflow_completion_model(self, name: str, plan: Plan, options: Any) -> Any:
        if name != "slow":
            return None
        from planflow.timeline.occurrences import calendar_for

        calendar, days = calendar_for(plan), options["days"]

        class Model:
            def completion(self, occurrence: Any, ready: date) -> date:
                return calendar.add_working_days(max(occurrence.due, ready), days)

        return Model()


def test_plugin_manager_has_builtins_and_the_plugins_given() -> None:
    """``plugin_manager(*plugins)``: built-ins plus those given, nothing installed."""
    recorder = RecordingNotifier()
    pm = plugin_manager(recorder.plugin(), Slow())
    assert set(pm.notifiers()) == {"console", "jsonl", "recording"}
    assert set(pm.models()) == {"slow"}
    bare = plugin_manager(Slow(), builtins=False)
    assert not {name for name, _ in DEFAULT_PLUGINS} & {
        n for n, p in bare.list_name_plugin() if p is not None
    }


def test_run_simulation_resolves_plugin_models_with_options() -> None:
    """``run_simulation(model="slow:days=3")``: occurrences with nothing to wait for are
    exactly 3 working days late; the result is named after the model."""
    pm = plugin_manager(Slow())
    run = run_simulation(tiny_plan(), pm=pm, model="slow:days=3")
    assert run.result.model == "slow"
    late = [e for e in run.result.events if e.kind.value == "late" and e.plan_task != "broadcast"]
    assert late and {e.days_late for e in late} == {3}
    default = run_simulation(tiny_plan(), pm=pm, model="slow")
    assert {
        e.days_late
        for e in default.result.events
        if e.kind.value == "late" and e.plan_task == "news"
    } == {2}
    with pytest.raises(PlanError, match="has no option 'dayz' — did you mean 'days'"):
        completion_model(pm, "slow:dayz=1", tiny_plan(), 0)
    with pytest.raises(PlanError, match="--model slow: days must be a whole number"):
        completion_model(pm, "slow:days=many", tiny_plan(), 0)
    with pytest.raises(PlanError, match="unknown completion model 'slwo' — did you mean 'slow'"):
        completion_model(pm, "slwo", tiny_plan(), 0)


def test_models_are_listed_by_plugins_and_simulate_help() -> None:
    """``planflow plugins`` and ``simulate --help`` list the declared models and options."""
    listing = run_cli(["plugins"], plugins=[Slow()])
    assert (
        "  model slow: every occurrence DAYS working days late\n    options: days=INT (default 2)\n"
        in listing.stdout
    )
    rows = {
        r["name"]: r for r in json.loads(run_cli(["plugins", "--json"], plugins=[Slow()]).stdout)
    }
    assert rows["slow"]["models"] == ["slow"]
    assert rows["slow"]["model_options"]["slow"][0]["name"] == "days"
    help_text = run_cli(["simulate", "--help"], plugins=[Slow()]).stdout
    assert "Completion models (--model NAME[:KEY=VALUE,…]):" in help_text
    assert "slow" in help_text.split("Completion models")[1]
    assert "options: days=INT (default 2)" in " ".join(help_text.split())


def test_commands_receive_the_plugin_manager(tmp_path: Path) -> None:
    """A command registered with ``planflow_register_commands(cli, pm)`` can run the
    simulation with the invocation's plugins, ``-p no:NAME`` included."""

    class Counter:
        @hookimpl
        def planflow_register_commands(self, cli: click.Group, pm: Any) -> None:
            @cli.command("count-reminders")
            @click.argument("plan")
            def count(plan: str) -> None:
                """How many reminders the recording notifier gets."""
                from planflow import load_plan

                run = run_simulation(load_plan(plan), pm=pm, notify=["recording"])
                click.echo(run.record()["deliveries"]["recording"]["delivered"])
                click.echo(",".join(sorted(pm.notifiers())))

    recorder = RecordingNotifier(skip_on=["opened", "unblocked", "due", "completed", "late",
                                          "overdue", "missed", "period_closed"])  # fmt: skip
    folder = write_tiny_plan(tmp_path / "p")
    result = run_cli(
        ["-p", "no:jsonl", "count-reminders", str(folder)], plugins=[Counter(), recorder.plugin()]
    )
    assert result.exit_code == 0, result.stderr
    reminders = [
        e
        for e in run_simulation(tiny_plan(), pm=plugin_manager()).result.events
        if e.kind.value == "reminder"
    ]
    assert result.stdout == f"{len(reminders)}\nconsole,recording\n"


class Flaky:
    """A notifier that fails while ``down`` and records what it delivered."""

    name = "flaky"
    description = "fails while down"
    settings: Sequence[Setting] = ()

    def __init__(self) -> None:
        self.down = True
        self.delivered: list[str] = []

    def deliver(
        self, event: Event, *, plan: Plan, units: Sequence[Unit], settings: ChannelSettings
    ) -> None:
        if self.down and event.kind.value in ("reminder", "due"):
            raise ConnectionRefusedError("receiver down")
        self.delivered.append(event.id)

    def plugin(self) -> object:
        flaky = self

        class FlakyPlugin:
            @hookimpl
            def planflow_notifiers(self) -> list[Flaky]:
                return [flaky]

        return FlakyPlugin()


def test_resend_delivers_each_failed_event_once(tmp_path: Path) -> None:
    """``simulate --failed FILE`` keeps the failed deliveries; ``resend --events FILE``
    delivers exactly those once the receiver is up, and a second resend nothing."""
    flaky = Flaky()
    folder = str(write_tiny_plan(tmp_path / "p"))
    failed = tmp_path / "failed.jsonl"
    run = run_cli(
        ["simulate", folder, "--notify", "flaky", "--failed", str(failed)], plugins=[flaky.plugin()]
    )
    assert run.exit_code == 0, run.stderr
    events = run_simulation(tiny_plan(), pm=plugin_manager()).result.events
    expected = [e.id for e in events if e.kind.value in ("reminder", "due")]
    assert [json.loads(line)["event"]["id"] for line in failed.read_text().splitlines()] == expected
    flaky.down, flaky.delivered = False, []
    first = run_cli(["resend", folder, "--events", str(failed)], plugins=[flaky.plugin()])
    assert first.exit_code == 0, first.stderr
    assert flaky.delivered == expected
    assert (
        f"notifier 'flaky': {len(expected)} delivered, 0 skipped, 0 failed of {len(expected)} events"
        in first.stderr
    )
    second = run_cli(
        ["resend", folder, "--events", str(failed), "--strict"], plugins=[flaky.plugin()]
    )
    assert second.exit_code == 0
    assert flaky.delivered == expected
    assert f"nothing to resend in {failed}" in second.stderr


def test_resend_keeps_what_fails_again_and_strict_says_so(tmp_path: Path) -> None:
    """Still down: nothing marked, exit 3 with --strict; the bad line of a wrong file is
    named FILE:LINE."""
    flaky = Flaky()
    folder = str(write_tiny_plan(tmp_path / "p"))
    failed = tmp_path / "failed.jsonl"
    run_cli(
        ["simulate", folder, "--notify", "flaky", "--failed", str(failed)], plugins=[flaky.plugin()]
    )
    before = failed.read_text()
    again = run_cli(
        ["resend", folder, "--events", str(failed), "--strict"], plugins=[flaky.plugin()]
    )
    assert again.exit_code == 3
    assert failed.read_text() == before
    (tmp_path / "wrong.jsonl").write_text('{"delivered": "x", "notifier": "flaky"}\n{"nope": 1}\n')
    wrong = run_cli(
        ["resend", folder, "--events", str(tmp_path / "wrong.jsonl")], plugins=[flaky.plugin()]
    )
    assert wrong.exit_code == 1
    assert f"{tmp_path / 'wrong.jsonl'}:2:1: not a failed delivery" in wrong.stderr


def test_pytest_plugin_fixtures(tmp_path: Path) -> None:
    """The ``pytest11`` entry point gives ``planflow_plan_dir``, ``planflow_plan`` and
    ``recording_notifier`` to any test suite (run here in a separate pytest)."""
    (tmp_path / "test_uses_fixtures.py").write_text(
        textwrap.dedent(
            """
            from planflow.jobs.simulate import run_simulation
            from planflow.testing import plugin_manager, run_cli

            def test_fixtures(planflow_plan_dir, planflow_plan, recording_notifier):
                assert (planflow_plan_dir / "plan.yaml").is_file()
                assert planflow_plan.id == "tiny-2025"
                pm = plugin_manager(recording_notifier.plugin())
                run = run_simulation(planflow_plan, pm=pm, notify=["recording"])
                assert recording_notifier.events == run.result.events
                result = run_cli(["validate", str(planflow_plan_dir)])
                assert result.exit_code == 0, result.stderr
            """
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
