"""``twin.plan(scenario)``: plan, check every phase on the full year, return the plan Dataset."""

from __future__ import annotations

import time as _time
from collections.abc import Callable

import numpy as np
import xarray as xr

from twin.plan.inputs import (
    Build,
    check_plan_scenario,
    cooling_alternatives,
    discounting,
    plan_physics,
)
from twin.plan.model import PlanData, build_model, phase_costs, solve, solve_phases
from twin.plan.model import value_or_zero as _v
from twin.plan.periods import DEFAULT_TYPICAL_DAYS, representative_days
from twin.scenario import Scenario, load_scenario

Progress = Callable[[str, float], None] | None


def extract_builds(m, d: PlanData) -> list[Build]:
    """The build in service in each phase, from a solved model."""
    out = []
    for p in range(len(d.phys.phases)):
        b = Build(gas={mdl: int(round(_v(m.N[g, p]))) for g, mdl in enumerate(d.models)},
                  battery_mw=_v(m.bp[p]), battery_mwh=_v(m.be[p]), solar_mwp=_v(m.pv[p]),
                  grid=next((d.grid[o].name for o in range(len(d.grid)) if _v(m.y[o, p]) > 0.5), None),
                  cooling={h: int(np.argmax([_v(m.c[h, a]) for a in range(len(d.alts[h]))])) for h in d.halls})
        b.battery_mw = round(b.battery_mw, 6)
        b.battery_mwh = round(b.battery_mwh, 6)
        b.solar_mwp = round(b.solar_mwp, 6)
        out.append(b)
    return out


def fixed_from(m, d: PlanData) -> dict:
    """The investment decisions of a solved model, for :func:`twin.plan.model.build_model`'s ``fixed``."""
    P = range(len(d.phys.phases))
    return dict(add={(g, p): _v(m.add[g, p]) for g in range(len(d.models)) for p in P},
                bp={p: _v(m.bp[p]) for p in P}, be={p: _v(m.be[p]) for p in P}, pv={p: _v(m.pv[p]) for p in P},
                y={(o, p): _v(m.y[o, p]) for o in range(len(d.grid)) for p in P},
                c={(h, a): _v(m.c[h, a]) for h in d.halls for a in range(len(d.alts[h]))})


def plan_data(sc: Scenario, *, n_typical_days: int = DEFAULT_TYPICAL_DAYS, reserve: str = "built",
              commitment: str = "relaxed") -> PlanData:
    """Checked inputs of the plan model: physics, representative days, discounting."""
    check_plan_scenario(sc)
    phys = plan_physics(sc)
    rep = representative_days(phys, n_typical_days)
    disc = discounting(sc)
    cand = sc.candidates
    models = [g.model for g in cand.gas_units if g.max_count > 0]
    return PlanData(models=models, max_count=np.array([g.max_count for g in cand.gas_units if g.max_count > 0]),
                    halls=[h.name for h in sc.halls], alts=cooling_alternatives(sc), grid=list(cand.grid), phys=phys,
                    rep=rep, disc=disc, path=list(disc.fuel_usd_per_gj)[0], reserve=reserve, commitment=commitment)


def plan(scenario: Scenario | str, *, n_typical_days: int = DEFAULT_TYPICAL_DAYS, check: bool = True,
         sensitivities: bool = True, marginals: bool = True, mip_rel_gap: float = 1e-3,
         time_limit_s: float | None = 600.0, check_options: dict | None = None, reserve: str = "built",
         commitment: str = "relaxed", refine: bool = True, check_workers: int = 1,
         progress: Progress = None) -> xr.Dataset:
    """Least-cost phased build of the campus's power and cooling plant, checked by the twin.

    Parameters
    ----------
    scenario : Scenario or str
        A scenario with ``phases:`` and ``candidates:`` (a file or preset name).
    n_typical_days : int
        Typical days besides the extreme (design) days.
    check : bool
        Run every phase's build through the full-year hourly optimiser (:func:`twin.optimise`).
    sensitivities : bool
        Re-plan under each of the other LNG price paths of ``economics.lng_price_paths_usd_per_mmbtu``.
    marginals : bool
        What one more unit / MW / MWh / MWp of each candidate would save (investment fixed at the plan).
    mip_rel_gap, time_limit_s : float
        HiGHS relative gap and time limit of the plan MILP.
    check_options : dict, optional
        Passed to :func:`twin.optimise` for the full-year checks.
    check_workers : int
        Processes the phases' full-year checks run in (1: one after the other; 2 on a 2-core machine
        halves the check time of a three-phase plan when memory allows).
    reserve, commitment : str
        See :mod:`twin.plan.model` (``"built"`` / ``"running"``; ``"relaxed"`` / ``"integer"``).
    refine : bool
        With ``commitment="relaxed"``: when the operation estimate (integer commitment) of the chosen
        build sheds load or N-1 reserve in a phase where the relaxed plan model did not, plan again
        with integer commitment in that phase, until no phase is left so (at most once per phase).
        The relaxation lets a fraction of a unit run, so it can pick a unit whose minimum load is
        above the phase's demand; whole units cannot run it.

    Returns
    -------
    xarray.Dataset
        The plan (see :func:`twin.plan.result.plan_dataset`); each phase's full-year run is in
        ``ds.encoding["phase_runs"]`` (saved beside the plan by :func:`twin.store.save_plan`).
    """
    from twin.plan.result import plan_dataset

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    t0 = _time.perf_counter()
    if progress:
        progress("physics", 0.0)
    d = plan_data(sc, n_typical_days=n_typical_days, reserve=reserve, commitment=commitment)
    paths = list(d.disc.fuel_usd_per_gj)
    t_inputs = _time.perf_counter() - t0
    rounds = []
    t_build = t_solve = t_op = 0.0
    while True:
        if progress:
            progress("plan model" + (f" (integer commitment in {', '.join(sc.phases[p].name for p in sorted(d.integer_phases))})"
                                     if d.integer_phases else ""), 0.1)
        t1 = _time.perf_counter()
        m = build_model(d)
        t_build += _time.perf_counter() - t1
        res = solve(m, mip_rel_gap=mip_rel_gap, time_limit_s=time_limit_s)
        t_solve += res["solve_s"]
        if not res["ok"]:
            raise RuntimeError(f"plan MILP: HiGHS found no solution ({res['status']}); this is a bug: "
                               "the model's slacks keep it feasible")
        builds = extract_builds(m, d)
        # the plan's estimate of its operation: the build fixed, each phase's representative days re-solved
        # with the dispatch's own commitment (integer units online) and N-1 rule (the largest running unit)
        t2 = _time.perf_counter()
        d_op, m_op, res_op = operation_estimate(d, m, mip_rel_gap=mip_rel_gap, time_limit_s=time_limit_s)
        t_op += _time.perf_counter() - t2
        shortfalls = plan_shortfalls(m_op, d_op)
        rounds.append(dict(integer_phases=sorted(sc.phases[p].name for p in d.integer_phases),
                           solve_s=res["solve_s"], status=res["status"], gap=res["gap"],
                           operation_s=res_op["solve_s"], operation_gap=res_op["gap"],
                           shortfalls=[f["message"] for f in shortfalls]))
        # a phase the relaxed commitment serves but whole units cannot (e.g. one large unit whose minimum
        # load exceeds the phase's demand): plan it again with integer commitment in that phase
        hidden = phases_hidden_by_relaxation(m, d, shortfalls) if refine else set()
        if not hidden:
            break
        d = PlanData(**{**d.__dict__, "integer_phases": frozenset(d.integer_phases | hidden)})
    est = phase_costs(m_op, d_op)
    info = dict(status=res["status"], gap=res["gap"], solve_s=t_solve, build_s=t_build, inputs_s=t_inputs,
                operation_s=t_op, operation_status=res_op["status"], operation_gap=res_op["gap"],
                milp_objective=res["objective"], objective=_v(m_op.capex_npv) + _v(m_op.op_npv),
                capex_npv=_v(m_op.capex_npv), op_npv=_v(m_op.op_npv), rounds=rounds,
                integer_phases=sorted(sc.phases[p].name for p in d.integer_phases))

    marg = None
    if marginals:
        if progress:
            progress("marginal values", 0.3)
        from twin.plan.sensitivity import marginal_values

        marg = marginal_values(d, m, res["objective"], mip_rel_gap=mip_rel_gap)
    sens = {}
    if sensitivities and len(paths) > 1:
        if progress:
            progress("price paths", 0.4)
        for path in paths[1:]:
            d2 = PlanData(**{**d.__dict__, "path": path})
            m2 = build_model(d2)
            r2 = solve(m2, mip_rel_gap=mip_rel_gap, time_limit_s=time_limit_s)
            if r2["ok"]:
                sens[path] = dict(builds=extract_builds(m2, d2), objective=r2["objective"],
                                  capex_npv=_v(m2.capex_npv), op_npv=_v(m2.op_npv))
    checks = None
    if check:
        from twin.plan.check import check_phases

        checks = check_phases(sc, builds, progress=progress, workers=check_workers, **(check_options or {}))
    info["total_s"] = _time.perf_counter() - t0
    return plan_dataset(sc, d_op, m_op, builds, est, info, shortfalls, checks=checks, marginals=marg, sensitivities=sens)


def phases_hidden_by_relaxation(m, d: PlanData, shortfalls: list[dict]) -> set[int]:
    """Phases (indices) whose shortfall in the operation estimate (``shortfalls``, integer commitment)
    is materially larger than in the plan model ``m`` itself (relaxed commitment) -- by more than
    0.5 MW and 10 % of the relaxed one, unserved load or N-1 reserve -- and whose commitment is not
    integer yet: the relaxation hides what whole units cannot do there."""
    if d.commitment != "relaxed":
        return set()
    names = [ph.name for ph in d.disc.sc.phases]

    def worst(fs):
        out = {}
        for f in fs:
            k = (names.index(f["phase"]), f["kind"])
            out[k] = max(out.get(k, 0.0), f["shortfall_mw"])
        return out

    est, relaxed = worst(shortfalls), worst(plan_shortfalls(m, d))
    return {p for (p, kind), mw in est.items()
            if mw > 1.1 * relaxed.get((p, kind), 0.0) + 0.5 and p not in d.integer_phases}


def operation_estimate(d: PlanData, m, *, mip_rel_gap: float = 1e-3, time_limit_s: float | None = None):
    """The operating cost of the build of a solved plan model ``m`` as the full-year dispatch will run
    it: the investment fixed, every representative day re-solved with integer commitment and the
    dispatch's N-1 rule (``reserve="running"``).  The investment MILP's own operation (continuous
    commitment, the N-1 of the largest unit *built*) chooses the build; this is the estimate the plan
    reports and the full-year check is compared with.  With the build fixed the phases are independent
    and are solved one by one (:func:`twin.plan.model.solve_phases`).  Returns ``(data, model, solve
    record)``."""
    d_op = PlanData(**{**d.__dict__, "reserve": "running", "commitment": "integer"})
    m_op = build_model(d_op, fixed=fixed_from(m, d))
    res = solve_phases(m_op, len(d.phys.phases), mip_rel_gap=mip_rel_gap, time_limit_s=time_limit_s)
    if not res["ok"]:
        raise RuntimeError(f"plan operation estimate: HiGHS found no solution ({res['status']}); this is a bug: "
                           "the model's slacks keep it feasible")
    return d_op, m_op, res


def plan_shortfalls(m, d: PlanData) -> list[dict]:
    """Every phase whose representative days shed load or lack N-1 reserve in the plan itself:
    the phase, the hour (the worst one) and the shortfall.  Both are priced slacks (VoLL and the
    reserve-shortfall price of ``economics``), so a shortfall means that no candidate build within
    the limits serves it, or that serving it would cost more than its price."""
    out = []
    rep, phys = d.rep, d.phys
    econ = d.disc.sc.economics
    price = {"uns": ("economics.voll_usd_per_mwh", econ.voll_usd_per_mwh),
             "short": ("economics.reserve_shortfall_usd_per_mwh", econ.reserve_shortfall_usd_per_mwh)}
    for p, ph in enumerate(d.disc.sc.phases):
        for var, what in (("uns", "unserved load"), ("short", "N-1 reserve shortfall")):
            arr = np.array([[_v(getattr(m.blk[p, r], var)[s]) if hasattr(m.blk[p, r], var) else 0.0
                             for s in range(rep.steps_per_day)] for r in range(len(rep.days))])
            if arr.size and arr.max() > 0.05:
                r, s = np.unravel_index(int(np.argmax(arr)), arr.shape)
                t = phys.time[int(rep.days[r]) * rep.steps_per_day + int(s)]
                out.append(dict(phase=ph.name, kind=what, hour=str(t), shortfall_mw=float(arr.max()),
                                message=f"phase {ph.name!r}: {what} of {arr.max():.1f} MW at {t:%Y-%m-%d %H:%M} "
                                        f"(representative day): no candidate build within the limits serves it, or "
                                        f"serving it costs more than its price ({price[var][0]} "
                                        f"{price[var][1]:,.0f} USD/MWh)"))
    return out
