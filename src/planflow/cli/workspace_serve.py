"""``planflow serve WORKSPACE``: every plan's feeds from one server, under ``/PLAN-ID/``."""

from __future__ import annotations

import logging

import click

from planflow.cli.workspace_options import open_session

__all__ = ["serve_workspace"]


def serve_workspace(
    path: str,
    *,
    host: str,
    port: int,
    tokens_file: str | None,
    state_file: str | None,
    base_url: str | None,
    max_plans: int,
    forwarded_allow_ips: str,
    log_level: str,
) -> None:
    """Run the workspace server with uvicorn (the serve extra is installed)."""
    import uvicorn

    from planflow.workspace.app import create_workspace_app

    if tokens_file is not None or state_file is not None:
        raise click.UsageError(
            "with a workspace, tokens and feed state are per plan: put plan.tokens.json "
            "beside a plan's plan.yaml (planflow tokens PLAN-FOLDER) instead of --tokens/--state"
        )
    open_session(path, no_cache=True)  # a bad workspace file: its problems, exit 1
    logging.basicConfig(level=log_level.upper(), format="%(levelname)-8s %(name)s: %(message)s")
    app = create_workspace_app(path, base_url=base_url, max_plans=max_plans)
    plans = len(app.state.workspace.plans)
    click.echo(f"serving {plans} plans of {path} on http://{host}:{port}/PLAN-ID/", err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        access_log=False,  # a plan with tokens has secrets in its feed URLs
    )
