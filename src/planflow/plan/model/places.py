"""Where a problem is, as the reader of a message says it.

A place in a plan document is a path of keys and list positions such as
``("tasks", 3, "lead")``. In English it is written as in the docs, counting from 0:
``tasks[3].lead``. In Vietnamese it is written as an official says it, counting from 1
and naming the entry: ``nhiệm vụ thứ 4 › lead``. Keys stay as they are written in the
file, so the officer finds them.
"""

from __future__ import annotations

import difflib
from typing import Any

from planflow.i18n import _, get_language

__all__ = ["entry", "show_path", "suggest"]

#: the Vietnamese name of one entry of each list in a plan file
_ENTRY_VI = {
    "tasks": "nhiệm vụ",
    "units": "đơn vị",
    "groups": "nhóm đơn vị",
    "indicators": "chỉ tiêu",
    "reporting_periods": "kỳ báo cáo",
    "sections": "phần",
    "legal_bases": "căn cứ",
    "coordinators": "đơn vị phối hợp",
    "members": "thành viên",
    "after": "nhiệm vụ phải chờ",
    "aliases": "tên gọi khác",
    "dates": "ngày",
    "except": "ngày loại trừ",
    "checkpoints": "mốc đánh giá",
    "days_off": "ngày nghỉ",
    "working_days": "ngày làm bù",
    "category": "nhóm việc",
    "extends": "mẫu",
    "signature": "dòng ký",
    "recipients": "nơi nhận",
    "excluding": "mục loại trừ",
}


def _english(path: tuple[Any, ...]) -> str:
    out = ""
    for item in path:
        if isinstance(item, int):
            out += f"[{item}]"
        else:
            out += f".{item}" if out else str(item)
    return out


def _vietnamese(path: tuple[Any, ...]) -> str:
    parts: list[str] = []
    items = list(path)
    i = 0
    while i < len(items):
        item = items[i]
        following = items[i + 1] if i + 1 < len(items) else None
        if isinstance(item, str) and isinstance(following, int):
            noun = _ENTRY_VI.get(item, f"{item}, mục")
            parts.append(f"{noun} thứ {following + 1}")
            i += 2
            continue
        parts.append(f"mục thứ {item + 1}" if isinstance(item, int) else str(item))
        i += 1
    return " › ".join(parts)


def show_path(path: tuple[Any, ...], language: str | None = None) -> str:
    """``("tasks", 3, "lead")`` → ``tasks[3].lead``, or ``nhiệm vụ thứ 4 › lead`` in vi."""
    if (language or get_language()) == "vi":
        return _vietnamese(path)
    return _english(path)


def entry(key: str, index: int, language: str | None = None) -> str:
    """One entry of a list: ``tasks[3]``, or ``nhiệm vụ thứ 4`` in Vietnamese."""
    return show_path((key, index), language)


def suggest(name: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    """A "did you mean …?" hint for a misspelt id, or None."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return _("did you mean {name!r}?").format(name=close[0]) if close else None
