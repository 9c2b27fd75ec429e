"""``planflow report WORKSPACE --period P``: one consolidated report of every plan.

Each plan's year is taken to the end of the period in a worker process (simulated,
memoised through the cache, or as recorded with ``--from-state``); the small
figures are put together (:mod:`planflow.workspace.report_summary`) and written in
the form asked for (:mod:`planflow.reports.consolidated`).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import click

from planflow.cli.lang import speak
from planflow.cli.workspace_options import TOP, open_session
from planflow.i18n import _
from planflow.plan.errors import PlanError

__all__ = ["report_workspace"]


def _speak_as_plans(session: Any) -> None:
    """--lang, PLANFLOW_LANG, else the language of the workspace's plans (its first plan's)."""
    from planflow.plan.errors import PlanFileError
    from planflow.workspace import load_member

    for member in session.workspace.members[:1]:
        try:
            speak(load_member(session, member).plan)
            return
        except PlanFileError:
            break
    speak()


def report_workspace(
    path: str,
    period: str,
    *,
    form: str,
    out_dir: str,
    model: str,
    seed: int,
    from_state: bool,
    db: str | None,
    show_all: bool,
    no_cache: bool,
    jobs: int,
    pm: Any,
) -> None:
    """Write the consolidated report of the workspace at ``path`` for ``period``."""
    from planflow.reports.consolidated_forms import consolidated_artifacts
    from planflow.workspace import run_each
    from planflow.workspace.report_summary import report_summary
    from planflow.workspace.reporting import report_one

    session = open_session(path, no_cache=no_cache)
    _speak_as_plans(session)
    ws = session.workspace
    work = functools.partial(
        report_one, period=period, model=model, seed=seed, from_state=from_state, db=db, pm=pm
    )
    source: dict[str, Any] = (
        {"kind": "recorded"} if from_state else {"kind": "simulation", "model": model, "seed": seed}
    )
    # one database for every plan (--db): its tables are made once, by one process
    outcomes = run_each(session, work, jobs=1 if from_state and db else jobs)
    try:
        summary = report_summary(ws, outcomes, spec=period, source=source)
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    for failure in summary["failed"]:
        for problem in failure["problems"]:
            click.echo(problem, err=True)
    if not summary["plans"]:
        raise click.ClickException(_("no plan of the workspace could be read; no report written"))
    stem = f"{ws.root.resolve().name}-{summary['period']['id']}"
    try:
        artifacts = consolidated_artifacts(
            summary, form=form, stem=stem, top=None if show_all else TOP
        )
    except PlanError as exc:  # the pdf form without WeasyPrint, the xlsx one without openpyxl
        raise click.ClickException(str(exc)) from None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for artifact in artifacts:
        target = out / artifact.name
        target.write_bytes(artifact.content)
        click.echo(_("written: {path}").format(path=target))
    if summary["plans_failed"]:
        raise SystemExit(1)
