"""AI-training power swings at a campus: synthesise (or load) them per hall, pass them through
the campus bus dynamics, check them against the connection-point limits, and cost the fixes.

Flow (``twin swing RUN``, :func:`swing_study`):

1. **Swing per hall** (:func:`hall_swing`) at one instant of a stored run: the hall's training
   racks run one synchronous job (:func:`models.workload_swing.training_swing_mw`) whose mean
   over an iteration equals the hall's training utilisation, so the swing's mean is the run's
   hourly IT power; the rest of the hall (inference, idle racks) is flat. Measured telemetry
   (CSV or netCDF with a ``time`` column) can replace it (:func:`load_telemetry`).
2. **Campus effect** through the event engine of :mod:`twin.events` (:func:`campus_dynamics`; no second
   dynamics model): frequency, unit outputs, turbine power oscillation, battery cycling, and the
   grid import where there is a feed.
3. **Compliance** (:func:`compliance`) of the connection-point power (the grid import with a
   feed, the gas units' terminals when islanded) against the scenario's ``swing.limits``:
   maximum ramp, dynamic power range and the largest spectral line per frequency band
   (:func:`amplitude_spectrum`), pass/fail with the margin.
4. **Mitigations, costed** (:func:`mitigation_table`): GPU power floor, GPU ramp limits, rack or
   facility storage (``smoothing_storage.csv``), the site battery's inverter control; the
   cheapest passing combination per hall, each hall held to its share of the limits.

Pure figure builders (:func:`fig_swing`, :func:`fig_spectrum`, :func:`fig_mitigations`) take the
result Dataset. Economic assumptions (not physics): the annualisation discount rate
:data:`DISCOUNT_RATE` and the energy price (the run's average cost per MWh) are stated in the
result's attributes.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy import ndimage, signal

from models import workload_swing as ws
from twin.errors import EventError

#: discount rate for annualising storage capex [1/yr]: engineering assumption (a typical
#: real pre-tax WACC for utility-scale assets is 6-10 %)
DISCOUNT_RATE = 0.08
#: hours in a year
HOURS_PER_YR = 8760.0
#: time constant of the site battery's smoothing control when used as a mitigation [s] (assumption)
BATTERY_TAU_S = 10.0

#: the mitigation levels searched (engineering choices of the study, not physics)
FLOOR_FRACS = (0.5, 0.6, 0.7, 0.8, 0.9)          # floor as a fraction of the racks' TDP power
RAMP_TIMES_S = (0.25, 0.5, 1.0, 2.0)               # time to ramp across idle..busy
STORAGE_TAUS_S = (0.2, 1.0, 3.0, 10.0, 30.0)       # smoothing time constants (0.2 s: PSU-sized)


class SwingError(EventError):
    """Bad swing-study input, worded as one line naming the field, the value and why."""


def parse_seconds(field: str, text) -> float:
    """A duration such as ``1h``, ``600s``, ``10ms`` (or a number of seconds) in seconds."""
    if isinstance(text, int | float):
        v = float(text)
    else:
        try:
            v = pd.Timedelta(str(text).strip()).total_seconds() if not str(text).strip().replace(".", "", 1).isdigit() \
                else float(text)
        except (TypeError, ValueError):
            raise SwingError(f"{field}: {text!r} — not a duration (use e.g. 1h, 600s, 10ms)") from None
    if not np.isfinite(v) or v <= 0:
        raise SwingError(f"{field}: {text!r} — must be a positive duration")
    return v


# ----------------------------------------------------------------------------------- swing
@dataclass
class HallSwing:
    """The swing of one hall: the synchronous racks and the flat rest."""

    hall: str
    sync_mw: np.ndarray       # the job's racks (time)
    flat_mw: float            # the rest of the hall's IT power (inference, idle racks)
    busy_mw: float
    comm_mw: float
    idle_mw: float
    tdp_mw: float             # the job's racks at full power (rack_kw_max)
    sync_racks: int
    gpus: int
    accelerator: str
    rack_model: str
    measured: bool = False

    @property
    def power_mw(self) -> np.ndarray:
        return self.sync_mw + self.flat_mw


def _job_kwargs(job, hall, step_s: float, duration_s: float) -> dict:
    u_m = float(job.comm_util_frac)
    u_t = float(hall.workload.training_utilisation)
    if job.compute_frac is not None:
        cf = float(job.compute_frac)
    else:
        cf = float(np.clip((u_t - u_m) / max(1.0 - u_m, 1e-12), 0.0, 1.0))
    per = job.iteration_s / step_s
    if abs(per - round(per)) < 1e-9:
        cf = round(cf * round(per)) / round(per)   # whole steps, so the sampled mean is the run's
    fail = job.failure_at_s if job.failure_at_s is not None else 0.5 * duration_s
    return dict(iteration_s=job.iteration_s, compute_frac=cf, comm_util_frac=u_m, jitter_s=job.jitter_s,
                checkpoint_interval_s=job.checkpoint_interval_s, checkpoint_s=job.checkpoint_s,
                start_ramp_s=job.start_ramp_s, failure_s=fail if fail < duration_s else None,
                restart_s=job.restart_s)


def hall_swing(scenario, hall_name: str, hall_it_mw: float, time_s: np.ndarray, *, seed: int = 0,
               job=None) -> HallSwing:
    """The swing of one hall at an instant whose hourly IT power is ``hall_it_mw``.

    The hall's training racks (``training_share`` x racks x ``swing.job.sync_frac``) run one
    synchronous job; the compute share of the iteration makes the job's mean utilisation
    the hall's ``training_utilisation`` (unless ``swing.job.compute_frac`` is set); the other
    racks draw the rest of the hall's hourly power, flat.
    """
    from twin import catalog

    hall = next((h for h in scenario.halls if h.name == hall_name), None)
    if hall is None:
        raise SwingError(f"hall: {hall_name!r} — no such hall; halls: {', '.join(h.name for h in scenario.halls)}")
    job = job or scenario.swing.job
    rack = catalog.lookup("racks", hall.rack_model)
    step_s = float(time_s[1] - time_s[0])
    duration_s = float(time_s[-1] - time_s[0] + step_s)
    if job.iteration_s < 2 * step_s * (1 - 1e-9):
        raise SwingError(f"swing.job.iteration_s: {job.iteration_s:g} — shorter than two steps of {step_s:g} s; "
                         "use a finer --step or a longer period")
    n_sync = int(round(hall.racks * hall.workload.training_share * job.sync_frac))
    kw = _job_kwargs(job, hall, step_s, duration_s)
    try:
        r = ws.training_swing_mw(time_s, racks=n_sync, rack_kw_max=rack["rack_kw_max"], idle_frac=rack["idle_frac"],
                                 seed=seed, **kw)
    except ValueError as e:
        raise SwingError(f"swing.job: {e}") from None
    # the job's mean power over whole iterations (without the job events) as the run counts it
    job_mean = r["comm_mw"] + kw["compute_frac"] * (r["busy_mw"] - r["comm_mw"])
    flat = max(0.0, float(hall_it_mw) - job_mean)
    return HallSwing(hall=hall_name, sync_mw=r["power_mw"], flat_mw=flat, busy_mw=r["busy_mw"],
                     comm_mw=r["comm_mw"], idle_mw=r["idle_mw"], tdp_mw=n_sync * rack["rack_kw_max"] / 1000.0,
                     sync_racks=n_sync, gpus=int(n_sync * rack["accelerators_per_rack"]),
                     accelerator=rack["accelerator"], rack_model=hall.rack_model)


def load_telemetry(path: str | Path, time_s: np.ndarray) -> dict[str, np.ndarray]:
    """Measured power telemetry, resampled onto ``time_s`` [s from its first sample].

    The file is a CSV or a netCDF with a ``time`` column / coordinate (seconds, or date-times)
    and one column per hall (its name) or one ``power_mw`` column [MW]. Returns column -> MW.
    """
    p = Path(path)
    if not p.is_file():
        raise SwingError(f"telemetry: {str(path)!r} — no such file")
    try:
        if p.suffix.lower() in (".nc", ".nc4", ".netcdf"):
            from twin.store import NETCDF_LOCK  # netCDF-C/HDF5 are not thread-safe (see twin.store)

            with NETCDF_LOCK, xr.open_dataset(p) as ds:
                if "time" not in ds.variables:
                    raise SwingError(f"telemetry: {p.name} has no 'time' coordinate or variable "
                                     f"(variables: {', '.join(map(str, ds.variables)) or 'none'})")
                df = ds.to_dataframe().reset_index()
        else:
            df = pd.read_csv(p, comment="#")
    except SwingError:
        raise
    except Exception as e:  # noqa: BLE001 - any read failure is bad input
        raise SwingError(f"telemetry: {p.name} — cannot be read ({str(e).splitlines()[0]})") from None
    cols = {c.strip().lower(): c for c in df.columns}
    if "time" not in cols:
        raise SwingError(f"telemetry: {p.name} has no 'time' column (columns: {', '.join(map(str, df.columns))})")
    tcol = df[cols["time"]]
    if pd.api.types.is_numeric_dtype(tcol):
        t = tcol.to_numpy(float)
    else:
        try:
            ts = pd.to_datetime(tcol)
        except (TypeError, ValueError):
            raise SwingError(f"telemetry: {p.name} column 'time' is neither seconds nor date-times "
                             f"(first value {tcol.iloc[0]!r})") from None
        t = (ts - ts.iloc[0]).dt.total_seconds().to_numpy(float)
    t = t - t[0]
    if t.size < 2 or np.any(np.diff(t) <= 0):
        raise SwingError(f"telemetry: {p.name} column 'time' must increase strictly (at least two samples)")
    if t[-1] < time_s[-1] - time_s[0]:
        raise SwingError(f"telemetry: {p.name} covers {t[-1]:g} s — shorter than the study's "
                         f"{time_s[-1] - time_s[0]:g} s (shorten --duration)")
    out = {}
    for key, c in cols.items():
        if key == "time":
            continue
        v = pd.to_numeric(df[c], errors="coerce").to_numpy(float)
        if not np.all(np.isfinite(v)):
            raise SwingError(f"telemetry: {p.name} column {c!r} has missing or non-numeric values")
        out[str(c)] = np.interp(time_s - time_s[0], t, v)
    if not out:
        raise SwingError(f"telemetry: {p.name} has a time column but no power column (use 'power_mw' or hall names)")
    return out


# ------------------------------------------------------------------------------ compliance
def amplitude_spectrum(power_mw: np.ndarray, step_s: float, *, segment_s: float = 120.0):
    """One-sided amplitude spectrum of a power series [MW peak per line].

    Welch's method (:func:`scipy.signal.welch`, ``scaling="spectrum"``, flat-top window so the
    amplitude of a line between bins is read to about 0.1 dB, half-overlapping segments of
    ``segment_s``, mean removed). A sinusoid :math:`A\\sin(2\\pi f t)` gives a line of height
    :math:`A` at :math:`f`.

    Returns
    -------
    (frequency_hz, amplitude_mw)
    """
    p = np.asarray(power_mw, float)
    nper = int(min(p.size, max(16, round(segment_s / step_s))))
    f, pxx = signal.welch(p, fs=1.0 / step_s, window="flattop", nperseg=nper, scaling="spectrum",
                          detrend="constant")
    return f, np.sqrt(2.0 * pxx)


def max_ramp_mw_per_s(power_mw: np.ndarray, step_s: float, window_s: float) -> float:
    """Largest change of power over ``window_s`` divided by it [MW/s]."""
    n = max(1, int(round(window_s / step_s)))
    p = np.asarray(power_mw, float)
    if p.size <= n:
        return float(np.ptp(p) / max(window_s, step_s))
    return float(np.max(np.abs(p[n:] - p[:-n])) / (n * step_s))


def dynamic_range_mw(power_mw: np.ndarray, step_s: float, window_s: float) -> float:
    """Largest max-min of power within any window of ``window_s`` [MW]."""
    n = max(2, int(round(window_s / step_s)) + 1)
    p = np.asarray(power_mw, float)
    hi = ndimage.maximum_filter1d(p, n, mode="nearest")
    lo = ndimage.minimum_filter1d(p, n, mode="nearest")
    return float(np.max(hi - lo))


def default_ramp_limit_mw_per_s(state) -> tuple[float, str]:
    """The default ramp limit and where it comes from (see ``SwingLimits.max_ramp_mw_per_s``)."""
    from twin.events.bus import unit_dynamics

    if state.grid_capacity_mw > 0:
        return 0.1 * state.grid_capacity_mw, "10 % of the grid capacity per second (assumption)"
    tot = sum(float(rated) * float(unit_dynamics(model, kind)["rate_up_pu_per_s"])
              for model, kind, rated, on in zip(state.unit_model, state.unit_kind, state.unit_rated_mw, state.unit_on)
              if on)
    return tot, "sum of the online units' governor rate limits (gas_unit_dynamics.csv, D)"


def compliance(power_mw: np.ndarray, step_s: float, limits, *, ramp_limit_mw_per_s: float,
               mean_mw: float | None = None, share: float = 1.0) -> pd.DataFrame:
    """Check a connection-point power series against a limit set.

    Parameters
    ----------
    power_mw : ndarray
        Connection-point power [MW].
    step_s : float
        Time step [s].
    limits : SwingLimits
        The scenario's ``swing.limits``.
    ramp_limit_mw_per_s : float
        The ramp limit in force [MW/s] (the scenario's, or its default).
    mean_mw : float, optional
        The power the fractional limits refer to [MW] (default: the series' mean).
    share : float
        Share of the limits this series is held to (a hall's share of the campus) [fraction].

    Returns
    -------
    pandas.DataFrame
        One row per check: ``check``, ``value``, ``limit``, ``unit``, ``margin`` (limit -
        value), ``margin_frac`` (margin / limit) and ``passes``.
    """
    p = np.asarray(power_mw, float)
    nyq = 0.5 / step_s
    for b in limits.bands:
        if b.hi_hz > nyq * (1 + 1e-9):
            raise SwingError(f"swing.limits.bands: {b.lo_hz:g}-{b.hi_hz:g} Hz — above the Nyquist frequency "
                             f"{nyq:g} Hz of a {step_s:g} s step; use a finer --step")
    mean = float(np.mean(p)) if mean_mw is None else float(mean_mw)
    rows = [
        ("max ramp", max_ramp_mw_per_s(p, step_s, limits.ramp_window_s), share * ramp_limit_mw_per_s, "MW/s"),
        ("dynamic range", dynamic_range_mw(p, step_s, limits.range_window_s),
         share * limits.dynamic_range_frac * mean, "MW"),
    ]
    f, amp = amplitude_spectrum(p, step_s)
    for b in limits.bands:
        sel = (f >= b.lo_hz) & (f <= b.hi_hz)
        v = float(amp[sel].max()) if sel.any() else 0.0
        rows.append((f"band {b.lo_hz:g}-{b.hi_hz:g} Hz", v, share * b.max_amplitude_frac * mean, "MW"))
    df = pd.DataFrame(rows, columns=["check", "value", "limit", "unit"])
    df["margin"] = df["limit"] - df["value"]
    df["margin_frac"] = np.where(df["limit"] > 0, df["margin"] / df["limit"], -np.inf)
    df["passes"] = df["margin"] >= 0
    return df


# -------------------------------------------------------------------------------- dynamics
#: the swing fades in over this time so the study starts at the run's operating point [s]
FADE_IN_S = 5.0


def campus_dynamics(state, load_delta_mw: np.ndarray, step_s: float, *, chunk_s: float = 120.0,
                    warmup_s: float = 60.0, dynamics: dict | None = None) -> dict:
    """The campus bus under a load swing, through the event engine (:mod:`twin.events`).

    The bus is integrated by :func:`models.frequency.integrate_bus` with the inputs of
    :func:`twin.events.bus.bus_inputs` (the same engine as :func:`twin.events.simulate_bus`),
    at the engine's coarsest allowed step (a whole multiple of ``step_s``, at most the fastest
    time constant / 5; the load is block-averaged onto it). A long study is cut into chunks of
    ``chunk_s`` integrated side by side as one batch, each started ``warmup_s`` earlier from the
    run's operating point with the preceding load, and the warm-up discarded: the bus forgets
    its start within the warm-up (the chunked and the continuous integration agree, a test
    checks it), and the batch runs in the time of one chunk. Protections and battery state of
    charge do not carry across chunks (the swing is zero-mean; a test checks none acts).

    Returns
    -------
    dict
        ``t_s`` (T,) on the study step; ``frequency_hz`` (T,); ``mech_power_mw`` and
        ``gen_mw`` (T, U); ``battery_mw`` (T,) (discharge +); ``grid_import_mw`` (T,);
        ``dyn_step_s``; ``protections`` (what acted, from the chunks).
    """
    from models import frequency
    from twin.events.bus import _settings, bus_inputs, check_step

    d = np.asarray(load_delta_mw, float)
    n = d.size
    dyn = _settings(state, dynamics)
    probe = bus_inputs([state], dyn=dyn, trips=[{}], grid_loss_s=[np.inf])
    tmin, _ = frequency.fastest_time_constant_s(probe)
    k = max(1, int(np.floor((tmin / 5.0 if np.isfinite(tmin) else 0.02) / step_s + 1e-9)))
    dstep = k * step_s
    check_step(probe, dstep)
    m = n // k
    dd = d[: m * k].reshape(m, k).mean(axis=1) if k > 1 else d.copy()
    L = max(1, int(round(chunk_s / dstep)))
    W = int(round(warmup_s / dstep))
    if m <= L + W:
        B, segs = 1, dd[None, :]
        keep = [slice(0, m)]
    else:
        B = int(np.ceil(m / L))
        padded = np.concatenate([np.zeros(W), dd, np.zeros(B * L - m)])
        segs = np.stack([padded[b * L: b * L + L + W] for b in range(B)])
        keep = [slice(W, W + L)] * B
    inp = bus_inputs([state] * B, dyn=dyn, trips=[{}] * B, grid_loss_s=[np.inf] * B)
    res = frequency.integrate_bus(inp, segs, dstep)

    def stitch(a):
        out = np.concatenate([a[b][keep[b]] for b in range(B)], axis=0)[:m]
        return out

    x = stitch(res["x"])
    f = state.f0_hz * (1.0 + x)
    pm = stitch(res["pm_mw"])
    pe = stitch(res["pe_mw"])
    bat = stitch(res["bat_mw"])
    grid = stitch(res["grid_mw"])
    shed = stitch(res["shed_mw"])
    # back onto the study step (the sources respond through lags of 0.1 s and more)
    tc = (np.arange(m) + 0.5) * dstep
    t = np.arange(n) * step_s

    def up(a):
        if k == 1:
            return a[:n] if a.shape[0] >= n else np.concatenate([a, np.repeat(a[-1:], n - a.shape[0], axis=0)])
        if a.ndim == 1:
            return np.interp(t, tc, a)
        return np.stack([np.interp(t, tc, a[:, j]) for j in range(a.shape[1])], axis=1) if a.shape[1] else \
            np.zeros((n, 0))

    acted = []
    if np.nanmax(shed) > 1e-6:
        acted.append(f"UFLS shed up to {np.nanmax(shed):.1f} MW")
    tripped = np.isfinite(res["unit_trip_t_s"]).any(axis=0)
    for u, tr in zip(state.unit, tripped):
        if tr:
            acted.append(f"unit {u} tripped")
    return {"t_s": t, "frequency_hz": up(f), "mech_power_mw": up(pm), "gen_mw": up(pe), "battery_mw": up(bat),
            "grid_import_mw": up(grid), "dyn_step_s": dstep, "chunks": B, "protections": "; ".join(acted) or "none"}


# ----------------------------------------------------------------------------- mitigations
def _crf(rate: float, life_yr: float) -> float:
    """Capital recovery factor [1/yr]."""
    life_yr = max(life_yr, 1e-6)
    return rate / (1.0 - (1.0 + rate) ** -life_yr)


@dataclass
class Costing:
    """What the study needs to put a price on a mitigation."""

    energy_usd_per_mwh: float
    study_h: float
    duty_frac: float
    battery_headroom_mw: float = 0.0       # this hall's share of the site battery's headroom
    battery_degradation_usd_per_mwh: float = 0.0

    @property
    def year_scale(self) -> float:
        """Study hours -> hours of training a year."""
        return HOURS_PER_YR * self.duty_frac / self.study_h


def _storage_cost(sto: dict, hs: HallSwing, c: Costing) -> tuple[float, float, str] | None:
    """Cheapest storage technology for a smoothing duty: (capex_usd, usd_per_yr, name)."""
    from twin import catalog

    best = None
    p_kw = sto["power_mw_needed"] * 1000.0
    e_kwh = sto["energy_mwh_needed"] * 1000.0
    thr_yr = sto["throughput_mwh"] * c.year_scale
    for name in catalog.names("smoothing_storage"):
        row = catalog.lookup("smoothing_storage", name)
        if row["kind"] == "psu_storage":
            if not hs.rack_model.startswith(("gb300", "gb200")):
                continue  # ships in the NVL72 power shelves only (NVIDIA, GB300 blog)
            if e_kwh > row["energy_kwh_per_rack"] * hs.sync_racks:
                continue
        capex = p_kw * row["usd_per_kw"] + e_kwh * row["usd_per_kwh"]
        cycles_yr = thr_yr / max(sto["energy_mwh_needed"], 1e-12)
        life = min(row["life_yr"], row["cycle_life"] / max(cycles_yr, 1e-12))
        annual = capex * _crf(DISCOUNT_RATE, life)
        if best is None or annual < best[1]:
            best = (capex, annual, name)
    return best


def _apply(hs: HallSwing, step_s: float, c: Costing, *, floor_frac=None, ramp_s=None, tau_s=None,
           battery=False, _cache=None) -> dict:
    """The hall's feeder power with a combination of mitigations, and what it costs."""
    key = ramp_s
    if _cache is not None and key in _cache:
        rl = _cache[key]
    else:
        if ramp_s is None:
            rl = {"power_mw": hs.sync_mw, "compute_lost_frac": 0.0, "burn_mwh": 0.0}
        else:
            rl = ws.apply_ramp_limit(hs.sync_mw, step_s, (hs.busy_mw - hs.idle_mw) / ramp_s, idle_mw=hs.idle_mw)
        if _cache is not None:
            _cache[key] = rl
    p = rl["power_mw"]
    burn_mwh = rl["burn_mwh"]
    if floor_frac is not None:
        fl = ws.apply_power_floor(p, floor_frac * hs.tdp_mw, step_s, busy_mw=hs.busy_mw)
        p = fl["power_mw"]
        burn_mwh += fl["burn_mwh"]
    p = p + hs.flat_mw
    capex = annual_sto = 0.0
    sto_name = ""
    if tau_s is not None:
        sto = ws.storage_smoothing(p, step_s, tau_s)
        best = _storage_cost(sto, hs, c)
        if best is None:
            return {"power_mw": p, "feasible": False}
        capex, annual_sto, sto_name = best
        p = sto["supply_mw"]
    bat_usd = bat_thr = 0.0
    if battery:
        if c.battery_headroom_mw <= 0:
            return {"power_mw": p, "feasible": False}
        b = ws.storage_smoothing(p, step_s, BATTERY_TAU_S, power_limit_mw=c.battery_headroom_mw)
        p = b["supply_mw"]
        bat_thr = b["throughput_mwh"]
        bat_usd = bat_thr * c.year_scale * c.battery_degradation_usd_per_mwh
    from twin import catalog

    gpu_h_usd = catalog.lookup("gpu_power_smoothing", hs.accelerator)["usd_per_gpu_h"] \
        if hs.accelerator in catalog.names("gpu_power_smoothing") else 0.0
    lost = rl["compute_lost_frac"]
    lost_usd = lost * hs.gpus * HOURS_PER_YR * c.duty_frac * gpu_h_usd
    burn_yr = burn_mwh * c.year_scale
    return {"power_mw": p, "feasible": True, "burn_mwh_per_yr": burn_yr,
            "burn_usd_per_yr": burn_yr * c.energy_usd_per_mwh, "compute_lost_frac": lost,
            "compute_lost_usd_per_yr": lost_usd, "storage": sto_name, "storage_capex_usd": capex,
            "storage_usd_per_yr": annual_sto, "battery_usd_per_yr": bat_usd, "battery_throughput_mwh": bat_thr,
            "usd_per_yr": burn_yr * c.energy_usd_per_mwh + lost_usd + annual_sto + bat_usd}


def _label(floor_frac, ramp_s, tau_s, battery) -> str:
    parts = []
    if floor_frac is not None:
        parts.append(f"floor {100 * floor_frac:.0f}% TDP")
    if ramp_s is not None:
        parts.append(f"GPU ramp {ramp_s:g} s")
    if tau_s is not None:
        parts.append(f"storage tau {tau_s:g} s")
    if battery:
        parts.append("battery control")
    return " + ".join(parts) or "none"


def _check_floor(hs: HallSwing, floor_frac: float) -> None:
    from twin import catalog

    f = float(floor_frac)
    if not np.isfinite(f) or f < 0:
        raise SwingError(f"floor: {floor_frac!r} — a floor is a fraction of TDP >= 0")
    if f * hs.tdp_mw > hs.busy_mw * (1 + 1e-9):
        raise SwingError(f"floor: {f:g} of TDP ({f * hs.tdp_mw:.2f} MW for hall {hs.hall}) — above the busy "
                         f"(compute-phase) power {hs.busy_mw:.2f} MW: a floor cannot exceed the job's own peak")
    if hs.accelerator in catalog.names("gpu_power_smoothing"):
        fmax = catalog.lookup("gpu_power_smoothing", hs.accelerator)["floor_max_frac"]
        if f > fmax + 1e-12:
            raise SwingError(f"floor: {f:g} of TDP — above the {fmax:g} that {hs.accelerator} can hold "
                             "(gpu_power_smoothing.csv floor_max_frac)")


def mitigation_table(hs: HallSwing, step_s: float, limits, *, ramp_limit_mw_per_s: float, share: float,
                     mean_mw: float, costing: Costing, floors: tuple[float, ...] | None = None) -> pd.DataFrame:
    """Compliance and cost of each mitigation alone and of the cheapest passing combination.

    Each combination of GPU power floor (:data:`FLOOR_FRACS`), GPU ramp limit
    (:data:`RAMP_TIMES_S`), storage smoothing (:data:`STORAGE_TAUS_S`, the cheapest technology
    of ``smoothing_storage.csv`` that can serve it, its life shortened by cycling) and the site
    battery's control is costed per year (floor and ramp-down energy at the run's energy price,
    training time lost at the GPU-hour value of ``gpu_power_smoothing.csv``, annualised storage
    capex, battery degradation); they are checked in order of cost and the first that passes
    every check is the cheapest. Rows: ``none``; per kind of measure its cheapest passing level
    (or its best if none passes); and ``cheapest passing``.
    """
    from twin import catalog

    gps = catalog.lookup("gpu_power_smoothing", hs.accelerator) \
        if hs.accelerator in catalog.names("gpu_power_smoothing") else {"floor_max_frac": 1.0, "ramp_min_s": 0.0}
    floors = [None] + [f for f in (FLOOR_FRACS if floors is None else floors)
                       if f <= gps["floor_max_frac"] and f * hs.tdp_mw <= hs.busy_mw]
    ramps = [None] + [r for r in RAMP_TIMES_S if r >= gps["ramp_min_s"]]
    taus = [None, *STORAGE_TAUS_S]
    bats = [False, True] if costing.battery_headroom_mw > 0 else [False]
    cache: dict = {}
    cands = []
    for fl in floors:
        for rp in ramps:
            for tau in taus:
                for bat in bats:
                    r = _apply(hs, step_s, costing, floor_frac=fl, ramp_s=rp, tau_s=tau, battery=bat, _cache=cache)
                    if r["feasible"]:
                        cands.append(((fl, rp, tau, bat), r))
    cands.sort(key=lambda c: c[1]["usd_per_yr"])

    def check(r):
        return compliance(r["power_mw"], step_s, limits, ramp_limit_mw_per_s=ramp_limit_mw_per_s,
                          mean_mw=mean_mw, share=share)

    def row(kind, combo, r, chk):
        worst = chk.loc[chk["margin_frac"].idxmin()]
        out = {"hall": hs.hall, "measure": kind, "settings": _label(*combo), "passes": bool(chk["passes"].all()),
               "worst_check": worst["check"], "worst_margin_frac": float(worst["margin_frac"])}
        for k in ("burn_mwh_per_yr", "burn_usd_per_yr", "compute_lost_frac", "compute_lost_usd_per_yr",
                  "storage", "storage_capex_usd", "storage_usd_per_yr", "battery_usd_per_yr", "usd_per_yr"):
            out[k] = r.get(k, 0.0)
        for _, c in chk.iterrows():
            out[f"margin_frac: {c['check']}"] = float(c["margin_frac"])
        return out

    rows = []
    none = next(r for c, r in cands if c == (None, None, None, False))
    rows.append(row("none", (None, None, None, False), none, check(none)))
    singles = {"GPU power floor": lambda c: c[0] is not None and c[1:] == (None, None, False),
               "GPU ramp limit": lambda c: c[1] is not None and c[0] is None and c[2:] == (None, False),
               "storage": lambda c: c[2] is not None and c[:2] == (None, None) and not c[3],
               "battery control": lambda c: c[3] and c[:3] == (None, None, None)}
    for kind, pick in singles.items():
        opts = [(c, r) for c, r in cands if pick(c)]
        if not opts:
            continue
        best = None
        for c, r in opts:  # cheapest first
            chk = check(r)
            score = float(chk["margin_frac"].min())
            if chk["passes"].all():
                best = (c, r, chk)
                break
            if best is None or score > float(best[2]["margin_frac"].min()):
                best = (c, r, chk)
        rows.append(row(kind, *best))
    for c, r in cands:
        chk = check(r)
        if chk["passes"].all():
            rows.append(row("cheapest passing", c, r, chk))
            break
    else:
        rows.append({"hall": hs.hall, "measure": "cheapest passing", "settings": "no combination passes",
                     "passes": False})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------- study
def _open(run):
    from twin.store import open_run

    if isinstance(run, xr.Dataset):
        return run
    return open_run(run)


def _default_at(ds: xr.Dataset) -> pd.Timestamp:
    """The hour with the most training power (the largest swing)."""
    v = ds["it_training_mw"].values if "it_training_mw" in ds else ds["it_power_mw"].values
    return pd.Timestamp(ds["time"].values[int(np.nanargmax(v))])


def swing_study(run, *, hall: str | None = None, at=None, duration_s: float = 3600.0, step_s: float = 0.01,
                telemetry: str | Path | None = None, seed: int = 0, dynamics: bool = True,
                mitigations: bool = True, job: dict | None = None, floor_frac: float | None = None) -> xr.Dataset:
    """Synthesise the halls' training swings at an instant of a run and study them.

    Parameters
    ----------
    run : xarray.Dataset or path
        A settled run (or its directory in the run store).
    hall : str, optional
        Study one hall (the others stay flat at their hourly power); default all halls.
    at : time, optional
        The instant (default: the hour with the most training power).
    duration_s, step_s : float
        Study length and step [s].
    telemetry : path, optional
        Measured power (see :func:`load_telemetry`) instead of the synthesised swing.
    seed : int
        Seed of the synthesiser (deterministic).
    dynamics : bool
        Pass the swing through the event engine (:func:`campus_dynamics`).
    mitigations : bool
        Cost the mitigations per hall.
    job : dict, optional
        Overrides of the scenario's ``swing.job`` (e.g. ``{"iteration_s": 1.5}``).
    floor_frac : float, optional
        Cost this GPU power floor (fraction of TDP) instead of :data:`FLOOR_FRACS`; a floor
        above the busy (compute-phase) power or above what the accelerator can hold
        (``gpu_power_smoothing.csv``) is bad input.

    Returns
    -------
    xarray.Dataset
        ``time`` [s from the start of the study]: ``swing_hall_it_power_mw`` (hall, time),
        ``swing_poc_mw`` (connection-point power; from the dynamics when run),
        ``swing_poc_mitigated_mw``; ``frequency_hz``, ``mech_power_mw`` (unit), battery and grid
        series from the dynamics; ``swing_amplitude_mw`` / ``swing_amplitude_mitigated_mw`` on
        ``frequency``; compliance and mitigation tables as JSON attributes ``compliance``,
        ``compliance_mitigated``, ``mitigations``; ``run_kind = "swing"``.
    """
    from twin.events import state_at
    from twin.scenario import loads_scenario
    from twin.variables import annotate

    step_s = float(step_s)
    duration_s = float(duration_s)
    if not np.isfinite(step_s) or step_s <= 0:
        raise SwingError(f"step: {step_s:g} s — must be a positive time")
    if not np.isfinite(duration_s) or duration_s < 20 * step_s:
        raise SwingError(f"duration: {duration_s:g} s — must be at least 20 steps of {step_s:g} s")
    ds = _open(run)
    sc = loads_scenario(ds.attrs.get("scenario_yaml", ""), source="run scenario")
    at = _default_at(ds) if at is None else at
    try:
        state = state_at(ds, at)
    except ValueError as e:
        raise SwingError(str(e)) from None
    if job:
        from twin.scenario import SwingJob

        data = sc.swing.job.model_dump()
        data.update(job)
        try:
            sc.swing.job = SwingJob.model_validate(data)
        except Exception as e:  # noqa: BLE001 - pydantic error -> one line
            err = e.errors()[0] if hasattr(e, "errors") else {"loc": ("job",), "msg": str(e)}
            raise SwingError(f"swing.job.{err['loc'][0]}: {data.get(err['loc'][0])!r} — {err['msg']}") from None
    halls = [h.name for h in sc.halls]
    if hall is not None and hall not in halls:
        raise SwingError(f"hall: {hall!r} — no such hall; halls: {', '.join(halls)}")
    n = int(round(duration_s / step_s))
    t = np.arange(n) * step_s
    it0 = dict(zip(state.hall, state.hall_it_power_mw))
    studied = [hall] if hall else halls
    tele = load_telemetry(telemetry, t) if telemetry is not None else None
    swings: dict[str, HallSwing] = {}
    for i, h in enumerate(halls):
        hs = hall_swing(sc, h, it0[h], t, seed=seed + i)
        if h not in studied:
            hs.sync_mw = np.full(n, float(it0[h]) - hs.flat_mw)  # flat at the run's hourly power
        elif tele is not None:
            key = h if h in tele else ("power_mw" if "power_mw" in tele and len(studied) == 1 else None)
            if key is None:
                raise SwingError(f"telemetry: no column for hall {h!r} (columns: {', '.join(tele)}; "
                                 "use hall names, or 'power_mw' with --hall)")
            hs.sync_mw = tele[key] - hs.flat_mw
            hs.measured = True
        swings[h] = hs
        if floor_frac is not None and h in studied:
            _check_floor(hs, floor_frac)
    hall_p = np.stack([swings[h].power_mw for h in halls])           # (hall, time)
    it_now = float(state.hall_it_power_mw.sum())
    load_mean = state.load_mw
    ramp_lim, ramp_src = (sc.swing.limits.max_ramp_mw_per_s, "scenario") \
        if sc.swing.limits.max_ramp_mw_per_s is not None else default_ramp_limit_mw_per_s(state)
    grid = state.grid_capacity_mw > 0

    fade = np.clip(t / FADE_IN_S, 0.0, 1.0)

    def poc_series(hall_series):
        """Connection-point power at the study step: the load's own fast content minus what the
        battery (and, with a feed, the gas units) supply from the dynamics."""
        load_delta = (hall_series.sum(axis=0) - it_now) * fade
        load = load_mean + load_delta
        if not dynamics:
            return load, None
        try:
            e = campus_dynamics(state, load_delta, step_s)
        except ValueError as err:
            raise SwingError(str(err)) from None
        poc = load - e["battery_mw"] - (e["gen_mw"].sum(axis=1) if grid else 0.0) - (state.solar_mw if grid else 0.0)
        if not grid:
            poc = poc - state.solar_mw
        return poc, e

    poc, ev = poc_series(hall_p)
    limits = sc.swing.limits
    comp = compliance(poc, step_s, limits, ramp_limit_mw_per_s=ramp_lim, mean_mw=load_mean)
    # ---- mitigations per hall, each held to its share of the campus limits
    tables = []
    mitigated = hall_p.copy()
    control_mwh = 0.0          # the site battery's smoothing control (a mitigation), over the study
    if mitigations:
        cost_total = float(ds["cost_usd"].sum()) if "cost_usd" in ds else 0.0
        fac = float(ds["facility_power_mw"].sum() * float(ds.attrs.get("step_h", 1.0)))
        price = cost_total / fac if fac > 0 else 0.0
        bat_head = max(0.0, min(state.battery_power_mw - state.battery_output_mw,
                                state.battery_power_mw + state.battery_output_mw))
        deg = float(ds["battery_degradation_usd_per_mwh"]) if "battery_degradation_usd_per_mwh" in ds else 0.0
        for k, h in enumerate(halls):
            if h not in studied:
                continue
            hs = swings[h]
            share = it0[h] / it_now if it_now > 0 else 1.0 / len(halls)
            cst = Costing(energy_usd_per_mwh=price, study_h=duration_s / 3600.0, duty_frac=sc.swing.job.duty_frac,
                          battery_headroom_mw=share * bat_head, battery_degradation_usd_per_mwh=deg)
            tab = mitigation_table(hs, step_s, limits, ramp_limit_mw_per_s=ramp_lim, share=share,
                                   mean_mw=load_mean, costing=cst,
                                   floors=None if floor_frac is None else (float(floor_frac),))
            tables.append(tab)
            best = tab[tab["measure"] == "cheapest passing"].iloc[0]
            if best["passes"]:
                combo = _parse_label(best["settings"])
                applied = _apply(hs, step_s, cst, **combo)
                mitigated[k] = applied["power_mw"]
                control_mwh += applied["battery_throughput_mwh"]
    poc_m, ev_m = poc_series(mitigated) if mitigations else (poc, ev)
    comp_m = compliance(poc_m, step_s, limits, ramp_limit_mw_per_s=ramp_lim, mean_mw=load_mean)
    f, amp = amplitude_spectrum(poc, step_s)
    _, amp_m = amplitude_spectrum(poc_m, step_s)
    out = xr.Dataset(
        {"swing_hall_it_power_mw": (("time", "hall"), hall_p.T),
         "swing_hall_it_mitigated_mw": (("time", "hall"), mitigated.T),
         "swing_poc_mw": ("time", poc), "swing_poc_mitigated_mw": ("time", poc_m),
         "swing_amplitude_mw": ("frequency", amp), "swing_amplitude_mitigated_mw": ("frequency", amp_m)},
        coords={"time": t, "hall": halls, "frequency": f})
    out["time"].attrs.update(units="s", long_name="time from the start of the study")
    out["frequency"].attrs.update(units="Hz", long_name="frequency")
    attrs = {"run_kind": "swing", "swing_at": str(state.at), "step_s": step_s, "duration_s": duration_s,
             "step": f"{step_s:g}s", "step_h": step_s / 3600.0, "scenario_name": sc.name,
             "scenario_yaml": ds.attrs.get("scenario_yaml", ""), "site_name": ds.attrs.get("site_name", ""),
             "connection_point": "grid import" if grid else "gas units' terminals",
             "ramp_limit_mw_per_s": ramp_lim, "ramp_limit_source": ramp_src,
             "studied_halls": ",".join(studied), "telemetry": str(telemetry) if telemetry else "",
             "seed": seed, "discount_rate": DISCOUNT_RATE,
             "energy_price_note": "floor energy priced at the run's average cost per MWh of facility energy",
             "compliance": comp.to_json(orient="records"), "compliance_mitigated": comp_m.to_json(orient="records"),
             "mitigations": pd.concat(tables).to_json(orient="records") if tables else "[]"}
    for tag, e in (("", ev), ("_mitigated", ev_m)):
        if e is None:
            continue
        out[f"frequency{tag}_hz"] = ("time", e["frequency_hz"])
        if state.unit:
            out = out.assign_coords(unit=list(state.unit))
            out[f"mech_power{tag}_mw"] = (("time", "unit"), e["mech_power_mw"])
            lo, hi = limits.bands[0].lo_hz, limits.bands[0].hi_hz
            osc = []
            for u in range(len(state.unit)):
                ff, a = amplitude_spectrum(e["mech_power_mw"][:, u], step_s)
                osc.append(float(a[(ff >= lo) & (ff <= hi)].max()))
            out[f"turbine_oscillation{tag}_mw"] = ("unit", osc)
        bat = e["battery_mw"]
        out[f"battery{tag}_mw"] = ("time", bat)
        thr = float(np.maximum(bat - state.battery_output_mw, 0).sum() * step_s / 3600.0)
        if tag:
            thr += control_mwh    # the battery's smoothing control acts on the load side
        attrs[f"battery{tag}_throughput_mwh"] = thr
        attrs[f"battery{tag}_cycles_per_yr"] = (thr / state.battery_energy_mwh * HOURS_PER_YR * sc.swing.job.duty_frac
                                                / (duration_s / 3600.0)) if state.battery_energy_mwh > 0 else 0.0
        attrs[f"frequency{tag}_min_hz"] = float(e["frequency_hz"].min())
        attrs[f"frequency{tag}_max_hz"] = float(e["frequency_hz"].max())
        attrs[f"protections{tag}"] = e["protections"]
        attrs["dynamics_step_s"] = e["dyn_step_s"]
        attrs["dynamics_chunks"] = e["chunks"]
        if grid:
            out[f"grid_import{tag}_mw"] = ("time", e["grid_import_mw"])
    out.attrs.update(attrs)
    return annotate(out)


def _parse_label(label: str) -> dict:
    combo = {"floor_frac": None, "ramp_s": None, "tau_s": None, "battery": False}
    if label == "none":
        return combo
    for part in label.split(" + "):
        if part.startswith("floor "):
            combo["floor_frac"] = float(part.split()[1].rstrip("%")) / 100.0
        elif part.startswith("GPU ramp "):
            combo["ramp_s"] = float(part.split()[2])
        elif part.startswith("storage tau "):
            combo["tau_s"] = float(part.split()[2])
        elif part == "battery control":
            combo["battery"] = True
    return combo


def tables(ds: xr.Dataset) -> dict[str, pd.DataFrame]:
    """The compliance (without / with mitigations) and mitigation tables of a swing Dataset."""
    return {k: pd.read_json(io.StringIO(ds.attrs.get(k, "[]")), orient="records")
            for k in ("compliance", "compliance_mitigated", "mitigations")}


def swing_passes(ds: xr.Dataset) -> bool:
    """Whether the connection point passes every check with the cheapest passing mitigations."""
    return bool(tables(ds)["compliance_mitigated"]["passes"].all())


def swing_summary(ds: xr.Dataset, run_id: str) -> dict:
    """summary.json of a stored swing study (``run_kind = "swing"``)."""
    from datetime import datetime, timezone

    t = tables(ds)
    m = t["mitigations"]
    best = m[m["measure"] == "cheapest passing"] if len(m) else m
    kpi = {"passes_unmitigated": bool(t["compliance"]["passes"].all()), "passes_mitigated": swing_passes(ds),
           "mitigation_usd_per_yr": float(best["usd_per_yr"].fillna(0).sum()) if "usd_per_yr" in best else 0.0,
           "frequency_min_hz": ds.attrs.get("frequency_min_hz"), "frequency_max_hz": ds.attrs.get("frequency_max_hz"),
           "battery_cycles_per_yr": ds.attrs.get("battery_cycles_per_yr")}
    return {"run_id": run_id, "run_kind": "swing", "scenario_name": ds.attrs.get("scenario_name"),
            "dispatch": "swing", "status": "ok" if kpi["passes_mitigated"] else "shortfall",
            "swing_at": ds.attrs.get("swing_at"), "period_start": "0 s", "period_end": f"{ds.attrs.get('duration_s'):g} s",
            "step": ds.attrs.get("step"), "site_name": ds.attrs.get("site_name"),
            "connection_point": ds.attrs.get("connection_point"),
            "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"), "kpi": kpi, "shortfalls": {},
            "compliance": json.loads(t["compliance"].to_json(orient="records")),
            "compliance_mitigated": json.loads(t["compliance_mitigated"].to_json(orient="records")),
            "mitigations": json.loads(m.to_json(orient="records"))}


def swing_table(summary: dict) -> str:
    """The plain-text table of a stored swing study's summary (``twin summary``)."""
    lines = [f"swing {summary['run_id']}  [status {summary['status']}]",
             f"{summary['scenario_name']}: at {summary.get('swing_at')}, {summary['period_end']} at {summary['step']}; "
             f"connection point: {summary.get('connection_point')}"]
    for key, title in (("compliance", "without mitigations"), ("compliance_mitigated", "with mitigations")):
        lines.append(f"compliance {title}:")
        for r in summary.get(key, []):
            lines.append(f"  {r['check']:<22} {r['value']:>10.3f} {r['unit']:<5} limit {r['limit']:>9.3f}  "
                         f"{'pass' if r['passes'] else 'FAIL'}")
    for r in summary.get("mitigations", []):
        if r.get("measure") == "cheapest passing":
            lines.append(f"  {r['hall']}: {r['settings']}" + (f", {r['usd_per_yr'] / 1e6:,.3f} MUSD/yr"
                                                             if r.get("usd_per_yr") is not None else ""))
    return "\n".join(lines)


def save_swing(ds: xr.Dataset, store_dir: str | Path, run_id: str | None = None) -> Path:
    """Store a swing study in the run store (:func:`twin.store.save_run`: ``run.nc``,
    ``scenario.yaml``, ``summary.json`` with ``run_kind = "swing"``)."""
    from twin.store import save_run

    if run_id is None:
        stamp = pd.Timestamp.now(tz="UTC").strftime("%Y%m%dT%H%M%S")
        run_id = f"{ds.attrs.get('scenario_name', 'run')}-swing-{stamp}"
    try:
        return save_run(ds, store_dir, run_id=run_id)
    except (ValueError, FileExistsError) as e:
        raise SwingError(f"run id: {e}") from None


def open_swing(path: str | Path) -> xr.Dataset:
    """Open a stored swing study."""
    from twin.store import RunNotFound, open_run

    try:
        ds = open_run(path)
    except RunNotFound as e:
        raise SwingError(f"swing run: {e}") from None
    if ds.attrs.get("run_kind") != "swing":
        raise SwingError(f"swing run: {str(path)!r} — is a {ds.attrs.get('run_kind', 'dispatch')} run, not a swing study")
    return ds


def text_tables(ds: xr.Dataset) -> str:
    """Plain-text compliance and mitigation tables (the CLI's output)."""
    t = tables(ds)
    lines = [f"{ds.attrs.get('scenario_name')} swing at {ds.attrs.get('swing_at')}: {ds.attrs.get('duration_s'):g} s "
             f"at {ds.attrs.get('step')}; connection point: {ds.attrs.get('connection_point')}; "
             f"ramp limit {ds.attrs.get('ramp_limit_mw_per_s'):.2f} MW/s ({ds.attrs.get('ramp_limit_source')})"]
    for key, title in (("compliance", "without mitigations"), ("compliance_mitigated", "with the cheapest passing mitigations")):
        lines.append(f"compliance {title}:")
        for _, r in t[key].iterrows():
            lines.append(f"  {r['check']:<22} {r['value']:>10.3f} {r['unit']:<5} limit {r['limit']:>9.3f}  "
                         f"margin {100 * r['margin_frac']:>8.1f} %  {'pass' if r['passes'] else 'FAIL'}")
    m = t["mitigations"]
    if len(m):
        lines.append("mitigations per hall (cost per year):")
        for _, r in m.iterrows():
            if r["settings"] == "no combination passes":
                lines.append(f"  {r['hall']:<10} {r['measure']:<17} no combination passes")
                continue
            lines.append(f"  {r['hall']:<10} {r['measure']:<17} {r['settings']:<44} "
                         f"{'pass' if r['passes'] else 'FAIL'} worst {r['worst_check']} {100 * r['worst_margin_frac']:.0f} %  "
                         f"{r['usd_per_yr'] / 1e6:,.3f} MUSD/yr (floor {r['burn_mwh_per_yr']:,.0f} MWh/yr, "
                         f"compute lost {100 * r['compute_lost_frac']:.2f} %, storage capex {r['storage_capex_usd'] / 1e6:,.2f} MUSD"
                         f"{' ' + r['storage'] if r['storage'] else ''})")
    for tag in ("", "_mitigated"):
        if f"frequency{tag}_min_hz" in ds.attrs:
            osc = ds.get(f"turbine_oscillation{tag}_mw")
            lines.append(f"dynamics{' (mitigated)' if tag else ''}: frequency {ds.attrs[f'frequency{tag}_min_hz']:.3f}"
                         f"-{ds.attrs[f'frequency{tag}_max_hz']:.3f} Hz; battery {ds.attrs[f'battery{tag}_cycles_per_yr']:,.0f} "
                         f"cycles/yr" + (f"; turbine oscillation (0.1-2 Hz line) "
                                         f"{', '.join(f'{v:.2f}' for v in osc.values)} MW" if osc is not None else ""))
    return "\n".join(lines)


# --------------------------------------------------------------------------------- figures
def fig_swing(ds: xr.Dataset, *, window_s: float | None = 60.0):
    """The connection-point power without and with mitigations (first ``window_s``)."""
    import plotly.graph_objects as go

    t = ds["time"].values
    sel = slice(None) if window_s is None else t <= window_s
    fig = go.Figure()
    fig.add_scatter(x=t[sel], y=ds["swing_poc_mw"].values[sel], name="unmitigated", mode="lines")
    fig.add_scatter(x=t[sel], y=ds["swing_poc_mitigated_mw"].values[sel], name="mitigated", mode="lines")
    fig.update_layout(xaxis_title="time from the start of the study [s]", yaxis_title="connection-point power [MW]",
                      title=f"Training power swing — {ds.attrs.get('scenario_name')} ({ds.attrs.get('connection_point')})")
    return fig


def fig_spectrum(ds: xr.Dataset):
    """Amplitude spectrum of the connection-point power with the limit bands shaded."""
    import plotly.graph_objects as go

    f = ds["frequency"].values
    fig = go.Figure()
    fig.add_scatter(x=f[1:], y=ds["swing_amplitude_mw"].values[1:], name="unmitigated", mode="lines")
    fig.add_scatter(x=f[1:], y=ds["swing_amplitude_mitigated_mw"].values[1:], name="mitigated", mode="lines")
    comp = tables(ds)["compliance"]
    for _, r in comp[comp["check"].str.startswith("band")].iterrows():
        lo, hi = (float(x) for x in r["check"].split()[1].split("-"))
        fig.add_shape(type="rect", x0=lo, x1=hi, y0=0, y1=r["limit"], fillcolor="green", opacity=0.12, line_width=0)
        fig.add_shape(type="line", x0=lo, x1=hi, y0=r["limit"], y1=r["limit"], line={"dash": "dash"})
    fig.update_layout(xaxis_type="log", xaxis_title="frequency [Hz]", yaxis_title="amplitude [MW]",
                      title="Spectrum of the connection-point power and the band limits")
    return fig


def fig_mitigations(ds: xr.Dataset):
    """The mitigation table (per hall: measure, settings, pass, cost per year)."""
    import plotly.graph_objects as go

    m = tables(ds)["mitigations"]
    if not len(m):
        m = pd.DataFrame(columns=["hall", "measure", "settings", "passes", "usd_per_yr"])
    cols = ["hall", "measure", "settings", "passes", "usd_per_yr"]
    vals = [m[c].tolist() if c != "usd_per_yr" else [f"{v / 1e6:,.3f}" for v in m[c].fillna(0)] for c in cols]
    fig = go.Figure(go.Table(header={"values": ["hall", "measure", "settings", "passes", "MUSD/yr"]},
                             cells={"values": vals}))
    fig.update_layout(title="Mitigations: cheapest passing combination per hall")
    return fig
