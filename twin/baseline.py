"""The operator's baseline dispatch: the reference the optimiser is compared against.

The rule an operator of a gas-fed campus would recognise, applied step by step:

1. **Solar first**: PV output serves the facility; any surplus is exported where the grid
   allows it, else curtailed.
2. **Merit order**: gas units whose full-load cost (fuel at this hour's heat rate, VOM, carbon)
   beats this hour's grid price run first; the grid takes what they cannot; uneconomic units
   fill what the grid cannot; the rest is unserved.
3. **N-1 security**: units are committed in merit order until the headroom left after the worst
   single contingency covers it — the loss of the largest running unit (other units' headroom,
   grid headroom, battery power cover its output) or of one grid circuit (all units' headroom
   and the battery cover the import the other circuits cannot carry) — a unit may run just to
   carry reserve.  Committed units share load equally
   (same fraction of their available output) and never go below their minimum stable load;
   the surplus at minimum load displaces grid import, then PV.
4. **Battery peak shaving** on the grid import above a threshold (default 90 % of the feed),
   recharging below it; on an islanded campus it floats on the running units' spare output and
   covers what would otherwise be unserved.
5. **Fuel**: the LNG tank is run under the burn (boil-off to the units first); where it reaches
   its heel the units back off to the fuel it can still supply and the grid, then shedding,
   takes the rest (the load the tank cannot serve is unserved, never burnt from nothing).

Simplifications against the optimiser (stated so comparisons are honest): no ramp limits and
no minimum up/down times; no thermal storage and no shifted training load.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from models import battery as battery_model
from models import lng_plant
from twin.settle import RESERVE_DURATION_H, lng_tank, reserve_margin_mw
from twin.variables import annotate

_EPS = 1e-9


def _unit_cost_usd_per_mwh(ds: xr.Dataset) -> np.ndarray:
    """Full-load marginal cost per unit and step: fuel + VOM + carbon  [USD/MWh], (time, unit)."""
    mw = ds["gas_curve_mw"].values[..., -1]
    fuel = ds["gas_curve_fuel_gj_per_h"].values[..., -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        gj_per_mwh = np.where(mw > 0, fuel / np.where(mw > 0, mw, 1.0), np.inf)
    price = float(ds["lng_price_usd_per_gj"]) + float(ds["carbon_price_usd_per_t"]) * float(ds["gas_co2_t_per_gj"])
    return gj_per_mwh * price + ds["unit_vom_usd_per_mwh"].values[None, :]


def _fuel_gj(ds: xr.Dataset, gen: np.ndarray, rows=None) -> np.ndarray:
    """Fuel per step and unit on the exact curves, as settle burns it  [GJ LHV], (steps, unit)."""
    rows = np.arange(ds.sizes["time"]) if rows is None else rows
    step_h = float(ds.attrs["step_h"])
    t_db = ds["ambient_drybulb_c"].values[rows]
    below = ds["unit_heat_rate_frac_per_k_below_iso"].values if "unit_heat_rate_frac_per_k_below_iso" in ds \
        else ds["unit_heat_rate_frac_per_k"].values
    out = np.zeros(gen.shape)
    for u in range(gen.shape[1]):
        out[:, u] = lng_plant.fuel_gj(
            gen[:, u], float(ds["unit_rated_mw"].values[u]), float(ds["unit_eff_full_lhv"].values[u]), t_db,
            str(ds["unit_kind"].values[u]), step_h, available_mw=ds["gas_available_mw"].values[rows, u],
            heat_rate_frac_per_k=float(ds["unit_heat_rate_frac_per_k"].values[u]),
            heat_rate_frac_per_k_below_iso=float(below[u]))
    return out


def _respect_tank(ds, gen, on, grid, unserved, grid_cap):
    """Back the units off where the LNG tank is at its heel; the grid, then shedding, take the rest.

    The tank is run under the planned burn; in a step where it cannot supply all the fuel, the
    running units are scaled down together (bisection on the exact fuel curve) until they burn no
    more than it supplies.  Cutting a step's burn only leaves more in the tank afterwards, so one
    pass suffices.
    """
    lhv = float(ds["lng_lhv_gj_per_t"])
    use = _fuel_gj(ds, gen).sum(axis=1) / lhv
    tank = lng_tank(ds, use)
    short = np.flatnonzero(tank["lng_shortfall_t"] > 1e-9)
    if short.size == 0:
        return gen, on, grid, unserved
    gen, on, grid, unserved = gen.copy(), on.copy(), grid.copy(), unserved.copy()
    have_gj = ((use - tank["lng_shortfall_t"])[short] * lhv)[:, None]
    g0 = gen[short]
    lo, hi = np.zeros((short.size, 1)), np.ones((short.size, 1))
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        fits = _fuel_gj(ds, g0 * mid, short).sum(axis=1, keepdims=True) <= have_gj * (1 + 1e-12)
        lo, hi = np.where(fits, mid, lo), np.where(fits, hi, mid)
    g1 = g0 * lo
    cut = (g0 - g1).sum(axis=1)
    gen[short] = g1
    on[short] &= g1 > _EPS
    take = np.minimum(cut, np.maximum(grid_cap - grid[short], 0.0))
    grid[short] += take
    unserved[short] += cut - take
    return gen, on, grid, unserved


def baseline_dispatch(ds: xr.Dataset) -> xr.Dataset:
    """Dispatch the physics Dataset by the operator's rule; return the dispatch variables."""
    n = ds.sizes["time"]
    nu = ds.sizes.get("unit", 0)
    step_h = float(ds.attrs["step_h"])
    demand = ds["facility_power_mw"].values.astype(float)
    pv_avail = ds["solar_available_mw"].values.astype(float)
    grid_cap = float(ds["grid_capacity_mw"])
    grid_n1 = float(ds["grid_n1_capacity_mw"]) if "grid_n1_capacity_mw" in ds else 0.0
    export_ok = bool(float(ds["grid_export_allowed"]))
    bat_p = float(ds["battery_power_mw"])
    # what the battery can hold up for the reserve duration from its starting charge (the operator
    # counts it at commitment time; settle reports the margin from the actual state of charge)
    bat_reserve = min(bat_p, max(float(ds["battery_soc_initial_frac"]) - float(ds["battery_soc_min_frac"]), 0.0)
                      * float(ds["battery_energy_mwh"]) * float(ds["battery_eff_discharge"]) / RESERVE_DURATION_H)
    price = ds["grid_price_usd_per_mwh"].values.astype(float)
    grid_co2_cost = float(ds["grid_co2_t_per_mwh"]) * float(ds["carbon_price_usd_per_t"])

    # 1. solar first
    solar = np.minimum(pv_avail, demand)
    resid = demand - solar

    # 2. merit order (static order by mean cost; which units are economic varies by hour)
    if nu:
        avail = ds["gas_available_mw"].values.astype(float)
        pmin = avail * ds["unit_min_load_frac"].values[None, :]
        cost = _unit_cost_usd_per_mwh(ds)
        order = np.argsort(np.nanmean(cost, axis=0), kind="stable")
        econ = cost < (price + grid_co2_cost)[:, None] if grid_cap > 0 else np.ones((n, nu), bool)
        gas_econ_cap = (avail * econ).sum(axis=1)
        gas_econ = np.minimum(resid, gas_econ_cap)
        grid_part = np.minimum(resid - gas_econ, grid_cap)
        gas_rest = np.minimum(resid - gas_econ - grid_part, (avail * ~econ).sum(axis=1))
        gas_target = gas_econ + gas_rest

        # 3. commitment in merit order until the target is covered, then N-1 security
        on = np.zeros((n, nu), bool)
        committed_avail = np.zeros(n)
        for u in order:
            need = committed_avail < gas_target - _EPS
            on[:, u] = need
            committed_avail += np.where(need, avail[:, u], 0.0)
        grid_headroom = np.maximum(grid_cap - grid_part, 0.0)
        for u in order:
            gen_frac = np.divide(gas_target, committed_avail, out=np.zeros(n), where=committed_avail > 0)
            largest = np.max(np.where(on, avail * gen_frac[:, None], 0.0), axis=1)
            # headroom left after the largest running unit trips: the others' spare + grid + battery
            spare_others = committed_avail - gas_target - (np.max(np.where(on, avail, 0.0), axis=1) - largest)
            ok = spare_others + grid_headroom + bat_reserve >= largest - _EPS
            # ... and after losing one grid circuit: every unit's spare + battery cover what the
            # other circuits cannot carry (a unit may be started for this alone)
            ok_grid = committed_avail - gas_target + bat_reserve >= np.maximum(grid_part - grid_n1, 0.0) - _EPS
            add = ((~ok & (gas_target > 0)) | ~ok_grid) & (~on[:, u])
            on[:, u] |= add
            committed_avail += np.where(add, avail[:, u], 0.0)
        # equal loading with minimum stable load
        frac = np.divide(gas_target, committed_avail, out=np.zeros(n), where=committed_avail > 0)
        gen = np.where(on, np.maximum(avail * frac[:, None], pmin), 0.0)
        gas = gen.sum(axis=1)
    else:
        gen = np.zeros((n, 0))
        on = np.zeros((n, 0), bool)
        gas = np.zeros(n)

    # surplus gas at minimum load: displaces grid import, then PV; export only where allowed
    net = resid - gas  # what the grid (and battery) must supply; negative = surplus
    surplus = np.maximum(-net, 0.0)
    pv_cut = np.minimum(surplus, solar) if not export_ok else np.zeros(n)
    solar = solar - pv_cut
    net = net + pv_cut
    curtailed = pv_avail - solar
    if export_ok and grid_cap > 0:
        # surplus PV beyond the facility is exported too
        extra_pv = np.minimum(curtailed, grid_cap + np.minimum(net, 0.0))
        extra_pv = np.maximum(extra_pv, 0.0)
        solar = solar + extra_pv
        curtailed = curtailed - extra_pv
        net = net - extra_pv

    # 4. battery
    if bat_p > 0:
        thr = ds.attrs.get("battery_peak_shave_threshold_mw")
        thr = float(thr) if thr is not None and np.isfinite(thr) else 0.9 * grid_cap
        # islanded: the battery floats on the running units' spare output (recharging from it)
        # and discharges only into what would otherwise be unserved
        spare = (np.where(on, avail, 0.0) - gen).sum(axis=1) if (nu and grid_cap <= 0) else np.zeros(n)
        res = battery_model.peak_shave(
            net - spare, thr, step_h, power_mw=bat_p, energy_mwh=float(ds["battery_energy_mwh"]),
            soc_min_frac=float(ds["battery_soc_min_frac"]), soc_max_frac=float(ds["battery_soc_max_frac"]),
            initial_soc_frac=float(ds["battery_soc_initial_frac"]),
            eff_charge=float(ds["battery_eff_charge"]), eff_discharge=float(ds["battery_eff_discharge"]),
            self_discharge_frac_per_day=float(ds["battery_self_discharge_frac_per_day"]))
        dis = np.asarray(res["battery_discharge_mw"], float)
        ch = np.asarray(res["battery_charge_mw"], float)
        soc = np.asarray(res["battery_soc_mwh"], float)
    else:
        dis = ch = soc = np.zeros(n)
    if nu and grid_cap <= 0 and bat_p > 0:
        # the recharge comes from the running units' spare output, shared in proportion to it
        room = np.where(on, avail, 0.0) - gen
        from_gas = np.minimum(ch, np.maximum(room.sum(axis=1), 0.0))
        share = np.divide(room, room.sum(axis=1, keepdims=True), out=np.zeros_like(room),
                          where=room.sum(axis=1, keepdims=True) > 0)
        gen = gen + share * from_gas[:, None]
        net = net - from_gas
    net = net - dis + ch
    lo = -grid_cap if export_ok else 0.0
    grid = np.clip(net, lo, grid_cap)
    unserved = np.maximum(net - grid, 0.0)
    # any surplus neither exported nor absorbed (islanded at minimum load): back the units off
    spill = np.maximum(grid - net, 0.0)
    if nu and np.any(spill > _EPS):
        # nowhere to put it: the running units back off in proportion, below their minimum stable
        # load if need be (a simplification of the rule; the optimiser honours minimum load exactly)
        share = np.divide(gen, gen.sum(axis=1, keepdims=True), out=np.zeros_like(gen),
                          where=gen.sum(axis=1, keepdims=True) > 0)
        gen = gen - share * spill[:, None]
        gas = gen.sum(axis=1)
    if nu:
        gen, on, grid, unserved = _respect_tank(ds, gen, on, grid, unserved, grid_cap)
    largest = gen.max(axis=1) if nu else np.zeros(n)
    start = np.zeros_like(on)
    if nu:
        prev = np.vstack([ds["unit_initial_on"].values[None, :] > 0.5, on[:-1]])
        start = on & ~prev

    out = xr.Dataset(coords={"time": ds["time"]})
    if "unit" in ds.coords:
        out = out.assign_coords(unit=ds["unit"])
    out["gen_mw"] = (("time", "unit"), gen)
    out["unit_on"] = (("time", "unit"), on.astype(np.int8))
    out["unit_start"] = (("time", "unit"), start.astype(np.int8))
    out["grid_import_mw"] = ("time", grid)
    out["solar_mw"] = ("time", solar)
    out["curtailed_mw"] = ("time", curtailed)
    out["battery_discharge_mw"] = ("time", dis)
    out["battery_charge_mw"] = ("time", ch)
    out["battery_soc_mwh"] = ("time", soc)
    z = np.zeros(n)
    for k in ("tes_charge_mw_th", "tes_discharge_mw_th", "tes_soc_mwh_th", "it_shift_mw"):
        out[k] = ("time", z.copy())
    out["unserved_mw"] = ("time", unserved)
    out["reserve_required_mw"] = ("time", largest)
    out["reserve_shortfall_mw"] = ("time", np.zeros(n))
    out["marginal_price_usd_per_mwh"] = ("time", np.full(n, np.nan))
    out.attrs.update(dispatch="baseline", solver_status="not applicable (rule-based)")
    # the shortfall of N-1 reserve, measured the same way settle measures the margin
    margin = reserve_margin_mw(xr.merge([ds[[v for v in ds.data_vars if v not in out]], out],
                                        compat="override", join="exact"))
    out["reserve_shortfall_mw"] = ("time", np.maximum(-margin, 0.0))
    return annotate(out)
