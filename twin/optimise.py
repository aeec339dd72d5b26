"""Least-cost, reserve-secure dispatch of a campus with Pyomo and HiGHS.

:func:`optimise_dispatch` reads the physics Dataset (see :mod:`twin.variables`, layer
"physics") and returns the registry's "dispatch" variables on the same coordinates, with the
solver's status, gap and timings in the attributes and per-window records on a ``window``
dimension.

Formulation (one mixed-integer linear programme per window)
-----------------------------------------------------------
*Gas units* -- one binary ``on[t,u]``; continuous ``start``/``stop`` in [0, 1] tied to it by
``on[t] - on[t-1] = start[t] - stop[t]`` (three-binary "tight and compact" commitment of
Morales-España, Latorre & Ramos (2013), with start/stop relaxed: they are integral at any
vertex where ``on`` is).  Output ``gen = pmin*on + sum_k seg_k`` with
``0 <= seg_k <= width_k*on``; the fuel rate ``F0*on + sum_k slope_k*seg_k`` is the convex
piecewise-linear curve of the physics layer (break points ``gas_curve_mw`` /
``gas_curve_fuel_gj_per_h`` at this hour's ambient).  Where that curve is not convex (a
steeper first segment, as part-load efficiency curves give) the model uses its lower convex
envelope, the usual convexification; the largest fuel-rate reduction this makes is reported in
``attrs["fuel_curve_convexified_max_gj_per_h"]`` and settle computes the real fuel.  Minimum
up/down times are the Rajan-Takriti / Morales-España "turn-on/turn-off inequalities"
``sum_{i<UT} start[t-i] <= on[t]`` and ``sum_{i<DT} stop[t-i] <= 1 - on[t]``.  Ramp limits act
on the output above minimum load (``|p[t] - p[t-1]| <= ramp*step_h*on``), a simplification: a
unit starts at its minimum load and must be back at it (within one ramp) before it stops.
Start-up cost by type (hot / warm / cold by the time offline, the staircase of Carrión &
Arroyo (2006)) uses the start-up-type variables of Morales-España et al. (2013):
``d_hot[t] <= sum_{i=1..N_hot} stop[t-i]``, ``d_warm[t] <= sum_{i=1..N_warm} stop[t-i]``,
``d_hot + d_warm <= start`` and a cost
``cold*start - (cold-warm)*d_warm - (cold-hot)*d_hot``; it applies only where the catalogue
gives different costs.

*N-1 reserve* -- for every unit ``u`` the headroom left when ``u`` trips must cover its output:
``sum_{v != u}(avail_v*on_v - gen_v) + battery_head + grid_head + shortfall >= gen_u``.
Adding ``avail_u*on_u - gen_u`` to both sides gives the compact equivalent
``H + battery_head + grid_head + shortfall >= avail_u*on_u`` with ``H`` the total gas headroom
(the unit that trips takes its own headroom with it), i.e. one row per unit and step against a
common left-hand side.  Battery headroom is ``min(P - discharge, SOC-limited power) + charge``;
grid headroom is ``capacity - import + export``.

*Other plant* -- grid import (and export where allowed) within the feed capacity at the
time-of-use price plus grid CO2 at the carbon price, and the monthly peak-demand charge on each
calendar month's peak import; a battery with one-way efficiencies, SOC limits, self-discharge
and a throughput cost on discharge; PV with free curtailment; chilled-water storage (air-cooled
halls) that shifts chiller duty, converted to electricity with the hour's chiller COP, with a
standing loss; flexible training load whose shift sums to zero over each ``flex_window_h``
block aligned to the period start; an LNG tank with fixed-cadence deliveries (taken up to the
batch, so never above the tank) and boil-off; an optional CO2 cap.

*Slacks* -- unserved load (``voll_usd_per_mwh``), reserve shortfall
(``reserve_shortfall_usd_per_mwh``), LNG below the tank's heel and CO2 above the cap are priced
so that the model is never infeasible.  Unmet cooling (``cooling_deficit_mw``) is decided by the
cooling plant's capacity in the physics layer; the optimiser cannot change it.

Horizons
--------
``horizon="whole"`` solves the period as one MILP; ``"rolling"`` solves windows of
``window_h`` hours and keeps the first ``commit_h`` of each; the last window runs to the end of
the period and keeps all of it (no unplanned tail).  ``"auto"`` takes the whole period up to
one week, rolling windows beyond.  Carried across windows: commitment, starts/stops in the
look-back of the min up/down and start-type rows, output above minimum (ramps), battery SOC,
TES level, LNG tank level, the open flexible-load balance and each month's running peak import.
One Pyomo model is built per window length with mutable parameters and kept in a persistent
HiGHS instance (:class:`pyomo.contrib.solver.solvers.highs.Highs`); windows only update
parameters.  The previous window's solution, shifted, is passed to HiGHS as a MIP start.

Identical units (same ``unit_group`` and identical in every parameter and series) are
committed as one integer count per group (``group_identical=True``): output is shared equally
by the running units, which is optimal for identical convex curves, and is handed back per
unit (:func:`_disaggregate`: a start takes the most recently stopped unit that has served its
minimum down time, a stop the unit that has run longest).  For the N-1 row a group carries a
binary "any unit on" so that its largest unit is the one that trips.  On a synthetic campus
year this was ~10x faster than one binary per unit; units that differ keep one binary each.

End of the period: the battery must end it with at least its initial charge (``battery_end=
"initial"``, the default; a slack priced at :data:`SOC_END_SHORT_FRAC_OF_VOLL` of VOLL per MWh,
reported as ``battery_end_shortfall_mwh``), so that an optimised period is not made cheaper by
emptying the battery in its last hours.  Inside a rolling horizon a window's end is free: the
look-ahead beyond the committed part is what keeps charge for the next day.

Other simplifications: the chilled-water store starts empty and may end empty; an LNG delivery
arrives at the first step at or after each whole ``lng_delivery_interval_h`` from the period
start and is taken up to the batch (so never above the tank); ``time_limit_s`` applies to each
window's solve.

In rolling mode the CO2 cap is apportioned to each window pro rata by the window's share of
the period's facility energy (an approximation: it cannot bank allowance between windows).

Marginal price
--------------
For a MILP the duals are not defined; as usual (e.g. O'Neill et al. 2005) the commitment is
fixed at its optimum and the LP re-solved; ``marginal_price_usd_per_mwh`` is the dual of the
power balance of that LP divided by the step length.

References
----------
.. [1] G. Morales-España, J. M. Latorre, A. Ramos, "Tight and compact MILP formulation for the
   thermal unit commitment problem", IEEE Trans. Power Systems 28(4), 4897-4908, 2013.
.. [2] M. Carrión, J. M. Arroyo, "A computationally efficient mixed-integer linear formulation
   for the thermal unit commitment problem", IEEE Trans. Power Systems 21(3), 1371-1378, 2006
   (start-up cost by time offline).
.. [3] D. Rajan, S. Takriti, "Minimum up/down polytopes of the unit commitment problem with
   start-up costs", IBM Research Report RC23628, 2005.
.. [4] R. P. O'Neill, P. M. Sotkiewicz, B. F. Hobbs, M. H. Rothkopf, W. R. Stewart,
   "Efficient market-clearing prices in markets with nonconvexities", European Journal of
   Operational Research 164(1), 269-285, 2005.
.. [5] Q. Huangfu, J. A. J. Hall, "Parallelizing the dual revised simplex method",
   Mathematical Programming Computation 10, 119-142, 2018 (HiGHS).
"""

from __future__ import annotations

import numbers
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import xarray as xr

from twin.variables import annotate

__all__ = ["optimise_dispatch", "dispatch_cost_usd", "lower_convex_envelope", "HIGHS_LEAN_OPTIONS",
           "WHOLE_PERIOD_MAX_H"]

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

_OUT_T = ("grid_import_mw", "solar_mw", "curtailed_mw", "battery_discharge_mw", "battery_charge_mw",
          "battery_soc_mwh", "tes_charge_mw_th", "tes_discharge_mw_th", "tes_soc_mwh_th", "it_shift_mw",
          "unserved_mw", "reserve_required_mw", "reserve_shortfall_mw", "marginal_price_usd_per_mwh")


# ============================================================================ problem data
@dataclass
class _Problem:
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


def _prepare(ds: xr.Dataset, group: bool = False) -> _Problem:
    _check(ds)
    step_h = float(ds.attrs["step_h"])
    n = ds.sizes["time"]
    nu = ds.sizes.get("unit", 0)
    s = {k: _scalar(ds, k) for k in _REQUIRED if ds[k].ndim == 0}
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
        # a batch arrives at the first step at or after each whole interval from the period start
        k = np.arange(n)
        first = np.floor(k * step_h / interval + 1e-9)
        prev = np.floor((k - 1) * step_h / interval + 1e-9)
        delivery = np.where((k > 0) & (first > prev), s["lng_delivery_t"], 0.0)
    has_cap = bool(np.isfinite(s["co2_cap_t"]))
    tot = demand.sum()
    share = demand / tot if tot > 0 else np.full(n, 1.0 / n)

    return _Problem(
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
        n_units=n_units, members=members, size=size, avail_units=avail_units, init_on_units=init_on_units,
    )


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


# ============================================================================ the model
class _Window:
    """A Pyomo model for windows of ``W`` steps, its persistent HiGHS instance and index maps."""

    def __init__(self, pb: _Problem, W: int, slots: int, options: dict):
        self.pb, self.W, self.slots = pb, W, slots
        t0 = _time.perf_counter()
        self.m = m = self._build(pb, W, slots)
        from pyomo.contrib.solver.solvers.highs import Highs

        self.solver = Highs()
        cfg = self.solver.config
        cfg.load_solutions = False
        cfg.raise_exception_on_nonoptimal_result = False
        au = cfg.auto_updates
        au.check_for_new_or_removed_constraints = False
        au.check_for_new_or_removed_vars = False
        au.check_for_new_or_removed_params = False
        au.check_for_new_objective = False
        au.update_constraints = False
        au.update_vars = False
        au.update_named_expressions = False
        au.update_objective = False
        au.update_parameters = False  # done explicitly in solve(), before the MIP start is set
        self.options = options
        self.solver.set_instance(m)
        self.highs = self.solver._solver_model
        self.highs.setOptionValue("output_flag", False)  # parameter updates log to the console otherwise
        vmap = self.solver._pyomo_var_to_solver_var_map
        cmap = self.solver._pyomo_con_to_solver_con_map

        def cols(var):
            keys = list(var.keys())
            return np.array([vmap[id(var[k])] for k in keys], dtype=np.int32)

        self.col = {v.local_name: cols(v) for v in m.component_objects(pyo.Var, descend_into=False)}
        self.row_balance = np.array([cmap[m.balance[t]] for t in range(W)], dtype=np.int32)
        self.num_col = self.highs.getNumCol()
        self.build_s = _time.perf_counter() - t0

    # ------------------------------------------------------------------ build
    @staticmethod
    def _build(pb: _Problem, W: int, slots: int) -> pyo.ConcreteModel:
        m = pyo.ConcreteModel(name=f"campus_dispatch_{W}")
        T = range(W)
        U = range(pb.nu)
        K = range(pb.nk)
        TU = [(t, u) for t in T for u in U]
        TUK = [(t, u, k) for t in T for u in U for k in K]
        sh = pb.step_h
        s = pb.s

        def P(*idx, init=0.0):
            return pyo.Param(*idx, mutable=True, initialize=init, within=pyo.Any)

        m.demand = P(T)
        m.mfac = P(T, init=1.0)
        m.solar_ub = P(T)
        m.price = P(T)
        m.obj_uns = P(T)  # VoLL * step_h, 0 in padding
        obj = []

        # --- gas units -------------------------------------------------------------------------
        gen_expr = {t: 0.0 for t in T}
        fuel_expr = {t: 0.0 for t in T}  # GJ in the step
        if pb.nu:
            m.pmin = P(TU)
            m.avail = P(TU)
            m.width = P(TUK)
            m.c_on = P(TU)
            m.c_seg = P(TUK)
            m.f_on = P(TU)  # GJ per step at minimum load
            m.f_seg = P(TUK)  # GJ per MW-step on each segment
            m.on0 = P(U)
            m.p0 = P(U)
            size = pb.size
            m.on = pyo.Var(TU, domain=lambda m, t, u: pyo.Binary if size[u] == 1 else pyo.NonNegativeIntegers,
                           bounds=lambda m, t, u: (0, float(size[u])))
            m.start = pyo.Var(TU, bounds=lambda m, t, u: (0, float(size[u])))
            m.stop = pyo.Var(TU, bounds=lambda m, t, u: (0, float(size[u])))
            m.seg = pyo.Var(TUK, domain=pyo.NonNegativeReals)
            m.seg_cap = pyo.Constraint(TUK, rule=lambda m, t, u, k: m.seg[t, u, k] <= m.width[t, u, k] * m.on[t, u])

            def above(t, u):
                return sum(m.seg[t, u, k] for k in K)

            for t in T:
                gen_expr[t] = sum(m.pmin[t, u] * m.on[t, u] + above(t, u) for u in U)
                fuel_expr[t] = sum(m.f_on[t, u] * m.on[t, u] + sum(m.f_seg[t, u, k] * m.seg[t, u, k] for k in K)
                                   for u in U)

            def trans(m, t, u):
                prev = m.on[t - 1, u] if t > 0 else m.on0[u]
                return m.on[t, u] - prev == m.start[t, u] - m.stop[t, u]

            m.trans = pyo.Constraint(TU, rule=trans)
            # min up / min down with the look-back before the window as parameters
            m.h_up = P(TU)
            m.h_dn = P(TU)
            up_idx = [(t, u) for t in T for u in U if pb.ut_n[u] > 1]
            dn_idx = [(t, u) for t in T for u in U if pb.dt_n[u] > 1]
            m.min_up = pyo.Constraint(up_idx, rule=lambda m, t, u: sum(
                m.start[t - i, u] for i in range(min(pb.ut_n[u], t + 1))) + m.h_up[t, u] <= m.on[t, u])
            m.min_dn = pyo.Constraint(dn_idx, rule=lambda m, t, u: sum(
                m.stop[t - i, u] for i in range(min(pb.dt_n[u], t + 1))) + m.h_dn[t, u] <= float(size[u]) - m.on[t, u])
            if pb.has_ramp:
                r_idx = [(t, u) for t in T for u in U if np.isfinite(pb.ramp_step[u])]

                # per running unit: the group's output above minimum moves at most one ramp per
                # unit running (after the step for up, before it for down)
                def ramp_up(m, t, u):
                    prev = sum(m.seg[t - 1, u, k] for k in K) if t > 0 else m.p0[u]
                    return above(t, u) - prev <= float(pb.ramp_step[u]) * m.on[t, u]

                def ramp_dn(m, t, u):
                    prev = sum(m.seg[t - 1, u, k] for k in K) if t > 0 else m.p0[u]
                    prev_on = m.on[t - 1, u] if t > 0 else m.on0[u]
                    return prev - above(t, u) <= float(pb.ramp_step[u]) * prev_on

                m.ramp_up = pyo.Constraint(r_idx, rule=ramp_up)
                m.ramp_dn = pyo.Constraint(r_idx, rule=ramp_dn)
            for t in T:
                for u in U:
                    obj.append(m.c_on[t, u] * m.on[t, u])
                    obj.extend(m.c_seg[t, u, k] * m.seg[t, u, k] for k in K)
                    obj.append(float(pb.cost_cold[u]) * m.start[t, u])
            if pb.start_types:
                m.h_hot = P(TU)
                m.h_warm = P(TU)
                hu = [u for u in U if pb.hot_n[u] > 0 and pb.cost_cold[u] - pb.cost_hot[u] > 1e-9]
                wu = [u for u in U if pb.warm_n[u] > 0 and pb.cost_cold[u] - pb.cost_warm[u] > 1e-9]
                hi = [(t, u) for t in T for u in hu]
                wi = [(t, u) for t in T for u in wu]
                m.d_hot = pyo.Var(hi, bounds=lambda m, t, u: (0, float(size[u])))
                m.d_warm = pyo.Var(wi, bounds=lambda m, t, u: (0, float(size[u])))
                m.hot_lim = pyo.Constraint(hi, rule=lambda m, t, u: m.d_hot[t, u] <= sum(
                    m.stop[t - i, u] for i in range(1, min(pb.hot_n[u], t) + 1)) + m.h_hot[t, u])
                m.warm_lim = pyo.Constraint(wi, rule=lambda m, t, u: m.d_warm[t, u] <= sum(
                    m.stop[t - i, u] for i in range(1, min(pb.warm_n[u], t) + 1)) + m.h_warm[t, u])
                hset, wset = set(hi), set(wi)
                m.type_sum = pyo.Constraint(TU, rule=lambda m, t, u: (
                    (m.d_hot[t, u] if (t, u) in hset else 0) + (m.d_warm[t, u] if (t, u) in wset else 0)
                    <= m.start[t, u]) if ((t, u) in hset or (t, u) in wset) else pyo.Constraint.Skip)
                obj.extend(-float(pb.cost_cold[u] - pb.cost_hot[u]) * m.d_hot[t, u] for (t, u) in hi)
                obj.extend(-float(pb.cost_cold[u] - pb.cost_warm[u]) * m.d_warm[t, u] for (t, u) in wi)

        # --- grid ----------------------------------------------------------------------------------
        grid_cap = s["grid_capacity_mw"]
        co2g = s["grid_co2_t_per_mwh"] * s["carbon_price_usd_per_t"]
        m.imp = pyo.Var(T, bounds=(0, grid_cap if pb.has_grid else 0.0))
        obj.extend((m.price[t] + co2g) * sh * m.imp[t] for t in T)
        if pb.has_export:
            m.exp = pyo.Var(T, bounds=(0, grid_cap))
            obj.extend(-m.price[t] * sh * m.exp[t] for t in T)
        if pb.has_demand_charge:
            J = range(slots)
            m.in_month = P(J, T)
            m.peak0 = P(J)
            m.c_peak = P(J)
            m.peak = pyo.Var(J, domain=pyo.NonNegativeReals)
            m.peak_lb = pyo.Constraint(J, rule=lambda m, j: m.peak[j] >= m.peak0[j])
            m.peak_def = pyo.Constraint(J, T, rule=lambda m, j, t: m.peak[j] >= m.in_month[j, t] * m.imp[t])
            obj.extend(m.c_peak[j] * m.peak[j] for j in J)

        # --- solar, battery, TES, flexible load, slacks -------------------------------------------
        m.sol = pyo.Var(T, bounds=lambda m, t: (0, m.solar_ub[t]))
        m.uns = pyo.Var(T, domain=pyo.NonNegativeReals)
        obj.extend(m.obj_uns[t] * m.uns[t] for t in T)
        supply = {t: gen_expr[t] + m.imp[t] + m.sol[t] + m.uns[t] for t in T}
        if pb.has_export:
            for t in T:
                supply[t] = supply[t] - m.exp[t]
        load_extra = {t: 0.0 for t in T}
        if pb.has_battery:
            P_b, E_b = s["battery_power_mw"], s["battery_energy_mwh"]
            eta_c, eta_d = s["battery_eff_charge"], s["battery_eff_discharge"]
            keep_b = 1.0 - s["battery_self_discharge_frac_per_day"] * sh / 24.0
            m.soc0 = P()
            m.ch = pyo.Var(T, bounds=(0, P_b))
            m.dis = pyo.Var(T, bounds=(0, P_b))
            m.soc = pyo.Var(T, bounds=(s["battery_soc_min_frac"] * E_b, s["battery_soc_max_frac"] * E_b))
            m.soc_def = pyo.Constraint(T, rule=lambda m, t: m.soc[t] == keep_b * (m.soc[t - 1] if t else m.soc0)
                                       + (eta_c * m.ch[t] - m.dis[t] / eta_d) * sh)
            obj.extend(s["battery_degradation_usd_per_mwh"] * sh * m.dis[t] for t in T)
            # end of the period: at least the charge it started with (see module notes); a
            # priced slack, below VOLL / eta_c so that load is never shed to refill the battery
            m.soc_end = P()
            m.soc_end_short = pyo.Var(domain=pyo.NonNegativeReals)
            m.soc_end_row = pyo.Constraint(expr=m.soc[W - 1] + m.soc_end_short >= m.soc_end)
            obj.append(SOC_END_SHORT_FRAC_OF_VOLL * s["voll_usd_per_mwh"] * m.soc_end_short)
            for t in T:
                supply[t] = supply[t] + m.dis[t] - m.ch[t]
        if pb.has_tes:
            keep_s = 1.0 - s["tes_loss_frac_per_h"] * sh
            m.tes0 = P()
            m.invcop = P(T)
            m.tch_ub = P(T)
            m.tdis_ub = P(T)
            m.tch = pyo.Var(T, bounds=lambda m, t: (0, m.tch_ub[t]))
            m.tdis = pyo.Var(T, bounds=lambda m, t: (0, m.tdis_ub[t]))
            m.tsoc = pyo.Var(T, bounds=(0, s["tes_capacity_mwh_th"]))
            m.tsoc_def = pyo.Constraint(T, rule=lambda m, t: m.tsoc[t] == keep_s * (m.tsoc[t - 1] if t else m.tes0)
                                        + (m.tch[t] - m.tdis[t]) * sh)
            for t in T:
                load_extra[t] = load_extra[t] + m.invcop[t] * (m.tch[t] - m.tdis[t])
        if pb.has_flex:
            m.sh_lb = P(T)
            m.sh_ub = P(T)
            m.keep_f = P(T)
            m.cum_lim = P(T)
            m.carry0 = P()
            m.shift = pyo.Var(T, bounds=lambda m, t: (m.sh_lb[t], m.sh_ub[t]))
            m.cum = pyo.Var(T, bounds=lambda m, t: (-m.cum_lim[t], m.cum_lim[t]))
            m.cum_def = pyo.Constraint(T, rule=lambda m, t: m.cum[t] == m.keep_f[t] * (
                m.cum[t - 1] if t else m.carry0) + m.shift[t])
            for t in T:
                load_extra[t] = load_extra[t] + m.mfac[t] * m.shift[t]
        m.balance = pyo.Constraint(T, rule=lambda m, t: supply[t] == m.demand[t] + load_extra[t])

        # --- N-1 reserve (only when a shortfall costs something) ---------------------------------------
        if pb.has_reserve:
            m.short = pyo.Var(T, domain=pyo.NonNegativeReals)
            m.req = pyo.Var(T, domain=pyo.NonNegativeReals)
            # the largest unit of a group trips: an indicator "any unit of the group on"
            grp = [(t, u) for t in T for u in U if pb.size[u] > 1]
            m.any_on = pyo.Var(grp, domain=pyo.Binary)
            m.any_def = pyo.Constraint(grp, rule=lambda m, t, u: m.on[t, u] <= float(pb.size[u]) * m.any_on[t, u])
            gset = set(grp)
            m.req_def = pyo.Constraint(TU, rule=lambda m, t, u: m.req[t] >= m.avail[t, u] * (
                m.any_on[t, u] if (t, u) in gset else m.on[t, u]))
            m.head_pmin = P(TU)  # avail - pmin
            head = {t: sum(m.head_pmin[t, u] * m.on[t, u] - sum(m.seg[t, u, k] for k in K) for u in U) for t in T}
            if pb.has_grid:
                for t in T:
                    head[t] = head[t] + grid_cap - m.imp[t] + (m.exp[t] if pb.has_export else 0)
            if pb.has_battery:
                m.bhead = pyo.Var(T, domain=pyo.NonNegativeReals)
                soc_min = s["battery_soc_min_frac"] * s["battery_energy_mwh"]
                eta_d = s["battery_eff_discharge"]
                m.bhead_p = pyo.Constraint(T, rule=lambda m, t: m.bhead[t] <= s["battery_power_mw"] - m.dis[t]
                                           + m.ch[t])
                m.bhead_e = pyo.Constraint(T, rule=lambda m, t: m.bhead[t] <= m.ch[t]
                                           + (m.soc[t] - soc_min) * eta_d / sh)
                for t in T:
                    head[t] = head[t] + m.bhead[t]
            m.reserve = pyo.Constraint(T, rule=lambda m, t: head[t] + m.short[t] >= m.req[t])
            m.obj_short = P(T)
            obj.extend(m.obj_short[t] * m.short[t] for t in T)

        # --- LNG tank --------------------------------------------------------------------------------
        if pb.has_tank:
            keep_l = 1.0 - s["lng_boil_off_frac_per_day"] * sh / 24.0
            lhv = s["lng_lhv_gj_per_t"]
            m.tank0 = P()
            m.dlv_ub = P(T)
            m.c_heel = P(T)
            m.dlv = pyo.Var(T, bounds=lambda m, t: (0, m.dlv_ub[t]))
            m.tank = pyo.Var(T, bounds=(None, s["lng_tank_capacity_t"]))
            m.heel = pyo.Var(T, domain=pyo.NonNegativeReals)
            m.tank_def = pyo.Constraint(T, rule=lambda m, t: m.tank[t] == keep_l * (m.tank[t - 1] if t else m.tank0)
                                        + m.dlv[t] - fuel_expr[t] / lhv)
            m.tank_min = pyo.Constraint(T, rule=lambda m, t: m.tank[t] + m.heel[t] >= s["lng_tank_min_t"])
            obj.extend(m.c_heel[t] * m.heel[t] for t in T)

        # --- CO2 cap ----------------------------------------------------------------------------------
        if pb.has_cap:
            m.cap = P()
            m.co2x = pyo.Var(domain=pyo.NonNegativeReals)
            m.co2_cap = pyo.Constraint(expr=sum(fuel_expr[t] * s["gas_co2_t_per_gj"] + m.imp[t] * sh *
                                                s["grid_co2_t_per_mwh"] for t in T) <= m.cap + m.co2x)
            obj.append(CO2_CAP_EXCESS_USD_PER_T * m.co2x)

        m.obj = pyo.Objective(expr=pyo.quicksum(obj), sense=pyo.minimize)
        return m

    # ------------------------------------------------------------------ parameters
    def set_window(self, st: "_State", a: int, b: int, cap_t: float) -> None:
        """Load the data of steps [a, b) (b - a == W) and the carried state."""
        pb, m, W = self.pb, self.m, self.W
        sl = slice(a, b)
        sh = pb.step_h
        s = pb.s

        def put(param, values):
            for pd_, v in zip(param.values(), np.asarray(values, dtype=float).ravel().tolist()):
                pd_.set_value(v)

        put(m.demand, pb.demand[sl])
        put(m.mfac, pb.mfac[sl])
        put(m.solar_ub, pb.solar[sl])
        put(m.price, pb.price[sl])
        put(m.obj_uns, np.full(W, s["voll_usd_per_mwh"] * sh))
        if pb.nu:
            fc = s["lng_price_usd_per_gj"] + s["carbon_price_usd_per_t"] * s["gas_co2_t_per_gj"]
            put(m.pmin, pb.pmin[sl])
            put(m.avail, pb.avail[sl])
            put(m.width, pb.width[sl])
            put(m.c_on, sh * (fc * pb.fuel0[sl] + pb.vom[None, :] * pb.pmin[sl]))
            put(m.c_seg, sh * (fc * pb.slope[sl] + pb.vom[None, :, None]))
            put(m.f_on, sh * pb.fuel0[sl])
            put(m.f_seg, sh * pb.slope[sl])
            put(m.on0, st.on_prev)
            put(m.p0, st.p_prev)
            if pb.has_reserve:
                put(m.obj_short, np.full(W, s["reserve_shortfall_usd_per_mwh"] * sh))
                put(m.head_pmin, pb.avail[sl] - pb.pmin[sl])
            h_up, h_dn, h_hot, h_warm = st.lookback(a, W)
            put(m.h_up, h_up)
            put(m.h_dn, h_dn)
            if pb.start_types:
                put(m.h_hot, h_hot)
                put(m.h_warm, h_warm)
        if pb.has_demand_charge:
            months = pb.month[sl]
            first = months[0]
            inm = np.zeros((self.slots, W))
            for j in range(self.slots):
                inm[j] = months == first + j
            put(m.in_month, inm)
            peak0 = np.zeros(self.slots)
            peak0[0] = st.peak_by_month.get(int(first), 0.0)
            put(m.peak0, peak0)
            put(m.c_peak, np.where(inm.any(axis=1), s["grid_demand_charge_usd_per_mw_month"], 0.0))
        if pb.has_battery:
            m.soc0.set_value(st.soc)
            m.soc_end.set_value(st.soc_final_min if b == pb.n else 0.0)
        if pb.has_tes:
            m.tes0.set_value(st.tes)
            put(m.invcop, pb.invcop[sl])
            put(m.tch_ub, pb.tes_ch_ub[sl])
            put(m.tdis_ub, pb.tes_dis_ub[sl])
        if pb.has_flex:
            blk = pb.flex_block[sl]
            keep = np.ones(W)
            keep[1:] = (blk[1:] == blk[:-1]).astype(float)
            keep[0] = 1.0 if (a > 0 and pb.flex_block[a - 1] == blk[0]) else 0.0
            ends = np.zeros(W, bool)
            ends[:-1] = blk[1:] != blk[:-1]
            ends[-1] = True  # the window's end closes the open block (see module notes)
            lim = float(np.sum(np.maximum(-pb.shift_lb[sl], pb.shift_ub[sl]))) + abs(st.carry) + 1.0
            put(m.sh_lb, pb.shift_lb[sl])
            put(m.sh_ub, pb.shift_ub[sl])
            put(m.keep_f, keep)
            put(m.cum_lim, np.where(ends, 0.0, lim))
            m.carry0.set_value(st.carry if keep[0] else 0.0)
        if pb.has_tank:
            m.tank0.set_value(st.tank)
            put(m.dlv_ub, pb.delivery_t[sl])
            heel_price = s["voll_usd_per_mwh"] * s["lng_lhv_gj_per_t"] / 3.6 * _LNG_SHORT_EFF
            put(m.c_heel, np.full(W, heel_price))
        if pb.has_cap:
            m.cap.set_value(cap_t)

    # ------------------------------------------------------------------ solve
    def solve(self, mip_rel_gap: float, time_limit_s: float | None, threads: int,
              start: np.ndarray | None) -> dict:
        """Solve the loaded window; return status, gap, timing and the column values."""
        from pyomo.contrib.solver.common.results import TerminationCondition as TC

        cfg = dict(threads=threads, rel_gap=mip_rel_gap, solver_options=dict(self.options))
        if time_limit_s is not None:
            cfg["time_limit"] = float(time_limit_s)
        h = self.highs
        t0 = _time.perf_counter()
        self.solver.update_parameters()
        if start is not None:
            idx, val = start
            h.setSolution(int(idx.size), idx.astype(np.int32), val.astype(np.float64))
        try:
            res = self.solver.solve(self.m, **cfg)
        except Exception as exc:  # a solver failure is reported, never raised mid-run
            return dict(status="error", gap=float("nan"), solve_s=_time.perf_counter() - t0, x=None,
                        obj=float("nan"), message=f"{type(exc).__name__}: {exc}")
        wall = _time.perf_counter() - t0
        tc = res.termination_condition
        info = h.getInfo()
        feasible = info.primal_solution_status == 2
        if tc == TC.convergenceCriteriaSatisfied:
            status = "optimal"
        elif tc == TC.maxTimeLimit:
            status = "time_limit"
        elif tc in (TC.provenInfeasible, TC.infeasibleOrUnbounded, TC.unbounded):
            status = "infeasible"
        else:
            status = "error"
        gap = float(info.mip_gap) if info.mip_node_count >= 0 else 0.0
        if not np.isfinite(gap) or gap > 1e20:
            gap = float("nan") if not feasible else gap
        x = np.asarray(h.getSolution().col_value, dtype=float) if feasible else None
        return dict(status=status, gap=gap, solve_s=wall, x=x,
                    obj=float(info.objective_function_value) if feasible else float("nan"))

    def duals(self, x: np.ndarray) -> np.ndarray:
        """Balance duals [USD/MWh] with the commitment fixed at ``x`` (LP re-solve)."""
        h = self.highs
        W = self.W
        cols = np.concatenate([self.col.get(k, np.zeros(0, dtype=np.int32)) for k in ("on", "any_on")])
        cols = cols.astype(np.int32)
        nc = cols.size
        if nc:
            if getattr(self, "_int_cache", None) is None:
                lp = h.getLp()
                self._int_cache = (np.asarray(lp.col_lower_, dtype=float)[cols],
                                   np.asarray(lp.col_upper_, dtype=float)[cols],
                                   np.asarray([int(v) for v in lp.integrality_], dtype=np.uint8)[cols])
            lo0, up0, kind0 = self._int_cache
            vals = np.round(x[cols])
            h.changeColsIntegrality(nc, cols, np.zeros(nc, dtype=np.uint8))
            h.changeColsBounds(nc, cols, vals, vals)
        try:
            h.setOptionValue("time_limit", float("inf"))
            h.run()
            ok = h.getModelStatus() == _highs_status_optimal()
            d = np.asarray(h.getSolution().row_dual, dtype=float)[self.row_balance] if ok else np.full(W, np.nan)
        finally:
            if nc:
                h.changeColsBounds(nc, cols, lo0, up0)
                h.changeColsIntegrality(nc, cols, kind0)
        return d / self.pb.step_h


    def shifted_start(self, x_prev: np.ndarray, shift: int):
        """MIP start: the previous window's commitment moved ``shift`` steps earlier, the
        last decision held to the end (HiGHS completes the continuous part itself)."""
        if "on" not in self.col or self.col["on"].size == 0 or x_prev.size != self.num_col:
            return None
        W, nu = self.W, self.pb.nu
        on = np.round(x_prev[self.col["on"]].reshape(W, nu))
        new = np.vstack([on[shift:], np.repeat(on[-1:], min(shift, W), axis=0)])[:W]
        return self.col["on"], new.ravel()


def _highs_status_optimal():
    import highspy

    return highspy.HighsModelStatus.kOptimal


# ============================================================================ carried state
class _State:
    """Committed decisions over the whole period, and the state at the current window start."""

    def __init__(self, pb: _Problem):
        self.pb = pb
        n, nu = pb.n, pb.nu
        self.on = np.zeros((n, nu))
        self.start = np.zeros((n, nu))
        self.stop = np.zeros((n, nu))
        self.on_prev = pb.init_on.copy()
        self.p_prev = np.zeros(nu)
        s = pb.s
        self.soc = s["battery_soc_initial_frac"] * s["battery_energy_mwh"] if pb.has_battery else 0.0
        self.soc_final_min = self.soc  # optimise_dispatch(battery_end="free") sets 0
        self.tes = 0.0
        self.tank = s["lng_tank_initial_t"] if pb.has_tank else 0.0
        self.carry = 0.0
        self.peak_by_month: dict[int, float] = {}

    def lookback(self, a: int, W: int):
        """History terms for steps 0..W-1 of a window starting at ``a``: counts of committed
        starts (min up), stops (min down, hot, warm) before ``a`` that fall in each row's range."""
        pb = self.pb
        nu = pb.nu
        cs_start = np.concatenate([np.zeros((1, nu)), np.cumsum(self.start[:a], axis=0)])
        cs_stop = np.concatenate([np.zeros((1, nu)), np.cumsum(self.stop[:a], axis=0)])
        t = np.arange(W)[:, None]

        def hist(cs, first_offset, length):
            # sum over i in [first_offset, first_offset+length) of x[a + t - i] for a + t - i < a, >= 0
            hi = np.minimum(a + t - first_offset, a - 1)  # last absolute index (inclusive)
            lo = np.maximum(a + t - first_offset - length[None, :] + 1, 0)
            hi_c = np.clip(hi + 1, 0, a)
            lo_c = np.clip(lo, 0, a)
            valid = hi_c > lo_c
            take = lambda idx: np.take_along_axis(cs, idx, axis=0)  # noqa: E731
            res = np.where(valid, take(np.broadcast_to(hi_c, (W, nu))) - take(np.broadcast_to(lo_c, (W, nu))), 0.0)
            return res

        if nu == 0 or a == 0:
            z = np.zeros((W, nu))
            return z, z, z, z
        return (hist(cs_start, 0, pb.ut_n), hist(cs_stop, 0, pb.dt_n),
                hist(cs_stop, 1, pb.hot_n), hist(cs_stop, 1, pb.warm_n))


# ============================================================================ driver
def _windows(n: int, W: int, C: int) -> list[tuple[int, int, int]]:
    """(start, end, commit_end) of each window; the last runs to the end and commits all of it."""
    out = []
    a = 0
    while a + W < n:
        out.append((a, a + W, a + C))
        a += C
    out.append((a, n, n))
    return out


def optimise_dispatch(physics: xr.Dataset, *, horizon: str = "auto", window_h: float = 36,
                      commit_h: float = 24, mip_rel_gap: float = 1e-3, time_limit_s: float | None = None,
                      threads: int = 1, progress: Callable[[int, int], None] | None = None,
                      highs_options: dict | None = None, warm_start: bool = True,
                      group_identical: bool = True, battery_end: str = "initial") -> xr.Dataset:
    """Least-cost, N-1-secure dispatch of a campus over the physics Dataset's period.

    Parameters
    ----------
    physics : xarray.Dataset
        The physics layer (every "physics" variable of :mod:`twin.variables`), on ``time``
        with ``attrs["step_h"]`` [h], ``unit`` (may be empty) and ``point`` dimensions.
    horizon : {"auto", "whole", "rolling"}
        ``"auto"``: the whole period at once when it is at most :data:`WHOLE_PERIOD_MAX_H`
        hours, else rolling windows.
    window_h, commit_h : float
        Rolling window length and the part of it kept  [h]; ``0 < commit_h <= window_h``.
    mip_rel_gap : float
        Relative MIP gap at which HiGHS stops (per window).
    time_limit_s : float, optional
        HiGHS time limit per window (per solve)  [s].
    threads : int
        HiGHS threads.
    progress : callable, optional
        Called as ``progress(done_windows, total_windows)`` after each window.
    highs_options : dict, optional
        Extra HiGHS options; default :data:`HIGHS_LEAN_OPTIONS`.
    warm_start : bool
        Pass the previous window's solution, shifted, as a MIP start.
    group_identical : bool
        Commit units of one ``unit_group`` that are identical in every parameter and series as
        one integer count (removes the symmetry that slows branch and bound); results are still
        per unit.
    battery_end : {"initial", "free"}
        ``"initial"``: the battery ends the period with at least the charge it started with, so
        that the period's cost does not include energy borrowed from the battery; ``"free"``:
        no condition at the end (as PyPSA's non-cyclic storage).

    Returns
    -------
    xarray.Dataset
        The registry's "dispatch" variables on the physics coordinates; attributes
        ``solver_status`` ("optimal" | "time_limit" | "infeasible" | "error"), ``complete``
        (1 only when every window solved to optimality within the gap), ``mip_gap`` (largest
        window gap), ``objective_usd`` (:func:`dispatch_cost_usd` of the result),
        ``solve_time_s``, ``build_time_s``, ``windows``, ``horizon``, ``optimisation_status``
        ("complete" | "incomplete": a time-out or failure is never "complete"), the slacks used
        (``unserved_mwh`` / ``_steps`` / ``_peak_mw`` / ``_first`` and the same for
        ``reserve_shortfall``), ``commitment_groups``; per-window
        ``window_start``, ``window_solve_s``, ``window_gap``, ``window_status`` on ``window``.

    Notes
    -----
    The formulation, the carried state and the simplifications are described in the module
    docstring of :mod:`twin.optimise`.
    """
    if horizon not in ("auto", "whole", "rolling"):
        raise ValueError(f"horizon: {horizon!r} is not one of 'auto', 'whole', 'rolling'")
    for name, v in (("window_h", window_h), ("commit_h", commit_h)):
        if not (isinstance(v, numbers.Real) and np.isfinite(v) and v > 0):
            raise ValueError(f"{name}: {v!r} must be a positive number of hours")
    if commit_h > window_h:
        raise ValueError(f"commit_h: {commit_h!r} must not exceed window_h ({window_h!r})")
    if not (isinstance(mip_rel_gap, numbers.Real) and 0 <= mip_rel_gap < 1):
        raise ValueError(f"mip_rel_gap: {mip_rel_gap!r} must be in [0, 1)")
    if time_limit_s is not None and not (time_limit_s > 0):
        raise ValueError(f"time_limit_s: {time_limit_s!r} must be positive (or None)")
    if not (isinstance(threads, numbers.Integral) and threads >= 1):
        raise ValueError(f"threads: {threads!r} must be a positive integer")
    if battery_end not in ("initial", "free"):
        raise ValueError(f"battery_end: {battery_end!r} is not one of 'initial', 'free'")

    pb = _prepare(physics, group=group_identical)
    n, sh = pb.n, pb.step_h
    if horizon == "auto":
        horizon = "whole" if n * sh <= WHOLE_PERIOD_MAX_H + 1e-9 else "rolling"
    if horizon == "whole":
        W = C = n
    else:
        W = max(1, int(round(window_h / sh)))
        C = max(1, min(W, int(round(commit_h / sh))))
    wins = _windows(n, W, C)
    slots = max(len(np.unique(pb.month[a:b])) for a, b, _ in wins)
    options = {"output_flag": False}
    options.update(HIGHS_LEAN_OPTIONS if highs_options is None else highs_options)

    st = _State(pb)
    if battery_end == "free":
        st.soc_final_min = 0.0
    models: dict[int, _Window] = {}
    out = {k: np.zeros(n) for k in _OUT_T}
    gen = np.zeros((n, pb.nu))
    heel = np.zeros(n)
    co2x = 0.0
    w_start, w_solve, w_gap, w_status = [], [], [], []
    messages: list[str] = []
    build_s = 0.0
    prev_x: dict[int, np.ndarray] = {}
    prev_shift = 0
    for wi, (a, b, c) in enumerate(wins):
        Wn = b - a
        if Wn not in models:
            models[Wn] = _Window(pb, Wn, slots, options)
            build_s += models[Wn].build_s
        mod = models[Wn]
        t0 = _time.perf_counter()
        cap_t = pb.s["co2_cap_t"] * float(pb.energy_share[a:b].sum()) if pb.has_cap else 0.0
        mod.set_window(st, a, b, cap_t)
        build_s += _time.perf_counter() - t0
        start = None
        if warm_start and Wn in prev_x and prev_shift:
            start = mod.shifted_start(prev_x[Wn], prev_shift)
        r = mod.solve(mip_rel_gap, time_limit_s, threads, start)
        w_start.append(physics["time"].values[a])
        w_solve.append(r["solve_s"])
        w_gap.append(r["gap"])
        w_status.append(r["status"])
        if r.get("message"):
            messages.append(f"window {wi}: {r['message']}")
        x = r["x"]
        cc = c - a  # steps committed
        if x is None:
            _fallback(pb, st, a, c, out, gen)
            prev_x = {}
        else:
            prev_x = {Wn: x}
            prev_shift = cc
            duals = mod.duals(x)
            _commit(pb, mod, st, x, duals, a, c, out, gen, heel)
            if pb.has_cap:
                co2x += float(x[mod.col["co2x"]][0]) * (cc / Wn)
        if progress is not None:
            progress(wi + 1, len(wins))

    res = _result(physics, pb, st, out, gen, heel, co2x, wins, w_start, w_solve, w_gap, w_status,
                  build_s, horizon)
    res.attrs["solver_message"] = "; ".join(messages[:5])
    return res


def _vals(mod: _Window, x: np.ndarray, name: str, shape=None) -> np.ndarray:
    v = x[mod.col[name]]
    return v.reshape(shape) if shape is not None else v


def _commit(pb, mod, st, x, duals, a, c, out, gen, heel) -> None:
    """Copy steps [a, c) of a window solution into the results and advance the state."""
    W, nu, nk = mod.W, pb.nu, pb.nk
    k = c - a
    sl = slice(a, c)
    if nu:
        on = np.round(_vals(mod, x, "on", (W, nu)))  # units running in each group
        seg = np.maximum(_vals(mod, x, "seg", (W, nu, nk)), 0.0)
        above = np.where(on > 0.5, seg.sum(axis=2), 0.0)
        g = pb.pmin[a:a + W] * on + above
        gen[sl] = g[:k]
        st.on[sl] = on[:k]
        prev = np.vstack([st.on_prev[None, :], on[:-1]])
        st.start[sl] = np.maximum(on - prev, 0.0)[:k]
        st.stop[sl] = np.maximum(prev - on, 0.0)[:k]
        st.on_prev = on[k - 1].copy()
        st.p_prev = np.where(on[k - 1] > 0.5, above[k - 1], 0.0)
    imp = _vals(mod, x, "imp")
    exp = _vals(mod, x, "exp") if pb.has_export else np.zeros(W)
    out["grid_import_mw"][sl] = (imp - exp)[:k]
    sol = np.clip(_vals(mod, x, "sol"), 0.0, pb.solar[a:a + W])
    out["solar_mw"][sl] = sol[:k]
    out["curtailed_mw"][sl] = (pb.solar[a:a + W] - sol)[:k]
    out["unserved_mw"][sl] = np.maximum(_vals(mod, x, "uns"), 0.0)[:k]
    if pb.has_battery:
        out["battery_charge_mw"][sl] = _vals(mod, x, "ch")[:k]
        out["battery_discharge_mw"][sl] = _vals(mod, x, "dis")[:k]
        soc = _vals(mod, x, "soc")
        out["battery_soc_mwh"][sl] = soc[:k]
        st.soc = float(soc[k - 1])
    if pb.has_tes:
        out["tes_charge_mw_th"][sl] = _vals(mod, x, "tch")[:k]
        out["tes_discharge_mw_th"][sl] = _vals(mod, x, "tdis")[:k]
        ts = _vals(mod, x, "tsoc")
        out["tes_soc_mwh_th"][sl] = ts[:k]
        st.tes = float(ts[k - 1])
    if pb.has_flex:
        shv = _vals(mod, x, "shift")
        out["it_shift_mw"][sl] = shv[:k]
        cum = _vals(mod, x, "cum")
        st.carry = float(cum[k - 1])
    if pb.has_tank:
        tank = _vals(mod, x, "tank")
        st.tank = float(tank[k - 1])
        heel[sl] = _vals(mod, x, "heel")[:k]
    if pb.has_demand_charge:
        months = pb.month[sl]
        impk = imp[:k]
        for mo in np.unique(months):
            st.peak_by_month[int(mo)] = max(st.peak_by_month.get(int(mo), 0.0), float(impk[months == mo].max()))
    out["marginal_price_usd_per_mwh"][sl] = duals[:k]


def _fallback(pb, st, a, c, out, gen) -> None:
    """A balance-feasible dispatch for a window the solver could not solve: units off, PV,
    grid up to its capacity, the rest unserved (the run is marked incomplete)."""
    sl = slice(a, c)
    d = pb.demand[sl]
    sol = np.minimum(pb.solar[sl], d)
    imp = np.minimum(d - sol, pb.s["grid_capacity_mw"] if pb.has_grid else 0.0)
    out["solar_mw"][sl] = sol
    out["curtailed_mw"][sl] = pb.solar[sl] - sol
    out["grid_import_mw"][sl] = imp
    out["unserved_mw"][sl] = d - sol - imp
    out["marginal_price_usd_per_mwh"][sl] = np.nan
    if pb.nu:
        gen[sl] = 0.0
        st.on[sl] = 0.0
        prev = np.vstack([st.on_prev[None, :], st.on[a:c - 1]])
        st.stop[sl] = np.maximum(prev - st.on[sl], 0.0)
        st.start[sl] = 0.0
        st.on_prev = np.zeros(pb.nu)
        st.p_prev = np.zeros(pb.nu)
    if pb.has_battery:
        out["battery_soc_mwh"][sl] = st.soc
    if pb.has_tes:
        keep = 1.0 - pb.s["tes_loss_frac_per_h"] * pb.step_h
        lev = st.tes * keep ** np.arange(1, c - a + 1)
        out["tes_soc_mwh_th"][sl] = lev
        st.tes = float(lev[-1])
    st.carry = 0.0


def _result(physics, pb, st, out, gen, heel, co2x, wins, w_start, w_solve, w_gap, w_status, build_s,
            horizon) -> xr.Dataset:
    n, nu, sh = pb.n, pb.nu, pb.step_h
    # reserve bookkeeping from the solution: largest running unit and the uncovered part
    on_u, gen_u = _disaggregate(pb, st.on, gen, physics)
    if pb.n_units:
        on = on_u > 0.5
        g = np.where(on, gen_u, 0.0)
        largest = g.max(axis=1)
        spare = np.where(on, pb.avail_units - g, 0.0)
        head_all = spare.sum(axis=1)
        grid_head = (pb.s["grid_capacity_mw"] - out["grid_import_mw"]) if pb.has_grid else np.zeros(n)
        if pb.has_battery:
            s = pb.s
            soc_min = s["battery_soc_min_frac"] * s["battery_energy_mwh"]
            can = np.maximum(out["battery_soc_mwh"] - soc_min, 0.0) * s["battery_eff_discharge"] / sh
            bh = np.maximum(np.minimum(s["battery_power_mw"] - out["battery_discharge_mw"], can), 0.0) \
                + out["battery_charge_mw"]
        else:
            bh = np.zeros(n)
        # worst trip: the unit whose loss leaves least (its own headroom leaves with it)
        need = np.where(on, pb.avail_units, 0.0).max(axis=1)
        shortfall = np.maximum(need - head_all - grid_head - bh, 0.0)
        shortfall[shortfall < 1e-6] = 0.0
        out["reserve_required_mw"] = largest
        out["reserve_shortfall_mw"] = shortfall
    # exact balance: unserved absorbs solver round-off (at most the feasibility tolerance)
    supply = gen.sum(axis=1) + out["grid_import_mw"] + out["solar_mw"] + out["battery_discharge_mw"] \
        - out["battery_charge_mw"]
    load = pb.demand + out["it_shift_mw"] * pb.mfac + (out["tes_charge_mw_th"] - out["tes_discharge_mw_th"]) * pb.invcop
    resid = load - supply
    out["unserved_mw"] = np.maximum(resid, 0.0)
    over = np.maximum(-resid, 0.0)
    if np.any(over > 0):
        # surplus of round-off size: trim the solar used, then the grid import
        cut = np.minimum(over, out["solar_mw"])
        out["solar_mw"] -= cut
        out["curtailed_mw"] += cut
        out["grid_import_mw"] -= over - cut
    out["unserved_mw"][out["unserved_mw"] < 1e-7] = 0.0

    ds = xr.Dataset(coords={"time": physics["time"]})
    if "unit" in physics.coords:
        ds = ds.assign_coords(unit=physics["unit"])
    ds["gen_mw"] = (("time", "unit"), gen_u)
    ds["unit_on"] = (("time", "unit"), on_u.astype(np.int8))
    prev_u = np.vstack([pb.init_on_units[None, :] > 0.5, on_u[:-1] > 0.5]) if pb.n_units else on_u > 0.5
    ds["unit_start"] = (("time", "unit"), ((on_u > 0.5) & ~prev_u).astype(np.int8))
    for k in _OUT_T:
        ds[k] = ("time", out[k])
    ds = ds.assign_coords(window=np.arange(len(wins)))
    ds["window_start"] = ("window", np.asarray(w_start))
    ds["window_solve_s"] = ("window", np.asarray(w_solve, float))
    ds["window_gap"] = ("window", np.asarray(w_gap, float))
    ds["window_status"] = ("window", np.asarray(w_status, dtype=object))
    ds["window_solve_s"].attrs = {"units": "s", "long_name": "wall time of the window's solve"}
    ds["window_gap"].attrs = {"units": "1", "long_name": "relative MIP gap reached in the window"}
    order = ["error", "infeasible", "time_limit", "optimal"]
    worst = min(w_status, key=order.index)
    gaps = np.asarray(w_gap, float)
    ds.attrs.update(
        dispatch="optimal",
        solver="HiGHS via Pyomo (persistent)",
        solver_status=worst,
        complete=int(worst == "optimal"),
        mip_gap=float(np.nanmax(gaps)) if np.any(np.isfinite(gaps)) else float("nan"),
        solve_time_s=float(np.sum(w_solve)),
        build_time_s=float(build_s),
        windows=len(wins),
        horizon=horizon,
    )
    ds = annotate(ds)
    cost = dispatch_cost_usd(physics, ds)
    penalty = float(heel.sum() * pb.s["voll_usd_per_mwh"] * pb.s["lng_lhv_gj_per_t"] / 3.6 * _LNG_SHORT_EFF) \
        if pb.has_tank else 0.0
    ds.attrs["objective_usd"] = float(sum(cost.values()) + penalty + co2x * CO2_CAP_EXCESS_USD_PER_T)
    ds.attrs["lng_heel_shortfall_t"] = float(heel.sum())
    end_short = max(st.soc_final_min - float(out["battery_soc_mwh"][-1]), 0.0) if pb.has_battery and n else 0.0
    ds.attrs["battery_end_shortfall_mwh"] = end_short if end_short > 1e-6 else 0.0
    ds.attrs["objective_usd"] += ds.attrs["battery_end_shortfall_mwh"] * SOC_END_SHORT_FRAC_OF_VOLL \
        * pb.s["voll_usd_per_mwh"]
    ds.attrs["fuel_curve_convexified_max_gj_per_h"] = float(pb.convexified_gj_per_h)
    ds.attrs["commitment_groups"] = int(sum(len(m_) > 1 for m_ in pb.members))
    # slacks used, stated plainly: how much, how many steps, the first one
    times = pd.DatetimeIndex(physics["time"].values)
    for key, var in (("unserved", "unserved_mw"), ("reserve_shortfall", "reserve_shortfall_mw")):
        v = ds[var].values
        hit = np.flatnonzero(v > 1e-6)
        ds.attrs[f"{key}_mwh"] = float(v.sum() * sh)
        ds.attrs[f"{key}_steps"] = int(hit.size)
        ds.attrs[f"{key}_peak_mw"] = float(v.max(initial=0.0))
        ds.attrs[f"{key}_first"] = str(times[hit[0]]) if hit.size else ""
    ds.attrs["optimisation_status"] = "complete" if worst == "optimal" else "incomplete"
    return ds


def _disaggregate(pb: _Problem, on_g: np.ndarray, gen_g: np.ndarray, physics: xr.Dataset):
    """Units on and their output from group counts: a group's output is shared equally by its
    running units (optimal for identical convex curves); a start takes the most recently
    stopped unit that has served its minimum down time (a hot start where there is one), a
    stop takes the unit that has run longest (it has served its minimum up time)."""
    n = pb.n
    on_u = np.zeros((n, pb.n_units))
    gen_u = np.zeros((n, pb.n_units))
    for g, mem in enumerate(pb.members):
        cnt = np.round(on_g[:, g]).astype(int)
        if len(mem) == 1:
            on_u[:, mem[0]] = cnt
            gen_u[:, mem[0]] = np.where(cnt > 0, gen_g[:, g], 0.0)
            continue
        state = pb.init_on_units[mem] > 0.5
        last = np.full(len(mem), -10**9)  # step of the last switch
        dt = int(pb.dt_n[g])
        for t in range(n):
            k = cnt[t]
            cur = int(state.sum())
            if k > cur:
                off = np.flatnonzero(~state)
                ok = off[(t - last[off]) >= dt]
                rest = off[(t - last[off]) < dt]
                order = np.r_[ok[np.argsort(-last[ok], kind="stable")], rest[np.argsort(last[rest], kind="stable")]]
                pick = order[:k - cur]
                state[pick] = True
                last[pick] = t
            elif k < cur:
                onn = np.flatnonzero(state)
                pick = onn[np.argsort(last[onn], kind="stable")][:cur - k]
                state[pick] = False
                last[pick] = t
            on_u[t, mem] = state
            if k > 0:
                gen_u[t, mem] = np.where(state, gen_g[t, g] / k, 0.0)
    return on_u, gen_u


# ============================================================================ cost
def dispatch_cost_usd(physics: xr.Dataset, dispatch: xr.Dataset) -> dict[str, float]:
    """The optimiser's objective, item by item, evaluated on a dispatch  [USD].

    Fuel and carbon of gas on the physics layer's piecewise-linear fuel curve, VOM, start-ups
    (hot / warm / cold by time offline), grid energy and its CO2, the monthly demand charge on
    each month's peak import, battery throughput, unserved energy at VoLL and N-1 reserve
    shortfall at its price.  (LNG heel and CO2-cap slacks are added by the optimiser.)
    """
    pb = _prepare(physics)
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


def _start_cost(pb: _Problem, on: np.ndarray) -> np.ndarray:
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
