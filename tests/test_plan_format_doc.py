"""docs/plan-format.md against the loader (issue 10, "Done when"): every key the reader
accepts is documented, every Vietnamese readable form the issue names is shown and
loads, and the documented broken plan is refused with the documented located errors."""

from __future__ import annotations

import re

import pytest

from planflow.plan._read_indicators import _INDICATOR_KEYS, _SECTION_KEYS
from planflow.plan._read_tasks import _TASK_KEYS, DEFAULT_KEYS
from planflow.plan._read_units import _UNIT_KEYS
from planflow.plan._reader import _CALENDAR_KEYS, _PLAN_KEYS, _REPORT_KEYS, _TOP_KEYS
from planflow.plan.errors import PlanFileError
from planflow.plan.loading import loads
from planflow.plan.templates import TEMPLATE_KEYS
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


HEAD = """\
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
    loaded = loads(HEAD + window + f"    {key}: {value}\n")
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
