"""Benchmark: the optimiser at gigawatt scale (issue 13) on the physics of a real scenario.

Cases (``--case``):

- ``gw-year``: the preset ``sk-aws-ulsan-gw`` (its ``solver`` windows unless ``--window-h`` /
  ``--commit-h`` are given) (8,600 GB200 racks, 6 x SGT-800 2x1 + M701JAC +
  9HA.02 + a 750 MW unit, 300 MW feed, 200 MW / 400 MWh battery), a year hourly, N-1.
- ``probe-month``: the same campus with the short tank of ``sk-aws-ulsan`` (20,000 t,
  8,000 t every 14 days: deliveries short of all-gas operation), July.
- ``probe-3days``: the same, 1-3 July, solved as one MILP (the issue's first figure).
- ``gw-window``: one 36-h window of the preset (1 July 00:00 to 2 July 12:00) as one MILP, with
  ``--variant`` switching one thing: ``default`` (as built), ``lean`` / ``heuristics`` /
  ``highs-defaults`` (HiGHS option sets), ``no-flex`` (no flexible training load), ``no-reserve``
  (N-1 unpriced).

Reports physics time, model build time, solve time, windows, the largest window gap, the
windows cut by their budget, and the cost (:func:`twin.optimise.dispatch_cost_usd`).  HiGHS on
one thread.  Runs on the tree it is started from (``PYTHONPATH``); on a tree whose scenario
schema has no ``solver`` section the scenario is loaded without it.  Not run as a test.

Usage::

    python benchmarks/bench_dispatch_gw.py --case gw-year
    python benchmarks/bench_dispatch_gw.py --case probe-month --time-limit 60
    python benchmarks/bench_dispatch_gw.py --case gw-window --variant lean --time-limit 30
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
GW_YAML = Path(__file__).resolve().parent.parent / "datasets" / "scenarios" / "sk-aws-ulsan-gw.yaml"


def scenario(case: str, preset_path: Path):
    from twin.scenario import Scenario, parse_scenario

    data = yaml.safe_load(preset_path.read_text())
    if "solver" not in Scenario.model_fields:
        data.pop("solver", None)
    if case.startswith("probe"):
        data["fuel"].update(tank_capacity_t=20000, initial_level_frac=0.6, delivery_t=8000, delivery_interval_days=14)
        data["period"] = ({"start": "2025-07-01", "end": "2025-08-01", "step": "1h"} if case == "probe-month"
                          else {"start": "2025-07-01", "end": "2025-07-04", "step": "1h"})
    if case == "gw-window":
        data["period"] = {"start": "2025-07-01", "end": "2025-07-02 12:00", "step": "1h"}
    return parse_scenario(data, source=str(preset_path), origin=preset_path)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", choices=["gw-year", "probe-month", "probe-3days", "gw-window"], default="gw-year")
    ap.add_argument("--variant", default="default",
                    choices=["default", "lean", "heuristics", "highs-defaults", "no-flex", "no-reserve"])
    ap.add_argument("--time-limit", type=float, default=60.0, help="budget per window [s]")
    ap.add_argument("--gap", type=float, default=1e-3)
    ap.add_argument("--preset", default=str(GW_YAML), help="scenario file (default: this tree's GW preset)")
    ap.add_argument("--horizon", default="auto")
    ap.add_argument("--relax-lookahead", action="store_true", help="LP commitment after the committed hours")
    ap.add_argument("--window-h", type=float, default=None,
                    help="rolling window [h] (default: the scenario's solver.window_h, else 36)")
    ap.add_argument("--commit-h", type=float, default=None,
                    help="hours kept of each window (default: the scenario's solver.commit_h, else 24)")
    args = ap.parse_args(argv)

    from twin.couple import couple
    from twin.optimise import dispatch_cost_usd, optimise_dispatch

    sc = scenario(args.case, Path(args.preset))
    t0 = time.perf_counter()
    phys = couple(sc)
    t_phys = time.perf_counter() - t0
    from twin.optimise import HIGHS_HEURISTIC_OPTIONS, HIGHS_LEAN_OPTIONS

    extra = {}
    solver = getattr(sc, "solver", None)
    window_h = args.window_h or float(getattr(solver, "window_h", 36.0))
    commit_h = args.commit_h or float(getattr(solver, "commit_h", 24.0))
    if args.case == "gw-window":
        args.horizon = "whole"
    if args.variant == "lean":
        extra["highs_options"] = HIGHS_LEAN_OPTIONS
    elif args.variant == "heuristics":
        extra["highs_options"] = HIGHS_HEURISTIC_OPTIONS
    elif args.variant == "highs-defaults":
        extra["highs_options"] = {}
    elif args.variant == "no-flex":
        phys["flex_training_frac"] = 0.0 * phys["flex_training_frac"]
    elif args.variant == "no-reserve":
        phys["reserve_shortfall_usd_per_mwh"] = 0.0 * phys["reserve_shortfall_usd_per_mwh"]
    print(f"physics {t_phys:.1f} s", file=sys.stderr, flush=True)
    t0 = time.perf_counter()

    def progress(done: int, total: int) -> None:
        print(f"window {done}/{total} at {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)

    r = optimise_dispatch(phys, horizon=args.horizon, window_h=window_h, commit_h=commit_h,
                          mip_rel_gap=args.gap, time_limit_s=args.time_limit,
                          threads=1, progress=progress,
                          **({"relax_lookahead": True} if args.relax_lookahead else {}), **extra)
    wall = time.perf_counter() - t0
    cost = dispatch_cost_usd(phys, r)
    gaps = np.asarray(r["window_gap"].values, float)
    out = dict(
        case=args.case, variant=args.variant, window_h=window_h, commit_h=commit_h, steps=int(phys.sizes["time"]), units=int(phys.sizes.get("unit", 0)),
        physics_s=round(t_phys, 2), optimise_wall_s=round(wall, 2),
        build_s=round(float(r.attrs["build_time_s"]), 2), solve_s=round(float(r.attrs["solve_time_s"]), 2),
        windows=int(r.attrs["windows"]), max_window_gap=float(np.nanmax(gaps)) if np.isfinite(gaps).any() else None,
        max_window_solve_s=round(float(np.max(r["window_solve_s"].values)), 2),
        windows_over_budget=int(np.sum(r["window_solve_s"].values > args.time_limit)),
        window_time_margin_s=round(float(r.attrs.get("window_time_margin_s", 0.0)), 2),
        status=r.attrs["solver_status"], incomplete=r.attrs.get("incomplete_windows", ""),
        commitment_groups=int(r.attrs["commitment_groups"]),
        cost_usd=round(float(sum(cost.values())), 0), objective_usd=round(float(r.attrs["objective_usd"]), 0),
        unserved_mwh=round(float(r.attrs["unserved_mwh"]), 1),
        reserve_shortfall_mwh=round(float(r.attrs["reserve_shortfall_mwh"]), 1),
        lng_heel_shortfall_t=round(float(r.attrs.get("lng_heel_shortfall_t", 0.0)), 1),
    )
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
