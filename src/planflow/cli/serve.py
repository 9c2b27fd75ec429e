"""``planflow serve``: the feed server (its private links: :mod:`planflow.cli.tokens`).

Starlette and uvicorn are only imported by ``serve`` itself (the ``serve`` extra),
so the rest of the CLI works without them.
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

from planflow.cli.common import load_or_exit, located, plan_argument
from planflow.cli.lang import TranslatedCommand, lang_option
from planflow.cli.serve_options import Listen, listen_options, run_server
from planflow.cli.tokens import tokens_path as _tokens_path
from planflow.i18n import N_, _
from planflow.plan.errors import PlanError, PlanFileError

__all__ = ["serve"]

INSTALL_HINT = "pip install 'planflow[serve]'"


_SERVE_HELP = N_(
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
    Examples:
      planflow serve examples/boy_2025
      planflow serve examples/boy_2025 --tokens /etc/planflow/tokens.json \\
          --base-url https://lich.example.gov.vn
    """
)


_SERVE_WORKSPACE = N_(
    """PLAN may be a workspace (docs/workspaces.md): every plan is served under
    /PLAN-ID/ (/PLAN-ID/feeds/…), loaded on its first request; a plan with a
    tokens file beside it (plan.tokens.json) has private feeds and unit pages
    (/PLAN-ID/pages/<token>/units/<unit>). --db is then one database for every
    plan [default: each plan's PLAN_DIR/.planflow/state.db]; several servers on
    one PostgreSQL database can run behind nginx (docs/scale.md).

    \b
    Examples:
      planflow serve examples/tinh_quang_ngai --max-plans 64
      planflow serve tinh --db postgresql://planflow@db/tinh --port 8001
    """
)


@click.command(cls=TranslatedCommand, help=_SERVE_HELP, epilog=_SERVE_WORKSPACE)
@plan_argument
@listen_options
@click.option(
    "--tokens",
    "tokens_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help=N_(
        "Tokens file: feeds are private, served only at /feeds/<token>/… "
        "[default: PLAN's <name>.tokens.json when it exists]"
    ),
)
@click.option(
    "--public", is_flag=True, help=N_("Serve feeds without tokens even if a tokens file exists.")
)
@click.option(
    "--base-url",
    metavar="URL",
    envvar="PLANFLOW_BASE_URL",
    help=N_(
        "Public address for the index page's links (e.g. https://lich.example.gov.vn); "
        "default: from each request's Host."
    ),
)
@click.option(
    "--state",
    "state_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help=N_("Feed state file, to keep SEQUENCE numbers across restarts."),
)
@click.option(
    "--db",
    metavar="URL",
    envvar="PLANFLOW_DB",
    help=N_("State database of the unit pages [default: PLAN_DIR/.planflow/state.db]."),
)
@click.option("--max-plans", type=click.IntRange(min=1), default=256, show_default=True,
              help=N_("PLAN is a workspace: plans kept in memory with their feeds."))  # fmt: skip
@lang_option
def serve(
    plan: str,
    listen: Listen,
    tokens_file: str | None,
    public: bool,
    base_url: str | None,
    state_file: str | None,
    db: str | None,
    max_plans: int,
    lang: str | None,
) -> None:
    try:
        import uvicorn  # noqa: F401  (only to tell a missing serve extra)

        from planflow.feeds.server import create_app
    except ImportError:
        raise click.ClickException(
            _("planflow serve needs Starlette and uvicorn: {command}").format(command=INSTALL_HINT)
        ) from None
    from planflow.workspace import is_workspace

    if is_workspace(plan):
        from planflow.cli.workspace_serve import serve_workspace

        serve_workspace(plan, listen, tokens_file=tokens_file, state_file=state_file,
                        base_url=base_url, db=db, max_plans=max_plans, public=public)  # fmt: skip
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
