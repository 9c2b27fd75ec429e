"""The consolidated report of a workspace: the plans' figures for one period, put together.

:func:`report_summary` turns the per-plan dicts of
:func:`planflow.workspace.reporting.report_one` into the object every form of the
consolidated report is written from (``--format json`` writes exactly it; schema in
``docs/workspaces.md``): who issues and signs it (the workspace file's ``issuer``,
else its name, and its ``report:`` block), totals, the plans worst first, the shared
units' part across plans, the KPI targets not met per plan, the plans that failed to load.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from planflow.i18n import _
from planflow.plan.errors import PlanError
from planflow.workspace.discovery import Workspace
from planflow.workspace.members import Failed
from planflow.workspace.reporting import COUNT_KEYS
from planflow.workspace.summary import SCHEMA_VERSION, failure_to_dict, split

__all__ = ["on_time_percent", "report_summary"]


def on_time_percent(row: dict[str, Any]) -> float | None:
    """The share of the period's planned occurrences done on time, in percent (1 decimal)."""
    if not row["planned"]:
        return None
    share: float = round(100 * row["on_time"] / row["planned"], 1)
    return share


def _worst(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        -row["missed"],
        -row["late"],
        -row["pending"],
        -row["targets_not_met"],
        -len(row["indicators_not_met"]),
        row["plan"],
    )


def _check_period(spec: str, ok: list[dict[str, Any]]) -> None:
    """Every plan has the period, with the same dates; else a PlanError naming the plans."""
    lacking = [row for row in ok if "no_period" in row]
    if lacking:
        names = ", ".join(row["plan"] for row in lacking[:10])
        if len(lacking) > 10:
            names += _(" and {count} more").format(count=len(lacking) - 10)
        raise PlanError(
            _("period {spec!r} is not a period of {count} plans of the workspace: {plans}").format(
                spec=spec, count=len(lacking), plans=names
            ),
            hint=_(
                "{problem}; use a period every plan has: a quarter (2025-Q3) or the year"
            ).format(problem=lacking[0]["no_period"]),
        )
    dates: dict[tuple[str, str], list[str]] = {}
    for row in ok:
        dates.setdefault((row["period"]["start"], row["period"]["end"]), []).append(row["plan"])
    if len(dates) > 1:
        kinds = "; ".join(
            f"{start} – {end}: {', '.join(plans[:3])}" + (" …" if len(plans) > 3 else "")
            for (start, end), plans in sorted(dates.items())
        )
        raise PlanError(
            _("period {spec!r} covers different dates in the plans ({kinds})").format(
                spec=spec, kinds=kinds
            ),
            hint=_("report on a quarter (2025-Q3) or the year, which are the same in every plan"),
        )


def report_summary(
    ws: Workspace,
    outcomes: Iterable[dict[str, Any] | Failed],
    *,
    spec: str,
    source: dict[str, Any],
) -> dict[str, Any]:
    """The consolidated report's figures; ``source`` says where the year came from
    (``{"kind": "simulation", "model", "seed"}`` or ``{"kind": "recorded"}``).

    :raises PlanError: a plan lacks the period, or the plans' periods differ.
    """
    ok, bad = split(outcomes)
    _check_period(spec, ok)
    ok.sort(key=_worst)
    totals = {k: sum(row[k] for row in ok) for k in COUNT_KEYS}
    totals["on_time_percent"] = on_time_percent(totals)
    shared: dict[str, dict[str, Any]] = {}
    for row in ok:
        for part in row["shared_units"]:
            agg = shared.setdefault(
                part["unit"],
                {"unit": part["unit"], "name": part["name"], "plans": 0}
                | dict.fromkeys(COUNT_KEYS, 0),
            )
            agg["plans"] += 1
            for k in COUNT_KEYS:
                agg[k] += part[k]
    for agg in shared.values():
        agg["on_time_percent"] = on_time_percent(agg)
    plans = [
        {
            **{k: row[k] for k in ("plan", "title", "issuer", "file", *COUNT_KEYS)},
            "on_time_percent": on_time_percent(row),
            "targets_not_met": row["targets_not_met"],
            "indicators_not_met": len(row["indicators_not_met"]),
            "worst_unit": row["worst_unit"],
        }
        for row in ok
    ]
    period = ok[0]["period"] if ok else None
    return {
        "schema": SCHEMA_VERSION,
        "kind": "workspace-report",
        "workspace": ws.name,
        "issuer": ws.issuer or ws.name,
        "report": dict(ws.report),
        "period": {"id": spec, **(period or {})},
        "source": source,
        "plans_total": len(ok) + len(bad),
        "plans_failed": len(bad),
        "totals": totals,
        "plans": plans,
        "shared_units": [shared[u.id] for u in ws.units if u.id in shared],
        "indicators_not_met": [
            {"plan": row["plan"], **ind} for row in ok for ind in row["indicators_not_met"]
        ],
        "failed": [failure_to_dict(f) for f in bad],
    }
