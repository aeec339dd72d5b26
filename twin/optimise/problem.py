"""Problem data of the dispatch model: the physics Dataset checked and turned into numpy arrays.

:func:`prepare` reads the physics layer (see :mod:`twin.variables`) into a :class:`Problem`
(series over the whole period, unit parameters, commitment groups of identical units); the row
modules (:mod:`twin.optimise.units`, ``reserve``, ``storage``, ``grid``, ``lng``, ``load``) take
their numbers from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from models import lng_plant


#: ``horizon="auto"`` solves the whole period at once up to this length  [h]
WHOLE_PERIOD_MAX_H = 168.0

#: HiGHS options that made rolling windows faster on a synthetic campus year (the issue's
#: measurements): the costlier primal heuristics, restarts and symmetry detection off.
HIGHS_LEAN_OPTIONS: dict[str, object] = {
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_allow_restart": False,
    "mip_detect_symmetry": False,
}
#: HiGHS options for plants of several commitment columns (distinct units or models): the lean
#: set with HiGHS's primal heuristics (RINS, RENS, root reduced cost) left on.  Measured on one
#: 36-h July window of ``sk-aws-ulsan-gw`` (four columns, benchmarks/README.md): the lean set
#: stops at a 30 % gap after 30 s with an incumbent 47 % dearer than the optimum; with the
#: heuristics on it reaches 0.07 % in 35 s.  On one- and two-column presets the heuristics cost
#: time (``sk-quang-ninh``'s year 80 s -> 221 s), so they stay off there.  Branching trusts the
#: pseudo-costs from the first observation (``mip_pscost_minreliable`` 0 rather than HiGHS's 8
#: strong-branching probes per column): on three 36-h windows of ``sk-aws-ulsan-gw`` (January,
#: April, July) the same optima in 35 / 19 / 11 s rather than 40 / 23 / 24 s (benchmarks/README.md).
HIGHS_HEURISTIC_OPTIONS: dict[str, object] = {"mip_allow_restart": False, "mip_detect_symmetry": False,
                                              "mip_pscost_minreliable": 0}
#: commitment columns from which :data:`HIGHS_HEURISTIC_OPTIONS` are the default, on plants whose
#: N-1 reserve is priced.  Without the reserve rows the lean set finds good incumbents itself and
#: the heuristics only cost time: the distinct-unit synthetic year of ``bench_dispatch.py``
#: (four columns, no reserve) takes 159 s with them against 54 s without, costs 0.01 % apart
#: (benchmarks/README.md, 4 Dec 2026).
HEURISTICS_FROM_COLUMNS = 3

#: LNG below the tank heel is priced at VoLL times the electricity one tonne would make at
#: 50 % efficiency: 1 t * LHV / 3.6 GJ/MWh * 0.5  (engineering assumption; a priced slack
#: that keeps the model feasible, not a physical quantity)
_LNG_SHORT_EFF = 0.5
#: price of CO2 above the cap  [USD/t] (engineering assumption: far above any carbon price)
CO2_CAP_EXCESS_USD_PER_T = 10_000.0
#: price of each MWh the battery ends the period below its initial charge, as a share of VOLL
#: (below 1 / eta_charge of VOLL, so that shedding load to refill the battery never pays)
SOC_END_SHORT_FRAC_OF_VOLL = 0.5

_REQUIRED = (
    "facility_power_mw", "facility_mw_per_it_mw", "it_power_mw", "it_training_mw", "solar_available_mw",
    "grid_price_usd_per_mwh", "chiller_cop", "chiller_load_mw_th", "gas_available_mw", "gas_curve_mw",
    "gas_curve_fuel_gj_per_h", "unit_min_load_frac", "unit_ramp_mw_per_h", "unit_min_up_h", "unit_min_down_h",
    "unit_start_cost_hot_usd", "unit_start_cost_warm_usd", "unit_start_cost_cold_usd", "unit_hot_max_offline_h",
    "unit_warm_max_offline_h", "unit_vom_usd_per_mwh", "unit_initial_on",
    "grid_capacity_mw", "grid_export_allowed", "grid_co2_t_per_mwh", "grid_demand_charge_usd_per_mw_month",
    "battery_power_mw", "battery_energy_mwh", "battery_eff_charge", "battery_eff_discharge",
    "battery_soc_min_frac", "battery_soc_max_frac", "battery_soc_initial_frac",
    "battery_self_discharge_frac_per_day", "battery_degradation_usd_per_mwh",
    "tes_capacity_mwh_th", "tes_power_mw_th", "tes_loss_frac_per_h", "flex_training_frac", "flex_window_h",
    "it_capacity_mw", "lng_price_usd_per_gj", "lng_lhv_gj_per_t", "lng_tank_capacity_t", "lng_tank_initial_t",
    "lng_tank_min_t", "lng_delivery_t", "lng_delivery_interval_h", "lng_boil_off_frac_per_day",
    "gas_co2_t_per_gj", "carbon_price_usd_per_t", "co2_cap_t", "voll_usd_per_mwh",
    "reserve_shortfall_usd_per_mwh",
)

#: optional physics scalars and the value taken where a Dataset lacks them: the grid import
#: capacity left after losing the largest circuit (a single-circuit feed is not firm: 0)
_OPTIONAL = {"grid_n1_capacity_mw": 0.0}

_OUT_T = ("grid_import_mw", "solar_mw", "curtailed_mw", "battery_discharge_mw", "battery_charge_mw",
          "battery_soc_mwh", "tes_charge_mw_th", "tes_discharge_mw_th", "tes_soc_mwh_th", "it_shift_mw",
          "unserved_mw", "reserve_required_mw", "reserve_shortfall_mw", "marginal_price_usd_per_mwh",
          "lng_delivered_t")


# ============================================================================ problem data
@dataclass
class Problem:
    """Everything the model needs, as numpy arrays over the whole period."""

    n: int
    nu: int
    nk: int
    step_h: float
    # time series (n,)
    demand: np.ndarray
    mfac: np.ndarray
    solar: np.ndarray
    price: np.ndarray
    invcop: np.ndarray
    tes_dis_ub: np.ndarray
    tes_ch_ub: np.ndarray
    shift_lb: np.ndarray
    shift_ub: np.ndarray
    flex_block: np.ndarray  # block id per step
    month: np.ndarray  # month id per step
    delivery_t: np.ndarray
    energy_share: np.ndarray
    # units (n, nu) / (n, nu, nk)
    avail: np.ndarray
    pmin: np.ndarray
    width: np.ndarray
    fuel0: np.ndarray
    slope: np.ndarray
    # unit constants (nu,)
    vom: np.ndarray
    ramp_step: np.ndarray
    ut_n: np.ndarray
    dt_n: np.ndarray
    hot_n: np.ndarray
    warm_n: np.ndarray
    cost_hot: np.ndarray
    cost_warm: np.ndarray
    cost_cold: np.ndarray
    init_on: np.ndarray
    # scalars
    s: dict = field(default_factory=dict)
    convexified_gj_per_h: float = 0.0
    # commitment groups of identical units: members (unit indices) and size of each column
    n_units: int = 0
    members: list = field(default_factory=list)
    groups_split_for_ramp: int = 0
    size: np.ndarray = field(default_factory=lambda: np.zeros(0))
    avail_units: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    init_on_units: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # structure flags
    has_grid: bool = False
    has_export: bool = False
    has_battery: bool = False
    has_tes: bool = False
    has_flex: bool = False
    has_tank: bool = False
    has_cap: bool = False
    has_demand_charge: bool = False
    has_ramp: bool = False
    start_types: bool = False
    has_reserve: bool = False


def _scalar(ds: xr.Dataset, name: str) -> float:
    v = ds[name]
    if v.ndim != 0:
        raise ValueError(f"{name}: expected a 0-d (scalar) variable, got dims {v.dims}")
    return float(v.values)


def _check(ds: xr.Dataset) -> None:
    if not isinstance(ds, xr.Dataset):
        raise ValueError(f"physics: expected an xarray.Dataset, got {type(ds).__name__}")
    missing = [k for k in _REQUIRED if k not in ds.variables]
    if missing:
        raise ValueError(f"physics: missing variable(s) {', '.join(missing)}: the optimiser needs the "
                         "physics layer's variables (see twin.variables)")
    if "step_h" not in ds.attrs:
        raise ValueError("physics.attrs['step_h']: missing; the step length in hours is required")
    step_h = float(ds.attrs["step_h"])
    if not (np.isfinite(step_h) and step_h > 0):
        raise ValueError(f"physics.attrs['step_h']: {step_h!r} is not a positive number of hours")
    if ds.sizes.get("time", 0) == 0:
        raise ValueError("physics.time: the period has no steps")
    for name in ("facility_power_mw", "solar_available_mw", "grid_price_usd_per_mwh"):
        vals = ds[name].values
        if not np.all(np.isfinite(vals)):
            k = int(np.flatnonzero(~np.isfinite(vals))[0])
            raise ValueError(f"{name}: non-finite value {float(vals[k])!r} at step {k}; "
                             "the optimiser needs finite data")
    if np.any(ds["facility_power_mw"].values < 0):
        k = int(np.flatnonzero(ds["facility_power_mw"].values < 0)[0])
        raise ValueError(f"facility_power_mw: {float(ds['facility_power_mw'].values[k])!r} at step {k} is negative")
    if ds.sizes.get("unit", 0):
        for name in ("gas_available_mw", "gas_curve_mw", "gas_curve_fuel_gj_per_h"):
            if not np.all(np.isfinite(ds[name].values)):
                raise ValueError(f"{name}: contains non-finite values; gas capability must be finite")
        if np.any(np.diff(ds["gas_curve_mw"].values, axis=-1) < -1e-9):
            raise ValueError("gas_curve_mw: break points must not decrease along 'point'")


def lower_convex_envelope(mw: np.ndarray, fuel: np.ndarray) -> np.ndarray:
    """Fuel at each break point on the lower convex envelope of the curve  [same unit as fuel].

    In one dimension the envelope at ``P_k`` is the least chord through two break points
    ``P_i <= P_k <= P_j``; vectorised over leading dimensions (``time``, ``unit``).
    """
    out = fuel.copy()
    npt = fuel.shape[-1]
    for k in range(1, npt - 1):
        for i in range(0, k):
            for j in range(k + 1, npt):
                d = mw[..., j] - mw[..., i]
                w = np.divide(mw[..., k] - mw[..., i], d, out=np.zeros_like(d), where=d > 1e-12)
                chord = fuel[..., i] + (fuel[..., j] - fuel[..., i]) * w
                out[..., k] = np.minimum(out[..., k], chord)
    return out


def prepare(ds: xr.Dataset, group: bool = False) -> Problem:
    _check(ds)
    step_h = float(ds.attrs["step_h"])
    n = ds.sizes["time"]
    nu = ds.sizes.get("unit", 0)
    s = {k: _scalar(ds, k) for k in _REQUIRED if ds[k].ndim == 0}
    for k, default in _OPTIONAL.items():  # variables newer physics Datasets carry
        s[k] = _scalar(ds, k) if k in ds.variables else default
    f64 = lambda name: np.asarray(ds[name].values, dtype=float)  # noqa: E731

    demand = f64("facility_power_mw")
    mfac = np.nan_to_num(f64("facility_mw_per_it_mw"), nan=1.0)
    solar = np.maximum(f64("solar_available_mw"), 0.0)
    solar[solar < 1e-9] = 0.0
    price = f64("grid_price_usd_per_mwh")
    cop = f64("chiller_cop")
    chl = np.nan_to_num(f64("chiller_load_mw_th"), nan=0.0)
    cop_ok = np.isfinite(cop) & (cop > 0) & (chl > 0)
    invcop = np.where(cop_ok, 1.0 / np.where(cop_ok, cop, 1.0), 0.0)
    has_tes = s["tes_capacity_mwh_th"] > 0 and s["tes_power_mw_th"] > 0 and bool(cop_ok.any())
    tes_ch_ub = np.where(cop_ok, s["tes_power_mw_th"], 0.0) if has_tes else np.zeros(n)
    tes_dis_ub = np.where(cop_ok, np.minimum(s["tes_power_mw_th"], chl), 0.0) if has_tes else np.zeros(n)

    training = np.maximum(np.nan_to_num(f64("it_training_mw")), 0.0)
    it = f64("it_power_mw")
    flex_frac = s["flex_training_frac"]
    flex_h = s["flex_window_h"]
    shift_lb = -flex_frac * training
    shift_ub = np.maximum(s["it_capacity_mw"] - it, 0.0)
    flex_n = int(round(flex_h / step_h)) if np.isfinite(flex_h) and flex_h > 0 else 0
    has_flex = flex_frac > 0 and flex_n >= 2 and bool(np.any(shift_lb < 0)) and bool(np.any(shift_ub > 0))
    if not has_flex:
        shift_lb = np.zeros(n)
        shift_ub = np.zeros(n)
    flex_block = np.arange(n) // max(flex_n, 1)

    times = pd.DatetimeIndex(ds["time"].values)
    per = times.to_period("M")
    month = np.asarray(pd.factorize(per)[0], dtype=int)

    grid_cap = s["grid_capacity_mw"]
    has_grid = grid_cap > 0
    has_export = has_grid and s["grid_export_allowed"] > 0.5
    has_battery = s["battery_power_mw"] > 0 and s["battery_energy_mwh"] > 0

    if nu:
        avail = np.maximum(f64("gas_available_mw"), 0.0)
        mw = f64("gas_curve_mw")
        fuel_raw = f64("gas_curve_fuel_gj_per_h")
        fuel = lower_convex_envelope(mw, fuel_raw)
        convexified = float(np.max(fuel_raw - fuel, initial=0.0))
        pmin = np.minimum(np.maximum(mw[..., 0], 0.0), avail)
        width = np.maximum(np.diff(mw, axis=-1), 0.0)
        dmw = np.diff(mw, axis=-1)
        slope = np.where(dmw > 1e-9, np.diff(fuel, axis=-1) / np.where(dmw > 1e-9, dmw, 1.0), 0.0)
        fuel0 = fuel[..., 0]
        width, slope = _merge_segments(width, slope)
        nk = width.shape[-1]
        u = lambda name: np.asarray(ds[name].values, dtype=float)  # noqa: E731
        vom = u("unit_vom_usd_per_mwh")
        ramp_step = np.where(np.isfinite(u("unit_ramp_mw_per_h")), u("unit_ramp_mw_per_h") * step_h, np.inf)
        ut_n = np.maximum(np.ceil(np.nan_to_num(u("unit_min_up_h")) / step_h - 1e-9), 1).astype(int)
        dt_n = np.maximum(np.ceil(np.nan_to_num(u("unit_min_down_h")) / step_h - 1e-9), 1).astype(int)
        hot_n = np.floor(np.nan_to_num(u("unit_hot_max_offline_h")) / step_h + 1e-9).astype(int)
        warm_n = np.floor(np.nan_to_num(u("unit_warm_max_offline_h")) / step_h + 1e-9).astype(int)
        c_hot = np.nan_to_num(u("unit_start_cost_hot_usd"))
        c_warm = np.nan_to_num(u("unit_start_cost_warm_usd"))
        c_cold = np.nan_to_num(u("unit_start_cost_cold_usd"))
        warm_n = np.maximum(warm_n, hot_n)
        start_types = bool(np.any(((c_cold - c_hot) > 1e-9) & (hot_n > 0)) or
                           np.any(((c_cold - c_warm) > 1e-9) & (warm_n > 0)))
        init_on = (u("unit_initial_on") > 0.5).astype(float)
        has_ramp = bool(np.any(ramp_step[None, :] < (avail - pmin).max(axis=0, initial=0.0)[None, :] - 1e-9))
        avail_units = avail
        init_on_units = init_on.copy()
        members = _identical_groups(ds, [avail, pmin, width, fuel0, slope],
                                    [vom, ramp_step, ut_n, dt_n, hot_n, warm_n, c_hot, c_warm, c_cold]) \
            if group else [np.array([i]) for i in range(nu)]
        members, split_ramp = _exact_groups(members, ramp_step, avail - pmin)
        first = np.array([m_[0] for m_ in members], dtype=int)
        size = np.array([len(m_) for m_ in members], dtype=float)
        init_on = np.array([init_on[m_].sum() for m_ in members])
        avail, pmin, width, fuel0, slope = (a[:, first] for a in (avail, pmin, width, fuel0, slope))
        vom, ramp_step, ut_n, dt_n, hot_n, warm_n, c_hot, c_warm, c_cold = (
            a[first] for a in (vom, ramp_step, ut_n, dt_n, hot_n, warm_n, c_hot, c_warm, c_cold))
    else:
        avail_units = np.zeros((n, 0))
        init_on_units = np.zeros(0)
        members = []
        split_ramp = 0
        size = np.zeros(0)
        avail = pmin = fuel0 = np.zeros((n, 0))
        width = slope = np.zeros((n, 0, 1))
        nk = 1
        vom = ramp_step = c_hot = c_warm = c_cold = init_on = np.zeros(0)
        ut_n = dt_n = hot_n = warm_n = np.zeros(0, dtype=int)
        start_types = has_ramp = False

    n_units = nu
    nu = len(members)
    tank_cap = s["lng_tank_capacity_t"]
    has_tank = nu > 0 and np.isfinite(tank_cap) and tank_cap > 0 and s["lng_lhv_gj_per_t"] > 0
    delivery = np.zeros(n)
    interval = s["lng_delivery_interval_h"]
    if has_tank and np.isfinite(interval) and interval > 0 and s["lng_delivery_t"] > 0:
        # the settle's cargo schedule, so that the windows and the settle unload the same ships
        delivery = lng_plant.delivery_schedule_t(n, step_h, delivery_t=s["lng_delivery_t"],
                                                 delivery_interval_h=interval)
    has_cap = bool(np.isfinite(s["co2_cap_t"]))
    tot = demand.sum()
    share = demand / tot if tot > 0 else np.full(n, 1.0 / n)

    return Problem(
        n=n, nu=nu, nk=nk, step_h=step_h, demand=demand, mfac=mfac, solar=solar, price=price,
        invcop=invcop, tes_dis_ub=tes_dis_ub, tes_ch_ub=tes_ch_ub, shift_lb=shift_lb, shift_ub=shift_ub,
        flex_block=flex_block, month=month, delivery_t=delivery, energy_share=share,
        avail=avail, pmin=pmin, width=width, fuel0=fuel0, slope=slope, vom=vom, ramp_step=ramp_step,
        ut_n=ut_n, dt_n=dt_n, hot_n=hot_n, warm_n=warm_n, cost_hot=c_hot, cost_warm=c_warm,
        cost_cold=c_cold, init_on=init_on, s=s, has_grid=has_grid, has_export=has_export,
        has_battery=has_battery, has_tes=has_tes, has_flex=has_flex, has_tank=has_tank, has_cap=has_cap,
        has_demand_charge=has_grid and s["grid_demand_charge_usd_per_mw_month"] > 0, has_ramp=has_ramp,
        start_types=start_types, has_reserve=nu > 0 and s["reserve_shortfall_usd_per_mwh"] > 0,
        convexified_gj_per_h=convexified if nu else 0.0,
        n_units=n_units, members=members, groups_split_for_ramp=split_ramp, size=size, avail_units=avail_units, init_on_units=init_on_units,
    )


def _exact_groups(members: list[np.ndarray], ramp_step: np.ndarray, range_mw: np.ndarray):
    """Keep a group only where the group rows are exact.

    Counting identical units by one integer is exact for output, fuel, min up/down and start
    types (the disaggregation of :func:`twin.optimise.dispatch._disaggregate`: equal shares,
    a start takes the unit stopped last that has served its minimum down time, a stop the unit
    that has run longest), but not for ramps: when units start or stop, the group's ramp row
    lets the sum move by one ramp per unit while the equal shares of the running units move by
    more (and a unit may stop from above its ramp).  So a group whose ramp can bind -- one step's
    ramp below the unit's range above minimum load at some step -- is split into single units;
    returns the groups and how many were split.
    """
    out, split = [], 0
    for mem in members:
        a = mem[0]
        if len(mem) > 1 and ramp_step[a] < float(range_mw[:, a].max(initial=0.0)) - 1e-9:
            out.extend(np.array([i]) for i in mem)
            split += 1
        else:
            out.append(mem)
    return out, split


def _identical_groups(ds: xr.Dataset, series: list[np.ndarray], consts: list[np.ndarray]) -> list[np.ndarray]:
    """Units of the same ``unit_group`` whose every parameter and series is identical form one
    commitment group (an integer count instead of one binary each); others stay alone."""
    labels = np.asarray(ds["unit_group"].values).astype(str) if "unit_group" in ds else \
        np.arange(ds.sizes["unit"]).astype(str)
    out: list[np.ndarray] = []
    for lab in dict.fromkeys(labels):
        idx = np.flatnonzero(labels == lab)
        pending = list(idx)
        while pending:
            a = pending[0]
            same = [b for b in pending if all(np.array_equal(x[:, a], x[:, b]) for x in series)
                    and all(np.array_equal(c[a], c[b]) for c in consts)]
            out.append(np.array(same, dtype=int))
            pending = [b for b in pending if b not in same]
    return out


def _merge_segments(width: np.ndarray, slope: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop segments of zero width everywhere and merge neighbours whose slopes are equal at
    every step and unit (an affine curve becomes one segment): fewer columns, same model."""
    keep = np.any(width > 1e-9, axis=(0, 1))
    if not keep.any():
        keep[0] = True
    width, slope = width[..., keep], slope[..., keep]
    ws, ss = [width[..., 0]], [slope[..., 0]]
    for k in range(1, width.shape[-1]):
        same = np.allclose(slope[..., k], ss[-1], rtol=1e-9, atol=1e-12)
        if same:
            ws[-1] = ws[-1] + width[..., k]
        else:
            ws.append(width[..., k])
            ss.append(slope[..., k])
    return np.stack(ws, axis=-1), np.stack(ss, axis=-1)


