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
    return float(ds["fuel_gj"].sum()) if "fuel_gj" in ds else 0.0


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


def lng_shortfall_t(ds: xr.Dataset) -> float:
    return float(ds["lng_shortfall_t"].sum())


def max_balance_residual_mw(ds: xr.Dataset) -> float:
    return float(np.abs(ds["balance_residual_mw"]).max())


def shortfall_events(ds: xr.Dataset, var: str = "unserved_mw", tol_mw: float = 1e-6) -> list[dict]:
    """Contiguous spells where ``var`` > tol: start, end, hours, peak MW, energy MWh."""
    x = ds[var].values
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


def status(ds: xr.Dataset) -> str:
    """``ok``, ``shortfall`` (unserved load or cooling deficit) or ``incomplete`` (solver)."""
    solver = str(ds.attrs.get("solver_status", ""))
    if ds.attrs.get("dispatch") == "optimal" and solver not in ("optimal", "ok"):
        return "incomplete"
    if unserved_mwh(ds) > 1e-6 or cooling_deficit_h(ds) > 0:
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
    "lng_t": lng_t,
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
    "lng_shortfall_t": lng_shortfall_t,
    "max_balance_residual_mw": max_balance_residual_mw,
}

#: what the CLI table shows, with units
HEADLINE = [
    ("pue", "PUE", "-"), ("wue_l_per_kwh", "WUE", "L/kWh"), ("cue_kg_per_kwh", "CUE", "kgCO2/kWh"),
    ("it_energy_mwh", "IT energy", "MWh"), ("facility_energy_mwh", "Facility energy", "MWh"),
    ("peak_facility_mw", "Peak facility", "MW"), ("fuel_gj", "Fuel (LHV)", "GJ"), ("lng_t", "LNG", "t"),
    ("co2_t", "CO2", "t"), ("water_m3", "Water", "m3"), ("cost_usd", "Cost", "USD"),
    ("unserved_mwh", "Unserved energy", "MWh"), ("cooling_deficit_h", "Cooling deficit", "h"),
    ("min_reserve_margin_mw", "Min N-1 reserve margin", "MW"),
]


def kpis(ds: xr.Dataset) -> dict:
    """Every KPI of a run, as plain Python values (the ``kpi`` block of summary.json)."""
    return {k: f(ds) for k, f in KPI_FUNCTIONS.items()}
