"""The forms of the consolidated report: which writer makes which files.

``md``, ``csv`` and ``json`` from :mod:`.consolidated`, ``xlsx`` from
:mod:`.consolidated_xlsx`, ``html`` and ``pdf`` from :mod:`.consolidated_html`.
"""

from __future__ import annotations

import json
from typing import Any

from planflow.hooks.specs import Artifact
from planflow.reports.consolidated import render_csv, render_markdown
from planflow.reports.consolidated_html import render_html, render_pdf
from planflow.reports.consolidated_xlsx import render_xlsx

__all__ = ["consolidated_artifacts"]


def consolidated_artifacts(
    summary: dict[str, Any], *, form: str, stem: str, top: int | None
) -> list[Artifact]:
    """The files of the consolidated report in ``form`` (md, csv, json, xlsx, html, pdf),
    named ``STEM.EXT`` (csv: also ``STEM-chi-tieu.csv``, the KPI targets not met)."""
    if form == "md":
        text = render_markdown(summary, top=top)
        return [Artifact(f"{stem}.md", "text/markdown", text.encode("utf-8"))]
    if form == "csv":
        counts, kpi = render_csv(summary)
        return [Artifact(f"{stem}.csv", "text/csv", counts),
                Artifact(f"{stem}-chi-tieu.csv", "text/csv", kpi)]  # fmt: skip
    if form == "json":
        text = json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
        return [Artifact(f"{stem}.json", "application/json", text.encode("utf-8"))]
    if form == "xlsx":
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return [Artifact(f"{stem}.xlsx", media, render_xlsx(summary))]
    if form == "pdf":
        return [Artifact(f"{stem}.pdf", "application/pdf", render_pdf(summary, top=top))]
    html = render_html(summary, top=top)
    return [Artifact(f"{stem}.html", "text/html", html.encode("utf-8"))]
