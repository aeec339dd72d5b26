"""Battery energy storage: state of charge, peak shaving, degradation cost."""

from __future__ import annotations

import math

import numpy as np

from models import _as_arrays, _check_range, _restore, _restore_dict

__all__ = ["soc_mwh", "peak_shave", "degradation_cost_usd"]

#: One-way efficiency from the DEA Viet Nam catalogue's 91 % AC round trip.
_ETA_ONE_WAY = math.sqrt(0.91)


def _check_common(step_h, energy_mwh, initial_soc_frac, eff_charge, eff_discharge, self_discharge_frac_per_day):
    _check_range("step_h", step_h, 0.0, 24.0, lo_open=True, why="a step length must be positive and at most a day")
    _check_range("energy_mwh", energy_mwh, 0.0, None, lo_open=True, why="a battery needs a positive energy capacity")
    _check_range("initial_soc_frac", initial_soc_frac, 0.0, 1.0, why="state of charge is a fraction")
    _check_range("eff_charge", eff_charge, 0.0, 1.0, lo_open=True, why="an efficiency is in (0, 1]")
    _check_range("eff_discharge", eff_discharge, 0.0, 1.0, lo_open=True, why="an efficiency is in (0, 1]")
    _check_range("self_discharge_frac_per_day", self_discharge_frac_per_day, 0.0, 1.0,
                 why="self-discharge is a fraction per day")


def soc_mwh(
    charge_mw,
    discharge_mw,
    step_h,
    *,
    energy_mwh,
    initial_soc_frac=0.5,
    eff_charge=_ETA_ONE_WAY,
    eff_discharge=_ETA_ONE_WAY,
    self_discharge_frac_per_day=0.001,
):
    r"""State of charge after each step for a given charge/discharge schedule.

    Parameters
    ----------
    charge_mw, discharge_mw : ndarray or DataArray, shape (n,)
        AC power into and out of the battery, mean over each step [MW], >= 0.
    step_h : float
        Step length [h].
    energy_mwh : float
        Energy capacity [MWh]; sets the initial state only (no clipping here).
    initial_soc_frac : float, default 0.5
        State of charge before the first step [fraction of ``energy_mwh``].
    eff_charge, eff_discharge : float, default sqrt(0.91)
        One-way AC efficiencies [fraction]: the DEA Viet Nam catalogue's 91 %
        AC round trip split evenly [1]_.
    self_discharge_frac_per_day : float, default 0.001
        Self-discharge [fraction of the content per day]; 0.1 %/day [1]_.

    Returns
    -------
    ndarray or DataArray, shape (n,)
        Stored energy at the end of each step [MWh]. Values outside
        [0, energy_mwh] mean the schedule is infeasible; they are reported,
        not clipped.

    Raises
    ------
    ValueError
        For negative power or out-of-range coefficients.

    Notes
    -----
    .. math::

        S_i = a\,S_{i-1} + \left(\eta_c C_i - D_i/\eta_d\right)\Delta t,
        \qquad a = 1 - \sigma\,\Delta t / 24

    The recursion is linear, so it is evaluated with cumulative sums,
    :math:`S_i = a^{i+1}\left(S_{-1} + \sum_{k \le i} x_k a^{-(k+1)}\right)`,
    in blocks short enough that :math:`a^{-k}` stays well conditioned. A NaN
    power counts as zero for the recursion and gives NaN at that step only.

    References
    ----------
    .. [1] Danish Energy Agency and EREA, Viet Nam Technology Catalogue,
       utility-scale lithium-ion battery (via PyPSA/technology-data):
       round-trip efficiency 91 % (AC), self-discharge 0.1 %/day.
    """
    _check_common(step_h, energy_mwh, initial_soc_frac, eff_charge, eff_discharge, self_discharge_frac_per_day)
    (c, d), template = _as_arrays(charge_mw, discharge_mw)
    c, d = np.broadcast_arrays(c, d)
    if c.ndim != 1:
        raise ValueError(f"charge_mw has shape {c.shape}: it must be one-dimensional (time)")
    _check_range("charge_mw", c, 0.0, None, why="charging power cannot be negative")
    _check_range("discharge_mw", d, 0.0, None, why="discharging power cannot be negative")
    dt = float(step_h)
    x = (float(eff_charge) * c - d / float(eff_discharge)) * dt
    nan_mask = np.isnan(x)
    x = np.where(nan_mask, 0.0, x)
    a = 1.0 - float(self_discharge_frac_per_day) * dt / 24.0
    n = x.shape[0]
    soc = np.empty(n)
    s_prev = float(energy_mwh) * float(initial_soc_frac)
    if a == 1.0:
        soc[:] = s_prev + np.cumsum(x)
    elif a <= 0.0:  # everything self-discharges within the step
        soc[:] = x
    else:
        block = max(1, min(n, int(20.0 / -math.log(a))))  # keeps a**-block below e**20
        for start in range(0, n, block):
            stop = min(n, start + block)
            pw = a ** np.arange(1, stop - start + 1, dtype=float)
            seg = pw * (s_prev + np.cumsum(x[start:stop] / pw))
            soc[start:stop] = seg
            s_prev = float(seg[-1])
    soc = np.where(nan_mask, np.nan, soc)
    return _restore(soc, template)


def peak_shave(
    net_load_mw,
    threshold_mw,
    step_h,
    *,
    power_mw,
    energy_mwh,
    soc_min_frac=0.1,
    soc_max_frac=0.9,
    initial_soc_frac=0.5,
    eff_charge=_ETA_ONE_WAY,
    eff_discharge=_ETA_ONE_WAY,
    recharge_below_mw=None,
    self_discharge_frac_per_day=0.001,
):
    r"""Greedy peak-shaving dispatch of a battery.

    Parameters
    ----------
    net_load_mw : ndarray or DataArray, shape (n,)
        Load to be served from the grid or the gas plant before the battery
        [MW].
    threshold_mw : float or array, shape (n,)
        Discharge when the net load exceeds this [MW].
    step_h : float
        Step length [h].
    power_mw : float
        Power rating, charge and discharge [MW].
    energy_mwh : float
        Energy capacity [MWh].
    soc_min_frac, soc_max_frac : float, default 0.1, 0.9
        State-of-charge window [fraction]. Engineering assumption.
    initial_soc_frac : float, default 0.5
        State of charge before the first step [fraction].
    eff_charge, eff_discharge : float, default sqrt(0.91)
        One-way AC efficiencies [1]_.
    recharge_below_mw : float or array, optional
        Recharge only while the net load is below this ceiling, and never
        push it above the ceiling [MW]; default ``threshold_mw``. Must not
        exceed ``threshold_mw``.
    self_discharge_frac_per_day : float, default 0.001
        Self-discharge [fraction per day] [1]_.

    Returns
    -------
    dict
        ``battery_discharge_mw``, ``battery_charge_mw`` [MW],
        ``battery_soc_mwh`` at the end of each step [MWh] and
        ``net_load_after_mw`` = net load - discharge + charge [MW].

    Raises
    ------
    ValueError
        For non-positive ratings, an inconsistent state-of-charge window or a
        recharge ceiling above the threshold.

    Notes
    -----
    The rule an operator would recognise, step by step (self-discharge first,
    as in :func:`soc_mwh`, whose recursion this dispatch satisfies exactly):

    - net load above the threshold: discharge
      :math:`\min(L - T,\ P_{max},\ (a S - S_{min})\,\eta_d / \Delta t)`;
    - net load below the recharge ceiling :math:`R`: charge
      :math:`\min(R - L,\ P_{max},\ (S_{max} - a S) / (\eta_c \Delta t))`;
    - otherwise idle.

    A NaN net load leaves the battery idle and gives NaN power in that step.
    The loop runs on plain Python floats (the limits make the recursion
    non-linear); a year at one-minute steps takes a few tenths of a second.

    References
    ----------
    .. [1] Danish Energy Agency and EREA, Viet Nam Technology Catalogue,
       utility-scale lithium-ion battery (via PyPSA/technology-data).
    """
    _check_common(step_h, energy_mwh, initial_soc_frac, eff_charge, eff_discharge, self_discharge_frac_per_day)
    _check_range("power_mw", power_mw, 0.0, None, lo_open=True, why="a power rating must be positive")
    _check_range("soc_min_frac", soc_min_frac, 0.0, 1.0, why="state of charge is a fraction")
    _check_range("soc_max_frac", soc_max_frac, 0.0, 1.0, why="state of charge is a fraction")
    if not float(soc_max_frac) > float(soc_min_frac):
        raise ValueError(
            f"soc_max_frac={float(soc_max_frac):g} is not above soc_min_frac={float(soc_min_frac):g}: "
            "the state-of-charge window is empty"
        )
    ceiling = threshold_mw if recharge_below_mw is None else recharge_below_mw
    (load, thr, ceil), template = _as_arrays(net_load_mw, threshold_mw, ceiling)
    if load.ndim != 1:
        raise ValueError(f"net_load_mw has shape {load.shape}: it must be one-dimensional (time)")
    n = load.shape[0]
    thr = np.broadcast_to(thr, (n,))
    ceil = np.broadcast_to(ceil, (n,))
    with np.errstate(invalid="ignore"):
        bad = ceil > thr
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"recharge_below_mw={ceil[i]:g} is above threshold_mw={thr[i]:g}: recharging would push the "
            "net load above the discharge threshold"
        )

    dt = float(step_h)
    e = float(energy_mwh)
    s_min = e * float(soc_min_frac)
    s_max = e * float(soc_max_frac)
    p_max = float(power_mw)
    eta_c = float(eff_charge)
    eta_d = float(eff_discharge)
    a = 1.0 - float(self_discharge_frac_per_day) * dt / 24.0
    d_per_mwh = eta_d / dt  # discharge MW per MWh above the floor
    c_per_mwh = 1.0 / (eta_c * dt)  # charge MW per MWh below the ceiling
    # Wanted power before the energy limits: + discharge, - charge.
    with np.errstate(invalid="ignore"):
        want = np.where(
            load > thr,
            np.minimum(load - thr, p_max),
            np.where(load < ceil, -np.minimum(ceil - load, p_max), 0.0),
        )
    want_list = want.tolist()
    d_out = [0.0] * n
    c_out = [0.0] * n
    s_out = [0.0] * n
    s = e * float(initial_soc_frac)
    for i, p in enumerate(want_list):
        s *= a
        if p > 0.0:
            room = (s - s_min) * d_per_mwh
            if p > room:
                p = room if room > 0.0 else 0.0
            d_out[i] = p
            s -= p / d_per_mwh
        elif p < 0.0:
            p = -p
            room = (s_max - s) * c_per_mwh
            if p > room:
                p = room if room > 0.0 else 0.0
            c_out[i] = p
            s += p / c_per_mwh
        s_out[i] = s
    nan_load = np.isnan(load)
    d_arr = np.where(nan_load, np.nan, d_out)
    c_arr = np.where(nan_load, np.nan, c_out)
    return _restore_dict(
        {
            "battery_discharge_mw": d_arr,
            "battery_charge_mw": c_arr,
            "battery_soc_mwh": np.asarray(s_out),
            "net_load_after_mw": load - d_arr + c_arr,
        },
        template,
    )


def degradation_cost_usd(throughput_mwh, *, usd_per_mwh=15.0):
    r"""Cycle-degradation cost as a linear throughput penalty.

    Parameters
    ----------
    throughput_mwh : float, ndarray or DataArray
        Energy discharged [MWh].
    usd_per_mwh : float, default 15.0
        Cost per MWh discharged [USD/MWh]. Derived: DEA Viet Nam energy
        component 152 USD/kWh [1]_ over 10,000 full cycles to 80 % state of
        health [1]_: 152,000 USD/MWh / 10,000 = 15.2 USD/MWh.

    Returns
    -------
    float, ndarray or DataArray
        Cost [USD].

    Notes
    -----
    :math:`C = c\,E_{dis}`. Calendar ageing, often dominant in grid use, is
    not included.

    References
    ----------
    .. [1] Danish Energy Agency and EREA, Viet Nam Technology Catalogue,
       utility-scale lithium-ion battery (via PyPSA/technology-data): energy
       component 0.152 MUSD/MWh (USD 2019), 10,000 cycles (2020).
    """
    _check_range("usd_per_mwh", usd_per_mwh, 0.0, None, why="a cost cannot be negative")
    (e,), template = _as_arrays(throughput_mwh)
    _check_range("throughput_mwh", e, 0.0, None, why="throughput cannot be negative")
    return _restore(e * float(usd_per_mwh), template)
