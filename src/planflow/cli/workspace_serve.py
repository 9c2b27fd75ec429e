"""``planflow serve WORKSPACE``: every plan's feeds and unit pages from one server, under
``/PLAN-ID/``."""

from __future__ import annotations

import logging

import click

from planflow.cli.serve_options import Listen, run_server
from planflow.cli.workspace_options import open_session
from planflow.i18n import _, format_number

__all__ = ["serve_workspace"]


def serve_workspace(
    path: str,
    listen: Listen,
    *,
    tokens_file: str | None,
    state_file: str | None,
    base_url: str | None,
    db: str | None,
    max_plans: int,
    public: bool,
) -> None:
    """Run the workspace server (the serve extra is installed)."""
    from planflow.workspace.app import create_workspace_app

    # --public: a workspace's plans are public unless a plan has its own tokens file
    if tokens_file is not None or state_file is not None:
        raise click.UsageError(
            _(
                "with a workspace, tokens and feed state are per plan: put plan.tokens.json "
                "beside a plan's plan.yaml (planflow tokens PLAN-FOLDER) instead of "
                "--tokens/--state"
            )
        )
    open_session(path, no_cache=True)  # a bad workspace file: its problems, exit 1
    if db is not None:  # a wrong URL or a database down: said now, not on a first click
        from planflow.run.store import Store, StoreError

        try:
            Store(db).close()  # brings its schema up to date, once for every worker
        except StoreError as exc:
            raise click.ClickException(str(exc)) from None
    logging.basicConfig(
        level=listen.log_level.upper(), format="%(levelname)-8s %(name)s: %(message)s"
    )
    # the unit pages' state: one database for every plan (--db, PLANFLOW_DB), else each
    # plan's own .planflow/state.db, where `planflow done PLAN-FOLDER` records too
    app = create_workspace_app(path, base_url=base_url, max_plans=max_plans, db=db)
    plans = len(app.state.workspace.plans)
    click.echo(
        _("serving {count} plans of {workspace} on {address}PLAN-ID/").format(
            count=format_number(plans), workspace=path, address=listen.address
        ),
        err=True,
    )
    run_server(app, listen, access_log=False)  # a plan with tokens has secrets in its URLs
