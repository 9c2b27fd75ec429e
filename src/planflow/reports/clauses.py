"""Order tasks as the plan itself is ordered: section, part, item, point (``C.I.2.b``).

Vietnamese plans number their clauses with a section letter (``C``), a Roman part
(``I``, ``II``), an item number (``2``) and a point letter in the Vietnamese
alphabet (``a, b, c, d, đ, e``: *đ* comes after *d*). A reference such as
``E.6; E.1.a`` is ordered by its first clause.
"""

from __future__ import annotations

import re

__all__ = ["clause_key"]

# the letters Vietnamese clause points use, in the alphabet's order
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_ROMAN = re.compile(r"^(?=[IVXLC]+$)M*(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman_value(text: str) -> int:
    total = 0
    for here, after in zip(text, [*text[1:], ""], strict=True):
        value = _ROMAN_VALUES[here]
        total += -value if after and _ROMAN_VALUES[after] > value else value
    return total


def _part(text: str, depth: int) -> tuple[int, int, str]:
    """One clause part as a sort key: numbers by value, letters by the Vietnamese alphabet."""
    if text.isdigit():
        return (1, int(text), "")
    if depth == 1 and _ROMAN.match(text):  # the part after the section letter: I, II, III …
        return (1, _roman_value(text), "")
    lower = text.lower()
    if lower and all(c in _ALPHABET for c in lower):
        return (2, 0, "".join(chr(0x100 + _ALPHABET.index(c)) for c in lower))
    return (3, 0, text)


def clause_key(ref: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key for a clause reference: ``C.I.2`` < ``C.I.2.b`` < ``C.I.2.đ`` < ``C.II.1``.

    An empty reference sorts after every clause.
    """
    first = ref.split(";")[0].strip()
    if not first:
        return ((9, 0, ""),)
    return tuple(_part(p.strip(), n) for n, p in enumerate(first.split(".")))
