"""One registry of run variables: name, dimensions, unit and meaning.

The registry feeds the Dataset attributes (``units``, ``long_name``), the report's axis
labels and the app's tooltips, so they cannot disagree.  Modules that add a variable to a
run Dataset call :func:`annotate` (or :func:`da`) so the attributes always come from here.

The run Dataset is built in three layers, each adding variables on the same coordinates:

1. **physics** (:mod:`twin.couple`): exogenous series, IT / cooling / losses from the models,
   what each source *could* supply (derated gas capacity and fuel curves, solar potential),
   prices, and the campus's scalar parameters as 0-d variables.  This layer is everything a
   dispatcher needs: it never reads the scenario again.
2. **dispatch** (:mod:`twin.baseline` or :mod:`twin.optimise`): decisions — generation and
   commitment per unit, grid import, solar used, battery, thermal storage, shifted load, shed.
3. **settle** (:mod:`twin.settle`): physics again on the dispatch — fuel, LNG tank, CO2,
   water, cost, ``supply_mw`` by source, PUE, reserve margin and the energy-balance residual.
"""

from __future__ import annotations

from dataclasses import dataclass

import xarray as xr


@dataclass(frozen=True)
class Variable:
    name: str
    dims: tuple[str, ...]
    units: str
    long_name: str
    layer: str  # "physics" | "dispatch" | "settle"


_T = ("time",)
_TU = ("time", "unit")
_TH = ("time", "hall")
_U = ("unit",)
_0 = ()

_ROWS: list[tuple[str, tuple[str, ...], str, str, str]] = [
    # ---- physics: weather and prices -------------------------------------------------
    ("ambient_drybulb_c", _T, "degC", "ambient dry-bulb temperature", "physics"),
    ("ambient_wetbulb_c", _T, "degC", "ambient wet-bulb temperature", "physics"),
    ("ambient_rh_frac", _T, "1", "ambient relative humidity", "physics"),
    ("ambient_pressure_pa", _T, "Pa", "ambient (station) air pressure", "physics"),
    ("ghi_w_m2", _T, "W m-2", "global horizontal irradiance", "physics"),
    ("grid_price_usd_per_mwh", _T, "USD/MWh", "grid energy price (time of use, incl. surcharges)", "physics"),
    ("tou_period", _T, "1", "grid time-of-use period", "physics"),
    # ---- physics: load -----------------------------------------------------------------
    ("hall_it_power_mw", _TH, "MW", "IT power per data hall", "physics"),
    ("hall_cooling_power_mw", _TH, "MW", "cooling electrical power per data hall", "physics"),
    ("hall_electrical_heat_mw", _TH, "MW", "UPS and transformer heat added to the hall's cooling load", "physics"),
    ("hall_cooling_deficit_mw", _TH, "MW", "heat the hall's cooling cannot remove", "physics"),
    ("hall_water_m3", _TH, "m3", "cooling make-up water per hall in the step", "physics"),
    ("it_training_mw", _T, "MW", "IT power above idle attributable to training", "physics"),
    ("it_power_mw", _T, "MW", "IT power (all halls)", "physics"),
    ("cooling_power_mw", _T, "MW", "cooling electrical power (all halls)", "physics"),
    ("chiller_power_mw", _T, "MW", "chiller compressor power (air-cooled halls)", "physics"),
    ("chiller_cop", _T, "1", "chiller coefficient of performance (load-weighted)", "physics"),
    ("chiller_load_mw_th", _T, "MW", "heat removed by chillers (air-cooled halls)", "physics"),
    ("losses_mw", _T, "MW", "UPS and transformer losses", "physics"),
    ("facility_power_mw", _T, "MW", "facility power = IT + cooling + losses", "physics"),
    ("facility_mw_per_it_mw", _T, "1", "marginal facility power per MW of IT power", "physics"),
    ("cooling_deficit_mw", _T, "MW", "heat the cooling plant cannot remove (all halls)", "physics"),
    ("water_m3", _T, "m3", "cooling make-up water in the step", "physics"),
    # ---- physics: supply potential -------------------------------------------------------
    ("gas_available_mw", _TU, "MW", "gas unit maximum output at ambient (derated)", "physics"),
    ("gas_curve_mw", ("time", "unit", "point"), "MW", "fuel-curve break points: output", "physics"),
    ("gas_curve_fuel_gj_per_h", ("time", "unit", "point"), "GJ/h", "fuel-curve break points: fuel rate (LHV)", "physics"),
    ("solar_available_mw", _T, "MW", "PV AC output available", "physics"),
    # ---- physics: per-unit parameters ------------------------------------------------------
    ("unit_model", _U, "1", "gas unit catalogue model", "physics"),
    ("unit_kind", _U, "1", "gas unit kind (ccgt, gt, engine)", "physics"),
    ("unit_group", _U, "1", "identical-unit group", "physics"),
    ("unit_rated_mw", _U, "MW", "gas unit ISO rating", "physics"),
    ("unit_min_load_frac", _U, "1", "minimum stable load as a fraction of available output", "physics"),
    ("unit_ramp_mw_per_h", _U, "MW/h", "ramp limit", "physics"),
    ("unit_min_up_h", _U, "h", "minimum up time", "physics"),
    ("unit_min_down_h", _U, "h", "minimum down time", "physics"),
    ("unit_start_cost_hot_usd", _U, "USD", "start-up cost, hot start", "physics"),
    ("unit_start_cost_warm_usd", _U, "USD", "start-up cost, warm start", "physics"),
    ("unit_start_cost_cold_usd", _U, "USD", "start-up cost, cold start", "physics"),
    ("unit_hot_max_offline_h", _U, "h", "longest time offline for a hot start", "physics"),
    ("unit_warm_max_offline_h", _U, "h", "longest time offline for a warm start", "physics"),
    ("unit_vom_usd_per_mwh", _U, "USD/MWh", "variable O&M cost", "physics"),
    ("unit_initial_on", _U, "1", "unit running before the first step", "physics"),
    ("unit_eff_full_lhv", _U, "1", "full-load ISO efficiency (LHV)", "physics"),
    ("unit_heat_rate_frac_per_k", _U, "1/K", "heat-rate increase per K above ISO ambient", "physics"),
    # ---- physics: scalar campus parameters -------------------------------------------------
    ("grid_capacity_mw", _0, "MW", "grid feed capacity (0 = islanded)", "physics"),
    ("grid_export_allowed", _0, "1", "grid export allowed (1) or not (0)", "physics"),
    ("unit_heat_rate_frac_per_k_below_iso", _U, "1/K", "heat-rate decrease per K below ISO ambient", "physics"),
    ("grid_co2_t_per_mwh", _0, "t/MWh", "grid CO2 intensity", "physics"),
    ("grid_demand_charge_usd_per_mw_month", _0, "USD/MW/month", "grid demand charge on the monthly peak", "physics"),
    ("grid_n1_capacity_mw", _0, "MW", "grid import capacity left after losing the largest circuit", "physics"),
    ("grid_circuits", _0, "1", "circuits of the grid feed", "physics"),
    ("grid_circuit_mw", _0, "MW", "rating of each grid circuit", "physics"),
    ("battery_power_mw", _0, "MW", "battery power rating", "physics"),
    ("battery_energy_mwh", _0, "MWh", "battery energy capacity", "physics"),
    ("battery_eff_charge", _0, "1", "battery one-way charge efficiency", "physics"),
    ("battery_eff_discharge", _0, "1", "battery one-way discharge efficiency", "physics"),
    ("battery_soc_min_frac", _0, "1", "battery minimum state of charge", "physics"),
    ("battery_soc_max_frac", _0, "1", "battery maximum state of charge", "physics"),
    ("battery_soc_initial_frac", _0, "1", "battery initial state of charge", "physics"),
    ("battery_self_discharge_frac_per_day", _0, "1/day", "battery self-discharge", "physics"),
    ("battery_degradation_usd_per_mwh", _0, "USD/MWh", "battery throughput (degradation) cost per MWh discharged", "physics"),
    ("tes_capacity_mwh_th", _0, "MWh", "chilled-water thermal storage capacity", "physics"),
    ("tes_power_mw_th", _0, "MW", "chilled-water thermal storage charge/discharge limit", "physics"),
    ("tes_loss_frac_per_h", _0, "1/h", "chilled-water storage standing loss", "physics"),
    ("flex_training_frac", _0, "1", "share of training energy that may move in time", "physics"),
    ("flex_window_h", _0, "h", "window within which flexible training energy must be served", "physics"),
    ("it_capacity_mw", _0, "MW", "IT capacity of all halls (racks at full power)", "physics"),
    ("lng_price_usd_per_gj", _0, "USD/GJ", "delivered LNG price (LHV basis)", "physics"),
    ("lng_lhv_gj_per_t", _0, "GJ/t", "LNG lower heating value", "physics"),
    ("lng_tank_capacity_t", _0, "t", "LNG tank capacity", "physics"),
    ("lng_tank_initial_t", _0, "t", "LNG tank level at the start", "physics"),
    ("lng_price_usd_per_mmbtu_quoted", _0, "USD/MMBtu", "LNG price as quoted", "physics"),
    ("lng_price_basis_hhv", _0, "1", "LNG price quoted on HHV (1) or LHV (0)", "physics"),
    ("lng_tank_min_t", _0, "t", "LNG tank minimum (heel) level", "physics"),
    ("lng_hhv_gj_per_t", _0, "GJ/t", "LNG higher heating value", "physics"),
    ("gas_hhv_per_lhv", _0, "1", "HHV / LHV ratio of the LNG", "physics"),
    ("lng_delivery_t", _0, "t", "LNG delivered per cargo/truck batch", "physics"),
    ("lng_delivery_interval_h", _0, "h", "LNG delivery cadence", "physics"),
    ("lng_boil_off_frac_per_day", _0, "1/day", "LNG tank boil-off", "physics"),
    ("gas_co2_t_per_gj", _0, "t/GJ", "CO2 per GJ of natural gas (LHV)", "physics"),
    ("carbon_price_usd_per_t", _0, "USD/t", "carbon price", "physics"),
    ("co2_cap_t", _0, "t", "emissions cap over the period (NaN = none)", "physics"),
    ("water_price_usd_per_m3", _0, "USD/m3", "water price", "physics"),
    ("voll_usd_per_mwh", _0, "USD/MWh", "value of lost load (price of unserved energy)", "physics"),
    ("reserve_shortfall_usd_per_mwh", _0, "USD/MWh", "price of N-1 reserve shortfall", "physics"),
    ("cooling_deficit_usd_per_mwh", _0, "USD/MWh", "price of unmet cooling (per MWh of heat)", "physics"),
    # ---- dispatch -----------------------------------------------------------------------------
    ("gen_mw", _TU, "MW", "gas unit output", "dispatch"),
    ("unit_on", _TU, "1", "gas unit committed (1) or off (0)", "dispatch"),
    ("unit_start", _TU, "1", "gas unit start-up in the step", "dispatch"),
    ("grid_import_mw", _T, "MW", "grid import (negative = export)", "dispatch"),
    ("solar_mw", _T, "MW", "PV output used", "dispatch"),
    ("curtailed_mw", _T, "MW", "PV output curtailed", "dispatch"),
    ("battery_discharge_mw", _T, "MW", "battery discharge (AC)", "dispatch"),
    ("battery_charge_mw", _T, "MW", "battery charge (AC)", "dispatch"),
    ("battery_soc_mwh", _T, "MWh", "battery state of charge at the end of the step", "dispatch"),
    ("tes_charge_mw_th", _T, "MW", "chilled-water storage charging (extra chiller duty)", "dispatch"),
    ("tes_discharge_mw_th", _T, "MW", "chilled-water storage discharging (chiller duty avoided)", "dispatch"),
    ("tes_soc_mwh_th", _T, "MWh", "chilled-water storage level at the end of the step", "dispatch"),
    ("it_shift_mw", _T, "MW", "IT power moved into (+) or out of (-) this step", "dispatch"),
    ("unserved_mw", _T, "MW", "load shed (unserved)", "dispatch"),
    ("reserve_required_mw", _T, "MW", "N-1 reserve required (largest running unit)", "dispatch"),
    ("reserve_shortfall_mw", _T, "MW", "N-1 reserve not covered", "dispatch"),
    ("marginal_price_usd_per_mwh", _T, "USD/MWh", "marginal cost of power (dual of the power balance)", "dispatch"),
    # ---- settle ---------------------------------------------------------------------------------
    ("supply_mw", ("time", "source"), "MW", "power supplied by source (battery: discharge)", "settle"),
    ("fuel_gj", _TU, "GJ", "fuel burnt per unit in the step (LHV)", "settle"),
    ("lng_t", _T, "t", "LNG burnt in the step", "settle"),
    ("lng_tank_t", _T, "t", "LNG tank level at the end of the step", "settle"),
    ("lng_delivered_t", _T, "t", "LNG delivered in the step", "settle"),
    ("lng_boil_off_t", _T, "t", "LNG boil-off in the step", "settle"),
    ("lng_shortfall_t", _T, "t", "LNG the tank could not supply", "settle"),
    ("co2_t", _T, "t", "CO2 emitted in the step (gas + grid)", "settle"),
    ("cost_usd", ("time", "cost_item"), "USD", "cost in the step by item", "settle"),
    ("reserve_margin_mw", _T, "MW", "headroom left after the worst single contingency (largest running unit or one grid circuit)", "settle"),
    ("lng_scheduled_t", _T, "t", "LNG cargo due in the step", "settle"),
    ("lng_refused_t", _T, "t", "LNG cargo refused in the step (tank full)", "settle"),
    ("lng_drawn_t", _T, "t", "LNG drawn from the tank as liquid for fuel", "settle"),
    ("lng_flared_t", _T, "t", "boil-off flared (not burnt in the units)", "settle"),
    ("co2_flare_t", _T, "t", "CO2 of flared boil-off in the step", "settle"),
    ("pue", _T, "1", "power usage effectiveness", "settle"),
    ("balance_residual_mw", _T, "MW", "supply - charge + unserved - facility power (must be 0)", "settle"),
    # ---- plan (twin.plan: phase x technology) -------------------------------------------------------
    ("plan_units", ("phase", "technology"), "1", "gas units of the model in service", "plan"),
    ("plan_units_built", ("phase", "technology"), "1", "gas units of the model built at the phase's start", "plan"),
    ("plan_capacity_mw", ("phase", "technology"), "MW", "capacity in service (gas ISO rating, battery power, "
     "PV MWp, grid contract, cooling: IT served)", "plan"),
    ("plan_energy_mwh", ("phase", "technology"), "MWh", "storage energy in service", "plan"),
    ("plan_cooling", ("phase", "hall"), "1", "cooling chosen for the hall", "plan"),
    ("plan_grid_option", ("phase",), "1", "grid contract energised", "plan"),
    ("plan_phase_start", ("phase",), "1", "phase start date", "plan"),
    ("plan_it_capacity_mw", ("phase",), "MW", "IT capacity in service", "plan"),
    ("plan_capex_usd", ("phase",), "USD", "overnight capex of what is built at the phase's start", "plan"),
    ("plan_fom_usd_per_yr", ("phase",), "USD/yr", "fixed O&M of everything in service", "plan"),
    ("plan_fuel_gj_per_yr", ("phase",), "GJ/yr", "fuel burnt per year (LHV, representative days)", "plan"),
    ("plan_fuel_usd_per_yr", ("phase",), "USD/yr", "fuel cost per year at the scenario's LNG price", "plan"),
    ("plan_co2_t_per_yr", ("phase",), "t/yr", "CO2 per year (gas + grid, representative days)", "plan"),
    ("plan_carbon_usd_per_yr", ("phase",), "USD/yr", "carbon cost per year at the scenario's carbon price", "plan"),
    ("plan_other_op_usd_per_yr", ("phase",), "USD/yr", "grid, VOM, starts, battery throughput, slacks per year", "plan"),
    ("plan_op_usd_per_yr", ("phase",), "USD/yr", "operating cost per year, plan estimate (representative days)", "plan"),
    ("plan_op_full_year_usd_per_yr", ("phase",), "USD/yr", "operating cost per year, full-year hourly check", "plan"),
    ("plan_aggregation_error_frac", ("phase",), "1", "(plan estimate - full-year check) / full-year check", "plan"),
    ("plan_unserved_full_year_mwh", ("phase",), "MWh", "load shed in the full-year check", "plan"),
    ("plan_reserve_shortfall_full_year_h", ("phase",), "h", "hours short of N-1 in the full-year check", "plan"),
    ("plan_check_mip_gap", ("phase",), "1", "largest window gap of the full-year check", "plan"),
    ("plan_check_wall_s", ("phase",), "s", "wall time of the full-year check", "plan"),
    ("plan_check_run_id", ("phase",), "1", "run id of the phase's full-year check in the store", "plan"),
    ("plan_npv_usd", (), "USD", "net present value of capex, fixed O&M and operating cost", "plan"),
    ("plan_capex_npv_usd", (), "USD", "present value of capital charges and fixed O&M", "plan"),
    ("plan_op_npv_usd", (), "USD", "present value of operating cost (plan's LNG and carbon paths)", "plan"),
    ("plan_npv_full_year_usd", (), "USD", "NPV with each phase's operating cost from its full-year check", "plan"),
    ("plan_lcoe_usd_per_mwh_it", (), "USD/MWh", "levelised cost of the plant per MWh of IT energy", "plan"),
    ("plan_it_energy_pv_mwh", (), "MWh", "present value (discounted) IT energy over the horizon", "plan"),
    ("plan_marginal_saving_usd", ("candidate",), "USD", "NPV saved by one more step of the candidate (negative: "
     "it costs more than it saves)", "plan"),
    ("plan_marginal_step", ("candidate",), "1", "the step: one unit, MW, MWh or MWp, in the last phase", "plan"),
    ("plan_path_npv_usd", ("price_path",), "USD", "plan NPV under each LNG price path", "plan"),
    ("plan_path_capacity_mw", ("price_path", "phase", "technology"), "MW", "capacity in service under each LNG "
     "price path", "plan"),
    ("rep_day_date", ("rep_day",), "1", "date of the representative day", "plan"),
    ("rep_day_weight", ("rep_day",), "1", "days of the period the representative day stands for", "plan"),
    ("rep_day_kind", ("rep_day",), "1", "typical (cluster medoid) or extreme (design day)", "plan"),
]

# ---- event runs (twin.events): time in seconds from the event; gen_mw, unit_on, battery_*, grid_import_mw,
# solar_mw, hall_it_power_mw, it_power_mw, unserved_mw, facility_power_mw, supply_mw, balance_residual_mw as above
_S = ("stage",)
_ROWS += [
    ("frequency_hz", _T, "Hz", "bus frequency (centre of inertia)", "event"),
    ("rocof_hz_per_s", _T, "Hz/s", "rate of change of frequency over 500 ms", "event"),
    ("mech_power_mw", _TU, "MW", "gas unit mechanical (turbine) power", "event"),
    ("grid_connected", _T, "1", "grid feed connected (1) or lost (0)", "event"),
    ("bus_load_mw", _T, "MW", "load served from the campus bus", "event"),
    ("shed_mw", _T, "MW", "load shed by under-frequency load shedding", "event"),
    ("hall_shed_mw", _TH, "MW", "hall load cut off the bus (UFLS or dead bus)", "event"),
    ("ups_discharge_mw", _T, "MW", "IT load carried by the UPS batteries", "event"),
    ("bus_dead", _T, "1", "bus without any source (1)", "event"),
    ("ufls_stage_frequency_hz", _S, "Hz", "UFLS stage threshold", "event"),
    ("ufls_stage_time_s", _S, "s", "time the UFLS stage acted (NaN = did not)", "event"),
    ("unit_trip_time_s", _U, "s", "time the unit tripped (NaN = did not)", "event"),
    ("frequency_nadir_hz", _0, "Hz", "lowest frequency", "event"),
    ("frequency_peak_hz", _0, "Hz", "highest frequency", "event"),
    ("rocof_max_hz_per_s", _0, "Hz/s", "largest rate of change of frequency (500 ms)", "event"),
    ("settling_frequency_hz", _0, "Hz", "frequency over the last 5 s", "event"),
    ("settling_time_s", _0, "s", "time after which frequency stays within 0.02 Hz of its settling value", "event"),
    ("shed_max_mw", _0, "MW", "largest load shed", "event"),
    ("unserved_max_mw", _0, "MW", "largest load neither the bus nor a UPS served", "event"),
    ("hall_chw_supply_c", _TH, "degC", "chilled-water loop temperature (air-cooled IT)", "event"),
    ("hall_coolant_supply_c", _TH, "degC", "liquid loop (immersion / cold plate) temperature", "event"),
    ("hall_it_throttle_frac", _TH, "1", "IT power share under thermal throttling (0 = shut down)", "event"),
    ("hall_cooling_limit_c", ("hall",), "degC", "limit of the hall's first-limiting cooling loop", "event"),
    ("hall_minutes_to_cooling_limit", ("hall",), "min", "time to the cooling limit (NaN = not reached)", "event"),
    ("hall_heat_up_minutes", ("hall",), "min", "time to the limit with no cooling and no throttling", "event"),
    ("hall_peak_coolant_c", ("hall",), "degC", "peak loop temperature", "event"),
    ("it_throttled_mw", _T, "MW", "IT power lost to throttling and thermal shutdown", "event"),
    ("it_energy_lost_mwh", _0, "MWh", "IT energy lost to throttling and thermal shutdown", "event"),
    ("minutes_to_cooling_limit", _0, "min", "first time a hall reached its cooling limit (NaN = none)", "event"),
    ("heat_up_minutes", _0, "min", "shortest heat-up time to a limit with no cooling", "event"),
]

# ---- power-swing studies (twin.swing): time in seconds from the start of the study; "_mitigated" = with each
# hall's cheapest passing mitigations; frequency_hz, mech_power_mw, grid_import_mw as above
_F = ("frequency",)
_ROWS += [
    ("swing_hall_it_power_mw", _TH, "MW", "hall IT power with the training swing", "swing"),
    ("swing_hall_it_mitigated_mw", _TH, "MW", "hall IT power with its cheapest passing mitigations", "swing"),
    ("swing_poc_mw", _T, "MW", "connection-point power (grid import, or the gas units' terminals)", "swing"),
    ("swing_poc_mitigated_mw", _T, "MW", "connection-point power with the mitigations", "swing"),
    ("swing_amplitude_mw", _F, "MW", "amplitude spectrum of the connection-point power (peak per line)", "swing"),
    ("swing_amplitude_mitigated_mw", _F, "MW", "amplitude spectrum with the mitigations", "swing"),
    ("frequency_mitigated_hz", _T, "Hz", "bus frequency with the mitigations", "swing"),
    ("mech_power_mitigated_mw", _TU, "MW", "gas unit mechanical power with the mitigations", "swing"),
    ("turbine_oscillation_mw", _U, "MW", "largest line of the unit's mechanical power in the first band", "swing"),
    ("turbine_oscillation_mitigated_mw", _U, "MW", "the same with the mitigations", "swing"),
    ("battery_mw", _T, "MW", "battery output (discharge positive)", "swing"),
    ("battery_mitigated_mw", _T, "MW", "battery output with the mitigations", "swing"),
    ("grid_import_mitigated_mw", _T, "MW", "grid import with the mitigations", "swing"),
]

REGISTRY: dict[str, Variable] = {r[0]: Variable(*r) for r in _ROWS}


def attrs(name: str) -> dict[str, str]:
    """CF-style attributes for a registered variable."""
    v = REGISTRY[name]
    return {"units": v.units, "long_name": v.long_name}


def annotate(ds: xr.Dataset) -> xr.Dataset:
    """Set ``units`` / ``long_name`` on every registered variable present in ``ds``."""
    for name in ds.variables:
        if name in REGISTRY:
            ds[name].attrs.update(attrs(name))
    return ds


def label(name: str) -> str:
    """Axis label ``long_name [units]`` for plots and tooltips."""
    v = REGISTRY[name]
    return f"{v.long_name} [{v.units}]"
