"""What to build, and when: least-cost phased sizing of the campus power and cooling plant.

::

    import twin
    ds = twin.plan("plan-sk-aws-ulsan")        # the plan Dataset (phase x technology), checked
    twin.plan_save(ds, "runs")                  # runs/<plan-id>/ + every phase's full-year run

Steps (one module each): :mod:`twin.plan.inputs` (checks, phase campuses, physics, discounting),
:mod:`twin.plan.periods` (representative days, tsam), :mod:`twin.plan.model` (the investment MILP),
:mod:`twin.plan.check` (every phase's build through the full-year hourly optimiser),
:mod:`twin.plan.result` (the plan Dataset), :mod:`twin.plan.report` (HTML).
"""

from __future__ import annotations

from twin.plan.run import plan

__all__ = ["plan"]
