"""Liquid cooling: single-phase immersion and the liquid loop of direct-to-chip.

Heat goes from the IT into a coolant loop (pumped), and from the loop to the
outdoors through dry coolers (fans) or open cooling towers (fans + water).
"""

from __future__ import annotations

import numpy as np

from models import _as_arrays, _check_choice, _check_range, _restore_dict
from models.air_cooling import _check_wetbulb, air_cooling_power, cooling_tower_water_m3_per_h
from models.psychro import _w_from_wetbulb

__all__ = ["liquid_loop_power", "immersion_cooling_power", "direct_to_chip_cooling_power"]

_HEAT_REJECTION = ("dry_cooler", "tower")
#: specific heat of air [J/(kg K)] (ASHRAE 2017 Fundamentals ch. 1 eq. 32, dry-air term)
_CP_AIR_J_KG_K = 1006.0
_RHO_WATER_KG_M3 = 1000.0
_WATER_KEYS = ("water_evaporation_m3_per_h", "water_blowdown_m3_per_h", "water_drift_m3_per_h", "water_m3_per_h")


def liquid_loop_power(
    heat_mw,
    t_drybulb_c,
    t_wetbulb_c,
    *,
    heat_rejection="dry_cooler",
    t_supply_max_c=40.0,
    loop_dt_k=20.0,
    fluid_density_kg_m3=800.0,
    fluid_cp_j_kg_k=2200.0,
    pump_head_kpa=150.0,
    pump_eff=0.7,
    dry_cooler_capacity_mw=None,
    dry_cooler_design_approach_k=None,
    dry_cooler_design_t_drybulb_c=35.0,
    dry_cooler_fan_kw_per_kw_design=0.02,
    dry_cooler_ua_speed_exponent=0.8,
    dry_cooler_min_speed_frac=0.1,
    dry_cooler_adiabatic=False,
    dry_cooler_adiabatic_effectiveness=0.0,
    dry_cooler_adiabatic_switch_on_c=26.0,
    dry_cooler_design_air_rise_k=10.0,
    tower_approach_k=3.9,
    hx_approach_k=2.2,
    tower_fan_kw_per_kw=0.013,
    cycles_of_concentration=5.0,
    drift_frac=0.0002,
    tower_range_k=5.6,
    secondary_pump_kw_per_kw=0.012,
    pressure_pa=101325.0,
):
    r"""Electric power, water and supply temperature of a liquid cooling loop.

    Parameters
    ----------
    heat_mw : float, ndarray or DataArray
        Heat picked up by the coolant [MW].
    t_drybulb_c, t_wetbulb_c : float, ndarray or DataArray
        Ambient dry-bulb and wet-bulb temperatures [°C].
    heat_rejection : {"dry_cooler", "tower"}, default "dry_cooler"
        How the loop rejects heat.
    t_supply_max_c : float, default 40.0
        Highest allowed coolant supply temperature to the IT [°C].
        Engineering choice; ASHRAE W-classes reach 45 °C facility water and
        LBNL assumes W45 for liquid-cooled AI [1]_.
    loop_dt_k : float, default 20.0
        Coolant temperature rise across the IT [K]; 20-35 K is reported for
        single-phase immersion (weak source [2]_).
    fluid_density_kg_m3, fluid_cp_j_kg_k : float, default 800.0, 2200.0
        Coolant density [kg/m³] and specific heat [J/(kg K)]. Published
        properties of single-phase hydrocarbon / PAO coolants are a GAP:
        engineering values typical of a light PAO near 40 °C.
    pump_head_kpa : float, default 150.0
        Pressure rise of the coolant pumps [kPa]. Engineering assumption.
    pump_eff : float, default 0.7
        Pump wire-to-fluid efficiency [fraction]. Engineering assumption.
    dry_cooler_capacity_mw : float, optional
        Heat the dry coolers reject at full fan speed at the design approach
        [MW]. Required when ``heat_rejection="dry_cooler"``.
    dry_cooler_design_approach_k : float, optional
        Supply-minus-dry-bulb approach at design capacity and full speed [K].
        Default: ``t_supply_max_c - dry_cooler_design_t_drybulb_c``, i.e. the
        coolers just hold the supply limit at full load on the design day.
    dry_cooler_design_t_drybulb_c : float, default 35.0
        Design dry-bulb [°C]; engineering choice for tropical sites. Used only
        to derive the default design approach.
    dry_cooler_fan_kw_per_kw_design : float, default 0.02
        Fan power at full speed per kW of design capacity [kW/kW].
        Engineering assumption (no sourced figure).
    dry_cooler_ua_speed_exponent : float, default 0.8
        Exponent m in UA ∝ speed^m [-]; engineering assumption (air-side
        film coefficient of turbulent flow ∝ velocity^0.8).
    dry_cooler_min_speed_frac : float, default 0.1
        Lowest fan speed while the loop carries heat [fraction]. Assumption.
    dry_cooler_adiabatic : bool, default False
        Whether the dry cooler has evaporative (adiabatic) pre-cooling pads.
    dry_cooler_adiabatic_effectiveness : float, default 0.0
        Share of the wet-bulb depression the pads remove [fraction] (the
        saturation effectiveness of EnergyPlus's direct evaporative cooler,
        [6]_).
    dry_cooler_adiabatic_switch_on_c : float, default 26.0
        Dry-bulb above which the pads are wetted [°C]. Engineering assumption
        (below it the dry coil holds the W-class supply at part load; wetting
        costs water).
    dry_cooler_design_air_rise_k : float, default 10.0
        Air temperature rise through the coil at design capacity and full
        fan speed [K]; it sets the air flow through the pads,
        :math:`\dot m_{air} = s\,Q_d / (c_{p,a} \Delta T_{air})`. Engineering
        assumption.
    tower_approach_k, hx_approach_k : float, default 3.9, 2.2
        Tower approach to wet-bulb and tower-water/coolant heat-exchanger
        approach [K] (ranges 2.8-6.7 K and 1.7-2.8 K, [3]_).
    tower_fan_kw_per_kw : float, default 0.013
        Tower fan power per kW rejected [kW/kW] (ASHRAE 90.1 minimum, see
        :func:`models.air_cooling.air_cooling_power`).
    cycles_of_concentration, drift_frac, tower_range_k : float
        Tower water, see :func:`models.air_cooling.cooling_tower_water_m3_per_h`.
    secondary_pump_kw_per_kw : float, default 0.012
        Facility-water (or condenser-water) pump power per kW rejected
        [kW/kW]; same derivation as the condenser pump of the air plant.
    pressure_pa : float, ndarray or DataArray, default 101325
        Site air pressure [Pa], for the tower's psychrometrics.

    Returns
    -------
    dict
        - ``pump_power_mw``: coolant + secondary pumps [MW];
        - ``fan_power_mw``: dry-cooler or tower fans [MW];
        - ``cooling_power_mw``: their sum [MW];
        - ``coolant_flow_m3_per_s`` [m³/s], ``fan_speed_frac`` [fraction];
        - ``heat_rejected_mw`` (heat + coolant-pump work) [MW];
        - ``water_evaporation_m3_per_h``, ``water_blowdown_m3_per_h``,
          ``water_drift_m3_per_h``, ``water_m3_per_h`` (zero for dry
          coolers without wetted pads) [m³/h];
        - ``t_supply_c``: coolant supply temperature reached [°C];
        - ``cooling_deficit_mw``: heat that cannot be removed while holding
          the supply at or below ``t_supply_max_c`` [MW].

    Raises
    ------
    ValueError
        For an unknown ``heat_rejection``, a missing dry-cooler capacity,
        negative heat, wet-bulb above dry-bulb or out-of-range coefficients.

    Notes
    -----
    **Pumps.** Flow :math:`\dot V = Q / (\rho c_p \Delta T)`; hydraulic power
    :math:`\dot V \Delta p / \eta`. The pump work ends as heat in the loop,
    so :math:`Q_{rej} = Q + P_{pump}`.

    **Dry cooler** (UA type, effectiveness-NTU with the coolant as the
    smaller capacity rate, :math:`\varepsilon = 1 - e^{-NTU}`). With the
    loop difference :math:`\Delta T` fixed, the supply approach
    :math:`a = T_{sup} - T_{db} = \Delta T (1 - \varepsilon)/\varepsilon`, so
    the removable heat is proportional to :math:`T_{in} - T_{db}` through
    :math:`\varepsilon`. At the design point
    :math:`NTU_d = \ln(1 + \Delta T / a_d)`. Holding :math:`T_{sup} = T_{max}`
    at ambient :math:`T_{db}` needs
    :math:`NTU = \ln(1 + \Delta T / (T_{max} - T_{db}))` and, since
    :math:`NTU = UA/C` with :math:`C = Q_{rej}/\Delta T`:

    .. math::

        s = \left(\frac{NTU}{NTU_d}\,\frac{Q_{rej}}{Q_d}\right)^{1/m}, \qquad
        P_{fan} = k_{fan}\,Q_d\,\mathrm{clip}(s, s_{min}, 1)^3

    (fan affinity law). When :math:`s > 1` the fans run flat out, the supply
    temperature rises above the limit and the heat that cannot be removed at
    the limit, :math:`Q_{rej} - Q_d\,NTU_d/NTU`, is reported as
    ``cooling_deficit_mw``; when :math:`T_{db} \ge T_{max}` all of it is.

    **Adiabatic pre-cooling** (when ``dry_cooler_adiabatic`` and
    :math:`T_{db} >` the switch-on temperature). The air approaches its
    wet-bulb along a line of constant wet-bulb, as EnergyPlus's direct
    evaporative cooler [6]_: :math:`T_{in} = T_{db} - \varepsilon_{pad}(T_{db} - T_{wb})`,
    and the dry-cooler relations above use :math:`T_{in}` for :math:`T_{db}`.
    The pads evaporate :math:`\dot m_{air}\,(W(T_{in}, T_{wb}) - W(T_{db}, T_{wb}))`
    (ASHRAE 2017 psychrometrics at ``pressure_pa``) and bleed
    :math:`E/(COC - 1)` to limit scaling (``cycles_of_concentration``).

    **Tower.** The coolest supply possible is
    :math:`T_{tw} = T_{wb} + \Delta T_{tower} + \Delta T_{hx}`. If that is
    above :math:`T_{max}`, the share of the loop's :math:`\Delta T` the tower
    cannot cover is the deficit:
    :math:`Q_{rej}\,\mathrm{clip}((T_{tw} - T_{max})/\Delta T, 0, 1)`.
    Fans scale with :math:`Q_{rej}`; water as for the air plant.

    References
    ----------
    .. [1] Shehabi, A., et al. (2024). 2024 United States Data Center Energy
       Usage Report. LBNL-2001637, Table 4.3 (W45 for liquid-cooled AI).
    .. [2] Alliance Chemical, blog on single-phase immersion coolants (loop
       temperature rise 20-35 °C). Weak source.
    .. [3] Lei, N., Masanet, E. (2022). Resources, Conservation and
       Recycling, 182, 106323 (assumption table).
    .. [4] Incropera, F. P., DeWitt, D. P., et al. Fundamentals of Heat and
       Mass Transfer, effectiveness-NTU relations (C_r = 0).
    .. [5] ENERGY STAR, "Variable speed fan drives": fan affinity law.
    .. [6] U.S. DOE, EnergyPlus Engineering Reference, "Direct Evaporative
       Cooler" (EvaporativeCooler:Direct:CelDekPad / ResearchSpecial): outlet
       dry-bulb :math:`T_{db} - \varepsilon (T_{db} - T_{wb})` at the inlet
       wet-bulb; water from the humidity-ratio rise.
    """
    _check_choice("heat_rejection", heat_rejection, _HEAT_REJECTION)
    for name, v in (
        ("loop_dt_k", loop_dt_k),
        ("fluid_density_kg_m3", fluid_density_kg_m3),
        ("fluid_cp_j_kg_k", fluid_cp_j_kg_k),
    ):
        _check_range(name, v, 0.0, None, lo_open=True, why="must be positive")
    _check_range("pump_eff", pump_eff, 0.0, 1.0, lo_open=True, why="an efficiency is in (0, 1]")
    for name, v in (
        ("pump_head_kpa", pump_head_kpa),
        ("secondary_pump_kw_per_kw", secondary_pump_kw_per_kw),
        ("tower_approach_k", tower_approach_k),
        ("hx_approach_k", hx_approach_k),
        ("tower_fan_kw_per_kw", tower_fan_kw_per_kw),
        ("dry_cooler_fan_kw_per_kw_design", dry_cooler_fan_kw_per_kw_design),
    ):
        _check_range(name, v, 0.0, None, why="cannot be negative")
    (q, tdb, twb, p_pa), template = _as_arrays(heat_mw, t_drybulb_c, t_wetbulb_c, pressure_pa)
    _check_range("heat_mw", q, 0.0, None, why="heat to the coolant cannot be negative")
    _check_wetbulb(tdb, twb)
    nan_mask = np.isnan(q) | np.isnan(tdb) | np.isnan(twb)
    dt = float(loop_dt_k)
    t_max = float(t_supply_max_c)

    flow = q * 1e6 / (float(fluid_density_kg_m3) * float(fluid_cp_j_kg_k) * dt)
    p_pump = flow * float(pump_head_kpa) * 1e3 / float(pump_eff) / 1e6
    q_rej = q + p_pump
    p_sec = float(secondary_pump_kw_per_kw) * q_rej
    zeros = np.zeros(np.broadcast_shapes(q.shape, tdb.shape, twb.shape))

    if heat_rejection == "dry_cooler":
        if dry_cooler_capacity_mw is None:
            raise ValueError(
                "dry_cooler_capacity_mw=None: a dry-cooler capacity is needed with heat_rejection='dry_cooler'"
            )
        _check_range("dry_cooler_capacity_mw", dry_cooler_capacity_mw, 0.0, None, lo_open=True,
                     why="a dry-cooler capacity must be positive")
        if dry_cooler_design_approach_k is None:
            a_d = t_max - float(dry_cooler_design_t_drybulb_c)
            if not a_d > 0.0:
                raise ValueError(
                    f"dry_cooler_design_t_drybulb_c={float(dry_cooler_design_t_drybulb_c):g} is not below "
                    f"t_supply_max_c={t_max:g}: a dry cooler cannot cool below the air temperature"
                )
        else:
            _check_range("dry_cooler_design_approach_k", dry_cooler_design_approach_k, 0.0, None, lo_open=True,
                         why="a dry-cooler approach must be positive")
            a_d = float(dry_cooler_design_approach_k)
        _check_range("dry_cooler_ua_speed_exponent", dry_cooler_ua_speed_exponent, 0.0, None, lo_open=True,
                     why="must be positive")
        _check_range("dry_cooler_min_speed_frac", dry_cooler_min_speed_frac, 0.0, 1.0, why="must be a fraction")
        q_d = float(dry_cooler_capacity_mw)
        m = float(dry_cooler_ua_speed_exponent)
        ntu_d = np.log1p(dt / a_d)
        _check_range("dry_cooler_adiabatic_effectiveness", dry_cooler_adiabatic_effectiveness, 0.0, 1.0,
                     why="a pad effectiveness is a fraction of the wet-bulb depression")
        _check_range("dry_cooler_design_air_rise_k", dry_cooler_design_air_rise_k, 0.0, None, lo_open=True,
                     why="an air temperature rise must be positive")
        wet = np.zeros(zeros.shape, dtype=bool)
        if dry_cooler_adiabatic and float(dry_cooler_adiabatic_effectiveness) > 0.0:
            with np.errstate(invalid="ignore"):
                wet = (tdb > float(dry_cooler_adiabatic_switch_on_c)) & (tdb > twb) & (q > 0.0)
            t_air = np.where(wet, tdb - float(dry_cooler_adiabatic_effectiveness) * (tdb - twb), tdb)
        else:
            t_air = tdb + zeros
        a = t_max - t_air
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ntu_req = np.where(a > 0.0, np.log1p(dt / np.where(a > 0.0, a, 1.0)), np.inf)
            q_max = q_d * ntu_d / ntu_req  # 0 where a <= 0
            s_req = (ntu_req / ntu_d * q_rej / q_d) ** (1.0 / m)
            carrying = q_rej > 0.0
            s = np.where(carrying, np.clip(s_req, float(dry_cooler_min_speed_frac), 1.0), 0.0)
            ntu = ntu_d * s**m * q_d / q_rej
            eps = -np.expm1(-ntu)
            t_sup = np.where(carrying, t_air + dt * (1.0 - eps) / eps, t_air)
        # exact set point where the fans can hold it (removes round-off)
        holding = carrying & (s_req >= float(dry_cooler_min_speed_frac)) & (s_req <= 1.0)
        t_sup = np.where(holding, t_max, t_sup)
        fan = float(dry_cooler_fan_kw_per_kw_design) * q_d * s**3
        deficit = np.maximum(q_rej - q_max, 0.0)
        if wet.any():
            air_kg_s = s * q_d * 1e6 / (_CP_AIR_J_KG_K * float(dry_cooler_design_air_rise_k))
            dw = np.maximum(_w_from_wetbulb(t_air, twb, p_pa) - _w_from_wetbulb(tdb, twb, p_pa), 0.0)
            evap = np.where(wet, air_kg_s * dw * 3600.0 / _RHO_WATER_KG_M3, 0.0)
            _check_range("cycles_of_concentration", cycles_of_concentration, 1.0, None, lo_open=True,
                         why="blowdown needs more than one cycle of concentration")
            bleed = evap / (float(cycles_of_concentration) - 1.0)
        else:
            evap = bleed = zeros
        water = {
            "water_evaporation_m3_per_h": evap,
            "water_blowdown_m3_per_h": bleed,
            "water_drift_m3_per_h": zeros,
            "water_m3_per_h": evap + bleed,
        }
        speed = s
    else:
        t_tw = twb + float(tower_approach_k) + float(hx_approach_k)
        short = np.clip((t_tw - t_max) / dt, 0.0, 1.0)
        deficit = q_rej * short
        t_sup = np.maximum(t_tw, t_max)
        fan = float(tower_fan_kw_per_kw) * q_rej
        water = cooling_tower_water_m3_per_h(
            q_rej, tdb, twb, pressure_pa=p_pa, approach_k=tower_approach_k,
            tower_range_k=tower_range_k, cycles_of_concentration=cycles_of_concentration,
            drift_frac=drift_frac)
        water = {k: np.asarray(water[k], dtype=float) for k in _WATER_KEYS}
        speed = np.where(q_rej > 0.0, 1.0, 0.0)

    pumps = p_pump + p_sec
    out = {
        "pump_power_mw": pumps,
        "fan_power_mw": fan,
        "cooling_power_mw": pumps + fan,
        "coolant_flow_m3_per_s": flow,
        "fan_speed_frac": speed,
        "heat_rejected_mw": q_rej,
        **water,
        "t_supply_c": t_sup,
        "cooling_deficit_mw": deficit,
    }
    if nan_mask.any():
        out = {k: np.where(nan_mask, np.nan, v + zeros) for k, v in out.items()}
    else:
        out = {k: v if np.shape(v) == zeros.shape else v + zeros for k, v in out.items()}
    return _restore_dict(out, template)


def immersion_cooling_power(it_heat_mw, t_drybulb_c, t_wetbulb_c, **kw):
    r"""Cooling power of single-phase immersion: all IT heat goes to the fluid.

    Parameters
    ----------
    it_heat_mw : float, ndarray or DataArray
        IT heat [MW].
    t_drybulb_c, t_wetbulb_c : float, ndarray or DataArray
        Ambient dry-bulb and wet-bulb temperatures [°C].
    **kw
        Keyword arguments of :func:`liquid_loop_power`.

    Returns
    -------
    dict
        As :func:`liquid_loop_power`.

    Notes
    -----
    Immersion also removes the server fans, so the IT power itself is lower
    than for the same servers in air; that saving belongs to the rack
    catalogue (``rack_kw_max``), not to this function.

    References
    ----------
    .. [1] See :func:`liquid_loop_power`.
    """
    return liquid_loop_power(it_heat_mw, t_drybulb_c, t_wetbulb_c, **kw)


_SUM_KEYS = (
    "cooling_power_mw",
    "pump_power_mw",
    "heat_rejected_mw",
    "water_evaporation_m3_per_h",
    "water_blowdown_m3_per_h",
    "water_drift_m3_per_h",
    "water_m3_per_h",
    "cooling_deficit_mw",
)


def direct_to_chip_cooling_power(
    it_heat_mw,
    t_drybulb_c,
    t_wetbulb_c,
    *,
    liquid_frac=0.75,
    room_heat_mw=0.0,
    air_kw=None,
    loop_kw=None,
):
    r"""Cooling of direct-to-chip (cold-plate) halls: liquid loop + air residual.

    Parameters
    ----------
    it_heat_mw : float, ndarray or DataArray
        IT heat [MW].
    t_drybulb_c, t_wetbulb_c : float, ndarray or DataArray
        Ambient dry-bulb and wet-bulb temperatures [°C].
    liquid_frac : float, default 0.75
        Share of the IT heat captured by the cold plates [fraction]. 75 % is
        the hybrid case of the Vertiv/NVIDIA study [1]_.
    room_heat_mw : float, ndarray or DataArray, default 0.0
        Heat of the hall's electrical rooms (UPS, transformers) [MW]; it goes
        to the chilled-water (air) part, which serves the rooms' CRAHs.
    air_kw : dict, optional
        Keyword arguments for :func:`models.air_cooling.air_cooling_power`
        (at least ``chiller_capacity_mw`` and ``n_chillers``).
    loop_kw : dict, optional
        Keyword arguments for :func:`liquid_loop_power`.

    Returns
    -------
    dict
        Summed ``cooling_power_mw``, ``pump_power_mw``, ``fan_power_mw``
        (CRAH + tower fans + loop fans), ``heat_rejected_mw``, water keys and
        ``cooling_deficit_mw``; the air part's ``chiller_power_mw`` and
        ``chiller_load_mw_th``; plus every key of the two parts prefixed
        ``air_`` and ``liquid_``.

    Raises
    ------
    ValueError
        If ``liquid_frac`` is outside [0, 1] or a part rejects its inputs.

    Notes
    -----
    :math:`Q_{liq} = f Q_{IT}` goes to :func:`liquid_loop_power`,
    :math:`(1-f) Q_{IT} + Q_{room}` to the chilled-water plant. In [1]_, going from 100 %
    air to 75 % direct-to-chip cut facility power by 18.1 % and total site
    power by 10.2 % but PUE by only 3.3 %, because server fan power leaves the
    IT load: as for immersion, that IT-side saving belongs to the rack
    catalogue.

    References
    ----------
    .. [1] Vertiv and NVIDIA, "Power Usage Effectiveness Analysis of a
       High-Density Air-Liquid Hybrid Cooled Data Center", ASME (InterPACK);
       summarised in the Vertiv blog "Understanding the limitations of PUE".
    """
    _check_range("liquid_frac", liquid_frac, 0.0, 1.0, why="a share of IT heat is a fraction")
    f = float(liquid_frac)
    liquid = liquid_loop_power(it_heat_mw * f, t_drybulb_c, t_wetbulb_c, **(loop_kw or {}))
    air = air_cooling_power(it_heat_mw * (1.0 - f) + room_heat_mw, t_drybulb_c, t_wetbulb_c, **(air_kw or {}))
    out = {k: air[k] + liquid[k] for k in _SUM_KEYS}
    out["fan_power_mw"] = air["crah_fan_power_mw"] + air["tower_fan_power_mw"] + liquid["fan_power_mw"]
    out["chiller_power_mw"] = air["chiller_power_mw"]
    out["chiller_load_mw_th"] = air["chiller_load_mw_th"]
    out.update({f"air_{k}": v for k, v in air.items()})
    out.update({f"liquid_{k}": v for k, v in liquid.items()})
    return out
