"""AI-training power swings (models.workload_swing): the paper's qualitative results, exact
energy of the floor, and analytic cases of the smoothing measures.

Qualitative results reproduced: Choukse et al. (2025), "Power Stabilization for AI Training
Datacenters", arXiv:2508.14318 — the swing grows with the synchronised job, de-synchronisation
lowers the spectral peak, a power floor cuts the swing.
"""

from __future__ import annotations

import numpy as np
import pytest

from models.workload_swing import apply_power_floor, apply_ramp_limit, storage_smoothing, training_swing_mw
from twin.swing import amplitude_spectrum

STEP = 0.01
T = np.arange(int(600 / STEP)) * STEP     # 10 minutes at 10 ms
RACK = {"rack_kw_max": 120.0, "idle_frac": 0.33}  # gb200-nvl72 row of datasets/catalog/racks.csv


def swing(**kw):
    args = {"racks": 200, "iteration_s": 2.0, "compute_frac": 0.8, **RACK, **kw}
    return training_swing_mw(T, **args)


def peak(p, lo=0.1, hi=2.0):
    f, a = amplitude_spectrum(p, STEP)
    sel = (f >= lo) & (f <= hi)
    return float(a[sel].max())


def fundamental_mw(dp_mw, duty):
    # hand-computed: the fundamental of a rectangular wave of height dp and duty d is
    # (2/pi) sin(pi d) dp (Fourier series of a pulse train)
    return 2.0 / np.pi * np.sin(np.pi * duty) * dp_mw


def test_levels_and_the_square_wave_amplitude():
    r = swing()
    # rack model: P = Pmax (f_idle + (1 - f_idle) u); 200 racks x 120 kW = 24 MW at full power
    assert r["busy_mw"] == pytest.approx(24.0)
    assert r["idle_mw"] == pytest.approx(24.0 * 0.33)
    assert r["comm_mw"] == pytest.approx(24.0 * (0.33 + 0.67 * 0.1))
    p = r["power_mw"]
    assert p.max() == pytest.approx(r["busy_mw"]) and p.min() == pytest.approx(r["comm_mw"])
    assert p.mean() == pytest.approx(r["comm_mw"] + 0.8 * (r["busy_mw"] - r["comm_mw"]), rel=1e-9)
    # Welch/flat-top spectrum reads the fundamental at 0.5 Hz to 1 %
    assert peak(p) == pytest.approx(fundamental_mw(r["busy_mw"] - r["comm_mw"], 0.8), rel=0.01)


def test_amplitude_scales_with_the_synchronised_share():
    full = swing(racks=400)
    half = swing(racks=200)
    assert np.ptp(full["power_mw"]) == pytest.approx(2 * np.ptp(half["power_mw"]), rel=1e-12)
    assert peak(full["power_mw"]) == pytest.approx(2 * peak(half["power_mw"]), rel=1e-6)


def test_desynchronisation_lowers_the_spectral_peak():
    peaks = [peak(swing(jitter_s=s, rack_groups=1024, seed=3)["power_mw"]) for s in (0.0, 0.1, 0.2, 0.4)]
    assert peaks[0] > peaks[1] > peaks[2] > peaks[3]
    # the fundamental falls about as the normal characteristic function exp(-(2 pi sigma / T)^2 / 2)
    # (1024 groups: sampling error of the mean phase ~ 1/sqrt(1024) = 3 %)
    ratio = peaks[2] / peaks[0]
    assert ratio == pytest.approx(np.exp(-0.5 * (2 * np.pi * 0.2 / 2.0) ** 2), abs=0.05)
    # the mean power does not change
    assert swing(jitter_s=0.2)["power_mw"].mean() == pytest.approx(swing()["power_mw"].mean(), rel=1e-3)


@pytest.mark.parametrize("x", [0.5, 0.7, 0.9])
def test_floor_at_x_of_tdp_cuts_the_swing_in_proportion(x):
    r = swing()
    tdp = 24.0
    floor = x * tdp
    out = apply_power_floor(r["power_mw"], floor, STEP, busy_mw=r["busy_mw"])
    expected = (r["busy_mw"] - max(floor, r["comm_mw"])) / (r["busy_mw"] - r["comm_mw"])
    assert np.ptp(out["power_mw"]) / np.ptp(r["power_mw"]) == pytest.approx(expected, rel=1e-12)
    assert peak(out["power_mw"]) / peak(r["power_mw"]) == pytest.approx(expected, rel=1e-6)


def test_floor_energy_is_exactly_the_area_between_floor_and_power():
    r = swing()
    p = r["power_mw"]
    out = apply_power_floor(p, 0.8 * 24.0, STEP)
    area_mwh = float(np.sum(out["power_mw"] - p) * STEP / 3600.0)
    assert out["burn_mwh"] == area_mwh  # same sum, by construction (exact)
    # and against the hand-computed area: 300 iterations x (1 - 0.8) x 2 s below the floor by
    # (floor - comm) MW
    hand = 300 * 0.2 * 2.0 * (0.8 * 24.0 - r["comm_mw"]) / 3600.0
    assert out["burn_mwh"] == pytest.approx(hand, rel=1e-9)


def test_checkpoint_start_failure_envelope():
    r = swing(start_s=10.0, start_ramp_s=5.0, checkpoint_interval_s=100.0, checkpoint_s=10.0,
              failure_s=300.0, restart_s=60.0)
    p, i = r["power_mw"], lambda s: int(round(s / STEP))
    assert p[: i(10)] == pytest.approx(r["idle_mw"])                   # before the start: idle
    assert p[i(12.5)] < r["busy_mw"]                                    # during the start ramp
    assert np.all(p[i(101):i(109)] == pytest.approx(r["comm_mw"]))     # checkpoint 100..110 s after start
    assert p[i(300):i(360)] == pytest.approx(r["idle_mw"])              # failed, waiting for the restart
    assert p[i(380):i(400)].max() == pytest.approx(r["busy_mw"])        # running again


def test_deterministic_with_a_seed():
    a = swing(jitter_s=0.1, seed=7)["power_mw"]
    assert np.array_equal(a, swing(jitter_s=0.1, seed=7)["power_mw"])
    assert not np.array_equal(a, swing(jitter_s=0.1, seed=8)["power_mw"])


def test_bad_input_names_the_field():
    with pytest.raises(ValueError, match=r"^iteration_s=0.015 is shorter than two time steps \(step 0.01 s\)"):
        swing(iteration_s=0.015)
    with pytest.raises(ValueError, match=r"^compute_frac=1.5 is outside \[0, 1\]"):
        swing(compute_frac=1.5)
    with pytest.raises(ValueError, match=r"^floor_mw=30 is above the busy \(compute-phase\) power 24 MW"):
        apply_power_floor(np.ones(3), 30.0, STEP, busy_mw=24.0)


def test_ramp_limit_rate_and_compute_lost():
    r = swing(compute_frac=0.5)   # both phases (1 s) longer than the ramp (0.5 s)
    dp = r["busy_mw"] - r["comm_mw"]
    rate = dp / 0.5      # half a second to cross the swing
    out = apply_ramp_limit(r["power_mw"], STEP, rate, idle_mw=r["idle_mw"])
    assert np.abs(np.diff(out["power_mw"])).max() <= rate * STEP * (1 + 1e-12)
    # hand-computed: each rise loses a triangle; in N = 0.5 s / 10 ms = 50 steps the deficit is
    # dp (1 - k/N) at step k = 1..N, summing to dp dt (N - 1) / 2 (the continuous 0.5 x 0.5 s x dp
    # less half a step); work per iteration is the energy above idle (half at busy, half at comm)
    n = 50
    work = 300 * 2.0 * (0.5 * (r["busy_mw"] - r["idle_mw"]) + 0.5 * (r["comm_mw"] - r["idle_mw"]))
    # (the series starts computing, so 299 rises; every one of the 300 falls is held up the same way)
    tri = dp * STEP * (n - 1) / 2
    assert out["compute_lost_frac"] == pytest.approx(299 * tri / work, rel=1e-9)
    assert out["burn_mwh"] == pytest.approx(300 * tri / 3600.0, rel=1e-9)


def test_storage_smoothing_balances_and_filters_a_sinusoid():
    a, f, tau = 5.0, 0.5, 3.0
    p = 50.0 + a * np.sin(2 * np.pi * f * T)
    out = storage_smoothing(p, STEP, tau)
    assert np.allclose(out["supply_mw"] + out["store_mw"], p, atol=1e-12)   # energy balance every step
    tail = out["supply_mw"][T > 10 * tau]
    # first-order low-pass: amplitude a / sqrt(1 + (2 pi f tau)^2) in steady state
    assert 0.5 * np.ptp(tail) == pytest.approx(a / np.hypot(1.0, 2 * np.pi * f * tau), rel=0.01)
    lim = storage_smoothing(p, STEP, tau, power_limit_mw=1.0)
    assert np.abs(lim["store_mw"]).max() <= 1.0


def test_floor_keeps_labels_and_nan_locality():
    import xarray as xr

    p = xr.DataArray([10.0, np.nan, 30.0], dims="time", coords={"time": [0.0, 0.01, 0.02]})
    out = apply_power_floor(p, 20.0, STEP)
    assert isinstance(out["power_mw"], xr.DataArray) and list(out["power_mw"]["time"].values) == [0.0, 0.01, 0.02]
    assert out["power_mw"].values[0] == 20.0 and np.isnan(out["power_mw"].values[1]) and out["power_mw"].values[2] == 30.0
    assert out["burn_mwh"] == pytest.approx(10.0 * STEP / 3600.0)
