"""Physics for one year at a one-minute step (525,600 steps) on the largest preset.

Times :func:`twin.couple.couple` (weather interpolation, IT, cooling per hall incl. the marginal
evaluation, losses, gas capability and fuel curves, PV, tariff) — the whole physics layer — and
its parts, median of N runs after one warm-up (which also parses and caches the weather file).
For scale, it also times pvlib's own clear-sky + solar-position computation on the same index:
a ratio against a well-known vectorised library on the same machine in the same run.

    python benchmarks/bench_physics.py [--preset sk-aws-ulsan] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd

from twin.couple import couple
from twin.scenario import load_scenario, parse_scenario


def _timed(f, repeat):
    f()  # warm-up
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="sk-aws-ulsan")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    d = load_scenario(a.preset).model_dump(mode="json")
    d["period"]["step"] = "1min"
    sc = parse_scenario(d)
    n = sc.period.n_steps
    t_phys = _timed(lambda: couple(sc), a.repeat)

    import pvlib

    idx = pd.date_range(sc.period.start, sc.period.end, freq="1min", inclusive="left", tz="UTC")
    loc = pvlib.location.Location(sc.site.latitude, sc.site.longitude)
    t_pvlib = _timed(lambda: loc.get_clearsky(idx, model="haurwitz"), a.repeat)
    print(f"| preset | steps | twin physics (s) | pvlib clear-sky alone (s) | ratio |")
    print(f"|---|---|---|---|---|")
    print(f"| {a.preset} | {n:,} | {t_phys:.3f} | {t_pvlib:.3f} | {t_phys / t_pvlib:.2f} |")


if __name__ == "__main__":
    main()
