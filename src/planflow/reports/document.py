"""The parts of an administrative report (Nghị định 30/2020/NĐ-CP), filled from the plan.

The plan's ``report:`` block says how the report is signed and sent (``place``,
``number``, ``issuer_parent``, ``signature``, ``signer``, ``recipients``); what it
leaves out falls back on the plan's metadata (``issuer``, ``signed_by``). A
workspace's consolidated report fills the same parts from the workspace file's
``issuer`` and ``report:`` block (:func:`signed_parts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from attrs import frozen

from planflow.i18n import _, get_language
from planflow.reports.data import ReportData
from planflow.reports.labels import plan_name
from planflow.reports.periods import period_phrase

__all__ = ["DocumentParts", "document_parts", "issuer_lines", "place_and_date", "signed_parts"]


@frozen
class DocumentParts:
    """The fixed parts of the document, in the order they are laid out."""

    issuer_parent: str
    issuer: tuple[str, ...]
    number: str
    motto: tuple[str, str]
    place_date: str
    kind: str
    subject: str
    signature: tuple[str, ...]
    signer: str
    recipients: tuple[str, ...]


def place_and_date(place: str, day: date | None, year: int) -> str:
    """``Bờ Y, ngày 05 tháng 01 năm 2026`` (day below 10 and January, February take a 0).

    Without ``day`` the day and month are left blank for the signer to write in.
    """
    if get_language() != "vi":
        where = f"{place}, " if place else ""
        return where + (day.isoformat() if day else f"…/…/{year}")
    where = place or "……"
    if day is None:
        return f"{where}, ngày      tháng      năm {year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{where}, ngày {day.day:02d} tháng {month} năm {day.year}"


# the words that start the place part of a body's name: "ỦY BAN NHÂN DÂN / XÃ BỜ Y"
_LEVELS = ("XÃ", "PHƯỜNG", "THỊ TRẤN", "THỊ XÃ", "HUYỆN", "QUẬN", "THÀNH PHỐ", "TỈNH")


def issuer_lines(name: str) -> tuple[str, ...]:
    """A body's name in capitals, on two lines before its place as documents write it."""
    upper = name.upper()
    for level in _LEVELS:
        at = upper.find(f" {level} ")
        if at > 0:
            return (upper[:at], upper[at + 1 :])
    return (upper,)


def signed_parts(
    meta: Mapping[str, Any],
    *,
    issuer: str,
    subject: str,
    year: int,
    issued: date | None = None,
    signed_by: str = "",
) -> DocumentParts:
    """The document's parts from a ``report:`` block ``meta`` and the ``issuer``'s name.

    ``signed_by`` signs when the block names neither signature nor signer; without a
    ``number`` the records office writes it in front of ``/BC``; without ``issued`` the
    day and month of ``year`` are left blank.
    """
    signature = tuple(meta.get("signature") or ())
    signer = str(meta.get("signer") or "")
    if not signature and not signer and signed_by:
        signer = signed_by
    number = str(meta.get("number") or "/BC").strip()
    if number.startswith("/"):  # the records office writes the number in front of the slash
        number = "\u00a0" * 8 + number
    return DocumentParts(
        issuer_parent=str(meta.get("issuer_parent") or "").upper(),
        issuer=issuer_lines(issuer),
        number=_("No.: {number}").format(number=number),
        motto=(_("SOCIALIST REPUBLIC OF VIETNAM"), _("Independence - Freedom - Happiness")),
        place_date=place_and_date(str(meta.get("place") or ""), issued, year),
        kind=_("REPORT"),
        subject=subject,
        signature=signature,
        signer=signer,
        recipients=tuple(meta.get("recipients") or ()),
    )


def document_parts(data: ReportData, *, issued: date | None = None) -> DocumentParts:
    """The document's parts for ``data``; ``issued`` fills in the date (else left blank)."""
    plan = data.plan
    title = plan.title_en if get_language() == "en" and plan.title_en else plan.title
    return signed_parts(
        plan.report,
        issuer=plan.issuer,
        subject=_("Results for {period} of the implementation of the plan “{title}”").format(
            period=period_phrase(data.period.start, data.period.end),
            title=plan_name(title),
        ),
        year=data.period.end.year,
        issued=issued,
        signed_by=plan.signed_by,
    )
