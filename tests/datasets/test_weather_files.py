"""The bundled synthetic typical-year files and their generator."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

WEATHER_DIR = Path(__file__).resolve().parents[2] / "datasets" / "weather"
SITES = ["ho_chi_minh_city", "hanoi", "da_nang", "ha_long", "ulsan", "daegu", "gwangju", "mokpo"]
MONTH = np.repeat(np.arange(12), 24 * np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]))


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("make_typical_year",
                                                  WEATHER_DIR / "make_typical_year.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _read(site_id):
    return pd.read_csv(WEATHER_DIR / f"{site_id}.csv", comment="#")


def _header(site_id):
    lines = (WEATHER_DIR / f"{site_id}.csv").read_text().splitlines()
    return [ln[2:] for ln in lines if ln.startswith("#")]


def _monthly_mean(values):
    return np.bincount(MONTH, weights=values, minlength=12) / np.bincount(MONTH, minlength=12)


def test_generator_covers_every_site(gen):
    assert list(gen.SITE_IDS) == SITES
    sites = pd.read_csv(WEATHER_DIR / "sites.csv")
    assert list(sites["site_id"]) == SITES


@pytest.mark.parametrize("site_id", SITES)
def test_file_shape_and_header(site_id, gen):
    df = _read(site_id)
    assert list(df.columns) == ["time_local", "drybulb_c", "rh_frac", "wetbulb_c", "ghi_w_m2", "wind_m_s"]
    assert len(df) == 8760
    t = pd.to_datetime(df["time_local"])
    assert t.iloc[0] == pd.Timestamp("2025-01-01") and (t.diff().iloc[1:] == pd.Timedelta("1h")).all()
    header = "\n".join(_header(site_id))
    site = gen.CLIMATE[site_id]
    assert "SYNTHETIC" in header and "NOT MEASURED" in header
    assert f"latitude: {site['lat']}" in header and f"longitude: {site['lon']}" in header
    assert f"utc_offset_h: {site['utc_offset_h']:+d}" in header
    assert "elevation_m:" in header and "Stull (2011)" in header and "Ineichen" in header


@pytest.mark.parametrize("site_id", SITES)
def test_monthly_mean_drybulb_matches_published(site_id, gen):
    df = _read(site_id)
    published = np.asarray(gen.CLIMATE[site_id]["tmean"])
    np.testing.assert_allclose(_monthly_mean(df["drybulb_c"].to_numpy()), published, atol=0.2)


def test_published_means_spot_check(gen):
    # WMO normals via the Wikipedia HCMC climate box (E1): January daily mean 26.4 degC
    assert gen.CLIMATE["ho_chi_minh_city"]["tmean"][0] == 26.4
    # Open-Meteo ERA5 2016-2025 (kyjzzang81/d-day-weather-web): Hanoi July mean 29.2 degC, Ulsan Jan 1.0 degC
    assert gen.CLIMATE["hanoi"]["tmean"][6] == 29.2
    assert gen.CLIMATE["ulsan"]["tmean"][0] == 1.0
    hcmc = _monthly_mean(_read("ho_chi_minh_city")["drybulb_c"].to_numpy())
    assert hcmc[0] == pytest.approx(26.4, abs=0.2)


@pytest.mark.parametrize("site_id", SITES)
def test_humidity_and_wetbulb(site_id, gen):
    df = _read(site_id)
    site = gen.CLIMATE[site_id]
    rh, t, wb = (df[c].to_numpy() for c in ("rh_frac", "drybulb_c", "wetbulb_c"))
    assert rh.min() >= 0.05 and rh.max() <= 1.0
    assert (wb <= t + 1e-6).all()
    # monthly mean RH equals the published monthly mean (E1 for HCMC, E2 otherwise)
    np.testing.assert_allclose(_monthly_mean(rh), np.asarray(site["rh"]) / 100, atol=0.005)
    # monthly mean wet-bulb vs the published Stull wet-bulb of daily means (E3, reanalysis 2016-2025)
    np.testing.assert_allclose(_monthly_mean(wb), site["wb_e3"], atol=1.5)
    # RH is highest at dawn and lowest mid-afternoon (humidity ratio ~constant through the day)
    by_hour = rh.reshape(365, 24).mean(axis=0)
    assert by_hour[5] > by_hour[15]
    t_by_hour = t.reshape(365, 24).mean(axis=0)
    assert int(np.argmax(t_by_hour)) in (14, 15) and int(np.argmin(t_by_hour)) == 5


@pytest.mark.parametrize("site_id", SITES)
def test_hot_days_reach_published_p99_wetbulb(site_id, gen):
    df = _read(site_id)
    t = df["drybulb_c"].to_numpy().reshape(365, 24).mean(axis=1)
    rh = df["rh_frac"].to_numpy().reshape(365, 24).mean(axis=1)
    p99 = np.percentile(gen._stull_wetbulb_c(t, rh), 99)
    # E3: p99 of the daily-mean wet-bulb (e.g. HCMC 26.6, Hanoi 28.0 degC)
    assert p99 == pytest.approx(gen.CLIMATE[site_id]["wb_p99"], abs=0.2)


@pytest.mark.parametrize("site_id", SITES)
def test_ghi_annual_total_and_night(site_id, gen):
    import pvlib

    df = _read(site_id)
    site = gen.CLIMATE[site_id]
    ghi = df["ghi_w_m2"].to_numpy()
    assert ghi.min() >= 0
    # annual target: e.g. HCMC ~1,581 kWh/m2/yr (VietNamNet 2017), Korea 1,318 (KIER) - see the header
    assert ghi.sum() / 1000 == pytest.approx(site["ghi_kwh_m2_yr"], rel=0.02)
    times = pd.date_range("2025-01-01", periods=8760, freq="1h", tz=f"Etc/GMT-{site['utc_offset_h']}")
    sp = pvlib.solarposition.get_solarposition(times, site["lat"], site["lon"])
    night = sp["apparent_elevation"].to_numpy() < -1.0
    assert night.sum() > 3000
    assert (ghi[night] == 0).all()
    # monthly shape: every month gets sun, and no hour exceeds a plausible clear-sky maximum
    assert (_monthly_mean(ghi) > 50).all() and ghi.max() < 1200


@pytest.mark.filterwarnings("ignore:DatetimeIndex.dayofyear is deprecated")
def test_generator_is_deterministic_and_matches_committed_file(gen, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert gen.main(["--out", str(a), "--site", "ulsan", "--quiet"]) == 0
    assert gen.main(["--out", str(b), "--site", "ulsan", "--quiet"]) == 0
    text_a = (a / "ulsan.csv").read_bytes()
    assert text_a == (b / "ulsan.csv").read_bytes()
    new = pd.read_csv(a / "ulsan.csv", comment="#")
    committed = _read("ulsan")
    # the committed file is the generator's output (regenerate with
    # `python datasets/weather/make_typical_year.py` if a dependency upgrade moves a digit)
    for col in ("drybulb_c", "rh_frac", "wetbulb_c", "ghi_w_m2", "wind_m_s"):
        np.testing.assert_allclose(new[col], committed[col], atol=0.02 if col != "ghi_w_m2" else 0.5)


def test_sites_csv_matches_generator(gen):
    sites = pd.read_csv(WEATHER_DIR / "sites.csv", keep_default_na=False)
    for _, row in sites.iterrows():
        site = gen.CLIMATE[row["site_id"]]
        assert (row["latitude"], row["longitude"], row["utc_offset_h"]) == (site["lat"], site["lon"],
                                                                           site["utc_offset_h"])
        assert row["source"].strip()
    assert dict(zip(sites["site_id"], sites["proxy_for"]))["hanoi"] == "Hoa Lac"
