"""CO2-cap rows: gas and grid CO2 of a window within its share of the cap."""

from __future__ import annotations

import pyomo.environ as pyo

from twin.optimise.rows import param


def add_co2_cap(m, pb, T, fuel_gj: dict, *, obj: list, excess_usd_per_t: float) -> None:
    """CO2 of gas and grid within the window's share of the cap (mutable ``cap``), the excess a
    priced slack ``co2x``."""
    s, sh = pb.s, pb.step_h
    m.cap = param()
    m.co2x = pyo.Var(domain=pyo.NonNegativeReals)
    m.co2_cap = pyo.Constraint(expr=sum(fuel_gj[t] * s["gas_co2_t_per_gj"] + m.imp[t] * sh *
                                        s["grid_co2_t_per_mwh"] for t in T) <= m.cap + m.co2x)
    obj.append(excess_usd_per_t * m.co2x)
