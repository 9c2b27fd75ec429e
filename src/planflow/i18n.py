"""Messages people read, in Vietnamese and English, through gettext catalogues.

Every text planflow shows (CLI messages and ``--help``, table headings, reports) is
written in English in the code, wrapped in :func:`_` (or marked with :func:`N_`
where it must be translated later, such as click help texts), and translated
through the ``planflow`` catalogue in ``planflow/locale/<lang>/LC_MESSAGES/``::

    from planflow.i18n import _, use_language

    with use_language("vi"):
        print(_("{count} tasks").format(count=3))   # "3 nhiệm vụ"

The language is chosen by :func:`resolve_language`: ``--lang``, else the
``PLANFLOW_LANG`` environment variable, else the plan's ``language:`` key, else the
environment's locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``); Vietnamese when none
says English, since planflow's users are Vietnamese officials.

Placeholders are ``str.format`` fields (``{count}``); a translation must use the
same fields (``tests/test_i18n.py`` checks it). After changing messages, run::

    pybabel extract -F babel.cfg --no-location --sort-output \
        -o src/planflow/locale/planflow.pot src
    pybabel update -i src/planflow/locale/planflow.pot -d src/planflow/locale -D planflow \
        --no-fuzzy-matching
    # translate the new msgids in src/planflow/locale/vi/LC_MESSAGES/planflow.po, then
    pybabel compile -d src/planflow/locale -D planflow

The formatting helpers write dates, numbers and periods as each language does:
``30/09/2025``, ``1.234,5`` and ``Quý III/2025`` in Vietnamese.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from pathlib import Path

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "_",
    "format_date",
    "format_number",
    "format_quarter",
    "get_language",
    "ngettext",
    "pgettext",
    "resolve_language",
    "roman",
    "set_language",
    "use_language",
]

DOMAIN = "planflow"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
ENV_VAR = "PLANFLOW_LANG"

_language: ContextVar[str] = ContextVar("planflow_language", default=DEFAULT_LANGUAGE)


@cache
def _translations(language: str) -> gettext.NullTranslations:
    # English is the source language: no catalogue needed, the msgid is the text
    return gettext.translation(DOMAIN, LOCALE_DIR, [language], fallback=True)


def _normalise(value: str | None) -> str | None:
    """``vi_VN.UTF-8`` → ``vi``; ``None`` for anything that is not a known language."""
    if not value:
        return None
    code = value.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else None


def resolve_language(
    option: str | None = None,
    plan_language: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The language to speak: ``option``, ``PLANFLOW_LANG``, the plan's, the locale's, else vi.

    :param option: ``--lang`` as given (``None`` when not given).
    :param plan_language: the plan's ``language:`` key (empty when not set).
    :param environ: where to read the environment (default ``os.environ``).
    """
    env = os.environ if environ is None else environ
    for candidate in (option, env.get(ENV_VAR), plan_language):
        if (code := _normalise(candidate)) is not None:
            return code
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):  # the first one set decides, as in POSIX
            return _normalise(env[name]) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def set_language(language: str) -> None:
    """Speak ``language`` (``vi`` or ``en``) from now on, in this context."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")
    _language.set(language)


def get_language() -> str:
    """The language in use."""
    return _language.get()


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """Speak ``language`` inside the ``with`` block only."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def _(message: str) -> str:
    """``message`` (English) in the language in use."""
    return _translations(get_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the language in use."""
    return _translations(get_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the language in use, where the same English word is said
    differently by context (an option that is ``required``, a ``required`` target)."""
    return _translations(get_language()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet (click help texts)."""
    return message


# --- formatting --------------------------------------------------------------------


def format_date(day: date | None, language: str | None = None) -> str:
    """``30/09/2025`` in Vietnamese, ``2025-09-30`` in English; empty for ``None``."""
    if day is None:
        return ""
    if (language or get_language()) == "vi":
        return day.strftime("%d/%m/%Y")
    return day.isoformat()


def format_number(value: float, language: str | None = None, *, digits: int = 1) -> str:
    """``1.234,5`` in Vietnamese, ``1,234.5`` in English; whole numbers without decimals."""
    from babel.numbers import format_decimal

    pattern = "#,##0" if float(value).is_integer() else "#,##0." + "#" * digits
    return str(format_decimal(value, format=pattern, locale=language or get_language()))


_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def roman(number: int) -> str:
    """``number`` in Roman numerals (``3`` → ``III``), as Vietnamese documents number quarters."""
    if number < 1:
        raise ValueError(f"no Roman numeral for {number}")
    out = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def format_quarter(year: int, quarter: int, language: str | None = None) -> str:
    """``Quý III/2025`` in Vietnamese, ``Q3 2025`` in English."""
    if (language or get_language()) == "vi":
        return f"Quý {roman(quarter)}/{year}"
    return f"Q{quarter} {year}"
