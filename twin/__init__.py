"""Campus Twin: a power-and-cooling digital twin for AI data-center campuses.

The Python API::

    import twin
    sc = twin.load_scenario("default")          # a file path or a preset name
    run = twin.simulate(sc)                      # physics + the operator's baseline dispatch
    opt = twin.optimise(sc)                      # least-cost N-1-secure dispatch (Pyomo + HiGHS)
    disp = twin.optimise_dispatch(physics)       # the dispatch alone, on a physics Dataset
    path = twin.save_run(opt, "runs")            # runs/<run-id>/{run.nc, scenario.yaml, summary.json}
    same = twin.open_run(path)
    twin.kpi.pue(same)
    plan = twin.plan("plan-sk-aws-ulsan")       # phased least-cost build, every phase checked on a full year
    twin.save_plan(plan, "runs")                 # runs/<plan-id>/{plan.nc, report.html, ...} + the phase runs

Errors of bad input are :class:`twin.TwinError` (one hierarchy, :mod:`twin.errors`); the package
logs to the ``twin`` logger (standard :mod:`logging`, silent unless configured) and shows progress
bars (``tqdm.auto``, so also in notebooks) only when asked: ``twin.simulate(sc, progress=True)``.
"""

from __future__ import annotations

import logging as _logging

from twin._version import __version__
from twin.errors import (EventError, PlanError, RunIdError, RunNotFound, ScenarioError, SweepError, TwinError,
                         WeatherError)

_logging.getLogger("twin").addHandler(_logging.NullHandler())

# Import the optimiser module before the function of the same name is bound below, so that a
# later ``import twin.optimise`` cannot replace ``twin.optimise`` (the function) by the module.
try:  # pragma: no cover - the module always exists in a complete install
    from twin import optimise as _optimise_module  # noqa: F401
except ImportError:  # pragma: no cover
    _optimise_module = None

from twin import kpi  # noqa: E402
# works whether twin.optimise is a module or a package that re-exports the function
from twin.optimise import optimise_dispatch  # noqa: E402
from twin.pipeline import optimise, simulate  # noqa: E402
from twin.scenario import Scenario, load_scenario, loads_scenario  # noqa: E402
from twin.store import list_runs, open_plan, open_run, save_plan, save_run  # noqa: E402

# as for the optimiser: the package twin.plan is imported before the function twin.plan is bound
from twin import plan as _plan_module  # noqa: E402,F401
from twin.plan import plan  # noqa: E402


def event(run, at, fault, **options):
    """Simulate a fault from an instant of a run (see :func:`twin.events.run.event`)."""
    from twin.events.run import event as _event

    return _event(run, at=at, fault=fault, **options)


__all__ = ["EventError", "PlanError", "RunIdError", "RunNotFound", "Scenario", "ScenarioError", "SweepError",
           "TwinError", "WeatherError", "__version__", "event", "kpi", "list_runs", "load_scenario",
           "loads_scenario", "open_plan", "open_run", "optimise", "optimise_dispatch", "plan", "save_plan",
           "save_run", "simulate"]
