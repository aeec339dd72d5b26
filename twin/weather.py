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

EPW checks
----------
An EPW file is read by this module's own parser and checked before any use
(:func:`check_epw`); every refusal is one :class:`~twin.errors.WeatherError` line naming the
file, the line or column and the first bad time stamp: the ``LOCATION`` header (latitude,
longitude, time zone -12..14 h, elevation), 8 header lines, one row per hour of one year
(8,760, or 8,784 with 29 February), 35 fields per row, numbers in the numeric fields, month
1..12, a day that exists, hour 1..24, no hour twice. The four columns the twin uses are checked
against the ranges of the EPW data dictionary [1]_ (dry bulb -70..70 degC exclusive, RH 0..110 %,
GHI >= 0, wind 0..40 m/s); their missing-value codes (99.9 degC, 999 %, 9999 W/m2, 999 m/s) and
NaN mark gaps. A gap of at most :data:`MAX_GAP_H` consecutive hours is filled by linear
interpolation in time between the valid hours around it (an engineering choice: a quarter day
keeps the diurnal shape; wrapping from 31 December to 1 January); the filled hours are counted
in the Dataset's ``weather_gaps_filled`` attribute and the rule in ``weather_gap_rule``. A
longer gap is refused.
"""

from __future__ import annotations

import functools
import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from twin.errors import WeatherError
from twin.paths import DATASETS_DIR

log = logging.getLogger(__name__)

WEATHER_DIR = DATASETS_DIR / "weather"
#: longest run of missing hours filled by linear interpolation [h]
MAX_GAP_H = 6
#: largest EPW file read [bytes] (a year of hourly rows is ~1.6 MB)
MAX_EPW_BYTES = 20_000_000

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


#: the EPW columns the twin reads: (0-based field, name, missing-value code, low, high, inclusive)
_EPW_COLS = (
    (6, "dry bulb temperature [degC]", 99.9, -70.0, 70.0, False),
    (8, "relative humidity [%]", 999.0, 0.0, 110.0, True),
    (13, "global horizontal radiation [Wh/m2]", 9999.0, 0.0, 1500.0, True),
    (21, "wind speed [m/s]", 999.0, 0.0, 40.0, True),
    # optional: used where present, else RH and the standard atmosphere at the site's elevation
    (7, "dew point temperature [degC]", 99.9, -70.0, 70.0, False),
    (9, "atmospheric station pressure [Pa]", 999999.0, 31_000.0, 120_000.0, True),
)
#: the first columns of _EPW_COLS are required (gaps filled or refused); the rest are optional
_EPW_REQUIRED = 4
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _bad(path: Path, msg: str) -> WeatherError:
    return WeatherError([f"{path}: {msg}"], str(path))


def _epw_text(p: Path) -> str:
    try:
        size = p.stat().st_size
        if size > MAX_EPW_BYTES:
            raise _bad(p, f"{size:,} bytes — larger than any hourly EPW year ({MAX_EPW_BYTES:,} bytes at most)")
        raw = p.read_bytes()
    except OSError as e:
        raise _bad(p, f"cannot read the EPW file ({e.strerror or e})") from None
    if not raw.strip():
        raise _bad(p, "empty file, not an EPW weather file")
    if b"\x00" in raw:
        raise _bad(p, "a binary file (NUL bytes), not an EPW weather file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # EPW headers are often Latin-1; the numbers are ASCII either way


def _location(p: Path, line: str) -> dict:
    f = [x.strip() for x in line.split(",")]
    if f[0].upper() != "LOCATION":
        raise _bad(p, f"line 1: {f[0][:40]!r} — an EPW file starts with a LOCATION line (not an EPW weather file?)")
    if len(f) < 10:
        raise _bad(p, f"line 1: LOCATION has {len(f)} fields; it needs 10 (city, state, country, source, WMO, "
                      "latitude, longitude, time zone, elevation)")
    out = {"city": f[1], "country": f[3]}
    for i, key, lo, hi, what in ((6, "latitude", -90, 90, "deg"), (7, "longitude", -180, 180, "deg"),
                                 (8, "utc_offset_h", -12, 14, "h"), (9, "altitude_m", -1000, 9999.9, "m")):
        try:
            v = float(f[i])
        except ValueError:
            raise _bad(p, f"line 1: LOCATION {key.replace('_', ' ')} {f[i][:20]!r} is not a number") from None
        if not (math.isfinite(v) and lo <= v <= hi):
            raise _bad(p, f"line 1: LOCATION {key.replace('_', ' ').replace('utc offset h', 'time zone')} "
                          f"{f[i]} is outside {lo}..{hi} {what}")
        out[key] = v
    return out


def _stamp(month: int, day: int, hour: int) -> str:
    return f"{day} {_MONTH_NAMES[month - 1]} hour {hour} ({hour - 1:02d}:00-{hour:02d}:00)"


def _fill_gaps(p: Path, name: str, v: np.ndarray, labels: list[str]) -> int:
    """Fill runs of NaN of at most MAX_GAP_H hours in place (periodic linear); refuse longer ones."""
    bad = np.isnan(v)
    if not bad.any():
        return 0
    n = v.size
    if bad.all():
        raise _bad(p, f"column {name}: every hour is missing (the EPW missing-value code or NaN)")
    # rotate so that the series starts on a valid hour: runs then never wrap
    shift = int(np.flatnonzero(~bad)[0])
    b = np.roll(bad, -shift)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], b.astype(int), [0]])))
    for s0, s1 in zip(edges[::2], edges[1::2]):
        if s1 - s0 > MAX_GAP_H:
            first = (s0 + shift) % n
            raise _bad(p, f"column {name}: {s1 - s0} consecutive hours missing from {labels[first]} (at most "
                          f"{MAX_GAP_H} h are filled by linear interpolation)")
    idx = np.arange(n)
    good = ~bad
    xp = np.concatenate([idx[good] - n, idx[good], idx[good] + n])
    fp = np.tile(v[good], 3)
    v[bad] = np.interp(idx[bad], xp, fp)
    return int(bad.sum())


@functools.lru_cache(maxsize=8)
def _epw_table_cached(path: str, mtime_ns: int, size: int) -> dict:
    """Read and check an EPW file into the hour-mark table of the non-leap year."""
    p = Path(path)
    text = _epw_text(p)
    lines = text.splitlines()
    if len(lines) < 8:
        raise _bad(p, f"{len(lines)} line(s); an EPW file has 8 header lines, then one row per hour")
    meta = _location(p, lines[0])
    rows = lines[8:]
    while rows and not rows[-1].strip():
        rows.pop()
    if not rows:
        raise _bad(p, "header only: no data rows (a year of hourly data has 8,760)")
    if len(rows) not in (HOURS_PER_YEAR, HOURS_PER_YEAR + 24):
        what = "truncated or not a whole year" if len(rows) < HOURS_PER_YEAR else "sub-hourly or more than a year"
        raise _bad(p, f"{len(rows):,} data rows ({what}); an hourly EPW year has 8,760 (8,784 with 29 Feb)")
    n = len(rows)
    mdh = np.empty((n, 3), dtype=np.int64)
    vals = np.empty((n, len(_EPW_COLS)))
    for i, row in enumerate(rows):
        f = row.split(",")
        ln = i + 9
        if len(f) != 35:
            raise _bad(p, f"line {ln}: {len(f)} fields; an EPW data row has 35 (a row cut short or a stray comma?)")
        try:
            month, day, hour = int(f[1]), int(f[2]), int(f[3])
        except ValueError:
            raise _bad(p, f"line {ln}: month/day/hour {f[1]!r}/{f[2]!r}/{f[3]!r} are not whole numbers") from None
        if not 1 <= month <= 12:
            raise _bad(p, f"line {ln}: month {month} — must be 1..12")
        if not 1 <= day <= _DAYS_IN_MONTH[month - 1]:
            raise _bad(p, f"line {ln}: day {day} of month {month} does not exist")
        if not 1 <= hour <= 24:
            raise _bad(p, f"line {ln}: hour {hour} — EPW hours are 1..24 (hour-ending)")
        mdh[i] = (month, day, hour)
        for j, (col, name, missing, lo, hi, incl) in enumerate(_EPW_COLS):
            cell = f[col].strip()
            try:
                x = float(cell)
            except ValueError:
                raise _bad(p, f"line {ln} ({_stamp(month, day, hour)}), column {name}: {cell[:20]!r} is not a "
                              "number") from None
            if math.isnan(x) or x == missing or (col != 6 and x >= missing):
                x = math.nan  # the format's missing-value code: a gap
            elif not (lo <= x <= hi if incl else lo < x < hi):
                raise _bad(p, f"line {ln} ({_stamp(month, day, hour)}), column {name}: {cell} is outside the "
                              f"EPW range {lo:g}..{hi:g}{'' if incl else ' (exclusive)'}")
            vals[i, j] = x
    month, day, hour = mdh.T
    keep = ~((month == 2) & (day == 29))  # leap-year files: drop 29 February
    if keep.sum() != HOURS_PER_YEAR:
        raise _bad(p, f"{int(keep.sum()):,} rows without 29 Feb; an hourly EPW year has 8,760")
    # hour-ending h -> position of the hour mark h:00 in the non-leap year
    pos = ((_MONTH_START_DOY[month - 1] + day - 1) * 24 + hour) % HOURS_PER_YEAR
    first_row = {}
    for i in np.flatnonzero(keep):
        if pos[i] in first_row:
            j = first_row[pos[i]]
            raise _bad(p, f"line {i + 9}: {_stamp(month[i], day[i], hour[i])} repeats line {j + 9} (each hour "
                          "of the year once)")
        first_row[pos[i]] = i
    placed = np.empty((HOURS_PER_YEAR, len(_EPW_COLS)))
    placed[pos[keep]] = vals[keep]
    labels = [""] * HOURS_PER_YEAR
    for i in np.flatnonzero(keep):
        labels[pos[i]] = f"line {i + 9} ({_stamp(month[i], day[i], hour[i])})"
    filled = {}
    for j, (_, name, *_r) in enumerate(_EPW_COLS):
        if j >= _EPW_REQUIRED:
            continue  # optional columns: a missing hour falls back (see below), nothing is filled
        k = _fill_gaps(p, name, placed[:, j], labels)
        if k:
            filled[name.split(" [")[0]] = k
    t, rh_pct, ghi_hour_ending, wind, t_dew, pressure = placed.T
    rh = np.clip(rh_pct / 100.0, 0.0, 1.0)
    ghi = 0.5 * (ghi_hour_ending + np.roll(ghi_hour_ending, -1))
    # the file's own dew point and station pressure where it has them; otherwise RH and the
    # standard atmosphere at the header's elevation
    from models.psychro import pressure_from_elevation_pa

    p_site = float(pressure_from_elevation_pa(meta["altitude_m"]))
    pressure = np.where(np.isfinite(pressure), pressure, p_site)
    if filled:
        log.info("%s: filled %s missing hour(s) by linear interpolation", p, filled)
    meta["gaps_filled_h"] = filled
    return _freeze({"drybulb_c": t.copy(), "rh_frac": rh, "wetbulb_c": _wetbulb_c(t, rh, pressure, t_dew),
                    "ghi_w_m2": ghi, "wind_m_s": wind.copy(), "pressure_pa": pressure, "meta": meta})


def _epw_table(path: str) -> dict:
    """The checked hour-mark table of an EPW file (cached on its path, size and modification time)."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError as e:
        raise _bad(p, f"cannot read the EPW file ({e.strerror or e})") from None
    return _epw_table_cached(str(p), st.st_mtime_ns, st.st_size)


def check_epw(path: str | Path) -> dict:
    """Check an EPW file as the twin will read it; return what it holds.

    Parameters
    ----------
    path : str or path-like
        The EPW file.

    Returns
    -------
    dict
        ``meta``: city, country, latitude, longitude, altitude_m, utc_offset_h and
        ``gaps_filled_h`` (hours filled per column).

    Raises
    ------
    WeatherError
        One line naming the file, the line or column and the first bad time stamp (see the
        module docstring for every check).
    """
    p = Path(path).expanduser().resolve()
    if not p.is_file():
        raise _bad(p, "no such EPW file")
    return {"meta": dict(_epw_table(str(p))["meta"])}


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
            raise WeatherError([f"EPW file not found: {p}"], str(p))
        table = _epw_table(str(p))
        meta = table["meta"]
        native = meta["utc_offset_h"]
        gaps = meta["gaps_filled_h"]
        attrs = dict(weather_source="epw", epw_path=str(p), site_name=meta["city"],
                     latitude=meta["latitude"], longitude=meta["longitude"],
                     altitude_m=meta["altitude_m"],
                     weather_gaps_filled="; ".join(f"{k}: {v} h" for k, v in gaps.items()) or "none",
                     weather_gap_rule=f"missing values (EPW codes, NaN) in runs of at most {MAX_GAP_H} h "
                                      "filled by linear interpolation in time")
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
