"""Commands that write plans: ``init`` (a starter plan) and ``add-task`` (one task, asked for)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click

from planflow.cli.common import load_or_exit
from planflow.cli.lang import TranslatedCommand, lang_option, speak
from planflow.i18n import N_, _
from planflow.plan.errors import PlanError, PlanFileError

__all__ = ["add_task", "init"]


def _report(exc: PlanFileError) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)


_INIT_HELP = N_(
    """Write a starter plan FOLDER/plan.yaml (commented, valid as written) and its schema.

    The plan lists the usual units of a commune and two example tasks; with --from
    it extends a template instead and fills its placeholders (${commune}, ${year}).
    FOLDER/plan.schema.json lets VS Code (YAML extension) complete keys and show
    errors while typing.

    \b
    Examples:
      planflow init ke-hoach-2026 --commune "Bờ Y" --year 2026
      planflow init xa-ba-to --from examples/tinh_quang_ngai/template.yaml --commune "Ba Tơ"
    """
)


@click.command(cls=TranslatedCommand, help=_INIT_HELP)
@click.argument("folder", type=click.Path(file_okay=False))
@click.option(
    "--from",
    "template",
    type=click.Path(dir_okay=False, exists=True),
    help=N_("A template (e.g. the province's) the new plan extends."),
)
@click.option("--commune", default="Mẫu", show_default=True, help=N_("The commune's name."))
@click.option("--year", type=click.IntRange(1900, 9999), help=N_("The plan year [this year]."))
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    is_eager=True,  # read before --help, which then follows it
    help=N_("Language of the comments and messages."),
)
@click.option("--force", is_flag=True, help=N_("Overwrite an existing plan.yaml."))
def init(
    folder: str, template: str | None, commune: str, year: int | None, lang: str, force: bool
) -> None:
    from planflow.cli.schema_command import schema_text
    from planflow.plan.loading import loads
    from planflow.plan.starter import SCHEMA_FILE, starter_plan, template_plan

    target = Path(folder)
    plan_file = target / "plan.yaml"
    if plan_file.exists() and not force:
        raise click.ClickException(
            _("{file} already exists (use --force to overwrite it)").format(file=plan_file)
        )
    the_year = year or date.today().year
    if template:
        relative = os.path.relpath(os.path.abspath(template), os.path.abspath(target))
        template_text = Path(template).read_text(encoding="utf-8")
        text = template_plan(relative, template_text, commune, the_year, lang=lang, folder=folder)
    else:
        text = starter_plan(commune, the_year, lang=lang, folder=folder)
    target.mkdir(parents=True, exist_ok=True)
    try:
        loads(text, file=str(plan_file))
    except PlanFileError as exc:  # a template whose placeholders need values
        plan_file.write_text(text, encoding="utf-8")
        _report(exc)
        raise click.ClickException(
            _("wrote {file}, which needs the values above before it validates").format(
                file=plan_file
            )
        ) from None
    plan_file.write_text(text, encoding="utf-8")
    (target / SCHEMA_FILE).write_text(schema_text(), encoding="utf-8")
    click.echo(
        _("Created {plan} and {schema}.").format(plan=plan_file, schema=target / SCHEMA_FILE)
    )
    click.echo(_("Next: planflow validate {folder}").format(folder=folder))


def _unit_choices(plan: Any) -> list[str]:
    out: list[str] = []
    for unit in plan.units:
        out += [unit.id, unit.name, *unit.aliases]
    return out


@contextmanager
def _completion(words: Sequence[str]) -> Iterator[None]:
    """Tab completes ``words`` in prompts while typing at a terminal (readline)."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        yield
        return
    matches: list[str] = []

    def complete(text: str, state: int) -> str | None:
        nonlocal matches
        if state == 0:
            low = text.casefold()
            matches = [w for w in words if w.casefold().startswith(low)]
        return matches[state] if state < len(matches) else None

    old, delims = readline.get_completer(), readline.get_completer_delims()
    readline.set_completer(complete)
    readline.set_completer_delims(",")
    readline.parse_and_bind("tab: complete")
    try:
        yield
    finally:
        readline.set_completer(old)
        readline.set_completer_delims(delims)


def _resolve_unit(plan: Any, text: str) -> str:
    """A unit id from what was typed: a number in the list, id, name, alias or their start."""
    from planflow.plan.forms import normalise_name

    text = text.strip()
    units = list(plan.units)
    if text.isdigit() and 1 <= int(text) <= len(units):
        return str(units[int(text) - 1].id)
    wanted = normalise_name(text)
    exact = [u.id for u in units for w in (u.id, u.name, *u.aliases) if normalise_name(w) == wanted]
    if exact:
        return str(exact[0])
    starts = {
        u.id
        for u in units
        for w in (u.id, u.name, *u.aliases)
        if normalise_name(w).startswith(wanted)
    }
    if len(starts) == 1:
        return str(starts.pop())
    if starts:
        raise PlanError(
            _("{text!r} may be {units}").format(text=text, units=", ".join(sorted(starts))),
            hint=_("type more of the name"),
        )
    raise PlanError(
        _("unknown unit {text!r}").format(text=text),
        hint=_("type its number, id, name or alias"),
    )


def _ask(label: str, parse: Callable[[str], Any], default: str | None = None) -> Any:
    """Prompt until ``parse`` accepts the answer; its PlanError is shown and asked again."""
    while True:
        answer = click.prompt(label, default=default, show_default=default is not None)
        try:
            return parse(answer)
        except PlanError as exc:
            click.echo(f"  {exc}", err=True)


_ADD_TASK_HELP = N_(
    """Ask for a task (title, lead, coordinators, window, frequency) and append it to PLAN.

    Unit names complete with Tab; a unit may be given by its number in the list,
    its id, its name, an alias or the start of one of them. The task is checked
    before the file is written, and nothing else in the file changes: comments and
    layout stay as they were.

    \b
    Example:
      planflow add-task ke-hoach-2026
    """
)


@click.command("add-task", cls=TranslatedCommand, help=_ADD_TASK_HELP)
@click.argument("plan", type=click.Path(exists=True))
@click.option("--title", help=N_("Nội dung: what is to be done."))
@click.option("--lead", help=N_("Cơ quan chủ trì: id, name or alias of the lead unit."))
@click.option("--coordinators", help=N_("Cơ quan phối hợp, separated by commas ('-' for none)."))
@click.option("--window", help=N_("Thời gian thực hiện: 2025, Q3/2025, 03/2025, …"))
@click.option(
    "--recurrence", help=N_("Tần suất: monthly, hằng quý, weekly on monday … ('-': once).")
)
@click.option("--id", "task_id", help=N_("The task's id [made from the title]."))
@lang_option
def add_task(
    plan: str,
    title: str | None,
    lead: str | None,
    coordinators: str | None,
    window: str | None,
    recurrence: str | None,
    task_id: str | None,
    lang: str | None,
) -> None:
    from planflow.plan import forms
    from planflow.plan.editing import append_task
    from planflow.plan.loading import loads, resolve_plan_path
    from planflow.plan.rules.text import normalise_recurrence
    from planflow.plan.starter import slug

    loaded = load_or_exit(plan)
    p = loaded.plan
    speak(p)
    file = resolve_plan_path(plan)
    if lead is None or coordinators is None:  # the list to choose from, by number
        for number, unit in enumerate(p.units, 1):
            click.echo(f"  {number:2d}. {unit.id:<12} {unit.name}")

    def given_or_asked(
        value: str | None, label: str, parse: Callable[[str], Any], default: str | None = None
    ) -> Any:
        if value is None:
            return _ask(label, parse, default)
        try:
            return parse(value)
        except PlanError as exc:
            raise click.ClickException(str(exc)) from None

    def parse_window(text: str) -> str | int:
        forms.parse_window(_number(text), p.year)
        return _number(text)

    def parse_rule(text: str) -> str | None:
        if text.strip() in ("", "-"):
            return None
        normalise_recurrence(text)
        return text.strip()

    with _completion(_unit_choices(p)):
        the_title = given_or_asked(title, _("Title (Nội dung)"), _title)
        lead_id = given_or_asked(
            lead, _("Lead unit (Cơ quan chủ trì)"), lambda s: _resolve_unit(p, s)
        )
        coordinator_ids = given_or_asked(
            coordinators,
            _("Coordinators (Cơ quan phối hợp), comma-separated; '-' for none"),
            lambda s: _coordinators(p, s),
            "-",
        )
    the_window = given_or_asked(
        window, _("Window (Thời gian thực hiện)"), parse_window, str(p.year)
    )
    the_rule = given_or_asked(recurrence, _("Frequency (Tần suất); '-' for once"), parse_rule, "-")
    taken = {t.id for t in p.tasks}
    base = task_id or slug(the_title)[:40].strip("-")
    new_id, n = base, 2
    while new_id in taken:
        new_id, n = f"{base}-{n}", n + 1
    task: dict[str, Any] = {"id": new_id, "title": the_title, "lead": lead_id}
    if coordinator_ids:
        task["coordinators"] = coordinator_ids
    task["window"] = the_window
    if the_rule:
        task["recurrence"] = the_rule
    text = file.read_text(encoding="utf-8")
    try:
        new_text = append_task(text, task)
        loads(new_text, file=str(file))
    except PlanFileError as exc:
        _report(exc)
        raise click.ClickException(_("the task was not added")) from None
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    file.write_text(new_text, encoding="utf-8")
    click.echo(_("Added task {id!r} to {file}.").format(id=new_id, file=file))


def _title(text: str) -> str:
    if not text.strip():
        raise PlanError(_("the title is empty"), hint=_("write what is to be done (Nội dung)"))
    return text.strip()


def _number(text: str) -> str | int:
    """A bare year stays a number in the file (``window: 2025``)."""
    text = text.strip()
    return int(text) if text.isdigit() else text


def _coordinators(plan: Any, text: str) -> list[str]:
    if text.strip() in ("", "-"):
        return []
    return [_resolve_unit(plan, part) for part in text.split(",") if part.strip()]
