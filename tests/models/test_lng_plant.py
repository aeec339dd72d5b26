import numpy as np
import pytest
import xarray as xr

from models.lng_plant import (
    available_mw,
    co2_t_from_fuel_gj,
    fuel_gj,
    fuel_rate_curve_gj_per_h,
    heat_rate_ambient_factor,
    lng_t_from_fuel_gj,
    lng_tank_level_t,
    mmbtu_from_gj,
    part_load_efficiency_ratio,
)


def test_iso_derating_reference_points():
    # rotating-machinery.com (2021) "Gas Turbine: ISO Rating and Site Rating": 1.00 at 15 °C, 0.83 at 40 °C
    assert available_mw(15.0, 100.0) == pytest.approx(100.0)
    assert available_mw(40.0, 100.0) == pytest.approx(83.0)
    # 1.25 at -19 °C for the bare GT; capped here at max_frac
    assert available_mw(-19.0, 100.0) == pytest.approx(110.0)
    assert available_mw(-19.0, 100.0, max_frac=1.3) == pytest.approx(100 * (1 + 0.0068 * 34))


def test_available_monotone_non_increasing():
    t = np.linspace(-30, 50, 161)
    p = available_mw(t, 50.0)
    assert np.all(np.diff(p) <= 0)
    assert np.all(np.diff(p[t > 15]) < 0)
    # engines derate less
    assert available_mw(35.0, 50.0, derate_frac_per_k=0.002) > available_mw(35.0, 50.0)


def test_heat_rate_factor_reference():
    # same source: heat-rate correction 1.10 at 45 °C
    assert heat_rate_ambient_factor(45.0) == pytest.approx(1.10, abs=0.002)
    assert heat_rate_ambient_factor(15.0) == 1.0


@pytest.mark.parametrize("kind, x, r", [
    # Buttler et al. (2015) via TransiEnt CCGTButtler.mo / GasTurbineButtler.mo
    ("ccgt", 0.0, 0.581), ("ccgt", 0.3, 0.788), ("ccgt", 0.5, 0.888), ("ccgt", 0.9, 0.993), ("ccgt", 1.0, 1.0),
    ("gt", 0.0, 0.260), ("gt", 0.3, 0.608), ("gt", 0.5, 0.780), ("gt", 0.8, 0.948), ("gt", 1.0, 1.0),
    # linear interpolation between table points: (0.888 + 0.926)/2
    ("ccgt", 0.55, 0.907),
])
def test_buttler_tables(kind, x, r):
    assert part_load_efficiency_ratio(x, kind) == pytest.approx(r)


def test_part_load_curves_ordering_and_errors():
    x = np.linspace(0, 1, 21)
    for kind in ("ccgt", "gt", "engine"):
        assert np.all(np.diff(part_load_efficiency_ratio(x, kind)) > 0)
    # engines flatter than CCGT flatter than GT (Wärtsilä; Buttler)
    assert np.all(part_load_efficiency_ratio(x[:-1], "engine") > part_load_efficiency_ratio(x[:-1], "gt"))
    assert part_load_efficiency_ratio(1.3, "gt") == 1.0
    with pytest.raises(ValueError, match="kind='steam'.*'ccgt', 'gt', 'engine'"):
        part_load_efficiency_ratio(0.5, "steam")


def test_fuel_hand_values():
    # CCGT 100 MW, 56 % LHV (DEA VN 2020), ISO, half load for 1 h: 50*3.6/(0.56*0.888) GJ
    assert fuel_gj(50.0, 100.0, 0.56, 15.0, "ccgt", 1.0) == pytest.approx(50 * 3.6 / (0.56 * 0.888))
    # at 40 °C the unit can give 83 MW; at that output it is at full load, heat rate +8.25 %
    f = fuel_gj(83.0, 100.0, 0.56, 40.0, "ccgt", 0.5)
    assert f == pytest.approx(83 * 0.5 * 3.6 / 0.56 * (1 + 0.0033 * 25))
    assert fuel_gj(0.0, 100.0, 0.56, 30.0, "gt", 1.0) == 0.0
    # explicit available capacity
    assert fuel_gj(40.0, 100.0, 0.4, 15.0, "gt", 1.0, available_mw=80.0) == pytest.approx(
        40 * 3.6 / (0.4 * 0.780))


def test_fuel_nan_locality_and_dataarray():
    gen = xr.DataArray([10.0, np.nan, 30.0, 0.0], dims="time")
    t = xr.DataArray([20.0, 20.0, np.nan, 25.0], dims="time")
    f = fuel_gj(gen, 50.0, 0.4, t, "gt", 1.0)
    assert isinstance(f, xr.DataArray)
    assert np.isnan(f.values[1]) and np.isnan(f.values[2])
    assert f.values[0] == pytest.approx(fuel_gj(10.0, 50.0, 0.4, 20.0, "gt", 1.0))
    assert f.values[3] == 0.0
    with pytest.raises(ValueError, match="gen_mw=-5"):
        fuel_gj(-5.0, 50.0, 0.4, 20.0, "gt", 1.0)


def test_fuel_rate_curve_matches_fuel_gj():
    t = np.array([15.0, 30.0, 35.0])
    avail = available_mw(t, 100.0)
    pts = np.array([0.0, 40.0, 60.0, 80.0])
    curve = fuel_rate_curve_gj_per_h(pts, avail, 0.56, t, "ccgt")
    assert curve.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            assert curve[i, j] == pytest.approx(fuel_gj(pts[j], 100.0, 0.56, t[i], "ccgt", 1.0))
    # fuel rises with output at every time
    assert np.all(np.diff(curve, axis=1) > 0)
    da = fuel_rate_curve_gj_per_h(pts, xr.DataArray(avail, dims="time"), 0.56, xr.DataArray(t, dims="time"), "ccgt")
    assert da.dims == ("time", "point") and list(da["point"].values) == list(pts)
    np.testing.assert_allclose(da.values, curve)


def test_conversions():
    # DESNZ 2025 LNG net CV 45.74 MJ/kg: 1000 GJ -> 21.863 t
    assert lng_t_from_fuel_gj(1000.0) == pytest.approx(1000 / 45.74)
    # PyPSA/technology-data 0.198 tCO2/MWh_th = 0.0550 t/GJ
    assert co2_t_from_fuel_gj(1000.0) == pytest.approx(55.0)
    assert co2_t_from_fuel_gj(3.6, ef_t_per_gj=0.198 / 3.6) == pytest.approx(0.198)
    # 1 MMBtu = 1.055056 GJ (Btu_IT)
    assert mmbtu_from_gj(1.055056) == pytest.approx(1.0)


def _tank_reference(use, step_h, cap, init, boil, sched, heel):
    """Plain scalar version of the documented step order."""
    keep = 1 - boil * step_h / 24
    lev, out = init, []
    for u, d in zip(use, sched):
        d = min(d, max(cap - lev, 0.0))
        lev += d
        kept = lev * keep
        b = lev - kept
        s = min(u, max(kept - heel, 0.0))
        lev = kept - s
        out.append((lev, d, b, s))
    return np.array(out)


def test_tank_mass_balance_and_reference_with_shortfall():
    rng = np.random.default_rng(1)
    n = 24 * 60
    use = rng.uniform(0, 8.0, n)  # t per hour step, ~96 t/day
    out = lng_tank_level_t(use, 1.0, capacity_t=1000.0, initial_t=300.0, boil_off_frac_per_day=0.001,
                           delivery_t=700.0, delivery_interval_h=24 * 10, first_delivery_h=24 * 5, min_level_t=20.0)
    delivered = out["lng_delivered_t"].sum()
    final = 300.0 + delivered - out["lng_supplied_t"].sum() - out["lng_boil_off_t"].sum()
    assert out["lng_tank_t"][-1] == pytest.approx(final, rel=1e-9)
    assert out["lng_shortfall_t"].sum() > 0  # ~100 t/day against 70 t/day delivered: runs dry
    np.testing.assert_allclose(out["lng_supplied_t"] + out["lng_shortfall_t"], use)
    # the plant never draws below the 20 t heel; only boil-off takes the heel lower (< 10 days between cargoes)
    assert np.all(out["lng_tank_t"] >= 20.0 * (1 - 0.001 / 24) ** 240 - 1e-9)
    # deliveries arrive on the 10-day cadence starting at day 5, and never over-fill
    assert set(np.flatnonzero(out["lng_delivered_t"])) <= set(range(24 * 5, n, 240))
    assert np.all(out["lng_tank_t"] <= 1000.0 + 1e-9)
    ref = _tank_reference(use, 1.0, 1000.0, 300.0, 0.001,
                          np.where((np.arange(n) >= 120) & ((np.arange(n) - 120) % 240 == 0), 700.0, 0.0), 20.0)
    np.testing.assert_allclose(out["lng_tank_t"], ref[:, 0], rtol=1e-9, atol=1e-7)
    np.testing.assert_allclose(out["lng_supplied_t"], ref[:, 3], rtol=1e-9, atol=1e-7)


def test_tank_delivery_capped_by_free_space_and_boil_off_rate():
    out = lng_tank_level_t(np.zeros(48), 1.0, capacity_t=1000.0, initial_t=900.0, boil_off_frac_per_day=0.001,
                           delivery_t=500.0, delivery_interval_h=24.0, first_delivery_h=0.0)
    assert out["lng_delivered_t"][0] == pytest.approx(100.0)
    # Khan et al. (2020): 0.05-0.1 %/day; at 0.1 %/day a full 1000 t tank loses 1 t/day
    assert out["lng_boil_off_t"][:24].sum() == pytest.approx(1000 * (1 - (1 - 0.001 / 24) ** 24))
    assert out["lng_delivered_t"][24] == pytest.approx(1000 - out["lng_tank_t"][23])


def test_tank_nan_use_is_local():
    use = np.array([1.0, np.nan, 1.0])
    out = lng_tank_level_t(use, 1.0, capacity_t=100.0, initial_t=50.0, boil_off_frac_per_day=0.0,
                           delivery_t=0.0, delivery_interval_h=1e9)
    assert np.isnan(out["lng_supplied_t"][1]) and np.isnan(out["lng_shortfall_t"][1])
    np.testing.assert_allclose(out["lng_tank_t"], [49.0, 49.0, 48.0])
    with pytest.raises(ValueError, match="initial_t=200 is outside \\[0, 100\\]"):
        lng_tank_level_t(use, 1.0, capacity_t=100.0, initial_t=200.0, delivery_t=0.0, delivery_interval_h=1.0)


def test_fuel_rate_curve_points_scaling_with_capacity():
    # points that follow the derated capacity, shape (time, points), as an optimiser builds them
    t = np.array([15.0, 35.0])
    avail = available_mw(t, 100.0)
    pts = avail[:, None] * np.linspace(0.4, 1.0, 4)[None, :]
    curve = fuel_rate_curve_gj_per_h(pts, avail[:, None], 0.56, t[:, None], "ccgt")
    assert curve.shape == (2, 4)
    # at 100 % of the available capacity: full-load efficiency times the ambient heat-rate factor
    assert curve[1, -1] == pytest.approx(avail[1] * 3.6 / 0.56 * heat_rate_ambient_factor(35.0))
    assert curve[0, 0] == pytest.approx(fuel_gj(40.0, 100.0, 0.56, 15.0, "ccgt", 1.0))


def test_convex_fuel_curve_option():
    t = np.array([15.0, 32.0])
    avail = available_mw(t, 100.0)
    pts = avail[:, None] * np.linspace(0.3, 1.0, 8)[None, :]
    raw = fuel_rate_curve_gj_per_h(pts, avail[:, None], 0.56, t[:, None], "ccgt")
    cvx = fuel_rate_curve_gj_per_h(pts, avail[:, None], 0.56, t[:, None], "ccgt", convex=True)
    slopes = np.diff(cvx, axis=1) / np.diff(pts, axis=1)
    assert np.all(np.diff(slopes, axis=1) >= -1e-9)  # non-decreasing slopes: convex
    assert np.all(cvx <= raw + 1e-9)
    # the Buttler CCGT curve is nearly linear above 30 % load: the envelope moves fuel by < 2 %
    np.testing.assert_allclose(cvx, raw, rtol=0.02)
    # end points are on the curve
    np.testing.assert_allclose(cvx[:, [0, -1]], raw[:, [0, -1]])
    # the raw curve is not convex (this is why the option exists)
    raw_slopes = np.diff(raw, axis=1) / np.diff(pts, axis=1)
    assert np.any(np.diff(raw_slopes, axis=1) < -1e-6)
