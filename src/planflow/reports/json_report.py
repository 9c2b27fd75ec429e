"""The ``json`` reporter: :meth:`~planflow.reports.data.ReportData.to_dict` as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from planflow.hooks.specs import Artifact, ReportContext, Reporter, hookimpl
from planflow.reports.context import report_data

__all__ = ["JsonReporter"]


class JsonReporter:
    """``<plan>-<period>.json``: every figure of the period."""

    name = "json"
    description = "JSON figures per reporting period (totals, units, tasks, targets, late items)"
    media_type = "application/json"

    def report(self, context: ReportContext) -> Sequence[Artifact]:
        """One JSON file for the period."""
        data = report_data(context)
        text = json.dumps(data.to_dict(), ensure_ascii=False, indent=2) + "\n"
        name = f"{data.plan.id}-{data.period.id}.json"
        return [Artifact(name, self.media_type, text.encode("utf-8"))]


@hookimpl(trylast=True)
def planflow_reporters() -> Sequence[Reporter]:
    """The ``json`` reporter."""
    return [JsonReporter()]
