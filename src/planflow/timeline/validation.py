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

from planflow.i18n import _, format_date, ngettext
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
        window = task.window.label or _("the window")
        if "@" in check.duty:
            message = _(
                "target {target} means {expected} in {window} for {unit}, but the rule yields "
                "{actual}"
            ).format(unit=check.duty.split("@", 1)[1], target=target, window=window,
                     expected=check.expected, actual=check.actual)  # fmt: skip
        else:
            message = _(
                "target {target} means {expected} in {window}, but the rule yields {actual}"
            ).format(target=target, window=window, expected=check.expected, actual=check.actual)
        out.append(
            loaded.problem(
                ("tasks", index[check.plan_task], "target"),
                message,
                hint=_("change the recurrence or the target (or mark the target 'about')"),
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
            hint = _(
                "the two tasks label their periods differently (a monthly and a quarterly "
                "rhythm): use 'mode: in-period' to wait for what falls in this occurrence's "
                "period"
            )
        else:
            hint = _(
                "{task!r} has no occurrence in those periods (its window, its dates "
                "or the plan's start leave them out): nothing is waited for there"
            ).format(task=found.pred_task)
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
                _("plan conflict: {conflict}").format(conflict=conflict),
                hint=_("add lag before it, move its dates, or drop the dependency"),
                severity=Severity.WARNING,
            )
        )
    return sorted(out, key=lambda p: (p.line, p.column, p.message))


def _orphan_warnings(
    loaded: LoadedPlan, timeline: Timeline, index: dict[str, int]
) -> list[Problem]:
    """One warning per share of a task that falls due when no unit holds it."""
    plan = loaded.plan
    found: dict[tuple[str, str, str, bool], list[Orphan]] = {}
    for orphan in timeline.orphans():
        # one warning per unit and reason: a gap after a hand-over and the end of its
        # successor are two different things to fix
        found.setdefault((orphan.task, orphan.duty, orphan.unit, orphan.ended), []).append(orphan)
    out = []
    for (task_id, duty_id, _unit, _ended), orphans in found.items():
        first = orphans[0]
        unit = plan.unit(first.unit)
        dates = ", ".join(f"{o.due:%d/%m/%Y}" for o in orphans[:3])
        if len(orphans) > 3:
            dates = _("{dates} and {count} more").format(dates=dates, count=len(orphans) - 3)
        successor = plan.unit(unit.successor) if first.ended and unit.successor else None
        if successor is not None and successor.since is not None:
            # a hand-over with a gap: the successor exists, it only begins later
            why = _("unit {id!r} ends on {day} and its successor {next!r} begins on {begins}")
            hint = _(
                "let unit {next!r} begin the day after {day}, or end the task's window by {day}"
            )
            day = format_date(unit.until)
        elif first.ended:
            why = _("unit {id!r} ends on {day} and has no successor")
            hint = _("give unit {id!r} a successor, or end the task's window by {day}")
            day = format_date(unit.until)
        else:
            why = _("unit {id!r} begins on {day}")
            hint = _("start the task's window on {day}, or name the unit it takes over from")
            day = format_date(unit.since)
        names = {
            "id": unit.id,
            "day": day,
            "next": successor.id if successor else "",
            "begins": format_date(successor.since) if successor else "",
        }
        why, hint = why.format(**names), hint.format(**names)
        who = f" ({duty_id})" if duty_id != task_id else ""
        message = ngettext(
            "{count} occurrence{who} left with no owner: {why}; due {dates}",
            "{count} occurrences{who} left with no owner: {why}; due {dates}",
            len(orphans),
        ).format(count=len(orphans), who=who, why=why, dates=dates)
        out.append(
            loaded.problem(
                ("tasks", index[task_id], "lead"),
                message,
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
                if len(missed) > 3:
                    shown = _("{dates} and {count} more").format(dates=shown, count=len(missed) - 3)
                if unit.since is not None and missed[0] < unit.since:
                    why = _("coordinating unit {id!r} begins on {day}").format(
                        id=member, day=format_date(unit.since)
                    )
                    hint = _("coordinators join from the day they begin")
                else:
                    why = _(
                        "coordinating unit {id!r} ends on {day} and no successor takes its part"
                    ).format(id=member, day=format_date(unit.until))
                    hint = _(
                        "give unit {id!r} a successor, or name who coordinates after it"
                    ).format(id=member)
                message = ngettext(
                    "{why}: it does not coordinate {count} occurrence due {dates}",
                    "{why}: it does not coordinate {count} occurrences due {dates}",
                    len(missed),
                ).format(why=why, count=len(missed), dates=shown)
                out.append(
                    loaded.problem(
                        ("tasks", i, "coordinators", j),
                        message,
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
                _("days off move {count} occurrences ({first}–{last}) onto {day}").format(
                    count=len(nominal),
                    first=f"{nominal[0]:%d/%m}",
                    last=f"{nominal[-1]:%d/%m}",
                    day=f"{due:%d/%m/%Y}",
                )
                + (
                    ngettext(
                        ", and {count} more such day",
                        ", and {count} more such days",
                        len(crowded) - 1,
                    ).format(count=len(crowded) - 1)
                    if len(crowded) > 1
                    else ""
                ),
                hint=_(
                    "leave out the days off (a rule with BYDAY=MO,TU,WE,TH,FR, or 'except:'), "
                    "or 'shift: keep' to keep them on their own days"
                ),
                severity=Severity.WARNING,
            )
        )
    return out
