"""Reports and feed marks from the recorded state: what was really done, not what a
model imagines.

``planflow simulate PLAN --from-state --report markdown`` calls :func:`recorded_run`::

    from datetime import date
    from planflow.hooks.manager import get_plugin_manager
    from planflow.jobs.reports import recorded_run
    from planflow.jobs.year import Year

    with Year.open("examples/boy_2025") as year:
        run = recorded_run(year, as_of=date(2025, 10, 6), pm=get_plugin_manager(),
                           report=["markdown"])
        run.result.by_unit()           # the recorded figures, as a simulation gives them
        run.artifacts                  # one report per reporting period closed by then

The result is the year replayed with the recorded completions
(:meth:`~planflow.jobs.year.Year.replay`, ``model == "recorded"``); each reporter
sees every reporting period closed by ``as_of`` as it stood on its last day.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from planflow.feeds.progress import Mark
from planflow.hooks.manager import PluginManager
from planflow.hooks.specs import ReportContext
from planflow.jobs.records import ChannelRecord, failure_place
from planflow.jobs.simulate import OnFailure, Run, _pick, _report
from planflow.jobs.year import Year
from planflow.run.events import Event, EventKind, State

__all__ = ["feed_progress", "recorded_run"]


def recorded_run(
    year: Year,
    *,
    as_of: date | None = None,
    pm: PluginManager,
    report: Sequence[str] = (),
    report_dir: str | os.PathLike[str] | None = None,
    on_failure: OnFailure | None = None,
) -> Run:
    """The recorded year up to ``as_of`` (default today), with reports of its closed periods.

    :raises PlanError: an unknown reporter.
    """
    day = as_of or year.today()
    state = year.replay(day)
    reporters = [(r.obj, r.plugin) for r in _pick(pm.reporters(), report, "reporter", "--report")]
    run = Run(result=state.result)
    run.reports = {r.name: ChannelRecord(plugin, unit="periods") for r, plugin in reporters}
    out_dir = Path(report_dir) if report_dir is not None else None

    def failed(record: ChannelRecord, what: str, event: Event, error: str, exc: Any) -> None:
        record.fail(event, error)
        shown, on = failure_place(what, event)
        pm.failures.add(record.plugin, shown, error, exc=exc, detail=on)
        if on_failure is not None:
            on_failure(what, record.plugin, event, error)

    for event in state.events:
        if event.kind is not EventKind.PERIOD_CLOSED or not reporters:
            continue
        context = ReportContext(plan=year.plan, period=event, result=year.replay(event.time).result)
        for reporter, _ in reporters:
            _report(run, reporter, context, out_dir, failed)
    return run


def feed_progress(year: Year, *, as_of: date | None = None) -> dict[tuple[str, int], Mark]:
    """The marks the calendar feeds show: done (with its day) and overdue occurrences."""
    state = year.replay(as_of or year.today())
    marks: dict[tuple[str, int], Mark] = {}
    for outcome in state.result.outcomes:
        if outcome.state in (State.DONE, State.LATE):
            marks[outcome.occurrence.key] = Mark(completed=outcome.completed)
        elif outcome.state is State.OVERDUE:
            marks[outcome.occurrence.key] = Mark(overdue=True)
    return marks
