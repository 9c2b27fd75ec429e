"""The synthetic national plan (``national.py``) written as TaskJuggler 3 input.

TaskJuggler has no recurring tasks (its manual has no recurrence rule; a macro only
repeats text), so every occurrence planflow schedules becomes one TaskJuggler task
and both tools schedule the same work: its own start date (the working day the
plan's rule gives) and length, the plan's extra days off as TaskJuggler leaves, the
unit whose duty it is as the task's ``responsible`` resource (planflow assigns work
to units but does not level their load, so no ``allocate``: with it TaskJuggler
books every hour of every unit), and the occurrence-level dependencies (``waits
for``) as ``depends``. Tasks are grouped per commune and per plan task.

The schedule is exported to iCalendar as ``planflow export`` does for a workspace:
one file per commune (``tj3-cNNNN.ics``, an ``icalreport`` hiding the other
communes' tasks). With ``single_report`` it is one file for the whole plan instead:
TaskJuggler 3.7 builds an iCalendar file by ``str += todo`` and folds its lines
by ``newStr += "\n "`` (``taskjuggler/ICalendar.rb``), which copies the whole
text each time, so one file of every task takes time quadratic in its size; for
100 communes (33,400 tasks) that alone runs for hours. That is a quirk of its
exporter, not of scheduling, so the bench keeps the files per commune.

    python bench/tj3_plan.py OUT.tjp --communes 100 [--single-report]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from national import national_plan

from planflow.timeline.occurrences import Occurrence, Timeline


def _ident(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def tj3_source(communes: int, *, single_report: bool = False) -> tuple[str, int]:
    """The .tjp text for ``communes`` communes, and the number of occurrence tasks."""
    plan = national_plan(communes)
    timeline = Timeline(plan)
    occurrences = list(timeline)
    year = plan.year
    out = [
        # a month either side: occurrences shifted to a working day before 1 January
        f'project planflow "{_quoted(plan.title)}" {year - 1}-12-01 - {year + 1}-02-01 {{\n'
        '  timezone "Asia/Ho_Chi_Minh"\n  timeformat "%Y-%m-%d"\n'
        f'  now {year}-01-01\n  scenario plan "Kế hoạch"\n}}\n'
    ]
    for day, name, _ in plan.days_off:
        out.append(f'leaves holiday "{_quoted(name)}" {day.isoformat()}\n')
    for unit in plan.units:
        out.append(f'resource {_ident(unit.id)} "{_quoted(unit.name)}"\n')
    ids: dict[tuple[str, int], str] = {}
    groups: dict[str, dict[str, list[Occurrence]]] = {}
    for occ in occurrences:
        commune = occ.plan_task.partition("-")[0]
        ids[occ.key] = f"{commune}.{_ident(occ.plan_task)}.o{_ident(occ.task)}_{occ.index}"
        groups.setdefault(commune, {}).setdefault(occ.plan_task, []).append(occ)
    for commune, tasks in groups.items():
        out.append(f'task {commune} "{commune}" {{\n')
        for plan_task, items in tasks.items():
            title = plan.task(plan_task).title
            out.append(f'  task {_ident(plan_task)} "{_quoted(title)}" {{\n')
            for o in items:
                days = max(1, (o.due - o.start).days + 1)
                name = ids[o.key].rsplit(".", 1)[1]
                body = [
                    f"start {o.start.isoformat()}",
                    f"duration {days}d",
                    f"responsible {_ident(o.unit)}",
                ]
                waits = [ids[k] for k in o.waits_for if k in ids]
                if waits:
                    body.append("depends " + ", ".join(waits))
                out.append(f'    task {name} "{o.task}#{o.index}" {{ {" ".join(body)} }}\n')
            out.append("  }\n")
        out.append("}\n")
    if single_report:
        out.append('icalreport "tj3-plan" {\n}\n')
    else:
        for commune in groups:
            out.append(f'icalreport "tj3-{commune}" {{ hidetask ~ischildof({commune}) }}\n')
    return "".join(out), len(occurrences)


def main() -> None:
    """Write the .tjp file named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--single-report", action="store_true", help="one .ics for all")
    args = parser.parse_args()
    text, count = tj3_source(args.communes, single_report=args.single_report)
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"{count} occurrence tasks written to {args.out}")


if __name__ == "__main__":
    main()
