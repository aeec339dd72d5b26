"""Cooling loops of the halls for ride-through studies: what each loop holds and where its limit is.

Per hall, from the scenario and the catalogue: a chilled-water loop (air-cooled halls, and the
air share of direct-to-chip halls) whose limit is the ASHRAE TC 9.9 allowable inlet of the
scenario's class less the CRAH coil approach, and a liquid loop (immersion fluid, cold-plate
secondary loop) whose limit is the tank/CDU model's supply limit plus the catalogue margin.
The loops' temperatures at the instant come from the same cooling models the hourly run uses
(:mod:`models.air_cooling`, :mod:`models.immersion_cooling` via :mod:`twin.couple`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models import thermal
from twin import catalog
from twin.events.state import CampusState, EventError

#: dry air near 25 degC: density [kg/m3] and specific heat [J/kg/K] (ISO 2533 / standard tables)
AIR_DENSITY_KG_M3, AIR_CP_J_KG_K = 1.18, 1006.0


@dataclass
class Loop:
    hall: int
    kind: str            # "chw" | "liquid"
    share: float         # share of the hall's IT heat on this loop
    heat_capacity_j_k: float
    t0_c: float
    t_limit_c: float
    floor_frac: float
    capacity_ratio: float
    recovery_tau_s: float
    tes_energy_j: float
    tes_power_w: float
    plant_power_mw: float  # electrical power of the loop's heat rejection (chillers, or pumps + fans)


def hall_loops(state: CampusState, scenario, dyn) -> list[Loop]:
    """The cooling loops of every hall at the instant."""
    from models.psychro import STANDARD_PRESSURE_PA
    from twin.couple import _cooling_kwargs, _hall_cooling

    loops: list[Loop] = []
    water = catalog.lookup("fluids", "water")
    tes_total = sum(getattr(h.cooling, "thermal_storage_mwh_th", 0.0) for h in scenario.halls)
    for j, hall in enumerate(scenario.halls):
        rack = catalog.lookup("racks", hall.rack_model)
        it_mw = float(state.hall_it_power_mw[j])
        cap_mw = hall.racks * rack["rack_kw_max"] / 1000.0
        kind, kw = _cooling_kwargs(hall, cap_mw)
        liquid_frac = getattr(hall.cooling, "liquid_frac", None)
        if liquid_frac is None:
            liquid_frac = float(rack.get("liquid_heat_frac", 0.0))
        # site pressure where the state carries it, else standard sea level: the result is only used
        # as the ratio to the run's own cooling power (scale below), which the pressure barely moves
        p_pa = getattr(state, "ambient_pressure_pa", STANDARD_PRESSURE_PA)
        res = _hall_cooling(kind, kw, it_mw, state.ambient_drybulb_c, state.ambient_wetbulb_c, liquid_frac, p_pa)
        cool_model = float(np.asarray(res["cooling_power_mw"]))
        scale = float(state.hall_cooling_power_mw[j]) / cool_model if cool_model > 0 else 1.0
        chiller_mw = float(np.asarray(res.get("chiller_power_mw", 0.0))) * scale
        tm = catalog.lookup("cooling_thermal_mass", kind.replace("_", "-"))
        floor = float(rack["idle_frac"])
        air_share = 1.0 if kind == "air" else (1.0 - liquid_frac if kind == "direct_to_chip" else 0.0)
        if air_share > 0:
            ah = catalog.lookup("air_handlers", hall.cooling.air_handler_model)
            ta = catalog.lookup("cooling_thermal_mass", "air")  # the chilled-water side of any hall
            q_kw = it_mw * 1000.0 * air_share
            c = (ta["loop_l_per_kw"] * 1e-3 * q_kw * water["density_kg_m3"] * water["cp_j_kg_k"]
                 + ta["room_air_m3_per_kw"] * q_kw * AIR_DENSITY_KG_M3 * AIR_CP_J_KG_K)
            tes_share = (hall.cooling.thermal_storage_mwh_th / tes_total) if tes_total > 0 else 0.0
            loops.append(Loop(
                hall=j, kind="chw", share=air_share, heat_capacity_j_k=max(c, 1.0), t0_c=float(ah["t_chw_supply_c"]),
                t_limit_c=thermal.ASHRAE_ALLOWABLE_MAX_C[dyn.air_class] - ta["coil_approach_k"], floor_frac=floor,
                capacity_ratio=ta["capacity_ratio"], recovery_tau_s=ta["recovery_tau_s"],
                tes_energy_j=state.tes_soc_mwh_th * tes_share * 3.6e9,
                tes_power_w=hall.cooling.thermal_storage_mw_th * 1e6,
                plant_power_mw=chiller_mw,
            ))
        if kind in ("immersion", "direct_to_chip"):
            tank = catalog.lookup("immersion_tanks", hall.cooling.tank_model)
            fluid = catalog.lookup("fluids", hall.cooling.fluid or tank["fluid"])
            share = 1.0 if kind == "immersion" else liquid_frac
            q_kw = it_mw * 1000.0 * share
            c = tm["loop_l_per_kw"] * 1e-3 * q_kw * fluid["density_kg_m3"] * fluid["cp_j_kg_k"]
            t_sup = res.get("t_supply_c", res.get("liquid_t_supply_c", tank["t_supply_max_c"]))
            loops.append(Loop(
                hall=j, kind="liquid", share=share, heat_capacity_j_k=max(c, 1.0), t0_c=float(np.asarray(t_sup)),
                t_limit_c=tank["t_supply_max_c"] + tm["limit_margin_k"], floor_frac=floor,
                capacity_ratio=tm["capacity_ratio"], recovery_tau_s=tm["recovery_tau_s"], tes_energy_j=0.0,
                tes_power_w=0.0, plant_power_mw=max(float(state.hall_cooling_power_mw[j]) - chiller_mw, 0.0),
            ))
    return loops


def cooling_fault_loop(loops: list[Loop], state: CampusState, kind: str, hall: str) -> Loop:
    """The loop a ``chiller_loss`` / ``cdu_loss`` of ``hall`` takes away (bad input named)."""
    if hall not in state.hall:
        raise EventError(f"{kind}: {hall!r} — no such hall; halls: {', '.join(state.hall)}")
    j = state.hall.index(hall)
    want = "chw" if kind == "chiller_loss" else "liquid"
    for lp in loops:
        if lp.hall == j and lp.kind == want:
            return lp
    what = "no chillers (immersion cooling); use cdu_loss" if want == "chw" else "no CDU or liquid loop (air cooling); use chiller_loss"
    raise EventError(f"{kind}: {hall!r} — the hall has {what}")


def ride_through(loops: list[Loop], hall_it_mw: np.ndarray, avail: np.ndarray, step_s: float, dyn) -> dict:
    """Run :func:`models.thermal.ride_through` for every loop; ``hall_it_mw`` is ``(T, H)``,
    ``avail`` is ``(T, L)``."""
    q = np.column_stack([hall_it_mw[:, lp.hall] * lp.share * 1e6 for lp in loops])
    return thermal.ride_through(
        q, avail, step_s,
        heat_capacity_j_k=np.array([lp.heat_capacity_j_k for lp in loops]),
        t0_c=np.array([lp.t0_c for lp in loops]), t_limit_c=np.array([lp.t_limit_c for lp in loops]),
        band_k=dyn.throttle_band_k, floor_frac=np.array([lp.floor_frac for lp in loops]),
        capacity_ratio=np.array([lp.capacity_ratio for lp in loops]),
        recovery_tau_s=np.array([lp.recovery_tau_s for lp in loops]),
        tes_energy_j=np.array([lp.tes_energy_j for lp in loops]), tes_power_w=np.array([lp.tes_power_w for lp in loops]),
    )
