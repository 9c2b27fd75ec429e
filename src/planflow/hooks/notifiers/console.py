"""The ``console`` notifier: prints what needs attention, one line per event.

Lines read in Vietnamese and English, dated with the (simulated) day::

    2025-03-25  Nhắc việc / Reminder  «Tin bài» (news #3) — Phòng VH-XH; hạn / due 2025-03-28

Settings (plan file ``channels: {console: {...}}`` or ``--set console.KEY=VALUE``):
``stream`` (``stderr``, the default, or ``stdout``) and ``kinds`` (the event kinds to
print, comma-separated).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from typing import Any

from planflow.hooks.specs import ChannelSettings, Notifier, Setting, Skipped, hookimpl
from planflow.plan.model import Plan, Unit
from planflow.run.events import Event, EventKind

__all__ = ["LABELS", "ConsoleNotifier", "format_event", "pipe_console"]

DEFAULT_KINDS = "reminder,due,overdue,late,missed,period_closed"
TITLE_WIDTH = 70

#: Vietnamese / English label and rich style of each event kind.
LABELS: dict[EventKind, tuple[str, str]] = {
    EventKind.OPENED: ("Bắt đầu / Opened", "dim"),
    EventKind.UNBLOCKED: ("Đủ điều kiện / Unblocked", "dim"),
    EventKind.REMINDER: ("Nhắc việc / Reminder", "yellow"),
    EventKind.DUE: ("Đến hạn hôm nay / Due today", "bold"),
    EventKind.COMPLETED: ("Hoàn thành / Done", "green"),
    EventKind.LATE: ("Hoàn thành trễ / Done late", "magenta"),
    EventKind.OVERDUE: ("Quá hạn / Overdue", "red"),
    EventKind.MISSED: ("Bỏ lỡ / Missed", "bold red"),
    EventKind.PERIOD_CLOSED: ("Kết thúc kỳ báo cáo / Reporting period closed", "cyan"),
}


def format_event(event: Event, plan: Plan, units: Sequence[Unit]) -> str:
    """The plain text of the line printed for ``event`` (no colours).

    Titles longer than ``TITLE_WIDTH`` are cut with "…"; beyond three coordinators
    only their number is shown.
    """
    label = LABELS[event.kind][0]
    day = event.time.isoformat()
    if event.kind is EventKind.PERIOD_CLOSED:
        counts = ", ".join(f"{state} {n}" for state, n in event.counts) or "-"
        start = event.start.isoformat() if event.start else ""
        due = event.due.isoformat() if event.due else ""
        return f"{day}  {label}: {event.period} ({start} – {due}): {counts}"
    title = event.plan_task or event.task
    if event.plan_task is not None:
        with contextlib.suppress(KeyError):
            title = plan.task(event.plan_task).title
    if len(title) > TITLE_WIDTH:
        title = title[: TITLE_WIDTH - 1].rstrip() + "…"
    lead = units[0].name if units else (event.unit or "")
    others = [u.id for u in units[1:]]
    if len(others) > 3:
        others = [*others[:3], f"+{len(others) - 3}"]
    with_ = f" (phối hợp / with: {', '.join(others)})" if others else ""
    late = f" +{event.days_late} ngày làm việc / working days" if event.days_late else ""
    due = event.due.isoformat() if event.due else ""
    return (
        f"{day}  {label}{late}  «{title}» ({event.task} #{event.index}) — {lead}{with_}; "
        f"hạn / due {due}"
    )


def pipe_console(**options: Any) -> Any:
    """A rich ``Console`` that raises ``BrokenPipeError`` when its reader went away (rich
    itself would exit with status 1): planflow stops quietly with status 141 instead of
    counting it as a failed delivery."""
    from rich.console import Console

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return PipeConsole(**options)


class ConsoleNotifier:
    """Prints events on the terminal with rich (stderr by default)."""

    name = "console"
    description = "Print reminders, due, overdue, late and missed work on the terminal (vi/en)"
    settings: Sequence[Setting] = (
        Setting("stream", default="stderr", scope="run", help="stderr or stdout"),
        Setting(
            "kinds",
            default=DEFAULT_KINDS,
            scope="run",
            help="event kinds to print, comma-separated",
        ),
    )

    def deliver(
        self, event: Event, *, plan: Plan, units: Sequence[Unit], settings: ChannelSettings
    ) -> Skipped | None:
        """Print one line for ``event`` if its kind is wanted (else skip it)."""
        kinds = {k.strip() for k in str(settings.run.get("kinds") or DEFAULT_KINDS).split(",")}
        if event.kind.value not in kinds:
            return Skipped("kind not in console.kinds")
        from rich.markup import escape

        stream = str(settings.run.get("stream") or "stderr")
        if stream not in ("stderr", "stdout"):
            raise ValueError(f"stream must be stderr or stdout, got {stream!r}")
        file: Any = sys.stderr if stream == "stderr" else sys.stdout
        console = pipe_console(file=file, highlight=False, soft_wrap=True)
        text = escape(format_event(event, plan, units))
        style = LABELS[event.kind][1]
        if event.kind is EventKind.PERIOD_CLOSED:
            console.print(f"[{style}]── {text} ──[/]")
        else:
            console.print(f"[{style}]{text}[/]")
        return None


@hookimpl(trylast=True)
def planflow_notifiers() -> Sequence[Notifier]:
    """The ``console`` notifier."""
    return [ConsoleNotifier()]
