"""docs/plugins.md documents every hook, with its exact arguments and a runnable example."""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import Any

import click
import pytest

from planflow.hooks.manager import get_plugin_manager, register_commands
from planflow.testing import tiny_plan

DOC = Path(__file__).parent.parent / "docs" / "plugins.md"
TEXT = DOC.read_text(encoding="utf-8")


def _hooks() -> dict[str, tuple[str, ...]]:
    pm = get_plugin_manager(load_entrypoints=False, environ={})
    return {
        name: tuple(caller.spec.argnames)
        for name, caller in vars(pm.hook).items()
        if not name.startswith("_") and caller.spec is not None
    }


def _sections() -> dict[str, str]:
    """Each ``### planflow_x(...)`` heading with the text up to the next heading."""
    parts = re.split(r"^### ", TEXT, flags=re.MULTILINE)[1:]
    return {part.split("\n", 1)[0].strip(): part for part in parts}


@pytest.mark.parametrize("hook", sorted(_hooks()))
def test_plugin_hooks_are_documented(hook: str) -> None:
    """Every hook has a ``### name(arg, …)`` section with its exact argument names and
    a python example implementing it."""
    heading = f"{hook}({', '.join(_hooks()[hook])})"
    sections = _sections()
    assert heading in sections, f"docs/plugins.md lacks a section '### {heading}'"
    assert re.search(rf"```python\n.*def {hook}\(", sections[heading], re.DOTALL)


def _blocks() -> list[str]:
    """The python examples, but not the files of the tutorial package (``# file: …``):
    tests/test_third_party_package.py builds, installs and tests those."""
    blocks = re.findall(r"```python\n(.*?)```", TEXT, flags=re.DOTALL)
    return [b for b in blocks if not b.startswith("# file: ")]


@pytest.mark.parametrize("number", range(len(_blocks())))
def test_examples_run(number: int) -> None:
    """Every python example runs; one that implements hooks loads as a plugin and works."""
    code = _blocks()[number]
    module = types.ModuleType(f"doc_example_{number}")
    exec(compile(code, f"docs/plugins.md example {number}", "exec"), module.__dict__)
    if not any(name.startswith("planflow_") for name in vars(module)):
        return
    pm = get_plugin_manager(load_entrypoints=False, environ={}, extra=[module])
    plan = tiny_plan()
    fns: dict[str, Any] = {k: v for k, v in vars(module).items() if k.startswith("planflow_")}
    if "planflow_notifiers" in fns:
        from planflow.jobs.simulate import run_simulation

        name = fns["planflow_notifiers"]()[0].name
        run = run_simulation(plan, pm=pm, notify=[name])
        assert run.record()["deliveries"][name]["failed"] == 0
    if "planflow_reporters" in fns:
        from planflow.jobs.simulate import run_simulation

        name = fns["planflow_reporters"]()[0].name
        run = run_simulation(plan, pm=pm, report=[name])
        assert run.artifacts and not run.failed
    if "planflow_register_commands" in fns:
        group = click.Group("g")
        assert register_commands(pm, group) == [] and group.commands
    if "planflow_completion_models" in fns:
        assert set(pm.models()) == {info.name for info in fns["planflow_completion_models"]()}
    if "planflow_completion_model" in fns:
        from planflow.hooks.manager import completion_model
        from planflow.run.simulation import simulate

        model = completion_model(pm, "two-days-late", plan, 0)
        assert simulate(plan, model=model).totals()["late"] > 0
    if "planflow_calendar_component" in fns:
        from icalendar import Event

        from planflow.hooks.manager import adjust_component

        event = Event()
        assert adjust_component(pm, event, plan, "news") == []
        assert "URL" in event
    if "planflow_check_settings" in fns:
        assert pm.hook.planflow_check_settings(plan=plan) == [[]]
    if "planflow_event" in fns:
        from planflow.jobs.simulate import run_simulation

        assert not run_simulation(plan, pm=pm).failed


def test_example_package_matches_the_guide() -> None:
    """The minimal plugin shown in the guide is the module of examples/plugin_minimal."""
    module = DOC.parent.parent / "examples" / "plugin_minimal" / "planflow_minimal.py"
    assert module.read_text(encoding="utf-8") in TEXT
    lines = [x for x in module.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert f"A complete notifier in {len(lines)} lines" in TEXT


def test_delivery_record_sample_has_the_record_keys() -> None:
    """The ``deliveries`` sample shows exactly the keys a channel's record has."""
    import json

    from planflow.jobs.records import ChannelRecord

    sample = re.search(r"```json\n(.*?)```", TEXT, flags=re.DOTALL)
    assert sample is not None
    data = json.loads("{" + sample[1] + "}")
    assert set(data["deliveries"]["email"]) == set(ChannelRecord("email").to_dict())
