"""``planflow tokens WORKSPACE --all-plans --links FILE``: a token for every unit that
has none, in every plan of a workspace, with the links in a sheet for the province
office to hand out.

Each plan's tokens go to its own ``plan.tokens.json`` (the file ``planflow serve
WORKSPACE`` reads). The secrets are not printed: there may be thousands. They go
to ``FILE`` (``.csv`` or ``.xlsx``), created with mode 0600 and never over an
existing file, and only once it is written are the tokens files saved, so no
token is kept whose secret was lost. The terminal gets a summary per plan.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import click

from planflow.feeds.tokens import TokenStore, default_tokens_path
from planflow.i18n import N_, _, ngettext
from planflow.plan.errors import PlanError, PlanFileError

if TYPE_CHECKING:
    from planflow.workspace import Member, Session
    from planflow.workspace.members import Failed

__all__ = ["LINK_HEADINGS", "issue_all_plans"]

SHOWN = 20  # plans listed in the summary
LINK_HEADINGS = (
    N_("Plan id"),
    N_("Plan"),
    N_("Unit id"),
    N_("Unit"),
    N_("Token"),
    N_("Calendar link (https)"),
    N_("Calendar link (webcal)"),
    N_("Unit page"),
)
_WIDTHS = (18, 30, 10, 30, 10, 60, 60, 60)


@attrs.frozen
class PlanUnits:
    """What issuing needs of one plan, as a worker process loads it."""

    plan_id: str
    title: str
    units: tuple[tuple[str, str], ...]  # (id, name), in the plan's order


def plan_units(session: Session, member: Member) -> PlanUnits | Failed:
    """One plan's id, title and units, or its problems (run in a worker process)."""
    from planflow.workspace.members import failed, load_member

    try:
        plan = load_member(session, member).plan
    except PlanFileError as exc:
        return failed(member, exc)
    return PlanUnits(plan.id, plan.title, tuple((u.id, u.name) for u in plan.units))


@attrs.define
class _Issued:
    member: Member
    store: TokenStore
    plan: PlanUnits
    rows: list[tuple[str, ...]]


def issue_all_plans(
    path: str, links: str, base_url: str, label: str, *, jobs: int, no_cache: bool
) -> int:
    """Issue, write the sheet, save the tokens files, print the summary; the exit status."""
    from planflow.cli.workspace_options import open_session
    from planflow.workspace import is_workspace, run_each

    if not is_workspace(path):
        raise click.UsageError(_("--all-plans needs a workspace folder as PLAN"))
    sheet = Path(links)
    kind = sheet.suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise click.BadParameter(
            _("the links file must end in .csv or .xlsx"), param_hint="--links"
        )
    if sheet.exists():
        message = _("{file} exists; name a new file (it would hold the new secrets)")
        raise click.BadParameter(message.format(file=sheet), param_hint="--links")
    session = open_session(path, no_cache=no_cache)
    members = session.workspace.members
    done: list[_Issued] = []
    seen: dict[str, str] = {}
    failures = 0
    for member, outcome in zip(members, run_each(session, plan_units, jobs=jobs), strict=True):
        if not isinstance(outcome, PlanUnits):
            failures += 1
            for problem in outcome.problems:
                click.echo(problem, err=True)
            continue
        if outcome.plan_id in seen:
            failures += 1
            message = _("{file}: plan id {id!r} is also the id of {other}; it is not served")
            click.echo(message.format(file=member.key, id=outcome.plan_id,
                                      other=seen[outcome.plan_id]), err=True)  # fmt: skip
            continue
        seen[outcome.plan_id] = member.key
        try:
            store = TokenStore.load(default_tokens_path(member.path))
        except PlanError as exc:
            failures += 1
            click.echo(str(exc), err=True)
            continue
        done.append(_issue(member, store, outcome, base_url, label))
    rows = [row for item in done for row in item.rows]
    if rows:
        try:
            _write_sheet(sheet, rows, session.workspace.name)
        except PlanError as exc:
            raise click.ClickException(str(exc)) from None
        for item in done:
            if item.rows:
                item.store.save()
    _summary(done, failures, sheet if rows else None)
    return 1 if failures else 0


def _issue(
    member: Member, store: TokenStore, plan: PlanUnits, base_url: str, label: str
) -> _Issued:
    from urllib.parse import quote

    base = f"{base_url.rstrip('/')}/{quote(plan.plan_id, safe='')}"
    rows: list[tuple[str, ...]] = []
    for unit_id, name in plan.units:
        if store.for_unit(unit_id):
            continue
        token, secret = store.issue(unit_id, label=label)
        feed = f"{base}/feeds/{secret}/units/{unit_id}.ics"
        webcal = "webcal://" + feed.split("://", 1)[1]
        page = f"{base}/pages/{secret}/units/{unit_id}"
        rows.append((plan.plan_id, plan.title, unit_id, name, token.id, feed, webcal, page))
    return _Issued(member, store, plan, rows)


def _write_sheet(file: Path, rows: Sequence[tuple[str, ...]], workspace: str) -> None:
    """The links, as CSV (UTF-8 with BOM, for Excel) or xlsx; created with mode 0600."""
    header = [_(h) for h in LINK_HEADINGS]
    if file.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        data = buffer.getvalue().encode("utf-8-sig")
    else:
        from planflow.reports.sheets import new_workbook, write_table

        wb = new_workbook()
        ws = wb.active
        ws.title = _("Links")
        subtitle = _("Secret links: send each unit only its own row, over a private channel.")
        write_table(ws, header, rows, _WIDTHS, title=workspace, subtitle=subtitle)
        out = io.BytesIO()
        wb.save(out)
        data = out.getvalue()
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as stream:
            os.fchmod(stream.fileno(), 0o600)  # whatever the umask
            stream.write(data)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            file.unlink()
        raise


def _summary(done: Sequence[_Issued], failures: int, sheet: Path | None) -> None:
    """New tokens per plan (the plans with new tokens first, at most SHOWN), and totals."""
    ranked = sorted(done, key=lambda item: -len(item.rows))
    head = (_("plan"), _("new tokens"), _("units"))
    click.echo(f"{head[0]:24}  {head[1]:>10}  {head[2]:>6}")
    for item in ranked[:SHOWN]:
        click.echo(f"{item.plan.plan_id:24}  {len(item.rows):>10}  {len(item.plan.units):>6}")
    if len(ranked) > SHOWN:
        more = ngettext("… and {count} more plan", "… and {count} more plans", len(ranked) - SHOWN)
        click.echo(more.format(count=len(ranked) - SHOWN))
    issued = sum(len(item.rows) for item in done)
    plans = sum(1 for item in done if item.rows)
    total = ngettext("{count} token issued", "{count} tokens issued", issued).format(count=issued)
    where = ngettext("in {count} plan", "in {count} plans", plans).format(count=plans)
    click.echo(f"{total} {where}.", err=True)
    if failures:
        message = ngettext(
            "{count} plan was skipped (see above).", "{count} plans were skipped (see above).",
            failures,
        )  # fmt: skip
        click.echo(message.format(count=failures), err=True)
    if sheet is not None:
        message = _(
            "The links are in {file} (mode 0600), and only there: send each unit its own "
            "row over a private channel, then delete the file."
        )
        click.echo(message.format(file=sheet), err=True)
    else:
        click.echo(_("every unit of every plan has a token already"), err=True)
