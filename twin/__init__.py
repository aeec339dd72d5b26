"""Campus Twin: a power-and-cooling digital twin for AI data-center campuses.

The Python API::

    import twin
    sc = twin.load_scenario("default")          # a file path or a preset name
    run = twin.simulate(sc)                      # physics + the operator's baseline dispatch
    opt = twin.optimise(sc)                      # least-cost N-1-secure dispatch (Pyomo + HiGHS)
    path = twin.save_run(opt, "runs")            # runs/<run-id>/{run.nc, scenario.yaml, summary.json}
    same = twin.open_run(path)
    twin.kpi.pue(same)
"""

from __future__ import annotations

# Import the optimiser module before the function of the same name is bound below, so that a
# later ``import twin.optimise`` cannot replace ``twin.optimise`` (the function) by the module.
try:  # pragma: no cover - the module always exists in a complete install
    from twin import optimise as _optimise_module  # noqa: F401
except ImportError:  # pragma: no cover
    _optimise_module = None

from twin import kpi  # noqa: E402
from twin.pipeline import optimise, simulate  # noqa: E402
from twin.scenario import Scenario, ScenarioError, load_scenario, loads_scenario  # noqa: E402
from twin.store import list_runs, open_run, save_run  # noqa: E402


def event(run, at, fault, **options):
    """Simulate a fault from an instant of a run (see :func:`twin.events.event`)."""
    from twin.events.run import event as _event

    return _event(run, at=at, fault=fault, **options)


__all__ = ["Scenario", "ScenarioError", "event", "kpi", "list_runs", "load_scenario", "loads_scenario", "open_run",
           "optimise", "save_run", "simulate"]
