"""Integrate the campus bus from a :class:`~twin.events.state.CampusState`: the event-run Dataset.

:func:`simulate_bus` is the public entry point used by fault studies (:func:`twin.events.event`)
and by the power-swing study: it takes the state, an exogenous load series and the fixed step,
builds the dynamic parameters of every online unit from ``datasets/catalog/gas_unit_dynamics.csv``
and the scenario's ``dynamics`` settings, integrates the bus (:func:`models.frequency.integrate_bus`),
and returns a Dataset on ``time`` in seconds from the event with registry units.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from models import frequency
from twin import catalog
from twin.events.state import CampusState, EventError


def unit_dynamics(model: str, kind: str) -> dict:
    """One gas unit model's dynamic parameters (``gas_unit_dynamics.csv``).

    A model without its own row takes the first row of a model of the same kind, and says so
    in the returned ``source``.
    """
    df = catalog.load_table("gas_unit_dynamics")
    if model in df.index:
        return {k: catalog._python(v) for k, v in df.loc[model].items()}
    kinds = {n: catalog.lookup("gas_units", n)["kind"] for n in df.index if n in catalog.names("gas_units")}
    same = [n for n, k in kinds.items() if k == kind]
    if not same:
        raise EventError(f"unit model: {model!r} — no row in gas_unit_dynamics.csv and none of kind {kind!r}")
    row = {k: catalog._python(v) for k, v in df.loc[same[0]].items()}
    row["source"] = f"no row for {model}: parameters of {same[0]} (same kind {kind}); " + row["source"]
    row["q"] = "A"
    return row


def _settings(state: CampusState, overrides: dict | None):
    from twin.scenario import Dynamics

    try:
        dyn = state.scenario().dynamics if state.scenario_yaml else Dynamics()
    except Exception:  # noqa: BLE001 - an old run's YAML that no longer validates: defaults
        dyn = Dynamics()
    if overrides:
        data = dyn.model_dump()
        data.update(overrides)
        try:
            dyn = Dynamics.model_validate(data)
        except Exception as e:  # noqa: BLE001
            raise EventError(f"dynamics: {overrides!r} — {str(e).splitlines()[-1].strip()}") from None
    return dyn


def _hall_shed_order(state: CampusState, dyn) -> list[int]:
    if dyn.shed_order:
        unknown = [h for h in dyn.shed_order if h not in state.hall]
        if unknown:
            raise EventError(f"dynamics.shed_order: {unknown[0]!r} — not a hall; halls: {', '.join(state.hall)}")
        order = [state.hall.index(h) for h in dyn.shed_order]
        return order + [i for i in range(len(state.hall))[::-1] if i not in order]
    return list(range(len(state.hall)))[::-1]


def bus_inputs(states: list[CampusState], *, dyn=None, trips: list[dict] | None = None,
               grid_loss_s: list[float] | None = None, grid_capacity_mw: list[float] | None = None) -> frequency.BusInputs:
    """:class:`models.frequency.BusInputs` for a batch of states of the same campus."""
    s0 = states[0]
    dyn = dyn or _settings(s0, None)
    B, U = len(states), len(s0.unit)
    rows = [unit_dynamics(m, k) for m, k in zip(s0.unit_model, s0.unit_kind)]

    def col(name):
        return np.tile(np.array([float(r[name]) for r in rows]).reshape(1, U), (B, 1)) if U else np.zeros((B, 0))

    trip_at = np.full((B, U), np.inf)
    for b, tr in enumerate(trips or [{}] * B):
        for u, t in (tr or {}).items():
            trip_at[b, s0.unit.index(u)] = t
    rated = np.tile(s0.unit_rated_mw.reshape(1, U), (B, 1)) if U else np.zeros((B, 0))
    on = np.array([s.unit_on for s in states]).reshape(B, U)
    load0 = np.array([s.load_mw for s in states])
    it = np.array([s.hall_it_power_mw.sum() for s in states])
    cool = np.array([s.hall_cooling_power_mw.sum() for s in states])
    damp = np.where(load0 > 0, (dyn.load_damping_it * it + dyn.load_damping_cooling * cool) / np.maximum(load0, 1e-9), 0.0)
    bp = np.array([s.battery_power_mw if dyn.battery_ffr else 0.0 for s in states])
    e_avail = np.array([max(s.battery_soc_mwh - s.battery_soc_min_frac * s.battery_energy_mwh, 0.0) * s.battery_eff_discharge
                        for s in states])
    e_room = np.array([max(s.battery_soc_max_frac * s.battery_energy_mwh - s.battery_soc_mwh, 0.0) / max(s.battery_eff_charge, 1e-9)
                       for s in states])
    cap = np.array(grid_capacity_mw if grid_capacity_mw is not None else [s.grid_capacity_mw for s in states], float)
    gon = cap > 0
    f0 = s0.f0_hz
    st = dyn.ufls
    return frequency.BusInputs(
        f0_hz=f0, on=on, rated_mw=rated, mva=rated / col("power_factor") if U else rated,
        p0_mw=np.array([s.gen_mw for s in states]).reshape(B, U),
        pmax_mw=np.array([s.gas_available_mw for s in states]).reshape(B, U),
        h_s=col("h_s"), droop=col("droop_frac"), db_hz=col("deadband_hz"), t_gov_s=col("t_gov_s"),
        t_lead_s=col("t_lead_s"), t_lag_s=col("t_lag_s"), steam_frac=col("steam_frac"), t_steam_s=col("t_steam_s"),
        rate_up=col("rate_up_pu_per_s"), rate_down=col("rate_down_pu_per_s"), dt_pu=col("damping_pu"),
        dm_pu=np.zeros((B, U)), uf_trip_pu=col("uf_trip_frac") - 1.0, trip_at_s=trip_at,
        load0_mw=load0, load_damping=damp,
        bat_p0_mw=np.array([s.battery_output_mw for s in states]), bat_power_mw=bp,
        bat_energy_avail_mwh=e_avail, bat_charge_room_mwh=e_room,
        bat_db_hz=dyn.battery_deadband_hz, bat_full_hz=dyn.battery_full_response_hz,
        bat_delay_s=dyn.battery_delay_s, bat_lag_s=dyn.battery_lag_s,
        bat_grid_forming=np.full(B, bool(dyn.battery_grid_forming)),
        grid_on=gon, grid_p0_mw=np.array([s.grid_import_mw for s in states]),
        grid_trip_mw=np.where(gon, cap * dyn.grid_trip_frac, np.inf), grid_trip_delay_s=dyn.grid_trip_delay_s,
        grid_loss_at_s=np.array(grid_loss_s if grid_loss_s is not None else [np.inf] * B, float),
        ufls_dev_pu=np.array([x.frequency_frac - 1.0 for x in st]), ufls_delay_s=np.array([x.delay_s for x in st]),
        ufls_frac=np.array([x.shed_frac for x in st]),
    )


def check_step(inp: frequency.BusInputs, step_s: float, *, factor: float = 2.0) -> None:
    """The fixed step must resolve the fastest time constant: ``step <= T_min / factor``.

    Heun's method is stable on a first-order lag up to ``step = 2 T``; at ``T / 2`` its error per
    step on the lag's decay is about 3 %, the coarsest step taken as still resolving it."""
    if not np.isfinite(step_s) or step_s <= 0:
        raise EventError(f"step: {step_s!r} s — must be a positive number of seconds")
    tmin, name = frequency.fastest_time_constant_s(inp)
    if np.isfinite(tmin) and step_s > tmin / factor + 1e-12:
        raise EventError(f"step: {step_s:g} s — larger than the fastest time constant allows "
                         f"({name} {tmin:g} s needs a step of at most {tmin / factor:g} s)")


def simulate_bus(state: CampusState, load_delta_mw: np.ndarray, step_s: float, **opts) -> xr.Dataset:
    """Integrate the campus bus from ``state`` with an exogenous load series.

    Parameters
    ----------
    state : CampusState
        From :func:`twin.events.state_at` (units online and their output, battery, grid, halls).
    load_delta_mw : numpy.ndarray
        Change of the campus bus load from its value at the instant, one value per step
        ``t = k * step_s`` for ``k = 0 .. len - 1`` [MW] (positive = more load).  A power swing
        passes its swing here; a fault study passes zeros (or the cooling power it loses).
    step_s : float
        Fixed integration step [s]; at most half the fastest active time constant.
    **opts
        ``trip`` : dict ``{unit: t_s}`` — gas units tripped at those times (a unit not online
        at the instant is bad input).
        ``grid_loss_s`` : float — the grid feed is lost at this time.
        ``grid_capacity_mw`` : float — grid capacity to use instead of the state's (e.g. after
        losing one circuit).
        ``dynamics`` : dict — overrides of the scenario's ``dynamics`` settings (``ufls``,
        ``battery_ffr``, ``ups_autonomy_min``, ...).
        ``hall_load_delta_mw`` : array ``(len, hall)`` — the same load change split by hall
        (default: in proportion to each hall's IT power); used for the hall results.
        ``hall_cooling_delta_mw`` : array ``(len, hall)`` — the part of ``hall_load_delta_mw``
        that is cooling power (default: none; the load change is IT power).
        ``record_every`` : int — keep every n-th step in the Dataset (default 1).

    Returns
    -------
    xarray.Dataset
        On ``time`` [s from the event] (and ``unit``, ``hall``, ``stage``): ``frequency_hz``,
        ``rocof_hz_per_s``, ``gen_mw`` (electrical output per unit), ``mech_power_mw``,
        ``unit_on``, ``battery_discharge_mw``, ``battery_charge_mw``, ``grid_import_mw``,
        ``solar_mw``, ``bus_load_mw``, ``shed_mw``, ``hall_shed_mw``, ``it_power_mw``,
        ``ups_discharge_mw``, ``unserved_mw``, ``facility_power_mw``, ``supply_mw`` (by
        ``source``), ``balance_residual_mw``, ``ufls_stage_time_s`` (``stage``), and the scalar
        results ``frequency_nadir_hz``, ``rocof_max_hz_per_s``, ``settling_frequency_hz``,
        ``settling_time_s``, ``shed_max_mw``; attributes ``protections`` (what acted, when),
        ``run_kind = "event"``, the instant and the source run's identity.
    """
    load_delta = np.asarray(load_delta_mw, dtype=float).reshape(-1)
    if load_delta.size < 2:
        raise EventError(f"load_delta_mw: {load_delta.size} value(s) — needs at least two steps")
    if not np.all(np.isfinite(load_delta)):
        raise EventError("load_delta_mw: contains NaN or inf — every step needs a finite MW value")
    trip = dict(opts.pop("trip", None) or {})
    online = state.online_units()
    for u in trip:
        if u not in state.unit:
            raise EventError(f"gt_trip: {u!r} — no such unit; units: {', '.join(state.unit) or 'none'}")
        if u not in online:
            raise EventError(f"gt_trip: {u!r} — not online at {state.at}; online: {', '.join(online) or 'none'}")
    grid_loss_s = opts.pop("grid_loss_s", None)
    grid_cap = opts.pop("grid_capacity_mw", None)
    dyn = _settings(state, opts.pop("dynamics", None))
    hall_delta = opts.pop("hall_load_delta_mw", None)
    hall_cool_delta = opts.pop("hall_cooling_delta_mw", None)
    every = int(opts.pop("record_every", 1))
    if opts:
        raise EventError(f"simulate_bus: unknown option(s) {', '.join(sorted(opts))}")
    inp = bus_inputs([state], dyn=dyn, trips=[trip], grid_loss_s=[np.inf if grid_loss_s is None else float(grid_loss_s)],
                     grid_capacity_mw=None if grid_cap is None else [float(grid_cap)])
    check_step(inp, float(step_s))
    res = frequency.integrate_bus(inp, load_delta[None, :], float(step_s))
    return result_dataset(state, res, dyn, float(step_s), load_delta, hall_delta=hall_delta, every=every,
                          hall_cooling_delta=hall_cool_delta)


def _hall_split(state: CampusState, load_delta: np.ndarray, hall_delta) -> np.ndarray:
    H = len(state.hall)
    if hall_delta is not None:
        hd = np.asarray(hall_delta, float)
        if hd.shape != (load_delta.size, H):
            raise EventError(f"hall_load_delta_mw: shape {hd.shape} — needs ({load_delta.size}, {H})")
        return hd
    w = state.hall_it_power_mw / state.hall_it_power_mw.sum() if state.hall_it_power_mw.sum() > 0 else np.full(H, 1.0 / H)
    return load_delta[:, None] * w[None, :]


def result_dataset(state: CampusState, res: dict, dyn, step_s: float, load_delta: np.ndarray, *,
                   hall_delta=None, every: int = 1, b: int = 0, attrs: dict | None = None,
                   hall_cooling_delta=None) -> xr.Dataset:
    """The event-run Dataset of case ``b`` of an :func:`models.frequency.integrate_bus` result."""
    from twin.variables import annotate

    t = res["t_s"]
    f0 = state.f0_hz
    x = res["x"][b]
    f = f0 * (1.0 + x)
    H = len(state.hall)
    hall_base = state.hall_it_power_mw + state.hall_cooling_power_mw
    losses_share = state.losses_mw * (hall_base / hall_base.sum() if hall_base.sum() > 0 else np.full(H, 1.0 / max(H, 1)))
    hall_load0 = hall_base + losses_share
    hd = _hall_split(state, load_delta, hall_delta)
    hall_load = np.maximum(hall_load0[None, :] + hd, 0.0)  # (T, H) demanded by each hall
    shed = res["shed_mw"][b]
    dead = res["dead"][b]
    # UFLS shed (and a dead bus) taken from the halls in the shed order
    order = _hall_shed_order(state, dyn)
    hall_shed = np.zeros_like(hall_load)
    left = shed.copy()
    for h in order:
        take = np.minimum(left, hall_load[:, h])
        hall_shed[:, h] = take
        left = left - take
    hall_shed = np.where(dead[:, None], hall_load, hall_shed)
    it_frac = np.where(hall_load0 > 0, state.hall_it_power_mw / np.maximum(hall_load0, 1e-12), 0.0)
    it_shed = hall_shed * it_frac[None, :]
    # UPS: IT cut off the bus (shed feeder, dead bus, or frequency below the UPS input window)
    # stays up on the UPS battery for its autonomy, then is lost
    below_window = ~(f >= dyn.ups_input_min_frac * f0) & ~dead
    hcd = np.zeros_like(hd) if hall_cooling_delta is None else np.asarray(hall_cooling_delta, float)
    if hcd.shape != hd.shape:
        raise EventError(f"hall_cooling_delta_mw: shape {hcd.shape} — needs {hd.shape}")
    hall_it_demand = np.maximum(state.hall_it_power_mw[None, :] + hd - hcd, 0.0)
    hall_cool_demand = np.maximum(state.hall_cooling_power_mw[None, :] + hcd, 0.0)
    on_ups_mw = np.where(below_window[:, None], hall_it_demand, it_shed)
    on_ups = on_ups_mw > 1e-9
    autonomy_s = dyn.ups_autonomy_min * 60.0
    # time each hall has spent on its UPS (cumulative)
    cum = np.cumsum(on_ups, axis=0) * step_s
    within = cum <= autonomy_s + 1e-9
    ups_mw = np.where(on_ups & within, on_ups_mw, 0.0)
    it_lost = np.where(on_ups & ~within, on_ups_mw, 0.0)
    bus_load = np.where(dead, 0.0, res["load_mw"][b])
    # the IT the UPS carries while the bus still feeds the rest: below the UPS window the IT leaves the bus
    ups_total = ups_mw.sum(axis=1)
    # unserved = shed load not carried by a UPS (cooling, losses, IT past its autonomy)
    unserved = np.maximum(hall_shed.sum(axis=1) - ups_total, 0.0)
    facility = bus_load + ups_total + unserved
    gen = res["pe_mw"][b]
    bat = res["bat_mw"][b]
    grid = res["grid_mw"][b]
    solar = np.where(dead, 0.0, state.solar_mw)
    # a dead bus serves nothing; solar inverters trip with it
    sources = list(state.unit) + ["grid", "solar", "battery", "ups"]
    supply = np.column_stack([gen, grid, solar, np.maximum(bat, 0.0), ups_total]) if gen.size else \
        np.column_stack([grid, solar, np.maximum(bat, 0.0), ups_total])
    # the UPS is a source of the facility (not of the bus): supply - charge + unserved = facility
    resid = supply.sum(axis=1) - np.maximum(-bat, 0.0) + unserved - facility
    # served shares of the run Dataset's contract variables (the app and the report read them)
    served = 1.0 - np.clip(hall_shed / np.maximum(hall_load, 1e-12), 0.0, 1.0)
    it_run = hall_it_demand.sum(axis=1) - it_lost.sum(axis=1)
    hall_cool_served = hall_cool_demand * served
    losses_run = (losses_share[None, :] * served).sum(axis=1)
    # the bus load's frequency dependence is carried by the motors (cooling); IT draws constant power
    cooling_run = np.maximum(facility - it_run - losses_run, 0.0)
    rocof = frequency.rocof_hz_per_s(np.where(np.isnan(f), f0, f), step_s)
    f_end, t_set = frequency.settling(f[None, :], t)
    sl = slice(None, None, every)
    K = len(dyn.ufls)
    ds = xr.Dataset(
        {
            "frequency_hz": ("time", f[sl]),
            "rocof_hz_per_s": ("time", rocof[sl]),
            "gen_mw": (("time", "unit"), gen[sl]),
            "mech_power_mw": (("time", "unit"), res["pm_mw"][b][sl]),
            "unit_on": (("time", "unit"), res["on"][b][sl].astype(float)),
            "battery_discharge_mw": ("time", np.maximum(bat, 0.0)[sl]),
            "battery_charge_mw": ("time", np.maximum(-bat, 0.0)[sl]),
            "grid_import_mw": ("time", grid[sl]),
            "grid_connected": ("time", res["grid_on"][b][sl].astype(float)),
            "solar_mw": ("time", solar[sl]),
            "bus_load_mw": ("time", bus_load[sl]),
            "shed_mw": ("time", np.where(dead, 0.0, shed)[sl]),
            "hall_shed_mw": (("time", "hall"), hall_shed[sl]),
            "hall_it_power_mw": (("time", "hall"), hall_it_demand[sl]),
            "hall_cooling_power_mw": (("time", "hall"), hall_cool_served[sl]),
            "it_power_mw": ("time", it_run[sl]),
            "cooling_power_mw": ("time", cooling_run[sl]),
            "losses_mw": ("time", losses_run[sl]),
            "curtailed_mw": ("time", np.zeros(len(t))[sl]),
            "ambient_drybulb_c": ("time", np.full(len(t), state.ambient_drybulb_c)[sl]),
            "ambient_wetbulb_c": ("time", np.full(len(t), state.ambient_wetbulb_c)[sl]),
            "pue": ("time", np.where(it_run > 0, facility / np.maximum(it_run, 1e-12), np.nan)[sl]),
            "ups_discharge_mw": ("time", ups_total[sl]),
            "unserved_mw": ("time", unserved[sl]),
            "facility_power_mw": ("time", facility[sl]),
            "supply_mw": (("time", "source"), supply[sl]),
            "balance_residual_mw": ("time", resid[sl]),
            "bus_dead": ("time", dead[sl].astype(float)),
            "ufls_stage_frequency_hz": ("stage", np.array([s.frequency_frac * f0 for s in dyn.ufls])),
            "ufls_stage_time_s": ("stage", res["stage_t_s"][b]),
            "unit_trip_time_s": ("unit", res["unit_trip_t_s"][b]),
            "frequency_nadir_hz": ((), float(np.nanmin(f)) if np.isfinite(f).any() else np.nan),
            "frequency_peak_hz": ((), float(np.nanmax(f)) if np.isfinite(f).any() else np.nan),
            "rocof_max_hz_per_s": ((), float(rocof[np.argmax(np.abs(rocof))])),
            "settling_frequency_hz": ((), float(f_end[0])),
            "settling_time_s": ((), float(t_set[0])),
            "shed_max_mw": ((), float(np.where(dead, bus_load + shed, shed).max())),
            "unserved_max_mw": ((), float(unserved.max())),
        },
        coords={"time": t[sl], "unit": list(state.unit), "hall": list(state.hall), "source": sources,
                "stage": np.arange(1, K + 1)},
    )
    ds["time"].attrs.update(units="s", long_name="time from the event", standard_name="time")
    prot = protections(state, res, dyn, b=b, hall_shed=hall_shed, t=t, it_lost=it_lost, below_window=below_window)
    ds.attrs.update({
        "run_kind": "event", "event_at": str(state.at), "step_s": step_s, "step_h": step_s * every / 3600.0,
        "step": f"{step_s * every:g}s", "nominal_frequency_hz": f0, "protections": "; ".join(prot) or "none",
        "scenario_name": state.run_attrs.get("scenario_name", ""), "scenario_hash": state.run_attrs.get("scenario_hash", ""),
        "scenario_yaml": state.scenario_yaml, "site_name": state.run_attrs.get("site_name", ""),
        "site_country": state.run_attrs.get("site_country", ""), "dispatch": "event",
        "solver_status": "not applicable (fixed-step integration)",
        "source_run_dispatch": state.run_attrs.get("dispatch", ""),
        "unit_dynamics_source": "datasets/catalog/gas_unit_dynamics.csv",
        "Conventions": "CF-1.10",
    })
    if attrs:
        ds.attrs.update(attrs)
    return annotate(ds)


def protections(state: CampusState, res: dict, dyn, *, b: int, hall_shed, t, it_lost, below_window) -> list[str]:
    """What acted, when: scheduled trips, generator under-frequency trips, UFLS stages, grid feeder
    protection, dead bus, UPS transfer and UPS exhaustion."""
    out = []
    for u, tt, c in zip(state.unit, res["unit_trip_t_s"][b], res["unit_trip_cause"][b]):
        if np.isfinite(tt):
            out.append(f"{u} {'tripped (fault)' if c == 1 else 'under-frequency protection tripped it'} at {tt:.2f} s")
    if np.isfinite(res["grid_trip_t_s"][b]):
        out.append(f"grid feed lost at {res['grid_trip_t_s'][b]:.2f} s")
    if np.isfinite(res["bat_form_t_s"][b]):
        out.append(f"battery formed the bus alone (grid-forming) from {res['bat_form_t_s'][b]:.2f} s")
    if np.isfinite(res["bat_trip_t_s"][b]):
        out.append(f"battery overloaded or empty: it tripped at {res['bat_trip_t_s'][b]:.2f} s")
    for k, (st, tt) in enumerate(zip(dyn.ufls, res["stage_t_s"][b])):
        if np.isfinite(tt):
            out.append(f"UFLS stage {k + 1} ({st.frequency_frac * state.f0_hz:.2f} Hz, {100 * st.shed_frac:g} %) at {tt:.2f} s")
    dead = res["dead"][b]
    if dead.any():
        out.append(f"bus dead (no source left) at {t[np.argmax(dead)]:.2f} s")
    if below_window.any():
        out.append(f"UPS transferred the IT to battery (frequency below {dyn.ups_input_min_frac * state.f0_hz:.1f} Hz) "
                   f"at {t[np.argmax(below_window)]:.2f} s")
    lost = it_lost.sum(axis=1) > 0
    if lost.any():
        out.append(f"UPS autonomy ({dyn.ups_autonomy_min:g} min) ran out at {t[np.argmax(lost)]:.1f} s")
    return out
