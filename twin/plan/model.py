"""The investment MILP: one Pyomo model over every phase, operated on representative days.

Decisions
---------
* ``add[g, p]`` (integer): units of candidate gas model ``g`` built at the start of phase ``p``;
  in service ``N[g, p] = sum_{q <= p} add[g, q] <= max_count`` (built capacity stays built);
* ``bp[p]``, ``be[p]`` (continuous): battery power / energy in service, non-decreasing over phases,
  within the candidate ranges; ``pv[p]`` (continuous): PV MWp in service, likewise;
* ``y[o, p]`` (binary): grid option ``o`` energised in phase ``p`` (at most one option; once
  energised it stays; not before its lead time from the decision date);
* ``c[h, a]`` (binary): cooling alternative ``a`` of hall ``h`` (one per hall, for every phase).

Operation
---------
Each phase runs on the representative days of :mod:`twin.plan.periods`: one Pyomo block per
(phase, day), each day cyclic (its last hour precedes its first: commitment, ramps, battery
charge).  Every block is composed of the dispatch model's own row modules -- no constraint is
written twice: :func:`twin.optimise.units.add_units` (clustered commitment: an integer number of
units of each model online, at most ``N[g, p]``; output on the convex fuel segments, min up/down,
ramps, start costs), :func:`twin.optimise.grid.add_grid` (import within the energised option's
capacity, time-of-use price, demand charge), :func:`twin.optimise.solar.add_solar` (PV within
``pv`` times the output per MWp), :func:`twin.optimise.storage.add_battery` (within ``bp`` and
``be``), :func:`twin.optimise.load.add_unserved` (VoLL) and
:func:`twin.optimise.reserve.add_reserve` (N-1: the trip of the largest running unit of a model
covered by gas, grid and battery headroom).  The bus balance is the plan's own: the facility power
of a phase is the sum over halls of the chosen cooling alternative's facility power.  The cooling
deficit of an alternative is priced at ``cooling_deficit_usd_per_mwh``.

``reserve="built"`` (the default) ties each model's "any unit on" indicator of the reserve rows to
"any unit of the model built" (one binary per model and phase instead of one per hour): the N-1
requirement then covers the largest unit built even in hours it is off -- conservative, and far
faster to solve; ``reserve="running"`` keeps the dispatch's hourly indicator.  ``commitment=
"relaxed"`` solves the units online as a continuous number (the linear relaxation of clustered
commitment); ``"integer"`` keeps them integer.

Objective
---------
Net present value (:class:`twin.plan.inputs.Discounting`) of

* capital: the annuity of each asset's capex over its lifetime, counted from the phase it is built
  in to the end of the horizon (so an asset whose life ends inside the horizon is implicitly
  replaced and one that outlives it is charged only for the years inside);
* fixed O&M from the phase it is built in to the end of the horizon; grid connection costs the same
  way (the grid-connection lifetime);
* operating cost of each phase: each representative day's cost times the days it stands for, per
  year of the phase; fuel at the plan's LNG price path and CO2 at the carbon price path.

Simplifications (the full-year check of every phase measures what they cost): the LNG tank is an
energy budget per phase (:func:`lng_budget_gj`: the fuel burnt on the representative days, weighted,
within what the phase's tank and deliveries bring over the period), not an hourly tank balance; no flexible training load or chilled-water
storage; the demand charge is billed on each calendar month's peak (:func:`monthly_days`: at least
every import of the representative days that stand for the month's days); the min up/down rows see
no history before a day's first hour.  The operating cost the plan reports is not this model's own
(continuous commitment, N-1 of the largest unit built) but a re-solve at the chosen build with integer
commitment and the running-unit N-1 (:func:`twin.plan.run.operation_estimate`), solved phase by
phase and, where no row links the days, day by day (:func:`solve_phases`).  A phase where that
estimate sheds load or N-1 reserve that the relaxed model did not is planned again with integer
commitment in that phase (``PlanData.integer_phases``; :func:`twin.plan.run.plan`, ``refine``).
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from twin import catalog
from twin.optimise import grid as grid_rows
from twin.optimise import load as load_rows
from twin.optimise import reserve as reserve_rows
from twin.optimise import solar as solar_rows
from twin.optimise import storage as storage_rows
from twin.optimise import units as unit_rows
from twin.optimise.problem import HIGHS_HEURISTIC_OPTIONS, Problem, prepare
from twin.optimise.rows import param
from twin.plan.inputs import (
    BATTERY_ENERGY,
    BATTERY_POWER,
    COOLING_COST,
    GRID,
    SOLAR,
    Discounting,
    PlanPhysics,
    flat_fuel_usd_per_gj,
    grid_available,
    grid_connection_cost_usd,
    year_scale,
)
from twin.plan.periods import RepDays


@dataclass
class PlanData:
    """Numbers of the model, from the scenario, the catalogue and the physics."""

    models: list[str]
    max_count: np.ndarray
    halls: list[str]
    alts: dict[str, list]
    grid: list  # GridOption
    phys: PlanPhysics
    rep: RepDays
    disc: Discounting
    path: str  # the LNG price path the objective uses
    reserve: str = "built"
    commitment: str = "relaxed"
    #: phases whose commitment stays integer even when ``commitment="relaxed"`` (see
    #: :func:`twin.plan.run.plan`: a phase whose build cannot be operated with whole units)
    integer_phases: frozenset = frozenset()


def problem(d: PlanData) -> tuple[Problem, list[int]]:
    """The dispatch model's problem data for the candidate plant (one commitment column per model),
    and the model index of each column."""
    pb = prepare(d.phys.base, group=True)
    models = list(np.asarray(d.phys.base["unit_model"].values).astype(str)) if pb.n_units else []
    col_model = [d.models.index(models[int(mem[0])]) for mem in pb.members]
    if len(set(col_model)) != len(col_model):
        raise ValueError("plan: a candidate gas model split into several commitment groups")
    return pb, col_model


def grid_n1_mw(o) -> float:
    """Import capacity of a grid option after losing its largest circuit  [MW]: ``min(capacity,
    (circuits - 1) * capacity / circuits)``; 0 where the scenario schema has no grid circuits yet
    (the phase's full-year check then counts a single circuit, which is not firm)."""
    from twin.scenario import Grid

    if "circuits" not in Grid.model_fields:
        return 0.0
    return min(o.capacity_mw, (o.circuits - 1) * o.capacity_mw / o.circuits)


def _put(prm, values) -> None:
    for pd_, v in zip(prm.values(), np.asarray(values, dtype=float).ravel().tolist()):
        pd_.set_value(v)


def load_day(b, pb: Problem, d: PlanData, p: int, r: int, *, fuel_usd_per_gj: float, carbon_usd_per_t: float) -> None:
    """Load representative day ``r`` into block ``b`` at the given fuel and carbon prices (per
    unit of the block's weight)."""
    rep, phys = d.rep, d.phys
    sl = rep.steps(r)
    sh = pb.step_h
    s = pb.s
    W = rep.steps_per_day
    _put(b.solar_ub, pb.solar[sl])
    _put(b.price, pb.price[sl] + carbon_usd_per_t * s["grid_co2_t_per_mwh"])
    _put(b.obj_uns, np.full(W, s["voll_usd_per_mwh"] * sh))
    if pb.nu:
        fc = fuel_usd_per_gj + carbon_usd_per_t * s["gas_co2_t_per_gj"]
        _put(b.pmin, pb.pmin[sl])
        _put(b.avail, pb.avail[sl])
        _put(b.width, pb.width[sl])
        _put(b.c_on, sh * (fc * pb.fuel0[sl] + pb.vom[None, :] * pb.pmin[sl]))
        _put(b.c_seg, sh * (fc * pb.slope[sl] + pb.vom[None, :, None]))
        _put(b.f_on, sh * pb.fuel0[sl])
        _put(b.f_seg, sh * pb.slope[sl])
        if pb.has_reserve:
            _put(b.obj_short, np.full(W, s["reserve_shortfall_usd_per_mwh"] * sh))
            _put(b.head_pmin, pb.avail[sl] - pb.pmin[sl])


def _prices(d: PlanData, p: int) -> tuple[float, float]:
    """Fuel [USD/GJ] and carbon [USD/t] such that 1 USD of a block's cost times the block weight
    (days x years x the phase's discounted years) is the phase's discounted cost on the plan's paths."""
    op = d.disc.op[p]
    if op <= 0:
        return 0.0, 0.0
    return d.disc.fuel_usd_per_gj[d.path][p] / op, d.disc.carbon_usd_per_t[p] / op


def build_model(d: PlanData, *, fixed: dict | None = None) -> pyo.ConcreteModel:
    """The plan MILP.  ``fixed`` pins investment decisions (``{"add": {(g, p): n}, "bp": {p: mw}, ...}``)."""
    phys, rep, disc = d.phys, d.rep, d.disc
    pb, col_model = problem(d)
    m = pyo.ConcreteModel(name="campus_plan")
    P = range(len(phys.phases))
    G = range(len(d.models))
    O = range(len(d.grid))
    R = range(len(rep.days))
    spd = rep.steps_per_day
    T = range(spd)
    sh = phys.step_h
    scale = year_scale(phys)
    cand = disc.sc.candidates
    econ = disc.sc.economics
    rated = [float(catalog.lookup("gas_units", g)["rated_mw"]) for g in d.models]

    # ------------------------------------------------------------------ investment
    m.add = pyo.Var(G, P, domain=pyo.NonNegativeIntegers, bounds=lambda m, g, p: (0, int(d.max_count[g])))
    m.N = pyo.Expression(G, P, rule=lambda m, g, p: sum(m.add[g, q] for q in range(p + 1)))
    m.maxN = pyo.Constraint(G, rule=lambda m, g: m.N[g, P[-1]] <= int(d.max_count[g]))
    bmin, bmax = cand.battery.power_mw
    emin, emax = cand.battery.energy_mwh
    smin, smax = cand.solar.capacity_mwp
    m.bp = pyo.Var(P, bounds=(bmin, bmax))
    m.be = pyo.Var(P, bounds=(emin, emax))
    m.pv = pyo.Var(P, bounds=(smin, smax))
    grow = [p for p in P if p > 0]
    m.bp_grow = pyo.Constraint(grow, rule=lambda m, p: m.bp[p] >= m.bp[p - 1])
    m.be_grow = pyo.Constraint(grow, rule=lambda m, p: m.be[p] >= m.be[p - 1])
    m.pv_grow = pyo.Constraint(grow, rule=lambda m, p: m.pv[p] >= m.pv[p - 1])
    bcat = catalog.lookup("batteries", cand.battery.model)
    # a battery's power cannot exceed its C-rate times its energy (catalogue max_c_rate)
    m.c_rate = pyo.Constraint(P, rule=lambda m, p: m.bp[p] <= float(bcat["max_c_rate"]) * m.be[p])
    m.y = pyo.Var(O, P, domain=pyo.Binary)
    m.one_grid = pyo.Constraint(P, rule=lambda m, p: sum(m.y[o, p] for o in O) <= 1)
    m.grid_stays = pyo.Constraint([(o, p) for o in O for p in P if p > 0],
                                  rule=lambda m, o, p: m.y[o, p] >= m.y[o, p - 1])
    for o in O:
        for p in P:
            if not grid_available(disc.sc, d.grid[o], p):
                m.y[o, p].fix(0)
    m.grid_mw = pyo.Expression(P, rule=lambda m, p: sum(d.grid[o].capacity_mw * m.y[o, p] for o in O))
    # import capacity left after losing one circuit (issue #9 item 11), as the phase's physics will have it
    m.grid_n1_mw = pyo.Expression(P, rule=lambda m, p: sum(grid_n1_mw(d.grid[o]) * m.y[o, p] for o in O))
    HA = [(h, a) for h in d.halls for a in range(len(d.alts[h]))]
    m.c = pyo.Var(HA, domain=pyo.Binary)
    m.one_cooling = pyo.Constraint(d.halls, rule=lambda m, h: sum(m.c[h, a] for a in range(len(d.alts[h]))) == 1)
    if fixed:
        for (g, p), v in fixed.get("add", {}).items():
            m.add[g, p].fix(int(round(v)))
        for name in ("bp", "be", "pv"):
            for p, v in fixed.get(name, {}).items():
                var = getattr(m, name)[p]
                var.setub(max(var.ub, float(v)))
                var.fix(max(float(v), var.lb))
        for (o, p), v in fixed.get("y", {}).items():
            m.y[o, p].fix(int(round(v)))
        for (h, a), v in fixed.get("c", {}).items():
            m.c[h, a].fix(int(round(v)))

    capex = []
    for g in G:
        row = catalog.lookup("technology_costs", d.models[g])
        fom = float(catalog.lookup("gas_units", d.models[g])["fom_usd_per_mw_yr"])
        for p in P:
            k = rated[g] * (row["capex_usd_per_unit"] * disc.annuity_pv(d.models[g], p) + fom * disc.remaining(p))
            capex.append(k * m.add[g, p])
    for name, var in ((BATTERY_POWER, m.bp), (BATTERY_ENERGY, m.be), (SOLAR, m.pv)):
        row = catalog.lookup("technology_costs", name)
        fom = row["fom_usd_per_unit_yr"] or 0.0
        for p in P:
            capex.append((row["capex_usd_per_unit"] * disc.annuity_pv(name, p) + fom * disc.remaining(p))
                         * (var[p] - (var[p - 1] if p else 0.0)))
    grow_row = catalog.lookup("technology_costs", GRID)
    grid_fom_frac = (grow_row["fom_usd_per_unit_yr"] or 0.0) / grow_row["capex_usd_per_unit"]
    for o in O:
        cost = grid_connection_cost_usd(disc.sc, d.grid[o])
        for p in P:
            capex.append(cost * (disc.annuity_pv(GRID, p) + grid_fom_frac * disc.remaining(p))
                         * (m.y[o, p] - (m.y[o, p - 1] if p else 0)))
    for h, a in HA:
        name = COOLING_COST[d.alts[h][a].type]
        row = catalog.lookup("technology_costs", name)
        prev_it = 0.0
        for p in P:
            it = phys.phases[p].it_capacity_mw.get(h, 0.0)
            add_it = max(it - prev_it, 0.0)
            prev_it = max(prev_it, it)
            if add_it > 0:
                capex.append(add_it * (row["capex_usd_per_unit"] * disc.annuity_pv(name, p)
                                       + (row["fom_usd_per_unit_yr"] or 0.0) * disc.remaining(p)) * m.c[h, a])
    m.capex_npv = pyo.Expression(expr=pyo.quicksum(capex))
    if d.reserve == "built":
        m.built_any = pyo.Var(G, P, domain=pyo.Binary)
        m.built_def = pyo.Constraint(G, P, rule=lambda m, g, p: m.N[g, p] <= int(d.max_count[g]) * m.built_any[g, p])
        # valid inequalities (built capacity stays built; nothing built, nothing to cover): they cut
        # off no integer solution; on the Ulsan plan the root bound after cuts rises a little
        # (benchmarks/README.md, "The plan MILP")
        m.built_none = pyo.Constraint(G, P, rule=lambda m, g, p: m.built_any[g, p] <= m.N[g, p])
        m.built_stays = pyo.Constraint(G, grow, rule=lambda m, g, p: m.built_any[g, p] >= m.built_any[g, p - 1])

    # ------------------------------------------------------------------ operation: one block per phase and day
    m.blk = pyo.Block(P, R)
    weight = {}
    for p in P:
        fac = {(h, a): rep.take(phys.phases[p].facility_mw[(h, a)]) for (h, a) in HA
               if (h, a) in phys.phases[p].facility_mw}
        for r in R:
            b = m.blk[p, r]
            b.solar_ub = param(T)
            b.price = param(T)
            b.obj_uns = param(T)
            obj: list = []
            built = {u: m.N[col_model[u], p] for u in range(pb.nu)}
            gen, fuel = unit_rows.add_units(b, pb, T, obj=obj, built=built, cyclic=True)
            # no peak slot in a day: the demand charge is on the plan's monthly peaks (below)
            grid_rows.add_grid(b, pb, T, 0, obj=obj, capacity_mw=m.grid_mw[p])
            solar_rows.add_solar(b, pb, T, scale=m.pv[p])
            load_rows.add_unserved(b, pb, T, obj=obj)
            bat = storage_rows.add_battery(b, pb, T, obj=obj, soc_end_price_usd_per_mwh=0.0, power_mw=m.bp[p],
                                           energy_mwh=m.be[p], cyclic=True)
            b.balance = pyo.Constraint(T, rule=lambda b, t, fac=fac, r=r, gen=gen, bat=bat: (
                gen[t] + grid_rows.supply(b, pb, t) + b.sol[t] + b.uns[t] + bat[t]
                == sum(float(fac[h, a][r, t]) * m.c[h, a] for (h, a) in fac)))
            if pb.has_reserve:
                reserve_rows.add_reserve(b, pb, T, obj=obj, grid_capacity_mw=m.grid_mw[p], battery_power_mw=m.bp[p],
                                         battery_energy_mwh=m.be[p], grid_n1_capacity_mw=m.grid_n1_mw[p])
                if d.reserve == "built":
                    b.any_built = pyo.Constraint(list(b.any_on.keys()), rule=lambda b, t, u, p=p: (
                        b.any_on[t, u] == m.built_any[col_model[u], p]))
            if d.commitment == "relaxed" and pb.nu and p not in d.integer_phases:
                for v in b.on.values():
                    v.domain = pyo.NonNegativeReals
            b.cost = pyo.Expression(expr=pyo.quicksum(obj))
            b.fuel_gj = pyo.Expression(expr=sum(fuel[t] for t in T))
            b.imp_mwh = pyo.Expression(expr=sh * sum(b.imp[t] for t in T))
            b.deficit_cost = pyo.Expression(expr=sum(
                float(rep.take(phys.phases[p].deficit_mw[(h, a)])[r].sum()) * sh * econ.cooling_deficit_usd_per_mwh
                * m.c[h, a] for (h, a) in HA if (h, a) in phys.phases[p].deficit_mw))
            f_usd, c_usd = _prices(d, p)
            load_day(b, pb, d, p, r, fuel_usd_per_gj=f_usd, carbon_usd_per_t=c_usd)
            weight[p, r] = float(rep.weight[r]) * scale * float(disc.op[p])
    # LNG logistics: the phase's fuel over the period cannot exceed what its tank and deliveries bring
    # (an energy budget, the representative days' stand-in for the dispatch's tank balance)
    budget = {p: lng_budget_gj(d, p) for p in P}
    m.lng_budget = pyo.Constraint([p for p in P if pb.nu and len(R) and np.isfinite(budget[p])], rule=lambda m, p: sum(
        float(rep.weight[r]) * m.blk[p, r].fuel_gj for r in R) <= budget[p])
    # the demand charge on each calendar month's peak import, as the dispatch bills it: the month's
    # peak is at least every import of the representative days that stand for its days
    if pb.has_demand_charge and len(R):
        months = monthly_days(pb, rep)
        m.mpeak = pyo.Var(P, range(len(months)), domain=pyo.NonNegativeReals)
        m.mpeak_def = pyo.Constraint([(p, j, r, t) for p in P for j, rs in enumerate(months) for r in rs for t in T],
                                     rule=lambda m, p, j, r, t: m.mpeak[p, j] >= m.blk[p, r].imp[t])
        c_month = pb.s["grid_demand_charge_usd_per_mw_month"] * scale
        m.demand_usd = pyo.Expression(P, rule=lambda m, p: c_month * sum(m.mpeak[p, j] for j in range(len(months))))
    else:
        m.demand_usd = pyo.Expression(P, rule=lambda m, p: 0.0)
    m.op_npv = pyo.Expression(expr=pyo.quicksum(weight[p, r] * (m.blk[p, r].cost + m.blk[p, r].deficit_cost)
                                                for p in P for r in R)
                              + pyo.quicksum(float(disc.op[p]) * m.demand_usd[p] for p in P))
    m.obj = pyo.Objective(expr=m.capex_npv + m.op_npv, sense=pyo.minimize)
    # each phase's share of op_npv: with the investment fixed the phases do not interact, so the
    # operation can be solved phase by phase (:func:`solve_phases`)
    m.op_npv_phase = pyo.Expression(P, rule=lambda m, p: pyo.quicksum(
        weight[p, r] * (m.blk[p, r].cost + m.blk[p, r].deficit_cost) for r in R) + float(disc.op[p]) * m.demand_usd[p])
    m._pb = pb
    m._weight = weight
    return m


def monthly_days(pb: Problem, rep: RepDays) -> list[list[int]]:
    """Per calendar month of the period, the representative days that stand for its days."""
    month_of_day = np.asarray(pb.month)[::rep.steps_per_day][:rep.n_days]
    return [sorted(set(int(r) for r in rep.assign[month_of_day == mo])) for mo in np.unique(month_of_day)]


def lng_budget_gj(d: PlanData, p: int) -> float:
    """Fuel (LHV) the phase's LNG logistics can supply over the modelled period  [GJ]: the deliveries
    that arrive in it (one batch every ``delivery_interval_days`` after the start, as the dispatch
    schedules them) plus the tank's usable stock (initial level above the heel), less boil-off at the
    mean of the initial and minimum levels."""
    sc = d.disc.sc
    f = sc.phases[p].fuel or sc.fuel
    if f.tank_capacity_t <= 0:
        return 0.0
    hours = len(d.phys.time) * d.phys.step_h
    n_deliveries = int(np.floor(hours / (f.delivery_interval_days * 24.0) - 1e-9)) if f.delivery_t > 0 else 0
    stock = max(f.initial_level_frac - f.min_level_frac, 0.0) * f.tank_capacity_t
    boil = f.boil_off_frac_per_day * hours / 24.0 * 0.5 * (f.initial_level_frac + f.min_level_frac) * f.tank_capacity_t
    lhv = float(d.phys.base["lng_lhv_gj_per_t"].values)
    return max(n_deliveries * f.delivery_t + stock - boil, 0.0) * lhv


def phase_costs(m, d: PlanData) -> dict[str, np.ndarray]:
    """Per phase and year, at the scenario's own flat prices (what a full-year run reports): the
    operating cost and its parts, by re-loading the blocks' prices and evaluating their cost rows.
    Leaves the blocks loaded at the plan's prices again."""
    sc = d.disc.sc
    pb = m._pb
    fuel_flat = np.array([flat_fuel_usd_per_gj(sc, p) for p in range(len(d.phys.phases))])
    carbon_flat = sc.economics.carbon_price_usd_per_t
    scale = year_scale(d.phys)
    nP = len(d.phys.phases)
    out = {k: np.zeros(nP) for k in ("other_usd_per_yr", "fuel_gj_per_yr", "co2_t_per_yr", "op_flat_usd_per_yr")}
    co2_gas, co2_grid = pb.s["gas_co2_t_per_gj"], pb.s["grid_co2_t_per_mwh"]
    for p in range(nP):
        out["other_usd_per_yr"][p] += pyo.value(m.demand_usd[p])
    for (p, r), b in m.blk.items():
        w = float(d.rep.weight[r]) * scale
        load_day(b, pb, d, p, r, fuel_usd_per_gj=0.0, carbon_usd_per_t=0.0)
        other = pyo.value(b.cost) + pyo.value(b.deficit_cost)
        fuel = pyo.value(b.fuel_gj)
        co2 = co2_gas * fuel + co2_grid * pyo.value(b.imp_mwh)
        out["other_usd_per_yr"][p] += w * other
        out["fuel_gj_per_yr"][p] += w * fuel
        out["co2_t_per_yr"][p] += w * co2
        f_usd, c_usd = _prices(d, p)
        load_day(b, pb, d, p, r, fuel_usd_per_gj=f_usd, carbon_usd_per_t=c_usd)
    out["op_flat_usd_per_yr"] = out["other_usd_per_yr"] + out["fuel_gj_per_yr"] * fuel_flat + out["co2_t_per_yr"] * carbon_flat
    return out


def _phase_rows(m, p: int) -> list:
    """The constraints of the plan model that belong to phase ``p`` only (outside its blocks)."""
    rows = []
    for name in ("lng_budget", "mpeak_def"):
        con = getattr(m, name, None)
        if con is not None:
            rows += [c for k, c in con.items() if (k if isinstance(k, int) else k[0]) == p]
    return rows


def _activate_only(comps: list, keep: list) -> None:
    """Deactivate every component of ``comps``, then activate those of ``keep``."""
    for c in comps:
        c.deactivate()
    for c in keep:
        c.activate()


def _combine(recs: list[dict], t0: float, **extra) -> dict:
    """One solve record for several solves: the worst status, the summed objective, the
    objective-weighted gap, the wall time since ``t0``."""
    order = ("infeasible", "error", "time_limit", "optimal")
    ok = bool(recs) and all(r["ok"] for r in recs)
    obj = sum(r["objective"] for r in recs) if ok else None
    return dict(status=min((r["status"] for r in recs), key=order.index) if recs else "error", ok=ok, objective=obj,
                gap=sum(r["gap"] * abs(r["objective"]) for r in recs) / max(abs(obj), 1e-9) if ok else float("nan"),
                solve_s=_time.perf_counter() - t0, **extra)


def _solve_days(m, p: int, days: list, *, mip_rel_gap: float, time_limit_s: float | None, threads: int):
    """Phase ``p``'s representative days solved one by one, each with its own share of the objective,
    the phase's coupling rows (LNG budget, monthly peaks) left out; then the coupling rows are checked.
    Returns the combined record when the days' solutions satisfy them and the demand charge is nil
    (no import), which makes the combination optimal for the phase (a relaxation's solution that is
    feasible); else None."""
    recs = []
    t0 = _time.perf_counter()
    for r in days:
        b = m.blk[p, r]
        m.obj_phase = pyo.Objective(expr=m._weight[p, r] * (b.cost + b.deficit_cost), sense=pyo.minimize)
        left = None if time_limit_s is None else max(time_limit_s - (_time.perf_counter() - t0), 1.0) / (len(days) - len(recs))
        _activate_only([m.blk[p, q] for q in days], [b])
        recs.append(solve(m, mip_rel_gap=mip_rel_gap, time_limit_s=left, threads=threads))
        m.del_component(m.obj_phase)
        if not recs[-1]["ok"]:
            return None
    for q in days:
        m.blk[p, q].activate()
    peak = max((value_or_zero(v) for r in days for v in m.blk[p, r].imp.values()), default=0.0)
    if hasattr(m, "mpeak"):
        if peak > 1e-6 and float(m._pb.s["grid_demand_charge_usd_per_mw_month"]) > 0:
            return None  # the days' imports would set the month's billed peak: solve the phase whole
        # no charge on the peaks: any value that meets their rows will do, the phase's largest import
        for (q, _), v in m.mpeak.items():
            if q == p:
                v.set_value(peak)
    for k, c in getattr(m, "lng_budget", {}).items():
        if k == p and value_or_zero(c.body) > c.upper + 1e-6 * max(abs(c.upper), 1.0):
            return None
    return _combine(recs, t0, by="day")


def value_or_zero(x) -> float:
    """The value of a Pyomo variable or expression, 0 where it has none."""
    v = pyo.value(x, exception=False)
    return 0.0 if v is None else float(v)


def solve_phases(m: pyo.ConcreteModel, n_phases: int, *, mip_rel_gap: float = 1e-4,
                 time_limit_s: float | None = None, threads: int = 1) -> dict:
    """Solve a plan model whose investment is fixed, phase by phase, which is exact because with the
    build fixed nothing links the phases, and far easier for branch and bound than one MILP over all
    of them.  Within a phase the representative days are first solved one by one
    (:func:`_solve_days`); when their solutions break a row that links the days (the LNG budget, or
    a demand charge on imports) the phase is solved as one MILP (its blocks, LNG budget and monthly
    peaks; objective its ``op_npv_phase``).  ``time_limit_s`` is the budget of the whole; each phase
    gets what is left of it shared over the phases still to solve.  Returns the record of
    :func:`solve` for the whole (status: the worst phase's; gap: the objective-weighted gap)."""
    P = range(n_phases)
    days = {p: [r for (q, r) in m.blk.keys() if q == p] for p in P}
    own = {p: [m.blk[p, r] for r in days[p]] + _phase_rows(m, p) for p in P}
    m.obj.deactivate()
    recs = []
    t0 = _time.perf_counter()
    try:
        for p in P:
            left = None
            if time_limit_s is not None:
                left = max((time_limit_s - (_time.perf_counter() - t0)) / (n_phases - p), 1.0)
            _activate_only([c for q in P for c in own[q]], [])
            rec = _solve_days(m, p, days[p], mip_rel_gap=mip_rel_gap, time_limit_s=left, threads=threads)
            if rec is None:
                _activate_only([c for q in P for c in own[q]], own[p])
                m.obj_phase = pyo.Objective(expr=m.op_npv_phase[p], sense=pyo.minimize)
                if time_limit_s is not None:
                    left = max((time_limit_s - (_time.perf_counter() - t0)) / (n_phases - p), 1.0)
                rec = dict(solve(m, mip_rel_gap=mip_rel_gap, time_limit_s=left, threads=threads), by="phase")
                m.del_component(m.obj_phase)
            recs.append(rec)
            if not rec["ok"]:
                break
    finally:
        for q in P:
            for c in own[q]:
                c.activate()
        m.obj.activate()
    out = _combine(recs, t0, phases=[dict(status=r["status"], gap=r["gap"], solve_s=r["solve_s"], by=r["by"])
                                     for r in recs])
    if len(recs) < n_phases:
        out.update(ok=False, objective=None, gap=float("nan"))
    return out


def solve(m: pyo.ConcreteModel, *, mip_rel_gap: float = 1e-4, time_limit_s: float | None = None,
          threads: int = 1) -> dict:
    """Solve with HiGHS; return status, gap, wall time (the solution is loaded into ``m``).

    HiGHS runs with the dispatch's option set for plants of several commitment columns
    (:data:`twin.optimise.problem.HIGHS_HEURISTIC_OPTIONS`: primal heuristics on, branching on
    first pseudo-costs), measured on the Ulsan plan (benchmarks/README.md, "The plan MILP").
    """
    from pyomo.contrib.solver.common.results import TerminationCondition as TC
    from pyomo.contrib.solver.solvers.highs import Highs

    s = Highs()
    s.config.raise_exception_on_nonoptimal_result = False
    s.config.load_solutions = False
    t0 = _time.perf_counter()
    cfg = dict(threads=threads, rel_gap=mip_rel_gap, solver_options={"output_flag": False, **HIGHS_HEURISTIC_OPTIONS})
    if time_limit_s is not None:
        cfg["time_limit"] = float(time_limit_s)
    res = s.solve(m, **cfg)
    wall = _time.perf_counter() - t0
    tc = res.termination_condition
    ok = res.incumbent_objective is not None
    if ok:
        res.solution_loader.load_vars()
    status = ("optimal" if tc == TC.convergenceCriteriaSatisfied else
              "time_limit" if tc == TC.maxTimeLimit else "infeasible" if tc in (
                  TC.provenInfeasible, TC.infeasibleOrUnbounded) else "error")
    bound = res.objective_bound
    obj = res.incumbent_objective
    gap = abs(obj - bound) / max(abs(obj), 1e-9) if ok and bound is not None and np.isfinite(bound) else float("nan")
    return dict(status=status, ok=ok, gap=gap, solve_s=wall, objective=obj)
