"""The same dispatch problem in PyPSA, for cross-checks and the benchmark (test-only).

Covers what both tools model: committable gas units with an affine fuel curve (stand-by cost +
linear marginal cost), min up/down times, start-up costs, grid import at a time-varying
price, PV with free curtailment, a battery (StorageUnit) and unserved load at VoLL.  N-1
reserve, demand charges, TES, flexible load and the LNG tank are not translated (the cases
compared leave them out or price them at zero).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr


def pypsa_network(ds: xr.Dataset):
    import pypsa

    step_h = float(ds.attrs["step_h"])
    snaps = pd.DatetimeIndex(ds["time"].values)
    n = pypsa.Network()
    n.set_snapshots(snaps)
    n.snapshot_weightings.loc[:, :] = step_h
    n.add("Bus", "campus")
    n.add("Load", "facility", bus="campus", p_set=pd.Series(ds["facility_power_mw"].values, snaps))
    fuel_price = float(ds["lng_price_usd_per_gj"]) + float(ds["carbon_price_usd_per_t"]) * float(ds["gas_co2_t_per_gj"])
    for i, u in enumerate(ds["unit"].values):
        avail = ds["gas_available_mw"].values[:, i]
        mw = ds["gas_curve_mw"].values[:, i, :]
        fu = ds["gas_curve_fuel_gj_per_h"].values[:, i, :]
        slope = (fu[:, -1] - fu[:, 0]) / (mw[:, -1] - mw[:, 0])
        # affine fuel curve: fuel = (F0 - slope*Pmin)*on + slope*P
        standby = (fu[:, 0] - slope * mw[:, 0]) * fuel_price
        vom = float(ds["unit_vom_usd_per_mwh"].values[i])
        p_nom = float(avail.max())
        init_on = float(ds["unit_initial_on"].values[i]) > 0.5
        n.add("Generator", str(u), bus="campus", p_nom=p_nom, committable=True,
              p_max_pu=pd.Series(avail / p_nom, snaps), p_min_pu=pd.Series(mw[:, 0] / p_nom, snaps),
              marginal_cost=pd.Series(slope * fuel_price + vom, snaps),
              stand_by_cost=pd.Series(standby, snaps),
              start_up_cost=float(ds["unit_start_cost_cold_usd"].values[i]),
              min_up_time=int(round(float(ds["unit_min_up_h"].values[i]) / step_h)),
              min_down_time=int(round(float(ds["unit_min_down_h"].values[i]) / step_h)),
              up_time_before=10_000 if init_on else 0, down_time_before=0 if init_on else 10_000)
    cap = float(ds["grid_capacity_mw"])
    if cap > 0:
        co2c = float(ds["grid_co2_t_per_mwh"]) * float(ds["carbon_price_usd_per_t"])
        n.add("Generator", "grid", bus="campus", p_nom=cap,
              marginal_cost=pd.Series(ds["grid_price_usd_per_mwh"].values + co2c, snaps))
    sol = ds["solar_available_mw"].values
    if sol.max() > 0:
        n.add("Generator", "solar", bus="campus", p_nom=float(sol.max()),
              p_max_pu=pd.Series(sol / sol.max(), snaps), marginal_cost=0.0)
    bp, be = float(ds["battery_power_mw"]), float(ds["battery_energy_mwh"])
    if bp > 0 and be > 0:
        assert float(ds["battery_soc_min_frac"]) == 0 and float(ds["battery_soc_max_frac"]) == 1
        n.add("StorageUnit", "battery", bus="campus", p_nom=bp, max_hours=be / bp,
              efficiency_store=float(ds["battery_eff_charge"]), efficiency_dispatch=float(ds["battery_eff_discharge"]),
              standing_loss=float(ds["battery_self_discharge_frac_per_day"]) / 24.0,
              state_of_charge_initial=float(ds["battery_soc_initial_frac"]) * be, cyclic_state_of_charge=False,
              marginal_cost=float(ds["battery_degradation_usd_per_mwh"]))
    n.add("Generator", "unserved", bus="campus", p_nom=float(ds["facility_power_mw"].max()) + 1.0,
          marginal_cost=float(ds["voll_usd_per_mwh"]))
    return n


def pypsa_solve(ds: xr.Dataset, *, mip_rel_gap: float = 1e-6, threads: int = 1, **kw) -> tuple[float, object]:
    n = pypsa_network(ds)
    status, cond = n.optimize(solver_name="highs", solver_options={"threads": threads, "mip_rel_gap": mip_rel_gap,
                                                                    "output_flag": False},
                               include_objective_constant=False, **kw)
    assert status == "ok", (status, cond)
    return float(n.objective + getattr(n, "objective_constant", 0.0)), n
