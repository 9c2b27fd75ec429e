"""Small plans for the rules tests: a header with two units and a group, then the tasks."""

from __future__ import annotations

from planflow.plan.loading import LoadedPlan, loads
from planflow.timeline.occurrences import Timeline

HEADER = """
plan: {id: t, title: "Thử", issuer: "UBND xã", year: 2025}
units: [{id: u, name: "Đơn vị"}, {id: v, name: "Đơn vị hai"}, {id: w, name: "Đơn vị ba"}]
groups: [{id: g, name: "Nhóm", members: [u, v]}]
"""


def load_tasks(tasks: str, calendar: str = "") -> LoadedPlan:
    """Load a plan made of the header, an optional ``calendar:`` block and ``tasks``."""
    text = HEADER + (f"calendar: {calendar}\n" if calendar else "") + "tasks:\n" + tasks
    return loads(text, file="plan.yaml")


def timeline_of(tasks: str, calendar: str = "") -> Timeline:
    """The timeline of :func:`load_tasks`."""
    return Timeline(load_tasks(tasks, calendar).plan)
