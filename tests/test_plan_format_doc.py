"""docs/plan-format.md against the loader (issue 10, "Done when"): every key the reader
accepts is documented, every Vietnamese readable form the issue names is shown and
loads, and the documented broken plan is refused with the documented located errors."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from planflow.plan._read_indicators import _INDICATOR_KEYS, _SECTION_KEYS
from planflow.plan._read_tasks import _TASK_KEYS, DEFAULT_KEYS
from planflow.plan._read_units import _UNIT_KEYS
from planflow.plan._reader import _CALENDAR_KEYS, _PLAN_KEYS, _REPORT_KEYS, _TOP_KEYS
from planflow.plan.errors import PlanFileError
from planflow.plan.loading import load_plan, loads
from planflow.plan.templates import TEMPLATE_KEYS
from planflow.timeline.occurrences import Timeline
from plans import DOCS_FORMAT

DOC = DOCS_FORMAT.read_text(encoding="utf-8")
PERIOD_KEYS = {"id", "name", "name_en", "start", "end", "due"}


@pytest.mark.parametrize(
    ("where", "keys"),
    [
        ("top level", _TOP_KEYS | set(TEMPLATE_KEYS)),
        ("plan", _PLAN_KEYS),
        ("calendar", _CALENDAR_KEYS),
        ("report", _REPORT_KEYS),
        ("units", _UNIT_KEYS | {"members"}),
        ("tasks", _TASK_KEYS),
        ("defaults", DEFAULT_KEYS),
        ("sections", _SECTION_KEYS),
        ("indicators", _INDICATOR_KEYS),
        ("reporting_periods", PERIOD_KEYS),
    ],
)
def test_every_key_is_documented(where: str, keys: set[str]) -> None:
    """Each key appears as `key` in the text or as ``key:`` in an example."""
    missing = [k for k in sorted(keys) if f"`{k}`" not in DOC and not re.search(rf"\b{k}:", DOC)]
    assert not missing, f"{where}: {missing}"


def _plan_with(lines: str) -> str:
    """A one-task plan with ``lines`` added to its task (a function, not a module text:
    tests/test_schema.py takes every module-level plan text as a complete plan)."""
    head = """\
planflow: 1
plan:
  id: xa-phu-lam-2025
  title: "Kế hoạch chuyển đổi số xã Phú Lâm năm 2025"
  issuer: "Ủy ban nhân dân xã Phú Lâm"
  year: 2025
units:
  - {id: vp, name: "Văn phòng HĐND và UBND xã"}
tasks:
  - id: t
    title: "Nhiệm vụ"
    lead: vp
"""
    return head + lines


@pytest.mark.parametrize(
    ("key", "form"),
    [
        ("recurrence", "ngày 20 hằng tháng"),
        ("recurrence", "trước ngày 20 hằng tháng"),
        ("recurrence", "ngày cuối cùng của quý"),
        ("recurrence", "thứ Hai hằng tuần"),
        ("window", "6 tháng cuối năm 2025"),
        ("window", "Từ tháng 7 đến tháng 12/2025"),
        ("window", "Sáng ngày 13/02/2025"),
        ("time", "từ 8 giờ đến 11 giờ"),
        ("dates", "[15/01/2025]"),
    ],
)
def test_each_vietnamese_form_is_documented_and_loads(key: str, form: str) -> None:
    """The issue's forms, as officials write them: shown in the docs, read by the loader."""
    assert form.strip("[]") in DOC
    window = "" if key == "window" else '    window: "Năm 2025"\n'
    value = form if form.startswith("[") else f'"{form}"'
    loaded = loads(_plan_with(window + f"    {key}: {value}\n"))
    assert loaded.warnings == ()


def test_the_documented_broken_plan_is_refused_as_documented() -> None:
    """The plan under "What `validate` refuses" gives exactly the errors printed after it,
    each with FILE:LINE:COL and a hint."""
    part = DOC.split("## What `validate` refuses", 1)[1]
    plan, shown = re.findall(r"```(?:yaml|text)\n(.*?)```", part, re.DOTALL)[:2]
    with pytest.raises(PlanFileError) as info:
        loads(plan, file="plan.yaml")
    got = [str(p) for p in info.value.errors]
    assert got == shown.strip().splitlines()
    assert all(re.match(r"plan\.yaml:\d+:\d+: .* — .+", line) for line in got)


def test_the_one_plan_per_year_recipe_gives_a_plan_per_year(tmp_path: Path) -> None:
    """The template and the two yearly plans under "One plan per year": each year's plan
    is that year's (12 reports due in it, the first on 20/01 of 2025 and on 20/01 of
    2026, a Tuesday) with that year's quota (80 % and 90 %)."""
    part = DOC.split("## One plan per year", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", part, re.DOTALL)
    template, plan_2025, plan_2026 = blocks[-3:]
    (tmp_path / "chuong-trinh-cds.yaml").write_text(template, encoding="utf-8")
    got = {}
    for year, text in ((2025, plan_2025), (2026, plan_2026)):
        path = tmp_path / f"ke-hoach-{year}.yaml"
        path.write_text(text, encoding="utf-8")
        plan = load_plan(path)
        dues = [o.due for o in Timeline(plan)]
        got[year] = (plan.id, plan.year, len(dues), dues[0], plan.indicators[0].goal.low)
    assert got == {
        2025: ("xa-phu-lam-cds-2025", 2025, 12, date(2025, 1, 20), 80),
        2026: ("xa-phu-lam-cds-2026", 2026, 12, date(2026, 1, 20), 90),
    }
