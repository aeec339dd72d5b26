"""Planning benchmark: the SK / AWS Ulsan build-out (41 MW -> 103 MW -> gigawatt stage; three
combined-cycle models, battery, PV, two grid contracts, cooling of the gigawatt halls) planned by
``twin.plan`` with every phase checked on the full year, against the brute-force search it replaces.

    PYTHONPATH=. python benchmarks/bench_plan.py            # Ulsan plan + the small brute force
    PYTHONPATH=. python benchmarks/bench_plan.py --ulsan    # Ulsan only
    PYTHONPATH=. python benchmarks/bench_plan.py --small    # the small brute force only
    # --check-time-limit S: window budget of the full-year checks; --check-workers N: check processes

Reported: plan MILP time, full-year check time per phase, total; aggregation error per phase
(plan estimate of the operating cost vs the full-year hourly optimised dispatch of the phase's
build); the brute-force cost: the number of build schedules a search must dispatch and the time one
full-year phase dispatch takes here (measured: each phase's check), i.e. the time the search would
take; and a small brute force run in full (0-4 units of two engine models x three battery sizes x
two coolings = 150 builds, each dispatched over the test campus's period) against the plan's pick.
The machine's load is printed beside the figures (the CPU is shared).
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "plan"))


def ulsan(check_time_limit_s: float | None = None, check_workers: int = 1) -> dict:
    import twin
    from twin.plan.run import plan

    sc = twin.load_scenario("plan-sk-aws-ulsan")
    t0 = time.perf_counter()
    opts = {} if check_time_limit_s is None else {"time_limit_s": check_time_limit_s}
    ds = plan(sc, marginals=False, sensitivities=False, check_options=opts, check_workers=check_workers,
              progress=lambda stage, frac: print(f"{time.perf_counter() - t0:7.1f} s  {stage}", file=sys.stderr, flush=True))
    total = time.perf_counter() - t0
    cand = sc.candidates
    # brute force over the same candidates: per phase, a non-decreasing count per gas model (0..max),
    # battery and PV on a 5-step grid, each grid option or none, each cooling alternative; the number of
    # monotone schedules over three phases, each needing three full-year dispatches
    per_model = [len([c for c in itertools.combinations_with_replacement(range(g.max_count + 1), 3)])
                 for g in cand.gas_units]
    schedules = int(np.prod(per_model)) * 35 * 35 * 4 * 2  # battery, PV: 5 levels -> 35 monotone triples
    per_check = ds.attrs["check_time_s"] / len(sc.phases)
    out = dict(
        plan_milp_s=ds.attrs["solve_time_s"], plan_inputs_s=ds.attrs["inputs_time_s"],
        plan_operation_estimate_s=ds.attrs.get("operation_time_s"), plan_rounds=ds.attrs.get("plan_rounds"),
        integer_commitment_phases=ds.attrs.get("integer_commitment_phases"),
        operation_mip_gap=ds.attrs.get("operation_mip_gap"),
        check_gaps={c: float(v) for c, v in zip(ds["phase"].values, ds["plan_check_mip_gap"].values)}
        if "plan_check_mip_gap" in ds else None,
        plan_round_log=ds.attrs.get("plan_round_log", "").split("\n"), plan_mip_gap=ds.attrs["mip_gap"],
        plan_milp_objective_usd=ds.attrs["milp_objective_usd"], plan_npv_usd=float(ds["plan_npv_usd"]),
        plan_npv_full_year_usd=float(ds["plan_npv_full_year_usd"]) if "plan_npv_full_year_usd" in ds else None,
        checks_s=ds.attrs["check_time_s"], total_s=total,
        aggregation_error_frac={str(p): float(ds["plan_aggregation_error_frac"].sel(phase=p)) for p in ds["phase"].values},
        op_plan_usd_per_yr={str(p): float(ds["plan_op_usd_per_yr"].sel(phase=p)) for p in ds["phase"].values},
        op_full_year_usd_per_yr={str(p): float(ds["plan_op_full_year_usd_per_yr"].sel(phase=p)) for p in ds["phase"].values},
        build={str(p): {str(t): float(ds["plan_capacity_mw"].sel(phase=p, technology=t)) for t in ds["technology"].values
                        if float(ds["plan_capacity_mw"].sel(phase=p, technology=t)) > 0} for p in ds["phase"].values},
        problems=ds.attrs.get("problems", ""),
        brute_force_schedules=schedules, brute_force_s_estimate=schedules * 3 * per_check,
        brute_force_vs_plan=schedules * 3 * per_check / total,
    )
    return out


def small() -> dict:
    from test_plan import _sc

    from twin.plan.check import evaluate_builds
    from twin.plan.inputs import Build
    from twin.plan.run import plan, plan_data

    sc = _sc(lambda d: d["candidates"]["gas_units"][0].update(max_count=4) or
             d["candidates"]["gas_units"][1].update(max_count=4))
    t0 = time.perf_counter()
    ds = plan(sc, n_typical_days=8, marginals=False, sensitivities=False)
    t_plan = time.perf_counter() - t0
    d = plan_data(sc, n_typical_days=8)
    t0 = time.perf_counter()
    best, best_b = np.inf, None
    for n1, n2, (bp, be), cool in itertools.product(range(5), range(5), [(0, 0), (5, 10), (10, 20)], range(2)):
        b = Build(gas={d.models[0]: n1, d.models[1]: n2}, battery_mw=bp, battery_mwh=be, grid="evn-10mw",
                  cooling={"hall-a": cool})
        v = evaluate_builds(sc, [b], d=d)["npv_usd"]
        if v < best:
            best, best_b = v, (n1, n2, bp, be, cool)
    t_bf = time.perf_counter() - t0
    return dict(plan_s=t_plan, plan_npv_full_year_usd=float(ds["plan_npv_full_year_usd"]),
                plan_units={m: int(ds["plan_units"].sel(phase="p1", technology=m)) for m in d.models},
                plan_battery_mw=float(ds["plan_capacity_mw"].sel(phase="p1", technology="battery")),
                brute_force_s=t_bf, brute_force_builds=150, brute_force_best_npv_usd=best, brute_force_best=best_b,
                plan_vs_best_frac=(float(ds["plan_npv_full_year_usd"]) - best) / best,
                aggregation_error_frac=ds.attrs["max_abs_aggregation_error_frac"])


if __name__ == "__main__":
    out = {"load_average": os.getloadavg(), "cpus": os.cpu_count()}
    if "--small" not in sys.argv:
        tl = float(sys.argv[sys.argv.index("--check-time-limit") + 1]) if "--check-time-limit" in sys.argv else None
        cw = int(sys.argv[sys.argv.index("--check-workers") + 1]) if "--check-workers" in sys.argv else 1
        out["ulsan"] = ulsan(tl, cw)
    if "--ulsan" not in sys.argv:
        out["small"] = small()
    out["load_average_end"] = os.getloadavg()
    print(json.dumps(out, indent=2, default=str))
