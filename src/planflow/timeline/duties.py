"""Duties: who does a task. A task led member by member is one duty per member unit."""

from __future__ import annotations

from attrs import frozen

from planflow.plan.model import Group, LeadMode, Plan, Task

__all__ = ["Duty", "duties_of", "units_of"]


@frozen
class Duty:
    """One unit's share of a task: the task itself, or ``task@unit`` for each group member."""

    id: str
    task: Task
    unit: str


def duties_of(plan: Plan, task: Task) -> tuple[Duty, ...]:
    """A task's duties: one per member when a group leads it member by member."""
    lead = plan.unit(task.lead)
    if isinstance(lead, Group) and lead.members and task.lead_mode is LeadMode.EACH:
        return tuple(Duty(f"{task.id}@{m}", task, m) for m in plan.members(task.lead))
    return (Duty(task.id, task, task.lead),)


def units_of(plan: Plan, duty: Duty) -> tuple[str, tuple[str, ...]]:
    """(the unit whose duty it is, the coordinating units, groups expanded)."""
    coordinators: list[str] = []
    for unit_id in duty.task.coordinators:
        for member in plan.members(unit_id):
            if member != duty.unit and member not in coordinators:
                coordinators.append(member)
    return duty.unit, tuple(coordinators)
