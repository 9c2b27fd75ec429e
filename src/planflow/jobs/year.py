"""The real year: a plan, its state store, and advancing it to now.

::

    from datetime import datetime
    from planflow.hooks.manager import get_plugin_manager
    from planflow.jobs.year import Year, advance

    with Year.open("examples/boy_2025") as year:          # .planflow/state.db next to it
        report = advance(year, now=datetime(2025, 10, 6, 7, 0),
                         pm=get_plugin_manager(), notify=["console"])
        report.emitted, report.delivered     # events new today, deliveries made

What :func:`advance` does, under the plan's run lock:

1. reconcile: completions of occurrences that left the plan are archived;
2. replay the year with the recorded completions up to today
   (:func:`planflow.run.recorded.replay`) and keep the events never recorded before
   (the engine's event ids are stable);
3. in **one transaction**, record the run, those events and an outbox row per
   event and notifier. Events of days no run covered (the job did not run) are
   gathered into one ``digest`` event per unit instead of a flood;
4. hand every pending outbox row to its notifier, and mark it delivered only once
   the notifier has returned. A row whose notifier raised stays pending (retried
   by the next run, up to ``max_attempts``).

A run killed at any point delivers, on the next run, what was pending, and emits
nothing twice; a notifier interrupted after its receiver got the event may repeat
that one delivery, with the same idempotency key (the event id, sent by the
webhook and e-mail plugins as ``X-Planflow-Delivery``).
"""

from __future__ import annotations

import getpass
import hashlib
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from planflow.hooks.channels import resolve_settings
from planflow.hooks.failures import Failure
from planflow.hooks.manager import PluginManager, call_each
from planflow.hooks.specs import ChannelSettings, Notifier
from planflow.jobs.digest import digest_event
from planflow.jobs.records import ChannelRecord, failure_place
from planflow.jobs.simulate import OnFailure, _pick, deliver_one
from planflow.plan.errors import PlanError
from planflow.plan.loading import LoadedPlan, load
from planflow.plan.model import Plan
from planflow.run.events import Event
from planflow.run.indicators import Measurements
from planflow.run.recorded import Replay, replay
from planflow.run.store import Store
from planflow.timeline.occurrences import Timeline

__all__ = ["MAX_ATTEMPTS", "RunReport", "Year", "advance", "current_user", "digest_event"]

#: Deliveries whose notifier raised this many times are given up (status ``failed``).
MAX_ATTEMPTS = 5


def current_user(environ: Mapping[str, str] | None = None) -> str:
    """Who is recording: ``$PLANFLOW_USER``, else the login name."""
    env = os.environ if environ is None else environ
    if env.get("PLANFLOW_USER"):
        return env["PLANFLOW_USER"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


@attrs.define
class Year:
    """A loaded plan with its state store: what every real-year function works on."""

    loaded: LoadedPlan
    store: Store
    timeline: Timeline
    plan_hash: str
    fixed_now: datetime | None = None
    """When set (``--now``), the time every function takes as now."""

    @classmethod
    def open(
        cls,
        plan: str | os.PathLike[str],
        db: str | None = None,
        *,
        now: datetime | None = None,
        loaded: LoadedPlan | None = None,
    ) -> Year:
        """Load ``plan`` (file or folder) and open its store (``db`` URL, else the default).

        ``now`` fixes the clock (naive times are in the plan's time zone); ``loaded`` is
        the plan already loaded from ``plan`` (a workspace's plan, with its shared units).

        :raises PlanFileError: the plan does not load.
        :raises StoreError: the database cannot be opened.
        """
        loaded = loaded or load(plan)
        digest = hashlib.sha256(Path(loaded.file).read_bytes()).hexdigest()
        store = Store.for_plan(loaded.file, db)
        year = cls(loaded, store, Timeline(loaded.plan), digest)
        if now is not None:
            year.fixed_now = now if now.tzinfo else now.replace(tzinfo=year.zone())
        return year

    def again(self, db: str | None = None, *, now: datetime | None = None) -> Year:
        """The same loaded plan and timeline (nothing re-read) with a store of its own:
        what a server hands each request while the plan file stays the same."""
        year = Year(
            self.loaded, Store.for_plan(self.loaded.file, db), self.timeline, self.plan_hash
        )
        if now is not None:
            year.fixed_now = now if now.tzinfo else now.replace(tzinfo=year.zone())
        return year

    @property
    def plan(self) -> Plan:
        """The plan."""
        return self.loaded.plan

    def zone(self) -> ZoneInfo:
        """The plan's time zone."""
        return ZoneInfo(self.plan.timezone)

    def now(self) -> datetime:
        """The current time in the plan's time zone (``fixed_now`` if set)."""
        if self.fixed_now is not None:
            return self.fixed_now.astimezone(self.zone())
        return datetime.now(self.zone())

    def today(self) -> date:
        """Today in the plan's time zone."""
        return self.now().date()

    def completions(self) -> dict[tuple[str, int], date]:
        """``(duty, index) → day`` of every occurrence recorded as done."""
        return {key: rec.day for key, rec in self.store.done(self.plan.id).items() if rec.day}

    def measurements(self) -> Measurements:
        """The indicator values the units reported (``planflow record``), per unit, in
        the order recorded; judged by the checkpoint rule of
        :func:`planflow.run.indicators.reported_value`."""
        reported: dict[str, dict[str, list[tuple[date, float]]]] = {
            i.id: {} for i in self.plan.indicators
        }
        for rec in self.store.measurements(self.plan.id):
            if rec.target in reported and rec.by_unit:
                reported[rec.target].setdefault(rec.by_unit, []).append((rec.day, rec.value))
        return Measurements(reported=reported)

    def replay(self, until: date) -> Replay:
        """The year replayed with the recorded completions (and the reported indicator
        values) up to ``until``."""
        return replay(
            self.timeline, self.completions(), until=until, measurements=self.measurements()
        )

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> Year:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@attrs.define
class RunReport:
    """What one :func:`advance` did."""

    run_id: int
    as_of: date
    emitted: list[Event] = attrs.field(factory=list)
    """New events sent one by one (today's, and those made by records since the last run)."""
    digests: list[Event] = attrs.field(factory=list)
    """One per unit when days were missed; what they gather is recorded, not sent."""
    gathered: int = 0
    delivered: int = 0
    skipped: int = 0
    failed: int = 0
    deliveries: dict[str, ChannelRecord] = attrs.field(factory=dict)
    """Per notifier of this run: delivered, skipped (with reasons), failed, as ``simulate``."""
    waiting: Counter[str] = attrs.field(factory=Counter)
    """Pending deliveries per notifier not configured in this run."""
    errors: list[dict[str, Any]] = attrs.field(factory=list)
    changes: dict[str, Any] = attrs.field(factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (also kept with the run in the store)."""
        return {
            "run": self.run_id,
            "as_of": self.as_of.isoformat(),
            "emitted": len(self.emitted),
            "digests": len(self.digests),
            "gathered": self.gathered,
            "delivered": self.delivered,
            "skipped": self.skipped,
            "failed": self.failed,
            "waiting": dict(self.waiting),
            "errors": self.errors,
            "deliveries": {k: v.to_dict() for k, v in self.deliveries.items()},
            "changes": self.changes,
        }


def _configure(
    plan: Plan,
    pm: PluginManager,
    notify: Sequence[str],
    settings: Mapping[str, Mapping[str, str]],
    environ: Mapping[str, str] | None,
) -> dict[str, tuple[Notifier, ChannelSettings, str]]:
    entries = _pick(pm.notifiers(), notify, "notifier", "--notify")
    notifiers = [r.obj for r in entries]
    for name in settings:
        if name not in {n.name for n in notifiers}:
            raise PlanError(
                f"--set {name}.…: notifier {name!r} is not used in this run",
                hint=f"add --notify {name}",
            )
    return {
        n.name: (n, resolve_settings(n, plan, settings.get(n.name), environ), r.plugin)
        for r in entries
        for n in (r.obj,)
    }


def _reconcile(year: Year) -> tuple[dict[str, Any], list[tuple[str, int, date | None, str]]]:
    """What changed since the last run's plan version, and the completions to archive."""
    store, plan = year.store, year.plan
    current = {f"{o.task}#{o.index}": o.due.isoformat() for o in year.timeline}
    changes: dict[str, Any] = {}
    last = store.last_run(plan.id)
    if last is not None and last.plan_hash != year.plan_hash:
        old = store.plan_version(plan.id, last.plan_hash) or {}
        changes = {
            "from": last.plan_hash[:12],
            "to": year.plan_hash[:12],
            "added": sorted(set(current) - set(old)),
            "removed": sorted(set(old) - set(current)),
            "moved": sorted(k for k in set(current) & set(old) if current[k] != old[k]),
        }
    archive = [
        (task, index, rec.due, f"không còn trong kế hoạch (phiên bản {year.plan_hash[:12]})")
        for (task, index), rec in sorted(store.done(plan.id).items())
        if f"{task}#{index}" not in current
    ]
    if archive:
        changes["archived"] = [f"{t}#{i}" for t, i, _, _ in archive]
    return changes, archive


def advance(
    year: Year,
    *,
    now: datetime | None = None,
    pm: PluginManager,
    notify: Sequence[str] = (),
    settings: Mapping[str, Mapping[str, str]] | None = None,
    environ: Mapping[str, str] | None = None,
    on_failure: OnFailure | None = None,
    who: str | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> RunReport:
    """Advance the recorded year to ``now`` (default: the real clock, plan time zone).

    :param notify: notifier names (``--notify``); their outbox rows are delivered.
    :param settings: ``--set`` overrides ``{notifier: {key: value}}``.
    :param on_failure: told of every failed delivery as it happens.
    :raises PlanError: an unknown notifier or bad settings — before anything is recorded.
    """
    plan = year.plan
    when = now if now is not None else year.now()
    if when.tzinfo is None:
        when = when.replace(tzinfo=year.zone())
    today = when.astimezone(year.zone()).date()
    configured = _configure(plan, pm, notify, settings or {}, environ)
    who = who or current_user(environ)
    store = year.store
    with store.run_lock(plan.id):
        changes, archive = _reconcile(year)
        last_day = store.last_day(plan.id)
        emitted = store.emitted_ids(plan.id)
        archived = {(t, i) for t, i, _, _ in archive}
        completions = {k: d for k, d in year.completions().items() if k not in archived}
        state = replay(year.timeline, completions, until=today)
        new = [e for e in state.events if e.id not in emitted]
        catching_up = last_day is None or (today - last_day).days > 1

        def stale(e: Event) -> bool:
            missed_day = e.time < today and (last_day is None or e.time > last_day)
            return catching_up and missed_day and e.unit is not None

        report = RunReport(0, today, changes=changes)
        report.deliveries = {name: ChannelRecord(c[2]) for name, c in configured.items()}
        by_unit: dict[str, list[Event]] = {}
        for event in new:
            if stale(event):
                for unit in event.units:
                    by_unit.setdefault(unit, []).append(event)
            else:
                report.emitted.append(event)
        report.digests = [
            digest_event(plan.id, unit, gathered, today) for unit, gathered in by_unit.items()
        ]
        carried = {e.id: digest.id for digest in report.digests for e in by_unit[str(digest.unit)]}
        report.gathered = len(carried)
        records = [(e.to_dict(), carried.get(e.id)) for e in new]
        records += [(d.to_dict(), None) for d in report.digests]
        outgoing = report.emitted + report.digests
        deliveries = [(e.id, name, e.to_dict()) for e in outgoing for name in configured]
        report.run_id = store.record_run(
            plan=plan.id,
            plan_hash=year.plan_hash,
            now=when,
            as_of=today,
            who=who,
            occurrences={f"{o.task}#{o.index}": o.due.isoformat() for o in year.timeline},
            new_events=records,
            deliveries=deliveries,
            archive=archive,
            summary={"changes": changes},
        )
        for event in outgoing:
            _observe(pm, event, plan, on_failure)
        _deliver(year, pm, configured, report, on_failure, max_attempts)
        store.finish_run(report.run_id, report.to_dict())
    return report


def _observe(pm: PluginManager, event: Event, plan: Plan, on_failure: OnFailure | None) -> None:
    for plugin, outcome in call_each(pm, "planflow_event", event=event, plan=plan):
        if isinstance(outcome, Failure):
            shown, on = failure_place("planflow_event", event)
            pm.failures.add(plugin, shown, outcome.error, exc=outcome.exception, detail=on)
            if on_failure is not None:
                on_failure("planflow_event", plugin, event, outcome.error)


def _deliver(
    year: Year,
    pm: PluginManager,
    configured: Mapping[str, tuple[Notifier, ChannelSettings, str]],
    report: RunReport,
    on_failure: OnFailure | None,
    max_attempts: int,
) -> None:
    """Hand every pending outbox row to its notifier; record each outcome at once.

    A notifier that returns (delivered, or :class:`~planflow.hooks.specs.Skipped`) has
    dealt with the row: it is marked done and counted as ``simulate`` counts it."""
    plan, store = year.plan, year.store
    for delivery in store.pending(plan.id):
        if delivery.notifier not in configured:
            report.waiting[delivery.notifier] += 1
            continue
        notifier, channel, plugin = configured[delivery.notifier]
        record = report.deliveries[delivery.notifier]
        event = Event.from_dict(delivery.payload)
        try:
            skipped = deliver_one(notifier, event, plan, channel)
        except Exception as exc:
            error = Failure.of(plugin, exc).error
            status = store.mark_failed(delivery.id, error, give_up_after=max_attempts)
            record.fail(event, error)
            shown, on = failure_place(f"notifier {delivery.notifier!r}", event)
            pm.failures.add(plugin, shown, error, exc=exc, detail=on)
            report.failed += 1
            report.errors.append(
                {"event": event.id, "notifier": delivery.notifier, "error": error, "status": status}
            )
            if on_failure is not None:
                on_failure(f"notifier {delivery.notifier!r}", plugin, event, error)
        else:
            store.mark_delivered(delivery.id)
            if skipped is None:
                record.delivered += 1
                report.delivered += 1
            else:
                record.skip(skipped.reason or "skipped")
                report.skipped += 1
