import numpy as np
import pytest
import xarray as xr

from models import lng_plant
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
    # a bare GT at 40 °C can give 83 MW (rotating-machinery.com); at that output it is at full load,
    # heat rate +8.25 %
    f = fuel_gj(83.0, 100.0, 0.56, 40.0, "gt", 0.5)
    assert f == pytest.approx(83 * 0.5 * 3.6 / 0.56 * (1 + 0.0033 * 25))
    # a CC block at 40 °C: 100 (1 - 0.0047 x 25) = 88.25 MW (Tuefekci 2014), heat rate +0.08 %/K (Tiwari 2013)
    f = fuel_gj(88.25, 100.0, 0.56, 40.0, "ccgt", 0.5)
    assert f == pytest.approx(88.25 * 0.5 * 3.6 / 0.56 * (1 + 0.0008 * 25))
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
            assert curve[i, j] == pytest.approx(fuel_gj(pts[j], 100.0, 0.56, t[i], "ccgt", 1.0, available_mw=avail[i]))
    # fuel rises with output at every time
    assert np.all(np.diff(curve, axis=1) > 0)
    da = fuel_rate_curve_gj_per_h(pts, xr.DataArray(avail, dims="time"), 0.56, xr.DataArray(t, dims="time"), "ccgt")
    assert da.dims == ("time", "point") and list(da["point"].values) == list(pts)
    np.testing.assert_allclose(da.values, curve)


def test_conversions():
    # the twin's LNG: LHV from the stated composition (~49.3 MJ/kg): 1000 GJ -> ~20.3 t
    assert lng_t_from_fuel_gj(1000.0) == pytest.approx(1000 / lng_plant.LNG_LHV_MJ_PER_KG)
    assert co2_t_from_fuel_gj(1000.0) == pytest.approx(1000 * lng_plant.CO2_T_PER_GJ)
    assert co2_t_from_fuel_gj(3.6, ef_t_per_gj=0.198 / 3.6) == pytest.approx(0.198)
    # 1 MMBtu = 1.055056 GJ (Btu_IT)
    assert mmbtu_from_gj(1.055056) == pytest.approx(1.0)


def test_lng_properties_inside_ipcc_ranges_and_carbon_balance():
    p = lng_plant.gas_properties(lng_plant.LNG_COMPOSITION_MOL_FRAC)
    # IPCC 2006 Vol. 2 ch. 1 Table 1.2: natural gas NCV 48.0 MJ/kg, range 46.5-50.4
    assert 46.5 <= p["lhv_mj_per_kg"] <= 50.4
    # IPCC 2006 Vol. 2 ch. 1 Table 1.4: 56,100 kg CO2/TJ, range 54,300-58,300
    assert 0.0543 <= p["co2_t_per_gj_lhv"] <= 0.0583
    assert p["co2_t_per_gj_lhv"] == pytest.approx(0.0561, abs=0.0005)
    # IPCC 2006 Vol. 2 ch. 1 s. 1.4.1.2: NCV about 10 % below GCV for natural gas (HHV/LHV ~1.10-1.11)
    assert 1.10 <= p["hhv_per_lhv"] <= 1.11
    # carbon balance: pure methane CH4 + 2 O2 -> CO2 + 2 H2O gives 44.01/16.04 = 2.744 t CO2 per t
    ch4 = lng_plant.gas_properties({"CH4": 1.0})
    assert ch4["co2_t_per_t"] == pytest.approx(2.744, abs=0.002)
    # Cengel & Boles Table A-27: methane HHV 55.53, LHV 50.05 MJ/kg
    assert (ch4["hhv_mj_per_kg"], ch4["lhv_mj_per_kg"]) == (55.53, 50.05)
    # a rich LNG (methane 87 %, ethane 9 %, propane 3 %; GIIGNL range 87-99 % methane) carries more
    # carbon per kg; the twin's LNG lies between the two
    rich = lng_plant.gas_properties({"CH4": 0.87, "C2H6": 0.09, "C3H8": 0.03, "C4H10": 0.006, "N2": 0.004})
    assert ch4["co2_t_per_t"] < p["co2_t_per_t"] < rich["co2_t_per_t"]
    # the superseded set (DESNZ 45.74 MJ/kg with 55.0 kg/GJ) gave 2.516 t/t: below methane, impossible
    assert 45.74 * 0.0550 < ch4["co2_t_per_t"]
    with pytest.raises(ValueError, match="composition: mole fractions sum to 0.9, must be 1"):
        lng_plant.gas_properties({"CH4": 0.9})


def test_price_on_hhv_is_converted_to_lhv_fuel():
    # JKM-style quote 11 USD/MMBtu (HHV): per GJ of LHV fuel it is 11 / 1.055056 * HHV/LHV (~11.5 USD/GJ),
    # about 10.7 % above the old LHV reading of the same quote
    r = lng_plant.HHV_PER_LHV
    assert lng_plant.price_usd_per_gj_lhv(11.0) == pytest.approx(11.0 / 1.055056 * r)
    assert lng_plant.price_usd_per_gj_lhv(11.0, "lhv") == pytest.approx(11.0 / 1.055056)
    assert lng_plant.price_usd_per_gj_lhv(11.0) / lng_plant.price_usd_per_gj_lhv(11.0, "lhv") == pytest.approx(1.1065, abs=5e-4)
    with pytest.raises(ValueError, match="basis='ncv'"):
        lng_plant.price_usd_per_gj_lhv(11.0, "ncv")


def test_cc_output_follows_the_measured_plant_trend():
    # Tuefekci (2014), UCI Combined Cycle Power Plant data (2 GT + 1 ST, full load, 9,568 h):
    # PE = 497.03 - 2.171 AT [MW] between 1.8 and 37 degC; the trend from 5 to 32 degC relative to 15 degC
    from twin import catalog

    t = np.arange(5.0, 32.5, 0.5)
    trend = (497.03 - 2.171 * t) / (497.03 - 2.171 * 15.0)
    ccgt = catalog.load_table("gas_units").query("kind == 'ccgt'")
    assert len(ccgt) >= 3
    for _, row in ccgt.iterrows():
        rel = available_mw(t, row["rated_mw"], derate_frac_per_k=row["derate_frac_per_k"]) / row["rated_mw"]
        np.testing.assert_allclose(rel, trend, rtol=0.03, err_msg=row.name)
        # the bare-GT slope (-0.68 %/K) would miss the trend by more than 3 % at 32 degC
    gt_rel = available_mw(32.0, 1.0)
    assert abs(gt_rel / ((497.03 - 2.171 * 32) / (497.03 - 2.171 * 15)) - 1) > 0.03
    # CC heat rate: efficiency -0.04 percentage points per K at ~50 % (Tiwari et al. 2013): +0.08 %/K
    assert fuel_gj(100.0, 100.0, 0.5, 35.0, "ccgt", 1.0, available_mw=100.0) / \
        fuel_gj(100.0, 100.0, 0.5, 15.0, "ccgt", 1.0, available_mw=100.0) == pytest.approx(1.016)


def test_gt_heat_rate_below_iso_follows_the_curve():
    # rotating-machinery.com (2021) heat-rate correction: 0.92 at -29 degC, 1.10 at 45 degC
    assert heat_rate_ambient_factor(-29.0, frac_per_k_below_iso=0.0018) == pytest.approx(0.92, abs=0.002)
    assert heat_rate_ambient_factor(45.0, frac_per_k_below_iso=0.0018) == pytest.approx(1.10, abs=0.002)
    # the kind default for gt uses it, so cold-weather fuel is no longer understated
    f = fuel_gj(50.0, 50.0, 0.38, -29.0, "gt", 1.0, available_mw=50.0) / fuel_gj(50.0, 50.0, 0.38, 15.0, "gt", 1.0,
                                                                                 available_mw=50.0)
    assert f == pytest.approx(0.92, abs=0.002)


def _tank_reference(use, step_h, cap, init, boil, sched, heel):
    """Plain scalar version of the documented step order (boil-off to the units first)."""
    lev, out = init, []
    for u, d in zip(use, sched):
        d = min(d, max(cap - lev, 0.0))
        lev += d
        b = lev * boil * step_h / 24
        bog_burnt = min(b, u)
        draw = min(u - bog_burnt, max(lev - b - heel, 0.0))
        lev = lev - b - draw
        out.append((lev, d, b, bog_burnt + draw, draw, b - bog_burnt))
    return np.array(out)


def test_tank_mass_balance_and_reference_with_shortfall():
    rng = np.random.default_rng(1)
    n = 24 * 60
    use = rng.uniform(0, 8.0, n)  # t per hour step, ~96 t/day
    use[::7] = 0.0  # some idle hours: their boil-off is flared
    out = lng_tank_level_t(use, 1.0, capacity_t=1000.0, initial_t=300.0, boil_off_frac_per_day=0.001,
                           delivery_t=700.0, delivery_interval_h=24 * 10, first_delivery_h=24 * 5, min_level_t=20.0)
    delivered = out["lng_delivered_t"].sum()
    final = 300.0 + delivered - out["lng_drawn_t"].sum() - out["lng_boil_off_t"].sum()
    assert out["lng_tank_t"][-1] == pytest.approx(final, rel=1e-9)
    # boil-off is burnt first, the rest flared; what the units get is boil-off burnt + liquid drawn
    burnt_bog = out["lng_boil_off_t"] - out["lng_flared_t"]
    np.testing.assert_allclose(out["lng_supplied_t"], burnt_bog + out["lng_drawn_t"])
    assert np.all(out["lng_flared_t"][use > 0.5] == 0.0) and out["lng_flared_t"][use == 0].sum() > 0
    assert out["lng_shortfall_t"].sum() > 0  # ~100 t/day against 70 t/day delivered: runs dry
    np.testing.assert_allclose(out["lng_supplied_t"] + out["lng_shortfall_t"], use)
    assert np.all(out["lng_tank_t"] >= 20.0 * (1 - 0.001 / 24) ** 240 - 1e-9)
    assert set(np.flatnonzero(out["lng_delivered_t"])) <= set(range(24 * 5, n, 240))
    assert np.all(out["lng_tank_t"] <= 1000.0 + 1e-9)
    ref = _tank_reference(use, 1.0, 1000.0, 300.0, 0.001,
                          np.where((np.arange(n) >= 120) & ((np.arange(n) - 120) % 240 == 0), 700.0, 0.0), 20.0)
    np.testing.assert_allclose(out["lng_tank_t"], ref[:, 0], rtol=1e-9, atol=1e-7)
    np.testing.assert_allclose(out["lng_supplied_t"], ref[:, 3], rtol=1e-9, atol=1e-7)
    np.testing.assert_allclose(out["lng_flared_t"], ref[:, 5], rtol=1e-9, atol=1e-9)


def test_boil_off_feeds_the_units_before_the_tank():
    # Khan et al. (2020): 0.05-0.1 %/day; 0.08 %/day of 40,000 t = 32 t/day = 1.333 t/h of boil-off.
    # A plant burning 20 t/h draws only 18.667 t/h of liquid; an idle plant flares all 1.333 t/h.
    out = lng_tank_level_t(np.array([20.0, 0.0]), 1.0, capacity_t=50_000.0, initial_t=40_000.0,
                           boil_off_frac_per_day=0.0008, delivery_t=0.0, delivery_interval_h=1e9)
    assert out["lng_boil_off_t"][0] == pytest.approx(40_000 * 0.0008 / 24)
    assert out["lng_drawn_t"][0] == pytest.approx(20.0 - 40_000 * 0.0008 / 24)
    assert out["lng_flared_t"][0] == 0.0
    assert out["lng_tank_t"][0] == pytest.approx(40_000 - 20.0)  # the level falls by the burn alone
    assert out["lng_flared_t"][1] == pytest.approx(out["lng_boil_off_t"][1]) and out["lng_drawn_t"][1] == 0.0


def test_tank_delivery_capped_by_free_space_and_boil_off_rate():
    out = lng_tank_level_t(np.zeros(48), 1.0, capacity_t=1000.0, initial_t=900.0, boil_off_frac_per_day=0.001,
                           delivery_t=500.0, delivery_interval_h=24.0, first_delivery_h=0.0)
    assert out["lng_delivered_t"][0] == pytest.approx(100.0)
    # the cargo the full tank cannot take is refused, not silently dropped
    assert out["lng_refused_t"][0] == pytest.approx(400.0)
    assert out["lng_scheduled_t"][0] == 500.0
    np.testing.assert_allclose(out["lng_delivered_t"] + out["lng_refused_t"], out["lng_scheduled_t"])
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
    # (ccgt: +0.08 %/K, Tiwari et al. 2013)
    assert curve[1, -1] == pytest.approx(avail[1] * 3.6 / 0.56 * heat_rate_ambient_factor(35.0, frac_per_k=0.0008))
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
