"""planflow: run an official annual plan (kế hoạch) as a living schedule.

Load a plan file, look at its dependency graph and timeline::

    import planflow

    plan = planflow.load_plan("examples/boy_2025")
    for occurrence in planflow.Timeline(plan):
        print(occurrence.due, occurrence.task)
"""

from typing import TYPE_CHECKING

from planflow.hooks.specs import (
    Artifact,
    ChannelSettings,
    ModelInfo,
    Notifier,
    ReportContext,
    Reporter,
    Setting,
    Skipped,
    hookimpl,
)
from planflow.plan.errors import (
    CycleError,
    ModelError,
    PlanError,
    PlanFileError,
    Problem,
    RecurrenceError,
)
from planflow.plan.loading import LoadedPlan, SourceFile, load, load_plan, loads
from planflow.plan.model import (
    Comparator,
    Dependency,
    DependencyMode,
    Firmness,
    Goal,
    Group,
    Indicator,
    LeadMode,
    LegalBasis,
    Offset,
    Period,
    Plan,
    ReportingPeriod,
    Section,
    Shift,
    Target,
    Task,
    TimeRange,
    Unit,
    Window,
)

if TYPE_CHECKING:
    from planflow.feeds.export import export_feeds
    from planflow.run.simulation import simulate
    from planflow.timeline.occurrences import Occurrence, Timeline

__version__ = "0.1.0"

_LAZY = {
    "Occurrence": "timeline.occurrences",
    "Timeline": "timeline.occurrences",
    "simulate": "run.simulation",
    "export_feeds": "feeds.export",
}


def __getattr__(name: str) -> object:
    # the timeline pulls in the holiday calendars; load it (and what needs it) only when asked for
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'planflow' has no attribute {name!r}")


__all__ = [
    "Artifact",
    "ChannelSettings",
    "Comparator",
    "CycleError",
    "Dependency",
    "DependencyMode",
    "Firmness",
    "Goal",
    "Group",
    "Indicator",
    "LeadMode",
    "LegalBasis",
    "LoadedPlan",
    "ModelError",
    "ModelInfo",
    "Notifier",
    "Occurrence",
    "Offset",
    "Period",
    "Plan",
    "PlanError",
    "PlanFileError",
    "Problem",
    "RecurrenceError",
    "ReportContext",
    "Reporter",
    "ReportingPeriod",
    "Section",
    "Setting",
    "Shift",
    "Skipped",
    "SourceFile",
    "Target",
    "Task",
    "TimeRange",
    "Timeline",
    "Unit",
    "Window",
    "__version__",
    "export_feeds",
    "hookimpl",
    "load",
    "load_plan",
    "loads",
    "simulate",
]
