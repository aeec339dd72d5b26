import numpy as np
import pytest
import xarray as xr

from models.air_cooling import air_cooling_power, cooling_tower_water_m3_per_h
from models.immersion_cooling import direct_to_chip_cooling_power, immersion_cooling_power, liquid_loop_power

# pump work of 1 MW at the defaults, by hand: flow = 1e6/(800*2200*20) = 0.0284091 m3/s;
# hydraulic power 0.0284091*150e3/0.7 = 6087.7 W
PUMP_MW_PER_MW = 1e6 / (800 * 2200 * 20) * 150e3 / 0.7 / 1e6
Q = 10.0
Q_REJ = Q * (1 + PUMP_MW_PER_MW)
DRY = dict(dry_cooler_capacity_mw=Q_REJ)  # sized exactly for this load at the 35 °C design day


def test_pump_power_hand_value():
    out = liquid_loop_power(1.0, 30.0, 25.0, dry_cooler_capacity_mw=2.0)
    assert out["coolant_flow_m3_per_s"] == pytest.approx(1e6 / (800 * 2200 * 20))
    sec = 0.012 * (1 + PUMP_MW_PER_MW)
    assert out["pump_power_mw"] == pytest.approx(PUMP_MW_PER_MW + sec)
    assert out["heat_rejected_mw"] == pytest.approx(1 + PUMP_MW_PER_MW)


def test_dry_cooler_design_point():
    out = liquid_loop_power(Q, 35.0, 25.0, **DRY)
    # design: full load at the design dry-bulb needs full fan speed and just holds 40 °C supply
    assert out["fan_speed_frac"] == pytest.approx(1.0)
    assert out["fan_power_mw"] == pytest.approx(0.02 * Q_REJ)
    assert out["t_supply_c"] == pytest.approx(40.0)
    assert out["cooling_deficit_mw"] == pytest.approx(0.0, abs=1e-9)
    assert out["water_m3_per_h"] == 0.0


def test_dry_cooler_part_speed_hand_value():
    out = liquid_loop_power(Q, 25.0, 20.0, **DRY)
    # eps-NTU with C_r = 0: NTU_d = ln(1 + 20/5) ; holding 40 °C at 25 °C needs NTU = ln(1 + 20/15)
    s = (np.log(1 + 20 / 15) / np.log(1 + 20 / 5)) ** (1 / 0.8)
    assert out["fan_speed_frac"] == pytest.approx(s)
    assert out["fan_power_mw"] == pytest.approx(0.02 * Q_REJ * s**3)  # fan affinity law
    assert out["t_supply_c"] == pytest.approx(40.0)


def test_dry_cooler_deficit_when_too_hot():
    out = liquid_loop_power(Q, 38.0, 28.0, **DRY)
    # at 38 °C only Q_d*NTU_d/NTU(a=2 K) can be removed at 40 °C supply: ln(5)/ln(11) = 0.6712
    q_max = Q_REJ * np.log(5) / np.log(11)
    assert out["cooling_deficit_mw"] == pytest.approx(Q_REJ - q_max)
    # fans flat out; at full load and full speed the supply sits at dry-bulb + design approach (5 K)
    assert out["fan_speed_frac"] == 1.0
    assert out["t_supply_c"] == pytest.approx(43.0)
    hot = liquid_loop_power(Q, 41.0, 28.0, **DRY)
    assert hot["cooling_deficit_mw"] == pytest.approx(Q_REJ)


def test_dry_cooler_monotone_in_drybulb_and_deficit_only_when_hot():
    tdb = np.linspace(0.0, 42.0, 85)
    out = liquid_loop_power(np.full_like(tdb, Q), tdb, tdb - 5.0, **DRY)
    assert np.all(np.diff(out["fan_power_mw"]) >= -1e-12)
    assert np.all(np.diff(out["cooling_deficit_mw"]) >= -1e-12)
    assert np.all(out["cooling_deficit_mw"][tdb <= 35.0] < 1e-9)
    assert np.all(out["cooling_deficit_mw"][tdb > 35.0] > 0)
    # supply held at the limit wherever there is no deficit and fans are above minimum speed
    held = (out["cooling_deficit_mw"] < 1e-9) & (out["fan_speed_frac"] > 0.1)
    np.testing.assert_allclose(out["t_supply_c"][held], 40.0)
    assert np.all(out["t_supply_c"][tdb <= 35.0] <= 40.0 + 1e-9)
    assert np.all(out["t_supply_c"][tdb > 35.0] > 40.0)


def test_zero_heat_means_no_power():
    out = liquid_loop_power(0.0, 30.0, 25.0, **DRY)
    assert out["cooling_power_mw"] == 0.0 and out["cooling_deficit_mw"] == 0.0


def test_tower_mode_water_and_deficit():
    out = liquid_loop_power(Q, 33.0, 30.0, heat_rejection="tower")
    # coolest supply 30 + 3.9 + 2.2 = 36.1 °C <= 40 °C: no deficit, supply held at the limit
    assert out["cooling_deficit_mw"] == 0.0 and out["t_supply_c"] == 40.0
    w = cooling_tower_water_m3_per_h(Q_REJ, 33.0, 30.0, approach_k=3.9)
    assert out["water_m3_per_h"] == pytest.approx(w["water_m3_per_h"])
    assert out["fan_power_mw"] == pytest.approx(0.013 * Q_REJ)
    hot = liquid_loop_power(Q, 37.0, 36.0, heat_rejection="tower")
    # 36 + 6.1 = 42.1 °C: 2.1 K of the 20 K loop difference cannot be covered -> 10.5 % deficit
    assert hot["cooling_deficit_mw"] == pytest.approx(Q_REJ * 2.1 / 20)
    assert hot["t_supply_c"] == pytest.approx(42.1)


def test_immersion_is_the_loop():
    a = immersion_cooling_power(Q, 30.0, 25.0, **DRY)
    b = liquid_loop_power(Q, 30.0, 25.0, **DRY)
    assert a == pytest.approx(b)


def test_direct_to_chip_sums_parts():
    air_kw = dict(chiller_capacity_mw=1.0, n_chillers=4)
    loop_kw = dict(dry_cooler_capacity_mw=10.0)
    out = direct_to_chip_cooling_power(Q, 30.0, 25.0, liquid_frac=0.75, air_kw=air_kw, loop_kw=loop_kw)
    air = air_cooling_power(2.5, 30.0, 25.0, **air_kw)
    liq = liquid_loop_power(7.5, 30.0, 25.0, **loop_kw)
    assert out["cooling_power_mw"] == pytest.approx(air["cooling_power_mw"] + liq["cooling_power_mw"])
    assert out["water_m3_per_h"] == pytest.approx(air["water_m3_per_h"])
    assert out["fan_power_mw"] == pytest.approx(
        air["crah_fan_power_mw"] + air["tower_fan_power_mw"] + liq["fan_power_mw"])
    assert out["air_chiller_power_mw"] == pytest.approx(air["chiller_power_mw"])
    assert out["chiller_power_mw"] == pytest.approx(air["chiller_power_mw"])
    assert out["chiller_load_mw_th"] == pytest.approx(air["chiller_load_mw_th"])
    # Vertiv/NVIDIA hybrid study: moving 75 % of heat to liquid cuts facility (cooling) power
    all_air = air_cooling_power(Q, 30.0, 25.0, chiller_capacity_mw=3.0, n_chillers=5)
    assert out["cooling_power_mw"] < all_air["cooling_power_mw"]
    with pytest.raises(ValueError, match="liquid_frac=1.5"):
        direct_to_chip_cooling_power(Q, 30.0, 25.0, liquid_frac=1.5, air_kw=air_kw, loop_kw=loop_kw)


def test_nan_locality_and_dataarray():
    q = xr.DataArray([5.0, np.nan, 8.0], dims="time")
    tdb = xr.DataArray([30.0, 30.0, np.nan], dims="time")
    out = liquid_loop_power(q, tdb, 20.0, **DRY)
    for k, v in out.items():
        assert isinstance(v, xr.DataArray), k
        assert np.isnan(v.values[1]) and np.isnan(v.values[2]), k
        assert np.isfinite(v.values[0]), k
    s = liquid_loop_power(5.0, 30.0, 20.0, **DRY)
    for k in s:
        assert s[k] == pytest.approx(float(out[k][0])), k


def test_bad_inputs():
    with pytest.raises(ValueError, match="heat_rejection='river'.*'dry_cooler', 'tower'"):
        liquid_loop_power(1.0, 30.0, 25.0, heat_rejection="river")
    with pytest.raises(ValueError, match="dry_cooler_capacity_mw=None"):
        liquid_loop_power(1.0, 30.0, 25.0)
    with pytest.raises(ValueError, match="heat_mw=-2"):
        liquid_loop_power(-2.0, 30.0, 25.0, **DRY)


ADIA = dict(dry_cooler_capacity_mw=10.0, dry_cooler_adiabatic=True, dry_cooler_adiabatic_effectiveness=0.8,
            dry_cooler_adiabatic_switch_on_c=26.0, dry_cooler_design_air_rise_k=10.0)


def test_adiabatic_precooling_hand_values():
    # EnergyPlus direct evaporative cooler (Engineering Reference): T_out = T_db - eff (T_db - T_wb) at the
    # inlet wet-bulb; 36 degC / 27 degC, eff 0.8 -> 28.8 degC entering the coil
    psychrolib = pytest.importorskip("psychrolib")
    psychrolib.SetUnitSystem(psychrolib.SI)
    wet = liquid_loop_power(9.0, 36.0, 27.0, **ADIA)
    dry = liquid_loop_power(9.0, 28.8, 27.0, **{**ADIA, "dry_cooler_adiabatic": False})
    assert wet["fan_power_mw"] == pytest.approx(dry["fan_power_mw"])
    assert wet["fan_speed_frac"] == pytest.approx(dry["fan_speed_frac"])
    # water: air flow s x Q_d / (1006 J/kg/K x 10 K) times the humidity-ratio rise (PsychroLib 2.5)
    dw = (psychrolib.GetHumRatioFromTWetBulb(28.8, 27.0, 101325.0)
          - psychrolib.GetHumRatioFromTWetBulb(36.0, 27.0, 101325.0))
    evap = wet["fan_speed_frac"] * 10.0e6 / (1006.0 * 10.0) * dw * 3.6
    assert wet["water_evaporation_m3_per_h"] == pytest.approx(evap, rel=1e-3)
    assert wet["water_blowdown_m3_per_h"] == pytest.approx(evap / 4.0, rel=1e-3)  # 5 cycles of concentration
    # below the switch-on temperature the pads stay dry: no water, same as a plain dry cooler
    cool = liquid_loop_power(9.0, 25.0, 20.0, **ADIA)
    assert cool["water_m3_per_h"] == 0.0
    assert cool["fan_power_mw"] == pytest.approx(liquid_loop_power(9.0, 25.0, 20.0, dry_cooler_capacity_mw=10.0)[
        "fan_power_mw"])
    # NaN stays local
    out = liquid_loop_power(np.array([9.0, np.nan]), np.array([36.0, 36.0]), np.array([27.0, 27.0]), **ADIA)
    assert np.isfinite(out["water_m3_per_h"][0]) and np.isnan(out["water_m3_per_h"][1])


def test_adiabatic_dry_cooler_removes_the_hcmc_april_deficit():
    # issue #9 item 8: the samsung-cmc-hcmc immersion hall (29.7 MW IT at full power, dry coolers sized
    # 1.1 x IT for a 35 degC design day, W45 tank) carries its IT and, since item 10, the heat of its
    # electrical rooms (UPS + transformers, 3.9 % of IT in twin.couple); at full power it runs short on the
    # hottest April afternoons of the HCMC typical year (up to 36.4 degC); pads at 80 % effectiveness
    # bring the coil air under 30 degC
    from twin.weather import load_weather

    w = load_weather("typical", site_id="ho_chi_minh_city", start="2025-04-01", end="2025-05-01", step="1h")
    kw = dict(dry_cooler_capacity_mw=1.1 * 29.744, t_supply_max_c=45.0, loop_dt_k=20.0,
              fluid_density_kg_m3=820.0, fluid_cp_j_kg_k=2200.0, pump_head_kpa=150.0, pump_eff=0.65)
    tdb, twb = w["ambient_drybulb_c"].values, w["ambient_wetbulb_c"].values
    heat = 29.744 * 1.039
    dry = liquid_loop_power(heat, tdb, twb, **kw)
    wet = liquid_loop_power(heat, tdb, twb, dry_cooler_adiabatic=True, dry_cooler_adiabatic_effectiveness=0.8,
                            pressure_pa=w["ambient_pressure_pa"].values, **kw)
    assert dry["cooling_deficit_mw"].sum() > 0.0
    assert wet["cooling_deficit_mw"].sum() == 0.0
    assert wet["fan_power_mw"].sum() < dry["fan_power_mw"].sum()
    assert wet["water_m3_per_h"].sum() > 0.0  # the water is counted
