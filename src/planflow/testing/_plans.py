"""The tiny plan of :mod:`planflow.testing`: small enough to read at a glance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from planflow.plan.loading import loads
from planflow.plan.model import Plan

__all__ = ["TINY_PLAN", "tiny_plan", "write_tiny_plan"]

#: A plan file small enough to read at a glance: two units, three tasks, one
#: dependency, a quantity target and two reporting periods, in 2025.
TINY_PLAN = """\
planflow: 1
plan:
  id: tiny-2025
  title: "Kế hoạch thử nghiệm"
  issuer: "UBND xã Thử"
  year: 2025
calendar:
  reminder: 2 working days
reporting_periods:
  - {id: q1, name: "Quý I", start: 2025-01-01, end: 2025-03-31}
  - {id: fy, name: "Năm", start: 2025-01-01, end: 2025-12-31}
units:
  - id: vhxh
    name: "Phòng Văn hóa - Xã hội"
    channels: {recording: {label: "VHXH"}}
  - id: radio
    name: "Đài phát thanh xã"
tasks:
  - id: news
    title: "Tin bài hằng tháng"
    lead: vhxh
    coordinators: [radio]
    window: Q1/2025
    recurrence: monthly
    target: 3 per window
  - id: broadcast
    title: "Phát lại trên đài"
    lead: radio
    window: Q1/2025
    recurrence: monthly
    after: [{task: news, mode: same period}]
  - id: report-q1
    title: "Báo cáo quý I"
    lead: vhxh
    window: {start: 2025-03-20, end: 2025-03-31}
"""


def tiny_plan(**changes: Any) -> Plan:
    """The :data:`TINY_PLAN`, loaded; ``changes`` are applied with ``attrs.evolve``."""
    plan = loads(TINY_PLAN, file="tiny.yaml").plan
    return attrs.evolve(plan, **changes) if changes else plan


def write_tiny_plan(folder: str | Path) -> Path:
    """Write :data:`TINY_PLAN` as ``FOLDER/plan.yaml`` (UTF-8) and return the folder, for
    commands that take a PLAN argument."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.yaml").write_text(TINY_PLAN, encoding="utf-8")
    return folder
