"""The dispatch objective evaluated item by item on a per-unit dispatch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from twin.optimise.problem import Problem, prepare


def dispatch_cost_usd(physics: xr.Dataset, dispatch: xr.Dataset) -> dict[str, float]:
    """The optimiser's objective, item by item, evaluated on a dispatch  [USD].

    Fuel and carbon of gas on the physics layer's piecewise-linear fuel curve, VOM, start-ups
    (hot / warm / cold by time offline), grid energy and its CO2, the monthly demand charge on
    each month's peak import, battery throughput, unserved energy at VoLL and N-1 reserve
    shortfall at its price.  (LNG heel and CO2-cap slacks are added by the optimiser.)
    """
    pb = prepare(physics)
    s, sh = pb.s, pb.step_h
    out: dict[str, float] = {}
    grid = np.asarray(dispatch["grid_import_mw"].values, float)
    imp = np.maximum(grid, 0.0)
    if pb.nu:
        gen = np.asarray(dispatch["gen_mw"].values, float)
        on = np.asarray(dispatch["unit_on"].values, float) > 0.5
        above = np.where(on, np.maximum(gen - pb.pmin, 0.0), 0.0)
        cw = np.cumsum(pb.width, axis=2) - pb.width
        seg = np.clip(above[..., None] - cw, 0.0, pb.width)
        fuel_gj = (np.where(on, pb.fuel0, 0.0) + (seg * pb.slope).sum(axis=2)) * sh
        out["fuel"] = float(fuel_gj.sum() * s["lng_price_usd_per_gj"])
        out["carbon_gas"] = float(fuel_gj.sum() * s["gas_co2_t_per_gj"] * s["carbon_price_usd_per_t"])
        out["vom"] = float((gen * pb.vom[None, :]).sum() * sh)
        out["starts"] = float(_start_cost(pb, on).sum())
    out["grid_energy"] = float((grid * pb.price).sum() * sh)
    out["carbon_grid"] = float(imp.sum() * sh * s["grid_co2_t_per_mwh"] * s["carbon_price_usd_per_t"])
    if pb.has_demand_charge:
        peaks = pd.Series(imp).groupby(pb.month).max()
        out["grid_demand"] = float(peaks.sum() * s["grid_demand_charge_usd_per_mw_month"])
    out["battery_degradation"] = float(np.asarray(dispatch["battery_discharge_mw"].values).sum() * sh
                                       * s["battery_degradation_usd_per_mwh"])
    out["unserved"] = float(np.asarray(dispatch["unserved_mw"].values).sum() * sh * s["voll_usd_per_mwh"])
    out["reserve_shortfall"] = float(np.asarray(dispatch["reserve_shortfall_mw"].values).sum() * sh
                                     * s["reserve_shortfall_usd_per_mwh"])
    return out


def _start_cost(pb: Problem, on: np.ndarray) -> np.ndarray:
    """Start-up cost per step and unit by time offline (hot <= N_hot steps <= warm <= N_warm)."""
    n, nu = on.shape
    cost = np.zeros((n, nu))
    prev = np.vstack([pb.init_on[None, :] > 0.5, on[:-1]])
    starts = on & ~prev
    for u in range(nu):
        idx = np.flatnonzero(starts[:, u])
        if idx.size == 0:
            continue
        # index of the last step the unit was on before each start (-1: initially on, -inf: never)
        last_on = np.maximum.accumulate(np.where(on[:, u], np.arange(n), -10**9))
        prev_on = np.concatenate([[-1 if pb.init_on[u] > 0.5 else -10**9], last_on[:-1]])[idx]
        off_steps = idx - prev_on - 1
        c = np.where(off_steps <= pb.hot_n[u], pb.cost_hot[u],
                     np.where(off_steps <= pb.warm_n[u], pb.cost_warm[u], pb.cost_cold[u]))
        if not pb.start_types:
            c = np.full(idx.size, pb.cost_cold[u])
        cost[idx, u] = c
    return cost
