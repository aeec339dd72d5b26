"""Grid supply: time-of-use energy prices and demand charges from a tariff description.

Pure functions: a tariff is a plain ``dict`` (as read from ``datasets/tariffs/*.yaml`` by
:func:`twin.catalog.load_tariff`), times are naive site-local datetimes, exchange rates are
passed in by the caller. Everything is vectorised over time: a year at one-minute steps is
priced with array look-ups, without a Python loop over time stamps.

Tariff dictionary
-----------------
``name``, ``country``, ``currency`` (``VND``/``KRW``/``USD``), ``energy_price_unit``
(``"<currency>/kWh"``), ``source`` (text), ``co2_t_per_mwh`` (default grid intensity, with
``co2_source``), and:

``seasons``
    season -> list of months (1-12); every month in exactly one season.
``tou_periods``
    season -> day type (``weekday`` = Monday-Friday, ``saturday``, ``sunday_holiday`` =
    Sunday or a listed holiday) -> ``{"default": label, label: ["HH:MM-HH:MM", ...], ...}``.
    Ranges are local time, start inclusive, end exclusive, any minute (e.g. EVN's
    ``"09:30-11:30"``); ``"22:00-04:00"`` wraps past midnight; ``"24:00"`` may end a range.
    Ranges of one day type must not overlap; uncovered minutes get the ``default`` label.
``energy_price_per_kwh``
    season -> label -> price in ``currency`` per kWh (excluding VAT), for every label used.
``surcharges_per_kwh`` (optional)
    list of ``{"name", "value", "source"}`` added to every kWh (e.g. KEPCO's
    climate-and-environment charge).
``demand_charge_per_kw_month`` (optional)
    charge on the month's maximum demand, ``currency`` per kW per month; with
    ``demand_interval_min`` (default 15), the averaging interval of the demand meter.
``holidays`` (optional)
    extra dates billed as ``sunday_holiday``: ``"YYYY-MM-DD"`` (that day) or ``"MM-DD"`` (every
    year).
``public_holidays`` (optional)
    ISO country code (``"KR"``, ``"VN"``) whose public holidays, as listed by the ``holidays``
    package for each simulated year (lunar-calendar and substitute days included: Seollal,
    Chuseok, Tet), are billed as ``sunday_holiday``; absent or null: none.
``effective_from`` (optional)
    date the table takes effect, ``"YYYY-MM-DD"``.
``versions`` (optional)
    earlier or later tables of the same tariff, each ``{"effective_from", "source", "flag"}``
    (flag: ``P``/``S``/``W``/``D`` as in the catalogue; ``D`` = derived) plus the keys it changes
    (``seasons``, ``tou_periods``, ``energy_price_per_kwh``, ``surcharges_per_kwh``,
    ``demand_charge_per_kw_month``) and/or ``energy_scale``, a factor on the energy prices (a
    documented price decision applied as a scaling until its own table is in the repository).
    Each time stamp is priced with the table in force on its date (:func:`tariff_in_force`).
"""

from __future__ import annotations

import copy
import datetime as _dt
import math
import re

import numpy as np
import pandas as pd

__all__ = ["DAY_TYPES", "validate_tariff", "tariff_prices", "demand_charge_usd", "tariff_in_force",
           "tariff_version_dates"]

#: day types, in the order used by the look-up tables
DAY_TYPES = ("weekday", "saturday", "sunday_holiday")
_CURRENCIES = ("VND", "KRW", "USD")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_MINUTES_PER_DAY = 1440


def _err(tariff_name, field, value, why) -> ValueError:
    return ValueError(f"tariff {tariff_name!r}: {field}={value!r} {why}")


def _number(name, field, value, *, allow_zero=True):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise _err(name, field, value, "is not a number") from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise _err(name, field, value, "must be a finite number >= 0" if allow_zero
                   else "must be a finite number > 0")
    return v


def _parse_range(name, field, text):
    if not isinstance(text, str):
        raise _err(name, field, text, "must be a quoted string 'HH:MM-HH:MM'")
    m = _RANGE.match(text)
    if not m:
        raise _err(name, field, text, "is not a time range 'HH:MM-HH:MM'")
    h0, m0, h1, m1 = (int(g) for g in m.groups())
    if h0 > 23 or m0 > 59 or h1 > 24 or m1 > 59 or (h1 == 24 and m1 != 0):
        raise _err(name, field, text, "is not a valid time of day (00:00-24:00)")
    start, end = h0 * 60 + m0, h1 * 60 + m1
    if start == end % _MINUTES_PER_DAY:
        raise _err(name, field, text, "is empty (start equals end)")
    if end > start:
        return np.arange(start, end)
    return np.concatenate([np.arange(start, _MINUTES_PER_DAY), np.arange(0, end)])


def _parse_holiday(name, value):
    if isinstance(value, _dt.date):
        return ("date", value.isoformat())
    s = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        try:
            _dt.date.fromisoformat(s)
        except ValueError:
            raise _err(name, "holidays", value, "is not a valid date") from None
        return ("date", s)
    if re.fullmatch(r"\d{2}-\d{2}", s):
        try:
            _dt.date.fromisoformat("2000-" + s)  # leap year accepts 02-29
        except ValueError:
            raise _err(name, "holidays", value, "is not a valid month-day") from None
        return ("md", s)
    raise _err(name, "holidays", value, "must be 'YYYY-MM-DD' or 'MM-DD'")


def validate_tariff(tariff: dict) -> dict:
    """Check a tariff description and return a normalised deep copy.

    Parameters
    ----------
    tariff : dict
        The tariff (see the module docstring for the keys).

    Returns
    -------
    dict
        A copy with prices and charges as floats, months as ints and holidays as ISO
        strings.

    Raises
    ------
    ValueError
        One line naming the tariff, the field, the value and what is wrong.
    """
    if not isinstance(tariff, dict):
        raise ValueError(f"tariff must be a mapping, got {type(tariff).__name__}")
    t = copy.deepcopy(tariff)
    name = t.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"tariff: name={name!r} must be a non-empty string")
    for key in ("country", "source", "co2_source"):
        if not isinstance(t.get(key), str) or not t[key].strip():
            raise _err(name, key, t.get(key), "must be a non-empty string")
    cur = t.get("currency")
    if cur not in _CURRENCIES:
        raise _err(name, "currency", cur, f"is not supported; valid: {', '.join(_CURRENCIES)}")
    unit = t.get("energy_price_unit", f"{cur}/kWh")
    if unit != f"{cur}/kWh":
        raise _err(name, "energy_price_unit", unit, f"must be '{cur}/kWh'")
    t["energy_price_unit"] = unit
    t["co2_t_per_mwh"] = _number(name, "co2_t_per_mwh", t.get("co2_t_per_mwh"))

    seasons = t.get("seasons")
    if not isinstance(seasons, dict) or not seasons:
        raise _err(name, "seasons", seasons, "must map season names to lists of months")
    seen: dict[int, str] = {}
    for s, months in seasons.items():
        if not isinstance(months, list) or not months:
            raise _err(name, f"seasons.{s}", months, "must be a non-empty list of months")
        for mo in months:
            if not isinstance(mo, int) or isinstance(mo, bool) or not 1 <= mo <= 12:
                raise _err(name, f"seasons.{s}", mo, "is not a month number 1-12")
            if mo in seen:
                raise _err(name, f"seasons.{s}", mo, f"is already in season {seen[mo]!r}")
            seen[mo] = s
    missing = sorted(set(range(1, 13)) - set(seen))
    if missing:
        raise _err(name, "seasons", missing, "months are in no season")

    periods = t.get("tou_periods")
    prices = t.get("energy_price_per_kwh")
    if not isinstance(periods, dict):
        raise _err(name, "tou_periods", periods, "must map each season to its day types")
    if not isinstance(prices, dict):
        raise _err(name, "energy_price_per_kwh", prices, "must map each season to label prices")
    for s in seasons:
        if s not in periods:
            raise _err(name, "tou_periods", s, "season has no period definition")
        if s not in prices or not isinstance(prices[s], dict):
            raise _err(name, "energy_price_per_kwh", s, "season has no prices")
        for label, p in prices[s].items():
            prices[s][label] = _number(name, f"energy_price_per_kwh.{s}.{label}", p)
        for dt in DAY_TYPES:
            spec = periods[s].get(dt) if isinstance(periods[s], dict) else None
            field = f"tou_periods.{s}.{dt}"
            if not isinstance(spec, dict) or "default" not in spec:
                raise _err(name, field, spec, "must be a mapping with a 'default' label")
            used = np.zeros(_MINUTES_PER_DAY, dtype=bool)
            for label, ranges in spec.items():
                if label == "default":
                    if not isinstance(ranges, str) or ranges not in prices[s]:
                        raise _err(name, f"{field}.default", ranges,
                                   f"has no price in energy_price_per_kwh.{s}")
                    continue
                if label not in prices[s]:
                    raise _err(name, f"{field}.{label}", label,
                               f"has no price in energy_price_per_kwh.{s}")
                if isinstance(ranges, str):
                    ranges = [ranges]
                    spec[label] = ranges
                if not isinstance(ranges, list):
                    raise _err(name, f"{field}.{label}", ranges, "must be a list of ranges")
                for r in ranges:
                    minutes = _parse_range(name, f"{field}.{label}", r)
                    if used[minutes].any():
                        raise _err(name, f"{field}.{label}", r,
                                   "overlaps another range of the same day type")
                    used[minutes] = True

    surcharges = t.get("surcharges_per_kwh") or []
    if not isinstance(surcharges, list):
        raise _err(name, "surcharges_per_kwh", surcharges, "must be a list")
    for i, sc in enumerate(surcharges):
        if not isinstance(sc, dict) or not sc.get("name") or not str(sc.get("source", "")).strip():
            raise _err(name, f"surcharges_per_kwh[{i}]", sc, "needs name, value and source")
        sc["value"] = _number(name, f"surcharges_per_kwh[{i}].value", sc.get("value"))
    t["surcharges_per_kwh"] = surcharges

    dc = t.get("demand_charge_per_kw_month")
    t["demand_charge_per_kw_month"] = None if dc is None else _number(
        name, "demand_charge_per_kw_month", dc)
    t["demand_interval_min"] = _number(name, "demand_interval_min",
                                       t.get("demand_interval_min", 15), allow_zero=False)
    hol = t.get("holidays") or []
    if not isinstance(hol, list):
        raise _err(name, "holidays", hol, "must be a list")
    t["holidays"] = [_parse_holiday(name, h)[1] for h in hol]
    ph = t.get("public_holidays")
    if ph is not None:
        import holidays as _holidays

        if not isinstance(ph, str) or ph not in _holidays.list_supported_countries():
            raise _err(name, "public_holidays", ph, "is not a country code the holidays package knows")
    t["public_holidays"] = ph
    t["effective_from"] = _date(name, "effective_from", t.get("effective_from", "1970-01-01"))
    versions = t.get("versions") or []
    if not isinstance(versions, list):
        raise _err(name, "versions", versions, "must be a list of dated tables")
    seen_dates = {t["effective_from"]}
    for i, v in enumerate(versions):
        field = f"versions[{i}]"
        if not isinstance(v, dict):
            raise _err(name, field, v, "must be a mapping")
        bad = sorted(set(v) - _VERSION_KEYS)
        if bad:
            raise _err(name, field, ", ".join(bad), f"cannot change in a version; valid: {', '.join(sorted(_VERSION_KEYS))}")
        v["effective_from"] = _date(name, f"{field}.effective_from", v.get("effective_from"))
        if v["effective_from"] in seen_dates:
            raise _err(name, f"{field}.effective_from", v["effective_from"], "is the date of another table")
        seen_dates.add(v["effective_from"])
        if not isinstance(v.get("source"), str) or not v["source"].strip():
            raise _err(name, f"{field}.source", v.get("source"), "must be a non-empty string")
        if v.get("flag") not in ("P", "S", "W", "D"):
            raise _err(name, f"{field}.flag", v.get("flag"), "must be one of P, S, W, D")
        if "energy_scale" in v:
            v["energy_scale"] = _number(name, f"{field}.energy_scale", v["energy_scale"], allow_zero=False)
        resolved = _resolve(t, v)
        try:  # the merged table must itself be a valid tariff
            validate_tariff(resolved)
        except ValueError as e:
            raise ValueError(f"{e} (in {field}, effective {v['effective_from']})") from None
    t["versions"] = sorted(versions, key=lambda v: v["effective_from"])
    return t


_VERSION_KEYS = {"effective_from", "source", "flag", "energy_scale", "title", "seasons", "tou_periods",
                 "energy_price_per_kwh", "surcharges_per_kwh", "demand_charge_per_kw_month"}


def _date(name, field, value) -> str:
    try:
        return _dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise _err(name, field, value, "is not a date 'YYYY-MM-DD'") from None


def _resolve(base: dict, version: dict) -> dict:
    """The full table of a version: the base tariff with the version's keys, prices scaled."""
    t = copy.deepcopy(base)
    t.pop("versions", None)
    for k, v in version.items():
        if k not in ("energy_scale", "flag"):
            t[k] = copy.deepcopy(v)
    scale = float(version.get("energy_scale", 1.0))
    if scale != 1.0:
        t["energy_price_per_kwh"] = {s: {lab: float(p) * scale for lab, p in prices.items()}
                                     for s, prices in t["energy_price_per_kwh"].items()}
    t["version_flag"] = version.get("flag")
    t["version_source"] = version.get("source")
    return t


def tariff_version_dates(tariff: dict) -> list[str]:
    """Effective dates of every table of a tariff, oldest first."""
    t = validate_tariff(tariff)
    return sorted([t["effective_from"], *(v["effective_from"] for v in t["versions"])])


def tariff_in_force(tariff: dict, on) -> dict:
    """The table of ``tariff`` in force on a date (the latest ``effective_from`` on or before it).

    Parameters
    ----------
    tariff : dict
        Tariff description, with or without ``versions``.
    on : date-like
        The date.

    Returns
    -------
    dict
        A validated tariff without ``versions``: ``effective_from`` is the date of the table
        used, ``version_flag`` and ``version_source`` say where a version came from (None for
        the base table), and ``before_first_table`` is True when ``on`` precedes every table
        (the oldest is used).
    """
    t = validate_tariff(tariff)
    day = pd.Timestamp(on).date().isoformat()
    tables = [(t["effective_from"], None), *((v["effective_from"], v) for v in t["versions"])]
    tables.sort(key=lambda x: x[0])
    chosen = tables[0]
    for d, v in tables:
        if d <= day:
            chosen = (d, v)
    out = validate_tariff(_resolve(t, chosen[1]) if chosen[1] is not None else
                          {k: v for k, v in t.items() if k != "versions"})
    out.setdefault("version_flag", None)
    out.setdefault("version_source", None)
    out["versions"] = []
    out["before_first_table"] = day < tables[0][0]
    return out


def _compile(t: dict):
    """Look-up tables: month -> season index, (season, day type, minute) -> label index,
    (season, label) -> price."""
    season_names = list(t["seasons"])
    labels: list[str] = []
    for s in season_names:
        for label in t["energy_price_per_kwh"][s]:
            if label not in labels:
                labels.append(label)
    month_to_season = np.empty(12, dtype=np.intp)
    for i, s in enumerate(season_names):
        for mo in t["seasons"][s]:
            month_to_season[mo - 1] = i
    table = np.empty((len(season_names), len(DAY_TYPES), _MINUTES_PER_DAY), dtype=np.intp)
    price = np.full((len(season_names), len(labels)), np.nan)
    for i, s in enumerate(season_names):
        for label, p in t["energy_price_per_kwh"][s].items():
            price[i, labels.index(label)] = p
        for j, dt in enumerate(DAY_TYPES):
            spec = t["tou_periods"][s][dt]
            table[i, j, :] = labels.index(spec["default"])
            for label, ranges in spec.items():
                if label == "default":
                    continue
                for r in ranges:
                    table[i, j, _parse_range(t["name"], "", r)] = labels.index(label)
    return season_names, labels, month_to_season, table, price


def _as_times(times_local) -> np.ndarray:
    if not isinstance(times_local, pd.Index) and hasattr(times_local, "values"):
        times_local = times_local.values  # DataArray / Series
    idx = pd.DatetimeIndex(times_local)
    if idx.tz is not None:
        raise ValueError(f"times_local has time zone {idx.tz}; pass naive site-local standard "
                         "time")
    if idx.hasnans:
        raise ValueError("times_local contains NaT; every time stamp must be a date")
    return idx.as_unit("ns").to_numpy()


def _check_fx(fx_per_usd) -> float:
    try:
        fx = float(fx_per_usd)
    except (TypeError, ValueError):
        raise ValueError(f"fx_per_usd={fx_per_usd!r} is not a number (currency units per USD)") \
            from None
    if not (math.isfinite(fx) and fx > 0):
        raise ValueError(f"fx_per_usd={fx_per_usd!r} must be a positive number (currency units "
                         "per USD)")
    return fx


_NS_PER_MIN = 60_000_000_000
_NS_PER_DAY = 86_400_000_000_000


def _calendar(t: np.ndarray, holidays, public_holidays=None):
    """Month index (0-11) and day type (0 weekday, 1 Saturday, 2 Sunday/holiday) of each
    time stamp, from per-day look-up tables over the covered date span (vectorised)."""
    holidays = list(holidays or [])
    if public_holidays:
        import holidays as _holidays

        years = range(int(t.min().astype("datetime64[Y]").astype(int)) + 1970,
                      int(t.max().astype("datetime64[Y]").astype(int)) + 1971)
        holidays += [d.isoformat() for d in _holidays.country_holidays(public_holidays, years=years)]
    day_no = t.view(np.int64) // _NS_PER_DAY  # floor division: days since 1970-01-01
    d0 = int(day_no.min())
    off = day_no - d0
    dates = np.arange(d0, int(day_no.max()) + 1).astype("datetime64[D]")
    month_start = dates.astype("datetime64[M]")
    month0_tab = month_start.astype(np.int64) % 12
    weekday_tab = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    dtype_tab = np.where(weekday_tab < 5, 0, np.where(weekday_tab == 5, 1, 2))
    if holidays:
        hol = np.isin(dates, np.array([h for h in holidays if len(h) == 10],
                                      dtype="datetime64[D]"))
        mds = [int(h[:2]) * 100 + int(h[3:]) for h in holidays if len(h) == 5]
        if mds:
            mmdd = (month0_tab + 1) * 100 + (dates - month_start.astype("datetime64[D]")).astype(
                np.int64) + 1
            hol |= np.isin(mmdd, mds)
        dtype_tab = np.where(hol, 2, dtype_tab)
    return month0_tab[off], dtype_tab[off]


def tariff_prices(times_local, tariff: dict, *, fx_per_usd: float) -> dict:
    """Time-of-use energy price of a tariff at each local time stamp.

    Parameters
    ----------
    times_local : pandas.DatetimeIndex, array of datetime64 or DataArray
        Naive site-local standard times.
    tariff : dict
        Tariff description (see the module docstring); validated here.
    fx_per_usd : float
        Exchange rate, tariff currency units per USD (e.g. VND per USD).

    Returns
    -------
    dict
        - ``price_usd_per_mwh`` : ndarray of float — energy price plus per-kWh surcharges
          [USD/MWh], excluding VAT and demand charges;
        - ``tou_period`` : ndarray of str — the time-of-use label (e.g. ``"peak"``);
        - ``season`` : ndarray of str — the season label;
        - ``table_from`` : ndarray of str — effective date of the table that priced the step.

    Raises
    ------
    ValueError
        Invalid tariff, time-zone-aware or NaT times, or a non-positive ``fx_per_usd``.

    Notes
    -----
    :math:`p_{USD/MWh} = 1000\\,(p_{energy} + \\sum p_{surcharge}) / fx`, with
    :math:`p_{energy}` looked up by season (from the month), day type (Monday-Friday,
    Saturday, Sunday or listed holiday) and minute of the day. A time stamp stands for
    the step that starts at it.

    References
    ----------
    .. [1] MOIT Decision 2941/QD-BCT (8 Nov 2023), retail prices for manufacturing, and
       Circular 16/2014/TT-BCT, time-of-use periods (EVN, "Gia ban dien theo gio").
    .. [2] KEPCO, "Electricity Tariff Structure" and industrial tariff tables (KEPCO EN).
    """
    t_dict = validate_tariff(tariff)
    fx = _check_fx(fx_per_usd)
    t = _as_times(times_local)
    if t_dict["versions"] and t.size:
        # each step priced by the table in force on its date
        dates = tariff_version_dates(t_dict)
        day = t.astype("datetime64[D]")
        which = np.searchsorted(np.array(dates, dtype="datetime64[D]"), day, side="right") - 1
        which = np.maximum(which, 0)
        out = {"price_usd_per_mwh": np.empty(t.size), "tou_period": np.empty(t.size, dtype=object),
               "season": np.empty(t.size, dtype=object), "table_from": np.empty(t.size, dtype=object)}
        for k in np.unique(which):
            m = which == k
            part = tariff_prices(t[m], tariff_in_force(t_dict, dates[k]), fx_per_usd=fx)
            for key in ("price_usd_per_mwh", "tou_period", "season"):
                out[key][m] = part[key]
            out["table_from"][m] = dates[k]
        return out
    season_names, labels, month_to_season, table, price = _compile(t_dict)
    if t.size == 0:
        empty = np.array([], dtype=object)
        return {"price_usd_per_mwh": np.array([], dtype=float), "tou_period": empty,
                "season": empty, "table_from": empty}
    month0, day_type = _calendar(t, t_dict["holidays"], t_dict["public_holidays"])
    minute = (t.view(np.int64) // _NS_PER_MIN) % _MINUTES_PER_DAY
    s_idx = month_to_season[month0]
    lab = table[s_idx, day_type, minute]
    surcharge = sum(sc["value"] for sc in t_dict["surcharges_per_kwh"])
    usd = (price[s_idx, lab] + surcharge) * (1000.0 / fx)
    return {
        "price_usd_per_mwh": usd,
        "tou_period": np.asarray(labels, dtype=object)[lab],
        "season": np.asarray(season_names, dtype=object)[s_idx],
        "table_from": np.full(t.size, t_dict["effective_from"], dtype=object),
    }


def demand_charge_usd(grid_import_mw, times_local, tariff: dict, *, fx_per_usd: float,
                      prorate: bool = False) -> pd.Series:
    """Monthly demand charge: the month's maximum demand times the tariff's charge.

    Parameters
    ----------
    grid_import_mw : array-like or DataArray
        Grid import at each time stamp [MW]; negative values (export) count as zero demand.
    times_local : pandas.DatetimeIndex, array of datetime64 or DataArray
        Naive site-local times, same length, regular steps.
    tariff : dict
        Tariff description; ``demand_charge_per_kw_month`` (currency per kW per month; none
        means no charge) and ``demand_interval_min`` (default 15).
    fx_per_usd : float
        Tariff currency units per USD.
    prorate : bool, default False
        Scale each month's charge by the share of the month the series covers (useful
        for runs shorter than a month); by default a month is billed in full.

    Returns
    -------
    pandas.Series
        Charge [USD] per calendar month (index: first day of the month, named ``month``),
        named ``demand_charge_usd``. A month with any NaN import is NaN.

    Notes
    -----
    Billing demand is the highest mean import over a demand interval of the month
    (KEPCO meters the 15-minute peak). With steps shorter than the interval the import
    is first averaged over clock-aligned intervals; with steps at least as long as the
    interval (e.g. hourly) each step's mean import is used as is, which understates a
    15-minute peak that the step averages away.
    KEPCO's billing demand also carries a 12-month ratchet (peaks of Dec-Feb and Jul-Sep);
    that is not modelled here.

    References
    ----------
    .. [1] KEPCO, "Electricity Tariff Structure" (KEPCO EN): demand charge per kW of
       billing demand.
    """
    t_dict = validate_tariff(tariff)
    fx = _check_fx(fx_per_usd)
    t = _as_times(times_local)
    p = np.asarray(getattr(grid_import_mw, "values", grid_import_mw), dtype=float).ravel()
    if p.shape != t.shape:
        raise ValueError(f"grid_import_mw has {p.size} values but times_local has {t.size}")
    months = np.unique(t.astype("datetime64[M]"))
    index = pd.DatetimeIndex(months.astype("datetime64[ns]"), name="month")
    rate = t_dict["demand_charge_per_kw_month"]
    if rate is None or rate == 0 or t.size == 0:
        return pd.Series(np.zeros(len(index)), index=index, name="demand_charge_usd")
    demand = np.where(np.isnan(p), np.nan, np.maximum(p, 0.0))

    step_ns = int(np.median(np.diff(t).astype(np.int64))) if t.size > 1 else 3_600_000_000_000
    if step_ns <= 0:
        raise ValueError("times_local must increase")
    month_of = t.astype("datetime64[M]")
    covered_ns = pd.Series(np.full(t.size, step_ns, dtype=np.int64)).groupby(
        month_of).sum().to_numpy()
    window_ns = int(round(t_dict["demand_interval_min"] * 60e9))
    if step_ns < window_ns:
        # mean import over clock-aligned demand intervals (NaN if any sample is NaN)
        block = t.astype(np.int64) // window_ns
        series = pd.Series(demand)
        demand = series.groupby(block, sort=True).mean().to_numpy().copy()
        has_nan = series.isna().groupby(block, sort=True).any().to_numpy()
        demand[has_nan] = np.nan
        month_of = (np.unique(block) * window_ns).astype("datetime64[ns]").astype(
            "datetime64[M]")
    series = pd.Series(demand)
    peak_mw = series.groupby(month_of, sort=True).max().to_numpy().copy()
    peak_mw[series.isna().groupby(month_of, sort=True).any().to_numpy()] = np.nan
    charge = peak_mw * 1000.0 * rate / fx
    if prorate:
        month_ns = ((months + np.timedelta64(1, "M")).astype("datetime64[ns]")
                    - months.astype("datetime64[ns]")).astype(np.int64)
        charge = charge * np.minimum(covered_ns / month_ns, 1.0)
    return pd.Series(charge, index=index, name="demand_charge_usd")
