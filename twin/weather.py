"""Weather inputs: the bundled synthetic typical years, or an EPW file, on the run's time axis.

:func:`load_weather` returns an :class:`xarray.Dataset` with ``ambient_drybulb_c``,
``ambient_wetbulb_c``, ``ambient_rh_frac``, ``ghi_w_m2``, ``wind_m_s`` and ``ambient_pressure_pa`` on a ``time``
coordinate of naive ``datetime64[ns]`` in the site's local standard time.

Both sources are first turned into one hourly table of the non-leap reference year
(8,760 values per variable, instantaneous at the hour marks, 1 Jan 00:00 first). Any
calendar year is then read from it by month, day and time of day (29 February reads
28 February), with linear interpolation in time for sub-hourly steps and wrap-around from
31 December 23:00 to 1 January 00:00.

EPW convention
--------------
EPW rows are labelled with hour-ending hours 1..24. Dry-bulb, dew point, RH and wind are
values at the end of the hour, so row (month, day, hour h) is placed at ``h:00`` local time
(hour 24 of 31 December becomes 1 January 00:00 of the typical year). Irradiance is the
mean over the hour that ends at ``h:00`` (i.e. centred on ``h-1:30``); the value at a hour
mark is taken as the mean of the two hourly averages around it, which is linear
interpolation between the two half-hour centres and preserves daily totals.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

_DATASETS = Path(__file__).resolve().parents[1] / "datasets"
WEATHER_DIR = _DATASETS / "weather"

HOURS_PER_YEAR = 8760
_VARS = ("drybulb_c", "wetbulb_c", "rh_frac", "ghi_w_m2", "wind_m_s", "pressure_pa")
_OUT = {
    "drybulb_c": ("ambient_drybulb_c", "degC", "ambient dry-bulb temperature"),
    "wetbulb_c": ("ambient_wetbulb_c", "degC", "ambient wet-bulb temperature"),
    "rh_frac": ("ambient_rh_frac", "1", "ambient relative humidity (fraction)"),
    "ghi_w_m2": ("ghi_w_m2", "W m-2", "global horizontal irradiance"),
    "wind_m_s": ("wind_m_s", "m s-1", "wind speed"),
    "pressure_pa": ("ambient_pressure_pa", "Pa", "ambient (station) air pressure"),
}
_MONTH_START_DOY = np.concatenate([[0], np.cumsum([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30])])


# ------------------------------------------------------------------------------------ sites
@functools.lru_cache(maxsize=1)
def _sites() -> pd.DataFrame:
    return pd.read_csv(WEATHER_DIR / "sites.csv", dtype={"proxy_for": str}, keep_default_na=False)


def weather_sites() -> pd.DataFrame:
    """The bundled typical-year sites.

    Returns
    -------
    pandas.DataFrame
        One row per site: ``site_id``, ``name``, ``country``, ``latitude``, ``longitude``
        [deg], ``utc_offset_h`` [h], ``proxy_for`` (the campus the site stands in for, if any)
        and ``source``.
    """
    return _sites().copy()


def _site_row(site_id: str) -> pd.Series:
    sites = _sites()
    hit = sites[sites["site_id"] == site_id]
    if hit.empty:
        raise ValueError(
            f"unknown weather site_id {site_id!r}; valid: {', '.join(sites['site_id'])}")
    return hit.iloc[0]


# ------------------------------------------------------------------------------ hourly tables
def _freeze(table: dict) -> dict:
    for v in table.values():
        if isinstance(v, np.ndarray):
            v.flags.writeable = False
    return table


def _header_elevation_m(path: str) -> float:
    """Elevation from a typical-year file's ``# elevation_m: 26 (...)`` header line; 0 if absent."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            key, _, rest = line[1:].partition(":")
            if key.strip() == "elevation_m":
                try:
                    return float(rest.split()[0])
                except (IndexError, ValueError):
                    raise ValueError(f"weather file {path}: elevation_m header {rest.strip()!r} is not "
                                     "a number of metres") from None
    return 0.0


@functools.lru_cache(maxsize=32)
def _typical_table(path: str) -> dict:
    """Parse one typical-year CSV into read-only hourly arrays (cached on the path).

    The wet-bulb is recomputed from dry-bulb and RH at the standard-atmosphere pressure of
    the site's elevation (file header) with :func:`models.psychro.wetbulb_c`; the file's own
    ``wetbulb_c`` column (a Stull fit at sea level) is not used.
    """
    from models.psychro import pressure_from_elevation_pa

    df = pd.read_csv(path, comment="#")
    missing = [c for c in ("time_local", *_VARS[:5]) if c not in df.columns]
    if missing:
        raise ValueError(f"weather file {path}: missing columns {', '.join(missing)}")
    if len(df) != HOURS_PER_YEAR:
        raise ValueError(f"weather file {path}: has {len(df)} rows; a typical year needs "
                         f"{HOURS_PER_YEAR}")
    table = {v: df[v].to_numpy(dtype=float) for v in _VARS[:5]}
    table["pressure_pa"] = np.full(HOURS_PER_YEAR, float(pressure_from_elevation_pa(_header_elevation_m(path))))
    table["wetbulb_c"] = _wetbulb_c(table["drybulb_c"], table["rh_frac"], table["pressure_pa"])
    return _freeze(table)


def _wetbulb_c(t_drybulb_c, rh_frac, pressure_pa=101325.0, t_dewpoint_c=None):
    """Wet-bulb [degC] by ASHRAE 2017 psychrometrics (PsychroLib's method), from the dew point
    where one is given and finite, else from RH."""
    from models.psychro import wetbulb_c, wetbulb_from_dewpoint_c

    tw = np.asarray(wetbulb_c(t_drybulb_c, np.clip(rh_frac, 0.0, 1.0), pressure_pa), dtype=float)
    if t_dewpoint_c is not None:
        td = np.asarray(t_dewpoint_c, dtype=float)
        ok = np.isfinite(td)
        if ok.any():
            tw_dp = np.asarray(wetbulb_from_dewpoint_c(t_drybulb_c, np.where(ok, td, 0.0), pressure_pa),
                               dtype=float)
            tw = np.where(ok & np.isfinite(np.asarray(t_drybulb_c, dtype=float)), tw_dp, tw)
    return tw


@functools.lru_cache(maxsize=8)
def _epw_table(path: str) -> dict:
    """Read an EPW file into the hour-mark table of the non-leap year (cached on the path)."""
    from pvlib.iotools import read_epw

    data, meta = read_epw(path)
    month = data["month"].to_numpy(dtype=int)
    day = data["day"].to_numpy(dtype=int)
    hour = data["hour"].to_numpy(dtype=int)
    keep = ~((month == 2) & (day == 29))  # leap-year files: drop 29 February
    month, day, hour = month[keep], day[keep], hour[keep]
    if keep.sum() != HOURS_PER_YEAR:
        raise ValueError(f"EPW file {path}: has {int(keep.sum())} hourly rows (without 29 Feb); "
                         f"expected {HOURS_PER_YEAR}")
    if hour.min() < 1 or hour.max() > 24:
        raise ValueError(f"EPW file {path}: hour field outside 1..24 (found {hour.min()}.."
                         f"{hour.max()})")
    # hour-ending h -> position of the hour mark h:00 in the non-leap year
    pos = (_MONTH_START_DOY[month - 1] + day - 1) * 24 + hour
    pos = pos % HOURS_PER_YEAR  # 31 Dec hour 24 -> 1 Jan 00:00
    if len(np.unique(pos)) != HOURS_PER_YEAR:
        raise ValueError(f"EPW file {path}: month/day/hour fields do not cover every hour of "
                         "the year exactly once")

    def placed(col, missing_value):
        v = data[col].to_numpy(dtype=float)[keep]
        v = np.where(v >= missing_value, np.nan, v)  # EPW 'missing' codes
        out = np.empty(HOURS_PER_YEAR)
        out[pos] = v
        return out

    from models.psychro import pressure_from_elevation_pa

    t = placed("temp_air", 99.9)
    rh = np.clip(placed("relative_humidity", 999.0) / 100.0, 0.0, 1.0)
    # the file's own dew point and station pressure where it has them (EPW missing codes 99.9 and
    # 999999); otherwise RH and the standard atmosphere at the header's elevation
    t_dew = placed("temp_dew", 99.9)
    p_site = float(pressure_from_elevation_pa(float(meta["altitude"])))
    pressure = placed("atmospheric_pressure", 999999.0)
    pressure = np.where(np.isfinite(pressure) & (pressure > 0.0), pressure, p_site)
    wind = placed("wind_speed", 999.0)
    ghi_hour_ending = placed("ghi", 9999.0)  # mean over the hour ending at the mark
    ghi = 0.5 * (ghi_hour_ending + np.roll(ghi_hour_ending, -1))
    table = {
        "drybulb_c": t,
        "rh_frac": rh,
        "wetbulb_c": _wetbulb_c(t, rh, pressure, t_dew),
        "ghi_w_m2": ghi,
        "wind_m_s": wind,
        "pressure_pa": pressure,
        "meta": {
            "city": str(meta.get("city", "")).strip(),
            "country": str(meta.get("country", "")).strip(),
            "latitude": float(meta["latitude"]),
            "longitude": float(meta["longitude"]),
            "altitude_m": float(meta["altitude"]),
            "utc_offset_h": float(meta["TZ"]),
        },
    }
    return _freeze(table)


# ---------------------------------------------------------------------------------- sampling
_NS_PER_DAY = 86_400_000_000_000
_NS_PER_HOUR = 3_600_000_000_000


def _typical_positions(times: pd.DatetimeIndex) -> np.ndarray:
    """Fractional hour-of-typical-year of each (naive) time stamp; 29 Feb reads 28 Feb."""
    ns = times.as_unit("ns").asi8
    if ns.size == 0:
        return np.zeros(0)
    day_no = ns // _NS_PER_DAY  # days since 1970-01-01 (floor)
    d0 = int(day_no.min())
    # day-of-year in the non-leap reference year, from a table over the covered date span
    dates = np.arange(d0, int(day_no.max()) + 1).astype("datetime64[D]")
    year = dates.astype("datetime64[Y]")
    doy = (dates - year.astype("datetime64[D]")).astype(np.int64)  # 0-based
    y = year.astype(np.int64) + 1970
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    doy = doy - (leap & (doy >= 59))  # 29 Feb (doy 59) -> 28 Feb; later days shift back one
    return doy[day_no - d0] * 24.0 + (ns - day_no * _NS_PER_DAY) / _NS_PER_HOUR


def _interp_weights(pos: np.ndarray):
    pos = np.mod(pos, HOURS_PER_YEAR)
    i0 = pos.astype(np.int64)  # pos >= 0, so truncation is floor
    frac = pos - i0
    i0 %= HOURS_PER_YEAR
    i1 = i0 + 1
    i1[i1 == HOURS_PER_YEAR] = 0
    return i0, i1, frac


def _interp_periodic(values: np.ndarray, weights) -> np.ndarray:
    i0, i1, frac = weights
    v0 = values[i0]
    out = v0 + frac * (values[i1] - v0)
    if np.isnan(values).any():
        # an exact hour mark returns the stored value even when its neighbour is NaN
        exact = frac == 0.0
        out[exact] = v0[exact]
    return out


def _time_axis(start, end, step) -> pd.DatetimeIndex:
    try:
        offset = pd.tseries.frequencies.to_offset(step)
        step_td = pd.Timedelta(offset)
    except (ValueError, TypeError):
        raise ValueError(f"step {step!r} is not a fixed pandas offset such as '1h', '15min' "
                         "or '1min'") from None
    if step_td <= pd.Timedelta(0):
        raise ValueError(f"step {step!r} must be positive")
    try:
        t0, t1 = pd.Timestamp(start), pd.Timestamp(end)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"start/end ({start!r}, {end!r}) are not dates: {exc}") from None
    for name, ts in (("start", t0), ("end", t1)):
        if ts.tzinfo is not None:
            raise ValueError(f"{name} {ts} has a time zone; give naive site-local standard time")
    if t1 <= t0:
        raise ValueError(f"end {t1} must be after start {t0}")
    return pd.date_range(t0, t1, freq=step_td, inclusive="left", name="time").as_unit("ns")


def load_weather(source, *, site_id=None, path=None, start, end, step="1h",
                 utc_offset_h=None) -> xr.Dataset:
    """Weather on a regular local-time axis from a typical year or an EPW file.

    Parameters
    ----------
    source : {"typical", "epw"}
        ``"typical"``: the bundled synthetic typical year of ``site_id``
        (see :func:`weather_sites`); ``"epw"``: the EnergyPlus weather file at ``path``.
    site_id : str, optional
        Site of the typical year (required for ``"typical"``).
    path : str or path-like, optional
        EPW file (required for ``"epw"``).
    start, end : str or Timestamp
        First time stamp (inclusive) and end (exclusive), naive site-local standard time.
    step : str, default "1h"
        Fixed pandas offset string: ``"1h"``, ``"15min"``, ``"1min"``, ``"30s"``...
    utc_offset_h : float, optional
        UTC offset [h] of the returned time axis. Defaults to the source's own offset
        (``sites.csv`` or the EPW header). When it differs, the data are shifted so that
        each time stamp still means the same instant, e.g. a UTC+7 file read with
        ``utc_offset_h=8`` returns its 00:00 value at 01:00.

    Returns
    -------
    xarray.Dataset
        ``ambient_drybulb_c`` [degC], ``ambient_wetbulb_c`` [degC], ``ambient_rh_frac`` [-],
        ``ghi_w_m2`` [W/m2], ``wind_m_s`` [m/s] and ``ambient_pressure_pa`` [Pa] on ``time`` (naive datetime64[ns]),
        each with ``units`` and ``long_name``; attributes name the source, site,
        latitude/longitude and ``utc_offset_h``.

    Raises
    ------
    ValueError
        Unknown ``source``, unknown ``site_id`` (the message lists the valid ones), a missing
        EPW file (the message names the path), a non-fixed or non-positive ``step``,
        ``end`` not after ``start``, or time-zone-aware ``start``/``end``.

    Notes
    -----
    The typical year repeats for every calendar year: a time stamp is read by its month,
    day and time of day from the non-leap reference year (29 February reads 28 February).
    Between hour marks every variable, GHI included, is interpolated linearly in time;
    values at the hour marks are returned unchanged. Wet-bulb temperatures come from the
    ASHRAE 2017 psychrometrics of :mod:`models.psychro` (PsychroLib's method): for EPW files
    from the file's dry-bulb, dew point and station pressure (RH and the standard atmosphere
    at the header's elevation where those fields are missing); for typical years from
    dry-bulb, RH and the standard atmosphere at the site's elevation (file header).

    References
    ----------
    .. [1] U.S. DOE, EnergyPlus Auxiliary Programs, "Weather Converter Program" (EPW data
       dictionary: hour-ending rows 1-24, irradiance as the hour's mean).
    .. [2] ASHRAE (2017). Handbook - Fundamentals, ch. 1; Meyer, D., Thevenard, D. (2019).
       PsychroLib, J. Open Source Software 4(33), 1137.
    """
    times = _time_axis(start, end, step)
    if source == "typical":
        if site_id is None:
            raise ValueError("site_id is required for weather source 'typical'")
        row = _site_row(site_id)
        table = _typical_table(str(WEATHER_DIR / f"{site_id}.csv"))
        native = float(row["utc_offset_h"])
        attrs = dict(weather_source="typical", site_id=site_id, site_name=str(row["name"]),
                     latitude=float(row["latitude"]), longitude=float(row["longitude"]),
                     weather_note="synthetic typical year built from published monthly "
                                  "climate figures (not measured)")
    elif source == "epw":
        if path is None:
            raise ValueError("path is required for weather source 'epw'")
        p = Path(path).expanduser().resolve()
        if not p.is_file():
            raise ValueError(f"EPW file not found: {p}")
        table = _epw_table(str(p))
        meta = table["meta"]
        native = meta["utc_offset_h"]
        attrs = dict(weather_source="epw", epw_path=str(p), site_name=meta["city"],
                     latitude=meta["latitude"], longitude=meta["longitude"],
                     altitude_m=meta["altitude_m"])
    else:
        raise ValueError(f"weather source {source!r} is not supported; valid: typical, epw")

    offset = native if utc_offset_h is None else float(utc_offset_h)
    weights = _interp_weights(_typical_positions(times) + (native - offset))
    data_vars = {}
    for key in _VARS:
        name, units, long_name = _OUT[key]
        data_vars[name] = ("time", _interp_periodic(table[key], weights),
                           {"units": units, "long_name": long_name})
    ds = xr.Dataset(data_vars, coords={"time": times.values})
    ds["time"].attrs.update(long_name="site-local standard time", utc_offset_h=offset)
    attrs.update(utc_offset_h=offset, source_utc_offset_h=native)
    ds.attrs.update(attrs)
    return ds
