"""Gas-fired generation on LNG: capability, part-load fuel, emissions, tank."""

from __future__ import annotations

import numpy as np

from models import _as_arrays, _check_choice, _check_range, _restore, _restore_dict

__all__ = [
    "KINDS",
    "LNG_LHV_MJ_PER_KG",
    "CO2_T_PER_GJ",
    "GJ_PER_MMBTU",
    "available_mw",
    "heat_rate_ambient_factor",
    "part_load_efficiency_ratio",
    "fuel_gj",
    "fuel_rate_curve_gj_per_h",
    "lng_t_from_fuel_gj",
    "co2_t_from_fuel_gj",
    "mmbtu_from_gj",
    "lng_tank_level_t",
]

#: Kinds of gas units with a part-load curve.
KINDS = ("ccgt", "gt", "engine")

_LOAD_POINTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
#: Efficiency relative to full load versus load fraction. ccgt and gt: Buttler
#: et al. (2015) as tabulated in TransiEnt (CCGTButtler.mo,
#: GasTurbineButtler.mo). engine: engineering assumption (see
#: part_load_efficiency_ratio).
_PART_LOAD_RATIO = {
    "ccgt": (0.581, 0.658, 0.727, 0.788, 0.842, 0.888, 0.926, 0.956, 0.978, 0.993, 1.0),
    "gt": (0.260, 0.388, 0.504, 0.608, 0.700, 0.780, 0.848, 0.904, 0.948, 0.980, 1.0),
    "engine": (0.600, 0.700, 0.780, 0.840, 0.885, 0.920, 0.950, 0.970, 0.985, 0.995, 1.0),
}
# Ambient sensitivities per kind: (output derate per K, heat-rate rise per K).
_AMBIENT = {
    "ccgt": (0.0068, 0.0033),
    "gt": (0.0068, 0.0033),
    "engine": (0.0020, 0.0010),
}

#: LNG lower heating value [MJ/kg] (= GJ/t): UK DESNZ (2025) conversion
#: factors, LNG net calorific value.
LNG_LHV_MJ_PER_KG = 45.74
#: Natural-gas combustion CO2 [t/GJ, LHV]: 0.198 tCO2/MWh_th
#: (PyPSA/technology-data) / 3.6 GJ/MWh.
CO2_T_PER_GJ = 0.0550
#: 1 MMBtu in GJ (international table Btu, NIST SP 811).
GJ_PER_MMBTU = 1.055056
_GJ_PER_MMBTU = GJ_PER_MMBTU


def available_mw(t_amb_c, rated_mw, *, derate_frac_per_k=0.0068, t_iso_c=15.0, max_frac=1.1):
    r"""Power a gas unit can deliver at an ambient (compressor-inlet) temperature.

    Parameters
    ----------
    t_amb_c : float, ndarray or DataArray
        Ambient (compressor-inlet) temperature [°C].
    rated_mw : float or array
        ISO rating [MW].
    derate_frac_per_k : float, default 0.0068
        Output lost per K above ISO (gained per K below) [1/K]. 0.0068
        follows from the generic gas-turbine correction of [1]_: 1.00 at
        15 °C and 0.83 at 40 °C, i.e. 0.17/25 K. Reciprocating engines
        derate less; pass a smaller value (``fuel_gj`` uses 0.002 for
        ``kind="engine"``, an engineering assumption).
    t_iso_c : float, default 15.0
        ISO reference temperature [°C] ([1]_: 15 °C, 101.325 kPa, 60 % RH).
    max_frac : float, default 1.1
        Cap on the correction factor in cold weather (generator or
        firing-temperature limit) [-]. Engineering assumption; [1]_ shows
        1.25 at -19 °C for the bare gas turbine.

    Returns
    -------
    float, ndarray or DataArray
        Available power [MW], monotone non-increasing in temperature.

    Raises
    ------
    ValueError
        If ``rated_mw`` is negative or a coefficient is out of range.

    Notes
    -----
    .. math:: P_{avail} = P_{ISO}\,\mathrm{clip}(1 - d\,(T - T_{ISO}),\ 0,\ f_{max})

    Humidity, altitude and inlet/outlet pressure losses are ignored (at
    1,000 m altitude the factor would be 0.89 [1]_).

    References
    ----------
    .. [1] Rotating Machinery (2021). "Gas Turbine: ISO Rating and Site
       Rating" (rotating-machinery.com): power correction factor versus
       compressor-inlet temperature.
    .. [2] De Sa, A., Al Zubaidy, S. (2011). Gas turbine performance at
       varying ambient temperature. Applied Thermal Engineering, 31,
       2735-2739 (about -0.9 %/K for a 160 MW class unit).
    """
    _check_range("derate_frac_per_k", derate_frac_per_k, 0.0, None, why="a derating slope cannot be negative")
    _check_range("max_frac", max_frac, 0.0, None, lo_open=True, why="must be positive")
    (t, pr), template = _as_arrays(t_amb_c, rated_mw)
    _check_range("rated_mw", pr, 0.0, None, why="a rating cannot be negative")
    factor = np.clip(1.0 - float(derate_frac_per_k) * (t - float(t_iso_c)), 0.0, float(max_frac))
    return _restore(pr * factor, template)


def heat_rate_ambient_factor(t_amb_c, *, frac_per_k=0.0033, t_iso_c=15.0):
    r"""Heat-rate multiplier versus ambient temperature (1.0 at ISO).

    Parameters
    ----------
    t_amb_c : float, ndarray or DataArray
        Ambient temperature [°C].
    frac_per_k : float, default 0.0033
        Heat-rate rise per K above ISO [1/K]: 1.10 at 45 °C in [1]_ gives
        0.10/30 K. The same slope is applied below ISO (it gives 0.855 at
        -29 °C where [1]_ shows 0.92, so cold-weather fuel is slightly
        understated).
    t_iso_c : float, default 15.0
        ISO reference temperature [°C].

    Returns
    -------
    float, ndarray or DataArray
        Heat-rate factor [-].

    Notes
    -----
    .. math:: f_{HR} = 1 + k\,(T - T_{ISO})

    References
    ----------
    .. [1] Rotating Machinery (2021). "Gas Turbine: ISO Rating and Site
       Rating": heat-rate correction 0.92 at -29 °C to 1.10 at 45 °C.
    """
    (t,), template = _as_arrays(t_amb_c)
    return _restore(1.0 + float(frac_per_k) * (t - float(t_iso_c)), template)


def part_load_efficiency_ratio(load_frac, kind):
    r"""Efficiency at part load relative to full-load efficiency.

    Parameters
    ----------
    load_frac : float, ndarray or DataArray
        Output over available capacity [fraction]. Values above 1 are
        evaluated at 1.
    kind : {"ccgt", "gt", "engine"}
        Unit type.

    Returns
    -------
    float, ndarray or DataArray
        :math:`\eta(x)/\eta_{full}` [-], linear interpolation in the table.

    Raises
    ------
    ValueError
        If ``kind`` is unknown (the message lists the valid kinds) or a finite
        ``load_frac`` is negative.

    Notes
    -----
    ===== ===== ===== ======
    x     ccgt  gt    engine
    ===== ===== ===== ======
    0.0   0.581 0.260 0.600
    0.1   0.658 0.388 0.700
    0.2   0.727 0.504 0.780
    0.3   0.788 0.608 0.840
    0.4   0.842 0.700 0.885
    0.5   0.888 0.780 0.920
    0.6   0.926 0.848 0.950
    0.7   0.956 0.904 0.970
    0.8   0.978 0.948 0.985
    0.9   0.993 0.980 0.995
    1.0   1.000 1.000 1.000
    ===== ===== ===== ======

    ``ccgt`` and ``gt`` are the Buttler et al. (2015) tables [1]_ as
    tabulated in TransiEnt [2]_. The ``engine`` curve is an engineering
    assumption: gas engines keep their efficiency well at part load [3]_,
    and the DEA catalogue gives a multi-unit gas-engine plant 48 % at
    nameplate versus 46 % as an annual average [4]_ (ratio 0.96, which this
    curve reaches near 65 % load). For a multi-unit engine plant, apply it
    per unit.

    References
    ----------
    .. [1] Buttler, A., Hentschel, J., Kahlert, S., Angerer, M. (2015).
       Statusbericht Flexibilitätsbedarf im Stromsektor. Technische
       Universität München.
    .. [2] TransiEnt library (ClaRaLibrary/TransiEnt),
       TransiEnt/Producer/Electrical/Base/PartloadEfficiency/CCGTButtler.mo
       and GasTurbineButtler.mo.
    .. [3] Wärtsilä, "Combustion engine vs aeroderivative: six elements of
       dispatching" (vendor source).
    .. [4] Danish Energy Agency, Technology Data for Generation of
       Electricity and District Heating, gas engine plant (via
       PyPSA/technology-data).
    """
    _check_choice("kind", kind, KINDS)
    (x,), template = _as_arrays(load_frac)
    _check_range("load_frac", x, 0.0, None, why="a load fraction cannot be negative")
    return _restore(np.interp(x, _LOAD_POINTS, _PART_LOAD_RATIO[kind]), template)


def _ambient_defaults(kind, derate_frac_per_k, heat_rate_frac_per_k):
    d, h = _AMBIENT[kind]
    return (d if derate_frac_per_k is None else float(derate_frac_per_k),
            h if heat_rate_frac_per_k is None else float(heat_rate_frac_per_k))


def fuel_gj(
    gen_mw,
    rated_mw,
    eff_full_lhv,
    t_amb_c,
    kind,
    step_h,
    *,
    available_mw=None,
    derate_frac_per_k=None,
    heat_rate_frac_per_k=None,
    t_iso_c=15.0,
):
    r"""Fuel energy (LHV) burnt by a gas unit during one step.

    Parameters
    ----------
    gen_mw : float, ndarray or DataArray
        Net electric output, mean over the step [MW].
    rated_mw : float
        ISO rating [MW].
    eff_full_lhv : float
        Net electric efficiency at full load, ISO, LHV basis [fraction]
        (e.g. DEA Viet Nam catalogue: CCGT 0.56, SCGT 0.335, engine 0.47
        for 2020).
    t_amb_c : float, ndarray or DataArray
        Ambient temperature [°C].
    kind : {"ccgt", "gt", "engine"}
        Unit type (part-load curve and default ambient slopes).
    step_h : float
        Step length [h].
    available_mw : float, ndarray or DataArray, optional
        Capacity at ambient [MW]; computed with :func:`available_mw` when
        None.
    derate_frac_per_k, heat_rate_frac_per_k : float, optional
        Ambient slopes; None means 0.0068 and 0.0033 for ``ccgt``/``gt``
        [1]_ and 0.002 and 0.001 for ``engine`` (engineering assumption:
        engines are much less sensitive to inlet temperature).
    t_iso_c : float, default 15.0
        ISO temperature [°C].

    Returns
    -------
    float, ndarray or DataArray
        Fuel [GJ, LHV] for the step; 0 where ``gen_mw`` is 0.

    Raises
    ------
    ValueError
        For a non-positive rating, efficiency or step, an unknown kind, or a
        negative output.

    Notes
    -----
    .. math::

        x = P / P_{avail}(T), \qquad
        F = \frac{3.6\,P\,\Delta t}{\eta_{full}\,r(x)}\,f_{HR}(T)

    with :math:`r` from :func:`part_load_efficiency_ratio` and
    :math:`f_{HR}` from :func:`heat_rate_ambient_factor`
    (1 MWh = 3.6 GJ). Output above the available capacity is evaluated with
    :math:`r = 1` (the dispatch should not ask for it).

    References
    ----------
    .. [1] Rotating Machinery (2021). "Gas Turbine: ISO Rating and Site
       Rating".
    .. [2] Buttler et al. (2015), as tabulated in TransiEnt (see
       :func:`part_load_efficiency_ratio`).
    .. [3] Danish Energy Agency and EREA, Viet Nam Technology Catalogue
       (via PyPSA/technology-data).
    """
    _check_choice("kind", kind, KINDS)
    _check_range("rated_mw", rated_mw, 0.0, None, lo_open=True, why="a rating must be positive")
    _check_range("eff_full_lhv", eff_full_lhv, 0.0, 1.0, lo_open=True, why="an efficiency is in (0, 1]")
    _check_range("step_h", step_h, 0.0, None, lo_open=True, why="a step length must be positive")
    d, h = _ambient_defaults(kind, derate_frac_per_k, heat_rate_frac_per_k)
    if available_mw is None:
        (p, t), template = _as_arrays(gen_mw, t_amb_c)
        avail = float(rated_mw) * np.clip(1.0 - d * (t - float(t_iso_c)), 0.0, 1.1)
    else:
        (p, t, avail), template = _as_arrays(gen_mw, t_amb_c, available_mw)
        _check_range("available_mw", avail, 0.0, None, why="available capacity cannot be negative")
    _check_range("gen_mw", p, 0.0, None, why="generation cannot be negative")
    out = _fuel_rate_gj_per_h(p, avail, float(eff_full_lhv), t, kind, h, float(t_iso_c)) * float(step_h)
    return _restore(out, template)


def _fuel_rate_gj_per_h(p, avail, eff, t, kind, hr_slope, t_iso):
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(avail > 0.0, p / avail, np.where(p > 0.0, np.inf, 0.0))
    ratio = np.interp(x, _LOAD_POINTS, _PART_LOAD_RATIO[kind])
    ratio = np.where(np.isnan(x), np.nan, ratio)
    rate = 3.6 * p / (eff * ratio) * (1.0 + hr_slope * (t - t_iso))
    return np.where(p == 0.0, 0.0 * t, rate)


def fuel_rate_curve_gj_per_h(
    load_mw_points,
    available_mw,
    eff_full_lhv,
    t_amb_c,
    kind,
    *,
    heat_rate_frac_per_k=None,
    t_iso_c=15.0,
    convex=False,
):
    r"""Fuel rate at given output points, for piecewise-linear fuel curves.

    Parameters
    ----------
    load_mw_points : array_like
        Output points [MW]. One-dimensional, shape ``(n_points,)``: the same
        points at every time, and the result gets a trailing point axis.
        Two or more dimensions (e.g. ``(n_time, n_points)`` points that scale
        with the derated capacity): broadcast as is against
        ``available_mw`` and ``t_amb_c`` (pass those as ``(n_time, 1)``).
    available_mw : float, ndarray or DataArray
        Available capacity at ambient [MW] (:func:`available_mw`).
    eff_full_lhv : float
        Full-load ISO efficiency, LHV [fraction].
    t_amb_c : float, ndarray or DataArray
        Ambient temperature [°C].
    kind : {"ccgt", "gt", "engine"}
        Unit type.
    heat_rate_frac_per_k : float, optional
        Heat-rate slope; kind default as in :func:`fuel_gj`.
    t_iso_c : float, default 15.0
        ISO temperature [°C].
    convex : bool, default False
        Return the lower convex envelope of the points along the last
        (point) axis instead of the curve itself, for optimisers that need
        non-decreasing segment slopes (see Notes). Points must then be
        increasing along that axis.

    Returns
    -------
    ndarray or DataArray
        Fuel rate [GJ/h, LHV]; ``(n_time, n_points)`` for one-dimensional
        points and ``(n_time,)`` inputs. With one-dimensional points and a
        DataArray input the dims are ``(*available_mw.dims, "point")`` with
        the MW points as the ``point`` coordinate. Points above the available
        capacity are evaluated at full-load efficiency; the caller should
        drop them.

    Raises
    ------
    ValueError
        For an unknown kind, a negative point or an efficiency outside (0, 1].

    Notes
    -----
    Same physics as :func:`fuel_gj` with :math:`\Delta t = 1` h. Between
    points the fuel curve is then linear; the optimiser builds its segments
    from these values. Zero output gives zero fuel (no no-load fuel).

    The part-load tables make :math:`F(P) = 3.6 P / (\eta\, r(P/P_{avail}))`
    almost linear above minimum load but not convex: with linear
    interpolation in the table the slope falls within each table interval
    and rises at its ends. ``convex=True`` replaces each value by the
    greatest convex minorant at that point,
    :math:`\min_{j \le i \le k} [F_j + (F_k - F_j)(P_i - P_j)/(P_k - P_j)]`,
    which understates fuel a little (about 1.5 % at most for the CCGT table
    between 30 % and 100 % load); a settlement with :func:`fuel_gj` restores
    the exact figure.

    References
    ----------
    .. [1] Buttler et al. (2015), as tabulated in TransiEnt; Rotating
       Machinery (2021). See :func:`fuel_gj`.
    """
    _check_choice("kind", kind, KINDS)
    _check_range("eff_full_lhv", eff_full_lhv, 0.0, 1.0, lo_open=True, why="an efficiency is in (0, 1]")
    _, h = _ambient_defaults(kind, None, heat_rate_frac_per_k)
    outer = np.ndim(load_mw_points) <= 1 and not hasattr(load_mw_points, "dims")
    if outer:
        pts = np.atleast_1d(np.asarray(load_mw_points, dtype=float))
        _check_range("load_mw_points", pts, 0.0, None, why="output points cannot be negative")
        (avail, t), template = _as_arrays(available_mw, t_amb_c)
        avail_b, t_b = np.broadcast_arrays(avail, t)
        rate = _fuel_rate_gj_per_h(pts, avail_b[..., None], float(eff_full_lhv), t_b[..., None], kind, h,
                                   float(t_iso_c))
        if convex:
            rate = _lower_convex_envelope(np.broadcast_to(pts, rate.shape), rate)
        if template is not None and hasattr(template, "dims"):
            import xarray as xr

            coords = {k: v for k, v in template.coords.items()}
            coords["point"] = pts
            return xr.DataArray(rate, dims=(*template.dims, "point"), coords=coords)
        return rate
    (pts, avail, t), template = _as_arrays(load_mw_points, available_mw, t_amb_c)
    _check_range("load_mw_points", pts, 0.0, None, why="output points cannot be negative")
    rate = _fuel_rate_gj_per_h(pts, avail, float(eff_full_lhv), t, kind, h, float(t_iso_c))
    if convex:
        rate = _lower_convex_envelope(np.broadcast_to(pts, rate.shape), rate)
    return _restore(rate, template)


def _lower_convex_envelope(x, y):
    """Greatest convex minorant of y(x) at the points, along the last axis."""
    out = y.copy()
    npts = y.shape[-1]
    if np.any(np.diff(x, axis=-1) < 0):
        raise ValueError("load_mw_points must increase along the point axis when convex=True")
    for i in range(1, npts - 1):
        xi = x[..., i]
        for j in range(i):
            for k in range(i + 1, npts):
                dx = x[..., k] - x[..., j]
                with np.errstate(divide="ignore", invalid="ignore"):
                    chord = y[..., j] + (y[..., k] - y[..., j]) * np.where(dx > 0, (xi - x[..., j]) / dx, 0.0)
                out[..., i] = np.fmin(out[..., i], np.where(np.isnan(y[..., i]), np.nan, chord))
    return out


def lng_t_from_fuel_gj(fuel_gj, *, lhv_mj_per_kg=LNG_LHV_MJ_PER_KG):
    r"""LNG mass for a fuel energy.

    Parameters
    ----------
    fuel_gj : float, ndarray or DataArray
        Fuel energy, LHV [GJ].
    lhv_mj_per_kg : float, default 45.74
        LNG lower heating value [MJ/kg]: UK DESNZ (2025) conversion factors.
        Composition matters: pure methane is 50.0 MJ/kg, so the default errs
        towards more tonnes.

    Returns
    -------
    float, ndarray or DataArray
        LNG [t]. Regasification energy is not included.

    Notes
    -----
    :math:`m = E / LHV` (GJ / (MJ/kg) = t).

    References
    ----------
    .. [1] UK Department for Energy Security and Net Zero (2025). Greenhouse
       gas reporting: conversion factors 2025 (LNG, net calorific value).
    """
    _check_range("lhv_mj_per_kg", lhv_mj_per_kg, 0.0, None, lo_open=True, why="a heating value must be positive")
    (e,), template = _as_arrays(fuel_gj)
    return _restore(e / float(lhv_mj_per_kg), template)


def co2_t_from_fuel_gj(fuel_gj, *, ef_t_per_gj=CO2_T_PER_GJ):
    r"""Combustion CO2 of natural gas.

    Parameters
    ----------
    fuel_gj : float, ndarray or DataArray
        Fuel energy, LHV [GJ].
    ef_t_per_gj : float, default 0.0550
        Emission factor [tCO2/GJ]: 0.198 tCO2/MWh_th [1]_ / 3.6 GJ/MWh.

    Returns
    -------
    float, ndarray or DataArray
        CO2 [t]. Upstream (liquefaction, shipping) emissions are excluded.

    References
    ----------
    .. [1] PyPSA/technology-data, costs tables: gas CO2 intensity
       0.198 tCO2/MWh_th.
    """
    _check_range("ef_t_per_gj", ef_t_per_gj, 0.0, None, why="an emission factor cannot be negative")
    (e,), template = _as_arrays(fuel_gj)
    return _restore(e * float(ef_t_per_gj), template)


def mmbtu_from_gj(gj):
    r"""Convert GJ to MMBtu (1 MMBtu = 1.055056 GJ, international table Btu).

    Parameters
    ----------
    gj : float, ndarray or DataArray
        Energy [GJ].

    Returns
    -------
    float, ndarray or DataArray
        Energy [MMBtu].

    References
    ----------
    .. [1] NIST Special Publication 811, Guide for the Use of the SI
       (Btu_IT = 1055.056 J).
    """
    (e,), template = _as_arrays(gj)
    return _restore(e / _GJ_PER_MMBTU, template)


def lng_tank_level_t(
    lng_use_t,
    step_h,
    *,
    capacity_t,
    initial_t,
    boil_off_frac_per_day=0.0005,
    delivery_t,
    delivery_interval_h,
    first_delivery_h=None,
    min_level_t=0.0,
):
    r"""LNG tank level with periodic deliveries, boil-off and shortfalls.

    Parameters
    ----------
    lng_use_t : ndarray or DataArray, shape (n,)
        LNG drawn for fuel in each step [t].
    step_h : float
        Step length [h].
    capacity_t : float
        Usable tank capacity [t].
    initial_t : float
        Level at the start of the first step [t].
    boil_off_frac_per_day : float, default 0.0005
        Boil-off as a fraction of the contents per day [1/day]; 0.05-0.1
        %/day for a full-containment land tank [1]_ (0.05 % here).
    delivery_t : float
        Cargo of one delivery (ship or truck) [t].
    delivery_interval_h : float
        Time between deliveries [h].
    first_delivery_h : float, optional
        Time of the first delivery from the start [h]; default one interval.
    min_level_t : float, default 0.0
        Heel the plant may not draw below [t].

    Returns
    -------
    dict
        ``lng_tank_t`` (level at the end of each step), ``lng_delivered_t``,
        ``lng_boil_off_t``, ``lng_supplied_t`` (fuel actually drawn) and
        ``lng_shortfall_t`` (fuel the tank could not supply) per step [t].

    Raises
    ------
    ValueError
        For negative use, a non-positive step, capacity or interval, or an
        initial level outside [0, capacity].

    Notes
    -----
    Deliveries fall at :math:`t_k = t_0 + k\,\Delta t_{del}`; one lands in a
    step when :math:`t_k \in [t_i, t_i + \Delta t)`. In each step, in order:

    1. delivery, capped by the free space (a ship or truck cannot over-fill
       the tank; the rest is not unloaded);
    2. boil-off :math:`b\,L\,\Delta t / 24` on the level after delivery;
    3. draw :math:`\min(u, \max(L - m, 0))`; the rest is the shortfall.

    Mass balance: initial + delivered - supplied - boil-off = final, to
    floating-point precision.
    A NaN use is treated as no draw for the level and gives NaN in
    ``lng_supplied_t`` and ``lng_shortfall_t`` of that step only.

    Between deliveries, and until the heel is reached, the recursion
    :math:`L_i = (1 - b\Delta t/24) L_{i-1} - u_i` is linear and is evaluated
    with cumulative sums; only the steps from a shortfall to the next
    delivery run in a scalar loop.

    References
    ----------
    .. [1] Khan, M. S., et al. (2020). Energies, 13, 5578 (boil-off gas in
       full-containment LNG tanks).
    """
    _check_range("step_h", step_h, 0.0, None, lo_open=True, why="a step length must be positive")
    _check_range("capacity_t", capacity_t, 0.0, None, lo_open=True, why="a tank capacity must be positive")
    _check_range("initial_t", initial_t, 0.0, float(capacity_t), why="the initial level must fit in the tank")
    _check_range("boil_off_frac_per_day", boil_off_frac_per_day, 0.0, 1.0, why="must be a fraction per day")
    _check_range("delivery_t", delivery_t, 0.0, None, why="a delivery cannot be negative")
    _check_range("delivery_interval_h", delivery_interval_h, 0.0, None, lo_open=True,
                 why="deliveries need a positive interval")
    _check_range("min_level_t", min_level_t, 0.0, float(capacity_t), why="the heel must fit in the tank")
    (use,), template = _as_arrays(lng_use_t)
    if use.ndim != 1:
        raise ValueError(f"lng_use_t has shape {use.shape}: it must be one-dimensional (time)")
    _check_range("lng_use_t", use, 0.0, None, why="LNG use cannot be negative")
    n = use.shape[0]
    dt = float(step_h)
    interval = float(delivery_interval_h)
    t0 = interval if first_delivery_h is None else float(first_delivery_h)
    # Deliveries scheduled per step: count of t_k in [i*dt, (i+1)*dt).
    edges = np.arange(n + 1, dtype=float) * dt
    k_before = np.ceil((edges - t0) / interval - 1e-9)
    k_before = np.maximum(k_before, 0.0)
    sched = np.diff(k_before) * float(delivery_t)

    cap = float(capacity_t)
    heel = float(min_level_t)
    keep = 1.0 - float(boil_off_frac_per_day) * dt / 24.0
    u_all = np.where(np.isnan(use), 0.0, use)
    level_out = np.empty(n)
    deliv_out = np.zeros(n)
    boil_out = np.empty(n)
    sup_out = np.empty(n)
    # Between deliveries the level follows L_i = keep L_{i-1} - u_i until the
    # heel is reached: closed form by cumulative sums, in chunks short enough
    # that keep**-k stays well conditioned; from the first shortfall to the
    # next delivery, a scalar loop.
    chunk = n if keep >= 1.0 else max(1, int(20.0 / -np.log(keep))) if keep > 0.0 else 1
    tol = 1e-9 * max(cap, 1.0)
    deliveries = np.flatnonzero(sched > 0.0)
    level = float(initial_t)
    i = 0
    while i < n:
        nxt = np.searchsorted(deliveries, i, side="right")
        j = int(deliveries[nxt]) if nxt < len(deliveries) else n
        if sched[i] > 0.0:
            d = min(float(sched[i]), max(cap - level, 0.0))
            level += d
            deliv_out[i] = d
        k0 = i
        short_at = None
        while k0 < j:
            k1 = min(j, k0 + chunk)
            pw = keep ** np.arange(1, k1 - k0 + 1, dtype=float)
            lev = pw * (level - np.cumsum(u_all[k0:k1] / pw)) if keep > 0.0 else -u_all[k0:k1]
            below = np.flatnonzero(lev < heel - tol)
            m = k1 - k0 if below.size == 0 else int(below[0])
            if m:
                prev = np.empty(m)
                prev[0] = level
                prev[1:] = lev[: m - 1]
                level_out[k0 : k0 + m] = lev[:m]
                boil_out[k0 : k0 + m] = prev * (1.0 - keep)
                sup_out[k0 : k0 + m] = u_all[k0 : k0 + m]
                level = float(lev[m - 1])
            if below.size:
                short_at = k0 + m
                break
            k0 = k1
        if short_at is not None:
            for q in range(short_at, j):
                kept = level * keep
                boil_out[q] = level - kept
                uq = float(u_all[q])
                avail = kept - heel
                sq = uq if uq <= avail else (avail if avail > 0.0 else 0.0)
                sup_out[q] = sq
                level = kept - sq
                level_out[q] = level
        i = j
    supplied = sup_out
    shortfall = use - supplied
    supplied = np.where(np.isnan(use), np.nan, supplied)
    return _restore_dict(
        {
            "lng_tank_t": level_out,
            "lng_delivered_t": deliv_out,
            "lng_boil_off_t": boil_out,
            "lng_supplied_t": supplied,
            "lng_shortfall_t": shortfall,
        },
        template,
    )
