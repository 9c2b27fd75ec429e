"""Warnings about a plan that loads but may not be what its author meant.

* quantity targets the recurrence rule does not meet (``24 per year`` against a rule
  yielding 26 dates);
* plan conflicts: an occurrence due before what it waits for (plus lag) can be done;
* duties no unit holds, and coordinating units that end (with no successor) or begin
  while the task still falls due.

Each warning is a located :class:`~planflow.plan.errors.Problem` so that editors and CI
logs point at the right line.
"""

from __future__ import annotations

from datetime import date

from planflow.plan.errors import Problem, Severity
from planflow.plan.loading import LoadedPlan
from planflow.plan.model import DependencyMode, Shift
from planflow.timeline import cascades
from planflow.timeline.coordination import holder_on
from planflow.timeline.occurrences import Orphan, Timeline

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
    out.extend(_orphan_warnings(loaded, timeline, index))
    out.extend(_coordinator_warnings(loaded, timeline))
    out.extend(_pile_warnings(loaded, timeline, index))
    seen: set[tuple[str, int]] = set()
    for collapse in cascades.collapses(timeline):
        out.append(
            loaded.problem(
                ("tasks", index[collapse.task], "after", collapse.dep),
                str(collapse),
                hint=collapse.hint,
                severity=Severity.WARNING,
            )
        )
        seen.update((o.plan_task, o.index) for _, o in collapse.pairs)
    for found in cascades.unmatched(timeline):
        labels = {o.period for o in timeline.of_task(found.pred_task)}
        own = {o.period for o in timeline.of_task(found.task)}
        if found.mode in (DependencyMode.SAME_PERIOD, DependencyMode.ALL) and not labels & own:
            hint = (
                "the two tasks label their periods differently (a monthly and a quarterly "
                "rhythm): use 'mode: in-period' to wait for what falls in this occurrence's "
                "period"
            )
        else:
            hint = (
                f"{found.pred_task!r} has no occurrence in those periods (its window, its dates "
                "or the plan's start leave them out): nothing is waited for there"
            )
        out.append(
            loaded.problem(
                ("tasks", index[found.task], "after", found.dep),
                str(found),
                hint=hint,
                severity=Severity.WARNING,
            )
        )
    for conflict in timeline.conflicts():
        occ = conflict.occurrence
        if (occ.plan_task, occ.index) in seen:
            continue  # one warning per occurrence of a task (not per member, nor twice)
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


def _orphan_warnings(
    loaded: LoadedPlan, timeline: Timeline, index: dict[str, int]
) -> list[Problem]:
    """One warning per share of a task that falls due when no unit holds it."""
    plan = loaded.plan
    found: dict[tuple[str, str], list[Orphan]] = {}
    for orphan in timeline.orphans():
        found.setdefault((orphan.task, orphan.duty), []).append(orphan)
    out = []
    for (task_id, duty_id), orphans in found.items():
        first = orphans[0]
        unit = plan.unit(first.unit)
        dates = ", ".join(f"{o.due:%d/%m/%Y}" for o in orphans[:3])
        more = f" and {len(orphans) - 3} more" if len(orphans) > 3 else ""
        if first.ended:
            why = f"unit {unit.id!r} ends on {unit.until} and has no successor"
            hint = f"give unit {unit.id!r} a successor, or end the task's window by {unit.until}"
        else:
            why = f"unit {unit.id!r} begins on {unit.since}"
            hint = f"start the task's window on {unit.since}, or name the unit it takes over from"
        who = f" ({duty_id})" if duty_id != task_id else ""
        out.append(
            loaded.problem(
                ("tasks", index[task_id], "lead"),
                f"{len(orphans)} occurrence(s){who} left with no owner: {why}; due {dates}{more}",
                hint=hint,
                severity=Severity.WARNING,
            )
        )
    return out


def _coordinator_warnings(loaded: LoadedPlan, timeline: Timeline) -> list[Problem]:
    """One warning per coordinating unit that misses some of a task's occurrences: it
    ended with no successor (nobody takes its part) or it had not begun yet."""
    plan, out = loaded.plan, []
    for i, task in enumerate(plan.tasks):
        dues = sorted({occ.due for occ in timeline.of_task(task.id)})
        for j, named in enumerate(task.coordinators):
            for member in plan.members(named):
                missed = [d for d in dues if holder_on(plan, member, d) is None]
                if not missed:
                    continue
                unit = plan.unit(member)
                shown = ", ".join(f"{d:%d/%m/%Y}" for d in missed[:3])
                more = f" and {len(missed) - 3} more" if len(missed) > 3 else ""
                if unit.since is not None and missed[0] < unit.since:
                    why, hint = (
                        f"begins on {unit.since}",
                        "coordinators join from the day they begin",
                    )
                else:
                    why = f"ends on {unit.until} and no successor takes its part"
                    hint = f"give unit {member!r} a successor, or name who coordinates after it"
                out.append(
                    loaded.problem(
                        ("tasks", i, "coordinators", j),
                        f"coordinating unit {member!r} {why}: it does not coordinate "
                        f"{len(missed)} occurrence(s) due {shown}{more}",
                        hint=hint,
                        severity=Severity.WARNING,
                    )
                )
    return out


def _pile_warnings(loaded: LoadedPlan, timeline: Timeline, index: dict[str, int]) -> list[Problem]:
    """Tasks whose occurrences days off push onto one working day (a daily task over Tết)."""
    out = []
    for duty_id in dict.fromkeys(d.task.id for d in timeline.duties):
        task = loaded.plan.task(duty_id)
        if (task.shift or loaded.plan.shift) is Shift.KEEP:
            continue
        piles: dict[date, list[date]] = {}
        for occ in timeline.of_task(task.id):
            piles.setdefault(occ.due, []).append(occ.nominal)
        crowded = {due: sorted(set(n)) for due, n in piles.items() if len(set(n)) > 1}
        if not crowded:
            continue
        due, nominal = max(crowded.items(), key=lambda kv: (len(kv[1]), -kv[0].toordinal()))
        out.append(
            loaded.problem(
                ("tasks", index[task.id], "recurrence" if task.recurrence else "dates"),
                f"days off move {len(nominal)} occurrences ({nominal[0]:%d/%m}–{nominal[-1]:%d/%m})"
                f" onto {due:%d/%m/%Y}"
                + (f", and {len(crowded) - 1} more such day(s)" if len(crowded) > 1 else ""),
                hint="leave out the days off (a rule with BYDAY=MO,TU,WE,TH,FR, or 'except:'), "
                "or 'shift: keep' to keep them on their own days",
                severity=Severity.WARNING,
            )
        )
    return out
