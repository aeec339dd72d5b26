"""Chilled-water plant for air-cooled halls.

Water-cooled centrifugal chillers, CRAH fans, chilled- and condenser-water
pumps, open cooling towers and a waterside economiser (plate heat exchanger
between tower water and chilled-water return).
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from models import _as_arrays, _check_range, _restore, _restore_dict
from models.psychro import _enthalpy, _w_from_wetbulb, _wsat

__all__ = [
    "DOE2_CENTRIFUGAL",
    "CARRIER_19XR_VSD",
    "TRANE_RTHB_SCREW",
    "CHILLER_CURVES",
    "chiller_cop",
    "chiller_capacity_factor",
    "condenser_water_c",
    "economiser_fraction",
    "cooling_tower_water_m3_per_h",
    "air_cooling_power",
]

#: DOE-2.1E generic water-cooled centrifugal chiller, as shipped with
#: EnergyPlus (datasets/Chillers.idf, "DOE-2 Centrifugal/5.50COP"; the same
#: curves as DOE-2.1E HERM-CENT-CAP-FT, HERM-CENT-EIR-FT and
#: HERM-CENT-EIR-FPLR). Biquadratics in x = leaving chilled-water temperature
#: [°C] and y = entering condenser-water temperature [°C], coefficients in the
#: order c1 + c2 x + c3 x^2 + c4 y + c5 y^2 + c6 x y; the part-load curve is
#: c1 + c2 p + c3 p^2 in the part-load ratio p.
DOE2_CENTRIFUGAL = MappingProxyType(
    {
        "name": "DOE-2 Centrifugal/5.50COP",
        "cop_ref": 5.5,
        "t_chw_ref_c": 6.67,
        "t_cond_ref_c": 29.4,
        "cap_ft": (0.257896, 0.0389016, -0.00021708, 0.0468684, -0.00094284, -0.00034344),
        "eir_ft": (0.933884, -0.058212, 0.00450036, 0.00243, 0.000486, -0.001215),
        "eir_fplr": (0.222903, 0.313387, 0.463710),
        "t_chw_range_c": (5.0, 10.0),
        "t_cond_range_c": (24.0, 35.0),
        "plr_range": (0.0, 1.0),
        "min_plr": 0.1,
        "min_unloading_ratio": 0.2,
    }
)

#: Water-cooled centrifugal chiller with a variable-speed drive, as shipped with EnergyPlus
#: (datasets/Chillers.idf, "ElectricEIRChiller Carrier 19XR 1407kW/6.04COP/VSD", CoolTools
#: data 1991-2001; the same record is reproduced in the LBNL Modelica Buildings library,
#: Buildings.Fluid.Chillers.Data.ElectricEIR). Rated at AHRI 550/590 conditions (6.67 °C
#: leaving chilled water, 29.44 °C entering condenser water); curve ranges 4.44-10.0 °C chilled
#: water and 12.78-32.22 °C condenser water; minimum part-load and unloading ratio 0.20.
#: The curves are normalised; the catalogue gives the reference COP.
CARRIER_19XR_VSD = MappingProxyType(
    {
        "name": "ElectricEIRChiller Carrier 19XR 1407kW/6.04COP/VSD",
        "cop_ref": 6.04,
        "t_chw_ref_c": 6.67,
        "t_cond_ref_c": 29.44,
        "cap_ft": (1.042261, 2.644821e-03, -1.468026e-03, 1.366256e-02, -8.302334e-04, 1.573579e-03),
        "eir_ft": (1.026340, -1.612819e-02, -1.092591e-03, -1.784393e-02, 7.961842e-04, -9.586049e-05),
        "eir_fplr": (1.188880e-01, 6.723542e-01, 2.068754e-01),
        "t_chw_range_c": (4.44, 10.0),
        "t_cond_range_c": (12.78, 32.22),
        "plr_range": (0.0, 1.04),
        "min_plr": 0.20,
        "min_unloading_ratio": 0.20,
    }
)

#: Water-cooled screw chiller with slide-valve unloading, as shipped with EnergyPlus
#: (datasets/Chillers.idf, "ElectricEIRChiller Trane RTHB 1051kW/5.05COP/Valve", CoolTools data;
#: also in the Modelica Buildings library). Rated at 6.67 °C / 29.44 °C; ranges 4.44-8.89 °C
#: chilled water and 23.89-35.0 °C condenser water; minimum part-load ratio 0.20.
TRANE_RTHB_SCREW = MappingProxyType(
    {
        "name": "ElectricEIRChiller Trane RTHB 1051kW/5.05COP/Valve",
        "cop_ref": 5.05,
        "t_chw_ref_c": 6.67,
        "t_cond_ref_c": 29.44,
        "cap_ft": (9.482157e-01, 3.306737e-02, -6.450072e-05, -3.756522e-03, -6.501672e-05, 2.517986e-15),
        "eir_ft": (4.904181e-01, -5.530317e-03, 1.209907e-03, 9.122333e-03, 5.923591e-04, -1.469958e-03),
        "eir_fplr": (2.590465e-01, 2.148987e-01, 5.265039e-01),
        "t_chw_range_c": (4.44, 8.89),
        "t_cond_range_c": (23.89, 35.0),
        "plr_range": (0.0, 1.01),
        "min_plr": 0.20,
        "min_unloading_ratio": 0.20,
    }
)

#: curve set per catalogue chiller ``kind`` (datasets/catalog/chillers.csv)
CHILLER_CURVES = MappingProxyType(
    {"centrifugal": DOE2_CENTRIFUGAL, "centrifugal-vsd": CARRIER_19XR_VSD, "screw": TRANE_RTHB_SCREW}
)

_CURVE_KEYS = ("cap_ft", "eir_ft", "eir_fplr", "t_chw_range_c", "t_cond_range_c", "min_plr", "min_unloading_ratio")

_RHO_WATER_KG_M3 = 1000.0
_CP_WATER_J_KG_K = 4186.0


def _check_curves(curves) -> None:
    missing = [k for k in _CURVE_KEYS if k not in curves]
    if missing:
        raise ValueError(f"curves is missing {', '.join(missing)}; see DOE2_CENTRIFUGAL for the expected keys")


def _biquadratic(c, x, y):
    return c[0] + x * (c[1] + c[2] * x) + y * (c[3] + c[4] * y) + c[5] * x * y


def _clip_temps(t_chw, t_cond, curves):
    lo_x, hi_x = curves["t_chw_range_c"]
    lo_y, hi_y = curves["t_cond_range_c"]
    return np.clip(t_chw, lo_x, hi_x), np.clip(t_cond, lo_y, hi_y)


def _capft(t_cond, t_chw, curves):
    x, y = _clip_temps(t_chw, t_cond, curves)
    return _biquadratic(curves["cap_ft"], x, y)


def _cop(t_cond, t_chw, plr, cop_ref, curves):
    x, y = _clip_temps(t_chw, t_cond, curves)
    eir_t = _biquadratic(curves["eir_ft"], x, y)
    lo, hi = curves.get("plr_range", (0.0, 1.0))
    p_op = np.clip(np.maximum(plr, curves["min_unloading_ratio"]), lo, hi)
    c = curves["eir_fplr"]
    eir_p = c[0] + p_op * (c[1] + c[2] * p_op)
    return cop_ref * np.maximum(plr, curves["min_plr"]) / (eir_t * eir_p)


def chiller_cop(t_cond_in_c, t_chw_out_c=6.67, part_load_frac=1.0, *, cop_ref=5.5, curves=DOE2_CENTRIFUGAL):
    r"""Coefficient of performance of a water-cooled chiller (DOE-2 model).

    Parameters
    ----------
    t_cond_in_c : float, ndarray or DataArray
        Entering condenser-water temperature [°C].
    t_chw_out_c : float, ndarray or DataArray, default 6.67
        Leaving chilled-water temperature [°C].
    part_load_frac : float, ndarray or DataArray, default 1.0
        Part-load ratio: cooling delivered over available capacity at the
        current temperatures [fraction, 0-1].
    cop_ref : float, default 5.5
        COP at the reference point (6.67 °C chilled water, 29.4 °C condenser
        water, full load) [-]; 5.5 is the DOE-2.1E generic centrifugal
        chiller [1]_.
    curves : mapping, default :data:`DOE2_CENTRIFUGAL`
        Curve coefficients and limits (keys as in :data:`DOE2_CENTRIFUGAL`).

    Returns
    -------
    float, ndarray or DataArray
        COP = cooling delivered / compressor electric power [-].

    Raises
    ------
    ValueError
        If ``cop_ref`` is not positive or a finite ``part_load_frac`` is
        outside [0, 1].

    Notes
    -----
    DOE-2.1E electric chiller model as implemented in EnergyPlus
    ``Chiller:Electric:EIR`` [2]_. With :math:`x` the leaving chilled-water
    and :math:`y` the entering condenser-water temperature:

    .. math::

        EIR_{FT} &= a_1 + a_2 x + a_3 x^2 + a_4 y + a_5 y^2 + a_6 x y \\
        EIR_{FPLR} &= b_1 + b_2 p + b_3 p^2 \\
        P &= \frac{Q_{avail}}{COP_{ref}}\,EIR_{FT}\,EIR_{FPLR}(p_{op})\,r_{cyc}

    so that

    .. math:: COP = \frac{COP_{ref}\,\max(p, p_{min})}{EIR_{FT}\,EIR_{FPLR}(\max(p, p_{unl}))}

    Below the minimum unloading ratio :math:`p_{unl}` (0.2) the chiller
    false-loads (runs at :math:`p_{unl}`, the surplus is hot-gas bypass);
    below the minimum part-load ratio :math:`p_{min}` (0.1) it cycles with
    ratio :math:`r_{cyc} = p/p_{min}`. At full load :math:`EIR_{FPLR}(1) = 1`
    and :math:`COP = COP_{ref}/EIR_{FT}`.

    Temperatures are clipped to the curves' validity range (5-10 °C chilled
    water, 24-35 °C condenser water), as EnergyPlus does: its curve objects
    replace an input below the minimum by the minimum and above the maximum
    by the maximum [3]_. Colder condenser water than 24 °C therefore earns no
    further COP gain (a conservative choice), and warmer chilled water than
    10 °C is evaluated at 10 °C.

    Check values at full load, 6.67 °C chilled water, COP_ref 5.5: condenser
    water 24 °C -> 6.18, 29.4 °C -> 5.51, 35 °C -> 4.81.

    References
    ----------
    .. [1] U.S. DOE / NREL, EnergyPlus ``datasets/Chillers.idf``, object
       "DOE-2 Centrifugal/5.50COP" (a generic centrifugal chiller from
       DOE-2.1E; curve sets from the CoolTools project, Hydeman et al.).
    .. [2] U.S. DOE, EnergyPlus Engineering Reference, "Electric Chiller
       Model Based on Condenser Entering Temperature" (Chiller:Electric:EIR).
    .. [3] U.S. DOE, EnergyPlus Input Output Reference, Curve:Biquadratic,
       fields "Minimum/Maximum Value of x/y".
    """
    _check_curves(curves)
    _check_range("cop_ref", cop_ref, 0.0, None, lo_open=True, why="a reference COP must be positive")
    (tc, tchw, plr), template = _as_arrays(t_cond_in_c, t_chw_out_c, part_load_frac)
    _check_range("part_load_frac", plr, 0.0, 1.0, why="a chiller part-load ratio is in [0, 1]")
    return _restore(_cop(tc, tchw, plr, float(cop_ref), curves), template)


def chiller_capacity_factor(t_cond_in_c, t_chw_out_c=6.67, *, curves=DOE2_CENTRIFUGAL):
    r"""Available chiller capacity relative to the reference capacity (CAP-f(T)).

    Parameters
    ----------
    t_cond_in_c : float, ndarray or DataArray
        Entering condenser-water temperature [°C].
    t_chw_out_c : float, ndarray or DataArray, default 6.67
        Leaving chilled-water temperature [°C].
    curves : mapping, default :data:`DOE2_CENTRIFUGAL`
        Curve coefficients and limits.

    Returns
    -------
    float, ndarray or DataArray
        Capacity factor [-]; 1.0 at the reference point.

    Notes
    -----
    .. math:: CAP_{FT} = c_1 + c_2 x + c_3 x^2 + c_4 y + c_5 y^2 + c_6 x y

    with temperatures clipped to the curve range as in :func:`chiller_cop`.
    For the DOE-2 centrifugal curve: 1.03 at 24 °C, 1.00 at 29.4 °C and
    0.91 at 35 °C condenser water (6.67 °C chilled water).

    References
    ----------
    .. [1] U.S. DOE / NREL, EnergyPlus ``datasets/Chillers.idf``,
       "DOE-2 Centrifugal/5.50COP CAPFT" (DOE-2.1E HERM-CENT-CAP-FT).
    """
    _check_curves(curves)
    (tc, tchw), template = _as_arrays(t_cond_in_c, t_chw_out_c)
    return _restore(_capft(tc, tchw, curves), template)


def condenser_water_c(t_wetbulb_c, approach_k=3.9):
    r"""Condenser-water temperature leaving an open cooling tower.

    Parameters
    ----------
    t_wetbulb_c : float, ndarray or DataArray
        Ambient wet-bulb temperature [°C].
    approach_k : float, default 3.9
        Tower approach to wet-bulb [K]. 3.9 K (7 °F) is an engineering choice
        inside the 2.8-6.7 K range assumed for data-centre towers in [1]_.

    Returns
    -------
    float, ndarray or DataArray
        Condenser-water (tower leaving) temperature [°C].

    Notes
    -----
    .. math:: T_{cw} = T_{wb} + \Delta T_{approach}

    A constant approach ignores its rise at part load and at low wet-bulb.

    References
    ----------
    .. [1] Lei, N., Masanet, E. (2022). Climate- and technology-specific PUE
       and WUE estimations for U.S. data centers using a hybrid statistical
       and thermodynamics-based approach. Resources, Conservation and
       Recycling, 182, 106323 (assumption table).
    """
    _check_range("approach_k", approach_k, 0.0, None, why="a tower approach cannot be negative")
    (twb, a), template = _as_arrays(t_wetbulb_c, approach_k)
    return _restore(twb + a, template)


def economiser_fraction(
    t_wetbulb_c,
    t_chw_supply_c=10.0,
    *,
    t_chw_return_c=16.0,
    tower_approach_k=3.9,
    hx_approach_k=2.2,
):
    r"""Share of the chilled-water load carried by a waterside economiser.

    Parameters
    ----------
    t_wetbulb_c : float, ndarray or DataArray
        Ambient wet-bulb temperature [°C].
    t_chw_supply_c : float, default 10.0
        Chilled-water supply set point [°C]. Engineering assumption (the
        upper end of the DOE-2 chiller curves' range).
    t_chw_return_c : float, default 16.0
        Chilled-water return temperature [°C]. Engineering assumption
        (6 K loop difference).
    tower_approach_k : float, default 3.9
        Tower approach to wet-bulb [K]; range 2.8-6.7 K [2]_.
    hx_approach_k : float, default 2.2
        Plate heat-exchanger approach [K]; range 1.7-2.8 K [2]_.

    Returns
    -------
    float, ndarray or DataArray
        Economiser share of the load [fraction, 0-1].

    Raises
    ------
    ValueError
        If the return temperature is not above the supply temperature or an
        approach is negative.

    Notes
    -----
    The coldest chilled water the economiser can make is
    :math:`T_{econ} = T_{wb} + \Delta T_{tower} + \Delta T_{hx}`. In an
    integrated (series) economiser that pre-cools the return water:

    .. math::

        f = \mathrm{clip}\!\left(\frac{T_{ret} - T_{econ}}{T_{ret} - T_{sup}}, 0, 1\right)

    i.e. 1 (free cooling) when :math:`T_{econ} \le T_{sup}`, 0 when
    :math:`T_{econ} \ge T_{ret}`, linear in between. With the defaults full
    free cooling needs a wet-bulb <= 3.9 °C and partial free cooling a
    wet-bulb below 9.9 °C; [1]_ recommends waterside economisers where the
    wet-bulb is below 12.8 °C (55 °F) for 3,000 h or more per year, which
    corresponds to warmer chilled water than the default.

    References
    ----------
    .. [1] U.S. DOE Federal Energy Management Program (2024). Best Practices
       Guide for Energy-Efficient Data Center Design (rev. July 2024).
    .. [2] Lei, N., Masanet, E. (2022). Resources, Conservation and
       Recycling, 182, 106323 (assumption table).
    """
    _check_range("tower_approach_k", tower_approach_k, 0.0, None, why="an approach cannot be negative")
    _check_range("hx_approach_k", hx_approach_k, 0.0, None, why="an approach cannot be negative")
    (twb, tsup, tret), template = _as_arrays(t_wetbulb_c, t_chw_supply_c, t_chw_return_c)
    _check_range("t_chw_return_c - t_chw_supply_c", tret - tsup, 0.0, None, lo_open=True,
                 why="chilled-water return must be warmer than supply")
    f = _econ_frac(twb, tsup, tret, float(tower_approach_k), float(hx_approach_k))
    return _restore(f, template)


def _econ_frac(twb, tsup, tret, tower_approach_k, hx_approach_k):
    t_econ = twb + tower_approach_k + hx_approach_k
    return np.clip((tret - t_econ) / (tret - tsup), 0.0, 1.0)


def cooling_tower_water_m3_per_h(
    heat_rejected_mw,
    t_drybulb_c,
    t_wetbulb_c,
    *,
    pressure_pa=101325.0,
    approach_k=3.9,
    tower_range_k=5.6,
    cycles_of_concentration=5.0,
    drift_frac=0.0002,
):
    r"""Make-up water of an open cooling tower from the air's change of state.

    Parameters
    ----------
    heat_rejected_mw : float, ndarray or DataArray
        Heat rejected by the tower [MW].
    t_drybulb_c, t_wetbulb_c : float, ndarray or DataArray
        Entering (ambient) air dry-bulb and wet-bulb temperatures [°C].
    pressure_pa : float, ndarray or DataArray, default 101325
        Air pressure [Pa] (site pressure, see
        :func:`models.psychro.pressure_from_elevation_pa`).
    approach_k : float, default 3.9
        Leaving tower water minus entering wet-bulb [K]; range 2.8-6.7 K [1]_.
    tower_range_k : float, default 5.6
        Tower range (condenser-water temperature difference) [K]; 5.6 K
        (10 °F) follows from the AHRI 550/590 rating flow of 3 gpm/ton.
    cycles_of_concentration : float, default 5.0
        Ratio of dissolved solids in circulating to make-up water [-];
        range 3-15 [1]_. Engineering choice.
    drift_frac : float, default 0.0002
        Drift loss as a fraction of the circulating flow [fraction]; range
        0.005-0.5 % [1]_. Engineering choice (0.02 %).

    Returns
    -------
    dict
        ``water_evaporation_m3_per_h``, ``water_blowdown_m3_per_h``,
        ``water_drift_m3_per_h`` and their sum ``water_m3_per_h`` [m³/h];
        ``tower_evaporative_frac``: share of the heat that leaves as latent
        heat of the evaporated water [fraction]; ``tower_air_kg_per_s``: dry
        air through the tower [kg/s].

    Raises
    ------
    ValueError
        If the approach is negative, cycles of concentration <= 1, or the
        range or pressure is not positive.

    Notes
    -----
    Moisture and energy balance of the air stream, the "saturated exit"
    evaporation-loss method of EnergyPlus's cooling towers [2]_ (there the
    air flow comes from the fan; here from the energy balance):

    .. math::

        T_{out} &= T_{wb} + a + R/2 \
        h_{out} &= h(T_{out}, W_s(T_{out})), \qquad
        \dot m_{air} = rac{Q}{h_{out} - h_{in}} \
        E &= \dot m_{air}\,(W_s(T_{out}) - W_{in}) / 
ho_w

    with :math:`W_{in}, h_{in}` from the entering dry-bulb and wet-bulb and
    :math:`W_s` the saturated humidity ratio at the site pressure
    (:mod:`models.psychro`, ASHRAE 2017 Fundamentals ch. 1). The air leaves
    saturated, as in EnergyPlus's saturated-exit mode and Merkel's theory
    [3]_. Its temperature is an engineering assumption: the mean of the
    water's entering (:math:`T_{wb} + a + R`) and leaving (:math:`T_{wb} + a`)
    temperatures, where a counterflow tower at an L/G near 1 leaves its air
    (Merkel's enthalpy balance :math:`\Delta h_{air} = (L/G)\,c_{p,w} R`
    puts the exit air between the cold- and hot-water enthalpies).
    Since :math:`h_{in} pprox h_s(T_{wb}) < h_{out}` the air flow is always
    finite. Cold, dry air takes up sensible heat, so the evaporated share
    falls in winter (Ulsan January ≈ 0.64) and approaches 0.8-0.87 in
    tropical air; the fixed 85 % share used before [4]_ overstated winter
    water.

    Blowdown from the dissolved-solids balance :math:`COC = M / (B + D)`
    (drift counts towards the bleed): :math:`B = \max(E/(COC-1) - D, 0)`;
    drift :math:`D = f_{drift}\,\dot m_w` with the circulating flow
    :math:`\dot m_w = Q / (c_{p,w} R)`; make-up :math:`M = E + B + D`.

    References
    ----------
    .. [1] Lei, N., Masanet, E. (2022). Resources, Conservation and
       Recycling, 182, 106323 (assumption table: approach 2.8-6.7 K, cycles
       of concentration 3-15, drift 0.005-0.5 % of circulating flow).
    .. [2] U.S. DOE, EnergyPlus Engineering Reference, "Cooling Towers and
       Evaporative Fluid Coolers", evaporation loss, saturated-exit mode
       (outlet air saturated at the enthalpy the heat balance gives;
       evaporation = air mass flow x humidity-ratio rise).
    .. [3] Merkel, F. (1925). Verdunstungskühlung. VDI-Forschungsarbeiten 275;
       ASHRAE Handbook - HVAC Systems and Equipment (2020), ch. 40 "Cooling
       Towers" (Merkel enthalpy-potential method, L/G).
    .. [4] soaratahvie.com (80-90 % of tower heat by evaporation); weak
       source, superseded here.
    """
    _check_range("approach_k", approach_k, 0.0, None, why="a tower approach cannot be negative")
    _check_range("cycles_of_concentration", cycles_of_concentration, 1.0, None, lo_open=True,
                 why="blowdown needs more than one cycle of concentration")
    _check_range("drift_frac", drift_frac, 0.0, 1.0, why="must be a fraction of the circulating flow")
    _check_range("tower_range_k", tower_range_k, 0.0, None, lo_open=True, why="a tower range must be positive")
    _check_range("pressure_pa", pressure_pa, 0.0, None, lo_open=True, why="an air pressure in Pa must be positive")
    (q, tdb, twb, p), template = _as_arrays(heat_rejected_mw, t_drybulb_c, t_wetbulb_c, pressure_pa)
    out = _tower_water(q, tdb, twb, p, float(approach_k), float(tower_range_k), float(cycles_of_concentration),
                       float(drift_frac))
    return _restore_dict(out, template)


def _tower_water(q_mw, tdb, twb, p, approach_k, tower_range_k, coc, drift_frac):
    w_in = _w_from_wetbulb(tdb, twb, p)
    h_in = _enthalpy(tdb, w_in)
    t_out = twb + approach_k + 0.5 * tower_range_k
    w_out = _wsat(t_out, p)
    dh = _enthalpy(t_out, w_out) - h_in  # J/kg dry air, > 0 since t_out > t_wb
    air = q_mw * 1e6 / dh
    evap_kg_s = air * np.maximum(w_out - w_in, 0.0)
    evap = evap_kg_s * 3600.0 / _RHO_WATER_KG_M3
    circ_m3_per_h = q_mw * 1e6 / (_CP_WATER_J_KG_K * tower_range_k) * 3600.0 / _RHO_WATER_KG_M3
    drift = drift_frac * circ_m3_per_h
    blow = np.maximum(evap / (coc - 1.0) - drift, 0.0)
    # latent share of the heat: evaporated water times its latent heat at the exit temperature
    # (2501 - 2.37 T kJ/kg, consistent with the enthalpy of ASHRAE 2017 eq. 32 less sensible water heat)
    evap_frac = np.maximum(w_out - w_in, 0.0) * (2501e3 + 1860.0 * t_out - 4186.0 * t_out) / dh
    return {
        "water_evaporation_m3_per_h": evap,
        "water_blowdown_m3_per_h": blow,
        "water_drift_m3_per_h": drift,
        "water_m3_per_h": evap + blow + drift,
        "tower_evaporative_frac": evap_frac,
        "tower_air_kg_per_s": air,
    }


def _check_wetbulb(tdb, twb) -> None:
    with np.errstate(invalid="ignore"):
        bad = (twb - tdb) > 0.5
    if np.any(bad):
        i = np.flatnonzero(np.broadcast_to(bad, np.broadcast_shapes(np.shape(tdb), np.shape(twb))))[0]
        wb = float(np.broadcast_to(twb, bad.shape).flat[i])
        db = float(np.broadcast_to(tdb, bad.shape).flat[i])
        raise ValueError(f"t_wetbulb_c={wb:g} exceeds t_drybulb_c={db:g}: wet-bulb cannot be above dry-bulb")


def air_cooling_power(
    it_heat_mw,
    t_drybulb_c,
    t_wetbulb_c,
    *,
    chiller_capacity_mw,
    n_chillers,
    cop_ref=5.5,
    curves=DOE2_CENTRIFUGAL,
    t_chw_supply_c=10.0,
    t_chw_return_c=16.0,
    tower_approach_k=3.9,
    hx_approach_k=2.2,
    economiser=True,
    crah_fan_kw_per_kw=0.04,
    chw_pump_kw_per_kw=0.017,
    cw_pump_kw_per_kw=0.012,
    tower_fan_kw_per_kw=0.013,
    cycles_of_concentration=5.0,
    drift_frac=0.0002,
    tower_range_k=5.6,
    pressure_pa=101325.0,
):
    r"""Electric power and water of a chilled-water plant serving air-cooled IT.

    Parameters
    ----------
    it_heat_mw : float, ndarray or DataArray
        Heat released by the IT equipment into the air [MW].
    t_drybulb_c : float, ndarray or DataArray
        Ambient dry-bulb temperature [°C]; used only to check the weather
        (wet-bulb must not exceed dry-bulb) -- a water-cooled plant depends on
        the wet-bulb.
    t_wetbulb_c : float, ndarray or DataArray
        Ambient wet-bulb temperature [°C].
    chiller_capacity_mw : float
        Reference cooling capacity of one chiller at 6.67/29.4 °C [MW].
    n_chillers : int
        Chillers available to run [-].
    cop_ref : float, default 5.5
        Chiller reference COP [-] (DOE-2.1E generic centrifugal, [1]_).
    curves : mapping, default :data:`DOE2_CENTRIFUGAL`
        Chiller curves, see :func:`chiller_cop`.
    t_chw_supply_c, t_chw_return_c : float, default 10.0, 16.0
        Chilled-water supply and return temperatures [°C]. Engineering
        assumptions.
    tower_approach_k : float, default 3.9
        Tower approach [K], within 2.8-6.7 K [2]_.
    hx_approach_k : float, default 2.2
        Economiser heat-exchanger approach [K], within 1.7-2.8 K [2]_.
    economiser : bool, default True
        Whether the plant has a waterside economiser.
    crah_fan_kw_per_kw : float, default 0.04
        CRAH fan power per kW of IT heat [kW/kW]. A GAP in the literature:
        engineering assumption for variable-speed (EC) fans with
        containment. ENERGY STAR puts CRAC/CRAH fans at 5-10 % of total
        data-centre energy in conventional rooms [3]_; fan power falls with
        the cube of speed [3]_.
    chw_pump_kw_per_kw : float, default 0.017
        Chilled-water pump power per kW of cooling load [kW/kW]. Derived:
        6 K loop, 300 kPa head, 70 % wire-to-water efficiency (engineering
        assumptions) -> 0.0398 m³/s per MW x 300 kPa / 0.7 = 17 kW/MW.
    cw_pump_kw_per_kw : float, default 0.012
        Condenser-water pump power per kW of heat rejected [kW/kW]. Derived:
        5.6 K range, 200 kPa head, 70 % efficiency (assumptions).
    tower_fan_kw_per_kw : float, default 0.013
        Tower fan power per kW of heat rejected [kW/kW]. Derived from the
        ASHRAE 90.1-2010 minimum for axial-fan open towers, 38.2 gpm/hp at a
        10 °F range: 38.2 gpm x 1.465 kW/gpm = 56 kW of heat per 0.746 kW.
    cycles_of_concentration, drift_frac, tower_range_k : float
        Tower water parameters, see :func:`cooling_tower_water_m3_per_h`.
    pressure_pa : float, ndarray or DataArray, default 101325
        Site air pressure [Pa], for the tower's psychrometrics.

    Returns
    -------
    dict
        Arrays shaped like the inputs:

        - ``chiller_power_mw``, ``crah_fan_power_mw``, ``pump_power_mw``
          (chilled + condenser water), ``tower_fan_power_mw`` [MW];
        - ``cooling_power_mw``: their sum, all electric power of the plant [MW];
        - ``cooling_load_mw_th``: heat to remove (IT + CRAH fans + CHW pump)
          [MW thermal];
        - ``economiser_frac`` [fraction], ``economiser_load_mw_th``,
          ``chiller_load_mw_th`` [MW thermal];
        - ``chiller_cop`` [-] at the operating point (NaN when no chiller
          runs), ``chiller_plr`` [fraction], ``n_chillers_running`` [-],
          ``t_condenser_water_c`` [°C];
        - ``heat_rejected_mw`` at the towers [MW];
        - ``water_evaporation_m3_per_h``, ``water_blowdown_m3_per_h``,
          ``water_drift_m3_per_h``, ``water_m3_per_h`` (make-up) [m³/h];
        - ``cooling_deficit_mw``: heat the plant cannot remove [MW], never
          hidden.

    Raises
    ------
    ValueError
        For a negative IT heat, wet-bulb above dry-bulb, a non-positive
        capacity, fewer than one chiller, or out-of-range coefficients.

    Notes
    -----
    For each step:

    1. CRAH fans :math:`P_{fan} = k_{fan} Q_{IT}`; fans heat the air they move,
       and chilled-water pump work ends in the water, so the load is
       :math:`Q = Q_{IT} + P_{fan} + P_{chw}` with :math:`P_{chw} = k_{chw}(Q_{IT}+P_{fan})`.
    2. Condenser water :math:`T_{cw} = T_{wb} + \Delta T_{tower}`; the
       economiser carries :math:`f Q` (:func:`economiser_fraction`).
    3. Chillers carry the rest up to
       :math:`N\,Q_{ref}\,CAP_{FT}(T_{sup}, T_{cw})`; the remainder is
       ``cooling_deficit_mw``.
    4. Chillers stage: the fewest that carry the load,
       :math:`n_0 = \lceil Q_{ch} / (Q_{ref} CAP_{FT}) \rceil`, or :math:`n_0 + 1`
       (if installed) where that gives a higher COP (engineering choice: least-power
       sequencing between the two, for machines whose efficiency peaks at part
       load); each runs at :math:`p = Q_{ch} / (n Q_{ref} CAP_{FT})` and
       :math:`P_{ch} = Q_{ch} / COP(T_{cw}, T_{sup}, p)` (:func:`chiller_cop`). An
       oversized plant therefore runs one machine, never all of them at low load.
    5. Towers reject :math:`Q_{rej} = Q_{ch} + P_{ch} + f Q`; tower fans and
       condenser pumps scale with :math:`Q_{rej}`; water from
       :func:`cooling_tower_water_m3_per_h`.

    Pumps and tower fans are linear in their load (constant kW/kW), which
    overstates their part-load power compared with variable-speed drives.
    The chilled-water supply temperature is used in the chiller curves after
    clipping to 5-10 °C.

    References
    ----------
    .. [1] U.S. DOE / NREL, EnergyPlus ``datasets/Chillers.idf``,
       "DOE-2 Centrifugal/5.50COP" (DOE-2.1E generic centrifugal chiller).
    .. [2] Lei, N., Masanet, E. (2022). Resources, Conservation and
       Recycling, 182, 106323 (assumption table).
    .. [3] ENERGY STAR, "Variable speed fan drives" (12 ways to save energy
       in the data center): CRAC/CRAH fans 5-10 % of data-centre energy; fan
       affinity law.
    .. [4] ASHRAE Standard 90.1-2010, Table 6.8.1G, heat-rejection equipment
       minimum efficiency (axial-fan open-circuit towers, 38.2 gpm/hp).
    .. [5] U.S. DOE FEMP (2024). Best Practices Guide for Energy-Efficient
       Data Center Design.
    """
    _check_curves(curves)
    _check_range("chiller_capacity_mw", chiller_capacity_mw, 0.0, None, lo_open=True,
                 why="a chiller capacity must be positive")
    _check_range("n_chillers", n_chillers, 1.0, None, why="at least one chiller is needed")
    if float(n_chillers) != int(n_chillers):
        raise ValueError(f"n_chillers={n_chillers!r} is not a whole number of chillers")
    _check_range("cop_ref", cop_ref, 0.0, None, lo_open=True, why="a reference COP must be positive")
    for name, v in (
        ("crah_fan_kw_per_kw", crah_fan_kw_per_kw),
        ("chw_pump_kw_per_kw", chw_pump_kw_per_kw),
        ("cw_pump_kw_per_kw", cw_pump_kw_per_kw),
        ("tower_fan_kw_per_kw", tower_fan_kw_per_kw),
        ("tower_approach_k", tower_approach_k),
        ("hx_approach_k", hx_approach_k),
    ):
        _check_range(name, v, 0.0, None, why="cannot be negative")
    if not float(t_chw_return_c) > float(t_chw_supply_c):
        raise ValueError(
            f"t_chw_return_c={float(t_chw_return_c):g} is not above t_chw_supply_c={float(t_chw_supply_c):g}: "
            "chilled-water return must be warmer than supply"
        )
    (q_it, tdb, twb), template = _as_arrays(it_heat_mw, t_drybulb_c, t_wetbulb_c)
    _check_range("it_heat_mw", q_it, 0.0, None, why="IT heat cannot be negative")
    _check_wetbulb(tdb, twb)

    n_max = float(n_chillers)
    cap_ref = float(chiller_capacity_mw)
    tsup = float(t_chw_supply_c)
    nan_mask = np.isnan(q_it) | np.isnan(tdb) | np.isnan(twb)

    crah = float(crah_fan_kw_per_kw) * q_it
    pump_chw = float(chw_pump_kw_per_kw) * (q_it + crah)
    load = q_it + crah + pump_chw
    t_cw = twb + float(tower_approach_k)
    if economiser:
        f_econ = _econ_frac(twb, tsup, float(t_chw_return_c), float(tower_approach_k), float(hx_approach_k))
    else:
        f_econ = np.zeros_like(twb)
    q_econ = f_econ * load
    need = load - q_econ

    unit_avail = cap_ref * _capft(t_cw, tsup, curves)
    q_ch = np.minimum(need, n_max * unit_avail)
    deficit = need - q_ch
    with np.errstate(invalid="ignore", divide="ignore"):
        running = q_ch > 0.0
        n_fewest = np.where(running, np.maximum(np.clip(np.ceil(q_ch / unit_avail - 1e-9), 0.0, n_max), 1.0), 0.0)
        # staging: the fewest machines that carry the load, or one more where that draws less power
        # (a variable-speed machine is most efficient at part load); never more than are installed
        n_more = np.minimum(n_fewest + 1.0, n_max)
        plr_a = np.where(running, q_ch / (n_fewest * unit_avail), 0.0)
        plr_b = np.where(running, q_ch / (n_more * unit_avail), 0.0)
        cop_a = _cop(t_cw, tsup, plr_a, float(cop_ref), curves)
        cop_b = _cop(t_cw, tsup, plr_b, float(cop_ref), curves)
        use_b = running & (cop_b > cop_a)
        n_run = np.where(use_b, n_more, n_fewest)
        plr = np.where(use_b, plr_b, plr_a)
        cop = np.where(use_b, cop_b, cop_a)
        p_ch = np.where(running, q_ch / cop, 0.0)
    cop = np.where(running, cop, np.nan)

    q_rej = q_ch + p_ch + q_econ
    tower_fan = float(tower_fan_kw_per_kw) * q_rej
    pump_cw = float(cw_pump_kw_per_kw) * q_rej
    pumps = pump_chw + pump_cw
    water = cooling_tower_water_m3_per_h(
        q_rej, tdb, twb,
        pressure_pa=pressure_pa,
        approach_k=tower_approach_k,
        cycles_of_concentration=cycles_of_concentration,
        drift_frac=drift_frac,
        tower_range_k=tower_range_k,
    )
    out = {
        "chiller_power_mw": p_ch,
        "crah_fan_power_mw": crah,
        "pump_power_mw": pumps,
        "tower_fan_power_mw": tower_fan,
        "cooling_power_mw": p_ch + crah + pumps + tower_fan,
        "cooling_load_mw_th": load,
        "economiser_frac": f_econ,
        "economiser_load_mw_th": q_econ,
        "chiller_load_mw_th": q_ch,
        "chiller_cop": cop,
        "chiller_plr": plr,
        "n_chillers_running": n_run,
        "t_condenser_water_c": t_cw,
        "heat_rejected_mw": q_rej,
        **water,
        "cooling_deficit_mw": deficit,
    }
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()))
    if nan_mask.any():
        out = {k: np.where(nan_mask, np.nan, v) for k, v in out.items()}
    else:
        out = {k: np.broadcast_to(v, shape) if np.shape(v) != shape else v for k, v in out.items()}
    return _restore_dict(out, template)
