"""The e-mail for one event: Vietnamese subject and body (plain text and HTML), .ics attached.

The message is a pure function of the event, the plan, the recipients and the
sender: the same event always gives the same Message-ID, Date and body, so a
retried delivery is recognisable as the same message.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._headers import address_header
from ._ics import occurrence_calendar, occurrence_uid

if TYPE_CHECKING:
    from planflow.plan.model import Plan, Task
    from planflow.run.events import Event

__all__ = ["LABELS", "body_html", "body_text", "build_message", "message_id", "subject"]

LABELS = {
    "opened": "Bắt đầu thực hiện",
    "reminder": "Nhắc việc",
    "unblocked": "Sẵn sàng thực hiện",
    "due": "Đến hạn",
    "completed": "Đã hoàn thành",
    "late": "Hoàn thành muộn",
    "overdue": "Quá hạn",
    "missed": "Không hoàn thành",
    "period_closed": "Kết thúc kỳ báo cáo",
    "digest": "Tổng hợp",
}
"""The subject tag of each event kind."""

_LEADS = {
    "opened": "Nhiệm vụ dưới đây bắt đầu thời gian thực hiện.",
    "reminder": "Nhiệm vụ dưới đây sắp đến hạn hoàn thành.",
    "unblocked": (
        "Các việc cần làm trước nhiệm vụ dưới đây đã xong; đơn vị có thể bắt đầu thực hiện."
    ),
    "due": "Hôm nay là hạn hoàn thành nhiệm vụ dưới đây.",
    "completed": "Nhiệm vụ dưới đây đã hoàn thành đúng hạn.",
    "late": "Nhiệm vụ dưới đây đã hoàn thành, chậm {days} ngày làm việc so với hạn.",
    "overdue": "Nhiệm vụ dưới đây đã quá hạn nhưng chưa hoàn thành.",
    "missed": "Nhiệm vụ dưới đây đã hết thời gian thực hiện mà chưa hoàn thành.",
    "period_closed": "Kỳ báo cáo {period} đã kết thúc.",
    "digest": (
        "Trong những ngày hệ thống chưa chạy, các nhiệm vụ của đơn vị có những diễn biến "
        "tổng hợp dưới đây."
    ),
}

_KINDS = {
    "opened": "bắt đầu",
    "reminder": "nhắc việc",
    "unblocked": "đủ điều kiện thực hiện",
    "due": "đến hạn",
    "completed": "hoàn thành",
    "late": "hoàn thành muộn",
    "overdue": "quá hạn",
    "missed": "không hoàn thành",
}

_STATES = {
    "scheduled": "Chưa đến thời gian thực hiện",
    "blocked": "Đang chờ các việc cần làm trước",
    "open": "Đang thực hiện",
    "due": "Đến hạn",
    "overdue": "Quá hạn",
    "done": "Đã hoàn thành",
    "late": "Hoàn thành muộn",
    "missed": "Không hoàn thành",
}

_TITLE_MAX = 60
_SEND_AT = time(7, 30)  # the Date header: the event's day, at the start of office hours


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _short(text: str, limit: int = _TITLE_MAX) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with ``…``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-–") + "…"


def _task(event: Event, plan: Plan) -> Task | None:
    if event.plan_task is None:
        return None
    try:
        return plan.task(event.plan_task)
    except KeyError:
        return None


def _unit_name(plan: Plan, unit_id: str) -> str:
    try:
        return plan.unit(unit_id).name
    except KeyError:
        return unit_id


def _ref(event: Event, task: Task | None) -> str:
    if task is None:
        return event.plan_task or event.task
    return task.ref or task.id


def subject(event: Event, plan: Plan) -> str:
    """``[Nhắc việc] C.I.2.a · Thực hiện chuyên mục… — hạn 15/03/2025``."""
    label = LABELS.get(event.kind.value, event.kind.value)
    if event.kind.value == "period_closed":
        span = f"{_day(event.start)} – {_day(event.due)}" if event.start else _day(event.due)
        return f"[{label}] {event.period or event.task} ({span}) · {_short(plan.title)}"
    if event.kind.value == "digest":
        who = _unit_name(plan, event.unit) if event.unit else ""
        return f"[{label}] {who}: {_day(event.start)} – {_day(event.due)} · {_short(plan.title)}"
    task = _task(event, plan)
    title = _short(task.title) if task else event.task
    return f"[{label}] {_ref(event, task)} · {title} — hạn {_day(event.due)}"


def _rows(event: Event, plan: Plan) -> list[tuple[str, str]]:
    """The facts of the body, as (label, value) pairs shared by the text and HTML parts."""
    task = _task(event, plan)
    rows: list[tuple[str, str]] = []
    if event.kind.value == "digest":
        rows.append(("Kế hoạch", f"{plan.title} ({plan.issuer})"))
        rows.append(("Thời gian", f"từ {_day(event.start)} đến {_day(event.due)}"))
        if event.unit:
            rows.append(("Đơn vị", _unit_name(plan, event.unit)))
        for kind, n in event.counts:
            rows.append((_KINDS.get(kind, kind).capitalize(), str(n)))
        return rows
    if event.kind.value != "period_closed":
        rows.append(("Nhiệm vụ", f"{_ref(event, task)} · {task.title if task else event.task}"))
    rows.append(("Kế hoạch", f"{plan.title} ({plan.issuer})"))
    if event.period:
        rows.append(("Kỳ", event.period))
    if event.start and event.due and event.start != event.due:
        rows.append(("Thời gian thực hiện", f"từ {_day(event.start)} đến {_day(event.due)}"))
    if event.kind.value != "period_closed" and event.due:
        rows.append(("Hạn hoàn thành", _day(event.due)))
    if event.unit:
        rows.append(("Đơn vị chủ trì", _unit_name(plan, event.unit)))
    if event.coordinators:
        names = ", ".join(_unit_name(plan, u) for u in event.coordinators)
        rows.append(("Đơn vị phối hợp", names))
    if task is not None and task.target is not None:
        rows.append(("Chỉ tiêu", str(task.target)))
    if event.state is not None:
        rows.append(("Tình trạng", _STATES.get(event.state.value, event.state.value)))
    if event.days_late:
        rows.append(("Số ngày làm việc chậm", str(event.days_late)))
    if event.counts:
        counts = ", ".join(f"{_STATES.get(s, s).lower()}: {n}" for s, n in event.counts)
        rows.append(("Kết quả trong kỳ", counts))
    return rows


def _lead(event: Event) -> str:
    return _LEADS.get(event.kind.value, "").format(
        days=event.days_late or 0, period=event.period or event.task
    )


def _footer(event: Event) -> str:
    return (
        "Thư được gửi tự động từ planflow, vui lòng không trả lời thư này. "
        f"Mã sự kiện: {event.id} ({event.kind.value}, {_day(event.time)})."
    )


def _greeting(to: Sequence[Address]) -> str:
    names = [a.display_name or a.addr_spec for a in to]
    unique = list(dict.fromkeys(names))
    return "Kính gửi: " + "; ".join(unique) + "."


def body_text(event: Event, plan: Plan, to: Sequence[Address]) -> str:
    """The plain-text body."""
    rows = _rows(event, plan)
    width = max(len(label) for label, _ in rows) + 2
    lines = [_greeting(to), "", _lead(event), ""]
    lines += [f"{label + ':':<{width}}{value}" for label, value in rows]
    lines += ["", "-- ", _footer(event)]
    return "\n".join(lines) + "\n"


def body_html(event: Event, plan: Plan, to: Sequence[Address]) -> str:
    """The HTML body: the same content as :func:`body_text`, every text escaped."""
    e = html.escape
    rows = "\n".join(
        f'<tr><th style="text-align:left;padding:2px 12px 2px 0;vertical-align:top">{e(label)}'
        f'</th><td style="padding:2px 0">{e(value)}</td></tr>'
        for label, value in _rows(event, plan)
    )
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head><meta charset="utf-8">'
        f"<title>{e(subject(event, plan))}</title></head>\n"
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px">\n'
        f"<p>{e(_greeting(to))}</p>\n<p><strong>{e(_lead(event))}</strong></p>\n"
        f"<table>\n{rows}\n</table>\n"
        f'<p style="color:#666;font-size:12px">{e(_footer(event))}</p>\n</body>\n</html>\n'
    )


def _zone(plan: Plan) -> timezone | ZoneInfo:
    try:
        return ZoneInfo(plan.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(hours=7))


def _filename(event: Event) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{event.task}-{event.index}").strip("_.")
    return f"{stem or 'planflow'}.ics"


def message_id(event: Event) -> str:
    """``<event id>@<plan id>.planflow`` in angle brackets: the same for every retry."""
    return f"<{event.id}@{event.plan}.planflow>"


def build_message(
    event: Event,
    plan: Plan,
    *,
    sender: Address,
    to: Sequence[Address],
    cc: Sequence[Address] = (),
) -> EmailMessage:
    """The complete message: multipart/mixed of (text + HTML alternatives) and the ``.ics``."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = subject(event, plan)
    # address headers by hand: CPython's folder mangles long Vietnamese display names
    msg.set_raw("From", address_header("From", [sender]))
    msg.set_raw("To", address_header("To", to))
    if cc:
        msg.set_raw("Cc", address_header("Cc", cc))
    msg["Date"] = format_datetime(datetime.combine(event.time, _SEND_AT, tzinfo=_zone(plan)))
    msg["Message-ID"] = message_id(event)
    msg["References"] = f"<{occurrence_uid(event)}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg["Content-Language"] = "vi"
    msg["X-Planflow-Event"] = event.kind.value
    msg["X-Planflow-Delivery"] = event.id
    text = body_text(event, plan, to)
    msg.set_content(text)
    msg.add_alternative(body_html(event, plan, to), subtype="html")
    task = _task(event, plan)
    summary = subject(event, plan) if task is None else f"{_ref(event, task)} · {task.title}"
    facts = "\n".join(f"{label}: {value}" for label, value in _rows(event, plan))
    ics = occurrence_calendar(event, plan, summary=summary, description=f"{_lead(event)}\n{facts}")
    msg.add_attachment(
        ics,
        maintype="text",
        subtype="calendar",
        filename=_filename(event),
        params={"method": "PUBLISH", "charset": "utf-8"},
    )
    # deterministic MIME boundaries ("=_" cannot occur in base64 or quoted-printable text)
    msg.set_boundary(f"=_planflow_{event.id}_mixed")
    for part in msg.iter_parts():
        if part.get_content_type() == "multipart/alternative":
            part.set_boundary(f"=_planflow_{event.id}_alt")
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]  # only the top level needs it
    return msg
