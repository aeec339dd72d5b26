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
Each phase runs on the representative days of :mod:`twin.plan.periods`, each day cyclic (its
last hour precedes its first: commitment, battery charge).  The rows are those of the dispatch
model for each kind of equipment with the investment variable in place of the installed size:
clustered commitment (an integer number of units of a model online, at most ``N[g, p]``), output
and convex piecewise fuel of each model, starts at their cold-start cost, battery charge and
discharge within ``bp``, charge within ``be`` and the SOC window, PV within ``pv`` times the output
per MWp, grid import within the energised option's capacity at its time-of-use price, unserved load
at VoLL, and the N-1 reserve of :mod:`twin.optimise` (the larger of the trip of the largest running
unit, with the grid's headroom, and the loss of one grid circuit, without it).  The facility power of
a phase is the sum over halls of the chosen cooling alternative's facility power; the cooling
deficit of an alternative is priced at ``cooling_deficit_usd_per_mwh``.

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

Simplifications (the full-year check of every phase measures what they cost): no minimum up/down
or ramp limits on the representative days; no LNG tank (each phase's LNG logistics is checked in the
full-year run); no flexible training load or chilled-water storage; the demand charge is taken on
the phase's highest import every month.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from twin import catalog
from twin.optimise import lower_convex_envelope
from twin.plan.inputs import (
    BATTERY_ENERGY,
    BATTERY_POWER,
    COOLING_COST,
    GRID,
    SOLAR,
    Discounting,
    PlanPhysics,
    cooling_alternatives,
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


def _scalar(phys: PlanPhysics, name: str) -> float:
    return float(phys.base[name].values)


def gas_curves(phys: PlanPhysics):
    """Per model: available output, minimum output, segment widths and slopes (convex), fuel at
    minimum  -- from the physics layer's fuel curve, as the dispatch model takes it."""
    g = phys.gas
    if g.sizes.get("unit", 0) == 0:
        z = np.zeros((len(phys.time), 0))
        return z, z, np.zeros((len(phys.time), 0, 1)), np.zeros((len(phys.time), 0, 1)), z
    avail = np.maximum(np.asarray(g["gas_available_mw"].values, float), 0.0)
    mw = np.asarray(g["gas_curve_mw"].values, float)
    fuel = lower_convex_envelope(mw, np.asarray(g["gas_curve_fuel_gj_per_h"].values, float))
    pmin = np.minimum(np.maximum(mw[..., 0], 0.0), avail)
    dmw = np.diff(mw, axis=-1)
    width = np.maximum(dmw, 0.0)
    slope = np.where(dmw > 1e-9, np.diff(fuel, axis=-1) / np.where(dmw > 1e-9, dmw, 1.0), 0.0)
    return avail, pmin, width, slope, fuel[..., 0]


def build_model(d: PlanData, *, fixed: dict | None = None, integer_commitment: bool = True,
                reserve: str = "running") -> pyo.ConcreteModel:
    """The plan MILP.  ``fixed`` pins investment decisions (``{"N": {(g, p): n}, "bp": {p: mw}, ...}``)."""
    phys, rep, disc = d.phys, d.rep, d.disc
    m = pyo.ConcreteModel(name="campus_plan")
    P = range(len(phys.phases))
    G = range(len(d.models))
    O = range(len(d.grid))
    R = range(len(rep.days))
    spd = rep.steps_per_day
    S = range(spd)
    sh = phys.step_h
    scale = year_scale(phys)
    cand = disc.sc.candidates
    econ = disc.sc.economics
    base = phys.base
    voll = econ.voll_usd_per_mwh
    short_usd = econ.reserve_shortfall_usd_per_mwh
    co2_gas = _scalar(phys, "gas_co2_t_per_gj")
    co2_grid = _scalar(phys, "grid_co2_t_per_mwh") if "grid_co2_t_per_mwh" in base else 0.0
    fuel_path = disc.fuel_usd_per_gj[d.path]

    avail, pmin, width, slope, f0 = gas_curves(phys)
    K = range(width.shape[-1])
    A = lambda x: rep.take(x)  # noqa: E731  (n_rep, spd, ...)
    av, pm, wd, sl, fz = A(avail), A(pmin), A(width), A(slope), A(f0)
    vom = np.asarray(phys.gas["unit_vom_usd_per_mwh"].values, float) if len(d.models) else np.zeros(0)
    cold = np.asarray(phys.gas["unit_start_cost_cold_usd"].values, float) if len(d.models) else np.zeros(0)
    rated = np.asarray(phys.gas["unit_rated_mw"].values, float) if len(d.models) else np.zeros(0)
    w = rep.weight

    # ------------------------------------------------------------------ investment
    m.add = pyo.Var(G, P, domain=pyo.NonNegativeIntegers)
    m.N = pyo.Expression(G, P, rule=lambda m, g, p: sum(m.add[g, q] for q in range(p + 1)))
    m.maxN = pyo.Constraint(G, rule=lambda m, g: m.N[g, P[-1]] <= int(d.max_count[g]))
    bmin, bmax = cand.battery.power_mw
    emin, emax = cand.battery.energy_mwh
    smin, smax = cand.solar.capacity_mwp
    m.bp = pyo.Var(P, bounds=(bmin, bmax))
    m.be = pyo.Var(P, bounds=(emin, emax))
    m.pv = pyo.Var(P, bounds=(smin, smax))
    grow = [(p,) for p in P if p > 0]
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
    HA = [(h, a) for h in d.halls for a in range(len(d.alts[h]))]
    m.c = pyo.Var(HA, domain=pyo.Binary)
    m.one_cooling = pyo.Constraint(d.halls, rule=lambda m, h: sum(m.c[h, a] for a in range(len(d.alts[h]))) == 1)

    if fixed:
        for (g, p), v in fixed.get("add", {}).items():
            m.add[g, p].fix(int(round(v)))
        for name in ("bp", "be", "pv"):
            for p, v in fixed.get(name, {}).items():
                var = getattr(m, name)[p]
                var.fix(min(max(float(v), var.lb), var.ub))
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

    def incr(var, p):
        return var[p] - (var[p - 1] if p else 0.0)

    for name, var in ((BATTERY_POWER, m.bp), (BATTERY_ENERGY, m.be), (SOLAR, m.pv)):
        row = catalog.lookup("technology_costs", name)
        fom = row["fom_usd_per_unit_yr"] or 0.0
        for p in P:
            capex.append((row["capex_usd_per_unit"] * disc.annuity_pv(name, p) + fom * disc.remaining(p)) * incr(var, p))
    grow_fom = catalog.lookup("technology_costs", GRID)["fom_usd_per_unit_yr"] or 0.0
    for o in O:
        cost = grid_connection_cost_usd(disc.sc, d.grid[o])
        for p in P:
            first = m.y[o, p] - (m.y[o, p - 1] if p else 0)
            capex.append((cost * disc.annuity_pv(GRID, p) + grow_fom / max(float(
                catalog.lookup("technology_costs", GRID)["capex_usd_per_unit"]), 1e-9) * cost * disc.remaining(p))
                * first)
    for h, a in HA:
        alt = d.alts[h][a]
        name = COOLING_COST[alt.type]
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

    # ------------------------------------------------------------------ operation per phase and day
    PRS = [(p, r, s) for p in P for r in R for s in S]
    PGRS = [(g, p, r, s) for g in G for p in P for r in R for s in S]
    m.on = pyo.Var(PGRS, domain=pyo.NonNegativeIntegers if integer_commitment else pyo.NonNegativeReals)
    if reserve == "running":  # the largest *running* unit trips (as in dispatch): a binary per step
        m.any = pyo.Var(PGRS, domain=pyo.Binary)
    else:  # the largest *built* unit trips (conservative): a binary per model and phase
        m.built_any = pyo.Var(G, P, domain=pyo.Binary)
        m.built_def = pyo.Constraint(G, P, rule=lambda m, g, p: m.N[g, p] <= int(d.max_count[g]) * m.built_any[g, p])
        m.any = pyo.Expression(PGRS, rule=lambda m, g, p, r, s: m.built_any[g, p])
    m.seg = pyo.Var([(g, p, r, s, k) for g in G for p in P for r in R for s in S for k in K],
                    domain=pyo.NonNegativeReals)
    m.st = pyo.Var(PGRS, domain=pyo.NonNegativeReals)
    m.on_le_N = pyo.Constraint(PGRS, rule=lambda m, g, p, r, s: m.on[g, p, r, s] <= m.N[g, p])
    if reserve == "running":
        m.any_def = pyo.Constraint(PGRS, rule=lambda m, g, p, r, s: m.on[g, p, r, s] <= int(d.max_count[g]) * m.any[g, p, r, s])
    m.seg_cap = pyo.Constraint([(g, p, r, s, k) for g in G for p in P for r in R for s in S for k in K],
                               rule=lambda m, g, p, r, s, k: m.seg[g, p, r, s, k] <= float(wd[r, s, g, k]) * m.on[g, p, r, s])
    m.start_def = pyo.Constraint(PGRS, rule=lambda m, g, p, r, s: m.st[g, p, r, s] >= m.on[g, p, r, s] - m.on[g, p, r, (s - 1) % spd])

    def gen(m, g, p, r, s):
        return float(pm[r, s, g]) * m.on[g, p, r, s] + sum(m.seg[g, p, r, s, k] for k in K)

    def fuel_gj(m, g, p, r, s):
        return sh * (float(fz[r, s, g]) * m.on[g, p, r, s] + sum(float(sl[r, s, g, k]) * m.seg[g, p, r, s, k] for k in K))

    # battery
    eta = float(np.sqrt(bcat["rte_ac"]))
    keep_b = 1.0 - bcat["self_discharge_frac_per_day"] * sh / 24.0
    m.ch = pyo.Var(PRS, domain=pyo.NonNegativeReals)
    m.dis = pyo.Var(PRS, domain=pyo.NonNegativeReals)
    m.soc = pyo.Var(PRS, domain=pyo.NonNegativeReals)
    m.ch_cap = pyo.Constraint(PRS, rule=lambda m, p, r, s: m.ch[p, r, s] <= m.bp[p])
    m.dis_cap = pyo.Constraint(PRS, rule=lambda m, p, r, s: m.dis[p, r, s] <= m.bp[p])
    m.soc_hi = pyo.Constraint(PRS, rule=lambda m, p, r, s: m.soc[p, r, s] <= bcat["soc_max_frac"] * m.be[p])
    m.soc_lo = pyo.Constraint(PRS, rule=lambda m, p, r, s: m.soc[p, r, s] >= bcat["soc_min_frac"] * m.be[p])
    m.soc_def = pyo.Constraint(PRS, rule=lambda m, p, r, s: m.soc[p, r, s] == keep_b * m.soc[p, r, (s - 1) % spd]
                               + (eta * m.ch[p, r, s] - m.dis[p, r, s] / eta) * sh)
    # PV
    sol = A(phys.solar_per_mwp)
    m.sol = pyo.Var(PRS, domain=pyo.NonNegativeReals)
    m.sol_cap = pyo.Constraint(PRS, rule=lambda m, p, r, s: m.sol[p, r, s] <= float(sol[r, s]) * m.pv[p])
    # grid
    OPRS = [(o, p, r, s) for o in O for p in P for r in R for s in S]
    m.imp = pyo.Var(OPRS, domain=pyo.NonNegativeReals)
    m.imp_cap = pyo.Constraint(OPRS, rule=lambda m, o, p, r, s: m.imp[o, p, r, s] <= d.grid[o].capacity_mw * m.y[o, p])
    price = {o: A(phys.grid_price[d.grid[o].name]) for o in O}
    dc = _scalar(phys, "grid_demand_charge_usd_per_mw_month") if "grid_demand_charge_usd_per_mw_month" in base else 0.0
    m.peak = pyo.Var(P, domain=pyo.NonNegativeReals)
    m.peak_def = pyo.Constraint(PRS, rule=lambda m, p, r, s: m.peak[p] >= sum(m.imp[o, p, r, s] for o in O))
    # load
    fac = {(p, h, a): A(phys.phases[p].facility_mw[(h, a)]) for p in P for (h, a) in HA if (h, a) in phys.phases[p].facility_mw}
    dfc = {(p, h, a): A(phys.phases[p].deficit_mw[(h, a)]) for p in P for (h, a) in HA if (h, a) in phys.phases[p].deficit_mw}

    def demand(m, p, r, s):
        return sum(float(fac[p, h, a][r, s]) * m.c[h, a] for (h, a) in HA if (p, h, a) in fac)

    m.uns = pyo.Var(PRS, domain=pyo.NonNegativeReals)
    m.balance = pyo.Constraint(PRS, rule=lambda m, p, r, s: sum(gen(m, g, p, r, s) for g in G)
                               + sum(m.imp[o, p, r, s] for o in O) + m.sol[p, r, s] + m.dis[p, r, s]
                               - m.ch[p, r, s] + m.uns[p, r, s] == demand(m, p, r, s))
    # N-1 reserve
    m.req = pyo.Var(PRS, domain=pyo.NonNegativeReals)
    m.short = pyo.Var(PRS, domain=pyo.NonNegativeReals)
    m.bhead = pyo.Var(PRS, domain=pyo.NonNegativeReals)
    m.req_def = pyo.Constraint(PGRS, rule=lambda m, g, p, r, s: m.req[p, r, s] >= float(av[r, s, g]) * m.any[g, p, r, s])
    m.bhead_p = pyo.Constraint(PRS, rule=lambda m, p, r, s: m.bhead[p, r, s] <= m.bp[p] - m.dis[p, r, s] + m.ch[p, r, s])
    m.bhead_e = pyo.Constraint(PRS, rule=lambda m, p, r, s: m.bhead[p, r, s] <= m.ch[p, r, s] + (
        m.soc[p, r, s] - bcat["soc_min_frac"] * m.be[p]) * eta / sh)

    def gas_head(m, p, r, s):
        return sum((float(av[r, s, g]) - float(pm[r, s, g])) * m.on[g, p, r, s]
                   - sum(m.seg[g, p, r, s, k] for k in K) for g in G)

    def grid_head(m, p, r, s):
        return sum(d.grid[o].capacity_mw * m.y[o, p] - m.imp[o, p, r, s] for o in O)

    def n1_cap(o):
        c = d.grid[o]
        return min(c.capacity_mw, (c.circuits - 1) * c.capacity_mw / c.circuits)

    has_gas = len(d.models) > 0
    if has_gas:
        m.reserve_unit = pyo.Constraint(PRS, rule=lambda m, p, r, s: gas_head(m, p, r, s) + grid_head(m, p, r, s)
                                        + m.bhead[p, r, s] + m.short[p, r, s] >= m.req[p, r, s])
    if len(d.grid):
        m.reserve_grid = pyo.Constraint(PRS, rule=lambda m, p, r, s: gas_head(m, p, r, s) + m.bhead[p, r, s]
                                        + m.short[p, r, s] >= sum(m.imp[o, p, r, s] - n1_cap(o) * m.y[o, p] for o in O))

    # ------------------------------------------------------------------ operating cost (per year of each phase)
    deg = float(bcat["degradation_usd_per_mwh"])

    def day_other(m, p, r):
        """USD of one representative day at the flat, path-free items."""
        c = 0.0
        for s in S:
            c += sum(float(vom[g]) * sh * gen(m, g, p, r, s) + float(cold[g] * 1.0) * m.st[g, p, r, s] for g in G)
            c += sum(float(price[o][r, s]) * sh * m.imp[o, p, r, s] for o in O)
            c += deg * sh * m.dis[p, r, s] + voll * sh * m.uns[p, r, s] + short_usd * sh * m.short[p, r, s]
        c += sum(float(dfc[p, h, a][r].sum()) * sh * econ.cooling_deficit_usd_per_mwh * m.c[h, a]
                 for (h, a) in HA if (p, h, a) in dfc)
        return c

    def day_fuel(m, p, r):
        return sum(fuel_gj(m, g, p, r, s) for g in G for s in S)

    def day_co2(m, p, r):
        return co2_gas * day_fuel(m, p, r) + co2_grid * sh * sum(m.imp[o, p, r, s] for o in O for s in S)

    m.other_yr = pyo.Expression(P, rule=lambda m, p: scale * sum(float(w[r]) * day_other(m, p, r) for r in R)
                                + 12.0 * dc * m.peak[p])
    m.fuel_gj_yr = pyo.Expression(P, rule=lambda m, p: scale * sum(float(w[r]) * day_fuel(m, p, r) for r in R))
    m.co2_t_yr = pyo.Expression(P, rule=lambda m, p: scale * sum(float(w[r]) * day_co2(m, p, r) for r in R))
    m.op_npv = pyo.Expression(expr=sum(disc.op[p] * m.other_yr[p] + fuel_path[p] * m.fuel_gj_yr[p]
                                       + disc.carbon_usd_per_t[p] * m.co2_t_yr[p] for p in P))
    m.obj = pyo.Objective(expr=m.capex_npv + m.op_npv, sense=pyo.minimize)
    m._plan = dict(gen=gen, fuel_gj=fuel_gj, demand=demand, price=price)
    return m


def solve(m: pyo.ConcreteModel, *, mip_rel_gap: float = 1e-4, time_limit_s: float | None = None,
          threads: int = 1) -> dict:
    """Solve with HiGHS; return status, gap, wall time (the solution is loaded into ``m``)."""
    from pyomo.contrib.solver.common.results import TerminationCondition as TC
    from pyomo.contrib.solver.solvers.highs import Highs

    s = Highs()
    s.config.raise_exception_on_nonoptimal_result = False
    s.config.load_solutions = False
    t0 = _time.perf_counter()
    cfg = dict(threads=threads, rel_gap=mip_rel_gap, solver_options={"output_flag": bool(__import__("os").environ.get("PLAN_HIGHS_LOG"))})
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
