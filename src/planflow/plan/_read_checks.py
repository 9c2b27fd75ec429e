"""Warnings about dates before the plan takes effect, and check-ins that do not apply."""

from __future__ import annotations

from datetime import date

from planflow.i18n import _, format_date
from planflow.plan._read_indicators import IndicatorReader
from planflow.plan.errors import Severity
from planflow.plan.model import Plan

__all__ = ["CheckReader"]


class CheckReader(IndicatorReader):
    """The checks the reader runs on a plan that loaded: warnings only."""

    def check_check_ins(self, plan: Plan) -> None:
        """A ``check_in`` rhythm only applies to continuous work: say so instead of ignoring it."""
        for task, i in zip(plan.tasks, self.task_paths, strict=True):
            if "check_in" in self.inherited.get(task.id, ()):
                continue  # a plan-wide default applies only where it can
            if task.check_in is not None and not (task.window.continuous and not task.recurring):
                why = (
                    _("it has its own dates")
                    if task.recurring
                    else _("its window is not continuous")
                )
                self.fail(
                    ("tasks", i, "check_in"),
                    _("check_in is ignored: {why}").format(why=why),
                    _(
                        "check-ins apply to 'Thường xuyên trong năm' work without a recurrence; "
                        "remove check_in, or make the window continuous"
                    ),
                    severity=Severity.WARNING,
                )

    def check_checkpoints(self, plan: Plan, start: date) -> None:
        """Warn about indicator checkpoints before the plan takes effect."""
        for i, ind in enumerate(plan.indicators):
            for j, day in enumerate(ind.checkpoints):
                if day < start:
                    self.fail(
                        ("indicators", i, "checkpoints", j),
                        _("checkpoint {day} is before the plan takes effect ({start})").format(
                            day=format_date(day), start=format_date(start)
                        ),
                        _("measure from the plan's start on"),
                        severity=Severity.WARNING,
                    )

    def check_start(self, plan: Plan) -> None:
        """Warn about windows and dates that lie before the plan takes effect."""
        start = plan.start
        if start is None:
            return
        if plan.effective and plan.issued and plan.effective < plan.issued:
            self.fail(
                ("plan", "effective"),
                _("the plan takes effect ({effective}) before it is issued ({issued})").format(
                    effective=format_date(plan.effective), issued=format_date(plan.issued)
                ),
                _("a plan applies from its issue date at the earliest; check both dates"),
                severity=Severity.WARNING,
            )
        self.check_checkpoints(plan, start)
        for task, i in zip(plan.tasks, self.task_paths, strict=True):
            window = task.window
            if window.end < start:
                self.fail(
                    ("tasks", i, "window"),
                    _(
                        "window {window} ends before the plan takes effect ({start}): "
                        "the task has no occurrence"
                    ).format(
                        window=window.label or format_date(window.start), start=format_date(start)
                    ),
                    _("move the window after the plan's start or leave the task out"),
                    severity=Severity.WARNING,
                )
            elif window.start < start and task.id in self.explicit_windows:
                self.fail(
                    ("tasks", i, "window"),
                    _(
                        "window starts {first}, before the plan takes effect ({start}); "
                        "it is read from {start}"
                    ).format(first=format_date(window.start), start=format_date(start)),
                    _(
                        "write the window from {start}, or set plan.effective if the plan "
                        "applies earlier"
                    ).format(start=format_date(start)),
                    severity=Severity.WARNING,
                )
            for j, day in enumerate(task.dates):
                if day < start and window.end >= start:
                    self.fail(
                        ("tasks", i, "dates", j),
                        _(
                            "date {day} is before the plan takes effect ({start}) and is dropped"
                        ).format(day=format_date(day), start=format_date(start)),
                        _("remove it, or set plan.effective if the plan applies earlier"),
                        severity=Severity.WARNING,
                    )
