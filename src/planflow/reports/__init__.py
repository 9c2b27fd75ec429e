"""Reports for a period of the plan, in every form officials use.

The figures (:mod:`~planflow.reports.data`) come from a run's state as of one day;
each form is a reporter registered through the plugin hooks exactly as a
third-party one would be: ``markdown``, ``csv``, ``json``, ``xlsx``, ``html`` (the
document with its charts) and ``pdf`` (the document in the form of an
administrative report, Nghị định 30/2020/NĐ-CP). The charts (:mod:`~planflow.reports.svg`)
are SVG: a Gantt chart per unit, a weekly workload heatmap, target progress bars.
This layer sits above ``run`` and ``hooks`` and below ``jobs`` and ``cli``.
"""

from planflow.reports.data import ReportData, RunState, build_report
from planflow.reports.periods import ReportPeriod, resolve_period

__all__ = ["ReportData", "ReportPeriod", "RunState", "build_report", "resolve_period"]
