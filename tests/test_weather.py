"""twin.weather: typical-year and EPW loading on the run's local time axis."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from twin import weather

VARS = ("ambient_drybulb_c", "ambient_wetbulb_c", "ambient_rh_frac", "ghi_w_m2", "wind_m_s")
FILE_COLS = {"ambient_drybulb_c": "drybulb_c",
             "ambient_rh_frac": "rh_frac", "ghi_w_m2": "ghi_w_m2", "wind_m_s": "wind_m_s"}
MONTH_START_DOY = np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30])


def _file(site_id):
    return pd.read_csv(weather.WEATHER_DIR / f"{site_id}.csv", comment="#")


# ------------------------------------------------------------------------------ typical year
def test_sites_table():
    sites = weather.weather_sites()
    assert list(sites["site_id"]) == ["ho_chi_minh_city", "hanoi", "da_nang", "ha_long", "ulsan",
                                      "daegu", "gwangju", "mokpo"]
    for col in ("site_id", "name", "country", "latitude", "longitude", "utc_offset_h", "source"):
        assert col in sites.columns
    assert set(sites.loc[sites["country"] == "VN", "utc_offset_h"]) == {7}
    assert set(sites.loc[sites["country"] == "KR", "utc_offset_h"]) == {9}
    assert sites["source"].str.len().gt(20).all()


def test_hourly_year_reproduces_the_file():
    ds = weather.load_weather("typical", site_id="da_nang", start="2025-01-01", end="2026-01-01",
                              step="1h")
    f = _file("da_nang")
    assert ds.sizes["time"] == 8760
    assert ds["time"].dtype == np.dtype("datetime64[ns]")
    np.testing.assert_array_equal(ds["time"].values,
                                  pd.to_datetime(f["time_local"]).to_numpy(dtype="datetime64[ns]"))
    for var, col in FILE_COLS.items():
        np.testing.assert_array_equal(ds[var].values, f[col].to_numpy())
    # wet-bulb: recomputed by ASHRAE 2017 psychrometrics at the site's standard-atmosphere pressure
    # (Da Nang, elevation 0 m in the file header -> 101325 Pa); the file's column is Stull's fit,
    # whose error is -1 .. +0.65 K (Stull 2011), so the two stay within 0.65 K
    from models.psychro import wetbulb_c

    np.testing.assert_array_equal(ds["ambient_pressure_pa"].values, 101325.0)
    np.testing.assert_allclose(ds["ambient_wetbulb_c"].values,
                               wetbulb_c(f["drybulb_c"].to_numpy(), f["rh_frac"].to_numpy(), 101325.0))
    assert np.abs(ds["ambient_wetbulb_c"].values - f["wetbulb_c"].to_numpy()).max() < 0.65
    for var in VARS:
        assert ds[var].attrs["units"] and ds[var].attrs["long_name"]
    assert ds[VARS[0]].attrs["units"] == "degC" and ds["ghi_w_m2"].attrs["units"] == "W m-2"
    assert ds.attrs["utc_offset_h"] == 7.0 and ds.attrs["site_id"] == "da_nang"


def test_any_calendar_year_maps_by_month_day_hour():
    a = weather.load_weather("typical", site_id="ulsan", start="2025-03-01", end="2025-03-03", step="1h")
    b = weather.load_weather("typical", site_id="ulsan", start="2031-03-01", end="2031-03-03", step="1h")
    for var in VARS:
        np.testing.assert_array_equal(a[var].values, b[var].values)


def test_leap_day_reads_28_february():
    leap = weather.load_weather("typical", site_id="hanoi", start="2024-02-28", end="2024-03-02",
                                step="1h")
    feb28 = leap.sel(time=slice("2024-02-28", "2024-02-28T23:00"))
    feb29 = leap.sel(time=slice("2024-02-29", "2024-02-29T23:00"))
    mar1 = leap.sel(time=slice("2024-03-01", "2024-03-01T23:00"))
    ref_mar1 = weather.load_weather("typical", site_id="hanoi", start="2025-03-01",
                                    end="2025-03-02", step="1h")
    for var in VARS:
        np.testing.assert_array_equal(feb29[var].values, feb28[var].values)
        np.testing.assert_array_equal(mar1[var].values, ref_mar1[var].values)


def test_subhourly_keeps_hourly_values_and_interpolates_linearly():
    hourly = weather.load_weather("typical", site_id="ho_chi_minh_city", start="2025-06-01",
                                  end="2025-06-03", step="1h")
    fine = weather.load_weather("typical", site_id="ho_chi_minh_city", start="2025-06-01",
                                end="2025-06-03", step="15min")
    assert fine.sizes["time"] == 4 * hourly.sizes["time"]
    for var in VARS:
        on_hour = fine[var].values[::4]
        np.testing.assert_array_equal(on_hour, hourly[var].values)
        h = hourly[var].values
        # hh:30 is the mean of the two hour marks around it (linear interpolation)
        np.testing.assert_allclose(fine[var].values[2:-4:4], 0.5 * (h[:-1] + h[1:]), rtol=0, atol=1e-9)
    assert (fine["ghi_w_m2"].values >= 0).all()


def test_year_end_wraps_to_1_january():
    ds = weather.load_weather("typical", site_id="daegu", start="2025-12-31T23:00",
                              end="2026-01-01T01:00", step="30min")
    f = _file("daegu")
    t = ds["ambient_drybulb_c"].values
    assert t[0] == f["drybulb_c"].iloc[-1]
    assert t[2] == f["drybulb_c"].iloc[0]
    assert t[1] == pytest.approx(0.5 * (f["drybulb_c"].iloc[-1] + f["drybulb_c"].iloc[0]))


def test_utc_offset_override_shifts_the_clock():
    native = weather.load_weather("typical", site_id="hanoi", start="2025-05-01", end="2025-05-02",
                                  step="1h")
    shifted = weather.load_weather("typical", site_id="hanoi", start="2025-05-01T01:00",
                                   end="2025-05-02T01:00", step="1h", utc_offset_h=8)
    # 00:00 at UTC+7 is 01:00 at UTC+8: same instant, same value
    np.testing.assert_array_equal(shifted["ambient_drybulb_c"].values, native["ambient_drybulb_c"].values)
    assert shifted.attrs["utc_offset_h"] == 8.0 and shifted.attrs["source_utc_offset_h"] == 7.0


def test_year_at_one_minute_loads():
    # (its speed is in benchmarks/bench_physics.py, not asserted here)
    ds = weather.load_weather("typical", site_id="mokpo", start="2025-01-01", end="2026-01-01", step="1min")
    assert ds.sizes["time"] == 525600
    assert np.isfinite(ds["ambient_wetbulb_c"].values).all()


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match=r"unknown weather site_id 'saigon'; valid: ho_chi_minh_city, hanoi, "):
        weather.load_weather("typical", site_id="saigon", start="2025-01-01", end="2025-01-02")
    missing = tmp_path / "nowhere.epw"
    with pytest.raises(ValueError, match=r"EPW file not found: .*nowhere\.epw"):
        weather.load_weather("epw", path=missing, start="2025-01-01", end="2025-01-02")
    with pytest.raises(ValueError, match=r"step 'monthly' is not a fixed pandas offset"):
        weather.load_weather("typical", site_id="hanoi", start="2025-01-01", end="2025-01-02", step="monthly")
    with pytest.raises(ValueError, match=r"end 2025-01-01 00:00:00 must be after start"):
        weather.load_weather("typical", site_id="hanoi", start="2025-01-02", end="2025-01-01")
    with pytest.raises(ValueError, match=r"weather source 'tmy' is not supported; valid: typical, epw"):
        weather.load_weather("tmy", site_id="hanoi", start="2025-01-01", end="2025-01-02")
    with pytest.raises(ValueError, match=r"start .* has a time zone"):
        weather.load_weather("typical", site_id="hanoi", start="2025-01-01T00:00+07:00",
                             end="2025-01-02T00:00+07:00")


# --------------------------------------------------------------------------------------- EPW
@pytest.fixture(scope="module")
def epw_path(tmp_path_factory, write_epw):
    return write_epw(tmp_path_factory.mktemp("epw") / "hcmc.epw", "ho_chi_minh_city")


def test_epw_fixture_is_readable_by_pvlib(epw_path):
    from pvlib.iotools import read_epw

    data, meta = read_epw(epw_path)
    assert len(data) == 8760 and data.shape[1] == 35
    assert meta["TZ"] == 7.0 and meta["latitude"] == 10.82


def test_epw_round_trip(epw_path):
    typ = weather.load_weather("typical", site_id="ho_chi_minh_city", start="2025-01-01",
                               end="2026-01-01", step="1h")
    epw = weather.load_weather("epw", path=epw_path, start="2025-01-01", end="2026-01-01", step="1h")
    assert epw.attrs["weather_source"] == "epw" and epw.attrs["utc_offset_h"] == 7.0
    # temperatures are written with 0.1 K and RH with 1 % resolution
    np.testing.assert_allclose(epw["ambient_drybulb_c"], typ["ambient_drybulb_c"], atol=0.051)
    np.testing.assert_allclose(epw["ambient_rh_frac"], typ["ambient_rh_frac"], atol=0.0051)
    np.testing.assert_allclose(epw["ambient_wetbulb_c"], typ["ambient_wetbulb_c"], atol=0.15)
    np.testing.assert_allclose(epw["wind_m_s"], typ["wind_m_s"], atol=0.051)
    # GHI: hour-ending means back to hour marks preserves daily totals and stays close hourly
    g_epw = epw["ghi_w_m2"].values.reshape(365, 24).sum(axis=1)
    g_typ = typ["ghi_w_m2"].values.reshape(365, 24).sum(axis=1)
    np.testing.assert_allclose(g_epw, g_typ, rtol=0.01, atol=5)
    assert np.abs(epw["ghi_w_m2"].values - typ["ghi_w_m2"].values).max() < 0.15 * typ["ghi_w_m2"].max()
    assert epw["ghi_w_m2"].values.sum() == pytest.approx(typ["ghi_w_m2"].values.sum(), rel=1e-3)


def test_epw_hour_ending_mapping(epw_path):
    # the first EPW row (1 Jan, hour 1) is the value at 01:00; the last row (31 Dec, hour 24) is 1 Jan 00:00
    from pvlib.iotools import read_epw

    data, _ = read_epw(epw_path)
    ds = weather.load_weather("epw", path=epw_path, start="2030-01-01", end="2030-01-01T02:00", step="1h")
    assert ds["ambient_drybulb_c"].values[1] == data["temp_air"].iloc[0]
    assert ds["ambient_drybulb_c"].values[0] == data["temp_air"].iloc[-1]


def test_epw_own_dew_point_and_pressure_are_used(epw_path, tmp_path):
    # issue #9 item 7: an EPW file's own dew point and station pressure (EPW fields 8 and 10) feed the
    # wet-bulb (ASHRAE 2017 / PsychroLib method); a missing pressure (999999) falls back to the standard
    # atmosphere at the header's elevation (5.0 m in the fixture -> 101265 Pa, ASHRAE 2017 ch. 1 eq. 3)
    from pvlib.iotools import read_epw

    from models.psychro import pressure_from_elevation_pa, wetbulb_from_dewpoint_c

    text = epw_path.read_text()
    low = tmp_path / "low.epw"
    low.write_text(text.replace(",101325,", ",90000,"))
    ds = weather.load_weather("epw", path=low, start="2025-01-01", end="2025-01-02", step="1h")
    np.testing.assert_array_equal(ds["ambient_pressure_pa"].values, 90000.0)
    data, _ = read_epw(low)
    t, td = data["temp_air"].to_numpy()[:24], data["temp_dew"].to_numpy()[:24]
    # row k (hour-ending k+1) sits at hour mark k+1; the first 23 marks of 1 January are rows 0..22
    np.testing.assert_allclose(ds["ambient_wetbulb_c"].values[1:], wetbulb_from_dewpoint_c(t, td, 90000.0)[:23])
    missing = tmp_path / "missing.epw"
    missing.write_text(text.replace(",101325,", ",999999,"))
    ds = weather.load_weather("epw", path=missing, start="2025-01-01", end="2025-01-02", step="1h")
    np.testing.assert_allclose(ds["ambient_pressure_pa"].values, pressure_from_elevation_pa(5.0))
