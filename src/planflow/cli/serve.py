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


@click.command(cls=TranslatedCommand, help=_SERVE_HELP)
@plan_argument
@click.option("--host", default="127.0.0.1", show_default=True, help=N_("Address to listen on."))
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help=N_("Port to listen on."))  # fmt: skip
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
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    help=N_("Proxies whose X-Forwarded-Proto/For are trusted (the nginx in front)."),
)
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              help=N_("How much the server logs."))  # fmt: skip
@click.option(
    "--db",
    metavar="URL",
    envvar="PLANFLOW_DB",
    help=N_("State database of the unit pages [default: PLAN_DIR/.planflow/state.db]."),
)
@click.option(
    "--max-header-bytes",
    default=16384,
    show_default=True,
    type=click.IntRange(1024),
    help=N_("Largest request line and headers, in bytes."),
)
@click.option(
    "--header-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help=N_("Seconds a client may take to send its request line and headers."),
)
@click.option(
    "--max-connections",
    default=200,
    show_default=True,
    type=click.IntRange(1),
    help=N_("Open connections at most; more are closed (or answered 503)."),
)
@click.option("--keep-alive", default=5, show_default=True, type=click.IntRange(1),
              help=N_("Seconds an idle connection stays open between requests."))  # fmt: skip
@lang_option
def serve(
    plan: str,
    host: str,
    port: int,
    tokens_file: str | None,
    public: bool,
    base_url: str | None,
    state_file: str | None,
    forwarded_allow_ips: str,
    log_level: str,
    db: str | None,
    max_header_bytes: int,
    header_timeout: float,
    max_connections: int,
    keep_alive: int,
    lang: str | None,
) -> None:
    try:
        import uvicorn

        from planflow.feeds.server import create_app
        from planflow.feeds.server.protocol import guarded_protocol
    except ImportError:
        raise click.ClickException(
            _("planflow serve needs Starlette and uvicorn: {command}").format(command=INSTALL_HINT)
        ) from None
    tokens_path: Path | None = None
    public_until_tokens = False
    if not public:
        tokens_path = _tokens_path(plan, tokens_file)
        public_until_tokens = tokens_file is None and not tokens_path.exists()
    logging.basicConfig(level=log_level.upper(), format="%(levelname)-8s %(name)s: %(message)s")
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
    click.echo(serving.format(plan=plan, address=f"http://{host}:{port}/", mode=mode), err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        # private feed URLs hold secrets: keep them out of logs (and a public server may
        # turn private while it runs)
        access_log=tokens_path is None,
        http=guarded_protocol(header_timeout=header_timeout, max_connections=max_connections),
        h11_max_incomplete_event_size=max_header_bytes,
        timeout_keep_alive=keep_alive,
        limit_concurrency=max_connections,
    )
