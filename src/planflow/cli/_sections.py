"""The per-section and KPI tables of ``planflow simulate``'s human output."""

from __future__ import annotations

from typing import Any

from planflow.cli.common import console

__all__ = ["print_sections"]


def print_sections(result: Any) -> None:
    """Per plan section: the occurrences' outcomes and the KPI verdicts."""
    from rich.table import Table

    from planflow.hooks.reporters.markdown import verdict_vi, vi_date, vi_number

    out = console()
    plan = result.plan
    if plan.sections:
        table = Table("section", "planned", "on time", "late", "missed", title="Per section")
        for r in result.by_section():
            table.add_row(r["name"], str(r["planned"]), str(r["on_time"]), str(r["late"]),
                          str(r["missed"]))  # fmt: skip
        out.print(table)
    rows = result.indicators()
    names = {x.id: x.name for x in plan.sections}
    for section in [*names, ""]:
        chosen = [r for r in rows if r["section"] == section]
        if not chosen:
            continue
        title = f"Chỉ tiêu — {names[section]}" if section else "Chỉ tiêu (indicators)"
        table = Table("chỉ tiêu", "đơn vị", "thời điểm", "mục tiêu", "kết quả", "đánh giá",
                      title=title)  # fmt: skip
        for r in chosen:
            value = "" if r["value"] is None else vi_number(r["value"])
            table.add_row(r["indicator"], r["unit"], vi_date(r["checkpoint"]), r["goal"], value,
                          verdict_vi(r).replace("**", ""))  # fmt: skip
        out.print(table)
