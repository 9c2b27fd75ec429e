"""Let plugins adjust calendar components (``planflow_calendar_component``) before writing.

Feeds are written as text for speed; only when some plugin implements the hook is
each duty's text parsed into ``icalendar`` components, handed to the plugins one
at a time, and written back. A plugin that raises is told to the manager's failure
log (``pm.failures``: the first few shown on stderr, the rest counted) and skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from planflow.plan.model import Plan
from planflow.timeline.occurrences import Duty

__all__ = ["Adjuster", "component_adjuster"]

Adjuster = Callable[[Duty, bytes], bytes]


def component_adjuster(pm: Any, plan: Plan) -> Adjuster | None:
    """A function rewriting a duty's components through the plugins, or None if no plugin
    implements ``planflow_calendar_component`` (then feeds are written untouched)."""
    if pm is None or not pm.hook.planflow_calendar_component.get_hookimpls():
        return None
    from icalendar import Calendar

    from planflow.hooks.manager import adjust_component

    def adjust(duty: Duty, data: bytes) -> bytes:
        calendar = Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + data + b"END:VCALENDAR\r\n")
        out = []
        for component in calendar.subcomponents:
            for failure in adjust_component(pm, component, plan, duty.id):
                log = getattr(pm, "failures", None)
                if log is not None:
                    log.add_failure(failure, "planflow_calendar_component", f"for {duty.id}")
            out.append(component.to_ical())
        return b"".join(out)

    return adjust
