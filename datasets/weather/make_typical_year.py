"""Build the synthetic hourly typical-year weather files in this folder.

Run ``python datasets/weather/make_typical_year.py`` from the repository root. It rewrites
``sites.csv`` and one ``<site_id>.csv`` per site, deterministically (same bytes on every
run); ``--out DIR`` writes elsewhere and ``--site ID`` (repeatable) limits the sites.

The files are SYNTHETIC. No measured hourly data could be used, so each year is built from
published monthly climate figures (listed per site below and in every file's header):

Dry-bulb temperature
    Monthly mean daily maximum and minimum, interpolated to every day with mid-month anchors
    (periodic over the year) and then to every hour with noon anchors. The hour-of-day shape
    is the ASHRAE fraction-of-daily-range profile (minimum at 05:00, maximum at 14:00-15:00
    local standard time). A day-to-day anomaly from a seeded AR(1) process (lag-1
    correlation 0.75, seed = CRC32 of the site id) shifts whole days so the year has hot and
    cold spells. Its standard deviation is calibrated per site (bisection) so that the 99th
    percentile of the daily-mean wet-bulb temperature matches the published figure, and it
    grows towards the coldest month to a winter value chosen per site (an engineering
    assumption: cold surges make winter days far more variable). Finally a smooth monthly
    correction (monthly offsets interpolated with mid-month anchors, iterated) re-centres
    every monthly mean on the published monthly mean.
Relative humidity
    The vapour pressure is held constant through each day (humidity ratio roughly constant),
    so RH is high at dawn and low in mid-afternoon; it is scaled by a smooth monthly factor
    (iterated) so the monthly mean RH equals the published one; RH is clipped to [0.05, 1].
Wet-bulb temperature
    Stull (2011) from dry-bulb and RH, hour by hour, capped at the dry-bulb temperature where
    the fit overshoots near saturation.
Global horizontal irradiance (GHI)
    pvlib's Ineichen-Perez clear-sky model with the Linke-turbidity climatology that ships
    with pvlib (no download), at the hour marks, times a daily clearness factor. Monthly
    totals follow the Angstrom-Prescott relation H = H0 (0.25 + 0.50 s) (FAO-56 default
    coefficients; H0 is the extraterrestrial daily irradiation on a horizontal surface and
    s the relative sunshine duration), scaled so the annual total equals the site's target.
    s comes from sunshine hours where published (Ho Chi Minh City) and otherwise from a
    rainfall proxy (wettest month s = 0.40, driest s = 0.70, linear in between; an
    engineering assumption), except that northern Viet Nam gets its overcast winter-spring
    drizzle season (Feb 1.8 h/day of sun published for Hanoi; Jan-Apr set as noted per site).
    Daily clearness varies randomly (seeded log-normal, sd 0.25) and each month is then
    rescaled to its target total.
Wind speed
    A constant per site (an engineering assumption: no wind figures were in the source set);
    do not use these files for wind-sensitive studies.

Values are instantaneous at the time stamp (``time_local``: local standard time, no daylight
saving, hour marks of the non-leap reference year 2025).

References
----------
ASHRAE (2009) Handbook - Fundamentals, ch. 14 "Climatic design information", Table 6
    (fraction of daily temperature range by hour).
Stull, R. (2011) "Wet-bulb temperature from relative humidity and air temperature",
    J. Appl. Meteor. Climatol. 50:2267-2269.
Ineichen, P. and Perez, R. (2002) "A new airmass independent formulation for the Linke
    turbidity coefficient", Solar Energy 73:151-157 (as implemented in pvlib-python).
Remund, J. et al. (2003) Linke turbidity climatology (pvlib's LinkeTurbidities.h5).
Allen, R. G. et al. (1998) FAO Irrigation and Drainage Paper 56, eqs. 21, 34-35
    (extraterrestrial radiation, Angstrom coefficients 0.25/0.50).
Climate inputs: see CLIMATE below (Open-Meteo ERA5 reanalysis monthly means 2016-2025 as
    stored in kyjzzang81/d-day-weather-web; WMO normals for Ho Chi Minh City).
"""

from __future__ import annotations

import argparse
import sys
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
YEAR = 2025
HOURS = 8760
DAYS = 365
MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
MONTH_START = np.concatenate([[0], np.cumsum(MONTH_DAYS)[:-1]])
MONTH_MID = MONTH_START + MONTH_DAYS / 2.0  # in days from 1 Jan 00:00
MONTH_OF_DAY = np.repeat(np.arange(12), MONTH_DAYS)
MONTH_OF_HOUR = np.repeat(MONTH_OF_DAY, 24)

# ASHRAE Handbook - Fundamentals (2009), ch. 14, Table 6: fraction of the daily range
# below the daily maximum, for hours 1..24 local time (hour 24 = 00:00).
ASHRAE_FRACTION = np.array([
    0.88, 0.92, 0.95, 0.98, 1.00, 0.98, 0.91, 0.74, 0.55, 0.38, 0.23, 0.13,
    0.05, 0.00, 0.00, 0.06, 0.14, 0.24, 0.39, 0.50, 0.59, 0.68, 0.75, 0.82,
])
# index by clock hour 0..23: clock hour h is ASHRAE hour h (hour 24 for 00:00)
FRACTION_BY_CLOCK_HOUR = np.roll(ASHRAE_FRACTION, 1)

AR1_PHI = 0.75
GHI_DAILY_SD = 0.25
ANGSTROM_A, ANGSTROM_B = 0.25, 0.50
S_WET, S_DRY = 0.40, 0.70

E2_SOURCE = (
    "Open-Meteo Historical Weather API (ERA5-based reanalysis), monthly means of daily values "
    "1 Jan 2016 - 31 Dec 2025 at the grid point given, as stored in kyjzzang81/d-day-weather-web "
    "datas/<city>.json (commit 6e1d453); reanalysis grid-point values, not station normals (D)"
)
E1_SOURCE = (
    "WMO climate normals for Tan Son Nhat with Weatherbase records, as reproduced in the "
    "Wikipedia 'Climate data for Ho Chi Minh City' box (older version) (S)"
)
E3_SOURCE = (
    "Stull (2011) wet-bulb on each day's mean temperature and RH of the same 2016-2025 "
    "reanalysis series, averaged by month; p99 over all 3,653 days (D)"
)
KOREA_GHI = (
    "Korea mean horizontal global insolation 3.61 kWh/m2/day (16 KIER stations since 1982) = "
    "1,318 kWh/m2/yr (KIER, koreascience CFKO200935161992338) (P)"
)

# Monthly figures, Jan..Dec. tmax/tmean/tmin in degC, rh in %, precip in mm/month.
CLIMATE = {
    "ho_chi_minh_city": dict(
        name="Ho Chi Minh City", country="VN", proxy_for="", lat=10.82, lon=106.63,
        utc_offset_h=7,
        tmax=[31.6, 32.9, 33.9, 34.6, 34.0, 32.4, 32.0, 31.8, 31.3, 31.2, 31.0, 30.8],
        tmean=[26.4, 27.7, 29.2, 30.2, 29.6, 28.5, 28.2, 28.1, 27.9, 27.6, 26.9, 26.1],
        tmin=[21.1, 22.5, 24.4, 25.8, 25.2, 24.6, 24.3, 24.3, 24.4, 23.9, 22.8, 21.4],
        rh=[69, 68, 68, 70, 76, 80, 80, 81, 82, 83, 78, 73],
        precip=[13.8, 4.1, 10.5, 50.4, 218.4, 311.7, 293.7, 269.8, 327.1, 266.7, 116.5, 48.3],
        sunshine_h=[244.9, 248.6, 272.8, 231.0, 195.3, 171.0, 179.8, 173.6, 162.0, 182.9,
                    201.0, 223.2],
        climate_source="temperature, RH and sunshine: " + E1_SOURCE,
        wb_e3=[22.6, 22.6, 23.8, 25.2, 25.9, 25.5, 25.2, 25.2, 25.0, 24.8, 24.4, 23.2],
        wb_p99=26.6,
        ghi_kwh_m2_yr=1581.0,
        ghi_source=("~1,581 kWh/m2/yr; highest month Feb ~6.3, lowest Jul ~3.3 kWh/m2/day "
                    "(VietNamNet, 31 Aug 2017) (S); monthly shape from E1 sunshine hours"),
        ghi_note=("the annual total is matched; the sunshine-hour shape gives a milder season "
                  "(highest month Mar, lowest Nov-Dec) than the published Feb ~6.3 / Jul ~3.3 "
                  "kWh/m2/day extremes, which were not used"),
        sigma_winter_k=None, wind_m_s=2.5,
        overcast=None,
    ),
    "hanoi": dict(
        name="Hanoi", country="VN", proxy_for="Hoa Lac", lat=21.03, lon=105.85, utc_offset_h=7,
        tmax=[21.0, 22.1, 25.6, 28.9, 31.3, 33.2, 32.7, 31.7, 30.8, 28.3, 25.9, 21.7],
        tmean=[17.3, 18.2, 21.6, 24.8, 27.5, 29.5, 29.2, 28.4, 27.4, 24.8, 22.0, 18.0],
        tmin=[14.2, 15.2, 18.6, 21.6, 24.6, 26.5, 26.3, 25.7, 24.7, 21.9, 18.8, 14.8],
        rh=[76, 77, 81, 82, 82, 80, 82, 86, 85, 78, 76, 71],
        precip=[62, 51, 71, 103, 225, 281, 329, 433, 352, 203, 59, 34],
        sunshine_h=None,
        climate_source=E2_SOURCE,
        wb_e3=[14.5, 15.6, 19.3, 22.4, 25.0, 26.6, 26.6, 26.4, 25.3, 21.7, 18.9, 14.5],
        wb_p99=28.0,
        ghi_kwh_m2_yr=1217.0,
        ghi_source=("12 MJ/m2/day, the northern end of Viet Nam's 12-19 MJ/m2/day range "
                    "(Nguyen The Bao, HCMUT, 'Feasibility of solar hot water systems in "
                    "Vietnam') = 1,217 kWh/m2/yr (S)"),
        sigma_winter_k=2.0, wind_m_s=2.0,
        overcast={1: 0.25, 2: 0.16, 3: 0.16, 4: 0.30},
    ),
    "da_nang": dict(
        name="Da Nang", country="VN", proxy_for="", lat=16.05, lon=108.20, utc_offset_h=7,
        tmax=[23.8, 24.3, 26.8, 29.7, 31.7, 33.6, 32.8, 33.1, 30.6, 28.1, 26.5, 24.3],
        tmean=[22.0, 22.3, 24.5, 26.8, 28.7, 30.0, 29.4, 29.5, 28.0, 26.2, 24.8, 22.7],
        tmin=[20.1, 20.2, 22.3, 24.4, 26.2, 27.1, 26.7, 26.7, 25.6, 24.4, 23.1, 21.3],
        rh=[86, 86, 87, 84, 82, 76, 77, 76, 83, 85, 85, 85],
        precip=[165, 82, 62, 72, 77, 97, 118, 133, 255, 491, 362, 338],
        sunshine_h=None,
        climate_source=E2_SOURCE,
        wb_e3=[20.2, 20.5, 22.8, 24.6, 26.1, 26.4, 26.0, 26.0, 25.6, 24.2, 22.9, 20.8],
        wb_p99=27.3,
        ghi_kwh_m2_yr=1450.0,
        ghi_source=("Hue (central Viet Nam, ~80 km from Da Nang): 124-126 kcal/cm2/yr = "
                    "1,440-1,465 kWh/m2/yr (thuonline.com) (W); 1,450 chosen"),
        sigma_winter_k=1.5, wind_m_s=2.5,
        overcast=None,
    ),
    "ha_long": dict(
        name="Ha Long", country="VN", proxy_for="Quang Ninh", lat=20.91, lon=107.18,
        utc_offset_h=7,
        tmax=[19.9, 20.4, 23.3, 26.4, 29.0, 31.0, 30.8, 30.5, 30.0, 28.0, 25.4, 21.5],
        tmean=[17.3, 17.8, 20.9, 24.0, 27.0, 29.0, 28.9, 28.4, 27.7, 25.3, 22.5, 18.5],
        tmin=[15.0, 15.6, 18.8, 21.9, 25.1, 27.3, 27.1, 26.5, 25.6, 22.9, 20.0, 15.9],
        rh=[77, 80, 85, 86, 86, 85, 85, 87, 84, 75, 73, 69],
        precip=[48, 47, 44, 80, 180, 265, 322, 443, 313, 148, 39, 18],
        sunshine_h=None,
        climate_source=E2_SOURCE,
        wb_e3=[14.6, 15.5, 19.1, 22.1, 25.0, 26.9, 26.8, 26.6, 25.5, 21.9, 19.1, 14.8],
        wb_p99=28.3,
        ghi_kwh_m2_yr=1342.0,
        ghi_source=("radiation 115.4 kcal/cm2/yr = 1,342 kWh/m2/yr (waytovietnam.com "
                    "'Halong City climate') (W)"),
        sigma_winter_k=2.0, wind_m_s=3.0,
        overcast={1: 0.25, 2: 0.16, 3: 0.16, 4: 0.30},
    ),
    "ulsan": dict(
        name="Ulsan", country="KR", proxy_for="", lat=35.54, lon=129.31, utc_offset_h=9,
        tmax=[6.6, 8.8, 14.0, 18.7, 23.2, 26.6, 29.4, 30.3, 25.6, 20.5, 15.3, 8.0],
        tmean=[1.0, 3.1, 8.2, 13.0, 17.7, 21.9, 25.7, 26.5, 22.0, 15.9, 9.2, 2.3],
        tmin=[-3.3, -1.7, 2.5, 7.4, 12.3, 17.5, 22.4, 23.2, 18.9, 12.0, 4.1, -2.2],
        rh=[57, 57, 65, 66, 69, 76, 83, 82, 82, 75, 68, 59],
        precip=[40, 43, 83, 94, 100, 164, 256, 202, 248, 111, 38, 31],
        sunshine_h=None,
        climate_source=E2_SOURCE,
        wb_e3=[-2.0, -0.1, 4.9, 9.4, 14.0, 18.8, 23.4, 24.0, 19.7, 13.1, 6.2, -0.7],
        wb_p99=26.0,
        ghi_kwh_m2_yr=1318.0, ghi_source=KOREA_GHI,
        sigma_winter_k=3.0, wind_m_s=3.0,
        overcast=None,
    ),
    "daegu": dict(
        name="Daegu", country="KR", proxy_for="", lat=35.87, lon=128.60, utc_offset_h=9,
        tmax=[5.3, 7.9, 14.7, 20.3, 25.4, 29.4, 30.8, 31.9, 26.3, 20.5, 14.4, 6.6],
        tmean=[0.2, 2.4, 8.5, 14.0, 19.0, 23.6, 26.4, 27.2, 22.1, 15.7, 8.9, 1.6],
        tmin=[-3.8, -2.3, 2.8, 8.1, 13.1, 18.5, 22.8, 23.4, 18.5, 11.4, 4.2, -2.4],
        rh=[58, 57, 60, 59, 62, 68, 81, 78, 81, 75, 66, 61],
        precip=[25, 31, 63, 82, 95, 151, 250, 193, 191, 88, 33, 24],
        sunshine_h=None,
        climate_source=E2_SOURCE,
        wb_e3=[-2.6, -0.8, 4.7, 9.5, 14.3, 19.3, 23.8, 24.2, 19.6, 12.8, 5.8, -1.3],
        wb_p99=26.3,
        ghi_kwh_m2_yr=1318.0, ghi_source=KOREA_GHI,
        sigma_winter_k=3.0, wind_m_s=2.0,
        overcast=None,
    ),
    "gwangju": dict(
        name="Gwangju", country="KR", proxy_for="", lat=35.16, lon=126.85, utc_offset_h=9,
        tmax=[5.4, 7.6, 13.8, 19.3, 23.9, 27.7, 29.8, 30.8, 26.6, 20.5, 14.6, 7.2],
        tmean=[0.5, 2.2, 7.5, 12.9, 17.7, 22.3, 25.9, 26.6, 22.2, 15.4, 8.9, 2.4],
        tmin=[-3.5, -2.3, 1.6, 7.0, 11.9, 17.6, 22.5, 23.0, 18.3, 10.9, 4.1, -1.8],
        rh=[69, 66, 69, 67, 70, 75, 83, 81, 81, 75, 72, 69],
        precip=[33, 41, 67, 99, 112, 174, 273, 196, 171, 89, 52, 31],
        sunshine_h=None,
        climate_source=E2_SOURCE,
        wb_e3=[-1.8, -0.4, 4.5, 9.4, 14.1, 19.1, 23.6, 24.1, 19.8, 12.6, 6.2, -0.1],
        wb_p99=26.0,
        ghi_kwh_m2_yr=1318.0, ghi_source=KOREA_GHI,
        sigma_winter_k=3.0, wind_m_s=2.0,
        overcast=None,
    ),
    "mokpo": dict(
        name="Mokpo", country="KR", proxy_for="Haenam Solaseado", lat=34.79, lon=126.39,
        utc_offset_h=9,
        tmax=[5.6, 6.7, 11.8, 16.6, 20.9, 24.6, 28.1, 29.7, 26.1, 20.2, 14.6, 7.9],
        tmean=[2.4, 3.3, 7.8, 12.6, 17.2, 21.5, 25.6, 26.9, 22.9, 16.7, 10.8, 4.5],
        tmin=[-0.7, 0.0, 4.1, 8.9, 13.6, 18.7, 23.4, 24.5, 20.2, 13.5, 7.2, 1.2],
        rh=[70, 70, 74, 75, 78, 83, 87, 83, 81, 75, 71, 69],
        precip=[36, 42, 64, 95, 116, 169, 229, 167, 192, 90, 58, 33],
        sunshine_h=None,
        climate_source=E2_SOURCE,
        wb_e3=[-0.0, 0.8, 5.3, 10.0, 14.5, 19.4, 23.8, 24.6, 20.5, 13.8, 7.9, 1.8],
        wb_p99=26.3,
        ghi_kwh_m2_yr=1384.0,
        ghi_source=(KOREA_GHI + "; +5% (engineering assumption) because Mokpo and Sinan "
                    "county are reported as the sunniest area of Korea (traveltill.com) (W) "
                    "= 1,384 kWh/m2/yr"),
        sigma_winter_k=3.0, wind_m_s=3.5,
        overcast=None,
    ),
}

SITE_IDS = tuple(CLIMATE)


# ---------------------------------------------------------------------------------------
# small physics helpers (self-contained so the build script has no project imports)
# ---------------------------------------------------------------------------------------
def _es_hpa(t_c):
    """Saturation vapour pressure over water, Magnus form (Sonntag 1990 coefficients)."""
    return 6.112 * np.exp(17.62 * t_c / (243.12 + t_c))


def _stull_wetbulb_c(t_c, rh_frac):
    """Wet-bulb temperature, Stull (2011) eq. 1 (RH in percent inside), capped at the dry-bulb
    temperature (the fit overshoots by up to ~0.1 K near saturation)."""
    rh = 100.0 * rh_frac
    tw = (t_c * np.arctan(0.151977 * np.sqrt(rh + 8.313659))
          + np.arctan(t_c + rh) - np.arctan(rh - 1.676331)
          + 0.00391838 * rh ** 1.5 * np.arctan(0.023101 * rh) - 4.686035)
    return np.minimum(tw, t_c)


def _monthly_to_daily(monthly):
    """Periodic linear interpolation of 12 monthly values to 365 daily values (mid-month
    anchors, day centres at d + 0.5)."""
    x = np.concatenate([MONTH_MID - DAYS, MONTH_MID, MONTH_MID + DAYS])
    y = np.tile(np.asarray(monthly, float), 3)
    return np.interp(np.arange(DAYS) + 0.5, x, y)


def _daily_to_hourly(daily):
    """Periodic linear interpolation of 365 daily values (anchored at 12:00) to 8760 hours."""
    x = np.arange(-1, DAYS + 1) * 24.0 + 12.0
    y = np.concatenate([[daily[-1]], daily, [daily[0]]])
    return np.interp(np.arange(HOURS, dtype=float), x, y)


def _monthly_mean(hourly):
    return np.bincount(MONTH_OF_HOUR, weights=hourly, minlength=12) / (MONTH_DAYS * 24)


def _daily_mean(hourly):
    return hourly.reshape(DAYS, 24).mean(axis=1)


def _recentre_additive(hourly, target_monthly, n_iter=60, tol=1e-4):
    """Add a smooth (mid-month anchored) correction until monthly means hit the targets."""
    out = hourly.copy()
    for _ in range(n_iter):
        err = np.asarray(target_monthly, float) - _monthly_mean(out)
        if np.max(np.abs(err)) < tol:
            break
        out = out + _daily_to_hourly(_monthly_to_daily(err))
    return out


# ---------------------------------------------------------------------------------------
# the pieces of one site-year
# ---------------------------------------------------------------------------------------
def _ar1(rng, n, phi):
    eps = rng.standard_normal(n)
    a = np.empty(n)
    a[0] = eps[0]
    s = np.sqrt(1.0 - phi * phi)
    for i in range(1, n):
        a[i] = phi * a[i - 1] + s * eps[i]
    return a


def _drybulb(site, anomaly_unit, sigma_summer_k):
    tmax_d = _monthly_to_daily(site["tmax"])
    tmin_d = _monthly_to_daily(site["tmin"])
    tmean_m = np.asarray(site["tmean"], float)
    # anomaly sd grows from sigma_summer (warmest month) to sigma_winter (coldest month)
    sigma_winter = site["sigma_winter_k"]
    if sigma_winter is None:
        sigma_winter = sigma_summer_k
    w = (tmean_m.max() - tmean_m) / (tmean_m.max() - tmean_m.min())
    sigma_d = _monthly_to_daily(sigma_summer_k + (sigma_winter - sigma_summer_k) * w)
    anom_d = anomaly_unit * sigma_d
    tmax_h = _daily_to_hourly(tmax_d + anom_d)
    tmin_h = _daily_to_hourly(tmin_d + anom_d)
    frac = np.tile(FRACTION_BY_CLOCK_HOUR, DAYS)
    t = tmax_h - frac * (tmax_h - tmin_h)
    return _recentre_additive(t, tmean_m)


def _relative_humidity(site, t_h, n_iter=80):
    """Daily-constant vapour pressure -> RH with the diurnal anti-correlation; scaled until
    monthly-mean RH equals the target."""
    rh_target_m = np.asarray(site["rh"], float) / 100.0
    t_day = _daily_mean(t_h)
    e_day = _monthly_to_daily(rh_target_m) * _es_hpa(t_day)
    e_h = _daily_to_hourly(e_day)
    es_h = _es_hpa(t_h)
    for _ in range(n_iter):
        rh = np.clip(e_h / es_h, 0.05, 1.0)
        ratio = rh_target_m / _monthly_mean(rh)
        if np.max(np.abs(ratio - 1.0)) < 1e-5:
            break
        e_h = e_h * _daily_to_hourly(_monthly_to_daily(ratio))
    return np.clip(e_h / es_h, 0.05, 1.0)


def _p99_daily_wetbulb(t_h, rh_h):
    return float(np.percentile(_stull_wetbulb_c(_daily_mean(t_h), _daily_mean(rh_h)), 99))


def _calibrate_sigma(site, anomaly_unit):
    """Bisection on the summer anomaly sd so the p99 of daily-mean wet-bulb matches E3."""
    lo, hi = 0.05, 6.0
    target = site["wb_p99"]
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        t = _drybulb(site, anomaly_unit, mid)
        p99 = _p99_daily_wetbulb(t, _relative_humidity(site, t))
        if p99 < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _extraterrestrial_daily_kwh_m2(lat_deg):
    """FAO-56 eq. 21: daily extraterrestrial irradiation on a horizontal plane, and eq. 34
    day length, for each day of the year."""
    j = np.arange(1, DAYS + 1)
    phi = np.radians(lat_deg)
    dr = 1 + 0.033 * np.cos(2 * np.pi * j / 365)
    delta = 0.409 * np.sin(2 * np.pi * j / 365 - 1.39)
    ws = np.arccos(np.clip(-np.tan(phi) * np.tan(delta), -1, 1))
    ra_mj = (24 * 60 / np.pi) * 0.0820 * dr * (
        ws * np.sin(phi) * np.sin(delta) + np.cos(phi) * np.cos(delta) * np.sin(ws))
    return ra_mj / 3.6, 24 / np.pi * ws


def _relative_sunshine(site, daylen_h):
    if site["sunshine_h"] is not None:
        n_month = np.bincount(MONTH_OF_DAY, weights=daylen_h, minlength=12)
        return np.asarray(site["sunshine_h"], float) / n_month
    p = np.asarray(site["precip"], float)
    s = S_DRY - (S_DRY - S_WET) * (p - p.min()) / (p.max() - p.min())
    for month, value in (site["overcast"] or {}).items():
        s[month - 1] = value
    return s


def _monthly_ghi_targets(site):
    h0_d, daylen = _extraterrestrial_daily_kwh_m2(site["lat"])
    s = _relative_sunshine(site, daylen)
    h0_m = np.bincount(MONTH_OF_DAY, weights=h0_d, minlength=12)
    h_m = h0_m * (ANGSTROM_A + ANGSTROM_B * s)
    return h_m * site["ghi_kwh_m2_yr"] / h_m.sum(), s


def _clearsky_ghi(site, altitude_m):
    import pvlib

    # a numeric tz gives pvlib the fixed-offset zone Etc/GMT-<offset> (no daylight saving)
    loc = pvlib.location.Location(site["lat"], site["lon"], tz=site["utc_offset_h"],
                                  altitude=altitude_m)
    times = pd.date_range(f"{YEAR}-01-01", periods=HOURS, freq="1h", tz=loc.tz)
    cs = loc.get_clearsky(times, model="ineichen")
    return np.clip(cs["ghi"].to_numpy(), 0.0, None)


def _ghi(site, rng, altitude_m):
    clear = _clearsky_ghi(site, altitude_m)
    target_m, s = _monthly_ghi_targets(site)  # kWh/m2 per month
    clear_day = clear.reshape(DAYS, 24).sum(axis=1) / 1000.0  # kWh/m2/day
    k_day = np.exp(GHI_DAILY_SD * rng.standard_normal(DAYS) - 0.5 * GHI_DAILY_SD ** 2)
    k = k_day.copy()
    for _ in range(100):
        month_total = np.bincount(MONTH_OF_DAY, weights=np.minimum(k, 1.0) * clear_day,
                                  minlength=12)
        ratio = target_m / month_total
        if np.max(np.abs(ratio - 1.0)) < 1e-6:
            break
        k = k * ratio[MONTH_OF_DAY]
    k = np.minimum(k, 1.0)
    return clear * np.repeat(k, 24), target_m, s


# ---------------------------------------------------------------------------------------
def site_seed(site_id: str) -> int:
    return zlib.crc32(site_id.encode("utf-8"))


def build_site(site_id: str):
    """Return (DataFrame of the 8760 hours, dict of diagnostics) for one site."""
    import pvlib

    site = CLIMATE[site_id]
    rng = np.random.default_rng(site_seed(site_id))
    anomaly_unit = _ar1(rng, DAYS, AR1_PHI)
    # pvlib's coarse global altitude grid; coastal cells can read slightly below sea level
    altitude_m = max(0.0, float(pvlib.location.lookup_altitude(site["lat"], site["lon"])))
    sigma = _calibrate_sigma(site, anomaly_unit)
    t = _drybulb(site, anomaly_unit, sigma)
    rh = _relative_humidity(site, t)
    wb = _stull_wetbulb_c(t, rh)
    ghi, ghi_target_m, s = _ghi(site, rng, altitude_m)

    times = pd.date_range(f"{YEAR}-01-01", periods=HOURS, freq="1h")
    df = pd.DataFrame({
        "time_local": times.strftime("%Y-%m-%dT%H:%M"),
        "drybulb_c": np.round(t, 2),
        "rh_frac": np.round(rh, 4),
        "wetbulb_c": np.round(wb, 2),
        "ghi_w_m2": np.round(ghi, 1),
        "wind_m_s": np.full(HOURS, site["wind_m_s"]),
    })
    t_day = _daily_mean(t)
    diag = dict(
        altitude_m=altitude_m,
        sigma_summer_k=sigma,
        sigma_winter_k=site["sigma_winter_k"] if site["sigma_winter_k"] is not None else sigma,
        tmean_m=_monthly_mean(t),
        tmax_m=np.bincount(MONTH_OF_DAY, weights=t.reshape(DAYS, 24).max(axis=1),
                           minlength=12) / MONTH_DAYS,
        tmin_m=np.bincount(MONTH_OF_DAY, weights=t.reshape(DAYS, 24).min(axis=1),
                           minlength=12) / MONTH_DAYS,
        rh_m=_monthly_mean(rh),
        wb_m=_monthly_mean(wb),
        wb_daily_m=np.bincount(MONTH_OF_DAY, weights=_stull_wetbulb_c(
            t_day, _daily_mean(rh)), minlength=12) / MONTH_DAYS,
        wb_p99=_p99_daily_wetbulb(t, rh),
        t_max=float(t.max()),
        t_day_p99=float(np.percentile(t_day, 99)),
        ghi_annual=float(ghi.sum() / 1000.0),
        ghi_m_daily=np.bincount(MONTH_OF_HOUR, weights=ghi, minlength=12) / 1000.0 / MONTH_DAYS,
        rel_sunshine=s,
    )
    return df, diag


def _fmt(values, nd=1):
    return " ".join(f"{v:.{nd}f}" for v in values)


def header_lines(site_id: str, diag) -> list[str]:
    site = CLIMATE[site_id]
    wb_err = diag["wb_m"] - np.asarray(site["wb_e3"])
    wb_err_daily = diag["wb_daily_m"] - np.asarray(site["wb_e3"])
    proxy = f" (used as proxy for {site['proxy_for']})" if site["proxy_for"] else ""
    lines = [
        f"site_id: {site_id}",
        f"name: {site['name']}{proxy}",
        f"country: {site['country']}",
        f"latitude: {site['lat']}",
        f"longitude: {site['lon']}",
        f"elevation_m: {diag['altitude_m']:.0f} (pvlib Altitude.h5 lookup, approximate)",
        f"utc_offset_h: {site['utc_offset_h']:+d} (local standard time, no daylight saving)",
        "SYNTHETIC TYPICAL YEAR - NOT MEASURED DATA. Built by datasets/weather/"
        "make_typical_year.py from published monthly climate figures; see that script for "
        "the method.",
        "time_local: hour marks of the non-leap reference year 2025; values are "
        "instantaneous at the time stamp; the year repeats for any calendar year.",
        f"climate source (monthly Tmax/Tmean/Tmin, RH): {site['climate_source']}",
        f"  mean daily max (degC, Jan-Dec): {_fmt(site['tmax'])}",
        f"  mean (degC, Jan-Dec): {_fmt(site['tmean'])}",
        f"  mean daily min (degC, Jan-Dec): {_fmt(site['tmin'])}",
        f"  mean RH (%, Jan-Dec): {_fmt(site['rh'], 0)}",
        f"  rainfall (mm/month, Jan-Dec): {_fmt(site['precip'], 0)}",
    ]
    if site["sunshine_h"] is not None:
        lines.append(f"  sunshine (h/month, Jan-Dec): {_fmt(site['sunshine_h'])}")
    lines += [
        "drybulb_c: ASHRAE (2009) Fundamentals ch.14 Table 6 diurnal fraction of daily range "
        "on daily max/min interpolated from the monthly values; seeded AR(1) day anomaly "
        f"(phi {AR1_PHI}, seed crc32(site_id)={site_seed(site_id)}, sd "
        f"{diag['sigma_summer_k']:.2f} K in the warmest month to "
        f"{diag['sigma_winter_k']:.2f} K in the coldest; summer sd calibrated on the p99 "
        "daily-mean wet-bulb, winter sd an engineering assumption); monthly means re-centred "
        "on the published means.",
        f"  result: monthly mean (degC): {_fmt(diag['tmean_m'], 2)}",
        f"  result: mean daily max (degC): {_fmt(diag['tmax_m'])}",
        f"  result: mean daily min (degC): {_fmt(diag['tmin_m'])}",
        f"  result: hottest hour {diag['t_max']:.1f} degC; p99 of daily mean "
        f"{diag['t_day_p99']:.1f} degC",
        "rh_frac: daily-constant vapour pressure (RH high at dawn, low mid-afternoon), scaled "
        "to the published monthly mean RH, clipped to [0.05, 1].",
        f"  result: monthly mean RH (%): {_fmt(100 * diag['rh_m'])}",
        "wetbulb_c: Stull (2011) from drybulb_c and rh_frac, capped at drybulb_c near "
        "saturation.",
        f"  check vs published monthly wet-bulb ({E3_SOURCE}): "
        f"{_fmt(site['wb_e3'])}",
        f"  result: monthly mean of hourly wet-bulb: {_fmt(diag['wb_m'])} "
        f"(difference {_fmt(wb_err)}; max |diff| {np.max(np.abs(wb_err)):.2f} K)",
        f"  result: Stull on daily means, as published: {_fmt(diag['wb_daily_m'])} "
        f"(max |diff| {np.max(np.abs(wb_err_daily)):.2f} K)",
        f"  result: p99 of daily-mean wet-bulb {diag['wb_p99']:.2f} degC "
        f"(published {site['wb_p99']:.1f})",
        "ghi_w_m2: pvlib Ineichen-Perez clear sky (Linke turbidity climatology shipped with "
        "pvlib) x daily clearness factor (seeded log-normal, sd "
        f"{GHI_DAILY_SD}); monthly totals by Angstrom-Prescott H = H0 ({ANGSTROM_A} + "
        f"{ANGSTROM_B} s) (FAO-56), scaled to the annual target.",
        f"  annual target: {site['ghi_kwh_m2_yr']:.0f} kWh/m2/yr - {site['ghi_source']}",
        "  relative sunshine s: " + (
            "published sunshine hours / day length" if site["sunshine_h"] is not None
            else f"rainfall proxy (driest month {S_DRY}, wettest {S_WET}; engineering "
                 "assumption)" + (
                     "; northern Viet Nam winter-spring overcast (engineering assumption "
                     "anchored on Hanoi Feb ~1.8 h/day of sun, exploreonevietnam.com et al. "
                     f"(W)): {site['overcast']}" if site["overcast"] else "")),
        f"  s (Jan-Dec): {_fmt(diag['rel_sunshine'], 2)}",
        f"  result: annual {diag['ghi_annual']:.0f} kWh/m2; monthly mean daily "
        f"(kWh/m2/day): {_fmt(diag['ghi_m_daily'], 2)}",
    ]
    if site.get("ghi_note"):
        lines.append("  note: " + site["ghi_note"])
    lines += [
        f"wind_m_s: constant {site['wind_m_s']} m/s, an engineering assumption (no wind "
        "figures in the source set).",
    ]
    return ["# " + line for line in lines]


COLUMNS = ("time_local", "drybulb_c", "rh_frac", "wetbulb_c", "ghi_w_m2", "wind_m_s")
_FORMATS = (None, "{:.2f}", "{:.4f}", "{:.2f}", "{:.1f}", "{:.1f}")


def render_csv(site_id: str, df: pd.DataFrame, diag) -> str:
    """The whole file as text: '#' header lines, the column row, fixed decimals per column."""
    out = header_lines(site_id, diag) + [",".join(COLUMNS)]
    arrays = [df[c].to_numpy() for c in COLUMNS]
    for row in zip(*arrays):
        # "+ 0.0" turns -0.0 into 0.0 so the text does not depend on the sign of zero
        out.append(",".join(v if f is None else f.format(v + 0.0)
                            for v, f in zip(row, _FORMATS)))
    return "\n".join(out) + "\n"


def write_site(site_id: str, out_dir: Path):
    df, diag = build_site(site_id)
    path = out_dir / f"{site_id}.csv"
    path.write_text(render_csv(site_id, df, diag), encoding="utf-8")
    return path, diag


def write_sites_csv(out_dir: Path, site_ids=SITE_IDS):
    rows = []
    for sid in site_ids:
        s = CLIMATE[sid]
        rows.append(dict(
            site_id=sid, name=s["name"], country=s["country"], latitude=s["lat"],
            longitude=s["lon"], utc_offset_h=s["utc_offset_h"], proxy_for=s["proxy_for"],
            source=("coordinates: grid point of the Open-Meteo ERA5 series stored in "
                    "kyjzzang81/d-day-weather-web (commit 6e1d453); climate: "
                    + s["climate_source"]),
        ))
    path = out_dir / "sites.csv"
    pd.DataFrame(rows).to_csv(path, index=False, lineterminator="\n")
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder")
    parser.add_argument("--site", action="append", choices=SITE_IDS,
                        help="build only this site (repeatable)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    site_ids = tuple(args.site) if args.site else SITE_IDS
    if not args.site:
        write_sites_csv(args.out)
    for sid in site_ids:
        path, diag = write_site(sid, args.out)
        if not args.quiet:
            err = np.max(np.abs(diag["wb_m"] - np.asarray(CLIMATE[sid]["wb_e3"])))
            print(f"{path.name}: GHI {diag['ghi_annual']:.0f} kWh/m2, wet-bulb max |diff| "
                  f"{err:.2f} K, p99 WB {diag['wb_p99']:.2f}, Tmax {diag['t_max']:.1f}, "
                  f"sigma {diag['sigma_summer_k']:.2f} K")
    return 0


if __name__ == "__main__":
    sys.exit(main())
