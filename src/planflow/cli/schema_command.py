"""``planflow schema``: the JSON Schema of plan files, for editors."""

from __future__ import annotations

import json

import click

from planflow.cli.lang import TranslatedCommand, lang_option
from planflow.i18n import N_

__all__ = ["schema_command", "schema_text"]


def schema_text() -> str:
    """The schema as the JSON text ``planflow schema`` prints and docs/plan.schema.json holds."""
    from planflow.plan.schema import plan_schema

    return json.dumps(plan_schema(), ensure_ascii=False, indent=2) + "\n"


_SCHEMA_HELP = N_(
    """Print the JSON Schema of plan files (for editors such as VS Code).

    With the YAML extension (yaml-language-server), a plan file whose first line is
    ``# yaml-language-server: $schema=plan.schema.json`` gets completion of keys and
    errors while typing. ``planflow init`` writes both.

    \b
    Example:
      planflow schema -o plan.schema.json
      planflow schema --format markdown -o docs/plan-keys.md
    """
)


@click.command("schema", cls=TranslatedCommand, help=_SCHEMA_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown"]),
    default="json",
    show_default=True,
    help=N_("json: the JSON Schema; markdown: the key reference tables (docs/plan-keys.md)."),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help=N_("Write the schema to this file instead of printing it."),
)
@lang_option
def schema_command(fmt: str, output: str | None, lang: str | None) -> None:
    if fmt == "markdown":
        from planflow.plan.schema_tables import keys_markdown

        text = keys_markdown()
    else:
        text = schema_text()
    if output:
        with open(output, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        click.echo(text, nl=False)
