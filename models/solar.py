"""Photovoltaic AC output from global horizontal irradiance (pvlib)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models import _as_arrays, _check_choice, _check_range, _restore

__all__ = ["pv_ac_mw", "solar_position_deg"]

_TRANSPOSITIONS = ("isotropic", "haydavies")
#: SAPM cell-temperature coefficients (a, b, deltaT) for open-rack
#: glass/polymer modules (King et al. 2004, as in pvlib).
_SAPM_OPEN_RACK_GLASS_POLYMER = (-3.56, -0.075, 3.0)


def _utc_index(times, n: int) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(times)
    if len(idx) != n:
        raise ValueError(f"times has {len(idx)} entries but ghi_w_m2 has {n}: they must match")
    if idx.tz is None:
        return idx.tz_localize("UTC")
    return idx.tz_convert("UTC")


def solar_position_deg(times, latitude, longitude, *, method="analytical"):
    r"""Solar zenith and azimuth angles.

    Parameters
    ----------
    times : pandas.DatetimeIndex
        Instants, tz-aware or naive UTC.
    latitude, longitude : float
        Site latitude and longitude [degrees, north and east positive].
    method : str, default "analytical"
        ``"analytical"``: Spencer (1971) declination and equation of time with
        the analytical zenith/azimuth formulas of pvlib (fast: about 0.1 s
        for a year at one-minute steps; geometric zenith within about 1° of
        SPA, no refraction). Any other value is passed to
        :func:`pvlib.solarposition.get_solarposition` as its ``method``
        (e.g. ``"nrel_numpy"``, accurate but about 2 s for the same year;
        ``"ephemeris"``, about 0.4 s), and the apparent zenith is used.

    Returns
    -------
    tuple of ndarray
        Zenith and azimuth [degrees]; azimuth clockwise from north.

    References
    ----------
    .. [1] Spencer, J. W. (1971). Fourier series representation of the
       position of the sun. Search, 2(5), 172.
    .. [2] Holmgren, W. F., Hansen, C. W., Mikofski, M. A. (2018). pvlib
       python: a python package for modeling solar energy systems. Journal of
       Open Source Software, 3(29), 884.
    """
    import pvlib

    idx = pd.DatetimeIndex(times)
    utc = idx.tz_localize("UTC") if idx.tz is None else idx.tz_convert("UTC")
    if method == "analytical":
        # per-day quantities on the ~365 distinct days only, then spread
        days, inverse = np.unique(utc.day_of_year.to_numpy(), return_inverse=True)
        dec = pvlib.solarposition.declination_spencer71(days.astype(float))[inverse]
        eot_min = pvlib.solarposition.equation_of_time_spencer71(days.astype(float))[inverse]
        ns = utc.tz_localize(None).to_numpy().astype("datetime64[ns]").view("int64")
        hours = (ns % 86_400_000_000_000) / 3.6e12
        ha_rad = np.radians(15.0 * (hours - 12.0) + float(longitude) + eot_min / 4.0)
        lat_rad = np.radians(float(latitude))
        zen = pvlib.solarposition.solar_zenith_analytical(lat_rad, ha_rad, dec)
        az = pvlib.solarposition.solar_azimuth_analytical(lat_rad, ha_rad, dec, zen)
        return np.degrees(zen), np.degrees(az) % 360.0
    sp = pvlib.solarposition.get_solarposition(utc, float(latitude), float(longitude), method=method)
    return sp["apparent_zenith"].to_numpy(), sp["azimuth"].to_numpy()


def pv_ac_mw(
    times,
    ghi_w_m2,
    t_drybulb_c,
    *,
    latitude,
    longitude,
    capacity_mwp,
    tilt_deg=None,
    azimuth_deg=180.0,
    dc_ac_ratio=1.2,
    gamma_pdc_per_k=-0.0037,
    system_losses_frac=0.14,
    wind_m_s=1.0,
    albedo=0.2,
    eta_inv_nom=0.96,
    transposition="haydavies",
    solar_position="analytical",
):
    r"""AC output of a fixed-tilt PV plant.

    Parameters
    ----------
    times : pandas.DatetimeIndex
        Instants of the irradiance values (tz-aware, or naive UTC); the
        irradiance is taken as representative of that instant.
    ghi_w_m2 : ndarray, Series or DataArray, shape (n,)
        Global horizontal irradiance [W/m²]; negative values are set to 0.
    t_drybulb_c : float, ndarray, Series or DataArray
        Air temperature [°C].
    latitude, longitude : float
        Site coordinates [degrees].
    capacity_mwp : float
        DC (module) capacity at STC [MWp].
    tilt_deg : float, optional
        Module tilt [degrees]; default ``|latitude|`` (an engineering rule
        of thumb for annual yield).
    azimuth_deg : float, default 180.0
        Module azimuth, clockwise from north [degrees] (180 = facing south;
        use 0 in the southern hemisphere).
    dc_ac_ratio : float, default 1.2
        DC/AC ratio [-]; 1.2 from the DEA Viet Nam catalogue [1]_. The
        inverter clips at ``capacity_mwp / dc_ac_ratio``.
    gamma_pdc_per_k : float, default -0.0037
        Power temperature coefficient [1/K] (PVWatts standard module [2]_).
    system_losses_frac : float, default 0.14
        DC system losses (soiling, shading, mismatch, wiring, availability)
        [fraction]; 14 % is the PVWatts default [2]_.
    wind_m_s : float or array, default 1.0
        Wind speed [m/s] for the cell temperature.
    albedo : float, default 0.2
        Ground reflectance [-].
    eta_inv_nom : float, default 0.96
        Nominal inverter efficiency [fraction] (PVWatts [2]_).
    transposition : {"haydavies", "isotropic"}, default "haydavies"
        Sky-diffuse transposition model.
    solar_position : str, default "analytical"
        See :func:`solar_position_deg`.

    Returns
    -------
    ndarray, Series or DataArray
        AC power [MW], >= 0 and <= ``capacity_mwp / dc_ac_ratio``; shaped and
        labelled like ``ghi_w_m2``.

    Raises
    ------
    ValueError
        If ``times`` and ``ghi_w_m2`` differ in length, or a coordinate or
        coefficient is out of range.

    Notes
    -----
    The chain, all with pvlib [3]_:

    1. solar position (:func:`solar_position_deg`);
    2. Erbs et al. (1982) decomposition of GHI into DNI and DHI [4]_;
    3. plane-of-array irradiance by the Hay-Davies (1980) or isotropic sky
       model, with ground reflection;
    4. SAPM cell temperature, open-rack glass/polymer coefficients [5]_;
    5. PVWatts DC: :math:`P_{dc} = P_{dc0}\,\frac{G_{poa}}{1000}\,
       [1 + \gamma (T_{cell} - 25)]\,(1 - L)`;
    6. PVWatts inverter with clipping at the AC rating [2]_.

    The default options are chosen for speed: a year at one-minute steps
    takes a fraction of a second, dominated by the transposition. The
    performance ratio this gives (about 0.77 for a clear, hot tropical year)
    is below the DEA catalogue's 0.84 for Viet Nam utility PV [1]_, because
    the PVWatts 14 % losses and the inverter are conservative; lower
    ``system_losses_frac`` to match.

    References
    ----------
    .. [1] Danish Energy Agency and EREA, Viet Nam Technology Catalogue,
       utility-scale PV (via PyPSA/technology-data): PR 0.84, DC/AC 1.2.
    .. [2] Dobos, A. P. (2014). PVWatts Version 5 Manual. NREL/TP-6A20-62641.
    .. [3] Holmgren, W. F., Hansen, C. W., Mikofski, M. A. (2018). pvlib
       python. Journal of Open Source Software, 3(29), 884.
    .. [4] Erbs, D. G., Klein, S. A., Duffie, J. A. (1982). Estimation of the
       diffuse radiation fraction for hourly, daily and monthly-average
       global radiation. Solar Energy, 28(4), 293-302.
    .. [5] King, D. L., Boyson, W. E., Kratochvil, J. A. (2004). Photovoltaic
       Array Performance Model. SAND2004-3535, Sandia National Laboratories.
    """
    import pvlib

    _check_range("latitude", latitude, -90.0, 90.0, why="latitude is in degrees north")
    _check_range("longitude", longitude, -180.0, 360.0, why="longitude is in degrees east")
    _check_range("capacity_mwp", capacity_mwp, 0.0, None, lo_open=True, why="PV capacity must be positive")
    _check_range("dc_ac_ratio", dc_ac_ratio, 0.0, None, lo_open=True, why="must be positive")
    _check_range("system_losses_frac", system_losses_frac, 0.0, 1.0, hi_open=True, why="must be a fraction")
    _check_range("eta_inv_nom", eta_inv_nom, 0.0, 1.0, lo_open=True, why="an efficiency is in (0, 1]")
    _check_range("albedo", albedo, 0.0, 1.0, why="must be a fraction")
    _check_choice("transposition", transposition, _TRANSPOSITIONS)
    tilt = abs(float(latitude)) if tilt_deg is None else float(tilt_deg)
    _check_range("tilt_deg", tilt, 0.0, 90.0, why="tilt is between horizontal and vertical")

    (ghi, tair, wind), template = _as_arrays(ghi_w_m2, t_drybulb_c, wind_m_s)
    if ghi.ndim != 1:
        raise ValueError(f"ghi_w_m2 has shape {ghi.shape}: it must be one-dimensional (time)")
    n = ghi.shape[0]
    utc = _utc_index(times, n)
    ghi = np.where(ghi < 0.0, 0.0, ghi)
    tair = np.broadcast_to(tair, (n,))
    wind = np.broadcast_to(wind, (n,))

    zen, az = solar_position_deg(utc, latitude, longitude, method=solar_position)
    doy = utc.day_of_year.to_numpy()
    erbs = pvlib.irradiance.erbs(ghi, zen, doy)
    days, inverse = np.unique(doy, return_inverse=True)
    dni_extra = np.asarray(pvlib.irradiance.get_extra_radiation(days.astype(float)))[inverse]
    poa = pvlib.irradiance.get_total_irradiance(
        tilt, float(azimuth_deg), zen, az, erbs["dni"], ghi, erbs["dhi"],
        dni_extra=dni_extra, albedo=float(albedo), model=transposition,
    )["poa_global"]
    poa = np.asarray(poa, dtype=float)
    poa = np.where(np.isnan(poa) & ~np.isnan(ghi) & (ghi == 0.0), 0.0, poa)
    a, b, dtc = _SAPM_OPEN_RACK_GLASS_POLYMER
    t_cell = pvlib.temperature.sapm_cell(poa, tair, wind, a, b, dtc)
    p_dc = pvlib.pvsystem.pvwatts_dc(poa, t_cell, float(capacity_mwp), float(gamma_pdc_per_k))
    p_dc = np.asarray(p_dc, dtype=float) * (1.0 - float(system_losses_frac))
    p_ac_max = float(capacity_mwp) / float(dc_ac_ratio)
    p_ac = pvlib.inverter.pvwatts(p_dc, p_ac_max / float(eta_inv_nom), eta_inv_nom=float(eta_inv_nom))
    p_ac = np.clip(np.asarray(p_ac, dtype=float), 0.0, p_ac_max)
    return _restore(p_ac, template)
