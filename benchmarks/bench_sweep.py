"""Sweep speed-up on Dask: the same 16-member sweep on a LocalCluster of 1 worker and of 2.

    python benchmarks/bench_sweep.py [--days 28] [--dispatch optimal|baseline]

Each cluster is started and warmed up (every worker imports the twin and runs one member)
before the clock starts, so the figure is the sweep itself: members run, results written to
the Zarr store as they finish.  Prints both wall times and the speed-up (aim: >= 1.7 on a
2-core machine), and beside them the same 16 members in one and in two plain processes (no Dask,
no store): the speed-up this machine allows at all, for the Dask route to be read against.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _sweep(days: int, dispatch: str):
    from twin.sweep import parse_sweep

    start = "2025-04-01"
    end = str((__import__("pandas").Timestamp(start) + __import__("pandas").Timedelta(days=days)).date())
    return parse_sweep({
        "name": "bench-16",
        "base": "default",
        "overrides": {"period": {"start": start, "end": end, "step": "1h"}},
        "dispatch": dispatch,
        "parameters": {
            "fuel.lng_price_usd_per_mmbtu": [8, 10, 12, 16],
            "halls[0].cooling.type": ["air", "immersion"],
            "power.battery": [{"power_mw": 0, "energy_mwh": 0}, {"power_mw": 5, "energy_mwh": 20}],
        },
    })


def _warm(data: dict, dispatch: str) -> float:
    from twin.sweep import run_member

    t0 = time.perf_counter()
    run_member(data, dispatch)
    return time.perf_counter() - t0


def timed(sweep, n_workers: int, tmp: Path) -> float:
    from distributed import Client

    from twin.sweep import local_cluster, run_sweep

    with local_cluster(n_workers) as cluster, Client(cluster) as client:
        client.wait_for_workers(n_workers)
        client.run(_warm, sweep.members[0].data, sweep.dispatch)  # imports + caches on every worker
        out = tmp / f"w{n_workers}.zarr"
        shutil.rmtree(out, ignore_errors=True)
        t0 = time.perf_counter()
        ds = run_sweep(sweep, out, client=client, progress=False, log=lambda m: None)
        wall = time.perf_counter() - t0
    st = ds["status"].values.astype(str)
    assert (st != "pending").all() and (st != "failed").all(), st
    wall_s, cpu_s = float(ds["elapsed_s"].sum()), float(ds["cpu_s"].sum())
    print(f"  {n_workers} worker(s): members took {wall_s:.2f} s on the workers, {cpu_s:.2f} s of it on a CPU "
          f"({100 * cpu_s / wall_s:.0f} %" + ("; well below 100 %: something else shares the cores)"
                                                 if cpu_s < 0.85 * wall_s else ")"), file=sys.stderr)
    return wall


def _member_times(members: list, dispatch: str) -> list[float]:
    from twin.sweep import run_member

    out = []
    for m in members:
        t0 = time.perf_counter()
        run_member(m.data, dispatch)
        out.append(time.perf_counter() - t0)
    return out


def plain(sweep, n_procs: int) -> float:
    """The same members in ``n_procs`` plain processes (no Dask, no store): the machine's ceiling.

    Members go one at a time to whichever process is free, as Dask's scheduler hands them out;
    each process is warmed up (imports, one member) before the clock starts.
    """
    from concurrent.futures import ProcessPoolExecutor

    members = sweep.members
    with ProcessPoolExecutor(n_procs) as pool:
        list(pool.map(_member_times, [[members[0]]] * n_procs, [sweep.dispatch] * n_procs))
        t0 = time.perf_counter()
        list(pool.map(_member_times, [[m] for m in members], [sweep.dispatch] * len(members), chunksize=1))
        return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, default=28, help="length of each member's period (default 28)")
    p.add_argument("--repeat", type=int, default=3, help="paired repetitions; medians are reported (default 3)")
    p.add_argument("--dispatch", choices=["baseline", "optimal"], default="optimal",
                   help="optimal (default: seconds per member, the realistic sweep) or baseline "
                        "(a tenth of a second per member: Dask's overhead dominates)")
    a = p.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    load1 = os.getloadavg()[0]
    if load1 > 0.5:
        print(f"note: load average {load1:.1f} before the benchmark — other work on the machine "
              "shares its cores and lowers the speed-up", file=sys.stderr)
    sweep = _sweep(a.days, a.dispatch)
    assert len(sweep.members) == 16
    with tempfile.TemporaryDirectory() as d:
        from twin.sweep import init_store, open_sweep

        init_store(sweep, Path(d) / "warm.zarr")  # the client's first-call costs, outside the clock
        open_sweep(Path(d) / "warm.zarr")
        rows = []
        for r in range(a.repeat):
            rows.append((timed(sweep, 1, Path(d)), timed(sweep, 2, Path(d)), plain(sweep, 1), plain(sweep, 2)))
            t1, t2, p1, p2 = rows[-1]
            print(f"  repetition {r + 1}: Dask {t1:.2f} / {t2:.2f} s = {t1 / t2:.2f}x; "
                  f"plain {p1:.2f} / {p2:.2f} s = {p1 / p2:.2f}x", file=sys.stderr)
    med = lambda xs: statistics.median(xs)  # noqa: E731
    t1, t2, p1, p2 = (med(col) for col in zip(*rows))
    sd, sp = med([r[0] / r[1] for r in rows]), med([r[2] / r[3] for r in rows])
    print(f"16 members, {a.days} days hourly, {a.dispatch} dispatch, {os.cpu_count()} CPU(s), "
          f"median of {a.repeat} paired repetition(s)")
    print("| route | 1 process [s] | 2 processes [s] | speed-up (median of the repetitions' ratios) | each repetition |")
    print("|---|---:|---:|---:|---|")
    print(f"| twin sweep on a Dask LocalCluster (results to Zarr) | {t1:.2f} | {t2:.2f} | {sd:.2f}x | "
          + ", ".join(f"{r[0] / r[1]:.2f}" for r in rows) + " |")
    print(f"| the same members in plain processes (no Dask, no store) | {p1:.2f} | {p2:.2f} | {sp:.2f}x | "
          + ", ".join(f"{r[2] / r[3]:.2f}" for r in rows) + " |")


if __name__ == "__main__":
    main()
