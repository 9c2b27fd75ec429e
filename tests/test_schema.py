"""The JSON Schema and the loader agree on a corpus of good and broken plans.

Agreement means: every plan the loader accepts, the schema accepts (an editor never
marks a good plan red); every plan broken in its *shape* (a key, a type, a required
value, an id's form, a choice) both refuse; and a plan the loader alone refuses is
refused for a reason no schema can state (a reference to a unit or task, the meaning
of a text such as ``Q5/2025``, a cycle), which the test checks by the loader's message.
"""

from __future__ import annotations

import copy
import importlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

import test_templates
import test_timeline
from planflow.cli.main import cli
from planflow.cli.schema_command import schema_text
from planflow.plan import schema as schema_module
from planflow.plan.errors import PlanFileError
from planflow.plan.loading import loads
from planflow.plan.schema import plan_schema
from planflow.testing import TINY_PLAN
from plans import EXAMPLE_DIR, ROOT, docs_example

VALIDATOR = jsonschema.Draft202012Validator(plan_schema())


def as_json(value: Any) -> Any:
    """What an editor sees of a YAML value: dates are texts, keys are texts."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def schema_ok(text: str) -> bool:
    return VALIDATOR.is_valid(as_json(yaml.safe_load(text)))


def loader_errors(text: str) -> list[str]:
    try:
        loads(text, file="plan.yaml")
    except PlanFileError as exc:
        return [p.message for p in exc.errors]
    return []


# ------------------------------------------------------------------ the corpus


def _test_module_plans() -> dict[str, str]:
    """Every plan text a test module defines at its top level (found, not listed, so a
    fixture added later is in the corpus too); plans extending templates are left to
    test_plan_extending_a_template_needs_only_overrides."""
    out = {}
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        if path.stem == "test_schema":
            continue
        try:
            module = importlib.import_module(path.stem)
        except (ImportError, pytest.skip.Exception):  # a module needing an absent extra
            continue
        for name, value in vars(module).items():
            if not isinstance(value, str) or "plan" not in value or "tasks" not in value:
                continue
            try:
                data = yaml.safe_load(value)
            except yaml.YAMLError:  # a str.format template (test_timeline.BASE), below
                continue
            # a header ending in "tasks:" is the start of plans its tests complete
            headed = isinstance(data, dict) and "tasks" in data and data["tasks"] is None
            if isinstance(data, dict) and "plan" in data and "extends" not in data and not headed:
                out[f"{path.stem}.{name}"] = value
    return out


FIXTURES: dict[str, str] = {
    "docs/plan-format.md example": docs_example(),
    "examples/boy_2025": (EXAMPLE_DIR / "plan.yaml").read_text(encoding="utf-8"),
    "planflow.testing.TINY_PLAN": TINY_PLAN,
    "test_timeline.BASE": test_timeline.BASE.format(
        tasks="  - {id: a, title: A, lead: u, window: 2025, recurrence: weekly}"
    ),
    **_test_module_plans(),
}
FIXTURES.update(
    {
        f"examples/{p.parent.name}/{p.name}": p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "examples").glob("*/*.yaml"))
        if "extends:" not in p.read_text(encoding="utf-8")
        and "${" not in p.read_text("utf-8")
        and p.name != "scenario.yaml"  # a simulation scenario, not a plan
        and p.name != "planflow-workspace.yaml"  # a workspace file, not a plan
    }
)

Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for p in parents:
            d = d[p]
        d[last] = value

    return edit


def _del(path: str) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for p in parents:
            d = d[p]
        del d[last]

    return edit


# edits of TINY_PLAN the loader accepts: other spellings the reader allows
GOOD_EDITS: dict[str, Edit] = {
    "optional keys null": _set("tasks.0.coordinators", None),
    "one coordinator without a list": _set("tasks.0.coordinators", "radio"),
    "coordinator by name": _set("tasks.0.coordinators", ["Đài phát thanh xã"]),
    "window as a number": _set("tasks.1.window", 2025),
    "target mapping": _set("tasks.0.target", {"count": 3, "per": "window"}),
    "reminder as a number": _set("calendar.reminder", 2),
    "calendar null": _set("calendar", None),
    "category single": _set("tasks.0.category", "CĐS"),
    "dates single": _set("tasks.2.dates", date(2025, 3, 25)),
    "shift upper case": _set("calendar.shift", "NEXT"),
    "lead mode": _set("tasks.0.lead_mode", "each"),
    "after as a single id": _set("tasks.1.after", "news"),
    "group with one member": _set("groups", [{"id": "all", "name": "Tất cả", "members": "vhxh"}]),
    "unit with aliases and contacts": _set(
        "units.1",
        {
            "id": "radio",
            "name": "Đài phát thanh xã",
            "aliases": ["Đài xã"],
            "contacts": {"phone": 123},
        },
    ),
    "task with every optional text": _set("tasks.2.notes", "Ghi chú"),
    "time range": _set("tasks.2.time", "08:00-11:30"),
    "legal basis": _set("plan.legal_bases", [{"number": "49/QĐ-BNV", "date": date(2025, 3, 1)}]),
    "days off": _set("calendar.days_off", [{"date": date(2025, 1, 27), "reason": "Tết"}]),
    "empty drop": _set("drop", []),
    "format version": _set("planflow", 1),
}

# edits of TINY_PLAN that break its shape: the loader and the schema both refuse
SHAPE_EDITS: dict[str, Edit] = {
    "unknown top key": _set("taks", []),
    "unknown task key": _set("tasks.0.leader", "vhxh"),
    "unknown plan key": _set("plan.titel", "x"),
    "unknown unit key": _set("units.0.nmae", "x"),
    "unknown calendar key": _set("calendar.shfit", "next"),
    "task without title": _del("tasks.0.title"),
    "task without lead": _del("tasks.0.lead"),
    "task without window": _del("tasks.0.window"),
    "task without id": _del("tasks.0.id"),
    "task title null": _set("tasks.0.title", None),
    "task title blank": _set("tasks.0.title", "   "),
    "no plan": _del("plan"),
    "no tasks": _del("tasks"),
    "no units": _del("units"),
    "plan without year": _del("plan.year"),
    "plan without issuer": _del("plan.issuer"),
    "year as text": _set("plan.year", "năm 2025"),
    "year out of range": _set("plan.year", 20250),
    "format version 2": _set("planflow", 2),
    "upper-case plan id": _set("plan.id", "Tiny-2025"),
    "task id with a space": _set("tasks.0.id", "tin bai"),
    "unit id with đ": _set("units.0.id", "đoàn"),
    "units as a mapping": _set("units", {"vhxh": "Phòng"}),
    "tasks as a text": _set("tasks", "none"),
    "plan as a list": _set("plan", ["tiny"]),
    "unit without name": _del("units.1.name"),
    "lead as a number": _set("tasks.0.lead", 5),
    "lead as a list": _set("tasks.0.lead", ["vhxh", "radio"]),
    "coordinator as a number": _set("tasks.0.coordinators", [7]),
    "window true": _set("tasks.0.window", True),
    "window mapping without end": _set("tasks.2.window", {"start": date(2025, 3, 20)}),
    "window mapping extra key": _set(
        "tasks.2.window", {"start": date(2025, 3, 20), "end": date(2025, 3, 31), "until": 1}
    ),
    "target as a number": _set("tasks.0.target", 3),
    "target mapping zero": _set("tasks.0.target", {"count": 0}),
    "shift sideways": _set("calendar.shift", "sideways"),
    "period fortnight": _set("tasks.0.period", "fortnight"),
    "lead mode alone": _set("tasks.0.lead_mode", "alone"),
    "dependency mode": _set("tasks.1.after", [{"task": "news", "mode": "soon"}]),
    "dependency without task": _set("tasks.1.after", [{"mode": "all"}]),
    "day off without date": _set("calendar.days_off", [{"reason": "Tết"}]),
    "day off date in words": _set("calendar.days_off", [{"date": "mùng 1 Tết"}]),
    "period without end": _del("reporting_periods.0.end"),
    "legal basis without number": _set("plan.legal_bases", [{"title": "Luật"}]),
    "calendar a list": _set("calendar", ["VN"]),
    "channels a list": _set("channels", ["email"]),
    "unit channels not mappings": _set("units.0.channels", {"recording": "yes"}),
    "contacts a list": _set("units.0.contacts", ["vhxh@xa.gov.vn"]),
    "aliases a text": _set("units.0.aliases", "VHXH"),
    "dates in words": _set("tasks.2.dates", ["cuối tháng"]),
    "recurrence a number": _set("tasks.0.recurrence", 12),
    "time a number": _set("tasks.2.time", 8),
    "drop without templates": _set("drop", ["news"]),
    "placeholders a list": _set("placeholders", ["commune"]),
}

# edits the loader alone can refuse: what they break is not a shape
MEANING_EDITS: dict[str, tuple[Edit, str]] = {
    "unknown lead": (_set("tasks.0.lead", "vhhx"), "unknown unit"),
    "unknown dependency": (_set("tasks.1.after", ["newz"]), "unknown task"),
    "window Q5": (_set("tasks.0.window", "Q5/2025"), "as a window"),
    "window outside the year": (_set("tasks.0.window", "Q1/2026"), "outside the plan year"),
    "unknown time zone": (_set("plan.timezone", "Asia/Hanoi"), "unknown time zone"),
    "target in words": (_set("tasks.0.target", "nhiều"), "as a target"),
    "dependency cycle": (_set("tasks.0.after", ["broadcast"]), "cycle"),
}
MEANING_MESSAGES = tuple(message for _, message in MEANING_EDITS.values())


def edited(edit: Edit) -> str:
    data = copy.deepcopy(yaml.safe_load(TINY_PLAN))
    edit(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_corpus_has_at_least_50_plans() -> None:
    """The corpus holds every plan fixture of the tests, and 50 plans or more in all."""
    assert {"test_cli.BROKEN", "test_loading.BASE", "test_graph.CHAIN"} <= set(FIXTURES)
    total = len(FIXTURES) + len(GOOD_EDITS) + len(SHAPE_EDITS) + len(MEANING_EDITS)
    assert total >= 50


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixtures(name: str) -> None:
    """Every plan fixture of the tests: a plan the loader takes, the schema takes; one the
    loader refuses only for what the plan means (test_cli.BROKEN) the schema cannot refuse."""
    text = FIXTURES[name]
    errors = loader_errors(text)
    assert all(any(m in e for m in MEANING_MESSAGES) for e in errors), errors
    assert schema_ok(text)


@pytest.mark.parametrize("name", sorted(GOOD_EDITS))
def test_good_plans_pass_both(name: str) -> None:
    """Other spellings the reader allows pass the loader and the schema."""
    text = edited(GOOD_EDITS[name])
    assert loader_errors(text) == []
    assert schema_ok(text)


@pytest.mark.parametrize("name", sorted(SHAPE_EDITS))
def test_shape_errors_fail_both(name: str) -> None:
    """A plan broken in its shape fails the loader and the schema."""
    text = edited(SHAPE_EDITS[name])
    assert loader_errors(text), "the loader accepted it"
    assert not schema_ok(text), "the schema accepted it"


@pytest.mark.parametrize("name", sorted(MEANING_EDITS))
def test_meaning_errors_are_the_loaders(name: str) -> None:
    """What only the loader can check is refused by the loader and let through by the schema."""
    edit, message = MEANING_EDITS[name]
    text = edited(edit)
    assert any(message in e for e in loader_errors(text))
    assert schema_ok(text)


def test_plan_extending_a_template_needs_only_overrides(tmp_path: Path) -> None:
    """A plan with extends: may be partial; the loader (merging) and the schema accept it."""
    test_templates.write(
        tmp_path,
        {
            "bo/template.yaml": test_templates.MINISTRY,
            "tinh/template.yaml": test_templates.PROVINCE,
            "xa/plan.yaml": test_templates.COMMUNE,
        },
    )
    from planflow import load

    assert load(tmp_path / "xa").plan.id == "boy-2025"
    assert schema_ok(test_templates.COMMUNE)
    broken = test_templates.COMMUNE.replace("    window: Q3-Q4/2025", "    windw: Q3-Q4/2025")
    assert not schema_ok(broken)


def test_every_reader_key_has_a_shape() -> None:
    """Every key the reader allows has a shape; a new one is let through until it has."""
    assert schema_module.missing_shapes() == {}
    schema_module._ALLOWED["task"] = {*schema_module._ALLOWED["task"], "new_key"}
    try:
        assert schema_module.missing_shapes() == {"task": ["new_key"]}
        validator = jsonschema.Draft202012Validator(plan_schema())
        assert validator.is_valid(as_json(yaml.safe_load(edited(_set("tasks.0.new_key", 1)))))
    finally:
        schema_module._ALLOWED["task"].discard("new_key")


def test_published_schema_is_current() -> None:
    """docs/plan.schema.json is what `planflow schema` prints (regenerate it if this fails:
    planflow schema -o docs/plan.schema.json)."""
    published = (ROOT / "docs" / "plan.schema.json").read_text(encoding="utf-8")
    assert published == schema_text()
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0 and json.loads(result.output) == plan_schema()


def test_published_key_reference_is_current() -> None:
    """docs/plan-keys.md is what `planflow schema --format markdown` prints."""
    from planflow.plan.schema_tables import keys_markdown

    published = (ROOT / "docs" / "plan-keys.md").read_text(encoding="utf-8")
    assert published == keys_markdown()
    assert "| `lead` | yes | unit id, name or alias |" in published


def test_schema_is_a_valid_json_schema() -> None:
    """The schema itself is valid draft 2020-12."""
    jsonschema.Draft202012Validator.check_schema(plan_schema())
