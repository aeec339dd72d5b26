"""Settle a dispatch: physics again on the decisions, then money, fuel, water and the balance.

Takes the physics Dataset merged with a dispatch (baseline or optimal) and adds: the facility
power as actually served (shifted training load and chilled-water storage change it), power
``supply_mw`` by source, fuel per unit from the units' real (non-linear) part-load and ambient
curves, the LNG tank, CO2, water, cost by item, the N-1 reserve margin, PUE, and the
energy-balance residual that must be zero at every step.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from models import lng_plant
from twin.variables import annotate

#: how long the battery must sustain its reserve contribution after a trip (assumption: one hour,
#: time enough to start a fast unit; Wärtsilä engines reach full load in 2-5 min, aero GTs 5-8 min)
RESERVE_DURATION_H = 1.0

COST_ITEMS = ("fuel", "gas_vom", "gas_starts", "grid_energy", "grid_demand", "carbon", "water",
              "battery_degradation")


def _served_load(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """IT, cooling and facility power after shifted training load and thermal storage."""
    it = ds["it_power_mw"].values + ds["it_shift_mw"].values
    cop = ds["chiller_cop"].values
    tes_net = ds["tes_charge_mw_th"].values - ds["tes_discharge_mw_th"].values
    with np.errstate(invalid="ignore", divide="ignore"):
        tes_mw = np.where(np.abs(tes_net) > 0, tes_net / np.where(cop > 0, cop, np.nan), 0.0)
    tes_mw = np.nan_to_num(tes_mw)
    shift_overhead = ds["it_shift_mw"].values * (ds["facility_mw_per_it_mw"].values - 1.0)
    cooling = ds["cooling_power_mw"].values + tes_mw + shift_overhead
    facility = it + cooling + ds["losses_mw"].values
    return it, cooling, facility


def _start_costs(ds: xr.Dataset, step_h: float) -> np.ndarray:
    """Start-up cost per unit and step (hot / warm / cold by time offline)  [USD]."""
    on = ds["unit_on"].values > 0.5
    n, nu = on.shape
    cost = np.zeros((n, nu))
    if nu == 0:
        return cost
    start = ds["unit_start"].values > 0.5
    for u in range(nu):
        idx = np.flatnonzero(start[:, u])
        if idx.size == 0:
            continue
        # time offline before each start: since the last step it was on (or "long" at period start)
        last_on = np.maximum.accumulate(np.where(on[:, u], np.arange(n), -1))
        prev_on = np.concatenate([[-1], last_on[:-1]])[idx]
        init_on = ds["unit_initial_on"].values[u] > 0.5
        offline_h = np.where(prev_on >= 0, (idx - prev_on - 1) * step_h,
                             idx * step_h if init_on else np.inf)
        hot = float(ds["unit_hot_max_offline_h"].values[u])
        warm = float(ds["unit_warm_max_offline_h"].values[u])
        c = np.where(offline_h <= hot, ds["unit_start_cost_hot_usd"].values[u],
                     np.where(offline_h <= warm, ds["unit_start_cost_warm_usd"].values[u],
                              ds["unit_start_cost_cold_usd"].values[u]))
        cost[idx, u] = c
    return cost


def settle(ds: xr.Dataset) -> xr.Dataset:
    """Add fuel, LNG, CO2, water, cost, supply by source, reserve margin, PUE and the balance."""
    ds = ds.copy()
    step_h = float(ds.attrs["step_h"])
    n = ds.sizes["time"]
    units = list(ds["unit"].values) if "unit" in ds.coords else []
    nu = len(units)

    it, cooling, facility = _served_load(ds)
    ds["it_power_mw"] = ("time", it)
    ds["cooling_power_mw"] = ("time", cooling)
    ds["facility_power_mw"] = ("time", facility)

    # fuel from the real part-load and ambient curves
    gen = ds["gen_mw"].values if nu else np.zeros((n, 0))
    t_db = ds["ambient_drybulb_c"].values
    fuel = np.zeros((n, nu))
    below = ds["unit_heat_rate_frac_per_k_below_iso"].values if "unit_heat_rate_frac_per_k_below_iso" in ds \
        else ds["unit_heat_rate_frac_per_k"].values if nu else np.zeros(0)
    for u in range(nu):
        fuel[:, u] = lng_plant.fuel_gj(
            gen[:, u], float(ds["unit_rated_mw"].values[u]), float(ds["unit_eff_full_lhv"].values[u]), t_db,
            str(ds["unit_kind"].values[u]), step_h, available_mw=ds["gas_available_mw"].values[:, u],
            heat_rate_frac_per_k=float(ds["unit_heat_rate_frac_per_k"].values[u]),
            heat_rate_frac_per_k_below_iso=float(below[u]))
    ds["fuel_gj"] = (("time", "unit"), fuel)
    fuel_total = fuel.sum(axis=1)
    lhv = float(ds["lng_lhv_gj_per_t"])
    lng = fuel_total / lhv
    ds["lng_t"] = ("time", lng)
    tank = lng_tank(ds, lng)
    for k in TANK_VARS:
        ds[k] = ("time", tank[k])

    grid = ds["grid_import_mw"].values
    co2_per_gj = float(ds["gas_co2_t_per_gj"])
    co2_gas = fuel_total * co2_per_gj
    # boil-off the units did not burn is flared: its carbon still reaches the air as CO2
    co2_flare = ds["lng_flared_t"].values * lhv * co2_per_gj
    co2_grid = np.maximum(grid, 0.0) * step_h * float(ds["grid_co2_t_per_mwh"])
    ds["co2_flare_t"] = ("time", co2_flare)
    ds["co2_t"] = ("time", co2_gas + co2_flare + co2_grid)

    # supply by source
    sources = [*units, "grid", "solar", "battery"]
    supply = np.column_stack([gen, grid, ds["solar_mw"].values, ds["battery_discharge_mw"].values])
    ds = ds.assign_coords(source=np.array(sources, dtype=object))
    ds["supply_mw"] = (("time", "source"), supply)

    # cost by item
    cost = np.zeros((n, len(COST_ITEMS)))
    # fuel: the gas burnt (boil-off included) and the boil-off flared, both bought as LNG
    cost[:, 0] = (fuel_total + ds["lng_flared_t"].values * lhv) * float(ds["lng_price_usd_per_gj"])
    if nu:
        cost[:, 1] = (gen * ds["unit_vom_usd_per_mwh"].values[None, :]).sum(axis=1) * step_h
        cost[:, 2] = _start_costs(ds, step_h).sum(axis=1)
    cost[:, 3] = grid * step_h * ds["grid_price_usd_per_mwh"].values
    cost[:, 4] = _demand_charge(ds, grid)
    cost[:, 5] = ds["co2_t"].values * float(ds["carbon_price_usd_per_t"])
    cost[:, 6] = ds["water_m3"].values * float(ds["water_price_usd_per_m3"])
    cost[:, 7] = ds["battery_discharge_mw"].values * step_h * float(ds["battery_degradation_usd_per_mwh"])
    ds = ds.assign_coords(cost_item=np.array(COST_ITEMS, dtype=object))
    ds["cost_usd"] = (("time", "cost_item"), cost)

    # N-1 reserve margin: headroom after losing the largest running unit
    ds["reserve_margin_mw"] = ("time", reserve_margin_mw(ds))

    with np.errstate(invalid="ignore", divide="ignore"):
        ds["pue"] = ("time", np.where(it > 0, facility / np.where(it > 0, it, 1.0), np.nan))
    ds["balance_residual_mw"] = ("time", supply.sum(axis=1) - ds["battery_charge_mw"].values
                                 + ds["unserved_mw"].values - facility)
    return annotate(ds)


TANK_VARS = ("lng_tank_t", "lng_scheduled_t", "lng_delivered_t", "lng_refused_t", "lng_boil_off_t",
             "lng_drawn_t", "lng_flared_t", "lng_shortfall_t")


def lng_tank(ds: xr.Dataset, lng_use_t: np.ndarray) -> dict[str, np.ndarray]:
    """The LNG tank under a burn (t per step): boil-off to the units first, the rest flared;
    cargoes refused for want of room; fuel it cannot supply (:func:`models.lng_plant.lng_tank_level_t`,
    issue #9 item 3).  All zeros without a tank."""
    n = ds.sizes["time"]
    if float(ds["lng_tank_capacity_t"]) <= 0:
        return {k: np.zeros(n) for k in TANK_VARS}
    tank = lng_plant.lng_tank_level_t(
        np.asarray(lng_use_t, float), float(ds.attrs["step_h"]), capacity_t=float(ds["lng_tank_capacity_t"]),
        initial_t=float(ds["lng_tank_initial_t"]), boil_off_frac_per_day=float(ds["lng_boil_off_frac_per_day"]),
        delivery_t=float(ds["lng_delivery_t"]), delivery_interval_h=float(ds["lng_delivery_interval_h"]),
        min_level_t=float(ds["lng_tank_min_t"]))
    return {k: np.asarray(tank[k], float) for k in TANK_VARS}


def reserve_margin_mw(ds: xr.Dataset) -> np.ndarray:
    """Headroom left after the worst single contingency  [MW] (negative = not N-1 secure).

    Two kinds of contingency (issue #9 item 11), the worse one counts:

    * the largest running gas unit trips: other running units' (available − output) + grid
      (capacity − import) + battery − that unit's output;
    * one grid circuit is lost: all running units' (available − output) + battery + what the
      remaining circuits can still take, ``grid_n1_capacity_mw − import`` (negative when they cannot
      carry the import: a single-circuit feed loses all of it; ``grid_n1_capacity_mw`` absent counts
      as 0).

    The battery counts what it can still discharge for RESERVE_DURATION_H from its state of
    charge, plus the charging it can stop.
    """
    return _contingency_margins(ds)[0]


def _contingency_margins(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(margin, margin after the unit trip, margin after the circuit loss)  [MW]."""
    n = ds.sizes["time"]
    step_h = float(ds.attrs["step_h"])
    grid_head = np.maximum(float(ds["grid_capacity_mw"]) - ds["grid_import_mw"].values, 0.0)
    bat_p = float(ds["battery_power_mw"])
    if bat_p > 0:
        soc_min = float(ds["battery_soc_min_frac"]) * float(ds["battery_energy_mwh"])
        can = (np.maximum(ds["battery_soc_mwh"].values - soc_min, 0.0) * float(ds["battery_eff_discharge"])
               / RESERVE_DURATION_H)
        bat_head = np.minimum(bat_p - ds["battery_discharge_mw"].values, can) + ds["battery_charge_mw"].values
        bat_head = np.maximum(bat_head, 0.0)
    else:
        bat_head = np.zeros(n)
    if ds.sizes.get("unit", 0):
        on = ds["unit_on"].values > 0.5
        gen = np.where(on, ds["gen_mw"].values, 0.0)
        spare = np.where(on, ds["gas_available_mw"].values - gen, 0.0)
        k = gen.argmax(axis=1)
        largest = gen[np.arange(n), k]
        others = spare.sum(axis=1) - spare[np.arange(n), k]
        gas_head = spare.sum(axis=1)
    else:
        largest = others = gas_head = np.zeros(n)
    unit_trip = others + grid_head + bat_head - largest
    n1 = float(ds["grid_n1_capacity_mw"]) if "grid_n1_capacity_mw" in ds else 0.0
    # after the circuit loss the other circuits carry up to n1: their spare (n1 - import) counts, and
    # an import above n1 must come from the units and the battery (issue #9 item 11: the sign of this
    # margin is that rule)
    circuit = gas_head + bat_head + (n1 - ds["grid_import_mw"].values)
    return np.minimum(unit_trip, circuit), unit_trip, circuit


def _demand_charge(ds: xr.Dataset, grid: np.ndarray) -> np.ndarray:
    """Monthly demand charge on the month's peak import, booked at the peak step  [USD]."""
    rate = float(ds["grid_demand_charge_usd_per_mw_month"])
    out = np.zeros(ds.sizes["time"])
    if rate <= 0:
        return out
    month = pd.DatetimeIndex(ds["time"].values).to_period("M")
    imp = np.maximum(grid, 0.0)
    for m in month.unique():
        idx = np.flatnonzero(month == m)
        k = idx[np.argmax(imp[idx])]
        out[k] = imp[k] * rate
    return out
