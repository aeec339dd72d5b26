"""Time budget per window, the run marked incomplete, and a clean stop on SIGTERM (issue 13)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from twin import kpi
from twin.optimise import optimise_dispatch

from .sigterm_child import hard_case

ROOT = Path(__file__).resolve().parents[2]


def _balance_residual(ds, r):
    supply = r["gen_mw"].sum("unit").values + r["grid_import_mw"].values + r["solar_mw"].values \
        + r["battery_discharge_mw"].values - r["battery_charge_mw"].values + r["unserved_mw"].values
    return supply - ds["facility_power_mw"].values


def test_one_second_budget_on_hard_window_is_incomplete_with_its_gap():
    # ten distinct units over four days at gap 0: HiGHS cannot close this in one second
    ds = hard_case()
    t0 = time.perf_counter()
    r = optimise_dispatch(ds, horizon="whole", mip_rel_gap=0.0, time_limit_s=1.0, threads=1)
    assert r.attrs["solver_status"] in ("time_limit", "fallback")
    assert r.attrs["optimisation_status"] == "incomplete" and r.attrs["complete"] == 0
    assert r["window_highs_s"].values[0] < 1.0 + 0.25  # the budget on HiGHS's clock, plus its last check
    # the window is named with its gap (a solution kept) or as having none (the fallback rule)
    text = r.attrs["incomplete_windows"]
    assert text.startswith("window 0 (2025-01-06 00:00): ")
    gap = float(r["window_gap"].values[0])
    if r.attrs["solver_status"] == "time_limit":
        assert np.isfinite(gap) and gap > 0 and "gap" in text
    else:
        assert text.endswith("fallback, no solution")
        # the fallback keeps the initial commitment (all off) and dispatches the rest as an LP
        assert r["unit_on"].values.sum() == 0
    r.attrs["dispatch"] = "optimal"
    assert kpi.status(r) == "incomplete"  # never "ok"
    np.testing.assert_allclose(_balance_residual(ds, r), 0.0, atol=1e-6)


def test_sigterm_mid_solve_leaves_no_run_and_exits_within_two_seconds(tmp_path):
    store = tmp_path / "runs"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.Popen([sys.executable, "-m", "tests.optimise.sigterm_child", str(store)], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "SOLVING"
        time.sleep(0.5)  # HiGHS is now in branch and bound on the hard window
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=30)
        dt = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
    err = p.stderr.read()
    assert rc == 128 + signal.SIGTERM, err
    assert "stopped by SIGTERM" in err
    assert dt < 2.0
    assert not store.exists() or not any(store.iterdir())  # no run, no partial directory


def test_budget_cut_window_does_not_stop_the_next():
    # a window stopped at its deadline (the interrupt callback) leaves HiGHS's interrupt flag
    # set unless the callback clears it: every later window would then stop at once ("error")
    ds = hard_case()
    r = optimise_dispatch(ds, horizon="rolling", window_h=36, commit_h=24, mip_rel_gap=0.0, time_limit_s=1.0,
                          threads=1)
    assert list(r["window_status"].values) == ["time_limit"] * 4
    assert np.all(np.isfinite(r["window_gap"].values))


def test_the_solver_is_given_the_budget_less_the_overhead_measured_on_the_windows():
    from twin.optimise.dispatch import _Budget

    b = _Budget(10.0)
    assert b.given_s() == 9.5  # a first margin of 5 % of the budget
    b.record(9.5, 4.0, 3.9, cut=False)  # 0.1 s outside HiGHS: less than the margin
    assert b.given_s() == 9.5
    b.record(9.5, 4.0, 3.0, cut=False)  # 1 s of Pyomo around HiGHS: the margin becomes 1.2 s
    assert b.given_s() == 10.0 - 1.2
    b.record(8.8, 10.3, 8.9, cut=True)  # 1.5 s beyond what a cut window was given: 1.8 s
    assert b.given_s() == 10.0 - 1.8
    b.record(b.given_s(), 30.0, 29.0, cut=True)  # never less than half the budget
    assert b.given_s() == 5.0
    assert _Budget(None).given_s() is None
    # the run reports the margin it ended with beside the budget
    r = optimise_dispatch(hard_case(), horizon="whole", mip_rel_gap=0.0, time_limit_s=1.0, threads=1)
    assert 0.05 <= r.attrs["window_time_margin_s"] <= 0.5
