"""What the commands share to accept a workspace (a folder of plans) as PLAN.

``--plan ID`` drills into one plan of the workspace (the command then behaves
exactly as for a single plan); ``--all`` lists every plan instead of the worst 20;
``--no-cache`` parses every plan again; ``--jobs`` sets the worker processes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from planflow.i18n import N_, _, ngettext
from planflow.plan.errors import PlanFileError
from planflow.plan.loading import LoadedPlan

if TYPE_CHECKING:
    from planflow.workspace.discovery import Member

__all__ = ["TOP", "member_and_plan", "open_session", "resolve_member", "workspace_options"]

F = TypeVar("F", bound=Callable[..., Any])
TOP = 20  # plans listed without --all


def workspace_options(*, jobs: bool = True) -> Callable[[F], F]:
    """``--plan``, ``--all``, ``--no-cache`` (and ``--jobs`` unless the command has one)."""

    def decorate(fn: F) -> F:
        options = [
            click.option(
                "--plan",
                "plan_id",
                metavar="ID",
                help=N_("PLAN is a workspace: only this plan (its id or folder name)."),
            ),
            click.option(
                "--all",
                "show_all",
                is_flag=True,
                help=N_("PLAN is a workspace: list every plan, not the 20 worst."),
            ),
            click.option(
                "--no-cache",
                is_flag=True,
                help=N_("PLAN is a workspace: parse every plan again (ignore .planflow/cache)."),
            ),
        ]
        if jobs:
            options.append(
                click.option(
                    "--jobs",
                    "-j",
                    type=click.IntRange(min=0),
                    default=0,
                    help=N_("PLAN is a workspace: processes to use (0: one per CPU) [default: 0]."),
                )
            )
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorate


def open_session(path: str, *, no_cache: bool) -> Any:
    """The workspace at ``path`` with its cache, or its problems printed and exit 1."""
    from planflow.workspace import Session, open_workspace

    try:
        return Session.open(open_workspace(path), use_cache=not no_cache)
    except PlanFileError as exc:
        _print_problems(exc, in_workspace_file=True)
        raise SystemExit(1) from None


def resolve_member(path: str, plan_id: str | None, *, no_cache: bool = False) -> LoadedPlan | None:
    """With ``--plan ID``: that plan of the workspace at ``path``, loaded as the workspace
    sees it (shared units, cache); ``None`` without ``--plan``. Exits on problems."""
    if plan_id is None:
        return None
    return member_and_plan(path, plan_id, no_cache=no_cache)[1]


def member_and_plan(
    path: str, plan_id: str, *, no_cache: bool = False
) -> tuple[Member, LoadedPlan]:
    """The plan ``plan_id`` of the workspace at ``path``: its file (as the workspace
    lists it) and the plan loaded as the workspace sees it. Exits on problems."""
    from planflow.workspace import is_workspace, load_member
    from planflow.workspace.members import find_member

    if not is_workspace(path):
        raise click.BadParameter(
            _("{path!r} is a single plan; --plan picks one plan of a workspace folder").format(
                path=path
            ),
            param_hint="--plan",
        )
    session = open_session(path, no_cache=no_cache)
    member = find_member(session, plan_id)
    if member is None:
        from planflow.plan.model import suggest

        names = [m.folder_name for m in session.workspace.members]
        hint = suggest(plan_id, names)
        raise click.BadParameter(
            _("no plan {plan!r} in the workspace").format(plan=plan_id)
            + (f"; {hint}" if hint else ""),
            param_hint="--plan",
        )
    try:
        loaded: LoadedPlan = load_member(session, member)
    except PlanFileError as exc:
        _print_problems(exc, in_workspace_file=False)
        raise SystemExit(1) from None
    return member, loaded


def _print_problems(exc: PlanFileError, *, in_workspace_file: bool) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    n = len(exc.errors)
    if in_workspace_file:
        message = ngettext(
            "{count} error in the workspace file.", "{count} errors in the workspace file.", n
        )
    else:
        message = ngettext(
            "{count} error; the plan was not loaded.", "{count} errors; the plan was not loaded.", n
        )
    click.echo(message.format(count=n), err=True)
