"""Commands that speak the user's language: ``--lang`` and translated ``--help``.

A command made with ``cls=TranslatedCommand`` and the :func:`lang_option` runs in
the language :func:`planflow.i18n.resolve_language` picks (``--lang``, then
``PLANFLOW_LANG``, then the locale; :func:`speak` adds the plan's ``language:``
once the plan is loaded), and shows its help and its options' help translated:
write them in English, marked with :func:`planflow.i18n.N_` so that the catalogue
picks them up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from planflow.i18n import (
    LANGUAGES,
    N_,
    _,
    pgettext,
    resolve_language,
    set_language,
    use_language,
)
from planflow.plan.model import Plan

__all__ = ["TranslatedCommand", "TranslatedGroup", "lang_option", "speak"]

F = TypeVar("F", bound=Callable[..., Any])


def lang_option(fn: F) -> F:
    """``--lang vi|en``: the language of what the command prints."""
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        default=None,
        is_eager=True,
        help=N_("Language of the output: vi or en [default: the plan's, else the locale's]."),
    )(fn)


def speak(plan: Plan | None = None) -> str:
    """Speak the language for ``plan``: --lang, PLANFLOW_LANG, the plan's, else the locale's."""
    ctx = click.get_current_context(silent=True)
    option = ctx.params.get("lang") if ctx is not None else None
    language = resolve_language(option, plan.language if plan is not None else None)
    set_language(language)
    return language


@contextmanager
def _translated_help(command: click.Command) -> Iterator[None]:
    """Swap the command's and its options' help for their translations, then back."""
    saved: list[tuple[Any, str | None]] = [(command, command.help)]
    saved += [(p, getattr(p, "help", None)) for p in command.params]
    epilog = command.epilog
    try:
        for obj, text in saved:
            if text:
                obj.help = _(text)
        if epilog:
            command.epilog = _(epilog)
        yield
    finally:
        for obj, text in saved:
            obj.help = text
        command.epilog = epilog


def _language_of(ctx: click.Context | None) -> str:
    option = ctx.params.get("lang") if ctx is not None else None
    return resolve_language(option)


class _TranslatedHelp:
    """The help of a command or group in the user's language: its text, usage, options."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The help, translated (``--lang`` before ``--help``, else the environment's)."""
        assert isinstance(self, click.Command)
        with use_language(_language_of(ctx)), _translated_help(self):
            click.Command.format_help(self, ctx, formatter)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The usage line, with click's own word for "Usage" translated too."""
        assert isinstance(self, click.Command)
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The options, under a translated heading; click's own lines translated too."""
        assert isinstance(self, click.Command)
        records = []
        help_option = self.get_help_option(ctx)
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None or isinstance(param, click.Argument):
                continue
            if isinstance(param, click.Option):
                record = (record[0], _option_help(param, ctx))
            if param is help_option:
                record = (record[0], _("Show this message and exit."))
            elif record[1] == "Show the version and exit.":
                record = (record[0], _("Show the version and exit."))
            records.append(record)
        if records:
            with formatter.section(_("Options")):
                formatter.write_dl(records)


def _option_help(option: click.Option, ctx: click.Context) -> str:
    """An option's help with click's own bracket (``[default: …; required]``) translated:
    click words it with the process-wide gettext, which planflow leaves alone."""
    extra = option.get_help_extra(ctx)
    items = []
    if "envvars" in extra:
        items.append(_("env var: {var}").format(var=", ".join(extra["envvars"])))
    if "default" in extra:
        items.append(_("default: {default}").format(default=extra["default"]))
    if "range" in extra:
        items.append(extra["range"])
    if "required" in extra:
        items.append(pgettext("option", "required"))
    text = option.help or ""
    if items:
        return f"{text}  [{'; '.join(items)}]" if text else f"[{'; '.join(items)}]"
    return text


class TranslatedCommand(_TranslatedHelp, click.Command):
    """A click command whose help, and whose run, are in the user's language."""

    def get_short_help_str(self, limit: int = 45) -> str:
        """The one-line help the command list shows, translated."""
        with use_language(_language_of(None)), _translated_help(self):
            return super().get_short_help_str(limit)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command in the language ``--lang`` or the environment asks for."""
        with use_language(_language_of(ctx)):
            return super().invoke(ctx)


class TranslatedGroup(_TranslatedHelp, click.Group):
    """A click group whose help (its text, options and list of commands) is translated."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The options, then the commands, under translated headings."""
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands with their one-line help, under a translated heading."""
        commands = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                commands.append((name, command))
        limit = formatter.width - 6 - max((len(name) for name, _c in commands), default=0)
        rows = [(name, command.get_short_help_str(limit)) for name, command in commands]

        if rows:
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)
