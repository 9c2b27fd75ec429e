""":rfc:`5545` calendar feeds: one for the whole plan and one per unit.

Every duty of the timeline becomes one VEVENT (or, with ``expand=True``, one
VEVENT per occurrence). Which date an event sits on is the occurrence's due date
(``Occurrence.due``): the day a recurring task happens, the check-in day of a
continuous task, and the deadline of a one-off task, whose window is stated in the
DESCRIPTION instead of being drawn as a weeks-long banner. A recurring series is
one RRULE with EXDATE/RDATE for the dates moved off non-working days
(:mod:`.series`).

Identity and change:

* UID is ``<duty id>@<plan id>.planflow`` (``<duty>/<YYYYMMDD>@…`` per occurrence
  with ``expand=True``), stable across re-exports and edits;
* SEQUENCE comes from a :class:`FeedState` (``.planflow-feed-state.json`` next to
  the exported files) that remembers each UID's content digest and raises the
  number when the digest changes, so it only goes up;
* DTSTAMP and LAST-MODIFIED are derived from the plan (its issue date, else
  1 January of its year) plus SEQUENCE seconds: never the clock, so exporting an
  unchanged plan twice gives byte-identical files, and editing one task changes
  that task's component only.

Modules: :mod:`._lines` (escaping, folding), :mod:`.series` (dates),
:mod:`.selection` (which duties a unit sees), :mod:`.render` (components),
:mod:`.state` (SEQUENCE, atomic files), :mod:`.export` (feeds to files).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from planflow.feeds._lines import escape_text, fold
from planflow.feeds.export import export_feeds, plan_chunks, unit_chunks
from planflow.feeds.hooks import component_adjuster
from planflow.feeds.progress import Progress
from planflow.feeds.render import REFRESH_INTERVAL, Renderer
from planflow.feeds.selection import Index, Role, check_unit
from planflow.feeds.state import STATE_FILE, FeedState
from planflow.plan.model import Plan
from planflow.timeline.occurrences import Duty, Timeline

__all__ = [
    "REFRESH_INTERVAL",
    "STATE_FILE",
    "FeedState",
    "Role",
    "escape_text",
    "export_feeds",
    "fold",
    "plan_feed",
    "unit_duties",
    "unit_feed",
    "write_plan_feed",
    "write_unit_feed",
]


def unit_duties(timeline: Timeline, unit_id: str) -> list[tuple[Duty, Role]]:
    """The duties in a unit's feed, in plan order, with the unit's role in each.

    A unit leads a duty that is its own or its group's (a member of a group that
    leads together sees the group's duty); it coordinates a duty that names it, or
    a group it belongs to, among the coordinators. Leading wins over coordinating.

    :raises ModelError: the plan has no such unit.
    """
    check_unit(timeline.plan, unit_id)
    return Index(timeline).items(unit_id)


def _plan_chunks(plan: Plan, timeline: Timeline | None, options: dict[str, Any]) -> Iterator[bytes]:
    plugins = options.pop("plugins", None)
    renderer = Renderer(plan, timeline or Timeline(plan), **options,
                        adjust=component_adjuster(plugins, plan))  # fmt: skip
    return plan_chunks(renderer)


def _unit_chunks(
    plan: Plan, unit_id: str, timeline: Timeline | None, options: dict[str, Any]
) -> Iterator[bytes]:
    timeline = timeline or Timeline(plan)
    items = unit_duties(timeline, unit_id)
    plugins = options.pop("plugins", None)
    renderer = Renderer(plan, timeline, **options, adjust=component_adjuster(plugins, plan))
    return unit_chunks(renderer, unit_id, items)


def plan_feed(
    plan: Plan,
    *,
    timeline: Timeline | None = None,
    expand: bool = False,
    todos: bool = False,
    state: FeedState | None = None,
    plugins: Any = None,
    progress: Progress | None = None,
) -> bytes:
    """The whole plan's feed: every duty of every unit.

    :param timeline: the plan's timeline, if already built (else one is built).
    :param expand: one VEVENT per occurrence instead of one recurring VEVENT per duty,
        for clients with weak RRULE support.
    :param todos: add one VTODO per occurrence (Google Calendar ignores them).
    :param state: SEQUENCE numbers to use and update; without one, SEQUENCE is 0.
    :param plugins: a plugin manager whose ``planflow_calendar_component``
        implementations adjust every component before it is written.
    :param progress: marks of finished and overdue occurrences (see
        :mod:`planflow.feeds.progress`; ``planflow.jobs.reports.feed_progress`` makes them).
    :returns: the iCalendar bytes (UTF-8, CRLF, folded).
    """
    options = {"expand": expand, "todos": todos, "state": state, "plugins": plugins,
               "progress": progress}  # fmt: skip
    return b"".join(_plan_chunks(plan, timeline, options))


def unit_feed(
    plan: Plan,
    unit_id: str,
    *,
    timeline: Timeline | None = None,
    expand: bool = False,
    todos: bool = False,
    state: FeedState | None = None,
    plugins: Any = None,
    progress: Progress | None = None,
) -> bytes:
    """One unit's feed: what it leads, and what it coordinates (marked ``[Phối hợp]``
    in SUMMARY and ``Phối hợp`` in CATEGORIES). Options as for :func:`plan_feed`.

    :raises ModelError: the plan has no unit ``unit_id``.
    """
    options = {"expand": expand, "todos": todos, "state": state, "plugins": plugins,
               "progress": progress}  # fmt: skip
    return b"".join(_unit_chunks(plan, unit_id, timeline, options))


def write_plan_feed(
    plan: Plan, stream: IO[bytes], *, timeline: Timeline | None = None, expand: bool = False,
    todos: bool = False, state: FeedState | None = None, plugins: Any = None,
) -> None:  # fmt: skip
    """Stream :func:`plan_feed` to a binary file object, one component at a time."""
    options = {"expand": expand, "todos": todos, "state": state, "plugins": plugins}
    for chunk in _plan_chunks(plan, timeline, options):
        stream.write(chunk)


def write_unit_feed(
    plan: Plan, unit_id: str, stream: IO[bytes], *, timeline: Timeline | None = None,
    expand: bool = False, todos: bool = False, state: FeedState | None = None,
    plugins: Any = None,
) -> None:  # fmt: skip
    """Stream :func:`unit_feed` to a binary file object, one component at a time."""
    options = {"expand": expand, "todos": todos, "state": state, "plugins": plugins}
    for chunk in _unit_chunks(plan, unit_id, timeline, options):
        stream.write(chunk)
