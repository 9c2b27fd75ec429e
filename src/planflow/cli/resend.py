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
    """Deliver the failed events recorded in FILE again, each through its notifier.

    Each event delivered is marked in FILE at once, so running resend again never
    delivers it twice; the events that fail again stay pending. Prints, per notifier,
    how many were delivered, skipped and failed.

    \b
    Examples:
      planflow simulate examples/boy_2025 --notify webhook --failed failed.jsonl
      planflow resend examples/boy_2025 --events failed.jsonl
      planflow resend examples/boy_2025 --events failed.jsonl --set webhook.timeout=10
    """
)


@click.command("resend", cls=TranslatedCommand, help=_RESEND_HELP)
@plan_argument
@click.option(
    "--events",
    "events_file",
    required=True,
    type=click.Path(dir_okay=False),
    help=N_("The file written by planflow simulate --failed FILE."),
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
    plan: str, events_file: str, set_items: tuple[str, ...], strict: bool, lang: str | None
) -> None:
    """``planflow resend`` (its help is ``_RESEND_HELP``, translated)."""
    from planflow.cli.plugins import EXIT_STRICT, get_pm
    from planflow.hooks.channels import parse_overrides
    from planflow.jobs.resend import pending, resend

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
