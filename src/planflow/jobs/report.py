"""Make one report: run the year to the period's end, then ask a reporter for its form.

:func:`make_report` is what ``planflow report`` calls::

    from planflow.hooks.manager import get_plugin_manager
    from planflow.jobs.report import make_report
    from planflow.plan.loading import load_plan

    plan = load_plan("examples/boy_2025")
    files = make_report(plan, "m9", pm=get_plugin_manager(), form="md", out_dir="out")

The state the report reads comes from a simulation (``simulate_options`` are those
of :func:`planflow.run.simulation.simulate`: ``model``, ``seed``, ``scenario``);
the clock stops at the end of the period, so the report shows the period as it
stood the day it closed, as the ``--report`` reporters of ``simulate`` do.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from planflow.hooks.failures import PluginFailed
from planflow.hooks.manager import PluginManager
from planflow.hooks.specs import Artifact, ReportContext
from planflow.i18n import _
from planflow.plan.errors import PlanError
from planflow.plan.model import Plan, suggest
from planflow.reports.data import RunState
from planflow.reports.periods import ReportPeriod, resolve_period
from planflow.run.events import Event, EventKind, event_id

__all__ = ["FORMS", "make_report", "period_event", "report_artifacts", "simulate_to"]

#: ``--format`` names and the reporter each one asks for.
FORMS = {
    "html": "html",
    "pdf": "pdf",
    "xlsx": "xlsx",
    "md": "markdown",
    "csv": "csv",
    "json": "json",
}


def period_event(plan: Plan, period: ReportPeriod) -> Event:
    """The ``period_closed`` event of ``period``, as the engine emits it for the plan's own."""
    return Event(
        id=event_id(plan.id, f"period:{period.id}", 0, EventKind.PERIOD_CLOSED),
        kind=EventKind.PERIOD_CLOSED,
        time=period.end,
        plan=plan.id,
        task=period.id,
        index=0,
        period=period.label(),
        start=period.start,
        due=period.end,
    )


def simulate_to(plan: Plan, period: ReportPeriod, **simulate_options: Any) -> RunState:
    """Simulate the plan's year up to the end of ``period`` (the state a report reads)."""
    from planflow.run.simulation import simulate

    return simulate(plan, until=period.end, keep_events=False, **simulate_options)


def report_artifacts(
    plan: Plan,
    state: RunState,
    period: ReportPeriod,
    *,
    pm: PluginManager,
    form: str,
    unit: str | None = None,
) -> Sequence[Artifact]:
    """Ask the reporter behind ``form`` (``md``, ``pdf`` … or any reporter's name).

    :raises PlanError: an unknown form or unit.
    :raises PluginFailed: the reporter raised, or returned something not an
        :class:`Artifact` with a plain file name.
    """
    reporters = pm.reporters()
    name = FORMS.get(form, form)
    if name not in reporters:
        raise PlanError(
            _("unknown report format {form!r}").format(form=form),
            hint=suggest(form, sorted({*FORMS, *reporters}))
            or _("use one of: {choices}").format(choices=", ".join(FORMS)),
        )
    if unit is not None and unit not in {u.id for u in plan.units}:
        raise PlanError(
            _("unknown unit {unit!r}").format(unit=unit),
            hint=suggest(unit, [u.id for u in plan.units]),
        )
    context = ReportContext(plan=plan, period=period_event(plan, period), result=state, unit=unit)
    entry = reporters[name]
    try:  # a plugin's reporter fails as every plugin does: named, exit status 4 on the CLI
        artifacts = list(entry.obj.report(context))
        for artifact in artifacts:
            if not isinstance(artifact, Artifact) or "/" in artifact.name or "\\" in artifact.name:
                raise TypeError(f"not an Artifact with a plain file name: {artifact!r}")
    except PlanError:
        raise  # a message for the user (the pdf form without WeasyPrint), not a crash
    except Exception as exc:
        raise PluginFailed(entry.plugin, f"reporter {name!r}", exc) from exc
    return artifacts


def make_report(
    plan: Plan,
    period: str,
    *,
    pm: PluginManager,
    form: str,
    unit: str | None = None,
    out_dir: str | os.PathLike[str] = ".",
    **simulate_options: Any,
) -> list[Path]:
    """Simulate to the end of ``period``, make the report in ``form``, write it to ``out_dir``.

    :returns: the files written, in the order the reporter made them.
    :raises PlanError: an unknown period, form or unit.
    :raises PluginFailed: the reporter (or a plugin's completion model) failed.
    """
    chosen = resolve_period(plan, period)
    if unit is not None and unit not in {u.id for u in plan.units}:
        raise PlanError(
            _("unknown unit {unit!r}").format(unit=unit),
            hint=suggest(unit, [u.id for u in plan.units]),
        )
    state = simulate_to(plan, chosen, **simulate_options)
    artifacts = report_artifacts(plan, state, chosen, pm=pm, form=form, unit=unit)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for artifact in artifacts:
        stem, dot, ext = artifact.name.rpartition(".")
        name = f"{stem}-{unit}.{ext}" if unit is not None and dot else artifact.name
        target = out / name
        target.write_bytes(artifact.content)
        written.append(target)
    return written
