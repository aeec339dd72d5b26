"""Every plan is checked by the twin itself: each phase's build through the full-year hourly optimiser.

For each phase the campus as built (:func:`twin.plan.inputs.phase_scenario`) runs the whole flow
(:func:`twin.optimise`: physics, least-cost N-1-secure dispatch, settle) over the scenario's period.
Its operating cost (the dispatch objective: fuel, carbon, VOM, starts, grid energy and demand charge,
battery throughput, unserved energy at VoLL, reserve shortfall) is what the plan's estimate of the same
items on representative days is compared with: the aggregation error.  A phase whose full-year run
sheds load or loses N-1 is named with its first hour and its worst MW.
"""

from __future__ import annotations

import time as _time

import numpy as np
import pandas as pd

from twin import kpi
from twin.plan.inputs import Build, phase_scenario
from twin.scenario import Scenario


#: processes for concurrent full-year checks when asked for (``workers=``; the default is 1: spawned
#: workers re-import the caller's main module, which a script without a ``__main__`` guard re-runs)
DEFAULT_CHECK_WORKERS = 2


def _run_phase(psc: Scenario, options: dict):
    """One phase's full-year optimised run and its wall time (a worker process's task)."""
    import twin

    t0 = _time.perf_counter()
    run = twin.optimise(psc, **options)
    return run, _time.perf_counter() - t0


def _concurrent(scs: list[Scenario], options: dict, workers: int) -> list:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    # spawned (not forked) workers: the parent holds a HiGHS instance and may hold threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as ex:
        # the largest phase first, so that the last one to start is a short one
        order = sorted(range(len(scs)), key=lambda p: -sum(h.racks for h in scs[p].halls))
        futs = {p: ex.submit(_run_phase, scs[p], options) for p in order}
        return [futs[p].result() for p in range(len(scs))]


def check_phases(sc: Scenario, builds: list[Build], *, progress=None, workers: int | None = None,
                 **options) -> list[dict]:
    """Full-year optimised run of each phase's build; returns one record per phase (with the run).

    ``workers``: processes the phases run in concurrently (default 1: one after the other in this
    process; :data:`DEFAULT_CHECK_WORKERS` on a 2-core machine; a pool that breaks -- a worker killed
    -- falls back to running the phases here).  ``options`` go to :func:`twin.optimise`.
    """
    scs = [phase_scenario(sc, p, b) for p, b in enumerate(builds)]
    workers = 1 if workers is None else int(workers)
    workers = max(1, min(workers, len(scs)))
    if progress:
        progress(f"full-year checks of {len(scs)} phase(s) in {workers} process(es)", 0.5)
    results = None
    if workers > 1:
        from concurrent.futures.process import BrokenProcessPool

        try:
            results = _concurrent(scs, options, workers)
        except BrokenProcessPool:
            if progress:
                progress("a check process failed: running the phases one after the other", 0.5)
            results = None
    if results is None:
        results = []
        for p, psc in enumerate(scs):
            if progress and p:
                progress(f"full-year check {sc.phases[p].name}", 0.5 + 0.45 * p / len(scs))
            results.append(_run_phase(psc, options))
    out = []
    for p, (ph, psc, (run, wall)) in enumerate(zip(sc.phases, scs, results)):
        hours = run.sizes["time"] * float(run.attrs["step_h"])
        scale = 8760.0 / hours
        cost = float(run.attrs["objective_usd"]) * scale
        problems = []
        uns = run["unserved_mw"].values
        times = pd.DatetimeIndex(run["time"].values)
        if np.any(uns > 1e-3):
            k = int(np.flatnonzero(uns > 1e-3)[0])
            problems.append(f"phase {ph.name!r}: full-year check sheds {float(uns.sum()) * float(run.attrs['step_h']):.1f} "
                            f"MWh, first at {times[k]:%Y-%m-%d %H:%M}, worst {float(uns.max()):.1f} MW")
        short = run["reserve_shortfall_mw"].values if "reserve_shortfall_mw" in run else np.zeros(len(times))
        if np.any(short > 1e-3):
            k = int(np.flatnonzero(short > 1e-3)[0])
            problems.append(f"phase {ph.name!r}: full-year check loses N-1 in {int((short > 1e-3).sum())} h, first at "
                            f"{times[k]:%Y-%m-%d %H:%M}, worst {float(short.max()):.1f} MW short")
        if str(run.attrs.get("optimisation_status", "complete")) != "complete":
            problems.append(f"phase {ph.name!r}: the full-year check is incomplete (solver status "
                            f"{run.attrs.get('solver_status')}, largest window gap {run.attrs.get('mip_gap')}); "
                            "windows without a solution fell back to the stated rule")
        heel = float(run.attrs.get("lng_heel_shortfall_t", 0.0) or 0.0)
        if heel > 1e-6:
            problems.append(f"phase {ph.name!r}: the LNG tank runs below its heel by {heel:.0f} t in the year "
                            "(the phase's fuel logistics cannot supply the plant as dispatched)")
        out.append(dict(phase=ph.name, scenario=psc, run=run, op_usd_per_yr=cost, wall_s=wall,
                        unserved_mwh=float(uns.sum()) * float(run.attrs["step_h"]),
                        reserve_shortfall_h=int((short > 1e-3).sum()) * float(run.attrs["step_h"]),
                        min_reserve_margin_mw=float(kpi.min_reserve_margin_mw(run)),
                        solver_status=str(run.attrs.get("solver_status")), mip_gap=float(run.attrs.get("mip_gap", np.nan)),
                        problems=problems))
    return out


def evaluate_builds(sc: Scenario, builds: list[Build], *, d=None, **options) -> dict:
    """NPV of a given build schedule with every phase's operation from its full-year optimised run
    (what a hand-written brute-force search computes for each combination).

    The capital side is the plan model's own capex expression (:mod:`twin.plan.model`) evaluated at
    the build, so the brute force and the plan price capital identically; the operating side is
    each phase's full-year dispatch cost (:func:`check_phases`) discounted on the plan's paths.
    """
    import pyomo.environ as pyo

    from twin.plan.run import plan_data

    d = d or plan_data(sc)
    m = _capex_model(d)
    P = range(len(sc.phases))
    for g, mdl in enumerate(d.models):
        prev = 0
        for p in P:
            m.add[g, p].set_value(builds[p].gas.get(mdl, 0) - prev)
            prev = builds[p].gas.get(mdl, 0)
    for p in P:
        m.bp[p].set_value(builds[p].battery_mw)
        m.be[p].set_value(builds[p].battery_mwh)
        m.pv[p].set_value(builds[p].solar_mwp)
        for o, opt in enumerate(d.grid):
            m.y[o, p].set_value(1.0 if builds[p].grid == opt.name else 0.0)
        for h in d.halls:
            for a in range(len(d.alts[h])):
                m.c[h, a].set_value(1.0 if builds[p].cooling.get(h, 0) == a else 0.0)
    capex = float(pyo.value(m.capex_npv))
    checks = check_phases(sc, builds, **options)
    from twin.plan.inputs import flat_fuel_usd_per_gj

    path = d.disc.fuel_usd_per_gj[d.path]
    op = 0.0
    for p, c in enumerate(checks):
        run = c["run"]
        # the run's cost at flat prices, re-priced on the plan's fuel and carbon paths
        fuel_gj = float(run["fuel_gj"].sum()) * 8760.0 / (run.sizes["time"] * float(run.attrs["step_h"]))
        co2_t = float(run["co2_t"].sum()) * 8760.0 / (run.sizes["time"] * float(run.attrs["step_h"]))
        other = c["op_usd_per_yr"] - fuel_gj * flat_fuel_usd_per_gj(sc, p) - co2_t * sc.economics.carbon_price_usd_per_t
        op += d.disc.op[p] * other + path[p] * fuel_gj + d.disc.carbon_usd_per_t[p] * co2_t
    return dict(npv_usd=capex + op, capex_npv_usd=capex, op_npv_usd=op, checks=checks)


def _capex_model(d):
    """The plan model restricted to its investment part (no operation blocks): a cheap way to evaluate
    the capital NPV of a given build with the plan's own expression."""
    from twin.plan.model import PlanData, build_model

    rep = d.rep
    one = type(rep)(rep.days[:0], rep.weight[:0], [], rep.steps_per_day, rep.n_days)
    return build_model(PlanData(**{**d.__dict__, "rep": one}))
