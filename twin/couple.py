"""The physics layer: scenario → one xarray Dataset of everything a dispatcher needs.

Exogenous series (weather, tariff), the physical models of :mod:`models` evaluated on them
(IT power, cooling power and water, losses, derated gas capacity and fuel curves, PV output),
and the campus's scalar parameters as 0-d variables, all on the run's ``time`` coordinate
(site-local standard time) with ``hall`` and ``unit`` dimensions.  Physics never imports the
optimiser; the dispatchers read only this Dataset.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import numpy as np
import pandas as pd
import xarray as xr

from models import air_cooling, electrical, immersion_cooling, lng_plant, psychro, racks, solar
from models import grid as grid_model
from twin import catalog
from twin.scenario import AirCooling, DirectToChipCooling, Hall, Scenario
from twin.variables import annotate
from twin.weather import load_weather

#: fuel-curve break points between minimum stable load and the derated maximum.  The optimiser
#: sees the lower convex envelope of the part-load curve through these points (so its fuel cost is
#: piecewise linear and convex); settlement burns fuel on the exact curve (models.lng_plant.fuel_gj).
N_CURVE_POINTS = 5
#: the UPS is rated for the halls' IT capacity and the transformer for this multiple of it
#: (assumption: MV/LV transformers sized for IT + cooling at design with margin)
TRANSFORMER_SIZING = 1.5
#: heat rejection installed for liquid loops when the scenario does not say (assumption)
LIQUID_HEAT_REJECTION_SIZING = 1.1
#: relative step used for the marginal facility power per MW of IT
_DIT = 0.01


def software_version() -> str:
    try:
        return version("campus-twin")
    except PackageNotFoundError:  # running from a source tree without install
        return "0+unknown"


def time_index(scenario: Scenario) -> pd.DatetimeIndex:
    p = scenario.period
    return pd.date_range(p.start, p.end, freq=pd.Timedelta(p.step), inclusive="left", name="time")


# ------------------------------------------------------------------------------ halls
def _cooling_kwargs(hall: Hall, it_capacity_mw: float) -> tuple[str, dict]:
    """Model keyword arguments for a hall's cooling, from the catalogue."""
    c = hall.cooling
    kw: dict = {}
    if isinstance(c, AirCooling | DirectToChipCooling):
        ch = catalog.lookup("chillers", c.chiller_model)
        ah = catalog.lookup("air_handlers", c.air_handler_model)
        tw = catalog.lookup("cooling_towers", getattr(c, "tower_model", "") or "tower-4k-approach")
        # the chiller's own curves (by kind) with the catalogue's minimum part-load ratio
        curves = {**air_cooling.CHILLER_CURVES[ch["kind"]], "min_plr": ch["min_plr"]}
        air = dict(
            chiller_capacity_mw=ch["capacity_mw_th"], n_chillers=c.chillers, cop_ref=ch["cop_ref"], curves=curves,
            t_chw_supply_c=ah["t_chw_supply_c"], t_chw_return_c=ah["t_chw_return_c"],
            tower_approach_k=tw["approach_k"], hx_approach_k=ah["hx_approach_k"],
            crah_fan_kw_per_kw=ah["crah_fan_kw_per_kw"], chw_pump_kw_per_kw=ah["chw_pump_kw_per_kw"],
            cw_pump_kw_per_kw=ah["cw_pump_kw_per_kw"], tower_fan_kw_per_kw=tw["fan_kw_per_kw"],
            cycles_of_concentration=tw["cycles_of_concentration"], drift_frac=tw["drift_frac"],
        )
        if isinstance(c, AirCooling):
            return "air", air
        kw["air"] = air
    tank = catalog.lookup("immersion_tanks", c.tank_model)
    fluid = catalog.lookup("fluids", c.fluid or tank["fluid"])
    dc = catalog.lookup("dry_coolers", c.dry_cooler_model)
    tw = catalog.lookup("cooling_towers", c.tower_model)
    cap = c.heat_rejection_capacity_mw_th or LIQUID_HEAT_REJECTION_SIZING * it_capacity_mw
    loop = dict(
        heat_rejection=c.heat_rejection, t_supply_max_c=tank["t_supply_max_c"], loop_dt_k=tank["loop_dt_k"],
        fluid_density_kg_m3=fluid["density_kg_m3"], fluid_cp_j_kg_k=fluid["cp_j_kg_k"],
        pump_head_kpa=tank["pump_head_kpa"], pump_eff=tank["pump_eff"],
        secondary_pump_kw_per_kw=tank["secondary_pump_kw_per_kw"],
        dry_cooler_capacity_mw=cap, dry_cooler_design_approach_k=dc["design_approach_k"],
        dry_cooler_design_t_drybulb_c=dc["design_t_drybulb_c"],
        dry_cooler_fan_kw_per_kw_design=dc["fan_kw_per_kw_design"],
        dry_cooler_adiabatic=bool(dc["adiabatic"]), dry_cooler_adiabatic_effectiveness=dc["adiabatic_effectiveness"],
        dry_cooler_adiabatic_switch_on_c=dc["adiabatic_switch_on_c"], dry_cooler_design_air_rise_k=dc["design_air_rise_k"],
        tower_approach_k=tw["approach_k"], tower_fan_kw_per_kw=tw["fan_kw_per_kw"],
        cycles_of_concentration=tw["cycles_of_concentration"], drift_frac=tw["drift_frac"],
    )
    if isinstance(c, DirectToChipCooling):
        kw["loop"] = loop
        return "direct_to_chip", kw
    return "immersion", loop


def _hall_cooling(kind: str, kw: dict, it_mw, t_db, t_wb, liquid_frac: float, p_pa, room_heat_mw=0.0) -> dict:
    """Cooling of one hall for its IT heat plus the heat of its electrical rooms (UPS, transformers).

    Where the electrical-room heat goes (engineering assumption, stated per hall kind): an air hall's
    chilled-water plant (CRAHs in the electrical rooms); a direct-to-chip hall's air part, i.e. its
    chilled-water plant; an immersion hall's facility-water loop (fan coils on the dry-cooler or tower
    loop -- the hall has no chillers).
    """
    if kind == "air":
        return air_cooling.air_cooling_power(it_mw + room_heat_mw, t_db, t_wb, pressure_pa=p_pa, **kw)
    if kind == "immersion":
        return immersion_cooling.immersion_cooling_power(it_mw + room_heat_mw, t_db, t_wb, pressure_pa=p_pa, **kw)
    return immersion_cooling.direct_to_chip_cooling_power(
        it_mw, t_db, t_wb, liquid_frac=liquid_frac, room_heat_mw=room_heat_mw,
        air_kw={**kw["air"], "pressure_pa": p_pa}, loop_kw={**kw["loop"], "pressure_pa": p_pa})


def _losses(it_mw, cooling_mw, it_capacity_mw, ups, tr):
    ups_loss = electrical.ups_loss_mw(it_mw, it_capacity_mw, eff_full=ups["eff_full"],
                                      eff_quarter=ups["eff_quarter"],
                                      no_load_loss_frac=ups["no_load_loss_frac"])
    through = it_mw + cooling_mw + ups_loss
    tr_loss = electrical.transformer_loss_mw(through, TRANSFORMER_SIZING * it_capacity_mw,
                                             no_load_loss_frac=tr["no_load_loss_frac"],
                                             load_loss_frac=tr["load_loss_frac"])
    return ups_loss + tr_loss


def couple(scenario: Scenario, *, weather: xr.Dataset | None = None) -> xr.Dataset:
    """Evaluate the physics of a scenario on its period; return the physics Dataset."""
    times = time_index(scenario)
    step_h = scenario.period.step_h
    site = scenario.site
    if weather is None:
        weather = load_weather(site.weather.source, site_id=site.weather.site_id, path=site.weather.path,
                               start=scenario.period.start, end=scenario.period.end,
                               step=scenario.period.step, utc_offset_h=site.utc_offset_h)
    ds = weather[["ambient_drybulb_c", "ambient_wetbulb_c", "ambient_rh_frac", "ghi_w_m2"]].copy()
    ds = ds.assign_coords(time=times)
    t_db = ds["ambient_drybulb_c"].values
    t_wb = ds["ambient_wetbulb_c"].values
    if "ambient_pressure_pa" in weather:  # weather from twin.weather carries the site pressure
        p_pa = np.asarray(weather["ambient_pressure_pa"].values, dtype=float)
    else:  # a caller's own weather without it: standard sea-level pressure
        p_pa = np.full(len(times), psychro.STANDARD_PRESSURE_PA)
    ds["ambient_pressure_pa"] = ("time", p_pa)
    hour = (times.hour + times.minute / 60.0).to_numpy()

    # --- halls: IT and cooling -----------------------------------------------------------
    hall_names = [h.name for h in scenario.halls]
    n = len(times)
    it_h = np.zeros((n, len(hall_names)))
    cool_h = np.zeros_like(it_h)
    cool_h_up = np.zeros_like(it_h)
    deficit_h = np.zeros_like(it_h)
    water_h = np.zeros_like(it_h)
    training = np.zeros(n)
    chiller_mw = np.zeros(n)
    chiller_load = np.zeros(n)
    it_capacity = 0.0
    tes_mwh = tes_mw = 0.0
    plants: list[tuple[str, dict, float]] = []
    for j, hall in enumerate(scenario.halls):
        rack = catalog.lookup("racks", hall.rack_model)
        wl = hall.workload
        split = racks.workload_split(hour, wl.training_share, wl.inference_share, wl.idle_share,
                                     training_utilisation=wl.training_utilisation,
                                     inference_peak_hour=wl.inference_peak_hour,
                                     inference_trough_frac=wl.inference_trough_frac)
        rack_kw = racks.rack_power_kw(split["utilisation_frac"], rack["rack_kw_max"], rack["idle_frac"])
        cap_mw = hall.racks * rack["rack_kw_max"] / 1000.0
        it_capacity += cap_mw
        it_mw = hall.racks * np.asarray(rack_kw, dtype=float) / 1000.0
        it_h[:, j] = it_mw
        training += cap_mw * (1 - rack["idle_frac"]) * np.asarray(split["training_frac"], dtype=float)
        kind, kw = _cooling_kwargs(hall, cap_mw)
        liquid_frac = getattr(hall.cooling, "liquid_frac", None)
        if liquid_frac is None:
            liquid_frac = float(rack.get("liquid_heat_frac", 0.0))
        plants.append((kind, kw, liquid_frac))
        cool_h[:, j] = _hall_cooling(kind, kw, it_mw, t_db, t_wb, liquid_frac, p_pa)["cooling_power_mw"]
        if kind in ("air", "direct_to_chip"):
            tes_mwh += hall.cooling.thermal_storage_mwh_th
            tes_mw += hall.cooling.thermal_storage_mw_th

    ups = catalog.lookup("ups", scenario.electrical.ups_model)
    tr = catalog.lookup("transformers", scenario.electrical.transformer_model)
    it_mw = it_h.sum(axis=1)
    # UPS and transformer losses become heat in electrical rooms that the halls' plants must remove
    # (issue #9 item 10). The losses depend on the cooling power (the transformers carry it), so they
    # are taken at the cooling of the IT alone (first pass above), shared among the halls by IT power,
    # and added to each hall's cooling load (second pass). The heat removed therefore omits the
    # transformer loss on the electrical-room cooling itself, ~1e-4 of the IT power.
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(it_mw[:, None] > 0, it_h / np.where(it_mw > 0, it_mw, 1.0)[:, None], 0.0)
    room_h = _losses(it_mw, cool_h.sum(axis=1), it_capacity, ups, tr)[:, None] * share
    # at the perturbed IT (marginal facility power only) the first-pass cooling is scaled, not re-evaluated
    room_h_up = _losses(it_mw * (1 + _DIT), cool_h.sum(axis=1) * (1 + _DIT), it_capacity, ups, tr)[:, None] * share
    for j, (kind, kw, liquid_frac) in enumerate(plants):
        res = _hall_cooling(kind, kw, it_h[:, j], t_db, t_wb, liquid_frac, p_pa, room_h[:, j])
        res_up = _hall_cooling(kind, kw, it_h[:, j] * (1 + _DIT), t_db, t_wb, liquid_frac, p_pa, room_h_up[:, j])
        cool_h[:, j] = res["cooling_power_mw"]
        cool_h_up[:, j] = res_up["cooling_power_mw"]
        deficit_h[:, j] = res["cooling_deficit_mw"]
        water_h[:, j] = np.asarray(res["water_m3_per_h"], dtype=float) * step_h
        if "chiller_power_mw" in res:
            chiller_mw += np.asarray(res["chiller_power_mw"], dtype=float)
            chiller_load += np.asarray(res.get("chiller_load_mw_th", 0.0), dtype=float)
    cool_mw = cool_h.sum(axis=1)
    losses = _losses(it_mw, cool_mw, it_capacity, ups, tr)
    losses_up = _losses(it_mw * (1 + _DIT), cool_h_up.sum(axis=1), it_capacity, ups, tr)
    facility = it_mw + cool_mw + losses
    facility_up = it_mw * (1 + _DIT) + cool_h_up.sum(axis=1) + losses_up
    with np.errstate(invalid="ignore", divide="ignore"):
        marginal = np.where(it_mw > 0, (facility_up - facility) / (_DIT * it_mw), 1.0)
        cop = np.where(chiller_mw > 0, chiller_load / np.where(chiller_mw > 0, chiller_mw, 1.0), np.nan)

    ds = ds.assign_coords(hall=hall_names)
    ds["hall_it_power_mw"] = (("time", "hall"), it_h)
    ds["hall_cooling_power_mw"] = (("time", "hall"), cool_h)
    ds["hall_cooling_deficit_mw"] = (("time", "hall"), deficit_h)
    ds["hall_electrical_heat_mw"] = (("time", "hall"), room_h)
    ds["hall_water_m3"] = (("time", "hall"), water_h)
    ds["it_training_mw"] = ("time", training)
    ds["it_power_mw"] = ("time", it_mw)
    ds["cooling_power_mw"] = ("time", cool_mw)
    ds["chiller_power_mw"] = ("time", chiller_mw)
    ds["chiller_load_mw_th"] = ("time", chiller_load)
    ds["chiller_cop"] = ("time", cop)
    ds["losses_mw"] = ("time", np.asarray(losses, dtype=float))
    ds["facility_power_mw"] = ("time", np.asarray(facility, dtype=float))
    ds["facility_mw_per_it_mw"] = ("time", marginal)
    ds["cooling_deficit_mw"] = ("time", deficit_h.sum(axis=1))
    ds["water_m3"] = ("time", water_h.sum(axis=1))

    # --- gas units ---------------------------------------------------------------------------
    _add_gas(ds, scenario, t_db)

    # --- solar -------------------------------------------------------------------------------
    sol = scenario.power.solar
    if sol.capacity_mwp > 0:
        utc = times - pd.Timedelta(hours=site.utc_offset_h)
        pv = solar.pv_ac_mw(utc.tz_localize("UTC"), ds["ghi_w_m2"].values, t_db,
                            latitude=site.latitude, longitude=site.longitude,
                            capacity_mwp=sol.capacity_mwp, tilt_deg=sol.tilt_deg,
                            azimuth_deg=sol.azimuth_deg, dc_ac_ratio=sol.dc_ac_ratio)
        ds["solar_available_mw"] = ("time", np.nan_to_num(np.asarray(pv, dtype=float)))
    else:
        ds["solar_available_mw"] = ("time", np.zeros(n))

    # --- grid tariff --------------------------------------------------------------------------
    g = scenario.power.grid
    fx = _fx(scenario)
    if g.tariff is not None:
        tariff = catalog.load_tariff(g.tariff)
        cur = tariff["currency"]
        prices = grid_model.tariff_prices(times, tariff, fx_per_usd=fx[cur])
        ds["grid_price_usd_per_mwh"] = ("time", np.asarray(prices["price_usd_per_mwh"], dtype=float))
        ds["tou_period"] = ("time", np.asarray(prices["tou_period"]).astype(str))
        # every step is priced by the table in force on its date (models.grid.tariff_in_force); the
        # demand charge and grid CO2 are the ones of the table in force for most of the period
        tables = pd.Series(prices["table_from"])
        in_force = grid_model.tariff_in_force(tariff, tables.mode().iloc[0])
        demand = float(in_force.get("demand_charge_per_kw_month") or 0.0) * 1000.0 / fx[cur]
        co2 = g.co2_t_per_mwh if g.co2_t_per_mwh is not None else float(in_force["co2_t_per_mwh"])
        used = []
        for d in tables.unique():
            v = grid_model.tariff_in_force(tariff, d)
            used.append(f"{d}: {v.get('title', g.tariff)}" + (f" [flag {v['version_flag']}]" if v["version_flag"] else "")
                        + (" (period before its first table)" if v["before_first_table"] else ""))
        ds.attrs["grid_tariff_tables"] = "; ".join(used)
    else:
        ds["grid_price_usd_per_mwh"] = ("time", np.zeros(n))
        ds["tou_period"] = ("time", np.full(n, "none"))
        demand, co2 = 0.0, (g.co2_t_per_mwh or 0.0)

    # --- scalars ---------------------------------------------------------------------------------
    bat = scenario.power.battery
    bcat = catalog.lookup("batteries", bat.model)
    one_way = float(np.sqrt(bcat["rte_ac"]))
    fuel = scenario.fuel
    lhv_gj_per_t = lng_plant.LNG_LHV_MJ_PER_KG  # MJ/kg == GJ/t
    e = scenario.economics
    flex = scenario.flexibility
    scalars = dict(
        grid_capacity_mw=g.capacity_mw, grid_n1_capacity_mw=g.n1_capacity_mw,
        grid_circuits=g.circuits, grid_circuit_mw=g.circuit_rating_mw, grid_export_allowed=float(g.export_allowed), grid_co2_t_per_mwh=co2,
        grid_demand_charge_usd_per_mw_month=demand,
        battery_power_mw=bat.power_mw, battery_energy_mwh=bat.energy_mwh,
        battery_eff_charge=one_way, battery_eff_discharge=one_way,
        battery_soc_min_frac=bcat["soc_min_frac"], battery_soc_max_frac=bcat["soc_max_frac"],
        battery_soc_initial_frac=bat.initial_soc_frac,
        battery_self_discharge_frac_per_day=bcat["self_discharge_frac_per_day"],
        battery_degradation_usd_per_mwh=bcat["degradation_usd_per_mwh"],
        tes_capacity_mwh_th=tes_mwh, tes_power_mw_th=tes_mw, tes_loss_frac_per_h=TES_LOSS_FRAC_PER_H,
        flex_training_frac=flex.training_shift_frac, flex_window_h=flex.window_h, it_capacity_mw=it_capacity,
        # the quoted price (USD/MMBtu, HHV unless the scenario says LHV) per GJ as the plant counts
        # fuel (LHV): the dispatchers need no conversion (issue #9 item 3)
        lng_price_usd_per_gj=lng_plant.price_usd_per_gj_lhv(fuel.lng_price_usd_per_mmbtu, fuel.price_basis),
        lng_price_usd_per_mmbtu_quoted=fuel.lng_price_usd_per_mmbtu,
        lng_price_basis_hhv=float(fuel.price_basis == "hhv"),
        lng_lhv_gj_per_t=lhv_gj_per_t, lng_hhv_gj_per_t=lng_plant.LNG_HHV_MJ_PER_KG,
        gas_hhv_per_lhv=lng_plant.HHV_PER_LHV, lng_tank_capacity_t=fuel.tank_capacity_t,
        lng_tank_initial_t=fuel.initial_level_frac * fuel.tank_capacity_t,
        lng_tank_min_t=fuel.min_level_frac * fuel.tank_capacity_t,
        lng_delivery_t=fuel.delivery_t, lng_delivery_interval_h=fuel.delivery_interval_days * 24.0,
        lng_boil_off_frac_per_day=fuel.boil_off_frac_per_day,
        gas_co2_t_per_gj=lng_plant.CO2_T_PER_GJ,
        carbon_price_usd_per_t=e.carbon_price_usd_per_t,
        co2_cap_t=np.nan if e.co2_cap_t is None else e.co2_cap_t,
        water_price_usd_per_m3=e.water_price_usd_per_m3, voll_usd_per_mwh=e.voll_usd_per_mwh,
        reserve_shortfall_usd_per_mwh=e.reserve_shortfall_usd_per_mwh,
        cooling_deficit_usd_per_mwh=e.cooling_deficit_usd_per_mwh,
    )
    for k, v in scalars.items():
        ds[k] = ((), float(v))

    ds.attrs.update(
        scenario_name=scenario.name, scenario_hash=scenario.hash(), scenario_yaml=scenario.text(),
        site_name=site.name, site_country=site.country, utc_offset_h=site.utc_offset_h,
        time_zone_note="time is site-local standard time (UTC%+g)" % site.utc_offset_h,
        step=scenario.period.step, step_h=step_h, software_version=software_version(),
        Conventions="CF-1.10",
    )
    if bat.peak_shave_threshold_mw is not None:
        ds.attrs["battery_peak_shave_threshold_mw"] = float(bat.peak_shave_threshold_mw)
    return annotate(ds)


#: chilled-water tank standing loss (assumption: ~1 %/day for a stratified, insulated tank)
TES_LOSS_FRAC_PER_H = 0.01 / 24


def _fx(scenario: Scenario) -> dict[str, float]:
    fx = dict(catalog.load_fx())
    fx.update(scenario.economics.fx_per_usd)
    fx.setdefault("USD", 1.0)
    return fx


def _add_gas(ds: xr.Dataset, scenario: Scenario, t_db: np.ndarray) -> None:
    n = ds.sizes["time"]
    rows, ids, groups, initial = [], [], [], []
    for gi, g in enumerate(scenario.power.gas_units):
        row = catalog.lookup("gas_units", g.model)
        n_on = g.count if g.initial_on is None else min(g.initial_on, g.count)
        for k in range(g.count):
            rows.append(row)
            ids.append(f"{g.model}-{len(ids) + 1}")
            groups.append(f"g{gi}-{g.model}")
            initial.append(1.0 if k < n_on else 0.0)
    ds.coords["unit"] = np.array(ids, dtype=object) if ids else np.array([], dtype=object)
    nu = len(ids)
    avail = np.zeros((n, nu))
    curve_mw = np.zeros((n, nu, N_CURVE_POINTS))
    curve_fuel = np.zeros((n, nu, N_CURVE_POINTS))
    per_model: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for u, row in enumerate(rows):
        if row["name"] not in per_model:  # identical units share one evaluation
            a = np.asarray(lng_plant.available_mw(t_db, row["rated_mw"], derate_frac_per_k=row["derate_frac_per_k"]),
                           dtype=float)
            fracs = np.linspace(row["min_load_frac"], 1.0, N_CURVE_POINTS)
            # The fuel rate at a load fraction f of the available output is
            #   avail(t) * ambient_factor(t) * g(f)   (models.lng_plant.fuel_gj),
            # so its convex envelope is g's envelope scaled: evaluate g once at ISO (factor 1).
            g = np.asarray(lng_plant.fuel_rate_curve_gj_per_h(
                fracs[None, :], np.ones(1), row["eff_full_lhv"], np.full(1, 15.0), row["kind"],
                heat_rate_frac_per_k=row["heat_rate_frac_per_k"], convex=True), dtype=float)[0]
            af = np.asarray(lng_plant.heat_rate_ambient_factor(
                t_db, frac_per_k=row["heat_rate_frac_per_k"],
                frac_per_k_below_iso=row["heat_rate_frac_per_k_below_iso"]), dtype=float)
            per_model[row["name"]] = (a, a[:, None] * fracs[None, :], (a * af)[:, None] * g[None, :])
        avail[:, u], curve_mw[:, u, :], curve_fuel[:, u, :] = per_model[row["name"]]
    ds["gas_available_mw"] = (("time", "unit"), avail)
    ds["gas_curve_mw"] = (("time", "unit", "point"), curve_mw)
    ds["gas_curve_fuel_gj_per_h"] = (("time", "unit", "point"), curve_fuel)

    def col(key, scale=None):
        vals = [float(r[key]) * (scale(r) if scale else 1.0) for r in rows]
        return ("unit", np.array(vals, dtype=float))

    ds["unit_model"] = ("unit", np.array([r["name"] for r in rows], dtype=object))
    ds["unit_kind"] = ("unit", np.array([r["kind"] for r in rows], dtype=object))
    ds["unit_group"] = ("unit", np.array(groups, dtype=object))
    ds["unit_rated_mw"] = col("rated_mw")
    ds["unit_min_load_frac"] = col("min_load_frac")
    ds["unit_ramp_mw_per_h"] = col("ramp_frac_per_min", lambda r: 60.0 * r["rated_mw"])
    ds["unit_min_up_h"] = col("min_up_h")
    ds["unit_min_down_h"] = col("min_down_h")
    ds["unit_start_cost_hot_usd"] = col("start_cost_hot_usd_per_mw", lambda r: r["rated_mw"])
    ds["unit_start_cost_warm_usd"] = col("start_cost_warm_usd_per_mw", lambda r: r["rated_mw"])
    ds["unit_start_cost_cold_usd"] = col("start_cost_cold_usd_per_mw", lambda r: r["rated_mw"])
    ds["unit_hot_max_offline_h"] = col("hot_start_max_offline_h")
    ds["unit_warm_max_offline_h"] = col("warm_start_max_offline_h")
    ds["unit_vom_usd_per_mwh"] = col("vom_usd_per_mwh")
    ds["unit_initial_on"] = ("unit", np.array(initial, dtype=float))
    ds["unit_eff_full_lhv"] = col("eff_full_lhv")
    ds["unit_heat_rate_frac_per_k"] = col("heat_rate_frac_per_k")
    ds["unit_heat_rate_frac_per_k_below_iso"] = col("heat_rate_frac_per_k_below_iso")
