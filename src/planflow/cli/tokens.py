"""``planflow tokens``: issue, list, revoke and rotate the private links of the feeds."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TYPE_CHECKING

import click

from planflow.cli.common import load_or_exit, plan_argument
from planflow.cli.lang import TranslatedCommand, lang_option, speak
from planflow.cli.tokens_target import resolve_target
from planflow.feeds.tokens import Token, TokenStore, default_tokens_path
from planflow.i18n import N_, _, ngettext
from planflow.plan.errors import PlanError
from planflow.plan.loading import resolve_plan_path

if TYPE_CHECKING:
    from planflow.plan.model import Plan

__all__ = ["DEFAULT_BASE", "tokens"]

DEFAULT_BASE = "http://127.0.0.1:8080"


def tokens_path(plan: str, given: str | None) -> Path:
    """The tokens file: ``given``, else ``<plan name>.tokens.json`` beside the plan file."""
    if given is not None:
        return Path(given)
    try:
        return default_tokens_path(resolve_plan_path(plan))
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None


_TOKENS_HELP = N_(
    """Issue, list, revoke and rotate private feed tokens.

    Without options, every unit that has no token yet gets one. A secret is
    printed once, with its subscription links; only its hash is stored (tokens
    file, mode 0600). A running `planflow serve` re-reads the file within a second.

    A plan of a workspace (PLAN is the workspace with --plan ID, or a plan folder of
    a workspace with a workspace file) keeps its tokens in plan.tokens.json beside
    its plan file, which `planflow serve WORKSPACE` reads, and its links carry the
    plan id after the address: BASE/PLAN-ID/feeds/…, BASE/PLAN-ID/pages/….
    --all-plans gives every unit without a token, in every plan, one, and writes
    the links to a sheet (--links FILE.csv or FILE.xlsx, mode 0600) to hand out.

    \b
    Examples:
      planflow tokens examples/boy_2025
      planflow tokens examples/boy_2025 --unit vhxh --label "điện thoại chị Lan"
      planflow tokens examples/boy_2025 --all --label "văn phòng"
      planflow tokens examples/boy_2025 --list
      planflow tokens examples/boy_2025 --revoke 3f9a1c2e
      planflow tokens examples/boy_2025 --rotate 3f9a1c2e
      planflow tokens examples/tinh_quang_ngai --plan xa_bo_y --unit vhxh
      planflow tokens examples/tinh_quang_ngai --all-plans --links links.xlsx
    """
)


@click.command(cls=TranslatedCommand, help=_TOKENS_HELP)
@plan_argument
@click.option(
    "--tokens",
    "tokens_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help=N_("Tokens file [default: <plan name>.tokens.json beside the plan file]."),
)
@click.option("--plan", "plan_id", metavar="ID",
              help=N_("PLAN is a workspace: this plan of it (its id or folder name)."))  # fmt: skip
@click.option("--unit", "units", multiple=True, metavar="ID",
              help=N_("Issue a token for this unit (repeatable)."))  # fmt: skip
@click.option("--all", "all_feeds", is_flag=True,
              help=N_("Issue an admin token: the plan feed and every unit's."))  # fmt: skip
@click.option("--all-plans", is_flag=True,
              help=N_("PLAN is a workspace: a token for every unit without one, in every plan; "
                      "the links go to --links FILE."))  # fmt: skip
@click.option("--links", metavar="FILE", type=click.Path(dir_okay=False),
              help=N_("With --all-plans: a new .csv or .xlsx sheet of the links "
                      "(mode 0600)."))  # fmt: skip
@click.option("--label", default="", help=N_("Who or which device the new token is for."))
@click.option("--list", "list_tokens", is_flag=True,
              help=N_("List tokens (ids, units, labels; never secrets)."))  # fmt: skip
@click.option("--revoke", "revoke_ids", multiple=True, metavar="ID",
              help=N_("Revoke a token (repeatable)."))  # fmt: skip
@click.option("--rotate", "rotate_id", metavar="ID",
              help=N_("Give a token a new secret; the old one stops working."))  # fmt: skip
@click.option("--base-url", metavar="URL", envvar="PLANFLOW_BASE_URL", default=DEFAULT_BASE,
              show_default=True,
              help=N_("Public address of the feed server, for the printed links."))  # fmt: skip
@lang_option
def tokens(
    plan: str,
    tokens_file: str | None,
    plan_id: str | None,
    units: tuple[str, ...],
    all_feeds: bool,
    all_plans: bool,
    links: str | None,
    label: str,
    list_tokens: bool,
    revoke_ids: tuple[str, ...],
    rotate_id: str | None,
    base_url: str,
    lang: str | None,
) -> None:
    actions = sum([bool(list_tokens), bool(revoke_ids), rotate_id is not None,
                   bool(units or all_feeds)])  # fmt: skip
    if actions > 1:
        raise click.UsageError(
            _("use one of --list, --revoke, --rotate, or --unit/--all at a time")
        )
    if all_plans or links is not None:
        _all_plans(plan, all_plans, links, actions, plan_id, tokens_file, base_url, label)
        return
    target = resolve_target(plan, plan_id, tokens_file)
    path = target.tokens
    try:
        if path.resolve() == target.plan_file.resolve():
            raise click.UsageError(_("the tokens file cannot be the plan file"))
        store = TokenStore.load(path)
        if list_tokens:
            _list(store, path)
            return
        if revoke_ids:
            for token_id in revoke_ids:
                token = store.revoke(token_id)
                click.echo(_("revoked {id} ({who})").format(id=token.id, who=_who(token)))
            store.save(path)
            return
        base = target.base(base_url)
        if rotate_id is not None:
            token, secret = store.rotate(rotate_id)
            store.save(path)
            click.echo(_("rotated {id}: the old secret no longer works").format(id=token.id))
            _print_links(token, secret, base)
            _tell_note(target.note)
            return
        loaded_plan = (target.loaded or load_or_exit(plan)).plan
        speak(loaded_plan)
        issued = _issue(store, loaded_plan, units, all_feeds, label)
        if not issued:
            message = _("every unit has a token already; use --unit ID to add another")
            click.echo(message, err=True)
            return
        store.save(path)
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    for token, secret in issued:
        _print_links(token, secret, base)
    saved = ngettext(
        "{count} token saved (hashes only) in {file}.",
        "{count} tokens saved (hashes only) in {file}.",
        len(issued),
    )
    secrets = _(
        "The secrets above are shown only now: send each unit its own links, over a "
        "private channel."
    )
    click.echo("\n" + saved.format(count=len(issued), file=path) + " " + secrets, err=True)
    if base_url == DEFAULT_BASE:
        click.echo(
            _("(links use the default address; pass --base-url https://your.host)"), err=True
        )
    _tell_note(target.note)


def _tell_note(note: str | None) -> None:
    if note is not None:
        click.echo(note, err=True)


def _all_plans(
    plan: str,
    all_plans: bool,
    links: str | None,
    actions: int,
    plan_id: str | None,
    tokens_file: str | None,
    base_url: str,
    label: str,
) -> None:
    """``--all-plans --links FILE``: every plan of the workspace at once."""
    from planflow.cli.tokens_all import issue_all_plans

    if not all_plans:
        raise click.UsageError(_("--links goes with --all-plans"))
    if actions or plan_id is not None or tokens_file is not None:
        raise click.UsageError(
            _("--all-plans works on every plan: without --plan, --unit, --all, --list, "
              "--revoke, --rotate or --tokens")
        )  # fmt: skip
    if links is None:
        raise click.UsageError(
            _("--all-plans writes the new links to a sheet: give --links FILE.csv or FILE.xlsx")
        )
    code = issue_all_plans(plan, links, base_url, label, jobs=0, no_cache=False)
    if base_url == DEFAULT_BASE:
        click.echo(
            _("(links use the default address; pass --base-url https://your.host)"), err=True
        )
    if code:
        raise SystemExit(code)


def _issue(
    store: TokenStore, plan: Plan, units: tuple[str, ...], all_feeds: bool, label: str
) -> list[tuple[Token, str]]:
    """New tokens: for ``units``, an admin one with ``all_feeds``, else one per unit without."""
    known = [u.id for u in plan.units]
    for unit_id in units:
        if unit_id not in known:
            from planflow.plan.model import suggest

            hint = suggest(unit_id, known)
            message = _("unknown unit {id!r}").format(id=unit_id)
            raise click.BadParameter(message + (f"; {hint}" if hint else ""), param_hint="--unit")
    issued: list[tuple[Token, str]] = []
    if all_feeds:
        issued.append(store.issue(None, label=label, all_feeds=True))
    targets = list(units) if (units or all_feeds) else [u for u in known if not store.for_unit(u)]
    issued += [store.issue(unit_id, label=label) for unit_id in targets]
    return issued


def _who(token: Token) -> str:
    who = _("all feeds") if token.all else _("unit {id}").format(id=token.unit)
    return f"{who}, {token.label}" if token.label else who


def _print_links(token: Token, secret: str, base: str) -> None:
    """The token's feed links (https and webcal) and its unit page, under ``base``."""
    click.echo("\n" + _("token {id} ({who})").format(id=token.id, who=_who(token)))
    unit = "<unit>" if token.all else token.unit
    paths = [f"/feeds/{secret}/plan.ics"] if token.all else []
    paths.append(f"/feeds/{secret}/units/{unit}.ics")
    for path in paths:
        https = base + path
        click.echo(f"  {https}")
        click.echo(f"  webcal://{https.split('://', 1)[1]}")
    click.echo("  " + _("unit page: {url}").format(url=f"{base}/pages/{secret}/units/{unit}"))


def _list(store: TokenStore, path: Path) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        click.echo(_("no tokens yet ({file} does not exist)").format(file=path), err=True)
        return
    if mode & 0o077:
        message = _("warning: {file} has mode {mode}; chmod 600 it")
        click.echo(message.format(file=path, mode=f"{mode:o}"), err=True)
    if not len(store):
        click.echo(_("no tokens"), err=True)
        return
    header = (_("id"), _("unit"), _("created"), _("label"))
    click.echo(f"{header[0]:8}  {header[1]:16}  {header[2]:20}  {header[3]}")
    for token in store:
        unit = "* " + _("(all feeds)") if token.all else str(token.unit)
        click.echo(f"{token.id:8}  {unit:16}  {token.created:20}  {token.label}")
