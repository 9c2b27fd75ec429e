"""A duty's components when its units change mid-year: coordinators, hand-overs.

A coordinating unit that ends (``until``) stops being an ATTENDEE, and stops being
named under "Phối hợp", for the occurrences due after it; its successor, if any, is
named instead (see :mod:`planflow.timeline.coordination`). A recurring VEVENT lists
one set of attendees for all its dates, so such a duty is written as one component
per stretch with its own coordinators: the first keeps the duty's UID, each later
one adds ``/phoi-hop-YYYYMMDD`` (the day the stretch begins). A coordinating unit's
feed shows only the stretches it coordinates. A duty handed over from an ended lead
says so in its description (:func:`hand_over_lines`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from attrs import frozen

from planflow.feeds._lines import ymd
from planflow.plan.model import Plan
from planflow.timeline.coordination import named_on
from planflow.timeline.occurrences import Duty, Occurrence, Timeline

__all__ = ["Part", "coordination_parts", "hand_over_lines"]


@frozen
class Part:
    """One component's share of a duty: its occurrences and who coordinates them.

    ``who`` is the units whose coordinator feed shows the part (``None``: the duty is not
    split, every coordinator sees it); ``since``/``until`` bound the stretch.
    """

    occurrences: tuple[Occurrence, ...]
    units: tuple[str, ...]
    who: frozenset[str] | None = None
    since: date | None = None
    until: date | None = None
    uid_tail: str = ""
    note: str = ""


def coordination_parts(
    timeline: Timeline, duty: Duty, occurrences: Sequence[Occurrence]
) -> list[Part]:
    """The duty's parts: one (the whole duty) unless its coordinators change."""
    spans = timeline.coordination(duty)
    if len(spans) <= 1:
        return [Part(tuple(occurrences), spans[0].units if spans else ())]
    out: list[Part] = []
    for span in spans:
        occs = tuple(o for o in occurrences if span.covers(o.due))
        if not occs:
            continue
        named = named_on(timeline.plan, duty.task, occs[0].due)
        tail = f"/phoi-hop-{ymd(span.since)}" if out and span.since is not None else ""
        who = frozenset((*span.units, *named))
        out.append(
            Part(
                occs,
                span.units,
                who,
                span.since,
                span.until,
                tail,
                _note(span.since, span.until, span.units),
            )
        )
    return out


def _note(since: date | None, until: date | None, units: tuple[str, ...]) -> str:
    """The description's last line: which due dates this component's coordinators hold."""
    if since is not None and until is not None:
        stretch = f"từ ngày {since:%d/%m/%Y} đến hết ngày {until:%d/%m/%Y}"
    elif since is not None:
        stretch = f"từ ngày {since:%d/%m/%Y}"
    else:
        stretch = f"đến hết ngày {until:%d/%m/%Y}"
    if not units:
        return f"\nCác lần đến hạn {stretch}: không còn đơn vị phối hợp."
    return f"\nĐơn vị phối hợp trên áp dụng cho các lần đến hạn {stretch}."


def hand_over_lines(plan: Plan, duty: Duty) -> list[str]:
    """Who the duty came from, or goes to, when its unit begins or ends mid-year."""
    rows = []
    if duty.handed_from and duty.since is not None:
        previous = plan.unit(duty.handed_from).name
        rows.append(f"Tiếp nhận từ {previous} kể từ ngày {duty.since:%d/%m/%Y}.")
    unit = plan.unit(duty.unit)
    if duty.until is not None and unit.until == duty.until:
        if unit.successor:
            successor = plan.unit(unit.successor).name
            rows.append(f"Bàn giao cho {successor} sau ngày {duty.until:%d/%m/%Y}.")
        else:
            rows.append(
                f"Đơn vị kết thúc hoạt động ngày {duty.until:%d/%m/%Y}; "
                "các lần sau chưa có đơn vị tiếp nhận."
            )
    return rows
