"""Benchmark: the twin's Pyomo/HiGHS dispatch against PyPSA on the same campus problem.

One process, paired runs (twin then PyPSA, repeated), median of the runs.  The problem is a
synthetic campus: identical 40-MW gas units with commitment, min up/down times and start
costs; a grid feed with a time-of-use price; a battery; PV; a load of about 100 MW that
follows the day and the season.  Both tools solve rolling windows of 36 h committing 24 h with
HiGHS on one thread at the same relative MIP gap; both dispatches are costed by the same
function (:func:`twin.optimise.dispatch_cost_usd`).  N-1 reserve is left out (PyPSA has no
such constraint built in).

Usage::

    python benchmarks/bench_dispatch.py                # a year, 3 paired runs
    python benchmarks/bench_dispatch.py --days 28 --runs 1
    python benchmarks/bench_dispatch.py --distinct     # units of slightly different cost
    python benchmarks/bench_dispatch.py --levers --days 91   # what each speed trick gains

Not run as a test.  Prints a markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np
import xarray as xr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "optimise"))

from conftest import make_physics  # noqa: E402  (the tests' synthetic physics builder)
from pypsa_ref import pypsa_network  # noqa: E402


# ------------------------------------------------------------------ the problem
def campus_year(days: int = 365, *, n_units: int = 4, distinct: bool = False, seed: int = 1) -> xr.Dataset:
    """A synthetic hourly campus problem (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = 24 * days
    t = np.arange(n)
    h = t % 24
    doy = (t // 24) % 365
    season = np.cos(2 * np.pi * (doy - 200) / 365)  # +1 in mid-July
    demand = 95 + 8 * season + 6 * np.sin(2 * np.pi * (h - 9) / 24) + rng.normal(0, 2, n)
    price = np.where((h >= 10) & (h < 12) | (h >= 13) & (h < 17), 150.0,
                     np.where((h >= 23) | (h < 9), 75.0, 110.0)) * (1 + 0.1 * season)
    solar = np.clip(40 * np.sin(np.pi * (h - 6) / 12), 0, None) * (0.75 + 0.25 * rng.random(n))
    units = [dict(rated_mw=40.0, eff_full=0.42 + (0.004 * i if distinct else 0.0), no_load_frac=0.15,
                  min_load_frac=0.4, min_up_h=4, min_down_h=3,
                  start_cost_usd=2000.0 + (150.0 * i if distinct else 0.0), vom=3.0,
                  initial_on=float(i < 2), group="g0" if not distinct else f"g{i}")
             for i in range(n_units)]
    return make_physics(n, start="2025-01-01", demand_mw=demand, price_usd_per_mwh=price, solar_mw=solar,
                        units=units, grid_capacity_mw=60.0, grid_co2_t_per_mwh=0.45, carbon_price_usd_per_t=20.0,
                        battery_power_mw=20.0, battery_energy_mwh=80.0, battery_eff_charge=0.95,
                        battery_eff_discharge=0.95, battery_soc_initial_frac=0.5,
                        battery_degradation_usd_per_mwh=15.0, lng_price_usd_per_gj=10.0)


# ------------------------------------------------------------------ measurement helpers
class _HighsClock:
    """Time spent in ``highspy.Highs.run`` (both tools drive HiGHS through highspy) and the
    largest MIP gap seen."""

    def __init__(self):
        import highspy

        self.cls = highspy.Highs
        self.orig = self.cls.run
        self.seconds = 0.0
        self.max_gap = 0.0
        clock = self

        def run(h, *a, **k):
            t0 = time.perf_counter()
            r = clock.orig(h, *a, **k)
            clock.seconds += time.perf_counter() - t0
            info = h.getInfo()
            if info.mip_node_count >= 0 and np.isfinite(info.mip_gap) and info.mip_gap < 1e10:
                clock.max_gap = max(clock.max_gap, float(info.mip_gap))
            return r

        self.cls.run = run

    def reset(self):
        self.seconds, self.max_gap = 0.0, 0.0

    def close(self):
        self.cls.run = self.orig


class _PeakRSS:
    """Peak resident memory above the level at start, sampled every 20 ms  [MB]."""

    def __init__(self):
        import psutil

        self.proc = psutil.Process()

    def __enter__(self):
        self.base = self.proc.memory_info().rss
        self.peak = self.base
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)
        self._t.start()
        return self

    def _loop(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.02)

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)
        self.mb = (self.peak - self.base) / 2**20


# ------------------------------------------------------------------ the two routes
def run_twin(ds, clock, *, gap, window_h, commit_h, horizon="rolling", **kw) -> dict:
    from twin.optimise import dispatch_cost_usd, optimise_dispatch

    clock.reset()
    t0 = time.perf_counter()
    with _PeakRSS() as mem:
        r = optimise_dispatch(ds, horizon=horizon, window_h=window_h, commit_h=commit_h, mip_rel_gap=gap,
                              threads=1, battery_end="free", **kw)
    total = time.perf_counter() - t0
    cost = sum(dispatch_cost_usd(ds, r).values())
    return dict(total_s=total, solve_s=clock.seconds, model_s=total - clock.seconds, mem_mb=mem.mb, cost=cost,
                gap=float(r.attrs["mip_gap"]), status=r.attrs["solver_status"])


def run_pypsa(ds, clock, *, gap, window_h, commit_h) -> dict:
    import logging

    from twin.optimise import dispatch_cost_usd

    logging.getLogger("linopy").setLevel(logging.ERROR)
    logging.getLogger("pypsa").setLevel(logging.ERROR)
    clock.reset()
    t0 = time.perf_counter()
    with _PeakRSS() as mem:
        n = pypsa_network(ds)
        n.optimize.optimize_with_rolling_horizon(
            horizon=int(window_h), overlap=int(window_h - commit_h), solver_name="highs",
            solver_options={"threads": 1, "mip_rel_gap": gap, "output_flag": False},
            include_objective_constant=False)
    total = time.perf_counter() - t0
    cost = sum(dispatch_cost_usd(ds, _pypsa_dispatch(ds, n)).values())
    return dict(total_s=total, solve_s=clock.seconds, model_s=total - clock.seconds, mem_mb=mem.mb, cost=cost,
                gap=clock.max_gap, status="ok")


def _pypsa_dispatch(ds, n) -> xr.Dataset:
    units = [str(u) for u in ds["unit"].values]
    p = n.generators_t.p
    zero = np.zeros(ds.sizes["time"])
    out = xr.Dataset(coords={"time": ds["time"], "unit": ds["unit"]})
    out["gen_mw"] = (("time", "unit"), p[units].values)
    out["unit_on"] = (("time", "unit"), (n.generators_t.status[units].values > 0.5).astype(np.int8))
    out["grid_import_mw"] = ("time", p["grid"].values if "grid" in p else zero)
    out["solar_mw"] = ("time", p["solar"].values if "solar" in p else zero)
    su = n.storage_units_t
    has_b = "battery" in n.storage_units.index
    out["battery_discharge_mw"] = ("time", su.p_dispatch["battery"].values if has_b else zero)
    out["battery_charge_mw"] = ("time", su.p_store["battery"].values if has_b else zero)
    out["unserved_mw"] = ("time", p["unserved"].values)
    out["reserve_shortfall_mw"] = ("time", zero)
    return out


# ------------------------------------------------------------------ levers
def levers(args) -> None:
    """Twin only: the full set of tricks, then each one switched off (median of the runs)."""
    clock = _HighsClock()
    variants = {
        "all tricks (36/24 windows, lean HiGHS, grouping, MIP start)": {},
        "default HiGHS options": dict(highs_options={}),
        "no MIP start from the previous window": dict(warm_start=False),
        "48/24 windows": dict(window_h=48),
    }
    cases = {"identical": campus_year(args.days), "distinct": campus_year(args.days, distinct=True)}
    print(f"\n{args.days} days hourly, 4 gas units, HiGHS 1 thread, mip_rel_gap {args.gap:g}; "
          f"median of {args.runs} run(s)\n")
    print("| units | variant | total [s] | HiGHS [s] | cost [USD] | vs all tricks (time / cost) |")
    print("|---|---|---:|---:|---:|---:|")
    for cname, ds in cases.items():
        vs = dict(variants)
        if cname == "identical":
            vs["one binary per unit (no grouping)"] = dict(group_identical=False)
        if args.days <= 31:
            vs["whole period as one MILP (time limit 600 s)"] = dict(horizon="whole", time_limit_s=600.0)
        ref = None
        for vname, extra in vs.items():
            kw = dict(gap=args.gap, window_h=args.window_h, commit_h=args.commit_h)
            kw.update(extra)
            rows = [run_twin(ds, clock, **kw) for _ in range(args.runs)]
            med = {k: statistics.median(r[k] for r in rows) for k in ("total_s", "solve_s", "cost")}
            ref = ref or med
            print(f"| {cname} | {vname} | {med['total_s']:.1f} | {med['solve_s']:.1f} | {med['cost']:,.0f} | "
                  f"{med['total_s'] / ref['total_s']:.2f}x / {(med['cost'] - ref['cost']) / ref['cost']:+.3%} |",
                  flush=True)
    clock.close()


# ------------------------------------------------------------------ main
def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--gap", type=float, default=1e-3)
    ap.add_argument("--window-h", type=int, default=36)
    ap.add_argument("--commit-h", type=int, default=24)
    ap.add_argument("--distinct", action="store_true", help="units of slightly different cost")
    ap.add_argument("--skip-pypsa", action="store_true")
    ap.add_argument("--levers", action="store_true", help="twin only: switch each speed trick off in turn")
    args = ap.parse_args(argv)
    if args.levers:
        levers(args)
        return

    ds = campus_year(args.days, distinct=args.distinct)
    clock = _HighsClock()
    res: dict[str, list[dict]] = {"twin (Pyomo + HiGHS, persistent)": [], "PyPSA (linopy + HiGHS)": []}
    kw = dict(gap=args.gap, window_h=args.window_h, commit_h=args.commit_h)
    for i in range(args.runs):
        r = run_twin(ds, clock, **kw)
        res["twin (Pyomo + HiGHS, persistent)"].append(r)
        print(f"run {i + 1} twin : {r}", file=sys.stderr, flush=True)
        if not args.skip_pypsa:
            r = run_pypsa(ds, clock, **kw)
            res["PyPSA (linopy + HiGHS)"].append(r)
            print(f"run {i + 1} pypsa: {r}", file=sys.stderr, flush=True)
    clock.close()

    print(f"\n{args.days} days hourly, {ds.sizes['unit']} gas units"
          f" ({'distinct' if args.distinct else 'identical'}), windows {args.window_h} h / commit "
          f"{args.commit_h} h, HiGHS 1 thread, mip_rel_gap {args.gap:g}; median of {args.runs} paired run(s)\n")
    print("| route | model time [s] | solve time [s] | total [s] | peak memory [MB] | cost [USD] | max window gap |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    best = None
    for name, rows in res.items():
        if not rows:
            continue
        med = {k: statistics.median(r[k] for r in rows) for k in ("model_s", "solve_s", "total_s", "cost", "gap")}
        # resident memory is allocated once per process and reused by later runs: report the largest
        med["mem_mb"] = max(r["mem_mb"] for r in rows)
        best = best or med
        print(f"| {name} | {med['model_s']:.1f} | {med['solve_s']:.1f} | {med['total_s']:.1f} | {med['mem_mb']:.0f} | "
              f"{med['cost']:,.0f} | {med['gap']:.2%} |")
        if med is not best:
            print(f"\nPyPSA / twin total time: {med['total_s'] / best['total_s']:.1f}x; "
                  f"cost difference (PyPSA - twin) / twin: {(med['cost'] - best['cost']) / best['cost']:+.3%}")


if __name__ == "__main__":
    main()
