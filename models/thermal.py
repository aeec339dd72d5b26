"""Transient heat-up of a cooling loop when its heat removal is lost: lumped thermal masses.

Each loop (a hall's chilled-water loop with its room air, an immersion fluid inventory, a
cold-plate secondary loop) is one lumped mass at a uniform temperature ``T`` (a well-mixed
node, as in the rate-of-heating analyses of [1]_ and [2]_)::

    C dT/dt = Q_in(t) - Q_out(t) - Q_tes(t)
    C       = sum m c_p                                  [J/K]
    Q_in    = IT heat on the loop x throttle(T)          [W]
    Q_out   = a(t) clip(Q_in + C (T - T0) / tau, 0, r Q0)  (the plant, available share a(t))

``Q_tes`` is chilled-water storage discharged while it lasts (at most its power rating).
GPUs throttle as ``T`` nears the limit: their power (and heat) falls linearly from full at
``T_lim - band`` to the floor share at ``T_lim``; at the limit the IT shuts down (thermal trip).
A constant heat ``Q`` into a mass ``m c`` with no removal warms it at ``Q / (m c)`` [K/s].

References
----------
.. [1] Lin, Zhang, VanGilder, "Data center temperature rise during a cooling system outage",
   Schneider Electric / APC White Paper 179 (P, not read in full).
.. [2] Khankari (2011), "Rate of heating analysis of data centers during power shutdown",
   ASHRAE Transactions 117(1) LV-11-C026 (P, not read in full).
.. [3] ASHRAE TC 9.9 (2021), *Thermal Guidelines for Data Processing Environments*, 5th ed.:
   allowable inlet 32 / 35 / 40 / 45 / 25 degC for A1 / A2 / A3 / A4 / H1 (via reference-data C1, S).
"""

from __future__ import annotations

import numpy as np

#: ASHRAE TC 9.9 allowable maximum inlet dry-bulb by class [degC] ([3]_, S)
ASHRAE_ALLOWABLE_MAX_C = {"A1": 32.0, "A2": 35.0, "A3": 40.0, "A4": 45.0, "H1": 25.0}


def heat_capacity_j_per_k(volume_m3, density_kg_m3, cp_j_kg_k):
    """Heat capacity ``rho V c_p`` of a lumped mass [J/K]."""
    return np.asarray(volume_m3, float) * density_kg_m3 * cp_j_kg_k


def heating_rate_k_per_s(q_w, heat_capacity_j_k):
    """Temperature rise rate of a lumped mass with no heat removal, ``Q / (m c)`` [K/s]."""
    return np.asarray(q_w, float) / np.asarray(heat_capacity_j_k, float)


def throttle_frac(t_c, t_limit_c, band_k, floor_frac):
    """IT power share under thermal throttling: 1 below ``t_limit - band``, falling linearly to
    ``floor_frac`` at the limit [fraction]."""
    r = np.clip((np.asarray(t_c, float) - (t_limit_c - band_k)) / band_k, 0.0, 1.0)
    return 1.0 - (1.0 - floor_frac) * r


def ride_through(q_in_w, avail_frac, step_s: float, *, heat_capacity_j_k, t0_c, t_limit_c,
                 band_k=2.0, floor_frac=0.3, capacity_ratio=1.2, recovery_tau_s=120.0,
                 tes_energy_j=0.0, tes_power_w=0.0):
    """Integrate lumped loops through a loss of heat removal (explicit Euler, fixed step).

    Parameters
    ----------
    q_in_w : numpy.ndarray
        Heat the IT would put into each loop without throttling, ``(T, L)`` [W].
    avail_frac : numpy.ndarray
        Share of the loop's heat removal that is available at each step, ``(T, L)`` [fraction].
    step_s : float
        Time step [s]; must be well under ``C / (dQ/dT)`` (checked: ``step <= recovery_tau / 5``).
    heat_capacity_j_k, t0_c, t_limit_c : array_like
        Per loop ``(L,)``: heat capacity [J/K], temperature at the event (the set point) [degC]
        and the limit (ASHRAE class or the liquid loop's supply limit) [degC].
    band_k, floor_frac : float or array_like
        Throttling band below the limit [K] and the IT power share at full throttle [fraction].
    capacity_ratio, recovery_tau_s : float or array_like
        Plant capacity as a multiple of the heat at the event, and the time constant with which
        it pulls the loop back to ``t0_c`` once available [s].
    tes_energy_j, tes_power_w : array_like
        Chilled-water storage per loop: usable energy [J] and discharge limit [W].

    Returns
    -------
    dict
        ``t_c`` (T, L) loop temperature; ``it_frac`` (T, L) IT power share (throttled, 0 after a
        thermal trip); ``q_out_w`` (T, L); ``tes_w`` (T, L); ``time_to_limit_s`` (L,) (NaN =
        not reached); ``peak_c`` (L,); ``trip_s`` (L,) when the IT shut down (NaN = not).
    """
    q = np.atleast_2d(np.asarray(q_in_w, float))
    av = np.broadcast_to(np.asarray(avail_frac, float), q.shape)
    T, L = q.shape
    C = np.broadcast_to(np.asarray(heat_capacity_j_k, float), (L,))
    if np.any(C <= 0):
        raise ValueError("heat_capacity_j_k must be positive")
    t0 = np.broadcast_to(np.asarray(t0_c, float), (L,))
    tl = np.broadcast_to(np.asarray(t_limit_c, float), (L,))
    tau = np.broadcast_to(np.asarray(recovery_tau_s, float), (L,))
    if step_s > tau.min() / 5.0:
        raise ValueError(f"step {step_s:g} s is too large for the recovery time constant {tau.min():g} s")
    q0 = q[0]
    cap = np.asarray(capacity_ratio, float) * q0
    tes_e = np.broadcast_to(np.asarray(tes_energy_j, float), (L,)).copy()
    tes_p = np.broadcast_to(np.asarray(tes_power_w, float), (L,))
    temp = t0.copy()
    tripped = np.zeros(L, bool)
    out_t = np.empty((T, L))
    out_f = np.empty((T, L))
    out_q = np.empty((T, L))
    out_tes = np.empty((T, L))
    t_lim = np.full(L, np.nan)
    trip_s = np.full(L, np.nan)
    for k in range(T):
        f = np.where(tripped, 0.0, throttle_frac(temp, tl, band_k, floor_frac))
        qin = q[k] * f
        qout = av[k] * np.clip(qin + C * (temp - t0) / tau, 0.0, cap)
        need = np.maximum(qin - qout, 0.0)
        tes = np.where(tes_e > 0, np.minimum(need, tes_p), 0.0)
        tes_e = np.maximum(tes_e - tes * step_s, 0.0)
        out_t[k], out_f[k], out_q[k], out_tes[k] = temp, f, qout, tes
        reach = np.isnan(t_lim) & (temp >= tl - 1e-9)
        t_lim[reach] = k * step_s
        trip_now = reach & ~tripped
        trip_s[trip_now] = k * step_s
        tripped |= reach
        temp = temp + step_s * (qin - qout - tes) / C
    return {"t_c": out_t, "it_frac": out_f, "q_out_w": out_q, "tes_w": out_tes,
            "time_to_limit_s": t_lim, "peak_c": out_t.max(axis=0), "trip_s": trip_s}
