""":rfc:`5545` attachment: one VEVENT for the occurrence an e-mail is about.

Everything in it comes from the event and the plan, never from the clock, so the
same event always gives the same bytes (UID and DTSTAMP included): a mail client
that receives a reminder, then the due notice, updates one calendar entry.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from icalendar import Calendar
from icalendar import Event as VEvent

if TYPE_CHECKING:
    from planflow.plan.model import Plan
    from planflow.run.events import Event

__all__ = ["PRODID", "occurrence_calendar", "occurrence_uid"]

PRODID = "-//planflow//planflow-email//VI"


def occurrence_uid(event: Event) -> str:
    """``<duty id>-<index>@<plan id>.planflow``: the same for every event of one occurrence."""
    return f"{event.task}-{event.index}@{event.plan}.planflow"


def occurrence_calendar(event: Event, plan: Plan, *, summary: str, description: str) -> bytes:
    """A ``METHOD:PUBLISH`` calendar with one all-day VEVENT on the occurrence's due date.

    :param summary: the entry's title (the task's reference and title).
    :param description: the entry's text (the plain-text body of the e-mail).
    """
    day = event.due or event.time
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    vevent = VEvent()
    vevent.add("uid", occurrence_uid(event))
    # deterministic: the start of the event's day, in UTC
    vevent.add("dtstamp", datetime.combine(event.time, time(0), tzinfo=UTC))
    vevent.add("dtstart", day)
    vevent.add("dtend", day + timedelta(days=1))
    vevent.add("summary", summary)
    vevent.add("description", description)
    vevent.add("transp", "TRANSPARENT")
    if event.plan_task is not None:
        vevent.add("categories", [plan.id])
        vevent.add("x-planflow-task", event.plan_task)
    vevent.add("x-planflow-event", event.kind.value)
    cal.add_component(vevent)
    data: bytes = cal.to_ical()
    return data
