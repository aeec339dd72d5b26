"""Every preset: a gas-unit trip (or the grid loss) and a cooling loss at the hour of least margin.

For each preset, a short baseline run (``--days`` from 1 April; a full year with ``--days 365``)
gives the instant of least N-1 reserve margin; there the largest running gas unit trips (the grid
feed is lost where no gas unit runs) and, separately, the first hall loses its cooling
(``chiller_loss`` for air-cooled halls, ``cdu_loss`` for liquid-cooled ones).  Prints a Markdown
table: nadir, RoCoF, load shed, first UFLS stage, and minutes to the cooling limit.

    python benchmarks/preset_events.py [--days 7]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=7)
    a = ap.parse_args()
    import twin
    from twin.events import state_at
    from twin.scenario import SCENARIO_DIR, load_scenario, parse_scenario, preset_names

    rows = []
    for name in preset_names():
        t0 = time.perf_counter()
        sc = load_scenario(SCENARIO_DIR / f"{name}.yaml")
        d = sc.model_dump(mode="json")
        if a.days < 365:
            start = np.datetime64("2025-04-01")
            d["period"].update(start=str(start), end=str(start + np.timedelta64(a.days, "D")))
        run = twin.simulate(parse_scenario(d, origin=sc._origin))
        st = state_at(run, "worst")
        hall = sc.halls[0]
        cf = "chiller_loss" if hall.cooling.type == "air" else "cdu_loss"
        k_t = twin.events.event_kpis(twin.event(run, at=st.at, fault=f"{cf}:{hall.name}"))
        faults = (["gt_trip"] if st.online_units() else []) + (["grid_loss"] if st.grid_capacity_mw > 0 else [])
        for fault in faults:
            el = twin.event(run, at=st.at, fault=fault)
            k_e = twin.events.event_kpis(el)
            what = el.attrs["fault"].replace(" at 0 s", "")
            rows.append((name, str(st.at), f"{st.reserve_margin_mw:.1f}", what,
                         "dead bus" if k_e["frequency_nadir_hz"] is None else f"{k_e['frequency_nadir_hz']:.3f}",
                         "-" if k_e["frequency_nadir_hz"] is None else f"{k_e['rocof_max_hz_per_s']:.2f}",
                         f"{k_e['shed_max_mw']:.1f}", str(k_e["first_ufls_stage"] or "-"),
                         f"{cf}:{hall.name}",
                         "not reached" if k_t["minutes_to_cooling_limit"] is None else f"{k_t['minutes_to_cooling_limit']:.1f}",
                         f"{k_t['heat_up_minutes']:.2f}" if k_t["heat_up_minutes"] is not None else "-",
                         f"{time.perf_counter() - t0:.0f}"))
            print(" | ".join(rows[-1]), flush=True)
    head = ("preset", "instant (least margin)", "margin MW", "electrical fault", "nadir Hz", "RoCoF Hz/s", "shed MW",
            "first UFLS", "cooling fault", "min to limit", "heat-up min (no cooling)", "wall s")
    print("\n| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
