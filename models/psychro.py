"""Psychrometrics of moist air: wet-bulb, humidity ratio, enthalpy, site pressure.

The twin's psychrometrics follow the ASHRAE Handbook - Fundamentals (2017),
chapter 1, as implemented by PsychroLib [1]_ (SI units): the same equations,
constants and branch points, written as vectorised numpy so that a year of
minute steps stays fast. The tests compare every function with PsychroLib's
scalar reference. Stull's (2011) fit and the Magnus forms are kept for
comparison only; the twin no longer uses them.

References
----------
.. [1] Meyer, D., Thevenard, D. (2019). PsychroLib: a library of
   psychrometric functions to calculate thermodynamic properties of air.
   Journal of Open Source Software, 4(33), 1137. doi:10.21105/joss.01137
.. [2] ASHRAE (2017). ASHRAE Handbook - Fundamentals, chapter 1
   "Psychrometrics", eqs. 3, 5, 6, 20, 22, 30, 32, 33, 35.
"""

from __future__ import annotations

import numpy as np

from models import _as_arrays, _check_range, _restore

__all__ = [
    "STANDARD_PRESSURE_PA",
    "pressure_from_elevation_pa",
    "saturation_pressure_pa",
    "humidity_ratio_from_rh",
    "humidity_ratio_from_dewpoint",
    "humidity_ratio_from_wetbulb",
    "saturated_humidity_ratio",
    "moist_air_enthalpy_j_per_kg",
    "wetbulb_c",
    "wetbulb_from_humidity_ratio_c",
    "wetbulb_from_dewpoint_c",
    "saturation_temperature_from_enthalpy_c",
    "wetbulb_stull_c",
    "dewpoint_magnus_c",
    "saturation_vapour_pressure_kpa",
]

#: standard sea-level pressure [Pa] (ASHRAE 2017 Fundamentals ch. 1, eq. 3 at z = 0)
STANDARD_PRESSURE_PA = 101325.0
#: ratio of the molar masses of water vapour and dry air (ASHRAE 2017 ch. 1 eq. 20), as PsychroLib
_EPS = 0.621945
#: lowest humidity ratio PsychroLib allows [kg/kg]
_MIN_W = 1e-7
_TRIPLE_C = 0.01
_BISECT_ITER = 24  # a 60 K bracket / 2**24 -> 4e-6 K, below PsychroLib's 0.001 K tolerance

# Alduchov & Eskridge (1996) Magnus coefficients over water (their AERK form).
_MAGNUS_A = 17.625
_MAGNUS_B_C = 243.04
_MAGNUS_C_KPA = 0.61094


def _check_rh(rh_frac) -> None:
    _check_range(
        "rh_frac", rh_frac, 0.0, 1.0,
        why="relative humidity is a fraction in [0, 1], not a percent",
    )


def wetbulb_stull_c(t_drybulb_c, rh_frac):
    r"""Wet-bulb temperature from dry-bulb temperature and relative humidity.

    Stull's (2011) empirical fit at standard sea-level pressure.

    Parameters
    ----------
    t_drybulb_c : float, ndarray or DataArray
        Air (dry-bulb) temperature [°C].
    rh_frac : float, ndarray or DataArray
        Relative humidity [fraction, 0-1].

    Returns
    -------
    float, ndarray or DataArray
        Wet-bulb temperature [°C].

    Raises
    ------
    ValueError
        If a finite ``rh_frac`` lies outside [0, 1] (e.g. a percent was passed).

    Notes
    -----
    With :math:`T` in °C and :math:`RH` in percent (:math:`RH = 100\,rh`):

    .. math::

        T_w = T\arctan\!\left[0.151977\,(RH + 8.313659)^{1/2}\right]
              + \arctan(T + RH) - \arctan(RH - 1.676331)
              + 0.00391838\,RH^{3/2}\arctan(0.023101\,RH) - 4.686035

    (angles in radians). Stull gives the fit for 5 % <= RH <= 99 % and
    -20 °C <= T <= 50 °C at 101.325 kPa, with errors between about -1 K and
    +0.65 K; outside that range the formula is evaluated anyway. Departure
    from the source: for cold, dry air (below about -15 °C and 30 % RH) the
    fit returns values above the dry-bulb, which is impossible, so the result
    is capped at the dry-bulb temperature. The
    pressure dependence is ignored, which matters little for the coastal and
    lowland sites this twin targets.

    References
    ----------
    .. [1] Stull, R. (2011). Wet-bulb temperature from relative humidity and
       air temperature. Journal of Applied Meteorology and Climatology, 50,
       2267-2269. doi:10.1175/JAMC-D-11-0143.1
    """
    (t, rh), template = _as_arrays(t_drybulb_c, rh_frac)
    _check_rh(rh)
    rh_pct = 100.0 * rh
    tw = (
        t * np.arctan(0.151977 * np.sqrt(rh_pct + 8.313659))
        + np.arctan(t + rh_pct)
        - np.arctan(rh_pct - 1.676331)
        + 0.00391838 * rh_pct**1.5 * np.arctan(0.023101 * rh_pct)
        - 4.686035
    )
    # the fit can exceed the dry-bulb for cold, dry air (below about -15 °C)
    tw = np.minimum(tw, t)
    return _restore(tw, template)


def saturation_vapour_pressure_kpa(t_c):
    r"""Saturation vapour pressure over water, Magnus form.

    Parameters
    ----------
    t_c : float, ndarray or DataArray
        Temperature [°C].

    Returns
    -------
    float, ndarray or DataArray
        Saturation vapour pressure [kPa].

    Notes
    -----
    .. math:: e_s = 0.61094 \exp\!\left(\frac{17.625\,T}{T + 243.04}\right)

    Valid from -40 °C to 50 °C to within 0.4 % (coefficients of [1]_).

    References
    ----------
    .. [1] Alduchov, O. A., Eskridge, R. E. (1996). Improved Magnus form
       approximation of saturation vapor pressure. Journal of Applied
       Meteorology, 35, 601-609.
    """
    (t,), template = _as_arrays(t_c)
    es = _MAGNUS_C_KPA * np.exp(_MAGNUS_A * t / (t + _MAGNUS_B_C))
    return _restore(es, template)


def dewpoint_magnus_c(t_drybulb_c, rh_frac):
    r"""Dew-point temperature from dry-bulb temperature and relative humidity.

    Parameters
    ----------
    t_drybulb_c : float, ndarray or DataArray
        Air temperature [°C].
    rh_frac : float, ndarray or DataArray
        Relative humidity [fraction, 0-1].

    Returns
    -------
    float, ndarray or DataArray
        Dew-point temperature [°C]; ``-inf`` where ``rh_frac`` is 0 (no dew
        point exists).

    Raises
    ------
    ValueError
        If a finite ``rh_frac`` lies outside [0, 1].

    Notes
    -----
    Inverting the Magnus form :math:`e_s(T) = c\,\exp(aT/(b+T))` with
    :math:`e = rh\,e_s(T)`:

    .. math::

        \gamma = \ln(rh) + \frac{aT}{b+T}, \qquad
        T_d = \frac{b\,\gamma}{a - \gamma}

    with :math:`a = 17.625` and :math:`b = 243.04` °C ([1]_).

    References
    ----------
    .. [1] Alduchov, O. A., Eskridge, R. E. (1996). Improved Magnus form
       approximation of saturation vapor pressure. Journal of Applied
       Meteorology, 35, 601-609.
    """
    (t, rh), template = _as_arrays(t_drybulb_c, rh_frac)
    _check_rh(rh)
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = np.log(rh) + _MAGNUS_A * t / (_MAGNUS_B_C + t)
        td = _MAGNUS_B_C * gamma / (_MAGNUS_A - gamma)
    td = np.where((rh == 0.0) & ~np.isnan(t), -np.inf, td)
    return _restore(td, template)


# ---------------------------------------------------------------- ASHRAE 2017 (PsychroLib port)
def pressure_from_elevation_pa(elevation_m):
    r"""Standard-atmosphere barometric pressure at an elevation.

    Parameters
    ----------
    elevation_m : float, ndarray or DataArray
        Site elevation above sea level [m].

    Returns
    -------
    float, ndarray or DataArray
        Pressure [Pa].

    Notes
    -----
    .. math:: p = 101325\,(1 - 2.25577\times10^{-5} z)^{5.2559}

    ASHRAE 2017 Fundamentals ch. 1 eq. 3 (PsychroLib ``GetStandardAtmPressure``):
    about 1.2 kPa less per 100 m near sea level.
    """
    (z,), template = _as_arrays(elevation_m)
    return _restore(STANDARD_PRESSURE_PA * (1.0 - 2.25577e-5 * z) ** 5.2559, template)


def _psat_pa(t):
    t = np.asarray(t, dtype=float)
    tk = t.reshape(-1) + 273.15
    with np.errstate(invalid="ignore", divide="ignore"):
        log_tk = np.log(tk)
        # Horner form of ASHRAE 2017 ch. 1 eq. 6 (over liquid water)
        ln = (-5.8002206e03 / tk + 1.3914993 + tk * (-4.8640239e-02 + tk * (4.1764768e-05 + tk * -1.4452093e-08))
              + 6.5459673 * log_tk)
        ice = tk <= _TRIPLE_C + 273.15
        if np.any(ice):  # eq. 5 (over ice), only where needed
            ti, li = tk[ice], log_tk[ice]
            ln[ice] = (-5.6745359e03 / ti + 6.3925247
                       + ti * (-9.677843e-03 + ti * (6.2215701e-07 + ti * (2.0747825e-09 + ti * -9.484024e-13)))
                       + 4.1635019 * li)
    return np.exp(ln).reshape(t.shape)


def _wsat(t, p):
    ps = _psat_pa(t)
    return np.maximum(_EPS * ps / (p - ps), _MIN_W)


def _w_from_wetbulb(tdb, twb, p):
    ws = _wsat(twb, p)
    liquid = ((2501.0 - 2.326 * twb) * ws - 1.006 * (tdb - twb)) / (2501.0 + 1.86 * tdb - 4.186 * twb)
    ice = ((2830.0 - 0.24 * twb) * ws - 1.006 * (tdb - twb)) / (2830.0 + 1.86 * tdb - 2.1 * twb)
    return np.maximum(np.where(twb >= 0.0, liquid, ice), _MIN_W)


def _enthalpy(t, w):
    return (1.006 * t + np.maximum(w, _MIN_W) * (2501.0 + 1.86 * t)) * 1000.0


def _check_pressure(p) -> None:
    _check_range("pressure_pa", p, 0.0, None, lo_open=True, why="an air pressure in Pa must be positive")


def saturation_pressure_pa(t_c):
    r"""Saturation vapour pressure over liquid water (above 0.01 °C) or ice.

    Parameters
    ----------
    t_c : float, ndarray or DataArray
        Temperature [°C].

    Returns
    -------
    float, ndarray or DataArray
        Saturation pressure [Pa].

    Notes
    -----
    Hyland and Wexler's formulation, ASHRAE 2017 Fundamentals ch. 1 eqs. 5
    (ice) and 6 (water), switched at the triple point as PsychroLib does.
    Check values: 2339 Pa at 20 °C, 4247 Pa at 30 °C, 611.2 Pa at 0 °C.
    """
    (t,), template = _as_arrays(t_c)
    return _restore(_psat_pa(t), template)


def saturated_humidity_ratio(t_c, pressure_pa=STANDARD_PRESSURE_PA):
    r"""Humidity ratio of saturated air [kg water / kg dry air].

    Parameters
    ----------
    t_c : float, ndarray or DataArray
        Temperature [°C].
    pressure_pa : float, ndarray or DataArray, default 101325
        Air pressure [Pa].

    Notes
    -----
    :math:`W_s = 0.621945\,p_{ws} / (p - p_{ws})` (ASHRAE 2017 ch. 1 eq. 23).
    """
    _check_pressure(pressure_pa)
    (t, p), template = _as_arrays(t_c, pressure_pa)
    return _restore(_wsat(t, p), template)


def humidity_ratio_from_rh(t_drybulb_c, rh_frac, pressure_pa=STANDARD_PRESSURE_PA):
    r"""Humidity ratio from dry-bulb temperature and relative humidity.

    Parameters
    ----------
    t_drybulb_c : float, ndarray or DataArray
        Dry-bulb temperature [°C].
    rh_frac : float, ndarray or DataArray
        Relative humidity [fraction, 0-1].
    pressure_pa : float, ndarray or DataArray, default 101325
        Air pressure [Pa].

    Returns
    -------
    float, ndarray or DataArray
        Humidity ratio [kg/kg dry air].

    Notes
    -----
    :math:`p_w = rh\,p_{ws}(T)`, :math:`W = 0.621945\,p_w/(p - p_w)`
    (ASHRAE 2017 ch. 1 eqs. 20 and 22; PsychroLib ``GetHumRatioFromRelHum``).
    """
    _check_pressure(pressure_pa)
    (t, rh, p), template = _as_arrays(t_drybulb_c, rh_frac, pressure_pa)
    _check_rh(rh)
    pw = rh * _psat_pa(t)
    return _restore(np.maximum(_EPS * pw / (p - pw), _MIN_W), template)


def humidity_ratio_from_dewpoint(t_dewpoint_c, pressure_pa=STANDARD_PRESSURE_PA):
    r"""Humidity ratio from the dew-point temperature.

    Parameters
    ----------
    t_dewpoint_c : float, ndarray or DataArray
        Dew-point temperature [°C].
    pressure_pa : float, ndarray or DataArray, default 101325
        Air pressure [Pa].

    Notes
    -----
    The vapour pressure is the saturation pressure at the dew point
    (PsychroLib ``GetHumRatioFromTDewPoint``): the saturation humidity ratio at the dew point.
    """
    return saturated_humidity_ratio(t_dewpoint_c, pressure_pa)


def humidity_ratio_from_wetbulb(t_drybulb_c, t_wetbulb_c, pressure_pa=STANDARD_PRESSURE_PA):
    r"""Humidity ratio from dry-bulb and (thermodynamic) wet-bulb temperatures.

    Parameters
    ----------
    t_drybulb_c, t_wetbulb_c : float, ndarray or DataArray
        Dry-bulb and wet-bulb temperatures [°C].
    pressure_pa : float, ndarray or DataArray, default 101325
        Air pressure [Pa].

    Returns
    -------
    float, ndarray or DataArray
        Humidity ratio [kg/kg dry air].

    Notes
    -----
    Over water (:math:`T_w \ge 0` °C), ASHRAE 2017 ch. 1 eq. 33:

    .. math::

        W = \frac{(2501 - 2.326\,T_w) W_s(T_w) - 1.006\,(T - T_w)}{2501 + 1.86\,T - 4.186\,T_w}

    and eq. 35 over ice (PsychroLib ``GetHumRatioFromTWetBulb``).
    """
    _check_pressure(pressure_pa)
    (t, tw, p), template = _as_arrays(t_drybulb_c, t_wetbulb_c, pressure_pa)
    return _restore(_w_from_wetbulb(t, tw, p), template)


def moist_air_enthalpy_j_per_kg(t_drybulb_c, humidity_ratio):
    r"""Specific enthalpy of moist air per kg of dry air.

    Parameters
    ----------
    t_drybulb_c : float, ndarray or DataArray
        Dry-bulb temperature [°C].
    humidity_ratio : float, ndarray or DataArray
        Humidity ratio [kg/kg dry air].

    Returns
    -------
    float, ndarray or DataArray
        Enthalpy [J/kg dry air], zero for dry air at 0 °C.

    Notes
    -----
    :math:`h = 1006\,T + W\,(2\,501\,000 + 1860\,T)` (ASHRAE 2017 ch. 1 eq. 32).
    """
    (t, w), template = _as_arrays(t_drybulb_c, humidity_ratio)
    return _restore(_enthalpy(t, w), template)


def _dlnpsat(t):
    tk = t + 273.15
    d_ice = (5.6745359e03 / tk**2 - 9.677843e-03 + 2 * 6.2215701e-07 * tk + 3 * 2.0747825e-09 * tk**2
             - 4 * 9.484024e-13 * tk**3 + 4.1635019 / tk)
    d_liq = (5.8002206e03 / tk**2 - 4.8640239e-02 + 2 * 4.1764768e-05 * tk - 3 * 1.4452093e-08 * tk**2
             + 6.5459673 / tk)
    return np.where(t <= _TRIPLE_C, d_ice, d_liq)


def _dewpoint_from_pw(t, pw):
    """Newton on ln p_ws(T) from the dry-bulb, as PsychroLib ``GetTDewPointFromVapPres`` (vectorised)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ln_pw = np.log(pw)
        td = np.asarray(t, dtype=float) + 0.0 * ln_pw
        for _ in range(8):
            td = np.clip(td - (np.log(_psat_pa(td)) - ln_pw) / _dlnpsat(td), -100.0, 200.0)
    return np.minimum(td, t)


def _wetbulb_from_w(t, w, p):
    """Bisection on ASHRAE eq. 33/35 between the dew point and the dry-bulb, as PsychroLib (vectorised)."""
    w = np.maximum(w, _MIN_W)
    t, w, p = np.broadcast_arrays(np.asarray(t, dtype=float), w, p)
    pw = p * w / (_EPS + w)
    lo = _dewpoint_from_pw(t, pw)
    hi = t.astype(float)
    for _ in range(_BISECT_ITER):
        mid = 0.5 * (lo + hi)
        above = _w_from_wetbulb(t, mid, p) > w
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return 0.5 * (lo + hi)


def wetbulb_from_humidity_ratio_c(t_drybulb_c, humidity_ratio, pressure_pa=STANDARD_PRESSURE_PA):
    r"""Thermodynamic wet-bulb temperature from dry-bulb and humidity ratio.

    Parameters
    ----------
    t_drybulb_c : float, ndarray or DataArray
        Dry-bulb temperature [°C].
    humidity_ratio : float, ndarray or DataArray
        Humidity ratio [kg/kg dry air].
    pressure_pa : float, ndarray or DataArray, default 101325
        Air pressure [Pa].

    Returns
    -------
    float, ndarray or DataArray
        Wet-bulb temperature [°C].

    Notes
    -----
    Solves ASHRAE 2017 ch. 1 eq. 33 (eq. 35 below 0 °C) for :math:`T_w` by
    bisection between the dew point and the dry-bulb, as PsychroLib
    ``GetTWetBulbFromHumRatio`` does, but on whole arrays at once (24
    halvings: finer than PsychroLib's 0.001 K tolerance). ASHRAE's eqs. 33
    and 35 do not meet at 0 °C; starting from the same bracket as PsychroLib
    keeps the answer on the same side of that step. Supersaturated
    input gives the dry-bulb.
    """
    _check_pressure(pressure_pa)
    (t, w, p), template = _as_arrays(t_drybulb_c, humidity_ratio, pressure_pa)
    _check_range("humidity_ratio", w, 0.0, None, why="a humidity ratio cannot be negative")
    return _restore(_wetbulb_from_w(t, w, p), template)


def wetbulb_c(t_drybulb_c, rh_frac, pressure_pa=STANDARD_PRESSURE_PA):
    r"""Thermodynamic wet-bulb temperature from dry-bulb and relative humidity.

    Parameters
    ----------
    t_drybulb_c : float, ndarray or DataArray
        Dry-bulb temperature [°C].
    rh_frac : float, ndarray or DataArray
        Relative humidity [fraction, 0-1].
    pressure_pa : float, ndarray or DataArray, default 101325
        Air pressure [Pa]; see :func:`pressure_from_elevation_pa`.

    Returns
    -------
    float, ndarray or DataArray
        Wet-bulb temperature [°C].

    Raises
    ------
    ValueError
        If a finite ``rh_frac`` lies outside [0, 1] or the pressure is not
        positive.

    Notes
    -----
    :func:`humidity_ratio_from_rh` then :func:`wetbulb_from_humidity_ratio_c`
    (PsychroLib ``GetTWetBulbFromRelHum``). Check value: 20 °C, 50 % RH at
    101.325 kPa -> 13.7 °C; at 1000 m (89.9 kPa) the same air has a
    wet-bulb about 0.4 K lower.
    """
    _check_pressure(pressure_pa)
    (t, rh, p), template = _as_arrays(t_drybulb_c, rh_frac, pressure_pa)
    _check_rh(rh)
    pw = rh * _psat_pa(t)
    w = np.maximum(_EPS * pw / (p - pw), _MIN_W)
    return _restore(_wetbulb_from_w(t, w, p), template)


def wetbulb_from_dewpoint_c(t_drybulb_c, t_dewpoint_c, pressure_pa=STANDARD_PRESSURE_PA):
    r"""Thermodynamic wet-bulb temperature from dry-bulb and dew-point temperatures.

    Parameters
    ----------
    t_drybulb_c, t_dewpoint_c : float, ndarray or DataArray
        Dry-bulb and dew-point temperatures [°C]; a dew point above the
        dry-bulb is taken at the dry-bulb (saturated air).
    pressure_pa : float, ndarray or DataArray, default 101325
        Air pressure [Pa].

    Returns
    -------
    float, ndarray or DataArray
        Wet-bulb temperature [°C].

    Notes
    -----
    PsychroLib ``GetTWetBulbFromTDewPoint``: humidity ratio from the dew
    point, then the bisection of :func:`wetbulb_from_humidity_ratio_c`. Used
    for EPW files, whose dew-point field is measured rather than derived.
    """
    _check_pressure(pressure_pa)
    (t, td, p), template = _as_arrays(t_drybulb_c, t_dewpoint_c, pressure_pa)
    w = _wsat(np.minimum(td, t), p)
    return _restore(_wetbulb_from_w(t, w, p), template)


def saturation_temperature_from_enthalpy_c(enthalpy_j_per_kg, pressure_pa=STANDARD_PRESSURE_PA):
    r"""Temperature of saturated air that has a given enthalpy.

    Parameters
    ----------
    enthalpy_j_per_kg : float, ndarray or DataArray
        Moist-air enthalpy [J/kg dry air].
    pressure_pa : float, ndarray or DataArray, default 101325
        Air pressure [Pa].

    Returns
    -------
    float, ndarray or DataArray
        Saturation temperature [°C], searched in -60...90 °C.

    Notes
    -----
    Solves :math:`h(T, W_s(T)) = h` by bisection (the inverse EnergyPlus
    calls ``PsyTsatFnHPb``); :math:`h(T, W_s(T))` rises monotonically.
    """
    _check_pressure(pressure_pa)
    (h, p), template = _as_arrays(enthalpy_j_per_kg, pressure_pa)
    h, p = np.broadcast_arrays(h, p)
    lo = np.full(h.shape, -60.0)
    hi = np.full(h.shape, 90.0)
    for _ in range(28):
        mid = 0.5 * (lo + hi)
        above = _enthalpy(mid, _wsat(mid, p)) > h
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    out = 0.5 * (lo + hi)
    return _restore(np.where(np.isnan(h) | np.isnan(p), np.nan, out), template)
