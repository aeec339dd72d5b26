"""Dynamic N-1 across a run: trip the largest running unit (and lose the grid feed) at the hours
of least reserve margin, all hours integrated side by side in one batch.

This is the figure engineers need beside the hourly N-1 margin: whether frequency survives the
first seconds, how much load the under-frequency stages shed, and whether the first stage is
reached at all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from models import frequency
from twin.events.bus import _settings, bus_inputs, check_step
from twin.events.state import EventError, state_at


def dynamic_n1(run_ds: xr.Dataset, *, hours: int = 12, duration_s: float = 30.0, step_s: float = 0.01,
               dynamics: dict | None = None) -> pd.DataFrame:
    """Dynamic N-1 table of a run.

    Parameters
    ----------
    run_ds : xarray.Dataset
        A settled run.
    hours : int
        How many steps of least ``reserve_margin_mw`` to study.
    duration_s, step_s : float
        Simulated time after the contingency and the fixed step [s].
    dynamics : dict, optional
        Overrides of the scenario's ``dynamics`` settings.

    Returns
    -------
    pandas.DataFrame
        One row per (hour, contingency): ``time``, ``contingency`` (``gt_trip:UNIT`` or
        ``grid_loss``), ``lost_mw``, ``reserve_margin_mw`` (hourly), ``nadir_hz``,
        ``rocof_hz_per_s``, ``settling_hz``, ``shed_mw``, ``first_ufls_stage`` (0 = none),
        ``ufls_stage1_reached``, ``bus_dead``.
    """
    if hours < 1:
        raise EventError(f"hours: {hours!r} — must be at least 1")
    margin = run_ds["reserve_margin_mw"].values if "reserve_margin_mw" in run_ds else np.zeros(run_ds.sizes["time"])
    order = np.argsort(np.where(np.isfinite(margin), margin, np.inf), kind="stable")[:hours]
    times = pd.DatetimeIndex(run_ds["time"].values[np.sort(order)])
    states, trips, gl, labels, lost = [], [], [], [], []
    for t in times:
        st = state_at(run_ds, t)
        on = st.online_units()
        if on:
            u = max(on, key=lambda n: st.gen_mw[st.unit.index(n)])
            states.append(st)
            trips.append({u: 0.0})
            gl.append(np.inf)
            labels.append(f"gt_trip:{u}")
            lost.append(float(st.gen_mw[st.unit.index(u)]))
        if st.grid_capacity_mw > 0:
            states.append(st)
            trips.append({})
            gl.append(0.0)
            labels.append("grid_loss")
            lost.append(st.grid_import_mw)
    if not states:
        raise EventError("dynamic N-1: no gas unit online and no grid feed at the hours studied")
    dyn = _settings(states[0], dynamics)
    inp = bus_inputs(states, dyn=dyn, trips=trips, grid_loss_s=gl)
    check_step(inp, step_s)
    n = int(round(duration_s / step_s))
    res = frequency.integrate_bus(inp, np.zeros((len(states), n)), step_s)
    f0 = states[0].f0_hz
    f = f0 * (1.0 + res["x"])
    dead = res["dead"].any(axis=1)
    roc = frequency.rocof_hz_per_s(np.where(np.isnan(f), f0, f), step_s)
    f_end, _ = frequency.settling(f, res["t_s"])
    stages = res["stage_t_s"]
    first = np.where(np.isfinite(stages).any(axis=1), np.argmax(np.isfinite(stages), axis=1) + 1, 0)
    shed = np.where(dead, np.array([s.load_mw for s in states]), res["shed_mw"][:, -1])
    with np.errstate(all="ignore"):
        nadir = np.where(dead, np.nan, np.nanmin(np.where(np.isnan(f), np.inf, f), axis=1))
    return pd.DataFrame({
        "time": [s.at for s in states], "contingency": labels, "lost_mw": lost,
        "reserve_margin_mw": [s.reserve_margin_mw for s in states], "nadir_hz": nadir,
        "rocof_hz_per_s": roc[np.arange(len(states)), np.argmax(np.abs(roc), axis=1)],
        "settling_hz": f_end, "shed_mw": shed, "first_ufls_stage": first,
        "ufls_stage1_reached": first > 0, "bus_dead": dead,
    })


def n1_table(df: pd.DataFrame) -> str:
    """Plain-text dynamic N-1 table."""
    lines = [f"{'time':<20} {'contingency':<22} {'lost MW':>8} {'margin MW':>9} {'nadir Hz':>9} {'RoCoF Hz/s':>10} "
             f"{'settle Hz':>9} {'shed MW':>8} {'UFLS':>5}"]
    for r in df.itertuples():
        nad = "dead bus" if r.bus_dead else f"{r.nadir_hz:.3f}"
        st = str(r.first_ufls_stage) if r.first_ufls_stage else "-"
        sett = "-" if not np.isfinite(r.settling_hz) else f"{r.settling_hz:.3f}"
        lines.append(f"{str(r.time):<20} {r.contingency:<22} {r.lost_mw:>8.1f} {r.reserve_margin_mw:>9.1f} {nad:>9} "
                     f"{r.rocof_hz_per_s:>10.3f} {sett:>9} {r.shed_mw:>8.1f} {st:>5}")
    worst = df.loc[df["shed_mw"].idxmax()]
    lines.append(f"worst: {worst['contingency']} at {worst['time']}: shed {worst['shed_mw']:.1f} MW"
                 + (", bus dead (IT on the UPS)" if worst["bus_dead"] else f", nadir {worst['nadir_hz']:.3f} Hz"))
    return "\n".join(lines)
