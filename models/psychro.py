"""Psychrometrics: wet-bulb and dew-point temperature from dry-bulb and RH."""

from __future__ import annotations

import numpy as np

from models import _as_arrays, _check_range, _restore

__all__ = ["wetbulb_stull_c", "dewpoint_magnus_c", "saturation_vapour_pressure_kpa"]

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
