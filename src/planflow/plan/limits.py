"""Every limit planflow puts on a plan: what it measures, its default, how to raise it.

A plan file is written by hand, but planflow may also be handed a careless or
hostile one: a few kilobytes of YAML aliases that expand to billions of values, a
group of thousands of units leading a daily task. Each limit below bounds the
*work* such a file can cause, not only its bytes, and each says in its message what
it counted and how to raise it. ``docs/limits.md`` lists them all.

A limit is raised with its environment variable (``PLANFLOW_MAX_OCCURRENCES=5000000
planflow simulate …``); the variable is read each time the limit is checked.
"""

from __future__ import annotations

import os
from functools import cache

import attrs

from planflow.i18n import N_, _, format_number
from planflow.plan.errors import PlanError

__all__ = [
    "ALIAS_VALUES",
    "BYTES",
    "DUTIES",
    "LIMITS",
    "MAX_YEAR",
    "OCCURRENCES",
    "TASK_OCCURRENCES",
    "VALUES",
    "Limit",
    "LimitError",
    "occurrence_limit",
    "unknown_country",
]

MAX_YEAR = 9998  # the timeline looks into the next year (shifts, quarters, reminders)


@attrs.frozen
class Limit:
    """One limit: the environment variable that raises it, its default, what it counts
    (``measures``, in English, marked for the catalogue: messages show it translated)."""

    env: str
    default: int
    measures: str

    def value(self) -> int:
        """The limit in force: the environment variable when it holds a whole number ≥ 1."""
        raw = os.environ.get(self.env, "").strip().replace("_", "")
        if raw.isdigit() and len(raw) < 19 and int(raw) >= 1:
            return int(raw)
        return self.default

    def hint(self) -> str:
        """How to raise it, for a message."""
        return _("if the plan really is this large, raise the limit: {variable}=<number>").format(
            variable=self.env
        )


class LimitError(PlanError):
    """A plan needs more work than a limit allows.

    :param limit: the limit that was reached.
    :param found: what was counted (at least this many).
    :param where: what the count is about (a task id, the document), already translated.
    :param task: the id of the task that went past the limit, to point at in the file.
    """

    def __init__(
        self, limit: Limit, found: int, *, where: str = "", task: str = "", allowed: int = 0
    ) -> None:
        self.limit, self.found, self.where, self.task = limit, found, where, task
        self.allowed = allowed or limit.value()
        about = f" ({where})" if where else ""
        message = _("the plan has more than {allowed} {measures}{about}: at least {found}")
        super().__init__(
            message.format(
                allowed=format_number(self.allowed),
                measures=_(limit.measures),
                about=about,
                found=format_number(found),
            ),
            hint=limit.hint(),
        )


BYTES = Limit(
    "PLANFLOW_MAX_BYTES",
    16 * 1024 * 1024,
    N_("bytes in the plan file"),
)
VALUES = Limit(
    "PLANFLOW_MAX_VALUES",
    2_000_000,
    N_("values in the YAML document as written (texts, numbers, lists, mappings)"),
)
ALIAS_VALUES = Limit(
    "PLANFLOW_MAX_ALIAS_VALUES",
    100_000,
    N_("values the YAML aliases (*name) and merge keys (<<) copy"),
)
DUTIES = Limit(
    "PLANFLOW_MAX_DUTIES",
    200_000,
    N_("duties (a task, or one member's share of a task a group leads member by member)"),
)
OCCURRENCES = Limit(
    "PLANFLOW_MAX_OCCURRENCES",
    2_000_000,
    N_("occurrences (each date a duty falls due)"),
)
OCCURRENCES_FLOOR = 50_000  # every plan may have this many occurrences …
OCCURRENCES_PER_ENTRY = 200  # … or this many per unit, group and task it writes
TASK_OCCURRENCES = Limit(
    "PLANFLOW_MAX_TASK_OCCURRENCES",
    50_000,
    N_("occurrences of one task (its dates times the units that each do it)"),
)


def occurrence_limit(entries: int) -> int:
    """The occurrences a plan of ``entries`` units, groups and tasks may have.

    By default the work follows the size of the plan: the larger of
    :data:`OCCURRENCES_FLOOR` and :data:`OCCURRENCES_PER_ENTRY` per entry, and never
    more than :data:`OCCURRENCES` (2,000,000: the national plan of 3,300 communes
    has 1.1 million). Setting ``PLANFLOW_MAX_OCCURRENCES`` makes the limit exactly
    that number.
    """
    if os.environ.get(OCCURRENCES.env, "").strip():
        return OCCURRENCES.value()
    return min(OCCURRENCES.default, max(OCCURRENCES_FLOOR, OCCURRENCES_PER_ENTRY * entries))


LIMITS = (BYTES, VALUES, ALIAS_VALUES, DUTIES, OCCURRENCES, TASK_OCCURRENCES)


@attrs.frozen
class CountryProblem:
    """Why a ``calendar.country`` is refused."""

    message: str
    hint: str


def unknown_country(code: str) -> CountryProblem | None:
    """A problem when the ``holidays`` package knows no public holidays for ``code``.

    ``VN`` (the default) is answered without importing ``holidays`` (a few tenths of
    a second). The answer is told in the language in use.
    """
    found = _country_check(code)
    if found is None:
        return None
    kind, close = found
    hint = (
        _("did you mean {name!r}?").format(name=close)
        if close
        else _("use an ISO 3166 code such as 'VN'")
    )
    if kind == "not-a-code":
        return CountryProblem(_("{code!r} is not a country code").format(code=code[:40]), hint)
    return CountryProblem(
        _("no public holidays known for country {code!r}").format(code=code), hint
    )


@cache
def _country_check(code: str) -> tuple[str, str | None] | None:
    """``None`` for a known country, else what is wrong and the closest known code."""
    if code == "VN":
        return None
    if not (code.isascii() and code.isalpha() and len(code) in (2, 3)):
        return ("not-a-code", None)
    import difflib

    import holidays

    known = holidays.list_supported_countries()
    if code in known:
        return None
    close = difflib.get_close_matches(code, list(known), n=1)
    return ("unknown", close[0] if close else None)
