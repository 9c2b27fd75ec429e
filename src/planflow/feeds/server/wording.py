"""What the feed server logs for the people running it, in their language.

The server logs from request handlers and from its reload thread, where the
language chosen by the command line (a context variable) is not carried over; each
message is therefore translated when it is logged, in the language
:func:`planflow.i18n.resolve_language` picks (``PLANFLOW_LANG``, the plan's
``language:``, the locale).
"""

from __future__ import annotations

from planflow.i18n import _, resolve_language, use_language

__all__ = ["say"]


def say(message: str, plan_language: str | None = None, **fields: object) -> str:
    """``message`` (English, marked with ``N_``) translated and filled with ``fields``."""
    with use_language(resolve_language(None, plan_language)):
        return _(message).format(**fields)
