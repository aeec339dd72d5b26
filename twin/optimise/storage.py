"""Storage rows: the battery (one-way efficiencies, SOC limits, self-discharge, throughput cost,
end-of-period charge) and chilled-water thermal storage (TES) shifting chiller duty."""

from __future__ import annotations

import pyomo.environ as pyo

from twin.optimise.rows import is_number, param, var_upto


def add_battery(m, pb, T, *, obj: list, soc_end_price_usd_per_mwh: float, power_mw=None,
                energy_mwh=None, cyclic: bool = False) -> dict:
    """Add ``ch, dis, soc`` with ``soc_def`` and the end-of-period row; returns the battery's
    net supply to the bus per step  [MW].

    ``power_mw`` / ``energy_mwh`` default to the physics values; in planning either may be a
    Pyomo expression (the size built): the bounds then become rows.  Mutable: ``soc0``,
    ``soc_end``.  ``cyclic`` (planning on representative days): the charge before the first step
    is the charge after the last (``soc0`` unused).
    """
    s, sh = pb.s, pb.step_h
    P_b = s["battery_power_mw"] if power_mw is None else power_mw
    E_b = s["battery_energy_mwh"] if energy_mwh is None else energy_mwh
    eta_c, eta_d = s["battery_eff_charge"], s["battery_eff_discharge"]
    keep_b = 1.0 - s["battery_self_discharge_frac_per_day"] * sh / 24.0
    lo, hi = s["battery_soc_min_frac"], s["battery_soc_max_frac"]
    m.soc0 = param()
    var_upto(m, "ch", T, P_b)
    var_upto(m, "dis", T, P_b)
    if is_number(E_b):
        m.soc = pyo.Var(T, bounds=(lo * E_b, hi * E_b))
    else:
        m.soc = pyo.Var(T, domain=pyo.NonNegativeReals)
        m.soc_lo = pyo.Constraint(T, rule=lambda m, t: m.soc[t] >= lo * E_b)
        m.soc_hi = pyo.Constraint(T, rule=lambda m, t: m.soc[t] <= hi * E_b)
    last = max(T)
    m.soc_def = pyo.Constraint(T, rule=lambda m, t: m.soc[t] == keep_b * (
        m.soc[t - 1] if t else (m.soc[last] if cyclic else m.soc0)) + (eta_c * m.ch[t] - m.dis[t] / eta_d) * sh)
    obj.extend(s["battery_degradation_usd_per_mwh"] * sh * m.dis[t] for t in T)
    # end of the period: at least the charge it started with (see module notes); a
    # priced slack, below VOLL / eta_c so that load is never shed to refill the battery
    m.soc_end = param()
    m.soc_end_short = pyo.Var(domain=pyo.NonNegativeReals)
    m.soc_end_row = pyo.Constraint(expr=m.soc[last] + m.soc_end_short >= m.soc_end)
    obj.append(soc_end_price_usd_per_mwh * m.soc_end_short)
    return {t: m.dis[t] - m.ch[t] for t in T}


def battery_headroom(m, pb, T, *, power_mw=None, energy_mwh=None) -> dict:
    """Battery headroom for the reserve, ``bhead <= P - dis + ch`` and ``bhead <= ch + (soc -
    soc_min) * eta_d / step_h``; returns ``{t: bhead[t]}``  [MW].  ``power_mw`` / ``energy_mwh``:
    as in :func:`add_battery` (numbers or planning expressions)."""
    s, sh = pb.s, pb.step_h
    P_b = s["battery_power_mw"] if power_mw is None else power_mw
    E_b = s["battery_energy_mwh"] if energy_mwh is None else energy_mwh
    m.bhead = pyo.Var(T, domain=pyo.NonNegativeReals)
    soc_min = s["battery_soc_min_frac"] * E_b
    eta_d = s["battery_eff_discharge"]
    m.bhead_p = pyo.Constraint(T, rule=lambda m, t: m.bhead[t] <= P_b - m.dis[t] + m.ch[t])
    m.bhead_e = pyo.Constraint(T, rule=lambda m, t: m.bhead[t] <= m.ch[t] + (m.soc[t] - soc_min) * eta_d / sh)
    return {t: m.bhead[t] for t in T}


def add_tes(m, pb, T) -> dict:
    """Add chilled-water storage ``tch, tdis, tsoc``; returns the electricity it adds to the
    load per step (chiller duty shifted, at the hour's chiller COP)  [MW].  Mutable: ``tes0``,
    ``invcop``, ``tch_ub``, ``tdis_ub``."""
    s, sh = pb.s, pb.step_h
    keep_s = 1.0 - s["tes_loss_frac_per_h"] * sh
    m.tes0 = param()
    m.invcop = param(T)
    m.tch_ub = param(T)
    m.tdis_ub = param(T)
    m.tch = pyo.Var(T, bounds=lambda m, t: (0, m.tch_ub[t]))
    m.tdis = pyo.Var(T, bounds=lambda m, t: (0, m.tdis_ub[t]))
    m.tsoc = pyo.Var(T, bounds=(0, s["tes_capacity_mwh_th"]))
    m.tsoc_def = pyo.Constraint(T, rule=lambda m, t: m.tsoc[t] == keep_s * (m.tsoc[t - 1] if t else m.tes0)
                                + (m.tch[t] - m.tdis[t]) * sh)
    return {t: m.invcop[t] * (m.tch[t] - m.tdis[t]) for t in T}
