"""The plan as data: frozen attrs classes with validators.

The model knows nothing of files, feeds, the CLI or plugins. Values are already
normalised (unit ids rather than aliases, RRULE strings rather than shorthands);
:mod:`planflow.plan.loading` turns a hand-written plan file into these classes.

Cross-references (unknown units, duplicate ids, windows outside the year,
dependency cycles) are checked once, by :func:`plan_problems`, which both the
:class:`Plan` validator and the loader use: the loader maps each problem's
path back to a line and column in the file.

The classes live in submodules (:mod:`~planflow.plan.model.enums`,
:mod:`~planflow.plan.model.timing`, :mod:`~planflow.plan.model.units`,
:mod:`~planflow.plan.model.tasks`, :mod:`~planflow.plan.model.plan`,
:mod:`~planflow.plan.model.problems`); import them from here.
"""

from __future__ import annotations

from types import FunctionType as _FunctionType

from planflow.plan.model._fields import ID_PATTERN
from planflow.plan.model.enums import Category, DependencyMode, LeadMode, Period
from planflow.plan.model.enums import Shift as Shift
from planflow.plan.model.indicators import Comparator, Firmness, Goal, Indicator, Metric, Section
from planflow.plan.model.places import entry as entry
from planflow.plan.model.places import show_path as show_path
from planflow.plan.model.places import suggest as suggest
from planflow.plan.model.plan import LegalBasis, Plan
from planflow.plan.model.plan import unchecked as unchecked
from planflow.plan.model.problems import Path as Path
from planflow.plan.model.problems import PathItem as PathItem
from planflow.plan.model.problems import PlanProblem, plan_problems
from planflow.plan.model.problems import find_cycle as find_cycle
from planflow.plan.model.problems import format_path as format_path
from planflow.plan.model.tasks import Dependency, Target, Task
from planflow.plan.model.timing import Offset, ReportingPeriod, TimeRange, Window
from planflow.plan.model.units import Group, Unit

# The names imported "as" themselves above are importable from here too (the loader,
# hooks, feeds and CLI use them) without being part of the star-export.
__all__ = [
    "ID_PATTERN",
    "Category",
    "Comparator",
    "Dependency",
    "DependencyMode",
    "Firmness",
    "Goal",
    "Group",
    "Indicator",
    "LeadMode",
    "LegalBasis",
    "Metric",
    "Offset",
    "Period",
    "Plan",
    "PlanProblem",
    "ReportingPeriod",
    "Section",
    "Target",
    "Task",
    "TimeRange",
    "Unit",
    "Window",
    "plan_problems",
]

# documented, pickled and shown as planflow.plan.model.<name>, as before the split: every
# class and function imported above from a submodule (tests/test_exports.py checks that
# the imports and ``__all__`` agree)
for _value in list(globals().values()):
    if isinstance(_value, type | _FunctionType) and _value.__module__.startswith(__name__ + "."):
        _value.__module__ = __name__
del _value
