"""AI-training power swings: a synchronous job's rack power at sub-second steps, and the
GPU- and rack-side measures that smooth it (power floor, ramp limit, energy storage).

Pure, vectorised functions of numpy arrays (no I/O). The hourly twin gives each hall a mean
IT power; this module resolves the training part of it into the iteration-by-iteration swing
that synchronous data-parallel training draws [1]_: every iteration has a compute-heavy phase
near full power and a communication-heavy phase near idle, all racks of the job in step, plus
the job-level events (checkpoints, start and stop ramps, a failure and its restart).

References
----------
.. [1] Choukse, E., Warrier, B., Heath, S., et al. (2025). Power Stabilization for AI Training
   Datacenters. arXiv:2508.14318 (Microsoft, OpenAI, NVIDIA).
.. [2] NVIDIA Technical Blog (2025). How new GB300 NVL72 features provide steady power for AI
   (power-cap ramp at job start, energy storage in the power supplies in steady state, a
   "power burner" floor at job end).
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from models import _as_arrays, _check_range, _restore

__all__ = [
    "training_swing_mw",
    "apply_power_floor",
    "apply_ramp_limit",
    "storage_smoothing",
]


def _positive(name: str, v, why: str) -> float:
    v = float(v)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name}={v:g} must be > 0: {why}")
    return v


def training_swing_mw(
    time_s,
    *,
    racks: int,
    rack_kw_max: float,
    idle_frac: float,
    iteration_s: float,
    compute_frac: float,
    compute_util_frac: float = 1.0,
    comm_util_frac: float = 0.1,
    jitter_s: float = 0.0,
    rack_groups: int = 64,
    checkpoint_interval_s: float | None = None,
    checkpoint_s: float = 0.0,
    start_s: float | None = None,
    start_ramp_s: float = 0.0,
    stop_s: float | None = None,
    stop_ramp_s: float = 0.0,
    failure_s: float | None = None,
    restart_s: float = 0.0,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    r"""Power of the racks of one synchronous training job, step by step.

    Parameters
    ----------
    time_s : ndarray
        Time [s], equally spaced.
    racks : int
        Racks in the job (all in step but for ``jitter_s``).
    rack_kw_max, idle_frac : float
        Rack power at full utilisation [kW] and idle power as a fraction of it [fraction]
        (the rack catalogue, as :func:`models.racks.rack_power_kw`).
    iteration_s : float
        Training iteration period [s]; must be at least two time steps.
    compute_frac : float
        Share of the iteration in the compute-heavy phase [fraction, 0-1].
    compute_util_frac, comm_util_frac : float
        Utilisation of the rack's dynamic power range in the compute and the communication
        phase [fraction]. Defaults 1.0 and 0.1: GPUs near TDP when computing and near idle
        when communicating [1]_ ("near idle" taken as 10 % of the range: assumption).
    jitter_s : float, default 0
        Standard deviation of the racks' phase offsets [s] (de-synchronisation). The racks are
        drawn into ``rack_groups`` groups, each with one offset from :math:`N(0, \sigma^2)`.
    rack_groups : int, default 64
        Number of independently offset groups (a resolution choice; racks split evenly).
    checkpoint_interval_s, checkpoint_s : float
        A checkpoint every ``checkpoint_interval_s`` [s] holds the job at communication power
        for ``checkpoint_s`` [s] (GPUs wait on storage I/O [1]_). ``None``: no checkpoints.
    start_s, start_ramp_s : float
        The job starts at ``start_s`` [s] (idle before) and ramps to its swing over
        ``start_ramp_s`` [s]. ``None``: running from the first step.
    stop_s, stop_ramp_s : float
        The job stops at ``stop_s`` [s] (idle after), ramping down over ``stop_ramp_s`` [s].
    failure_s, restart_s : float
        A failure at ``failure_s`` [s] drops the job to idle at once; it restarts after
        ``restart_s`` [s] with the start ramp.
    seed : int
        Seed of the phase offsets (the result is deterministic for a seed).

    Returns
    -------
    dict
        ``power_mw`` (time) [MW]: the job's racks; ``busy_mw``, ``comm_mw``, ``idle_mw``
        (scalars) [MW]: the job's power in the compute phase, the communication phase and at
        idle; ``running_frac`` (time) [fraction]: the job envelope (0 idle .. 1 running).

    Raises
    ------
    ValueError
        A period shorter than two steps, a fraction outside [0, 1], a negative duration.

    Notes
    -----
    Rack :math:`r` in group :math:`g` with offset :math:`\delta_g` draws

    .. math::

        P_r(t) = P_{max}\,[f_{idle} + (1 - f_{idle})\,u(t)],\qquad
        u(t) = \begin{cases} u_c & ((t - \delta_g) \bmod T) < d\,T \\ u_m & \text{otherwise}
        \end{cases}

    scaled by the job envelope :math:`e(t)\in[0,1]` (start and stop ramps, checkpoints,
    failure): :math:`P = P_{idle} + e\,(P_{swing} - P_{idle})`. With all racks in step the
    swing's peak-to-peak amplitude is :math:`N\,P_{max}(1-f_{idle})(u_c - u_m)`; offsets
    spread the edges, which lowers the spectral lines by about
    :math:`\exp(-(2\pi k\sigma/T)^2/2)` at harmonic :math:`k` (the characteristic function
    of the normal distribution).
    """
    t = np.asarray(time_s, dtype=float)
    if t.ndim != 1 or t.size < 2:
        raise ValueError("time_s must be a 1-d array of at least two times")
    step_s = float(t[1] - t[0])
    if step_s <= 0 or not np.allclose(np.diff(t), step_s, rtol=1e-6, atol=1e-9):
        raise ValueError("time_s must be equally spaced and increasing")
    iteration_s = _positive("iteration_s", iteration_s, "an iteration period is a positive time")
    if iteration_s < 2 * step_s * (1 - 1e-9):
        raise ValueError(f"iteration_s={iteration_s:g} is shorter than two time steps "
                         f"(step {step_s:g} s): the swing cannot be resolved; use a finer step")
    racks = int(racks)
    if racks < 0:
        raise ValueError(f"racks={racks} must be >= 0")
    for name, v in (("compute_frac", compute_frac), ("compute_util_frac", compute_util_frac),
                    ("comm_util_frac", comm_util_frac), ("idle_frac", idle_frac)):
        _check_range(name, v, 0.0, 1.0, why="a fraction in [0, 1]")
    for name, v in (("jitter_s", jitter_s), ("checkpoint_s", checkpoint_s), ("start_ramp_s", start_ramp_s),
                    ("stop_ramp_s", stop_ramp_s), ("restart_s", restart_s), ("rack_kw_max", rack_kw_max)):
        _check_range(name, v, 0.0, None, why="cannot be negative")
    if comm_util_frac > compute_util_frac:
        raise ValueError(f"comm_util_frac={comm_util_frac:g} is above compute_util_frac={compute_util_frac:g}: "
                         "the communication phase draws less than the compute phase")

    pmax_mw = racks * float(rack_kw_max) / 1000.0
    idle_mw = pmax_mw * float(idle_frac)
    dyn_mw = pmax_mw - idle_mw
    busy_mw = idle_mw + dyn_mw * float(compute_util_frac)
    comm_mw = idle_mw + dyn_mw * float(comm_util_frac)

    # ---- the in-step swing, group by group (each group one phase offset)
    n_groups = max(1, min(int(rack_groups), racks)) if racks else 1
    rng = np.random.default_rng(seed)
    offsets = rng.normal(0.0, float(jitter_s), n_groups) if jitter_s > 0 else np.zeros(n_groups)
    sizes = np.full(n_groups, racks // n_groups if racks else 0, dtype=float)
    sizes[: (racks % n_groups) if racks else 0] += 1
    weights = sizes / max(racks, 1)
    duty = float(compute_frac) * iteration_s
    per = iteration_s / step_s
    n_per = int(round(per))
    # the swing repeats every period: compute one period and tile it when the period is a
    # whole number of steps (the usual case), else every step
    tt = t[:n_per] if abs(per - n_per) < 1e-9 and n_per < t.size else t
    on_frac = np.zeros_like(tt)
    for w, d in zip(weights, offsets):
        on_frac += w * (np.mod(tt - d, iteration_s) < duty - 1e-6 * step_s)
    if tt.size < t.size:
        on_frac = np.resize(on_frac, t.size)
    swing_mw = comm_mw + (busy_mw - comm_mw) * on_frac

    # ---- the job envelope: start / stop ramps, checkpoints, failure and restart
    env = np.ones_like(t)
    if start_s is not None:
        env = np.minimum(env, _ramp_up(t, float(start_s), start_ramp_s))
    if stop_s is not None:
        env = np.minimum(env, 1.0 - _ramp_up(t, float(stop_s) - stop_ramp_s, stop_ramp_s))
    if failure_s is not None:
        down = (t >= failure_s) & (t < failure_s + restart_s)
        env = np.where(down, 0.0, env)
        env = np.minimum(env, np.where(t >= failure_s + restart_s,
                                       _ramp_up(t, failure_s + restart_s, start_ramp_s), 1.0))
    power = idle_mw + env * (swing_mw - idle_mw)
    if checkpoint_interval_s is not None and checkpoint_s > 0:
        ci = _positive("checkpoint_interval_s", checkpoint_interval_s, "a checkpoint interval is a positive time")
        t0 = t[0] if start_s is None else float(start_s)
        in_ckpt = (t >= t0) & (np.mod(t - t0, ci) >= ci - checkpoint_s)
        power = np.where(in_ckpt, idle_mw + env * (comm_mw - idle_mw), power)
    return {"power_mw": power, "busy_mw": busy_mw, "comm_mw": comm_mw, "idle_mw": idle_mw,
            "running_frac": env}


def _ramp_up(t: np.ndarray, t0: float, ramp_s: float) -> np.ndarray:
    """0 before ``t0``, 1 after ``t0 + ramp_s``, linear between."""
    if ramp_s <= 0:
        return (t >= t0).astype(float)
    return np.clip((t - t0) / ramp_s, 0.0, 1.0)


def apply_power_floor(power_mw, floor_mw: float, step_s: float, *, busy_mw: float | None = None):
    r"""A GPU power floor: the racks burn power up to ``floor_mw`` whenever they would draw less.

    Parameters
    ----------
    power_mw : ndarray or DataArray
        Unsmoothed power [MW] (labels are kept; a NaN stays NaN in its element only).
    floor_mw : float
        Floor [MW] (e.g. a fraction of the racks' TDP power).
    step_s : float
        Time step [s].
    busy_mw : float, optional
        Compute-phase power [MW]; a floor above it is refused (it would burn more than the
        job's own peak).

    Returns
    -------
    dict
        ``power_mw`` [MW]: :math:`\max(P, P_{floor})`; ``burn_mw`` [MW]: the power burnt,
        :math:`\max(0, P_{floor} - P)`; ``burn_mwh`` [MWh]: its energy over the series,
        :math:`\sum_t \max(0, P_{floor} - P_t)\,\Delta t / 3600`, which is by construction
        the area between the floor and the unsmoothed power (the floored minus the
        unsmoothed energy).

    Notes
    -----
    The software "fake work" / firmware floor of [1]_ and the GB300 "power burner" [2]_.
    The peak-to-peak swing falls from :math:`P_{busy} - P_{min}` to
    :math:`P_{busy} - \max(P_{floor}, P_{min})`.
    """
    (p,), template = _as_arrays(power_mw)
    floor_mw = float(floor_mw)
    if not np.isfinite(floor_mw) or floor_mw < 0:
        raise ValueError(f"floor_mw={floor_mw:g} must be >= 0")
    if busy_mw is not None and floor_mw > float(busy_mw) * (1 + 1e-9):
        raise ValueError(f"floor_mw={floor_mw:g} is above the busy (compute-phase) power {float(busy_mw):g} MW: "
                         "a floor cannot exceed the job's own peak")
    burn = np.maximum(0.0, floor_mw - p)   # NaN stays NaN (missing power, no burn counted)
    return {"power_mw": _restore(p + burn, template), "burn_mw": _restore(burn, template),
            "burn_mwh": float(np.nansum(burn) * float(step_s) / 3600.0)}


def apply_ramp_limit(power_mw, step_s: float, max_ramp_mw_per_s: float, *, idle_mw: float = 0.0):
    r"""GPU ramp-rate limits: the racks follow the demanded power no faster than a rate.

    Parameters
    ----------
    power_mw : ndarray
        Demanded (unlimited) power [MW].
    step_s : float
        Time step [s].
    max_ramp_mw_per_s : float
        Largest rise or fall of the racks' power [MW/s] (the sum of the GPUs' limits).
    idle_mw : float
        Idle power of the racks [MW], for the share of compute lost.

    Returns
    -------
    dict
        ``power_mw`` [MW]: the limited power; ``compute_lost_frac`` [fraction]: the share of
        the job's work not done while power is held below demand,
        :math:`\sum \max(0, P - P_{lim}) / \sum (P - P_{idle})`, i.e. work taken as proportional
        to power above idle (a first-order engineering assumption; real throughput falls less
        than power near TDP, so this overstates the loss). The job then needs that share more
        time (training time lost). ``burn_mwh`` [MWh]: energy drawn above demand while the
        power is held up on the way down (the ramp-down "burner").

    Notes
    -----
    :math:`y_t = y_{t-1} + \mathrm{clip}(x_t - y_{t-1}, -r\Delta t, r\Delta t)`, the
    power-cap ramp of GB300 power smoothing [2]_.
    """
    x = np.asarray(power_mw, dtype=float)
    r = _positive("max_ramp_mw_per_s", max_ramp_mw_per_s, "a ramp limit is a positive rate") * float(step_s)
    y = np.empty_like(x)
    prev = float(x[0])
    xs = x.tolist()
    out = [0.0] * len(xs)
    for i, v in enumerate(xs):
        d = v - prev
        if d > r:
            prev += r
        elif d < -r:
            prev -= r
        else:
            prev = v
        out[i] = prev
    y[:] = out
    work = float(np.sum(np.maximum(0.0, x - float(idle_mw))))
    lost = float(np.sum(np.maximum(0.0, x - y)))
    return {"power_mw": y, "compute_lost_frac": lost / work if work > 0 else 0.0,
            "burn_mwh": float(np.sum(np.maximum(0.0, y - x)) * float(step_s) / 3600.0)}


def storage_smoothing(power_mw, step_s: float, tau_s: float, *, power_limit_mw: float | None = None):
    r"""Energy storage (rack or facility, supercapacitor or battery) smoothing a swing.

    The supply sees a first-order low-pass of the load; the store supplies the difference.

    Parameters
    ----------
    power_mw : ndarray
        Load [MW].
    step_s : float
        Time step [s].
    tau_s : float
        Time constant of the smoothing [s] (longer: smoother supply, larger store).
    power_limit_mw : float, optional
        The store's power rating [MW]; beyond it the supply takes the rest (as a site
        battery's inverter headroom limits it).

    Returns
    -------
    dict
        ``supply_mw`` [MW] what the connection point sees; ``store_mw`` [MW] store output
        (discharge positive); ``power_mw_needed`` [MW] = max |store_mw|; ``energy_mwh_needed``
        [MWh] the range of the store's energy (the usable capacity it needs);
        ``throughput_mwh`` [MWh] energy discharged.

    Notes
    -----
    :math:`s_t = \alpha s_{t-1} + (1 - \alpha) P_t`, :math:`\alpha = e^{-\Delta t/\tau}`
    (exact discretisation of :math:`\tau\,\dot s = P - s`), started at the first value.
    Store: :math:`b_t = \mathrm{clip}(P_t - s_t, \pm P_{lim})`; supply :math:`P_t - b_t`.
    Energy balance holds at every step: supply + store = load.
    """
    p = np.asarray(power_mw, dtype=float)
    tau_s = _positive("tau_s", tau_s, "a smoothing time constant is a positive time")
    a = float(np.exp(-float(step_s) / tau_s))
    s, _ = signal.lfilter([1.0 - a], [1.0, -a], p, zi=[a * p[0]])
    store = p - s
    if power_limit_mw is not None:
        lim = max(0.0, float(power_limit_mw))
        store = np.clip(store, -lim, lim)
    energy = np.cumsum(store) * float(step_s) / 3600.0
    e_range = float(max(energy.max(), 0.0) - min(energy.min(), 0.0))
    return {"supply_mw": p - store, "store_mw": store,
            "power_mw_needed": float(np.abs(store).max()) if store.size else 0.0,
            "energy_mwh_needed": e_range,
            "throughput_mwh": float(np.maximum(store, 0.0).sum() * float(step_s) / 3600.0)}
