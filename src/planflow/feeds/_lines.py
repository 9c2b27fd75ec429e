"""Content lines (:rfc:`5545` 3.1): TEXT escaping, parameter quoting, folding at 75 octets.

Feeds are written here as bytes rather than through ``icalendar``'s object model,
which costs over a millisecond per event; ``icalendar`` only provides the VTIMEZONE.
The texts of a template plan repeat in every commune, so the folded lines are cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import lru_cache

__all__ = ["categories", "escape_text", "fold", "lines", "param", "stamp", "text_line", "ymd"]

# Control characters are not allowed in TEXT values (HTAB is).
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def escape_text(text: str) -> str:
    """Escape a TEXT value (:rfc:`5545` 3.3.11): ``\\ ; ,`` and newlines; drop controls."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return _CONTROL.sub("", text)


def param(value: str) -> str:
    """A parameter value, quoted when it holds ``: ; ,`` (a DQUOTE cannot be escaped)."""
    value = _CONTROL.sub("", value.replace("\n", " ")).replace('"', "'")
    return f'"{value}"' if any(c in value for c in ":;,") else value


def fold(line: str) -> bytes:
    """One content line as UTF-8, folded at 75 octets without splitting a character."""
    raw = line.encode()
    if len(raw) <= 75:
        return raw
    parts = []
    start, limit = 0, 75
    while len(raw) - start > limit:
        end = start + limit
        while raw[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back up
            end -= 1
        parts.append(raw[start:end])
        start, limit = end, 74  # a continuation line starts with a space
    parts.append(raw[start:])
    return b"\r\n ".join(parts)


def lines(content: Iterable[str]) -> bytes:
    """Content lines, each folded and ended with CRLF."""
    return b"".join([fold(line) + b"\r\n" for line in content])


def ymd(day: date) -> str:
    """A DATE value: ``YYYYMMDD``."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def stamp(moment: datetime) -> str:
    """A UTC DATE-TIME value: ``YYYYMMDDTHHMMSSZ``."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@lru_cache(maxsize=8192)
def text_line(name: str, text: str) -> bytes:
    """A folded TEXT property line (the same texts repeat across units and communes)."""
    return fold(f"{name}:{escape_text(text)}") + b"\r\n"


@lru_cache(maxsize=1024)
def categories(values: tuple[str, ...]) -> bytes:
    """A folded CATEGORIES line."""
    return fold("CATEGORIES:" + ",".join(escape_text(c) for c in values)) + b"\r\n"
