"""LNG tank rows: level balance with deliveries (taken up to the batch), boil-off and the fuel
burnt; LNG below the heel is a priced slack."""

from __future__ import annotations

import pyomo.environ as pyo

from twin.optimise.rows import param


def add_tank(m, pb, T, fuel_gj: dict, *, obj: list) -> None:
    """Add ``dlv, draw, tank, heel`` with ``tank_def``, ``draw_bog`` and ``tank_min``;
    ``fuel_gj[t]`` the fuel burnt in step ``t`` [GJ] (from :func:`twin.optimise.units.add_units`).

    Boil-off goes to the turbines first (issue #9 item 3): ``bog_t = (1 - keep) * tank[t-1]``
    evaporates (``keep = 1 - boil_off_frac_per_day * step_h / 24``, as the settle's tank), the
    liquid drawn is ``draw >= fuel_t / LHV - bog_t``, ``draw >= 0`` (the rest of the boil-off is
    flared), and ``tank[t] = tank[t-1] + dlv - bog - draw = keep * tank[t-1] + dlv - draw``.
    Mutable: ``tank0``, ``dlv_ub[t]``, ``c_heel[t]``."""
    s, sh = pb.s, pb.step_h
    keep_l = 1.0 - s["lng_boil_off_frac_per_day"] * sh / 24.0
    lhv = s["lng_lhv_gj_per_t"]
    m.tank0 = param()
    m.dlv_ub = param(T)
    m.c_heel = param(T)
    m.dlv = pyo.Var(T, bounds=lambda m, t: (0, m.dlv_ub[t]))
    m.draw = pyo.Var(T, domain=pyo.NonNegativeReals)
    m.tank = pyo.Var(T, bounds=(None, s["lng_tank_capacity_t"]))
    m.heel = pyo.Var(T, domain=pyo.NonNegativeReals)

    def prev(m, t):
        return m.tank[t - 1] if t else m.tank0

    m.tank_def = pyo.Constraint(T, rule=lambda m, t: m.tank[t] == keep_l * prev(m, t) + m.dlv[t] - m.draw[t])
    m.draw_bog = pyo.Constraint(T, rule=lambda m, t: m.draw[t] >= fuel_gj[t] / lhv - (1.0 - keep_l) * prev(m, t))
    m.tank_min = pyo.Constraint(T, rule=lambda m, t: m.tank[t] + m.heel[t] >= s["lng_tank_min_t"])
    obj.extend(m.c_heel[t] * m.heel[t] for t in T)
