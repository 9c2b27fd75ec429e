"""Simulate the plan's year: completion models, scenarios, results and Monte Carlo.

``simulate(plan)`` runs the :class:`~planflow.run.engine.Engine` over a simulated clock
with a completion model and returns a :class:`SimulationResult` (its events and
summaries). ``monte_carlo(plan, runs=N)`` repeats a random year N times, in
parallel, and reports probabilities. The JSON shapes are documented in
``docs/simulation.md``; add keys, never rename or remove them.

Completion models:

``on-time``
    every occurrence is done on its due date, or as soon as it is unblocked if what
    it waits for (plus lag) is done later.
``random``
    seeded draws per occurrence, from a :class:`Scenario`: with probability
    ``skip`` it is never done (missed); else with probability ``late`` it is done
    ``delay`` working days (a triangular draw between ``min`` and ``max``, peaking
    at ``mode``) after the later of its due date and the date it is unblocked. The
    draws of an occurrence are a keyed hash of the run's seed and the occurrence's
    key, never the global generator, so they do not depend on the order occurrences
    are processed in or on other tasks.
"""

from __future__ import annotations

from planflow.run.completion import OnTimeModel, RandomModel
from planflow.run.montecarlo import MonteCarloResult, monte_carlo, run_seed
from planflow.run.results import SimulationResult
from planflow.run.scenarios import Profile, Scenario, load_scenario, parse_scenario
from planflow.run.single_run import simulate

__all__ = [
    "MonteCarloResult",
    "OnTimeModel",
    "Profile",
    "RandomModel",
    "Scenario",
    "SimulationResult",
    "load_scenario",
    "monte_carlo",
    "parse_scenario",
    "run_seed",
    "simulate",
]
