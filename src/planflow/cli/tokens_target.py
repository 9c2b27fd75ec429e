"""Which tokens file ``planflow tokens`` writes, and under which address its links answer.

A plan served alone (``planflow serve PLAN``) answers at ``BASE/feeds/…`` and
``BASE/pages/…``. A plan of a workspace, served by ``planflow serve WORKSPACE``,
answers under its plan id, ``BASE/PLAN-ID/feeds/…``, and its tokens file is the one
that server reads: ``plan.tokens.json`` beside the plan's file.

A plan is a plan of a workspace when PLAN is the workspace folder with ``--plan ID``,
or a plan folder (or file) of a workspace that has a workspace file
(``planflow-workspace.yaml``): the same rule by which the other commands load it
with the workspace's shared units.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import attrs
import click

from planflow.cli.common import load_or_exit
from planflow.feeds.tokens import default_tokens_path
from planflow.i18n import _
from planflow.plan.errors import PlanError, PlanFileError
from planflow.plan.loading import LoadedPlan, resolve_plan_path

__all__ = ["Target", "resolve_target"]


@attrs.frozen
class Target:
    """The plan ``planflow tokens`` works on, as the server will serve it."""

    tokens: Path
    """The tokens file."""
    plan_file: Path
    """The plan's file."""
    plan_id: str | None = None
    """Its id when a workspace server serves it (links under ``/PLAN-ID/``); else None."""
    loaded: LoadedPlan | None = None
    """The plan, loaded as its workspace sees it (shared units); None for a plan alone."""
    note: str | None = None
    """Something to tell next to the links (a plan alone inside a folder of plans)."""

    def base(self, base_url: str) -> str:
        """The address the plan's routes start with: ``BASE`` or ``BASE/PLAN-ID``."""
        base = base_url.rstrip("/")
        return base if self.plan_id is None else f"{base}/{quote(self.plan_id, safe='')}"


def resolve_target(plan: str, plan_id: str | None, tokens_file: str | None) -> Target:
    """The target of ``planflow tokens PLAN [--plan ID] [--tokens FILE]``; exits on problems."""
    from planflow.workspace import is_workspace
    from planflow.workspace.discovery import member_of

    if plan_id is not None:
        from planflow.cli.workspace_options import member_and_plan

        member, loaded = member_and_plan(plan, plan_id)
        _refuse_tokens_option(tokens_file)
        return Target(default_tokens_path(member.path), member.path, loaded.plan.id, loaded)
    if is_workspace(plan):
        raise click.UsageError(
            _(
                "{path} is a workspace: name one of its plans with --plan ID, or use --all-plans"
            ).format(path=plan)
        )
    try:
        found = member_of(plan)
    except PlanFileError:
        load_or_exit(plan)  # tells the workspace file's problems and exits 1
        raise
    if found is not None:
        _refuse_tokens_option(tokens_file)
        loaded = load_or_exit(plan)
        file = found[1].path
        return Target(default_tokens_path(file), file, loaded.plan.id, loaded)
    try:
        file = resolve_plan_path(plan)
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    tokens = Path(tokens_file) if tokens_file is not None else default_tokens_path(file)
    return Target(tokens, file, note=_folder_note(file))


def _refuse_tokens_option(tokens_file: str | None) -> None:
    if tokens_file is not None:
        raise click.UsageError(
            _(
                "--tokens is for a plan served alone: `planflow serve WORKSPACE` reads each "
                "plan's plan.tokens.json beside its plan file"
            )
        )


def _folder_note(file: Path) -> str | None:
    """A note when the plan alone is also a plan of a folder of plans (no workspace file):
    served with that folder, its links would need ``--plan``."""
    from planflow.workspace import is_workspace

    if file.name not in ("plan.yaml", "plan.yml") or not is_workspace(file.parent.parent):
        return None
    folder = file.parent.parent
    return _(
        "(links for `planflow serve {plan}`; if you serve the folder of plans instead, "
        "`planflow serve {folder}`, issue with `planflow tokens {folder} --plan {name}`)"
    ).format(plan=file.parent, folder=folder, name=file.parent.name)
