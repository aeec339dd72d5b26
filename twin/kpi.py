"""KPIs of a run Dataset — one set of functions for the CLI, the report and the app.

Every function takes a settled run Dataset and returns a number (or a mapping / DataArray).
``summary.json`` is only their cached copy (:func:`kpis`).

Definitions
-----------
PUE   facility energy / IT energy (The Green Grid; ISO/IEC 30134-2).
WUE   site cooling water (L) / IT energy (kWh) (The Green Grid WUE; ISO/IEC 30134-9).
CUE   CO2 (kg) / IT energy (kWh), gas burnt on site plus grid import at the grid's intensity
      (The Green Grid CUE; ISO/IEC 30134-8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr


def _step_h(ds: xr.Dataset) -> float:
    return float(ds.attrs["step_h"])


def _energy_mwh(da: xr.DataArray, ds: xr.Dataset) -> float:
    return float(da.sum()) * _step_h(ds)


def it_energy_mwh(ds: xr.Dataset) -> float:
    return _energy_mwh(ds["it_power_mw"], ds)


def facility_energy_mwh(ds: xr.Dataset) -> float:
    return _energy_mwh(ds["facility_power_mw"], ds)


def cooling_energy_mwh(ds: xr.Dataset) -> float:
    return _energy_mwh(ds["cooling_power_mw"], ds)


def losses_energy_mwh(ds: xr.Dataset) -> float:
    return _energy_mwh(ds["losses_mw"], ds)


def pue(ds: xr.Dataset) -> float:
    """Period PUE: facility energy over IT energy (energy-weighted, not a mean of hourly PUEs)."""
    it = it_energy_mwh(ds)
    return facility_energy_mwh(ds) / it if it > 0 else float("nan")


def pue_hourly(ds: xr.Dataset) -> xr.DataArray:
    """PUE at every step."""
    return ds["pue"]


def wue_l_per_kwh(ds: xr.Dataset) -> float:
    it_kwh = it_energy_mwh(ds) * 1000.0
    return float(ds["water_m3"].sum()) * 1000.0 / it_kwh if it_kwh > 0 else float("nan")


def water_m3(ds: xr.Dataset) -> float:
    return float(ds["water_m3"].sum())


def cue_kg_per_kwh(ds: xr.Dataset) -> float:
    it_kwh = it_energy_mwh(ds) * 1000.0
    return co2_t(ds) * 1000.0 / it_kwh if it_kwh > 0 else float("nan")


def energy_by_source_mwh(ds: xr.Dataset) -> dict[str, float]:
    """Energy supplied by each source; gas units are reported one by one and as ``gas``."""
    s = ds["supply_mw"].sum("time") * _step_h(ds)
    out = {str(k): float(v) for k, v in zip(ds["source"].values, s.values)}
    units = [str(u) for u in ds["unit"].values] if "unit" in ds.coords else []
    out["gas"] = float(sum(out[u] for u in units))
    out["battery_charge"] = _energy_mwh(ds["battery_charge_mw"], ds)
    out["unserved"] = unserved_mwh(ds)
    return out


def monthly_energy_by_source_mwh(ds: xr.Dataset) -> xr.DataArray:
    """Energy by source and calendar month  [MWh] (gas units summed into ``gas``)."""
    units = [str(u) for u in ds["unit"].values] if "unit" in ds.coords else []
    sup = ds["supply_mw"]
    parts = {"gas": sup.sel(source=units).sum("source") if units else sup.isel(source=0, drop=True) * 0}
    for s in ("grid", "solar", "battery"):
        parts[s] = sup.sel(source=s, drop=True)
    parts["unserved"] = ds["unserved_mw"]
    da = xr.concat(list(parts.values()), dim=pd.Index(list(parts), name="source"))
    return (da.resample(time="MS").sum() * _step_h(ds)).rename("energy_mwh")


def peak_facility_mw(ds: xr.Dataset) -> float:
    return float(ds["facility_power_mw"].max())


def fuel_gj(ds: xr.Dataset) -> float:
    """Fuel burnt, LHV basis (the plant's heat rates are LHV)  [GJ]."""
    return float(ds["fuel_gj"].sum()) if "fuel_gj" in ds else 0.0


def _hhv_per_lhv(ds: xr.Dataset) -> float:
    if "gas_hhv_per_lhv" in ds:
        return float(ds["gas_hhv_per_lhv"])
    from models.lng_plant import HHV_PER_LHV

    return HHV_PER_LHV


def fuel_gj_hhv(ds: xr.Dataset) -> float:
    """Fuel burnt, HHV basis (the basis gas is traded on)  [GJ]."""
    return fuel_gj(ds) * _hhv_per_lhv(ds)


def lng_price_usd_per_mmbtu_hhv(ds: xr.Dataset) -> float:
    """LNG price per MMBtu of HHV, whatever basis the scenario quoted  [USD/MMBtu]."""
    from models.lng_plant import GJ_PER_MMBTU

    return float(ds["lng_price_usd_per_gj"]) * GJ_PER_MMBTU / _hhv_per_lhv(ds)


def lng_price_usd_per_mmbtu_lhv(ds: xr.Dataset) -> float:
    """LNG price per MMBtu of LHV fuel (what the plant's heat rate is costed at)  [USD/MMBtu]."""
    from models.lng_plant import GJ_PER_MMBTU

    return float(ds["lng_price_usd_per_gj"]) * GJ_PER_MMBTU


def _sum(ds: xr.Dataset, var: str) -> float:
    return float(ds[var].sum()) if var in ds else 0.0


def lng_boil_off_t(ds: xr.Dataset) -> float:
    return _sum(ds, "lng_boil_off_t")


def lng_flared_t(ds: xr.Dataset) -> float:
    return _sum(ds, "lng_flared_t")


def lng_delivered_t(ds: xr.Dataset) -> float:
    return _sum(ds, "lng_delivered_t")


def lng_refused_t(ds: xr.Dataset) -> float:
    return _sum(ds, "lng_refused_t")


def lng_cargoes_refused(ds: xr.Dataset, tol_t: float = 1e-6) -> list[dict]:
    """Every scheduled cargo the tank could not take in full: when, tonnes, and why."""
    if "lng_refused_t" not in ds:
        return []
    ref = ds["lng_refused_t"].values
    t = pd.DatetimeIndex(ds["time"].values)
    cap = float(ds["lng_tank_capacity_t"])
    out = []
    for i in np.flatnonzero(ref > tol_t):
        sched = float(ds["lng_scheduled_t"].values[i])
        got = float(ds["lng_delivered_t"].values[i])
        out.append(dict(time=str(t[i]), scheduled_t=sched, delivered_t=got, refused_t=float(ref[i]),
                        why=f"tank full: {got:,.1f} t of free space in the {cap:,.0f} t tank"))
    return out


def lng_t(ds: xr.Dataset) -> float:
    return float(ds["lng_t"].sum())


def co2_t(ds: xr.Dataset) -> float:
    return float(ds["co2_t"].sum())


def cost_usd(ds: xr.Dataset) -> float:
    return float(ds["cost_usd"].sum())


def cost_breakdown_usd(ds: xr.Dataset) -> dict[str, float]:
    s = ds["cost_usd"].sum("time")
    return {str(k): float(v) for k, v in zip(ds["cost_item"].values, s.values)}


def unserved_mwh(ds: xr.Dataset) -> float:
    return _energy_mwh(ds["unserved_mw"], ds)


def unserved_hours(ds: xr.Dataset, tol_mw: float = 1e-6) -> float:
    return float((ds["unserved_mw"] > tol_mw).sum()) * _step_h(ds)


def cooling_deficit_h(ds: xr.Dataset, tol_mw: float = 1e-6) -> float:
    """Hours in which some hall's cooling could not remove all its heat."""
    return float((ds["cooling_deficit_mw"] > tol_mw).sum()) * _step_h(ds)


def cooling_deficit_mwh_th(ds: xr.Dataset) -> float:
    return _energy_mwh(ds["cooling_deficit_mw"], ds)


def min_reserve_margin_mw(ds: xr.Dataset) -> float:
    return float(ds["reserve_margin_mw"].min())


def reserve_shortfall_h(ds: xr.Dataset, tol_mw: float = 1e-6) -> float:
    return float((ds["reserve_margin_mw"] < -tol_mw).sum()) * _step_h(ds)


def reserve_shortfall_mwh(ds: xr.Dataset) -> float:
    """N-1 reserve missing, summed over the steps  [MWh]."""
    return float(np.maximum(-ds["reserve_margin_mw"].values, 0.0).sum()) * _step_h(ds)


def lng_shortfall_t(ds: xr.Dataset) -> float:
    return float(ds["lng_shortfall_t"].sum())


def max_balance_residual_mw(ds: xr.Dataset) -> float:
    return float(np.abs(ds["balance_residual_mw"]).max())


def shortfall_events(ds: xr.Dataset, var: str | np.ndarray = "unserved_mw", tol_mw: float = 1e-6) -> list[dict]:
    """Contiguous spells where ``var`` (a variable name or an array on ``time``) > tol: start,
    end, hours, peak MW, energy MWh."""
    x = ds[var].values if isinstance(var, str) else np.asarray(var, float)
    if x.ndim > 1:
        x = x.sum(axis=tuple(range(1, x.ndim)))
    flag = x > tol_mw
    t = pd.DatetimeIndex(ds["time"].values)
    step_h = _step_h(ds)
    out = []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flag.astype(int), [0]])))
    for a, b in zip(edges[::2], edges[1::2]):
        out.append(dict(start=str(t[a]), end=str(t[b - 1] + pd.Timedelta(hours=step_h)),
                        hours=float((b - a) * step_h), peak_mw=float(x[a:b].max()),
                        energy_mwh=float(x[a:b].sum() * step_h)))
    return out


def _tank_at_heel(ds: xr.Dataset) -> np.ndarray:
    if "lng_tank_t" not in ds or float(ds["lng_tank_capacity_t"]) <= 0:
        return np.zeros(ds.sizes["time"], bool)
    tol = 1e-6 * max(float(ds["lng_tank_capacity_t"]), 1.0)
    return ds["lng_tank_t"].values <= float(ds["lng_tank_min_t"]) + tol


def shortfalls(ds: xr.Dataset, limit: int = 50) -> dict[str, list[dict]]:
    """Every kind of shortfall settle computes, as spells with their cause named.

    ``unserved`` (load shed), ``cooling_deficit``, ``reserve`` (N-1 margin below zero, the
    contingency that binds) and ``lng`` (fuel the tank could not supply).
    """
    out = {"unserved": shortfall_events(ds, "unserved_mw")[:limit],
           "cooling_deficit": shortfall_events(ds, "cooling_deficit_mw")[:limit]}
    heel = _tank_at_heel(ds)
    t = pd.DatetimeIndex(ds["time"].values)
    # fuel-limited when the tank reaches its heel before the next cargo lands (a dispatcher with
    # foresight sheds earlier, while the tank still holds fuel it must ration)
    cargo = np.flatnonzero(ds["lng_delivered_t"].values > 0) if "lng_delivered_t" in ds else np.zeros(0, int)
    for e in out["unserved"]:
        a = t.searchsorted(pd.Timestamp(e["start"]))
        nxt = cargo[cargo > a]
        b = int(nxt[0]) if nxt.size else len(t)
        e["cause"] = ("fuel: the LNG tank reaches its heel before the next cargo" if heel[a:b].any()
                      else "capacity: gas, grid, solar and battery short of the load")
    for e in out["cooling_deficit"]:
        e["cause"] = "cooling: a hall's plant cannot remove its heat at this weather"
    res = []
    if "reserve_margin_mw" in ds:
        from twin.settle import _contingency_margins

        _, unit_trip, circuit = _contingency_margins(ds)
        res = shortfall_events(ds, np.maximum(-ds["reserve_margin_mw"].values, 0.0))[:limit]
        for e in res:
            a = t.searchsorted(pd.Timestamp(e["start"]))
            b = a + int(round(e["hours"] / _step_h(ds)))
            grid_worse = np.mean(circuit[a:b] < unit_trip[a:b]) > 0.5
            e["cause"] = ("N-1: losing one grid circuit (power.grid.circuits) is not covered" if grid_worse
                          else "N-1: the trip of the largest running gas unit is not covered")
    out["reserve"] = res
    lng = shortfall_events(ds, "lng_shortfall_t")[:limit] if "lng_shortfall_t" in ds else []
    for e in lng:  # the 'mw' fields of a tonnes series are tonnes per step
        e["peak_t"] = e.pop("peak_mw")
        e["lng_t"] = e.pop("energy_mwh") / _step_h(ds)
        e["cause"] = "fuel: the dispatch burns more LNG than the tank holds above its heel"
    out["lng"] = lng
    return out


def status(ds: xr.Dataset) -> str:
    """``ok``, ``shortfall`` or ``incomplete`` (solver).

    Shortfall: unserved load, a cooling deficit, an N-1 reserve margin below zero or LNG the
    tank could not supply — every shortfall settle computes.
    """
    solver = str(ds.attrs.get("solver_status", ""))
    if ds.attrs.get("dispatch") == "optimal" and solver not in ("optimal", "ok"):
        return "incomplete"
    if (unserved_mwh(ds) > 1e-6 or cooling_deficit_h(ds) > 0 or reserve_shortfall_h(ds) > 0
            or ("lng_shortfall_t" in ds and lng_shortfall_t(ds) > 1e-6)):
        return "shortfall"
    return "ok"


KPI_FUNCTIONS = {
    "pue": pue,
    "wue_l_per_kwh": wue_l_per_kwh,
    "cue_kg_per_kwh": cue_kg_per_kwh,
    "it_energy_mwh": it_energy_mwh,
    "facility_energy_mwh": facility_energy_mwh,
    "cooling_energy_mwh": cooling_energy_mwh,
    "losses_energy_mwh": losses_energy_mwh,
    "peak_facility_mw": peak_facility_mw,
    "energy_by_source_mwh": energy_by_source_mwh,
    "fuel_gj": fuel_gj,
    "fuel_gj_hhv": fuel_gj_hhv,
    "lng_price_usd_per_mmbtu_hhv": lng_price_usd_per_mmbtu_hhv,
    "lng_price_usd_per_mmbtu_lhv": lng_price_usd_per_mmbtu_lhv,
    "lng_t": lng_t,
    "lng_delivered_t": lng_delivered_t,
    "lng_refused_t": lng_refused_t,
    "lng_boil_off_t": lng_boil_off_t,
    "lng_flared_t": lng_flared_t,
    "co2_t": co2_t,
    "water_m3": water_m3,
    "cost_usd": cost_usd,
    "cost_breakdown_usd": cost_breakdown_usd,
    "unserved_mwh": unserved_mwh,
    "unserved_h": unserved_hours,
    "cooling_deficit_h": cooling_deficit_h,
    "cooling_deficit_mwh_th": cooling_deficit_mwh_th,
    "min_reserve_margin_mw": min_reserve_margin_mw,
    "reserve_shortfall_h": reserve_shortfall_h,
    "reserve_shortfall_mwh": reserve_shortfall_mwh,
    "lng_shortfall_t": lng_shortfall_t,
    "max_balance_residual_mw": max_balance_residual_mw,
}

#: what the CLI table shows, with units
HEADLINE = [
    ("pue", "PUE", "-"), ("wue_l_per_kwh", "WUE", "L/kWh"), ("cue_kg_per_kwh", "CUE", "kgCO2/kWh"),
    ("it_energy_mwh", "IT energy", "MWh"), ("facility_energy_mwh", "Facility energy", "MWh"),
    ("peak_facility_mw", "Peak facility", "MW"), ("fuel_gj", "Fuel (LHV)", "GJ"),
    ("fuel_gj_hhv", "Fuel (HHV)", "GJ"), ("lng_t", "LNG", "t"), ("lng_flared_t", "LNG boil-off flared", "t"),
    ("lng_refused_t", "LNG cargo refused", "t"),
    ("co2_t", "CO2", "t"), ("water_m3", "Water", "m3"), ("cost_usd", "Cost", "USD"),
    ("unserved_mwh", "Unserved energy", "MWh"), ("cooling_deficit_h", "Cooling deficit", "h"),
    ("min_reserve_margin_mw", "Min N-1 reserve margin", "MW"),
]


def kpis(ds: xr.Dataset) -> dict:
    """Every KPI of a run, as plain Python values (the ``kpi`` block of summary.json)."""
    return {k: f(ds) for k, f in KPI_FUNCTIONS.items()}
