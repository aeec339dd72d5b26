"""Child process of test_sigterm_mid_solve_leaves_no_run: a hard window (ten distinct units,
gap 0, no time budget) solved then stored like ``twin run`` does; prints SOLVING when HiGHS
starts so that the parent signals it mid-solve."""

from __future__ import annotations

import os
import sys

import numpy as np

from tests.optimise.conftest import make_physics
from twin.optimise import dispatch, optimise_dispatch
from twin.store import save_run


def hard_case():
    n = 24 * 4
    h = np.arange(n) % 24
    units = [dict(rated_mw=40.0 + 3 * i, eff_full=0.40 + 0.003 * i, min_load_frac=0.4, min_up_h=4, min_down_h=3,
                  start_cost_usd=2000.0 + 100 * i, ramp_mw_per_h=15.0) for i in range(10)]
    return make_physics(n, demand_mw=250 + 90 * np.sin(2 * np.pi * h / 24), units=units,
                        reserve_shortfall_usd_per_mwh=5000.0, battery_power_mw=20.0, battery_energy_mwh=40.0,
                        lng_tank_capacity_t=3000.0, lng_tank_initial_t=1200.0, lng_tank_min_t=300.0,
                        lng_delivery_t=600.0, lng_delivery_interval_h=48.0)


def main(store: str) -> int:
    ds = hard_case()
    solve = dispatch._Window.solve

    def announced(self, *a, **k):
        print("SOLVING", flush=True)
        return solve(self, *a, **k)

    dispatch._Window.solve = announced
    try:
        r = optimise_dispatch(ds, horizon="whole", mip_rel_gap=0.0, time_limit_s=None)
        r.attrs["dispatch"] = "optimal"
        save_run(r, store)
    except KeyboardInterrupt as e:  # as twin.cli.main: nothing saved, exit at once
        print(f"interrupted: {e}", file=sys.stderr, flush=True)
        os._exit(128 + int(getattr(e, "signum", 2)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
