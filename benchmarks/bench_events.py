"""A 60-second event at 10 ms on the largest islanded preset, against ANDES.

The campus state comes from a short baseline run of ``sk-quang-ninh`` (4 x SGT-800, islanded,
60 MW of GB200 racks) at its hour of least reserve margin.  The same case — the online units as
GENCLS + TGOV1 with the catalogue's H, droop and lags, the bus load as a constant-power load
stepping up by 10 % at 0 s (a training job starting; the trip of one of the two running units
collapses this case without the battery and UFLS, in ANDES as in the twin) — runs in ANDES in its own process (GPL: never imported here;
``tests/events/andes_bus.py``).  For a like-for-like comparison the twin runs it without the
battery, dead band, rate limits and UFLS (ANDES's TGOV1 has none of them); the full twin event
(battery FFR, UFLS, UPS, Dataset) is timed too, and the batched dynamic N-1 (many hours in one
integration).  Times are medians of N runs after a warm-up; ANDES's is its own PFlow + TDS
wall time measured inside its process (code generation excluded).

    python benchmarks/bench_events.py [--repeat 3] [--days 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ANDES_SCRIPT = ROOT / "tests" / "events" / "andes_bus.py"


def _timed(f, repeat):
    """Median (wall, CPU) seconds of ``repeat`` calls after a warm-up (CPU time: the machine is shared)."""
    f()
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        f()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="sk-quang-ninh")
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    import twin
    from models.frequency import integrate_bus
    from twin.events import simulate_bus, state_at
    from twin.events.bus import bus_inputs, unit_dynamics
    from twin.events.nminus1 import dynamic_n1
    from twin.scenario import load_scenario, parse_scenario

    sc = load_scenario(a.preset)
    d = sc.model_dump(mode="json")
    d["period"].update(start="2025-04-01", end=f"2025-04-{1 + a.days:02d}")
    run = twin.simulate(parse_scenario(d, origin=sc._origin))
    st = state_at(run, "worst")
    on = st.online_units()
    trip = max(on, key=lambda u: st.gen_mw[st.unit.index(u)])
    n = 6000
    step = 0.01

    # like-for-like: TGOV1 blocks only
    inp = bus_inputs([st])
    inp.uf_trip_pu[:] = -1.0
    inp.bat_power_mw[:] = 0.0
    inp.db_hz[:] = 0.0
    inp.rate_up[:] = 1e3
    inp.rate_down[:] = 1e3
    inp.ufls_dev_pu = np.zeros(0)
    inp.ufls_delay_s = np.zeros(0)
    inp.ufls_frac = np.zeros(0)
    inp.load_damping[:] = 0.0
    inp.bat_p0_mw[:] = 0.0
    inp.load0_mw[:] = float(st.gen_mw.sum())  # the machines carry the load alone (no battery, no solar)
    inp.mva[:] = inp.rated_mw  # TGOV1's droop is on the turbine rating (Tn): one base for both
    dp = 0.1 * float(st.gen_mw.sum())
    t_core = _timed(lambda: integrate_bus(inp, np.full(n, dp), step), a.repeat)
    core = integrate_bus(inp, np.full(n, dp), step)
    f_twin = st.f0_hz * (1 + core["x"][0])

    machines = []
    for u in on:
        i = st.unit.index(u)
        p = unit_dynamics(st.unit_model[i], st.unit_kind[i])
        machines.append({"sn_mva": float(st.unit_rated_mw[i]), "p_mw": float(st.gen_mw[i]), "h_s": p["h_s"],
                         "d_pu": 0.0, "r": p["droop_frac"], "t1": p["t_gov_s"], "t2": p["t_lead_s"],
                         "t3": p["t_lag_s"], "vmax": float(st.gas_available_mw[i] / st.unit_rated_mw[i]), "vmin": 0.0})
    spec = {"f0_hz": st.f0_hz, "machines": machines, "load_mw": float(st.gen_mw.sum()),
            "load_step_mw": dp, "t_event_s": 1.0, "tf_s": 60.0, "tstep_s": step}
    andes_walls, andes_cpu, f_andes = [], [], None
    for _ in range(a.repeat + 1):
        r = subprocess.run([sys.executable, str(ANDES_SCRIPT)], input=json.dumps(spec), capture_output=True, text=True)
        if r.returncode != 0:
            print("ANDES failed:", r.stderr[-1500:])
            break
        out = json.loads(r.stdout.strip().splitlines()[-1])
        andes_walls.append(out["wall_s"])
        andes_cpu.append(out["cpu_s"])
        f_andes = np.asarray(out["f_hz"])
    t_andes = (statistics.median(andes_walls[1:]), statistics.median(andes_cpu[1:])) if len(andes_walls) > 1 \
        else (float("nan"), float("nan"))

    t_event = _timed(lambda: simulate_bus(st, np.zeros(n), step, trip={trip: 0.0}), a.repeat)
    t_n1 = _timed(lambda: dynamic_n1(run, hours=24, duration_s=60.0), 1)

    print(f"preset {a.preset}, instant {st.at} (least margin), online {', '.join(on)}, load step {dp:.2f} MW "
          f"on {st.gen_mw.sum():.1f} MW; full event and N-1: trip of {trip}")
    print(f"60 s at 10 ms ({n} steps), median wall / CPU seconds:")
    print(f"  twin core integrator (TGOV1 blocks)        {t_core[0]:7.3f} / {t_core[1]:7.3f}   "
          f"nadir {f_twin.min():.4f} Hz, end {f_twin[-1]:.4f} Hz")
    if f_andes is not None:
        print(f"  ANDES GENCLS+TGOV1 (PFlow + TDS)           {t_andes[0]:7.3f} / {t_andes[1]:7.3f}   "
              f"nadir {f_andes.min():.4f} Hz, end {f_andes[-1]:.4f} Hz")
        print(f"  ratio ANDES / twin                         {t_andes[0] / t_core[0]:7.1f} / {t_andes[1] / t_core[1]:7.1f} x")
        print(f"  nadir deviation twin / ANDES               {(st.f0_hz - f_twin.min()) / (st.f0_hz - f_andes.min()):7.4f}")
    print(f"  twin full event (FFR, UFLS, UPS, Dataset)  {t_event[0]:7.3f} / {t_event[1]:7.3f}")
    print(f"  dynamic N-1, 24 hours x 60 s in one batch  {t_n1[0]:7.3f} / {t_n1[1]:7.3f}")


if __name__ == "__main__":
    main()
