"""``planflow resend``: deliver again the events a run failed to deliver, once each."""

from __future__ import annotations

import sys

import click

from planflow.cli.common import load_or_exit, plan_argument
from planflow.cli.lang import TranslatedCommand, lang_option, speak
from planflow.i18n import N_, _
from planflow.plan.errors import PlanError

__all__ = ["resend_command"]

_RESEND_HELP = N_(
    """Deliver the failed events recorded in FILE again, each through its notifier;
    with --outbox, the real year's deliveries that planflow run could not make.

    Each event delivered is marked in FILE (in the outbox) at once, so running resend
    again never delivers it twice; the events that fail again stay pending. Prints,
    per notifier, how many were delivered, skipped and failed.

    \b
    Examples:
      planflow simulate examples/boy_2025 --notify webhook --failed failed.jsonl
      planflow resend examples/boy_2025 --events failed.jsonl
      planflow resend examples/boy_2025 --events failed.jsonl --set webhook.timeout=10
      planflow resend examples/boy_2025 --outbox --set webhook.timeout=10
    """
)


@click.command("resend", cls=TranslatedCommand, help=_RESEND_HELP)
@plan_argument
@click.option(
    "--events",
    "events_file",
    type=click.Path(dir_okay=False),
    help=N_("The file written by planflow simulate --failed FILE."),
)
@click.option(
    "--outbox",
    is_flag=True,
    help=N_("Deliver the real year's pending and given-up deliveries (planflow run's outbox)."),
)
@click.option(
    "--db",
    metavar="URL",
    envvar="PLANFLOW_DB",
    help=N_("With --outbox: the state database [default: PLAN_DIR/.planflow/state.db]."),
)
@click.option(
    "--set",
    "set_items",
    multiple=True,
    metavar="NOTIFIER.[UNIT.]KEY=VALUE",
    help=N_("Override a channel setting of the plan file; repeatable."),
)
@click.option("--strict", is_flag=True, help=N_("Exit with status 3 when an event fails again."))
@lang_option
def resend_command(
    plan: str,
    events_file: str | None,
    outbox: bool,
    db: str | None,
    set_items: tuple[str, ...],
    strict: bool,
    lang: str | None,
) -> None:
    """``planflow resend`` (its help is ``_RESEND_HELP``, translated)."""
    from planflow.cli.plugins import EXIT_STRICT, get_pm
    from planflow.hooks.channels import parse_overrides
    from planflow.jobs.resend import pending, resend

    if outbox == (events_file is not None):
        raise click.UsageError(_("give either --events FILE or --outbox"))
    if events_file is None:
        _resend_outbox(plan, db, set_items, strict)
        return
    p = load_or_exit(plan).plan
    speak(p)
    pm = get_pm()
    try:
        before = len(pending(events_file))
        result = resend(p, events_file, pm=pm, settings=parse_overrides(set_items))
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    if not before:
        click.echo(_("planflow: nothing to resend in {file}").format(file=events_file), err=True)
    for name, record in result.records.items():
        click.echo(f"planflow: {record.summary(name, 'notifier')}", err=True)
    if result.failed:
        click.echo(
            _("planflow: {count} still pending in {file}; run resend again").format(
                count=result.failed, file=events_file
            ),
            err=True,
        )
        if strict:
            sys.exit(EXIT_STRICT)


def _resend_outbox(plan: str, db: str | None, set_items: tuple[str, ...], strict: bool) -> None:
    from planflow.cli.plugins import EXIT_STRICT, get_pm
    from planflow.cli.year import _open
    from planflow.hooks.channels import parse_overrides
    from planflow.jobs.outbox_resend import resend_outbox

    pm = get_pm()
    with _open(plan, db, None) as year:
        try:
            requeued, report = resend_outbox(year, pm=pm, settings=parse_overrides(set_items))
        except PlanError as exc:
            raise click.ClickException(str(exc)) from None
    if not report.deliveries:
        click.echo(_("planflow: nothing to resend in the outbox"), err=True)
    elif requeued:
        click.echo(_("planflow: {count} given-up deliveries tried again").format(count=requeued),
                   err=True)  # fmt: skip
    for name, record in report.deliveries.items():
        click.echo(f"planflow: {record.summary(name, 'notifier')}", err=True)
    if report.failed:
        click.echo(
            _("planflow: {count} still pending in the outbox; the next planflow run "
              "tries them again").format(count=report.failed),
            err=True,
        )  # fmt: skip
        if strict:
            sys.exit(EXIT_STRICT)
