"""Run a simulation with notifiers and reporters attached, isolating their failures.

:func:`run_simulation` is what ``planflow simulate --notify … --report …`` calls::

    from planflow.hooks.manager import get_plugin_manager
    from planflow.jobs.simulate import run_simulation

    run = run_simulation(plan, pm=get_plugin_manager(), notify=["console"])
    run.result            # the SimulationResult, complete whatever the channels did
    run.record()          # {"deliveries": {...}, "reports": {...}, "hooks": {...}}

For every event, in time order: every :func:`~planflow.hooks.specs.planflow_event`
implementation, then every notifier asked for, each in its own ``try``. A notifier
that raises has the event recorded as *not delivered* on its channel, with its
error and its plugin's name; the other notifiers, and the run, go on. When a
reporting period closes, each reporter asked for turns it into artifacts, written
to ``report_dir`` (when given) and kept in :attr:`Run.artifacts`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from planflow.hooks.channels import resolve_settings
from planflow.hooks.manager import Failure, PluginManager, call_each
from planflow.hooks.specs import Artifact, ChannelSettings, Notifier, ReportContext, Reporter
from planflow.plan.errors import PlanError
from planflow.plan.model import Plan, Unit, suggest
from planflow.run.events import Event

__all__ = ["ChannelRecord", "Run", "run_simulation"]

#: Called on each failure with (what failed, e.g. ``notifier 'email'``, plugin name,
#: the event, the error text); the CLI prints it on stderr.
OnFailure = Callable[[str, str, Event, str], None]


@attrs.define
class ChannelRecord:
    """What became of one notifier's (or reporter's, or observer's) deliveries."""

    plugin: str
    delivered: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = attrs.field(factory=list)

    def fail(self, event: Event, error: str) -> None:
        """Record ``event`` as not delivered, with the error."""
        self.failed += 1
        self.errors.append(
            {
                "event": event.id,
                "kind": event.kind.value,
                "time": event.time.isoformat(),
                "task": event.task,
                "index": event.index,
                "plugin": self.plugin,
                "error": error,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """``{"plugin", "delivered", "failed", "errors"}``."""
        return {
            "plugin": self.plugin,
            "delivered": self.delivered,
            "failed": self.failed,
            "errors": list(self.errors),
        }


@attrs.define
class Run:
    """A simulated run with its plugins: the result and the record of every delivery."""

    result: Any = None
    deliveries: dict[str, ChannelRecord] = attrs.field(factory=dict)
    reports: dict[str, ChannelRecord] = attrs.field(factory=dict)
    hooks: dict[str, ChannelRecord] = attrs.field(factory=dict)
    artifacts: list[tuple[str, Artifact, str]] = attrs.field(factory=list)
    """``(reporter, artifact, file written or "")`` in the order they were made."""

    def record(self) -> dict[str, Any]:
        """The run's plugin record, as the ``--json`` output adds it.

        ``deliveries`` per notifier, ``reports`` per reporter (``delivered`` counts
        artifacts, plus ``files`` written), ``hooks`` per plugin implementing
        ``planflow_event`` (only those that failed at least once).
        """
        reports = {}
        for name, rec in self.reports.items():
            files = [path or art.name for r, art, path in self.artifacts if r == name]
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


def _units(plan: Plan, event: Event) -> list[Unit]:
    out = []
    for uid in event.units:
        try:
            out.append(plan.unit(uid))
        except KeyError:
            continue
    return out


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
    :param on_failure: told of every failure as it happens.
    :param simulate_options: passed to :func:`planflow.run.simulation.simulate`
        (``model``, ``seed``, ``scenario``, ``start``, ``end``, ``until`` …).
    :raises PlanError: an unknown notifier or reporter, or bad settings — before
        the run starts.
    """
    from planflow.run.simulation import SimulationResult, simulate

    settings = settings or {}
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
    run.reports = {r.name: ChannelRecord(plugin) for r, plugin in reporters}
    out_dir = Path(report_dir) if report_dir is not None else None

    def failed(record: ChannelRecord, what: str, event: Event, error: str) -> None:
        record.fail(event, error)
        if on_failure is not None:
            on_failure(what, record.plugin, event, error)

    def on_event(event: Event) -> None:
        for plugin, outcome in call_each(pm, "planflow_event", event=event, plan=plan):
            record = run.hooks.setdefault(plugin, ChannelRecord(plugin))
            if isinstance(outcome, Failure):
                failed(record, f"planflow_event of plugin {plugin!r}", event, outcome.error)
            else:
                record.delivered += 1
        units = _units(plan, event)
        for notifier, channel in configured:
            record = run.deliveries[notifier.name]
            try:
                notifier.deliver(event, plan=plan, units=units, settings=channel)
            except Exception as exc:
                failed(record, f"notifier {notifier.name!r}", event, f"{type(exc).__name__}: {exc}")
            else:
                record.delivered += 1

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
    failed: Callable[[ChannelRecord, str, Event, str], None],
) -> None:
    record = run.reports[reporter.name]
    what = f"reporter {reporter.name!r}"
    try:
        artifacts = list(reporter.report(context))
        for artifact in artifacts:
            if not isinstance(artifact, Artifact) or "/" in artifact.name or "\\" in artifact.name:
                raise TypeError(f"not an Artifact with a plain file name: {artifact!r}")
    except Exception as exc:
        failed(record, what, context.period, f"{type(exc).__name__}: {exc}")
        return
    for artifact in artifacts:
        written = ""
        if out_dir is not None:
            try:
                out_dir.mkdir(parents=True, exist_ok=True)
                target = out_dir / artifact.name
                target.write_bytes(artifact.content)
                written = str(target)
            except OSError as exc:
                failed(record, what, context.period, f"{type(exc).__name__}: {exc}")
                continue
        run.artifacts.append((reporter.name, artifact, written))
        record.delivered += 1
