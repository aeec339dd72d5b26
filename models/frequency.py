"""Frequency dynamics of a campus bus: aggregate swing equation, governors, battery FFR, UFLS.

Pure, vectorised pieces and one fixed-step integrator (:func:`integrate_bus`).  Every array
carries a leading *batch* axis ``B`` (independent cases integrated side by side, e.g. the
hours of a dynamic N-1 study) and, for the gas units, a unit axis ``U``.  Frequency is carried
as the per-unit deviation ``x = (f - f0) / f0``; powers are in MW.

Model
-----
Aggregate (centre-of-inertia) swing equation of every machine on the bus ([1]_ eq. 3.212,
sec. 11.1)::

    2 E dx/dt = sum_i Pm_i + P_bat + P_grid - P_load (1 + D_L x) - sum_i Dm_i S_i x
    E = sum_i H_i S_i     (kinetic energy of the online machines [MW s])

Each unit's governor and turbine follow the IEEE TGOV1 structure ([1]_ sec. 9.1; the same
block diagram ANDES names TGOV1), with a GAST-like parameter set for gas turbines and a steam
cycle lag for combined cycles::

    u   = clip(Pref - db(x f0) / (f0 R), 0, Pmax)        (speed droop R, dead band db)
    dg/dt = clip((u - g) / T1, -r_down, r_up)            (valve / fuel lag, rate limit, anti-windup)
    dz/dt = (g - z) / T3 ;  y = z + T2/T3 (g - z)        (turbine lead-lag)
    ds/dt = (y - s) / Ts                                 (steam turbine behind the GT exhaust)
    Pm  = S_p [(1 - a) y + a s - Dt x]                   (a = steam share; S_p = rating [MW])

``Pmax`` is the unit's ambient-derated output (a gas turbine's exhaust-temperature limit; a
departure from GAST, whose temperature loop is dynamic).  Each machine's electrical output is
its mechanical power less its share of the inertial power, ``Pe_i = Pm_i - Dm_i S_i x - 2 H_i S_i
dx/dt``, so that generation balances the load at every step.

Battery fast frequency response: proportional from the dead band to full power at ``full_hz``
below (or above) nominal, after a detection delay and a first-order lag, within its power
rating and the energy above its minimum state of charge (a simplification of National Grid
ESO's Dynamic Containment service: dead band 15 mHz, full delivery at 0.5 Hz, within 1 s
[2]_).  Under-frequency load shedding: stages (threshold, delay, share of the load); a stage
acts once frequency has stayed below its threshold for its delay.  A grid feed that is
connected holds the bus at nominal frequency (a strong source) and takes the balance up to its
trip limit; held above it for ``grid_trip_delay_s`` its feeder protection opens.

The integrator is Heun's method (explicit trapezoid) at a fixed step; the discrete parts
(trips, UFLS stages, battery delay, grid protection) are updated between steps.

References
----------
.. [1] P. Kundur, *Power System Stability and Control*, McGraw-Hill, 1994: sec. 3.9 (swing
   equation), 9.1 (prime movers and governors), 11.1 (load damping D = 1-2 %/% typical).
.. [2] National Grid ESO, *Dynamic Containment* service terms (2020-2023): dead band +/-0.015 Hz,
   full response at +/-0.5 Hz, full delivery within 1 s (S, secondary summaries).
.. [3] Commission Regulation (EU) 2017/2196 (Network Code on Emergency and Restoration), Annex,
   and (EU) 2016/1388 (Demand Connection Code): UFLS from 49.0 Hz to 48.0 Hz in at least six
   steps of at most 10 % of the load, 45 % in total (Continental Europe).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np


def deadband(d, db):
    """No-jump dead band: ``sign(d) * max(|d| - db, 0)`` (same units as ``d``)."""
    d = np.asarray(d, dtype=float)
    return np.sign(d) * np.maximum(np.abs(d) - db, 0.0)


def steady_state_deviation_pu(delta_p_pu, droop_pu, damping_pu):
    """Steady-state frequency deviation after a load step with droop and load damping.

    ``Δf = -ΔP R / (1 + D R)`` in per unit on the machine base ([1]_ eq. 11.11, one machine).
    """
    return -np.asarray(delta_p_pu, float) * droop_pu / (1.0 + damping_pu * droop_pu)


def rocof_hz_per_s(f_hz, step_s: float, window_s: float = 0.5):
    """Rate of change of frequency over a sliding window (last axis: time) [Hz/s].

    The window (0.5 s by default, as ENTSO-E's RoCoF withstand definition) smooths the
    inertial jump; the first ``window`` samples use the shorter span available.
    """
    f = np.asarray(f_hz, float)
    n = max(int(round(window_s / step_s)), 1)
    out = np.zeros_like(f)
    if f.shape[-1] <= 1:
        return out
    k = np.arange(f.shape[-1])
    lag = np.maximum(k - n, 0)
    span = np.maximum((k - lag) * step_s, step_s)
    out = (f - f[..., lag]) / span
    out[..., 0] = out[..., 1] if f.shape[-1] > 1 else 0.0
    return out


def settling(f_hz, t_s, band_hz: float = 0.02, tail_s: float = 5.0):
    """Settling frequency (mean of the last ``tail_s``) and settling time: the last time the
    frequency was outside ``band_hz`` of it (NaN where it never settled in the window)."""
    f = np.atleast_2d(np.asarray(f_hz, float))
    t = np.asarray(t_s, float)
    tail = t >= t[-1] - tail_s
    with warnings.catch_warnings():  # a dead bus (all NaN) has no settling frequency
        warnings.simplefilter("ignore", RuntimeWarning)
        f_end = np.nanmean(f[:, tail], axis=1)
    outside = ~(np.abs(f - f_end[:, None]) <= band_hz)
    n = len(t)
    last_out = np.where(outside.any(axis=1), n - 1 - np.argmax(outside[:, ::-1], axis=1), -1)
    t_settle = np.where(last_out < 0, t[0], t[np.minimum(last_out + 1, n - 1)])
    t_settle = np.where((last_out >= n - 1) | np.isnan(f_end), np.nan, t_settle)
    return f_end, t_settle


@dataclass
class BusInputs:
    """Arrays for :func:`integrate_bus` (``B`` cases, ``U`` units, ``H`` halls, ``K`` UFLS stages).

    Powers in MW, times in s, frequency deviations in pu of ``f0_hz`` unless named otherwise.
    """

    f0_hz: float
    # units (B, U)
    on: np.ndarray
    rated_mw: np.ndarray
    mva: np.ndarray
    p0_mw: np.ndarray
    pmax_mw: np.ndarray
    h_s: np.ndarray
    droop: np.ndarray
    db_hz: np.ndarray
    t_gov_s: np.ndarray
    t_lead_s: np.ndarray
    t_lag_s: np.ndarray
    steam_frac: np.ndarray
    t_steam_s: np.ndarray
    rate_up: np.ndarray
    rate_down: np.ndarray
    dt_pu: np.ndarray
    dm_pu: np.ndarray
    uf_trip_pu: np.ndarray  # (B, U) deviation at which the unit's protection trips it (negative)
    trip_at_s: np.ndarray   # (B, U) scheduled trip time (inf = none)
    # load (B,)
    load0_mw: np.ndarray
    load_damping: np.ndarray
    # battery (B,)
    bat_p0_mw: np.ndarray
    bat_power_mw: np.ndarray
    bat_energy_avail_mwh: np.ndarray   # discharge energy above the SoC floor (AC)
    bat_charge_room_mwh: np.ndarray    # charge energy below the SoC ceiling (AC)
    bat_db_hz: float = 0.015
    bat_full_hz: float = 0.5
    bat_delay_s: float = 0.2
    bat_lag_s: float = 0.1
    # grid (B,)
    grid_on: np.ndarray = None
    bat_grid_forming: np.ndarray = None  # (B,) the battery forms the bus alone when no machine or grid holds it
    grid_p0_mw: np.ndarray = None
    grid_trip_mw: np.ndarray = None    # import above which the feeder protection opens
    grid_trip_delay_s: float = 0.5
    grid_loss_at_s: np.ndarray = None  # (B,) scheduled loss (inf = none)
    # UFLS (K,) thresholds as pu deviation (negative), delays, shares of load0
    ufls_dev_pu: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ufls_delay_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ufls_frac: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def shape(self) -> tuple[int, int]:
        return self.on.shape


def fastest_time_constant_s(inp: BusInputs) -> tuple[float, str]:
    """The fastest active time constant (what the fixed step must resolve) and its name."""
    cands = []
    on = inp.on.astype(bool)
    for name, arr in (("governor T1", inp.t_gov_s), ("turbine lag T3", inp.t_lag_s)):
        act = on & (arr > 0)
        if act.any():
            cands.append((float(arr[act].min()), name))
    if np.any(inp.bat_power_mw > 0):
        cands.append((float(inp.bat_lag_s), "battery response lag"))
    if not cands:
        return np.inf, "none"
    return min(cands)


def integrate_bus(inp: BusInputs, load_delta_mw: np.ndarray, step_s: float, *,
                  load_delta_damped: bool = True) -> dict[str, np.ndarray]:
    """Integrate the campus bus over ``load_delta_mw.shape[-1]`` steps of ``step_s``.

    Parameters
    ----------
    inp : BusInputs
        Units, load, battery, grid and UFLS settings (batch ``B`` first).
    load_delta_mw : numpy.ndarray
        Exogenous change of the bus load from its initial value at every step, ``(B, T)`` or
        ``(T,)`` [MW] (positive = more load).  ``T`` steps give ``T`` samples at ``t = k step_s``.
    step_s : float
        Fixed integration step [s].
    load_delta_damped : bool, default True
        Whether the exogenous load change is frequency-dependent like the rest of the load.

    Returns
    -------
    dict
        ``t_s`` (T,), ``x`` (B, T) frequency deviation [pu], ``pm_mw`` / ``pe_mw`` (B, T, U),
        ``bat_mw`` (B, T) battery output (discharge +), ``grid_mw`` (B, T), ``load_mw`` (B, T)
        served bus load, ``shed_mw`` (B, T) load shed by UFLS, ``on`` (B, T, U), ``grid_on``
        (B, T), ``dead`` (B, T) bus without any source, ``stage_t_s`` (B, K) time each UFLS
        stage acted (NaN = not), ``unit_trip_t_s`` (B, U) time each unit tripped (NaN = not) and
        ``unit_trip_cause`` (B, U) 0 none / 1 scheduled / 2 under-frequency protection,
        ``grid_trip_t_s`` (B,) feeder protection time (NaN = not).
    """
    B, U = inp.shape
    dl = np.broadcast_to(np.asarray(load_delta_mw, float), (B, np.shape(load_delta_mw)[-1]))
    T = dl.shape[1]
    dt = float(step_s)
    f0 = float(inp.f0_hz)
    on = inp.on.astype(bool).copy()
    rated = np.asarray(inp.rated_mw, float)
    safe_rated = np.where(rated > 0, rated, 1.0)
    pref = np.where(rated > 0, inp.p0_mw / safe_rated, 0.0)
    vmax = np.maximum(np.where(rated > 0, inp.pmax_mw / safe_rated, 0.0), pref)  # a unit above its derated figure keeps its output
    hs = inp.h_s * inp.mva
    inv_R = 1.0 / np.maximum(inp.droop, 1e-6)
    inv_T1 = 1.0 / np.maximum(inp.t_gov_s, 1e-6)
    inst3 = inp.t_lag_s <= 0  # no turbine lag: the turbine follows the valve at once
    inv_T3 = np.where(inst3, 0.0, 1.0 / np.where(inst3, 1.0, inp.t_lag_s))
    lead = np.where(inst3, 1.0, inp.t_lead_s * inv_T3)
    inst_s = inp.t_steam_s <= 0
    inv_Ts = np.where(inst_s, 0.0, 1.0 / np.where(inst_s, 1.0, inp.t_steam_s))
    a = inp.steam_frac
    w_gt = rated * (1.0 - a)
    w_st = rated * a
    w_dt = rated * inp.dt_pu
    dbu = inp.db_hz / f0
    rup, rdn = inp.rate_up, -inp.rate_down
    dmS = inp.dm_pu * inp.mva
    g = pref.copy()
    z = pref.copy()
    s = pref.copy()
    x = np.zeros(B)
    bdev = np.zeros(B)  # battery output change from its initial value [MW]
    grid_on = (np.ones(B, bool) if inp.grid_on is None else inp.grid_on.astype(bool).copy())
    grid_trip_mw = np.full(B, np.inf) if inp.grid_trip_mw is None else inp.grid_trip_mw
    grid_loss_at = np.full(B, np.inf) if inp.grid_loss_at_s is None else inp.grid_loss_at_s
    next_grid_loss = float(np.min(grid_loss_at)) if B else np.inf
    trip_at = inp.trip_at_s
    next_trip = float(np.min(trip_at)) if trip_at.size else np.inf
    load0 = inp.load0_mw
    Dl = inp.load_damping
    K = len(inp.ufls_dev_pu)
    stage_timer = np.zeros((B, K))
    stage_done = np.zeros((B, K), bool)
    stage_t = np.full((B, K), np.nan)
    shed = np.zeros(B)
    trip_t = np.full((B, U), np.nan)
    trip_cause = np.zeros((B, U), np.int8)
    grid_trip_t = np.full(B, np.nan)
    grid_over_timer = np.zeros(B)
    e_dis = np.zeros(B)  # battery energy delivered in the event (charge negative) [MWh]
    nd = max(int(round(inp.bat_delay_s / dt)), 0)
    xhist = np.zeros((nd + 1, B))
    bat_on = inp.bat_power_mw > 0
    any_bat = bool(bat_on.any())
    inv_bl = 1.0 / max(inp.bat_lag_s, 1e-6)
    b_full = max(inp.bat_full_hz - inp.bat_db_hz, 1e-9) / f0
    b_db = inp.bat_db_hz / f0
    bat_p0 = inp.bat_p0_mw
    bat_up = np.maximum(inp.bat_power_mw - bat_p0, 0.0)     # more discharge / less charge
    bat_dn = np.maximum(inp.bat_power_mw + bat_p0, 0.0)     # less discharge / more charge
    uf_pu = inp.uf_trip_pu

    out_x = np.empty((B, T))
    out_pm = np.empty((B, T, U))
    out_pe = np.empty((B, T, U))
    out_bat = np.empty((B, T))
    out_grid = np.empty((B, T))
    out_load = np.empty((B, T))
    out_shed = np.empty((B, T))
    out_on = np.empty((B, T, U), bool)
    out_gon = np.empty((B, T), bool)
    out_dead = np.empty((B, T), bool)

    bgf = np.zeros(B, bool) if inp.bat_grid_forming is None else (np.asarray(inp.bat_grid_forming, bool) & bat_on)
    bat_trip = np.zeros(B, bool)
    bat_trip_t = np.full(B, np.nan)
    bform = np.zeros(B, bool)
    bform_t = np.full(B, np.nan)

    def topology():
        nonlocal bform
        onf = on.astype(float)
        e = (hs * onf).sum(axis=1)
        bform = bgf & ~bat_trip & ~grid_on & (e <= 0)
        dead = ~grid_on & (e <= 0) & ~bform
        isl = ~grid_on & (e > 0)
        inv2e = np.where(isl, 0.5 / np.where(e > 0, e, 1.0), 0.0)
        flags = (bool(dead.any()), bool(dead.all()), bool(grid_on.any()), bool(grid_on.all()))
        return onf, dead, inv2e, (dmS * onf).sum(axis=1), flags

    onf, dead, inv2e, dm_tot, (any_dead, all_dead, any_grid, all_grid) = topology()
    ufls_top = float(inp.ufls_dev_pu.max()) if K else -np.inf
    timers_live = False
    uf_top = float(uf_pu.max()) if U else -np.inf
    target = np.zeros(B)

    def deriv(xv, gv, zv, sv, bv, load_mw, load_fixed):
        xc = xv[:, None]
        dev = np.maximum(np.abs(xc) - dbu, 0.0) * np.sign(xc)
        u = np.minimum(np.maximum(pref - dev * inv_R, 0.0), vmax)
        dg = np.minimum(np.maximum((u - gv) * inv_T1, rdn), rup)
        dg[((gv >= vmax) & (dg > 0)) | ((gv <= 0) & (dg < 0))] = 0.0
        y = zv + lead * (gv - zv)
        sv = np.where(inst_s, y, sv)
        pm = (w_gt * y + w_st * sv - w_dt * xc) * onf
        dz = (gv - zv) * inv_T3
        ds = (y - sv) * inv_Ts
        pbat = bat_p0 + bv
        pload = load_mw * (1.0 + Dl * xv) + load_fixed
        dx = (pm.sum(axis=1) + pbat - pload - dm_tot * xv) * inv2e
        return dx, dg, dz, ds, pm, pbat, pload

    hpos = 0
    for k in range(T):
        t = k * dt
        changed = False
        # -- discrete events at the start of the step
        if t + 1e-12 >= next_trip:
            sched = on & (trip_at <= t + 1e-12)
            if sched.any():
                trip_t[sched] = t
                trip_cause[sched] = 1
                on &= ~sched
                changed = True
            rest = trip_at[on & (trip_at > t + 1e-12)]
            next_trip = float(rest.min()) if rest.size else np.inf
        if t + 1e-12 >= next_grid_loss:
            lost = grid_on & (grid_loss_at <= t + 1e-12)
            if lost.any():
                grid_on &= ~lost
                grid_trip_t[lost & np.isnan(grid_trip_t)] = t
                changed = True
            rest = grid_loss_at[grid_on & (grid_loss_at > t + 1e-12)]
            next_grid_loss = float(rest.min()) if rest.size else np.inf
        xmin = float(x.min())
        if U and not all_grid and xmin < uf_top:
            uf = on & ~grid_on[:, None] & (x[:, None] < uf_pu)
            if uf.any():
                trip_t[uf] = t
                trip_cause[uf] = 2
                on &= ~uf
                changed = True
        if K and not all_grid and (timers_live or xmin < ufls_top):
            below = (x[:, None] < inp.ufls_dev_pu[None, :]) & ~grid_on[:, None] & ~stage_done & ~dead[:, None]
            stage_timer = np.where(below, stage_timer + dt, 0.0)
            timers_live = bool(below.any())
            act = below & (stage_timer >= inp.ufls_delay_s[None, :] - 1e-12)
            if act.any():
                stage_done |= act
                stage_t[act] = t
                shed = np.minimum((stage_done * inp.ufls_frac[None, :]).sum(axis=1) * load0, load0)
        if changed:
            onf, dead, inv2e, dm_tot, (any_dead, all_dead, any_grid, all_grid) = topology()
        # battery request from the delayed frequency (Dynamic-Containment-like proportional)
        if any_bat:
            xhist[hpos] = x
            hpos = (hpos + 1) % (nd + 1)
            xd = xhist[hpos] if nd else x
            frac = np.minimum(np.maximum((np.abs(xd) - b_db) / b_full, 0.0), 1.0)
            target = np.where(xd < 0, frac * bat_up, -frac * bat_dn)
            if any_grid or any_dead or bform.any():
                target = np.where(bat_on & ~grid_on & ~dead & ~bform, target, 0.0)
            # energy limits: the battery stops at its SoC floor (ceiling)
            target = np.where(e_dis >= inp.bat_energy_avail_mwh, np.minimum(target, -bat_p0), target)
            target = np.where(-e_dis >= inp.bat_charge_room_mwh, np.maximum(target, -bat_p0), target)
        load_mw = np.maximum(load0 - shed + (dl[:, k] if load_delta_damped else 0.0), 0.0)
        load_fixed = 0.0 if load_delta_damped else dl[:, k]
        # -- Heun step
        dx1, dg1, dz1, ds1, pm1, pbat1, pload1 = deriv(x, g, z, s, bdev, load_mw, load_fixed)
        db1 = (target - bdev) * inv_bl if any_bat else 0.0
        # record the state at t (electrical outputs carry the inertial share)
        out_pm[:, k] = pm1
        out_pe[:, k] = pm1 - (dmS * x[:, None] + 2.0 * hs * dx1[:, None]) * onf
        if any_grid:
            gbal = pload1 + dm_tot * x - pm1.sum(axis=1) - pbat1
            out_grid[:, k] = np.where(grid_on, gbal, 0.0)
        else:
            out_grid[:, k] = 0.0
        if any_dead:
            out_x[:, k] = np.where(dead, np.nan, x)
            out_bat[:, k] = np.where(dead, 0.0, pbat1)
            out_load[:, k] = np.where(dead, 0.0, pload1)
            out_shed[:, k] = np.where(dead, load_mw + load_fixed + shed, shed)
        else:
            out_x[:, k] = x
            out_bat[:, k] = pbat1
            out_load[:, k] = pload1
            out_shed[:, k] = shed
        if bform.any():
            # a grid-forming battery holds the bus alone: it takes the balance, up to its power and charge
            pb = pload1 + dm_tot * x - pm1.sum(axis=1)
            out_bat[:, k] = np.where(bform, pb, out_bat[:, k])
            bform_t[bform & np.isnan(bform_t)] = t
            e_dis = e_dis + np.where(bform, pb - pbat1, 0.0) * (dt / 3600.0)
            over = bform & ((pb > inp.bat_power_mw + 1e-9) | (e_dis >= inp.bat_energy_avail_mwh))
            if over.any():
                bat_trip |= over
                bat_trip_t[over] = t
                onf, dead, inv2e, dm_tot, (any_dead, all_dead, any_grid, all_grid) = topology()
        out_on[:, k] = on
        out_gon[:, k] = grid_on
        out_dead[:, k] = dead
        if all_dead:
            x[:] = 0.0
            continue
        h = dt
        dx2, dg2, dz2, ds2, *_ = deriv(x + h * dx1, np.minimum(np.maximum(g + h * dg1, 0.0), vmax), z + h * dz1,
                                       s + h * ds1, bdev + h * db1, load_mw, load_fixed)
        hh = 0.5 * dt
        x = x + hh * (dx1 + dx2)
        g = np.minimum(np.maximum(g + hh * (dg1 + dg2), 0.0), vmax)
        z = z + hh * (dz1 + dz2)
        s = s + hh * (ds1 + ds2)
        if any_bat:
            bp = bdev + h * db1
            db2 = (target - bp) * inv_bl
            bdev = np.minimum(np.maximum(bdev + hh * (db1 + db2), -bat_dn), bat_up)
            e_dis = e_dis + (bat_p0 + bdev) * (dt / 3600.0)
            # the battery management cuts the output at once at the SoC floor (ceiling)
            bdev = np.where(e_dis >= inp.bat_energy_avail_mwh, np.minimum(bdev, -bat_p0), bdev)
            bdev = np.where(-e_dis >= inp.bat_charge_room_mwh, np.maximum(bdev, -bat_p0), bdev)
        # grid feeder protection: import above its trip limit for longer than the delay
        if any_grid:
            over = grid_on & (gbal > grid_trip_mw)
            if over.any() or grid_over_timer.any():
                grid_over_timer = np.where(over, grid_over_timer + dt, 0.0)
                gtrip = over & (grid_over_timer >= inp.grid_trip_delay_s - 1e-12)
                if gtrip.any():
                    grid_on &= ~gtrip
                    grid_trip_t[gtrip] = t + dt
                    onf, dead, inv2e, dm_tot, (any_dead, all_dead, any_grid, all_grid) = topology()
        if any_dead:
            x = np.where(dead, 0.0, x)
    return {
        "t_s": np.arange(T) * dt, "x": out_x, "pm_mw": out_pm, "pe_mw": out_pe, "bat_mw": out_bat,
        "grid_mw": out_grid, "load_mw": out_load, "shed_mw": out_shed, "on": out_on, "grid_on": out_gon,
        "dead": out_dead, "stage_t_s": stage_t, "unit_trip_t_s": trip_t, "unit_trip_cause": trip_cause,
        "grid_trip_t_s": grid_trip_t, "bat_form_t_s": bform_t, "bat_trip_t_s": bat_trip_t,
    }
