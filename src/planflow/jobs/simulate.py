"""Run a simulation with notifiers and reporters attached, isolating their failures.

:func:`run_simulation` is what ``planflow simulate --notify … --report …`` calls::

    from planflow.hooks.manager import get_plugin_manager
    from planflow.jobs.simulate import run_simulation

    run = run_simulation(plan, pm=get_plugin_manager(), notify=["console"])
    run.result            # the SimulationResult, complete whatever the channels did
    run.record()          # {"deliveries": {...}, "reports": {...}, "hooks": {...}}

For every event, in time order: every :func:`~planflow.hooks.specs.planflow_event`
implementation, then every notifier asked for, each in its own ``try``. A notifier
that raises has the event recorded as *failed* on its channel, with its error and
its plugin's name; one that returns :class:`~planflow.hooks.specs.Skipped` (or does
not handle the event's kind) has it recorded as *skipped*; the other notifiers,
and the run, go on. Every failure is also told to ``pm.failures`` (printed on
stderr, capped). When a reporting period closes, each reporter asked for turns it
into artifacts, written to ``report_dir`` (when given) and kept in
:attr:`Run.artifacts`.

A ``BrokenPipeError`` is not a delivery failure: it means the output was closed
(``planflow simulate … | head``); it stops the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from planflow.hooks.channels import resolve_settings
from planflow.hooks.failures import Failure
from planflow.hooks.manager import BUILTIN_MODELS, PluginManager, call_each, completion_model
from planflow.hooks.specs import (
    Artifact,
    ChannelSettings,
    Notifier,
    ReportContext,
    Reporter,
    Skipped,
)
from planflow.jobs.records import ArtifactRecord, ChannelRecord, FailedDelivery, failure_place
from planflow.plan.errors import PlanError
from planflow.plan.model import Plan, Unit, suggest
from planflow.run.events import Event

__all__ = ["ArtifactRecord", "ChannelRecord", "Run", "deliver_one", "run_simulation"]

#: Called on each failure with (what failed, e.g. ``notifier 'email'``, plugin name,
#: the event, the error text).
OnFailure = Callable[[str, str, Event, str], None]


@attrs.define
class Run:
    """A simulated run with its plugins: the result and the record of every delivery."""

    result: Any = None
    deliveries: dict[str, ChannelRecord] = attrs.field(factory=dict)
    reports: dict[str, ChannelRecord] = attrs.field(factory=dict)
    hooks: dict[str, ChannelRecord] = attrs.field(factory=dict)
    artifacts: list[ArtifactRecord] = attrs.field(factory=list)
    """Every artifact made, in order: ``(reporter, artifact, path)`` named tuples
    (:class:`~planflow.jobs.records.ArtifactRecord`); ``path`` is ``""`` when no
    ``report_dir`` was given."""
    failed_deliveries: list[FailedDelivery] = attrs.field(factory=list)
    """Every event a notifier failed to deliver, with the event itself (for resending)."""

    def record(self) -> dict[str, Any]:
        """The run's plugin record, as the ``--json`` output adds it.

        ``deliveries`` per notifier and ``hooks`` per plugin implementing
        ``planflow_event`` (only those that failed at least once) count events;
        ``reports`` per reporter count reporting periods, plus the ``files`` made.
        """
        reports = {}
        for name, rec in self.reports.items():
            files = [a.path or a.artifact.name for a in self.artifacts if a.reporter == name]
            reports[name] = {**rec.to_dict(), "files": files}
        return {
            "deliveries": {k: v.to_dict() for k, v in self.deliveries.items()},
            "reports": reports,
            "hooks": {k: v.to_dict() for k, v in self.hooks.items() if v.failed},
        }

    @property
    def failed(self) -> int:
        """How many deliveries, reports and observer calls failed in all."""
        parts = (*self.deliveries.values(), *self.reports.values(), *self.hooks.values())
        return sum(r.failed for r in parts)


def _pick(table: Mapping[str, Any], names: Sequence[str], what: str, option: str) -> list[Any]:
    out = []
    for name in dict.fromkeys(names):
        if name not in table:
            raise PlanError(
                f"unknown {what} {name!r}",
                hint=suggest(name, sorted(table))
                or f"use {option} with one of: {', '.join(sorted(table)) or 'none loaded'}",
            )
        out.append(table[name])
    return out


def units_of(plan: Plan, event: Event) -> list[Unit]:
    """The units ``event`` concerns, lead first (units no longer in the plan left out)."""
    out = []
    for uid in event.units:
        try:
            out.append(plan.unit(uid))
        except KeyError:
            continue
    return out


def deliver_one(
    notifier: Notifier, event: Event, plan: Plan, settings: ChannelSettings
) -> Skipped | None:
    """Hand ``event`` to ``notifier`` unless it does not handle the kind: ``None`` when
    delivered, a :class:`Skipped` when skipped; raises what the notifier raised."""
    kinds = getattr(notifier, "kinds", None)
    if kinds is not None and event.kind.value not in kinds:
        return Skipped("kind not handled")
    outcome = notifier.deliver(event, plan=plan, units=units_of(plan, event), settings=settings)
    return outcome if isinstance(outcome, Skipped) else None


def run_simulation(
    plan: Plan,
    *,
    pm: PluginManager,
    notify: Sequence[str] = (),
    report: Sequence[str] = (),
    settings: Mapping[str, Mapping[str, str]] | None = None,
    report_dir: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    on_failure: OnFailure | None = None,
    **simulate_options: Any,
) -> Run:
    """Simulate ``plan`` with notifiers ``notify`` and reporters ``report`` attached.

    :param pm: the plugin manager (:func:`planflow.hooks.manager.get_plugin_manager`).
    :param notify: notifier names (``--notify``), in delivery order.
    :param report: reporter names (``--report``).
    :param settings: ``--set`` overrides: ``{notifier: {key: value}}``.
    :param report_dir: where reporters' artifacts are written (created if needed);
        ``None`` keeps them in :attr:`Run.artifacts` only.
    :param environ: for ``${VAR}`` in settings (default ``os.environ``).
    :param on_failure: told of every failure as it happens (besides ``pm.failures``).
    :param simulate_options: passed to :func:`planflow.run.simulation.simulate`
        (``model``, ``seed``, ``scenario``, ``start``, ``end``, ``until`` …). A
        ``model`` given by name may be a plugin's (``"slow:days=3"``).
    :raises PlanError: an unknown notifier, reporter or model, or bad settings —
        before the run starts.
    :raises PluginFailed: the completion model's plugin failed.
    """
    from planflow.run.simulation import SimulationResult, simulate

    settings = settings or {}
    model = simulate_options.get("model")
    if isinstance(model, str) and model not in BUILTIN_MODELS:
        seed = simulate_options.get("seed", 0)
        simulate_options["model"] = completion_model(pm, model, plan, seed)
    notifiers = [(r.obj, r.plugin) for r in _pick(pm.notifiers(), notify, "notifier", "--notify")]
    reporters = [(r.obj, r.plugin) for r in _pick(pm.reporters(), report, "reporter", "--report")]
    for name in settings:
        if name not in {n.name for n, _ in notifiers}:
            raise PlanError(
                f"--set {name}.…: notifier {name!r} is not used in this run",
                hint=f"add --notify {name}",
            )
    configured: list[tuple[Notifier, ChannelSettings]] = [
        (n, resolve_settings(n, plan, settings.get(n.name), environ)) for n, _ in notifiers
    ]
    run = Run()
    run.deliveries = {n.name: ChannelRecord(plugin) for n, plugin in notifiers}
    run.reports = {r.name: ChannelRecord(plugin, unit="periods") for r, plugin in reporters}
    out_dir = Path(report_dir) if report_dir is not None else None

    def failed(record: ChannelRecord, what: str, event: Event, error: str, exc: Any) -> None:
        record.fail(event, error)
        shown, on = failure_place(what, event)
        pm.failures.add(record.plugin, shown, error, exc=exc, detail=on)
        if on_failure is not None:
            on_failure(what, record.plugin, event, error)

    def on_event(event: Event) -> None:
        for plugin, outcome in call_each(pm, "planflow_event", event=event, plan=plan):
            record = run.hooks.setdefault(plugin, ChannelRecord(plugin))
            if isinstance(outcome, Failure):
                if isinstance(outcome.exception, BrokenPipeError):
                    raise outcome.exception
                failed(record, "planflow_event", event, outcome.error, outcome.exception)
            else:
                record.delivered += 1
        for notifier, channel in configured:
            record = run.deliveries[notifier.name]
            try:
                skipped = deliver_one(notifier, event, plan, channel)
            except BrokenPipeError:
                raise  # the output was closed (| head): stop, this is no delivery failure
            except Exception as exc:
                error = Failure.of(record.plugin, exc).error
                failed(record, f"notifier {notifier.name!r}", event, error, exc)
                run.failed_deliveries.append(
                    FailedDelivery(notifier.name, record.plugin, event, error)
                )
            else:
                if skipped is None:
                    record.delivered += 1
                else:
                    record.skip(skipped.reason or "skipped")

    def on_period_closed(event: Event, so_far: SimulationResult) -> None:
        context = ReportContext(plan=plan, period=event, result=so_far)
        for reporter, _ in reporters:
            _report(run, reporter, context, out_dir, failed)

    run.result = simulate(
        plan,
        on_event=on_event if (notifiers or _observed(pm)) else None,
        on_period_closed=on_period_closed if reporters else None,
        **simulate_options,
    )
    return run


def _observed(pm: PluginManager) -> bool:
    return bool(pm.hook.planflow_event.get_hookimpls())


def _report(
    run: Run,
    reporter: Reporter,
    context: ReportContext,
    out_dir: Path | None,
    failed: Callable[[ChannelRecord, str, Event, str, Any], None],
) -> None:
    """One reporting period through one reporter: counted once (delivered, skipped, failed)."""
    record = run.reports[reporter.name]
    what = f"reporter {reporter.name!r}"
    try:
        artifacts = list(reporter.report(context))
        for artifact in artifacts:
            if not isinstance(artifact, Artifact) or "/" in artifact.name or "\\" in artifact.name:
                raise TypeError(f"not an Artifact with a plain file name: {artifact!r}")
    except Exception as exc:
        failed(record, what, context.period, Failure.of(record.plugin, exc).error, exc)
        return
    if not artifacts:
        record.skip("nothing to report")
        return
    made = []
    for artifact in artifacts:
        written = ""
        if out_dir is not None:
            try:
                out_dir.mkdir(parents=True, exist_ok=True)
                target = out_dir / artifact.name
                target.write_bytes(artifact.content)
                written = str(target)
            except OSError as exc:
                failed(record, what, context.period, Failure.of(record.plugin, exc).error, exc)
                return
        made.append(ArtifactRecord(reporter.name, artifact, written))
    run.artifacts.extend(made)
    record.delivered += 1
