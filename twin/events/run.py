"""Fault studies from a stored run: parse the fault, integrate the bus and the cooling loops, store.

``event(run, at=..., fault=...)`` takes the campus at one instant of a run and applies
``gt_trip:UNIT`` (``gt_trip`` alone: the largest running unit), ``grid_loss``,
``grid_circuit_loss``, ``chiller_loss:HALL``, ``cdu_loss:HALL``, or a YAML sequence of them::

    events:
      - {at_s: 0, fault: "gt_trip:sgt-800-1"}
      - {at_s: 20, fault: "chiller_loss:ai-hall-1", restart_min: 10}
    duration: 10min
    step: 20ms

The electrical bus is integrated first (:func:`twin.events.bus.simulate_bus`); the cooling
loops then heat up with the cooling each hall lost (to the fault, to load shedding, to a dead
bus); where GPUs throttle or shut down, the bus is integrated again with that lower load.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
import yaml

from twin.events import cooling as cool
from twin.events.bus import _settings, simulate_bus
from twin.events.state import CampusState, EventError, state_at

FAULT_KINDS = ("gt_trip", "grid_loss", "grid_circuit_loss", "chiller_loss", "cdu_loss")
COOLING_FAULTS = ("chiller_loss", "cdu_loss")


def _seconds(v, what: str) -> float:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    try:
        return pd.Timedelta(str(v)).total_seconds()
    except (TypeError, ValueError):
        raise EventError(f"{what}: {v!r} — not a duration (use e.g. 60s, 10min, 10ms)") from None


def parse_fault(fault, *, at_s: float = 0.0, restart_min=None) -> list[dict]:
    """A fault string (``KIND[:TARGET]``), a list of event mappings, or a YAML file path ->
    a list of ``{at_s, kind, target, restart_min}`` (sorted by time)."""
    if isinstance(fault, str | Path) and str(fault).endswith((".yaml", ".yml")):
        p = Path(fault)
        if not p.is_file():
            raise EventError(f"fault: {str(fault)!r} — no such YAML file")
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict) or not isinstance(data.get("events"), list) or not data["events"]:
            raise EventError(f"fault: {str(fault)!r} — the YAML needs a non-empty 'events' list of {{at_s, fault}}")
        return parse_fault(data["events"])
    if isinstance(fault, list | tuple):
        out = []
        for i, ev in enumerate(fault):
            if not isinstance(ev, dict) or "fault" not in ev:
                raise EventError(f"events[{i}]: {ev!r} — each event needs 'fault' (and 'at_s')")
            unknown = set(ev) - {"fault", "at_s", "restart_min"}
            if unknown:
                raise EventError(f"events[{i}]: unknown key(s) {', '.join(sorted(unknown))} (use at_s, fault, restart_min)")
            out += parse_fault(ev["fault"], at_s=_seconds(ev.get("at_s", 0.0), f"events[{i}].at_s"),
                               restart_min=ev.get("restart_min"))
        return sorted(out, key=lambda e: e["at_s"])
    if not isinstance(fault, str) or not fault.strip():
        raise EventError(f"fault: {fault!r} — use KIND[:TARGET] with KIND one of {', '.join(FAULT_KINDS)}")
    kind, _, target = fault.strip().partition(":")
    if kind not in FAULT_KINDS:
        raise EventError(f"fault: {fault!r} — unknown kind {kind!r}; valid: {', '.join(FAULT_KINDS)}")
    if kind in COOLING_FAULTS and not target:
        raise EventError(f"fault: {fault!r} — {kind} needs a hall: {kind}:HALL")
    if kind in ("grid_loss", "grid_circuit_loss") and target:
        raise EventError(f"fault: {fault!r} — {kind} takes no target")
    if at_s < 0:
        raise EventError(f"at_s: {at_s:g} — events start at or after 0 s")
    if restart_min is not None and (not isinstance(restart_min, int | float) or restart_min < 0):
        raise EventError(f"restart_min: {restart_min!r} — must be a non-negative number of minutes")
    return [{"at_s": float(at_s), "kind": kind, "target": target or None, "restart_min": restart_min}]


def _largest_online(state: CampusState) -> str:
    on = state.online_units()
    if not on:
        raise EventError(f"gt_trip: no gas unit is online at {state.at}")
    return max(on, key=lambda u: state.gen_mw[state.unit.index(u)])


def event(run, at, fault, *, duration=None, step=None, record_every: int | None = None,
          dynamics: dict | None = None) -> xr.Dataset:
    """Simulate a fault from an instant of a run; return the event-run Dataset.

    Parameters
    ----------
    run : xarray.Dataset or path
        A run Dataset or a stored run directory.
    at : str or pandas.Timestamp
        The instant (inside the run), or ``"worst"`` (the step of least N-1 margin).
    fault : str, list or path
        ``KIND[:TARGET]``, a list of ``{at_s, fault, restart_min}``, or a YAML sequence file.
    duration, step : str or float, optional
        Simulated time and fixed step (``"60s"``, ``"10ms"`` or seconds).  Defaults: 60 s at
        10 ms; with a cooling fault 15 min at 50 ms, recorded every second.
    record_every : int, optional
        Keep every n-th step.
    dynamics : dict, optional
        Overrides of the scenario's ``dynamics`` settings.
    """
    from twin.store import RunNotFound, open_run

    if not isinstance(run, xr.Dataset):
        try:
            run = open_run(run)
        except RunNotFound as e:
            raise EventError(f"run: {e}") from None
    state = state_at(run, at)
    evs = parse_fault(fault)
    has_cooling = any(e["kind"] in COOLING_FAULTS for e in evs)
    duration_s = _seconds(duration, "duration") if duration is not None else (900.0 if has_cooling else 60.0)
    step_s = _seconds(step, "step") if step is not None else (0.05 if has_cooling else 0.01)
    if duration_s <= 0:
        raise EventError(f"duration: {duration!r} — must be positive")
    if step_s <= 0 or step_s > duration_s / 2:
        raise EventError(f"step: {step!r} — must be positive and at most half the duration")
    late = [e for e in evs if e["at_s"] >= duration_s]
    if late:
        raise EventError(f"at_s: {late[0]['at_s']:g} s — after the end of the simulated {duration_s:g} s")
    every = record_every or (max(int(round(1.0 / step_s)), 1) if duration_s > 300 else 1)
    n = int(round(duration_s / step_s))
    n = (n // every) * every or every
    dyn = _settings(state, dynamics)
    scenario = state.scenario() if state.scenario_yaml else None
    t = np.arange(n) * step_s

    trip: dict[str, float] = {}
    grid_loss_s = None
    grid_cap = None
    cooling_evs = []
    notes = []
    for e in evs:
        if e["kind"] == "gt_trip":
            u = e["target"] or _largest_online(state)
            if u in ("largest",):
                u = _largest_online(state)
            trip[u] = e["at_s"]
        elif e["kind"] == "grid_loss":
            if state.grid_capacity_mw <= 0:
                raise EventError(f"grid_loss: the campus has no grid feed at {state.at} (islanded)")
            grid_loss_s = e["at_s"] if grid_loss_s is None else min(grid_loss_s, e["at_s"])
        elif e["kind"] == "grid_circuit_loss":
            if state.grid_capacity_mw <= 0:
                raise EventError(f"grid_circuit_loss: the campus has no grid feed at {state.at} (islanded)")
            if state.grid_n1_capacity_mw <= 0:
                notes.append("single-circuit feed: losing its circuit loses the grid")
                grid_loss_s = e["at_s"] if grid_loss_s is None else min(grid_loss_s, e["at_s"])
            else:
                grid_cap = state.grid_n1_capacity_mw
                if e["at_s"] > 0:
                    notes.append("grid_circuit_loss applied from 0 s (the remaining circuits' capacity)")
        else:
            cooling_evs.append(e)

    loops = cool.hall_loops(state, scenario, dyn) if scenario is not None else []
    load_delta = np.zeros(n)
    hall_delta = np.zeros((n, len(state.hall)))
    avail_fault = np.ones((n, len(loops)))
    for e in cooling_evs:
        lp = cool.cooling_fault_loop(loops, state, e["kind"], e["target"])
        li = loops.index(lp)
        restart = e["restart_min"]
        if restart is None and e["kind"] == "chiller_loss":
            restart = dyn.chiller_restart_min
        t_end = np.inf if restart is None else e["at_s"] + 60.0 * restart
        window = (t >= e["at_s"]) & (t < t_end)
        avail_fault[window, li] = 0.0
        load_delta[window] -= lp.plant_power_mw
        hall_delta[window, lp.hall] -= lp.plant_power_mw

    opts = dict(trip=trip, grid_loss_s=grid_loss_s, grid_capacity_mw=grid_cap, dynamics=dynamics,
                hall_load_delta_mw=hall_delta, hall_cooling_delta_mw=hall_delta.copy(), record_every=every)
    ds = simulate_bus(state, load_delta, step_s, **opts)
    thermal_res = None
    if loops:
        rec = slice(None, None, every)
        hall_load = ds["hall_shed_mw"].values
        hall_base = state.hall_it_power_mw + state.hall_cooling_power_mw
        shed_frac = np.clip(hall_load / np.maximum(hall_base[None, :], 1e-9), 0.0, 1.0)
        avail = avail_fault[rec] * np.column_stack([1.0 - shed_frac[:, lp.hall] for lp in loops])
        it_h = ds["hall_it_power_mw"].values
        thermal_res = cool.ride_through(loops, it_h, avail, step_s * every, dyn)
        factor = np.ones_like(it_h)
        for li, lp in enumerate(loops):
            factor[:, lp.hall] = np.minimum(factor[:, lp.hall], thermal_res["it_frac"][:, li])
        if (factor < 1.0 - 1e-9).any():
            # GPUs throttled or shut down: the bus carries less IT load (halls still on the bus)
            d_rec = it_h * (factor - 1.0) * (1.0 - shed_frac)
            d_fine = np.repeat(d_rec, every, axis=0)[:n]
            ds = simulate_bus(state, load_delta + d_fine.sum(axis=1), step_s,
                              **{**opts, "hall_load_delta_mw": hall_delta + d_fine})
        ds = _add_thermal(ds, state, loops, thermal_res, factor, it_h, affected=(avail < 1.0 - 1e-9).any(axis=0))
    ds.attrs["fault"] = "; ".join(f"{e['kind']}{':' + e['target'] if e['target'] else ''} at {e['at_s']:g} s"
                                  for e in evs) + (f" (gas unit {next(iter(trip))})" if trip and not any(e["target"] for e in evs if e["kind"] == "gt_trip") else "")
    ds.attrs["notes"] = "; ".join(notes)
    ds.attrs["source_run_id"] = str(run.attrs.get("run_id", ""))
    return ds


def _add_thermal(ds: xr.Dataset, state: CampusState, loops, res, factor, it_h, affected) -> xr.Dataset:
    from twin.variables import annotate

    H = len(state.hall)
    T = ds.sizes["time"]
    chw = np.full((T, H), np.nan)
    liq = np.full((T, H), np.nan)
    lim = np.full(H, np.nan)
    minutes = np.full(H, np.nan)
    heat_up = np.full(H, np.nan)
    peak = np.full(H, np.nan)
    for li, lp in enumerate(loops):
        (chw if lp.kind == "chw" else liq)[:, lp.hall] = res["t_c"][:, li]
        m = res["time_to_limit_s"][li] / 60.0
        if np.isnan(minutes[lp.hall]) or m < minutes[lp.hall]:
            minutes[lp.hall] = m
        q0 = it_h[0, lp.hall] * lp.share * 1e6
        if not affected[li]:
            continue
        hu = lp.heat_capacity_j_k * (lp.t_limit_c - lp.t0_c) / q0 / 60.0 if q0 > 0 else np.inf
        if np.isnan(heat_up[lp.hall]) or hu < heat_up[lp.hall]:
            heat_up[lp.hall] = hu
            lim[lp.hall] = lp.t_limit_c
        peak[lp.hall] = np.nanmax([peak[lp.hall], res["peak_c"][li]])
    it_run = it_h * factor
    lost = np.maximum(it_h - it_run, 0.0)
    step_h = float(ds.attrs["step_h"])
    ds["hall_chw_supply_c"] = (("time", "hall"), chw)
    ds["hall_coolant_supply_c"] = (("time", "hall"), liq)
    ds["hall_it_throttle_frac"] = (("time", "hall"), factor)
    ds["hall_cooling_limit_c"] = ("hall", lim)
    ds["hall_minutes_to_cooling_limit"] = ("hall", minutes)
    ds["hall_heat_up_minutes"] = ("hall", heat_up)
    ds["hall_peak_coolant_c"] = ("hall", peak)
    ds["it_throttled_mw"] = ("time", lost.sum(axis=1))
    ds["it_energy_lost_mwh"] = ((), float(lost.sum() * step_h))
    ds["minutes_to_cooling_limit"] = ((), float(np.nanmin(minutes)) if np.isfinite(minutes).any() else np.nan)
    ds["heat_up_minutes"] = ((), float(np.nanmin(heat_up)) if np.isfinite(heat_up).any() else np.nan)
    trips = [f"{state.hall[lp.hall]} IT thermal shutdown ({lp.kind} loop at {lp.t_limit_c:.1f} degC) at "
             f"{res['trip_s'][li]:.0f} s" for li, lp in enumerate(loops) if np.isfinite(res["trip_s"][li])]
    thr = [f"{state.hall[j]} GPUs throttling from {ds['time'].values[np.argmax(factor[:, j] < 1 - 1e-9)]:.0f} s"
           for j in range(H) if (factor[:, j] < 1 - 1e-9).any()]
    prot = [p for p in (ds.attrs.get("protections", "none"), *thr, *trips) if p and p != "none"]
    ds.attrs["protections"] = "; ".join(prot) or "none"
    return annotate(ds)


# ------------------------------------------------------------------------------------ results
def _f(ds, name):
    if name not in ds:
        return None
    v = float(ds[name].values)
    return v if np.isfinite(v) else None


def event_kpis(ds: xr.Dataset) -> dict:
    """The headline results of an event run (the ``kpi`` block of its summary.json)."""
    f0 = float(ds.attrs.get("nominal_frequency_hz", 50.0))
    nadir = _f(ds, "frequency_nadir_hz")
    stages = ds["ufls_stage_time_s"].values
    first = int(np.argmax(np.isfinite(stages))) + 1 if np.isfinite(stages).any() else None
    step_h = float(ds.attrs["step_h"])
    return {
        "frequency_nadir_hz": nadir, "frequency_peak_hz": _f(ds, "frequency_peak_hz"),
        "frequency_nadir_dev_hz": None if nadir is None else nadir - f0,
        "rocof_max_hz_per_s": _f(ds, "rocof_max_hz_per_s"), "settling_frequency_hz": _f(ds, "settling_frequency_hz"),
        "settling_time_s": _f(ds, "settling_time_s"), "shed_max_mw": _f(ds, "shed_max_mw"),
        "ufls_stages_acted": int(np.isfinite(stages).sum()), "first_ufls_stage": first,
        "halls_shed": [str(h) for h in ds["hall"].values if float(ds["hall_shed_mw"].sel(hall=h).max()) > 1e-6],
        "unserved_mwh": float(ds["unserved_mw"].sum() * step_h), "unserved_max_mw": _f(ds, "unserved_max_mw"),
        "ups_energy_mwh": float(ds["ups_discharge_mw"].sum() * step_h),
        "battery_max_mw": float(ds["battery_discharge_mw"].max()),
        "minutes_to_cooling_limit": _f(ds, "minutes_to_cooling_limit"), "heat_up_minutes": _f(ds, "heat_up_minutes"),
        "it_energy_lost_mwh": _f(ds, "it_energy_lost_mwh") or 0.0,
        "max_balance_residual_mw": float(np.abs(ds["balance_residual_mw"]).max()),
        "protections": ds.attrs.get("protections", "none"),
    }


def event_status(ds: xr.Dataset) -> str:
    k = event_kpis(ds)
    bad = (k["shed_max_mw"] or 0) > 1e-6 or k["unserved_mwh"] > 1e-9 or k["it_energy_lost_mwh"] > 1e-9 \
        or k["minutes_to_cooling_limit"] is not None
    return "shortfall" if bad else "ok"


def event_summary(ds: xr.Dataset, run_id: str) -> dict:
    """summary.json of an event run."""
    from datetime import datetime, timezone

    t = ds["time"].values
    return {
        "run_id": run_id, "run_kind": "event", "scenario_name": ds.attrs.get("scenario_name"),
        "scenario_hash": ds.attrs.get("scenario_hash"), "dispatch": "event", "status": event_status(ds),
        "event_at": ds.attrs.get("event_at"), "fault": ds.attrs.get("fault"),
        "period_start": f"{float(t[0]):g} s", "period_end": f"{float(t[-1]) + float(ds.attrs['step_h']) * 3600:g} s",
        "step": ds.attrs.get("step"), "site_name": ds.attrs.get("site_name"),
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "source_run_id": ds.attrs.get("source_run_id"), "kpi": event_kpis(ds), "shortfalls": {},
    }


EVENT_HEADLINE = [
    ("frequency_nadir_hz", "Frequency nadir", "Hz"), ("rocof_max_hz_per_s", "Max RoCoF (500 ms)", "Hz/s"),
    ("settling_frequency_hz", "Settling frequency", "Hz"), ("settling_time_s", "Settling time", "s"),
    ("shed_max_mw", "Load shed (UFLS / dead bus)", "MW"), ("first_ufls_stage", "First UFLS stage", "-"),
    ("battery_max_mw", "Battery peak output", "MW"), ("ups_energy_mwh", "IT energy from the UPS", "MWh"),
    ("minutes_to_cooling_limit", "Minutes to the cooling limit", "min"),
    ("heat_up_minutes", "Heat-up minutes with no cooling", "min"), ("it_energy_lost_mwh", "IT energy lost", "MWh"),
]


def event_table(summary: dict) -> str:
    """The plain-text table of an event run's summary (``twin summary``, ``twin event``)."""
    k = summary["kpi"]
    rows = []
    for key, label, unit in EVENT_HEADLINE:
        v = k.get(key)
        rows.append((label, "n/a" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v)), unit))
    w = max(len(r[0]) for r in rows)
    v = max(len(r[1]) for r in rows)
    head = (f"event {summary['run_id']}  [status {summary['status']}]\n"
            f"{summary['scenario_name']}: {summary.get('fault')} at {summary.get('event_at')}, "
            f"{summary['period_start']} → {summary['period_end']} step {summary['step']}")
    lines = [head, "-" * (w + v + 12)] + [f"{a:<{w}}  {b:>{v}}  {c}" for a, b, c in rows]
    if k.get("halls_shed"):
        lines.append(f"halls shed: {', '.join(k['halls_shed'])}")
    lines.append(f"protections: {k.get('protections', 'none')}")
    return "\n".join(lines)


def save_event(ds: xr.Dataset, store_dir, run_id: str | None = None) -> Path:
    """Store an event run in the run store (same layout as any run)."""
    from twin.store import save_run

    if run_id is None:
        import re
        import uuid
        from datetime import datetime, timezone

        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", str(ds.attrs.get("scenario_name", "run")))[:50]
        kind = re.sub(r"[^A-Za-z0-9._-]+", "-", str(ds.attrs.get("fault", "event")).split(" ")[0])[:40]
        run_id = f"{name}-event-{kind}-{stamp}-{uuid.uuid4().hex[:6]}"
    return save_run(ds, store_dir, run_id=run_id)
