"""An hour of a 100 MW synchronous training job at 10 ms: synthesis, campus dynamics, spectrum.

The job: 833 GB200 NVL72 racks (833 x 120 kW = 100 MW at full power, racks.csv), a 2 s
iteration, 20 ms of phase jitter, a checkpoint every 30 min and a failure with restart
half-way (the scenario's ``swing.job`` defaults). The campus: the Ulsan preset (two 2x1
combined-cycle blocks, a 100 MW grid feed, a 20 MW battery) at noon of a one-day baseline run
(built first, not timed). Stages, each the median of N runs after one warm-up:

1. synthesis (:func:`models.workload_swing.training_swing_mw`, 360,000 steps);
2. dynamics (:func:`twin.swing.campus_dynamics`: the event engine, chunked and batched);
3. spectrum and compliance (:func:`twin.swing.compliance`, Welch flat-top).

For scale, the same engine integrating the hour as one continuous series is timed on its first
``--continuous-s`` seconds and scaled linearly (the per-step cost is constant).

    python benchmarks/bench_swing.py [--repeat 3] [--continuous-s 120]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import twin
from twin import catalog
from twin.events import state_at
from twin.scenario import load_scenario, parse_scenario
from twin.swing import _job_kwargs, campus_dynamics, compliance, default_ramp_limit_mw_per_s
from models.workload_swing import training_swing_mw

STEP_S = 0.01
HOUR_S = 3600.0


def _timed(f, repeat):
    f()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = f()
        out.append(time.perf_counter() - t0)
    return statistics.median(out), r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--continuous-s", type=float, default=120.0)
    a = ap.parse_args()
    d = load_scenario("sk-aws-ulsan").model_dump(mode="json")
    d["period"] = {"start": "2025-07-01", "end": "2025-07-02", "step": "1h"}
    sc = parse_scenario(d, source="sk-aws-ulsan (one day)")
    run = twin.simulate(sc)
    state = state_at(run, "2025-07-01T12:00")
    rack = catalog.lookup("racks", "gb200-nvl72")
    racks = int(round(100_000 / rack["rack_kw_max"]))
    t = np.arange(int(HOUR_S / STEP_S)) * STEP_S
    kw = _job_kwargs(sc.swing.job, sc.halls[0], STEP_S, HOUR_S)

    def synth():
        return training_swing_mw(t, racks=racks, rack_kw_max=rack["rack_kw_max"], idle_frac=rack["idle_frac"],
                                 seed=0, **kw)["power_mw"]

    ts, p = _timed(synth, a.repeat)
    delta = (p - p.mean()) * np.clip(t / 5.0, 0, 1)
    td, dyn = _timed(lambda: campus_dynamics(state, delta, STEP_S), a.repeat)
    lim = sc.swing.limits
    ramp, _ = default_ramp_limit_mw_per_s(state)
    poc = state.load_mw + delta - dyn["gen_mw"].sum(axis=1) - dyn["battery_mw"]
    tc, comp = _timed(lambda: compliance(poc, STEP_S, lim, ramp_limit_mw_per_s=ramp, mean_mw=state.load_mw), a.repeat)
    n_cont = int(a.continuous_s / STEP_S)
    t0 = time.perf_counter()
    campus_dynamics(state, delta[:n_cont], STEP_S, chunk_s=1e9)
    cont = (time.perf_counter() - t0) * HOUR_S / a.continuous_s
    print(f"job: {racks} racks, {p.max():.1f} MW busy, swing {np.ptp(p):.1f} MW peak to peak, {t.size:,} steps of "
          f"{STEP_S * 1000:g} ms; campus: sk-aws-ulsan at noon ({'grid' if state.grid_capacity_mw else 'islanded'})")
    print(f"dynamics at the engine's {dyn['dyn_step_s'] * 1000:g} ms step in {dyn['chunks']} chunks; "
          f"frequency {dyn['frequency_hz'].min():.3f}-{dyn['frequency_hz'].max():.3f} Hz")
    print("| stage | time [s] |")
    print("|---|---:|")
    print(f"| synthesis | {ts:.3f} |")
    print(f"| dynamics (chunked batch) | {td:.3f} |")
    print(f"| spectrum + compliance | {tc:.3f} |")
    print(f"| **total** | **{ts + td + tc:.3f}** |")
    print(f"| dynamics as one continuous integration (timed on {a.continuous_s:g} s, scaled) | {cont:.1f} |")
    print(comp[["check", "value", "limit", "unit", "passes"]].to_string(index=False))


if __name__ == "__main__":
    main()
