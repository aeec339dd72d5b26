"""LNG tank rows: level balance with deliveries (taken up to the batch), boil-off burnt first and
the rest flared at a price; LNG below the heel is a priced slack."""

from __future__ import annotations

import pyomo.environ as pyo

from twin.optimise.rows import param


def fuel_usd_per_gj(s: dict) -> float:
    """What a GJ (LHV) of gas costs the dispatch: LNG plus the carbon of burning it [USD/GJ]."""
    return s["lng_price_usd_per_gj"] + s["carbon_price_usd_per_t"] * s["gas_co2_t_per_gj"]


def add_tank(m, pb, T, fuel_gj: dict, *, obj: list) -> None:
    """Add ``dlv, flare, tank, heel`` with ``tank_def``, ``tank_cap``, ``flare_bog`` and ``tank_min``;
    ``fuel_gj[t]`` the fuel burnt in step ``t`` [GJ] (from :func:`twin.optimise.units.add_units`).

    The step follows the settle's tank (:func:`models.lng_plant.lng_tank_level_t`, issue #9
    item 3): a cargo is unloaded up to the free space (``tank[t-1] + dlv_t <= capacity``), the
    units burn ``fuel_t / LHV`` from the boil-off first and then the liquid, and the boil-off they
    do not burn is flared, ``flare_t = max(0, bog - fuel_t / LHV)``, so
    ``tank[t] = tank[t-1] + dlv_t - fuel_t / LHV - flare_t``.  The max is written
    ``flare >= bog - fuel / LHV``, ``flare >= 0``, with the flared LNG priced as the settle prices
    it (bought LNG and its carbon, :func:`fuel_usd_per_gj`): burning boil-off that would be
    flared costs nothing extra, and the optimum flares only the surplus.

    The window's boil-off is ``bog = rate * tank0`` (``rate = boil_off_frac_per_day * step_h /
    24``), from the level the window starts with, not from each step's level.  Over a window the
    level moves by at most a cargo or a day and a half of burn, which changes the boil-off by
    ``rate`` times that (0.1 %/day of 4.5 kt is 4.5 t/day, against ~400 t/day burnt on a 100 MW
    campus).  Tying the boil-off to each step's level made a week of the default campus take 60 s
    and stop at a 2.4 % gap instead of 1 s to the optimum.  The error does not accumulate: the
    level carried into the next window is the real one, stepped by the settle's rule under the
    committed burn (:func:`twin.optimise.dispatch`).  Mutable: ``tank0``, ``dlv_ub[t]``,
    ``c_heel[t]``."""
    s, sh = pb.s, pb.step_h
    bog_frac = s["lng_boil_off_frac_per_day"] * sh / 24.0
    lhv = s["lng_lhv_gj_per_t"]
    m.tank0 = param()
    m.dlv_ub = param(T)
    m.c_heel = param(T)
    m.dlv = pyo.Var(T, bounds=lambda m, t: (0, m.dlv_ub[t]))
    m.flare = pyo.Var(T, domain=pyo.NonNegativeReals)
    m.tank = pyo.Var(T)
    m.heel = pyo.Var(T, domain=pyo.NonNegativeReals)

    def prev(m, t):
        return m.tank[t - 1] if t else m.tank0

    m.tank_def = pyo.Constraint(T, rule=lambda m, t: m.tank[t] == prev(m, t) + m.dlv[t] - fuel_gj[t] / lhv
                                - m.flare[t])
    m.tank_cap = pyo.Constraint(T, rule=lambda m, t: prev(m, t) + m.dlv[t] <= s["lng_tank_capacity_t"])
    m.flare_bog = pyo.Constraint(T, rule=lambda m, t: m.flare[t] >= bog_frac * m.tank0 - fuel_gj[t] / lhv)
    m.tank_min = pyo.Constraint(T, rule=lambda m, t: m.tank[t] + m.heel[t] >= s["lng_tank_min_t"])
    c_flare = fuel_usd_per_gj(s) * lhv
    obj.extend(c_flare * m.flare[t] + m.c_heel[t] * m.heel[t] for t in T)
