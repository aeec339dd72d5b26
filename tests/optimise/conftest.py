"""A small synthetic physics Dataset for optimiser tests (independent of twin.couple)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from twin.variables import REGISTRY, annotate

N_POINTS = 5


def _series(v, n):
    a = np.asarray(v, dtype=float)
    return np.full(n, float(a)) if a.ndim == 0 else a.astype(float).copy()


def make_physics(n_steps: int = 24, *, step_h: float = 1.0, start: str = "2025-01-06 00:00",
                 demand_mw=100.0, price_usd_per_mwh=100.0, solar_mw=0.0,
                 units: list[dict] | None = None, it_fraction: float = 0.8, training_frac_of_it: float = 0.5,
                 chiller_cop=5.0, chiller_load_mw_th=0.0, **scalars) -> xr.Dataset:
    """Build a physics Dataset following :mod:`twin.variables`.

    ``units`` is a list of dicts with keys (defaults): ``rated_mw`` (40), ``avail_mw`` (rated;
    scalar or series), ``min_load_frac`` (0.4), ``eff_full`` (0.40), ``no_load_frac`` (0.2:
    fuel at zero output as a fraction of full-load fuel, i.e. an affine fuel curve), ``quad``
    (0: convex term), ``ramp_mw_per_h`` (inf), ``min_up_h`` / ``min_down_h`` (1),
    ``start_cost_usd`` (0; or ``start_cost_hot/warm/cold_usd``), ``hot_h`` / ``warm_h`` (0),
    ``vom`` (0), ``initial_on`` (0), ``group``.
    Scalars default to a campus with a 0-MW grid feed, no battery, no TES, no flexibility, no
    LNG tank and no carbon price; override any registry scalar by keyword.
    """
    n = n_steps
    times = pd.date_range(start, periods=n, freq=pd.Timedelta(hours=step_h), name="time")
    demand = _series(demand_mw, n)
    it = demand * it_fraction
    ds = xr.Dataset(coords={"time": times})
    zeros = np.zeros(n)
    ds["ambient_drybulb_c"] = ("time", np.full(n, 25.0))
    ds["ambient_wetbulb_c"] = ("time", np.full(n, 20.0))
    ds["ambient_rh_frac"] = ("time", np.full(n, 0.6))
    ds["ghi_w_m2"] = ("time", zeros.copy())
    ds["grid_price_usd_per_mwh"] = ("time", _series(price_usd_per_mwh, n))
    ds["tou_period"] = ("time", np.full(n, "flat"))
    ds["it_training_mw"] = ("time", it * training_frac_of_it)
    ds["it_power_mw"] = ("time", it)
    ds["cooling_power_mw"] = ("time", demand - it)
    chl = _series(chiller_load_mw_th, n)
    cop = _series(chiller_cop, n)
    ds["chiller_load_mw_th"] = ("time", chl)
    ds["chiller_cop"] = ("time", np.where(chl > 0, cop, np.nan))
    ds["chiller_power_mw"] = ("time", np.where(chl > 0, chl / cop, 0.0))
    ds["losses_mw"] = ("time", zeros.copy())
    ds["facility_power_mw"] = ("time", demand)
    ds["facility_mw_per_it_mw"] = ("time", np.full(n, 1.25))
    ds["cooling_deficit_mw"] = ("time", zeros.copy())
    ds["water_m3"] = ("time", zeros.copy())
    ds["solar_available_mw"] = ("time", _series(solar_mw, n))

    units = units or []
    nu = len(units)
    ds = ds.assign_coords(unit=np.array([u.get("name", f"gt-{i + 1}") for i, u in enumerate(units)], dtype=object),
                          point=np.arange(N_POINTS))
    avail = np.zeros((n, nu))
    cmw = np.zeros((n, nu, N_POINTS))
    cfu = np.zeros((n, nu, N_POINTS))
    cols: dict[str, list] = {k: [] for k in (
        "unit_model", "unit_kind", "unit_group", "unit_rated_mw", "unit_min_load_frac", "unit_ramp_mw_per_h",
        "unit_min_up_h", "unit_min_down_h", "unit_start_cost_hot_usd", "unit_start_cost_warm_usd",
        "unit_start_cost_cold_usd", "unit_hot_max_offline_h", "unit_warm_max_offline_h", "unit_vom_usd_per_mwh",
        "unit_initial_on", "unit_eff_full_lhv", "unit_heat_rate_frac_per_k")}
    for i, u in enumerate(units):
        rated = float(u.get("rated_mw", 40.0))
        a = _series(u.get("avail_mw", rated), n)
        avail[:, i] = a
        mlf = float(u.get("min_load_frac", 0.4))
        eff = float(u.get("eff_full", 0.40))
        nl = float(u.get("no_load_frac", 0.2))
        q = float(u.get("quad", 0.0))
        fr = np.linspace(mlf, 1.0, N_POINTS)
        pts = a[:, None] * fr[None, :]
        full_fuel = a[:, None] * 3.6 / eff
        cmw[:, i, :] = pts
        # affine (plus optional convex) fuel curve: fuel = full*(nl + (1-nl-q)*x + q*x^2), x = P/A
        cfu[:, i, :] = full_fuel * (nl + (1 - nl - q) * fr[None, :] + q * fr[None, :] ** 2)
        sc = float(u.get("start_cost_usd", 0.0))
        cols["unit_model"].append(u.get("model", "test-gt"))
        cols["unit_kind"].append(u.get("kind", "gt"))
        cols["unit_group"].append(u.get("group", f"g{i}"))
        cols["unit_rated_mw"].append(rated)
        cols["unit_min_load_frac"].append(mlf)
        cols["unit_ramp_mw_per_h"].append(float(u.get("ramp_mw_per_h", np.inf)))
        cols["unit_min_up_h"].append(float(u.get("min_up_h", 1.0)))
        cols["unit_min_down_h"].append(float(u.get("min_down_h", 1.0)))
        cols["unit_start_cost_hot_usd"].append(float(u.get("start_cost_hot_usd", sc)))
        cols["unit_start_cost_warm_usd"].append(float(u.get("start_cost_warm_usd", sc)))
        cols["unit_start_cost_cold_usd"].append(float(u.get("start_cost_cold_usd", sc)))
        cols["unit_hot_max_offline_h"].append(float(u.get("hot_h", 0.0)))
        cols["unit_warm_max_offline_h"].append(float(u.get("warm_h", 0.0)))
        cols["unit_vom_usd_per_mwh"].append(float(u.get("vom", 0.0)))
        cols["unit_initial_on"].append(float(u.get("initial_on", 0.0)))
        cols["unit_eff_full_lhv"].append(eff)
        cols["unit_heat_rate_frac_per_k"].append(0.0)
    ds["gas_available_mw"] = (("time", "unit"), avail)
    ds["gas_curve_mw"] = (("time", "unit", "point"), cmw)
    ds["gas_curve_fuel_gj_per_h"] = (("time", "unit", "point"), cfu)
    for k, v in cols.items():
        dt = object if k in ("unit_model", "unit_kind", "unit_group") else float
        ds[k] = ("unit", np.array(v, dtype=dt))

    sc = dict(
        grid_capacity_mw=0.0, grid_export_allowed=0.0, grid_co2_t_per_mwh=0.0,
        grid_demand_charge_usd_per_mw_month=0.0,
        battery_power_mw=0.0, battery_energy_mwh=0.0, battery_eff_charge=1.0, battery_eff_discharge=1.0,
        battery_soc_min_frac=0.0, battery_soc_max_frac=1.0, battery_soc_initial_frac=0.0,
        battery_self_discharge_frac_per_day=0.0, battery_degradation_usd_per_mwh=0.0,
        tes_capacity_mwh_th=0.0, tes_power_mw_th=0.0, tes_loss_frac_per_h=0.0,
        flex_training_frac=0.0, flex_window_h=24.0, it_capacity_mw=float(it.max()) if n else 0.0,
        lng_price_usd_per_gj=10.0, lng_lhv_gj_per_t=49.0, lng_tank_capacity_t=0.0, lng_tank_initial_t=0.0,
        lng_tank_min_t=0.0, lng_delivery_t=0.0, lng_delivery_interval_h=0.0, lng_boil_off_frac_per_day=0.0,
        gas_co2_t_per_gj=0.0561, carbon_price_usd_per_t=0.0, co2_cap_t=np.nan, water_price_usd_per_m3=0.0,
        voll_usd_per_mwh=10_000.0, reserve_shortfall_usd_per_mwh=0.0, cooling_deficit_usd_per_mwh=0.0,
    )
    unknown = set(scalars) - set(sc)
    if unknown:
        raise TypeError(f"make_physics: unknown scalar(s) {sorted(unknown)}")
    sc.update(scalars)
    for k, v in sc.items():
        assert REGISTRY[k].dims == ()
        ds[k] = ((), float(v))
    ds.attrs["step_h"] = float(step_h)
    ds.attrs["step"] = f"{step_h}h"
    return annotate(ds)
