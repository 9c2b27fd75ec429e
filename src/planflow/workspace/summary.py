"""Aggregating the plans of a workspace: per plan first, the worst first.

These functions turn the per-plan results of :mod:`planflow.workspace.work` into the
objects the CLI prints and ``--json`` emits (schema in ``docs/workspaces.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from planflow.i18n import _
from planflow.plan.errors import Problem
from planflow.workspace.discovery import Workspace
from planflow.workspace.members import Failed

__all__ = [
    "COUNTS",
    "SCHEMA_VERSION",
    "failure_to_dict",
    "simulation_summary",
    "split",
    "validation_summary",
]

SCHEMA_VERSION = 1
COUNTS = ("planned", "done", "on_time", "late", "missed", "pending")


def split(
    outcomes: Iterable[dict[str, Any] | Failed],
) -> tuple[list[dict[str, Any]], list[Failed]]:
    """The plans that worked and those that failed; a plan id used twice fails both plans."""
    ok: list[dict[str, Any]] = []
    bad: list[Failed] = []
    for outcome in outcomes:
        (bad if isinstance(outcome, Failed) else ok).append(outcome)  # type: ignore[arg-type]
    files: dict[str, list[str]] = {}
    for row in ok:
        files.setdefault(row["plan"], []).append(row["file"])
    twice = {plan: keys for plan, keys in files.items() if len(keys) > 1}
    if twice:
        kept = []
        for row in ok:
            keys = twice.get(row["plan"])
            if keys is None:
                kept.append(row)
                continue
            others = ", ".join(k for k in keys if k != row["file"])
            problem = Problem(
                _("plan id {plan!r} is also the id of {others}").format(
                    plan=row["plan"], others=others
                ),
                row["file"],
                hint=_("every plan of a workspace needs its own id (plan: id:)"),
            )
            bad.append(Failed(row["file"], (str(problem),), 1))
        ok = kept
    return ok, bad


def failure_to_dict(f: Failed) -> dict[str, Any]:
    """``{"file", "errors", "problems"}``."""
    return {"file": f.file, "errors": f.errors, "problems": list(f.problems)}


def _worst(row: dict[str, Any]) -> tuple[Any, ...]:
    t = row["totals"]
    return (-t["missed"], -t["late"], -t["pending"], -row["targets_not_met"], row["plan"])


def simulation_summary(
    ws: Workspace,
    outcomes: Iterable[dict[str, Any] | Failed],
    *,
    model: str,
    seed: int,
    all_units: bool = False,
) -> dict[str, Any]:
    """The workspace's simulation: totals, plans worst first, shared units across plans.

    Units of the communes are listed (``units``) only with ``all_units``: at national
    scale that is some 40,000 rows.
    """
    ok, bad = split(outcomes)
    ok.sort(key=_worst)
    totals = dict.fromkeys(COUNTS, 0)
    totals["max_days_late"] = 0
    shared: dict[str, dict[str, Any]] = {}
    units: list[dict[str, Any]] = []
    for row in ok:
        for key in COUNTS:
            totals[key] += row["totals"][key]
        totals["max_days_late"] = max(totals["max_days_late"], row["totals"]["max_days_late"])
        for unit in row["units"]:
            if unit["unit"] in ws.shared_ids:
                agg = shared.setdefault(
                    unit["unit"],
                    {
                        "unit": unit["unit"],
                        "name": unit["name"],
                        "plans": 0,
                        **dict.fromkeys(COUNTS, 0),
                        "max_days_late": 0,
                    },
                )
                agg["plans"] += 1
                for key in COUNTS:
                    agg[key] += unit[key]
                agg["max_days_late"] = max(agg["max_days_late"], unit["max_days_late"])
            elif all_units:
                units.append({"plan": row["plan"], **unit})
    plans = [
        {
            "plan": row["plan"],
            "title": row["title"],
            "file": row["file"],
            **row["totals"],
            "events": row["events"],
            "targets_not_met": row["targets_not_met"],
            "late_chains": row["late_chains"],
            "worst_unit": _worst_unit(row["units"], ws),
        }
        for row in ok
    ]
    out: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "kind": "workspace-simulation",
        "workspace": ws.name,
        "model": model,
        "seed": seed,
        "plans_total": len(ok) + len(bad),
        "plans_failed": len(bad),
        "totals": totals,
        "events": sum(row["events"] for row in ok),
        "plans": plans,
        "shared_units": [shared[u.id] for u in ws.units if u.id in shared],
        "failed": [failure_to_dict(f) for f in bad],
    }
    if all_units:
        out["units"] = units
    return out


def _worst_unit(rows: list[dict[str, Any]], ws: Workspace) -> str | None:
    """The commune's unit with the most missed, then late, occurrences (None if all on time)."""
    own = [r for r in rows if r["unit"] not in ws.shared_ids and (r["missed"] or r["late"])]
    if not own:
        return None
    return min(own, key=lambda r: (-r["missed"], -r["late"], r["unit"]))["unit"]  # type: ignore[no-any-return]


def validation_summary(
    ws: Workspace, outcomes: Iterable[dict[str, Any] | Failed]
) -> dict[str, Any]:
    """The workspace's validation: counts, and the plans with errors, then warnings, first."""
    ok, bad = split(outcomes)
    with_errors = [r for r in ok if r["errors"]]
    ok.sort(key=lambda r: (-len(r["errors"]), -len(r["warnings"]), r["plan"]))
    keys = ("tasks", "units", "groups", "dependencies", "occurrences")
    return {
        "schema": SCHEMA_VERSION,
        "kind": "workspace-validation",
        "workspace": ws.name,
        "plans_total": len(ok) + len(bad),
        "plans_failed": len(bad) + len(with_errors),
        "shared_units": [u.id for u in ws.units],
        "totals": {
            **{k: sum(r[k] for r in ok) for k in keys},
            "warnings": sum(len(r["warnings"]) for r in ok),
        },
        "failed": [failure_to_dict(f) for f in bad],
        "plans": ok,
    }
