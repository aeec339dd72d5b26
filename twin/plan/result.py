"""The plan Dataset (``phase`` x ``technology``), its summary and the store.

Technologies: each candidate gas model (its catalogue name), ``battery``, ``solar``, ``grid`` and one
``cooling-<type>`` per cooling type (MW of IT it serves).  Costs per phase, the NPV, the levelised
cost per MWh of IT energy, the full-year checks beside the plan's estimate, what the next step of
each candidate would save, and the plan under every LNG price path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import xarray as xr

from twin import catalog
from twin.plan.inputs import (
    BATTERY_ENERGY,
    BATTERY_POWER,
    COOLING_COST,
    SOLAR,
    Build,
    flat_fuel_usd_per_gj,
    grid_connection_cost_usd,
    grid_option,
    it_energy_pv_mwh,
)
from twin.variables import annotate


def _technologies(d) -> list[str]:
    cool = sorted({a.type for h in d.halls for a in d.alts[h]})
    return [*d.models, "battery", "solar", "grid", *[f"cooling-{c}" for c in cool]]


def _capacity(d, b: Build, ph_it: dict[str, float], techs: list[str]) -> tuple[np.ndarray, np.ndarray]:
    cap = np.zeros(len(techs))
    en = np.zeros(len(techs))
    for i, t in enumerate(techs):
        if t in b.gas:
            cap[i] = b.gas[t] * float(catalog.lookup("gas_units", t)["rated_mw"])
        elif t == "battery":
            cap[i], en[i] = b.battery_mw, b.battery_mwh
        elif t == "solar":
            cap[i] = b.solar_mwp
        elif t == "grid":
            o = grid_option(d.disc.sc, b.grid)
            cap[i] = o.capacity_mw if o is not None else 0.0
        elif t.startswith("cooling-"):
            typ = t[len("cooling-"):]
            cap[i] = sum(ph_it.get(h, 0.0) for h in d.halls if d.alts[h][b.cooling.get(h, 0)].type == typ)
    return cap, en


def plan_dataset(sc, d, m, builds: list[Build], est: dict, info: dict, shortfalls: list[dict], *,
                 checks=None, marginals=None, sensitivities=None) -> xr.Dataset:
    phases = [ph.name for ph in sc.phases]
    techs = _technologies(d)
    nP, nT = len(phases), len(techs)
    units = np.zeros((nP, nT))
    built = np.zeros((nP, nT))
    cap = np.zeros((nP, nT))
    en = np.zeros((nP, nT))
    for p, b in enumerate(builds):
        ph_it = d.phys.phases[p].it_capacity_mw
        cap[p], en[p] = _capacity(d, b, ph_it, techs)
        for i, t in enumerate(techs):
            if t in b.gas:
                units[p, i] = b.gas[t]
                built[p, i] = b.gas[t] - (builds[p - 1].gas[t] if p else 0)
    # overnight capex and fixed O&M per phase (what the MILP charged as annuities)
    capex = np.zeros(nP)
    fom = np.zeros(nP)
    for p, b in enumerate(builds):
        prev = builds[p - 1] if p else Build(gas={k: 0 for k in b.gas}, cooling=b.cooling)
        for mdl, n in b.gas.items():
            rated = float(catalog.lookup("gas_units", mdl)["rated_mw"])
            capex[p] += (n - prev.gas.get(mdl, 0)) * rated * catalog.lookup("technology_costs", mdl)["capex_usd_per_unit"]
            fom[p] += n * rated * float(catalog.lookup("gas_units", mdl)["fom_usd_per_mw_yr"])
        for name, now, before in ((BATTERY_POWER, b.battery_mw, prev.battery_mw),
                                  (BATTERY_ENERGY, b.battery_mwh, prev.battery_mwh),
                                  (SOLAR, b.solar_mwp, prev.solar_mwp)):
            row = catalog.lookup("technology_costs", name)
            capex[p] += (now - before) * row["capex_usd_per_unit"]
            fom[p] += now * (row["fom_usd_per_unit_yr"] or 0.0)
        if b.grid is not None:
            o = grid_option(sc, b.grid)
            cost = grid_connection_cost_usd(sc, o)
            if b.grid != prev.grid:
                capex[p] += cost
            g = catalog.lookup("technology_costs", "grid-connection")
            fom[p] += cost * (g["fom_usd_per_unit_yr"] or 0.0) / g["capex_usd_per_unit"]
        prev_it = d.phys.phases[p - 1].it_capacity_mw if p else {}
        for h in d.halls:
            it = d.phys.phases[p].it_capacity_mw.get(h, 0.0)
            row = catalog.lookup("technology_costs", COOLING_COST[d.alts[h][b.cooling.get(h, 0)].type])
            capex[p] += max(it - prev_it.get(h, 0.0), 0.0) * row["capex_usd_per_unit"]
            fom[p] += it * (row["fom_usd_per_unit_yr"] or 0.0)

    fuel_usd_per_gj = np.array([flat_fuel_usd_per_gj(sc, p) for p in range(len(sc.phases))])
    ds = xr.Dataset(coords={"phase": phases, "technology": techs, "hall": d.halls,
                            "rep_day": np.arange(len(d.rep.days))})
    ds["plan_units"] = (("phase", "technology"), units)
    ds["plan_units_built"] = (("phase", "technology"), built)
    ds["plan_capacity_mw"] = (("phase", "technology"), cap)
    ds["plan_energy_mwh"] = (("phase", "technology"), en)
    ds["plan_cooling"] = (("phase", "hall"), np.array(
        [[(d.alts[h][b.cooling.get(h, 0)].type if h in sc.phases[p].halls else "") for h in d.halls]
         for p, b in enumerate(builds)], dtype=object))
    ds["plan_grid_option"] = ("phase", np.array([b.grid or "" for b in builds], dtype=object))
    ds["plan_phase_start"] = ("phase", np.array([str(ph.start.date()) for ph in sc.phases], dtype=object))
    ds["plan_it_capacity_mw"] = ("phase", np.array([sum(ph.it_capacity_mw.values()) for ph in d.phys.phases]))
    ds["plan_capex_usd"] = ("phase", capex)
    ds["plan_fom_usd_per_yr"] = ("phase", fom)
    ds["plan_fuel_gj_per_yr"] = ("phase", est["fuel_gj_per_yr"])
    ds["plan_fuel_usd_per_yr"] = ("phase", est["fuel_gj_per_yr"] * fuel_usd_per_gj)
    ds["plan_co2_t_per_yr"] = ("phase", est["co2_t_per_yr"])
    ds["plan_carbon_usd_per_yr"] = ("phase", est["co2_t_per_yr"] * sc.economics.carbon_price_usd_per_t)
    ds["plan_other_op_usd_per_yr"] = ("phase", est["other_usd_per_yr"])
    ds["plan_op_usd_per_yr"] = ("phase", est["op_flat_usd_per_yr"])
    ds["plan_npv_usd"] = ((), float(info["objective"]))
    ds["plan_capex_npv_usd"] = ((), float(info["capex_npv"]))
    ds["plan_op_npv_usd"] = ((), float(info["op_npv"]))
    it_pv = it_energy_pv_mwh(sc, d.phys, d.disc)
    ds["plan_it_energy_pv_mwh"] = ((), it_pv)
    ds["plan_lcoe_usd_per_mwh_it"] = ((), float(info["objective"]) / it_pv if it_pv > 0 else np.nan)
    days = d.phys.time[d.rep.days * d.rep.steps_per_day]
    ds["rep_day_date"] = ("rep_day", np.array([str(t.date()) for t in days], dtype=object))
    ds["rep_day_weight"] = ("rep_day", d.rep.weight.astype(float))
    ds["rep_day_kind"] = ("rep_day", np.array(d.rep.kind, dtype=object))

    problems = [s["message"] for s in shortfalls]
    if checks is not None:
        full = np.array([c["op_usd_per_yr"] for c in checks])
        ds["plan_op_full_year_usd_per_yr"] = ("phase", full)
        with np.errstate(divide="ignore", invalid="ignore"):
            ds["plan_aggregation_error_frac"] = ("phase", np.where(np.abs(full) > 0, (est["op_flat_usd_per_yr"] - full)
                                                                  / np.abs(full), 0.0))
        ds["plan_unserved_full_year_mwh"] = ("phase", np.array([c["unserved_mwh"] for c in checks]))
        ds["plan_reserve_shortfall_full_year_h"] = ("phase", np.array([c["reserve_shortfall_h"] for c in checks]))
        ds["plan_check_run_id"] = ("phase", np.array([c.get("run_id", "") for c in checks], dtype=object))
        ds["plan_check_mip_gap"] = ("phase", np.array([c["mip_gap"] for c in checks], dtype=float))
        ds["plan_check_wall_s"] = ("phase", np.array([c["wall_s"] for c in checks], dtype=float))
        # NPV with the full-year operating cost of each phase in place of the estimate (same price paths:
        # each phase's path-priced operating NPV scaled by full-year / estimate at flat prices)
        ratio = np.where(np.abs(est["op_flat_usd_per_yr"]) > 0, full / est["op_flat_usd_per_yr"], 1.0)
        op_p = np.array([float(pyo.value(m.op_npv_phase[p])) for p in range(len(phases))])
        ds["plan_npv_full_year_usd"] = ((), float(info["capex_npv"] + (op_p * ratio).sum()))
        for c in checks:
            problems.extend(c["problems"])
        ds.attrs["max_abs_aggregation_error_frac"] = float(np.max(np.abs(ds["plan_aggregation_error_frac"].values)))
        ds.attrs["check_time_s"] = float(sum(c["wall_s"] for c in checks))
        ds.encoding["phase_runs"] = [c["run"] for c in checks]
    if marginals:
        ds = ds.assign_coords(candidate=[k for k, _, _ in marginals])
        ds["plan_marginal_saving_usd"] = ("candidate", np.array([v for _, v, _ in marginals], float))
        ds["plan_marginal_step"] = ("candidate", np.array([s for _, _, s in marginals], dtype=object))
    if sensitivities:
        names = [d.path, *sensitivities]
        ds = ds.assign_coords(price_path=names)
        npv = [float(info["objective"])] + [v["objective"] for v in sensitivities.values()]
        ds["plan_path_npv_usd"] = ("price_path", np.array(npv))
        capp = [cap] + [np.stack([_capacity(d, b, d.phys.phases[p].it_capacity_mw, techs)[0]
                                  for p, b in enumerate(v["builds"])]) for v in sensitivities.values()]
        ds["plan_path_capacity_mw"] = (("price_path", "phase", "technology"), np.stack(capp))
    status = "ok" if not problems else "shortfall"
    ds.attrs.update(
        kind="plan", scenario_name=sc.name, scenario_hash=sc.hash(), scenario_yaml=sc.text(),
        plan_status=status, problems="\n".join(problems), lng_price_path=d.path,
        solver="HiGHS via Pyomo", solver_status=info["status"], mip_gap=float(info["gap"]),
        solve_time_s=float(info["solve_s"]), build_time_s=float(info["build_s"]),
        operation_time_s=float(info.get("operation_s", 0.0)), operation_mip_gap=float(info.get("operation_gap", np.nan)),
        milp_objective_usd=float(info.get("milp_objective", info["objective"])), inputs_time_s=float(info["inputs_s"]),
        total_time_s=float(info["total_s"]), typical_days=int(sum(k == "typical" for k in d.rep.kind)),
        extreme_days=int(sum(k == "extreme" for k in d.rep.kind)),
        discount_rate_frac=float(sc.economics.discount_rate_frac), horizon_years=int(sc.economics.horizon_years),
        integer_commitment_phases=", ".join(info.get("integer_phases", [])),
        plan_rounds=len(info.get("rounds", [])) or 1,
        plan_round_log="\n".join(
            f"round {i + 1}: integer commitment in {', '.join(r['integer_phases']) or 'no phase'}; MILP {r['solve_s']:.1f} s "
            f"({r['status']}, gap {r['gap']:.2%}); operation estimate {r['operation_s']:.1f} s (gap {r['operation_gap']:.2%}); "
            f"{len(r['shortfalls'])} shortfall(s)" for i, r in enumerate(info.get("rounds", []))),
    )
    return annotate(ds)


def plan_summary(ds: xr.Dataset) -> dict:
    """The plan's summary.json: identity, status, NPV, LCOE, the build per phase and the checks."""
    out = {
        "kind": "plan", "plan_id": ds.attrs.get("plan_id"), "scenario_name": ds.attrs.get("scenario_name"),
        "status": ds.attrs.get("plan_status"), "problems": [p for p in ds.attrs.get("problems", "").split("\n") if p],
        "npv_usd": float(ds["plan_npv_usd"]), "lcoe_usd_per_mwh_it": float(ds["plan_lcoe_usd_per_mwh_it"]),
        "solve_time_s": ds.attrs.get("solve_time_s"), "total_time_s": ds.attrs.get("total_time_s"),
        "max_abs_aggregation_error_frac": ds.attrs.get("max_abs_aggregation_error_frac"),
        "phases": [],
    }
    for p in ds["phase"].values:
        row = {"phase": str(p), "start": str(ds["plan_phase_start"].sel(phase=p).item()),
               "grid": str(ds["plan_grid_option"].sel(phase=p).item()),
               "capacity_mw": {str(t): float(ds["plan_capacity_mw"].sel(phase=p, technology=t))
                               for t in ds["technology"].values},
               "battery_mwh": float(ds["plan_energy_mwh"].sel(phase=p, technology="battery")),
               "cooling": {str(h): str(ds["plan_cooling"].sel(phase=p, hall=h).item()) for h in ds["hall"].values},
               "capex_usd": float(ds["plan_capex_usd"].sel(phase=p)),
               "op_usd_per_yr": float(ds["plan_op_usd_per_yr"].sel(phase=p))}
        if "plan_op_full_year_usd_per_yr" in ds:
            row["op_full_year_usd_per_yr"] = float(ds["plan_op_full_year_usd_per_yr"].sel(phase=p))
            row["aggregation_error_frac"] = float(ds["plan_aggregation_error_frac"].sel(phase=p))
            row["check_run_id"] = str(ds["plan_check_run_id"].sel(phase=p).item())
        out["phases"].append(row)
    return out
