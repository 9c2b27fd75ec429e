"""What every command shares: the PLAN argument, loading with located errors, output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from planflow.plan.errors import PlanFileError
from planflow.plan.loading import LoadedPlan, load

__all__ = ["console", "dump_json", "load_or_exit", "plan_argument"]

F = TypeVar("F", bound=Callable[..., Any])


def plan_argument(fn: F) -> F:
    """The PLAN argument: a plan file or a folder holding plan.yaml."""
    return click.argument("plan", type=click.Path(dir_okay=True, file_okay=True))(fn)


def load_or_exit(plan: str) -> LoadedPlan:
    """Load PLAN, or print its problems (FILE:LINE:COL) and exit with status 1.

    A plan of a workspace with a workspace file (``tinh/c0001``) is loaded as the
    workspace sees it: with its shared units, through its cache."""
    from planflow.workspace.discovery import member_of

    try:
        found = member_of(plan)
        if found is not None:
            from planflow.workspace import Session, load_member

            return load_member(Session.open(found[0]), found[1])
        return load(plan)
    except PlanFileError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        n = len(exc.errors)
        click.echo(f"{n} error{'s' if n != 1 else ''}; the plan was not loaded.", err=True)
        raise SystemExit(1) from None


def dump_json(data: Any) -> None:
    """Print DATA as UTF-8 JSON (Vietnamese letters kept as they are)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def console() -> Any:
    """A rich console; wide when piped so that tables are not cut."""
    from rich.console import Console

    # piped output gets a wide page instead of rich's 80 columns, so nothing is cut
    return Console(width=None if sys.stdout.isatty() else 160)
