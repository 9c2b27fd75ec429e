"""A synthetic national plan: the Bờ Y example repeated for every commune (≈ 3,300).

Each commune gets its own copy of every unit, group and task, with ids prefixed
``cNNNN-``, so the plan has the shape (and the repeated rules) of a country where
every commune runs the same provincial template.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from planflow import load_plan
from planflow.plan.model import Group, Plan

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "boy_2025"
COMMUNES = 3300


def national_plan(communes: int = COMMUNES, base: Plan | None = None) -> Plan:
    """``communes`` copies of ``base`` (default: the Bờ Y example) in one plan."""
    base = base or load_plan(EXAMPLE)
    units, tasks = [], []
    for c in range(communes):
        p = f"c{c:04d}-"
        for unit in base.units:
            changes = {"id": p + unit.id, "aliases": ()}
            if isinstance(unit, Group):
                changes["members"] = tuple(p + m for m in unit.members)
            units.append(attrs.evolve(unit, **changes))
        for task in base.tasks:
            tasks.append(
                attrs.evolve(
                    task,
                    id=p + task.id,
                    lead=p + task.lead,
                    coordinators=tuple(p + u for u in task.coordinators),
                    after=tuple(attrs.evolve(d, task=p + d.task) for d in task.after),
                )
            )
    return attrs.evolve(base, id="national", units=units, tasks=tasks)
