"""Writing a plan and loading it back gives the same plan (planflow.plan.writing)."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from planflow.plan.loading import FORMAT_VERSION, load, loads
from planflow.plan.model import (
    Dependency,
    DependencyMode,
    Group,
    Offset,
    Period,
    Plan,
    Shift,
    Target,
    Task,
    TimeRange,
    Unit,
    Window,
)
from planflow.plan.writing import dump_plan
from planflow.timeline.recurrence import normalise_recurrence
from strategies import RULES, plans

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "boy_2025" / "plan.yaml"


# A whole plan is a large example: generating one may be slow on a busy machine.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_generated_plans_round_trip(plan: Plan) -> None:
    """Any valid plan, written as YAML and loaded again, is an equal plan; rewriting is stable."""
    text = dump_plan(plan)
    loaded = loads(text, file="plan.yaml")
    assert loaded.plan == plan
    # a plan issued mid-year warns about the dates it drops (docs: "The plan's start"),
    # and a check-in rhythm on a task without continuous work is said to be ignored
    start = [w for w in loaded.warnings if "before the plan takes effect" in w.message]
    ignored = [w for w in loaded.warnings if w.message.startswith("check_in is ignored")]
    assert len(start) + len(ignored) == len(loaded.warnings)
    if plan.start is None or plan.start.year < plan.year:
        assert start == []
    assert len(ignored) == sum(
        t.check_in is not None and (t.recurring or not t.window.continuous) for t in plan.tasks
    )
    assert dump_plan(loaded.plan) == text


@pytest.mark.parametrize("rule", RULES)
def test_strategy_rules_are_canonical(rule: str) -> None:
    """The rules the strategies use are fixed points of normalise_recurrence."""
    assert normalise_recurrence(rule) == rule


def test_format_version_is_written_first() -> None:
    """The file starts with the format version the loader reads."""
    assert dump_plan(_plan()).startswith(f"planflow: {FORMAT_VERSION}\nplan:\n")


@pytest.mark.skipif(not EXAMPLE.is_file(), reason="examples/boy_2025/plan.yaml not written yet")
def test_example_plan_round_trips() -> None:
    """The Bờ Y example plan survives a write and a load unchanged."""
    plan = load(EXAMPLE).plan
    assert loads(dump_plan(plan)).plan == plan


def _plan(*tasks: Task, **fields: object) -> Plan:
    units = [
        Unit("vhxh", "Phòng Văn hóa - Xã hội", aliases=["VHXH"]),
        Unit("kt", "Phòng Kinh tế"),
        Group("all", "Các cơ quan, đơn vị", members=["vhxh", "kt"]),
    ]
    return Plan(
        id="boy-2025", title="Kế hoạch", issuer="UBND xã Bờ Y", year=2025, units=units,
        tasks=tasks, **fields,
    )  # fmt: skip


def _task(window: Window, **fields: object) -> Task:
    return Task("t1", "Nhiệm vụ", "vhxh", window, **fields)


def _written(plan: Plan) -> dict[str, object]:
    text = dump_plan(plan)
    assert loads(text).plan == plan
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(
    ("window", "written"),
    [
        (Window(date(2025, 1, 1), date(2025, 12, 31), "2025"), 2025),
        (Window(date(2025, 10, 1), date(2025, 12, 31), "Q4/2025"), "Q4/2025"),
        (Window(date(2025, 7, 1), date(2025, 12, 31), "Q3-Q4/2025"), "Q3-Q4/2025"),
        (Window(date(2025, 1, 1), date(2025, 6, 30), "H1/2025"), "H1/2025"),
        (Window(date(2025, 3, 1), date(2025, 3, 31), "03/2025"), "03/2025"),
        (
            Window(date(2025, 1, 1), date(2025, 12, 31), "throughout 2025", continuous=True),
            "throughout the year",
        ),
        (
            Window(date(2025, 1, 15), date(2025, 3, 31), "2025-01-15..2025-03-31"),
            "2025-01-15..2025-03-31",
        ),
        (
            Window(date(2025, 2, 1), date(2025, 4, 30), "2025-02-01..2025-04-30", continuous=True),
            {"start": date(2025, 2, 1), "end": date(2025, 4, 30), "continuous": True},
        ),
        (
            Window(date(2025, 1, 1), date(2025, 3, 31), "đợt 1"),
            {"start": date(2025, 1, 1), "end": date(2025, 3, 31), "label": "đợt 1"},
        ),
        (
            Window(date(2025, 1, 1), date(2025, 12, 31), "²"),
            {"start": date(2025, 1, 1), "end": date(2025, 12, 31), "label": "²"},
        ),
    ],
)
def test_windows_are_written_in_their_shortest_form(window: Window, written: object) -> None:
    """Each window is written as the shortest form that reads back as the same window."""
    data = _written(_plan(_task(window)))
    assert data["tasks"] == [{"id": "t1", "title": "Nhiệm vụ", "lead": "vhxh", "window": written}]


def test_task_fields_are_written_readably() -> None:
    """Recurrence as RRULE, offsets as '+5 working days', targets and dependencies as mappings."""
    q4 = Window(date(2025, 10, 1), date(2025, 12, 31), "Q4/2025")
    first = Task("a", "Chương trình", "vhxh", q4, recurrence="FREQ=MONTHLY;BYMONTHDAY=1")
    second = Task(
        "b", "Phát lại", "all", q4, coordinators=["kt"], recurrence="FREQ=WEEKLY;BYDAY=MO,TH",
        target=Target(3, Period.MONTH, approximate=True, unit="tin"),
        after=[Dependency("a"), Dependency("a", DependencyMode.SAME_PERIOD, Offset(2, True)),
               Dependency("b", DependencyMode.PREVIOUS)],
        due=Offset(5, working=True), reminder=Offset(-1), time=TimeRange(time(8), time(11, 30)),
        shift=Shift.NEXT, dates=[date(2025, 10, 15)],
    )  # fmt: skip
    text = dump_plan(_plan(first, second))
    assert loads(text).plan == _plan(first, second)
    assert text.endswith(
        "- id: b\n"
        "  title: Phát lại\n"
        "  lead: all\n"
        "  coordinators: [kt]\n"
        "  window: Q4/2025\n"
        "  recurrence: FREQ=WEEKLY;BYDAY=MO,TH\n"
        "  dates: [2025-10-15]\n"
        "  target: {count: 3, per: month, approximate: true, unit: tin}\n"
        "  after:\n"
        "  - a\n"
        "  - {task: a, mode: same-period, lag: +2 working days}\n"
        "  - {task: b, mode: previous}\n"
        "  due: +5 working days\n"
        "  shift: next\n"
        "  reminder: -1 day\n"
        "  time: 08:00-11:30\n"
    )


def test_units_and_groups_are_split_and_defaults_left_out() -> None:
    """Units and groups go back under units: and groups:; default calendar settings are not written."""
    data = _written(_plan())
    assert list(data) == ["planflow", "plan", "units", "groups", "tasks"]
    assert data["plan"] == {"id": "boy-2025", "title": "Kế hoạch", "issuer": "UBND xã Bờ Y",
                            "year": 2025}  # fmt: skip
    assert data["units"] == [
        {"id": "vhxh", "name": "Phòng Văn hóa - Xã hội", "aliases": ["VHXH"]},
        {"id": "kt", "name": "Phòng Kinh tế"},
    ]
    assert data["groups"] == [
        {"id": "all", "name": "Các cơ quan, đơn vị", "members": ["vhxh", "kt"]}
    ]
    assert data["tasks"] == []


def test_calendar_settings_are_written_when_not_default() -> None:
    """Changed calendar settings, days off and working days are written under calendar:."""
    plan = _plan(
        country="LA", shift=Shift.KEEP, reminder=Offset(2), check_in="FREQ=WEEKLY",
        days_off=[(date(2025, 9, 2), "Quốc khánh", "")],
        working_days=[(date(2025, 4, 26), "Làm bù", "QĐ 1/2025")],
    )  # fmt: skip
    assert _written(plan)["calendar"] == {
        "country": "LA",
        "shift": "keep",
        "reminder": "+2 days",
        "check_in": "FREQ=WEEKLY",
        "days_off": [{"date": date(2025, 9, 2), "reason": "Quốc khánh"}],
        "working_days": [{"date": date(2025, 4, 26), "reason": "Làm bù", "source": "QĐ 1/2025"}],
    }


def test_text_is_utf8_without_escapes() -> None:
    """Vietnamese text is written as itself, not as \\u escapes."""
    text = dump_plan(_plan())
    assert "Phòng Văn hóa - Xã hội" in text
    assert "\\u" not in text
