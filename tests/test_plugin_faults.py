"""Regression tests for the faults a third-party plugin author met (issue 15, faults 1–7).

Each test drives planflow the way that author did, through the documented helpers
(``planflow.testing.run_cli`` runs the real command line in this process).
"""

from __future__ import annotations

import subprocess
import sys
import types
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click
import pytest

from planflow import ModelInfo, Setting, Skipped, hookimpl
from planflow.hooks.manager import PluginError, get_plugin_manager
from planflow.hooks.specs import Artifact, ChannelSettings, ReportContext
from planflow.jobs.simulate import run_simulation
from planflow.plan.loading import load
from planflow.plan.model import Plan, Unit
from planflow.run.events import Event
from planflow.testing import TINY_PLAN, RecordingNotifier, plugin_manager, run_cli, tiny_plan

ROOT = Path(__file__).parent.parent
EXAMPLE = str(ROOT / "examples" / "boy_2025")


def plugin(name: str, **hooks: Callable[..., Any]) -> types.ModuleType:
    """A module called ``name`` whose attributes are ``hooks`` (as a plugin file would be)."""
    module = types.ModuleType(name)
    for hook, fn in hooks.items():
        setattr(module, hook, fn)
    return module


def write_plan(folder: Path, text: str = TINY_PLAN) -> str:
    """``text`` as ``folder/plan.yaml``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.yaml").write_text(text, encoding="utf-8")
    return str(folder)


class Hooky:
    """A notifier declaring ``url`` at both scopes, like the bundled webhook plugin."""

    name = "hooky"
    description = "records the URLs it would post to"
    settings: Sequence[Setting] = (
        Setting("url", scope="run"),
        Setting("retries", int, default=3, scope="run"),
        Setting("url", scope="unit"),
    )

    def __init__(self) -> None:
        self.seen: list[ChannelSettings] = []

    def deliver(
        self, event: Event, *, plan: Plan, units: Sequence[Unit], settings: ChannelSettings
    ) -> None:
        self.seen.append(settings)


# --- fault 1: a setting declared at run and unit level ----------------------------------


def test_fault1_run_level_setting_also_declared_per_unit(tmp_path: Path) -> None:
    """``channels: {hooky: {url: …}}`` at the top validates; ``--set hooky.url`` fills the
    run's, ``--set hooky.UNIT.url`` one unit's; a run-only key under a unit is still wrong."""
    notifier = Hooky()
    hooky = plugin("hooky", planflow_notifiers=lambda: [notifier])
    text = TINY_PLAN.replace(
        "units:\n", "channels:\n  hooky: {url: 'https://a.example/run'}\nunits:\n"
    ).replace(
        'channels: {recording: {label: "VHXH"}}',
        "channels: {hooky: {url: 'https://a.example/vhxh'}}",
    )
    folder = write_plan(tmp_path / "ok", text)
    result = run_cli(["validate", folder], plugins=[hooky])
    assert result.exit_code == 0, result.stderr
    assert "not set here" not in result.stderr

    loaded = load(folder).plan
    pm = plugin_manager(hooky)
    run_simulation(loaded, pm=pm, notify=["hooky"], until=date(2025, 1, 10))
    assert notifier.seen[0].run["url"] == "https://a.example/run"
    assert notifier.seen[0].units == {"vhxh": {"url": "https://a.example/vhxh"}}
    overrides = {"hooky": {"url": "https://b.example/run", "radio.url": "https://b.example/radio"}}
    run_simulation(loaded, pm=pm, notify=["hooky"], settings=overrides, until=date(2025, 1, 10))
    assert notifier.seen[-1].run["url"] == "https://b.example/run"
    assert notifier.seen[-1].units == {
        "vhxh": {"url": "https://a.example/vhxh"},
        "radio": {"url": "https://b.example/radio"},
    }
    wrong = text.replace(
        "{url: 'https://a.example/vhxh'}", "{url: 'https://a.example/vhxh', retries: 2}"
    )
    result = run_cli(["validate", write_plan(tmp_path / "bad", wrong)], plugins=[hooky])
    assert result.exit_code == 1
    assert "'retries' is not set here — write it under the plan's top-level channels" in (
        result.stderr
    )


# --- fault 3: every hook's failure handled the same way ---------------------------------


class Boom:
    """A completion model that raises on the third occurrence it sees."""

    def __init__(self) -> None:
        self.seen = 0

    def completion(self, occurrence: Any, ready: date) -> date | None:
        self.seen += 1
        if self.seen == 3:
            raise ZeroDivisionError("division by zero in the model")
        return ready


def _models(name: str, model: Callable[[], Any]) -> types.ModuleType:
    return plugin(
        name,
        planflow_completion_model=lambda name: model() if name == "boom" else None,
    )


def test_fault3_completion_model_failure_names_the_plugin(tmp_path: Path) -> None:
    """An exception inside completion(): one line naming plugin and model, exit 4, no
    traceback unless --traceback or PLANFLOW_TRACEBACK=1."""
    folder = write_plan(tmp_path / "p")
    boomer = _models("boomer", Boom)
    result = run_cli(["simulate", folder, "--model", "boom"], plugins=[boomer])
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0] == (
        "planflow: plugin 'boomer' failed in completion model 'boom': "
        "ZeroDivisionError: division by zero in the model — --traceback shows where; "
        "disable the plugin with -p no:boomer"
    )
    assert "Traceback" not in result.stderr and result.stdout == ""
    for args, env in ((["--traceback"], {}), ([], {"PLANFLOW_TRACEBACK": "1"})):
        shown = run_cli([*args, "simulate", folder, "--model", "boom"], plugins=[boomer], env=env)
        assert shown.exit_code == 4
        assert "Traceback (most recent call last)" in shown.stderr
        assert "in completion\n    raise ZeroDivisionError" in shown.stderr


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            lambda: "not a model",
            "plugin 'odd' failed in planflow_completion_model: returned 'not a model' for "
            "'boom', which is not a completion model (an object with completion(occurrence, ready))",
        ),
        (
            lambda: types.SimpleNamespace(completion=lambda occurrence, ready: "tomorrow"),
            "plugin 'odd' failed in completion model 'boom': completion() returned 'tomorrow', "
            "which is neither a date nor None",
        ),
    ],
)
def test_fault3_nonsense_from_a_model_names_the_plugin(
    tmp_path: Path, answer: Callable[[], Any], message: str
) -> None:
    """A hook returning a string, or a model returning a string, is the plugin's failure
    (not "unknown model 'not a model'")."""
    result = run_cli(
        ["simulate", write_plan(tmp_path / "p"), "--model", "boom"],
        plugins=[_models("odd", answer)],
    )
    assert result.exit_code == 4
    assert result.stderr.startswith(f"planflow: {message} — ")


def test_fault3_plugin_command_failure_names_the_plugin() -> None:
    """An exception inside a plugin's command: ``plugin 'X' failed in command 'NAME'``."""

    def register(cli: click.Group) -> None:
        @cli.command()
        def explode() -> None:
            """Always fails."""
            raise KeyError("missing")

    result = run_cli(["explode"], plugins=[plugin("cmdplug", planflow_register_commands=register)])
    assert result.exit_code == 4
    assert result.stderr.startswith(
        "planflow: plugin 'cmdplug' failed in command 'explode': KeyError: 'missing' — "
    )
    assert "Traceback" not in result.stderr


def test_fault3_calendar_component_failures_are_capped(tmp_path: Path) -> None:
    """A calendar-component plugin failing on every component: the first five lines, a
    note, and the count at the end; the feeds are still written."""

    def adjust(component: Any, task: str) -> None:
        raise ValueError(f"cannot place {task}")

    folder = write_plan(tmp_path / "p")
    out = tmp_path / "feeds"
    result = run_cli(
        ["export", folder, "--out", str(out), "--jobs", "1"],
        plugins=[plugin("placer", planflow_calendar_component=adjust)],
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    failures = [line for line in lines if line.startswith("planflow: plugin 'placer' failed ")]
    assert len(failures) == 7
    assert failures[0].startswith(
        "planflow: plugin 'placer' failed in planflow_calendar_component for "
    )
    assert failures[5] == (
        "planflow: plugin 'placer' failed in planflow_calendar_component again; "
        "further failures of it are only counted"
    )
    components = (out / "plan.ics").read_text(encoding="utf-8").count("BEGIN:VEVENT")
    units = sum(
        p.read_text(encoding="utf-8").count("BEGIN:VEVENT") for p in (out / "units").glob("*.ics")
    )
    total = components + units
    assert failures[6] == (
        f"planflow: plugin 'placer' failed {total} times in planflow_calendar_component "
        f"({total - 5} not shown)"
    )


# --- fault 4: one broken plugin does not break planflow ---------------------------------


def test_fault4_plugin_that_cannot_be_imported_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plugin raising at import: skipped with its error and the way to leave it out;
    --version, --help and plugins work."""
    (tmp_path / "broken_import.py").write_text("raise ImportError('no module named zalo_sdk')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for args in (["--version"], ["--help"], ["plugins"]):
        result = run_cli(["-p", "broken_import", *args])
        assert result.exit_code == 0, (args, result.stderr)
        assert result.stderr.startswith(
            "planflow: skipped plugin 'broken_import': cannot be loaded: ImportError: "
            "no module named zalo_sdk — leave out -p broken_import"
        )


# --- fault 5: the testing pattern checks hook names -------------------------------------


def test_fault5_register_in_tests_checks_hook_names() -> None:
    """``pm.register`` (the documented pattern) and ``plugin_manager`` reject a misspelt
    hook exactly as the loader does, and leave nothing registered."""

    def planflow_reporter() -> list[Any]:
        return []

    typo = plugin("typo", planflow_reporter=planflow_reporter)
    pm = get_plugin_manager(load_entrypoints=False, environ={})
    with pytest.raises(PluginError, match="did you mean 'planflow_reporters'") as info:
        pm.register(typo)
    assert (info.value.plugin, info.value.hook) == ("typo", "planflow_reporter")
    assert not pm.is_registered(typo)
    with pytest.raises(PluginError, match="implements 'planflow_reporter', which is not"):
        plugin_manager(typo)
    wrong_args = plugin("wrong", planflow_event=lambda event, when: None)
    with pytest.raises(PluginError, match="wrong"):
        plugin_manager(wrong_args)


# --- fault 6: honest delivery counts ----------------------------------------------------


class OnlyDue:
    """Declares the kinds it handles."""

    name = "only-due"
    description = "due events only"
    settings: Sequence[Setting] = ()
    kinds = frozenset({"due"})

    def __init__(self) -> None:
        self.kinds_seen: set[str] = set()

    def deliver(
        self, event: Event, *, plan: Plan, units: Sequence[Unit], settings: ChannelSettings
    ) -> None:
        self.kinds_seen.add(event.kind.value)


def test_fault6_notifiers_skip_and_declare_kinds() -> None:
    """Skipped events are counted as skipped (with the reason), never as delivered; a
    notifier with ``kinds`` is handed only those."""
    plan = tiny_plan()
    choosy = RecordingNotifier("choosy", skip_on=["reminder", "opened"])
    only = OnlyDue()
    pm = plugin_manager(choosy.plugin(), plugin("due", planflow_notifiers=lambda: [only]))
    run = run_simulation(plan, pm=pm, notify=["choosy", "only-due"])
    events = run.result.events
    count = {k: sum(e.kind.value == k for e in events) for k in ("reminder", "opened", "due")}
    record = run.record()["deliveries"]
    assert record["choosy"]["delivered"] == len(events) - count["reminder"] - count["opened"]
    assert record["choosy"]["skipped_reasons"] == {
        "choosy skips opened": count["opened"],
        "choosy skips reminder": count["reminder"],
    }
    assert only.kinds_seen == {"due"}
    assert (record["only-due"]["delivered"], record["only-due"]["skipped"]) == (
        count["due"],
        len(events) - count["due"],
    )
    assert record["only-due"]["skipped_reasons"] == {"kind not handled": len(events) - count["due"]}


class TwoFiles:
    """Two files per period, none for the first quarter."""

    name = "two"
    description = "two files"
    media_type = "text/plain"

    def report(self, context: ReportContext) -> list[Artifact]:
        if context.period.task == "q1":
            return []
        return [Artifact(f"{context.period.task}-{n}.txt", "text/plain", b"x") for n in (1, 2)]


def test_fault6_reporters_count_periods_files_apart(tmp_path: Path) -> None:
    """A reporter's counts are reporting periods (the tiny plan has two: q1 and fy)."""
    pm = plugin_manager(plugin("twofiles", planflow_reporters=lambda: [TwoFiles()]))
    run = run_simulation(tiny_plan(), pm=pm, report=["two"], report_dir=tmp_path)
    record = run.record()["reports"]["two"]
    assert (record["unit"], record["delivered"], record["skipped"], record["failed"]) == (
        "periods",
        1,
        1,
        0,
    )
    assert [Path(f).name for f in record["files"]] == ["fy-1.txt", "fy-2.txt"]
    assert [a.path for a in run.artifacts] == record["files"]


def test_fault6_strict_exits_3_when_deliveries_failed(tmp_path: Path) -> None:
    """Every delivery failing: exit 0 without --strict (counts say so), 3 with it; a run
    without failures exits 0 with --strict."""
    folder = write_plan(tmp_path / "p")
    failing = RecordingNotifier("down", fail_on=list(_KINDS))
    args = ["simulate", folder, "--notify", "down"]
    lax = run_cli(args, plugins=[failing.plugin()])
    strict = run_cli([*args, "--strict"], plugins=[failing.plugin()])
    total = len(run_simulation(tiny_plan(), pm=plugin_manager()).result.events)
    line = f"planflow: notifier 'down': 0 delivered, 0 skipped, {total} failed of {total} events"
    assert lax.exit_code == 0 and line in lax.stderr
    assert strict.exit_code == 3 and line in strict.stderr
    assert strict.stderr.endswith(f"planflow: --strict: {total} failed (exit status 3)\n")
    fine = run_cli([*args, "--strict"], plugins=[RecordingNotifier("down").plugin()])
    assert fine.exit_code == 0


_KINDS = ("opened", "reminder", "unblocked", "due", "completed", "late", "overdue", "missed",
          "period_closed")  # fmt: skip


def test_fault6_and_7_closed_output_is_no_delivery_failure() -> None:
    """``planflow simulate … | head -n 1``: the run stops quietly with status 141; nothing
    is reported as a failed delivery, no traceback."""
    command = [
        sys.executable, "-m", "planflow", "simulate", EXAMPLE, "--notify", "console",
        "--set", "console.stream=stdout", "--set", "console.kinds=reminder,opened,due",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=60) == 141
    assert first.startswith(b"2025-01-")
    assert "failed" not in stderr and "Traceback" not in stderr and "Exception" not in stderr


# --- fault 7: the smaller ones ----------------------------------------------------------


def test_fault7_command_named_like_a_builtin_is_refused() -> None:
    """A plugin command called ``simulate``: an error naming both; the built-in stays."""

    def register(cli: click.Group) -> None:
        @cli.command("simulate")
        def mine() -> None:
            """Not planflow's."""
            click.echo("mine")

    result = run_cli(
        ["simulate", "--help"], plugins=[plugin("clash", planflow_register_commands=register)]
    )
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        "planflow: plugin 'clash' failed in planflow_register_commands: command 'simulate' "
        "clashes with the built-in command 'simulate': rename it"
    )
    assert "Simulate the plan's year" in result.stdout


def test_fault7_unknown_plugin_names_warn() -> None:
    """``-p no:NAME`` and ``PLANFLOW_PLUGINS`` with names no plugin has: a warning each."""
    result = run_cli(["-p", "no:consol", "plugins"], load_entrypoints=True)
    assert result.exit_code == 0
    assert (
        "planflow: warning: -p no:NAME or PLANFLOW_DISABLE_PLUGINS: no plugin is called "
        "'consol' (did you mean 'console'?)"
    ) in result.stderr
    result = run_cli(["plugins"], load_entrypoints=True, env={"PLANFLOW_PLUGINS": "nothing-here"})
    assert "planflow: warning: PLANFLOW_PLUGINS: no plugin is called 'nothing-here'" in (
        result.stderr
    )


class Slow:
    """A plugin declaring a model with an option: every occurrence ``days`` working days late."""

    @hookimpl
    def planflow_completion_models(self) -> list[ModelInfo]:
        return [ModelInfo("slow", "late by DAYS working days", (Setting("days", int, default=2),))]

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


def test_fault7_summary_names_the_model_and_tuning_options_are_refused(tmp_path: Path) -> None:
    """The human summary prints ``slow model`` (not a class name); --late with a plugin
    model is a usage error instead of being ignored."""
    folder = write_plan(tmp_path / "p")
    result = run_cli(["simulate", folder, "--model", "slow"], plugins=[Slow()])
    assert result.exit_code == 0, result.stderr
    assert "slow model, seed 0, 2025-01-01 → 2025-12-31" in result.stdout
    for extra in (["--late", "0.5"], ["--skip", "0.1"], ["--delay", "3"]):
        refused = run_cli(["simulate", folder, "--model", "slow", *extra], plugins=[Slow()])
        assert refused.exit_code == 2
        assert "they do nothing with --model slow" in refused.stderr


def test_skipped_reasons_are_typed() -> None:
    """``Skipped`` is the documented return value (an attrs class with a reason)."""
    assert Skipped("x").reason == "x" and Skipped() == Skipped("")


def test_fault3_and_4_declaration_hook_failure_is_reported_and_the_rest_listed() -> None:
    """``planflow_notifiers()`` raising, or returning something that is no notifier: the
    uniform line, and ``planflow plugins`` still lists everything else."""

    def raising() -> list[Any]:
        raise RuntimeError("config file missing")

    def odd() -> list[Any]:
        return ["not a notifier"]

    result = run_cli(
        ["plugins"],
        plugins=[
            plugin("raising", planflow_notifiers=raising),
            plugin("odd", planflow_notifiers=odd),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "planflow: plugin 'odd' failed in planflow_notifiers: TypeError: returned 'not a "
        "notifier', which is not a notifier (see planflow.hooks.specs.Notifier)",
        "planflow: plugin 'raising' failed in planflow_notifiers: RuntimeError: config file missing",
    ]
    assert "  notifier console: " in result.stdout


def test_fault4_installed_plugin_with_a_misspelt_hook_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An *installed* plugin (an entry point) with a misspelt hook: skipped with the hook,
    the "did you mean" and how to disable it; the other plugins work, and
    ``-p no:NAME`` silences it."""
    from importlib import metadata

    (tmp_path / "zalo_plugin.py").write_text(
        "def planflow_notifers():\n    return []\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    installed = metadata.EntryPoint(name="zalo", value="zalo_plugin", group="planflow")
    monkeypatch.setattr(
        "planflow.hooks.manager.metadata.entry_points",
        lambda group: [installed] if group == "planflow" else [],
    )
    result = run_cli(["plugins"], load_entrypoints=True)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "planflow: skipped plugin 'zalo': implements 'planflow_notifers', which is not a "
        "planflow hook — did you mean 'planflow_notifiers'?; leave it out with -p no:zalo\n"
    )
    assert "zalo (skipped): " in result.stdout and "console 0.1.0 (built-in)" in result.stdout
    quiet = run_cli(["-p", "no:zalo", "plugins"], load_entrypoints=True)
    assert quiet.exit_code == 0 and quiet.stderr == ""
