import numpy as np
import pytest
import xarray as xr

from models.psychro import dewpoint_magnus_c, saturation_vapour_pressure_kpa, wetbulb_stull_c


def test_stull_check_value():
    # Stull (2011), J. Appl. Meteor. Climatol. 50:2267, worked example: 20 °C, 50 % RH -> 13.7 °C
    assert wetbulb_stull_c(20.0, 0.50) == pytest.approx(13.7, abs=0.05)


def test_wetbulb_saturated_close_to_drybulb():
    # At 99 % RH the wet-bulb is within Stull's stated error (-1 .. +0.65 K) of the dry-bulb
    t = np.array([0.0, 15.0, 30.0, 40.0])
    tw = wetbulb_stull_c(t, 0.99)
    assert np.all(np.abs(tw - t) < 1.0)


def test_wetbulb_below_drybulb_and_monotone_in_rh():
    t = 30.0
    rh = np.linspace(0.1, 0.95, 30)
    tw = wetbulb_stull_c(t, rh)
    assert np.all(tw < t)
    assert np.all(np.diff(tw) > 0)


def test_wetbulb_never_above_drybulb_in_cold_dry_air():
    # Stull's fit overshoots the dry-bulb below about -15 °C at low RH; the model caps it there
    t = np.linspace(-20.0, 50.0, 141)[:, None]
    rh = np.linspace(0.05, 1.0, 20)[None, :]
    assert np.all(wetbulb_stull_c(t, rh) <= t)


def test_dewpoint_reference_values():
    # Hand computation with the Alduchov & Eskridge (1996) Magnus coefficients a=17.625, b=243.04:
    # 25 °C, 60 % RH: gamma = ln 0.6 + 17.625*25/268.04 = 1.13300 -> Td = 243.04*1.13300/16.49200 = 16.70 °C
    assert dewpoint_magnus_c(25.0, 0.60) == pytest.approx(16.70, abs=0.01)
    # saturated air: dew point equals the air temperature
    assert dewpoint_magnus_c(12.3, 1.0) == pytest.approx(12.3, abs=1e-9)
    assert dewpoint_magnus_c(20.0, 0.0) == -np.inf


def test_saturation_vapour_pressure_reference():
    # Alduchov & Eskridge (1996) Magnus form: e_s(0 °C) = 0.61094 kPa;
    # 30 °C by hand: 0.61094*exp(17.625*30/273.04) = 4.2367 kPa
    assert saturation_vapour_pressure_kpa(0.0) == pytest.approx(0.61094)
    assert saturation_vapour_pressure_kpa(30.0) == pytest.approx(4.2367, rel=1e-4)
    # and within the paper's 0.4 % of the steam-table value 4.2455 kPa at 30 °C (IAPWS / Wagner & Pruss 2002)
    assert saturation_vapour_pressure_kpa(30.0) == pytest.approx(4.2455, rel=4e-3)


def test_scalar_array_dataarray_equivalence_and_nan_locality():
    t = np.array([10.0, np.nan, 25.0, 35.0])
    rh = np.array([0.5, 0.5, np.nan, 0.8])
    arr = wetbulb_stull_c(t, rh)
    assert np.isnan(arr[1]) and np.isnan(arr[2])
    assert arr[0] == pytest.approx(wetbulb_stull_c(10.0, 0.5))
    assert arr[3] == pytest.approx(wetbulb_stull_c(35.0, 0.8))
    da = wetbulb_stull_c(xr.DataArray(t, dims="time"), xr.DataArray(rh, dims="time"))
    assert isinstance(da, xr.DataArray) and da.dims == ("time",)
    np.testing.assert_allclose(da.values, arr, equal_nan=True)
    td = dewpoint_magnus_c(xr.DataArray(t, dims="time"), 0.5)
    assert isinstance(td, xr.DataArray)
    assert np.isnan(td.values[1]) and np.isfinite(td.values[0])
    assert isinstance(wetbulb_stull_c(20.0, 0.5), float)


def test_rh_percent_rejected_with_field_name():
    with pytest.raises(ValueError, match=r"rh_frac=50 is outside \[0, 1\].*percent"):
        wetbulb_stull_c(20.0, 50.0)
    with pytest.raises(ValueError, match="rh_frac"):
        dewpoint_magnus_c(np.array([20.0, 21.0]), np.array([0.5, -0.1]))
