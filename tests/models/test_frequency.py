"""Frequency dynamics (models/frequency.py) against textbook closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from models.frequency import BusInputs, deadband, integrate_bus, rocof_hz_per_s, settling, steady_state_deviation_pu


def one_machine(*, h_s=5.0, r=0.05, d_pu=1.0, t_gov_s=0.5, t_lag_s=0.0, p0=50.0, rated=100.0, bat_mw=0.0,
                bat_mwh=0.0, ufls=None, db_hz=0.0, B=1):
    o = lambda v: np.full((B, 1), float(v))  # noqa: E731
    ufls = ufls or ([], [], [])
    return BusInputs(
        f0_hz=50.0, on=o(1), rated_mw=o(rated), mva=o(rated), p0_mw=o(p0), pmax_mw=o(rated), h_s=o(h_s), droop=o(r),
        db_hz=o(db_hz), t_gov_s=o(t_gov_s), t_lead_s=o(0), t_lag_s=o(t_lag_s), steam_frac=o(0), t_steam_s=o(0),
        rate_up=o(1e3), rate_down=o(1e3), dt_pu=o(0), dm_pu=o(d_pu), uf_trip_pu=o(-1.0), trip_at_s=o(np.inf),
        load0_mw=np.full(B, p0), load_damping=np.zeros(B), bat_p0_mw=np.zeros(B), bat_power_mw=np.full(B, bat_mw),
        bat_energy_avail_mwh=np.full(B, bat_mwh), bat_charge_room_mwh=np.full(B, bat_mwh), grid_on=np.zeros(B, bool),
        ufls_dev_pu=np.array(ufls[0], float), ufls_delay_s=np.array(ufls[1], float), ufls_frac=np.array(ufls[2], float))


def test_load_step_settles_at_droop_and_damping_deviation():
    # Kundur (1994) eq. 11.11, one machine: delta_f = -delta_P R / (1 + D R) [pu on the machine base]
    dp_pu, r, d = 0.1, 0.05, 1.0
    res = integrate_bus(one_machine(r=r, d_pu=d), np.full(6000, dp_pu * 100.0), 0.01)
    expected = -dp_pu * r / (1 + d * r)
    assert expected == pytest.approx(float(steady_state_deviation_pu(dp_pu, r, d)))
    assert res["x"][0, -1] == pytest.approx(expected, rel=0.01)


def _first_order_governor_nadir(h, r, d, t, dp):
    """Closed form of 2H s x = -dP/s - D x - x / (R (1 + sT)): the low-order system frequency
    response model of Anderson & Mirheydar (1990), IEEE Trans. Power Syst. 5(3):720, with no reheat.
    X(s) = -dP (1 + sT) / (s (2HT s^2 + (2H + DT) s + D + 1/R)); inverse Laplace by residues."""
    den = np.polymul([1.0, 0.0], [2 * h * t, 2 * h + d * t, d + 1.0 / r])
    num = -dp * np.array([t, 1.0])
    poles = np.roots(den)
    res = [np.polyval(num, p) / np.polyval(np.polyder(den), p) for p in poles]
    tt = np.linspace(0, 30, 300001)
    x = np.real(sum(c * np.exp(p * tt) for c, p in zip(res, poles)))
    return x.min(), tt[x.argmin()], x[-1]


def test_first_order_governor_nadir_matches_closed_form():
    h, r, d, t, dp = 5.0, 0.05, 1.0, 2.0, 0.1
    x_nadir, t_nadir, x_end = _first_order_governor_nadir(h, r, d, t, dp)
    res = integrate_bus(one_machine(h_s=h, r=r, d_pu=d, t_gov_s=t), np.full(3000, dp * 100.0), 0.01)
    x = res["x"][0]
    assert x.min() == pytest.approx(x_nadir, rel=0.01)
    assert res["t_s"][x.argmin()] == pytest.approx(t_nadir, rel=0.02)
    assert x[-1] == pytest.approx(x_end, rel=0.01)


def test_initial_rocof_is_power_over_twice_the_stored_energy():
    # swing equation at t = 0+: df/dt = -dP f0 / (2 H S)  (Kundur 1994 eq. 3.212)
    res = integrate_bus(one_machine(h_s=5.0), np.full(200, 10.0), 0.001)
    f = 50.0 * (1 + res["x"][0])
    assert (f[1] - f[0]) / 0.001 == pytest.approx(-10.0 * 50.0 / (2 * 5.0 * 100.0), rel=0.01)


def test_ufls_stage_sheds_its_share_and_lifts_the_nadir():
    no = integrate_bus(one_machine(d_pu=0.0, t_gov_s=3.0), np.full(2000, 20.0), 0.01)
    st = integrate_bus(one_machine(d_pu=0.0, t_gov_s=3.0, ufls=([-0.01], [0.1], [0.2])), np.full(2000, 20.0), 0.01)
    assert no["x"][0].min() < -0.01  # the unshed case crosses 49.5 Hz
    assert np.isfinite(st["stage_t_s"][0, 0])
    assert st["shed_mw"][0, -1] == pytest.approx(0.2 * 50.0)
    assert st["x"][0].min() > no["x"][0].min()


def test_battery_response_stops_at_its_energy():
    step = 0.01
    full = integrate_bus(one_machine(d_pu=0.0, t_gov_s=5.0, bat_mw=10.0, bat_mwh=1.0), np.full(1000, 20.0), step)
    tiny = integrate_bus(one_machine(d_pu=0.0, t_gov_s=5.0, bat_mw=10.0, bat_mwh=0.002), np.full(1000, 20.0), step)
    assert full["bat_mw"][0].max() == pytest.approx(10.0, rel=1e-3)
    # 0.002 MWh = 7.2 MJ: 7.2 MJ discharged, then the output is cut (it may charge again later)
    b = tiny["bat_mw"][0]
    assert (np.maximum(b, 0.0) * step).sum() == pytest.approx(7.2, rel=0.02)
    assert b[np.argmax(np.cumsum(np.maximum(b, 0.0)) * step >= 7.2) + 1] <= 0.0


def test_batch_cases_are_independent():
    inp = one_machine(B=3)
    res = integrate_bus(inp, np.array([np.full(500, v) for v in (0.0, 5.0, 10.0)]), 0.01)
    assert np.all(res["x"][0] == 0)
    assert res["x"][2].min() < res["x"][1].min() < 0
    one = integrate_bus(one_machine(), np.full(500, 5.0), 0.01)
    np.testing.assert_allclose(res["x"][1], one["x"][0])


def test_electrical_outputs_balance_the_load():
    res = integrate_bus(one_machine(d_pu=0.0), np.full(1000, 10.0), 0.01)
    np.testing.assert_allclose(res["pe_mw"][0].sum(axis=1) + res["bat_mw"][0], res["load_mw"][0], atol=1e-9)


def test_helpers():
    np.testing.assert_allclose(deadband(np.array([-0.03, -0.01, 0.0, 0.02]), 0.015), [-0.015, 0.0, 0.0, 0.005])
    f = 50.0 - 0.2 * np.arange(100) * 0.01  # a 0.2 Hz/s ramp
    assert rocof_hz_per_s(f, 0.01)[-1] == pytest.approx(-0.2)
    t = np.arange(1000) * 0.01
    f_end, t_set = settling(49.5 + 0.5 * np.exp(-t), t, band_hz=0.02)
    assert f_end[0] == pytest.approx(49.5, abs=1e-3)
    # the settling value is the mean of the last 5 s, a little above 49.5 Hz: the band is left a little earlier
    assert t_set[0] == pytest.approx(np.log(0.5 / 0.02), abs=0.05)
