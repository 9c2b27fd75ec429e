"""The plugin manager: loading, selection, misspelt hooks, isolation and the CLI."""

from __future__ import annotations

import importlib.util
import inspect
import json
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from planflow import hookimpl
from planflow.cli.main import cli
from planflow.hooks import specs as hookspecs
from planflow.hooks.manager import (
    DEFAULT_PLUGINS,
    PluginError,
    PluginManager,
    adjust_component,
    call_each,
    completion_model,
    get_plugin_manager,
)
from planflow.hooks.specs import ChannelSettings, ModelInfo, Notifier, Setting
from planflow.jobs.simulate import run_simulation
from planflow.plan.model import Plan, Unit
from planflow.run.events import Event
from planflow.run.simulation import OnTimeModel
from planflow.testing import RecordingNotifier, tiny_plan
from plans import docs_example

BUILTINS = sorted(name for name, _ in DEFAULT_PLUGINS)
EXAMPLE = Path(__file__).parent.parent / "examples" / "plugin_minimal"


@pytest.fixture(scope="session")
def minimal_plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """examples/plugin_minimal, pip-installed for this interpreter into a folder on sys.path.

    ``--target`` keeps the virtual environment untouched (nothing to uninstall, nothing
    seen by other test runs). Without build isolation when hatchling is importable, so
    that no network is needed; else pip fetches it.
    """
    target = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet"]
    if importlib.util.find_spec("hatchling") is not None:
        command.append("--no-build-isolation")
    command += ["--target", str(target), str(EXAMPLE)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    try:
        yield str(target)
    finally:
        sys.path.remove(str(target))
        sys.modules.pop("planflow_minimal", None)


@pytest.fixture
def pm() -> PluginManager:
    """A manager with the built-ins only (installed plugins would make tests depend on the
    environment)."""
    return get_plugin_manager(load_entrypoints=False, environ={})


@pytest.fixture
def plan() -> Plan:
    """The tiny plan of planflow.testing."""
    return tiny_plan()


class Recorder:
    """A plugin implementing every hook, recording each call with its keyword arguments."""

    def __init__(self, log: list[tuple[str, dict[str, Any]]]) -> None:
        self.log = log

    @hookimpl
    def planflow_notifiers(self) -> Sequence[Notifier]:
        log = self.log

        class Logged:
            name = "logged"
            description = "logs deliveries"
            settings: Sequence[Setting] = ()

            def deliver(
                self,
                event: Event,
                *,
                plan: Plan,
                units: Sequence[Unit],
                settings: ChannelSettings,
            ) -> None:
                log.append(("deliver", {"event": event, "units": tuple(u.id for u in units)}))

        self.log.append(("planflow_notifiers", {}))
        return [Logged()]

    @hookimpl
    def planflow_reporters(self) -> Sequence[Any]:
        self.log.append(("planflow_reporters", {}))
        return []

    @hookimpl
    def planflow_event(self, event: Event, plan: Plan) -> None:
        self.log.append(("planflow_event", {"event": event, "plan": plan}))

    @hookimpl
    def planflow_completion_models(self) -> Sequence[ModelInfo]:
        self.log.append(("planflow_completion_models", {}))
        return [ModelInfo("recorded", "on time, recorded", (Setting("days", int, default=1),))]

    @hookimpl
    def planflow_completion_model(
        self, name: str, plan: Plan, seed: int, options: Mapping[str, Any]
    ) -> Any:
        self.log.append(
            (
                "planflow_completion_model",
                {"name": name, "plan": plan, "seed": seed, "options": options},
            )
        )
        return OnTimeModel() if name == "recorded" else None

    @hookimpl
    def planflow_register_commands(self, cli: click.Group, pm: Any) -> None:
        self.log.append(("planflow_register_commands", {"cli": cli, "pm": pm}))

    @hookimpl
    def planflow_calendar_component(self, component: Any, plan: Plan, task: str) -> None:
        self.log.append(
            ("planflow_calendar_component", {"component": component, "plan": plan, "task": task})
        )

    @hookimpl
    def planflow_check_settings(self, plan: Plan) -> Sequence[Any]:
        self.log.append(("planflow_check_settings", {"plan": plan}))
        return []


class TestManager:
    """Building the manager."""

    def test_builtins_are_plugins(self, pm: PluginManager) -> None:
        """The built-in notifiers and reporters register through the hooks, under their names."""
        assert sorted(name for name, _ in pm.list_name_plugin()) == BUILTINS
        assert sorted(pm.notifiers()) == ["console", "jsonl"]
        assert sorted(pm.reporters()) == ["csv", "html", "json", "markdown", "pdf", "xlsx"]
        assert pm.notifiers()["console"].plugin == "console"

    def test_not_built_at_import(self) -> None:
        """Importing planflow.hooks.manager (or the CLI) builds no manager and loads no entry point."""
        import planflow.hooks.manager as plugins

        assert not [v for v in vars(plugins).values() if isinstance(v, PluginManager)]

    def test_each_call_builds_a_fresh_manager(self) -> None:
        """Two calls give two managers: registering on one does not touch the other."""
        a = get_plugin_manager(load_entrypoints=False, environ={})
        b = get_plugin_manager(load_entrypoints=False, environ={})
        a.register(Recorder([]), name="recorder")
        assert a.has_plugin("recorder") and not b.has_plugin("recorder")

    def test_misspelt_hook_is_rejected(self) -> None:
        """A hook implementation that matches no hook is an error naming plugin and hook."""

        class Typo:
            @hookimpl
            def planflow_notifers(self) -> list[Any]:
                return []

        with pytest.raises(PluginError, match="planflow_notifers") as info:
            get_plugin_manager(load_entrypoints=False, extra=[_module("typo_plugin", Typo)])
        assert info.value.plugin == "typo_plugin"
        assert info.value.hook == "planflow_notifers"
        assert "did you mean 'planflow_notifiers'" in str(info.value)

    def test_undecorated_misspelt_hook_is_rejected(self) -> None:
        """Even without @hookimpl, a planflow_* function that is no hook is not ignored."""

        class Typo:
            def planflow_evnt(self, event: Event) -> None:
                pass

        with pytest.raises(PluginError, match="did you mean 'planflow_event'"):
            get_plugin_manager(load_entrypoints=False, extra=[_module("typo2", Typo)])

    def test_unknown_argument_is_rejected(self) -> None:
        """An implementation asking for an argument the hook does not have fails at load."""

        class Wrong:
            @hookimpl
            def planflow_event(self, event: Event, when: date) -> None:
                pass

        with pytest.raises(PluginError, match="wrong_args"):
            get_plugin_manager(load_entrypoints=False, extra=[_module("wrong_args", Wrong)])

    def test_disabled_by_argument_and_environment(self) -> None:
        """``disabled`` and PLANFLOW_DISABLE_PLUGINS both block plugins, built-ins included."""
        pm = get_plugin_manager(
            load_entrypoints=False,
            disabled=["console"],
            environ={"PLANFLOW_DISABLE_PLUGINS": "csv, json"},
        )
        loaded = sorted(name for name, plugin in pm.list_name_plugin() if plugin is not None)
        assert loaded == ["html", "jsonl", "markdown", "pdf", "xlsx"]
        assert "console" not in pm.notifiers()

    def test_only_restricts_installed_plugins(self, minimal_plugin: str) -> None:
        """PLANFLOW_PLUGINS loads only the installed plugins it names; built-ins stay."""
        everything = get_plugin_manager(environ={})
        assert everything.has_plugin("minimal")
        none = get_plugin_manager(environ={"PLANFLOW_PLUGINS": ""})
        assert not none.has_plugin("minimal") and none.has_plugin("console")
        only = get_plugin_manager(environ={"PLANFLOW_PLUGINS": "minimal"})
        assert only.has_plugin("minimal")
        assert not get_plugin_manager(disabled=["minimal"], environ={}).has_plugin("minimal")

    def test_entry_point_version_from_distribution(self, minimal_plugin: str) -> None:
        """An installed plugin's version is its distribution's."""
        pm = get_plugin_manager(environ={})
        assert pm.version("minimal") == "0.1.0"
        assert "shout" in pm.notifiers()

    def test_duplicate_notifier_names_are_an_error(self, pm: PluginManager) -> None:
        """Two plugins declaring the same notifier name: an error naming both."""
        pm.register(RecordingNotifier("console").plugin(), name="impostor")
        with pytest.raises(
            PluginError, match="declares notifier 'console', already declared by plugin 'impostor'"
        ):
            pm.notifiers()


def _module(name: str, cls: type) -> Any:
    """An instance of ``cls`` posing as module ``name`` (``extra=`` takes modules)."""
    import types

    module = types.ModuleType(name)
    instance = cls()
    for attr in dir(cls):
        if attr.startswith("planflow_"):
            setattr(module, attr, getattr(instance, attr))
    return module


class TestHookCalls:
    """Hooks are called with the documented arguments, in the documented order."""

    def test_arguments_match_the_specs(self, pm: PluginManager, plan: Plan) -> None:
        """Every hook is called with exactly the arguments its spec names."""
        log: list[tuple[str, dict[str, Any]]] = []
        pm.register(Recorder(log), name="recorder")
        run_simulation(
            plan, pm=pm, notify=["logged"], model=completion_model(pm, "recorded", plan, 3)
        )
        adjust_component(pm, {"SUMMARY": "x"}, plan, "news")
        call_each(pm, "planflow_register_commands", cli=click.Group("g"), pm=pm)
        call_each(pm, "planflow_check_settings", plan=plan)
        specs = {
            name: tuple(inspect.signature(getattr(hookspecs, name)).parameters)
            for name in dir(hookspecs)
            if name.startswith("planflow_")
        }
        called = {name for name, _ in log if name in specs}
        assert called == set(specs)
        for name, kwargs in log:
            if name in specs:
                assert tuple(kwargs) == specs[name], name

    def test_event_hook_then_notifiers_in_time_order(self, pm: PluginManager, plan: Plan) -> None:
        """For each event, in time order: planflow_event first, then the notifiers."""
        log: list[tuple[str, dict[str, Any]]] = []
        pm.register(Recorder(log), name="recorder")
        run = run_simulation(plan, pm=pm, notify=["logged"])
        sequence = [(n, kw["event"]) for n, kw in log if n in ("planflow_event", "deliver")]
        assert len(sequence) == 2 * len(run.result.events)
        for (first, a), (second, b) in zip(sequence[::2], sequence[1::2], strict=True):
            assert (first, second) == ("planflow_event", "deliver")
            assert a == b
        times = [e.time for _, e in sequence]
        assert times == sorted(times)
        assert [e for _, e in sequence[::2]] == run.result.events

    def test_units_lead_first(self, pm: PluginManager, plan: Plan) -> None:
        """A notifier gets the units concerned: the lead, then the coordinators."""
        recorder = RecordingNotifier()
        pm.register(recorder.plugin(), name="recorder")
        run_simulation(plan, pm=pm, notify=["recording"])
        news = [units for event, units in recorder.calls if event.task == "news"]
        assert news and all(units == ("vhxh", "radio") for units in news)

    def test_completion_model_builtin_names_first(self, pm: PluginManager, plan: Plan) -> None:
        """Built-in model names never reach plugins; unknown names are an error."""
        log: list[tuple[str, dict[str, Any]]] = []
        pm.register(Recorder(log), name="recorder")
        assert completion_model(pm, "random", plan, 1) == "random"
        assert not log
        chosen = completion_model(pm, "recorded", plan, 1)
        assert isinstance(chosen.model, OnTimeModel) and (chosen.name, chosen.plugin) == (
            "recorded",
            "recorder",
        )
        with pytest.raises(ValueError, match="unknown completion model 'nope'"):
            completion_model(pm, "nope", plan, 1)


class TestIsolation:
    """One failing plugin stops neither the others nor the run."""

    def test_failing_notifier_is_recorded_others_deliver(
        self, pm: PluginManager, plan: Plan
    ) -> None:
        """Reminders fail on one channel; the other channel and the run's record are whole."""
        bad = RecordingNotifier("bad", fail_on=["reminder"])
        good = RecordingNotifier("good")
        pm.register(bad.plugin(), name="bad-plugin")
        pm.register(good.plugin(), name="good-plugin")
        seen: list[tuple[str, str]] = []
        run = run_simulation(
            plan,
            pm=pm,
            notify=["bad", "good"],
            on_failure=lambda what, plugin, event, error: seen.append((what, plugin)),
        )
        events = run.result.events
        reminders = [e for e in events if e.kind.value == "reminder"]
        assert good.events == events
        record = run.record()["deliveries"]
        assert record["good"]["delivered"] == len(events) and record["good"]["failed"] == 0
        assert record["bad"]["failed"] == len(reminders)
        assert record["bad"]["delivered"] == len(events) - len(reminders)
        error = record["bad"]["errors"][0]
        assert error["plugin"] == "bad-plugin"
        assert error["event"] == reminders[0].id
        assert error["error"] == "RuntimeError: bad refuses reminder"
        assert seen[0] == ("notifier 'bad'", "bad-plugin")

    def test_failing_event_hook(self, pm: PluginManager, plan: Plan) -> None:
        """A planflow_event implementation that raises is recorded under its plugin's name."""

        class Broken:
            @hookimpl
            def planflow_event(self, event: Event) -> None:
                raise OSError("disk full")

        recorder = RecordingNotifier()
        pm.register(Broken(), name="broken")
        pm.register(recorder.plugin(), name="recorder")
        run = run_simulation(plan, pm=pm, notify=["recording"])
        hooks = run.record()["hooks"]
        assert hooks["broken"]["failed"] == len(run.result.events)
        assert hooks["broken"]["errors"][0]["error"] == "OSError: disk full"
        assert recorder.events == run.result.events

    def test_failing_calendar_component(self, pm: PluginManager, plan: Plan) -> None:
        """adjust_component returns the failures and still lets the others adjust."""

        class Broken:
            @hookimpl
            def planflow_calendar_component(self, component: Any) -> None:
                raise KeyError("x")

        class Adds:
            @hookimpl
            def planflow_calendar_component(self, component: Any, task: str) -> None:
                component["X-TASK"] = task

        pm.register(Broken(), name="broken")
        pm.register(Adds(), name="adds")
        component: dict[str, str] = {}
        failures = adjust_component(pm, component, plan, "news")
        assert component == {"X-TASK": "news"}
        assert [(f.plugin, f.error) for f in failures] == [("broken", "KeyError: 'x'")]


@pytest.fixture
def runner() -> CliRunner:
    """A CLI runner."""
    return CliRunner()


class TestCommandLine:
    """-p, the environment variables and ``planflow plugins``."""

    def test_plugins_lists_builtins_with_versions(
        self, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """``planflow plugins --json`` lists name, version, hooks and declarations."""
        monkeypatch.setenv("PLANFLOW_PLUGINS", "")
        result = runner.invoke(cli, ["plugins", "--json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        rows = {r["name"]: r for r in json.loads(result.stdout)}
        assert sorted(rows) == BUILTINS
        assert rows["console"]["version"] == "0.1.0"
        assert rows["console"]["hooks"] == ["planflow_notifiers"]
        assert rows["jsonl"]["settings"]["jsonl"][0]["name"] == "path"
        assert rows["markdown"]["reporters"] == ["markdown"]

    def test_plugins_lists_entry_point_plugins(
        self, runner: CliRunner, minimal_plugin: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An installed plugin shows up with its distribution's version and its notifier."""
        monkeypatch.delenv("PLANFLOW_PLUGINS", raising=False)
        monkeypatch.delenv("PLANFLOW_DISABLE_PLUGINS", raising=False)
        result = runner.invoke(cli, ["plugins"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "minimal 0.1.0 (planflow_minimal)" in result.stdout
        assert "  notifier shout: Print each reminder on stderr" in result.stdout

    def test_dash_p_no_disables(
        self, runner: CliRunner, minimal_plugin: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """``-p no:NAME`` on the root group disables a plugin for that run."""
        monkeypatch.delenv("PLANFLOW_PLUGINS", raising=False)
        result = runner.invoke(
            cli, ["-p", "no:minimal", "-p", "no:csv", "plugins", "--json"], catch_exceptions=False
        )
        names = {r["name"] for r in json.loads(result.stdout)}
        assert "minimal" not in names and "csv" not in names and "console" in names

    def test_environment_disables(self, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
        """PLANFLOW_DISABLE_PLUGINS works like -p no:NAME; a disabled notifier is unknown."""
        monkeypatch.setenv("PLANFLOW_DISABLE_PLUGINS", "console")
        result = runner.invoke(cli, ["simulate", "examples/boy_2025", "--notify", "console"])
        assert result.exit_code == 1
        assert "unknown notifier 'console'" in result.output

    def test_dash_p_module_and_plugin_commands(
        self, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
    ) -> None:
        """``-p MODULE`` loads a module as a plugin; its commands exist for that run only."""
        (tmp_path / "hello_plugin.py").write_text(
            "import click\n"
            "from planflow import hookimpl\n\n"
            "@hookimpl\n"
            "def planflow_register_commands(cli):\n"
            "    @cli.command()\n"
            "    def hello():\n"
            '        """Say hello."""\n'
            '        click.echo("xin chào")\n',
            encoding="utf-8",
        )
        monkeypatch.syspath_prepend(str(tmp_path))
        result = runner.invoke(cli, ["-p", "hello_plugin", "hello"], catch_exceptions=False)
        assert (result.exit_code, result.stdout) == (0, "xin chào\n")
        assert "hello" in runner.invoke(cli, ["-p", "hello_plugin", "--help"]).stdout
        assert runner.invoke(cli, ["hello"]).exit_code == 2

    def test_misspelt_hook_skips_only_that_plugin(
        self, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
    ) -> None:
        """Fault 4: a broken plugin is skipped with one line naming it, the hook and the
        way to disable it; every command (plugins, --help, --version) still works."""
        (tmp_path / "typo_cli.py").write_text(
            "def planflow_notifer():\n    return []\n", encoding="utf-8"
        )
        monkeypatch.syspath_prepend(str(tmp_path))
        result = runner.invoke(cli, ["-p", "typo_cli", "plugins"])
        assert result.exit_code == 0, result.output
        assert result.stderr.splitlines()[0] == (
            "planflow: skipped plugin 'typo_cli': implements 'planflow_notifer', which is not a "
            "planflow hook — did you mean 'planflow_notifiers'?; leave it out with -p no:typo_cli"
        )
        assert "typo_cli (skipped): plugin 'typo_cli': implements" in result.stdout
        assert "console 0.1.0 (built-in)" in result.stdout
        for args in (["--help"], ["--version"], ["validate", "examples/boy_2025"]):
            done = runner.invoke(cli, ["-p", "typo_cli", *args])
            assert done.exit_code == 0, (args, done.output)
            assert "Traceback" not in done.output


class TestMinimalExample:
    """The complete minimal plugin of docs/plugins.md, installed and at work."""

    def test_under_30_lines_of_code(self) -> None:
        """The whole notifier is under 30 lines of code (blank lines, comments and the
        docstring not counted)."""
        lines = (EXAMPLE / "planflow_minimal.py").read_text(encoding="utf-8").splitlines()
        code = [
            line for line in lines if line.strip() and not line.strip().startswith(("#", '"""'))
        ]
        assert len(code) < 30
        assert "[project.entry-points.planflow]" in (EXAMPLE / "pyproject.toml").read_text()

    def test_receives_events_during_a_simulation(
        self, runner: CliRunner, minimal_plugin: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """``--notify shout`` prints one line per reminder with the units concerned."""
        monkeypatch.delenv("PLANFLOW_PLUGINS", raising=False)
        monkeypatch.delenv("PLANFLOW_DISABLE_PLUGINS", raising=False)
        args = ["simulate", "examples/boy_2025", "--notify", "shout", "--json"]
        result = runner.invoke(cli, [*args, "--set", "shout.prefix=>>"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)  # fault 7: the lines go to stderr, --json stays JSON
        reminders = data["events"]["reminder"]
        lines = [line for line in result.stderr.splitlines() if line.startswith(">> ")]
        assert len(lines) == reminders > 0
        total = sum(data["events"].values())
        assert data["deliveries"]["shout"] == {
            "plugin": "minimal",
            "unit": "events",
            "delivered": reminders,
            "skipped": total - reminders,
            "failed": 0,
            "skipped_reasons": {"not a reminder": total - reminders},
            "errors": [],
        }
        agenda = json.loads(runner.invoke(cli, ["agenda", "examples/boy_2025", "--json"]).stdout)
        first = agenda[0]
        assert any(line.startswith(f">> {first['due']} {first['task']}: ") for line in lines)

    def test_installed_and_given_with_dash_p_loads_once(
        self, runner: CliRunner, minimal_plugin: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Fault 2: the installed module given again with ``-p MODULE``: a warning, the
        plugin once, no traceback."""
        monkeypatch.delenv("PLANFLOW_PLUGINS", raising=False)
        monkeypatch.delenv("PLANFLOW_DISABLE_PLUGINS", raising=False)
        result = runner.invoke(cli, ["-p", "planflow_minimal", "plugins", "--json"])
        assert result.exit_code == 0, result.output
        assert result.stderr == (
            "planflow: warning: -p planflow_minimal: already loaded as plugin 'minimal'; "
            "loaded once\n"
        )
        names = [row["name"] for row in json.loads(result.stdout)]
        assert names.count("minimal") == 1 and "planflow_minimal" not in names


def test_list_setting_from_the_command_line_is_split_on_commas() -> None:
    """`--set email.kinds=reminder,due` gives a list of two kinds, not of characters."""
    from planflow.hooks.channels import _convert
    from planflow.hooks.specs import Setting

    setting = Setting("kinds", list)
    assert _convert(setting, "reminder, due") == ["reminder", "due"]
    assert _convert(setting, "reminder") == ["reminder"]
    assert _convert(setting, ["a"]) == ["a"]


def test_calendar_component_hook_adjusts_exported_feeds(tmp_path: Path) -> None:
    """planflow_calendar_component sees every component and its change reaches the file."""
    from planflow.feeds import plan_feed
    from planflow.hooks.manager import get_plugin_manager
    from planflow.hooks.specs import hookimpl
    from planflow.plan.loading import loads

    seen: list[str] = []

    class Locator:
        @hookimpl
        def planflow_calendar_component(self, component: Any, task: str) -> None:
            seen.append(task)
            component.add("location", "Hội trường UBND xã")

    class Broken:
        @hookimpl
        def planflow_calendar_component(self, component: Any) -> None:
            raise RuntimeError("boom")

    pm = get_plugin_manager(load_entrypoints=False)
    pm.register(Broken(), name="broken")
    pm.register(Locator(), name="locator")
    plan = loads(docs_example(), file="plan.yaml").plan
    data = plan_feed(plan, plugins=pm).decode("utf-8")
    assert data.count("LOCATION:Hội trường UBND xã") == data.count("BEGIN:VEVENT") > 0
    assert set(seen) >= {"radio-programme", "unit-report@vhxh", "dx-day"}
    # without plugins the feed is untouched
    assert "LOCATION" not in plan_feed(plan).decode("utf-8")
