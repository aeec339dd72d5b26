"""A small synthetic run Dataset built by hand after the variable registry.

Used only where a test needs numbers it can compute by hand (figure builders); the app and
browser tests use real runs from ``twin.simulate``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from twin.variables import annotate

SCENARIO_YAML = "name: synthetic\n# hand-built test run\n"


def synthetic_run(n: int = 48, start: str = "2025-07-01", step_h: float = 1.0, seed: int = 0,
                  halls=("hall-a", "hall-b"), units=("sgt-800-1", "sgt-800-2"), name: str = "synthetic",
                  it_scale: float = 1.0) -> xr.Dataset:
    """A balanced run: supply - charge + unserved == IT + cooling + losses at every step."""
    rng = np.random.default_rng(seed)
    t = pd.date_range(start, periods=n, freq=pd.Timedelta(hours=step_h), name="time")
    hour = np.asarray(t.hour, float)
    t_db = 28 + 5 * np.sin((hour - 9) / 24 * 2 * np.pi)
    hall_it = np.column_stack([it_scale * (20 + 2 * np.sin(hour / 24 * 2 * np.pi + k)) for k in range(len(halls))])
    hall_cool = hall_it * (0.2 + 0.004 * (t_db[:, None] - 25))
    it, cool = hall_it.sum(1), hall_cool.sum(1)
    losses = 0.05 * it
    fac = it + cool + losses
    solar = np.clip(15 * np.sin((hour - 6) / 12 * np.pi), 0, None)
    charge = np.where(solar > 10, 2.0, 0.0)
    discharge = np.where((hour >= 19) & (hour <= 21), 3.0, 0.0)
    unserved = np.zeros(n)
    unserved[n // 2] = 1.5
    grid = np.full(n, 10.0)
    gas_total = fac + charge - unserved - solar - discharge - grid
    nu = len(units)
    gen = np.repeat(gas_total[:, None] / nu, nu, axis=1)
    soc = 20 + np.cumsum(charge * 0.95 - discharge / 0.95) * step_h
    ds = xr.Dataset(coords=dict(time=t, hall=list(halls), unit=np.array(units, dtype=object),
                                source=np.array([*units, "grid", "solar", "battery"], dtype=object),
                                cost_item=np.array(["fuel", "grid_energy"], dtype=object)))
    T = ("time",)
    ds["ambient_drybulb_c"] = (T, t_db)
    ds["ambient_wetbulb_c"] = (T, t_db - 6)
    ds["grid_price_usd_per_mwh"] = (T, 80 + 40 * ((hour >= 9) & (hour < 22)))
    ds["marginal_price_usd_per_mwh"] = (T, np.full(n, np.nan))
    ds["hall_it_power_mw"] = (("time", "hall"), hall_it)
    ds["hall_cooling_power_mw"] = (("time", "hall"), hall_cool)
    ds["it_power_mw"] = (T, it)
    ds["cooling_power_mw"] = (T, cool)
    ds["losses_mw"] = (T, losses)
    ds["facility_power_mw"] = (T, fac)
    ds["cooling_deficit_mw"] = (T, np.zeros(n))
    ds["water_m3"] = (T, 0.5 * cool)
    ds["gen_mw"] = (("time", "unit"), gen)
    ds["unit_on"] = (("time", "unit"), (gen > 0).astype(float))
    ds["gas_available_mw"] = (("time", "unit"), np.full((n, nu), 50.0))
    ds["grid_import_mw"] = (T, grid)
    ds["solar_mw"] = (T, solar)
    ds["curtailed_mw"] = (T, np.zeros(n))
    ds["battery_charge_mw"] = (T, charge)
    ds["battery_discharge_mw"] = (T, discharge)
    ds["battery_soc_mwh"] = (T, soc)
    ds["unserved_mw"] = (T, unserved)
    ds["supply_mw"] = (("time", "source"), np.column_stack([gen, grid, solar, discharge]))
    ds["fuel_gj"] = (("time", "unit"), gen * 9.0 * step_h)
    ds["lng_t"] = (T, gen.sum(1) * 9.0 * step_h / 49.0)
    ds["lng_tank_capacity_t"] = ((), 5000.0)
    ds["lng_tank_t"] = (T, 3000 - np.cumsum(ds["lng_t"].values))
    ds["lng_shortfall_t"] = (T, np.zeros(n))
    ds["co2_t"] = (T, gen.sum(1) * 9.0 * step_h * 0.0561)
    ds["cost_usd"] = (("time", "cost_item"),
                      np.column_stack([gen.sum(1) * 9 * 10.0, grid * ds["grid_price_usd_per_mwh"].values]))
    ds["reserve_margin_mw"] = (T, 5 + rng.normal(0, 1, n))
    ds["pue"] = (T, fac / it)
    ds["balance_residual_mw"] = (T, ds["supply_mw"].sum("source").values - charge + unserved - fac)
    ds.attrs.update(step_h=step_h, step=f"{step_h:g}h", dispatch="baseline", solver_status="ok",
                    scenario_name=name, scenario_yaml=SCENARIO_YAML.replace("synthetic", name),
                    site_name="Synthetic site")
    return annotate(ds)
