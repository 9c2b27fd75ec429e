"""``planflow serve`` and ``planflow tokens``: the feed server and its private links.

Starlette and uvicorn are only imported by ``serve`` itself (the ``serve`` extra),
so the rest of the CLI works without them.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import click

from planflow.cli.common import load_or_exit, located, plan_argument
from planflow.cli.serve_options import Listen, listen_options, run_server
from planflow.feeds.tokens import Token, TokenStore, default_tokens_path
from planflow.i18n import _
from planflow.plan.errors import PlanError, PlanFileError
from planflow.plan.loading import resolve_plan_path

if TYPE_CHECKING:
    from planflow.plan.model import Plan

__all__ = ["serve", "tokens"]

INSTALL_HINT = "pip install 'planflow[serve]'"
DEFAULT_BASE = "http://127.0.0.1:8080"


def _tokens_path(plan: str, given: str | None) -> Path:
    if given is not None:
        return Path(given)
    try:
        return default_tokens_path(resolve_plan_path(plan))
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@plan_argument
@listen_options
@click.option(
    "--tokens",
    "tokens_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Tokens file: feeds are private, served only at /feeds/<token>/… "
    "[default: PLAN's <name>.tokens.json when it exists]",
)
@click.option(
    "--public", is_flag=True, help="Serve feeds without tokens even if a tokens file exists."
)
@click.option(
    "--base-url",
    metavar="URL",
    envvar="PLANFLOW_BASE_URL",
    help="Public address for the index page's links (e.g. https://lich.example.gov.vn); "
    "default: from each request's Host.",
)
@click.option(
    "--state",
    "state_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Feed state file, to keep SEQUENCE numbers across restarts.",
)
@click.option(
    "--db",
    metavar="URL",
    envvar="PLANFLOW_DB",
    help="State database of the unit pages [default: PLAN_DIR/.planflow/state.db].",
)
@click.option("--max-plans", type=click.IntRange(min=1), default=256, show_default=True,
              help="PLAN is a workspace: plans kept in memory with their feeds.")  # fmt: skip
def serve(
    plan: str,
    listen: Listen,
    tokens_file: str | None,
    public: bool,
    base_url: str | None,
    state_file: str | None,
    db: str | None,
    max_plans: int,
) -> None:
    """Serve the plan's calendar feeds over HTTP, reloading the plan when it changes.

    \b
    Routes: /  (index page with subscription links)
            /feeds/plan.ics, /feeds/units/<unit>.ics       (public)
            /feeds/<token>/units/<unit>.ics                 (with tokens)
            /feeds/[<token>/]expanded/…                     (one event per occurrence)
            /pages/<token>/units/<unit>                     (the unit's page, with tokens)

    Without --tokens and --public, feeds are public until PLAN's tokens file
    (<name>.tokens.json) appears, and private from then on. A tokens file in use
    that goes missing or cannot be read stops every feed (503) until it is good
    again: feeds never fall back to public. Run it behind a reverse proxy in
    production (docs/calendar-feeds.md); the limits below are the second line.

    \b
    PLAN may be a workspace (docs/workspaces.md): every plan is served under
    /PLAN-ID/ (/PLAN-ID/feeds/…), loaded on its first request; a plan with a
    tokens file beside it (plan.tokens.json) has private feeds.

    \b
    Examples:
      planflow serve examples/boy_2025
      planflow serve examples/boy_2025 --tokens /etc/planflow/tokens.json \\
          --base-url https://lich.example.gov.vn
      planflow serve examples/tinh_quang_ngai --max-plans 64
    """
    try:
        import uvicorn  # noqa: F401  (only to tell a missing serve extra)

        from planflow.feeds.server import create_app
    except ImportError:
        raise click.ClickException(
            f"planflow serve needs Starlette and uvicorn: {INSTALL_HINT}"
        ) from None
    from planflow.workspace import is_workspace

    if is_workspace(plan):
        from planflow.cli.workspace_serve import serve_workspace

        serve_workspace(plan, listen, tokens_file=tokens_file, state_file=state_file,
                        base_url=base_url, max_plans=max_plans, public=public)  # fmt: skip
        return
    tokens_path: Path | None = None
    public_until_tokens = False
    if not public:
        tokens_path = _tokens_path(plan, tokens_file)
        public_until_tokens = tokens_file is None and not tokens_path.exists()
    logging.basicConfig(
        level=listen.log_level.upper(), format="%(levelname)-8s %(name)s: %(message)s"
    )
    try:
        app = create_app(
            plan, tokens_path=tokens_path, base_url=base_url, state_path=state_file,
            public_until_tokens=public_until_tokens,
        )  # fmt: skip
        if tokens_path is not None:  # a page per unit, behind the same private links
            from planflow.jobs.pages import add_unit_pages

            add_unit_pages(app, plan, tokens_path=tokens_path, db=db)
    except PlanFileError:
        load_or_exit(plan)  # prints the problems and exits 1
        raise
    except PlanError as exc:
        raise click.ClickException(located(exc)) from None
    if tokens_path is None:
        mode = _("public feeds")
    elif public_until_tokens:
        mode = _("public feeds until {file} appears").format(file=tokens_path)
    else:
        mode = _("private feeds, tokens from {file}").format(file=tokens_path)
    serving = _("serving {plan} on {address} ({mode})")
    click.echo(serving.format(plan=plan, address=listen.address, mode=mode), err=True)
    # a public server may turn private while it runs: only a public start logs requests
    run_server(app, listen, access_log=tokens_path is None)


@click.command()
@plan_argument
@click.option(
    "--tokens",
    "tokens_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Tokens file [default: <plan name>.tokens.json beside the plan file].",
)
@click.option(
    "--unit", "units", multiple=True, metavar="ID", help="Issue a token for this unit (repeatable)."
)
@click.option(
    "--all", "all_feeds", is_flag=True, help="Issue an admin token: the plan feed and every unit's."
)
@click.option("--label", default="", help="Who or which device the new token is for.")
@click.option(
    "--list", "list_tokens", is_flag=True, help="List tokens (ids, units, labels; never secrets)."
)
@click.option(
    "--revoke", "revoke_ids", multiple=True, metavar="ID", help="Revoke a token (repeatable)."
)
@click.option(
    "--rotate",
    "rotate_id",
    metavar="ID",
    help="Give a token a new secret; the old one stops working.",
)
@click.option(
    "--base-url",
    metavar="URL",
    envvar="PLANFLOW_BASE_URL",
    default=DEFAULT_BASE,
    show_default=True,
    help="Public address of the feed server, for the printed links.",
)  # fmt: skip
def tokens(
    plan: str,
    tokens_file: str | None,
    units: tuple[str, ...],
    all_feeds: bool,
    label: str,
    list_tokens: bool,
    revoke_ids: tuple[str, ...],
    rotate_id: str | None,
    base_url: str,
) -> None:
    """Issue, list, revoke and rotate private feed tokens.

    Without options, every unit that has no token yet gets one. A secret is
    printed once, with its subscription links; only its hash is stored (tokens
    file, mode 0600). A running `planflow serve` re-reads the file within a second.

    \b
    Examples:
      planflow tokens examples/boy_2025                       # one per unit
      planflow tokens examples/boy_2025 --unit vhxh --label "điện thoại chị Lan"
      planflow tokens examples/boy_2025 --all --label "văn phòng"
      planflow tokens examples/boy_2025 --list
      planflow tokens examples/boy_2025 --revoke 3f9a1c2e
      planflow tokens examples/boy_2025 --rotate 3f9a1c2e
    """
    actions = sum([bool(list_tokens), bool(revoke_ids), rotate_id is not None,
                   bool(units or all_feeds)])  # fmt: skip
    if actions > 1:
        raise click.UsageError("use one of --list, --revoke, --rotate, or --unit/--all at a time")
    path = _tokens_path(plan, tokens_file)
    try:
        if path.resolve() == resolve_plan_path(plan).resolve():
            raise click.UsageError("the tokens file cannot be the plan file")
        store = TokenStore.load(path)
        if list_tokens:
            _list(store, path)
            return
        if revoke_ids:
            for token_id in revoke_ids:
                token = store.revoke(token_id)
                click.echo(f"revoked {token.id} ({_who(token)})")
            store.save(path)
            return
        base = base_url.rstrip("/")
        if rotate_id is not None:
            token, secret = store.rotate(rotate_id)
            store.save(path)
            click.echo(f"rotated {token.id}: the old secret no longer works")
            _print_links(token, secret, base, None)
            return
        loaded_plan = load_or_exit(plan).plan
        known = [u.id for u in loaded_plan.units]
        for unit_id in units:
            if unit_id not in known:
                from planflow.plan.model import suggest

                hint = suggest(unit_id, known)
                raise click.BadParameter(
                    f"unknown unit {unit_id!r}" + (f"; {hint}" if hint else ""), param_hint="--unit"
                )
        issued: list[tuple[Token, str]] = []
        if all_feeds:
            issued.append(store.issue(None, label=label, all_feeds=True))
        targets = (
            list(units) if (units or all_feeds) else [u for u in known if not store.for_unit(u)]
        )
        issued += [store.issue(unit_id, label=label) for unit_id in targets]
        if not issued:
            click.echo("every unit has a token already; use --unit ID to add another", err=True)
            return
        store.save(path)
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    for token, secret in issued:
        _print_links(token, secret, base, loaded_plan)
    click.echo(
        f"\n{len(issued)} token(s) saved (hashes only) in {path}. The secrets above are shown "
        "only now: send each unit its own links, over a private channel.",
        err=True,
    )
    if base_url == DEFAULT_BASE:
        click.echo("(links use the default address; pass --base-url https://your.host)", err=True)


def _who(token: Token) -> str:
    who = "all feeds" if token.all else f"unit {token.unit}"
    return f"{who}, {token.label}" if token.label else who


def _print_links(token: Token, secret: str, base: str, plan: Plan | None) -> None:
    click.echo(f"\ntoken {token.id} ({_who(token)})")
    paths = [f"/feeds/{secret}/plan.ics"] if token.all else []
    paths.append(f"/feeds/{secret}/units/{'<unit>' if token.all else token.unit}.ics")
    for path in paths:
        https = base + path
        click.echo(f"  {https}")
        click.echo(f"  webcal://{https.split('://', 1)[1]}")


def _list(store: TokenStore, path: Path) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        click.echo(f"no tokens yet ({path} does not exist)", err=True)
        return
    if mode & 0o077:
        click.echo(f"warning: {path} has mode {mode:o}; chmod 600 it", err=True)
    if not len(store):
        click.echo("no tokens", err=True)
        return
    click.echo(f"{'id':8}  {'unit':16}  {'created':20}  label")
    for token in store:
        unit = "* (all feeds)" if token.all else str(token.unit)
        click.echo(f"{token.id:8}  {unit:16}  {token.created:20}  {token.label}")
