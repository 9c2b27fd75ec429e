"""Workspaces: a folder of plans (one per commune) run as one, for a province or a country.

The layer above run, hooks and feeds and below the CLI::

    from planflow.workspace import Session, open_workspace, run_each
    from planflow.workspace.work import validate_one

    ws = open_workspace("tinh-quang-ngai")      # the folder of plans
    session = Session.open(ws)                  # compiled plans in .planflow/cache/
    for outcome in run_each(session, functools.partial(validate_one, pm=pm)):
        ...

See ``docs/workspaces.md`` for the folder layout, the shared units and the cache.
"""

from planflow.workspace.cache import CACHE_DIR, PlanCache
from planflow.workspace.discovery import (
    WORKSPACE_FILE,
    Member,
    Workspace,
    is_workspace,
    open_workspace,
)
from planflow.workspace.members import Failed, Session, load_member, run_each

__all__ = [
    "CACHE_DIR",
    "WORKSPACE_FILE",
    "Failed",
    "Member",
    "PlanCache",
    "Session",
    "Workspace",
    "is_workspace",
    "load_member",
    "open_workspace",
    "run_each",
]
