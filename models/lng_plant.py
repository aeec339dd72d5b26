"""Gas-fired generation on LNG: capability, part-load fuel, emissions, tank."""

from __future__ import annotations

import numpy as np

from models import _as_arrays, _check_choice, _check_range, _restore, _restore_dict

__all__ = [
    "KINDS",
    "GAS_COMPONENTS",
    "LNG_COMPOSITION_MOL_FRAC",
    "gas_properties",
    "LNG_LHV_MJ_PER_KG",
    "LNG_HHV_MJ_PER_KG",
    "HHV_PER_LHV",
    "CO2_T_PER_GJ",
    "price_usd_per_gj_lhv",
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
    "delivery_schedule_t",
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
#: Ambient sensitivities per kind: (output derate per K, heat-rate rise per K above ISO, per K
#: below ISO). gt: rotating-machinery.com (2021) correction curves (power 0.83 at 40 degC; heat
#: rate 1.10 at 45 degC and 0.92 at -29 degC, so 0.0033/K above and 0.0018/K below ISO).
#: ccgt: the whole block, steam cycle included: Tuefekci (2014) measured full-load output of a
#: 2 GT + 1 ST plant (9,568 hours, 1.8-37 degC): -2.17 MW/K on 464.5 MW at 15 degC = -0.47 %/K,
#: linear over the range; heat rate +0.08 %/K (efficiency -0.04 percentage points per K,
#: Tiwari, Hasan & Islam 2013). engine: engineering assumption.
_AMBIENT = {
    "ccgt": (0.0047, 0.0008, 0.0008),
    "gt": (0.0068, 0.0033, 0.0018),
    "engine": (0.0020, 0.0010, 0.0010),
}

#: Pure components of natural gas at 25 degC, per kg: molar mass [kg/kmol], higher and lower
#: heating value [MJ/kg] and carbon atoms per molecule. Cengel & Boles, Thermodynamics: An
#: Engineering Approach, 8th ed., Table A-27 (heating values at 25 degC; they agree with ISO
#: 6976:2016 to within 0.1 %); carbon count by formula.
GAS_COMPONENTS = {
    #        M [kg/kmol], HHV, LHV [MJ/kg], C atoms
    "CH4": (16.043, 55.53, 50.05, 1),
    "C2H6": (30.070, 51.90, 47.52, 2),
    "C3H8": (44.097, 50.33, 46.34, 3),
    "C4H10": (58.123, 49.15, 45.37, 4),
    "N2": (28.013, 0.0, 0.0, 0),
}
#: Molar masses of C and CO2 [kg/kmol] (IUPAC standard atomic weights).
_M_C, _M_CO2 = 12.011, 44.009
#: The LNG the twin burns, mole fractions: a lean-to-medium cargo (methane 92 %), inside the
#: range GIIGNL gives for traded LNG (methane 87-99 mol %, ethane up to ~10 %, nitrogen
#: < 1 %; GIIGNL LNG Information Paper No. 1, "Basic Properties of LNG"). Engineering
#: assumption (W): a project should state its supply's certificate of quality.
LNG_COMPOSITION_MOL_FRAC = {"CH4": 0.920, "C2H6": 0.055, "C3H8": 0.015, "C4H10": 0.007, "N2": 0.003}


def gas_properties(composition_mol_frac):
    r"""Heating values and CO2 of a natural gas / LNG from its composition.

    Parameters
    ----------
    composition_mol_frac : mapping
        Mole fraction per component of :data:`GAS_COMPONENTS`; must sum to 1.

    Returns
    -------
    dict
        ``lhv_mj_per_kg``, ``hhv_mj_per_kg``, ``hhv_per_lhv`` [-], ``co2_t_per_t`` (t CO2 per t
        of fuel burnt completely) and ``co2_t_per_gj_lhv``.

    Raises
    ------
    ValueError
        For an unknown component, a negative fraction or fractions not summing to 1.

    Notes
    -----
    Mass fractions :math:`w_i = x_i M_i / \sum_j x_j M_j`; heating values
    :math:`H = \sum_i w_i H_i`; CO2 by carbon balance (all carbon oxidised, the IPCC 2006
    default oxidation factor of 1): :math:`\sum_i w_i n_{C,i} M_{CO2} / M_i`. Pure methane
    gives 55.53 / 50.05 MJ/kg and 2.743 t CO2/t.

    References
    ----------
    .. [1] Cengel, Y. A., Boles, M. A. Thermodynamics: An Engineering Approach, 8th ed.,
       Table A-27.
    .. [2] IPCC (2006). Guidelines for National Greenhouse Gas Inventories, Vol. 2 Energy,
       ch. 1: natural gas NCV 48.0 (46.5-50.4) MJ/kg, CO2 56,100 (54,300-58,300) kg/TJ; NCV
       is about 10 % below GCV for natural gas (section 1.4.1.2).
    """
    comp = dict(composition_mol_frac)
    bad = sorted(set(comp) - set(GAS_COMPONENTS))
    if bad:
        raise ValueError(f"composition: unknown component(s) {', '.join(bad)}; valid: {', '.join(GAS_COMPONENTS)}")
    if any(v < 0 for v in comp.values()):
        raise ValueError("composition: mole fractions cannot be negative")
    total = sum(comp.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"composition: mole fractions sum to {total:g}, must be 1")
    mass = {k: x * GAS_COMPONENTS[k][0] for k, x in comp.items()}
    m = sum(mass.values())
    w = {k: v / m for k, v in mass.items()}
    hhv = sum(w[k] * GAS_COMPONENTS[k][1] for k in w)
    lhv = sum(w[k] * GAS_COMPONENTS[k][2] for k in w)
    co2 = sum(w[k] * GAS_COMPONENTS[k][3] * _M_CO2 / GAS_COMPONENTS[k][0] for k in w)
    return dict(lhv_mj_per_kg=lhv, hhv_mj_per_kg=hhv, hhv_per_lhv=hhv / lhv, co2_t_per_t=co2,
                co2_t_per_gj_lhv=co2 / lhv)


_LNG = gas_properties(LNG_COMPOSITION_MOL_FRAC)
#: LNG lower heating value [MJ/kg] (= GJ/t), from :data:`LNG_COMPOSITION_MOL_FRAC` (about 49.3; IPCC 2006 range 46.5-50.4).
LNG_LHV_MJ_PER_KG = _LNG["lhv_mj_per_kg"]
#: LNG higher heating value [MJ/kg] (about 54.6).
LNG_HHV_MJ_PER_KG = _LNG["hhv_mj_per_kg"]
#: HHV / LHV of the LNG (about 1.107; IPCC 2006 Vol. 2 ch. 1: about 1.1 for natural gas).
HHV_PER_LHV = _LNG["hhv_per_lhv"]
#: Combustion CO2 per GJ of fuel, LHV [t/GJ], by carbon balance (about 0.0562, inside the IPCC
#: 2006 range 0.0543-0.0583 around the 0.0561 default).
CO2_T_PER_GJ = _LNG["co2_t_per_gj_lhv"]
#: 1 MMBtu in GJ (international table Btu, NIST SP 811).
GJ_PER_MMBTU = 1.055056


def price_usd_per_gj_lhv(price_usd_per_mmbtu, basis="hhv", *, hhv_per_lhv=None):
    r"""A gas price quoted per MMBtu on a heating-value basis, as USD per GJ of LHV fuel.

    Parameters
    ----------
    price_usd_per_mmbtu : float
        Quoted price [USD/MMBtu]. LNG and gas trade (JKM, Henry Hub, contract prices) is
        quoted on the higher heating value.
    basis : {"hhv", "lhv"}, default "hhv"
        Heating value the quote refers to.
    hhv_per_lhv : float, optional
        HHV/LHV ratio; default :data:`HHV_PER_LHV`.

    Returns
    -------
    float
        Price per GJ of fuel counted on the LHV basis (turbine heat rates are LHV) [USD/GJ].

    Notes
    -----
    One GJ (LHV) is :math:`r` GJ (HHV), so
    :math:`p_{LHV} = r\,p / 1.055056` for an HHV quote and :math:`p / 1.055056` for LHV.
    """
    _check_choice("basis", basis, ("hhv", "lhv"))
    r = HHV_PER_LHV if hhv_per_lhv is None else float(hhv_per_lhv)
    _check_range("price_usd_per_mmbtu", price_usd_per_mmbtu, 0.0, None, why="a price cannot be negative")
    return float(price_usd_per_mmbtu) / GJ_PER_MMBTU * (r if basis == "hhv" else 1.0)


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


def heat_rate_ambient_factor(t_amb_c, *, frac_per_k=0.0033, t_iso_c=15.0, frac_per_k_below_iso=None):
    r"""Heat-rate multiplier versus ambient temperature (1.0 at ISO).

    Parameters
    ----------
    t_amb_c : float, ndarray or DataArray
        Ambient temperature [°C].
    frac_per_k : float, default 0.0033
        Heat-rate rise per K above ISO [1/K]: 1.10 at 45 °C in [1]_ gives
        0.10/30 K.
    t_iso_c : float, default 15.0
        ISO reference temperature [°C].
    frac_per_k_below_iso : float, optional
        Heat-rate fall per K below ISO [1/K]; default ``frac_per_k``. The
        curve of [1]_ flattens in the cold: 0.92 at -29 °C, i.e. 0.08/44 K =
        0.0018/K (the gas-turbine catalogue rows use it).

    Returns
    -------
    float, ndarray or DataArray
        Heat-rate factor [-].

    Notes
    -----
    .. math:: f_{HR} = 1 + k\,(T - T_{ISO}) \ (T \ge T_{ISO}), \qquad
              1 + k_{below}\,(T - T_{ISO}) \ (T < T_{ISO})

    References
    ----------
    .. [1] Rotating Machinery (2021). "Gas Turbine: ISO Rating and Site
       Rating": heat-rate correction 0.92 at -29 °C to 1.10 at 45 °C.
    """
    (t,), template = _as_arrays(t_amb_c)
    return _restore(_hr_factor(t, float(frac_per_k), frac_per_k_below_iso, float(t_iso_c)), template)


def _hr_factor(t, k, k_below, t_iso):
    kb = k if k_below is None else float(k_below)
    dt = t - t_iso
    return 1.0 + np.where(dt >= 0.0, k * dt, kb * dt)


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


def _ambient_defaults(kind, derate_frac_per_k, heat_rate_frac_per_k, heat_rate_frac_per_k_below_iso=None):
    """Kind defaults for the slopes not given; a given above-ISO heat-rate slope without a
    below-ISO one applies on both sides."""
    d, h, hb = _AMBIENT[kind]
    if heat_rate_frac_per_k is not None:
        h = hb = float(heat_rate_frac_per_k)
    if heat_rate_frac_per_k_below_iso is not None:
        hb = float(heat_rate_frac_per_k_below_iso)
    return (d if derate_frac_per_k is None else float(derate_frac_per_k), h, hb)


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
    heat_rate_frac_per_k_below_iso=None,
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
        Ambient slopes; None means the kind's default (``_AMBIENT``: gt
        0.0068 and 0.0033 [1]_; ccgt 0.0047 and 0.0008 from measured
        combined-cycle data [4]_ [5]_; engine 0.002 and 0.001, an engineering
        assumption).
    t_iso_c : float, default 15.0
        ISO temperature [°C].
    heat_rate_frac_per_k_below_iso : float, optional
        Heat-rate slope below ISO (see :func:`heat_rate_ambient_factor`);
        default the kind's (gt 0.0018) or ``heat_rate_frac_per_k`` if given.

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
    .. [4] Tuefekci, P. (2014). Prediction of full load electrical power output
       of a base load operated combined cycle power plant using machine
       learning methods. Int. J. Electrical Power & Energy Systems, 60, 126-140
       (the UCI "Combined Cycle Power Plant" data).
    .. [5] Tiwari, A. K., Hasan, M. M., Islam, M. (2013). Effect of ambient
       temperature on the performance of a combined cycle power plant.
       Transactions of the CSME, 37(4).
    """
    _check_choice("kind", kind, KINDS)
    _check_range("rated_mw", rated_mw, 0.0, None, lo_open=True, why="a rating must be positive")
    _check_range("eff_full_lhv", eff_full_lhv, 0.0, 1.0, lo_open=True, why="an efficiency is in (0, 1]")
    _check_range("step_h", step_h, 0.0, None, lo_open=True, why="a step length must be positive")
    d, h, hb = _ambient_defaults(kind, derate_frac_per_k, heat_rate_frac_per_k, heat_rate_frac_per_k_below_iso)
    if available_mw is None:
        (p, t), template = _as_arrays(gen_mw, t_amb_c)
        avail = float(rated_mw) * np.clip(1.0 - d * (t - float(t_iso_c)), 0.0, 1.1)
    else:
        (p, t, avail), template = _as_arrays(gen_mw, t_amb_c, available_mw)
        _check_range("available_mw", avail, 0.0, None, why="available capacity cannot be negative")
    _check_range("gen_mw", p, 0.0, None, why="generation cannot be negative")
    out = _fuel_rate_gj_per_h(p, avail, float(eff_full_lhv), t, kind, (h, hb), float(t_iso_c)) * float(step_h)
    return _restore(out, template)


def _fuel_rate_gj_per_h(p, avail, eff, t, kind, hr_slope, t_iso):
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(avail > 0.0, p / avail, np.where(p > 0.0, np.inf, 0.0))
    ratio = np.interp(x, _LOAD_POINTS, _PART_LOAD_RATIO[kind])
    ratio = np.where(np.isnan(x), np.nan, ratio)
    k, kb = hr_slope
    rate = 3.6 * p / (eff * ratio) * _hr_factor(t, k, kb, t_iso)
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
    heat_rate_frac_per_k_below_iso=None,
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
    _, h, hb = _ambient_defaults(kind, None, heat_rate_frac_per_k, heat_rate_frac_per_k_below_iso)
    h = (h, hb)
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
    lhv_mj_per_kg : float, default :data:`LNG_LHV_MJ_PER_KG`
        LNG lower heating value [MJ/kg], from the stated composition
        (:func:`gas_properties`); pure methane is 50.05 MJ/kg.

    Returns
    -------
    float, ndarray or DataArray
        LNG [t]. Regasification energy is not included.

    Notes
    -----
    :math:`m = E / LHV` (GJ / (MJ/kg) = t).

    References
    ----------
    .. [1] See :func:`gas_properties`.
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
    ef_t_per_gj : float, default :data:`CO2_T_PER_GJ`
        Emission factor [tCO2/GJ, LHV] by carbon balance of the stated LNG
        composition (about 0.0560; IPCC 2006 default 0.0561 [1]_).

    Returns
    -------
    float, ndarray or DataArray
        CO2 [t]. Upstream (liquefaction, shipping) emissions are excluded.

    References
    ----------
    .. [1] IPCC (2006), Vol. 2 ch. 1, Table 1.4; see :func:`gas_properties`.
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
    r"""LNG tank level with periodic deliveries, boil-off to the turbines, flaring and shortfalls.

    Parameters
    ----------
    lng_use_t : ndarray or DataArray, shape (n,)
        LNG the gas units burn in each step [t].
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
        Per step [t]: ``lng_tank_t`` (level at the end of the step),
        ``lng_scheduled_t`` (cargo due), ``lng_delivered_t`` (unloaded),
        ``lng_refused_t`` (cargo the tank had no room for), ``lng_boil_off_t``
        (evaporated), ``lng_drawn_t`` (liquid drawn for fuel), ``lng_flared_t``
        (boil-off the units did not burn), ``lng_supplied_t`` (fuel delivered
        to the units: boil-off burnt + liquid drawn) and ``lng_shortfall_t``
        (fuel the tank could not supply).

    Raises
    ------
    ValueError
        For negative use, a non-positive step, capacity or interval, or an
        initial level outside [0, capacity].

    Notes
    -----
    Deliveries fall at :math:`t_k = t_0 + k\,\Delta t_{del}`; one lands in a
    step when :math:`t_k \in [t_i, t_i + \Delta t)`. In each step, in order:

    1. delivery, capped by the free space: a cargo cannot over-fill the tank,
       the rest is refused (``lng_refused_t``; a real terminal would turn the
       ship away or divert it);
    2. boil-off :math:`b = \beta L \Delta t / 24` on the level after delivery;
    3. as at LNG terminals and plants, the boil-off goes to the units' fuel gas
       first: liquid drawn :math:`d = \min(\max(u - b, 0), \max(L - b - m, 0))`
       and flared :math:`f = \max(b - u, 0)`; the rest of the use is the
       shortfall.

    Mass balance: initial + delivered - boil-off - drawn = final, and
    boil-off = burnt boil-off + flared, to floating-point precision.
    A NaN use is treated as no draw for the level and gives NaN in
    ``lng_supplied_t`` and ``lng_shortfall_t`` of that step only.

    References
    ----------
    .. [1] Khan, M. S., et al. (2020). Energies, 13, 5578 (boil-off gas in
       full-containment LNG tanks).
    .. [2] GIIGNL LNG Information Paper No. 1 (boil-off gas is used as fuel or
       re-liquefied; flaring is the last resort).
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
    sched = delivery_schedule_t(n, step_h, delivery_t=delivery_t, delivery_interval_h=delivery_interval_h,
                                first_delivery_h=first_delivery_h)
    res = lng_tank_steps_t(use, sched, step_h, capacity_t=capacity_t, initial_t=initial_t,
                           boil_off_frac_per_day=boil_off_frac_per_day, min_level_t=min_level_t)
    return _restore_dict(res, template)


def lng_tank_steps_t(use_t, scheduled_t, step_h, *, capacity_t, initial_t, boil_off_frac_per_day, min_level_t=0.0):
    """The steps of :func:`lng_tank_level_t` for a given cargo schedule (its Notes give the
    order: delivery to the free space, boil-off, boil-off to the units first, the heel).

    ``use_t`` and ``scheduled_t`` are 1-D arrays [t per step] of one length; inputs are not
    checked here (the callers have).  Used by :func:`lng_tank_level_t` and by the optimiser to
    carry the real tank from one window to the next.  Returns the dict of
    :func:`lng_tank_level_t` as ndarrays."""
    use = np.asarray(use_t, dtype=float)
    sched = np.asarray(scheduled_t, dtype=float)
    n = use.shape[0]
    cap = float(capacity_t)
    heel = float(min_level_t)
    rate = float(boil_off_frac_per_day) * float(step_h) / 24.0
    u_all = np.where(np.isnan(use), 0.0, use).tolist()
    sched_l = sched.tolist()
    out = {k: [0.0] * n for k in ("lng_tank_t", "lng_delivered_t", "lng_boil_off_t", "lng_drawn_t",
                                  "lng_flared_t", "lng_supplied_t")}
    level = float(initial_t)
    # a scalar loop: the level enters the boil-off and the draw through max/min, which a
    # closed form would have to split into regimes (8,760 hourly steps take milliseconds)
    for i in range(n):
        d = sched_l[i]
        if d > 0.0:
            d = min(d, max(cap - level, 0.0))
            level += d
        b = level * rate
        u = u_all[i]
        burnt_bog = b if b < u else u
        want = u - burnt_bog
        can = level - b - heel
        drawn = want if want <= can else (can if can > 0.0 else 0.0)
        level = level - b - drawn
        out["lng_tank_t"][i] = level
        out["lng_delivered_t"][i] = d
        out["lng_boil_off_t"][i] = b
        out["lng_drawn_t"][i] = drawn
        out["lng_flared_t"][i] = b - burnt_bog
        out["lng_supplied_t"][i] = burnt_bog + drawn
    res = {k: np.asarray(v, dtype=float) for k, v in out.items()}
    res["lng_scheduled_t"] = sched
    res["lng_refused_t"] = np.maximum(sched - res["lng_delivered_t"], 0.0)
    res["lng_shortfall_t"] = np.maximum(use - res["lng_supplied_t"], 0.0)
    res["lng_supplied_t"] = np.where(np.isnan(use), np.nan, res["lng_supplied_t"])
    return res


def delivery_schedule_t(n, step_h, *, delivery_t, delivery_interval_h, first_delivery_h=None):
    r"""Cargo due in each of ``n`` steps [t]: one ``delivery_t`` at every
    :math:`t_0 + k\,\Delta t_{del}` (default :math:`t_0 = \Delta t_{del}`), booked in the step
    :math:`[t_i, t_i + \Delta t)` that holds it."""
    dt = float(step_h)
    interval = float(delivery_interval_h)
    t0 = interval if first_delivery_h is None else float(first_delivery_h)
    edges = np.arange(int(n) + 1, dtype=float) * dt
    k_before = np.maximum(np.ceil((edges - t0) / interval - 1e-9), 0.0)
    return np.diff(k_before) * float(delivery_t)
