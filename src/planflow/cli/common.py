"""What every command shares: the PLAN argument, loading with located errors, output."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from planflow.i18n import ngettext
from planflow.plan.errors import PlanFileError
from planflow.plan.loading import LoadedPlan, load

__all__ = ["console", "dump_json", "load_or_exit", "plan_argument"]

F = TypeVar("F", bound=Callable[..., Any])


def plan_argument(fn: F) -> F:
    """The PLAN argument: a plan file or a folder holding plan.yaml."""
    return click.argument("plan", type=click.Path(dir_okay=True, file_okay=True))(fn)


def load_or_exit(plan: str) -> LoadedPlan:
    """Load PLAN, or print its problems (FILE:LINE:COL) and exit with status 1."""
    try:
        return load(plan)
    except PlanFileError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        n = len(exc.errors)
        message = ngettext(
            "{count} error; the plan was not loaded.",
            "{count} errors; the plan was not loaded.",
            n,
        )
        click.echo(message.format(count=n), err=True)
        raise SystemExit(1) from None


def dump_json(data: Any) -> None:
    """Print DATA as UTF-8 JSON (Vietnamese letters kept as they are)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def console() -> Any:
    """A rich console; wide when piped so that tables are not cut; a closed pipe raises
    ``BrokenPipeError`` (the command line exits 141)."""
    from planflow.hooks.notifiers.console import pipe_console

    # piped output gets a wide page instead of rich's 80 columns, so nothing is cut;
    # COLUMNS, when set, is the width asked for (rich reads it)
    wide = sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit()
    return pipe_console(width=None if wide else 160)
