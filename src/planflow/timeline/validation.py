"""Warnings about a plan that loads but may not be what its author meant.

* quantity targets the recurrence rule does not meet (``24 per year`` against a rule
  yielding 26 dates);
* plan conflicts: an occurrence due before what it waits for (plus lag) can be done.

Each warning is a located :class:`~planflow.plan.errors.Problem` so that editors and CI
logs point at the right line.
"""

from __future__ import annotations

from planflow.plan.errors import Problem, Severity
from planflow.plan.loading import LoadedPlan
from planflow.timeline.occurrences import Timeline

__all__ = ["plan_warnings"]


def plan_warnings(loaded: LoadedPlan, timeline: Timeline | None = None) -> list[Problem]:
    """Every warning for a loaded plan, in file order."""
    plan = loaded.plan
    timeline = timeline or Timeline(plan)
    index = {task.id: i for i, task in enumerate(plan.tasks)}
    out = list(loaded.warnings)
    for check in timeline.target_checks():
        if check.met:
            continue
        task = plan.task(check.plan_task)
        target = task.target
        assert target is not None
        who = f" for {check.duty.split('@', 1)[1]}" if "@" in check.duty else ""
        out.append(
            loaded.problem(
                ("tasks", index[check.plan_task], "target"),
                f"target {target} means {check.expected} in {task.window.label or 'the window'}"
                f"{who}, but the rule yields {check.actual}",
                hint="change the recurrence or the target (or mark the target 'about')",
                severity=Severity.WARNING,
            )
        )
    seen: set[tuple[str, int]] = set()
    for conflict in timeline.conflicts():
        occ = conflict.occurrence
        if (occ.plan_task, occ.index) in seen and "@" in occ.task:
            continue  # one warning per occurrence of a task, not one per member unit
        seen.add((occ.plan_task, occ.index))
        out.append(
            loaded.problem(
                ("tasks", index[occ.plan_task], "after"),
                f"plan conflict: {conflict}",
                hint="add lag before it, move its dates, or drop the dependency",
                severity=Severity.WARNING,
            )
        )
    return sorted(out, key=lambda p: (p.line, p.column, p.message))
