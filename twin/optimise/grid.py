"""Grid-feed rows: import (and export where allowed) within the feed capacity, energy at the
time-of-use price plus grid CO2 at the carbon price, and the monthly peak-demand charge."""

from __future__ import annotations

import pyomo.environ as pyo

from twin.optimise.rows import param, var_upto


def add_grid(m, pb, T, slots: int, *, obj: list, capacity_mw=None) -> None:
    """Add ``imp`` (and ``exp``, ``peak``) to ``m`` and their costs to ``obj``.

    ``capacity_mw``: the feed capacity [MW], a number (default the physics
    ``grid_capacity_mw``) or, in planning, a Pyomo expression of the contract chosen.
    ``slots``: calendar months a window may touch (one ``peak`` each, with the mutable
    ``in_month[j, t]``, ``peak0[j]``, ``c_peak[j]`` set per window).
    """
    s, sh = pb.s, pb.step_h
    cap = s["grid_capacity_mw"] if capacity_mw is None else capacity_mw
    co2g = s["grid_co2_t_per_mwh"] * s["carbon_price_usd_per_t"]
    var_upto(m, "imp", T, cap if pb.has_grid or capacity_mw is not None else 0.0)
    obj.extend((m.price[t] + co2g) * sh * m.imp[t] for t in T)
    if pb.has_export:
        var_upto(m, "exp", T, cap)
        obj.extend(-m.price[t] * sh * m.exp[t] for t in T)
    if pb.has_demand_charge:
        J = range(slots)
        m.in_month = param(J, T)
        m.peak0 = param(J)
        m.c_peak = param(J)
        m.peak = pyo.Var(J, domain=pyo.NonNegativeReals)
        m.peak_lb = pyo.Constraint(J, rule=lambda m, j: m.peak[j] >= m.peak0[j])
        m.peak_def = pyo.Constraint(J, T, rule=lambda m, j, t: m.peak[j] >= m.in_month[j, t] * m.imp[t])
        obj.extend(m.c_peak[j] * m.peak[j] for j in J)


def supply(m, pb, t):
    """Net grid supply to the campus bus at step ``t``  [MW]."""
    return m.imp[t] - m.exp[t] if pb.has_export else m.imp[t]


def headroom(m, pb, t, capacity_mw=None):
    """Grid headroom for the reserve: ``capacity - import + export``  [MW]."""
    cap = pb.s["grid_capacity_mw"] if capacity_mw is None else capacity_mw
    return cap - m.imp[t] + (m.exp[t] if pb.has_export else 0)
