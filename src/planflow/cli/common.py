"""What every command shares: the PLAN argument, loading with located errors, output."""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import attrs
import click

from planflow.i18n import _, format_date, format_number, ngettext, resolve_language, use_language
from planflow.plan.errors import PlanError, PlanFileError
from planflow.plan.loading import LoadedPlan, load

__all__ = [
    "EXIT_INTERNAL",
    "console",
    "dump_json",
    "internal_error",
    "load_or_exit",
    "located",
    "plan_argument",
    "vn_day",
    "vn_number",
]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INTERNAL = 70  # EX_SOFTWARE (sysexits.h): planflow failed, not the plan


@attrs.define
class _Current:
    """The plan this command works on, so that any late error can point into it."""

    argument: str | None = None
    loaded: LoadedPlan | None = None


_current = _Current()


def _remember(ctx: click.Context, param: click.Parameter, value: str) -> str:
    _current.argument, _current.loaded = value, None
    return value


def plan_argument(fn: F) -> F:
    """The PLAN argument: a plan file or a folder holding plan.yaml."""
    return click.argument(
        "plan", type=click.Path(dir_okay=True, file_okay=True), callback=_remember
    )(fn)


def _where(task: str = "") -> str:
    """``FILE:LINE:COL`` of the current plan (at ``task``'s entry when it is known)."""
    loaded = _current.loaded
    if loaded is None:
        return f"{_current.argument or '<plan>'}:1:1"
    line, column = 1, 1
    tasks = loaded.document.data.get("tasks") if isinstance(loaded.document.data, dict) else None
    if task and isinstance(tasks, list):
        for i, entry in enumerate(tasks):
            if isinstance(entry, dict) and entry.get("id") == task:
                line, column = loaded.document.where(("tasks", i, "id"))
                break
    return f"{loaded.file}:{line}:{column}"


def located(exc: PlanError) -> str:
    """A plan error as ``FILE:LINE:COL: message``: where a problem found after loading
    (a limit, a calendar the timeline refuses) applies in the plan file."""
    if isinstance(exc, PlanFileError):
        return str(exc)
    return f"{_where(getattr(exc, 'task', ''))}: {exc}"


def internal_error(exc: BaseException) -> str:
    """The message for a failure of planflow itself, located in the plan it was reading,
    in the language of the environment or the plan (``PLANFLOW_LANG``, ``language:``)."""
    inner = "?"
    for tb_frame, _line in traceback.walk_tb(exc.__traceback__):
        module = tb_frame.f_globals.get("__name__", "")
        if module.startswith("planflow."):
            inner = f"{module}.{tb_frame.f_code.co_name}"  # the deepest planflow frame
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    plan = _current.loaded.plan if _current.loaded is not None else None
    with use_language(resolve_language(None, plan.language if plan is not None else None)):
        message = _(
            "internal error in {function} ({error}), please report — send the plan file and "
            "this message to the planflow maintainers; PLANFLOW_DEBUG=1 shows the traceback"
        )
    return f"{_where()}: " + message.format(function=inner, error=what[:300])


def _plan_language(plan: str) -> str | None:
    """The ``language:`` a plan file says, read from its text (the plan may not load)."""
    from planflow.plan.loading import resolve_plan_path

    try:
        text = resolve_plan_path(plan).read_text(encoding="utf-8-sig", errors="replace")
    except (OSError, PlanError):
        return None
    found = _LANGUAGE_LINE.search(text[:200_000])
    return found.group(1) if found else None


_LANGUAGE_LINE = re.compile(r"""^\s+language:\s*["']?(vi|en)\b""", re.MULTILINE)


def _language_for(plan: str) -> str:
    """The language to tell PLAN's problems in: --lang, PLANFLOW_LANG, the plan's, the locale's."""
    ctx = click.get_current_context(silent=True)
    option = ctx.params.get("lang") if ctx is not None else None
    return resolve_language(option, _plan_language(plan))


def load_or_exit(plan: str) -> LoadedPlan:
    """Load PLAN, or print its problems (FILE:LINE:COL) and exit with status 1.

    The problems (and the warnings of a plan that loads) are told in the plan's
    language: the plan is read in the language it asks for, once it is known. A plan
    of a workspace with a workspace file (``tinh/c0001``) is loaded as the workspace
    sees it: with its shared units, through its cache.
    """
    from planflow.workspace.discovery import member_of

    _current.argument = plan
    language = _language_for(plan)
    try:
        with use_language(language):
            found = member_of(plan)
            if found is not None:
                from planflow.workspace import Session, load_member

                _current.loaded = load_member(Session.open(found[0]), found[1])
                return _current.loaded
            _current.loaded = load(plan)
        return _current.loaded
    except PlanFileError as exc:
        with use_language(language):
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


def vn_number(value: float) -> str:
    """``1234.5`` → ``1.234,5`` in Vietnamese (the language in use decides)."""
    return format_number(int(value) if value == int(value) else value)


def vn_day(value: date | str) -> str:
    """``2025-09-30`` → ``30/09/2025`` in Vietnamese (the language in use decides)."""
    return format_date(date.fromisoformat(value) if isinstance(value, str) else value)
