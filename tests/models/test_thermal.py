"""Lumped thermal ride-through (models/thermal.py) against hand calculations."""

from __future__ import annotations

import numpy as np
import pytest

from models.thermal import ASHRAE_ALLOWABLE_MAX_C, heat_capacity_j_per_k, heating_rate_k_per_s, ride_through, throttle_frac

# 10 m3 of water at 40 degC: rho 992 kg/m3, cp 4179 J/kg/K (IAPWS-95 via NIST WebBook, fluids.csv)
C_WATER_10M3 = 10.0 * 992.0 * 4179.0


def test_lumped_mass_heats_at_q_over_mc():
    c = float(heat_capacity_j_per_k(10.0, 992.0, 4179.0))
    assert c == pytest.approx(C_WATER_10M3)
    q = 1.0e6  # 1 MW into 10 m3 of water: 1e6 / 4.146e7 = 0.0241 K/s (hand calculation)
    res = ride_through(np.full((600, 1), q), np.zeros((600, 1)), 1.0, heat_capacity_j_k=c, t0_c=10.0, t_limit_c=99.0)
    rate = (res["t_c"][-1, 0] - res["t_c"][0, 0]) / 599.0
    assert rate == pytest.approx(q / C_WATER_10M3, rel=0.01)
    assert float(heating_rate_k_per_s(q, c)) == pytest.approx(q / C_WATER_10M3)


def test_time_to_limit_is_c_dt_over_q():
    q, t0, tl = 2.0e6, 10.0, 27.0
    res = ride_through(np.full((2000, 1), q), np.zeros((2000, 1)), 0.5, heat_capacity_j_k=C_WATER_10M3, t0_c=t0,
                       t_limit_c=tl, band_k=1e-6, floor_frac=1.0)
    assert res["time_to_limit_s"][0] == pytest.approx(C_WATER_10M3 * (tl - t0) / q, rel=0.01)
    assert res["it_frac"][-1, 0] == 0.0  # thermal shutdown at the limit
    assert res["trip_s"][0] == res["time_to_limit_s"][0]


def test_restart_pulls_the_loop_back_below_the_limit():
    q = 2.0e6
    av = np.ones((3000, 1))
    av[:180] = 0.0  # cooling back after 3 minutes
    res = ride_through(np.full((3000, 1), q), av, 1.0, heat_capacity_j_k=C_WATER_10M3, t0_c=10.0, t_limit_c=27.0)
    assert np.isnan(res["time_to_limit_s"][0])
    assert res["peak_c"][0] == pytest.approx(10.0 + q * 180 / C_WATER_10M3, rel=0.01)
    assert res["t_c"][-1, 0] < 10.5


def test_storage_carries_the_heat_while_it_lasts():
    q = 2.0e6
    res = ride_through(np.full((600, 1), q), np.zeros((600, 1)), 1.0, heat_capacity_j_k=C_WATER_10M3, t0_c=10.0,
                       t_limit_c=27.0, tes_energy_j=q * 300.0, tes_power_w=5e6)
    assert res["t_c"][299, 0] == pytest.approx(10.0)
    assert res["t_c"][-1, 0] == pytest.approx(10.0 + q * 300 / C_WATER_10M3, rel=0.01)


def test_throttling_is_monotone_and_bounded():
    t = np.linspace(20, 40, 201)
    f = throttle_frac(t, 35.0, 2.0, 0.3)
    assert f[0] == 1.0 and f[-1] == pytest.approx(0.3)
    assert np.all(np.diff(f) <= 0)
    assert np.isnan(throttle_frac(np.array([np.nan, 20.0]), 35.0, 2.0, 0.3)[0])
    assert ASHRAE_ALLOWABLE_MAX_C["A2"] == 35.0  # ASHRAE TC 9.9 5th ed. A2 allowable (reference-data C1)


def test_step_too_large_for_recovery_is_refused():
    with pytest.raises(ValueError, match="too large for the recovery time constant"):
        ride_through(np.ones((10, 1)), np.ones((10, 1)), 60.0, heat_capacity_j_k=1.0, t0_c=10.0, t_limit_c=27.0)
