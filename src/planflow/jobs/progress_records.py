"""Recording the year: ``done``, ``undo``, and the history (measured indicator values:
:mod:`planflow.jobs.kpi_records`).

::

    from datetime import date
    from planflow.jobs.progress_records import history, mark_done, undo
    from planflow.jobs.year import Year

    with Year.open("examples/boy_2025") as year:
        mark_done(year, "news#3", day=date(2025, 1, 24), note="Đã đăng 3 tin")
        undo(year, "news#3", reason="Nhầm kỳ")
        for row in history(year):
            print(row["when"], row["what"], row["occurrence"])

Every function writes one append-only row with who recorded it and when; nothing
is ever changed or deleted. An occurrence is named as ``planflow agenda`` prints it
(``duty#index``, e.g. ``ar-integration@ca#10``) or as a duty and a day inside its
window (``news@2025-03-20``: the one whose window holds that day, else the next one due;
``--by UNIT`` picks the unit's duty of a task led
member by member).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from planflow.i18n import N_, _
from planflow.jobs.year import Year, current_user
from planflow.plan.errors import PlanError
from planflow.plan.model import suggest
from planflow.run.store import AlreadyDone, CompletionRecord, NotDone
from planflow.timeline.occurrences import Occurrence

__all__ = [
    "HISTORY_WHAT",
    "MESSAGES",
    "find_occurrence",
    "history",
    "mark_done",
    "undo",
]

#: The text people read, in one place (for the message catalogue).
MESSAGES = {
    "unknown_duty": N_("no task {name!r} in the plan"),
    "unknown_duty_hint": N_("see the task ids with: planflow agenda PLAN"),
    "bad_index": N_("{duty!r} has no occurrence {index} (it has 1 to {count})"),
    "no_window": N_("{duty!r} has no occurrence due on or after {day}"),
    "pick_duty": N_("task {name!r} is given to each unit: say which unit"),
    "pick_duty_hint": N_("add --by with one of: {units}, or write {example}"),
    "bad_form": N_("cannot read {text!r}: write TASK#INDEX or TASK@YYYY-MM-DD"),
    "bad_form_hint": N_("for example news#3 or news@2025-03-20 (as planflow agenda prints them)"),
    "unknown_unit": N_("unknown unit {unit!r}"),
    "already_done": N_("{occurrence} was already recorded as done on {day} (by {who})"),
    "already_done_hint": N_(
        "to change it, take it back first: planflow undo PLAN {occurrence} --reason …"
    ),
    "not_done": N_("{occurrence} is not recorded as done: nothing to take back"),
    "no_reason": N_("give the reason for taking it back (--reason)"),
    "future": N_("the completion date {day} has not come yet (today is {today})"),
}

#: What each history row records (``history``, the unit pages).
HISTORY_WHAT = {
    "done": N_("marked done"),
    "undo": N_("completion taken back"),
    "archive": N_("archived"),
    "record": N_("target value recorded"),
    "run": N_("plan changed"),
}

_DATED = re.compile(r"^(?P<duty>.+?)[@ ](?P<day>\d{4}-\d{2}-\d{2})$")


def _error(key: str, hint: str | None = None, **values: Any) -> PlanError:
    return PlanError(_(MESSAGES[key]).format(**values), hint=hint)


def find_occurrence(year: Year, text: str, *, by: str | None = None) -> Occurrence:
    """The occurrence ``text`` names: ``duty#index`` or ``duty@YYYY-MM-DD``.

    With a date: the occurrence whose window (start to due date) holds it, else the
    next one due after it (``news@2025-03-10`` is the news due on 14 March).

    :raises PlanError: no such duty or occurrence, or a task led member by member
        named without its unit.
    """
    timeline = year.timeline
    text = text.strip()
    if "#" in text:
        name, _hash, number = text.rpartition("#")
        if not number.isdigit():
            raise _error("bad_form", _(MESSAGES["bad_form_hint"]), text=text)
        duty = _duty(year, name, by)
        occurrences = timeline.occurrences(duty)
        index = int(number)
        if not 1 <= index <= len(occurrences):
            raise _error("bad_index", duty=duty, index=index, count=len(occurrences))
        return occurrences[index - 1]
    match = _DATED.match(text)
    if match is None:
        raise _error("bad_form", _(MESSAGES["bad_form_hint"]), text=text)
    day = date.fromisoformat(match["day"])
    duty = _duty(year, match["duty"], by)
    occurrences = timeline.occurrences(duty)
    inside = [o for o in occurrences if o.start <= day <= o.due]
    if inside:
        return min(inside, key=lambda o: o.due)
    coming = [o for o in occurrences if o.due >= day]
    if not coming:
        raise _error("no_window", duty=duty, day=day.strftime("%d/%m/%Y"))
    return min(coming, key=lambda o: o.due)


def _duty(year: Year, name: str, by: str | None) -> str:
    timeline = year.timeline
    ids = {d.id for d in timeline.duties}
    if name in ids:
        return name
    per_unit = [d for d in timeline.duties if d.task.id == name]
    if not per_unit:
        hint = suggest(name, sorted(ids)) or _(MESSAGES["unknown_duty_hint"])
        raise _error("unknown_duty", hint, name=name)
    if by is not None:
        for duty in per_unit:
            if duty.unit == by:
                return duty.id
    units = ", ".join(d.unit for d in per_unit)
    hint = _(MESSAGES["pick_duty_hint"]).format(units=units, example=f"{per_unit[0].id}#1")
    raise _error("pick_duty", hint, name=name)


def _check_unit(year: Year, unit: str | None) -> None:
    if unit is None:
        return
    try:
        year.plan.unit(unit)
    except KeyError:
        raise _error(
            "unknown_unit", suggest(unit, [u.id for u in year.plan.units]), unit=unit
        ) from None


def mark_done(
    year: Year,
    occurrence: str,
    *,
    day: date | None = None,
    by: str | None = None,
    note: str | None = None,
    evidence: str | None = None,
    who: str | None = None,
) -> CompletionRecord:
    """Record ``occurrence`` as done on ``day`` (default today) by unit ``by``.

    :raises PlanError: unknown occurrence or unit, a day in the future, or already done.
    """
    _check_unit(year, by)
    occ = find_occurrence(year, occurrence, by=by)
    today = year.today()
    day = day or today
    if day > today:
        raise _error("future", day=day.strftime("%d/%m/%Y"), today=today.strftime("%d/%m/%Y"))
    try:
        return year.store.add_completion(
            year.plan.id,
            occ.task,
            occ.index,
            day=day,
            due=occ.due,
            by_unit=by or occ.unit,
            note=note,
            evidence=evidence,
            who=who or current_user(),
        )
    except AlreadyDone as exc:
        rec = exc.record
        name = rec.occurrence
        raise _error(
            "already_done",
            _(MESSAGES["already_done_hint"]).format(occurrence=name),
            occurrence=name,
            day=rec.day.strftime("%d/%m/%Y") if rec.day else "?",
            who=rec.who,
        ) from None


def undo(
    year: Year, occurrence: str, *, reason: str, by: str | None = None, who: str | None = None
) -> CompletionRecord:
    """Take back the completion of ``occurrence``, saying why (an ``undo`` row).

    :raises PlanError: no reason, unknown occurrence, or not recorded as done.
    """
    if not reason.strip():
        raise _error("no_reason")
    occ = find_occurrence(year, occurrence, by=by)
    try:
        return year.store.undo_completion(
            year.plan.id, occ.task, occ.index, reason=reason.strip(), who=who or current_user()
        )
    except NotDone:
        raise _error("not_done", occurrence=f"{occ.task}#{occ.index}") from None


def history(year: Year, *, unit: str | None = None) -> list[dict[str, Any]]:
    """Every recorded change, oldest first: completions, undos, archives, values, runs.

    Each row: ``when`` (UTC ISO), ``who``, ``what`` (``done``, ``undo``, ``archive``,
    ``record``, ``run``), and what applies of ``occurrence``, ``day``, ``by``,
    ``note``, ``evidence``, ``reason``, ``target``, ``value``, ``changes``.
    """
    _check_unit(year, unit)
    plan, store = year.plan, year.store
    leads = {(o.task, o.index): o.unit for o in year.timeline}
    rows: list[dict[str, Any]] = []
    for rec in store.history(plan.id):
        lead = leads.get((rec.task, rec.index))
        if unit is not None and unit not in (rec.by_unit, lead):
            continue
        rows.append(
            {
                "when": rec.recorded_at.isoformat(),
                "who": rec.who,
                "what": rec.action,
                "occurrence": rec.occurrence,
                "day": rec.day.isoformat() if rec.day else None,
                "by": rec.by_unit,
                "note": rec.note,
                "evidence": rec.evidence,
                "reason": rec.reason,
            }
        )
    for m in store.measurements(plan.id):
        if unit is not None and m.by_unit != unit:
            continue
        rows.append(
            {
                "when": m.recorded_at.isoformat(),
                "who": m.who,
                "what": "record",
                "target": m.target,
                "value": m.value,
                "day": m.day.isoformat(),
                "by": m.by_unit,
                "note": m.note,
                "evidence": m.evidence,
            }
        )
    if unit is None:
        for run in store.runs(plan.id):
            changes = run.summary.get("changes") or {}
            if changes:
                rows.append(
                    {
                        "when": run.started_at.isoformat(),
                        "who": run.who,
                        "what": "run",
                        "day": run.as_of.isoformat(),
                        "changes": changes,
                    }
                )
    rows.sort(key=lambda r: r["when"])
    return rows
