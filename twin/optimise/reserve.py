"""N-1 reserve rows: the headroom left after the worst single contingency covers what is lost.

Compact form (see :mod:`twin.optimise`): (a) a gas unit trips, grid intact:
``H + battery_head + grid_head + short >= req`` with ``req >= avail_u * on_u`` for every
commitment column ``u`` (a group's largest unit trips: an indicator "any unit of the group
on"); (b) a grid circuit is lost: ``H + battery_head + short >= import - grid_n1_capacity_mw``.
``short`` is the larger of the two shortfalls.
"""

from __future__ import annotations

import pyomo.environ as pyo

from twin.optimise import grid as grid_rows
from twin.optimise import storage, units
from twin.optimise.rows import param


def add_reserve(m, pb, T, *, obj: list, grid_capacity_mw=None, battery_power_mw=None,
                battery_energy_mwh=None, grid_n1_capacity_mw=None, relax_from=None) -> None:
    """Add ``short, req, any_on`` and the reserve row per step; costs ``obj_short[t]`` per MW.

    Headroom counted: gas (:func:`twin.optimise.units.headroom`), grid (when there is a feed)
    and battery (when there is one).  ``grid_capacity_mw`` / ``battery_power_mw``: as in
    :func:`twin.optimise.grid.add_grid` / :func:`twin.optimise.storage.add_battery` (numbers or
    planning expressions; ``battery_energy_mwh`` sets the SOC floor of the battery headroom;
    ``grid_n1_capacity_mw`` defaults to the physics ``grid_n1_capacity_mw``).  Mutable: ``head_pmin[t, u]`` (avail - pmin), ``obj_short[t]``.
    """
    U = range(pb.nu)
    TU = [(t, u) for t in T for u in U]
    m.short = pyo.Var(T, domain=pyo.NonNegativeReals)
    m.req = pyo.Var(T, domain=pyo.NonNegativeReals)
    # the largest unit of a group trips: an indicator "any unit of the group on"
    grp = [(t, u) for t in T for u in U if pb.size[u] > 1]
    m.any_on = pyo.Var(grp, domain=lambda m, t, u: pyo.UnitInterval if relax_from is not None and t >= relax_from
                       else pyo.Binary)
    m.any_def = pyo.Constraint(grp, rule=lambda m, t, u: m.on[t, u] <= float(pb.size[u]) * m.any_on[t, u])
    gset = set(grp)
    m.req_def = pyo.Constraint(TU, rule=lambda m, t, u: m.req[t] >= m.avail[t, u] * (
        m.any_on[t, u] if (t, u) in gset else m.on[t, u]))
    m.head_pmin = param(TU)  # avail - pmin
    head = {t: units.headroom(m, pb, t) for t in T}
    if pb.has_grid:
        for t in T:
            head[t] = head[t] + grid_rows.headroom(m, pb, t, grid_capacity_mw)
    if pb.has_battery:
        bh = storage.battery_headroom(m, pb, T, power_mw=battery_power_mw, energy_mwh=battery_energy_mwh)
        for t in T:
            head[t] = head[t] + bh[t]
    m.reserve = pyo.Constraint(T, rule=lambda m, t: head[t] + m.short[t] >= m.req[t])
    if pb.has_grid:
        # (b) the loss of one grid circuit (issue #9 item 11): gas and battery headroom cover the
        # import above what the remaining circuits carry, grid_n1_capacity_mw (0: one circuit)
        n1 = float(pb.s["grid_n1_capacity_mw"]) if grid_n1_capacity_mw is None else grid_n1_capacity_mw
        gas_bat = {t: units.headroom(m, pb, t) + (m.bhead[t] if pb.has_battery else 0) for t in T}
        m.reserve_grid = pyo.Constraint(T, rule=lambda m, t: gas_bat[t] + m.short[t] >= m.imp[t] - n1)
    m.obj_short = param(T)
    obj.extend(m.obj_short[t] * m.short[t] for t in T)
