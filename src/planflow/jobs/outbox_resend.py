"""Deliver again what a real run could not: the outbox rows still pending, and those
given up on after :data:`~planflow.jobs.year.MAX_ATTEMPTS` failed attempts.

``planflow resend PLAN --outbox`` (the real-year counterpart of ``resend --events
FILE``)::

    from planflow.hooks.manager import get_plugin_manager
    from planflow.jobs.outbox_resend import resend_outbox
    from planflow.jobs.year import Year

    with Year.open("examples/boy_2025") as year:
        requeued, report = resend_outbox(year, pm=get_plugin_manager(),
                                         settings={"webhook": {"timeout": "10"}})

Under the plan's run lock, the given-up rows go back to ``pending`` (attempts from
0), then every pending row is handed to its notifier exactly as ``planflow run``
does: marked delivered only once the notifier has returned, so a row is never
delivered twice, and one that fails again stays in the outbox for the next run.
"""

from __future__ import annotations

from collections.abc import Mapping

from planflow.hooks.manager import PluginManager
from planflow.jobs.records import ChannelRecord
from planflow.jobs.simulate import OnFailure
from planflow.jobs.year import MAX_ATTEMPTS, RunReport, Year, _configure, _deliver

__all__ = ["resend_outbox"]


def resend_outbox(
    year: Year,
    *,
    pm: PluginManager,
    settings: Mapping[str, Mapping[str, str]] | None = None,
    environ: Mapping[str, str] | None = None,
    on_failure: OnFailure | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> tuple[int, RunReport]:
    """Requeue the given-up deliveries and deliver every pending one, each through the
    notifier it was meant for (``settings``: ``--set`` overrides).

    :returns: how many given-up rows were requeued, and what the deliveries did.
    :raises PlanError: a notifier of a pending row is not installed, or bad settings;
        nothing is requeued then.
    """
    plan, store = year.plan, year.store
    report = RunReport(0, year.today())
    with store.run_lock(plan.id):
        names = sorted({d.notifier for d in store.outbox(plan.id) if d.status != "delivered"})
        if not names:
            return 0, report  # nothing to resend (and no --set to check against)
        configured = _configure(plan, pm, names, settings or {}, environ)
        requeued = store.requeue_failed(plan.id)
        report.deliveries = {name: ChannelRecord(c[2]) for name, c in configured.items()}
        _deliver(year, pm, configured, report, on_failure, max_attempts)
    return requeued, report
