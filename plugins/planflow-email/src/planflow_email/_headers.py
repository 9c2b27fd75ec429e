"""Address headers (From, To, Cc) written by hand, as :rfc:`5322` and :rfc:`2047` say.

CPython's header folder (3.11–3.13) mangles long address lists with non-ASCII
display names: it may put the comma between two addresses inside an encoded-word
and split names into encoded-words whose separating spaces a conforming reader
drops ("Trung tâmVănhóa"). So the address headers are built here and stored with
``Message.set_raw``; lines are folded at 78 characters, never inside a token.

A display name is split into words. ASCII words made of ``atext`` stay as they
are; every run of other words becomes one B-encoded word (spaces inside the run
are encoded too), cut between words (or characters) at 45 UTF-8 bytes so that an
encoded-word stays within 75 characters.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from email.headerregistry import Address

__all__ = ["address_header", "phrase_tokens"]

_ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")
_MAX_BYTES = 45  # base64 of 45 bytes is 60 characters; with "=?utf-8?b?" and "?=", 72
_WIDTH = 78


def _encoded(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="


def _chunks(text: str) -> list[str]:
    """``text`` in pieces of at most 45 UTF-8 bytes, cut before a space where possible."""
    pieces: list[str] = []
    current = ""
    for word in re.split(r"(?= )", text):
        if len((current + word).encode("utf-8")) <= _MAX_BYTES:
            current += word
            continue
        if current:
            pieces.append(current)
        current = ""
        for char in word:  # a word longer than the limit: cut between characters
            if len((current + char).encode("utf-8")) > _MAX_BYTES:
                pieces.append(current)
                current = ""
            current += char
    if current:
        pieces.append(current)
    return pieces


def phrase_tokens(name: str) -> list[str]:
    """The display name as header tokens: atoms, a quoted string, or encoded-words."""
    words = name.split()
    if not words:
        return []
    if name.isascii():
        if all(_ATEXT.fullmatch(w) for w in words):
            return words
        quoted = " ".join(words).replace("\\", "\\\\").replace('"', '\\"')
        return [f'"{quoted}"']
    tokens: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            tokens.extend(_encoded(piece) for piece in _chunks(" ".join(run)))
            run.clear()

    for word in words:
        if word.isascii() and _ATEXT.fullmatch(word):
            flush()
            tokens.append(word)
        else:
            run.append(word)
    flush()
    return tokens


def address_header(field: str, addresses: Sequence[Address]) -> str:
    """The folded value of an address header (``field`` only counts towards line length)."""
    tokens: list[str] = []
    for i, address in enumerate(addresses):
        spec = address.addr_spec
        if not spec.isascii():
            raise ValueError(f"non-ASCII address {spec!r} needs SMTPUTF8, which is not supported")
        name = phrase_tokens(address.display_name)
        last = f"<{spec}>" if name else spec
        tokens.extend([*name, last + ("," if i < len(addresses) - 1 else "")])
    lines: list[str] = []
    line = ""
    for token in tokens:
        indent = len(field) + 2 if not lines else 1  # "Cc: " first, one space after
        if line and indent + len(line) + 1 + len(token) > _WIDTH:
            lines.append(line)
            line = token
        else:
            line = f"{line} {token}" if line else token
    lines.append(line)
    return "\n ".join(lines)
