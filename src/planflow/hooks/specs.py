"""Every planflow hook, with what it is for, its arguments and its return value.

Plugins implement hooks with :data:`hookimpl` (``from planflow import hookimpl``)
and are found through the ``planflow`` entry-point group, as pytest and datasette
plugins are. Hooks are called with keyword arguments only, so an implementation may
accept any subset of the documented arguments.

A **notifier** delivers engine events through a channel (e-mail, a webhook, Zalo …).
A **reporter** turns a closed reporting period into named artifacts (Markdown,
CSV …). Plugins *declare* them through the registration hooks below; planflow
calls them itself, one at a time, so that one failing plugin never stops another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs
import pluggy

if TYPE_CHECKING:
    import click
    from icalendar import Component

    from planflow.plan.model import Plan, Unit
    from planflow.run.events import Event

__all__ = [
    "Artifact",
    "ChannelSettings",
    "ModelInfo",
    "Notifier",
    "ReportContext",
    "Reporter",
    "Setting",
    "Skipped",
    "hookimpl",
    "hookspec",
]

PROJECT = "planflow"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@attrs.frozen
class Setting:
    """One setting a notifier or reporter accepts.

    ``scope`` says where it is written in the plan file: ``"unit"`` under a unit's
    ``channels: {<notifier>: {...}}`` (a unit's e-mail address, a webhook URL), or
    ``"run"`` under the plan's top-level ``channels:`` (an SMTP host) — both may be
    overridden by ``--set NOTIFIER.KEY=VALUE`` on the command line.
    """

    name: str
    type: type = str
    required: bool = False
    default: Any = None
    scope: str = "unit"
    secret: bool = False
    help: str = ""


@attrs.frozen
class ChannelSettings:
    """A notifier's checked settings for one run.

    ``run`` holds the run-level settings; ``units`` maps a unit id to that unit's
    settings (only units that configured this channel appear).
    """

    run: Mapping[str, Any] = attrs.field(factory=dict)
    units: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)


@attrs.frozen
class Skipped:
    """What ``Notifier.deliver`` returns for an event it deliberately did not deliver.

    An event kind the channel is not configured for, a unit without an address: the
    event is counted as *skipped* (with ``reason``), neither delivered nor failed.
    Returning ``None`` means delivered; raising means failed.
    """

    reason: str = ""


@attrs.frozen
class ModelInfo:
    """A completion model a plugin declares (:func:`planflow_completion_models`).

    ``name`` is what users write after ``--model``; ``settings`` are its options,
    written ``--model NAME:KEY=VALUE,KEY=VALUE`` and handed, converted to each
    setting's ``type`` (defaults filled in), to
    :func:`planflow_completion_model` as ``options``.
    """

    name: str
    description: str = ""
    settings: Sequence[Setting] = ()


@attrs.frozen
class Artifact:
    """One file a reporter produces: planflow decides where (and whether) to write it."""

    name: str
    media_type: str
    content: bytes


@attrs.frozen
class ReportContext:
    """What a reporter sees of a run when a reporting period closes.

    :param plan: the plan.
    :param period: the ``period_closed`` event (its ``task`` is the reporting
        period's id, ``period`` its name, ``start``/``due`` its dates).
    :param result: the run's result so far (``planflow.run.simulation.SimulationResult``
        for a simulation): ``by_task()``, ``by_unit()``, ``targets()`` …; any object
        with ``plan``, ``timeline``, ``outcomes`` and ``capacity`` will do
        (``planflow.reports.data.RunState``).
    :param unit: report only what this unit leads or coordinates (``None``: everything).

    .. versionadded:: 0.1 ``unit``.
    """

    plan: Plan
    period: Event
    result: Any
    unit: str | None = None


@runtime_checkable
class Notifier(Protocol):
    """A channel that delivers events.

    ``name`` is what users write after ``--notify``; ``settings`` declares what the
    plan file may configure. ``deliver`` is called once per event: it returns
    ``None`` when the event was delivered, a :class:`Skipped` when it deliberately
    did not deliver it, and raises on failure (planflow records the failure with
    the notifier's name; the run goes on).

    A notifier may also have a ``kinds`` attribute (a set of event kind values, e.g.
    ``{"reminder", "due"}``): events of other kinds are not handed to it and are
    counted as skipped. Without it every event is handed over.
    """

    name: str
    description: str
    settings: Sequence[Setting]

    def deliver(
        self, event: Event, *, plan: Plan, units: Sequence[Unit], settings: ChannelSettings
    ) -> Skipped | None:
        """Deliver ``event`` to ``units`` (the lead first, then the coordinators)."""


@runtime_checkable
class Reporter(Protocol):
    """Turns a closed reporting period into artifacts (``--report NAME``)."""

    name: str
    description: str
    media_type: str

    def report(self, context: ReportContext) -> Sequence[Artifact]:
        """The artifacts for ``context.period``; an empty list when there is nothing to say."""


# --- registration hooks ---------------------------------------------------


@hookspec
def planflow_notifiers() -> Sequence[Notifier]:
    """Declare the notifiers a plugin provides.

    Called once when the plugin manager is built. Results of every plugin are
    combined; two notifiers with the same name are an error naming both plugins.

    :return: notifier objects (see :class:`Notifier`).
    """
    raise NotImplementedError


@hookspec
def planflow_reporters() -> Sequence[Reporter]:
    """Declare the reporters a plugin provides (combined like :func:`planflow_notifiers`).

    :return: reporter objects (see :class:`Reporter`).
    """
    raise NotImplementedError


# --- run hooks ------------------------------------------------------------


@hookspec
def planflow_event(event: Event, plan: Plan) -> None:
    """Called for every engine event, in time order, before the notifiers deliver it.

    For plugins that observe rather than deliver (a metrics collector, an audit
    log). An exception here is reported with the plugin's name and the run goes on.

    :param event: the event (:class:`planflow.run.events.Event`).
    :param plan: the plan being run.
    """


@hookspec
def planflow_completion_models() -> Sequence[ModelInfo]:
    """Declare the completion models a plugin provides, with their options.

    ``planflow plugins`` and ``planflow simulate --help`` list them; their options
    are checked and converted before :func:`planflow_completion_model` is called.

    :return: :class:`ModelInfo` objects.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def planflow_completion_model(name: str, plan: Plan, seed: int, options: Mapping[str, Any]) -> Any:
    """Provide a completion model for ``planflow simulate --model NAME``.

    Stops at the first non-None result.

    :param name: the model name the user asked for.
    :param plan: the plan being simulated.
    :param seed: the run's seed; a model must use it for all randomness.
    :param options: the options given after ``NAME:`` (``--model slow:days=3``),
        converted to the types of the :class:`ModelInfo` settings, defaults filled in;
        empty for a model that declares none.
    :return: an object with ``completion(occurrence, ready) -> date | None`` (a
        ``planflow.run.engine.CompletionModel``), or ``None`` if ``name`` is not yours.
    """


# --- extension points -----------------------------------------------------


@hookspec
def planflow_register_commands(cli: click.Group, pm: Any) -> None:
    """Add commands to the ``planflow`` command line.

    A command that raises is reported as ``plugin 'X' failed in command 'NAME': …``
    (exit status 4); a command named like a built-in one is refused.

    :param cli: a click group; call ``@cli.command()`` on your functions.
    :param pm: the plugin manager of this invocation
        (:class:`planflow.hooks.manager.PluginManager`): ``pm.notifiers()``,
        ``pm.reporters()``, ``pm.models()``; pass it on to
        ``planflow.jobs.simulate.run_simulation(plan, pm=pm, …)``.
    """


@hookspec
def planflow_calendar_component(component: Component, plan: Plan, task: str) -> None:
    """Adjust a calendar component (a VEVENT or VTODO) before it is written to a feed.

    Change ``component`` in place (add an X- property, a URL, a location).
    Implementations must be deterministic: feeds are byte-identical across exports.

    :param component: the ``icalendar`` component.
    :param plan: the plan.
    :param task: the duty id the component is for.
    """


@hookspec
def planflow_check_settings(plan: Plan) -> Sequence[tuple[tuple[Any, ...], str]]:
    """Check the plan's channel settings beyond the declared :class:`Setting` types.

    Called by ``planflow validate``.

    :param plan: the plan.
    :return: ``(path, message)`` pairs; ``path`` locates the problem in the plan
        file, e.g. ``("units", 3, "channels", "email", "to")``.
    """
    raise NotImplementedError
