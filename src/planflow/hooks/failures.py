"""What planflow does when a plugin fails: one message shape, capped output, tracebacks.

Every failure of a plugin, whatever the hook, reads ``plugin 'X' failed in WHAT:
ExceptionType: message``:

* :class:`PluginError` — a plugin cannot be loaded (import error, misspelt hook, a
  hook with arguments it does not have); the loader skips it or raises;
* :class:`PluginFailed` — a plugin raised where planflow cannot go on without it
  (a completion model, a plugin's command); the command stops with exit status 4;
* :class:`Failure` — a plugin raised where planflow can go on (a notifier, a
  reporter, ``planflow_event``, ``planflow_calendar_component``); it is recorded,
  and :class:`FailureLog` prints the first few of each kind, then only counts them.

``--traceback`` (or ``PLANFLOW_TRACEBACK=1``) adds the full traceback to every
message shown, for plugin authors.
"""

from __future__ import annotations

import sys
import traceback as tb
from collections.abc import Callable

import attrs

from planflow.i18n import _
from planflow.plan.errors import PlanError

__all__ = [
    "TRACEBACK_ENV",
    "Failure",
    "FailureLog",
    "PluginError",
    "PluginFailed",
    "describe",
]

TRACEBACK_ENV = "PLANFLOW_TRACEBACK"


def describe(exc: BaseException) -> str:
    """``ExceptionType: message`` (just the type when the message is empty)."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class PluginError(PlanError):
    """A plugin could not be loaded or declared something impossible.

    :param plugin: the plugin's name (its entry-point name, or the built-in's name).
    :param hook: the hook concerned, if any (a misspelt hook name, for instance).

    .. versionadded:: 0.1
    """

    def __init__(
        self, message: str, *, plugin: str, hook: str | None = None, hint: str | None = None
    ) -> None:
        self.plugin = plugin
        self.hook = hook
        super().__init__(f"plugin {plugin!r}: {message}", hint=hint)


class PluginFailed(PlanError):
    """A plugin raised where the command cannot go on without it.

    ``str()`` reads ``plugin 'X' failed in WHAT: ExceptionType: message``; the
    plugin's exception is ``__cause__`` (and :attr:`exception`).
    """

    def __init__(self, plugin: str, what: str, exc: BaseException | str) -> None:
        self.plugin = plugin
        self.what = what
        self.exception = exc if isinstance(exc, BaseException) else None
        error = describe(exc) if isinstance(exc, BaseException) else exc
        super().__init__(
            f"plugin {plugin!r} failed in {what}: {error}",
            hint=f"--traceback shows where; disable the plugin with -p no:{plugin}",
        )


@attrs.frozen
class Failure:
    """One hook implementation (or notifier, or reporter) that raised.

    ``plugin`` is the plugin's name; ``error`` reads ``ExceptionType: message``.
    """

    plugin: str
    error: str
    exception: BaseException = attrs.field(eq=False, repr=False)

    @classmethod
    def of(cls, plugin: str, exc: BaseException) -> Failure:
        """The failure of ``plugin`` that raised ``exc``."""
        return cls(plugin, describe(exc), exc)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class FailureLog:
    """Prints failures as they happen: the first ``limit`` per plugin and place, then a
    count at the end (:meth:`summary`).

    :param echo: where lines go (default: stderr, looked up at each call).
    :param limit: failures shown per ``(plugin, what)``.
    :param traceback: add each shown failure's traceback.
    """

    def __init__(
        self,
        echo: Callable[[str], None] | None = None,
        *,
        limit: int = 5,
        traceback: bool = False,
    ) -> None:
        self.echo = echo or _stderr
        self.limit = limit
        self.traceback = traceback
        self.counts: dict[tuple[str, str], int] = {}

    def add(self, plugin: str, what: str, error: str, *, exc: BaseException | None = None,
            detail: str = "") -> None:  # fmt: skip
        """Record one failure of ``plugin`` in ``what`` (``planflow_event``, ``notifier
        'email'`` …); ``detail`` says on what (an event, a duty)."""
        key = (plugin, what)
        n = self.counts[key] = self.counts.get(key, 0) + 1
        if n <= self.limit:
            on = f" {detail}" if detail else ""
            self.echo(
                _("planflow: plugin {plugin!r} failed in {what}{on}: {error}").format(
                    plugin=plugin, what=what, on=on, error=error
                )
            )
            if self.traceback and exc is not None:
                self.echo("".join(tb.format_exception(exc)).rstrip())
        elif n == self.limit + 1:
            self.echo(
                _(
                    "planflow: plugin {plugin!r} failed in {what} again; "
                    "further failures of it are only counted"
                ).format(plugin=plugin, what=what)
            )

    def add_failure(self, failure: Failure, what: str, detail: str = "") -> None:
        """:meth:`add` for a :class:`Failure`."""
        self.add(failure.plugin, what, failure.error, exc=failure.exception, detail=detail)

    @property
    def total(self) -> int:
        """How many failures were recorded."""
        return sum(self.counts.values())

    def summary(self) -> list[str]:
        """One line per ``(plugin, what)`` that failed more often than was shown."""
        return [
            _(
                "planflow: plugin {plugin!r} failed {count} times in {what} ({hidden} not shown)"
            ).format(plugin=plugin, count=n, what=what, hidden=n - self.limit)
            for (plugin, what), n in sorted(self.counts.items())
            if n > self.limit
        ]

    def print_summary(self) -> None:
        """Echo :meth:`summary` (once: the counts are reset)."""
        for line in self.summary():
            self.echo(line)
        self.counts.clear()
