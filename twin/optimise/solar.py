"""PV rows: output up to the hour's available power, curtailment free."""

from __future__ import annotations

import pyomo.environ as pyo


def add_solar(m, pb, T, *, scale=None) -> None:
    """Add ``sol[t] <= solar_ub[t]`` (``solar_ub`` a mutable parameter set per window).

    ``scale`` (planning): a Pyomo expression multiplying ``solar_ub`` (e.g. MWp built over the
    MWp the profile was computed for); adds ``sol <= scale * solar_ub`` as a row.
    """
    if scale is None:
        m.sol = pyo.Var(T, bounds=lambda m, t: (0, m.solar_ub[t]))
    else:
        m.sol = pyo.Var(T, domain=pyo.NonNegativeReals)
        m.sol_cap = pyo.Constraint(T, rule=lambda m, t: m.sol[t] <= scale * m.solar_ub[t])
