"""What a plan starts from: checked phases and candidates, the campus of each phase for a given
build, the physics the investment model needs, and the discounting of every cost.

Nothing here solves anything.  The physics comes from :func:`twin.couple.couple` (the same
models a run uses), evaluated on small scenarios derived from the plan scenario:

* one per (phase, hall, cooling alternative): the hall alone with that phase's racks and that
  cooling -- its facility power (IT + cooling + its UPS/transformer losses) and cooling deficit;
* one with one unit of every candidate gas model: derated output and fuel curve per model;
* one with 1 MWp of PV: the PV output per MWp.

The halls' losses are computed per hall (each with its own UPS/transformer); the campus's are
computed on the sum.  The difference is part of the aggregation error the full-year check reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from twin import catalog
from twin.couple import couple
from twin.scenario import Cooling, Grid, Phase, Scenario, ScenarioError, parse_scenario

#: technology_costs names of the non-gas technologies
BATTERY_POWER, BATTERY_ENERGY, SOLAR, GRID = "li-ion-power", "li-ion-energy", "pv-utility", "grid-connection"
COOLING_COST = {"air": "cooling-air", "direct_to_chip": "cooling-direct-to-chip", "immersion": "cooling-immersion"}
_DAYS_PER_YEAR = 365.25


def scenario_data(sc: Scenario, **kw) -> dict:
    """The scenario's data that parses again (:meth:`twin.scenario.Scenario.data`)."""
    return sc.data(**kw)


def _err(field_: str, value, why: str) -> ScenarioError:
    return ScenarioError([f"{field_}: {value!r} — {why}"])


# ============================================================================ checks
def check_plan_scenario(sc: Scenario) -> None:
    """Raise :class:`ScenarioError` (one line naming the field) unless ``sc`` can be planned."""
    if not sc.phases:
        raise ScenarioError(["phases: missing — a plan needs at least one phase (start date and IT in service)"])
    if sc.candidates is None:
        raise ScenarioError(["candidates: missing — a plan needs candidates (gas units, battery, PV, grid, cooling)"])
    cand = sc.candidates
    costs = catalog.names("technology_costs")
    for i, g in enumerate(cand.gas_units):
        row = catalog.lookup("technology_costs", g.model) if g.model in costs else None
        if row is None or row["kind"] != "gas_unit":
            valid = [n for n in costs if catalog.lookup("technology_costs", n)["kind"] == "gas_unit"]
            raise _err(f"candidates.gas_units[{i}].model", g.model,
                       f"not in the cost catalogue (technology_costs.csv); costed gas units: {', '.join(valid)}")
    for k in sc.economics.lifetimes_years:
        if k not in costs:
            raise _err(f"economics.lifetimes_years.{k}", k,
                       f"not a technology_costs name; valid: {', '.join(costs)}")
    for name in costs:
        life = lifetime_years(sc, name)
        if not (life > 0):
            raise _err(f"technology_costs.{name}.lifetime_yr", life, "an asset lifetime must be > 0 years")
    if any(g.max_count > 0 for g in cand.gas_units):
        fuels = [sc.fuel] + [p.fuel for p in sc.phases if p.fuel is not None]
        if all(f.tank_capacity_t <= 0 for f in fuels):
            raise _err("fuel.tank_capacity_t", sc.fuel.tank_capacity_t,
                       "gas unit candidates need an LNG tank: set fuel.tank_capacity_t > 0")
    tariffs = []
    for i, o in enumerate(cand.grid):
        t = o.tariff or sc.power.grid.tariff
        if t is None:
            raise _err(f"candidates.grid[{i}].tariff", None, "a grid option needs a tariff (here or power.grid.tariff)")
        if tariffs and t != tariffs[0]:
            raise _err(f"candidates.grid[{i}].tariff", t, f"differs from the first option's {tariffs[0]!r}; "
                       "the grid options of one plan share a tariff")
        tariffs.append(t)
    d0 = decision_date(sc)
    if d0 > sc.phases[0].start:
        raise _err("candidates.decision_date", str(d0.date()), f"is after the first phase's start "
                   f"({sc.phases[0].start.date()})")


def lifetime_years(sc: Scenario, name: str) -> float:
    over = sc.economics.lifetimes_years.get(name)
    return float(over) if over is not None else float(catalog.lookup("technology_costs", name)["lifetime_yr"])


def decision_date(sc: Scenario) -> pd.Timestamp:
    c = sc.candidates
    return c.decision_date if (c is not None and c.decision_date is not None) else sc.phases[0].start


# ============================================================================ builds and phase campuses
@dataclass
class Build:
    """What is in service in one phase (cumulative)."""

    gas: dict[str, int] = field(default_factory=dict)  # model -> units
    battery_mw: float = 0.0
    battery_mwh: float = 0.0
    solar_mwp: float = 0.0
    grid: str | None = None  # option name
    cooling: dict[str, int] = field(default_factory=dict)  # hall -> alternative index


def cooling_alternatives(sc: Scenario) -> dict[str, list[Cooling]]:
    """Hall -> its cooling alternatives (the hall's own cooling when the candidates name none)."""
    alts = sc.candidates.cooling if sc.candidates is not None else {}
    return {h.name: list(alts.get(h.name) or [h.cooling]) for h in sc.halls}


def cooling_label(c: Cooling) -> str:
    return c.type


def phase_scenario(sc: Scenario, p: int, build: Build, *, name: str | None = None) -> Scenario:
    """The campus of phase ``p`` with ``build`` in service, as an ordinary scenario to run."""
    ph: Phase = sc.phases[p]
    alts = cooling_alternatives(sc)
    data = scenario_data(sc, exclude={"phases", "candidates"})
    halls = []
    by_name = {h["name"]: h for h in data["halls"]}
    for hn, ph_h in ph.halls.items():
        h = dict(by_name[hn])
        h["racks"] = ph_h.racks
        if ph_h.rack_model:
            h["rack_model"] = ph_h.rack_model
        h["cooling"] = alts[hn][build.cooling.get(hn, 0)].model_dump(mode="json")
        halls.append(h)
    data["halls"] = halls
    power = data["power"]
    power["gas_units"] = [{"model": m, "count": int(n)} for m, n in build.gas.items() if n > 0]
    power["battery"] = {**power["battery"], "power_mw": float(build.battery_mw), "energy_mwh": float(build.battery_mwh),
                        "model": sc.candidates.battery.model if sc.candidates else power["battery"]["model"]}
    if build.battery_mw <= 1e-9 or build.battery_mwh <= 1e-9:
        power["battery"].update(power_mw=0.0, energy_mwh=0.0)
    power["solar"] = {**power["solar"], "capacity_mwp": float(build.solar_mwp)}
    grid = dict(power["grid"])
    opt = grid_option(sc, build.grid)
    if opt is None:
        grid.update(capacity_mw=0.0)
    else:
        grid.update(capacity_mw=opt.capacity_mw, tariff=opt.tariff or sc.power.grid.tariff)
        if "circuits" in Grid.model_fields:  # grid N-1 by circuits (issue #9 item 11)
            grid["circuits"] = opt.circuits
    power["grid"] = grid
    if ph.fuel is not None:
        data["fuel"] = ph.fuel.model_dump(mode="json")
    data["name"] = name or f"{sc.name}-{ph.name}"
    data["description"] = f"{sc.name}, phase {ph.name} (from {ph.start.date()}) as built by twin plan"
    return parse_scenario(data, source=f"phases[{p}]", origin=sc._origin)


def grid_option(sc: Scenario, name: str | None):
    if name is None or sc.candidates is None:
        return None
    for o in sc.candidates.grid:
        if o.name == name:
            return o
    raise KeyError(name)


def grid_connection_cost_usd(sc: Scenario, o) -> float:
    """An option's connection cost; the catalogue's per-MW default when the scenario gives none."""
    if o.connection_cost_usd is not None:
        return float(o.connection_cost_usd)
    return float(catalog.lookup("technology_costs", GRID)["capex_usd_per_unit"]) * o.capacity_mw


def grid_available(sc: Scenario, o, p: int) -> bool:
    """A grid option can serve phase ``p`` when its lead time from the decision date has passed."""
    ready = decision_date(sc) + pd.DateOffset(months=int(round(o.lead_time_months)))
    return ready <= sc.phases[p].start


# ============================================================================ physics for the model
@dataclass
class PhasePhysics:
    """Physics of one phase on the scenario's period: per hall and cooling alternative."""

    facility_mw: dict[tuple[str, int], np.ndarray]  # (hall, alt) -> (n,)
    deficit_mw: dict[tuple[str, int], np.ndarray]
    it_mw: dict[str, np.ndarray]  # hall -> (n,)
    it_capacity_mw: dict[str, float]


@dataclass
class PlanPhysics:
    time: pd.DatetimeIndex
    step_h: float
    phases: list[PhasePhysics]
    gas: xr.Dataset  # one unit per candidate model (unit coordinate = model name)
    solar_per_mwp: np.ndarray
    wetbulb_c: np.ndarray
    grid_price: dict[str, np.ndarray]  # option name -> USD/MWh
    base: xr.Dataset  # a physics Dataset for the scalars (battery, costs, VOLL...)


def _bare(sc: Scenario, halls: list[dict], **power) -> Scenario:
    data = scenario_data(sc, exclude={"phases", "candidates"})
    data["halls"] = halls
    data["power"] = {"gas_units": [], "grid": {"capacity_mw": 0.0}, "solar": {**data["power"]["solar"], "capacity_mwp": 0.0},
                     "battery": {"power_mw": 0.0, "energy_mwh": 0.0}}
    for k, v in power.items():
        data["power"][k] = v
    return parse_scenario(data, source="plan physics", origin=sc._origin)


def plan_physics(sc: Scenario) -> PlanPhysics:
    """Evaluate everything the investment model needs (one couple() per phase, hall and cooling)."""
    alts = cooling_alternatives(sc)
    by_name = {h.name: h.model_dump(mode="json") for h in sc.halls}
    phases = []
    for p, ph in enumerate(sc.phases):
        fac, dfc, it, cap = {}, {}, {}, {}
        for hn, ph_h in ph.halls.items():
            for a, alt in enumerate(alts[hn]):
                h = dict(by_name[hn], racks=ph_h.racks, cooling=alt.model_dump(mode="json"))
                if ph_h.rack_model:
                    h["rack_model"] = ph_h.rack_model
                ds = couple(_bare(sc, [h]))
                fac[(hn, a)] = np.asarray(ds["facility_power_mw"].values, float)
                dfc[(hn, a)] = np.asarray(ds["cooling_deficit_mw"].values, float)
                it[hn] = np.asarray(ds["it_power_mw"].values, float)
                cap[hn] = float(ds["it_capacity_mw"].values)
        phases.append(PhasePhysics(fac, dfc, it, cap))
    first = sc.phases[0]
    hn0, ph_h0 = next(iter(first.halls.items()))
    h0 = dict(by_name[hn0], racks=ph_h0.racks)
    cand = sc.candidates
    models = [g.model for g in cand.gas_units if g.max_count > 0]
    fuel = sc.fuel if sc.fuel.tank_capacity_t > 0 else next(
        (p.fuel for p in sc.phases if p.fuel is not None and p.fuel.tank_capacity_t > 0), sc.fuel)
    bat = {"power_mw": 1.0, "energy_mwh": 1.0, "model": cand.battery.model}
    tariff = sc.power.grid.tariff or next((o.tariff for o in cand.grid if o.tariff), None)
    grid = {"capacity_mw": 1.0, "tariff": tariff} if tariff else {"capacity_mw": 0.0}
    # max_count + 1 units of each model (one commitment group each): room for the marginal unit
    counts = {g.model: g.max_count + 1 for g in cand.gas_units if g.max_count > 0}
    base_sc = _bare(sc, [h0], gas_units=[{"model": m, "count": counts[m], "initial_on": 0} for m in models],
                    solar={**sc.power.solar.model_dump(mode="json"), "capacity_mwp": 1.0}, battery=bat, grid=grid)
    data = scenario_data(base_sc)
    data["fuel"] = fuel.model_dump(mode="json")
    # prices enter the plan's objective through its own discounted price paths: none here
    data["economics"]["carbon_price_usd_per_t"] = 0.0
    data["economics"]["co2_cap_t"] = None
    data["flexibility"]["training_shift_frac"] = 0.0
    base_sc = parse_scenario(data, source="plan physics", origin=sc._origin)
    base = couple(base_sc)
    gas = base[[v for v in base.data_vars if "unit" in base[v].dims]]
    prices = {o.name: np.asarray(base["grid_price_usd_per_mwh"].values, float) for o in cand.grid}
    return PlanPhysics(time=pd.DatetimeIndex(base["time"].values), step_h=float(base.attrs["step_h"]),
                       phases=phases, gas=gas, solar_per_mwp=np.asarray(base["solar_available_mw"].values, float),
                       wetbulb_c=np.asarray(base["ambient_wetbulb_c"].values, float), grid_price=prices, base=base)


# ============================================================================ discounting
def _path_value(path: dict[int, float], year: float, default: float) -> float:
    """A price path by calendar year: linear between given years, flat beyond them."""
    if not path:
        return default
    ys = sorted(path)
    return float(np.interp(year, ys, [path[y] for y in ys]))


@dataclass
class Discounting:
    """Present-value factors per phase.

    ``years[p]``: the phase's share of each planning year (fraction of year k in phase p);
    ``op[p]``: present value of 1 USD/yr of operating cost while phase p lasts [yr];
    ``fuel_usd_per_gj[path][p]``: present value of 1 GJ/yr of LNG burnt during phase p at that path's
    prices [USD/GJ * yr]; ``carbon_usd_per_t[p]`` the same for 1 t/yr of CO2; ``annuity_pv(name, p)``:
    present value of the capital charge of 1 USD of capex in ``name`` built at the start of phase p.
    """

    rate: float
    horizon_years: int
    start_years: np.ndarray  # (n_phases,) years from the first phase's start
    overlap: np.ndarray  # (n_phases, horizon)
    discount: np.ndarray  # (horizon,)
    op: np.ndarray
    fuel_usd_per_gj: dict[str, np.ndarray]
    carbon_usd_per_t: np.ndarray
    sc: Scenario

    def remaining(self, p: int) -> float:
        """Present value of 1 USD/yr from the start of phase p to the end of the horizon  [yr]."""
        return float(self.overlap[p:].sum(axis=0) @ self.discount)

    def crf(self, name: str) -> float:
        life = lifetime_years(self.sc, name)
        r = self.rate
        return 1.0 / life if r == 0 else r / (1.0 - (1.0 + r) ** (-life))

    def annuity_pv(self, name: str, p: int) -> float:
        return self.crf(name) * self.remaining(p)


def discounting(sc: Scenario) -> Discounting:
    """Present-value factors of the plan (mid-year discounting, annual steps, from phase 1's start)."""
    from models import lng_plant

    e = sc.economics
    r = e.discount_rate_frac
    H = e.horizon_years
    t0 = sc.phases[0].start
    starts = np.array([(ph.start - t0) / pd.Timedelta(days=_DAYS_PER_YEAR) for ph in sc.phases])
    ends = np.r_[starts[1:], H]
    k = np.arange(H)
    overlap = np.clip(np.minimum(ends[:, None], k[None, :] + 1) - np.maximum(starts[:, None], k[None, :]), 0, 1)
    disc = (1.0 + r) ** -(k + 0.5)
    op = overlap @ disc
    year0 = t0.year + (t0.day_of_year - 1) / _DAYS_PER_YEAR
    cal = year0 + k + 0.5
    paths = e.lng_price_paths_usd_per_mmbtu or {"flat": {}}
    # USD per GJ of LHV fuel (what the fuel curves burn), from the quote on the scenario's basis
    # (HHV by default: a GJ LHV is HHV/LHV GJ HHV, the same conversion a run's physics makes)
    per_gj = lng_plant.price_usd_per_gj_lhv(1.0, sc.fuel.price_basis)
    fuel = {}
    for name, path in paths.items():
        # a path by calendar year; without one each phase burns at its own fuel's quoted price
        price = np.array([[_path_value(path, y, (ph.fuel or sc.fuel).lng_price_usd_per_mmbtu) for y in cal]
                          for ph in sc.phases])  # USD/MMBtu as quoted
        fuel[name] = (overlap * price) @ (disc * per_gj)
    cprice = np.array([_path_value(e.carbon_price_path_usd_per_t, y, e.carbon_price_usd_per_t) for y in cal])
    return Discounting(rate=r, horizon_years=H, start_years=starts, overlap=overlap, discount=disc, op=op,
                       fuel_usd_per_gj=fuel, carbon_usd_per_t=overlap @ (disc * cprice), sc=sc)


def flat_fuel_usd_per_gj(sc: Scenario, p: int) -> float:
    """The price a full-year run of phase ``p`` pays per GJ (LHV) of fuel: its fuel's flat quote on
    its basis  [USD/GJ]."""
    from models import lng_plant

    f = sc.phases[p].fuel or sc.fuel
    return lng_plant.price_usd_per_gj_lhv(f.lng_price_usd_per_mmbtu, f.price_basis)


def it_energy_pv_mwh(sc: Scenario, phys: PlanPhysics, disc: Discounting) -> float:
    """Present value of the IT energy served over the horizon (for the levelised cost)  [MWh]."""
    scale = year_scale(phys)
    return float(sum(disc.op[p] * scale * sum(v.sum() for v in ph.it_mw.values()) * phys.step_h
                     for p, ph in enumerate(phys.phases)))


def year_scale(phys: PlanPhysics) -> float:
    """Years per modelled period: costs over the scenario's period times this are per year."""
    hours = len(phys.time) * phys.step_h
    return 8760.0 / hours if hours > 0 else math.nan
